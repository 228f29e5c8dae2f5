//! The configuration endpoints of the `system` group that the System Console uses:
//! `GET/PUT /config`, `PUT /config/patch`, `POST /config/reload`, `GET /config/environment`.
//! (`GET /config/client` is in `system`, beside the other endpoints clients read at start.)

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;

use super::auth::{Auth, Client};
use super::extract::Json;
use super::{ok, resource};
use crate::app::config as config_app;
use crate::config::{Config, Edit, REDACTED};
use crate::error::AppError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/config")
            .route(web::get().to(get_config))
            .route(web::put().to(update_config)),
    )
    .service(resource("/config/patch").route(web::put().to(patch_config)))
    .service(resource("/config/reload").route(web::post().to(reload_config)))
    .service(resource("/config/environment").route(web::get().to(get_environment)));
}

#[derive(Debug, Deserialize)]
struct GetQuery {
    #[serde(default)]
    remove_masked: bool,
    /// A string in Mattermost's API description; `true` or `false`.
    #[serde(default)]
    remove_defaults: Option<String>,
}

/// `GET /api/v4/config`: the configuration in force (file, environment and flags), secrets
/// as `********************************`. `remove_masked=true` leaves those out;
/// `remove_defaults=true` leaves out every value equal to its default.
async fn get_config(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<GetQuery>,
) -> Result<HttpResponse, AppError> {
    let remove_defaults = match query.remove_defaults.as_deref() {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(AppError::InvalidParam {
                name: "remove_defaults",
            });
        }
    };
    let mut shown = config_app::get(&state, &actor)?;
    if query.remove_masked {
        prune(&mut shown, &|_, _, value| value == REDACTED);
    }
    if remove_defaults {
        let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
        prune(&mut shown, &|section, key, value| {
            defaults.get(section).and_then(|s| s.get(key)) == Some(value)
        });
    }
    Ok(HttpResponse::Ok().json(shown))
}

/// Removes the keys `drop(section, key, value)` picks, and sections left empty.
fn prune(tree: &mut Value, drop: &dyn Fn(&str, &str, &Value) -> bool) {
    if let Value::Object(sections) = tree {
        sections.retain(|section, keys| {
            if let Value::Object(keys) = keys {
                keys.retain(|key, value| !drop(section, key, value));
                !keys.is_empty()
            } else {
                true
            }
        });
    }
}

/// `PUT /api/v4/config`: the whole configuration; keys left out go back to their defaults.
async fn update_config(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    Client(client): Client,
    body: Json<Value>,
) -> Result<HttpResponse, AppError> {
    let saved =
        config_app::save(&state, &actor, &client.ip, body.into_inner(), Edit::Replace).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// `PUT /api/v4/config/patch`: only the keys given change.
async fn patch_config(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    Client(client): Client,
    body: Json<Value>,
) -> Result<HttpResponse, AppError> {
    let saved =
        config_app::save(&state, &actor, &client.ip, body.into_inner(), Edit::Patch).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// `POST /api/v4/config/reload`: reads `config.json` and the environment again.
async fn reload_config(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    Client(client): Client,
) -> Result<HttpResponse, AppError> {
    config_app::reload(&state, &actor, &client.ip).await?;
    Ok(ok())
}

/// `GET /api/v4/config/environment`: which keys environment variables set.
async fn get_environment(
    state: web::Data<AppState>,
    Auth(actor): Auth,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(config_app::environment(&state, &actor)?))
}
