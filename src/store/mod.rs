//! Storage: the traits every engine implements, in domain words, and their engines.
//!
//! Only this module knows SQL; nothing outside it names `rusqlite`, `r2d2` or `postgres`.
//! Blocking database calls run inside the implementations (on a blocking pool or the
//! writer thread), never on an async worker. The traits are split per aggregate; `Store`
//! is the sum that application code holds as `Arc<dyn Store>`.

mod common;
#[cfg(test)]
mod conformance;
pub mod copy;
mod emoji;
mod files;
mod messaging;
pub mod postgres;
mod preferences;
mod sidebar;
pub mod sqlite;

pub use emoji::EmojiStore;
pub use files::{FileInfo, FileInfoStore, FileSearch, UploadSession};
pub use messaging::{
    AllChannels, ChannelStore, CreatedPost, MarkUnread, Mentions, PostStore, PostWindow,
    TeamChannels, TeamStore, ThreadCursor, ThreadQuery, ThreadState, ThreadStore,
};
pub use preferences::PreferenceStore;
pub use sidebar::{
    CategoryWrite, Placement, SidebarEvent, SidebarRows, SidebarStore, SidebarWrite,
};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// What can go wrong in a store call. `NotFound` is a normal answer, not a failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The write would break a uniqueness or consistency rule (e.g. a taken name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The values given break a rule the database enforces.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The database was written by a newer Hearth; this one must not touch it.
    #[error(
        "the database schema is at version {found}, but this Hearth build supports at most version {supported}; upgrade Hearth, or restore a backup made by this version"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    /// Anything else: I/O, corruption, a bug. Logged in full, shown to clients generically.
    #[error("{0}")]
    Other(String),
}

/// One committed change, as recorded in the change feed.
///
/// Every change others must hear about is written to the feed in the same transaction as
/// the change itself, so followers (WebSocket, search, e-mail, other nodes) that resume
/// from the last `seq` they saw miss nothing and see nothing that was rolled back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Strictly increasing across committed changes.
    pub seq: i64,
    /// What happened, e.g. `system_value_updated` (later: `posted`, `channel_updated`, ...).
    pub kind: String,
    /// The id of the changed thing.
    pub entity_id: String,
    /// Who should hear about it: any of these may be empty.
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    /// The event's data, shaped by its kind.
    pub data: serde_json::Value,
    /// Commit time in milliseconds.
    pub create_at: i64,
}

/// A change before it has a sequence number.
#[derive(Debug, Clone, Default)]
pub struct ChangeDraft {
    pub kind: &'static str,
    pub entity_id: String,
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    pub data: serde_json::Value,
}

/// The result of bringing a database's schema up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The version before this start (0 for a new database).
    pub previous_version: i64,
    /// The version now.
    pub version: i64,
    /// Names of the migrations applied just now, oldest first.
    pub applied: Vec<String>,
}

/// Installation-wide values (Mattermost's `Systems` table): the diagnostic id, the
/// first-run time and the like.
#[async_trait]
pub trait SystemStore: Send + Sync {
    /// The value stored under `name`, or `NotFound`.
    async fn get_system_value(&self, name: &str) -> Result<String, StoreError>;
    /// Stores `value` under `name` (1–64 characters), replacing any earlier value, and
    /// records a `system_value_updated` change.
    async fn set_system_value(&self, name: &str, value: &str) -> Result<(), StoreError>;
    /// Stores `value` under `name` only if nothing is stored there yet; returns what is
    /// stored afterwards (the existing value or `value`).
    async fn init_system_value(&self, name: &str, value: &str) -> Result<String, StoreError>;
    /// Checks that the database answers a query.
    async fn health_check(&self) -> Result<(), StoreError>;
    /// The counts behind the System Console's site statistics, for the whole site or (for
    /// channels, posts and users) one team. Users count as active in a period when their
    /// status shows activity after its start (`day_start`, `month_start`, milliseconds).
    async fn site_statistics(
        &self,
        team_id: Option<&str>,
        day_start: i64,
        month_start: i64,
    ) -> Result<SiteStatistics, StoreError>;
    /// Posts that are not deleted, per UTC day (`YYYY-MM-DD`), newest day first, from
    /// `since` (milliseconds) and at most 30 days: how many there were, or how many people
    /// wrote them; in one team's channels when `team_id` is given.
    async fn posts_per_day(
        &self,
        team_id: Option<&str>,
        since: i64,
        count: DailyCount,
    ) -> Result<Vec<(String, i64)>, StoreError>;
    /// Posts with files and posts with hashtags (not deleted; in one team's channels when
    /// `team_id` is given), and sessions still valid at `now`, site-wide.
    async fn extra_statistics(
        &self,
        team_id: Option<&str>,
        now: i64,
    ) -> Result<ExtraStatistics, StoreError>;
}

/// What `SystemStore::posts_per_day` counts each day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyCount {
    Posts,
    Authors,
}

impl DailyCount {
    /// The SQL aggregate (the same for both engines).
    pub(crate) fn aggregate(self) -> &'static str {
        match self {
            DailyCount::Posts => "COUNT(*)",
            DailyCount::Authors => "COUNT(DISTINCT user_id)",
        }
    }
}

/// The System Console's "extra" counts (`GET /analytics/old?name=extra_counts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtraStatistics {
    pub file_posts: i64,
    pub hashtag_posts: i64,
    pub sessions: i64,
}

/// Counts for the System Console's site statistics (`GET /api/v4/analytics/old`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SiteStatistics {
    /// Public channels, archived ones included (as Mattermost counts them).
    pub public_channels: i64,
    /// Private channels, archived ones included.
    pub private_channels: i64,
    /// Posts that are not deleted (system messages included; edit history, kept as
    /// deleted rows, is not). In a team: posts in its channels.
    pub posts: i64,
    /// Active (not deactivated) accounts; in a team, its members with active accounts.
    pub users: i64,
    /// Deactivated accounts, site-wide.
    pub inactive_users: i64,
    /// Teams not archived, site-wide.
    pub teams: i64,
    /// Active accounts with activity since `day_start`, site-wide.
    pub daily_active_users: i64,
    /// Active accounts with activity since `month_start`, site-wide.
    pub monthly_active_users: i64,
}

/// Open database connections, for the site statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Connections {
    /// To the primary database (SQLite: the writer and the open readers).
    pub primary: u32,
    /// To read replicas.
    pub replicas: u32,
}

/// The ordered log of committed changes.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Changes with `seq > after`, oldest first, at most `limit` of them.
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError>;
    /// The newest committed `seq`, or 0 when the feed is empty.
    async fn last_seq(&self) -> Result<i64, StoreError>;
    /// Deletes up to `limit` of the oldest changes that are both below `below_seq` and
    /// committed before `before` (milliseconds); never the newest change, so `last_seq`
    /// stays. Returns how many were deleted. Followers must be past `below_seq`.
    async fn prune_changes(
        &self,
        below_seq: i64,
        before: i64,
        limit: u32,
    ) -> Result<u64, StoreError>;
    /// Live changes as they commit, in `seq` order. A receiver that falls behind gets
    /// `Lagged` and should catch up with [`ChangeFeed::changes_since`].
    fn subscribe(&self) -> broadcast::Receiver<Change>;
}

/// Everything the application needs from storage.
pub trait Store:
    SystemStore
    + ChangeFeed
    + UserStore
    + SessionStore
    + AccessTokenStore
    + AuditStore
    + PreferenceStore
    + SidebarStore
    + TeamStore
    + ChannelStore
    + PostStore
    + ThreadStore
    + FileInfoStore
    + EmojiStore
{
    /// The schema migration done when the store was opened.
    fn schema_status(&self) -> &SchemaStatus;
    /// The engine's name and version, for logs and `hearth version`.
    fn engine_version(&self) -> String;
    /// How many database connections are open now.
    fn connections(&self) -> Connections;
}

/// How to order a user list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Username,
    CreateAt,
    LastActivityAt,
}

/// Filters and paging for listing or searching users.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Only active (`Some(true)`) or only deactivated (`Some(false)`) users.
    pub active: Option<bool>,
    /// Only users holding this system role.
    pub role: Option<String>,
    /// Case-insensitive prefix of username, first or last name, nickname or e-mail.
    pub term: Option<String>,
    /// Match the term against e-mail addresses too (only when the caller may see them).
    pub search_email: bool,
    /// Only these users (e.g. the candidates the search directory found for a term). An
    /// empty list matches no one.
    pub ids: Option<Vec<String>>,
    /// Only active members of this team.
    pub in_team: Option<String>,
    /// Only users who are not active members of this team.
    pub not_in_team: Option<String>,
    /// Only members of this channel.
    pub in_channel: Option<String>,
    /// Only users who are not members of this channel.
    pub not_in_channel: Option<String>,
    /// Only users in no team at all.
    pub without_team: bool,
    /// Only users who share a channel with this user (or are this user): what a guest sees.
    pub sharing_channel_with: Option<String>,
    pub sort: UserSort,
    pub offset: u32,
    pub limit: u32,
}

/// What login needs to know about a user, never sent to clients.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub password_hash: String,
    pub failed_attempts: i64,
    pub mfa_active: bool,
    pub mfa_secret: String,
    pub mfa_last_step: i64,
}

/// User accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates `user` (id, times and roles set by the caller) with `password_hash`. If no
    /// user exists yet, `first_user_roles` replaces the roles: the check and the insert are
    /// one transaction, so exactly one account becomes the first. `Conflict` names the
    /// taken field (`username` or `email`).
    async fn create_user(
        &self,
        user: &crate::model::User,
        password_hash: &str,
        first_user_roles: &str,
    ) -> Result<crate::model::User, StoreError>;
    async fn get_user(&self, id: &str) -> Result<crate::model::User, StoreError>;
    async fn get_user_by_username(&self, username: &str) -> Result<crate::model::User, StoreError>;
    async fn get_user_by_email(&self, email: &str) -> Result<crate::model::User, StoreError>;
    /// The users among `ids` that exist, in no particular order.
    async fn get_users_by_ids(&self, ids: &[String])
    -> Result<Vec<crate::model::User>, StoreError>;
    async fn get_users_by_usernames(
        &self,
        usernames: &[String],
    ) -> Result<Vec<crate::model::User>, StoreError>;
    async fn list_users(&self, query: &UserQuery) -> Result<Vec<crate::model::User>, StoreError>;
    /// Every user, deactivated ones too, with an id after `after` (from the start when
    /// `None`), by id, at most `limit`: for rebuilding what is derived from the users, such
    /// as the search directory.
    async fn scan_users(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<crate::model::User>, StoreError>;
    async fn count_users(&self) -> Result<i64, StoreError>;
    /// The ids of everyone who shares at least one channel with `user_id` (not the user),
    /// sorted: who the user knows.
    async fn known_user_ids(&self, user_id: &str) -> Result<Vec<String>, StoreError>;
    /// How many users `query` matches, ignoring its order and paging.
    async fn count_matching_users(&self, query: &UserQuery) -> Result<i64, StoreError>;
    /// Saves the profile fields of `user` (username, email, names, position, locale, props,
    /// notify props, timezone, email_verified) and bumps `update_at`.
    async fn update_user(
        &self,
        user: &crate::model::User,
    ) -> Result<crate::model::User, StoreError>;
    async fn update_user_roles(
        &self,
        id: &str,
        roles: &str,
    ) -> Result<crate::model::User, StoreError>;
    /// Activates or deactivates. Deactivating also ends every session and disables every
    /// access token of the user, in the same transaction.
    async fn set_user_active(
        &self,
        id: &str,
        active: bool,
    ) -> Result<crate::model::User, StoreError>;
    async fn get_credentials(&self, id: &str) -> Result<Credentials, StoreError>;
    /// Stores a new password hash and resets the failed-attempt counter.
    async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError>;
    /// Counts a failed login; returns the new count.
    async fn record_login_failure(&self, id: &str) -> Result<i64, StoreError>;
    /// Resets the failed-attempt counter and sets `last_login`.
    async fn record_login_success(&self, id: &str) -> Result<(), StoreError>;
    /// Resets the failed-attempt counter only (an admin unlocking an account);
    /// `NotFound` for no such user.
    async fn reset_failed_attempts(&self, id: &str) -> Result<(), StoreError>;
    /// Stores the MFA secret and whether MFA is active (an empty secret turns it off).
    async fn set_mfa(&self, id: &str, secret: &str, active: bool) -> Result<(), StoreError>;
    /// Marks TOTP step `step` used if it is newer than the last one used; `false` means it
    /// is a replay. Atomic, so two logins racing with one code cannot both win.
    async fn use_mfa_step(&self, id: &str, step: i64) -> Result<bool, StoreError>;
    /// Sets (or with `None` clears) the custom profile picture.
    async fn set_picture(&self, id: &str, png: Option<Vec<u8>>) -> Result<(), StoreError>;
    /// The custom profile picture, or `NotFound` when the user has none.
    async fn get_picture(&self, id: &str) -> Result<Vec<u8>, StoreError>;
}

/// Login sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &crate::model::Session) -> Result<(), StoreError>;
    async fn get_session_by_token(&self, token: &str) -> Result<crate::model::Session, StoreError>;
    async fn get_session(&self, id: &str) -> Result<crate::model::Session, StoreError>;
    /// Records activity and, when `expires_at` is given, extends the session.
    async fn touch_session(
        &self,
        id: &str,
        last_activity_at: i64,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Gives the session the mobile device it runs on (a push token such as
    /// `android_rn-v2:…`) and a new expiry.
    async fn attach_session_device(
        &self,
        id: &str,
        device_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// The user's sessions, newest first.
    async fn list_sessions(&self, user_id: &str) -> Result<Vec<crate::model::Session>, StoreError>;
    async fn revoke_session(&self, id: &str) -> Result<(), StoreError>;
    /// Ends all of a user's sessions; returns how many.
    async fn revoke_user_sessions(&self, user_id: &str) -> Result<u64, StoreError>;
}

/// Personal access tokens.
#[async_trait]
pub trait AccessTokenStore: Send + Sync {
    async fn create_access_token(
        &self,
        token: &crate::model::UserAccessToken,
    ) -> Result<(), StoreError>;
    async fn get_access_token(&self, id: &str)
    -> Result<crate::model::UserAccessToken, StoreError>;
    async fn get_access_token_by_token(
        &self,
        token: &str,
    ) -> Result<crate::model::UserAccessToken, StoreError>;
    /// Tokens of one user, or of everyone when `user_id` is `None`.
    async fn list_access_tokens(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<crate::model::UserAccessToken>, StoreError>;
    async fn set_access_token_active(&self, id: &str, active: bool) -> Result<(), StoreError>;
    async fn delete_access_token(&self, id: &str) -> Result<(), StoreError>;
}

/// The audit log of security events.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn record_audit(&self, audit: &crate::model::Audit) -> Result<(), StoreError>;
    /// Newest first; one user's or everyone's.
    async fn list_audits(
        &self,
        user_id: Option<&str>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<crate::model::Audit>, StoreError>;
}
