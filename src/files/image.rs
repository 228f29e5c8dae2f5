//! Images among uploads: telling real ones by their first bytes, and making the
//! thumbnail, preview and mini preview clients show, upright per EXIF orientation.
//!
//! Decoding is bounded: the declared size is checked against `MaxImageResolution` before
//! any pixels are decoded, and the decoder may not allocate more than that many pixels'
//! worth, so a small file claiming to be huge (a decompression bomb) costs nothing.
//! Blocking (CPU and file reads): call from a blocking thread. No HTTP, no SQL.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Seek};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::imageops;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};

/// Mattermost's thumbnail box: thumbnails fit in it, keeping their shape.
pub const THUMBNAIL_WIDTH: u32 = 120;
pub const THUMBNAIL_HEIGHT: u32 = 100;
/// Previews are at most this wide (Mattermost's `PreviewWidth`), any height.
pub const PREVIEW_WIDTH: u32 = 1920;
/// Mini previews are this square, stretched: clients blur them into the image's box.
pub const MINI_PREVIEW_SIDE: u32 = 16;
/// JPEG quality of thumbnails and previews (Mattermost's).
const JPEG_QUALITY: u8 = 90;
/// The widest pixel layout the enabled decoders produce (16-bit RGBA).
const MAX_BYTES_PER_PIXEL: u64 = 8;
/// What a decoder may allocate while reading only the header.
const HEADER_ALLOCATION: u64 = 4 * 1024 * 1024;
/// What a decoder may allocate beyond the image's own pixels (rows, tables, palettes).
const DECODER_SLACK: u64 = 16 * 1024 * 1024;

/// The image formats Hearth can decode, detected from the first bytes of a file.
pub fn sniff(head: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(head) {
        Ok(
            format @ (ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::Gif
            | ImageFormat::WebP
            | ImageFormat::Bmp),
        ) => Some(format),
        _ => None,
    }
}

/// The MIME type of a decodable format.
pub fn mime_type(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Gif => "image/gif",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Bmp => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// What an image upload yields.
#[derive(Debug)]
pub struct Processed {
    /// The upright size (after EXIF orientation).
    pub width: u32,
    pub height: u32,
    /// JPEG fitting in [`THUMBNAIL_WIDTH`]×[`THUMBNAIL_HEIGHT`].
    pub thumbnail: Vec<u8>,
    /// JPEG at most [`PREVIEW_WIDTH`] wide.
    pub preview: Vec<u8>,
    /// JPEG of [`MINI_PREVIEW_SIDE`] pixels a side.
    pub mini_preview: Vec<u8>,
}

/// Why an image could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum ImageProblem {
    /// It declares more than `MaxImageResolution` pixels.
    #[error("the image is {width}×{height} pixels, more than the {max} allowed")]
    TooLarge { width: u32, height: u32, max: u64 },
    /// Its bytes are not a readable image of the format its first bytes claim.
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
}

/// Reads the image at `path` (in `format`) and makes its thumbnail, preview and mini
/// preview. Refuses images of more than `max_pixels` before decoding them.
pub fn process(
    path: &Path,
    format: ImageFormat,
    max_pixels: u64,
) -> Result<Processed, ImageProblem> {
    let file = File::open(path).map_err(|e| ImageProblem::Unreadable(e.to_string()))?;
    let (mut decoder, width, height) = open_decoder(BufReader::new(file), format, max_pixels)?;
    // A broken EXIF block is not worth refusing the picture over.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let full =
        DynamicImage::from_decoder(decoder).map_err(|e| problem(e, width, height, max_pixels))?;

    let swapped = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (upright_w, upright_h) = if swapped {
        (height, width)
    } else {
        (width, height)
    };

    // The preview is scaled from the full image and then turned upright: turning the
    // smaller picture is cheaper, and the full one is dropped as soon as possible.
    let preview_w = upright_w.min(PREVIEW_WIDTH);
    let preview_h = scale(upright_h, preview_w, upright_w);
    let mut preview = if preview_w == upright_w {
        full
    } else {
        let (w, h) = if swapped {
            (preview_h, preview_w)
        } else {
            (preview_w, preview_h)
        };
        let small = full.thumbnail_exact(w, h);
        drop(full);
        small
    };
    preview.apply_orientation(orientation);
    let preview = flatten(preview);

    let thumbnail = thumbnail(&preview);
    let mini = DynamicImage::ImageRgb8(thumbnail.clone())
        .thumbnail_exact(MINI_PREVIEW_SIDE, MINI_PREVIEW_SIDE)
        .into_rgb8();
    Ok(Processed {
        width: upright_w,
        height: upright_h,
        thumbnail: jpeg(&thumbnail)?,
        preview: jpeg(&preview)?,
        mini_preview: jpeg(&mini)?,
    })
}

/// Opens a decoder for the `format` image in `reader`, having checked from its header
/// alone that it declares at most `max_pixels` pixels (and some at all), and limits what
/// the decoder may allocate to about that image's own pixel buffer. The one way to pixels
/// for attachments, profile pictures and emoji, so a small file that claims to be huge (a
/// decompression bomb) costs a header read. Run it under [`super::Files::decode`], which
/// bounds how many such buffers exist at once.
pub fn open_decoder<'a, R: BufRead + Seek + 'a>(
    reader: R,
    format: ImageFormat,
    max_pixels: u64,
) -> Result<(impl ImageDecoder + 'a, u32, u32), ImageProblem> {
    let mut reader = ImageReader::with_format(reader, format);
    // Headers need little; the real limit is set once the size is known.
    let mut limits = Limits::default();
    limits.max_alloc = Some(HEADER_ALLOCATION);
    reader.limits(limits);
    // Making the decoder reads only the header; nothing the size of the image is
    // allocated until it is decoded, which happens only once the size is accepted.
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| problem(e, 0, 0, max_pixels))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(ImageProblem::TooLarge {
            width,
            height,
            max: max_pixels,
        });
    }
    if width == 0 || height == 0 {
        return Err(ImageProblem::Unreadable("the image has no pixels".into()));
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(
        decoder
            .total_bytes()
            .min(max_pixels.saturating_mul(MAX_BYTES_PER_PIXEL))
            .saturating_add(DECODER_SLACK),
    );
    decoder
        .set_limits(limits)
        .map_err(|e| problem(e, width, height, max_pixels))?;
    Ok((decoder, width, height))
}

/// `side * num / den`, rounded, at least 1.
fn scale(side: u32, num: u32, den: u32) -> u32 {
    let scaled = (u64::from(side) * u64::from(num) + u64::from(den) / 2) / u64::from(den.max(1));
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// The thumbnail: the image scaled to fit the thumbnail box, never enlarged.
fn thumbnail(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let (tw, th) = thumbnail_size(w, h);
    if (tw, th) == (w, h) {
        image.clone()
    } else {
        imageops::thumbnail(image, tw, th)
    }
}

/// The size of a `w`×`h` image's thumbnail: as large as fits in
/// [`THUMBNAIL_WIDTH`]×[`THUMBNAIL_HEIGHT`] with the same shape, at least a pixel a side.
/// (Mattermost also enlarges small images to the box; Hearth leaves them as they are.)
pub fn thumbnail_size(w: u32, h: u32) -> (u32, u32) {
    if w <= THUMBNAIL_WIDTH && h <= THUMBNAIL_HEIGHT {
        return (w, h);
    }
    // Whichever side is relatively longer fits the box exactly.
    if u64::from(w) * u64::from(THUMBNAIL_HEIGHT) >= u64::from(h) * u64::from(THUMBNAIL_WIDTH) {
        (THUMBNAIL_WIDTH, scale(h, THUMBNAIL_WIDTH, w))
    } else {
        (scale(w, THUMBNAIL_HEIGHT, h), THUMBNAIL_HEIGHT)
    }
}

/// RGB for JPEG, with any transparency laid over white (as Mattermost does).
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            u8::try_from((c * a + 255 * (255 - a) + 127) / 255).unwrap_or(255)
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn jpeg(image: &RgbImage) -> Result<Vec<u8>, ImageProblem> {
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|e| ImageProblem::Unreadable(e.to_string()))?;
    Ok(out.into_inner())
}

fn problem(error: ImageError, width: u32, height: u32, max: u64) -> ImageProblem {
    match error {
        ImageError::Limits(_) => ImageProblem::TooLarge { width, height, max },
        other => ImageProblem::Unreadable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = 33_177_600;

    fn write(
        dir: &Path,
        name: &str,
        image: DynamicImage,
        format: ImageFormat,
    ) -> std::path::PathBuf {
        let path = dir.join(name);
        image.save_with_format(&path, format).unwrap();
        path
    }

    fn size(jpeg: &[u8]) -> (u32, u32) {
        let image = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap();
        (image.width(), image.height())
    }

    #[test]
    fn thumbnails_fit_the_box_without_growing() {
        assert_eq!(thumbnail_size(50, 40), (50, 40));
        assert_eq!(thumbnail_size(120, 100), (120, 100));
        assert_eq!(thumbnail_size(1200, 1000), (120, 100));
        assert_eq!(thumbnail_size(300, 200), (120, 80));
        assert_eq!(thumbnail_size(1000, 3000), (33, 100));
        assert_eq!(thumbnail_size(130, 120), (108, 100));
        assert_eq!(thumbnail_size(20_000, 10), (120, 1));
        assert_eq!(thumbnail_size(10, 20_000), (1, 100));
    }

    #[test]
    fn png_with_alpha_gets_jpeg_thumbnail_preview_and_mini() {
        let dir = tempfile::tempdir().unwrap();
        let image = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            3000,
            1000,
            image::Rgba([255, 0, 0, 0]),
        ));
        let path = write(dir.path(), "a.png", image, ImageFormat::Png);
        let out = process(&path, ImageFormat::Png, MAX).unwrap();
        assert_eq!((out.width, out.height), (3000, 1000));
        assert_eq!(size(&out.preview), (1920, 640));
        assert_eq!(size(&out.thumbnail), (120, 40));
        assert_eq!(size(&out.mini_preview), (16, 16));
        // Transparent pixels became white.
        let thumb = image::load_from_memory(&out.thumbnail).unwrap().to_rgb8();
        assert!(thumb.get_pixel(10, 10).0.iter().all(|&c| c > 240));
    }

    #[test]
    fn panoramas_stay_whole() {
        let dir = tempfile::tempdir().unwrap();
        let image = DynamicImage::ImageRgb8(RgbImage::new(8000, 100));
        let path = write(dir.path(), "p.png", image, ImageFormat::Png);
        let out = process(&path, ImageFormat::Png, MAX).unwrap();
        assert_eq!(size(&out.preview), (1920, 24));
        assert_eq!(size(&out.thumbnail), (120, 2));
    }

    /// A JPEG whose EXIF says "rotate 90° clockwise to view" (orientation 6).
    fn rotated_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut plain = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(RgbImage::new(width, height))
            .write_to(&mut plain, ImageFormat::Jpeg)
            .unwrap();
        let plain = plain.into_inner();
        let mut app1 = vec![0xFF, 0xE1, 0x00, 34];
        app1.extend_from_slice(b"Exif\0\0MM\0\x2A\0\0\0\x08");
        app1.extend_from_slice(&[
            0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0,
        ]);
        app1.extend_from_slice(&[0, 0, 0, 0]);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn exif_orientation_makes_images_upright() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jpg");
        std::fs::write(&path, rotated_jpeg(400, 200)).unwrap();
        let out = process(&path, ImageFormat::Jpeg, MAX).unwrap();
        assert_eq!((out.width, out.height), (200, 400));
        assert_eq!(size(&out.preview), (200, 400));
        assert_eq!(size(&out.thumbnail), (50, 100));
    }

    #[test]
    fn declared_size_is_checked_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let image = DynamicImage::ImageRgb8(RgbImage::new(200, 200));
        let path = write(dir.path(), "s.png", image, ImageFormat::Png);
        assert!(matches!(
            process(&path, ImageFormat::Png, 100 * 100),
            Err(ImageProblem::TooLarge {
                width: 200,
                height: 200,
                ..
            })
        ));
        assert!(process(&path, ImageFormat::Png, 200 * 200).is_ok());
    }

    #[test]
    fn sniffing_and_garbage() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageFormat::Png));
        assert_eq!(sniff(b"GIF89a......"), Some(ImageFormat::Gif));
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\nthis is not a png").unwrap();
        assert!(matches!(
            process(&path, ImageFormat::Png, MAX),
            Err(ImageProblem::Unreadable(_))
        ));
    }
}
