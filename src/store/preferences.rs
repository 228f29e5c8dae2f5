//! Storage of user preferences, presence statuses and custom statuses.
//!
//! The plain types come from `app::preferences` until they move to `model/`; the rules for
//! how a status changes are pure functions on [`Status`] that the implementations apply
//! inside their write transaction.

use async_trait::async_trait;

use super::StoreError;
use crate::model::{CustomStatus, Preference, Status, StatusChange};

/// User preferences (`category`/`name`/`value` triples) and presence statuses.
///
/// Change-feed rows, with Mattermost's WebSocket event names and data: `preferences_changed`
/// and `preferences_deleted` (`{"preferences": "<JSON array as a string>"}`),
/// `status_change` (`{"status", "user_id"}`) and, for custom statuses, `user_updated`
/// (`{"user_id"}`, as the user store writes it). All are addressed to the user (`user_id`).
#[async_trait]
pub trait PreferenceStore: Send + Sync {
    /// All of a user's preferences, by category then name.
    async fn get_preferences(&self, user_id: &str) -> Result<Vec<Preference>, StoreError>;
    /// A user's preferences in one category, by name; empty when there are none.
    async fn get_preferences_in_category(
        &self,
        user_id: &str,
        category: &str,
    ) -> Result<Vec<Preference>, StoreError>;
    /// One preference, or `NotFound`.
    async fn get_preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> Result<Preference, StoreError>;
    /// Inserts or replaces `preferences` (each must have `user_id`) in one transaction with
    /// one `preferences_changed` change. A user that does not exist gives `Invalid`.
    async fn save_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError>;
    /// Deletes the preferences named by category and name (values are ignored, missing ones
    /// skipped) in one transaction with one `preferences_deleted` change.
    async fn delete_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
    ) -> Result<(), StoreError>;

    /// The statuses of the users among `user_ids` that exist, in no particular order. A user
    /// with no stored status is offline and not manual.
    async fn get_statuses(&self, user_ids: &[String]) -> Result<Vec<Status>, StoreError>;
    /// Applies `change` at `now_ms` (see [`Status::after`]) to the user's stored status in
    /// one transaction and returns the result. Writes only when something changed, with a
    /// `status_change` change when the status value changed or was chosen. A user that does
    /// not exist gives `Invalid`.
    async fn update_status(
        &self,
        user_id: &str,
        change: StatusChange,
        now_ms: i64,
    ) -> Result<Status, StoreError>;

    /// The user's custom status, or `NotFound` when none is set (expiry is not checked).
    async fn get_custom_status(&self, user_id: &str) -> Result<CustomStatus, StoreError>;
    /// Sets the user's custom status, recording `user_updated`. A user that does not exist
    /// gives `Invalid`.
    async fn set_custom_status(
        &self,
        user_id: &str,
        status: &CustomStatus,
    ) -> Result<(), StoreError>;
    /// Clears the user's custom status, recording `user_updated` when there was one.
    async fn delete_custom_status(&self, user_id: &str) -> Result<(), StoreError>;
}
