//! One error type for the HTTP edge, and one table from each error to its HTTP status and
//! Mattermost error id. Internal causes are logged with the request id; clients get a
//! generic message, never a database error's text.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::store::StoreError;

tokio::task_local! {
    /// The id of the request being served, set by the request middleware so every error
    /// body and log line can carry it.
    pub static REQUEST_ID: String;
}

/// The current request's id, or empty outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No route matches the path.
    #[error("Sorry, we could not find the page.")]
    RouteNotFound,
    /// The path exists but not for this method.
    #[error("Method not allowed for this path.")]
    MethodNotAllowed,
    /// The body is not the JSON the endpoint expects.
    #[error("Invalid or missing {name} in request body.")]
    InvalidBody { name: &'static str, detail: String },
    /// A query or path parameter is missing or wrong.
    #[error("Invalid or missing {name} parameter in request URL.")]
    InvalidParam { name: &'static str },
    /// The body is larger than `ServiceSettings.MaximumPayloadSizeBytes`.
    #[error("The request body is larger than the limit of {limit} bytes.")]
    PayloadTooLarge { limit: u64 },
    /// An upload over a limit that has an error id of its own (413).
    #[error("{message}")]
    TooLarge { id: &'static str, message: String },
    /// The caller may not do this.
    #[error("You do not have the appropriate permissions.")]
    Forbidden,
    /// The endpoint exists in Mattermost's API but this request form is not supported.
    #[error("{message}")]
    NotImplemented { id: &'static str, message: String },
    /// A rule about the input was broken (400): Mattermost's id for the rule.
    #[error("{message}")]
    Invalid {
        id: Cow<'static, str>,
        message: String,
    },
    /// No valid session, or the credentials are wrong (401).
    #[error("{message}")]
    Unauthorized { id: &'static str, message: String },
    /// The caller may not do this, for a stated reason (403).
    #[error("{message}")]
    Denied { id: &'static str, message: String },
    /// The thing asked for does not exist, or the caller may not know it does (404).
    #[error("{message}")]
    Missing { id: &'static str, message: String },
    /// Too many requests from this client; try again after `retry_after_secs`.
    #[error("Too many requests. Please try again later.")]
    TooManyRequests { retry_after_secs: u64 },
    /// The body's `Content-Encoding` is not one Hearth reads (415).
    #[error(
        "The request body's Content-Encoding is not supported; send it as identity, gzip or deflate."
    )]
    UnsupportedEncoding,
    /// The body did not arrive within `ServiceSettings.ReadTimeout` (408).
    #[error("The request body did not arrive in time.")]
    RequestTimeout,
    /// The URL is longer than `ServiceSettings.MaximumURLLength` (414).
    #[error("The request URL is longer than the limit of {limit} characters.")]
    UrlTooLong { limit: u64 },
    /// The server is at a limit meant to protect it; try again after `retry_after_secs` (503).
    #[error("{message}")]
    Busy {
        id: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// Anything unexpected. The cause is logged, not sent.
    #[error(
        "An internal error occurred; the server log has the details (request id {}).",
        current_request_id()
    )]
    Internal(String),
}

impl AppError {
    /// The table: every error's status and stable Mattermost error id.
    fn status_and_id(&self) -> (StatusCode, &str) {
        match self {
            AppError::RouteNotFound => (StatusCode::NOT_FOUND, "api.context.404.app_error"),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "api.context.method_not_allowed.app_error",
            ),
            AppError::InvalidBody { .. } => (
                StatusCode::BAD_REQUEST,
                "api.context.invalid_body_param.app_error",
            ),
            AppError::InvalidParam { .. } => (
                StatusCode::BAD_REQUEST,
                "api.context.invalid_url_param.app_error",
            ),
            AppError::PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "api.context.request_body_too_large.app_error",
            ),
            AppError::TooLarge { id, .. } => (StatusCode::PAYLOAD_TOO_LARGE, id),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "api.context.permissions.app_error"),
            AppError::NotImplemented { id, .. } => (StatusCode::NOT_IMPLEMENTED, id),
            AppError::Invalid { id, .. } => (StatusCode::BAD_REQUEST, id.as_ref()),
            AppError::Unauthorized { id, .. } => (StatusCode::UNAUTHORIZED, id),
            AppError::Denied { id, .. } => (StatusCode::FORBIDDEN, id),
            AppError::Missing { id, .. } => (StatusCode::NOT_FOUND, id),
            AppError::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "api.context.rate_limit_exceeded.app_error",
            ),
            AppError::UnsupportedEncoding => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "api.context.content_encoding.app_error",
            ),
            AppError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "api.context.request_timeout.app_error",
            ),
            AppError::UrlTooLong { .. } => (
                StatusCode::URI_TOO_LONG,
                "api.context.url_too_long.app_error",
            ),
            AppError::Busy { id, .. } => (StatusCode::SERVICE_UNAVAILABLE, id),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "api.context.internal_error.app_error",
            ),
        }
    }

    fn detailed_error(&self) -> String {
        match self {
            AppError::InvalidBody { detail, .. } => detail.clone(),
            _ => String::new(),
        }
    }
}

/// Mattermost's error body.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub id: &'a str,
    pub message: String,
    pub detailed_error: String,
    pub request_id: String,
    pub status_code: u16,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status_and_id().0
    }

    fn error_response(&self) -> HttpResponse {
        let body = self.body();
        if let AppError::Internal(cause) = self {
            tracing::error!(request_id = %body.request_id, cause = %cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_and_id().0);
        if let AppError::TooManyRequests { retry_after_secs }
        | AppError::Busy {
            retry_after_secs, ..
        } = self
        {
            response.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        response.json(body)
    }
}

impl AppError {
    /// The body a client gets for this error: the whole answer to a failed request, or
    /// one item's error inside an answer that reports several (a graceful batch).
    pub fn body(&self) -> ErrorBody<'_> {
        let (status, id) = self.status_and_id();
        ErrorBody {
            id,
            message: self.to_string(),
            detailed_error: self.detailed_error(),
            request_id: current_request_id(),
            status_code: status.as_u16(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        // Entity-specific mappings (NotFound → 404 with the entity's id) are made where the
        // entity is known; anything reaching this generic path is unexpected.
        AppError::Internal(error.to_string())
    }
}

impl AppError {
    /// 401 for a missing, expired or revoked session, as Mattermost words it.
    pub fn session_expired() -> Self {
        AppError::Unauthorized {
            id: "api.context.session_expired.app_error",
            message: "Invalid or expired session, please login again.".into(),
        }
    }

    /// 400 for a broken input rule.
    pub fn invalid(id: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            id: id.into(),
            message: message.into(),
        }
    }

    /// Maps a JSON body error; `limit` is the configured body limit, for the message.
    pub fn from_json_error(error: actix_web::error::JsonPayloadError, limit: u64) -> Self {
        use actix_web::error::{JsonPayloadError as E, PayloadError};
        match error {
            E::OverflowKnownLength { .. }
            | E::Overflow { .. }
            | E::Payload(PayloadError::Overflow) => AppError::PayloadTooLarge { limit },
            E::ContentType => AppError::InvalidBody {
                name: "body",
                detail: "the body must be JSON (Content-Type: application/json)".into(),
            },
            other => AppError::InvalidBody {
                name: "body",
                detail: other.to_string(),
            },
        }
    }
}
