//! Installation identity, health, client log messages and site statistics.

use std::borrow::Cow;

use serde::Serialize;

use super::Actor;
use super::permissions::perm;
use crate::error::AppError;
use crate::files::Files;
use crate::model::{is_valid_id, new_id, now_millis};
use crate::state::AppState;
use crate::store::{DailyCount, Store};

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

/// One row of Mattermost's old-format analytics (`model.AnalyticsRow`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticsRow {
    pub name: Cow<'static, str>,
    pub value: i64,
}

fn rows(named: impl IntoIterator<Item = (&'static str, i64)>) -> Vec<AnalyticsRow> {
    named
        .into_iter()
        .map(|(name, value)| AnalyticsRow {
            name: Cow::Borrowed(name),
            value,
        })
        .collect()
}

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// Mattermost's "month" for monthly active users.
const MONTH_MILLIS: i64 = 31 * DAY_MILLIS;

/// `GET /analytics/old`: the `standard` statistics, for the site or, with `team_id`, one
/// team (channels, posts and users; the rest stays site-wide, and the deactivated-user
/// count is -1, as in Mattermost). Needs one of the System Console's reporting
/// permissions, as in Mattermost.
pub async fn analytics(
    state: &AppState,
    actor: &Actor,
    name: &str,
    team_id: Option<&str>,
) -> Result<Vec<AnalyticsRow>, AppError> {
    if ![
        perm::READ_SITE_STATISTICS,
        perm::READ_TEAM_STATISTICS,
        perm::READ_SERVER_LOGS,
    ]
    .into_iter()
    .any(|p| actor.can(p))
    {
        return Err(AppError::Forbidden);
    }
    if team_id.is_some_and(|id| !is_valid_id(id)) {
        return Err(AppError::InvalidParam { name: "team_id" });
    }
    let now = now_millis();
    let daily = match name {
        "" | "standard" => None,
        "post_counts_day" => Some(DailyCount::Posts),
        "user_counts_with_posts_day" => Some(DailyCount::Authors),
        // Hearth has no bot accounts yet: no bot ever posted.
        "bot_post_counts_day" => return Ok(Vec::new()),
        "extra_counts" => {
            let extra = state.store.extra_statistics(team_id, now).await?;
            return Ok(rows([
                ("file_post_count", extra.file_posts),
                ("hashtag_post_count", extra.hashtag_posts),
                ("incoming_webhook_count", 0),
                ("outgoing_webhook_count", 0),
                ("command_count", 0),
                ("session_count", extra.sessions),
            ]));
        }
        _ => return Err(AppError::InvalidParam { name: "name" }),
    };
    if let Some(count) = daily {
        // The last 30 days (UTC), today included, as Mattermost's charts show them.
        let today_start = now - now.rem_euclid(DAY_MILLIS);
        let days = state
            .store
            .posts_per_day(team_id, today_start - 29 * DAY_MILLIS, count)
            .await?;
        return Ok(days
            .into_iter()
            .map(|(day, value)| AnalyticsRow {
                name: Cow::Owned(day),
                value,
            })
            .collect());
    }
    let counts = state
        .store
        .site_statistics(team_id, now - DAY_MILLIS, now - MONTH_MILLIS)
        .await?;
    let connections = state.store.connections();
    let websockets = i64::try_from(state.hub.connection_count()).unwrap_or(i64::MAX);
    Ok(rows([
        ("channel_open_count", counts.public_channels),
        ("channel_private_count", counts.private_channels),
        ("post_count", counts.posts),
        ("unique_user_count", counts.users),
        ("team_count", counts.teams),
        ("total_websocket_connections", websockets),
        (
            "total_master_db_connections",
            i64::from(connections.primary),
        ),
        ("total_read_db_connections", i64::from(connections.replicas)),
        ("daily_active_users", counts.daily_active_users),
        ("monthly_active_users", counts.monthly_active_users),
        (
            "inactive_user_count",
            if team_id.is_some() {
                -1
            } else {
                counts.inactive_users
            },
        ),
    ]))
}

/// `GET /system/timezones`: the IANA time zones clients may offer (tzdata's list).
pub fn timezones() -> Vec<&'static str> {
    include_str!("timezones.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
}

/// Whether the server is busy (Mattermost's "server busy" state, set by an admin under
/// load): until when, in Unix seconds, and that time as RFC 3339.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServerBusy {
    pub busy: bool,
    pub expires: i64,
    pub expires_ts: String,
}

/// Longest an admin may declare the server busy, as in Mattermost: a day.
const MAX_BUSY_SECONDS: i64 = 86_400;

fn now_secs() -> i64 {
    crate::model::now_millis() / 1000
}

/// `GET /server_busy` (`manage_system`).
pub fn server_busy(state: &AppState, actor: &Actor) -> Result<ServerBusy, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    Ok(busy_state(state))
}

/// The busy state now, for anyone who must act on it.
pub fn busy_state(state: &AppState) -> ServerBusy {
    let until = state.busy_until.load(std::sync::atomic::Ordering::Relaxed);
    let busy = until > now_secs();
    let expires = if busy { until } else { 0 };
    let expires_ts = rfc3339(expires);
    ServerBusy {
        busy,
        expires,
        expires_ts,
    }
}

/// `POST /server_busy?seconds=` (default an hour, at most a day) and `DELETE
/// /server_busy` (`seconds: None`), `manage_system`.
pub fn set_server_busy(
    state: &AppState,
    actor: &Actor,
    seconds: Option<i64>,
) -> Result<ServerBusy, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    let until = match seconds {
        None => 0,
        Some(s) if (1..=MAX_BUSY_SECONDS).contains(&s) => now_secs() + s,
        Some(_) => {
            return Err(AppError::InvalidParam { name: "seconds" });
        }
    };
    state
        .busy_until
        .store(until, std::sync::atomic::Ordering::Relaxed);
    tracing::warn!(until, "server busy state changed by an admin");
    Ok(busy_state(state))
}

/// `secs` (Unix seconds) in RFC 3339; the Unix epoch for 0.
fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
