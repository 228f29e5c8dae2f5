//! Storage of sidebar categories: the categories a user has written on a team and where
//! they placed channels. A default category nobody changed has no row (its id is
//! deterministic), and a channel placed nowhere belongs to its default category; `app`
//! assembles the full sidebar from these rows and the user's channels.

use async_trait::async_trait;
use serde_json::json;

use super::{ChangeDraft, StoreError};
use crate::model::{Preference, SidebarCategory};

/// A channel placed in a category by the user. A channel has at most one place per user
/// and team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub channel_id: String,
    pub category_id: String,
    pub sort_order: i64,
}

/// What is stored of one user's sidebar on one team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SidebarRows {
    /// Categories written so far, `channel_ids` empty, in `sort_order`.
    pub categories: Vec<SidebarCategory>,
    /// Placements, by category then `sort_order`.
    pub placements: Vec<Placement>,
}

/// A category to insert or update.
#[derive(Debug, Clone)]
pub struct CategoryWrite {
    /// Every field is saved; `channel_ids` only when `channels` is set.
    pub category: SidebarCategory,
    /// Replace the category's placements by its `channel_ids`, in that order. A channel
    /// placed here leaves whichever category held it.
    pub channels: bool,
    /// Save only `sort_order` (the other fields too when the category has no row yet), so
    /// a reorder never undoes a rename or a collapse made meanwhile on another device.
    pub order_only: bool,
}

/// What the change feed hears of a sidebar write (Mattermost's `sidebar_category_*`
/// events), addressed to the user on the team.
#[derive(Debug, Clone, Default)]
pub enum SidebarEvent {
    #[default]
    None,
    Created(String),
    Updated(Vec<SidebarCategory>),
    OrderUpdated(Vec<String>),
    Deleted(String),
}

/// One write to a user's sidebar on a team, applied in one transaction.
#[derive(Debug, Clone, Default)]
pub struct SidebarWrite {
    pub categories: Vec<CategoryWrite>,
    /// Categories removed with their placements (their channels fall back to the
    /// default categories).
    pub delete: Vec<String>,
    /// `favorite_channel` preferences kept in step with the Favorites category, each with
    /// its own `preferences_changed`/`preferences_deleted` row.
    pub save_preferences: Vec<Preference>,
    pub delete_preferences: Vec<Preference>,
    pub event: SidebarEvent,
}

#[async_trait]
pub trait SidebarStore: Send + Sync {
    /// The stored categories and placements of `user_id` on `team_id`.
    async fn sidebar_rows(&self, user_id: &str, team_id: &str) -> Result<SidebarRows, StoreError>;
    /// Applies `write` in one transaction, with its event and preference changes in the
    /// feed. A category of another user or team gives `Invalid`; a user that does not
    /// exist gives `Invalid`.
    async fn write_sidebar(
        &self,
        user_id: &str,
        team_id: &str,
        write: &SidebarWrite,
    ) -> Result<(), StoreError>;
}

/// The feed row of a sidebar write, if it has an event.
pub(crate) fn sidebar_change(
    user_id: &str,
    team_id: &str,
    event: &SidebarEvent,
) -> Result<Option<ChangeDraft>, StoreError> {
    let (kind, entity_id, data) = match event {
        SidebarEvent::None => return Ok(None),
        SidebarEvent::Created(id) => (
            "sidebar_category_created",
            id.clone(),
            json!({ "category_id": id }),
        ),
        SidebarEvent::Deleted(id) => (
            "sidebar_category_deleted",
            id.clone(),
            json!({ "category_id": id }),
        ),
        SidebarEvent::OrderUpdated(order) => (
            "sidebar_category_order_updated",
            user_id.to_string(),
            json!({ "order": order }),
        ),
        SidebarEvent::Updated(categories) => {
            let list =
                serde_json::to_string(categories).map_err(|e| StoreError::Other(e.to_string()))?;
            (
                "sidebar_category_updated",
                user_id.to_string(),
                json!({ "updatedCategories": list }),
            )
        }
    };
    Ok(Some(ChangeDraft {
        kind,
        entity_id,
        team_id: team_id.to_string(),
        user_id: user_id.to_string(),
        data,
        ..ChangeDraft::default()
    }))
}

/// Checks that every category written belongs to `user_id` on `team_id`.
pub(crate) fn check_owner(
    user_id: &str,
    team_id: &str,
    write: &SidebarWrite,
) -> Result<(), StoreError> {
    for c in &write.categories {
        if c.category.user_id != user_id || c.category.team_id != team_id {
            return Err(StoreError::Invalid(
                "a sidebar category belongs to another user or team".into(),
            ));
        }
    }
    Ok(())
}
