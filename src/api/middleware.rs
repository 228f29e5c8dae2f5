//! Per-request context: a request id, Mattermost's version headers, the URL length limit
//! and one access-log line per request.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};

use crate::error::{AppError, REQUEST_ID};
use crate::model::new_id;
use crate::state::AppState;
use crate::ws::upgrade::OffSocketPath;

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
static X_VERSION_ID: HeaderName = HeaderName::from_static("x-version-id");

/// Wraps every request: runs it with its id in scope (for error bodies and logs), adds
/// `X-Request-Id` and `X-Version-Id`, and logs method, path, status and duration. The
/// query string is not logged: it can carry an `access_token`.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = new_id();
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let url_limit = state
        .as_ref()
        .map(|s| s.config().service_settings.maximum_url_length)
        .unwrap_or(u64::MAX);

    let response = REQUEST_ID
        .scope(request_id.clone(), async move {
            let url_len = req.uri().to_string().len() as u64;
            if url_len > url_limit {
                let error = AppError::InvalidParam { name: "url" };
                return Ok(req.into_response(error.error_response()));
            }
            // A WebSocket upgrade off the socket's path is answered here, so nothing
            // (a file download, say) is produced for a connection that cannot stream it.
            if req.extensions().contains::<OffSocketPath>() {
                let error = AppError::invalid(
                    "api.web_socket.connect.upgrade.app_error",
                    "WebSocket connections are made at /api/v4/websocket.",
                );
                return Ok(req.into_response(error.error_response()));
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        })
        .await;
    let mut response = match response {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(target: "hearth::access", %request_id, %method, %path, %error, "request failed");
            return Err(error);
        }
    };

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(X_REQUEST_ID.clone(), value);
    }
    if let Some(value) = state.and_then(|s| HeaderValue::from_str(&s.version_id()).ok()) {
        headers.insert(X_VERSION_ID.clone(), value);
    }
    tracing::info!(
        target: "hearth::access",
        %request_id,
        %method,
        %path,
        status = response.status().as_u16(),
        duration_ms = %format_args!("{:.3}", started.elapsed().as_secs_f64() * 1000.0),
        "request"
    );
    Ok(response)
}
