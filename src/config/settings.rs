//! The configuration sections, with Mattermost's key names and Hearth's defaults.
//!
//! Every field is a key an admin can set in `config.json` or through the environment
//! (`HEARTH_<SECTION>_<KEY>`), so each carries a `///` line saying what it does.

use serde::{Deserialize, Serialize};

/// The whole configuration, shaped like Mattermost's `config.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Config {
    pub service_settings: ServiceSettings,
    pub team_settings: TeamSettings,
    pub sql_settings: SqlSettings,
    pub log_settings: LogSettings,
    pub password_settings: PasswordSettings,
    pub file_settings: FileSettings,
    pub email_settings: EmailSettings,
    pub rate_limit_settings: RateLimitSettings,
    pub privacy_settings: PrivacySettings,
    pub support_settings: SupportSettings,
    pub localization_settings: LocalizationSettings,
    pub search_settings: SearchSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ServiceSettings {
    /// The address users type to reach the server, e.g. `https://chat.example.com`.
    /// Used in links (e-mail, permalinks) and printed at start. Empty: the address each request came to.
    #[serde(rename = "SiteURL")]
    pub site_url: String,
    /// Where the server listens: `:8065` (all interfaces) or `host:port`.
    pub listen_address: String,
    /// Seconds a client has to send a whole request, headers and body; a body still
    /// arriving after that gets 408.
    pub read_timeout: u64,
    /// Hearth: seconds a new connection has to send its first request's headers (at most
    /// `ReadTimeout`); a connection that has not is answered 408 and closed.
    pub read_header_timeout: u64,
    /// Seconds a response may wait on a client that does not read it before the
    /// connection is closed.
    pub write_timeout: u64,
    /// Seconds an idle keep-alive connection stays open.
    pub idle_timeout: u64,
    /// Hearth: most connections (HTTP and WebSocket) open at once; `0`: as many as the
    /// process's file descriptor limit allows, less a reserve for the database and files.
    pub max_connections: u64,
    /// Hearth: most connections open at once from one IP address; `0`: no limit. Behind a
    /// proxy every client shares the proxy's address: raise this or set `0` there.
    pub max_connections_per_address: u64,
    /// Hearth: who may show the web client in a frame: CSP `frame-ancestors` sources
    /// separated by spaces (`'self'`, `'none'`, or origins such as `https://intranet.example.com`).
    pub allowed_frame_ancestors: String,
    /// Headers naming the client's address when the server is behind a proxy, tried in
    /// order (e.g. `["X-Forwarded-For", "X-Real-IP"]`); used only for requests from one of
    /// `TrustedProxies`. Empty: the TCP peer's address, always.
    #[serde(rename = "TrustedProxyIPHeader")]
    pub trusted_proxy_ip_header: Vec<String>,
    /// Hearth: the addresses or ranges (`10.0.0.0/8`) of the proxies whose
    /// `TrustedProxyIPHeader` is believed; anyone else could write any address there.
    pub trusted_proxies: Vec<String>,
    /// Seconds browsers remember to use HTTPS only (`Strict-Transport-Security`), sent
    /// when the Site URL is `https`.
    #[serde(rename = "TLSStrictTransportMaxAge")]
    pub tls_strict_transport_max_age: u64,
    /// Largest request body accepted, in bytes; larger bodies get 413.
    pub maximum_payload_size_bytes: u64,
    /// Longest request URL accepted, in characters; longer ones get 414.
    #[serde(rename = "MaximumURLLength")]
    pub maximum_url_length: u64,
    /// Developer mode: lets clients that are not signed in write to the server log (`POST /api/v4/logs`).
    pub enable_developer: bool,
    /// Require the `X-CSRF-Token` header (not just `X-Requested-With`) on cookie sessions.
    #[serde(rename = "ExperimentalStrictCSRFEnforcement")]
    pub experimental_strict_csrf_enforcement: bool,
    /// Seconds after posting during which a post can be edited; `-1` for no limit.
    pub post_edit_time_limit: i64,
    /// Let users edit their posts at all (off: posts are immutable, for compliance).
    pub allow_edit_post: bool,
    /// Let users delete posts at all (off: nothing is deleted through the API, for
    /// compliance; admins included).
    pub allow_delete_post: bool,
    /// Let users add custom emoji.
    pub enable_custom_emoji: bool,
    /// Show the emoji picker in clients.
    pub enable_emoji_picker: bool,
    /// Generate previews for links in messages.
    pub enable_link_previews: bool,
    /// Tell channel members when someone is typing.
    pub enable_user_typing_messages: bool,
    /// Minimum gap between typing notifications from one user, in milliseconds.
    pub time_between_user_typing_updates_milliseconds: i64,
    /// Collapsed reply threads: `disabled`, `default_on`, `default_off` or `always_on`.
    pub collapsed_threads: String,
    /// Allow incoming webhooks.
    pub enable_incoming_webhooks: bool,
    /// Allow outgoing webhooks.
    pub enable_outgoing_webhooks: bool,
    /// Allow custom slash commands.
    pub enable_commands: bool,
    /// Let integrations post under another display name.
    pub enable_post_username_override: bool,
    /// Let integrations post with another profile picture.
    pub enable_post_icon_override: bool,
    /// Let users create personal access tokens.
    pub enable_user_access_tokens: bool,
    /// Let users create bot accounts.
    pub enable_bot_account_creation: bool,
    /// Offer TOTP multi-factor authentication.
    pub enable_multifactor_authentication: bool,
    /// Require every user to set up multi-factor authentication.
    pub enforce_multifactor_authentication: bool,
    /// Show the in-product tutorial to new users.
    pub enable_tutorial: bool,
    /// Show the onboarding checklist to new users.
    pub enable_onboarding_flow: bool,
    /// Session length for browsers, in hours.
    pub session_length_web_in_hours: i64,
    /// Session length for the mobile apps, in hours.
    pub session_length_mobile_in_hours: i64,
    /// Minutes of inactivity after which a browser or desktop session ends; 0: never.
    /// Mobile sessions are exempt, as in Mattermost.
    pub session_idle_timeout_in_minutes: i64,
    /// Push a session's expiry forward while it is in use.
    pub extend_session_length_with_activity: bool,
    /// Failed sign-in attempts before an account is locked (an admin unlocks it by
    /// setting a new password).
    pub maximum_login_attempts: i64,
    /// A different WebSocket address for clients to use; empty: the site address.
    #[serde(rename = "WebsocketURL")]
    pub websocket_url: String,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            site_url: String::new(),
            listen_address: ":8065".into(),
            read_timeout: 300,
            read_header_timeout: 10,
            write_timeout: 300,
            idle_timeout: 60,
            max_connections: 0,
            max_connections_per_address: 1000,
            allowed_frame_ancestors: "'self'".into(),
            trusted_proxy_ip_header: Vec::new(),
            trusted_proxies: vec!["127.0.0.0/8".into(), "::1/128".into()],
            tls_strict_transport_max_age: 63_072_000,
            maximum_payload_size_bytes: 300_000,
            maximum_url_length: 2048,
            enable_developer: false,
            experimental_strict_csrf_enforcement: false,
            post_edit_time_limit: -1,
            allow_edit_post: true,
            allow_delete_post: true,
            enable_custom_emoji: true,
            enable_emoji_picker: true,
            enable_link_previews: true,
            enable_user_typing_messages: true,
            time_between_user_typing_updates_milliseconds: 5000,
            collapsed_threads: "always_on".into(),
            enable_incoming_webhooks: true,
            enable_outgoing_webhooks: true,
            enable_commands: true,
            enable_post_username_override: false,
            enable_post_icon_override: false,
            enable_user_access_tokens: false,
            enable_bot_account_creation: false,
            enable_multifactor_authentication: false,
            enforce_multifactor_authentication: false,
            enable_tutorial: true,
            enable_onboarding_flow: true,
            session_length_web_in_hours: 720,
            session_length_mobile_in_hours: 720,
            session_idle_timeout_in_minutes: 43200,
            extend_session_length_with_activity: true,
            maximum_login_attempts: 10,
            websocket_url: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct TeamSettings {
    /// The name shown on the login page and in e-mail, at most 30 characters.
    pub site_name: String,
    /// Most members a team may have.
    pub max_users_per_team: i64,
    /// Allow new accounts at all (sign-up, invitations, admin creation aside).
    pub enable_user_creation: bool,
    /// Let anyone sign up without an invitation.
    pub enable_open_server: bool,
    /// Comma-separated e-mail domains allowed to sign up; empty: any.
    pub restrict_creation_to_domains: String,
    /// How names are shown: `username`, `nickname_full_name` or `full_name`.
    pub teammate_name_display: String,
    /// Stop users from choosing their own name display.
    pub lock_teammate_name_display: bool,
    /// Who users may message directly: `any` or `team`.
    pub restrict_direct_message: String,
    /// Most channels a team may have.
    pub max_channels_per_team: i64,
    /// Above this many members, channel-wide mentions (`@all`, `@channel`) do not notify.
    pub max_notifications_per_channel: i64,
    /// Let users read and search archived channels.
    pub experimental_view_archived_channels: bool,
    /// Let users set a custom status.
    pub enable_custom_user_statuses: bool,
    /// Show when users were last active.
    pub enable_last_active_time: bool,
    /// Ask before notifying a large channel with `@all` or `@channel`.
    pub enable_confirm_notifications_to_channel: bool,
}

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            site_name: "Hearth".into(),
            max_users_per_team: 50,
            enable_user_creation: true,
            enable_open_server: false,
            restrict_creation_to_domains: String::new(),
            teammate_name_display: "username".into(),
            lock_teammate_name_display: false,
            restrict_direct_message: "any".into(),
            max_channels_per_team: 2000,
            max_notifications_per_channel: 1000,
            experimental_view_archived_channels: true,
            enable_custom_user_statuses: true,
            enable_last_active_time: true,
            enable_confirm_notifications_to_channel: true,
        }
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SqlSettings {
    /// The database engine: `sqlite3` (embedded, the default) or `postgres`.
    pub driver_name: String,
    /// For `sqlite3`: the database file, relative to the data folder unless absolute. For
    /// `postgres`: a URL, `postgres://user:password@host:5432/database?sslmode=require`
    /// (`sslmode` `disable`, `prefer` or `require`; `sslrootcert=/path/ca.pem` adds a
    /// private certificate authority).
    pub data_source: String,
    /// For `postgres`: URLs of read replicas. Reads that may lag a little (listings,
    /// searches, channel history) go to them in turn; writes, and reads that must see
    /// them, go to `DataSource`.
    pub data_source_replicas: Vec<String>,
    /// Database connections kept for reads (SQLite uses one more, for writes); for
    /// PostgreSQL, the size of each pool (primary, and each replica).
    pub max_open_conns: u32,
    /// Seconds a query may wait for a busy database before failing.
    pub query_timeout: u64,
}

impl Default for SqlSettings {
    fn default() -> Self {
        SqlSettings {
            driver_name: "sqlite3".into(),
            data_source: "hearth.db".into(),
            data_source_replicas: Vec::new(),
            max_open_conns: 8,
            query_timeout: 30,
        }
    }
}

impl std::fmt::Debug for SqlSettings {
    // The data source of a networked database holds a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlSettings")
            .field("driver_name", &self.driver_name)
            .field("data_source", &super::REDACTED)
            .field("data_source_replicas", &self.data_source_replicas.len())
            .field("max_open_conns", &self.max_open_conns)
            .field("query_timeout", &self.query_timeout)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct LogSettings {
    /// Write log lines to the console (standard error).
    pub enable_console: bool,
    /// Least severe console level: `DEBUG`, `INFO`, `WARN` or `ERROR`.
    pub console_level: String,
    /// Write console lines as JSON instead of text.
    pub console_json: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            enable_console: true,
            console_level: "INFO".into(),
            console_json: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct PasswordSettings {
    /// Shortest password accepted (5–72).
    pub minimum_length: u32,
    /// Require a lowercase letter.
    pub lowercase: bool,
    /// Require a digit.
    pub number: bool,
    /// Require an uppercase letter.
    pub uppercase: bool,
    /// Require a symbol.
    pub symbol: bool,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        PasswordSettings {
            minimum_length: 8,
            lowercase: false,
            number: false,
            uppercase: false,
            symbol: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct FileSettings {
    /// Where files are kept: `local` (a folder).
    pub driver_name: String,
    /// For `local`: the folder, relative to the data folder unless absolute.
    pub directory: String,
    /// Let users attach files to messages.
    pub enable_file_attachments: bool,
    /// Let the mobile apps upload files.
    pub enable_mobile_upload: bool,
    /// Let the mobile apps download files.
    pub enable_mobile_download: bool,
    /// Largest file accepted, in bytes.
    pub max_file_size: u64,
    /// Let users share public links to files.
    pub enable_public_link: bool,
    /// Largest image accepted, in pixels (width × height); bigger images are refused
    /// before they are decoded.
    pub max_image_resolution: u64,
    /// Images decoded at once for thumbnails and previews; `-1`: one per CPU core.
    pub max_image_decoder_concurrency: i64,
    /// Hearth: comma-separated file extensions that may be uploaded (e.g. `pdf,png,jpg`);
    /// empty: any.
    pub allowed_extensions: String,
    /// Hearth: comma-separated file extensions that may not be uploaded (e.g. `exe,bat`).
    pub denied_extensions: String,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            driver_name: "local".into(),
            directory: "files".into(),
            enable_file_attachments: true,
            enable_mobile_upload: true,
            enable_mobile_download: true,
            max_file_size: 100 * 1024 * 1024,
            enable_public_link: false,
            max_image_resolution: 33_177_600,
            max_image_decoder_concurrency: -1,
            allowed_extensions: String::new(),
            denied_extensions: String::new(),
        }
    }
}

impl FileSettings {
    /// `AllowedExtensions` as lower-case extensions without dots.
    pub fn allowed_extension_list(&self) -> Vec<String> {
        extension_list(&self.allowed_extensions)
    }

    /// `DeniedExtensions` as lower-case extensions without dots.
    pub fn denied_extension_list(&self) -> Vec<String> {
        extension_list(&self.denied_extensions)
    }
}

/// A comma-separated list of extensions (`"pdf, .PNG"`) as `["pdf", "png"]`.
pub fn extension_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|ext| ext.trim().trim_start_matches('.').to_lowercase())
        .filter(|ext| !ext.is_empty())
        .collect()
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct EmailSettings {
    /// Let users sign up with an e-mail address and password.
    pub enable_sign_up_with_email: bool,
    /// Let users sign in with their e-mail address.
    pub enable_sign_in_with_email: bool,
    /// Let users sign in with their username.
    pub enable_sign_in_with_username: bool,
    /// Send notification e-mail.
    pub send_email_notifications: bool,
    /// Require new users to confirm their e-mail address before signing in.
    pub require_email_verification: bool,
    /// Sender name on notification e-mail.
    pub feedback_name: String,
    /// Sender address on notification e-mail.
    pub feedback_email: String,
    /// The SMTP server's host name.
    #[serde(rename = "SMTPServer")]
    pub smtp_server: String,
    /// The SMTP server's port (a string, as in Mattermost).
    #[serde(rename = "SMTPPort")]
    pub smtp_port: String,
    /// SMTP user name.
    #[serde(rename = "SMTPUsername")]
    pub smtp_username: String,
    /// SMTP password (a secret: redacted when shown).
    #[serde(rename = "SMTPPassword")]
    pub smtp_password: String,
    /// `""` (plain), `TLS` or `STARTTLS`.
    pub connection_security: String,
    /// Authenticate to the SMTP server.
    #[serde(rename = "EnableSMTPAuth")]
    pub enable_smtp_auth: bool,
    /// Send push notifications to the mobile apps.
    pub send_push_notifications: bool,
    /// The push proxy's address.
    pub push_notification_server: String,
    /// Collect notifications into one e-mail per interval.
    pub enable_email_batching: bool,
    /// `full` or `generic` notification e-mail bodies.
    pub email_notification_contents_type: String,
}

impl Default for EmailSettings {
    fn default() -> Self {
        EmailSettings {
            enable_sign_up_with_email: true,
            enable_sign_in_with_email: true,
            enable_sign_in_with_username: true,
            send_email_notifications: false,
            require_email_verification: false,
            feedback_name: String::new(),
            feedback_email: String::new(),
            smtp_server: "localhost".into(),
            smtp_port: "10025".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            connection_security: String::new(),
            enable_smtp_auth: false,
            send_push_notifications: false,
            push_notification_server: String::new(),
            enable_email_batching: false,
            email_notification_contents_type: "full".into(),
        }
    }
}

impl std::fmt::Debug for EmailSettings {
    // Skips the SMTP password; the rest is harmless to print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_server", &self.smtp_server)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &super::REDACTED)
            .field("connection_security", &self.connection_security)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RateLimitSettings {
    /// Limit how fast API requests may arrive.
    pub enable: bool,
    /// Requests per second allowed once the burst is used up.
    pub per_sec: u32,
    /// Requests allowed beyond the first in a burst before the per-second rate applies
    /// (as in Mattermost: a burst is MaxBurst + 1).
    pub max_burst: u32,
    /// How many clients are tracked at once.
    pub memory_store_size: u32,
    /// Count requests per client address.
    pub vary_by_remote_addr: bool,
    /// Count requests per signed-in user.
    pub vary_by_user: bool,
    /// Count requests per value of this header (e.g. `X-Real-IP`); empty: off.
    pub vary_by_header: String,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            enable: false,
            per_sec: 10,
            max_burst: 100,
            memory_store_size: 10_000,
            vary_by_remote_addr: true,
            vary_by_user: false,
            vary_by_header: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct PrivacySettings {
    /// Show users' e-mail addresses to other users.
    pub show_email_address: bool,
    /// Show users' first and last names to other users.
    pub show_full_name: bool,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        PrivacySettings {
            show_email_address: true,
            show_full_name: true,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SupportSettings {
    /// Link to the site's terms of service.
    pub terms_of_service_link: String,
    /// Link to the site's privacy policy.
    pub privacy_policy_link: String,
    /// Link to a page about the site.
    pub about_link: String,
    /// Link to help for users.
    pub help_link: String,
    /// Link where users report a problem.
    pub report_a_problem_link: String,
    /// Address users write to for support.
    pub support_email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct LocalizationSettings {
    /// Language of server messages and e-mail.
    pub default_server_locale: String,
    /// Language new users see until they choose one.
    pub default_client_locale: String,
    /// Comma-separated languages users may choose; empty: all.
    pub available_locales: String,
}

impl Default for LocalizationSettings {
    fn default() -> Self {
        LocalizationSettings {
            default_server_locale: "en".into(),
            default_client_locale: "en".into(),
            available_locales: String::new(),
        }
    }
}

/// Hearth's own section: the full-text search index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SearchSettings {
    /// The index folder, relative to the data folder unless absolute. Derived from the
    /// database: deleting it only costs a rebuild at the next start.
    pub index_dir: String,
    /// The language whose word endings are folded for matching (`en`: "running" finds
    /// "run"), by code (`en`, `de`, `fr`, `es`, …), or `none`. Changing it rebuilds the
    /// index at the next start. Chinese, Japanese and Korean are found in any setting.
    pub language: String,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            index_dir: "index".into(),
            language: "en".into(),
        }
    }
}
