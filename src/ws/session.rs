//! One WebSocket connection: authentication, `hello` or resume, numbered events, client
//! actions, keep-alive pings and back-pressure.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_http::ws::{CloseCode, CloseReason};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};

use super::event::{Broadcast, OutEvent};
use super::hub::{Attach, Hub, Record};
use super::socket::{Incoming, Socket};
use crate::app::permissions::perm;
use crate::app::{Actor, channels, preferences, sessions};
use crate::error::AppError;
use crate::model::{StatusChange, is_valid_id, now_millis};
use crate::state::AppState;

/// How long an unauthenticated socket may wait for `authentication_challenge`.
const AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the server pings, and how long it waits for any sign of life.
pub const PING_INTERVAL: Duration = Duration::from_secs(60);
const PONG_WAIT: Duration = Duration::from_secs(100);
/// Largest action frame accepted (Mattermost's `SocketMaxMessageSizeKb`).
pub const MAX_ACTION_BYTES: usize = 8 * 1024;

/// What the upgrade request said about resuming an earlier connection.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    pub connection_id: String,
    pub sequence_number: Option<i64>,
}

/// A client action frame.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Action {
    seq: i64,
    action: String,
    data: Value,
}

fn reply(seq: i64, data: Option<Value>) -> String {
    let mut body = json!({ "status": "OK", "seq_reply": seq });
    if let Some(data) = data {
        body["data"] = data;
    }
    body.to_string()
}

fn fail(seq: i64, status: u16, id: &str, message: &str) -> String {
    json!({
        "status": "FAIL",
        "seq_reply": seq,
        "error": { "id": id, "message": message, "detailed_error": "", "status_code": status },
    })
    .to_string()
}

/// Per-user typing throttle: (user, channel) → when they last started typing.
#[derive(Default)]
pub struct TypingThrottle(Mutex<HashMap<(String, String), Instant>>);

impl TypingThrottle {
    fn allow(&self, user_id: &str, channel_id: &str, gap: Duration) -> bool {
        let mut seen = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if seen.len() > 100_000 {
            seen.retain(|_, at| now.duration_since(*at) < gap);
        }
        let key = (user_id.to_string(), channel_id.to_string());
        match seen.get(&key) {
            Some(at) if now.duration_since(*at) < gap => false,
            _ => {
                seen.insert(key, now);
                true
            }
        }
    }
}

/// Who a connection belongs to. Small, since thousands are held at once: the session is
/// looked up again (by its token) for each action that needs permissions, so a socket
/// whose session was revoked or whose user was deactivated cannot act.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user_id: String,
    pub session_id: String,
    token: String,
}

impl Identity {
    pub fn of(actor: &Actor, token: String) -> Self {
        Identity {
            user_id: actor.user.id.clone(),
            session_id: actor.session.id.clone(),
            token,
        }
    }

    /// The signed-in user as of now, or `None` if the session has ended.
    async fn actor(&self, state: &AppState) -> Option<Actor> {
        sessions::authenticate(state, &self.token).await.ok()
    }
}

/// Why the connection loop ended.
enum End {
    /// The peer closed, or the socket failed: nothing more to say.
    Gone,
    /// Close with this reason.
    Close(CloseReason),
}

fn closing(code: CloseCode, description: &str) -> End {
    End::Close(CloseReason {
        code,
        description: Some(description.into()),
    })
}

/// Runs a connection to its end.
///
/// The loop's own state stays small (it is held for every idle connection); the larger
/// futures it awaits now and then (authentication, answering an action, presence
/// writes) are boxed, so their space exists only while they run.
pub async fn run<T: AsyncRead + AsyncWrite + Unpin>(
    state: AppState,
    hub: Arc<Hub>,
    mut socket: Socket<T>,
    signed_in: Option<Identity>,
    resume: Resume,
) {
    let _open = hub.opened();
    let identity = match signed_in {
        Some(identity) => identity,
        None => {
            let answer = tokio::select! {
                identity = Box::pin(challenge(&state, &mut socket)) => identity.ok_or("authentication required"),
                () = hub.closed() => Err("server shutting down"),
            };
            match answer {
                Ok(identity) => identity,
                Err(why) => {
                    let code = if hub.is_closing() {
                        CloseCode::Away
                    } else {
                        CloseCode::Policy
                    };
                    socket
                        .close(Some(CloseReason {
                            code,
                            description: Some(why.into()),
                        }))
                        .await;
                    return;
                }
            }
        }
    };
    let user_id = identity.user_id.as_str();
    let resume_point = match (resume.connection_id.is_empty(), resume.sequence_number) {
        (false, Some(seq)) => Some((resume.connection_id.as_str(), seq)),
        _ => None,
    };
    // Read before attaching, so a change committed in between is sent rather than lost.
    let feed_position = match state.store.last_seq().await {
        Ok(seq) => seq,
        Err(error) => {
            tracing::warn!(%error, "cannot read the change feed position for a new websocket");
            0
        }
    };
    let (record, replay) = match hub.attach(user_id, resume_point) {
        Attach::Fresh(record) => (record, None),
        Attach::Resume(record, frames) => (record, Some(frames)),
    };
    let connection_id = lock(&record).connection_id.clone();
    let after_seq = if replay.is_some() { 0 } else { feed_position };
    let (registration, mut queue) =
        hub.register(user_id, &identity.session_id, &connection_id, after_seq);
    let first = match replay {
        Some(frames) => frames,
        None => {
            let hello = Arc::new(OutEvent::new(
                "hello",
                json!({ "server_version": state.version_id(), "connection_id": connection_id, "server_hostname": "" }),
                Broadcast {
                    user_id: user_id.to_string(),
                    ..Broadcast::default()
                },
            ));
            vec![lock(&record).number(&hello)]
        }
    };
    for frame in first {
        if socket.text(frame).await.is_err() {
            return;
        }
    }
    Box::pin(preferences::record_activity(&state, user_id)).await;
    tracing::debug!(%user_id, %connection_id, "websocket connected");

    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let end = loop {
        tokio::select! {
            event = queue.recv() => match event {
                Some(event) => {
                    let frame = lock(&record).number(&event);
                    if socket.text(frame).await.is_err() {
                        break End::Gone;
                    }
                }
                // The hub dropped us: the session ended, or we could not keep up.
                None if lock(&record).ended => break closing(CloseCode::Policy, "session ended"),
                None if hub.is_closing() => break closing(CloseCode::Away, "server shutting down"),
                None => break closing(CloseCode::Again, "too slow"),
            },
            message = socket.recv() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(Incoming::Text(text))) => {
                        match Box::pin(act(&state, &hub, &identity, &connection_id, &text)).await {
                            Answer::None => {}
                            Answer::Frame(answer) => {
                                if socket.text(answer).await.is_err() {
                                    break End::Gone;
                                }
                            }
                            Answer::SignedOut(answer) => {
                                let _ = socket.text(answer).await;
                                break closing(CloseCode::Policy, "session ended");
                            }
                        }
                    }
                    Some(Ok(Incoming::Binary(_))) => {
                        // MessagePack actions are not supported; say so and carry on.
                        let answer = fail(0, 400, "api.websocket_handler.invalid_param.app_error", "binary (MessagePack) frames are not supported; send JSON text");
                        if socket.text(answer).await.is_err() {
                            break End::Gone;
                        }
                    }
                    Some(Ok(Incoming::Ping(bytes))) => {
                        if socket.pong(&bytes).await.is_err() {
                            break End::Gone;
                        }
                    }
                    Some(Ok(Incoming::Pong)) => {}
                    Some(Ok(Incoming::Close)) | None => break End::Gone,
                    Some(Err(broken)) => {
                        tracing::debug!(error = %broken.reason, %user_id, "websocket protocol error");
                        break End::Close(CloseReason { code: broken.code, description: Some(broken.reason) });
                    }
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > PONG_WAIT {
                    tracing::info!(%user_id, %connection_id, "websocket peer stopped answering; closing");
                    break closing(CloseCode::Away, "ping timeout");
                }
                if socket.ping(b"").await.is_err() {
                    break End::Gone;
                }
            }
        }
    };
    let reason = match end {
        End::Gone => None,
        End::Close(reason) => Some(reason),
    };
    socket.close(reason).await;
    drop(registration);
    if !hub.is_connected(user_id) {
        Box::pin(preferences::record_presence(
            &state,
            user_id,
            StatusChange::Disconnected,
        ))
        .await;
    }
    tracing::debug!(%user_id, %connection_id, "websocket disconnected");
}

fn lock(record: &Arc<Mutex<Record>>) -> std::sync::MutexGuard<'_, Record> {
    record
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits for `authentication_challenge` as the first frame.
async fn challenge<T: AsyncRead + AsyncWrite + Unpin>(
    state: &AppState,
    socket: &mut Socket<T>,
) -> Option<Identity> {
    let frame = tokio::time::timeout(AUTH_TIMEOUT, socket.recv())
        .await
        .ok()??
        .ok()?;
    let Incoming::Text(text) = frame else {
        return None;
    };
    let action: Action = serde_json::from_str(&text).ok()?;
    if action.action != "authentication_challenge" {
        let _ = socket
            .text(fail(
                action.seq,
                401,
                "api.web_socket_router.not_authenticated.app_error",
                "authenticate first",
            ))
            .await;
        return None;
    }
    let token = action
        .data
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let actor = sessions::authenticate(state, token).await.ok()?;
    socket.text(reply(action.seq, None)).await.ok()?;
    Some(Identity::of(&actor, token.to_string()))
}

/// What to do after a client action.
enum Answer {
    None,
    Frame(String),
    /// The session has ended: send this and close.
    SignedOut(String),
}

/// Answers one client action. Actions done for the user re-check the session first.
async fn act(
    state: &AppState,
    hub: &Arc<Hub>,
    identity: &Identity,
    connection_id: &str,
    text: &str,
) -> Answer {
    if text.len() > MAX_ACTION_BYTES {
        return Answer::Frame(fail(
            0,
            413,
            "api.websocket_handler.invalid_param.app_error",
            "action frames are limited to 8 KiB",
        ));
    }
    let Ok(action) = serde_json::from_str::<Action>(text) else {
        return Answer::Frame(fail(
            0,
            400,
            "api.web_socket_router.bad_json.app_error",
            "the frame is not a JSON action",
        ));
    };
    if action.action.is_empty() {
        return Answer::Frame(fail(
            action.seq,
            400,
            "api.web_socket_router.no_action.app_error",
            "No websocket action.",
        ));
    }
    if action.seq <= 0 {
        return Answer::Frame(fail(
            action.seq,
            400,
            "api.web_socket_router.bad_seq.app_error",
            "Invalid sequence for websocket message.",
        ));
    }
    let seq = action.seq;
    let data = &action.data;
    let for_user = matches!(
        action.action.as_str(),
        "user_typing" | "get_statuses" | "get_statuses_by_ids" | "user_update_active_status"
    );
    let actor = if for_user {
        match identity.actor(state).await {
            Some(actor) => Some(actor),
            None => {
                return Answer::SignedOut(fail(
                    seq,
                    401,
                    "api.context.session_expired.app_error",
                    "Invalid or expired session, please login again.",
                ));
            }
        }
    } else {
        None
    };
    let frame = match (action.action.as_str(), actor) {
        // Already authenticated: ignored, as in Mattermost.
        ("authentication_challenge", _) => return Answer::None,
        ("ping", _) => reply(
            seq,
            Some(
                json!({ "text": "pong", "version": crate::version::MATTERMOST_VERSION, "server_time": now_millis(), "node_id": "" }),
            ),
        ),
        ("user_typing", Some(actor)) => {
            user_typing(state, hub, &actor, connection_id, seq, data).await
        }
        ("get_statuses", Some(_)) => {
            let ids = hub.connected_users();
            statuses(state, seq, &ids).await
        }
        ("get_statuses_by_ids", Some(_)) => {
            let ids: Vec<String> = data
                .get("user_ids")
                .and_then(Value::as_array)
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_str)
                        .filter(|id| is_valid_id(id))
                        .map(str::to_string)
                        .take(1000)
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() {
                fail(
                    seq,
                    400,
                    "api.websocket_handler.invalid_param.app_error",
                    "user_ids must list user ids",
                )
            } else {
                statuses(state, seq, &ids).await
            }
        }
        ("user_update_active_status", Some(actor)) => {
            let active = data
                .get("user_is_active")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let change = if active {
                StatusChange::Activity
            } else {
                StatusChange::Idle
            };
            preferences::record_presence(state, &actor.user.id, change).await;
            reply(seq, None)
        }
        ("presence" | "posted_notify_ack", _) => reply(seq, None),
        (name, _) if name.starts_with("custom_") => return Answer::None,
        _ => fail(
            seq,
            500,
            "api.web_socket_router.bad_action.app_error",
            "Unknown websocket action.",
        ),
    };
    Answer::Frame(frame)
}

async fn statuses(state: &AppState, seq: i64, ids: &[String]) -> String {
    match state.store.get_statuses(ids).await {
        Ok(found) => {
            let map: serde_json::Map<String, Value> = found
                .into_iter()
                .map(|s| {
                    (
                        s.user_id.clone(),
                        Value::String(s.status.as_str().to_string()),
                    )
                })
                .collect();
            reply(seq, Some(Value::Object(map)))
        }
        Err(_) => fail(
            seq,
            500,
            "api.websocket_handler.server_busy.app_error",
            "Could not read statuses.",
        ),
    }
}

async fn user_typing(
    state: &AppState,
    hub: &Arc<Hub>,
    actor: &Actor,
    connection_id: &str,
    seq: i64,
    data: &Value,
) -> String {
    let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default();
    match typing_on(
        state,
        hub,
        actor,
        text("channel_id"),
        text("parent_id"),
        connection_id,
    )
    .await
    {
        Ok(()) => reply(seq, None),
        Err(AppError::InvalidBody { .. }) => fail(
            seq,
            400,
            "api.websocket_handler.invalid_param.app_error",
            "channel_id must be a channel id",
        ),
        Err(_) => fail(
            seq,
            403,
            "api.context.permissions.app_error",
            "You do not have the appropriate permissions.",
        ),
    }
}

/// Tells the channel's other members that `actor` is typing (in the thread `parent_id`,
/// when given), at most once per half `TimeBetweenUserTypingUpdatesMilliseconds` and only
/// when `EnableUserTypingMessages` is on; the connection `omit_connection_id` (the
/// sender's own) hears nothing. The caller must be allowed to post there.
pub async fn typing_on(
    state: &AppState,
    hub: &Arc<Hub>,
    actor: &Actor,
    channel_id: &str,
    parent_id: &str,
    omit_connection_id: &str,
) -> Result<(), AppError> {
    if !is_valid_id(channel_id) {
        return Err(AppError::InvalidBody {
            name: "channel_id",
            detail: "channel_id must be a channel id".into(),
        });
    }
    if !(parent_id.is_empty() || is_valid_id(parent_id)) {
        return Err(AppError::InvalidBody {
            name: "parent_id",
            detail: "parent_id must be a post id".into(),
        });
    }
    channels::require_channel(state, actor, channel_id, perm::CREATE_POST).await?;
    let settings = &state.config().service_settings;
    let gap = Duration::from_millis(
        u64::try_from(settings.time_between_user_typing_updates_milliseconds).unwrap_or(0) / 2,
    );
    if settings.enable_user_typing_messages && hub.typing.allow(&actor.user.id, channel_id, gap) {
        let mut omit = std::collections::BTreeMap::new();
        omit.insert(actor.user.id.clone(), true);
        let event = OutEvent::new(
            "typing",
            json!({ "parent_id": parent_id, "user_id": actor.user.id }),
            Broadcast {
                channel_id: channel_id.to_string(),
                omit_users: Some(omit),
                omit_connection_id: omit_connection_id.to_string(),
                ..Broadcast::default()
            },
        );
        hub.deliver(event).await;
    }
    Ok(())
}
