//! The HTTP edge for Mattermost's REST API v4: parse, authenticate, call `app` or the
//! store, shape JSON. One module per Mattermost API group, each with a `configure`
//! function, mounted from the list in [`configure`]. No SQL and no permission logic here.

mod middleware;
pub mod rate_limit;
mod system;

use actix_web::{HttpRequest, HttpResponse, web};

pub use middleware::request_context;

use crate::error::AppError;

/// Mounts every API group under `/api/v4`. Unknown API paths get a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v4")
            .configure(system::configure)
            .default_service(web::to(route_not_found)),
    );
}

/// Body limits and the Mattermost-shaped answers to bad bodies, for every extractor.
pub fn body_limits(limit: u64) -> (web::JsonConfig, web::PayloadConfig) {
    let bytes = usize::try_from(limit).unwrap_or(usize::MAX);
    let json = web::JsonConfig::default()
        .limit(bytes)
        .error_handler(move |error, _req| AppError::from_json_error(error, limit).into());
    (json, web::PayloadConfig::new(bytes))
}

/// A resource whose other methods answer 405 in Mattermost's error shape.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::MethodNotAllowed)
}

async fn route_not_found(_req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::RouteNotFound)
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
