//! The `posts` and `reactions` groups: messages, threads, pins, edits and reactions.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::auth::Auth;
use super::extract::Json;
use super::{ok, resource};
use crate::app::posts::{self, ChannelPostsQuery, PostPatch};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::model::{Post, Reaction};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/posts").route(web::post().to(create_post)))
        .service(resource("/posts/ids").route(web::post().to(posts_by_ids)))
        .service(resource("/posts/ids/reactions").route(web::post().to(reactions_by_ids)))
        .service(
            resource("/posts/{post_id}")
                .route(web::get().to(get_post))
                .route(web::put().to(update_post))
                .route(web::delete().to(delete_post)),
        )
        .service(resource("/posts/{post_id}/patch").route(web::put().to(patch_post)))
        .service(resource("/posts/{post_id}/thread").route(web::get().to(thread)))
        .service(resource("/posts/{post_id}/pin").route(web::post().to(pin)))
        .service(resource("/posts/{post_id}/unpin").route(web::post().to(unpin)))
        .service(resource("/posts/{post_id}/edit_history").route(web::get().to(edit_history)))
        .service(
            resource("/posts/{post_id}/restore/{version_id}")
                .route(web::post().to(restore_version)),
        )
        .service(resource("/posts/{post_id}/reactions").route(web::get().to(post_reactions)))
        .service(resource("/channels/{channel_id}/posts").route(web::get().to(channel_posts)))
        .service(resource("/reactions").route(web::post().to(add_reaction)))
        .service(resource("/users/{user_id}/posts/flagged").route(web::get().to(flagged_posts)))
        .service(
            resource("/users/{user_id}/posts/{post_id}/set_unread")
                .route(web::post().to(set_unread)),
        )
        .service(
            resource("/users/{user_id}/posts/{post_id}/reactions/{emoji_name}")
                .route(web::delete().to(remove_reaction)),
        );
}

async fn create_post(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Post>,
) -> Result<HttpResponse, AppError> {
    let (post, _created) = posts::create_post(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(post))
}

async fn get_post(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    Ok(HttpResponse::Ok().json(posts::get_post(&state, &actor, &path).await?))
}

async fn patch_post(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<PostPatch>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    Ok(HttpResponse::Ok().json(posts::edit_post(&state, &actor, &path, body.into_inner()).await?))
}

/// `PUT /posts/{id}`: the whole post; message and props are taken from it.
async fn update_post(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<Post>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    if !body.id.is_empty() && body.id != *path {
        return Err(AppError::InvalidBody {
            name: "id",
            detail: "id does not match the URL".into(),
        });
    }
    let body = body.into_inner();
    let patch = PostPatch {
        message: Some(body.message),
        props: Some(body.props),
        is_pinned: None,
    };
    Ok(HttpResponse::Ok().json(posts::edit_post(&state, &actor, &path, patch).await?))
}

async fn delete_post(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    posts::delete_post(&state, &actor, &path).await?;
    Ok(ok())
}

async fn thread(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    Ok(HttpResponse::Ok().json(posts::thread(&state, &actor, &path).await?))
}

async fn pin(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    posts::pin(&state, &actor, &path, true).await?;
    Ok(ok())
}

async fn unpin(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    posts::pin(&state, &actor, &path, false).await?;
    Ok(ok())
}

async fn edit_history(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    Ok(HttpResponse::Ok().json(posts::edit_history(&state, &actor, &path).await?))
}

fn check_ids(ids: &[String]) -> Result<(), AppError> {
    if ids.is_empty() || ids.len() > 1000 {
        return Err(AppError::InvalidBody {
            name: "post_ids",
            detail: "give between 1 and 1000 post ids".into(),
        });
    }
    ids.iter().try_for_each(|id| check_id(id, "post_ids"))
}

async fn posts_by_ids(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_ids(&body)?;
    Ok(HttpResponse::Ok().json(posts::posts_by_ids(&state, &actor, &body).await?))
}

async fn reactions_by_ids(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    check_ids(&body)?;
    Ok(HttpResponse::Ok().json(posts::reactions(&state, &actor, &body).await?))
}

async fn post_reactions(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    posts::get_post(&state, &actor, &path).await?;
    let mut by_post = posts::reactions(&state, &actor, std::slice::from_ref(&*path)).await?;
    Ok(HttpResponse::Ok().json(by_post.remove(path.as_str()).unwrap_or_default()))
}

async fn channel_posts(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<ChannelPostsQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "channel_id")?;
    Ok(HttpResponse::Ok().json(posts::channel_posts(&state, &actor, &path, &query).await?))
}

async fn add_reaction(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<Reaction>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(posts::add_reaction(&state, &actor, body.into_inner()).await?))
}

#[derive(Debug, Deserialize)]
struct ReactionPath {
    user_id: String,
    post_id: String,
    emoji_name: String,
}

async fn remove_reaction(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<ReactionPath>,
) -> Result<HttpResponse, AppError> {
    let user_id = if path.user_id == "me" {
        actor.user.id.clone()
    } else {
        path.user_id.clone()
    };
    check_id(&user_id, "user_id")?;
    check_id(&path.post_id, "post_id")?;
    posts::remove_reaction(&state, &actor, &user_id, &path.post_id, &path.emoji_name).await?;
    Ok(ok())
}

#[derive(Debug, Default, Deserialize)]
struct FlaggedQuery {
    channel_id: Option<String>,
    team_id: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn set_unread(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, post_id) = path.into_inner();
    let user_id = if user_id == "me" {
        actor.user.id.clone()
    } else {
        user_id
    };
    check_id(&user_id, "user_id")?;
    check_id(&post_id, "post_id")?;
    Ok(HttpResponse::Ok().json(posts::set_unread(&state, &actor, &user_id, &post_id).await?))
}

async fn flagged_posts(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<FlaggedQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = if *path == "me" {
        actor.user.id.clone()
    } else {
        path.into_inner()
    };
    check_id(&user_id, "user_id")?;
    // Empty means no filter: Mattermost's client sends `channel_id=&team_id=`.
    let channel_id = query.channel_id.as_deref().filter(|id| !id.is_empty());
    let team_id = query.team_id.as_deref().filter(|id| !id.is_empty());
    if let Some(channel_id) = channel_id {
        check_id(channel_id, "channel_id")?;
    }
    if let Some(team_id) = team_id {
        check_id(team_id, "team_id")?;
    }
    let paging = super::Paging::new(query.page, query.per_page);
    let list = posts::flagged_posts(
        &state,
        &actor,
        &user_id,
        posts::FlaggedIn {
            channel_id,
            team_id,
        },
        paging.offset() as usize,
        paging.per_page as usize,
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

async fn restore_version(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (post_id, version_id) = path.into_inner();
    check_id(&post_id, "post_id")?;
    check_id(&version_id, "restore_version_id")?;
    Ok(HttpResponse::Ok()
        .json(posts::restore_version(&state, &actor, &post_id, &version_id).await?))
}
