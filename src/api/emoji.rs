//! The `emoji` group: custom emoji (create with an image, read, list, search, autocomplete,
//! the image itself, delete).
//!
//! `POST /emoji` reads its multipart body as a stream, so the JSON body limit does not
//! apply; the image is collected in memory only up to the emoji limit (512 KiB at most),
//! and the whole form may be only a little larger.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;

use super::auth::Auth;
use super::extract::Json;
use super::{Paging, ok, resource};
use crate::app::emoji;
use crate::error::AppError;
use crate::model::is_valid_id;
use crate::state::AppState;

/// Room for the `emoji` field, headers and boundaries around the image.
const FORM_OVERHEAD: u64 = 16 * 1024;
/// Most fields read from one form.
const MAX_FIELDS: usize = 16;
/// Emoji images do not change: browsers may keep them (privately) a month, as Mattermost
/// lets them.
const CACHE_CONTROL: &str = "max-age=2592000, private";

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The fixed paths come before `/emoji/{emoji_id}`, which would take them otherwise.
    cfg.service(
        resource("/emoji")
            .route(web::post().to(create))
            .route(web::get().to(list)),
    )
    .service(resource("/emoji/names").route(web::post().to(by_names)))
    .service(resource("/emoji/search").route(web::post().to(search)))
    .service(resource("/emoji/autocomplete").route(web::get().to(autocomplete)))
    .service(resource("/emoji/name/{emoji_name}").route(web::get().to(by_name)))
    .service(
        resource("/emoji/{emoji_id}")
            .route(web::get().to(get))
            .route(web::delete().to(delete)),
    )
    .service(resource("/emoji/{emoji_id}/image").route(web::get().to(image)));
}

fn emoji_id(id: &str) -> Result<&str, AppError> {
    if is_valid_id(id) {
        Ok(id)
    } else {
        Err(AppError::InvalidParam { name: "emoji_id" })
    }
}

fn bad_form(detail: impl std::fmt::Display) -> AppError {
    AppError::invalid(
        "api.emoji.create.parse.app_error",
        format!("Unable to create emoji. The multipart form could not be read: {detail}"),
    )
}

/// `POST /emoji`: a multipart form with `emoji` (JSON: `name`, `creator_id`) and `image`.
async fn create(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    req: HttpRequest,
    mut form: Multipart,
) -> Result<HttpResponse, AppError> {
    emoji::require_create(&state, &actor)?;
    let limit = emoji::max_image_bytes(&state);
    let most = limit.saturating_add(FORM_OVERHEAD);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > most) {
        return Err(emoji::image_too_large(limit));
    }

    let mut new_emoji: Option<String> = None;
    let mut image: Option<Vec<u8>> = None;
    let mut received: u64 = 0;
    let mut fields = 0;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad_form)?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(bad_form("too many fields"));
        }
        let name = field.name().map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad_form)?;
            received += chunk.len() as u64;
            if received > most {
                return Err(emoji::image_too_large(limit));
            }
            // Other fields are read and dropped, as Mattermost ignores them.
            if matches!(name.as_deref(), Some("emoji" | "image")) {
                bytes.extend_from_slice(&chunk);
            }
        }
        match name.as_deref() {
            Some("emoji") if new_emoji.is_none() => {
                new_emoji = Some(String::from_utf8(bytes).map_err(|_| AppError::InvalidBody {
                    name: "emoji",
                    detail: "the emoji field is not UTF-8 text".into(),
                })?);
            }
            Some("image") if image.is_none() => {
                if bytes.len() as u64 > limit {
                    return Err(emoji::image_too_large(limit));
                }
                image = Some(bytes);
            }
            _ => {}
        }
    }
    let new_emoji = emoji::parse_new_emoji(&new_emoji.ok_or(AppError::InvalidBody {
        name: "emoji",
        detail: "the form has no emoji field".into(),
    })?)?;
    let image = image.ok_or(AppError::InvalidBody {
        name: "image",
        detail: "the form has no image file".into(),
    })?;
    let created = emoji::create(&state, &actor, new_emoji, image).await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    sort: Option<String>,
}

/// `GET /emoji?page=&per_page=&sort=`: oldest first, or by name with `sort=name`.
async fn list(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    emoji::require_enabled(&state)?;
    let by_name = match query.sort.as_deref() {
        None | Some("") => false,
        Some("name") => true,
        Some(_) => return Err(AppError::InvalidParam { name: "sort" }),
    };
    let paging = Paging::new(query.page, query.per_page);
    let list = emoji::list(&state, by_name, paging.offset(), paging.per_page).await?;
    Ok(HttpResponse::Ok().json(list))
}

async fn get(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = emoji_id(&path)?;
    Ok(HttpResponse::Ok().json(emoji::get(&state, id).await?))
}

async fn by_name(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !emoji::is_name_shaped(&path) {
        return Err(AppError::InvalidParam { name: "emoji_name" });
    }
    Ok(HttpResponse::Ok().json(emoji::get_by_name(&state, &path).await?))
}

/// `POST /emoji/names`: a JSON array of names; the custom emoji among them.
async fn by_names(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    body: Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let names = body.into_inner();
    if names.is_empty() {
        return Err(AppError::InvalidBody {
            name: "names",
            detail: "give at least one emoji name".into(),
        });
    }
    Ok(HttpResponse::Ok().json(emoji::get_by_names(&state, names).await?))
}

/// `POST /emoji/search`: `{"term", "prefix_only"}` (a boolean, or `"true"` as the
/// OpenAPI description has it).
async fn search(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    body: Json<Value>,
) -> Result<HttpResponse, AppError> {
    let term = body
        .get("term")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::InvalidBody {
            name: "term",
            detail: "term must be a non-empty string".into(),
        })?;
    let prefix_only = match body.get("prefix_only") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.is_empty() || s == "false" => false,
        Some(Value::String(s)) if s == "true" => true,
        Some(_) => {
            return Err(AppError::InvalidBody {
                name: "prefix_only",
                detail: "prefix_only must be true or false".into(),
            });
        }
    };
    let found = emoji::search(&state, term, prefix_only, emoji::SEARCH_LIMIT).await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AutocompleteQuery {
    name: Option<String>,
}

/// `GET /emoji/autocomplete?name=`: emoji whose names start with `name`.
async fn autocomplete(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    query: web::Query<AutocompleteQuery>,
) -> Result<HttpResponse, AppError> {
    let name = query
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or(AppError::InvalidParam { name: "name" })?;
    let found = emoji::search(&state, name, true, emoji::AUTOCOMPLETE_LIMIT).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn delete(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = emoji_id(&path)?;
    emoji::delete(&state, &actor, id).await?;
    // Mattermost's server answers `{"status": "OK"}` (its API description says the Emoji).
    Ok(ok())
}

async fn image(
    state: web::Data<AppState>,
    Auth(_actor): Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = emoji_id(&path)?;
    let (bytes, mime) = emoji::image(&state, id).await?;
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}
