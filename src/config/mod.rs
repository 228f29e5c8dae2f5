//! Configuration: one `Config`, read at start and passed in state; `LiveConfig` holds the
//! one in force and lets an admin save or reload it while the server runs.
//!
//! Layers, lowest first: built-in defaults < `config.json` < environment variables
//! (`MM_<SECTION>_<KEY>`, then `HEARTH_<SECTION>_<KEY>`, so Hearth's spelling wins) <
//! command-line flags. Nothing else in the program reads the environment for settings.
//! This module must not depend on the store, the HTTP layer or any I/O beyond its own file.

mod client;
mod layers;
mod live;
mod settings;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use client::client_config;
pub use layers::{Edit, Flag, Loaded, load, set_key, write_atomically};
pub use live::{Changed, LiveConfig};
pub use settings::*;

/// What secrets look like when shown to people.
pub const REDACTED: &str = "********************************";

/// Why a configuration cannot be used. Messages name the key, and the environment
/// variable when one set it, so an admin knows exactly what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{key}: {reason}{}", origin.as_ref().map(|var| format!(" (set by environment variable {var})")).unwrap_or_default())]
    Invalid {
        key: String,
        reason: String,
        origin: Option<String>,
    },
    #[error("{key} is not a configuration key")]
    UnknownKey { key: String },
}

impl ConfigError {
    pub(crate) fn invalid(key: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.into(),
            reason: reason.into(),
            origin: None,
        }
    }

    /// Notes which environment variable set the offending key, if one did.
    fn with_origin(self, env_keys: &BTreeMap<String, String>) -> Self {
        match self {
            ConfigError::Invalid {
                key,
                reason,
                origin: None,
            } => {
                let origin = env_keys.get(&key).cloned();
                ConfigError::Invalid {
                    key,
                    reason,
                    origin,
                }
            }
            other => other,
        }
    }
}

/// Where the server should listen, parsed from `ServiceSettings.ListenAddress`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenAddress {
    pub host: String,
    pub port: u16,
}

impl ListenAddress {
    /// Parses `:8065`, `host:8065`, `1.2.3.4:8065` or `[::1]:8065`. An empty host means
    /// every interface, as in Mattermost.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (host, port) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("{s:?} is not of the form host:port or :port"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("{port:?} in {s:?} is not a port number (0-65535)"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.contains(char::is_whitespace) || host.contains('/') {
            return Err(format!("{host:?} in {s:?} is not a host name or address"));
        }
        let host = if host.is_empty() { "0.0.0.0" } else { host };
        Ok(ListenAddress {
            host: host.to_string(),
            port,
        })
    }
}

impl Config {
    /// The listen address; [`Config::validate`] has already checked it parses.
    pub fn listen_address(&self) -> Result<ListenAddress, ConfigError> {
        ListenAddress::parse(&self.service_settings.listen_address)
            .map_err(|reason| ConfigError::invalid("ServiceSettings.ListenAddress", reason))
    }

    /// The SQLite database file.
    pub fn database_path(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.sql_settings.data_source)
    }

    /// The search index folder.
    pub fn index_dir(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.search_settings.index_dir)
    }

    /// The folder that holds uploaded files.
    pub fn files_dir(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.file_settings.directory)
    }

    /// The configuration as JSON with secrets replaced by [`REDACTED`], for showing to
    /// people (`hearth config show`, later the System Console).
    pub fn redacted_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        for (section, key) in SECRET_KEYS {
            if let Some(slot) = value.get_mut(section).and_then(|s| s.get_mut(key)) {
                let is_secret = match slot.as_str() {
                    // A SQLite path is no secret; a database URL may hold a password.
                    Some(s) if *key == "DataSource" => s.contains("://") || s.contains('@'),
                    Some(s) => !s.is_empty(),
                    None => false,
                };
                if is_secret {
                    *slot = serde_json::Value::String(REDACTED.into());
                }
            }
        }
        if let Some(replicas) = value
            .get_mut("SqlSettings")
            .and_then(|s| s.get_mut("DataSourceReplicas"))
            .and_then(|r| r.as_array_mut())
        {
            for url in replicas {
                *url = serde_json::Value::String(REDACTED.into());
            }
        }
        value
    }

    /// A short hash of the effective configuration, part of `X-Version-Id` so clients
    /// notice a configuration change.
    pub fn hash(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_string(self)
            .unwrap_or_default()
            .hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }
}

const SECRET_KEYS: &[(&str, &str)] = &[
    ("SqlSettings", "DataSource"),
    ("EmailSettings", "SMTPPassword"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_parse_like_mattermost() {
        let any = ListenAddress::parse(":8065").unwrap();
        assert_eq!((any.host.as_str(), any.port), ("0.0.0.0", 8065));
        let v6 = ListenAddress::parse("[::1]:80").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 80));
        assert!(ListenAddress::parse("8065").is_err());
        assert!(ListenAddress::parse(":99999").is_err());
        assert!(ListenAddress::parse("a b:1").is_err());
    }

    #[test]
    fn every_key_is_documented() {
        let reference = include_str!("../../docs/configuration.md");
        let defaults = serde_json::to_value(Config::default()).unwrap();
        for (section, keys) in defaults.as_object().unwrap() {
            assert!(
                reference.contains(&format!("## {section}")),
                "{section} undocumented"
            );
            for key in keys.as_object().unwrap().keys() {
                assert!(
                    reference.contains(&format!("| `{key}` |")),
                    "{section}.{key} is missing from docs/configuration.md"
                );
            }
        }
    }

    #[test]
    fn secrets_are_redacted_when_shown() {
        let mut config = Config::default();
        config.email_settings.smtp_password = "s3cret".into();
        let shown = config.redacted_json();
        assert_eq!(shown["EmailSettings"]["SMTPPassword"], REDACTED);
        // A SQLite file name is shown as it is.
        assert_eq!(shown["SqlSettings"]["DataSource"], "hearth.db");
        config.sql_settings.data_source = "postgres://u:p@h/db".into();
        assert_eq!(
            config.redacted_json()["SqlSettings"]["DataSource"],
            REDACTED
        );
        assert!(!format!("{config:?}").contains("s3cret"));
        assert!(!format!("{config:?}").contains("u:p@h"));
    }
}
