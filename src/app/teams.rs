//! Teams and team membership: who may create, see, join and manage a team.

use crate::app::permissions::{self, Permission, perm};
use crate::app::users::user_error;
use crate::app::{Actor, channels};
use crate::error::AppError;
use crate::model::{Channel, ChannelType, Team, TeamMember, TeamType, new_id, now_millis};
use crate::state::AppState;
use crate::store::StoreError;

/// URL names Mattermost keeps for its own pages.
const RESERVED_TEAM_NAMES: &[&str] = &[
    "admin",
    "api",
    "channel",
    "claim",
    "error",
    "files",
    "help",
    "landing",
    "login",
    "mfa",
    "oauth",
    "plug",
    "plugins",
    "post",
    "signup",
    "boards",
    "playbooks",
    "static",
    "hearth",
];

pub fn team_missing() -> AppError {
    AppError::Missing {
        id: "app.team.get.find.app_error",
        message: "Unable to find the existing team.".into(),
    }
}

pub fn team_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => team_missing(),
        StoreError::Conflict(_) => AppError::invalid(
            "app.team.save.existing.app_error",
            "A team with that name already exists.",
        ),
        other => other.into(),
    }
}

/// Team URL names: 2–64 of `a-z 0-9 -`, starting with a letter, not ending with `-`,
/// not reserved.
pub fn check_team_name(name: &str) -> Result<(), AppError> {
    let ok = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !RESERVED_TEAM_NAMES.contains(&name);
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "model.team.is_valid.url.app_error",
            "Team URL must start with a letter, be 2 to 64 lowercase letters, numbers and hyphens, and not be a reserved word.",
        ))
    }
}

fn check_team(team: &Team) -> Result<(), AppError> {
    check_team_name(&team.name)?;
    let display = team.display_name.trim();
    if display.is_empty() || display.chars().count() > 64 {
        return Err(AppError::invalid(
            "model.team.is_valid.name.app_error",
            "Team display name must be 1 to 64 characters.",
        ));
    }
    if team.description.chars().count() > 255 {
        return Err(AppError::invalid(
            "model.team.is_valid.description.app_error",
            "Team description must be at most 255 characters.",
        ));
    }
    if team.company_name.chars().count() > 64 {
        return Err(AppError::invalid(
            "model.team.is_valid.company.app_error",
            "Company name must be at most 64 characters.",
        ));
    }
    Ok(())
}

/// The actor's membership of a team, if any.
pub async fn membership(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
) -> Result<Option<TeamMember>, AppError> {
    match state.store.get_team_member(team_id, &actor.user.id).await {
        Ok(member) => Ok(Some(member)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Whether the actor has `permission` in the team: through system roles (admins have
/// everything) or through their team roles.
pub fn team_grants(actor: &Actor, member: Option<&TeamMember>, permission: Permission) -> bool {
    actor.can(permission) || member.is_some_and(|m| permissions::roles_grant(&m.roles, permission))
}

/// Loads a team the actor may act on with `permission`; 404 when it does not exist,
/// 403 when they may not.
pub async fn require_team(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    permission: Permission,
) -> Result<(Team, Option<TeamMember>), AppError> {
    let team = state.store.get_team(team_id).await.map_err(team_error)?;
    let member = membership(state, actor, team_id).await?;
    if team.delete_at != 0 && !actor.can(perm::MANAGE_SYSTEM) {
        return Err(team_missing());
    }
    if !team_grants(actor, member.as_ref(), permission) {
        return Err(AppError::Forbidden);
    }
    Ok((team, member))
}

/// Whether the actor may see a team exists: members, admins, and anyone allowed to join
/// open teams (for teams that allow open invites).
pub async fn may_view(state: &AppState, actor: &Actor, team: &Team) -> Result<bool, AppError> {
    if actor.can(perm::MANAGE_SYSTEM) || membership(state, actor, &team.id).await?.is_some() {
        return Ok(true);
    }
    Ok(team.delete_at == 0
        && team.team_type == TeamType::Open
        && team.allow_open_invite
        && actor.can(perm::LIST_PUBLIC_TEAMS))
}

fn default_channel(
    team_id: &str,
    creator_id: &str,
    name: &str,
    display: &str,
    now: i64,
) -> Channel {
    Channel {
        id: new_id(),
        create_at: now,
        update_at: now,
        team_id: team_id.to_string(),
        channel_type: ChannelType::Open,
        display_name: display.to_string(),
        name: name.to_string(),
        creator_id: creator_id.to_string(),
        ..Channel::default()
    }
}

/// Creates a team; its creator becomes its admin, and it starts with `town-square` and
/// `off-topic`.
pub async fn create_team(state: &AppState, actor: &Actor, input: Team) -> Result<Team, AppError> {
    actor.require(perm::CREATE_TEAM)?;
    let now = now_millis();
    let team = Team {
        id: new_id(),
        create_at: now,
        update_at: now,
        delete_at: 0,
        name: input.name.trim().to_string(),
        display_name: input.display_name.trim().to_string(),
        invite_id: new_id(),
        allow_open_invite: input.team_type == TeamType::Open,
        last_team_icon_update: 0,
        ..input
    };
    check_team(&team)?;
    let creator = TeamMember {
        team_id: team.id.clone(),
        user_id: actor.user.id.clone(),
        scheme_user: true,
        scheme_admin: true,
        ..TeamMember::default()
    };
    let defaults = [
        default_channel(
            &team.id,
            &actor.user.id,
            channels::TOWN_SQUARE,
            "Town Square",
            now,
        ),
        default_channel(&team.id, &actor.user.id, "off-topic", "Off-Topic", now),
    ];
    state
        .store
        .create_team(&team, &creator, &defaults)
        .await
        .map_err(team_error)
}

/// The fields a team patch may change.
#[derive(Debug, Default, serde::Deserialize)]
pub struct TeamPatch {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub company_name: Option<String>,
    pub allowed_domains: Option<String>,
    pub allow_open_invite: Option<bool>,
    #[serde(rename = "type")]
    pub team_type: Option<TeamType>,
    pub email: Option<String>,
}

pub async fn patch_team(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    patch: TeamPatch,
) -> Result<Team, AppError> {
    let (mut team, _) = require_team(state, actor, team_id, perm::MANAGE_TEAM).await?;
    macro_rules! take {
        ($($field:ident),*) => { $(if let Some(v) = patch.$field { team.$field = v; })* };
    }
    take!(
        display_name,
        description,
        company_name,
        allowed_domains,
        allow_open_invite,
        team_type,
        email
    );
    check_team(&team)?;
    state.store.update_team(&team).await.map_err(team_error)
}

/// Archives (soft-deletes) or restores a team.
pub async fn set_team_deleted(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    deleted: bool,
) -> Result<Team, AppError> {
    let team = state.store.get_team(team_id).await.map_err(team_error)?;
    let member = membership(state, actor, team_id).await?;
    let allowed = if deleted {
        team_grants(actor, member.as_ref(), perm::MANAGE_TEAM)
    } else {
        actor.can(perm::MANAGE_SYSTEM)
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let team = Team {
        delete_at: if deleted { now_millis() } else { 0 },
        ..team
    };
    state.store.update_team(&team).await.map_err(team_error)
}

pub async fn regenerate_invite_id(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
) -> Result<Team, AppError> {
    let (team, _) = require_team(state, actor, team_id, perm::MANAGE_TEAM).await?;
    state
        .store
        .update_team(&Team {
            invite_id: new_id(),
            ..team
        })
        .await
        .map_err(team_error)
}

/// The ids of the channels everyone joins with a team.
async fn default_channel_ids(state: &AppState, team_id: &str) -> Result<Vec<String>, AppError> {
    let mut ids = Vec::new();
    for name in [channels::TOWN_SQUARE, "off-topic"] {
        match state.store.get_channel_by_name(team_id, name).await {
            Ok(channel) if channel.delete_at == 0 => ids.push(channel.id),
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(ids)
}

pub async fn add_member(
    state: &AppState,
    team: &Team,
    user_id: &str,
) -> Result<TeamMember, AppError> {
    let user = state.store.get_user(user_id).await.map_err(user_error)?;
    if user.delete_at != 0 {
        return Err(AppError::invalid(
            "app.team.join_user_to_team.deactivated.app_error",
            "The user is deactivated.",
        ));
    }
    if let Ok(existing) = state.store.get_team_member(&team.id, user_id).await {
        return Ok(existing);
    }
    let (members, _) = state.store.team_member_counts(&team.id).await?;
    if members >= state.config().team_settings.max_users_per_team {
        return Err(AppError::invalid(
            "app.team.join_user_to_team.max_accounts.app_error",
            "This team has reached the maximum number of allowed accounts. Contact your System Administrator to set a higher limit.",
        ));
    }
    let guest = permissions::has_role(&user.roles, "system_guest");
    let member = TeamMember {
        team_id: team.id.clone(),
        user_id: user_id.to_string(),
        scheme_user: !guest,
        scheme_guest: guest,
        ..TeamMember::default()
    };
    let channels = default_channel_ids(state, &team.id).await?;
    state
        .store
        .add_team_member(&member, &channels)
        .await
        .map_err(team_error)
}

/// Adds `user_id` to a team: oneself to an open team (`join_public_teams`), or anyone with
/// `add_user_to_team` in it.
pub async fn add_team_member(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    user_id: &str,
) -> Result<TeamMember, AppError> {
    let team = state.store.get_team(team_id).await.map_err(team_error)?;
    if team.delete_at != 0 {
        return Err(team_missing());
    }
    let member = membership(state, actor, team_id).await?;
    let self_join = user_id == actor.user.id
        && team.team_type == TeamType::Open
        && team.allow_open_invite
        && actor.can(perm::JOIN_PUBLIC_TEAMS);
    if !self_join && !team_grants(actor, member.as_ref(), perm::ADD_USER_TO_TEAM) {
        return Err(AppError::Forbidden);
    }
    add_member(state, &team, user_id).await
}

/// Joins the caller to the team whose invite id they hold.
pub async fn join_by_invite(
    state: &AppState,
    actor: &Actor,
    invite_id: &str,
) -> Result<TeamMember, AppError> {
    let team = team_by_invite_id(state, invite_id).await?;
    add_member(state, &team, &actor.user.id).await
}

/// The live team whose invitation link carries `invite_id`.
pub async fn team_by_invite_id(state: &AppState, invite_id: &str) -> Result<Team, AppError> {
    let team = state
        .store
        .get_team_by_invite_id(invite_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Missing {
                id: "app.team.get_by_invite_id.finding.app_error",
                message: "The invitation is not valid.".into(),
            },
            other => other.into(),
        })?;
    if team.delete_at != 0 {
        return Err(team_missing());
    }
    Ok(team)
}

/// Removes a member: oneself, or anyone with `remove_user_from_team`.
pub async fn remove_team_member(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let team = state.store.get_team(team_id).await.map_err(team_error)?;
    let member = membership(state, actor, &team.id).await?;
    if user_id != actor.user.id && !team_grants(actor, member.as_ref(), perm::REMOVE_USER_FROM_TEAM)
    {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .remove_team_member(team_id, user_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Missing {
                id: "app.team.get_member.missing.app_error",
                message: "No team member found for that user ID and team ID.".into(),
            },
            other => other.into(),
        })
}

/// Sets a member's team roles: `team_user`, optionally `team_admin`.
pub async fn update_member_roles(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    user_id: &str,
    roles: &str,
) -> Result<TeamMember, AppError> {
    require_team(state, actor, team_id, perm::MANAGE_TEAM_ROLES).await?;
    let names: Vec<&str> = roles.split_whitespace().collect();
    let valid = names
        .iter()
        .all(|r| matches!(*r, "team_user" | "team_admin" | "team_guest"))
        && (names.contains(&"team_user") ^ names.contains(&"team_guest"));
    if !valid {
        return Err(AppError::InvalidParam { name: "roles" });
    }
    let mut member = state
        .store
        .get_team_member(team_id, user_id)
        .await
        .map_err(|_| AppError::Missing {
            id: "app.team.get_member.missing.app_error",
            message: "No team member found for that user ID and team ID.".into(),
        })?;
    member.scheme_user = names.contains(&"team_user");
    member.scheme_guest = names.contains(&"team_guest");
    member.scheme_admin = names.contains(&"team_admin");
    member.explicit_roles.clear();
    state
        .store
        .update_team_member(&member)
        .await
        .map_err(team_error)
}
