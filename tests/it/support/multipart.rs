//! Hand-made `multipart/form-data` bodies (uploads, custom emoji), and the bits of files
//! and pictures those tests share.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::Value;

use super::accounts::Login;
use super::{Server, json};

/// The boundary every test body uses.
pub const BOUNDARY: &str = "hearth-test-boundary-2f9a7c1e";

/// One part of a form.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    /// A file part: the field's name, the file's name, its bytes.
    File(&'a str, &'a str, &'a [u8]),
}

/// A `multipart/form-data` body of `parts`. File names that are not plain ASCII (or
/// would need quoting) go in `filename*` as RFC 5987 UTF-8.
pub fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        match part {
            Part::Field(name, value) => {
                write!(
                    body,
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .unwrap();
            }
            Part::File(field, name, bytes) => {
                write!(
                    body,
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                )
                .unwrap();
                if name.is_ascii() && !name.contains(['"', '\\', '\r', '\n']) {
                    write!(body, "filename=\"{name}\"").unwrap();
                } else {
                    let encoded: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
                    write!(body, "filename=\"x\"; filename*=UTF-8''{encoded}").unwrap();
                }
                write!(body, "\r\nContent-Type: application/octet-stream\r\n\r\n").unwrap();
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    write!(body, "--{BOUNDARY}--\r\n").unwrap();
    body
}

impl Server {
    /// `POST path` (under `/api/v4`) as `who` with a multipart `body` made by [`form`].
    pub async fn post_form(&self, who: &Login, path: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .as_user(who, Method::POST, &format!("/api/v4{path}"))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        json(response).await
    }
}

/// Every file below `dir` (none if it does not exist).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// `image` encoded in `format`.
pub fn encode(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A `width`×`height` picture with a gradient, so encoders have something to encode.
pub fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    encode(image::DynamicImage::ImageRgb8(image), format)
}
