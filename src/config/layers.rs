//! Building the effective configuration from its layers, and writing `config.json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use super::{Config, ConfigError};

/// The effective configuration and how it came to be.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    /// `true` when `config.json` did not exist and was written with the defaults.
    pub created: bool,
    /// Keys set from the environment (`Section.Key` → variable name).
    pub env_overrides: BTreeMap<String, String>,
    /// Things worth a log line that do not stop the server (e.g. an unknown variable).
    pub warnings: Vec<String>,
}

/// Reads `path` over the defaults and applies the environment `vars`.
///
/// When the file is missing and `create` is set, it is written with the defaults first,
/// so an admin has a complete file to edit.
pub fn load(
    path: &Path,
    vars: impl IntoIterator<Item = (String, String)>,
    create: bool,
) -> Result<Loaded, ConfigError> {
    let (file, created) = match read_file(path)? {
        Some(file) => (file, false),
        None if create => {
            let tree = defaults();
            write_atomically(path, &pretty(&tree))?;
            (tree, true)
        }
        None => (Value::Object(Map::new()), false),
    };
    Ok(Loaded {
        created,
        ..effective(&file, vars, &[])?
    })
}

/// A value set on the command line (`hearth serve --listen`): section, key and value. It
/// wins over the file and the environment.
pub type Flag = (&'static str, &'static str, Value);

/// The file at `path` as JSON, or `None` when there is no file.
pub(super) fn read_file(path: &Path) -> Result<Option<Value>, ConfigError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let file: Value =
                serde_json::from_slice(&bytes).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source,
                })?;
            if !file.is_object() {
                return Err(ConfigError::invalid("config.json", "must be a JSON object"));
            }
            Ok(Some(file))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The configuration `file` gives with the environment `vars` and command-line `flags`
/// laid over it, checked; also which keys the environment set and what deserves a
/// warning.
pub(super) fn effective(
    file: &Value,
    vars: impl IntoIterator<Item = (String, String)>,
    flags: &[Flag],
) -> Result<Loaded, ConfigError> {
    let mut tree = defaults();
    merge(&mut tree, file.clone());
    let (env_overrides, warnings) = apply_env(&mut tree, vars)?;
    for (section, key, value) in flags {
        if let Some(slot) = tree.get_mut(*section).and_then(|s| s.get_mut(*key)) {
            *slot = value.clone();
        }
    }
    let config = typed(tree).map_err(|e| e.with_origin(&env_overrides))?;
    config
        .validate()
        .map_err(|e| e.with_origin(&env_overrides))?;
    Ok(Loaded {
        config,
        created: false,
        env_overrides,
        warnings,
    })
}

/// How an admin's configuration replaces what the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The whole configuration (`PUT /config`): a key left out goes back to its default.
    Replace,
    /// Only the keys given (`PUT /config/patch`).
    Patch,
}

/// The file's new contents after an admin submits `body`: each key this version knows is
/// taken from `body` (per `edit`), everything else stays as `file` has it, keys this
/// version does not know included. Keys in `body` this version does not know are ignored,
/// as Mattermost ignores them. Two kinds of key keep the file's value whatever `body`
/// says: those the environment or the command line sets (`overridden`; the file never
/// receives their values, and they would win anyway), and secrets sent back as
/// [`REDACTED`] (the placeholder `GET /config` shows means "unchanged"). `null` means
/// "not given".
///
/// [`REDACTED`]: super::REDACTED
pub(super) fn edited_file(
    file: &Value,
    body: &Value,
    edit: Edit,
    overridden: &BTreeMap<String, String>,
) -> Result<Value, ConfigError> {
    let Value::Object(body) = body else {
        return Err(ConfigError::invalid("config", "must be a JSON object"));
    };
    let mut file = match file {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let Value::Object(template) = defaults() else {
        return Ok(Value::Object(file));
    };
    for (section, keys) in template {
        let given = match body.get(&section) {
            None | Some(Value::Null) => None,
            Some(Value::Object(given)) => Some(given),
            Some(_) => return Err(ConfigError::invalid(section, "must be a JSON object")),
        };
        if given.is_none() && edit == Edit::Patch {
            continue;
        }
        let Value::Object(keys) = keys else {
            continue;
        };
        let slot = file
            .entry(section.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            // A section the file spells wrongly cannot be kept beside the right one.
            *slot = Value::Object(Map::new());
        }
        let Value::Object(target) = slot else {
            continue;
        };
        for (key, default) in keys {
            let canonical = format!("{section}.{key}");
            if overridden.contains_key(&canonical) {
                continue;
            }
            let value = match given.and_then(|g| g.get(&key)) {
                None | Some(Value::Null) if edit == Edit::Patch => continue,
                None | Some(Value::Null) => default,
                Some(value) if is_placeholder(&section, &key, value) => continue,
                Some(value) => value.clone(),
            };
            target.insert(key, value);
        }
    }
    Ok(Value::Object(file))
}

/// Whether `value` is the redaction placeholder standing in for a secret's current value.
fn is_placeholder(section: &str, key: &str, value: &Value) -> bool {
    let secret = super::SECRET_KEYS.contains(&(section, key))
        || (section, key) == ("SqlSettings", "DataSourceReplicas");
    secret
        && match value {
            Value::String(s) => s == super::REDACTED,
            Value::Array(items) => items.iter().any(|v| v == super::REDACTED),
            _ => false,
        }
}

/// The keys the environment `vars` set, `Section.Key` → variable name (empty when a
/// value is unusable: building the configuration reports that).
pub(super) fn env_keys(vars: &[(String, String)]) -> BTreeMap<String, String> {
    apply_env(&mut defaults(), vars.iter().cloned())
        .map(|(keys, _)| keys)
        .unwrap_or_default()
}

/// Writes `file` (a whole configuration file's JSON) to `path` atomically.
pub(super) fn write_file(path: &Path, file: &Value) -> Result<(), ConfigError> {
    write_atomically(path, &pretty(file))
}

/// Sets one key (`Section.Key`, any case) in the file at `path`, keeping every other key
/// as it is (including ones this version does not know), after checking the result is a
/// valid configuration. Returns the key's canonical name.
pub fn set_key(path: &Path, key: &str, raw: &str) -> Result<String, ConfigError> {
    let mut file = match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => defaults(),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let unknown = || ConfigError::UnknownKey { key: key.into() };
    let (section, name) = key.split_once('.').ok_or_else(unknown)?;
    let defaults = defaults();
    let (section, name, template) = find_key(&defaults, section, name).ok_or_else(unknown)?;
    let canonical = format!("{section}.{name}");
    let value =
        parse_as(template, raw).map_err(|reason| ConfigError::invalid(&canonical, reason))?;

    let Value::Object(root) = &mut file else {
        return Err(ConfigError::invalid("config.json", "must be a JSON object"));
    };
    let slot = root
        .entry(section.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(section_map) = slot else {
        return Err(ConfigError::invalid(section, "must be a JSON object"));
    };
    section_map.insert(name, value);

    let mut tree = defaults;
    merge(&mut tree, file.clone());
    typed(tree)?.validate()?;
    write_atomically(path, &pretty(&file))?;
    Ok(canonical)
}

/// Replaces `path` with `contents` so that a crash leaves either the old file or the new
/// one, never a mix: write a temporary file beside it, flush it to disk, rename it over.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), ConfigError> {
    let write_error = |source| ConfigError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_error)?;
    let tmp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        // The file may hold passwords: readable by its owner only.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(write_error)?;
    file.write_all(contents.as_bytes()).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(write_error)?;
    // Make the rename itself durable.
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn defaults() -> Value {
    serde_json::to_value(Config::default()).unwrap_or_default()
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Deserialises the merged tree, naming the key when a value has the wrong type.
fn typed(tree: Value) -> Result<Config, ConfigError> {
    serde_path_to_error::deserialize(tree).map_err(|error| {
        let key = error.path().to_string();
        ConfigError::invalid(key, error.into_inner().to_string())
    })
}

/// Overlays `over` onto `base`: objects merge key by key, anything else replaces.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// Finds `section.name` in `tree` ignoring case; returns the canonical spellings.
fn find_key<'a>(tree: &'a Value, section: &str, name: &str) -> Option<(String, String, &'a Value)> {
    let (section_key, section_value) = tree
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(section))?;
    let (name_key, value) = section_value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))?;
    Some((section_key.clone(), name_key.clone(), value))
}

/// Applies `MM_*` then `HEARTH_*` variables, so Hearth's spelling wins when both are set.
fn apply_env(
    tree: &mut Value,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(BTreeMap<String, String>, Vec<String>), ConfigError> {
    let vars: Vec<(String, String)> = vars.into_iter().collect();
    let mut overrides = BTreeMap::new();
    let mut warnings = Vec::new();
    let template = defaults();
    for prefix in ["MM_", "HEARTH_"] {
        for (var, raw) in vars.iter().filter(|(k, _)| k.starts_with(prefix)) {
            let rest = &var[prefix.len()..];
            let Some((section, name)) = rest.split_once('_') else {
                continue;
            };
            let Some((section, name, default)) = find_key(&template, section, name) else {
                // Mattermost's own deployments set many MM_ variables Hearth does not
                // need; only our own prefix deserves a warning.
                if prefix == "HEARTH_" && !name.is_empty() && section.ends_with("SETTINGS") {
                    warnings.push(format!("{var} names no configuration key; ignored"));
                }
                continue;
            };
            let key = format!("{section}.{name}");
            let value = parse_as(default, raw).map_err(|reason| ConfigError::Invalid {
                key: key.clone(),
                reason,
                origin: Some(var.clone()),
            })?;
            if let Some(slot) = tree.get_mut(&section).and_then(|s| s.get_mut(&name)) {
                *slot = value;
            }
            overrides.insert(key, var.clone());
        }
    }
    Ok((overrides, warnings))
}

/// Reads `raw` (from a variable or the command line) as a value of the same JSON type as
/// `template`.
fn parse_as(template: &Value, raw: &str) -> Result<Value, String> {
    let raw_trimmed = raw.trim();
    match template {
        Value::Bool(_) => match raw_trimmed.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{raw:?} is not true or false")),
        },
        Value::Number(n) if n.is_f64() => raw_trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{raw:?} is not a number")),
        Value::Number(_) => raw_trimmed
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{raw:?} is not a whole number")),
        Value::String(_) => Ok(Value::String(raw.to_string())),
        Value::Array(_) if raw_trimmed.starts_with('[') => {
            serde_json::from_str(raw_trimmed).map_err(|e| format!("not a JSON list: {e}"))
        }
        Value::Array(_) => Ok(Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.into()))
                .collect(),
        )),
        Value::Object(_) | Value::Null => {
            serde_json::from_str(raw_trimmed).map_err(|e| format!("not valid JSON: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_file_and_hearth_beats_mm() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"TeamSettings":{"SiteName":"File","MaxUsersPerTeam":7},"Unknown":{"Kept":1}}"#,
        )
        .unwrap();
        let loaded = load(
            &path,
            vars(&[
                ("MM_TEAMSETTINGS_SITENAME", "Mm"),
                ("HEARTH_TEAMSETTINGS_SITENAME", "Env"),
                ("MM_SERVICESETTINGS_ENABLEDEVELOPER", "TRUE"),
                ("MM_SERVICEENVIRONMENT", "production"),
            ]),
            true,
        )
        .unwrap();
        assert!(!loaded.created);
        assert_eq!(loaded.config.team_settings.site_name, "Env");
        assert_eq!(loaded.config.team_settings.max_users_per_team, 7);
        assert!(loaded.config.service_settings.enable_developer);
        assert_eq!(
            loaded.env_overrides["TeamSettings.SiteName"],
            "HEARTH_TEAMSETTINGS_SITENAME"
        );
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn bad_values_name_key_and_variable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let error = load(
            &path,
            vars(&[("HEARTH_FILESETTINGS_MAXFILESIZE", "big")]),
            true,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("FileSettings.MaxFileSize"), "{error}");
        assert!(error.contains("HEARTH_FILESETTINGS_MAXFILESIZE"), "{error}");

        std::fs::write(&path, r#"{"FileSettings":{"MaxFileSize":"big"}}"#).unwrap();
        let error = load(&path, vec![], false).unwrap_err().to_string();
        assert!(error.starts_with("FileSettings.MaxFileSize:"), "{error}");

        let error = load(
            &path,
            vars(&[("HEARTH_FILESETTINGS_MAXFILESIZE", "-5")]),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("FileSettings.MaxFileSize"), "{error}");
        assert!(error.contains("HEARTH_FILESETTINGS_MAXFILESIZE"), "{error}");
    }

    #[test]
    fn unknown_hearth_variables_warn() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(
            &dir.path().join("c.json"),
            vars(&[("HEARTH_SERVICESETTINGS_LISTENADRESS", ":1")]),
            false,
        )
        .unwrap();
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    }

    #[test]
    fn set_key_keeps_unknown_keys_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"PluginSettings":{"Enable":true}}"#).unwrap();
        let key = set_key(&path, "teamsettings.sitename", "Our chat").unwrap();
        assert_eq!(key, "TeamSettings.SiteName");
        let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(file["TeamSettings"]["SiteName"], "Our chat");
        assert_eq!(file["PluginSettings"]["Enable"], true);

        let error = set_key(&path, "ServiceSettings.ListenAddress", "nowhere").unwrap_err();
        assert!(error.to_string().contains("ServiceSettings.ListenAddress"));
        assert!(matches!(
            set_key(&path, "ServiceSettings.Nope", "1"),
            Err(ConfigError::UnknownKey { .. })
        ));
        // The rejected change left the file as it was.
        let after: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(after, file);
    }

    #[test]
    fn lists_parse_from_commas_or_json() {
        let template = Value::Array(vec![]);
        assert_eq!(
            parse_as(&template, "a, b").unwrap(),
            serde_json::json!(["a", "b"])
        );
        assert_eq!(
            parse_as(&template, r#"["x"]"#).unwrap(),
            serde_json::json!(["x"])
        );
    }
}
