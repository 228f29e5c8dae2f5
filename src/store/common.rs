//! What both SQL engines share: column lists, the one-letter codes Mattermost stores for
//! channel and team types, scheme roles, LIKE patterns, and the data of change-feed rows
//! both write alike. Pure functions, no SQL calls.

use crate::model::{Channel, ChannelType, Preference, Team, TeamType};
use crate::store::{ChangeDraft, StoreError};

pub(crate) const CHANNEL_COLUMNS: &str =
    "id, create_at, update_at, delete_at, team_id, type, display_name,
    name, header, purpose, last_post_at, last_root_post_at, total_msg_count, total_msg_count_root,
    creator_id, props, extra_update_at";

pub(crate) const CHANNEL_MEMBER_COLUMNS: &str =
    "channel_id, user_id, roles, scheme_user, scheme_admin, scheme_guest,
    last_viewed_at, msg_count, msg_count_root, mention_count, mention_count_root,
    urgent_mention_count, notify_props, last_update_at";

/// Mattermost's defaults for a new channel membership.
pub(crate) const DEFAULT_NOTIFY_PROPS: &str = r#"{"desktop":"default","email":"default","ignore_channel_mentions":"default","mark_unread":"all","push":"default","channel_auto_follow_threads":"off"}"#;

pub(crate) fn type_code(kind: ChannelType) -> &'static str {
    match kind {
        ChannelType::Open => "O",
        ChannelType::Private => "P",
        ChannelType::Direct => "D",
        ChannelType::Group => "G",
    }
}

pub(crate) fn channel_type(code: &str) -> ChannelType {
    match code {
        "P" => ChannelType::Private,
        "D" => ChannelType::Direct,
        "G" => ChannelType::Group,
        _ => ChannelType::Open,
    }
}

/// The data of a channel update's change-feed row: the channel as saved, and
/// `previous_type`, the type code it had before, only when the update changed it. A
/// change of type is a conversion the whole team hears of (`channel_converted`); any
/// other update is only for the channel's members.
pub(crate) fn channel_update_data(saved: &Channel, previous_type: &str) -> serde_json::Value {
    let mut data =
        serde_json::json!({ "channel": serde_json::to_string(saved).unwrap_or_default() });
    if previous_type != type_code(saved.channel_type) {
        data["previous_type"] = previous_type.into();
    }
    data
}

/// The change-feed row of a saved team (`update_team`, `delete_team`, `restore_team`):
/// the team as a JSON string, as Mattermost's events carry it, for the team's members.
pub(crate) fn team_update_change(kind: &'static str, saved: &Team) -> ChangeDraft {
    ChangeDraft {
        kind,
        entity_id: saved.id.clone(),
        team_id: saved.id.clone(),
        data: serde_json::json!({ "team": serde_json::to_string(saved).unwrap_or_default() }),
        ..ChangeDraft::default()
    }
}

pub(crate) fn team_type_code(kind: TeamType) -> &'static str {
    match kind {
        TeamType::Open => "O",
        TeamType::Invite => "I",
    }
}

pub(crate) fn team_type(code: &str) -> TeamType {
    if code == "I" {
        TeamType::Invite
    } else {
        TeamType::Open
    }
}

/// Mattermost sends a member's effective roles: scheme roles first, then explicit ones.
pub(crate) fn scheme_roles(
    prefix: &str,
    user: bool,
    admin: bool,
    guest: bool,
    explicit: &str,
) -> String {
    let mut roles = Vec::new();
    if guest {
        roles.push(format!("{prefix}_guest"));
    }
    if user {
        roles.push(format!("{prefix}_user"));
    }
    if admin {
        roles.push(format!("{prefix}_admin"));
    }
    roles.extend(explicit.split_whitespace().map(str::to_string));
    roles.join(" ")
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub(crate) fn like_prefix(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 1);
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Deletes the oldest changes below a position (`$1`) and a time (`$2`), at most `$3` of
/// them, never the newest one; the placeholders are written as each engine wants them.
pub(crate) fn prune_changes_sql(below_seq: &str, before: &str, limit: &str) -> String {
    format!(
        "DELETE FROM change_feed WHERE seq IN (
            SELECT seq FROM change_feed
            WHERE seq < {below_seq} AND create_at < {before}
              AND seq < (SELECT MAX(seq) FROM change_feed)
            ORDER BY seq LIMIT {limit})"
    )
}

/// A feed row addressed to `user_id` whose data carries `preferences` as a JSON string, as
/// Mattermost's `preferences_changed`/`preferences_deleted` events do.
pub(crate) fn preferences_change(
    kind: &'static str,
    user_id: &str,
    preferences: &[Preference],
) -> Result<ChangeDraft, StoreError> {
    let list = serde_json::to_string(preferences).map_err(|e| StoreError::Other(e.to_string()))?;
    Ok(ChangeDraft {
        kind,
        entity_id: user_id.to_string(),
        user_id: user_id.to_string(),
        data: serde_json::json!({ "preferences": list }),
        ..ChangeDraft::default()
    })
}
