//! The WebSocket upgrade (`GET /api/v4/websocket`): check the handshake, authenticate if
//! the request carries a token, and answer `101` with what the connection needs;
//! `ws::upgrade` then takes the socket over and starts `ws::session`.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::auth::MaybeAuth;
use super::resource;
use crate::error::AppError;
use crate::state::AppState;
use crate::ws::session::{Identity, Resume};
use crate::ws::upgrade::{Accepted, Upgradable};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/websocket").route(web::get().to(upgrade)))
        .service(resource("/websocket/").route(web::get().to(upgrade)));
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpgradeQuery {
    connection_id: String,
    sequence_number: Option<String>,
}

async fn upgrade(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    query: web::Query<UpgradeQuery>,
) -> Result<HttpResponse, AppError> {
    check_origin(&req, &state)?;
    // Without a connection id there is nothing to resume, and the sequence number means
    // nothing: Mattermost's own client sends `connection_id=&sequence_number=0` on its
    // first connect.
    let sequence_number = match (&query.sequence_number, query.connection_id.is_empty()) {
        (_, true) => None,
        (Some(seq), false) => Some(seq.parse::<i64>().map_err(|_| AppError::InvalidParam {
            name: "sequence_number",
        })?),
        (None, false) => {
            return Err(AppError::InvalidParam {
                name: "sequence_number",
            });
        }
    };
    if !query.connection_id.is_empty() && !crate::model::is_valid_id(&query.connection_id) {
        return Err(AppError::InvalidParam {
            name: "connection_id",
        });
    }
    let mut handshake = actix_http::ws::handshake(req.head()).map_err(|e| {
        AppError::invalid(
            "api.web_socket.connect.upgrade.app_error",
            format!("Failed to upgrade the websocket connection: {e}"),
        )
    })?;
    // Only a request the upgrade service brought can have its socket taken over (one
    // with a chunked body, say, reaches here as an ordinary request).
    if req.extensions().get::<Upgradable>().is_none() {
        return Err(AppError::invalid(
            "api.web_socket.connect.upgrade.app_error",
            "Failed to upgrade the websocket connection: not an upgradable request",
        ));
    }
    let resume = Resume {
        connection_id: query.connection_id.clone(),
        sequence_number,
    };
    // Signed in by the upgrade request: keep who, and the token to re-check the session
    // with before each action (a revoked session's socket must not act).
    let signed_in = auth
        .0
        .zip(super::auth::request_token(&req))
        .map(|(actor, token)| Identity::of(&actor, token));
    let mut response = HttpResponse::from(handshake.finish().map_into_boxed_body());
    response.extensions_mut().insert(Accepted {
        state: state.get_ref().clone(),
        signed_in,
        resume,
    });
    Ok(response)
}

/// Browsers must come from the site itself, so a page elsewhere cannot ride a user's
/// cookie into a socket: its `Origin` must be `SiteURL`, or (as Mattermost checks when no
/// CORS origins are configured) name the host the request was sent to. Other clients
/// send no `Origin`.
fn check_origin(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    let Some(origin) = req.headers().get("Origin").and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let origin = origin.trim_end_matches('/');
    let config = state.config();
    let site = config.service_settings.site_url.trim_end_matches('/');
    if !site.is_empty() && origin.eq_ignore_ascii_case(site) {
        return Ok(());
    }
    let origin_host = origin.split_once("://").map_or(origin, |(_, host)| host);
    let host = req.headers().get("Host").and_then(|v| v.to_str().ok());
    if host.is_some_and(|host| host.eq_ignore_ascii_case(origin_host)) {
        return Ok(());
    }
    Err(AppError::invalid(
        "api.web_socket.connect.upgrade.app_error",
        "The Origin header names neither the site URL nor this server.",
    ))
}
