//! What clients look up in bulk, mostly while the official apps load: the users the caller
//! knows, the members of their group messages, which of some users are in a channel, a
//! channel's time zones, channels by id, the teams a group message's members share, and
//! the posts around where the caller stopped reading. Reads only; every one checks the
//! caller may see what it names. Must not depend on actix or SQL.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::app::Actor;
use crate::app::channels::{channel_error, require_channel, require_member_list};
use crate::app::permissions::perm;
use crate::app::users::{check_id, sanitize};
use crate::error::AppError;
use crate::model::{Channel, ChannelMember, ChannelType, PostList, Team, User, is_valid_id};
use crate::state::AppState;
use crate::store::{PostWindow, StoreError};

/// Most ids one lookup may name.
pub const MAX_IDS: usize = 200;

fn check_ids(ids: &[String], name: &'static str) -> Result<(), AppError> {
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(AppError::InvalidBody {
            name,
            detail: format!("give between 1 and {MAX_IDS} ids"),
        });
    }
    ids.iter().try_for_each(|id| check_id(id, name))
}

/// `GET /users/known`: the ids of everyone who shares a channel with the caller (the
/// caller left out), sorted.
pub async fn known_users(state: &AppState, actor: &Actor) -> Result<Vec<String>, AppError> {
    Ok(state.store.known_user_ids(&actor.user.id).await?)
}

/// `POST /users/group_channels`: for each group message of the caller's among
/// `channel_ids`, its other members (sanitised for the caller). Channels that are not the
/// caller's group messages are left out, as in Mattermost.
pub async fn group_channel_members(
    state: &AppState,
    actor: &Actor,
    channel_ids: &[String],
) -> Result<BTreeMap<String, Vec<User>>, AppError> {
    check_ids(channel_ids, "channel_ids")?;
    let config = state.config();
    let mut out = BTreeMap::new();
    for channel_id in channel_ids {
        let channel = match state.store.get_channel(channel_id).await {
            Ok(c) if c.channel_type == ChannelType::Group => c,
            Ok(_) | Err(StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        let ids = state.store.channel_member_ids(&channel.id).await?;
        if !ids.contains(&actor.user.id) {
            continue;
        }
        let others: Vec<String> = ids.into_iter().filter(|id| *id != actor.user.id).collect();
        let mut users: Vec<User> = state
            .store
            .get_users_by_ids(&others)
            .await?
            .into_iter()
            .map(|u| sanitize(u, Some(actor), &config))
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        out.insert(channel.id, users);
    }
    Ok(out)
}

/// `POST /channels/{id}/members/ids`: the memberships of the named users, for callers
/// who may list the channel's members. Others' read positions are left out.
pub async fn members_by_ids(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    user_ids: &[String],
) -> Result<Vec<ChannelMember>, AppError> {
    check_ids(user_ids, "user_ids")?;
    require_member_list(state, actor, channel_id).await?;
    let mut seen = HashSet::new();
    let mut members = Vec::new();
    for user_id in user_ids.iter().filter(|id| seen.insert(id.as_str())) {
        match state.store.get_channel_member(channel_id, user_id).await {
            Ok(mut member) => {
                if member.user_id != actor.user.id {
                    member.last_viewed_at = 0;
                    member.last_update_at = 0;
                }
                members.push(member);
            }
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(members)
}

/// The time zone a user's clock shows: the automatic one when they chose it, else their
/// manual one.
fn zone_of(user: &User) -> &str {
    let tz = &user.timezone;
    if tz.use_automatic_timezone == "true" {
        &tz.automatic_timezone
    } else {
        &tz.manual_timezone
    }
}

/// `GET /channels/{id}/timezones`: the distinct time zones of the channel's members.
pub async fn channel_timezones(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<Vec<String>, AppError> {
    require_member_list(state, actor, channel_id).await?;
    let ids = state.store.channel_member_ids(channel_id).await?;
    let zones: BTreeSet<String> = state
        .store
        .get_users_by_ids(&ids)
        .await?
        .iter()
        .filter(|u| u.delete_at == 0)
        .map(|u| zone_of(u).to_string())
        .filter(|z| !z.is_empty())
        .collect();
    Ok(zones.into_iter().collect())
}

/// `POST /teams/{team_id}/channels/ids`: the team's channels among `channel_ids` that the
/// caller may read; any other id is a 403 (or 404 when it names nothing), as one refusal
/// for the whole request.
pub async fn team_channels_by_ids(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    channel_ids: &[String],
) -> Result<Vec<Channel>, AppError> {
    check_ids(channel_ids, "channel_ids")?;
    crate::app::teams::require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    let mut seen = HashSet::new();
    let mut channels = Vec::new();
    for id in channel_ids.iter().filter(|id| seen.insert(id.as_str())) {
        let access = require_channel(state, actor, id, perm::READ_CHANNEL).await?;
        if access.channel.team_id != team_id {
            return Err(AppError::Forbidden);
        }
        channels.push(access.channel);
    }
    Ok(channels)
}

/// `GET /channels/{id}/common_teams`: the teams every member of a group message belongs
/// to (where it could become a channel). Only for group messages, and their members.
pub async fn common_teams(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<Vec<Team>, AppError> {
    let access = require_member_list(state, actor, channel_id).await?;
    if access.channel.channel_type != ChannelType::Group {
        return Err(AppError::invalid(
            "api.channel.common_teams.not_group_channel.app_error",
            "Common teams are only for group messages.",
        ));
    }
    let mut common: Option<BTreeMap<String, Team>> = None;
    for user_id in state.store.channel_member_ids(channel_id).await? {
        let teams: BTreeMap<String, Team> = state
            .store
            .list_user_teams(&user_id)
            .await?
            .into_iter()
            .filter(|t| t.delete_at == 0)
            .map(|t| (t.id.clone(), t))
            .collect();
        common = Some(match common {
            None => teams,
            Some(so_far) => so_far
                .into_iter()
                .filter(|(id, _)| teams.contains_key(id))
                .collect(),
        });
    }
    // Only for choosing where the conversation could go: a team's contact address and
    // its invitation id are not for every member of a group message.
    Ok(common
        .unwrap_or_default()
        .into_values()
        .map(|mut team| {
            team.email.clear();
            team.invite_id.clear();
            team
        })
        .collect())
}

/// How many posts `GET /users/{u}/channels/{c}/posts/unread` returns each side of where
/// the user stopped reading.
#[derive(Debug, Clone, Copy)]
pub struct UnreadWindow {
    pub before: u32,
    pub after: u32,
}

/// `GET /users/{u}/channels/{c}/posts/unread`: the posts around the user's last view:
/// up to `before` read ones and `after` unread ones, newest first, with the neighbours
/// beyond them named (as Mattermost's "jump to new messages" page).
pub async fn posts_around_unread(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    channel_id: &str,
    window: UnreadWindow,
) -> Result<PostList, AppError> {
    actor.require_self_or_admin(user_id)?;
    if window.before > 200 || window.after > 200 || window.before + window.after == 0 {
        return Err(AppError::InvalidParam {
            name: "limit_before/limit_after",
        });
    }
    require_channel(state, actor, channel_id, perm::READ_CHANNEL_CONTENT).await?;
    let member = state
        .store
        .get_channel_member(channel_id, user_id)
        .await
        .map_err(|_| crate::app::channels::member_missing())?;
    // The first unread ones (newest first), then the read ones before the first of them.
    let mut posts = state
        .store
        .channel_posts(
            channel_id,
            &PostWindow::CreatedAfter {
                time: member.last_viewed_at,
                limit: window.after,
            },
        )
        .await
        .map_err(channel_error)?;
    let first_unread = posts.last().map(|p| p.id.clone());
    let older = match &first_unread {
        Some(id) => {
            state
                .store
                .channel_posts(
                    channel_id,
                    &PostWindow::Before {
                        post_id: id.clone(),
                        limit: window.before,
                    },
                )
                .await?
        }
        None => {
            state
                .store
                .channel_posts(
                    channel_id,
                    &PostWindow::Page {
                        offset: 0,
                        limit: window.before,
                    },
                )
                .await?
        }
    };
    posts.extend(older.into_iter().take(window.before as usize));
    let mut list = crate::app::posts::post_list(state, posts.clone()).await?;
    if let Some(oldest) = posts.last() {
        list.prev_post_id = first_post(
            state,
            channel_id,
            PostWindow::Before {
                post_id: oldest.id.clone(),
                limit: 1,
            },
        )
        .await?;
    }
    if let Some(newest) = posts.first()
        && is_valid_id(&newest.id)
    {
        list.next_post_id = first_post(
            state,
            channel_id,
            PostWindow::After {
                post_id: newest.id.clone(),
                limit: 1,
            },
        )
        .await?;
        list.has_next = !list.next_post_id.is_empty();
    }
    Ok(list)
}

async fn first_post(
    state: &AppState,
    channel_id: &str,
    window: PostWindow,
) -> Result<String, AppError> {
    Ok(state
        .store
        .channel_posts(channel_id, &window)
        .await?
        .into_iter()
        .next()
        .map(|p| p.id)
        .unwrap_or_default())
}

/// `GET /users/{user_id}/channel_members`: all of a user's channel memberships (every
/// team and their conversations), by channel id, a page at a time; the user themself or
/// an admin allowed to read other users.
pub async fn user_channel_members(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    offset: u32,
    limit: u32,
) -> Result<Vec<ChannelMember>, AppError> {
    if actor.user.id != user_id && !actor.can(perm::READ_OTHER_USERS) {
        return Err(AppError::Forbidden);
    }
    let mut members = state.store.list_user_channel_members(user_id, None).await?;
    members.sort_by(|a, b| a.channel_id.cmp(&b.channel_id));
    Ok(members
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect())
}

/// `POST /channels/group/search`: the caller's group messages with a member whose
/// username starts with `term` (case aside), by display name.
pub async fn search_group_channels(
    state: &AppState,
    actor: &Actor,
    term: &str,
) -> Result<Vec<Channel>, AppError> {
    let term = term.trim().trim_start_matches('@').to_lowercase();
    if term.is_empty() || term.chars().count() > 64 {
        return Err(AppError::InvalidBody {
            name: "term",
            detail: "give a search term of 1 to 64 characters".into(),
        });
    }
    let mut found: Vec<Channel> = state
        .store
        .list_user_channels(&actor.user.id, None, false)
        .await?
        .into_iter()
        .filter(|c| c.channel_type == ChannelType::Group)
        .filter(|c| {
            // A group message's display name lists its members' usernames.
            c.display_name
                .split(',')
                .any(|name| name.trim().to_lowercase().starts_with(&term))
        })
        .collect();
    found.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(found)
}
