//! The configuration a running server uses, changeable while it runs.
//!
//! Readers take a snapshot (`Arc<Config>`) that never changes under them; a save or a
//! reload builds a whole new configuration, checks it, writes the file, and only then
//! swaps it in, so a request sees either the old configuration or the new one, never a
//! mix, and a configuration that fails its checks is never used nor written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use serde_json::Value;

use super::layers::{self, Edit, Flag};
use super::{Config, ConfigError, Loaded};

/// Where the environment comes from: the process's, or a test's.
type Vars = Box<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

/// Keys read only at start: a change is saved but takes effect at the next start.
const RESTART_KEYS: &[&str] = &[
    "ServiceSettings.ListenAddress",
    "ServiceSettings.ReadTimeout",
    "ServiceSettings.ReadHeaderTimeout",
    "ServiceSettings.WriteTimeout",
    "ServiceSettings.IdleTimeout",
    "ServiceSettings.MaxConnections",
    "ServiceSettings.MaxConnectionsPerAddress",
    "ServiceSettings.MaximumPayloadSizeBytes",
    "SqlSettings.DriverName",
    "SqlSettings.DataSource",
    "SqlSettings.DataSourceReplicas",
    "SqlSettings.MaxOpenConns",
    "SqlSettings.QueryTimeout",
    "LogSettings.EnableConsole",
    "LogSettings.ConsoleJson",
    "FileSettings.DriverName",
    "FileSettings.Directory",
    "FileSettings.MaxImageDecoderConcurrency",
    "RateLimitSettings.Enable",
    "RateLimitSettings.PerSec",
    "RateLimitSettings.MaxBurst",
    "RateLimitSettings.MemoryStoreSize",
    "RateLimitSettings.VaryByRemoteAddr",
    "RateLimitSettings.VaryByUser",
    "RateLimitSettings.VaryByHeader",
    "SearchSettings.IndexDir",
    "SearchSettings.Language",
];

/// One configuration in force, with what readers need beside it.
struct Current {
    config: Arc<Config>,
    /// Keys the environment sets (`Section.Key` → variable name).
    env_overrides: BTreeMap<String, String>,
    /// [`Config::hash`], computed once per configuration.
    hash: Arc<str>,
}

impl Current {
    fn new(config: Config, env_overrides: BTreeMap<String, String>) -> Self {
        let hash = config.hash().into();
        Current {
            config: Arc::new(config),
            env_overrides,
            hash,
        }
    }
}

/// The result of a successful save or reload.
#[derive(Debug)]
pub struct Changed {
    pub before: Arc<Config>,
    pub after: Arc<Config>,
    /// Keys whose new value waits for a restart (see [`RESTART_KEYS`]), `Section.Key`.
    pub needs_restart: Vec<&'static str>,
    /// Things worth a log line (e.g. an environment variable naming no key).
    pub warnings: Vec<String>,
}

/// The live configuration: defaults < `config.json` < environment < command-line flags,
/// as at start, and re-applied the same way after every save or reload.
pub struct LiveConfig {
    path: PathBuf,
    flags: Vec<Flag>,
    vars: Vars,
    current: ArcSwap<Current>,
    /// Saves and reloads run one at a time: each reads the file, edits it and writes it
    /// back, and two interleaved would lose one admin's change.
    writing: Mutex<()>,
}

impl std::fmt::Debug for LiveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveConfig")
            .field("path", &self.path)
            .field("config", &self.current.load().config)
            .finish_non_exhaustive()
    }
}

impl LiveConfig {
    /// The configuration `loaded` from `path` (with `flags` already applied to it), which
    /// saves and reloads will write and read, taking the process environment as it is then.
    pub fn new(loaded: Loaded, path: PathBuf, flags: Vec<Flag>) -> Self {
        Self::with_vars(loaded, path, flags, Box::new(|| std::env::vars().collect()))
    }

    fn with_vars(loaded: Loaded, path: PathBuf, flags: Vec<Flag>, vars: Vars) -> Self {
        LiveConfig {
            path,
            flags,
            vars,
            current: ArcSwap::from_pointee(Current::new(loaded.config, loaded.env_overrides)),
            writing: Mutex::new(()),
        }
    }

    /// The configuration in force now. Take it once per request and read from that, so
    /// one request never mixes two configurations.
    pub fn current(&self) -> Arc<Config> {
        self.current.load().config.clone()
    }

    /// A short hash of the configuration in force (for `X-Version-Id`).
    pub fn hash(&self) -> Arc<str> {
        self.current.load().hash.clone()
    }

    /// Keys the environment sets, `Section.Key` → variable name.
    pub fn env_overrides(&self) -> BTreeMap<String, String> {
        self.current.load().env_overrides.clone()
    }

    /// The configuration file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves an admin's configuration (`body`, Mattermost's `config.json` shape): builds
    /// the new file (see [`layers::edited_file`]), checks the configuration it gives with
    /// the environment and flags over it, writes the file atomically and puts the new
    /// configuration in force. Nothing changes when any step fails. Blocking (file I/O).
    pub fn save(&self, body: &Value, edit: Edit) -> Result<Changed, ConfigError> {
        let _writing = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let file =
            layers::read_file(&self.path)?.unwrap_or_else(|| Value::Object(Default::default()));
        let vars = (self.vars)();
        // Keys the environment (as it is now) or the command line sets keep the file's value.
        let mut overridden = layers::env_keys(&vars);
        for (section, key, _) in &self.flags {
            overridden.insert(format!("{section}.{key}"), "the command line".into());
        }
        let edited = layers::edited_file(&file, body, edit, &overridden)?;
        let loaded = layers::effective(&edited, vars, &self.flags)?;
        layers::write_file(&self.path, &edited)?;
        Ok(self.swap(loaded))
    }

    /// Reads the file and the environment again and puts what they give in force, if it
    /// passes the checks. Blocking (file I/O).
    pub fn reload(&self) -> Result<Changed, ConfigError> {
        let _writing = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let file =
            layers::read_file(&self.path)?.unwrap_or_else(|| Value::Object(Default::default()));
        let loaded = layers::effective(&file, (self.vars)(), &self.flags)?;
        Ok(self.swap(loaded))
    }

    fn swap(&self, loaded: Loaded) -> Changed {
        let after = Arc::new(loaded.config);
        let previous = self.current.swap(Arc::new(Current {
            hash: after.hash().into(),
            config: after.clone(),
            env_overrides: loaded.env_overrides,
        }));
        let before = previous.config.clone();
        let needs_restart = restart_keys_changed(&before, &after);
        Changed {
            before,
            after,
            needs_restart,
            warnings: loaded.warnings,
        }
    }
}

/// Which of [`RESTART_KEYS`] differ between `before` and `after`.
fn restart_keys_changed(before: &Config, after: &Config) -> Vec<&'static str> {
    let (Ok(before), Ok(after)) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let at = |tree: &Value, key: &str| -> Option<Value> {
        let (section, name) = key.split_once('.')?;
        tree.get(section)?.get(name).cloned()
    };
    RESTART_KEYS
        .iter()
        .copied()
        .filter(|key| at(&before, key) != at(&after, key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn live(dir: &Path, file: Value, env: &[(&str, &str)]) -> LiveConfig {
        let path = dir.join("config.json");
        std::fs::write(&path, file.to_string()).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut loaded = layers::load(&path, env.clone(), false).unwrap();
        // As `hearth serve --listen` does.
        loaded.config.service_settings.listen_address = "127.0.0.1:0".into();
        LiveConfig::with_vars(
            loaded,
            path,
            vec![("ServiceSettings", "ListenAddress", json!("127.0.0.1:0"))],
            Box::new(move || env.clone()),
        )
    }

    fn file(live: &LiveConfig) -> Value {
        serde_json::from_slice(&std::fs::read(live.path()).unwrap()).unwrap()
    }

    #[test]
    fn patch_changes_only_the_given_keys_and_keeps_unknown_ones() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(
            dir.path(),
            json!({"TeamSettings": {"MaxUsersPerTeam": 7, "Future": 1}, "PluginSettings": {"Enable": true}}),
            &[],
        );
        let before = live.current();
        let changed = live
            .save(
                &json!({"TeamSettings": {"SiteName": "Ours"}, "Nonsense": {"X": 1}}),
                Edit::Patch,
            )
            .unwrap();
        assert_eq!(changed.after.team_settings.site_name, "Ours");
        assert_eq!(changed.after.team_settings.max_users_per_team, 7);
        assert!(Arc::ptr_eq(&changed.before, &before));
        assert!(changed.needs_restart.is_empty());
        assert_eq!(live.current().team_settings.site_name, "Ours");
        assert_ne!(live.hash(), before.hash().into());
        let written = file(&live);
        assert_eq!(written["TeamSettings"]["SiteName"], "Ours");
        assert_eq!(written["TeamSettings"]["Future"], 1);
        assert_eq!(written["PluginSettings"]["Enable"], true);
        assert!(written.get("Nonsense").is_none());
        // The flag still wins and is not written.
        assert_eq!(
            live.current().service_settings.listen_address,
            "127.0.0.1:0"
        );
        assert!(written["ServiceSettings"].get("ListenAddress").is_none());
    }

    #[test]
    fn replace_resets_what_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(
            dir.path(),
            json!({"TeamSettings": {"MaxUsersPerTeam": 7}}),
            &[],
        );
        let changed = live
            .save(
                &json!({"TeamSettings": {"SiteName": "Ours"}}),
                Edit::Replace,
            )
            .unwrap();
        assert_eq!(changed.after.team_settings.max_users_per_team, 50);
        assert_eq!(file(&live)["TeamSettings"]["MaxUsersPerTeam"], 50);
        // The command line's address is in force but never written.
        assert!(
            file(&live)["ServiceSettings"]
                .get("ListenAddress")
                .is_none()
        );
        let mut shown = live.current().redacted_json();
        assert_eq!(shown["ServiceSettings"]["ListenAddress"], "127.0.0.1:0");
        shown["TeamSettings"]["SiteName"] = json!("Again");
        live.save(&shown, Edit::Replace).unwrap();
        assert!(
            file(&live)["ServiceSettings"]
                .get("ListenAddress")
                .is_none()
        );
    }

    #[test]
    fn invalid_changes_name_the_key_and_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(
            dir.path(),
            json!({"TeamSettings": {"SiteName": "Old"}}),
            &[],
        );
        let before = std::fs::read(live.path()).unwrap();
        for (body, key) in [
            (
                json!({"TeamSettings": {"SiteName": ""}}),
                "TeamSettings.SiteName",
            ),
            (
                json!({"FileSettings": {"MaxFileSize": "big"}}),
                "FileSettings.MaxFileSize",
            ),
            (json!({"TeamSettings": 3}), "TeamSettings"),
        ] {
            let error = live.save(&body, Edit::Patch).unwrap_err().to_string();
            assert!(error.starts_with(key), "{error}");
        }
        assert!(live.save(&json!([1]), Edit::Patch).is_err());
        assert_eq!(std::fs::read(live.path()).unwrap(), before);
        assert_eq!(live.current().team_settings.site_name, "Old");
    }

    #[test]
    fn environment_keeps_winning_and_never_reaches_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(
            dir.path(),
            json!({"TeamSettings": {"SiteName": "File"}}),
            &[("HEARTH_TEAMSETTINGS_SITENAME", "Env")],
        );
        assert_eq!(live.current().team_settings.site_name, "Env");
        // A client sends back what GET showed: the environment's value.
        let mut shown = live.current().redacted_json();
        shown["TeamSettings"]["MaxUsersPerTeam"] = json!(9);
        live.save(&shown, Edit::Replace).unwrap();
        assert_eq!(live.current().team_settings.site_name, "Env");
        assert_eq!(live.current().team_settings.max_users_per_team, 9);
        assert_eq!(file(&live)["TeamSettings"]["SiteName"], "File");
        assert_eq!(
            live.env_overrides()["TeamSettings.SiteName"],
            "HEARTH_TEAMSETTINGS_SITENAME"
        );
    }

    #[test]
    fn redacted_secrets_keep_their_value() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(
            dir.path(),
            json!({"EmailSettings": {"SMTPPassword": "s3cret"}}),
            &[],
        );
        let shown = live.current().redacted_json();
        assert_eq!(
            shown["EmailSettings"]["SMTPPassword"],
            super::super::REDACTED
        );
        live.save(&shown, Edit::Replace).unwrap();
        assert_eq!(live.current().email_settings.smtp_password, "s3cret");
        assert_eq!(file(&live)["EmailSettings"]["SMTPPassword"], "s3cret");
        live.save(
            &json!({"EmailSettings": {"SMTPPassword": "new"}}),
            Edit::Patch,
        )
        .unwrap();
        assert_eq!(live.current().email_settings.smtp_password, "new");
    }

    #[test]
    fn restart_keys_are_reported_and_reload_reads_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(dir.path(), json!({}), &[]);
        let changed = live
            .save(
                &json!({"SearchSettings": {"Language": "de"}, "FileSettings": {"MaxFileSize": 5}}),
                Edit::Patch,
            )
            .unwrap();
        assert_eq!(changed.needs_restart, ["SearchSettings.Language"]);

        let mut edited = file(&live);
        edited["TeamSettings"] = json!({"SiteName": "Edited"});
        std::fs::write(live.path(), edited.to_string()).unwrap();
        let changed = live.reload().unwrap();
        assert_eq!(changed.after.team_settings.site_name, "Edited");
        assert_eq!(changed.after.file_settings.max_file_size, 5);

        std::fs::write(live.path(), r#"{"TeamSettings": {"SiteName": 5}}"#).unwrap();
        let error = live.reload().unwrap_err().to_string();
        assert!(error.starts_with("TeamSettings.SiteName"), "{error}");
        assert_eq!(live.current().team_settings.site_name, "Edited");
    }
}
