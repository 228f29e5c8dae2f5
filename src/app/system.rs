//! Installation identity, health, and client log messages.

use crate::error::AppError;
use crate::files::Files;
use crate::model::{new_id, now_millis};
use crate::store::Store;

/// Gives a new installation its permanent values (Mattermost's `DiagnosticId` and
/// `FirstServerRunTimestamp`) and returns the diagnostic id.
pub async fn ensure_installation(store: &dyn Store) -> Result<String, AppError> {
    let id = store.init_system_value("DiagnosticId", &new_id()).await?;
    store
        .init_system_value("FirstServerRunTimestamp", &now_millis().to_string())
        .await?;
    Ok(id)
}

/// Health of the parts a request depends on.
#[derive(Debug, Clone, Copy)]
pub struct Health {
    pub database: bool,
    pub filestore: bool,
}

impl Health {
    pub fn healthy(&self) -> bool {
        self.database && self.filestore
    }
}

/// Checks the database and the file store, logging what fails.
pub async fn check_health(store: &dyn Store, files: &Files) -> Health {
    let (database, filestore) = tokio::join!(store.health_check(), files.health_check());
    if let Err(error) = &database {
        tracing::warn!(%error, "database health check failed");
    }
    if let Err(error) = &filestore {
        tracing::warn!(%error, store = %files.describe(), "file store health check failed");
    }
    Health {
        database: database.is_ok(),
        filestore: filestore.is_ok(),
    }
}

/// Severity of a message a client sends to the server log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientLogLevel {
    Error,
    Debug,
}

impl ClientLogLevel {
    pub fn parse(level: &str) -> Option<Self> {
        match level.to_ascii_uppercase().as_str() {
            "ERROR" => Some(ClientLogLevel::Error),
            "DEBUG" => Some(ClientLogLevel::Debug),
            _ => None,
        }
    }
}

/// Longest client log message kept; longer ones are cut, so a client cannot flood the log.
const MAX_CLIENT_LOG_CHARS: usize = 4000;

/// Writes a client's message to the server log (`POST /api/v4/logs`).
///
/// Without a session this is allowed only in developer mode, as in Mattermost.
pub fn client_log(
    developer_mode: bool,
    signed_in: bool,
    level: ClientLogLevel,
    message: &str,
) -> Result<(), AppError> {
    if !signed_in && !developer_mode {
        return Err(AppError::Forbidden);
    }
    // Signed-in users outside developer mode may only log at DEBUG.
    let level = if developer_mode {
        level
    } else {
        ClientLogLevel::Debug
    };
    let message: String = message.chars().take(MAX_CLIENT_LOG_CHARS).collect();
    // `?` (Debug) escapes newlines and control characters, so a client cannot forge
    // extra log lines.
    match level {
        ClientLogLevel::Error => tracing::error!(target: "hearth::client", message = ?message),
        ClientLogLevel::Debug => tracing::debug!(target: "hearth::client", message = ?message),
    }
    Ok(())
}
