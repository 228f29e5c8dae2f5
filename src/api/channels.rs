//! The `channels` group: channels, direct and group messages, members, read state.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::auth::Auth;
use super::extract::Json;
use super::user_param as me;
use super::{Paging, ok, resource};
use crate::app::channels::{self, ChannelPatch, channel_error, member_missing, require_channel};
use crate::app::permissions::perm;
use crate::app::users::check_id;
use crate::app::{Actor, directory, lookups, posts, teams};
use crate::error::AppError;
use crate::model::{Channel, StringMap};
use crate::state::AppState;
use crate::store::{AllChannels, TeamChannels};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/channels")
            .route(web::get().to(all_channels))
            .route(web::post().to(create_channel)),
    )
    .service(resource("/channels/direct").route(web::post().to(direct_channel)))
    .service(resource("/channels/group").route(web::post().to(group_channel)))
    .service(resource("/channels/members/{user_id}/view").route(web::post().to(view_channel)))
    // Before `/channels/{channel_id}`, which has no POST.
    .service(resource("/channels/search").route(web::post().to(search_all_channels)))
    .service(resource("/channels/group/search").route(web::post().to(search_group_channels)))
    .service(
        resource("/channels/{channel_id}")
            .route(web::get().to(get_channel))
            .route(web::put().to(patch_channel))
            .route(web::delete().to(archive_channel)),
    )
    .service(resource("/channels/{channel_id}/patch").route(web::put().to(patch_channel)))
    .service(resource("/channels/{channel_id}/restore").route(web::post().to(restore_channel)))
    .service(resource("/channels/{channel_id}/privacy").route(web::put().to(set_privacy)))
    .service(resource("/channels/{channel_id}/stats").route(web::get().to(channel_stats)))
    .service(resource("/channels/{channel_id}/pinned").route(web::get().to(pinned_posts)))
    .service(
        resource("/channels/{channel_id}/members")
            .route(web::get().to(list_members))
            .route(web::post().to(add_member)),
    )
    .service(resource("/channels/{channel_id}/members/ids").route(web::post().to(members_by_ids)))
    .service(resource("/channels/{channel_id}/timezones").route(web::get().to(timezones)))
    .service(resource("/channels/{channel_id}/common_teams").route(web::get().to(common_teams)))
    .service(
        resource("/channels/{channel_id}/members/{user_id}")
            .route(web::get().to(get_member))
            .route(web::delete().to(remove_member)),
    )
    .service(
        resource("/channels/{channel_id}/members/{user_id}/roles")
            .route(web::put().to(member_roles)),
    )
    .service(
        resource("/channels/{channel_id}/members/{user_id}/schemeRoles")
            .route(web::put().to(member_scheme_roles)),
    )
    .service(
        resource("/channels/{channel_id}/members/{user_id}/notify_props")
            .route(web::put().to(member_notify_props)),
    )
    .service(resource("/teams/{team_id}/channels").route(web::get().to(team_channels)))
    .service(resource("/teams/{team_id}/channels/ids").route(web::post().to(team_channels_by_ids)))
    // Before any `/teams/{team_id}/channels/{...}` pattern that could take these.
    .service(resource("/teams/{team_id}/channels/search").route(web::post().to(search_channels)))
    .service(
        resource("/teams/{team_id}/channels/autocomplete")
            .route(web::get().to(autocomplete_channels)),
    )
    .service(
        resource("/teams/{team_id}/channels/search_autocomplete")
            .route(web::get().to(autocomplete_channels_for_search)),
    )
    .service(resource("/teams/{team_id}/channels/deleted").route(web::get().to(archived_channels)))
    .service(resource("/teams/{team_id}/channels/private").route(web::get().to(private_channels)))
    .service(
        resource("/teams/{team_id}/channels/name/{name}").route(web::get().to(channel_by_name)),
    )
    .service(
        resource("/teams/name/{team_name}/channels/name/{name}")
            .route(web::get().to(channel_by_names)),
    )
    .service(resource("/users/{user_id}/channels").route(web::get().to(all_user_channels)))
    .service(
        resource("/users/{user_id}/teams/{team_id}/channels").route(web::get().to(user_channels)),
    )
    .service(
        resource("/users/{user_id}/teams/{team_id}/channels/members")
            .route(web::get().to(user_channel_members)),
    )
    .service(
        resource("/users/{user_id}/channels/{channel_id}/unread")
            .route(web::get().to(channel_unread)),
    )
    .service(
        resource("/users/{user_id}/channels/{channel_id}/posts/unread")
            .route(web::get().to(posts_around_unread)),
    );
}

async fn create_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Channel>,
) -> Result<HttpResponse, AppError> {
    let channel = channels::create_channel(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(channel))
}

async fn direct_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let channel = channels::direct_channel(&state, &actor, &body).await?;
    Ok(HttpResponse::Created().json(channel))
}

async fn group_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    if body.len() > 16 {
        return Err(AppError::InvalidBody {
            name: "user_ids",
            detail: "too many user ids".into(),
        });
    }
    let channel = channels::group_channel(&state, &actor, &body).await?;
    Ok(HttpResponse::Created().json(channel))
}

async fn get_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    let access = require_channel(&state, &actor, &path, perm::READ_CHANNEL).await?;
    Ok(HttpResponse::Ok().json(access.channel))
}

async fn patch_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<ChannelPatch>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok()
        .json(channels::patch_channel(&state, &actor, &path, body.into_inner()).await?))
}

async fn archive_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    channels::archive_channel(&state, &actor, &path).await?;
    Ok(ok())
}

async fn restore_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(channels::restore_channel(&state, &actor, &path).await?))
}

#[derive(Debug, Deserialize)]
struct PrivacyBody {
    privacy: String,
}

async fn set_privacy(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<PrivacyBody>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(channels::set_privacy(&state, &actor, &path, &body.privacy).await?))
}

async fn channel_stats(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    require_channel(&state, &actor, &path, perm::READ_CHANNEL).await?;
    let members = state.store.channel_member_count(&path).await?;
    let pinned = state.store.pinned_posts(&path).await?.len();
    Ok(HttpResponse::Ok().json(json!({ "channel_id": *path, "member_count": members, "pinnedpost_count": pinned, "guest_count": 0, "files_count": 0 })))
}

async fn pinned_posts(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(posts::pinned(&state, &actor, &path).await?))
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
    check_id(&path, "channel_id")?;
    channels::require_member_list(&state, &actor, &path).await?;
    let paging = Paging::new(query.page, query.per_page);
    let mut members = state
        .store
        .list_channel_members(&path, paging.offset(), paging.per_page)
        .await?;
    // Others' read positions are theirs alone, as in Mattermost.
    for member in members.iter_mut().filter(|m| m.user_id != actor.user.id) {
        member.last_viewed_at = 0;
        member.last_update_at = 0;
    }
    Ok(HttpResponse::Ok().json(members))
}

#[derive(Debug, Deserialize)]
struct AddMemberBody {
    user_id: String,
}

async fn add_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<AddMemberBody>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    let user_id = me(&actor, &body.user_id)?;
    let member = channels::add_member(&state, &actor, &path, &user_id).await?;
    Ok(HttpResponse::Created().json(member))
}

async fn get_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (channel_id, user_id) = path.into_inner();
    check_id(&channel_id, "channel_id")?;
    let user_id = me(&actor, &user_id)?;
    require_channel(&state, &actor, &channel_id, perm::READ_CHANNEL).await?;
    let member = state
        .store
        .get_channel_member(&channel_id, &user_id)
        .await
        .map_err(|_| member_missing())?;
    Ok(HttpResponse::Ok().json(member))
}

async fn remove_member(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (channel_id, user_id) = path.into_inner();
    check_id(&channel_id, "channel_id")?;
    let user_id = me(&actor, &user_id)?;
    channels::remove_member(&state, &actor, &channel_id, &user_id).await?;
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
    let (channel_id, user_id) = path.into_inner();
    check_id(&channel_id, "channel_id")?;
    let user_id = me(&actor, &user_id)?;
    channels::update_member_roles(&state, &actor, &channel_id, &user_id, &body.roles).await?;
    Ok(ok())
}

async fn member_notify_props(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<StringMap>,
) -> Result<HttpResponse, AppError> {
    let (channel_id, user_id) = path.into_inner();
    check_id(&channel_id, "channel_id")?;
    let user_id = me(&actor, &user_id)?;
    let mut props = body.into_inner();
    // Clients echo these back; they are not settings.
    props.remove("channel_id");
    props.remove("user_id");
    channels::update_notify_props(&state, &actor, &channel_id, &user_id, props).await?;
    Ok(ok())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ViewBody {
    channel_id: String,
    prev_channel_id: String,
}

async fn view_channel(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<ViewBody>,
) -> Result<HttpResponse, AppError> {
    let user_id = me(&actor, &path)?;
    if user_id != actor.user.id {
        return Err(AppError::Forbidden);
    }
    let mut times = serde_json::Map::new();
    if !body.channel_id.is_empty() {
        check_id(&body.channel_id, "channel_id")?;
        let at = channels::view_channel(&state, &actor, &body.channel_id).await?;
        times.insert(body.channel_id.clone(), json!(at));
    }
    if !body.prev_channel_id.is_empty() && body.prev_channel_id != body.channel_id {
        check_id(&body.prev_channel_id, "prev_channel_id")?;
        // Leaving a channel marks it read too, as far as the user has seen it.
        if let Ok(at) = channels::view_channel(&state, &actor, &body.prev_channel_id).await {
            times.insert(body.prev_channel_id.clone(), json!(at));
        }
    }
    Ok(HttpResponse::Ok().json(json!({ "status": "OK", "last_viewed_at_times": times })))
}

async fn team_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::require_team(&state, &actor, &path, perm::LIST_TEAM_CHANNELS).await?;
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_team_channels(
                &path,
                TeamChannels::Public,
                paging.offset(),
                paging.per_page,
            )
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChannelSearchBody {
    term: String,
}

async fn search_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<ChannelSearchBody>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    Ok(HttpResponse::Ok()
        .json(directory::search_channels(&state, &actor, &path, &body.term).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NameQuery {
    name: String,
}

async fn autocomplete_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<NameQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    Ok(HttpResponse::Ok()
        .json(directory::autocomplete_channels(&state, &actor, &path, &query.name).await?))
}

async fn autocomplete_channels_for_search(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<NameQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    Ok(HttpResponse::Ok().json(
        directory::autocomplete_channels_for_search(&state, &actor, &path, &query.name).await?,
    ))
}

async fn archived_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    teams::require_team(&state, &actor, &path, perm::LIST_TEAM_CHANNELS).await?;
    if !state
        .config()
        .team_settings
        .experimental_view_archived_channels
        && !actor.can(perm::MANAGE_SYSTEM)
    {
        return Err(AppError::Forbidden);
    }
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_team_channels(
                &path,
                TeamChannels::Archived,
                paging.offset(),
                paging.per_page,
            )
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AllChannelsQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    exclude_default_channels: bool,
    include_deleted: bool,
    include_total_count: bool,
    /// Hearth has no groups or retention policies: nothing to leave out for these.
    #[allow(dead_code)]
    not_associated_to_group: String,
    #[allow(dead_code)]
    exclude_policy_constrained: bool,
}

/// `GET /channels`: public and private channels of every team, each with its team's
/// name, for the System Console.
async fn all_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<AllChannelsQuery>,
) -> Result<HttpResponse, AppError> {
    let paging = Paging::new(query.page, query.per_page);
    let filter = AllChannels {
        include_archived: query.include_deleted,
        exclude_default: query.exclude_default_channels,
    };
    let (listed, total) =
        channels::list_all(&state, &actor, filter, paging.offset(), paging.per_page).await?;
    Ok(HttpResponse::Ok().json(if query.include_total_count {
        json!({ "channels": listed, "total_count": total })
    } else {
        serde_json::Value::Array(listed)
    }))
}

/// `GET /teams/{team_id}/channels/private`: every private channel of a team, for the
/// System Console; `manage_system` only, as in Mattermost.
async fn private_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    actor.require(perm::MANAGE_SYSTEM)?;
    teams::require_team(&state, &actor, &path, perm::VIEW_TEAM).await?;
    let paging = Paging::new(query.page, query.per_page);
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_team_channels(
                &path,
                TeamChannels::Private,
                paging.offset(),
                paging.per_page,
            )
            .await?,
    ))
}

async fn named(
    state: &AppState,
    actor: &Actor,
    team_id: &str,
    name: &str,
) -> Result<HttpResponse, AppError> {
    let channel = state
        .store
        .get_channel_by_name(team_id, &name.to_lowercase())
        .await
        .map_err(channel_error)?;
    let access = require_channel(state, actor, &channel.id, perm::READ_CHANNEL).await?;
    Ok(HttpResponse::Ok().json(access.channel))
}

async fn channel_by_name(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (team_id, name) = path.into_inner();
    check_id(&team_id, "team_id")?;
    named(&state, &actor, &team_id, &name).await
}

async fn channel_by_names(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (team_name, name) = path.into_inner();
    let team = state
        .store
        .get_team_by_name(&team_name)
        .await
        .map_err(teams::team_error)?;
    named(&state, &actor, &team.id, &name).await
}

#[derive(Debug, Default, Deserialize)]
struct UserChannelsQuery {
    #[serde(default)]
    include_deleted: bool,
}

async fn all_user_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<UserChannelsQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = me(&actor, &path)?;
    actor.require_self_or_admin(&user_id)?;
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_user_channels(&user_id, None, query.include_deleted)
            .await?,
    ))
}

async fn user_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    query: web::Query<UserChannelsQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = path.into_inner();
    let user_id = me(&actor, &user_id)?;
    check_id(&team_id, "team_id")?;
    actor.require_self_or_admin(&user_id)?;
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_user_channels(&user_id, Some(&team_id), query.include_deleted)
            .await?,
    ))
}

async fn user_channel_members(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = path.into_inner();
    let user_id = me(&actor, &user_id)?;
    check_id(&team_id, "team_id")?;
    actor.require_self_or_admin(&user_id)?;
    Ok(HttpResponse::Ok().json(
        state
            .store
            .list_user_channel_members(&user_id, Some(&team_id))
            .await?,
    ))
}

async fn channel_unread(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, channel_id) = path.into_inner();
    let user_id = me(&actor, &user_id)?;
    check_id(&channel_id, "channel_id")?;
    actor.require_self_or_admin(&user_id)?;
    let channel = state
        .store
        .get_channel(&channel_id)
        .await
        .map_err(channel_error)?;
    let member = state
        .store
        .get_channel_member(&channel_id, &user_id)
        .await
        .map_err(|_| member_missing())?;
    Ok(HttpResponse::Ok().json(posts::unread_counts(&channel, &member)))
}

async fn members_by_ids(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(lookups::members_by_ids(&state, &actor, &path, &body).await?))
}

async fn timezones(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(lookups::channel_timezones(&state, &actor, &path).await?))
}

async fn common_teams(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(lookups::common_teams(&state, &actor, &path).await?))
}

async fn team_channels_by_ids(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let found = lookups::team_channels_by_ids(&state, &actor, &path, &body).await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Debug, Deserialize)]
struct UnreadQuery {
    limit_before: Option<u32>,
    limit_after: Option<u32>,
}

async fn posts_around_unread(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    query: web::Query<UnreadQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, channel_id) = path.into_inner();
    let user_id = me(&actor, &user_id)?;
    check_id(&channel_id, "channel_id")?;
    let window = lookups::UnreadWindow {
        before: query.limit_before.unwrap_or(60),
        after: query.limit_after.unwrap_or(60),
    };
    let list = lookups::posts_around_unread(&state, &actor, &user_id, &channel_id, window).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// `POST /channels/search` (System Console): channels of every team whose name or
/// display name starts with the term.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SearchAllBody {
    term: String,
    include_deleted: bool,
    exclude_default_channels: bool,
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn search_all_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<SearchAllBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let filter = AllChannels {
        include_archived: body.include_deleted,
        exclude_default: body.exclude_default_channels,
    };
    let paged = body.page.is_some() || body.per_page.is_some();
    let paging = Paging::new(body.page, body.per_page);
    let (channels, total) = channels::search_all(
        &state,
        &actor,
        &body.term,
        filter,
        paging.offset(),
        paging.per_page,
    )
    .await?;
    if paged {
        Ok(HttpResponse::Ok().json(json!({ "channels": channels, "total_count": total })))
    } else {
        Ok(HttpResponse::Ok().json(channels))
    }
}

async fn member_scheme_roles(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<super::SchemeRolesBody>,
) -> Result<HttpResponse, AppError> {
    let (channel_id, user_id) = path.into_inner();
    check_id(&channel_id, "channel_id")?;
    let user_id = me(&actor, &user_id)?;
    let roles = body.roles()?;
    channels::update_member_scheme_roles(&state, &actor, &channel_id, &user_id, roles).await?;
    Ok(ok())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupSearchBody {
    term: String,
}

async fn search_group_channels(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<GroupSearchBody>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(lookups::search_group_channels(&state, &actor, &body.term).await?))
}
