//! The `system` group: health (`/system/ping`), the client configuration and licence the
//! official clients read at start, the server log (reading it, and client messages into
//! it), the audit log and the site statistics. The configuration endpoints the System
//! Console edits with are in `config`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::{Auth, MaybeAuth};
use super::extract::Json;
use super::{Paging, resource};
use crate::app::config as config_app;
use crate::app::permissions::perm;
use crate::app::system::{self as system_app, ClientLogLevel};
use crate::error::AppError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/system/ping").route(web::get().to(ping)))
        .service(resource("/config/client").route(web::get().to(get_client_config)))
        .service(resource("/license/client").route(web::get().to(get_client_license)))
        .service(
            resource("/logs")
                .route(web::get().to(get_logs))
                .route(web::post().to(post_log)),
        )
        .service(resource("/analytics/old").route(web::get().to(get_analytics)))
        .service(resource("/system/setup").route(web::get().to(setup_status)))
        .service(resource("/audits").route(web::get().to(get_audits)))
        .service(resource("/system/timezones").route(web::get().to(timezones)))
        .service(
            resource("/server_busy")
                .route(web::get().to(server_busy))
                .route(web::post().to(set_server_busy))
                .route(web::delete().to(clear_server_busy)),
        )
        .service(resource("/database/recycle").route(web::post().to(nothing_to_recycle)))
        .service(resource("/caches/invalidate").route(web::post().to(nothing_to_recycle)))
        .service(resource("/system/notices/view").route(web::put().to(view_notices)))
        .service(resource("/system/notices/{team_id}").route(web::get().to(notices)))
        .service(resource("/plugins/webapp").route(web::get().to(webapp_plugins)))
        .service(resource("/plugins/statuses").route(web::get().to(plugin_statuses)));
}

#[derive(Debug, Deserialize)]
struct PingQuery {
    #[serde(default)]
    get_server_status: bool,
    #[serde(default)]
    use_rest_semantics: bool,
}

/// `GET /api/v4/system/ping`: `{"status":"OK",...}`; with `get_server_status=true` also
/// the database and file store status, and 500 when either is down (unless
/// `use_rest_semantics=true`).
async fn ping(
    state: web::Data<AppState>,
    query: web::Query<PingQuery>,
) -> Result<HttpResponse, AppError> {
    let mut body = Map::new();
    // "bleve", Mattermost's name for an embedded full-text index, is the closest of its
    // values to Hearth's tantivy index.
    body.insert(
        "ActiveSearchBackend".into(),
        json!(if state.search.is_some() {
            "bleve"
        } else {
            "database"
        }),
    );
    for key in [
        "AndroidLatestVersion",
        "AndroidMinVersion",
        "IosLatestVersion",
        "IosMinVersion",
    ] {
        body.insert(key.into(), json!(""));
    }
    let mut healthy = true;
    if query.get_server_status {
        let health = system_app::check_health(state.store.as_ref(), &state.files).await;
        let word = |ok: bool| if ok { "OK" } else { "UNHEALTHY" };
        body.insert("database_status".into(), json!(word(health.database)));
        body.insert("filestore_status".into(), json!(word(health.filestore)));
        if let Some(indexer) = &state.search {
            // Hearth's: how far the search index is, in documents and feed position.
            let stats = indexer.index().stats();
            let progress = indexer.progress();
            let behind = state
                .store
                .last_seq()
                .await
                .map_or(0, |last| (last - stats.seq).max(0));
            body.insert(
                "search_index".into(),
                json!({
                    "documents": stats.documents,
                    "position": stats.seq,
                    "behind": behind,
                    "language": stats.language,
                    "rebuilding": progress.rebuilding,
                    "rebuilt": progress.rebuilt,
                }),
            );
        }
        healthy = health.healthy();
    }
    body.insert(
        "status".into(),
        json!(if healthy { "OK" } else { "UNHEALTHY" }),
    );
    let mut response = if healthy || query.use_rest_semantics {
        HttpResponse::Ok()
    } else {
        HttpResponse::InternalServerError()
    };
    Ok(response.json(Value::Object(body)))
}

#[derive(Debug, Deserialize)]
struct FormatQuery {
    #[serde(default)]
    format: String,
}

fn require_old_format(query: &FormatQuery) -> Result<(), AppError> {
    match query.format.as_str() {
        "old" => Ok(()),
        "" => Err(AppError::NotImplemented {
            id: "api.config.client.old_format.app_error",
            message: "New format for the client configuration is not supported yet. Please specify format=old in the query string.".into(),
        }),
        _ => Err(AppError::InvalidParam { name: "format" }),
    }
}

/// `GET /api/v4/config/client?format=old`: the flat string map clients read at start.
async fn get_client_config(
    state: web::Data<AppState>,
    auth: Result<MaybeAuth, AppError>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, AppError> {
    require_old_format(&query)?;
    // A stale token is no reason to refuse the login page its configuration.
    let signed_in = matches!(auth, Ok(MaybeAuth(Some(_))));
    Ok(HttpResponse::Ok().json(config_app::client_config(&state, signed_in).await?))
}

/// `GET /api/v4/license/client?format=old`: Hearth needs no licence; every feature is on.
async fn get_client_license(query: web::Query<FormatQuery>) -> Result<HttpResponse, AppError> {
    require_old_format(&query)?;
    Ok(HttpResponse::Ok().json(json!({ "IsLicensed": "false" })))
}

#[derive(Debug, Deserialize)]
struct LogBody {
    level: String,
    message: String,
}

/// `POST /api/v4/logs`: a client's message for the server log. Anonymous callers need
/// developer mode; signed-in users log at DEBUG only outside it, system admins at either
/// level. A stale token counts as anonymous, as in Mattermost.
async fn post_log(
    state: web::Data<AppState>,
    auth: Result<MaybeAuth, AppError>,
    body: Json<LogBody>,
) -> Result<HttpResponse, AppError> {
    let level = ClientLogLevel::parse(&body.level).ok_or_else(|| AppError::InvalidBody {
        name: "level",
        detail: format!("{:?} is not ERROR or DEBUG", body.level),
    })?;
    let actor = auth.ok().and_then(|MaybeAuth(actor)| actor);
    let admin = actor.as_ref().is_some_and(|a| a.can(perm::MANAGE_SYSTEM));
    let developer = state.config().service_settings.enable_developer;
    system_app::client_log(developer || admin, actor.is_some(), level, &body.message)?;
    Ok(HttpResponse::Ok().json(json!({ "level": body.level, "message": body.message })))
}

#[derive(Debug, Deserialize)]
struct LogsQuery {
    page: Option<u32>,
    logs_per_page: Option<u32>,
}

/// `GET /api/v4/logs`: the server's recent log lines (JSON, as Mattermost's log file has
/// them), `logs_per_page` (at most 10,000, the default) to a page; page 0 is the newest,
/// and each page reads oldest to newest.
async fn get_logs(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<LogsQuery>,
) -> Result<HttpResponse, AppError> {
    actor.require(perm::GET_LOGS)?;
    let per_page = query
        .logs_per_page
        .unwrap_or(MAX_LOGS_PER_PAGE)
        .clamp(1, MAX_LOGS_PER_PAGE);
    let page = query.page.unwrap_or(0);
    Ok(HttpResponse::Ok().json(state.logging.page(page as usize, per_page as usize)))
}

/// Mattermost's limit on `logs_per_page`, and its default.
const MAX_LOGS_PER_PAGE: u32 = 10_000;

#[derive(Debug, Deserialize)]
struct AnalyticsQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    team_id: String,
}

/// `GET /api/v4/analytics/old`: site statistics as `[{"name", "value"}]` rows. Only
/// `name=standard` (the default) is answered; the per-day series are not built yet.
async fn get_analytics(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<AnalyticsQuery>,
) -> Result<HttpResponse, AppError> {
    let team_id = Some(query.team_id.as_str()).filter(|t| !t.is_empty());
    let rows = system_app::analytics(&state, &actor, &query.name, team_id).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// `GET /api/v4/system/setup` (Hearth's own): whether the server still needs its first
/// account, which becomes the system admin. The web setup wizard starts from here.
async fn setup_status(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let users = state.store.count_users().await?;
    Ok(HttpResponse::Ok().json(json!({ "setup_needed": users == 0 })))
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /api/v4/system/notices/{team_id}`: product notices for the caller. Hearth shows
/// none (Mattermost's come from its own notice server), and says so with an empty list.
async fn notices(Auth(_actor): Auth, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    crate::app::users::check_id(&path, "team_id")?;
    Ok(HttpResponse::Ok().json(json!([])))
}

/// `PUT /api/v4/system/notices/view` `[notice ids]`: there are none to mark.
async fn view_notices(
    Auth(_actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let _ = body.into_inner();
    Ok(super::ok())
}

/// `GET /api/v4/plugins/webapp`: the web-app plugins to load. Hearth has no plugins, and
/// says so with an empty list: the desktop app and the mobile app ask for it (the mobile
/// app during its first load) and treat anything but a 200 list as a broken server.
async fn webapp_plugins() -> HttpResponse {
    HttpResponse::Ok().json(json!([]))
}

/// `GET /api/v4/plugins/statuses`: each plugin's state on each node, for admins: none.
async fn plugin_statuses(Auth(actor): Auth) -> Result<HttpResponse, AppError> {
    actor.require(perm::MANAGE_SYSTEM)?;
    Ok(HttpResponse::Ok().json(json!([])))
}

/// `GET /api/v4/audits`: the audit log, newest first, for admins.
async fn get_audits(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    actor.require(perm::READ_AUDITS)?;
    let paging = Paging::new(query.page, query.per_page);
    let audits = state
        .store
        .list_audits(None, paging.offset(), paging.per_page)
        .await?;
    Ok(HttpResponse::Ok().json(audits))
}

/// `GET /system/timezones`: the time zones a user may choose; any signed-in user.
async fn timezones(Auth(_actor): Auth) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(crate::app::system::timezones()))
}

/// `POST /database/recycle` and `POST /caches/invalidate` (`manage_system`): Mattermost
/// reconnects its database pools after a settings change and drops its caches. Hearth's
/// database settings take effect at the next start, its pools replace broken connections
/// by themselves and it keeps no caches that can go stale, so there is nothing to do.
async fn nothing_to_recycle(Auth(actor): Auth) -> Result<HttpResponse, AppError> {
    actor.require(crate::app::permissions::perm::MANAGE_SYSTEM)?;
    Ok(super::ok())
}

async fn server_busy(
    state: web::Data<AppState>,
    Auth(actor): Auth,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(crate::app::system::server_busy(&state, &actor)?))
}

#[derive(Debug, serde::Deserialize)]
struct BusyQuery {
    seconds: Option<String>,
}

async fn set_server_busy(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    query: web::Query<BusyQuery>,
) -> Result<HttpResponse, AppError> {
    let seconds = match &query.seconds {
        None => 3600,
        Some(text) => text
            .parse()
            .map_err(|_| AppError::InvalidParam { name: "seconds" })?,
    };
    crate::app::system::set_server_busy(&state, &actor, Some(seconds))?;
    Ok(super::ok())
}

async fn clear_server_busy(
    state: web::Data<AppState>,
    Auth(actor): Auth,
) -> Result<HttpResponse, AppError> {
    crate::app::system::set_server_busy(&state, &actor, None)?;
    Ok(super::ok())
}
