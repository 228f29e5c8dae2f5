//! Profile images: the generated default picture (initials on a colour chosen from the user
//! id, like Mattermost's) and the normalisation of uploaded pictures to one square PNG size
//! (profile pictures, and team icons, which Mattermost scales the same way).
//!
//! Pure functions from bytes (or a reader the caller opened) to bytes: no HTTP, no SQL, no
//! opening of files; uploads are decoded through `files::image::open_decoder`. The one font is
//! embedded at build time (`assets/fonts/DejaVuSans-Bold.ttf`, licence beside it). Callers
//! decide where the resulting PNG is stored and how it is served.

use std::io::{BufRead, Cursor, Seek};

use ab_glyph::{Font, FontRef, Glyph, PxScale, Rect, ScaleFont, point};
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Rgb, RgbImage};

use crate::files::image::{ImageProblem, open_decoder};

/// Width and height, in pixels, of every profile image this module produces.
pub const PROFILE_IMAGE_SIZE: u32 = 128;

/// Largest width or height an uploaded picture may declare.
const MAX_SIDE: u32 = 8192;

/// DejaVu Sans Bold; see `assets/fonts/LICENSE-DejaVu.txt`.
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Background colours for default avatars. Each has a contrast ratio of at least 4.5:1
/// against white (WCAG AA for normal text), so the initials stay readable.
const PALETTE: [[u8; 3]; 12] = [
    [0xC6, 0x28, 0x28], // red
    [0xAD, 0x14, 0x57], // pink
    [0x7B, 0x1F, 0xA2], // purple
    [0x5E, 0x35, 0xB1], // deep purple
    [0x39, 0x49, 0xAB], // indigo
    [0x15, 0x65, 0xC0], // blue
    [0x01, 0x57, 0x9B], // light blue
    [0x00, 0x79, 0x6B], // teal
    [0x2E, 0x7D, 0x32], // green
    [0xBF, 0x36, 0x0C], // deep orange
    [0x6D, 0x4C, 0x41], // brown
    [0x45, 0x5A, 0x64], // blue grey
];

/// Size of the initials before they are shrunk to fit, in pixels per em.
const TEXT_PX: f32 = 60.0;

/// Widest the initials may be, as a share of the image width.
const MAX_TEXT_WIDTH: f32 = 0.75;

/// Why an uploaded profile picture was refused.
#[derive(Debug, thiserror::Error)]
pub enum AvatarError {
    /// The bytes are not a PNG, JPEG, GIF, WebP or BMP image.
    #[error("unsupported image format: expected PNG, JPEG, GIF, WebP or BMP")]
    UnsupportedFormat,
    /// The image declares more pixels than we are willing to decode.
    #[error(
        "image is too large: at most {MAX_SIDE} pixels a side and FileSettings.MaxImageResolution pixels in all"
    )]
    TooLarge,
    /// The bytes look like a supported format but could not be decoded or re-encoded.
    #[error("image could not be decoded: {0}")]
    Corrupt(String),
}

/// Renders the default profile picture for a user: a 128×128 PNG with the initials of
/// `display` in white bold letters on a background colour that depends only on `user_id`.
///
/// Never fails: if the initials cannot be drawn the picture is just the background.
pub fn default_avatar(user_id: &str, display: &str) -> Vec<u8> {
    let background = Rgb(background_colour(user_id));
    let mut canvas = RgbImage::from_pixel(PROFILE_IMAGE_SIZE, PROFILE_IMAGE_SIZE, background);
    draw_centred_text(&mut canvas, &initials(display));
    // Encoding a small in-memory RGB buffer as PNG has no failure path in practice; should
    // it ever fail there is nothing better to return than an empty body.
    encode_png(&DynamicImage::ImageRgb8(canvas)).unwrap_or_default()
}

/// Turns an uploaded picture into the stored form: the centre square, scaled to
/// [`PROFILE_IMAGE_SIZE`] pixels a side, as PNG.
///
/// The format is detected from the first bytes (PNG, JPEG, GIF, WebP or BMP; for
/// animations the first frame is used) and the declared size is checked before any pixels
/// are decoded (at most `max_pixels`, `FileSettings.MaxImageResolution`, and
/// [`MAX_SIDE`] a side), through the server's one bounded decoder
/// ([`crate::files::image::open_decoder`]). The centre square is scaled from a view of
/// the decoded picture, not a copy. EXIF orientation is applied, so phone photos come
/// out upright. Blocking: run it under `Files::decode`.
pub fn normalize_profile_image(
    reader: impl BufRead + Seek,
    max_pixels: u64,
) -> Result<Vec<u8>, AvatarError> {
    let guessed = ImageReader::new(reader)
        .with_guessed_format()
        .map_err(|e| AvatarError::Corrupt(e.to_string()))?;
    let format = match guessed.format() {
        Some(
            format @ (ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::Gif
            | ImageFormat::WebP
            | ImageFormat::Bmp),
        ) => format,
        _ => return Err(AvatarError::UnsupportedFormat),
    };
    let (mut decoder, width, height) = open_decoder(guessed.into_inner(), format, max_pixels)
        .map_err(|problem| match problem {
            ImageProblem::TooLarge { .. } => AvatarError::TooLarge,
            ImageProblem::Unreadable(why) => AvatarError::Corrupt(why),
        })?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(AvatarError::TooLarge);
    }
    // A broken EXIF block is not worth refusing the picture over.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(decode_error)?;

    let mut square = square_thumbnail(&decoded);
    drop(decoded);
    // Rotating and mirroring map the centre square onto itself, so orienting the small
    // result is the same as orienting the full picture first, and much cheaper.
    square.apply_orientation(orientation);
    encode_png(&square).map_err(|e| AvatarError::Corrupt(e.to_string()))
}

/// Crops the centre square of `image` and scales it to [`PROFILE_IMAGE_SIZE`], keeping an
/// alpha channel only when the source has one.
fn square_thumbnail(image: &DynamicImage) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    let side = width.min(height);
    let crop = imageops::crop_imm(image, (width - side) / 2, (height - side) / 2, side, side);

    // Lanczos over a 40-megapixel source reads every pixel many times; an area-averaging
    // pass down to a few times the target size first keeps large uploads fast and loses
    // nothing visible.
    let prescale = PROFILE_IMAGE_SIZE * 4;
    let resized = if side > prescale {
        let small = imageops::thumbnail(&*crop, prescale, prescale);
        imageops::resize(
            &small,
            PROFILE_IMAGE_SIZE,
            PROFILE_IMAGE_SIZE,
            FilterType::Lanczos3,
        )
    } else {
        imageops::resize(
            &*crop,
            PROFILE_IMAGE_SIZE,
            PROFILE_IMAGE_SIZE,
            FilterType::Lanczos3,
        )
    };

    let resized = DynamicImage::ImageRgba8(resized);
    if image.color().has_alpha() {
        resized
    } else {
        DynamicImage::ImageRgb8(resized.into_rgb8())
    }
}

/// Maps a decoder error onto the reasons we give the uploader.
fn decode_error(error: ImageError) -> AvatarError {
    match error {
        ImageError::Limits(_) => AvatarError::TooLarge,
        ImageError::Unsupported(_) => AvatarError::UnsupportedFormat,
        other => AvatarError::Corrupt(other.to_string()),
    }
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// Picks the background colour for a user. FNV-1a rather than `std`'s hasher because the
/// colour must stay the same across Rust releases and restarts.
fn background_colour(user_id: &str) -> [u8; 3] {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in user_id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let index = usize::try_from(hash % PALETTE.len() as u64).unwrap_or(0);
    PALETTE.get(index).copied().unwrap_or(PALETTE[0])
}

/// The letters shown on a default avatar: the first letter or digit of the first word of
/// `display` and, when there are two or more words, of the last word, uppercased. Words
/// are split on whitespace and words with no letter or digit are skipped, so
/// "Alice Smith" gives "AS", "bob.jones" gives "B" and an empty name gives "?".
fn initials(display: &str) -> String {
    let firsts: Vec<char> = display
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .collect();
    let picked = match firsts.as_slice() {
        [] => return "?".to_owned(),
        [only] => vec![*only],
        [first, .., last] => vec![*first, *last],
    };
    picked
        .into_iter()
        // Some letters uppercase to several ("ß" to "SS"); one is enough for an initial.
        .filter_map(|c| c.to_uppercase().next())
        .collect()
}

/// Draws `text` in white, centred on its ink (not its line box) so that capitals sit in
/// the visual middle. Leaves the canvas untouched if the font cannot be read; characters
/// the font has no glyph for are left out, and "?" is drawn if none remain.
fn draw_centred_text(canvas: &mut RgbImage, text: &str) {
    let Ok(font) = FontRef::try_from_slice(FONT) else {
        return;
    };
    let mut chars: Vec<char> = text.chars().filter(|&c| font.glyph_id(c).0 != 0).collect();
    if chars.is_empty() {
        chars = vec!['?'];
    }

    let canvas_side = PROFILE_IMAGE_SIZE as f32;
    let mut scale = PxScale::from(TEXT_PX);
    let Some(ink) = ink_bounds(&font, &lay_out(&font, scale, &chars, 0.0, 0.0)) else {
        return;
    };
    let max_width = canvas_side * MAX_TEXT_WIDTH;
    if ink.width() > max_width {
        scale = PxScale::from(TEXT_PX * max_width / ink.width());
    }
    // Lay out once more at the final size to measure, then place the ink box centrally.
    let Some(ink) = ink_bounds(&font, &lay_out(&font, scale, &chars, 0.0, 0.0)) else {
        return;
    };
    let dx = (canvas_side - ink.width()) / 2.0 - ink.min.x;
    let dy = (canvas_side - ink.height()) / 2.0 - ink.min.y;

    for glyph in lay_out(&font, scale, &chars, dx, dy) {
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|x, y, coverage| {
            let px = bounds.min.x as i64 + i64::from(x);
            let py = bounds.min.y as i64 + i64::from(y);
            let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py)) else {
                return;
            };
            if let Some(pixel) = canvas.get_pixel_mut_checked(px, py) {
                let alpha = coverage.clamp(0.0, 1.0);
                for channel in &mut pixel.0 {
                    let blended = f32::from(*channel) * (1.0 - alpha) + 255.0 * alpha;
                    *channel = blended.round().clamp(0.0, 255.0) as u8;
                }
            }
        });
    }
}

/// Positions `chars` on one line with kerning, the first pen position at (`x`, `y`) where
/// `y` is the baseline.
fn lay_out(font: &FontRef<'_>, scale: PxScale, chars: &[char], x: f32, y: f32) -> Vec<Glyph> {
    let scaled = font.as_scaled(scale);
    let mut pen = x;
    let mut previous = None;
    let mut glyphs = Vec::with_capacity(chars.len());
    for &c in chars {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            pen += scaled.kern(previous, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(pen, y)));
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    glyphs
}

/// The pixel box covered by the outlines of `glyphs`, or `None` if nothing has ink.
fn ink_bounds(font: &FontRef<'_>, glyphs: &[Glyph]) -> Option<Rect> {
    glyphs
        .iter()
        .filter_map(|glyph| font.outline_glyph(glyph.clone()))
        .map(|outline| outline.px_bounds())
        .reduce(|a, b| Rect {
            min: point(a.min.x.min(b.min.x), a.min.y.min(b.min.y)),
            max: point(a.max.x.max(b.max.x), a.max.y.max(b.max.y)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgba, RgbaImage};

    fn decode(png: &[u8]) -> DynamicImage {
        assert_eq!(image::guess_format(png).ok(), Some(ImageFormat::Png));
        image::load_from_memory_with_format(png, ImageFormat::Png).unwrap()
    }

    fn is_whiteish(pixel: Rgb<u8>) -> bool {
        pixel.0.iter().all(|&c| c > 230)
    }

    #[test]
    fn default_avatar_is_a_128_square_png() {
        let image = decode(&default_avatar("u1", "Alice Smith"));
        assert_eq!(image.width(), PROFILE_IMAGE_SIZE);
        assert_eq!(image.height(), PROFILE_IMAGE_SIZE);
    }

    #[test]
    fn background_depends_only_on_user_id() {
        let corner =
            |id: &str, name: &str| *decode(&default_avatar(id, name)).to_rgb8().get_pixel(0, 0);
        assert_eq!(corner("user-a", "Alice"), corner("user-a", "Someone Else"));
        assert_eq!(corner("user-a", "Alice"), Rgb(background_colour("user-a")));

        let ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let mut colours: Vec<Rgb<u8>> = ids.iter().map(|id| corner(id, "X")).collect();
        colours.sort_by_key(|c| c.0);
        colours.dedup();
        assert!(colours.len() >= 2, "all ids got the same colour");
    }

    #[test]
    fn initials_are_drawn_in_the_middle() {
        let image = decode(&default_avatar("u1", "Alice Bob")).to_rgb8();
        let centre = image
            .enumerate_pixels()
            .filter(|(x, y, _)| (32..96).contains(x) && (32..96).contains(y))
            .filter(|(_, _, p)| is_whiteish(**p))
            .count();
        assert!(centre > 200, "only {centre} white pixels in the centre");

        // The ink is balanced about the centre: white pixels left and right of the middle
        // line, and above and below it, differ by less than a third.
        let white: Vec<(u32, u32)> = image
            .enumerate_pixels()
            .filter(|(_, _, p)| is_whiteish(**p))
            .map(|(x, y, _)| (x, y))
            .collect();
        let left = white.iter().filter(|(x, _)| *x < 64).count();
        let top = white.iter().filter(|(_, y)| *y < 64).count();
        let total = white.len();
        assert!(left * 3 > total - left && (total - left) * 3 > left * 2);
        assert!(top * 3 > total - top && (total - top) * 3 > top * 2);

        // Nothing white touches the border.
        assert!(
            white
                .iter()
                .all(|&(x, y)| (4..124).contains(&x) && (4..124).contains(&y))
        );

        let question = decode(&default_avatar("u1", "")).to_rgb8();
        assert_ne!(image, question);
    }

    #[test]
    fn unknown_glyphs_fall_back_to_a_question_mark() {
        // DejaVu has no CJK glyphs; the avatar shows "?" rather than an empty box.
        assert_eq!(default_avatar("u1", "张伟"), default_avatar("u1", ""));
    }

    #[test]
    fn initials_rules() {
        assert_eq!(initials("Alice Smith"), "AS");
        assert_eq!(initials("alice"), "A");
        assert_eq!(initials("bob.jones"), "B");
        assert_eq!(initials(""), "?");
        assert_eq!(initials("   "), "?");
        assert_eq!(initials("--- ..."), "?");
        assert_eq!(initials("mary ann lee"), "ML");
        assert_eq!(initials("  @alice  (smith) "), "AS");
        assert_eq!(initials("émile zola"), "ÉZ");
        assert_eq!(initials("42 things"), "4T");
        assert_eq!(initials("ßtraße"), "S");
    }

    #[test]
    fn palette_is_readable_under_white() {
        fn luminance([r, g, b]: [u8; 3]) -> f64 {
            let lin = |c: u8| {
                let c = f64::from(c) / 255.0;
                if c <= 0.04045 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        }
        for colour in PALETTE {
            let contrast = 1.05 / (luminance(colour) + 0.05);
            assert!(contrast >= 4.5, "{colour:?} has contrast {contrast:.2}");
        }
    }

    /// Mattermost's default `MaxImageResolution`.
    const MAX_PIXELS: u64 = 33_177_600;

    fn normalize(bytes: &[u8]) -> Result<Vec<u8>, AvatarError> {
        normalize_profile_image(Cursor::new(bytes), MAX_PIXELS)
    }

    fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A 300×200 picture: red left third, green middle, blue right third.
    fn stripes() -> RgbaImage {
        ImageBuffer::from_fn(300, 200, |x, _| match x {
            0..100 => Rgba([255, 0, 0, 255]),
            100..200 => Rgba([0, 255, 0, 255]),
            _ => Rgba([0, 0, 255, 255]),
        })
    }

    #[test]
    fn png_upload_is_cropped_and_resized() {
        let png = encode(DynamicImage::ImageRgba8(stripes()), ImageFormat::Png);
        let out = decode(&normalize(&png).unwrap());
        assert_eq!((out.width(), out.height()), (128, 128));
        // The centre crop (x 50..250) is mostly green, with red and blue at the edges.
        let out = out.to_rgb8();
        assert!(out.get_pixel(64, 64).0[1] > 200);
        assert!(out.get_pixel(2, 64).0[0] > 200);
        assert!(out.get_pixel(125, 64).0[2] > 200);
    }

    #[test]
    fn jpeg_upload_works() {
        let rgb = DynamicImage::ImageRgba8(stripes()).into_rgb8();
        let jpeg = encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Jpeg);
        assert_eq!(image::guess_format(&jpeg).ok(), Some(ImageFormat::Jpeg));
        let out = decode(&normalize(&jpeg).unwrap());
        assert_eq!((out.width(), out.height()), (128, 128));
        assert!(!out.color().has_alpha());
    }

    #[test]
    fn gif_webp_and_bmp_uploads_work() {
        for format in [ImageFormat::Gif, ImageFormat::WebP, ImageFormat::Bmp] {
            let bytes = encode(DynamicImage::ImageRgba8(stripes()), format);
            let out = decode(&normalize(&bytes).unwrap());
            assert_eq!((out.width(), out.height()), (128, 128), "{format:?}");
        }
    }

    #[test]
    fn garbage_is_refused() {
        let mut state: u32 = 12345;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (state >> 16) as u8
            })
            .collect();
        assert!(matches!(
            normalize(&noise),
            Err(AvatarError::UnsupportedFormat | AvatarError::Corrupt(_))
        ));
        assert!(matches!(
            normalize(b""),
            Err(AvatarError::UnsupportedFormat)
        ));
        assert!(matches!(
            normalize(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(AvatarError::UnsupportedFormat)
        ));

        // A real PNG cut off halfway is corrupt, not a panic.
        let png = encode(DynamicImage::ImageRgba8(stripes()), ImageFormat::Png);
        assert!(matches!(
            normalize(&png[..png.len() / 2]),
            Err(AvatarError::Corrupt(_))
        ));
    }

    /// CRC-32 (IEEE, reflected), as PNG chunks use.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A valid 1×1 PNG whose IHDR has been rewritten to claim `width`×`height`.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut png = encode(
            DynamicImage::ImageRgba8(RgbaImage::new(1, 1)),
            ImageFormat::Png,
        );
        // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), 13 bytes of data
        // starting with width and height, and a CRC over type and data.
        assert_eq!(&png[12..16], b"IHDR");
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    #[test]
    fn huge_declared_dimensions_are_refused_before_decoding() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // The unpatched picture decodes, so the CRC and offsets are right.
        assert!(normalize(&png_claiming(1, 1)).is_ok());

        for (width, height) in [(100_000, 100_000), (9000, 10), (10, 9000), (7000, 7000)] {
            assert!(
                matches!(
                    normalize(&png_claiming(width, height)),
                    Err(AvatarError::TooLarge)
                ),
                "{width}x{height} was not refused as too large"
            );
        }
    }
}
