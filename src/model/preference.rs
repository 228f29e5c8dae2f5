//! Preferences and presence statuses (Mattermost's `Preference`, `Status`, custom status).

use serde::{Deserialize, Serialize};

/// One user preference (Mattermost's `Preference`): a `value` under `category`/`name`.
/// Missing fields read as empty, as Go decodes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preference {
    pub user_id: String,
    pub category: String,
    pub name: String,
    pub value: String,
}

/// A user's presence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Online,
    Away,
    Dnd,
    #[default]
    Offline,
    /// Out of office (set by Mattermost's auto-responder; never chosen through the API).
    Ooo,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Online => "online",
            Presence::Away => "away",
            Presence::Dnd => "dnd",
            Presence::Offline => "offline",
            Presence::Ooo => "ooo",
        }
    }

    pub fn parse(text: &str) -> Option<Presence> {
        Some(match text {
            "online" => Presence::Online,
            "away" => Presence::Away,
            "dnd" => Presence::Dnd,
            "offline" => Presence::Offline,
            "ooo" => Presence::Ooo,
            _ => return None,
        })
    }
}

/// A user's status (Mattermost's `Status`). `dnd_end_time` is in Unix **seconds** (0: DND
/// until changed); `last_activity_at` in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub user_id: String,
    pub status: Presence,
    /// True when the user (or an admin) chose the status; activity does not change it.
    pub manual: bool,
    pub last_activity_at: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub active_channel: String,
    pub dnd_end_time: i64,
}

/// What happened to a user's status; [`Status::after`] says what it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// The user made a request: online, unless they chose a status themselves.
    Activity,
    /// The user or an admin chose a status. `dnd_end_time` counts only for DND.
    Chosen {
        presence: Presence,
        dnd_end_time: i64,
    },
    /// Only time passed: a DND whose end time is over ends.
    Tick,
    /// The user's apps report them idle: an automatic status becomes away.
    Idle,
    /// The user's last real-time connection closed: an automatic status becomes offline.
    Disconnected,
}

impl Status {
    /// The status of a user nobody has seen yet.
    pub fn offline(user_id: &str) -> Status {
        Status {
            user_id: user_id.to_string(),
            status: Presence::Offline,
            manual: false,
            last_activity_at: 0,
            active_channel: String::new(),
            dnd_end_time: 0,
        }
    }

    /// Whether this is a DND with an end time that has passed at `now_ms`.
    pub fn dnd_expired(&self, now_ms: i64) -> bool {
        self.status == Presence::Dnd
            && self.dnd_end_time > 0
            && self.dnd_end_time.saturating_mul(1000) <= now_ms
    }

    /// The status after `change` at `now_ms`. An expired DND first reverts to automatic
    /// online; then activity makes an automatic status online, and a chosen status replaces
    /// whatever was there (choosing `online` hands the status back to activity, as in
    /// Mattermost). Pure, so the store can apply it inside its write transaction and two
    /// racing changes cannot undo each other.
    pub fn after(&self, change: StatusChange, now_ms: i64) -> Status {
        let mut next = self.clone();
        if next.dnd_expired(now_ms) {
            next.status = Presence::Online;
            next.manual = false;
            next.dnd_end_time = 0;
        }
        match change {
            StatusChange::Activity => {
                if !next.manual {
                    next.status = Presence::Online;
                }
                next.last_activity_at = now_ms;
            }
            StatusChange::Chosen {
                presence,
                dnd_end_time,
            } => {
                next.status = presence;
                next.manual = presence != Presence::Online;
                next.dnd_end_time = if presence == Presence::Dnd {
                    dnd_end_time
                } else {
                    0
                };
                if matches!(presence, Presence::Online | Presence::Offline) {
                    next.last_activity_at = now_ms;
                }
            }
            StatusChange::Tick => {}
            StatusChange::Idle => {
                if !next.manual && next.status == Presence::Online {
                    next.status = Presence::Away;
                }
            }
            StatusChange::Disconnected => {
                if !next.manual {
                    next.status = Presence::Offline;
                }
            }
        }
        next
    }
}

/// A custom status (Mattermost keeps it as JSON in the user's `customStatus` prop; Hearth
/// keeps it in its own table). `expires_at` is an RFC 3339 time, or Go's zero time for
/// "until cleared".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomStatus {
    pub emoji: String,
    pub text: String,
    pub duration: String,
    pub expires_at: String,
}
