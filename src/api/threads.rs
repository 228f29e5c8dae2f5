//! Collapsed reply threads: `/users/{user_id}/teams/{team_id}/threads…`.

use actix_web::{HttpResponse, web};

use super::auth::Auth;
use super::{ok, resource};
use crate::app::Actor;
use crate::app::threads::{self, ThreadsQuery};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::model::now_millis;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/users/{user_id}/teams/{team_id}/threads").route(web::get().to(list)))
        .service(
            resource("/users/{user_id}/teams/{team_id}/threads/read")
                .route(web::put().to(read_all)),
        )
        .service(
            resource("/users/{user_id}/teams/{team_id}/threads/{thread_id}")
                .route(web::get().to(get)),
        )
        .service(
            resource("/users/{user_id}/teams/{team_id}/threads/{thread_id}/following")
                .route(web::put().to(follow))
                .route(web::delete().to(unfollow)),
        )
        .service(
            resource("/users/{user_id}/teams/{team_id}/threads/{thread_id}/read/{timestamp}")
                .route(web::put().to(read_one)),
        )
        .service(
            resource("/users/{user_id}/teams/{team_id}/threads/{thread_id}/set_unread/{post_id}")
                .route(web::post().to(set_unread)),
        );
}

fn ids(actor: &Actor, user_id: &str, team_id: &str) -> Result<String, AppError> {
    let user_id = if user_id == "me" {
        actor.user.id.clone()
    } else {
        user_id.to_string()
    };
    check_id(&user_id, "user_id")?;
    check_id(team_id, "team_id")?;
    Ok(user_id)
}

async fn list(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    query: web::Query<ThreadsQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    Ok(HttpResponse::Ok().json(threads::list(&state, &actor, &user_id, &team_id, &query).await?))
}

async fn get(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id, thread_id) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    check_id(&thread_id, "thread_id")?;
    Ok(HttpResponse::Ok().json(threads::get(&state, &actor, &user_id, &thread_id).await?))
}

async fn follow(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id, thread_id) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    check_id(&thread_id, "thread_id")?;
    threads::set_following(&state, &actor, &user_id, &thread_id, true).await?;
    Ok(ok())
}

async fn unfollow(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id, thread_id) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    check_id(&thread_id, "thread_id")?;
    threads::set_following(&state, &actor, &user_id, &thread_id, false).await?;
    Ok(ok())
}

async fn read_all(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    threads::mark_read(&state, &actor, &user_id, &team_id, None, now_millis()).await?;
    Ok(ok())
}

async fn read_one(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id, thread_id, timestamp) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    threads::mark_read(
        &state,
        &actor,
        &user_id,
        &team_id,
        Some(&thread_id),
        timestamp,
    )
    .await?;
    Ok(HttpResponse::Ok().json(threads::get(&state, &actor, &user_id, &thread_id).await?))
}

async fn set_unread(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id, thread_id, post_id) = path.into_inner();
    let user_id = ids(&actor, &user_id, &team_id)?;
    threads::set_unread(&state, &actor, &user_id, &team_id, &thread_id, &post_id).await?;
    Ok(HttpResponse::Ok().json(threads::get(&state, &actor, &user_id, &thread_id).await?))
}
