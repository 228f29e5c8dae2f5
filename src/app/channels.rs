//! Channels and channel membership: the rules for public, private, direct and group
//! channels, and the one place that decides whether a caller may touch a channel.

use sha1::{Digest, Sha1};

use crate::app::permissions::{self, Permission, perm};
use crate::app::teams::{self, team_grants};
use crate::app::users::user_error;
use crate::app::{Actor, posts};
use crate::error::AppError;
use crate::model::{Channel, ChannelMember, ChannelType, StringMap, User, new_id, now_millis};
use crate::state::AppState;
use crate::store::{AllChannels, StoreError};

pub const TOWN_SQUARE: &str = "town-square";

pub fn channel_missing() -> AppError {
    AppError::Missing {
        id: "app.channel.get.existing.app_error",
        message: "Unable to find the existing channel.".into(),
    }
}

pub fn channel_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => channel_missing(),
        StoreError::Conflict(_) => AppError::invalid(
            "store.sql_channel.save_channel.exists.app_error",
            "A channel with that name already exists on the same team.",
        ),
        other => other.into(),
    }
}

fn archived() -> AppError {
    AppError::invalid(
        "api.channel.add_user_to_channel.deleted.app_error",
        "The channel is archived; it is read-only.",
    )
}

/// A channel and the caller's relation to it.
#[derive(Debug, Clone)]
pub struct ChannelAccess {
    pub channel: Channel,
    pub member: Option<ChannelMember>,
}

/// Checks that `actor` has `permission` on the channel and returns it with their
/// membership. Admins may do everything; members have their channel roles; team members
/// may read public channels they have not joined. Everyone else gets 403, so a private
/// channel or DM reveals nothing but that the id exists.
pub async fn require_channel(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    permission: Permission,
) -> Result<ChannelAccess, AppError> {
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    let member = match state
        .store
        .get_channel_member(channel_id, &actor.user.id)
        .await
    {
        Ok(member) => Some(member),
        Err(StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    let access = ChannelAccess { channel, member };
    if may(state, actor, &access, permission).await? {
        Ok(access)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn may(
    state: &AppState,
    actor: &Actor,
    access: &ChannelAccess,
    permission: Permission,
) -> Result<bool, AppError> {
    let channel = &access.channel;
    let reading = permission == perm::READ_CHANNEL || permission == perm::READ_CHANNEL_CONTENT;
    if channel.delete_at != 0
        && reading
        && !state
            .config()
            .team_settings
            .experimental_view_archived_channels
        && !actor.can(perm::MANAGE_SYSTEM)
    {
        return Ok(false);
    }
    if actor.can(permission) {
        return Ok(true);
    }
    if let Some(member) = &access.member
        && permissions::roles_grant(&member.roles, permission)
    {
        return Ok(true);
    }
    if channel.team_id.is_empty() {
        return Ok(false);
    }
    let team_member = teams::membership(state, actor, &channel.team_id).await?;
    // Team roles grant channel-level powers too (a team admin manages its channels).
    if team_member
        .as_ref()
        .is_some_and(|m| permissions::roles_grant(&m.roles, permission))
    {
        return Ok(true);
    }
    Ok(channel.channel_type == ChannelType::Open
        && reading
        && team_grants(actor, team_member.as_ref(), perm::READ_PUBLIC_CHANNEL))
}

/// Checks the actor may list a channel's members: its members and system admins, not
/// team members who merely may read a public channel.
pub async fn require_member_list(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<ChannelAccess, AppError> {
    let access = require_channel(state, actor, channel_id, perm::READ_CHANNEL).await?;
    if access.member.is_none() && !actor.can(perm::READ_CHANNEL) {
        return Err(AppError::Forbidden);
    }
    Ok(access)
}

fn properties_permission(kind: ChannelType) -> Permission {
    if kind == ChannelType::Private {
        perm::MANAGE_PRIVATE_CHANNEL_PROPERTIES
    } else {
        perm::MANAGE_PUBLIC_CHANNEL_PROPERTIES
    }
}

fn members_permission(kind: ChannelType) -> Permission {
    if kind == ChannelType::Private {
        perm::MANAGE_PRIVATE_CHANNEL_MEMBERS
    } else {
        perm::MANAGE_PUBLIC_CHANNEL_MEMBERS
    }
}

/// `POST /channels/search` for the System Console: the public and private channels of
/// every team whose name or display name has a word starting with `term` (all of them for
/// an empty term), shaped as [`list_all`] shapes them, with the total. Filters in memory
/// over the listing, which is enough for an admin's search.
pub async fn search_all(
    state: &AppState,
    actor: &Actor,
    term: &str,
    filter: crate::store::AllChannels,
    offset: u32,
    limit: u32,
) -> Result<(Vec<serde_json::Value>, i64), AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    let term = term.trim().to_lowercase();
    if term.chars().count() > 64 {
        return Err(AppError::InvalidBody {
            name: "term",
            detail: "a search term has at most 64 characters".into(),
        });
    }
    let (all, _) = list_all(state, actor, filter, 0, u32::MAX).await?;
    let matches = |text: &str| {
        let text = text.to_lowercase();
        text.starts_with(&term)
            || text
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word.starts_with(&term))
    };
    let found: Vec<serde_json::Value> = all
        .into_iter()
        .filter(|c| {
            term.is_empty()
                || matches(c["name"].as_str().unwrap_or_default())
                || matches(c["display_name"].as_str().unwrap_or_default())
        })
        .collect();
    let total = found.len() as i64;
    Ok((
        found
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect(),
        total,
    ))
}

/// Channel URL names: 1–64 of `a-z 0-9 - _`, starting and ending with a letter or digit,
/// and not shaped like a direct-message name.
pub fn check_channel_name(name: &str) -> Result<(), AppError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("__");
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "model.channel.is_valid.name.app_error",
            "Channel name must be 1 to 64 lowercase letters, numbers, '-' or '_', start and end with a letter or number, and not contain '__'.",
        ))
    }
}

fn check_texts(channel: &Channel) -> Result<(), AppError> {
    let display = channel.display_name.trim();
    if display.is_empty() || display.chars().count() > 64 {
        return Err(AppError::invalid(
            "model.channel.is_valid.display_name.app_error",
            "Channel display name must be 1 to 64 characters.",
        ));
    }
    if channel.header.chars().count() > 1024 {
        return Err(AppError::invalid(
            "model.channel.is_valid.header.app_error",
            "Channel header must be at most 1024 characters.",
        ));
    }
    if channel.purpose.chars().count() > 250 {
        return Err(AppError::invalid(
            "model.channel.is_valid.purpose.app_error",
            "Channel purpose must be at most 250 characters.",
        ));
    }
    Ok(())
}

fn new_member(channel_id: &str, user: &User, admin: bool, now: i64) -> ChannelMember {
    let guest = permissions::has_role(&user.roles, "system_guest");
    ChannelMember {
        channel_id: channel_id.to_string(),
        user_id: user.id.clone(),
        scheme_user: !guest,
        scheme_guest: guest,
        scheme_admin: admin && !guest,
        last_viewed_at: now,
        ..ChannelMember::default()
    }
}

/// Creates a public or private channel in a team; the creator becomes its admin.
/// Public and private channels of every team, each as Mattermost's `ChannelWithTeamData`
/// (the channel plus `team_display_name`, `team_name`, `team_update_at`), with how many
/// there are in all; `manage_system` only.
pub async fn list_all(
    state: &AppState,
    actor: &Actor,
    filter: AllChannels,
    offset: u32,
    limit: u32,
) -> Result<(Vec<serde_json::Value>, i64), AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    let (channels, total) = state.store.list_all_channels(filter, offset, limit).await?;
    let mut teams = std::collections::HashMap::new();
    let mut listed = Vec::with_capacity(channels.len());
    for channel in channels {
        if !teams.contains_key(&channel.team_id) {
            let team = state.store.get_team(&channel.team_id).await?;
            teams.insert(channel.team_id.clone(), team);
        }
        let team = &teams[&channel.team_id];
        let mut value = serde_json::json!(channel);
        value["team_display_name"] = team.display_name.clone().into();
        value["team_name"] = team.name.clone().into();
        value["team_update_at"] = team.update_at.into();
        listed.push(value);
    }
    Ok((listed, total))
}

pub async fn create_channel(
    state: &AppState,
    actor: &Actor,
    input: Channel,
) -> Result<Channel, AppError> {
    let permission = match input.channel_type {
        ChannelType::Open => perm::CREATE_PUBLIC_CHANNEL,
        ChannelType::Private => perm::CREATE_PRIVATE_CHANNEL,
        _ => {
            return Err(AppError::invalid(
                "api.channel.create_channel.direct_channel.app_error",
                "Use /channels/direct or /channels/group for direct and group messages.",
            ));
        }
    };
    crate::app::users::check_id(&input.team_id, "team_id")?;
    teams::require_team(state, actor, &input.team_id, permission).await?;
    let now = now_millis();
    let channel = Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        delete_at: 0,
        name: input.name.trim().to_lowercase(),
        display_name: input.display_name.trim().to_string(),
        creator_id: actor.user.id.clone(),
        last_post_at: 0,
        total_msg_count: 0,
        total_msg_count_root: 0,
        last_root_post_at: 0,
        ..input
    };
    check_channel_name(&channel.name)?;
    check_texts(&channel)?;
    let member = new_member(&channel.id, &actor.user, true, now);
    state
        .store
        .create_channel(&channel, &[member])
        .await
        .map_err(channel_error)
}

/// `<id>__<id>`, smaller id first.
pub fn direct_channel_name(a: &str, b: &str) -> String {
    if a < b {
        format!("{a}__{b}")
    } else {
        format!("{b}__{a}")
    }
}

/// A hex SHA-1 of the sorted member ids, as Mattermost names group channels.
pub fn group_channel_name(ids: &[String]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort();
    let digest = Sha1::digest(sorted.join(",").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

async fn active_users(state: &AppState, ids: &[String]) -> Result<Vec<User>, AppError> {
    for id in ids {
        crate::app::users::check_id(id, "user_ids")?;
    }
    let users = state.store.get_users_by_ids(ids).await?;
    if users.len() != ids.len() || users.iter().any(|u| u.delete_at != 0) {
        return Err(AppError::invalid(
            "api.channel.create_direct_channel.invalid_user.app_error",
            "Every user must exist and be active.",
        ));
    }
    Ok(users)
}

/// With `RestrictDirectMessage = team`, people may message only those they share a team with.
async fn check_may_message(
    state: &AppState,
    actor: &Actor,
    others: &[&User],
) -> Result<(), AppError> {
    if state.config().team_settings.restrict_direct_message != "team"
        || actor.can(perm::MANAGE_SYSTEM)
    {
        return Ok(());
    }
    let mine: Vec<String> = state
        .store
        .list_user_team_members(&actor.user.id)
        .await?
        .into_iter()
        .map(|m| m.team_id)
        .collect();
    for other in others.iter().filter(|u| u.id != actor.user.id) {
        let theirs = state.store.list_user_team_members(&other.id).await?;
        if !theirs.iter().any(|m| mine.contains(&m.team_id)) {
            return Err(AppError::Forbidden);
        }
    }
    Ok(())
}

/// Finds or creates the direct channel between two users (one of them the caller, unless
/// the caller is an admin).
pub async fn direct_channel(
    state: &AppState,
    actor: &Actor,
    ids: &[String],
) -> Result<Channel, AppError> {
    if ids.len() != 2 {
        return Err(AppError::InvalidBody {
            name: "user_ids",
            detail: "give exactly two user ids".into(),
        });
    }
    if !ids.contains(&actor.user.id) && !actor.can(perm::MANAGE_SYSTEM) {
        return Err(AppError::Forbidden);
    }
    actor.require(perm::CREATE_DIRECT_CHANNEL)?;
    let mut unique = ids.to_vec();
    unique.dedup();
    let users = active_users(state, &unique).await?;
    check_may_message(state, actor, &users.iter().collect::<Vec<_>>()).await?;
    let name = direct_channel_name(&ids[0], &ids[1]);
    find_or_create(
        state,
        actor,
        ChannelType::Direct,
        name,
        String::new(),
        &users,
    )
    .await
}

/// Finds or creates the group channel of 3–8 users including the caller.
pub async fn group_channel(
    state: &AppState,
    actor: &Actor,
    ids: &[String],
) -> Result<Channel, AppError> {
    let mut unique = ids.to_vec();
    if !unique.contains(&actor.user.id) {
        unique.push(actor.user.id.clone());
    }
    unique.sort();
    unique.dedup();
    if !(3..=8).contains(&unique.len()) {
        return Err(AppError::invalid(
            "api.channel.create_group.bad_size.app_error",
            "Group messages must have at least 3 and no more than 8 users.",
        ));
    }
    actor.require(perm::CREATE_GROUP_CHANNEL)?;
    let users = active_users(state, &unique).await?;
    check_may_message(state, actor, &users.iter().collect::<Vec<_>>()).await?;
    let mut names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    names.sort_unstable();
    let display = names.join(", ");
    find_or_create(
        state,
        actor,
        ChannelType::Group,
        group_channel_name(&unique),
        display,
        &users,
    )
    .await
}

async fn find_or_create(
    state: &AppState,
    actor: &Actor,
    kind: ChannelType,
    name: String,
    display_name: String,
    users: &[User],
) -> Result<Channel, AppError> {
    match state.store.get_channel_by_name("", &name).await {
        Ok(channel) => return Ok(channel),
        Err(StoreError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    let now = now_millis();
    let channel = Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        channel_type: kind,
        name: name.clone(),
        display_name,
        creator_id: actor.user.id.clone(),
        ..Channel::default()
    };
    let members: Vec<ChannelMember> = users
        .iter()
        .map(|u| new_member(&channel.id, u, false, now))
        .collect();
    match state.store.create_channel(&channel, &members).await {
        Ok(channel) => Ok(channel),
        // Two people opening the same conversation at once: the other one won.
        Err(StoreError::Conflict(_)) => state
            .store
            .get_channel_by_name("", &name)
            .await
            .map_err(channel_error),
        Err(other) => Err(other.into()),
    }
}

/// The fields a channel patch may change.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ChannelPatch {
    pub display_name: Option<String>,
    pub name: Option<String>,
    pub header: Option<String>,
    pub purpose: Option<String>,
}

pub async fn patch_channel(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    patch: ChannelPatch,
) -> Result<Channel, AppError> {
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    let permission = match channel.channel_type {
        ChannelType::Direct | ChannelType::Group => perm::READ_CHANNEL,
        kind => properties_permission(kind),
    };
    let access = require_channel(state, actor, channel_id, permission).await?;
    let mut channel = access.channel;
    if channel.delete_at != 0 {
        return Err(archived());
    }
    let old_header = channel.header.clone();
    let direct = matches!(
        channel.channel_type,
        ChannelType::Direct | ChannelType::Group
    );
    if let Some(name) = patch.name {
        let name = name.trim().to_lowercase();
        if name != channel.name {
            if direct || channel.name == TOWN_SQUARE {
                return Err(AppError::invalid(
                    "api.channel.update_channel.tried.app_error",
                    "This channel's name cannot be changed.",
                ));
            }
            check_channel_name(&name)?;
            channel.name = name;
        }
    }
    if let Some(display) = patch.display_name
        && !direct
    {
        channel.display_name = display.trim().to_string();
    }
    if let Some(header) = patch.header {
        channel.header = header;
    }
    if let Some(purpose) = patch.purpose {
        channel.purpose = purpose;
    }
    if !direct {
        check_texts(&channel)?;
    } else if channel.header.chars().count() > 1024 {
        return Err(AppError::invalid(
            "model.channel.is_valid.header.app_error",
            "Channel header must be at most 1024 characters.",
        ));
    }
    let saved = state
        .store
        .update_channel(&channel)
        .await
        .map_err(channel_error)?;
    if saved.header != old_header {
        let mut props = serde_json::Map::new();
        props.insert("old_header".into(), old_header.clone().into());
        props.insert("new_header".into(), saved.header.clone().into());
        props.insert("username".into(), actor.user.username.clone().into());
        let message = format!(
            "@{} updated the channel header from: {} to: {}",
            actor.user.username, old_header, saved.header
        );
        posts::system_post(
            state,
            &saved,
            &actor.user.id,
            "system_header_change",
            &message,
            props,
        )
        .await?;
    }
    Ok(saved)
}

/// Archives a public or private channel (never town-square, DMs or group messages).
pub async fn archive_channel(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<Channel, AppError> {
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    let permission = match channel.channel_type {
        ChannelType::Open => perm::DELETE_PUBLIC_CHANNEL,
        ChannelType::Private => perm::DELETE_PRIVATE_CHANNEL,
        _ => {
            return Err(AppError::invalid(
                "api.channel.delete_channel.type.invalid",
                "Direct and group messages cannot be archived.",
            ));
        }
    };
    let access = require_channel(state, actor, channel_id, permission).await?;
    if access.channel.name == TOWN_SQUARE {
        return Err(AppError::invalid(
            "api.channel.delete_channel.cannot.app_error",
            "Unable to delete the default channel town-square.",
        ));
    }
    if access.channel.delete_at != 0 {
        return Err(archived());
    }
    let message = format!("@{} archived the channel", actor.user.username);
    posts::system_post(
        state,
        &access.channel,
        &actor.user.id,
        "system_channel_deleted",
        &message,
        serde_json::Map::new(),
    )
    .await?;
    let channel = Channel {
        delete_at: now_millis(),
        ..access.channel
    };
    state
        .store
        .update_channel(&channel)
        .await
        .map_err(channel_error)
}

/// Restores an archived channel; team admins and system admins may.
pub async fn restore_channel(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<Channel, AppError> {
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    if channel.team_id.is_empty() {
        return Err(AppError::invalid(
            "api.channel.restore_channel.type.invalid",
            "Direct and group messages cannot be restored.",
        ));
    }
    teams::require_team(state, actor, &channel.team_id, perm::MANAGE_TEAM).await?;
    if channel.delete_at == 0 {
        return Ok(channel);
    }
    let channel = Channel {
        delete_at: 0,
        ..channel
    };
    let saved = state
        .store
        .update_channel(&channel)
        .await
        .map_err(channel_error)?;
    let message = format!("@{} unarchived the channel", actor.user.username);
    posts::system_post(
        state,
        &saved,
        &actor.user.id,
        "system_channel_restored",
        &message,
        serde_json::Map::new(),
    )
    .await?;
    Ok(saved)
}

/// Converts a public channel to private (team admins) or back (system admins).
pub async fn set_privacy(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    privacy: &str,
) -> Result<Channel, AppError> {
    let target = match privacy {
        "P" => ChannelType::Private,
        "O" => ChannelType::Open,
        _ => {
            return Err(AppError::InvalidBody {
                name: "privacy",
                detail: "privacy must be O or P".into(),
            });
        }
    };
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    if matches!(
        channel.channel_type,
        ChannelType::Direct | ChannelType::Group
    ) {
        return Err(AppError::invalid(
            "api.channel.update_channel_privacy.type.invalid",
            "Direct and group messages have no privacy setting.",
        ));
    }
    if channel.name == TOWN_SQUARE {
        return Err(AppError::invalid(
            "api.channel.convert_channel_to_private.default_channel_error",
            "The default channel cannot be made private.",
        ));
    }
    let permission = if target == ChannelType::Private {
        perm::CONVERT_PUBLIC_CHANNEL_TO_PRIVATE
    } else {
        perm::MANAGE_SYSTEM
    };
    let access = require_channel(state, actor, channel_id, permission).await?;
    if access.channel.delete_at != 0 {
        return Err(archived());
    }
    if access.channel.channel_type == target {
        return Ok(access.channel);
    }
    let channel = Channel {
        channel_type: target,
        ..access.channel
    };
    state
        .store
        .update_channel(&channel)
        .await
        .map_err(channel_error)
}

/// Adds a user to a channel: oneself to a public channel of one's team, or anyone on the
/// team by someone who manages the channel's members.
pub async fn add_member(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    user_id: &str,
) -> Result<ChannelMember, AppError> {
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    if matches!(
        channel.channel_type,
        ChannelType::Direct | ChannelType::Group
    ) {
        return Err(AppError::invalid(
            "api.channel.add_user_to_channel.type.app_error",
            "Users cannot be added to direct or group messages.",
        ));
    }
    let user = state.store.get_user(user_id).await.map_err(user_error)?;
    if user.delete_at != 0 {
        return Err(AppError::invalid(
            "api.channel.add_user.to.channel.failed.deleted.app_error",
            "The user is deactivated.",
        ));
    }
    let self_join = user_id == actor.user.id && channel.channel_type == ChannelType::Open;
    if self_join {
        let member = teams::membership(state, actor, &channel.team_id).await?;
        if !team_grants(actor, member.as_ref(), perm::JOIN_PUBLIC_CHANNELS) {
            return Err(AppError::Forbidden);
        }
    } else {
        require_channel(
            state,
            actor,
            channel_id,
            members_permission(channel.channel_type),
        )
        .await?;
    }
    // Permission first, so the archived state is told only to those who may act.
    if channel.delete_at != 0 {
        return Err(archived());
    }
    match state.store.get_team_member(&channel.team_id, user_id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::Missing {
                id: "app.team.get_member.missing.app_error",
                message: "The user is not a member of the channel's team.".into(),
            });
        }
        Err(other) => return Err(other.into()),
    }
    if let Ok(existing) = state.store.get_channel_member(channel_id, user_id).await {
        return Ok(existing);
    }
    let member = state
        .store
        .add_channel_member(&new_member(channel_id, &user, false, now_millis()))
        .await
        .map_err(channel_error)?;
    let (kind, message) = if self_join {
        (
            "system_join_channel",
            format!("@{} joined the channel.", user.username),
        )
    } else {
        (
            "system_add_to_channel",
            format!(
                "@{} added to the channel by @{}.",
                user.username, actor.user.username
            ),
        )
    };
    let mut props = serde_json::Map::new();
    props.insert("username".into(), user.username.clone().into());
    props.insert("addedUserId".into(), user.id.clone().into());
    posts::system_post(state, &channel, &actor.user.id, kind, &message, props).await?;
    Ok(member)
}

/// Removes a user from a channel: oneself (not from town-square), or anyone by someone
/// who manages the channel's members.
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let channel = state
        .store
        .get_channel(channel_id)
        .await
        .map_err(channel_error)?;
    if matches!(
        channel.channel_type,
        ChannelType::Direct | ChannelType::Group
    ) {
        return Err(AppError::invalid(
            "api.channel.remove_user_from_channel.type.app_error",
            "Users cannot leave direct or group messages.",
        ));
    }
    if channel.name == TOWN_SQUARE {
        return Err(AppError::invalid(
            "api.channel.remove.default.app_error",
            "Unable to remove user from the default channel town-square.",
        ));
    }
    if user_id != actor.user.id {
        require_channel(
            state,
            actor,
            channel_id,
            members_permission(channel.channel_type),
        )
        .await?;
    }
    let user = state.store.get_user(user_id).await.map_err(user_error)?;
    state
        .store
        .remove_channel_member(channel_id, user_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Missing {
                id: "app.channel.get_member.missing.app_error",
                message: "No channel member found for that user ID and channel ID.".into(),
            },
            other => other.into(),
        })?;
    if channel.delete_at == 0 {
        let (kind, message) = if user_id == actor.user.id {
            (
                "system_leave_channel",
                format!("@{} left the channel.", user.username),
            )
        } else {
            (
                "system_remove_from_channel",
                format!("@{} was removed from the channel.", user.username),
            )
        };
        let mut props = serde_json::Map::new();
        props.insert("username".into(), user.username.clone().into());
        posts::system_post(state, &channel, &actor.user.id, kind, &message, props).await?;
    }
    Ok(())
}

pub async fn update_member_roles(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    user_id: &str,
    roles: &str,
) -> Result<ChannelMember, AppError> {
    require_channel(state, actor, channel_id, perm::MANAGE_CHANNEL_ROLES).await?;
    let names: Vec<&str> = roles.split_whitespace().collect();
    let valid = names
        .iter()
        .all(|r| matches!(*r, "channel_user" | "channel_admin" | "channel_guest"))
        && (names.contains(&"channel_user") ^ names.contains(&"channel_guest"));
    if !valid {
        return Err(AppError::InvalidParam { name: "roles" });
    }
    let mut member = state
        .store
        .get_channel_member(channel_id, user_id)
        .await
        .map_err(|_| member_missing())?;
    member.scheme_user = names.contains(&"channel_user");
    member.scheme_guest = names.contains(&"channel_guest");
    member.scheme_admin = names.contains(&"channel_admin");
    member.explicit_roles.clear();
    state
        .store
        .update_channel_member(&member)
        .await
        .map_err(channel_error)
}

pub fn member_missing() -> AppError {
    AppError::Missing {
        id: "app.channel.get_member.missing.app_error",
        message: "No channel member found for that user ID and channel ID.".into(),
    }
}

/// Allowed values of each channel notification setting.
const NOTIFY_RULES: &[(&str, &[&str])] = &[
    ("desktop", &["default", "all", "mention", "none"]),
    ("push", &["default", "all", "mention", "none"]),
    ("email", &["default", "true", "false"]),
    ("mark_unread", &["all", "mention"]),
    ("ignore_channel_mentions", &["default", "on", "off"]),
    ("channel_auto_follow_threads", &["on", "off"]),
    ("desktop_threads", &["default", "all", "mention", "none"]),
    ("push_threads", &["default", "all", "mention", "none"]),
    ("desktop_sound", &["default", "on", "off", "true", "false"]),
];

pub async fn update_notify_props(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    user_id: &str,
    props: StringMap,
) -> Result<ChannelMember, AppError> {
    crate::app::users::may_edit(actor, user_id)?;
    for (key, value) in &props {
        let Some((_, allowed)) = NOTIFY_RULES.iter().find(|(k, _)| k == key) else {
            return Err(AppError::InvalidBody {
                name: "notify_props",
                detail: format!("{key:?} is not a channel notification setting"),
            });
        };
        if !allowed.contains(&value.as_str()) {
            return Err(AppError::InvalidBody {
                name: "notify_props",
                detail: format!("{key}: {value:?} is not one of {}", allowed.join(", ")),
            });
        }
    }
    let mut member = state
        .store
        .get_channel_member(channel_id, user_id)
        .await
        .map_err(|_| member_missing())?;
    member.notify_props.extend(props);
    state
        .store
        .update_channel_member(&member)
        .await
        .map_err(channel_error)
}

/// Marks a channel read for the caller; returns the new last-viewed time.
pub async fn view_channel(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<i64, AppError> {
    let now = now_millis();
    state
        .store
        .view_channel(channel_id, &actor.user.id, now)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => member_missing(),
            other => other.into(),
        })?;
    Ok(now)
}

/// `PUT /channels/{id}/members/{uid}/schemeRoles`: the member's scheme flags as booleans,
/// the same change as [`update_member_roles`] with its checks.
pub async fn update_member_scheme_roles(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    user_id: &str,
    flags: crate::app::teams::SchemeRoles,
) -> Result<ChannelMember, AppError> {
    let roles: Vec<&str> = [
        (flags.scheme_user, "channel_user"),
        (flags.scheme_guest, "channel_guest"),
        (flags.scheme_admin, "channel_admin"),
    ]
    .into_iter()
    .filter_map(|(on, role)| on.then_some(role))
    .collect();
    update_member_roles(state, actor, channel_id, user_id, &roles.join(" ")).await
}
