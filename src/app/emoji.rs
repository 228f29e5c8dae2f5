//! Custom emoji: who may add and delete them, the name rules, the image checks, and where
//! the image goes (the file store, at Mattermost's `emoji/{id}/image`).
//!
//! An emoji's image is written (durably) before the row that names it, and removed again
//! if the row cannot be saved, so no emoji ever lacks its image. Deleting an emoji marks
//! its row deleted and keeps the image, as deleting a post keeps its files.
//! Must not depend on actix types beyond the error it returns.

use std::io::Cursor;

use image::{ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::app::Actor;
use crate::app::permissions::perm;
use crate::error::AppError;
use crate::files::image as images;
use crate::model::{Emoji, new_id, now_millis};
use crate::state::AppState;
use crate::store::StoreError;

/// Largest emoji image, in bytes (Mattermost's `MaxEmojiFileSize`, 512 KiB);
/// `FileSettings.MaxFileSize` lowers it further when smaller.
pub const MAX_IMAGE_BYTES: u64 = 512 * 1024;
/// Widest and tallest emoji image accepted, in pixels (Mattermost's
/// `MaxEmojiOriginalWidth`/`Height`).
pub const MAX_IMAGE_SIDE: u32 = 1028;
/// Widest and tallest emoji image stored (Mattermost's `MaxEmojiWidth`/`Height`): larger
/// ones are scaled down to fit, keeping their proportions (and a GIF its frames).
pub const STORED_SIDE: u32 = 128;
/// Longest emoji name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Most names `POST /emoji/names` takes at once.
pub const MAX_NAMES: usize = 200;
/// Most results of `POST /emoji/search`.
pub const SEARCH_LIMIT: u32 = 200;
/// Most results of `GET /emoji/autocomplete`.
pub const AUTOCOMPLETE_LIMIT: u32 = 100;

/// Names of common built-in emoji, which custom emoji may not take. Mattermost knows
/// several thousand; this is the set Hearth's web client shows (sorted, for a binary
/// search), so a custom emoji can never hide one of those. It is not exhaustive.
#[rustfmt::skip]
const SYSTEM_EMOJI: &[&str] = &[
    "+1", "-1", "100", "airplane", "alarm_clock", "alien", "angry", "apple", "arrow_down",
    "arrow_left", "arrow_right", "arrow_up", "arrows_counterclockwise", "art", "astonished",
    "avocado", "balloon", "banana", "bangbang", "bar_chart", "basketball", "bear", "bee",
    "beer", "beers", "beetle", "bell", "bike", "bird", "birthday", "black_circle",
    "black_heart", "blue_heart", "blush", "book", "bookmark", "books", "boom", "bow", "brain",
    "broken_heart", "bug", "bulb", "butterfly", "cactus", "cake", "calendar", "call_me_hand",
    "camera", "car", "cat", "chart_with_downwards_trend", "chart_with_upwards_trend",
    "checkered_flag", "chicken", "clap", "clipboard", "clock1", "cloud", "coffee",
    "cold_sweat", "collision", "computer", "confetti_ball", "confounded", "confused",
    "construction", "cookie", "copyright", "cow", "crab", "crossed_fingers", "crown", "cry",
    "dart", "dash", "date", "deciduous_tree", "disappointed", "dog", "dollar", "dolphin",
    "doughnut", "dragon", "earth_africa", "email", "envelope", "evergreen_tree", "exclamation",
    "exploding_head", "expressionless", "eyes", "face_with_rolling_eyes", "facepalm",
    "fallen_leaf", "fearful", "file_folder", "fire", "fish", "fist", "flushed", "football",
    "four_leaf_clover", "fox_face", "fries", "frog", "game_die", "gear", "gem", "ghost",
    "gift", "globe_with_meridians", "green_circle", "green_heart", "grinning", "guitar",
    "hamburger", "hammer", "hand", "handshake", "hankey", "headphones", "hear_no_evil",
    "heart", "heart_eyes", "heavy_check_mark", "heavy_minus_sign", "heavy_plus_sign", "herb",
    "honeybee", "hourglass", "house", "hugging_face", "hugs", "hushed", "inbox_tray",
    "infinity", "information_source", "innocent", "iphone", "joy", "key", "keyboard",
    "kissing_heart", "koala", "large_blue_circle", "laughing", "link", "lion", "lock",
    "loudspeaker", "mag", "man_shrugging", "maple_leaf", "mask", "medal", "mega", "memo",
    "metal", "microphone", "moneybag", "monkey", "monocle_face", "mouse", "movie_camera",
    "muscle", "musical_note", "nerd_face", "neutral_face", "no_bell", "no_entry", "no_mouth",
    "notes", "ocean", "octopus", "office", "ok_hand", "ok_woman", "open_mouth", "orange_heart",
    "outbox_tray", "owl", "package", "panda_face", "paperclip", "partying_face", "pencil",
    "pencil2", "penguin", "pensive", "persevere", "phone", "pig", "pizza", "point_down",
    "point_left", "point_right", "point_up", "poop", "popcorn", "pray", "punch",
    "purple_heart", "pushpin", "question", "rabbit", "rage", "rainbow", "raised_hand",
    "raised_hands", "raising_hand", "recycle", "red_circle", "registered", "relaxed", "ring",
    "robot", "rocket", "rofl", "rolling_eyes", "rose", "round_pushpin", "satisfied", "scream",
    "see_no_evil", "seedling", "ship", "shrug", "shushing_face", "skull", "sleeping", "sleepy",
    "slightly_frowning_face", "slightly_smiling_face", "smile", "smiley",
    "smiling_face_with_tear", "smirk", "snail", "snake", "snowflake", "sob", "soccer",
    "sparkles", "sparkling_heart", "speak_no_evil", "speech_balloon", "star", "star2",
    "star_struck", "stop_sign", "stopwatch", "stuck_out_tongue",
    "stuck_out_tongue_winking_eye", "sun_with_face", "sunflower", "sunglasses", "sunny",
    "sweat_drops", "sweat_smile", "taco", "tada", "tea", "tennis", "thinking", "thinking_face",
    "thought_balloon", "thumbsdown", "thumbsup", "tiger", "tired_face", "tm", "train",
    "triumph", "trophy", "tulip", "turtle", "tv", "two_hearts", "umbrella", "unamused",
    "unicorn", "unlock", "upside_down_face", "v", "video_game", "warning", "wave", "weary",
    "whale", "white_check_mark", "white_circle", "wine_glass", "wink", "woman_shrugging",
    "worried", "wrench", "writing_hand", "x", "yawning_face", "yellow_heart", "yum", "zap",
    "zipper_mouth_face", "zzz",
];

/// Whether `name` is one of the built-in emoji Hearth knows.
pub fn is_system_emoji(name: &str) -> bool {
    SYSTEM_EMOJI.binary_search(&name).is_ok()
}

/// The characters of a custom emoji name: lower-case ASCII letters, digits, `-`, `_`, `+`.
/// (Mattermost also allows capitals; Hearth does not, because reactions, which name
/// emoji, accept only lower case.)
fn name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '+')
}

/// Checks the name of a new emoji: 1–64 allowed characters, not a built-in emoji.
pub fn check_name(name: &str) -> Result<(), AppError> {
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.chars().all(name_char) {
        return Err(AppError::invalid(
            "model.emoji.name.app_error",
            format!(
                "Name must be 1 to {MAX_NAME_LEN} lower-case letters, digits, '-', '_' or '+'."
            ),
        ));
    }
    if is_system_emoji(name) {
        return Err(AppError::invalid(
            "model.emoji.system_emoji_name.app_error",
            "Name conflicts with an existing system emoji name.",
        ));
    }
    Ok(())
}

/// Whether `name` could name an emoji in a URL (`GET /emoji/name/{name}`): Mattermost's
/// wider rule, capitals included.
pub fn is_name_shaped(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
}

fn disabled() -> AppError {
    AppError::NotImplemented {
        id: "api.emoji.disabled.app_error",
        message: "Custom emoji have been disabled by the system admin.".into(),
    }
}

/// `ServiceSettings.EnableCustomEmoji`: every emoji endpoint answers 501 when it is off.
pub fn require_enabled(state: &AppState) -> Result<(), AppError> {
    if state.config().service_settings.enable_custom_emoji {
        Ok(())
    } else {
        Err(disabled())
    }
}

/// Largest image accepted now: [`MAX_IMAGE_BYTES`], or `FileSettings.MaxFileSize` when
/// that is smaller.
pub fn max_image_bytes(state: &AppState) -> u64 {
    MAX_IMAGE_BYTES.min(state.config().file_settings.max_file_size)
}

/// 413 for an image over [`max_image_bytes`].
pub fn image_too_large(limit: u64) -> AppError {
    AppError::TooLarge {
        id: "api.emoji.create.too_large.app_error",
        message: if limit.is_multiple_of(1024) {
            format!(
                "Unable to create emoji. The image must be at most {} KiB.",
                limit / 1024
            )
        } else {
            format!("Unable to create emoji. The image must be at most {limit} bytes.")
        },
    }
}

/// Checks, before the body is read, that the actor may add emoji at all: the feature is
/// on and their roles grant `create_emojis`.
pub fn require_create(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    require_enabled(state)?;
    actor.require(perm::CREATE_EMOJIS)
}

fn emoji_missing() -> AppError {
    AppError::Missing {
        id: "app.emoji.get.no_result",
        message: "Unable to find the emoji.".into(),
    }
}

fn emoji_error(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => emoji_missing(),
        other => other.into(),
    }
}

fn duplicate() -> AppError {
    AppError::invalid(
        "api.emoji.create.duplicate.app_error",
        "Unable to create emoji. Another emoji with the same name already exists.",
    )
}

/// The `emoji` form field of `POST /emoji`: `{"name", "creator_id"}`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewEmoji {
    pub name: String,
    pub creator_id: String,
}

/// Reads the `emoji` form field; anything but a JSON object is a 400.
pub fn parse_new_emoji(text: &str) -> Result<NewEmoji, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::InvalidBody {
        name: "emoji",
        detail: format!("the emoji field must be a JSON object with name and creator_id: {e}"),
    })
}

/// The format of an emoji image, from its header: a PNG, JPEG, GIF or WebP of at most
/// [`MAX_IMAGE_SIDE`] pixels a side. Only the header is decoded (with a small allocation
/// limit), so this is cheap whatever the bytes claim.
fn check_image(bytes: &[u8]) -> Result<(ImageFormat, u32, u32), AppError> {
    let not_an_image = || {
        AppError::invalid(
            "api.emoji.upload.image.app_error",
            "Unable to create emoji. The file must be a PNG, JPEG, GIF or WebP image.",
        )
    };
    let format = match images::sniff(bytes) {
        Some(
            format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP),
        ) => format,
        _ => return Err(not_an_image()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // Headers need little; pixels are never decoded here.
    limits.max_alloc = Some(4 * 1024 * 1024);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|_| not_an_image())?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(not_an_image());
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(AppError::invalid(
            "api.emoji.upload.large_image.too_large.app_error",
            format!(
                "Unable to create emoji. The image is {width}×{height} pixels; it must be at most {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE}."
            ),
        ));
    }
    Ok((format, width, height))
}

/// The image to store: as uploaded when it fits in [`STORED_SIDE`] pixels a side,
/// otherwise scaled down to fit (a GIF frame by frame, still animated; anything else as
/// a PNG). Decoding is bounded by the size [`check_image`] allowed.
fn fit_image(
    bytes: Vec<u8>,
    format: ImageFormat,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, AppError> {
    if width <= STORED_SIDE && height <= STORED_SIDE {
        return Ok(bytes);
    }
    let not_an_image = || {
        AppError::invalid(
            "api.emoji.upload.image.app_error",
            "Unable to create emoji. The image could not be read.",
        )
    };
    let (new_width, new_height) = fitted(width, height);
    let mut limits = Limits::default();
    limits.max_alloc = Some(u64::from(MAX_IMAGE_SIDE) * u64::from(MAX_IMAGE_SIDE) * 8);
    let mut out = Vec::new();
    if format == ImageFormat::Gif {
        use image::AnimationDecoder;
        use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
        let mut decoder = GifDecoder::new(Cursor::new(&bytes)).map_err(|_| not_an_image())?;
        decoder.set_limits(limits).map_err(|_| not_an_image())?;
        let mut encoder = GifEncoder::new(&mut out);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(|_| not_an_image())?;
        for frame in decoder.into_frames() {
            let frame = frame.map_err(|_| not_an_image())?;
            let delay = frame.delay();
            let scaled = image::imageops::resize(
                frame.buffer(),
                new_width,
                new_height,
                image::imageops::FilterType::Triangle,
            );
            encoder
                .encode_frame(image::Frame::from_parts(scaled, 0, 0, delay))
                .map_err(|_| not_an_image())?;
        }
        drop(encoder);
    } else {
        let max_pixels = u64::from(MAX_IMAGE_SIDE) * u64::from(MAX_IMAGE_SIDE);
        let (decoder, _, _) = images::open_decoder(Cursor::new(&bytes), format, max_pixels)
            .map_err(|_| not_an_image())?;
        let image = image::DynamicImage::from_decoder(decoder).map_err(|_| not_an_image())?;
        let scaled =
            image.resize_exact(new_width, new_height, image::imageops::FilterType::Lanczos3);
        scaled
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .map_err(|_| not_an_image())?;
    }
    Ok(out)
}

/// The size within [`STORED_SIDE`] pixels a side with the proportions of `width`×`height`.
fn fitted(width: u32, height: u32) -> (u32, u32) {
    let scale = |side: u32, other: u32| {
        u32::try_from(u64::from(side) * u64::from(STORED_SIDE) / u64::from(other))
            .unwrap_or(STORED_SIDE)
            .max(1)
    };
    if width >= height {
        (STORED_SIDE, scale(height, width))
    } else {
        (scale(width, height), STORED_SIDE)
    }
}

/// Where an emoji's image lives in the file store (Mattermost's layout).
fn image_path(id: &str) -> String {
    format!("emoji/{id}/image")
}

/// Adds a custom emoji (`require_create` already passed) with its image, and announces
/// it (`emoji_added`, through the change feed).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: NewEmoji,
    image: Vec<u8>,
) -> Result<Emoji, AppError> {
    require_create(state, actor)?;
    check_name(&new.name)?;
    if new.creator_id != actor.user.id {
        return Err(AppError::Denied {
            id: "api.emoji.create.other_user.app_error",
            message: "Unable to create emoji: creator_id must be your own user id.".into(),
        });
    }
    match state.store.get_emoji_by_name(&new.name).await {
        Ok(_) => return Err(duplicate()),
        Err(StoreError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    let limit = max_image_bytes(state);
    if image.len() as u64 > limit {
        return Err(image_too_large(limit));
    }
    let image = crate::app::files::decode_image(state, move || {
        let (format, width, height) = check_image(&image)?;
        fit_image(image, format, width, height)
    })
    .await??;

    let now = now_millis();
    let emoji = Emoji {
        id: new_id(),
        create_at: now,
        update_at: now,
        delete_at: 0,
        creator_id: actor.user.id.clone(),
        name: new.name,
    };
    let path = image_path(&emoji.id);
    if let Err(error) = state.files.write(&path, image).await {
        let _ = state.files.remove(&path).await;
        return Err(AppError::Internal(format!("file store: {error}")));
    }
    match state.store.create_emoji(&emoji).await {
        Ok(saved) => Ok(saved),
        Err(error) => {
            // No row names the image: take it away again.
            if let Err(cleanup) = state.files.remove(&path).await {
                tracing::warn!(path, error = %cleanup, "could not remove an unused emoji image");
            }
            Err(match error {
                // Another request took the name since the check above.
                StoreError::Conflict(_) => duplicate(),
                other => other.into(),
            })
        }
    }
}

/// One emoji by id (`emoji_id` already checked by the caller).
pub async fn get(state: &AppState, id: &str) -> Result<Emoji, AppError> {
    require_enabled(state)?;
    state.store.get_emoji(id).await.map_err(emoji_error)
}

/// One emoji by name.
pub async fn get_by_name(state: &AppState, name: &str) -> Result<Emoji, AppError> {
    require_enabled(state)?;
    state
        .store
        .get_emoji_by_name(name)
        .await
        .map_err(|error| match error {
            StoreError::NotFound => AppError::Missing {
                id: "app.emoji.get_by_name.no_result",
                message: "Unable to find the emoji.".into(),
            },
            other => other.into(),
        })
}

/// The custom emoji among `names` (built-in and unknown names are left out).
pub async fn get_by_names(state: &AppState, names: Vec<String>) -> Result<Vec<Emoji>, AppError> {
    require_enabled(state)?;
    if names.len() > MAX_NAMES {
        return Err(AppError::invalid(
            "api.emoji.get_multiple_by_name_too_many.request_error",
            format!("Unable to get that many emoji by name: at most {MAX_NAMES} at once."),
        ));
    }
    let mut names: Vec<String> = names
        .into_iter()
        .filter(|n| is_name_shaped(n) && !is_system_emoji(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    Ok(state.store.get_emojis_by_names(&names).await?)
}

/// A page of emoji, by name or oldest first.
pub async fn list(
    state: &AppState,
    by_name: bool,
    offset: u32,
    limit: u32,
) -> Result<Vec<Emoji>, AppError> {
    require_enabled(state)?;
    Ok(state.store.list_emoji(by_name, offset, limit).await?)
}

/// Emoji whose names start with (or contain) `term`, case ignored, by name.
pub async fn search(
    state: &AppState,
    term: &str,
    prefix_only: bool,
    limit: u32,
) -> Result<Vec<Emoji>, AppError> {
    require_enabled(state)?;
    let term = term.trim().trim_matches(':').to_ascii_lowercase();
    if term.is_empty() || term.len() > MAX_NAME_LEN {
        return Ok(Vec::new());
    }
    Ok(state.store.search_emoji(&term, prefix_only, limit).await?)
}

/// Deletes an emoji: with `delete_emojis`, one's own; with `delete_others_emojis` too,
/// anyone's. The image stays in the file store.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<Emoji, AppError> {
    require_enabled(state)?;
    let emoji = state.store.get_emoji(id).await.map_err(emoji_error)?;
    actor.require(perm::DELETE_EMOJIS)?;
    if emoji.creator_id != actor.user.id {
        actor.require(perm::DELETE_OTHERS_EMOJIS)?;
    }
    state
        .store
        .delete_emoji(id, now_millis())
        .await
        .map_err(emoji_error)
}

/// Most bytes read back for an image: more than any limit an image was accepted under.
const MAX_STORED_IMAGE: u64 = 8 * 1024 * 1024;

/// An emoji's image and its MIME type.
pub async fn image(state: &AppState, id: &str) -> Result<(Vec<u8>, &'static str), AppError> {
    require_enabled(state)?;
    state.store.get_emoji(id).await.map_err(emoji_error)?;
    let unreadable = || AppError::Missing {
        id: "api.emoji.get_image.read.app_error",
        message: "Unable to read the image file of the emoji.".into(),
    };
    let bytes = crate::app::files::read_whole(state, &image_path(id), MAX_STORED_IMAGE)
        .await?
        .ok_or_else(unreadable)?;
    let mime = images::sniff(&bytes)
        .map(images::mime_type)
        .ok_or_else(|| AppError::Internal(format!("emoji image {id} is not an image")))?;
    Ok((bytes, mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_emoji_are_sorted_and_found() {
        assert!(SYSTEM_EMOJI.windows(2).all(|w| w[0] < w[1]));
        for name in ["smile", "+1", "thumbsup", "heart", "-1", "100", "tada"] {
            assert!(is_system_emoji(name), "{name}");
        }
        assert!(!is_system_emoji("party-parrot"));
    }

    #[test]
    fn names_follow_the_rules() {
        for good in [
            "party",
            "party-parrot",
            "a",
            "x_y+z",
            "2024",
            &"a".repeat(64),
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let id = |name: &str| match check_name(name) {
            Err(AppError::Invalid { id, .. }) => id.into_owned(),
            other => panic!("{name}: {other:?}"),
        };
        for bad in [
            "",
            "Party",
            "with space",
            "dot.ted",
            "emoji:",
            "é",
            &"a".repeat(65),
        ] {
            assert_eq!(id(bad), "model.emoji.name.app_error", "{bad}");
        }
        assert_eq!(id("smile"), "model.emoji.system_emoji_name.app_error");
        assert!(is_name_shaped("Party"));
        assert!(!is_name_shaped("a/b"));
    }

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = image::RgbaImage::new(width, height);
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(image)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn images_are_checked_by_their_header() {
        for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP] {
            let checked = check_image(&encoded(32, 24, format)).unwrap();
            assert_eq!(checked, (format, 32, 24));
        }
        let jpeg = {
            let mut out = Cursor::new(Vec::new());
            image::DynamicImage::ImageRgb8(image::RgbImage::new(16, 16))
                .write_to(&mut out, ImageFormat::Jpeg)
                .unwrap();
            out.into_inner()
        };
        assert_eq!(check_image(&jpeg).unwrap().0, ImageFormat::Jpeg);
        let refused = |bytes: &[u8]| match check_image(bytes) {
            Err(AppError::Invalid { id, .. }) => id.into_owned(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(b"not an image at all"),
            "api.emoji.upload.image.app_error"
        );
        let png = encoded(8, 8, ImageFormat::Png);
        assert_eq!(refused(&png[..20]), "api.emoji.upload.image.app_error");
        assert_eq!(
            refused(&encoded(1029, 4, ImageFormat::Png)),
            "api.emoji.upload.large_image.too_large.app_error"
        );
        let bmp = encoded(4, 4, ImageFormat::Bmp);
        assert_eq!(refused(&bmp), "api.emoji.upload.image.app_error");
    }

    #[test]
    fn large_images_are_scaled_to_fit_and_small_ones_kept() {
        assert_eq!(fitted(300, 150), (128, 64));
        assert_eq!(fitted(150, 300), (64, 128));
        assert_eq!(fitted(1028, 1), (128, 1));
        assert_eq!(fitted(129, 129), (128, 128));

        let small = encoded(100, 20, ImageFormat::WebP);
        assert_eq!(
            fit_image(small.clone(), ImageFormat::WebP, 100, 20).unwrap(),
            small
        );

        let wide = encoded(300, 150, ImageFormat::Jpeg);
        let stored = fit_image(wide, ImageFormat::Jpeg, 300, 150).unwrap();
        assert_eq!(check_image(&stored).unwrap(), (ImageFormat::Png, 128, 64));

        // An animated GIF keeps its frames and their timing.
        use image::AnimationDecoder;
        use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
        let mut gif = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut gif);
            encoder.set_repeat(Repeat::Infinite).unwrap();
            for shade in [0u8, 255] {
                let frame = image::RgbaImage::from_pixel(200, 400, image::Rgba([shade, 0, 0, 255]));
                let delay = image::Delay::from_numer_denom_ms(70, 1);
                encoder
                    .encode_frame(image::Frame::from_parts(frame, 0, 0, delay))
                    .unwrap();
            }
        }
        let stored = fit_image(gif, ImageFormat::Gif, 200, 400).unwrap();
        assert_eq!(check_image(&stored).unwrap(), (ImageFormat::Gif, 64, 128));
        let frames = GifDecoder::new(Cursor::new(&stored))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].delay().numer_denom_ms(), (70, 1));
        assert_eq!(frames[1].buffer().get_pixel(32, 64)[0], 255);
    }
}
