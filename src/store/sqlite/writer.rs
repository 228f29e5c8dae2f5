//! The single writer connection, and group commit.
//!
//! SQLite allows one writer at a time, so all writes go through one thread that owns the
//! write connection. Requests queue on a bounded channel; the thread takes every request
//! waiting (up to `MAX_BATCH`) and runs them in one transaction, each inside its own
//! savepoint, so one failing request rolls back only itself. One commit (one fsync of the
//! WAL under `synchronous=FULL`) then covers the whole batch: under load, many writes share
//! the cost of making them durable. Callers are answered only after the commit, and the
//! batch's change-feed rows are broadcast in sequence order before that.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rusqlite::{Connection, params};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::map_err;
use crate::model::now_millis;
use crate::store::{Change, ChangeDraft, StoreError};

/// Most requests committed together.
const MAX_BATCH: usize = 256;
/// Requests that may wait for the writer before callers are made to wait to enqueue.
const QUEUE_DEPTH: usize = 4096;

/// A write in progress: the connection inside the batch transaction, plus the feed rows
/// this request has added.
pub(crate) struct WriteTx<'c> {
    conn: &'c Connection,
    changes: Vec<Change>,
}

impl WriteTx<'_> {
    pub(crate) fn conn(&self) -> &Connection {
        self.conn
    }

    /// Records `draft` in the change feed, in this transaction.
    pub(crate) fn emit(&mut self, draft: ChangeDraft) -> Result<i64, StoreError> {
        let create_at = now_millis();
        let data =
            serde_json::to_string(&draft.data).map_err(|e| StoreError::Other(e.to_string()))?;
        self.conn
            .prepare_cached(
                "INSERT INTO change_feed (kind, entity_id, team_id, channel_id, user_id, data, create_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    draft.kind,
                    draft.entity_id,
                    draft.team_id,
                    draft.channel_id,
                    draft.user_id,
                    data,
                    create_at
                ])
            })
            .map_err(map_err)?;
        let seq = self.conn.last_insert_rowid();
        self.changes.push(Change {
            seq,
            kind: draft.kind.to_string(),
            entity_id: draft.entity_id,
            team_id: draft.team_id,
            channel_id: draft.channel_id,
            user_id: draft.user_id,
            data: draft.data,
            create_at,
        });
        Ok(seq)
    }
}

/// Told whether the batch committed; delivers the request's own result to its caller.
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
/// Runs one request inside the batch; says whether it succeeded.
type Job = Box<dyn FnOnce(&mut WriteTx<'_>) -> (bool, Completion) + Send>;

/// Handle to the writer thread. Dropping the last handle lets the thread finish the
/// queued requests and exit.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread over `conn`, broadcasting committed changes on `feed`.
    pub(crate) fn start(
        conn: Connection,
        feed: broadcast::Sender<Change>,
    ) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        std::thread::Builder::new()
            .name("hearth-sqlite-writer".into())
            .spawn(move || run(conn, queue, feed))
            .map_err(|e| StoreError::Other(format!("cannot start the database writer: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Runs `f` in a write transaction and returns its result once that is durable.
    /// If `f` fails, everything it wrote (feed rows included) is rolled back.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriteTx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |tx| {
            let result = f(tx);
            let ok = result.is_ok();
            let complete: Completion = Box::new(move |committed| {
                let outcome = match committed {
                    Ok(()) => result,
                    Err(error) => Err(StoreError::Other(format!("commit failed: {error}"))),
                };
                // The caller may have gone away (request cancelled); the write stands.
                let _ = reply.send(outcome);
            });
            (ok, complete)
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Other("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Other("the database writer dropped the request".into()))?
    }
}

fn run(conn: Connection, mut queue: mpsc::Receiver<Job>, feed: broadcast::Sender<Change>) {
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&conn, batch, &feed);
    }
    tracing::debug!("database writer stopped");
}

fn commit_batch(conn: &Connection, batch: Vec<Job>, feed: &broadcast::Sender<Change>) {
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(%error, "cannot begin a write transaction");
        // Dropping the jobs drops their reply senders: each caller gets an error.
        return;
    }
    let mut completions = Vec::with_capacity(batch.len());
    let mut changes = Vec::new();
    let mut failed: Option<String> = None;
    for job in batch {
        if let Err(error) = conn.execute_batch("SAVEPOINT request") {
            failed = Some(error.to_string());
            break;
        }
        let mut tx = WriteTx {
            conn,
            changes: Vec::new(),
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| job(&mut tx)));
        let keep = matches!(outcome, Ok((true, _)));
        let end = if keep {
            conn.execute_batch("RELEASE request")
        } else {
            conn.execute_batch("ROLLBACK TO request; RELEASE request")
        };
        if let Err(error) = end {
            failed = Some(error.to_string());
            break;
        }
        match outcome {
            Ok((_, complete)) => completions.push(complete),
            // The job's reply sender was dropped while unwinding, so its caller hears of
            // the failure; the rest of the batch carries on.
            Err(_) => tracing::error!("a database write panicked and was rolled back"),
        }
        if keep {
            changes.append(&mut tx.changes);
        }
    }
    let committed = match failed {
        Some(error) => Err(error),
        None => conn.execute_batch("COMMIT").map_err(|e| e.to_string()),
    };
    if let Err(error) = &committed {
        tracing::error!(%error, "write transaction failed; rolled back");
        let _ = conn.execute_batch("ROLLBACK");
    } else {
        for change in changes {
            // No subscribers is fine: followers catch up from the table.
            let _ = feed.send(change);
        }
    }
    for complete in completions {
        complete(committed.clone());
    }
}
