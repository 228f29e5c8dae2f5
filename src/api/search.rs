//! Post search (`POST /teams/{id}/posts/search`, `POST /posts/search`) and the admin's
//! index rebuild (`POST /bleve/purge_indexes`).

use actix_web::{HttpResponse, web};

use super::auth::Auth;
use super::extract::Json;
use super::{ok, resource};
use crate::app::search::{self, SearchParams};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/teams/{team_id}/posts/search").route(web::post().to(search_team)))
        .service(resource("/posts/search").route(web::post().to(search_all)))
        .service(resource("/bleve/purge_indexes").route(web::post().to(rebuild)));
}

async fn search_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<SearchParams>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    let found = search::search_posts(&state, &actor, Some(&path), &body).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn search_all(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let found = search::search_posts(&state, &actor, None, &body).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn rebuild(state: web::Data<AppState>, Auth(actor): Auth) -> Result<HttpResponse, AppError> {
    search::rebuild_index(&state, &actor).await?;
    Ok(ok())
}
