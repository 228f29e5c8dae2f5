//! The embedded web client: the build of `web/` in `assets/web/` (made by `build.rs`),
//! compiled into the binary.
//!
//! Fingerprinted files (the bundler's `assets/` folder: `name-HASH.ext`) are cached forever;
//! `index.html` is revalidated every time, so a new release reaches browsers at once.
//! Client-side routes (paths without a file extension) fall back to `index.html`;
//! `/api/*` never does.

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "assets/web/"]
struct Assets;

const INDEX: &str = "index.html";

/// Serves an embedded file, or `index.html` for client routes.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, AppError> {
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
    fn client_routes_have_no_extension() {
        assert!(!has_extension("myteam/channels/town-square"));
        assert!(has_extension("static/app.js"));
    }
}
