//! Files and attachments: who may upload and read, what names and types are accepted,
//! where bytes go in the file store, thumbnails and previews, attaching files to posts,
//! public links, file search and resumable uploads.
//!
//! The HTTP edge streams request bodies into a staging file (`crate::files::Staging`) and
//! hands the finished upload here; nothing in this module holds a whole file in memory.
//! Must not depend on actix types beyond the error it returns.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::app::Actor;
use crate::app::channels::{ChannelAccess, require_channel};
use crate::app::permissions::perm;
use crate::error::AppError;
use crate::files::{Staged, image};
use crate::model::{Channel, is_valid_id, new_id, now_millis};
use crate::state::AppState;
use crate::store::{FileInfo, FileSearch, StoreError, UploadSession};

/// Most files one post may carry (Mattermost's limit).
pub const MAX_FILES_PER_POST: usize = 10;
/// Most files one upload request may carry.
pub const MAX_FILES_PER_REQUEST: usize = 10;
/// Longest stored file name, in bytes: room for `_preview.jpg` within the 255 bytes most
/// file systems allow.
const MAX_NAME_BYTES: usize = 200;
/// Name given to a file whose name is empty once cleaned.
const FALLBACK_NAME: &str = "file";
/// The system value holding the secret behind public links.
const PUBLIC_LINK_SALT: &str = "PublicLinkSalt";

/// 404 for a file that does not exist, or no longer does (its post was deleted).
pub fn file_missing() -> AppError {
    AppError::Missing {
        id: "app.file_info.get.app_error",
        message: "Unable to find the file.".into(),
    }
}

fn file_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => file_missing(),
        other => other.into(),
    }
}

fn attachments_disabled() -> AppError {
    AppError::NotImplemented {
        id: "api.file.attachments.disabled.app_error",
        message: "File attachments have been disabled on this server.".into(),
    }
}

fn io_error(error: std::io::Error) -> AppError {
    AppError::Internal(format!("file store: {error}"))
}

/// 400 for `file_ids` a post may not carry.
pub fn not_attachable(detail: impl Into<String>) -> AppError {
    AppError::invalid(
        "api.post.create_post.invalid_file_ids.app_error",
        format!(
            "{} A post may attach only your own files, uploaded to its channel and not yet attached to another post.",
            detail.into()
        ),
    )
}

/// Mattermost's rule for mobile apps: a session from a phone or tablet.
fn is_mobile(actor: &Actor) -> bool {
    !actor.session.device_id.is_empty()
        || actor
            .session
            .props
            .get("is_mobile")
            .is_some_and(|v| v == "true")
}

/// Uploads are possible at all for this actor: `EnableFileAttachments`, and
/// `EnableMobileUpload` for the mobile apps.
pub fn require_uploads(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    let settings = &state.config().file_settings;
    if !settings.enable_file_attachments {
        return Err(attachments_disabled());
    }
    if !settings.enable_mobile_upload && is_mobile(actor) {
        return Err(AppError::Denied {
            id: "api.file.upload_file.mobile_disabled.app_error",
            message: "File uploads from mobile apps are disabled on this server.".into(),
        });
    }
    Ok(())
}

fn require_downloads(state: &AppState, actor: Option<&Actor>) -> Result<(), AppError> {
    let settings = &state.config().file_settings;
    if !settings.enable_file_attachments {
        return Err(attachments_disabled());
    }
    if !settings.enable_mobile_download && actor.is_some_and(is_mobile) {
        return Err(AppError::Denied {
            id: "api.file.get_file.mobile_disabled.app_error",
            message: "File downloads to mobile apps are disabled on this server.".into(),
        });
    }
    Ok(())
}

/// Largest file accepted, in bytes (`FileSettings.MaxFileSize`).
pub fn max_file_size(state: &AppState) -> u64 {
    state.config().file_settings.max_file_size
}

/// Where an upload goes: a channel the actor may upload to.
#[derive(Debug, Clone)]
pub struct UploadTarget {
    pub channel: Channel,
    pub user_id: String,
}

/// Checks the actor may upload to `channel_id` (`upload_file`, channel not archived).
pub async fn upload_target(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
) -> Result<UploadTarget, AppError> {
    require_uploads(state, actor)?;
    if !is_valid_id(channel_id) {
        return Err(AppError::InvalidBody {
            name: "channel_id",
            detail: "channel_id must be a channel id".into(),
        });
    }
    let ChannelAccess { channel, .. } =
        require_channel(state, actor, channel_id, perm::UPLOAD_FILE).await?;
    if channel.delete_at != 0 {
        return Err(AppError::invalid(
            "api.file.upload_file.archived_channel.app_error",
            "Files cannot be uploaded to an archived channel.",
        ));
    }
    Ok(UploadTarget {
        channel,
        user_id: actor.user.id.clone(),
    })
}

/// Characters that change how text is shown without being visible: bidirectional
/// overrides (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`), zero-width characters
/// and the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A safe file name from what a client sent: the last path segment only, without
/// control or invisible characters, surrounding spaces or trailing dots, never `.` or
/// `..`, and at most [`MAX_NAME_BYTES`] bytes (keeping the extension). Other Unicode is
/// kept as it is.
pub fn sanitize_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible(*c))
        .collect();
    let trimmed = cleaned.trim().trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        return FALLBACK_NAME.to_string();
    }
    if trimmed.len() <= MAX_NAME_BYTES {
        return trimmed.to_string();
    }
    let extension = extension_of(trimmed);
    let keep_extension = !extension.is_empty() && extension.len() < 32;
    let budget = if keep_extension {
        MAX_NAME_BYTES - extension.len() - 1
    } else {
        MAX_NAME_BYTES
    };
    let stem_end = if keep_extension {
        trimmed.len() - extension.len() - 1
    } else {
        trimmed.len()
    };
    let mut cut = budget.min(stem_end);
    while !trimmed.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = trimmed[..cut].trim_end();
    if keep_extension {
        format!("{stem}.{}", &trimmed[stem_end + 1..])
    } else {
        stem.to_string()
    }
}

/// The extension of a name, lower case and without the dot (`""` when there is none).
pub fn extension_of(name: &str) -> String {
    match name.rfind('.') {
        Some(dot) if dot + 1 < name.len() => name[dot + 1..].to_lowercase(),
        _ => String::new(),
    }
}

/// Cleans a client's file name and checks its extension against
/// `AllowedExtensions`/`DeniedExtensions`.
pub fn accept_name(state: &AppState, raw: &str) -> Result<String, AppError> {
    let name = sanitize_name(raw);
    let extension = extension_of(&name);
    let settings = &state.config().file_settings;
    let allowed = settings.allowed_extension_list();
    let refused = (!allowed.is_empty() && !allowed.contains(&extension))
        || settings.denied_extension_list().contains(&extension);
    if refused {
        let shown = if extension.is_empty() {
            "without an extension".to_string()
        } else {
            format!("with the extension .{extension}")
        };
        return Err(AppError::invalid(
            "api.file.upload_file.extension_not_allowed.app_error",
            format!("Files {shown} cannot be uploaded to this server."),
        ));
    }
    Ok(name)
}

/// Extensions whose files must really be images of a format Hearth reads.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "jpe", "jfif", "gif", "webp", "bmp"];

/// The MIME type of a file that is not a decodable image, from its extension.
pub fn mime_for_extension(extension: &str) -> &'static str {
    match extension {
        "txt" | "log" | "text" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "pdf" => "application/pdf",
        "rtf" => "application/rtf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "bz2" => "application/x-bzip2",
        "xz" => "application/x-xz",
        "7z" => "application/x-7z-compressed",
        "rar" => "application/vnd.rar",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" | "jfif" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "svg" => "image/svg+xml",
        "ico" => "image/vnd.microsoft.icon",
        "heic" => "image/heic",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" | "oga" => "audio/ogg",
        "flac" => "audio/flac",
        "m4a" => "audio/mp4",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "avi" => "video/avi",
        "mpeg" | "mpg" => "video/mpeg",
        "mkv" => "video/x-matroska",
        _ => "application/octet-stream",
    }
}

/// Whether a file of this type may be shown in the browser rather than downloaded
/// (Mattermost's media types, plus WebP, WebM and Ogg). Everything else, and anything
/// scriptable (HTML, SVG), is sent as an attachment.
pub fn shown_inline(mime_type: &str) -> bool {
    matches!(
        mime_type,
        "image/jpeg"
            | "image/png"
            | "image/bmp"
            | "image/gif"
            | "image/webp"
            | "image/tiff"
            | "video/avi"
            | "video/mpeg"
            | "video/mp4"
            | "video/webm"
            | "audio/mpeg"
            | "audio/wav"
            | "audio/ogg"
    )
}

/// `YYYYMMDD` (UTC) of a millisecond time.
fn date_folder(millis: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = millis.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}")
}

/// Mattermost's layout: `YYYYMMDD/teams/{team}/channels/{channel}/users/{user}/{file_id}`
/// (`noteam` for direct and group channels).
fn file_folder(now: i64, target: &UploadTarget, file_id: &str) -> String {
    let team = if target.channel.team_id.is_empty() {
        "noteam"
    } else {
        &target.channel.team_id
    };
    format!(
        "{}/teams/{team}/channels/{}/users/{}/{file_id}",
        date_folder(now),
        target.channel.id,
        target.user_id
    )
}

/// The whole of a small stored file (an emoji image, a team icon) of at most `max`
/// bytes; `None` when there is no such file. A larger file is an internal error: what is
/// stored under these paths was checked and shrunk before it was written.
pub async fn read_whole(
    state: &AppState,
    path: &str,
    max: u64,
) -> Result<Option<Vec<u8>>, AppError> {
    use tokio::io::AsyncReadExt;
    let opened = match state.files.open(path, 0).await {
        Ok(opened) => opened,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(AppError::Internal(format!("file store: {error}"))),
    };
    if opened.len > max {
        return Err(AppError::Internal(format!(
            "{path} is {} bytes, over {max}",
            opened.len
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len).unwrap_or(0));
    opened
        .reader
        .take(max)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| AppError::Internal(format!("file store: {e}")))?;
    Ok(Some(bytes))
}

/// Runs an image decode through the server's one bounded path ([`Files::decode`]):
/// a 503 with `Retry-After` when the decoders and their queue are full.
///
/// [`Files::decode`]: crate::files::Files::decode
pub async fn decode_image<T: Send + 'static>(
    state: &AppState,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    state
        .files
        .decode(job)
        .await
        .map_err(|refused| match refused {
            crate::files::DecodeRefused::Busy => AppError::Busy {
                id: "api.file.image_decoders_busy.app_error",
                message: "The server is busy processing other images. Please try again shortly."
                    .into(),
                retry_after_secs: 5,
            },
            crate::files::DecodeRefused::Failed => {
                AppError::Internal("image decoding stopped or failed".into())
            }
        })
}

/// Stores a finished upload: checks what it really is, makes thumbnail and preview for
/// images, moves the bytes into place and returns the FileInfo (not yet saved).
async fn place_upload(
    state: &AppState,
    target: &UploadTarget,
    name: &str,
    staged: Staged,
) -> Result<FileInfo, AppError> {
    let extension = extension_of(name);
    let claims_image = IMAGE_EXTENSIONS.contains(&extension.as_str());
    let sniffed = image::sniff(&staged.head);
    let max_pixels = state.config().file_settings.max_image_resolution;

    let processed = match sniffed {
        Some(format) => {
            let path = staged.path().to_owned();
            let outcome =
                decode_image(state, move || image::process(&path, format, max_pixels)).await?;
            match outcome {
                Ok(processed) => Some((format, processed)),
                Err(image::ImageProblem::TooLarge { width, height, max }) => {
                    return Err(AppError::invalid(
                        "api.file.upload_file.large_image_detailed.app_error",
                        format!(
                            "{name} could not be uploaded: the image is {width}×{height} pixels, more than the {max} pixels allowed."
                        ),
                    ));
                }
                // Its first bytes look like an image but the rest is not. Under an image
                // name that is a fake; under another name, just a file.
                Err(image::ImageProblem::Unreadable(why)) if claims_image => {
                    tracing::debug!(%why, "refused an unreadable image");
                    return Err(not_an_image(name));
                }
                Err(image::ImageProblem::Unreadable(_)) => None,
            }
        }
        None if claims_image => return Err(not_an_image(name)),
        None => None,
    };

    let now = now_millis();
    let id = new_id();
    let folder = file_folder(now, target, &id);
    let stem = name.rfind('.').map_or(name, |dot| &name[..dot]);
    let mut info = FileInfo {
        id,
        creator_id: target.user_id.clone(),
        channel_id: target.channel.id.clone(),
        create_at: now,
        update_at: now,
        path: format!("{folder}/{name}"),
        name: name.to_string(),
        extension: extension.clone(),
        size: i64::try_from(staged.size).unwrap_or(i64::MAX),
        mime_type: mime_for_extension(&extension).to_string(),
        ..FileInfo::default()
    };
    state
        .files
        .commit(staged.path(), &info.path)
        .await
        .map_err(io_error)?;
    if let Some((format, processed)) = processed {
        info.mime_type = image::mime_type(format).to_string();
        info.width = i64::from(processed.width);
        info.height = i64::from(processed.height);
        info.thumbnail_path = format!("{folder}/{stem}_thumb.jpg");
        info.preview_path = format!("{folder}/{stem}_preview.jpg");
        info.has_preview_image = true;
        info.mini_preview = Some(processed.mini_preview);
        let (thumb, preview) = tokio::join!(
            state.files.write(&info.thumbnail_path, processed.thumbnail),
            state.files.write(&info.preview_path, processed.preview),
        );
        thumb.and(preview).map_err(io_error)?;
    }
    Ok(info)
}

fn not_an_image(name: &str) -> AppError {
    AppError::invalid(
        "api.file.upload_file.not_an_image.app_error",
        format!(
            "{name} could not be uploaded: its name says it is an image, but its content is not a PNG, JPEG, GIF, WebP or BMP image."
        ),
    )
}

/// Stores a finished one-shot upload and records it (`POST /files`).
pub async fn save_upload(
    state: &AppState,
    target: &UploadTarget,
    name: &str,
    staged: Staged,
) -> Result<FileInfo, AppError> {
    let info = place_upload(state, target, name, staged).await?;
    state.store.save_file_info(&info).await?;
    Ok(info)
}

/// A file the actor may read: the uploader always; others once it is attached to a post
/// in a channel they may read. Deleted files are gone (404).
pub async fn readable_file(
    state: &AppState,
    actor: &Actor,
    file_id: &str,
) -> Result<FileInfo, AppError> {
    require_downloads(state, Some(actor))?;
    let info = state
        .store
        .get_file_info(file_id)
        .await
        .map_err(file_error)?;
    if info.delete_at != 0 {
        return Err(file_missing());
    }
    if info.creator_id == actor.user.id || actor.can(perm::MANAGE_SYSTEM) {
        return Ok(info);
    }
    if info.post_id.is_empty() {
        return Err(AppError::Forbidden);
    }
    require_channel(state, actor, &info.channel_id, perm::READ_CHANNEL_CONTENT).await?;
    Ok(info)
}

/// The files of a post the actor may read (`GET /posts/{id}/files/info`); deleted ones
/// too with `include_deleted`, for admins only.
pub async fn post_files(
    state: &AppState,
    actor: &Actor,
    post_id: &str,
    include_deleted: bool,
) -> Result<Vec<FileInfo>, AppError> {
    require_downloads(state, Some(actor))?;
    if include_deleted {
        actor.require(perm::MANAGE_SYSTEM)?;
        let post = state
            .store
            .get_post(post_id)
            .await
            .map_err(|_| crate::app::posts::post_missing())?;
        return Ok(state.store.file_infos_for_posts(&[post.id], true).await?);
    }
    let post = crate::app::posts::get_post(state, actor, post_id).await?;
    Ok(state.store.file_infos_for_posts(&[post.id], false).await?)
}

/// Checks the `file_ids` of a new post in `channel_id`: at most
/// [`MAX_FILES_PER_POST`], each the actor's own upload to that channel, not deleted and
/// not attached yet. Returns them without repeats, in the order given. The store checks
/// again when it attaches them, in the post's transaction.
///
/// A retried send (the same `pending_post_id`) finds its files attached to the post it
/// made the first time; that is fine, as the store then returns that post unchanged.
pub async fn attachable(
    state: &AppState,
    actor: &Actor,
    channel_id: &str,
    file_ids: &[String],
    pending_post_id: &str,
) -> Result<Vec<String>, AppError> {
    if file_ids.is_empty() {
        return Ok(Vec::new());
    }
    require_uploads(state, actor)?;
    let mut seen = BTreeSet::new();
    let ids: Vec<String> = file_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect();
    if ids.len() > MAX_FILES_PER_POST {
        return Err(AppError::invalid(
            "api.post.create_post.too_many_files.app_error",
            format!("A post may have at most {MAX_FILES_PER_POST} files."),
        ));
    }
    if let Some(bad) = ids.iter().find(|id| !is_valid_id(id)) {
        return Err(not_attachable(format!("{bad:?} is not a file id.")));
    }
    let found: BTreeMap<String, FileInfo> = state
        .store
        .get_file_infos(&ids)
        .await?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let mut retry_of: Option<String> = None;
    for id in &ids {
        let Some(file) = found.get(id).filter(|f| {
            f.creator_id == actor.user.id && f.channel_id == channel_id && f.delete_at == 0
        }) else {
            return Err(not_attachable(format!("File {id} cannot be attached.")));
        };
        if file.post_id.is_empty() {
            continue;
        }
        let is_retry =
            match &retry_of {
                Some(post_id) => *post_id == file.post_id,
                None if pending_post_id.is_empty() => false,
                None => state.store.get_post(&file.post_id).await.is_ok_and(|p| {
                    p.user_id == actor.user.id && p.pending_post_id == pending_post_id
                }),
            };
        if !is_retry {
            return Err(not_attachable(format!(
                "File {id} is already attached to a post."
            )));
        }
        retry_of = Some(file.post_id.clone());
    }
    Ok(ids)
}

/// The FileInfos of `posts`' attachments, for `metadata.files`, keyed by post id.
pub async fn files_by_post(
    state: &AppState,
    post_ids: &[String],
) -> Result<BTreeMap<String, Vec<FileInfo>>, AppError> {
    let mut by_post: BTreeMap<String, Vec<FileInfo>> = BTreeMap::new();
    for info in state.store.file_infos_for_posts(post_ids, false).await? {
        by_post.entry(info.post_id.clone()).or_default().push(info);
    }
    Ok(by_post)
}

// ---------------------------------------------------------------------------------------
// Public links

/// The installation's secret for public links, made at first use and kept in the
/// database (Mattermost keeps it in `FileSettings.PublicLinkSalt`).
async fn public_link_salt(state: &AppState) -> Result<String, AppError> {
    match state.store.get_system_value(PUBLIC_LINK_SALT).await {
        Ok(salt) => Ok(salt),
        Err(StoreError::NotFound) => {
            // Two random ids: about 240 random bits.
            let fresh = format!("{}{}", new_id(), new_id());
            Ok(state
                .store
                .init_system_value(PUBLIC_LINK_SALT, &fresh)
                .await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// HMAC-SHA1 (RFC 2104) of `message` under `key`.
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..20].copy_from_slice(&Sha1::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha1::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha1::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.into()
}

fn link_hash(salt: &str, file_id: &str) -> String {
    data_encoding::BASE64URL_NOPAD.encode(&hmac_sha1(salt.as_bytes(), file_id.as_bytes()))
}

fn public_links_disabled() -> AppError {
    AppError::NotImplemented {
        id: "api.file.get_public_link.disabled.app_error",
        message: "Public links have been disabled.".into(),
    }
}

/// A link anyone can open to download the file (`GET /files/{id}/link`), when
/// `EnablePublicLink` is on. Only files attached to a post have one. `site_url` is
/// `SiteURL`, or the address the request came to.
pub async fn public_link(
    state: &AppState,
    actor: &Actor,
    file_id: &str,
    site_url: &str,
) -> Result<String, AppError> {
    if !state.config().file_settings.enable_public_link {
        return Err(public_links_disabled());
    }
    let info = readable_file(state, actor, file_id).await?;
    if info.post_id.is_empty() {
        return Err(AppError::invalid(
            "api.file.get_file_link.no_post.app_error",
            "Unable to get a public link for a file that is not attached to a post.",
        ));
    }
    let hash = link_hash(&public_link_salt(state).await?, &info.id);
    Ok(format!("{site_url}/files/{}/public?h={hash}", info.id))
}

/// The file behind a public link (`GET /files/{id}/public?h=`), for anyone holding it.
pub async fn public_file(
    state: &AppState,
    file_id: &str,
    hash: &str,
) -> Result<FileInfo, AppError> {
    if !state.config().file_settings.enable_public_link {
        return Err(public_links_disabled());
    }
    require_downloads(state, None)?;
    let bad_link = || {
        AppError::invalid(
            "api.file.get_file.public_invalid.app_error",
            "The public link does not appear to be valid.",
        )
    };
    if !is_valid_id(file_id) || hash.is_empty() {
        return Err(bad_link());
    }
    let expected = link_hash(&public_link_salt(state).await?, file_id);
    // Compared without stopping at the first difference, so timing says nothing.
    let same = expected.len() == hash.len()
        && expected
            .bytes()
            .zip(hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(bad_link());
    }
    let info = state
        .store
        .get_file_info(file_id)
        .await
        .map_err(file_error)?;
    if info.delete_at != 0 || info.post_id.is_empty() {
        return Err(file_missing());
    }
    Ok(info)
}

// ---------------------------------------------------------------------------------------
// Search

/// `POST /teams/{id}/files/search`, as the clients send it (JSON).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub terms: String,
    pub is_or_search: bool,
    pub include_deleted_channels: bool,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The words of a search, with `"quoted phrases"` kept whole.
fn search_words(terms: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in terms.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Searches the names of files attached to posts in the channels the actor is a member
/// of: those of `team_id` and their direct and group channels, or with `None` those of
/// every team. Terms are name fragments; `from:username`, `in:channel-name`, `ext:pdf`
/// and `-excluded` narrow the search. Answers Mattermost's FileInfoList.
pub async fn search(
    state: &AppState,
    actor: &Actor,
    team_id: Option<&str>,
    params: &SearchParams,
) -> Result<Value, AppError> {
    require_downloads(state, Some(actor))?;
    if let Some(team_id) = team_id {
        crate::app::teams::require_team(state, actor, team_id, perm::VIEW_TEAM).await?;
    }
    let channels = state
        .store
        .list_user_channels(&actor.user.id, team_id, params.include_deleted_channels)
        .await?;
    let mut query = FileSearch {
        channel_ids: channels.iter().map(|c| c.id.clone()).collect(),
        any_term: params.is_or_search,
        ..FileSearch::default()
    };
    let mut nothing = false;
    for word in search_words(&params.terms) {
        let lower = word.to_lowercase();
        if let Some(username) = lower.strip_prefix("from:") {
            let username = username.trim_start_matches('@');
            match state.store.get_user_by_username(username).await {
                Ok(user) => query.user_ids.push(user.id),
                Err(StoreError::NotFound) => nothing = true,
                Err(other) => return Err(other.into()),
            }
        } else if let Some(name) = lower.strip_prefix("in:") {
            let name = name.trim_start_matches('~');
            match channels.iter().find(|c| c.name == name) {
                Some(channel) => query.channel_ids.retain(|id| *id == channel.id),
                None => nothing = true,
            }
        } else if let Some(extension) = lower.strip_prefix("ext:") {
            query
                .extensions
                .push(extension.trim_start_matches('.').to_string());
        } else if let Some(excluded) = word.strip_prefix('-').filter(|w| !w.is_empty()) {
            query
                .excluded
                .push(excluded.trim_end_matches('*').to_string());
        } else {
            let term = word.trim_end_matches('*');
            if !term.is_empty() {
                query.terms.push(term.to_string());
            }
        }
    }
    let per_page = params.per_page.unwrap_or(60).clamp(1, 200);
    query.limit = per_page;
    query.offset = params
        .page
        .unwrap_or(0)
        .min(10_000)
        .saturating_mul(per_page);
    let found = if nothing {
        Vec::new()
    } else {
        state.store.search_file_infos(&query).await?
    };
    let order: Vec<&String> = found.iter().map(|f| &f.id).collect();
    let infos: BTreeMap<&String, &FileInfo> = found.iter().map(|f| (&f.id, f)).collect();
    Ok(json!({
        "order": order,
        "file_infos": infos,
        "next_file_id": "",
        "prev_file_id": "",
        "first_inaccessible_file_time": 0,
    }))
}

// ---------------------------------------------------------------------------------------
// Resumable uploads

/// `POST /uploads`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUpload {
    pub channel_id: String,
    pub filename: String,
    pub file_size: i64,
}

fn upload_missing() -> AppError {
    AppError::Missing {
        id: "app.upload.get.app_error",
        message: "Unable to find the upload.".into(),
    }
}

/// Starts a resumable upload: same rules as a one-shot upload, checked up front.
pub async fn create_upload(
    state: &AppState,
    actor: &Actor,
    input: NewUpload,
) -> Result<UploadSession, AppError> {
    let target = upload_target(state, actor, &input.channel_id).await?;
    let name = accept_name(state, &input.filename)?;
    let limit = max_file_size(state);
    let size = u64::try_from(input.file_size).map_err(|_| AppError::InvalidBody {
        name: "file_size",
        detail: "file_size must be a number of bytes".into(),
    })?;
    if size == 0 {
        return Err(AppError::InvalidBody {
            name: "file_size",
            detail: "file_size must be greater than 0".into(),
        });
    }
    if size > limit {
        return Err(AppError::PayloadTooLarge { limit });
    }
    let session = UploadSession {
        id: new_id(),
        kind: "attachment".into(),
        create_at: now_millis(),
        user_id: target.user_id,
        channel_id: target.channel.id,
        filename: name,
        file_size: input.file_size,
        file_offset: 0,
    };
    state.store.create_upload_session(&session).await?;
    Ok(session)
}

/// An upload session of the actor's (404 when there is none, 403 when it is someone
/// else's).
pub async fn own_upload(
    state: &AppState,
    actor: &Actor,
    upload_id: &str,
) -> Result<UploadSession, AppError> {
    let session = state
        .store
        .get_upload_session(upload_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => upload_missing(),
            other => other.into(),
        })?;
    if session.user_id != actor.user.id {
        return Err(AppError::Forbidden);
    }
    Ok(session)
}

/// Records the bytes a request added to an unfinished upload.
pub async fn pause_upload(state: &AppState, id: &str, offset: u64) -> Result<(), AppError> {
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    Ok(state.store.set_upload_offset(id, offset).await?)
}

/// Finishes a resumable upload whose bytes are all in: the same checks as a one-shot
/// upload (permission again, type, image size), then the FileInfo replaces the session.
/// A refused upload starts again from zero.
pub async fn complete_upload(
    state: &AppState,
    actor: &Actor,
    session: &UploadSession,
    staged: Staged,
) -> Result<FileInfo, AppError> {
    let placed = async {
        let target = upload_target(state, actor, &session.channel_id).await?;
        place_upload(state, &target, &session.filename, staged).await
    }
    .await;
    let info = match placed {
        Ok(info) => info,
        Err(error) => {
            pause_upload(state, &session.id, 0).await?;
            return Err(error);
        }
    };
    state
        .store
        .complete_upload_session(&session.id, &info)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => upload_missing(),
            other => other.into(),
        })?;
    Ok(info)
}

/// `GET /users/{id}/uploads`: the caller's own unfinished resumable uploads (Mattermost
/// lets nobody else see them).
pub async fn list_uploads(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<Vec<UploadSession>, AppError> {
    if actor.user.id != user_id {
        return Err(AppError::Forbidden);
    }
    Ok(state.store.list_upload_sessions(user_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(sanitize_name("report.pdf"), "report.pdf");
        assert_eq!(sanitize_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_name("C:\\Users\\me\\cv.docx"), "cv.docx");
        assert_eq!(sanitize_name(".."), FALLBACK_NAME);
        assert_eq!(sanitize_name("."), FALLBACK_NAME);
        assert_eq!(sanitize_name("dir/"), FALLBACK_NAME);
        assert_eq!(sanitize_name("  a\u{0}b\nc\u{7f}.txt  "), "abc.txt");
        assert_eq!(sanitize_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(sanitize_name("trailing. . ."), "trailing");
        assert_eq!(
            sanitize_name("日本語のファイル.txt"),
            "日本語のファイル.txt"
        );
        assert_eq!(sanitize_name(".bashrc"), ".bashrc");

        let long = format!("{}.tar.gz", "é".repeat(300));
        let cut = sanitize_name(&long);
        assert!(cut.len() <= MAX_NAME_BYTES, "{}", cut.len());
        assert!(cut.ends_with("é.gz"), "{cut}");
        let no_ext = "x".repeat(500);
        assert_eq!(sanitize_name(&no_ext).len(), MAX_NAME_BYTES);
    }

    #[test]
    fn extensions_and_types() {
        assert_eq!(extension_of("a.TXT"), "txt");
        assert_eq!(extension_of("archive.tar.gz"), "gz");
        assert_eq!(extension_of("README"), "");
        assert_eq!(extension_of("dot."), "");
        assert_eq!(mime_for_extension("pdf"), "application/pdf");
        assert_eq!(mime_for_extension("exe"), "application/octet-stream");
        assert!(shown_inline("image/png"));
        assert!(!shown_inline("image/svg+xml"));
        assert!(!shown_inline("text/html"));
        assert!(!shown_inline("application/pdf"));
    }

    #[test]
    fn date_folders() {
        assert_eq!(date_folder(0), "19700101");
        // 2024-02-29T23:59:59.999Z
        assert_eq!(date_folder(1_709_251_199_999), "20240229");
        assert_eq!(date_folder(1_709_251_200_000), "20240301");
    }

    #[test]
    fn hmac_matches_rfc_2202() {
        let digest = hmac_sha1(&[0x0b; 20], b"Hi There");
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "b617318655057264e28bc0b6fb378c8ef146be00");
        let long_key = hmac_sha1(
            &[0xaa; 80],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        let hex: String = long_key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }

    #[test]
    fn search_words_keep_phrases() {
        assert_eq!(
            search_words(r#"ext:pdf "annual report" -draft from:bob"#),
            ["ext:pdf", "annual report", "-draft", "from:bob"]
        );
    }
}
