//! Per-request context: a request id, Mattermost's version headers, the URL length limit,
//! the body's deadline and bounded inflation ([`super::body`]), the headers every response
//! carries (`nosniff`, HSTS for an `https` Site URL) and one access-log line per request.

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};

use super::body;
use crate::error::{AppError, REQUEST_ID};
use crate::model::new_id;
use crate::state::AppState;
use crate::ws::upgrade::OffSocketPath;

/// The limits read from the configuration for one request.
#[derive(Clone, Copy)]
struct Limits {
    url: u64,
    body_deadline: Duration,
    inflated: u64,
}

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
    let config = state.as_ref().map(|s| s.config());
    let limits = config.as_ref().map(|c| Limits {
        url: c.service_settings.maximum_url_length,
        body_deadline: Duration::from_secs(c.service_settings.read_timeout),
        inflated: c
            .service_settings
            .maximum_payload_size_bytes
            .max(c.file_settings.max_file_size),
    });
    let hsts = config.as_ref().and_then(|c| {
        c.service_settings
            .site_url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
            .then(|| c.service_settings.tls_strict_transport_max_age)
    });
    drop(config);

    let response = REQUEST_ID
        .scope(request_id.clone(), async move {
            let mut req = req;
            let mut faults = body::Faults::default();
            if let Some(limits) = limits {
                let url_len = req.uri().to_string().len() as u64;
                if url_len > limits.url {
                    let error = AppError::UrlTooLong { limit: limits.url };
                    return Ok(req.into_response(error.error_response()));
                }
                match body::guard(&mut req, limits.body_deadline, limits.inflated) {
                    Ok(guarded) => faults = guarded,
                    Err(error) => return Ok(req.into_response(error.error_response())),
                }
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
            let response = next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)?;
            // A body that timed out, broke or inflated past every limit is answered the
            // same way whichever handler was reading it.
            let fault = match faults.get() {
                Some(body::Fault::TimedOut) => AppError::RequestTimeout,
                Some(body::Fault::Corrupt) => AppError::InvalidBody {
                    name: "body",
                    detail: "the compressed body is corrupt or cut short".into(),
                },
                Some(body::Fault::TooLarge) => AppError::PayloadTooLarge {
                    limit: limits.map_or(0, |l| l.inflated),
                },
                None => return Ok(response),
            };
            let (req, _) = response.into_parts();
            Ok(ServiceResponse::new(req, fault.error_response()))
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
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(max_age) = hsts
        && let Ok(value) = HeaderValue::from_str(&format!("max-age={max_age}"))
    {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
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
