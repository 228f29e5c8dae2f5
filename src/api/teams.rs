//! The `teams` group: teams, members, invitations, stats and unreads.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::auth::Auth;
use super::extract::Json;
use super::user_param as me;
use super::{Paging, ok, resource};
use crate::app::permissions::perm;
use crate::app::teams::{self, TeamPatch, team_error, team_grants};
use crate::app::users::check_id;
use crate::app::{Actor, posts};
use crate::error::AppError;
use crate::model::{Team, TeamMember};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/teams")
            .route(web::post().to(create_team))
            .route(web::get().to(list_teams)),
    )
    .service(resource("/teams/members/invite").route(web::post().to(join_by_invite)))
    .service(resource("/teams/invite/{invite_id}").route(web::get().to(invite_info)))
    .service(resource("/teams/name/{name}").route(web::get().to(team_by_name)))
    .service(resource("/teams/name/{name}/exists").route(web::get().to(team_exists)))
    .service(
        resource("/teams/{team_id}")
            .route(web::get().to(get_team))
            .route(web::put().to(patch_team))
            .route(web::delete().to(delete_team)),
    )
    .service(resource("/teams/{team_id}/patch").route(web::put().to(patch_team)))
    .service(resource("/teams/{team_id}/restore").route(web::post().to(restore_team)))
    .service(
        resource("/teams/{team_id}/regenerate_invite_id").route(web::post().to(regenerate_invite)),
    )
    .service(resource("/teams/{team_id}/stats").route(web::get().to(team_stats)))
    .service(
        resource("/teams/{team_id}/members")
            .route(web::get().to(list_members))
            .route(web::post().to(add_member)),
    )
    .service(resource("/teams/{team_id}/members/ids").route(web::post().to(members_by_ids)))
    .service(
        resource("/teams/{team_id}/members/{user_id}")
            .route(web::get().to(get_member))
            .route(web::delete().to(remove_member)),
    )
    .service(
        resource("/teams/{team_id}/members/{user_id}/roles").route(web::put().to(member_roles)),
    )
    .service(resource("/users/{user_id}/teams").route(web::get().to(user_teams)))
    .service(resource("/users/{user_id}/teams/members").route(web::get().to(user_team_members)))
    .service(resource("/users/{user_id}/teams/unread").route(web::get().to(team_unreads)))
    .service(
        resource("/users/{user_id}/teams/{team_id}/members").route(web::get().to(user_team_member)),
    );
}

/// Teams as the actor may see them: the e-mail and invite id only for those who may
/// invite people.
async fn team_json(
    state: &AppState,
    actor: &Actor,
    mut team: Team,
) -> Result<serde_json::Value, AppError> {
    let member = teams::membership(state, actor, &team.id).await?;
    if !team_grants(actor, member.as_ref(), perm::MANAGE_TEAM) {
        team.email.clear();
    }
    if !team_grants(actor, member.as_ref(), perm::INVITE_USER) {
        team.invite_id.clear();
    }
    Ok(serde_json::to_value(team).unwrap_or_default())
}
async fn create_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Team>,
) -> Result<HttpResponse, AppError> {
    let team = teams::create_team(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(team_json(&state, &actor, team).await?))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    #[serde(default)]
    include_total_count: bool,
}

async fn list_teams(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let paging = Paging::new(query.page, query.per_page);
    let all = actor.can(perm::LIST_PRIVATE_TEAMS);
    if !all && !actor.can(perm::LIST_PUBLIC_TEAMS) {
        return Err(AppError::Forbidden);
    }
    let found = state
        .store
        .list_teams(all, paging.offset(), paging.per_page)
        .await?;
    let mut list = Vec::with_capacity(found.len());
    for team in found {
        list.push(team_json(&state, &actor, team).await?);
    }
    if query.include_total_count {
        let total = state.store.list_teams(all, 0, u32::MAX).await?.len();
        return Ok(HttpResponse::Ok().json(json!({ "teams": list, "total_count": total })));
    }
    Ok(HttpResponse::Ok().json(list))
}

async fn visible_team(
    state: &AppState,
    actor: &Actor,
    team: Team,
) -> Result<HttpResponse, AppError> {
    if team.delete_at != 0 && !actor.can(perm::MANAGE_SYSTEM) {
        return Err(teams::team_missing());
    }
    if !teams::may_view(state, actor, &team).await? {
        return Err(AppError::Forbidden);
    }
    Ok(HttpResponse::Ok().json(team_json(state, actor, team).await?))
}

async fn get_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let team = state.store.get_team(&path).await.map_err(team_error)?;
    visible_team(&state, &actor, team).await
}

async fn team_by_name(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    teams::check_team_name(&path.to_lowercase())
        .map_err(|_| AppError::InvalidParam { name: "name" })?;
    let team = state
        .store
        .get_team_by_name(&path)
        .await
        .map_err(team_error)?;
    visible_team(&state, &actor, team).await
}

async fn team_exists(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let exists = match state.store.get_team_by_name(&path).await {
        Ok(team) => teams::may_view(&state, &actor, &team).await? || actor.can(perm::CREATE_TEAM),
        Err(crate::store::StoreError::NotFound) => false,
        Err(other) => return Err(other.into()),
    };
    Ok(HttpResponse::Ok().json(json!({ "exists": exists })))
}

async fn patch_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<TeamPatch>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let team = teams::patch_team(&state, &actor, &path, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(team_json(&state, &actor, team).await?))
}

async fn delete_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::set_team_deleted(&state, &actor, &path, true).await?;
    Ok(ok())
}

async fn restore_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let team = teams::set_team_deleted(&state, &actor, &path, false).await?;
    Ok(HttpResponse::Ok().json(team_json(&state, &actor, team).await?))
}

async fn regenerate_invite(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let team = teams::regenerate_invite_id(&state, &actor, &path).await?;
    Ok(HttpResponse::Ok().json(team_json(&state, &actor, team).await?))
}

async fn team_stats(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::require_team(&state, &actor, &path, perm::VIEW_TEAM).await?;
    let (total, active) = state.store.team_member_counts(&path).await?;
    Ok(HttpResponse::Ok().json(
        json!({ "team_id": *path, "total_member_count": total, "active_member_count": active }),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn list_members(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::require_team(&state, &actor, &path, perm::VIEW_TEAM).await?;
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_team_members(&path, paging.offset(), paging.per_page)
            .await?,
    ))
}

async fn members_by_ids(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::require_team(&state, &actor, &path, perm::VIEW_TEAM).await?;
    if body.is_empty() || body.len() > 1000 {
        return Err(AppError::InvalidBody {
            name: "user_ids",
            detail: "give between 1 and 1000 user ids".into(),
        });
    }
    let mut members = Vec::new();
    for id in body.iter() {
        check_id(id, "user_ids")?;
        if let Ok(member) = state.store.get_team_member(&path, id).await {
            members.push(member);
        }
    }
    Ok(HttpResponse::Ok().json(members))
}

#[derive(Debug, Deserialize)]
struct MemberBody {
    team_id: Option<String>,
    user_id: String,
}

async fn add_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<MemberBody>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    if body.team_id.as_deref().is_some_and(|t| t != path.as_str()) {
        return Err(AppError::InvalidBody {
            name: "team_id",
            detail: "team_id does not match the URL".into(),
        });
    }
    check_id(&body.user_id, "user_id")?;
    let member = teams::add_team_member(&state, &actor, &path, &body.user_id).await?;
    Ok(HttpResponse::Created().json(member))
}

#[derive(Debug, Deserialize)]
struct InviteQuery {
    invite_id: String,
}

async fn join_by_invite(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<InviteQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&query.invite_id, "invite_id")?;
    let member = teams::join_by_invite(&state, &actor, &query.invite_id).await?;
    Ok(HttpResponse::Created().json(member))
}

/// `GET /teams/invite/{invite_id}`: what an invitation link leads to, for the sign-up
/// page; no session needed, and only the team's public face.
async fn invite_info(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "invite_id")?;
    let team = teams::team_by_invite_id(&state, &path).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": team.id,
        "name": team.name,
        "display_name": team.display_name,
        "description": team.description,
    })))
}

fn member_missing() -> AppError {
    AppError::Missing {
        id: "app.team.get_member.missing.app_error",
        message: "No team member found for that user ID and team ID.".into(),
    }
}

async fn get_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (team_id, user_id) = path.into_inner();
    check_id(&team_id, "team_id")?;
    let user_id = me(&actor, &user_id)?;
    teams::require_team(&state, &actor, &team_id, perm::VIEW_TEAM).await?;
    let member: TeamMember = state
        .store
        .get_team_member(&team_id, &user_id)
        .await
        .map_err(|_| member_missing())?;
    Ok(HttpResponse::Ok().json(member))
}

async fn remove_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (team_id, user_id) = path.into_inner();
    check_id(&team_id, "team_id")?;
    let user_id = me(&actor, &user_id)?;
    teams::remove_team_member(&state, &actor, &team_id, &user_id).await?;
    Ok(ok())
}

#[derive(Debug, Deserialize)]
struct RolesBody {
    roles: String,
}

async fn member_roles(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<RolesBody>,
) -> Result<HttpResponse, AppError> {
    let (team_id, user_id) = path.into_inner();
    check_id(&team_id, "team_id")?;
    let user_id = me(&actor, &user_id)?;
    teams::update_member_roles(&state, &actor, &team_id, &user_id, &body.roles).await?;
    Ok(ok())
}
async fn user_teams(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = me(&actor, &path)?;
    actor.require_self_or_admin(&user_id)?;
    let found = state.store.list_user_teams(&user_id).await?;
    let mut list = Vec::with_capacity(found.len());
    for team in found {
        list.push(team_json(&state, &actor, team).await?);
    }
    Ok(HttpResponse::Ok().json(list))
}

async fn user_team_members(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = me(&actor, &path)?;
    actor.require_self_or_admin(&user_id)?;
    Ok(HttpResponse::Ok().json(state.store.list_user_team_members(&user_id).await?))
}

async fn user_team_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = path.into_inner();
    let user_id = me(&actor, &user_id)?;
    check_id(&team_id, "team_id")?;
    teams::require_team(&state, &actor, &team_id, perm::VIEW_TEAM).await?;
    let member = state
        .store
        .get_team_member(&team_id, &user_id)
        .await
        .map_err(|_| member_missing())?;
    Ok(HttpResponse::Ok().json(member))
}

/// `GET /users/{id}/teams/unread`: unread and mention counts summed per team.
async fn team_unreads(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = me(&actor, &path)?;
    actor.require_self_or_admin(&user_id)?;
    let mut totals: std::collections::BTreeMap<String, [i64; 4]> = state
        .store
        .list_user_team_members(&user_id)
        .await?
        .into_iter()
        .map(|m| (m.team_id, [0; 4]))
        .collect();
    let members = state
        .store
        .list_user_channel_members(&user_id, None)
        .await?;
    let channels = state
        .store
        .list_user_channels(&user_id, None, false)
        .await?;
    for channel in channels.iter().filter(|c| !c.team_id.is_empty()) {
        let Some(member) = members.iter().find(|m| m.channel_id == channel.id) else {
            continue;
        };
        if let Some(sum) = totals.get_mut(&channel.team_id) {
            let counts = posts::unread_counts(channel, member);
            for (i, key) in [
                "msg_count",
                "mention_count",
                "msg_count_root",
                "mention_count_root",
            ]
            .iter()
            .enumerate()
            {
                sum[i] += counts[key].as_i64().unwrap_or(0);
            }
        }
    }
    let list: Vec<_> = totals
        .into_iter()
        .map(|(team_id, [msg, mention, msg_root, mention_root])| {
            json!({
                "team_id": team_id,
                "msg_count": msg,
                "mention_count": mention,
                "msg_count_root": msg_root,
                "mention_count_root": mention_root,
                "thread_count": 0,
                "thread_mention_count": 0,
                "thread_urgent_mention_count": 0,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}
