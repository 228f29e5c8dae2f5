//! The state every request handler shares. Built once in `server`, cloned cheaply
//! (everything inside is behind `Arc`).

use std::sync::Arc;

use crate::config::{Config, LiveConfig};
use crate::error::AppError;
use crate::files::Files;
use crate::logging::Logging;
use crate::store::Store;
use crate::version;

#[derive(Clone)]
pub struct AppState {
    /// The configuration in force, which an admin may save or reload while the server
    /// runs; read it through [`AppState::config`].
    pub live_config: Arc<LiveConfig>,
    pub store: Arc<dyn Store>,
    /// Where uploaded files are kept (a `FileStore` backend), with the image-decoding budget.
    pub files: Arc<Files>,
    /// This installation's id (Mattermost's `DiagnosticId`), stable across restarts.
    pub diagnostic_id: Arc<str>,
    /// Live WebSocket connections and event routing.
    pub hub: Arc<crate::ws::Hub>,
    /// The search index and the task keeping it up to date; only `serve` opens it (the
    /// index allows one writer, and the CLI may run beside a server).
    pub search: Option<crate::search::indexer::Indexer>,
    /// The log's recent lines (`GET /api/v4/logs`) and its level.
    pub logging: Logging,
    /// Turns to hash or verify a password (one per core): each holds 19 MiB while it runs.
    pub password_hashers: Arc<tokio::sync::Semaphore>,
    /// Until when (Unix seconds) an admin declared the server busy (`/server_busy`): post
    /// search is refused until then. 0: not busy. This node only.
    pub busy_until: Arc<std::sync::atomic::AtomicI64>,
}

impl AppState {
    /// Waits for a turn to hash or verify a password (see `app::hash_password`).
    pub async fn password_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        self.password_hashers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal("password hashing has stopped".into()))
    }

    /// The configuration in force now: a snapshot that does not change under the caller.
    /// Take it once per request (or task step) and read everything from it.
    pub fn config(&self) -> Arc<Config> {
        self.live_config.current()
    }

    /// The `X-Version-Id` header value (and the `hello` event's `server_version`), which
    /// carries the configuration's hash so clients notice a change.
    pub fn version_id(&self) -> String {
        version::version_id(&self.live_config.hash())
    }
}
