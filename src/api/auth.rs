//! Who is calling: extractors that resolve the request's token to an [`Actor`], enforce
//! the CSRF rule for cookie sessions, and hold users without MFA at MFA setup when the site
//! enforces it. Handlers that need a user take [`Auth`]; handlers open to anyone take
//! [`MaybeAuth`]. The checks themselves live in `app::sessions`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};

use crate::app::Actor;
use crate::app::sessions::{self, ClientInfo};
use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "MMAUTHTOKEN";
pub const USER_COOKIE: &str = "MMUSERID";
pub const CSRF_COOKIE: &str = "MMCSRF";

/// A signed-in caller; requests without a valid session get 401.
pub struct Auth(pub Actor);

/// A caller who may or may not be signed in. A token that is present but invalid is still
/// a 401, so clients learn their session ended.
pub struct MaybeAuth(pub Option<Actor>);

/// The caller's address and user agent.
pub struct Client(pub ClientInfo);

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl FromRequest for Auth {
    type Error = AppError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match resolve(&req).await? {
                Some(actor) => Ok(Auth(actor)),
                None => Err(AppError::session_expired()),
            }
        })
    }
}

impl FromRequest for MaybeAuth {
    type Error = AppError;
    type Future = Boxed<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req).await.map(MaybeAuth) })
    }
}

impl FromRequest for Client {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Client(client_info(req))))
    }
}

/// The client's address ([`client_address`]: the TCP peer's unless it is a trusted
/// proxy) and the user agent.
pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let ip = client_address(req)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let user_agent = req
        .headers()
        .get("User-Agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(256)
        .collect();
    ClientInfo { ip, user_agent }
}

/// Where the token came from: cookie tokens need the CSRF check on writes.
#[derive(Debug, PartialEq, Eq)]
enum TokenSource {
    Cookie,
    Header,
    Query,
}

/// The token a request authenticates with, wherever it came from.
pub fn request_token(req: &HttpRequest) -> Option<String> {
    find_token(req).map(|(token, _)| token)
}

/// The `Authorization: Bearer|Token` header first, then `?access_token=`, then the session
/// cookie: a client that says which token it means is believed, whatever cookie it also
/// carries (a `requests.Session` keeps the cookie of an earlier login). Only a request the
/// cookie authenticates is held to the CSRF rule, since a page on another site can make a
/// browser send the cookie but not the header or a token it does not know.
fn find_token(req: &HttpRequest) -> Option<(String, TokenSource)> {
    if let Some(header) = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
    {
        let header = header.trim();
        if let Some((scheme, token)) = header.split_once(' ')
            && (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            && !token.trim().is_empty()
        {
            return Some((token.trim().to_string(), TokenSource::Header));
        }
    }
    if let Some(token) =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("access_token").cloned())
            .filter(|t| !t.is_empty())
    {
        return Some((token, TokenSource::Query));
    }
    req.cookie(SESSION_COOKIE)
        .filter(|c| !c.value().is_empty())
        .map(|cookie| (cookie.value().to_string(), TokenSource::Cookie))
}

async fn resolve(req: &HttpRequest) -> Result<Option<Actor>, AppError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(AppError::Internal("application state missing".into()));
    };
    let Some((token, source)) = find_token(req) else {
        return Ok(None);
    };
    let actor = sessions::authenticate(state, &token).await?;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if source == TokenSource::Cookie && !safe && !csrf_ok(req, &actor, state) {
        tracing::warn!(user_id = %actor.user.id, path = %req.path(), "CSRF check failed");
        return Err(AppError::Unauthorized {
            id: "api.context.session_expired.app_error",
            message: "Invalid or expired session, please login again. (The request came with a session cookie but without a valid X-CSRF-Token header.)".into(),
        });
    }
    if sessions::needs_mfa_setup(state, &actor) && !allowed_before_mfa(req.path(), &actor.user.id) {
        return Err(AppError::Denied {
            id: "api.context.mfa_required.app_error",
            message: "Multi-factor authentication is required on this server. Set it up before doing anything else.".into(),
        });
    }
    Ok(Some(actor))
}

/// Cookie sessions must prove the request came from our own page: the `X-CSRF-Token`
/// header must match the session's token, or, unless strict enforcement is on, the
/// request must carry `X-Requested-With: XMLHttpRequest` (which a cross-site form cannot).
fn csrf_ok(req: &HttpRequest, actor: &Actor, state: &AppState) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let (Some(sent), Some(expected)) = (header("X-CSRF-Token"), actor.session.props.get("csrf"))
        && !expected.is_empty()
        && sent == expected
    {
        return true;
    }
    !state
        .config()
        .service_settings
        .experimental_strict_csrf_enforcement
        && header("X-Requested-With") == Some("XMLHttpRequest")
}

/// What a user held at MFA setup may still do: see themselves, set up MFA, sign out.
fn allowed_before_mfa(path: &str, user_id: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/v4/users/") else {
        return false;
    };
    let own = |p: &str| {
        p.strip_prefix("me")
            .or_else(|| p.strip_prefix(user_id))
            .map(|s| s.to_string())
    };
    rest == "logout" || matches!(own(rest).as_deref(), Some("" | "/mfa" | "/mfa/generate"))
}

/// The client's address: the TCP peer's, or, when the peer is one of
/// `ServiceSettings.TrustedProxies`, what the first of `TrustedProxyIPHeader` present says.
/// A header may come on several lines (proxies append their own); they are read as one
/// list, and from the right each trusted proxy is passed over: the first address that is
/// not one is the client. Anything unreadable there means the peer's own address is used,
/// so a client cannot slip an address past a proxy.
pub fn client_address(req: &HttpRequest) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    let Some(state) = req.app_data::<actix_web::web::Data<crate::state::AppState>>() else {
        return Some(peer);
    };
    let config = state.config();
    let settings = &config.service_settings;
    if settings.trusted_proxy_ip_header.is_empty() {
        return Some(peer);
    }
    let trusted = |ip: &std::net::IpAddr| {
        settings.trusted_proxies.iter().any(|entry| {
            entry.parse::<ipnet::IpNet>().map_or_else(
                |_| entry.parse::<std::net::IpAddr>().is_ok_and(|a| a == *ip),
                |net| net.contains(ip),
            )
        })
    };
    if !trusted(&peer) {
        return Some(peer);
    }
    for name in &settings.trusted_proxy_ip_header {
        let lines: Vec<&str> = req
            .headers()
            .get_all(name.as_str())
            .filter_map(|v| v.to_str().ok())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let joined = lines.join(",");
        for hop in joined.split(',').map(str::trim).rev() {
            match hop.parse::<std::net::IpAddr>().map(|ip| ip.to_canonical()) {
                Ok(ip) if trusted(&ip) => continue,
                Ok(ip) => return Some(ip),
                Err(_) => return Some(peer),
            }
        }
        // Every hop was a trusted proxy: the request came from one of them.
        return Some(peer);
    }
    Some(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_setup_allows_only_setup_paths() {
        let id = "abcdefghijklmnopqrstuvwxyz";
        assert!(allowed_before_mfa("/api/v4/users/me", id));
        assert!(allowed_before_mfa(
            &format!("/api/v4/users/{id}/mfa/generate"),
            id
        ));
        assert!(allowed_before_mfa("/api/v4/users/logout", id));
        assert!(!allowed_before_mfa("/api/v4/users", id));
        assert!(!allowed_before_mfa("/api/v4/users/me/sessions", id));
        assert!(!allowed_before_mfa("/api/v4/users/other/mfa", id));
        assert!(!allowed_before_mfa("/api/v4/teams", id));
    }
}
