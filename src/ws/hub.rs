//! The hub: live connections by user, reconnect records, and routing of events.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast::error::RecvError, mpsc};

use super::event::{self, OutEvent};
use crate::config::LiveConfig;
use crate::model::new_id;
use crate::store::{Change, Store};

/// Events a connection may have queued before it counts as too slow and is cut off.
pub const QUEUE_CAPACITY: usize = 256;
/// Events kept per connection for a lossless resume after a reconnect. They are kept as
/// shared events, not as the frames sent: every connection an event went to points at
/// one copy, and a frame is made again (same `seq`, same recipient) only if it is
/// replayed.
pub const REPLAY_BUFFER: usize = 128;
/// How long a dropped connection can still be resumed.
const RECORD_TTL: Duration = Duration::from_secs(300);

/// What a connection has sent, kept so a reconnecting client can resume without loss.
#[derive(Debug)]
pub struct Record {
    pub connection_id: String,
    pub user_id: String,
    /// The `seq` the next event will carry.
    pub next_seq: i64,
    /// The last events numbered for this connection, oldest first, with their `seq`.
    pub buffer: VecDeque<(i64, Arc<OutEvent>)>,
    /// Events were dropped for this connection (it was too slow): a resume must start over.
    pub lossy: bool,
    /// The connection's session was revoked: it is closed and cannot be resumed.
    pub ended: bool,
    /// When the socket closed; `None` while one is attached.
    pub detached_at: Option<Instant>,
}

impl Record {
    fn new(user_id: &str) -> Self {
        Record {
            connection_id: new_id(),
            user_id: user_id.to_string(),
            next_seq: 0,
            buffer: VecDeque::new(),
            lossy: false,
            ended: false,
            detached_at: None,
        }
    }

    /// Numbers `event` for this connection and remembers it; returns its `seq`.
    pub fn remember(&mut self, event: &Arc<OutEvent>) -> i64 {
        let seq = self.next_seq;
        self.buffer.push_back((seq, event.clone()));
        if self.buffer.len() > REPLAY_BUFFER {
            self.buffer.pop_front();
        }
        self.next_seq += 1;
        seq
    }

    /// Numbers `event`, remembers it, and returns the frame to send.
    pub fn number(&mut self, event: &Arc<OutEvent>) -> String {
        let seq = self.remember(event);
        event.frame(&self.user_id, seq)
    }

    /// The frames numbered `from` on, as they were sent.
    fn frames_from(&self, from: i64) -> Vec<String> {
        self.buffer
            .iter()
            .filter(|(seq, _)| *seq >= from)
            .map(|(seq, event)| event.frame(&self.user_id, *seq))
            .collect()
    }
}

/// How a (re)connecting client starts.
pub enum Attach {
    /// A new connection id (first connect, unknown or stale record): send `hello`.
    Fresh(Arc<Mutex<Record>>),
    /// A lossless resume: send these frames (possibly none) and carry on.
    Resume(Arc<Mutex<Record>>, Vec<String>),
}

struct Connection {
    connection_id: String,
    session_id: String,
    /// Changes up to this feed `seq` happened before the connection: not sent to it.
    after_seq: i64,
    queue: mpsc::Sender<Arc<OutEvent>>,
}

#[derive(Default)]
struct Registry {
    by_user: HashMap<String, Vec<Connection>>,
    records: HashMap<String, Arc<Mutex<Record>>>,
    /// Records whose socket is gone but may still be resumed, by user: events keep being
    /// numbered into their buffers so a reconnect replays what happened meanwhile.
    detached: HashMap<String, Vec<Arc<Mutex<Record>>>>,
}

/// The live connections. Shared by the connection tasks and the feed follower.
pub struct Hub {
    registry: Mutex<Registry>,
    store: Arc<dyn Store>,
    /// The live configuration; each change is translated with the one in force then.
    config: Arc<LiveConfig>,
    /// Connections cut off because they could not keep up (a metric).
    pub slow_consumers: AtomicU64,
    /// Events delivered to connection queues (a metric).
    pub delivered: AtomicU64,
    /// Server-side throttle for `typing` events.
    pub typing: super::session::TypingThrottle,
    /// Connection tasks running (see [`Hub::opened`]).
    open: AtomicUsize,
    /// Wakes connections still waiting to authenticate when the server stops.
    closed: tokio::sync::Notify,
    /// Set when the server stops: no new connection is kept.
    closing: AtomicBool,
}

/// Removes its connection from the hub when dropped, so a socket that ends for any
/// reason (error, close, panic) never lingers as a delivery target.
pub struct Registration {
    hub: Arc<Hub>,
    user_id: String,
    connection_id: String,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.unregister(&self.user_id, &self.connection_id);
    }
}

/// A running connection task, counted by the hub while it lives.
pub struct OpenConnection(Arc<Hub>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves the data usable (plain maps): carry on.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    pub fn new(store: Arc<dyn Store>, config: Arc<LiveConfig>) -> Arc<Self> {
        Arc::new(Hub {
            registry: Mutex::new(Registry::default()),
            store,
            config,
            slow_consumers: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            typing: super::session::TypingThrottle::default(),
            open: AtomicUsize::new(0),
            closed: tokio::sync::Notify::new(),
            closing: AtomicBool::new(false),
        })
    }

    /// Ends every connection because the server is stopping; their tasks close their
    /// sockets with 1001 ("going away"), and clients reconnect once it is back.
    pub fn close_all(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.closed.notify_waiters();
        // Dropping the connections drops their queues' senders, which wakes each task.
        let connections = std::mem::take(&mut lock(&self.registry).by_user);
        drop(connections);
    }

    /// Whether the server is stopping (see [`Hub::close_all`]).
    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    /// How many connection tasks are still running.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Counts a connection task as running until the returned guard is dropped, from its
    /// first moment (before it has authenticated), so a stopping server waits for it.
    pub fn opened(self: &Arc<Self>) -> OpenConnection {
        self.open.fetch_add(1, Ordering::SeqCst);
        OpenConnection(self.clone())
    }

    /// Resolves once the server has begun to stop (at once if it already has).
    pub async fn closed(&self) {
        let notified = self.closed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.is_closing() {
            return;
        }
        notified.await;
    }

    /// Finds or makes the record for a (re)connecting client of `user_id`.
    pub fn attach(&self, user_id: &str, resume: Option<(&str, i64)>) -> Attach {
        let mut registry = lock(&self.registry);
        let now = Instant::now();
        let fresh = |record: &Arc<Mutex<Record>>| {
            lock(record)
                .detached_at
                .is_none_or(|at| now.duration_since(at) < RECORD_TTL)
        };
        registry.records.retain(|_, record| fresh(record));
        registry.detached.retain(|_, records| {
            records.retain(|record| fresh(record));
            !records.is_empty()
        });
        if let Some((connection_id, next)) = resume
            && let Some(record) = registry.records.get(connection_id).cloned()
        {
            let mut r = lock(&record);
            let oldest = r.buffer.front().map_or(r.next_seq, |(seq, _)| *seq);
            if r.user_id == user_id && !r.lossy && next >= oldest && next <= r.next_seq {
                r.detached_at = None;
                drop(r);
                if let Some(records) = registry.detached.get_mut(user_id) {
                    records.retain(|other| !Arc::ptr_eq(other, &record));
                }
                let frames = lock(&record).frames_from(next);
                return Attach::Resume(record, frames);
            }
            // Too old, lossy or someone else's: that record is finished.
            let owner = r.user_id.clone();
            drop(r);
            registry.records.remove(connection_id);
            if let Some(records) = registry.detached.get_mut(&owner) {
                records.retain(|other| !Arc::ptr_eq(other, &record));
            }
        }
        let record = Arc::new(Mutex::new(Record::new(user_id)));
        let id = lock(&record).connection_id.clone();
        registry.records.insert(id, record.clone());
        Attach::Fresh(record)
    }

    /// Adds a live connection; events for its user start arriving on the returned queue.
    /// Events from changes up to `after_seq` are not sent to it: a fresh connection
    /// passes the feed's position when it connected, a resumed one 0 (its record holds
    /// everything numbered while it was away).
    pub fn register(
        self: &Arc<Self>,
        user_id: &str,
        session_id: &str,
        connection_id: &str,
        after_seq: i64,
    ) -> (Registration, mpsc::Receiver<Arc<OutEvent>>) {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let mut registry = lock(&self.registry);
        // While stopping, the queue's sender is dropped at once: the task closes.
        if self.is_closing() {
            drop(queue);
        } else {
            registry
                .by_user
                .entry(user_id.to_string())
                .or_default()
                .push(Connection {
                    connection_id: connection_id.to_string(),
                    session_id: session_id.to_string(),
                    after_seq,
                    queue,
                });
        }
        drop(registry);
        let registration = Registration {
            hub: self.clone(),
            user_id: user_id.to_string(),
            connection_id: connection_id.to_string(),
        };
        (registration, receiver)
    }

    fn unregister(&self, user_id: &str, connection_id: &str) {
        let mut registry = lock(&self.registry);
        if let Some(connections) = registry.by_user.get_mut(user_id) {
            connections.retain(|c| c.connection_id != connection_id);
            if connections.is_empty() {
                registry.by_user.remove(user_id);
            }
        }
        if let Some(record) = registry.records.get(connection_id).cloned() {
            let mut r = lock(&record);
            r.detached_at = Some(Instant::now());
            if !r.lossy {
                drop(r);
                registry
                    .detached
                    .entry(user_id.to_string())
                    .or_default()
                    .push(record);
            }
        }
    }

    /// Closes the connections of `user_id` signed in with `session_id`, or all of the
    /// user's when `None` (sessions revoked, user deactivated), as Mattermost does: their
    /// clients see the socket close, fail to reconnect, and return to the login page.
    /// Returns how many were closed.
    pub fn end_sessions(&self, user_id: &str, session_id: Option<&str>) -> usize {
        let mut registry = lock(&self.registry);
        let Some(connections) = registry.by_user.get_mut(user_id) else {
            return 0;
        };
        let (ended, kept): (Vec<Connection>, Vec<Connection>) = std::mem::take(connections)
            .into_iter()
            .partition(|c| session_id.is_none_or(|id| c.session_id == id));
        *connections = kept;
        if connections.is_empty() {
            registry.by_user.remove(user_id);
        }
        for connection in &ended {
            if let Some(record) = registry.records.get(&connection.connection_id) {
                let mut record = lock(record);
                record.ended = true;
                record.lossy = true;
            }
        }
        // Dropping the connections drops their queues' senders: each task sees the end,
        // reads `ended` and closes its socket.
        ended.len()
    }

    /// Whether the user has any live connection.
    pub fn is_connected(&self, user_id: &str) -> bool {
        lock(&self.registry).by_user.contains_key(user_id)
    }

    /// Users with a live connection.
    pub fn connected_users(&self) -> Vec<String> {
        lock(&self.registry).by_user.keys().cloned().collect()
    }

    /// Number of live connections.
    pub fn connection_count(&self) -> usize {
        lock(&self.registry).by_user.values().map(Vec::len).sum()
    }

    /// Sends `event` to every connection allowed to receive it.
    pub async fn deliver(&self, event: OutEvent) {
        let b = &event.broadcast;
        let audience: Option<Vec<String>> = if !b.user_id.is_empty() {
            Some(vec![b.user_id.clone()])
        } else if !b.channel_id.is_empty() {
            match self.store.channel_member_ids(&b.channel_id).await {
                Ok(ids) => Some(ids),
                Err(error) => {
                    tracing::warn!(%error, event = %event.event, "cannot resolve an event's channel audience");
                    return;
                }
            }
        } else if !b.team_id.is_empty() {
            match self.store.team_member_ids(&b.team_id).await {
                Ok(ids) => Some(ids),
                Err(error) => {
                    tracing::warn!(%error, event = %event.event, "cannot resolve an event's team audience");
                    return;
                }
            }
        } else {
            None
        };
        let event = Arc::new(event);
        let mut too_slow = Vec::new();
        {
            let registry = lock(&self.registry);
            let users: Vec<&String> = match &audience {
                Some(ids) => ids.iter().collect(),
                None => registry.by_user.keys().collect(),
            };
            for user_id in users {
                if event
                    .broadcast
                    .omit_users
                    .as_ref()
                    .is_some_and(|o| o.contains_key(user_id.as_str()))
                {
                    continue;
                }
                // Dropped sockets that may come back keep numbering their events.
                for record in registry
                    .detached
                    .get(user_id.as_str())
                    .into_iter()
                    .flatten()
                {
                    lock(record).remember(&event);
                }
                let Some(connections) = registry.by_user.get(user_id.as_str()) else {
                    continue;
                };
                for connection in connections {
                    let b = &event.broadcast;
                    if (!b.connection_id.is_empty() && b.connection_id != connection.connection_id)
                        || b.omit_connection_id == connection.connection_id
                        || (event.change_seq != 0 && event.change_seq <= connection.after_seq)
                    {
                        continue;
                    }
                    // Over half full: skip what the next event will correct anyway.
                    if event.droppable() && connection.queue.capacity() < QUEUE_CAPACITY / 2 {
                        continue;
                    }
                    match connection.queue.try_send(event.clone()) {
                        Ok(()) => {
                            self.delivered.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            too_slow.push((user_id.clone(), connection.connection_id.clone()))
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => {}
                    }
                }
            }
        }
        for (user_id, connection_id) in too_slow {
            self.cut_off(&user_id, &connection_id);
        }
    }

    /// Drops a connection that cannot keep up: its queue's sender goes, so its task sees
    /// the end and closes the socket. Its record is marked lossy, so a reconnect starts
    /// afresh (with `hello`) instead of silently missing the dropped events.
    fn cut_off(&self, user_id: &str, connection_id: &str) {
        self.slow_consumers.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            user_id,
            connection_id,
            "websocket consumer too slow; disconnecting it"
        );
        let mut registry = lock(&self.registry);
        if let Some(connections) = registry.by_user.get_mut(user_id) {
            connections.retain(|c| c.connection_id != connection_id);
        }
        if let Some(record) = registry.records.get(connection_id) {
            lock(record).lossy = true;
        }
    }

    /// Follows the change feed for as long as the store lives, turning each committed
    /// change into events. Subscribes before reading the high-water mark so nothing falls
    /// between the two; a lag (the broadcast overflowed) is caught up from the table.
    pub fn follow(self: &Arc<Self>) {
        let hub = self.clone();
        actix_web::rt::spawn(async move {
            let mut live = hub.store.subscribe();
            let mut last = match hub.store.last_seq().await {
                Ok(seq) => seq,
                Err(error) => {
                    tracing::error!(%error, "websocket hub cannot read the change feed");
                    return;
                }
            };
            loop {
                match live.recv().await {
                    Ok(change) => {
                        if change.seq > last {
                            last = change.seq;
                            hub.handle(&change).await;
                        }
                    }
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            missed,
                            "websocket hub fell behind the change feed; catching up"
                        );
                        while let Ok(changes) = hub.store.changes_since(last, 1000).await {
                            if changes.is_empty() {
                                break;
                            }
                            for change in changes {
                                last = change.seq;
                                hub.handle(&change).await;
                            }
                        }
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }

    async fn handle(&self, change: &Change) {
        let config = self.config.current();
        for mut event in event::translate(self.store.as_ref(), &config, change).await {
            event.change_seq = change.seq;
            self.deliver(event).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ws::event::Broadcast;

    fn event(n: i64) -> Arc<OutEvent> {
        Arc::new(OutEvent::new(
            "posted",
            json!({ "n": n }),
            Broadcast {
                channel_id: "c".repeat(26),
                ..Broadcast::default()
            },
        ))
    }

    #[test]
    fn a_resume_gets_the_frames_as_they_were_sent() {
        let mut record = Record::new("u");
        let sent: Vec<String> = (0..5).map(|n| record.number(&event(n))).collect();
        // Numbered while away: kept, not sent.
        record.remember(&event(5));
        let replayed = record.frames_from(2);
        assert_eq!(replayed[..3], sent[2..]);
        assert_eq!(replayed.len(), 4);
        assert!(replayed[3].contains(r#""seq":5"#), "{}", replayed[3]);
    }

    #[test]
    fn the_buffer_keeps_the_newest_events_and_shares_them() {
        let shared = event(0);
        let mut first = Record::new("a");
        let mut second = Record::new("b");
        for _ in 0..REPLAY_BUFFER + 10 {
            first.remember(&shared);
            second.remember(&shared);
        }
        assert_eq!(first.buffer.len(), REPLAY_BUFFER);
        assert_eq!(first.buffer.front().map(|(seq, _)| *seq), Some(10));
        // One event, however many connections remember it.
        assert_eq!(Arc::strong_count(&shared), 1 + 2 * REPLAY_BUFFER);
        assert_eq!(first.frames_from(5).len(), REPLAY_BUFFER);
    }
}
