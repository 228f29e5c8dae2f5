//! The `roles` group: Mattermost's built-in roles and their permissions, read-only.

use actix_web::{HttpResponse, web};

use super::auth::Auth;
use super::extract::Json;
use super::resource;
use crate::app::permissions::{all_roles as every_role, perm, role_by_id, role_by_name};
use crate::error::AppError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/roles").route(web::get().to(all_roles)))
        .service(resource("/roles/names").route(web::post().to(roles_by_names)))
        .service(resource("/roles/name/{role_name}").route(web::get().to(role_named)))
        .service(resource("/roles/{role_id}").route(web::get().to(role_with_id)));
}

fn role_missing(id: &'static str) -> AppError {
    AppError::Missing {
        id,
        message: "Unable to find the role.".into(),
    }
}

async fn role_named(_auth: Auth, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let role = role_by_name(&path).ok_or_else(|| role_missing("app.role.get_by_name.app_error"))?;
    Ok(HttpResponse::Ok().json(role))
}

async fn role_with_id(_auth: Auth, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    crate::app::users::check_id(&path, "role_id")?;
    let role = role_by_id(&path).ok_or_else(|| role_missing("app.role.get.app_error"))?;
    Ok(HttpResponse::Ok().json(role))
}

/// Unknown names are left out, as in Mattermost.
async fn roles_by_names(_auth: Auth, body: Json<Vec<String>>) -> Result<HttpResponse, AppError> {
    if body.is_empty() || body.len() > 100 {
        return Err(AppError::InvalidBody {
            name: "role_names",
            detail: "give between 1 and 100 role names".into(),
        });
    }
    let roles: Vec<_> = body.iter().filter_map(|name| role_by_name(name)).collect();
    Ok(HttpResponse::Ok().json(roles))
}

/// `GET /roles`: every role, for admins.
async fn all_roles(Auth(actor): Auth) -> Result<HttpResponse, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    Ok(HttpResponse::Ok().json(every_role()))
}
