//! Mattermost's event envelope, and the translation of committed changes into events.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::model::{Channel, ChannelType, Post};
use crate::store::{Change, Store};

/// Who an event is for (Mattermost's `broadcast`). The most specific non-empty field
/// decides: a user, else a channel's members, else a team's members, else everyone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Broadcast {
    pub omit_users: Option<BTreeMap<String, bool>>,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub connection_id: String,
    pub omit_connection_id: String,
}

/// An event on its way to connections; each connection numbers it with its own `seq`.
#[derive(Debug, Clone)]
pub struct OutEvent {
    pub event: String,
    pub data: Map<String, Value>,
    pub broadcast: Broadcast,
    /// Users whose copy also carries `mentions` (a `posted` event's mentioned users).
    pub mentioned: Vec<String>,
    /// The change-feed `seq` this event comes from; 0 for events not from the feed.
    pub change_seq: i64,
}

impl OutEvent {
    pub fn new(event: &str, data: Value, broadcast: Broadcast) -> Self {
        OutEvent {
            event: event.to_string(),
            data: match data {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            broadcast,
            mentioned: Vec::new(),
            change_seq: 0,
        }
    }

    /// Events a busy connection may lose without harm (the next one corrects them).
    pub fn droppable(&self) -> bool {
        matches!(
            self.event.as_str(),
            "typing" | "status_change" | "multiple_channels_viewed"
        )
    }

    /// The frame for `user_id`'s connection, numbered `seq`.
    pub fn frame(&self, user_id: &str, seq: i64) -> String {
        #[derive(Serialize)]
        struct Frame<'a> {
            event: &'a str,
            data: &'a Map<String, Value>,
            broadcast: &'a Broadcast,
            seq: i64,
        }
        let personal;
        let data = if self.mentioned.iter().any(|u| u == user_id) {
            let mut copy = self.data.clone();
            copy.insert(
                "mentions".into(),
                Value::String(json!([user_id]).to_string()),
            );
            personal = copy;
            &personal
        } else {
            &self.data
        };
        serde_json::to_string(&Frame {
            event: &self.event,
            data,
            broadcast: &self.broadcast,
            seq,
        })
        .unwrap_or_default()
    }
}

fn to_user(user_id: &str) -> Broadcast {
    Broadcast {
        user_id: user_id.to_string(),
        ..Broadcast::default()
    }
}

fn to_channel(channel_id: &str) -> Broadcast {
    Broadcast {
        channel_id: channel_id.to_string(),
        ..Broadcast::default()
    }
}

fn to_team(team_id: &str) -> Broadcast {
    Broadcast {
        team_id: team_id.to_string(),
        ..Broadcast::default()
    }
}

fn type_code(kind: ChannelType) -> &'static str {
    match kind {
        ChannelType::Open => "O",
        ChannelType::Private => "P",
        ChannelType::Direct => "D",
        ChannelType::Group => "G",
    }
}

fn field(change: &Change, key: &str) -> String {
    change
        .data
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Turns one committed change into the events clients expect. Reads what the change
/// does not carry (channel names, the sender) from the store; a change nobody needs to
/// hear about gives no events.
pub async fn translate(store: &dyn Store, config: &Config, change: &Change) -> Vec<OutEvent> {
    let d = &change.data;
    match change.kind.as_str() {
        "posted" => {
            let mut events: Vec<OutEvent> = posted(store, change).await.into_iter().collect();
            events.extend(thread_updated(store, config, change).await);
            events
        }
        "post_edited" | "post_deleted" => vec![OutEvent::new(
            &change.kind,
            json!({ "post": d["post"] }),
            to_channel(&change.channel_id),
        )],
        "reaction_added" | "reaction_removed" => vec![OutEvent::new(
            &change.kind,
            json!({ "reaction": d["reaction"] }),
            to_channel(&change.channel_id),
        )],
        "channel_created" => vec![OutEvent::new(
            "channel_created",
            json!({ "channel_id": change.channel_id, "team_id": change.team_id }),
            to_user(&change.user_id),
        )],
        "direct_added" | "group_added" => {
            direct_or_group(store, change).await.into_iter().collect()
        }
        "channel_updated" => {
            let mut events = vec![OutEvent::new(
                "channel_updated",
                json!({ "channel": d["channel"] }),
                to_channel(&change.channel_id),
            )];
            // Only a change of privacy (the store names the type it had) is the whole
            // team's business; any other update of a private channel would announce
            // its id to team members outside it.
            if d.get("previous_type").is_some()
                && let Some(channel) = parse::<Channel>(&d["channel"])
                && !channel.team_id.is_empty()
            {
                events.push(OutEvent::new(
                    "channel_converted",
                    json!({ "channel_id": channel.id }),
                    to_team(&channel.team_id),
                ));
            }
            events
        }
        "channel_deleted" | "channel_restored" => {
            let channel = parse::<Channel>(&d["channel"]).unwrap_or_default();
            let target = if channel.channel_type == ChannelType::Open {
                to_team(&channel.team_id)
            } else {
                to_channel(&channel.id)
            };
            let data = if change.kind == "channel_deleted" {
                json!({ "channel_id": channel.id, "delete_at": channel.delete_at })
            } else {
                json!({ "channel_id": channel.id })
            };
            vec![OutEvent::new(&change.kind, data, target)]
        }
        "post_unread" => {
            let mut data = d.clone();
            if let Some(map) = data.as_object_mut() {
                map.insert("channel_id".into(), json!(change.channel_id));
                map.insert("team_id".into(), json!(change.team_id));
            }
            vec![OutEvent::new(
                "post_unread",
                data,
                Broadcast {
                    channel_id: change.channel_id.clone(),
                    team_id: change.team_id.clone(),
                    ..to_user(&change.user_id)
                },
            )]
        }
        "user_added" => vec![OutEvent::new(
            "user_added",
            json!({ "user_id": change.user_id, "team_id": change.team_id }),
            to_channel(&change.channel_id),
        )],
        "user_removed" => vec![
            OutEvent::new(
                "user_removed",
                json!({ "user_id": change.user_id, "remover_id": "" }),
                to_channel(&change.channel_id),
            ),
            OutEvent::new(
                "user_removed",
                json!({ "channel_id": change.channel_id, "remover_id": "" }),
                to_user(&change.user_id),
            ),
        ],
        "channel_member_updated" => vec![OutEvent::new(
            "channel_member_updated",
            json!({ "channelMember": d["channelMember"] }),
            to_user(&change.user_id),
        )],
        "channel_viewed" => vec![
            OutEvent::new(
                "multiple_channels_viewed",
                json!({ "channel_times": { change.channel_id.clone(): change.create_at } }),
                to_user(&change.user_id),
            ),
            OutEvent::new(
                "channel_viewed",
                json!({ "channel_id": change.channel_id }),
                to_user(&change.user_id),
            ),
        ],
        "added_to_team" => vec![OutEvent::new(
            "added_to_team",
            json!({ "team_id": change.team_id, "user_id": change.user_id }),
            to_user(&change.user_id),
        )],
        "leave_team" => vec![
            OutEvent::new(
                "leave_team",
                json!({ "team_id": change.team_id, "user_id": change.user_id }),
                to_team(&change.team_id),
            ),
            OutEvent::new(
                "leave_team",
                json!({ "team_id": change.team_id, "user_id": change.user_id }),
                to_user(&change.user_id),
            ),
        ],
        "update_team" | "delete_team" | "restore_team" => {
            // Every member hears it: the team's contact address and its invitation id
            // (which lets anyone join) are for those who may manage or invite, and they
            // read them from the API.
            let team = parse::<crate::model::Team>(&d["team"]).map(|mut team| {
                team.email.clear();
                team.invite_id.clear();
                serde_json::to_string(&team).unwrap_or_default()
            });
            match team {
                Some(team) => vec![OutEvent::new(
                    &change.kind,
                    json!({ "team": team }),
                    to_team(&change.team_id),
                )],
                None => Vec::new(),
            }
        }
        "memberrole_updated" => match store
            .get_team_member(&change.team_id, &change.user_id)
            .await
        {
            Ok(member) => vec![OutEvent::new(
                "memberrole_updated",
                json!({ "member": serde_json::to_string(&member).unwrap_or_default() }),
                to_user(&change.user_id),
            )],
            Err(_) => Vec::new(),
        },
        "new_user" => vec![OutEvent::new(
            "new_user",
            json!({ "user_id": change.user_id }),
            Broadcast::default(),
        )],
        "user_updated" => match store.get_user(&change.user_id).await {
            Ok(user) => {
                let user = crate::app::users::sanitize(user, None, config);
                vec![OutEvent::new(
                    "user_updated",
                    json!({ "user": user }),
                    Broadcast::default(),
                )]
            }
            Err(_) => Vec::new(),
        },
        "user_role_updated" => vec![OutEvent::new(
            "user_role_updated",
            json!({ "user_id": change.user_id, "roles": field(change, "roles") }),
            to_user(&change.user_id),
        )],
        "preferences_changed"
        | "preferences_deleted"
        | "thread_follow_changed"
        | "thread_read_changed" => {
            vec![OutEvent::new(
                &change.kind,
                d.clone(),
                Broadcast {
                    team_id: change.team_id.clone(),
                    ..to_user(&change.user_id)
                },
            )]
        }
        "sidebar_category_created"
        | "sidebar_category_updated"
        | "sidebar_category_order_updated"
        | "sidebar_category_deleted" => {
            let mut data = d.clone();
            if let Some(map) = data.as_object_mut() {
                map.insert("team_id".into(), json!(change.team_id));
            }
            vec![OutEvent::new(
                &change.kind,
                data,
                Broadcast {
                    team_id: change.team_id.clone(),
                    ..to_user(&change.user_id)
                },
            )]
        }
        "emoji_added" => vec![OutEvent::new(
            "emoji_added",
            json!({ "emoji": d["emoji"] }),
            Broadcast::default(),
        )],
        "status_change" => vec![OutEvent::new(
            "status_change",
            json!({ "status": field(change, "status"), "user_id": change.user_id }),
            Broadcast::default(),
        )],
        _ => Vec::new(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: &Value) -> Option<T> {
    value.as_str().and_then(|s| serde_json::from_str(s).ok())
}

async fn posted(store: &dyn Store, change: &Change) -> Option<OutEvent> {
    let post: Post = parse(&change.data["post"])?;
    let channel = store.get_channel(&post.channel_id).await.ok()?;
    let sender = store
        .get_user(&post.user_id)
        .await
        .map(|u| format!("@{}", u.username))
        .unwrap_or_default();
    let mut event = OutEvent::new(
        "posted",
        json!({
            "post": change.data["post"],
            "channel_type": type_code(channel.channel_type),
            "channel_display_name": channel.display_name,
            "channel_name": channel.name,
            "sender_name": sender,
            "team_id": channel.team_id,
            "set_online": true,
        }),
        to_channel(&channel.id),
    );
    event.mentioned = parse(&change.data["mentions"]).unwrap_or_default();
    Some(event)
}

/// A reply changes its thread for everyone following it: each follower gets the thread
/// with their own unread counts (collapsed reply threads, unless switched off).
async fn thread_updated(store: &dyn Store, config: &Config, change: &Change) -> Vec<OutEvent> {
    let Some(post) = parse::<Post>(&change.data["post"]) else {
        return Vec::new();
    };
    if post.root_id.is_empty() || config.service_settings.collapsed_threads == "disabled" {
        return Vec::new();
    }
    let followers = store
        .thread_followers(&post.root_id)
        .await
        .unwrap_or_default();
    // A follower who has left the channel keeps the follow (the thread lists skip it),
    // but hears nothing more of the channel: its replies may be private.
    let members: HashSet<String> = store
        .channel_member_ids(&post.channel_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mut events = Vec::with_capacity(followers.len());
    for user_id in followers.into_iter().filter(|u| members.contains(u)) {
        let Ok(thread) = store.get_thread(&user_id, &post.root_id).await else {
            continue;
        };
        let Ok(thread) = crate::app::threads::thread_response(store, config, None, thread).await
        else {
            continue;
        };
        events.push(OutEvent::new(
            "thread_updated",
            json!({ "thread": thread.to_string() }),
            Broadcast {
                team_id: change.team_id.clone(),
                ..to_user(&user_id)
            },
        ));
    }
    events
}

async fn direct_or_group(store: &dyn Store, change: &Change) -> Option<OutEvent> {
    let channel = store.get_channel(&change.channel_id).await.ok()?;
    let data = if channel.channel_type == ChannelType::Direct {
        let teammate = channel
            .name
            .split("__")
            .find(|id| *id != change.user_id)
            .unwrap_or(&change.user_id)
            .to_string();
        json!({ "creator_id": change.user_id, "teammate_id": teammate })
    } else {
        let members = store.list_channel_members(&channel.id, 0, 16).await.ok()?;
        let ids: Vec<String> = members.into_iter().map(|m| m.user_id).collect();
        json!({ "teammate_ids": json!(ids).to_string() })
    };
    Some(OutEvent::new(&change.kind, data, to_channel(&channel.id)))
}
