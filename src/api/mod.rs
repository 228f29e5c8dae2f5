//! The HTTP edge for Mattermost's REST API v4: parse, authenticate, call `app` or the
//! store, shape JSON. One module per Mattermost API group, each with a `configure`
//! function, mounted from the list in [`configure`]. No SQL and no permission logic here.

pub mod auth;
mod body;
pub mod catalogue;
mod channels;
mod config;
mod emoji;
mod extract;
mod files;
mod middleware;
mod posts;
mod preferences;
pub mod rate_limit;
mod roles;
mod search;
mod sidebar;
mod system;
mod teams;
mod threads;
mod users;
mod websocket;

use actix_web::{HttpRequest, HttpResponse, web};

pub use middleware::request_context;

use crate::error::AppError;

/// Mounts every API group under `/api/v4`. Unknown API paths get a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Public file links live outside /api/v4, as in Mattermost.
    cfg.configure(files::configure_public);
    cfg.service(
        web::scope("/api/v4")
            .configure(system::configure)
            .configure(config::configure)
            .configure(users::configure)
            .configure(roles::configure)
            .configure(preferences::configure)
            .configure(teams::configure)
            .configure(sidebar::configure)
            .configure(channels::configure)
            // Before posts: `/posts/search` must not be taken for `/posts/{post_id}`.
            .configure(search::configure)
            .configure(posts::configure)
            .configure(threads::configure)
            .configure(websocket::configure)
            .configure(files::configure)
            .configure(emoji::configure)
            .default_service(web::to(route_not_found)),
    );
}

/// Body limits and the Mattermost-shaped answers to bad bodies, for every extractor.
pub fn body_limits(limit: u64) -> (web::JsonConfig, web::PayloadConfig) {
    let bytes = usize::try_from(limit).unwrap_or(usize::MAX);
    // Mattermost reads JSON bodies whatever their Content-Type says, and scripts rely on
    // it (`curl -d`); cookie sessions are protected by the CSRF rule instead.
    let json = web::JsonConfig::default()
        .limit(bytes)
        .content_type_required(false)
        .error_handler(move |error, _req| AppError::from_json_error(error, limit).into());
    (json, web::PayloadConfig::new(bytes))
}

/// A resource whose other methods answer 405 in Mattermost's error shape.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(not_served(&req).unwrap_or(AppError::MethodNotAllowed))
}

async fn route_not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(not_served(&req).unwrap_or(AppError::RouteNotFound))
}

/// 501 for a Mattermost operation Hearth does not serve yet.
fn not_served(req: &HttpRequest) -> Option<AppError> {
    let op = catalogue::operation(req.method().as_str(), req.path())?;
    Some(AppError::NotImplemented {
        id: "api.hearth.not_implemented.app_error",
        message: format!(
            "Hearth does not serve {} {} yet; see docs/COMPATIBILITY.md.",
            op.method, op.path
        ),
    })
}

/// Bad query strings get a Mattermost-shaped 400.
pub fn query_errors() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|_error, _req| AppError::InvalidParam { name: "query" }.into())
}

/// Bad path segments get a Mattermost-shaped 400.
pub fn path_errors() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_error, _req| AppError::InvalidParam { name: "path" }.into())
}

/// Mattermost's paging: `page` from 0, `per_page` 60 by default and at most 200.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Paging {
            page: page.unwrap_or(0).min(1_000_000),
            per_page: per_page.unwrap_or(60).clamp(1, 200),
        }
    }

    pub fn offset(&self) -> u32 {
        self.page.saturating_mul(self.per_page)
    }
}

/// `{"status":"OK"}`, Mattermost's answer to a successful action.
pub fn ok() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "OK" }))
}

/// A `{user_id}` path segment: `me` means the caller; anything else must be an id.
pub(crate) fn user_param(actor: &crate::app::Actor, user_id: &str) -> Result<String, AppError> {
    if user_id == "me" {
        return Ok(actor.user.id.clone());
    }
    crate::app::users::check_id(user_id, "user_id")?;
    Ok(user_id.to_string())
}

/// `PUT …/members/{user_id}/schemeRoles` on teams and channels. `scheme_admin` and
/// `scheme_user` are required: a missing one must not silently take a member's role away.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct SchemeRolesBody {
    scheme_admin: Option<bool>,
    scheme_user: Option<bool>,
    #[serde(default)]
    scheme_guest: bool,
}

impl SchemeRolesBody {
    pub(crate) fn roles(&self) -> Result<crate::app::teams::SchemeRoles, AppError> {
        let (Some(scheme_admin), Some(scheme_user)) = (self.scheme_admin, self.scheme_user) else {
            return Err(AppError::InvalidBody {
                name: "scheme_roles",
                detail: "scheme_admin and scheme_user are both required".into(),
            });
        };
        Ok(crate::app::teams::SchemeRoles {
            scheme_admin,
            scheme_user,
            scheme_guest: self.scheme_guest,
        })
    }
}
