//! Teams and team membership: who may create, see, find, join and manage a team, its
//! privacy and icon, and a user's unread counts per team.

use std::collections::{HashMap, HashSet};

use crate::app::avatar::AvatarError;
use crate::app::permissions::{self, Permission, perm};
use crate::app::users::user_error;
use crate::app::{Actor, channels, posts};
use crate::error::AppError;
use crate::files::Staged;
use crate::model::{
    Channel, ChannelMember, ChannelType, Team, TeamMember, TeamType, TeamUnread, new_id, now_millis,
};
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

/// 404 for a membership that does not exist, or no longer does.
pub fn member_missing() -> AppError {
    AppError::Missing {
        id: "app.team.get_member.missing.app_error",
        message: "No team member found for that user ID and team ID.".into(),
    }
}

/// `user_id`'s active membership of a team; 404 when there is none.
async fn existing_member(
    state: &AppState,
    team_id: &str,
    user_id: &str,
) -> Result<TeamMember, AppError> {
    match state.store.get_team_member(team_id, user_id).await {
        Ok(member) => Ok(member),
        Err(StoreError::NotFound) => Err(member_missing()),
        Err(other) => Err(other.into()),
    }
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
    if actor.can(perm::MANAGE_SYSTEM) {
        return Ok(true);
    }
    let member = membership(state, actor, &team.id).await?.is_some();
    Ok(visible(actor, team, member))
}

/// [`may_view`] once it is known whether the actor is a member.
fn visible(actor: &Actor, team: &Team, is_member: bool) -> bool {
    actor.can(perm::MANAGE_SYSTEM)
        || is_member
        || (team.delete_at == 0 && is_open(team) && actor.can(perm::LIST_PUBLIC_TEAMS))
}

/// Open to anyone who may join teams: type `O` and open invites allowed.
fn is_open(team: &Team) -> bool {
    team.team_type == TeamType::Open && team.allow_open_invite
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

/// What adding a user to a team comes to.
enum Joining {
    /// They are a member already: this membership, unchanged.
    Member(TeamMember),
    /// This membership is to be saved.
    New(TeamMember),
}

/// Whether `user_id` may join `team`, and how: 404 for an unknown user, 400 for a
/// deactivated one; a guest account joins as a team guest.
async fn joining(state: &AppState, team: &Team, user_id: &str) -> Result<Joining, AppError> {
    let user = state.store.get_user(user_id).await.map_err(user_error)?;
    if user.delete_at != 0 {
        return Err(AppError::invalid(
            "app.team.join_user_to_team.deactivated.app_error",
            "The user is deactivated.",
        ));
    }
    match state.store.get_team_member(&team.id, user_id).await {
        Ok(existing) => return Ok(Joining::Member(existing)),
        Err(StoreError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    let guest = permissions::has_role(&user.roles, "system_guest");
    Ok(Joining::New(TeamMember {
        team_id: team.id.clone(),
        user_id: user_id.to_string(),
        scheme_user: !guest,
        scheme_guest: guest,
        ..TeamMember::default()
    }))
}

fn team_full() -> AppError {
    AppError::invalid(
        "app.team.join_user_to_team.max_accounts.app_error",
        "This team has reached the maximum number of allowed accounts. Contact your System Administrator to set a higher limit.",
    )
}

/// Adds one user to a team, without asking who wants it (the callers decided that).
pub async fn add_member(
    state: &AppState,
    team: &Team,
    user_id: &str,
) -> Result<TeamMember, AppError> {
    let mut added = add_members(state, team, &[user_id.to_string()], false).await?;
    match added.pop() {
        Some((_, result)) => result,
        None => Err(AppError::Internal("adding a member gave no outcome".into())),
    }
}

/// Adds users to a team in one store write, each user once, in the order given; those
/// already in it keep their membership. Users past `MaxUsersPerTeam` are refused.
/// Unless `graceful`, the first refusal is the answer and nobody is added; with it, each
/// user's outcome is reported and the others are added.
async fn add_members(
    state: &AppState,
    team: &Team,
    user_ids: &[String],
    graceful: bool,
) -> Result<Vec<(String, Result<TeamMember, AppError>)>, AppError> {
    let mut seen = HashSet::new();
    let mut outcomes = Vec::new();
    for user_id in user_ids {
        if seen.insert(user_id.as_str()) {
            outcomes.push((user_id.clone(), joining(state, team, user_id).await));
        }
    }
    let (members, _) = state.store.team_member_counts(&team.id).await?;
    let mut room = state.config().team_settings.max_users_per_team - members;
    for (_, outcome) in &mut outcomes {
        if let Ok(Joining::New(_)) = outcome {
            if room > 0 {
                room -= 1;
            } else {
                *outcome = Err(team_full());
            }
        }
    }
    if !graceful {
        let mut accepted = Vec::with_capacity(outcomes.len());
        for (user_id, outcome) in outcomes {
            accepted.push((user_id, Ok(outcome?)));
        }
        outcomes = accepted;
    }
    let new: Vec<TeamMember> = outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            Ok(Joining::New(member)) => Some(member.clone()),
            _ => None,
        })
        .collect();
    let mut saved: HashMap<String, TeamMember> = HashMap::new();
    if !new.is_empty() {
        let channels = default_channel_ids(state, &team.id).await?;
        let added = state
            .store
            .add_team_members(&new, &channels)
            .await
            .map_err(team_error)?;
        saved.extend(added.into_iter().map(|m| (m.user_id.clone(), m)));
    }
    Ok(outcomes
        .into_iter()
        .map(|(user_id, outcome)| {
            let result = match outcome {
                Ok(Joining::Member(member)) => Ok(member),
                Ok(Joining::New(_)) => saved
                    .remove(&user_id)
                    .ok_or_else(|| AppError::Internal(format!("{user_id} was not saved"))),
                Err(refused) => Err(refused),
            };
            (user_id, result)
        })
        .collect())
}

/// Most users one batch may add (Mattermost's `maxAddMembersBatch`).
pub const MAX_BATCH_MEMBERS: usize = 256;

/// Adds several users to a team (`POST /teams/{id}/members/batch`): needs
/// `add_user_to_team` in it, even to add oneself. See [`add_members`] for `graceful`.
pub async fn add_team_members(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    user_ids: &[String],
    graceful: bool,
) -> Result<Vec<(String, Result<TeamMember, AppError>)>, AppError> {
    let (team, _) = require_team(state, actor, team_id, perm::ADD_USER_TO_TEAM).await?;
    if team.delete_at != 0 {
        return Err(team_missing());
    }
    add_members(state, &team, user_ids, graceful).await
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
            StoreError::NotFound => member_missing(),
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
    let mut member = existing_member(state, team_id, user_id).await?;
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

/// A team member's scheme flags, as `schemeRoles` takes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemeRoles {
    pub scheme_admin: bool,
    pub scheme_user: bool,
    pub scheme_guest: bool,
}

/// Sets `member`'s scheme flags (`PUT /teams/{id}/members/{uid}/schemeRoles`), needing
/// `manage_team_roles`; a member cannot be both a team user and a team guest. Explicit
/// roles are kept, as Mattermost keeps them.
pub async fn update_member_scheme_roles(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    user_id: &str,
    roles: SchemeRoles,
) -> Result<TeamMember, AppError> {
    require_team(state, actor, team_id, perm::MANAGE_TEAM_ROLES).await?;
    if roles.scheme_user && roles.scheme_guest {
        return Err(AppError::invalid(
            "api.team.update_team_member_roles.guest_and_user.app_error",
            "Invalid team member update: A user must be a guest or a user but not both.",
        ));
    }
    let member = existing_member(state, team_id, user_id).await?;
    state
        .store
        .update_team_member(&TeamMember {
            scheme_admin: roles.scheme_admin,
            scheme_user: roles.scheme_user,
            scheme_guest: roles.scheme_guest,
            ..member
        })
        .await
        .map_err(team_error)
}

/// Makes a team open (`O`: anyone may join, open invites allowed) or invite-only (`I`:
/// open invites off), needing `manage_team`. Making it invite-only gives it a new
/// invite id, so links already handed out stop working, as Mattermost does.
pub async fn update_privacy(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    privacy: &str,
) -> Result<Team, AppError> {
    let team_type = match privacy {
        "O" => TeamType::Open,
        "I" => TeamType::Invite,
        _ => {
            return Err(AppError::InvalidBody {
                name: "privacy",
                detail: "privacy must be \"O\" (open) or \"I\" (invite only)".into(),
            });
        }
    };
    let (team, _) = require_team(state, actor, team_id, perm::MANAGE_TEAM).await?;
    let allow_open_invite = team_type == TeamType::Open;
    let changed = team.team_type != team_type || team.allow_open_invite != allow_open_invite;
    let invite_id = if changed && !allow_open_invite {
        new_id()
    } else {
        team.invite_id.clone()
    };
    state
        .store
        .update_team(&Team {
            team_type,
            allow_open_invite,
            invite_id,
            ..team
        })
        .await
        .map_err(team_error)
}

/// `POST /teams/search`'s criteria (`model.TeamSearch`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TeamSearch {
    pub term: String,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Only teams whose `allow_open_invite` is this (and not group-constrained).
    pub allow_open_invite: Option<bool>,
    /// Only teams whose `group_constrained` is this; with `allow_open_invite`, either.
    pub group_constrained: Option<bool>,
    /// Accepted and ignored: Hearth has no group-constrained teams.
    pub include_group_constrained: Option<bool>,
    /// Needs `sysconsole_read_compliance_data_retention`; then changes nothing, as
    /// Hearth has no retention policies.
    pub exclude_policy_constrained: Option<bool>,
}

impl TeamSearch {
    /// Whether `team` matches `term` (lower-cased) and the filters.
    fn wants(&self, team: &Team, term: &str) -> bool {
        let starts = |text: &str| text.to_lowercase().starts_with(term);
        if !term.is_empty() && !starts(&team.name) && !starts(&team.display_name) {
            return false;
        }
        let grouped = team.group_constrained.unwrap_or(false);
        let by_invite = self
            .allow_open_invite
            .map(|wanted| team.allow_open_invite == wanted && !grouped);
        let by_group = self.group_constrained.map(|wanted| grouped == wanted);
        match (by_invite, by_group) {
            (None, None) => true,
            (invite, group) => invite.unwrap_or(false) || group.unwrap_or(false),
        }
    }
}

/// Live teams whose name or display name starts with the term (ignoring case), by
/// display name, among those the actor may see: everything for those who may list
/// invite-only teams (system admins), otherwise their own teams and the open teams
/// ([`may_view`]).
///
/// Teams are few (tens, hundreds) next to users and channels, so every live team is
/// read and matched here rather than by another query per engine; Unicode case folding
/// is then the same on both.
pub async fn search_teams(
    state: &AppState,
    actor: &Actor,
    search: &TeamSearch,
) -> Result<Vec<Team>, AppError> {
    if search.exclude_policy_constrained.is_some() {
        actor.require(perm::READ_COMPLIANCE_DATA_RETENTION)?;
    }
    let everything = actor.can(perm::LIST_PRIVATE_TEAMS);
    let own: HashSet<String> = if everything {
        HashSet::new()
    } else {
        state
            .store
            .list_user_team_members(&actor.user.id)
            .await?
            .into_iter()
            .map(|m| m.team_id)
            .collect()
    };
    let term = search.term.trim().to_lowercase();
    Ok(state
        .store
        .list_teams(true, 0, u32::MAX)
        .await?
        .into_iter()
        .filter(|t| everything || visible(actor, t, own.contains(&t.id)))
        .filter(|t| search.wants(t, &term))
        .collect())
}

/// Where a team's icon is kept in the file store (Mattermost's layout).
fn icon_path(team_id: &str) -> String {
    format!("teams/{team_id}/teamIcon.png")
}

/// Most bytes read back for a stored icon: far more than a 128×128 PNG takes.
const MAX_STORED_ICON: u64 = 1024 * 1024;

fn no_icon() -> AppError {
    AppError::Missing {
        id: "api.team.get_team_icon.read_file.app_error",
        message: "Unable to read the team icon file.".into(),
    }
}

/// Sets a team's icon from an upload already on disk, needing `manage_team`: decoded
/// through the server's one bounded path, the centre square scaled to 128×128 PNG,
/// written to the file store, then `last_team_icon_update` set (with `update_team`).
pub async fn set_team_icon(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    upload: Staged,
) -> Result<Team, AppError> {
    require_team(state, actor, team_id, perm::MANAGE_TEAM).await?;
    let png = crate::app::users::square_png(state, upload)
        .await?
        .map_err(|e| match e {
            AvatarError::TooLarge => AppError::invalid(
                "api.team.set_team_icon.check_image_limits.app_error",
                format!("Image limits check failed: {e}"),
            ),
            other => AppError::invalid(
                "api.team.set_team_icon.decode.app_error",
                format!("Could not decode team icon: {other}"),
            ),
        })?;
    state
        .files
        .write(&icon_path(team_id), png)
        .await
        .map_err(|e| AppError::Internal(format!("file store: {e}")))?;
    state
        .store
        .set_team_icon_update(team_id, now_millis())
        .await
        .map_err(team_error)
}

/// A team's icon (PNG) and the team: for those with `view_team` in it, and for anyone
/// when the team is open. 404 when it has none.
pub async fn team_icon(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
) -> Result<(Vec<u8>, Team), AppError> {
    let team = state.store.get_team(team_id).await.map_err(team_error)?;
    if team.delete_at != 0 && !actor.can(perm::MANAGE_SYSTEM) {
        return Err(team_missing());
    }
    let member = membership(state, actor, team_id).await?;
    if !is_open(&team) && !team_grants(actor, member.as_ref(), perm::VIEW_TEAM) {
        return Err(AppError::Forbidden);
    }
    if team.last_team_icon_update == 0 {
        return Err(no_icon());
    }
    let png = crate::app::files::read_whole(state, &icon_path(team_id), MAX_STORED_ICON)
        .await?
        .ok_or_else(no_icon)?;
    Ok((png, team))
}

/// Removes a team's icon, needing `manage_team`: `last_team_icon_update` goes back to 0
/// (with `update_team`), then the file goes. A file left behind by a failed removal is
/// never served, since only a team with an icon time is read.
pub async fn remove_team_icon(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
) -> Result<Team, AppError> {
    require_team(state, actor, team_id, perm::MANAGE_TEAM).await?;
    let team = state
        .store
        .set_team_icon_update(team_id, 0)
        .await
        .map_err(team_error)?;
    if let Err(error) = state.files.remove(&icon_path(team_id)).await {
        tracing::warn!(team_id, %error, "could not remove a team icon file");
    }
    Ok(team)
}

/// A user's unread counts in each of their teams but `exclude`
/// (`GET /users/{id}/teams/unread`), for themselves or a system admin.
pub async fn teams_unread(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    exclude: Option<&str>,
) -> Result<Vec<TeamUnread>, AppError> {
    actor.require_self_or_admin(user_id)?;
    let team_ids = state
        .store
        .list_user_team_members(user_id)
        .await?
        .into_iter()
        .map(|m| m.team_id)
        .filter(|id| Some(id.as_str()) != exclude);
    let members = state.store.list_user_channel_members(user_id, None).await?;
    let channels = state.store.list_user_channels(user_id, None, false).await?;
    Ok(sum_unreads(team_ids, &channels, &members))
}

/// A user's unread counts in one team (`GET /users/{id}/teams/{tid}/unread`): for
/// themselves or those with `edit_other_users`, who must also have `view_team` in it.
/// All zero when the user is not in the team.
pub async fn team_unread(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    team_id: &str,
) -> Result<TeamUnread, AppError> {
    if actor.user.id != user_id && !actor.can(perm::EDIT_OTHER_USERS) {
        return Err(AppError::Forbidden);
    }
    require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    let members = state
        .store
        .list_user_channel_members(user_id, Some(team_id))
        .await?;
    let channels = state
        .store
        .list_user_channels(user_id, Some(team_id), false)
        .await?;
    Ok(sum_unreads([team_id.to_string()], &channels, &members)
        .pop()
        .unwrap_or_default())
}

/// Sums a user's channel counts into one [`TeamUnread`] per team of `team_ids`, in
/// that order, as Mattermost does: every channel's mentions, but messages only from
/// channels not muted (`mark_unread: mention`). Direct and group channels belong to no
/// team. Thread counts stay 0 (clients read them from the threads endpoints).
fn sum_unreads(
    team_ids: impl IntoIterator<Item = String>,
    channels: &[Channel],
    members: &[ChannelMember],
) -> Vec<TeamUnread> {
    let mut totals: Vec<TeamUnread> = team_ids
        .into_iter()
        .map(|team_id| TeamUnread {
            team_id,
            ..TeamUnread::default()
        })
        .collect();
    let members: HashMap<&str, &ChannelMember> =
        members.iter().map(|m| (m.channel_id.as_str(), m)).collect();
    for channel in channels.iter().filter(|c| !c.team_id.is_empty()) {
        let (Some(member), Some(total)) = (
            members.get(channel.id.as_str()),
            totals.iter_mut().find(|t| t.team_id == channel.team_id),
        ) else {
            continue;
        };
        total.mention_count += member.mention_count;
        total.mention_count_root += member.mention_count_root;
        if member.notify_props.get("mark_unread").map(String::as_str) != Some("mention") {
            let (messages, roots) = posts::unread_messages(channel, member);
            total.msg_count += messages;
            total.msg_count_root += roots;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(id: &str, team_id: &str, total: i64, roots: i64) -> Channel {
        Channel {
            id: id.into(),
            team_id: team_id.into(),
            total_msg_count: total,
            total_msg_count_root: roots,
            ..Channel::default()
        }
    }

    fn member(channel_id: &str, read: i64, mentions: i64, mark_unread: &str) -> ChannelMember {
        ChannelMember {
            channel_id: channel_id.into(),
            msg_count: read,
            msg_count_root: read,
            mention_count: mentions,
            mention_count_root: mentions,
            notify_props: [("mark_unread".to_string(), mark_unread.to_string())].into(),
            ..ChannelMember::default()
        }
    }

    #[test]
    fn team_unreads_sum_channels_but_muted_messages_and_direct_channels() {
        let channels = [
            channel("a", "t1", 10, 8),
            channel("b", "t1", 5, 5),
            channel("muted", "t1", 7, 7),
            channel("dm", "", 9, 9),
            channel("c", "t2", 3, 3),
            channel("not-a-member", "t2", 4, 4),
        ];
        let members = [
            member("a", 6, 1, "all"),
            member("b", 5, 0, "all"),
            member("muted", 0, 2, "mention"),
            member("dm", 0, 9, "all"),
            member("c", 1, 0, "all"),
        ];
        let sums = sum_unreads(
            ["t1".to_string(), "t2".to_string(), "t3".to_string()],
            &channels,
            &members,
        );
        let counts: Vec<_> = sums
            .iter()
            .map(|t| {
                (
                    t.team_id.as_str(),
                    t.msg_count,
                    t.msg_count_root,
                    t.mention_count,
                )
            })
            .collect();
        assert_eq!(counts, [("t1", 4, 2, 3), ("t2", 2, 2, 0), ("t3", 0, 0, 0)]);
    }
}
