//! Sidebar categories under `/users/{user_id}/teams/{team_id}/channels/categories`. Thin
//! handlers: parse, authenticate, call `app::sidebar`, shape JSON.

use actix_web::{HttpResponse, web};

use super::auth::Auth;
use super::extract::Json;
use super::{resource, user_param};
use crate::app::Actor;
use crate::app::sidebar::{self, CategoryInput};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::state::AppState;

const BASE: &str = "/users/{user_id}/teams/{team_id}/channels/categories";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource(BASE)
            .route(web::get().to(get_categories))
            .route(web::post().to(create_category))
            .route(web::put().to(update_categories)),
    )
    // Before `{category_id}`, which would take `order`.
    .service(
        resource(&format!("{BASE}/order"))
            .route(web::get().to(get_order))
            .route(web::put().to(set_order)),
    )
    .service(
        resource(&format!("{BASE}/{{category_id}}"))
            .route(web::get().to(get_category))
            .route(web::put().to(update_category))
            .route(web::delete().to(delete_category)),
    );
}

/// The user (`me` allowed) and team of the path, checked.
fn owner(actor: &Actor, user_id: &str, team_id: &str) -> Result<(String, String), AppError> {
    check_id(team_id, "team_id")?;
    Ok((user_param(actor, user_id)?, team_id.to_string()))
}

async fn get_categories(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let found = sidebar::get_categories(&state, &actor, &user_id, &team_id).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn create_category(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<CategoryInput>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let created =
        sidebar::create_category(&state, &actor, &user_id, &team_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(created))
}

async fn update_categories(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<Vec<CategoryInput>>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let saved =
        sidebar::update_categories(&state, &actor, &user_id, &team_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(saved))
}

async fn get_order(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    Ok(HttpResponse::Ok().json(sidebar::get_order(&state, &actor, &user_id, &team_id).await?))
}

async fn set_order(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let order = sidebar::set_order(&state, &actor, &user_id, &team_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(order))
}

async fn get_category(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let found = sidebar::get_category(&state, &actor, &user_id, &team_id, &path.2).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn update_category(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
    body: Json<CategoryInput>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let mut input = body.into_inner();
    // The path names the category; a body naming another one is a mistake.
    if !input.id.is_empty() && input.id != path.2 {
        return Err(AppError::InvalidBody {
            name: "id",
            detail: "the category id in the body differs from the one in the URL".into(),
        });
    }
    input.id = path.2.clone();
    let mut saved =
        sidebar::update_categories(&state, &actor, &user_id, &team_id, vec![input]).await?;
    Ok(HttpResponse::Ok().json(saved.pop()))
}

async fn delete_category(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, team_id) = owner(&actor, &path.0, &path.1)?;
    let deleted = sidebar::delete_category(&state, &actor, &user_id, &team_id, &path.2).await?;
    Ok(HttpResponse::Ok().json(deleted))
}
