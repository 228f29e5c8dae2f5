//! The state every request handler shares. Built once in `server`, cloned cheaply
//! (everything inside is behind `Arc`).

use std::sync::Arc;

use crate::config::Config;
use crate::files::Files;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    /// Where uploaded files are kept (a `FileStore` backend), with the image-decoding budget.
    pub files: Arc<Files>,
    /// This installation's id (Mattermost's `DiagnosticId`), stable across restarts.
    pub diagnostic_id: Arc<str>,
    /// The `X-Version-Id` header value, computed once from the configuration.
    pub version_id: Arc<str>,
    /// Live WebSocket connections and event routing.
    pub hub: Arc<crate::ws::Hub>,
    /// The search index and the task keeping it up to date; only `serve` opens it (the
    /// index allows one writer, and the CLI may run beside a server).
    pub search: Option<crate::search::indexer::Indexer>,
}
