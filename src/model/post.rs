use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Props, is_false, is_zero};

/// A message (`model.Post`). Replies point at their thread root with `root_id`;
/// threads are one level deep.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Post {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub is_pinned: bool,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub original_id: String,
    /// At most 16383 characters.
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message_source: String,
    /// `""` for a normal post, `system_*` for system messages.
    #[serde(rename = "type")]
    pub post_type: String,
    pub props: Props,
    pub hashtags: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_ids: Vec<String>,
    /// The client's `<user_id>:<ms>` echo, so it can match its optimistic copy.
    pub pending_post_id: String,
    #[serde(skip_serializing_if = "is_false")]
    pub has_reactions: bool,
    pub reply_count: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub last_reply_at: i64,
    pub participants: Option<Vec<serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_following: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

/// A page of posts: `order` newest first, `posts` keyed by id (and possibly holding
/// thread roots that are not in `order`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostList {
    pub order: Vec<String>,
    pub posts: BTreeMap<String, Post>,
    pub next_post_id: String,
    pub prev_post_id: String,
    pub has_next: bool,
    pub first_inaccessible_post_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_uses_mattermost_names() {
        let post = Post {
            id: "p".into(),
            post_type: "system_join_channel".into(),
            ..Post::default()
        };
        let json = serde_json::to_value(&post).unwrap();
        assert_eq!(json["type"], "system_join_channel");
        assert!(json.get("file_ids").is_none());
        assert!(json.get("has_reactions").is_none());
        assert_eq!(json["root_id"], "");
    }
}

/// An emoji reaction to a post (`model.Reaction`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reaction {
    pub user_id: String,
    pub post_id: String,
    pub emoji_name: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub channel_id: String,
}
