//! Checks that a configuration can be used, naming the first key that cannot.

use super::{Config, ConfigError, ListenAddress};

fn ensure(ok: bool, key: &str, reason: impl FnOnce() -> String) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(key, reason()))
    }
}

fn one_of(value: &str, key: &str, allowed: &[&str]) -> Result<(), ConfigError> {
    ensure(allowed.contains(&value), key, || {
        format!("{value:?} is not one of {}", allowed.join(", "))
    })
}

fn positive(value: i64, key: &str) -> Result<(), ConfigError> {
    ensure(value > 0, key, || format!("{value} must be greater than 0"))
}

fn url_or_empty(value: &str, key: &str) -> Result<(), ConfigError> {
    ensure(
        value.is_empty() || value.starts_with("http://") || value.starts_with("https://"),
        key,
        || format!("{value:?} must start with http:// or https://"),
    )
}

/// A CSP `frame-ancestors` source Hearth accepts: a keyword, or a scheme with a host
/// (a leading `*.` and a port allowed), nothing that could end the header's directive.
fn frame_source(source: &str) -> bool {
    if source == "'self'" || source == "'none'" {
        return true;
    }
    let Some((scheme, host)) = source.split_once("://") else {
        return false;
    };
    let host = host.strip_suffix('/').unwrap_or(host);
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'))
}

impl Config {
    /// Checks every value Hearth relies on. The error names the key and says why.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let s = &self.service_settings;
        url_or_empty(&s.site_url, "ServiceSettings.SiteURL")?;
        ensure(
            !s.site_url.ends_with('/'),
            "ServiceSettings.SiteURL",
            || format!("{:?} must not end with /", s.site_url),
        )?;
        ListenAddress::parse(&s.listen_address)
            .map_err(|reason| ConfigError::invalid("ServiceSettings.ListenAddress", reason))?;
        for (value, key) in [
            (s.read_timeout, "ServiceSettings.ReadTimeout"),
            (s.read_header_timeout, "ServiceSettings.ReadHeaderTimeout"),
            (s.write_timeout, "ServiceSettings.WriteTimeout"),
            (s.idle_timeout, "ServiceSettings.IdleTimeout"),
        ] {
            ensure(value > 0, key, || "must be at least 1 second".into())?;
        }
        // ASCII whitespace only: anything else (a no-break space, a newline's cousins)
        // stays inside a source and fails its check, so the header can always be built.
        for source in s.allowed_frame_ancestors.split_ascii_whitespace() {
            ensure(
                frame_source(source),
                "ServiceSettings.AllowedFrameAncestors",
                || {
                    format!(
                        "{source:?} is not a frame source: use 'self', 'none' or an origin such as https://intranet.example.com"
                    )
                },
            )?;
        }
        ensure(
            !s.allowed_frame_ancestors.trim().is_empty(),
            "ServiceSettings.AllowedFrameAncestors",
            || "must name at least one source ('self' allows only this site)".into(),
        )?;
        for proxy in &s.trusted_proxies {
            ensure(
                proxy.parse::<ipnet::IpNet>().is_ok() || proxy.parse::<std::net::IpAddr>().is_ok(),
                "ServiceSettings.TrustedProxies",
                || format!("{proxy:?} is not an address or a range such as 10.0.0.0/8"),
            )?;
        }
        for header in &s.trusted_proxy_ip_header {
            ensure(
                !header.is_empty()
                    && header
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "ServiceSettings.TrustedProxyIPHeader",
                || format!("{header:?} is not a header name"),
            )?;
        }
        ensure(
            s.maximum_payload_size_bytes >= 1024,
            "ServiceSettings.MaximumPayloadSizeBytes",
            || {
                format!(
                    "{} is below the minimum of 1024",
                    s.maximum_payload_size_bytes
                )
            },
        )?;
        ensure(
            s.maximum_url_length >= 256,
            "ServiceSettings.MaximumURLLength",
            || format!("{} is below the minimum of 256", s.maximum_url_length),
        )?;
        ensure(
            s.post_edit_time_limit == -1 || s.post_edit_time_limit > 0,
            "ServiceSettings.PostEditTimeLimit",
            || "must be -1 (no limit) or a number of seconds".into(),
        )?;
        positive(
            s.time_between_user_typing_updates_milliseconds,
            "ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds",
        )?;
        one_of(
            &s.collapsed_threads,
            "ServiceSettings.CollapsedThreads",
            &["disabled", "default_on", "default_off", "always_on"],
        )?;
        positive(
            s.session_length_web_in_hours,
            "ServiceSettings.SessionLengthWebInHours",
        )?;
        positive(
            s.session_length_mobile_in_hours,
            "ServiceSettings.SessionLengthMobileInHours",
        )?;
        ensure(
            s.session_idle_timeout_in_minutes >= 0,
            "ServiceSettings.SessionIdleTimeoutInMinutes",
            || "must be 0 (never) or a number of minutes".into(),
        )?;
        positive(
            s.maximum_login_attempts,
            "ServiceSettings.MaximumLoginAttempts",
        )?;
        ensure(
            s.websocket_url.is_empty()
                || s.websocket_url.starts_with("ws://")
                || s.websocket_url.starts_with("wss://"),
            "ServiceSettings.WebsocketURL",
            || format!("{:?} must start with ws:// or wss://", s.websocket_url),
        )?;

        let t = &self.team_settings;
        ensure(
            !t.site_name.trim().is_empty() && t.site_name.chars().count() <= 30,
            "TeamSettings.SiteName",
            || "must be 1 to 30 characters".into(),
        )?;
        positive(t.max_users_per_team, "TeamSettings.MaxUsersPerTeam")?;
        positive(t.max_channels_per_team, "TeamSettings.MaxChannelsPerTeam")?;
        positive(
            t.max_notifications_per_channel,
            "TeamSettings.MaxNotificationsPerChannel",
        )?;
        one_of(
            &t.teammate_name_display,
            "TeamSettings.TeammateNameDisplay",
            &["username", "nickname_full_name", "full_name"],
        )?;
        one_of(
            &t.restrict_direct_message,
            "TeamSettings.RestrictDirectMessage",
            &["any", "team"],
        )?;

        let q = &self.sql_settings;
        one_of(
            &q.driver_name,
            "SqlSettings.DriverName",
            &["sqlite3", "postgres"],
        )?;
        if q.driver_name == "postgres" {
            for (key, url) in std::iter::once(("SqlSettings.DataSource", &q.data_source)).chain(
                q.data_source_replicas
                    .iter()
                    .map(|url| ("SqlSettings.DataSourceReplicas", url)),
            ) {
                ensure(
                    url.starts_with("postgres://") || url.starts_with("postgresql://"),
                    key,
                    || "must be a postgres:// URL when DriverName is \"postgres\"".into(),
                )?;
            }
        } else {
            ensure(
                !q.data_source.trim().is_empty(),
                "SqlSettings.DataSource",
                || "must name the database file".into(),
            )?;
            ensure(
                q.data_source_replicas.is_empty(),
                "SqlSettings.DataSourceReplicas",
                || "read replicas need DriverName \"postgres\"".into(),
            )?;
        }
        ensure(
            (1..=64).contains(&q.max_open_conns),
            "SqlSettings.MaxOpenConns",
            || format!("{} is not between 1 and 64", q.max_open_conns),
        )?;
        ensure(q.query_timeout > 0, "SqlSettings.QueryTimeout", || {
            "must be at least 1 second".into()
        })?;

        one_of(
            &self.log_settings.console_level,
            "LogSettings.ConsoleLevel",
            &["DEBUG", "INFO", "WARN", "ERROR"],
        )?;

        let p = &self.password_settings;
        ensure(
            (5..=72).contains(&p.minimum_length),
            "PasswordSettings.MinimumLength",
            || format!("{} is not between 5 and 72", p.minimum_length),
        )?;

        let f = &self.file_settings;
        one_of(&f.driver_name, "FileSettings.DriverName", &["local"])?;
        ensure(
            crate::search::analyzer::is_supported(&self.search_settings.language),
            "SearchSettings.Language",
            || {
                format!(
                    "{:?} is not a language the index knows; use one of {}",
                    self.search_settings.language,
                    crate::search::analyzer::supported_languages().join(", ")
                )
            },
        )?;
        ensure(
            !self.search_settings.index_dir.trim().is_empty(),
            "SearchSettings.IndexDir",
            || "must name a folder".into(),
        )?;
        ensure(
            !f.directory.trim().is_empty(),
            "FileSettings.Directory",
            || "must name a folder".into(),
        )?;
        ensure(f.max_file_size > 0, "FileSettings.MaxFileSize", || {
            "must be greater than 0".into()
        })?;
        ensure(
            f.max_image_resolution > 0,
            "FileSettings.MaxImageResolution",
            || "must be greater than 0".into(),
        )?;
        ensure(
            f.max_image_decoder_concurrency == -1
                || (1..=256).contains(&f.max_image_decoder_concurrency),
            "FileSettings.MaxImageDecoderConcurrency",
            || {
                format!(
                    "{} must be -1 (one per CPU core) or between 1 and 256",
                    f.max_image_decoder_concurrency
                )
            },
        )?;
        for (value, key) in [
            (&f.allowed_extensions, "FileSettings.AllowedExtensions"),
            (&f.denied_extensions, "FileSettings.DeniedExtensions"),
        ] {
            let bad = super::extension_list(value).into_iter().find(|ext| {
                !ext.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
            });
            ensure(bad.is_none(), key, || {
                format!(
                    "{:?} is not an extension; give a comma-separated list such as \"pdf,png\"",
                    bad.unwrap_or_default()
                )
            })?;
        }

        let e = &self.email_settings;
        ensure(
            e.smtp_port.parse::<u16>().is_ok(),
            "EmailSettings.SMTPPort",
            || format!("{:?} is not a port number", e.smtp_port),
        )?;
        one_of(
            &e.connection_security,
            "EmailSettings.ConnectionSecurity",
            &["", "TLS", "STARTTLS"],
        )?;
        one_of(
            &e.email_notification_contents_type,
            "EmailSettings.EmailNotificationContentsType",
            &["full", "generic"],
        )?;
        url_or_empty(
            &e.push_notification_server,
            "EmailSettings.PushNotificationServer",
        )?;

        let r = &self.rate_limit_settings;
        ensure(r.per_sec > 0, "RateLimitSettings.PerSec", || {
            "must be greater than 0".into()
        })?;
        ensure(r.max_burst > 0, "RateLimitSettings.MaxBurst", || {
            "must be greater than 0".into()
        })?;
        ensure(
            r.memory_store_size > 0,
            "RateLimitSettings.MemoryStoreSize",
            || "must be greater than 0".into(),
        )?;

        let u = &self.support_settings;
        for (value, key) in [
            (
                &u.terms_of_service_link,
                "SupportSettings.TermsOfServiceLink",
            ),
            (&u.privacy_policy_link, "SupportSettings.PrivacyPolicyLink"),
            (&u.about_link, "SupportSettings.AboutLink"),
            (&u.help_link, "SupportSettings.HelpLink"),
            (
                &u.report_a_problem_link,
                "SupportSettings.ReportAProblemLink",
            ),
        ] {
            url_or_empty(value, key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn first_bad_key_is_named() {
        let mut config = Config::default();
        config.team_settings.teammate_name_display = "nick".into();
        let error = config.validate().unwrap_err().to_string();
        assert!(
            error.starts_with("TeamSettings.TeammateNameDisplay:"),
            "{error}"
        );

        let mut config = Config::default();
        config.sql_settings.driver_name = "mysql".into();
        let error = config.validate().unwrap_err().to_string();
        assert!(error.starts_with("SqlSettings.DriverName:"), "{error}");
    }

    #[test]
    fn file_settings_are_checked() {
        let mut config = Config::default();
        config.file_settings.denied_extensions = " exe, .BAT ,, cmd".into();
        config.validate().unwrap();
        assert_eq!(
            config.file_settings.denied_extension_list(),
            ["exe", "bat", "cmd"]
        );
        config.file_settings.allowed_extensions = "pdf, *.png".into();
        let error = config.validate().unwrap_err().to_string();
        assert!(
            error.starts_with("FileSettings.AllowedExtensions:"),
            "{error}"
        );
        let mut config = Config::default();
        config.file_settings.max_image_decoder_concurrency = 0;
        let error = config.validate().unwrap_err().to_string();
        assert!(
            error.starts_with("FileSettings.MaxImageDecoderConcurrency:"),
            "{error}"
        );
    }
}
