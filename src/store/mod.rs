//! Storage: the traits every engine implements, in domain words, and their engines.
//!
//! Only this module knows SQL; nothing outside it names `rusqlite`, `r2d2` or `postgres`.
//! Blocking database calls run inside the implementations (on a blocking pool or the
//! writer thread), never on an async worker. The traits are split per aggregate; `Store`
//! is the sum that application code holds as `Arc<dyn Store>`.

pub mod sqlite;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// What can go wrong in a store call. `NotFound` is a normal answer, not a failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The write would break a uniqueness or consistency rule (e.g. a taken name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The values given break a rule the database enforces.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The database was written by a newer Hearth; this one must not touch it.
    #[error(
        "the database schema is at version {found}, but this Hearth build supports at most version {supported}; upgrade Hearth, or restore a backup made by this version"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    /// Anything else: I/O, corruption, a bug. Logged in full, shown to clients generically.
    #[error("{0}")]
    Other(String),
}

/// One committed change, as recorded in the change feed.
///
/// Every change others must hear about is written to the feed in the same transaction as
/// the change itself, so followers (WebSocket, search, e-mail, other nodes) that resume
/// from the last `seq` they saw miss nothing and see nothing that was rolled back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Strictly increasing across committed changes.
    pub seq: i64,
    /// What happened, e.g. `system_value_updated` (later: `posted`, `channel_updated`, ...).
    pub kind: String,
    /// The id of the changed thing.
    pub entity_id: String,
    /// Who should hear about it: any of these may be empty.
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    /// The event's data, shaped by its kind.
    pub data: serde_json::Value,
    /// Commit time in milliseconds.
    pub create_at: i64,
}

/// A change before it has a sequence number.
#[derive(Debug, Clone, Default)]
pub struct ChangeDraft {
    pub kind: &'static str,
    pub entity_id: String,
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    pub data: serde_json::Value,
}

/// The result of bringing a database's schema up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The version before this start (0 for a new database).
    pub previous_version: i64,
    /// The version now.
    pub version: i64,
    /// Names of the migrations applied just now, oldest first.
    pub applied: Vec<String>,
}

/// Installation-wide values (Mattermost's `Systems` table): the diagnostic id, the
/// first-run time and the like.
#[async_trait]
pub trait SystemStore: Send + Sync {
    /// The value stored under `name`, or `NotFound`.
    async fn get_system_value(&self, name: &str) -> Result<String, StoreError>;
    /// Stores `value` under `name` (1–64 characters), replacing any earlier value, and
    /// records a `system_value_updated` change.
    async fn set_system_value(&self, name: &str, value: &str) -> Result<(), StoreError>;
    /// Stores `value` under `name` only if nothing is stored there yet; returns what is
    /// stored afterwards (the existing value or `value`).
    async fn init_system_value(&self, name: &str, value: &str) -> Result<String, StoreError>;
    /// Checks that the database answers a query.
    async fn health_check(&self) -> Result<(), StoreError>;
}

/// The ordered log of committed changes.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Changes with `seq > after`, oldest first, at most `limit` of them.
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError>;
    /// The newest committed `seq`, or 0 when the feed is empty.
    async fn last_seq(&self) -> Result<i64, StoreError>;
    /// Live changes as they commit, in `seq` order. A receiver that falls behind gets
    /// `Lagged` and should catch up with [`ChangeFeed::changes_since`].
    fn subscribe(&self) -> broadcast::Receiver<Change>;
}

/// Everything the application needs from storage.
pub trait Store: SystemStore + ChangeFeed {
    /// The schema migration done when the store was opened.
    fn schema_status(&self) -> &SchemaStatus;
    /// The engine's name and version, for logs and `hearth version`.
    fn engine_version(&self) -> String;
}
