//! The `preferences` and `status` groups: a user's preferences, presence statuses and custom
//! statuses. Thin handlers: parse, authenticate, call `app::preferences`, shape JSON.

use actix_web::{HttpResponse, web};

use super::auth::Auth;
use super::extract::Json;
use super::{ok, resource};
use crate::app::Actor;
use crate::app::preferences::{self, CustomStatusRequest, Preference, StatusRequest};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/users/status/ids").route(web::post().to(statuses_by_ids)))
        .service(
            resource("/users/{user_id}/preferences")
                .route(web::get().to(get_preferences))
                .route(web::put().to(save_preferences)),
        )
        // `delete` is also a category name to GET, as in Mattermost's router.
        .service(
            resource("/users/{user_id}/preferences/delete")
                .route(web::post().to(delete_preferences))
                .route(web::get().to(get_delete_category)),
        )
        .service(
            resource("/users/{user_id}/preferences/{category}").route(web::get().to(get_category)),
        )
        .service(
            resource("/users/{user_id}/preferences/{category}/name/{preference_name}")
                .route(web::get().to(get_preference)),
        )
        .service(
            resource("/users/{user_id}/status")
                .route(web::get().to(get_status))
                .route(web::put().to(set_status)),
        )
        .service(
            resource("/users/{user_id}/status/custom/recent")
                .route(web::delete().to(remove_recent_custom_status)),
        )
        .service(
            resource("/users/{user_id}/status/custom/recent/delete")
                .route(web::post().to(remove_recent_custom_status)),
        )
        .service(
            resource("/users/{user_id}/status/custom")
                .route(web::put().to(set_custom_status))
                .route(web::delete().to(remove_custom_status)),
        );
}

/// `me` stands for the caller in every `/users/{user_id}` path.
fn target(actor: &Actor, user_id: &str) -> Result<String, AppError> {
    if user_id == "me" {
        return Ok(actor.user.id.clone());
    }
    check_id(user_id, "user_id")?;
    Ok(user_id.to_string())
}

async fn get_preferences(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    let found = preferences::get_preferences(&state, &actor, &user_id).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn save_preferences(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<Vec<Preference>>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    preferences::save_preferences(&state, &actor, &user_id, &body).await?;
    Ok(ok())
}

async fn delete_preferences(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<Vec<Preference>>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    preferences::delete_preferences(&state, &actor, &user_id, &body).await?;
    Ok(ok())
}

async fn get_category(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, category) = path.into_inner();
    category_json(&state, &actor, &user_id, &category).await
}

/// `GET /users/{user_id}/preferences/delete` reads the category named `delete`.
async fn get_delete_category(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    category_json(&state, &actor, &path, "delete").await
}

async fn category_json(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    category: &str,
) -> Result<HttpResponse, AppError> {
    let user_id = target(actor, user_id)?;
    let found = preferences::get_preferences_in_category(state, actor, &user_id, category).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn get_preference(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, category, name) = path.into_inner();
    let user_id = target(&actor, &user_id)?;
    let found = preferences::get_preference(&state, &actor, &user_id, &category, &name).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn get_status(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    let status = preferences::get_status(&state, &user_id).await?;
    Ok(HttpResponse::Ok().json(status))
}

async fn set_status(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<StatusRequest>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    let status = preferences::set_status(&state, &actor, &user_id, &body).await?;
    Ok(HttpResponse::Ok().json(status))
}

async fn statuses_by_ids(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let statuses = preferences::get_statuses(&state, &body).await?;
    Ok(HttpResponse::Ok().json(statuses))
}

async fn set_custom_status(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<CustomStatusRequest>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    preferences::set_custom_status(&state, &actor, &user_id, body.into_inner()).await?;
    Ok(ok())
}

async fn remove_custom_status(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    preferences::remove_custom_status(&state, &actor, &user_id).await?;
    Ok(ok())
}

async fn remove_recent_custom_status(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<CustomStatusRequest>,
) -> Result<HttpResponse, AppError> {
    let user_id = target(&actor, &path)?;
    preferences::remove_recent_custom_status(&state, &actor, &user_id, body.into_inner()).await?;
    Ok(ok())
}
