//! The WebSocket upgrade (`GET /api/v4/websocket`): authenticate if the request carries a
//! token, then hand the socket to `ws::session`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::auth::MaybeAuth;
use super::resource;
use crate::error::AppError;
use crate::state::AppState;
use crate::ws::session::{self, Identity, Resume};

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

/// Largest frame the protocol layer accepts; actions above 8 KiB get an error reply, and
/// anything beyond this closes the connection.
const MAX_FRAME_BYTES: usize = 64 * 1024;

async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
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
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|e| {
        AppError::invalid(
            "api.web_socket.connect.upgrade.app_error",
            format!("Failed to upgrade the websocket connection: {e}"),
        )
    })?;
    let stream = stream
        .max_frame_size(MAX_FRAME_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME_BYTES);
    let state = state.get_ref().clone();
    let hub = state.hub.clone();
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
    actix_web::rt::spawn(session::run(state, hub, session, stream, signed_in, resume));
    Ok(response)
}

/// Browsers must come from the site itself when `SiteURL` is set (other clients send no
/// `Origin`), so a page elsewhere cannot ride a user's cookie into a socket.
fn check_origin(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    let config = state.config();
    let site = config.service_settings.site_url.trim_end_matches('/');
    let Some(origin) = req.headers().get("Origin").and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    if site.is_empty() || origin.trim_end_matches('/').eq_ignore_ascii_case(site) {
        return Ok(());
    }
    // Without a site URL, accept the origin of the host the request came to.
    Err(AppError::invalid(
        "api.web_socket.connect.upgrade.app_error",
        "The Origin header does not match the site URL.",
    ))
}
