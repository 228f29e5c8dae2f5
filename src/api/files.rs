//! The `files` and `uploads` groups: uploads streamed to a staging file (multipart or a
//! raw body), downloads streamed from the file store (with byte ranges), thumbnails,
//! previews, FileInfo, public links, a post's files and file search.
//!
//! Request bodies here are read as a raw stream, so `ServiceSettings.MaximumPayloadSizeBytes`
//! (which the JSON and bytes extractors enforce) does not apply; `FileSettings.MaxFileSize`
//! is enforced per file while streaming instead. No whole file is held in memory.

use std::fmt::Display;

use actix_multipart::Multipart;
use actix_web::body::SizedStream;
use actix_web::http::{StatusCode, header};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::auth::Auth;
use super::extract::Json;
use super::resource;
use crate::app::files::{self, NewUpload, SearchParams, UploadTarget};
use crate::app::users::check_id;
use crate::error::AppError;
use crate::files::{Staged, Staging};
use crate::state::AppState;
use crate::store::FileInfo;

/// Read size when streaming a file out.
const READ_CHUNK: usize = 256 * 1024;
/// Longest value accepted in a non-file form field (`channel_id`, `client_ids`).
const MAX_FIELD_BYTES: usize = 1024;
/// Most non-file fields accepted in one upload form.
const MAX_FIELDS: usize = 64;
/// Room for multipart headers and boundaries around the files, for the early size check.
const FORM_OVERHEAD: u64 = 1024 * 1024;
/// Files do not change once uploaded, so browsers may keep them (privately) a month.
const CACHE_CONTROL: &str = "private, max-age=2592000";
/// Downloads are data, never a page: no scripts, no plug-ins, no framing.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/files").route(web::post().to(upload)))
        .service(resource("/files/search").route(web::post().to(search_all)))
        .service(resource("/files/{file_id}").route(web::get().to(download)))
        .service(resource("/files/{file_id}/thumbnail").route(web::get().to(thumbnail)))
        .service(resource("/files/{file_id}/preview").route(web::get().to(preview)))
        .service(resource("/files/{file_id}/info").route(web::get().to(info)))
        .service(resource("/files/{file_id}/link").route(web::get().to(link)))
        .service(resource("/posts/{post_id}/files/info").route(web::get().to(post_files)))
        .service(resource("/teams/{team_id}/files/search").route(web::post().to(search_team)))
        .service(resource("/uploads").route(web::post().to(create_upload)))
        .service(
            resource("/uploads/{upload_id}")
                .route(web::get().to(get_upload))
                .route(web::post().to(upload_data)),
        );
}

/// Routes outside `/api/v4`: the public link target, `GET /files/{file_id}/public?h=`.
/// Mount on the app itself (before the web client's fallback).
pub fn configure_public(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/files/{file_id}/public").route(web::get().to(public_file)));
}

fn bad_form(detail: impl Display) -> AppError {
    AppError::InvalidBody {
        name: "files",
        detail: format!("the multipart form could not be read: {detail}"),
    }
}

pub(super) fn store_error(error: std::io::Error) -> AppError {
    AppError::Internal(format!("file store: {error}"))
}

/// Streams `body` into `staging`, refusing it once the file would pass `limit` bytes
/// (the chunk that would pass it is not written). A body that breaks off is a 400.
pub(super) async fn receive<S, E>(
    mut body: S,
    staging: &mut Staging,
    limit: u64,
) -> Result<(), AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Display,
{
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(bad_form)?;
        if staging.len() + chunk.len() as u64 > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        staging.write(&chunk).await.map_err(store_error)?;
    }
    Ok(())
}

/// The `image` file of a multipart form (a profile picture, a team icon), streamed into
/// a staging file under `FileSettings.MaxFileSize` (itself capped at the larger of the
/// body limit and 50 MiB); `None` when the form has no `image` field, and the last one
/// when it has several.
pub(super) async fn staged_image(
    state: &AppState,
    mut form: Multipart,
) -> Result<Option<Staged>, AppError> {
    let config = state.config();
    let limit = config.file_settings.max_file_size.min(
        config
            .service_settings
            .maximum_payload_size_bytes
            .max(50 * 1024 * 1024),
    );
    drop(config);
    let mut upload = None;
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| AppError::InvalidBody {
            name: "image",
            detail: e.to_string(),
        })?;
        if field.name() != Some("image") {
            continue;
        }
        let mut staging = state.files.stage().await.map_err(store_error)?;
        receive(field, &mut staging, limit).await?;
        upload = Some(staging.finish().await.map_err(store_error)?);
    }
    Ok(upload)
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/"))
}

/// A short text field, whole.
async fn text_field(field: &mut actix_multipart::Field) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(bad_form)?;
        if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(AppError::InvalidBody {
                name: "files",
                detail: format!(
                    "form fields other than files may hold at most {MAX_FIELD_BYTES} bytes"
                ),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| bad_form("a field is not UTF-8 text"))
}

/// The file name a multipart field carries (`filename*` preferred over `filename`).
fn field_filename(field: &actix_multipart::Field) -> String {
    let Some(disposition) = field.content_disposition() else {
        return String::new();
    };
    if let Some(extended) = disposition.get_filename_ext() {
        return String::from_utf8_lossy(&extended.value).into_owned();
    }
    disposition.get_filename().unwrap_or_default().to_string()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UploadQuery {
    channel_id: Option<String>,
    filename: Option<String>,
    client_id: Option<String>,
}

/// `POST /files`: a multipart form (`channel_id`, then one or more `files`, with optional
/// `client_ids` in the same order), or the bytes of one file as the body with
/// `?channel_id=&filename=`.
async fn upload(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    req: HttpRequest,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    files::require_uploads(&state, &actor)?;
    let limit = files::max_file_size(&state);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let multipart = is_multipart(&req);
    let query = query.into_inner();

    if !multipart {
        // One file as the body.
        if declared.is_some_and(|n| n > limit) {
            return Err(AppError::PayloadTooLarge { limit });
        }
        let channel_id = query
            .channel_id
            .ok_or(AppError::InvalidParam { name: "channel_id" })?;
        let raw_name = query
            .filename
            .filter(|n| !n.is_empty())
            .ok_or(AppError::InvalidParam { name: "filename" })?;
        let target = files::upload_target(&state, &actor, &channel_id).await?;
        let name = files::accept_name(&state, &raw_name)?;
        // Dropped unfinished (on any error), the staging file is removed.
        let mut staging = state.files.stage().await.map_err(store_error)?;
        receive(payload, &mut staging, limit).await?;
        let staged = staging.finish().await.map_err(store_error)?;
        let info = files::save_upload(&state, &target, &name, staged).await?;
        let client_ids: Vec<String> = query.client_id.into_iter().collect();
        return Ok(HttpResponse::Created().json(json!({
            "file_infos": [info],
            "client_ids": client_ids,
        })));
    }

    let most = limit
        .saturating_mul(files::MAX_FILES_PER_REQUEST as u64)
        .saturating_add(FORM_OVERHEAD);
    if declared.is_some_and(|n| n > most) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    let mut form = Multipart::new(req.headers(), payload);
    let mut channel_id = query.channel_id;
    let mut target: Option<UploadTarget> = None;
    let mut client_ids: Vec<String> = Vec::new();
    let mut infos: Vec<FileInfo> = Vec::new();
    let mut fields = 0;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad_form)?;
        match field.name() {
            Some("files") => {
                if infos.len() >= files::MAX_FILES_PER_REQUEST {
                    return Err(AppError::InvalidBody {
                        name: "files",
                        detail: format!(
                            "at most {} files per request",
                            files::MAX_FILES_PER_REQUEST
                        ),
                    });
                }
                let target = match &target {
                    Some(target) => target,
                    None => {
                        let channel_id = channel_id.as_deref().ok_or(AppError::InvalidBody {
                            name: "channel_id",
                            detail:
                                "channel_id must come before the files in the form, or in the URL"
                                    .into(),
                        })?;
                        target.insert(files::upload_target(&state, &actor, channel_id).await?)
                    }
                };
                let name = files::accept_name(&state, &field_filename(&field))?;
                let mut staging = state.files.stage().await.map_err(store_error)?;
                receive(&mut field, &mut staging, limit).await?;
                let staged = staging.finish().await.map_err(store_error)?;
                infos.push(files::save_upload(&state, target, &name, staged).await?);
            }
            name => {
                fields += 1;
                if fields > MAX_FIELDS {
                    return Err(bad_form("too many fields"));
                }
                let name = name.map(str::to_string);
                let value = text_field(&mut field).await?;
                match name.as_deref() {
                    Some("channel_id") => {
                        if target.as_ref().is_some_and(|t| t.channel.id != value) {
                            return Err(AppError::InvalidBody {
                                name: "channel_id",
                                detail: "one request uploads to one channel".into(),
                            });
                        }
                        channel_id = Some(value);
                    }
                    Some("client_ids") => client_ids.push(value),
                    // Other fields are read and ignored, as Mattermost does.
                    _ => {}
                }
            }
        }
    }
    if infos.is_empty() {
        return Err(AppError::InvalidBody {
            name: "files",
            detail: "the form has no file in a `files` field".into(),
        });
    }
    if !client_ids.is_empty() && client_ids.len() != infos.len() {
        return Err(AppError::InvalidBody {
            name: "client_ids",
            detail: "give one client id per file, or none".into(),
        });
    }
    Ok(HttpResponse::Created().json(json!({
        "file_infos": infos,
        "client_ids": client_ids,
    })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DownloadQuery {
    download: Option<String>,
}

impl DownloadQuery {
    fn forced(&self) -> bool {
        self.download
            .as_deref()
            .is_some_and(|v| matches!(v, "1" | "true" | "True" | "TRUE"))
    }
}

/// `GET /files/{id}`: the file as uploaded. Images, audio and video are shown inline
/// unless `?download=1`; everything else is an attachment.
async fn download(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "file_id")?;
    let info = files::readable_file(&state, &actor, &path).await?;
    send_file(&state, &req, &info, query.forced()).await
}

async fn thumbnail(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "file_id")?;
    let info = files::readable_file(&state, &actor, &path).await?;
    if info.thumbnail_path.is_empty() {
        return Err(AppError::invalid(
            "api.file.get_file_thumbnail.no_thumbnail.app_error",
            "The file does not have a thumbnail.",
        ));
    }
    send_image(&state, &info.thumbnail_path, &info.name, "_thumb.jpg").await
}

async fn preview(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "file_id")?;
    let info = files::readable_file(&state, &actor, &path).await?;
    if info.preview_path.is_empty() {
        return Err(AppError::invalid(
            "api.file.get_file_preview.no_preview.app_error",
            "The file does not have a preview.",
        ));
    }
    send_image(&state, &info.preview_path, &info.name, "_preview.jpg").await
}

async fn info(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "file_id")?;
    Ok(HttpResponse::Ok().json(files::readable_file(&state, &actor, &path).await?))
}

async fn link(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "file_id")?;
    let configured = state.config().service_settings.site_url.clone();
    let site_url = if configured.is_empty() {
        let connection = req.connection_info();
        format!("{}://{}", connection.scheme(), connection.host())
    } else {
        configured
    };
    let link = files::public_link(&state, &actor, &path, &site_url).await?;
    Ok(HttpResponse::Ok().json(json!({ "link": link })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PublicQuery {
    h: String,
}

/// `GET /files/{id}/public?h=`: no session needed, only the link's hash.
async fn public_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, AppError> {
    let info = files::public_file(&state, &path, &query.h).await?;
    send_file(&state, &req, &info, false).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PostFilesQuery {
    include_deleted: bool,
}

async fn post_files(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    query: web::Query<PostFilesQuery>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "post_id")?;
    let infos = files::post_files(&state, &actor, &path, query.include_deleted).await?;
    Ok(HttpResponse::Ok().json(infos))
}

async fn search_team(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
    body: Json<SearchParams>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "team_id")?;
    Ok(HttpResponse::Ok().json(files::search(&state, &actor, Some(&path), &body).await?))
}

async fn search_all(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<SearchParams>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(files::search(&state, &actor, None, &body).await?))
}

async fn create_upload(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: Json<NewUpload>,
) -> Result<HttpResponse, AppError> {
    let session = files::create_upload(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(session))
}

async fn get_upload(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "upload_id")?;
    Ok(HttpResponse::Ok().json(files::own_upload(&state, &actor, &path).await?))
}

/// `POST /uploads/{id}`: more bytes of a resumable upload, as the raw body or the first
/// file of a multipart form. 204 while incomplete, 201 with the FileInfo once complete.
async fn upload_data(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    check_id(&path, "upload_id")?;
    files::require_uploads(&state, &actor)?;
    let session = files::own_upload(&state, &actor, &path).await?;
    let size = u64::try_from(session.file_size).unwrap_or(0);
    let offset = u64::try_from(session.file_offset).unwrap_or(0);
    let mut staging = state
        .files
        .resume(&session.id, offset)
        .await
        .map_err(store_error)?;
    if staging.len() != offset {
        // The bytes received earlier are gone (the staging file was removed or cut).
        files::pause_upload(&state, &session.id, staging.len()).await?;
        return Err(AppError::InvalidBody {
            name: "body",
            detail: format!(
                "the upload continues from byte {}; send the data from there",
                staging.len()
            ),
        });
    }
    let multipart = is_multipart(&req);
    let too_much = || AppError::InvalidBody {
        name: "body",
        detail: "more bytes than the upload's file_size".into(),
    };
    let received = if multipart {
        let mut form = Multipart::new(req.headers(), payload);
        let mut received = Err(bad_form("no file in the form"));
        while let Some(field) = form.next().await {
            match field {
                Ok(mut field) => {
                    if field
                        .content_disposition()
                        .and_then(|d| d.get_filename())
                        .is_some()
                        || field.name() == Some("data")
                    {
                        received = receive(&mut field, &mut staging, size).await;
                        break;
                    }
                }
                Err(error) => {
                    received = Err(bad_form(error));
                    break;
                }
            }
        }
        received
    } else {
        receive(payload, &mut staging, size).await
    };
    if let Err(error) = received {
        // A body that breaks off still counts: what arrived is kept for the next request.
        let offset = staging.pause().await.map_err(store_error)?;
        files::pause_upload(&state, &session.id, offset).await?;
        return Err(match error {
            AppError::PayloadTooLarge { .. } => too_much(),
            other => other,
        });
    }
    if staging.len() < size {
        let offset = staging.pause().await.map_err(store_error)?;
        files::pause_upload(&state, &session.id, offset).await?;
        return Ok(HttpResponse::NoContent().finish());
    }
    let staged = staging.finish().await.map_err(store_error)?;
    let info = files::complete_upload(&state, &actor, &session, staged).await?;
    Ok(HttpResponse::Created().json(info))
}

// ---------------------------------------------------------------------------------------
// Sending files

/// `Content-Disposition` with a plain fallback name and the exact UTF-8 name (RFC 6266).
fn disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' && c != '%' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The body: `length` bytes from `reader`, read a chunk at a time.
fn body_stream(
    reader: Box<dyn AsyncRead + Send + Unpin>,
    length: u64,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold(Some(reader.take(length)), |reader| async move {
        let mut reader = reader?;
        let mut buffer = BytesMut::with_capacity(READ_CHUNK);
        match reader.read_buf(&mut buffer).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buffer.freeze()), Some(reader))),
            Err(error) => Some((Err(error), None)),
        }
    })
}

/// A `Range: bytes=…` request for one range: (first, last) with either missing for
/// `a-` and `-n`. Anything else (several ranges, other units, bad syntax) is ignored and
/// the whole file is sent, as RFC 9110 allows.
fn parse_range(req: &HttpRequest) -> Option<(Option<u64>, Option<u64>)> {
    let value = req.headers().get(header::RANGE)?.to_str().ok()?;
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let parse = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else {
            s.parse().ok().map(Some)
        }
    };
    match (parse(first)?, parse(last)?) {
        (None, None) => None,
        (Some(a), Some(b)) if b < a => None,
        range => Some(range),
    }
}

fn file_headers(response: &mut actix_web::HttpResponseBuilder, mime: &str, disposition: String) {
    let mime = if mime.is_empty() {
        "application/octet-stream"
    } else {
        mime
    };
    response
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        // Sent as stored: compressing would cost CPU on media that does not shrink and
        // would lose the length that byte ranges rely on.
        .insert_header((header::CONTENT_ENCODING, "identity"));
}

/// Streams an uploaded file, honouring one byte range.
async fn send_file(
    state: &AppState,
    req: &HttpRequest,
    info: &FileInfo,
    force_download: bool,
) -> Result<HttpResponse, AppError> {
    let opened = state.files.open(&info.path, 0).await.map_err(store_error)?;
    let total = opened.len;
    let kind = if !force_download && files::shown_inline(&info.mime_type) {
        "inline"
    } else {
        "attachment"
    };
    let mut response = HttpResponse::build(StatusCode::OK);
    file_headers(
        &mut response,
        &info.mime_type,
        disposition(kind, &info.name),
    );
    response.insert_header((header::ACCEPT_RANGES, "bytes"));

    let (reader, length) = match parse_range(req) {
        None => (opened.reader, total),
        Some(range) => {
            let (first, last) = match range {
                (Some(first), last) => {
                    (first, last.unwrap_or(u64::MAX).min(total.saturating_sub(1)))
                }
                (None, Some(suffix)) => (total.saturating_sub(suffix), total.saturating_sub(1)),
                (None, None) => (0, total.saturating_sub(1)),
            };
            if first >= total || total == 0 {
                return Ok(HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{total}")))
                    .finish());
            }
            let reader = if first == 0 {
                opened.reader
            } else {
                drop(opened);
                state
                    .files
                    .open(&info.path, first)
                    .await
                    .map_err(store_error)?
                    .reader
            };
            response.status(StatusCode::PARTIAL_CONTENT).insert_header((
                header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{total}"),
            ));
            (reader, last - first + 1)
        }
    };
    Ok(response.body(SizedStream::new(length, body_stream(reader, length))))
}

/// Streams a thumbnail or preview (always JPEG, shown inline).
async fn send_image(
    state: &AppState,
    path: &str,
    name: &str,
    suffix: &str,
) -> Result<HttpResponse, AppError> {
    let opened = state.files.open(path, 0).await.map_err(store_error)?;
    let stem = name.rfind('.').map_or(name, |dot| &name[..dot]);
    let mut response = HttpResponse::Ok();
    file_headers(
        &mut response,
        "image/jpeg",
        disposition("inline", &format!("{stem}{suffix}")),
    );
    Ok(response.body(SizedStream::new(
        opened.len,
        body_stream(opened.reader, opened.len),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_quote_and_encode() {
        assert_eq!(
            disposition("attachment", "a b.txt"),
            "attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt"
        );
        assert_eq!(
            disposition("inline", "naïve \"x\".png"),
            "inline; filename=\"na_ve _x_.png\"; filename*=UTF-8''na%C3%AFve%20%22x%22.png"
        );
    }

    #[test]
    fn ranges() {
        let req = |value: &str| {
            actix_web::test::TestRequest::default()
                .insert_header((header::RANGE, value))
                .to_http_request()
        };
        assert_eq!(parse_range(&req("bytes=0-99")), Some((Some(0), Some(99))));
        assert_eq!(parse_range(&req("bytes=100-")), Some((Some(100), None)));
        assert_eq!(parse_range(&req("bytes=-500")), Some((None, Some(500))));
        assert_eq!(parse_range(&req("bytes=5-1")), None);
        assert_eq!(parse_range(&req("bytes=0-1,5-9")), None);
        assert_eq!(parse_range(&req("items=0-1")), None);
        assert_eq!(parse_range(&req("bytes=x-1")), None);
    }
}
