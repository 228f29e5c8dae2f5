//! Custom emoji (Mattermost's `Emoji`).

use serde::{Deserialize, Serialize};

/// A custom emoji: a name users write as `:name:` and an image kept in the file store
/// (at `emoji/{id}/image`). Deleting one sets `delete_at`; the row stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Emoji {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub creator_id: String,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_mattermost_names() {
        let emoji = Emoji {
            id: "a".into(),
            create_at: 1,
            update_at: 2,
            delete_at: 0,
            creator_id: "u".into(),
            name: "party".into(),
        };
        let json = serde_json::to_value(&emoji).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "id": "a", "create_at": 1, "update_at": 2, "delete_at": 0,
                "creator_id": "u", "name": "party"
            })
        );
        let partial: Emoji = serde_json::from_str(r#"{"name":"x"}"#).unwrap();
        assert_eq!(partial.name, "x");
    }
}
