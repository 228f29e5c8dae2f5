//! The `teams` group: teams, search, privacy, icons, members (one at a time and in
//! batches), scheme roles, invitations, stats and unreads.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::auth::Auth;
use super::extract::Json;
use super::files::staged_image;
use super::user_param as me;
use super::{Paging, ok, resource};
use crate::app::Actor;
use crate::app::permissions::perm;
use crate::app::teams::{self, TeamPatch, TeamSearch, team_error, team_grants};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::model::{Team, TeamMember};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/teams")
            .route(web::post().to(create_team))
            .route(web::get().to(list_teams)),
    )
    .service(resource("/teams/search").route(web::post().to(search_teams)))
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
    .service(resource("/teams/{team_id}/privacy").route(web::put().to(update_privacy)))
    .service(
        resource("/teams/{team_id}/image")
            .route(web::get().to(get_icon))
            .route(web::post().to(set_icon))
            .route(web::delete().to(remove_icon)),
    )
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
    .service(resource("/teams/{team_id}/members/batch").route(web::post().to(add_members)))
    .service(
        resource("/teams/{team_id}/members/{user_id}")
            .route(web::get().to(get_member))
            .route(web::delete().to(remove_member)),
    )
    .service(
        resource("/teams/{team_id}/members/{user_id}/roles").route(web::put().to(member_roles)),
    )
    .service(
        resource("/teams/{team_id}/members/{user_id}/schemeRoles")
            .route(web::put().to(member_scheme_roles)),
    )
    .service(resource("/users/{user_id}/teams").route(web::get().to(user_teams)))
    .service(resource("/users/{user_id}/teams/members").route(web::get().to(user_team_members)))
    .service(resource("/users/{user_id}/teams/unread").route(web::get().to(team_unreads)))
    .service(
        resource("/users/{user_id}/teams/{team_id}/members").route(web::get().to(user_team_member)),
    )
    .service(resource("/users/{user_id}/teams/{team_id}/unread").route(web::get().to(team_unread)));
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
/// [`team_json`] for each team of a list.
async fn teams_json(
    state: &AppState,
    actor: &Actor,
    teams: Vec<Team>,
) -> Result<Vec<serde_json::Value>, AppError> {
    let mut list = Vec::with_capacity(teams.len());
    for team in teams {
        list.push(team_json(state, actor, team).await?);
    }
    Ok(list)
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
    let list = teams_json(&state, &actor, found).await?;
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
        .map_err(|_| teams::member_missing())?;
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
    let list = teams_json(&state, &actor, found).await?;
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
        .map_err(|_| teams::member_missing())?;
    Ok(HttpResponse::Ok().json(member))
}

#[derive(Debug, Default, Deserialize)]
struct UnreadQuery {
    exclude_team: Option<String>,
}

/// `GET /users/{id}/teams/unread`: unread and mention counts summed per team.
async fn team_unreads(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<UnreadQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = me(&actor, &path)?;
    let exclude = query.exclude_team.as_deref().filter(|t| !t.is_empty());
    let unreads = teams::teams_unread(&state, &actor, &user_id, exclude).await?;
    Ok(HttpResponse::Ok().json(unreads))
}

/// `GET /users/{id}/teams/{tid}/unread`: the same for one team.
async fn team_unread(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = path.into_inner();
    let user_id = me(&actor, &user_id)?;
    check_id(&team_id, "team_id")?;
    let unread = teams::team_unread(&state, &actor, &user_id, &team_id).await?;
    Ok(HttpResponse::Ok().json(unread))
}

#[derive(Debug, Deserialize)]
struct PrivacyBody {
    privacy: Option<String>,
}

async fn update_privacy(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<PrivacyBody>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let privacy = body.privacy.as_deref().unwrap_or_default();
    let team = teams::update_privacy(&state, &actor, &path, privacy).await?;
    Ok(HttpResponse::Ok().json(team_json(&state, &actor, team).await?))
}

/// `POST /teams/search`: a plain list, or `{teams, total_count}` when the body has both
/// `page` and `per_page`.
async fn search_teams(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<TeamSearch>,
) -> Result<HttpResponse, AppError> {
    let search = body.into_inner();
    let found = teams::search_teams(&state, &actor, &search).await?;
    let total = found.len();
    let paged = search.page.is_some() && search.per_page.is_some();
    let shown: Vec<Team> = if paged {
        let paging = Paging::new(search.page, search.per_page);
        found
            .into_iter()
            .skip(paging.offset() as usize)
            .take(paging.per_page as usize)
            .collect()
    } else {
        found
    };
    let list = teams_json(&state, &actor, shown).await?;
    if paged {
        return Ok(HttpResponse::Ok().json(json!({ "teams": list, "total_count": total })));
    }
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Default, Deserialize)]
struct BatchQuery {
    graceful: Option<String>,
}

/// `POST /teams/{id}/members/batch`: `[{team_id, user_id}, …]` → 201 with the members,
/// or with `graceful`, one `{user_id, member, error}` per user.
async fn add_members(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<BatchQuery>,
    body: Json<Vec<MemberBody>>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    if body.is_empty() || body.len() > teams::MAX_BATCH_MEMBERS {
        return Err(AppError::InvalidBody {
            name: "members",
            detail: format!("give between 1 and {} members", teams::MAX_BATCH_MEMBERS),
        });
    }
    let mut user_ids = Vec::with_capacity(body.len());
    for member in body.iter() {
        if member.team_id.as_deref() != Some(path.as_str()) {
            return Err(AppError::InvalidBody {
                name: "team_id",
                detail: format!(
                    "the member with user_id {} names another team than the URL",
                    member.user_id
                ),
            });
        }
        if !crate::model::is_valid_id(&member.user_id) {
            return Err(AppError::InvalidBody {
                name: "user_id",
                detail: format!("{:?} is not a user id", member.user_id),
            });
        }
        user_ids.push(member.user_id.clone());
    }
    // Mattermost's rule: any value but an empty one means graceful; "false" and "0" are
    // read as they are meant.
    let graceful = query
        .graceful
        .as_deref()
        .is_some_and(|g| !matches!(g, "" | "false" | "0"));
    let outcomes = teams::add_team_members(&state, &actor, &path, &user_ids, graceful).await?;
    if graceful {
        let list: Vec<_> = outcomes
            .into_iter()
            .map(|(user_id, outcome)| match outcome {
                Ok(member) => json!({ "user_id": user_id, "member": member, "error": null }),
                Err(error) => json!({ "user_id": user_id, "member": null, "error": error.body() }),
            })
            .collect();
        return Ok(HttpResponse::Created().json(list));
    }
    let members: Vec<TeamMember> = outcomes.into_iter().filter_map(|(_, o)| o.ok()).collect();
    Ok(HttpResponse::Created().json(members))
}

async fn member_scheme_roles(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<super::SchemeRolesBody>,
) -> Result<HttpResponse, AppError> {
    let (team_id, user_id) = path.into_inner();
    check_id(&team_id, "team_id")?;
    let user_id = me(&actor, &user_id)?;
    let roles = body.roles()?;
    teams::update_member_scheme_roles(&state, &actor, &team_id, &user_id, roles).await?;
    Ok(ok())
}

async fn get_icon(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let (png, team) = teams::team_icon(&state, &actor, &path).await?;
    let etag = format!("\"{}-{}\"", team.id, team.last_team_icon_update);
    Ok(super::users::png(&req, png, etag))
}

/// `POST /teams/{id}/image`: the multipart field `image`. The permission is checked
/// before a byte is staged (and again when the icon is set).
async fn set_icon(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::require_team(&state, &actor, &path, perm::MANAGE_TEAM).await?;
    let upload = staged_image(&state, form).await.map_err(|e| match e {
        AppError::PayloadTooLarge { .. } => AppError::invalid(
            "api.team.set_team_icon.too_large.app_error",
            "Unable to upload team icon. File is too large.",
        ),
        AppError::InvalidBody { .. } => AppError::invalid(
            "api.team.set_team_icon.parse.app_error",
            "Could not parse multipart form.",
        ),
        other => other,
    })?;
    let Some(upload) = upload else {
        return Err(AppError::invalid(
            "api.team.set_team_icon.no_file.app_error",
            "No file under 'image' in request.",
        ));
    };
    teams::set_team_icon(&state, &actor, &path, upload).await?;
    Ok(ok())
}

async fn remove_icon(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::remove_team_icon(&state, &actor, &path).await?;
    Ok(ok())
}
