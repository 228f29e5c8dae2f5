//! Storage of custom emoji: the `custom_emoji` table. The images are in the file store;
//! the application writes one before it saves the row that names it.

use async_trait::async_trait;

use super::StoreError;
use crate::model::Emoji;

/// Custom emoji. Reads see only emoji that are not deleted.
///
/// Creating one records `emoji_added` in the change feed, with Mattermost's event data
/// `{"emoji": "<the Emoji as a JSON string>"}`, for everyone (no team, channel or user).
#[async_trait]
pub trait EmojiStore: Send + Sync {
    /// Saves `emoji` (id, times, creator and name set by the caller) with its
    /// `emoji_added` change. `Conflict` when an emoji that is not deleted has the name;
    /// `Invalid` when the creator does not exist.
    async fn create_emoji(&self, emoji: &Emoji) -> Result<Emoji, StoreError>;
    /// The emoji with this id, or `NotFound` (also once deleted).
    async fn get_emoji(&self, id: &str) -> Result<Emoji, StoreError>;
    /// The emoji with this name (exactly, case included), or `NotFound`.
    async fn get_emoji_by_name(&self, name: &str) -> Result<Emoji, StoreError>;
    /// The emoji among `names` that exist, by name.
    async fn get_emojis_by_names(&self, names: &[String]) -> Result<Vec<Emoji>, StoreError>;
    /// A page of emoji: by name when `by_name`, else oldest first.
    async fn list_emoji(
        &self,
        by_name: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<Emoji>, StoreError>;
    /// Emoji whose name starts with `term` (`prefix_only`) or contains it, by name, at
    /// most `limit`. `term` is matched literally (`%` and `_` are not wildcards).
    async fn search_emoji(
        &self,
        term: &str,
        prefix_only: bool,
        limit: u32,
    ) -> Result<Vec<Emoji>, StoreError>;
    /// Marks the emoji deleted at `now` (its name is free again) and returns it as it is
    /// now; `NotFound` when there is no such emoji or it is already deleted.
    async fn delete_emoji(&self, id: &str, now: i64) -> Result<Emoji, StoreError>;
}

/// The `emoji_added` change of a new emoji.
pub(crate) fn emoji_added(emoji: &Emoji) -> Result<super::ChangeDraft, StoreError> {
    let json = serde_json::to_string(emoji).map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(super::ChangeDraft {
        kind: "emoji_added",
        entity_id: emoji.id.clone(),
        data: serde_json::json!({ "emoji": json }),
        ..super::ChangeDraft::default()
    })
}

/// The LIKE pattern (with `ESCAPE '\'`) for an emoji search.
pub(crate) fn search_pattern(term: &str, prefix_only: bool) -> String {
    let prefix = super::common::like_prefix(term);
    if prefix_only {
        prefix
    } else {
        format!("%{prefix}")
    }
}
