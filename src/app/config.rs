//! Reading and changing the configuration while the server runs (the System Console's
//! `/config` endpoints): who may, the rules Mattermost adds to the configuration's own
//! checks, and what follows a change — the log level, a log line naming settings that wait
//! for a restart, an audit record, and `config_changed` to every WebSocket connection.
//!
//! The configuration is not in the database, so its change is not in the change feed:
//! the event is delivered straight to this server's connections through the hub.

use std::sync::Arc;

use serde_json::{Value, json};

use super::Actor;
use super::audit;
use super::permissions::perm;
use crate::config::{self, Changed, Config, ConfigError, Edit};
use crate::error::AppError;
use crate::model::StringMap;
use crate::state::AppState;
use crate::ws::event::{Broadcast, OutEvent};

/// The client configuration (`GET /config/client?format=old`) for a signed-in caller or
/// the login page.
pub async fn client_config(state: &AppState, signed_in: bool) -> Result<StringMap, AppError> {
    let no_accounts = state.store.count_users().await? == 0;
    Ok(config::client_config(
        &state.config(),
        &state.diagnostic_id,
        signed_in,
        no_accounts,
    ))
}

/// The configuration in force, secrets shown as Mattermost's placeholder.
pub fn get(state: &AppState, actor: &Actor) -> Result<Value, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    Ok(state.config().redacted_json())
}

/// Which keys the environment sets, as `{"Section": {"Key": true}}`.
pub fn environment(state: &AppState, actor: &Actor) -> Result<Value, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    let mut shown = serde_json::Map::new();
    for key in state.live_config.env_overrides().keys() {
        if let Some((section, name)) = key.split_once('.') {
            let section = shown
                .entry(section.to_string())
                .or_insert_with(|| json!({}));
            section[name] = Value::Bool(true);
        }
    }
    Ok(Value::Object(shown))
}

/// Saves an admin's configuration (the whole of it, or a patch) and returns the
/// configuration now in force, secrets redacted.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    ip: &str,
    body: Value,
    edit: Edit,
) -> Result<Value, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    if clears_site_url(&state.config(), &body, edit)
        && !state
            .live_config
            .env_overrides()
            .contains_key("ServiceSettings.SiteURL")
    {
        return Err(AppError::invalid(
            "api.config.update_config.clear_siteurl.app_error",
            "Site URL cannot be cleared.",
        ));
    }
    let live = state.live_config.clone();
    let changed = tokio::task::spawn_blocking(move || live.save(&body, edit))
        .await
        .map_err(|e| AppError::Internal(format!("saving the configuration stopped: {e}")))?
        .map_err(|e| config_error(e, "model.config.is_valid.app_error"))?;
    let action = match edit {
        Edit::Replace => "updateConfig",
        Edit::Patch => "patchConfig",
    };
    let shown = changed.after.redacted_json();
    after_change(state, actor, ip, action, changed).await;
    Ok(shown)
}

/// Reads `config.json` and the environment again and puts them in force.
pub async fn reload(state: &AppState, actor: &Actor, ip: &str) -> Result<(), AppError> {
    actor.require(perm::RELOAD_CONFIG)?;
    let live = state.live_config.clone();
    let changed = tokio::task::spawn_blocking(move || live.reload())
        .await
        .map_err(|e| AppError::Internal(format!("reloading the configuration stopped: {e}")))?
        .map_err(|e| config_error(e, "api.config.reload_config.app_error"))?;
    after_change(state, actor, ip, "configReload", changed).await;
    Ok(())
}

/// Mattermost refuses to empty a Site URL once it is set.
fn clears_site_url(current: &Config, body: &Value, edit: Edit) -> bool {
    if current.service_settings.site_url.is_empty() {
        return false;
    }
    match body.get("ServiceSettings").map(|s| s.get("SiteURL")) {
        Some(Some(Value::String(url))) => url.is_empty(),
        Some(None | Some(Value::Null)) | None => edit == Edit::Replace,
        Some(Some(_)) => false,
    }
}

/// A configuration that cannot be used is the admin's to fix (400, naming the key and
/// why); a file that cannot be read or written is the server's problem.
fn config_error(error: ConfigError, invalid_id: &'static str) -> AppError {
    match error {
        ConfigError::Invalid { .. }
        | ConfigError::UnknownKey { .. }
        | ConfigError::Parse { .. } => {
            AppError::invalid(invalid_id, format!("Invalid configuration: {error}"))
        }
        ConfigError::Read { .. } | ConfigError::Write { .. } => {
            AppError::Internal(error.to_string())
        }
    }
}

/// What follows every change that was put in force.
async fn after_change(state: &AppState, actor: &Actor, ip: &str, action: &str, changed: Changed) {
    let (before, after) = (&changed.before, &changed.after);
    if before.log_settings.console_level != after.log_settings.console_level {
        state.logging.set_level(&after.log_settings.console_level);
    }
    for warning in &changed.warnings {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        path = %state.live_config.path().display(),
        user_id = %actor.user.id,
        action,
        "configuration changed"
    );
    if !changed.needs_restart.is_empty() {
        tracing::warn!(
            settings = %changed.needs_restart.join(", "),
            "configuration saved; these settings take effect when Hearth restarts"
        );
    }
    audit::record(state, &actor.user.id, action, "", ip, &actor.session.id).await;
    broadcast_config_changed(state, after).await;
}

/// `config_changed` to every connection: the client configuration a signed-in user reads.
async fn broadcast_config_changed(state: &AppState, config: &Arc<Config>) {
    let no_accounts = match state.store.count_users().await {
        Ok(count) => count == 0,
        Err(error) => {
            tracing::warn!(%error, "cannot count users for the config_changed event");
            false
        }
    };
    let client = config::client_config(config, &state.diagnostic_id, true, no_accounts);
    let event = OutEvent::new(
        "config_changed",
        json!({ "config": client }),
        Broadcast::default(),
    );
    state.hub.deliver(event).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_url_may_change_but_not_be_emptied() {
        let mut config = Config::default();
        let empty = json!({"ServiceSettings": {"SiteURL": ""}});
        let other = json!({"ServiceSettings": {"SiteURL": "https://b.example"}});
        let silent = json!({"TeamSettings": {}});
        assert!(!clears_site_url(&config, &empty, Edit::Patch));
        config.service_settings.site_url = "https://a.example".into();
        assert!(clears_site_url(&config, &empty, Edit::Patch));
        assert!(clears_site_url(&config, &empty, Edit::Replace));
        assert!(!clears_site_url(&config, &other, Edit::Replace));
        assert!(!clears_site_url(&config, &silent, Edit::Patch));
        assert!(clears_site_url(&config, &silent, Edit::Replace));
    }
}
