//! The `users` group: accounts, sign-in, sessions, MFA, profile images and personal access
//! tokens. Thin handlers: parse, authenticate, call `app`, shape JSON.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use super::auth::{Auth, CSRF_COOKIE, Client, MaybeAuth, SESSION_COOKIE, USER_COOKIE};
use super::extract::Json;
use super::files::staged_image;
use super::rate_limit::LoginLimiter;
use super::user_param as target;
use super::{Paging, ok, resource};
use crate::app::permissions::perm;
use crate::app::tokens::{self, TokenAction};
use crate::app::users::{self, UserPatch, check_id, sanitize, user_error};
use crate::app::{Actor, avatar, directory, sessions, teams};
use crate::error::AppError;
use crate::model::User;
use crate::state::AppState;
use crate::store::{StoreError, UserQuery, UserSort};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/users")
            .route(web::post().to(create_user))
            .route(web::get().to(list_users)),
    )
    .service(resource("/users/ids").route(web::post().to(users_by_ids)))
    .service(resource("/users/known").route(web::get().to(known_users)))
    .service(resource("/users/group_channels").route(web::post().to(group_channel_members)))
    .service(resource("/users/usernames").route(web::post().to(users_by_usernames)))
    .service(resource("/users/search").route(web::post().to(search_users)))
    .service(resource("/users/autocomplete").route(web::get().to(autocomplete)))
    .service(resource("/users/stats").route(web::get().to(user_stats)))
    .service(resource("/users/stats/filtered").route(web::get().to(filtered_user_stats)))
    .service(resource("/users/login").route(web::post().to(login)))
    .service(resource("/users/logout").route(web::post().to(logout)))
    .service(resource("/users/mfa").route(web::post().to(mfa_required)))
    .service(resource("/users/tokens").route(web::get().to(all_tokens)))
    .service(resource("/users/tokens/revoke").route(web::post().to(revoke_token)))
    .service(resource("/users/tokens/disable").route(web::post().to(disable_token)))
    .service(resource("/users/tokens/enable").route(web::post().to(enable_token)))
    .service(resource("/users/tokens/search").route(web::post().to(search_tokens)))
    .service(resource("/users/tokens/{token_id}").route(web::get().to(get_token)))
    .service(resource("/users/login/type").route(web::post().to(login_type)))
    .service(
        resource("/users/sessions/revoke/all").route(web::post().to(revoke_everyones_sessions)),
    )
    .service(resource("/users/username/{username}").route(web::get().to(user_by_username)))
    .service(resource("/users/email/{email}").route(web::get().to(user_by_email)))
    .service(
        resource("/users/{user_id}")
            .route(web::get().to(get_user))
            .route(web::put().to(update_user))
            .route(web::delete().to(deactivate_user)),
    )
    .service(resource("/users/{user_id}/patch").route(web::put().to(patch_user)))
    .service(resource("/users/{user_id}/roles").route(web::put().to(update_roles)))
    .service(resource("/users/{user_id}/active").route(web::put().to(update_active)))
    .service(resource("/users/{user_id}/password").route(web::put().to(update_password)))
    .service(
        resource("/users/{user_id}/image")
            .route(web::get().to(get_image))
            .route(web::post().to(set_image))
            .route(web::delete().to(delete_image)),
    )
    .service(resource("/users/{user_id}/image/default").route(web::get().to(default_image)))
    .service(resource("/users/sessions/device").route(web::put().to(attach_device)))
    .service(resource("/users/{user_id}/sessions").route(web::get().to(list_sessions)))
    .service(resource("/users/{user_id}/sessions/revoke").route(web::post().to(revoke_session)))
    .service(
        resource("/users/{user_id}/sessions/revoke/all").route(web::post().to(revoke_all_sessions)),
    )
    .service(resource("/users/{user_id}/mfa").route(web::put().to(update_mfa)))
    .service(resource("/users/{user_id}/mfa/generate").route(web::post().to(generate_mfa)))
    .service(
        resource("/users/{user_id}/tokens")
            .route(web::post().to(create_token))
            .route(web::get().to(user_tokens)),
    )
    .service(resource("/users/{user_id}/audits").route(web::get().to(user_audits)))
    .service(resource("/users/{user_id}/typing").route(web::post().to(typing)))
    .service(resource("/users/{user_id}/uploads").route(web::get().to(list_uploads)))
    .service(
        resource("/users/{user_id}/reset_failed_attempts")
            .route(web::post().to(reset_failed_attempts)),
    )
    .service(resource("/users/{user_id}/channel_members").route(web::get().to(channel_members)));
}
/// `GET /api/v4/users/stats`: `{"total_users_count"}`, the active accounts the caller may
/// see (a guest: those sharing a channel with them).
async fn user_stats(
    state: web::Data<AppState>,
    Auth(actor): Auth,
) -> Result<HttpResponse, AppError> {
    let query = UserQuery {
        active: Some(true),
        sharing_channel_with: actor.is_guest().then(|| actor.user.id.clone()),
        ..UserQuery::default()
    };
    let count = state.store.count_matching_users(&query).await?;
    Ok(HttpResponse::Ok().json(json!({ "total_users_count": count })))
}

#[derive(Debug, Deserialize)]
struct StatsQuery {
    in_team: Option<String>,
    in_channel: Option<String>,
    #[serde(default)]
    include_deleted: bool,
    roles: Option<String>,
    team_roles: Option<String>,
    channel_roles: Option<String>,
}

/// `GET /api/v4/users/stats/filtered`: how many accounts match the filters (for the
/// System Console's user list). `roles` may name one system role; `team_roles` and
/// `channel_roles` are not supported yet (501). `include_bots` changes nothing: Hearth has
/// no bot accounts yet.
async fn filtered_user_stats(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    actor.require(perm::READ_OTHER_USERS)?;
    let roles: Vec<&str> = nonempty_opt(&query.roles)
        .map(|r| {
            r.split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if roles.len() > 1
        || nonempty_opt(&query.team_roles).is_some()
        || nonempty_opt(&query.channel_roles).is_some()
    {
        return Err(AppError::NotImplemented {
            id: "api.user.get_filtered_users_stats.not_implemented.app_error",
            message: "Counting users by several roles, or by team or channel roles, is not supported yet.".into(),
        });
    }
    for (value, name) in [
        (&query.in_team, "in_team"),
        (&query.in_channel, "in_channel"),
    ] {
        if let Some(id) = nonempty_opt(value) {
            check_id(id, name)?;
        }
    }
    let count = state
        .store
        .count_matching_users(&UserQuery {
            active: (!query.include_deleted).then_some(true),
            role: roles.first().map(|r| r.to_string()),
            in_team: nonempty_opt(&query.in_team).map(str::to_string),
            in_channel: nonempty_opt(&query.in_channel).map(str::to_string),
            ..UserQuery::default()
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "total_users_count": count })))
}

fn user_json(state: &AppState, actor: Option<&Actor>, user: User) -> serde_json::Value {
    serde_json::to_value(sanitize(user, actor, &state.config())).unwrap_or_default()
}

fn nonempty(value: &str) -> Option<&str> {
    Some(value).filter(|s| !s.is_empty())
}

fn nonempty_opt(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// The users a guest may see: themself and everyone sharing a channel with them. `None`
/// for everyone else, who may see every account.
async fn guest_horizon(
    state: &AppState,
    actor: &Actor,
) -> Result<Option<HashSet<String>>, AppError> {
    if !actor.is_guest() {
        return Ok(None);
    }
    let mut visible = HashSet::from([actor.user.id.clone()]);
    for membership in state
        .store
        .list_user_channel_members(&actor.user.id, None)
        .await?
    {
        for member in state
            .store
            .list_channel_members(&membership.channel_id, 0, u32::MAX)
            .await?
        {
            visible.insert(member.user_id);
        }
    }
    Ok(Some(visible))
}

async fn may_see(state: &AppState, actor: &Actor, user_id: &str) -> Result<bool, AppError> {
    Ok(guest_horizon(state, actor)
        .await?
        .is_none_or(|ids| ids.contains(user_id)))
}

async fn users_list(
    state: &AppState,
    actor: &Actor,
    users: Vec<User>,
) -> Result<Vec<serde_json::Value>, AppError> {
    let horizon = guest_horizon(state, actor).await?;
    Ok(users
        .into_iter()
        .filter(|u| horizon.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .map(|u| user_json(state, Some(actor), u))
        .collect())
}

async fn users_json(
    state: &AppState,
    actor: &Actor,
    users: Vec<User>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(users_list(state, actor, users).await?))
}

/// Team and channel filters of user lists, checked: the caller must be able to see the
/// team or channel named.
async fn scoped(
    state: &AppState,
    actor: &Actor,
    in_team: Option<&str>,
    not_in_team: Option<&str>,
    in_channel: Option<&str>,
    not_in_channel: Option<&str>,
    without_team: bool,
) -> Result<UserQuery, AppError> {
    for team_id in [in_team, not_in_team].into_iter().flatten() {
        check_id(team_id, "team_id")?;
        crate::app::teams::require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    }
    for channel_id in [in_channel, not_in_channel].into_iter().flatten() {
        check_id(channel_id, "channel_id")?;
        crate::app::channels::require_channel(state, actor, channel_id, perm::READ_CHANNEL).await?;
    }
    if without_team {
        actor.require(perm::LIST_USERS_WITHOUT_TEAM)?;
    }
    Ok(UserQuery {
        in_team: in_team.map(str::to_string),
        not_in_team: not_in_team.map(str::to_string),
        in_channel: in_channel.map(str::to_string),
        not_in_channel: not_in_channel.map(str::to_string),
        without_team,
        sharing_channel_with: actor.is_guest().then(|| actor.user.id.clone()),
        ..UserQuery::default()
    })
}

#[derive(Debug, Deserialize)]
struct CreateQuery {
    t: Option<String>,
    iid: Option<String>,
}

async fn create_user(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    client: Client,
    query: web::Query<CreateQuery>,
    body: Json<User>,
) -> Result<HttpResponse, AppError> {
    if query.t.as_deref().is_some_and(|t| !t.is_empty()) {
        // E-mailed invitations need e-mail, which is not built yet: no token can be valid.
        return Err(AppError::invalid(
            "api.user.create_user.invalid_invitation_type.app_error",
            "The invitation is not valid.",
        ));
    }
    // An invitation link (`iid`: a team's invite id) opens sign-up on a closed server and
    // puts the new account in that team.
    let invited = match query.iid.as_deref().filter(|iid| !iid.is_empty()) {
        Some(iid) => {
            check_id(iid, "iid")?;
            Some(teams::team_by_invite_id(&state, iid).await?)
        }
        None => None,
    };
    let how = if invited.is_some() {
        users::SignUp::Invited
    } else {
        users::SignUp::Plain
    };
    let created = users::create_user(
        &state,
        auth.0.as_ref(),
        body.into_inner(),
        &client.0.ip,
        how,
    )
    .await?;
    if let Some(team) = &invited {
        teams::add_member(&state, team, &created.id).await?;
    }
    Ok(HttpResponse::Created().json(user_json(&state, auth.0.as_ref(), created)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    in_team: Option<String>,
    not_in_team: Option<String>,
    in_channel: Option<String>,
    not_in_channel: Option<String>,
    without_team: Option<bool>,
    active: Option<bool>,
    inactive: Option<bool>,
    role: Option<String>,
    sort: Option<String>,
}

async fn list_users(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let paging = Paging::new(query.page, query.per_page);
    let scope = scoped(
        &state,
        &actor,
        nonempty_opt(&query.in_team),
        nonempty_opt(&query.not_in_team),
        nonempty_opt(&query.in_channel),
        nonempty_opt(&query.not_in_channel),
        query.without_team == Some(true),
    )
    .await?;
    let sort = match query.sort.as_deref().unwrap_or("") {
        "" | "username" => UserSort::Username,
        "create_at" => UserSort::CreateAt,
        "last_activity_at" => UserSort::LastActivityAt,
        _ => return Err(AppError::InvalidParam { name: "sort" }),
    };
    let active = match (query.active, query.inactive) {
        (Some(true), Some(true)) => return Err(AppError::InvalidParam { name: "active" }),
        (_, Some(true)) => Some(false),
        (Some(true), _) => Some(true),
        _ => None,
    };
    if let Some(role) = &query.role
        && !crate::app::permissions::is_role(role)
    {
        return Err(AppError::InvalidParam { name: "role" });
    }
    let users = state
        .store
        .list_users(&UserQuery {
            active,
            role: query.role.clone(),
            sort,
            offset: paging.offset(),
            limit: paging.per_page,
            ..scope
        })
        .await?;
    users_json(&state, &actor, users).await
}

/// At most this many ids or names in one lookup.
const MAX_LOOKUP: usize = 1000;

fn check_lookup(list: &[String], name: &'static str) -> Result<(), AppError> {
    if list.is_empty() || list.len() > MAX_LOOKUP {
        return Err(AppError::InvalidBody {
            name,
            detail: format!("give between 1 and {MAX_LOOKUP} {name}"),
        });
    }
    Ok(())
}

async fn users_by_ids(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_lookup(&body, "user_ids")?;
    for id in body.iter() {
        check_id(id, "user_ids")?;
    }
    let users = state.store.get_users_by_ids(&body).await?;
    users_json(&state, &actor, users).await
}

async fn users_by_usernames(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_lookup(&body, "usernames")?;
    let users = state.store.get_users_by_usernames(&body).await?;
    users_json(&state, &actor, users).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchBody {
    term: String,
    team_id: String,
    not_in_team_id: String,
    in_channel_id: String,
    not_in_channel_id: String,
    allow_inactive: bool,
    without_team: bool,
    limit: Option<u32>,
}

fn may_search_email(state: &AppState, actor: &Actor) -> bool {
    state.config().privacy_settings.show_email_address || actor.can(perm::READ_OTHER_USERS)
}

async fn search_users(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<SearchBody>,
) -> Result<HttpResponse, AppError> {
    let term = body.term.trim();
    if term.is_empty() || term.chars().count() > 64 {
        return Err(AppError::InvalidBody {
            name: "term",
            detail: "term must be 1 to 64 characters".into(),
        });
    }
    let scope = scoped(
        &state,
        &actor,
        nonempty(&body.team_id),
        nonempty(&body.not_in_team_id),
        nonempty(&body.in_channel_id),
        nonempty(&body.not_in_channel_id),
        body.without_team,
    )
    .await?;
    let limit = body.limit.unwrap_or(100).clamp(1, 1000);
    let query = UserQuery {
        active: (!body.allow_inactive).then_some(true),
        search_email: may_search_email(&state, &actor),
        limit,
        ..scope
    };
    let users = directory::search_users(&state, query, term).await?;
    users_json(&state, &actor, users).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AutocompleteQuery {
    name: String,
    team_id: String,
    channel_id: String,
    limit: Option<u32>,
}

async fn autocomplete(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<AutocompleteQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 100);
    let term = query.name.trim();
    let search = |scope: UserQuery| {
        let state = &state;
        let query = UserQuery {
            active: Some(true),
            search_email: may_search_email(state, &actor),
            limit,
            ..scope
        };
        async move {
            if term.is_empty() {
                Ok(state.store.list_users(&query).await?)
            } else {
                directory::search_users(state, query, term).await
            }
        }
    };
    // In a channel: its members, then the team's other members ("out of channel").
    if let Some(channel_id) = nonempty(&query.channel_id) {
        let scope = scoped(&state, &actor, None, None, Some(channel_id), None, false).await?;
        let inside = search(scope).await?;
        let mut body = json!({ "users": users_list(&state, &actor, inside).await? });
        let outside = match nonempty(&query.team_id) {
            Some(team_id) => {
                let scope = scoped(
                    &state,
                    &actor,
                    Some(team_id),
                    None,
                    None,
                    Some(channel_id),
                    false,
                )
                .await?;
                search(scope).await?
            }
            None => Vec::new(),
        };
        body["out_of_channel"] = json!(users_list(&state, &actor, outside).await?);
        return Ok(HttpResponse::Ok().json(body));
    }
    let scope = scoped(
        &state,
        &actor,
        nonempty(&query.team_id),
        None,
        None,
        None,
        false,
    )
    .await?;
    let users = search(scope).await?;
    Ok(HttpResponse::Ok().json(json!({ "users": users_list(&state, &actor, users).await? })))
}

async fn fetch_visible(
    state: &AppState,
    actor: &Actor,
    found: Result<User, StoreError>,
) -> Result<HttpResponse, AppError> {
    let user = found.map_err(user_error)?;
    if !may_see(state, actor, &user.id).await? {
        return Err(user_error(StoreError::NotFound));
    }
    Ok(HttpResponse::Ok().json(user_json(state, Some(actor), user)))
}

async fn get_user(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    if id == actor.user.id {
        // Authentication has just read this user; no need to ask again.
        let me = actor.user.clone();
        return Ok(HttpResponse::Ok().json(user_json(&state, Some(&actor), me)));
    }
    let found = state.store.get_user(&id).await;
    fetch_visible(&state, &actor, found).await
}

async fn user_by_username(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    users::check_username(&path.to_lowercase())
        .map_err(|_| AppError::InvalidParam { name: "username" })?;
    let found = state.store.get_user_by_username(&path).await;
    fetch_visible(&state, &actor, found).await
}

async fn user_by_email(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    users::check_email(&path.to_lowercase())
        .map_err(|_| AppError::InvalidParam { name: "email" })?;
    if !may_search_email(&state, &actor) {
        return Err(AppError::Denied {
            id: "api.user.get_user_by_email.permissions.app_error",
            message: "Unable to get user by email.".into(),
        });
    }
    let found = state.store.get_user_by_email(&path).await;
    fetch_visible(&state, &actor, found).await
}

async fn patch_user(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<UserPatch>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    let saved = users::patch_user(&state, &actor, &id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(user_json(&state, Some(&actor), saved)))
}

/// `PUT /users/{id}`: the whole user object; only profile fields are taken from it.
async fn update_user(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<serde_json::Value>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    if body
        .get("id")
        .and_then(|v| v.as_str())
        .is_some_and(|body_id| body_id != id)
    {
        return Err(AppError::InvalidParam { name: "id" });
    }
    let patch: UserPatch =
        super::extract::from_value(body.into_inner()).map_err(|e| AppError::InvalidBody {
            name: "user",
            detail: e.to_string(),
        })?;
    let saved = users::patch_user(&state, &actor, &id, patch).await?;
    Ok(HttpResponse::Ok().json(user_json(&state, Some(&actor), saved)))
}

async fn deactivate_user(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    // Mattermost answers this path with the generic permission error.
    actor.require(perm::MANAGE_OTHER_USERS)?;
    users::set_active(&state, &actor, &id, false, &client.0.ip).await?;
    Ok(ok())
}

#[derive(Debug, Deserialize)]
struct RolesBody {
    roles: String,
}

async fn update_roles(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
    body: Json<RolesBody>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    users::update_roles(&state, &actor, &id, &body.roles, &client.0.ip).await?;
    Ok(ok())
}

#[derive(Debug, Deserialize)]
struct ActiveBody {
    active: bool,
}

async fn update_active(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
    body: Json<ActiveBody>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    users::set_active(&state, &actor, &id, body.active, &client.0.ip).await?;
    Ok(ok())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

async fn update_password(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
    body: Json<PasswordBody>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    users::change_password(
        &state,
        &actor,
        &id,
        &body.current_password,
        &body.new_password,
        &client.0.ip,
    )
    .await?;
    Ok(ok())
}

/// A PNG answer with a private day of caching, or 304 when `If-None-Match` has `etag`.
pub(super) fn png(req: &HttpRequest, bytes: Vec<u8>, etag: String) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if fresh {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400"))
        .insert_header((header::ETAG, etag))
        .body(bytes)
}

fn display_name(user: &User) -> String {
    let full = format!("{} {}", user.first_name, user.last_name);
    if full.trim().is_empty() {
        user.username.clone()
    } else {
        full
    }
}

async fn get_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    let user = state.store.get_user(&id).await.map_err(user_error)?;
    if !may_see(&state, &actor, &user.id).await? {
        return Err(user_error(StoreError::NotFound));
    }
    let etag = format!(
        "\"{}-{}-{}\"",
        user.id, user.last_picture_update, user.update_at
    );
    match state.store.get_picture(&id).await {
        Ok(bytes) => Ok(png(&req, bytes, etag)),
        Err(StoreError::NotFound) => Ok(png(
            &req,
            avatar::default_avatar(&user.id, &display_name(&user)),
            etag,
        )),
        Err(other) => Err(other.into()),
    }
}

async fn default_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    let user = state.store.get_user(&id).await.map_err(user_error)?;
    let etag = format!("\"{}-default-{}\"", user.id, user.update_at);
    Ok(png(
        &req,
        avatar::default_avatar(&user.id, &display_name(&user)),
        etag,
    ))
}

async fn set_image(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    // Refused before a byte is staged; `set_picture` checks again.
    users::may_edit(&actor, &id)?;
    let Some(upload) = staged_image(&state, form).await? else {
        return Err(AppError::InvalidBody {
            name: "image",
            detail: "no file in the `image` field".into(),
        });
    };
    users::set_picture(&state, &actor, &id, upload).await?;
    Ok(ok())
}

async fn delete_image(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    users::delete_picture(&state, &actor, &id).await?;
    Ok(ok())
}

fn cookie(
    name: &'static str,
    value: String,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(max_age_secs.max(0)))
        .finish()
}

async fn login(
    state: web::Data<AppState>,
    limiter: web::Data<LoginLimiter>,
    client: Client,
    body: Json<sessions::LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let attempt = limiter.check(&client.0.ip)?;
    let (user, session) = match sessions::login(&state, &body, &client.0).await {
        Ok(signed_in) => signed_in,
        Err(error) => {
            if sessions::counts_as_failure(&error, &body) {
                attempt.failed();
            }
            return Err(error);
        }
    };
    drop(attempt);
    let max_age = (session.expires_at - session.create_at) / 1000;
    let secure = state
        .config()
        .service_settings
        .site_url
        .starts_with("https://");
    let csrf = session.props.get("csrf").cloned().unwrap_or_default();
    let actor = Actor {
        user: user.clone(),
        session: session.clone(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Token", session.token.clone()))
        .cookie(cookie(
            SESSION_COOKIE,
            session.token.clone(),
            max_age,
            true,
            secure,
        ))
        .cookie(cookie(USER_COOKIE, user.id.clone(), max_age, false, secure))
        .cookie(cookie(CSRF_COOKIE, csrf, max_age, false, secure))
        .json(user_json(&state, Some(&actor), user)))
}

async fn logout(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    client: Client,
) -> Result<HttpResponse, AppError> {
    if let Some(actor) = &auth.0 {
        sessions::logout(&state, actor, &client.0).await?;
    }
    let secure = state
        .config()
        .service_settings
        .site_url
        .starts_with("https://");
    let mut response = ok();
    for (name, http_only) in [
        (SESSION_COOKIE, true),
        (USER_COOKIE, false),
        (CSRF_COOKIE, false),
    ] {
        let _ = response.add_cookie(&cookie(name, String::new(), 0, http_only, secure));
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct MfaRequiredBody {
    login_id: String,
}

async fn mfa_required(
    state: web::Data<AppState>,
    body: Json<MfaRequiredBody>,
) -> Result<HttpResponse, AppError> {
    let required = sessions::mfa_required(&state, &body.login_id).await?;
    Ok(HttpResponse::Ok().json(json!({ "mfa_required": required })))
}

async fn generate_mfa(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    let provisioning = sessions::generate_mfa(&state, &actor, &id).await?;
    Ok(HttpResponse::Ok().json(json!({
        "secret": provisioning.secret,
        "qr_code": provisioning.qr_code_png_base64,
    })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MfaBody {
    activate: bool,
    code: String,
}

async fn update_mfa(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
    body: Json<MfaBody>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    sessions::update_mfa(&state, &actor, &id, body.activate, &body.code, &client.0).await?;
    Ok(ok())
}

async fn list_sessions(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    Ok(HttpResponse::Ok().json(sessions::list_sessions(&state, &actor, &id).await?))
}

#[derive(Debug, Deserialize)]
struct RevokeBody {
    session_id: String,
}

/// `PUT /users/sessions/device` `{device_id}`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DeviceBody {
    device_id: String,
}

async fn attach_device(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<DeviceBody>,
) -> Result<HttpResponse, AppError> {
    sessions::attach_device(&state, &actor, &body.device_id).await?;
    Ok(ok())
}

async fn revoke_session(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
    body: Json<RevokeBody>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    check_id(&body.session_id, "session_id")?;
    sessions::revoke_session(&state, &actor, &id, &body.session_id, &client.0).await?;
    Ok(ok())
}

async fn revoke_all_sessions(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    sessions::revoke_all_sessions(&state, &actor, &id, &client.0).await?;
    Ok(ok())
}

#[derive(Debug, Deserialize)]
struct TokenBody {
    description: String,
}

async fn create_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
    body: Json<TokenBody>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    let token = tokens::create(&state, &actor, &id, &body.description, &client.0.ip).await?;
    Ok(HttpResponse::Ok().json(token))
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn user_tokens(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok()
        .json(tokens::list(&state, &actor, Some(&id), paging.offset(), paging.per_page).await?))
}

async fn all_tokens(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok()
        .json(tokens::list(&state, &actor, None, paging.offset(), paging.per_page).await?))
}

async fn get_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "token_id")?;
    Ok(HttpResponse::Ok().json(tokens::get(&state, &actor, &path).await?))
}

#[derive(Debug, Deserialize)]
struct TokenIdBody {
    token_id: String,
}

async fn change_token(
    state: &AppState,
    actor: &Actor,
    ip: &str,
    body: &TokenIdBody,
    action: TokenAction,
) -> Result<HttpResponse, AppError> {
    check_id(&body.token_id, "token_id")?;
    tokens::change(state, actor, &body.token_id, action, ip).await?;
    Ok(ok())
}

async fn revoke_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    body: Json<TokenIdBody>,
) -> Result<HttpResponse, AppError> {
    change_token(&state, &actor, &client.0.ip, &body, TokenAction::Revoke).await
}

async fn disable_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    body: Json<TokenIdBody>,
) -> Result<HttpResponse, AppError> {
    change_token(&state, &actor, &client.0.ip, &body, TokenAction::Disable).await
}

async fn enable_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    body: Json<TokenIdBody>,
) -> Result<HttpResponse, AppError> {
    change_token(&state, &actor, &client.0.ip, &body, TokenAction::Enable).await
}

async fn user_audits(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = target(&actor, &path)?;
    if id != actor.user.id {
        actor.require(perm::READ_AUDITS)?;
    }
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_audits(Some(&id), paging.offset(), paging.per_page)
            .await?,
    ))
}

async fn known_users(
    state: web::Data<AppState>,
    Auth(actor): Auth,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(crate::app::lookups::known_users(&state, &actor).await?))
}

async fn group_channel_members(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let found = crate::app::lookups::group_channel_members(&state, &actor, &body).await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TypingBody {
    channel_id: String,
    parent_id: String,
}

/// `POST /users/{user_id}/typing`: the same `typing` event as the WebSocket action, for
/// clients without a socket.
async fn typing(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<TypingBody>,
) -> Result<HttpResponse, AppError> {
    let user_id = super::user_param(&actor, &path)?;
    if user_id != actor.user.id {
        return Err(AppError::Forbidden);
    }
    crate::ws::session::typing_on(
        &state,
        &state.hub,
        &actor,
        &body.channel_id,
        &body.parent_id,
        "",
    )
    .await?;
    Ok(ok())
}

async fn channel_members(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = super::user_param(&actor, &path)?;
    let paging = Paging::new(query.page, query.per_page);
    let members = crate::app::lookups::user_channel_members(
        &state,
        &actor,
        &user_id,
        paging.offset(),
        paging.per_page,
    )
    .await?;
    Ok(HttpResponse::Ok().json(members))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TermBody {
    term: String,
}

async fn search_tokens(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<TermBody>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(tokens::search(&state, &actor, &body.term).await?))
}

/// `POST /users/login/type`: which sign-in a login id uses. Hearth has only passwords (no
/// magic links, directory or single sign-on yet), so the answer is the same for every id,
/// and tells nobody whether an account exists.
async fn login_type() -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(serde_json::json!({ "auth_service": "" })))
}

async fn revoke_everyones_sessions(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
) -> Result<HttpResponse, AppError> {
    sessions::revoke_everyones_sessions(&state, &actor, &client.0).await?;
    Ok(ok())
}

async fn list_uploads(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = super::user_param(&actor, &path)?;
    Ok(HttpResponse::Ok().json(crate::app::files::list_uploads(&state, &actor, &user_id).await?))
}

async fn reset_failed_attempts(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    client: Client,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = super::user_param(&actor, &path)?;
    crate::app::users::reset_failed_attempts(&state, &actor, &user_id, &client.0.ip).await?;
    Ok(ok())
}
