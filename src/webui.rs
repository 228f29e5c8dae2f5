//! The embedded web client: the build of `web/` in `assets/web/` (made by `build.rs`),
//! compiled into the binary.
//!
//! Fingerprinted files (the bundler's `assets/` folder: `name-HASH.ext`) are cached forever;
//! `index.html` is revalidated every time, so a new release reaches browsers at once.
//! Client-side routes (paths without a file extension) fall back to `index.html`;
//! `/api/*` never does. Every response carries the page's security headers: a
//! Content-Security-Policy the built client satisfies (its scripts and styles are files
//! of its own; only images may come from elsewhere, as message Markdown shows them),
//! `frame-ancestors` from `ServiceSettings.AllowedFrameAncestors` (with the matching
//! `X-Frame-Options`), `Referrer-Policy` and `Permissions-Policy`.

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "assets/web/"]
struct Assets;

const INDEX: &str = "index.html";

/// Serves an embedded file, or `index.html` for client routes.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let mut response = file_response(&req)?;
    if let Some(state) = req.app_data::<actix_web::web::Data<AppState>>() {
        let config = state.config();
        let headers = response.headers_mut();
        for (name, value) in security_headers(&config) {
            if let Ok(value) = header::HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
    Ok(response)
}

/// The web client's security headers for `config`.
fn security_headers(config: &Config) -> Vec<(header::HeaderName, String)> {
    // One space between sources, whatever the admin typed between them.
    let ancestors = config
        .service_settings
        .allowed_frame_ancestors
        .split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut connect = String::from("'self'");
    if let Some(origin) = websocket_origin(&config.service_settings.websocket_url) {
        connect.push(' ');
        connect.push_str(&origin);
    }
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:; media-src 'self' blob:; font-src 'self' data:; \
         connect-src {connect}; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors {ancestors}"
    );
    let mut headers = vec![
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::REFERRER_POLICY, "same-origin".to_string()),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()".to_string(),
        ),
    ];
    // X-Frame-Options can say only "this site" or "nobody"; CSP says the rest.
    match ancestors.as_str() {
        "'self'" => headers.push((header::X_FRAME_OPTIONS, "SAMEORIGIN".into())),
        "'none'" => headers.push((header::X_FRAME_OPTIONS, "DENY".into())),
        _ => {}
    }
    headers
}

/// The origin of a separate WebSocket address (`ServiceSettings.WebsocketURL`), as a CSP
/// source: `wss://host[:port]`. `None` when it is empty or not a URL.
fn websocket_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" | "wss" => "wss",
        "http" | "ws" => "ws",
        _ => return None,
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    host.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .then(|| format!("{scheme}://{host}"))
}

fn file_response(req: &HttpRequest) -> Result<HttpResponse, AppError> {
    let path = req.path();
    if path == "/api" || path.starts_with("/api/") {
        return Err(AppError::RouteNotFound);
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::MethodNotAllowed);
    }
    let wanted = path.trim_start_matches('/');
    let name = if wanted.is_empty() { INDEX } else { wanted };
    let (name, file) = match Assets::get(name) {
        Some(file) => (name, file),
        // A missing file is a 404; anything else is a route inside the client.
        None if has_extension(name) => return Err(AppError::RouteNotFound),
        None => (INDEX, Assets::get(INDEX).ok_or(AppError::RouteNotFound)?),
    };

    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let cache = if is_fingerprinted(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if fresh {
        return Ok(response.finish());
    }
    Ok(response
        .content_type(file.metadata.mimetype())
        .body(file.data.into_owned()))
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// The bundler writes content-hashed files (`index-3f2a9c1b.js`) into `assets/`; those
/// never change under the same name.
fn is_fingerprinted(path: &str) -> bool {
    path.starts_with("assets/")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_recognised() {
        assert!(is_fingerprinted("assets/index-3f2a9c1b.js"));
        assert!(!is_fingerprinted("index.html"));
        assert!(!is_fingerprinted("favicon.svg"));
    }

    #[test]
    fn frames_and_sockets_follow_the_settings() {
        let mut config = Config::default();
        let find = |headers: &[(header::HeaderName, String)], name: header::HeaderName| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        let headers = security_headers(&config);
        let csp = find(&headers, header::CONTENT_SECURITY_POLICY).unwrap();
        assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert_eq!(
            find(&headers, header::X_FRAME_OPTIONS).as_deref(),
            Some("SAMEORIGIN")
        );

        config.service_settings.allowed_frame_ancestors =
            "'self' https://intranet.example.com".into();
        config.service_settings.websocket_url = "https://ws.example.com:8443/".into();
        let headers = security_headers(&config);
        let csp = find(&headers, header::CONTENT_SECURITY_POLICY).unwrap();
        assert!(
            csp.ends_with("frame-ancestors 'self' https://intranet.example.com"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' wss://ws.example.com:8443;"),
            "{csp}"
        );
        assert_eq!(find(&headers, header::X_FRAME_OPTIONS), None);

        config.service_settings.allowed_frame_ancestors = "'none'".into();
        let headers = security_headers(&config);
        assert_eq!(
            find(&headers, header::X_FRAME_OPTIONS).as_deref(),
            Some("DENY")
        );
        assert_eq!(websocket_origin("javascript:alert(1)"), None);
        assert_eq!(websocket_origin("https://a b/"), None);
    }

    #[test]
    fn client_routes_have_no_extension() {
        assert!(!has_extension("myteam/channels/town-square"));
        assert!(has_extension("static/app.js"));
    }
}
