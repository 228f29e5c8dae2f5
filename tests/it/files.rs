//! Files and attachments through the running server: uploads (multipart and raw bodies)
//! and byte-identical downloads, a large upload streamed in bounded memory, thumbnails and
//! previews, who may read what, size limits, odd names, broken bodies, fake images and
//! decompression bombs, attaching files to posts, deleting posts, public links, search
//! and resumable uploads.

use std::path::PathBuf;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::support::accounts::Login;
use crate::support::multipart::{BOUNDARY, Part, form, picture, walk};
use crate::support::{Server, assert_error, data_dir, json};

/// A server with a team "garden": the admin made it; bob and eve joined, so all three are
/// in its town-square. "secret" is a private channel of the admin and bob. Olga has an
/// account but is in no team.
struct Garden {
    // Declared before `data`, so the server stops before its folder is removed.
    server: Server,
    data: tempfile::TempDir,
    admin: Login,
    bob: Login,
    eve: Login,
    olga: Login,
    team: String,
    town_square: String,
    secret: String,
}

impl Garden {
    async fn open(env: &[(&str, &str)]) -> Garden {
        let data = data_dir();
        let server = Server::start(data.path(), env);
        let admin = server.admin().await;
        let bob = server.user(&admin, "bob").await;
        let eve = server.user(&admin, "eve").await;
        let olga = server.user(&admin, "olga").await;
        let body = json!({"name": "garden", "display_name": "Garden", "type": "O"});
        let (status, team) = server
            .call(Some(&admin), Method::POST, "/api/v4/teams", Some(body))
            .await;
        assert_eq!(status, 201, "{team}");
        let team = team["id"].as_str().unwrap().to_string();
        let mut garden = Garden {
            server,
            data,
            admin,
            bob,
            eve,
            olga,
            team,
            town_square: String::new(),
            secret: String::new(),
        };
        for user in [&garden.bob, &garden.eve] {
            let body = json!({"team_id": garden.team, "user_id": user.id()});
            let path = format!("/teams/{}/members", garden.team);
            check(
                garden
                    .call(&garden.admin, Method::POST, &path, Some(body))
                    .await,
                201,
            );
        }
        let path = format!("/teams/{}/channels/name/town-square", garden.team);
        garden.town_square = id(&check(garden.get(&garden.admin, &path).await, 200));
        let body = json!({"team_id": garden.team, "name": "secret", "display_name": "Secret", "type": "P"});
        garden.secret = id(&check(
            garden
                .call(&garden.admin, Method::POST, "/channels", Some(body))
                .await,
            201,
        ));
        let path = format!("/channels/{}/members", garden.secret);
        let body = json!({"user_id": garden.bob.id()});
        check(
            garden
                .call(&garden.admin, Method::POST, &path, Some(body))
                .await,
            201,
        );
        garden
    }

    async fn call(
        &self,
        who: &Login,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.server
            .call(Some(who), method, &format!("/api/v4{path}"), body)
            .await
    }

    async fn get(&self, who: &Login, path: &str) -> (u16, Value) {
        self.call(who, Method::GET, path, None).await
    }

    /// `POST /files` with a hand-made multipart body.
    async fn post_form(&self, who: &Login, body: Vec<u8>) -> (u16, Value) {
        self.server.post_form(who, "/files", body).await
    }

    /// Uploads files (name, bytes) to `channel` in one request.
    async fn upload(&self, who: &Login, channel: &str, files: &[(&str, &[u8])]) -> (u16, Value) {
        let mut parts = vec![Part::Field("channel_id", channel)];
        parts.extend(
            files
                .iter()
                .map(|(name, bytes)| Part::File("files", name, bytes)),
        );
        self.post_form(who, form(&parts)).await
    }

    /// Uploads one file and returns its FileInfo.
    async fn upload_one(&self, who: &Login, channel: &str, name: &str, bytes: &[u8]) -> Value {
        let body = check(self.upload(who, channel, &[(name, bytes)]).await, 201);
        body["file_infos"][0].clone()
    }

    /// `GET /files/{id}{suffix}` as `who`: status, headers and body bytes.
    async fn fetch(&self, who: Option<&Login>, id: &str, suffix: &str) -> Fetched {
        let mut request = self.server.get(&format!("/api/v4/files/{id}{suffix}"));
        if let Some(who) = who {
            request = request.bearer_auth(&who.token);
        }
        Fetched::from(request.send().await.unwrap()).await
    }

    /// Posts `message` with `file_ids` to `channel`.
    async fn post_with(
        &self,
        who: &Login,
        channel: &str,
        message: &str,
        file_ids: &[&str],
    ) -> (u16, Value) {
        let body = json!({"channel_id": channel, "message": message, "file_ids": file_ids});
        self.call(who, Method::POST, "/posts", Some(body)).await
    }

    /// `POST /teams/{team}/files/search`: the ids found, in order.
    async fn search(&self, who: &Login, terms: &str) -> Vec<String> {
        let path = format!("/teams/{}/files/search", self.team);
        let body = json!({"terms": terms, "is_or_search": false});
        let found = check(self.call(who, Method::POST, &path, Some(body)).await, 200);
        let order: Vec<String> = serde_json::from_value(found["order"].clone()).unwrap();
        for id in &order {
            assert_eq!(found["file_infos"][id]["id"], *id);
        }
        order
    }

    /// Every regular file under the data folder.
    /// Every file in the data folder but the search index's, whose segment files come
    /// and go as the indexer merges them.
    fn files_on_disk(&self) -> Vec<PathBuf> {
        let index = self.data.path().join("index");
        walk(self.data.path())
            .into_iter()
            .filter(|path| !path.starts_with(&index))
            .collect()
    }

    fn staging(&self) -> Vec<PathBuf> {
        walk(&self.data.path().join("files").join(".staging"))
    }
}

struct Fetched {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Fetched {
    async fn from(response: reqwest::Response) -> Fetched {
        Fetched {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await.unwrap().to_vec(),
        }
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn image_size(&self) -> (u32, u32) {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.header("content-type"), "image/jpeg");
        let image =
            image::load_from_memory_with_format(&self.body, image::ImageFormat::Jpeg).unwrap();
        (image.width(), image.height())
    }
}

fn check((status, body): (u16, Value), expected: u16) -> Value {
    assert_eq!(status, expected, "unexpected status; body: {body}");
    body
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_string()
}

/// CRC-32 (IEEE), as PNG chunks use.
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

/// A real 1×1 PNG whose header claims `width`×`height`: a decompression bomb's shape.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = picture(1, 1, image::ImageFormat::Png);
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Forgets the server's memory peak so far, in KiB (see [`Server::reset_peak`]).
async fn reset_peak_rss(server: &Server) -> u64 {
    // Indexing the set-up's posts and names grows the index writers' arenas; let it finish
    // so that only what the test does is measured.
    server.search_caught_up().await;
    server.reset_peak() / 1024
}

/// The server's peak resident memory so far, in KiB.
fn peak_rss_kib(server: &Server) -> u64 {
    server.memory("VmHWM:") / 1024
}

fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn text_png_and_jpeg_round_trip_with_thumbnails_and_previews() {
    let g = Garden::open(&[]).await;
    let text = "hello, files\nsecond line\n".repeat(50).into_bytes();
    let png = picture(300, 200, image::ImageFormat::Png);
    let jpeg = picture(1000, 3000, image::ImageFormat::Jpeg);

    // Three files in one request, each with a client id.
    let body = form(&[
        Part::Field("channel_id", &g.town_square),
        Part::Field("client_ids", "c1"),
        Part::File("files", "notes.txt", &text),
        Part::Field("client_ids", "c2"),
        Part::File("files", "picture.png", &png),
        Part::Field("client_ids", "c3"),
        Part::File("files", "photo.jpg", &jpeg),
    ]);
    let uploaded = check(g.post_form(&g.bob, body).await, 201);
    assert_eq!(uploaded["client_ids"], json!(["c1", "c2", "c3"]));
    let infos = uploaded["file_infos"].as_array().unwrap().clone();
    assert_eq!(infos.len(), 3);
    let (txt, pic, photo) = (&infos[0], &infos[1], &infos[2]);

    assert_eq!(txt["name"], "notes.txt");
    assert_eq!(txt["extension"], "txt");
    assert_eq!(txt["mime_type"], "text/plain");
    assert_eq!(txt["size"], text.len());
    assert_eq!(txt["user_id"], g.bob.id());
    assert_eq!(txt["channel_id"], g.town_square);
    assert!(txt.get("post_id").is_none(), "{txt}");
    assert!(txt.get("has_preview_image").is_none(), "{txt}");
    assert_eq!(txt["mini_preview"], Value::Null);
    assert!(
        txt.get("path").is_none(),
        "store paths are never sent: {txt}"
    );

    assert_eq!(pic["mime_type"], "image/png");
    assert_eq!(
        (pic["width"].as_u64(), pic["height"].as_u64()),
        (Some(300), Some(200))
    );
    assert_eq!(pic["has_preview_image"], true);
    assert!(
        pic["mini_preview"].as_str().is_some_and(|s| s.len() > 20),
        "{pic}"
    );
    assert_eq!(photo["mime_type"], "image/jpeg");
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(1000), Some(3000))
    );

    // Downloads are byte-identical, typed, never sniffed; only media is shown inline.
    for (info, bytes, kind) in [
        (txt, &text, "attachment"),
        (pic, &png, "inline"),
        (photo, &jpeg, "inline"),
    ] {
        let got = g
            .fetch(Some(&g.bob), info["id"].as_str().unwrap(), "")
            .await;
        assert_eq!(got.status, 200);
        assert_eq!(sha1_hex(&got.body), sha1_hex(bytes));
        assert_eq!(
            got.header("content-type"),
            info["mime_type"].as_str().unwrap()
        );
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        assert!(
            got.header("content-disposition").starts_with(&format!(
                "{kind}; filename=\"{}\"",
                info["name"].as_str().unwrap()
            )),
            "{}",
            got.header("content-disposition")
        );
        assert_eq!(got.header("content-length"), bytes.len().to_string());
    }
    let forced = g
        .fetch(Some(&g.bob), pic["id"].as_str().unwrap(), "?download=1")
        .await;
    assert!(
        forced
            .header("content-disposition")
            .starts_with("attachment;")
    );

    // One byte range.
    let ranged = g
        .server
        .as_user(
            &g.bob,
            Method::GET,
            &format!("/api/v4/files/{}", txt["id"].as_str().unwrap()),
        )
        .header("Range", "bytes=7-11")
        .send()
        .await
        .unwrap();
    let ranged = Fetched::from(ranged).await;
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.body, b"files");
    assert_eq!(
        ranged.header("content-range"),
        format!("bytes 7-11/{}", text.len())
    );
    let beyond = g
        .server
        .as_user(
            &g.bob,
            Method::GET,
            &format!("/api/v4/files/{}", txt["id"].as_str().unwrap()),
        )
        .header("Range", format!("bytes={}-", text.len() + 5))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), 416);

    // Thumbnails fit Mattermost's 120×100 box without being enlarged; previews are at
    // most 1920 wide.
    let pic_id = pic["id"].as_str().unwrap();
    let photo_id = photo["id"].as_str().unwrap();
    assert_eq!(
        g.fetch(Some(&g.bob), pic_id, "/thumbnail")
            .await
            .image_size(),
        (120, 80)
    );
    assert_eq!(
        g.fetch(Some(&g.bob), photo_id, "/thumbnail")
            .await
            .image_size(),
        (33, 100)
    );
    assert_eq!(
        g.fetch(Some(&g.bob), pic_id, "/preview").await.image_size(),
        (300, 200)
    );
    assert_eq!(
        g.fetch(Some(&g.bob), photo_id, "/preview")
            .await
            .image_size(),
        (1000, 3000)
    );
    let wide = g
        .upload_one(
            &g.bob,
            &g.town_square,
            "wide.png",
            &picture(4000, 1000, image::ImageFormat::Png),
        )
        .await;
    let wide_id = wide["id"].as_str().unwrap();
    assert_eq!(
        g.fetch(Some(&g.bob), wide_id, "/preview")
            .await
            .image_size(),
        (1920, 480)
    );
    assert_eq!(
        g.fetch(Some(&g.bob), wide_id, "/thumbnail")
            .await
            .image_size(),
        (120, 30)
    );
    let small = g
        .upload_one(
            &g.bob,
            &g.town_square,
            "small.gif",
            &picture(40, 30, image::ImageFormat::Gif),
        )
        .await;
    assert_eq!(small["mime_type"], "image/gif");
    let small_id = small["id"].as_str().unwrap();
    assert_eq!(
        g.fetch(Some(&g.bob), small_id, "/thumbnail")
            .await
            .image_size(),
        (40, 30)
    );

    // A text file has neither.
    let txt_id = txt["id"].as_str().unwrap();
    let none = g.fetch(Some(&g.bob), txt_id, "/thumbnail").await;
    assert_error(
        none.status,
        &none.json(),
        400,
        "api.file.get_file_thumbnail.no_thumbnail.app_error",
    );
    let none = g.fetch(Some(&g.bob), txt_id, "/preview").await;
    assert_error(
        none.status,
        &none.json(),
        400,
        "api.file.get_file_preview.no_preview.app_error",
    );

    // The FileInfo endpoint.
    let info = g.fetch(Some(&g.bob), pic_id, "/info").await.json();
    assert_eq!(info, *pic);

    // A raw body with the channel and name in the URL works too.
    let response = g
        .server
        .as_user(
            &g.bob,
            Method::POST,
            &format!(
                "/api/v4/files?channel_id={}&filename=raw%20bytes.bin&client_id=r1",
                g.town_square
            ),
        )
        .body(vec![7u8; 5000])
        .send()
        .await
        .unwrap();
    let raw = check(json(response).await, 201);
    assert_eq!(raw["client_ids"], json!(["r1"]));
    assert_eq!(raw["file_infos"][0]["name"], "raw bytes.bin");
    assert_eq!(
        raw["file_infos"][0]["mime_type"],
        "application/octet-stream"
    );
    let got = g
        .fetch(
            Some(&g.bob),
            raw["file_infos"][0]["id"].as_str().unwrap(),
            "",
        )
        .await;
    assert_eq!(got.body, vec![7u8; 5000]);
    assert!(got.header("content-disposition").starts_with("attachment;"));
}

/// Deterministic bytes for the large upload: the same seed gives the same stream.
fn noise_chunk(state: &mut u64, len: usize) -> Vec<u8> {
    let mut chunk = Vec::with_capacity(len);
    while chunk.len() < len {
        // xorshift64
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        chunk.extend_from_slice(&state.to_le_bytes());
    }
    chunk.truncate(len);
    chunk
}

#[tokio::test]
async fn a_large_file_streams_through_in_bounded_memory() {
    const SIZE: usize = 60 * 1024 * 1024;
    const CHUNK: usize = 256 * 1024;
    const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
    let g = Garden::open(&[]).await;
    // Signing people up (argon2, 19 MiB a hash) has already raised the peak.
    let before = reset_peak_rss(&g.server).await;

    let mut expected = Sha1::new();
    let mut state = SEED;
    for _ in 0..SIZE / CHUNK {
        expected.update(noise_chunk(&mut state, CHUNK));
    }
    let expected: String = expected
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    // The body is generated as it is sent: never all in the test's memory either.
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"channel_id\"\r\n\r\n{}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        g.town_square
    )
    .into_bytes();
    let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    let total = head.len() + SIZE + tail.len();
    let chunks = futures_util::stream::iter(
        std::iter::once(head)
            .chain((0..SIZE / CHUNK).scan(SEED, |state, _| Some(noise_chunk(state, CHUNK))))
            .chain(std::iter::once(tail))
            .map(Ok::<_, std::io::Error>),
    );
    let started = std::time::Instant::now();
    let response = g
        .server
        .as_user(&g.bob, Method::POST, "/api/v4/files")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("Content-Length", total.to_string())
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    let uploaded = check(json(response).await, 201);
    let upload_time = started.elapsed();
    let info = &uploaded["file_infos"][0];
    assert_eq!(info["size"], SIZE);
    let after_upload = peak_rss_kib(&g.server);

    // Download it as a stream and hash it on the way.
    let started = std::time::Instant::now();
    let response = g
        .server
        .as_user(
            &g.bob,
            Method::GET,
            &format!("/api/v4/files/{}", info["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(SIZE as u64));
    let mut hasher = Sha1::new();
    let mut received = 0;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        received += chunk.len();
        hasher.update(&chunk);
    }
    let download_time = started.elapsed();
    assert_eq!(received, SIZE);
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(got, expected, "the download differs from the upload");
    let after_download = peak_rss_kib(&g.server);

    eprintln!(
        "60 MiB: upload {upload_time:?}, download {download_time:?}; server peak RSS {before} KiB at start, {after_upload} KiB after upload, {after_download} KiB after download"
    );
    // The file is 61 440 KiB; the server's peak may grow by a few buffers, not by the file.
    let file_kib = (SIZE / 1024) as u64;
    // (The kernel's counters are per thread and summed lazily: the peak read later can
    // come out a little below the one read at the reset.)
    assert!(
        after_download.saturating_sub(before) < file_kib / 3,
        "peak RSS grew from {before} KiB to {after_download} KiB during a {file_kib} KiB transfer"
    );
    assert!(g.staging().is_empty(), "{:?}", g.staging());
}

#[tokio::test]
async fn oversized_files_get_413_and_leave_nothing_behind() {
    let g = Garden::open(&[("HEARTH_FILESETTINGS_MAXFILESIZE", "1048576")]).await;

    // Larger than MaximumPayloadSizeBytes (300 kB), within MaxFileSize: accepted.
    let fine = vec![1u8; 900 * 1024];
    g.upload_one(&g.bob, &g.town_square, "fine.bin", &fine)
        .await;

    let big = vec![2u8; 2 * 1024 * 1024];
    let (status, body) = g.upload(&g.bob, &g.town_square, &[("big.bin", &big)]).await;
    assert_error(
        status,
        &body,
        413,
        "api.context.request_body_too_large.app_error",
    );
    assert!(
        body["message"].as_str().unwrap().contains("1048576"),
        "{body}"
    );

    // Without a Content-Length the limit still holds, while streaming.
    let chunks =
        futures_util::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![3u8; 64 * 1024])));
    let response = g
        .server
        .as_user(
            &g.bob,
            Method::POST,
            &format!(
                "/api/v4/files?channel_id={}&filename=stream.bin",
                g.town_square
            ),
        )
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_error(
        status,
        &body,
        413,
        "api.context.request_body_too_large.app_error",
    );

    // A resumable upload says its size up front.
    let body =
        json!({"channel_id": g.town_square, "filename": "big.bin", "file_size": 2 * 1024 * 1024});
    let (status, body) = g.call(&g.bob, Method::POST, "/uploads", Some(body)).await;
    assert_error(
        status,
        &body,
        413,
        "api.context.request_body_too_large.app_error",
    );

    assert!(g.staging().is_empty(), "{:?}", g.staging());
    let stored: Vec<_> = g
        .files_on_disk()
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/teams/"))
        .collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
}

#[tokio::test]
async fn only_those_who_may_read_the_channel_get_a_file() {
    let g = Garden::open(&[]).await;
    let png = picture(64, 64, image::ImageFormat::Png);

    // Eve is in the team but not in the private channel: she may not upload there.
    let (status, body) = g.upload(&g.eve, &g.secret, &[("x.txt", b"x")]).await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");

    let secret = g.upload_one(&g.bob, &g.secret, "plan.png", &png).await;
    let secret_id = secret["id"].as_str().unwrap();
    check(
        g.post_with(&g.bob, &g.secret, "the plan", &[secret_id])
            .await,
        201,
    );
    for suffix in ["", "/thumbnail", "/preview", "/info"] {
        for who in [&g.eve, &g.olga] {
            let got = g.fetch(Some(who), secret_id, suffix).await;
            assert_error(
                got.status,
                &got.json(),
                403,
                "api.context.permissions.app_error",
            );
        }
        assert_eq!(g.fetch(Some(&g.bob), secret_id, suffix).await.status, 200);
        assert_eq!(g.fetch(Some(&g.admin), secret_id, suffix).await.status, 200);
        let anonymous = g.fetch(None, secret_id, suffix).await;
        assert_eq!(anonymous.status, 401);
    }
    let (status, body) = g
        .get(&g.eve, &format!("/posts/{}/files/info", "x".repeat(26)))
        .await;
    assert_eq!(status, 404, "{body}");

    // An upload nobody has posted yet is its uploader's alone, even in a public channel.
    let draft = g
        .upload_one(&g.bob, &g.town_square, "draft.txt", b"draft")
        .await;
    let draft_id = draft["id"].as_str().unwrap();
    let got = g.fetch(Some(&g.eve), draft_id, "").await;
    assert_error(
        got.status,
        &got.json(),
        403,
        "api.context.permissions.app_error",
    );
    assert_eq!(g.fetch(Some(&g.bob), draft_id, "").await.body, b"draft");
    // Once posted in the public channel, team members may read it; Olga still may not.
    check(
        g.post_with(&g.bob, &g.town_square, "see this", &[draft_id])
            .await,
        201,
    );
    assert_eq!(g.fetch(Some(&g.eve), draft_id, "").await.body, b"draft");
    assert_eq!(g.fetch(Some(&g.olga), draft_id, "").await.status, 403);

    let unknown = g.fetch(Some(&g.bob), &"q".repeat(26), "").await;
    assert_error(
        unknown.status,
        &unknown.json(),
        404,
        "app.file_info.get.app_error",
    );
    let bad = g.fetch(Some(&g.bob), "not-an-id", "").await;
    assert_error(
        bad.status,
        &bad.json(),
        400,
        "api.context.invalid_url_param.app_error",
    );
}

#[tokio::test]
async fn odd_names_are_stored_safely() {
    let g = Garden::open(&[]).await;
    let long = format!("{}.txt", "ü".repeat(200));
    let cases: Vec<(&str, String)> = vec![
        ("../../../../etc/passwd", "passwd".into()),
        ("..\\..\\windows\\win.ini", "win.ini".into()),
        ("..", "file".into()),
        ("/", "file".into()),
        ("a\u{0}b\u{7}c\r\n.txt", "abc.txt".into()),
        ("report\u{202E}fdp.exe", "reportfdp.exe".into()),
        ("日本語 ファイル.txt", "日本語 ファイル.txt".into()),
        ("  spaced out .txt. ", "spaced out .txt".into()),
        ("quote\"d.txt", "quote\"d.txt".into()),
    ];
    for (raw, expected) in &cases {
        let info = g
            .upload_one(&g.bob, &g.town_square, raw, raw.as_bytes())
            .await;
        assert_eq!(info["name"], *expected, "uploaded as {raw:?}");
        let got = g
            .fetch(Some(&g.bob), info["id"].as_str().unwrap(), "")
            .await;
        assert_eq!(got.body, raw.as_bytes());
        let disposition = got.header("content-disposition");
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    }
    let info = g.upload_one(&g.bob, &g.town_square, &long, b"long").await;
    let name = info["name"].as_str().unwrap();
    assert!(name.len() <= 200 && name.ends_with("ü.txt"), "{name}");

    // Everything the server wrote is inside its data folder's `files/` (and the database
    // and the search index).
    let outside: Vec<_> = g
        .files_on_disk()
        .into_iter()
        .filter(|p| {
            let relative = p
                .strip_prefix(g.data.path())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            !relative.starts_with("files/")
                && !relative.starts_with("hearth.db")
                && !relative.starts_with("index/")
                && relative != "config.json"
        })
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    let stored = g.files_on_disk();
    assert!(
        stored
            .iter()
            .any(|p| p.ends_with("passwd") && p.to_string_lossy().contains("/users/"))
    );
}

#[tokio::test]
async fn broken_bodies_are_refused_cleanly() {
    let g = Garden::open(&[]).await;

    // A form cut off in the middle of a file.
    let whole = form(&[
        Part::Field("channel_id", &g.town_square),
        Part::File("files", "cut.bin", &[9u8; 50_000]),
    ]);
    let (status, body) = g.post_form(&g.bob, whole[..30_000].to_vec()).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Files before the channel, no files, a form that is not one.
    let (status, body) = g
        .post_form(
            &g.bob,
            form(&[
                Part::File("files", "a.txt", b"a"),
                Part::Field("channel_id", &g.town_square),
            ]),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    assert!(
        body["detailed_error"]
            .as_str()
            .unwrap()
            .contains("channel_id"),
        "{body}"
    );
    let (status, body) = g
        .post_form(&g.bob, form(&[Part::Field("channel_id", &g.town_square)]))
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let (status, body) = g
        .post_form(&g.bob, b"this is not multipart at all".to_vec())
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let response = g
        .server
        .as_user(&g.bob, Method::POST, "/api/v4/files")
        .body("raw")
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let body = form(&[
        Part::Field("channel_id", &g.town_square),
        Part::Field("client_ids", "only-one"),
        Part::File("files", "a.txt", b"a"),
        Part::File("files", "b.txt", b"b"),
    ]);
    let (status, body) = g.post_form(&g.bob, body).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // A client that goes away halfway through.
    {
        use std::io::Write as _;
        let mut stream = std::net::TcpStream::connect(g.server.addr()).unwrap();
        let head = format!(
            "POST /api/v4/files?channel_id={}&filename=gone.bin HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer {}\r\nContent-Length: 1000000\r\n\r\n",
            g.town_square, g.bob.token
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&[1u8; 100_000]).unwrap();
        stream.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
    }

    // The server is fine, and no partial upload is left.
    let mut clean = false;
    for _ in 0..50 {
        if g.staging().is_empty() {
            clean = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(clean, "{:?}", g.staging());
    g.upload_one(&g.bob, &g.town_square, "after.txt", b"still working")
        .await;
    let stored = g.files_on_disk();
    assert!(
        !stored
            .iter()
            .any(|p| p.ends_with("cut.bin") || p.ends_with("gone.bin")),
        "{stored:?}"
    );
}

#[tokio::test]
async fn fake_images_and_decompression_bombs_are_refused() {
    let g = Garden::open(&[]).await;
    let before = reset_peak_rss(&g.server).await;

    // Named as an image, not one.
    for name in ["photo.png", "photo.JPG", "anim.gif"] {
        let (status, body) = g
            .upload(
                &g.bob,
                &g.town_square,
                &[(name, b"<html><script>alert(1)</script></html>")],
            )
            .await;
        assert_error(
            status,
            &body,
            400,
            "api.file.upload_file.not_an_image.app_error",
        );
    }
    // A PNG signature with garbage after it.
    let (status, body) = g
        .upload(
            &g.bob,
            &g.town_square,
            &[("broken.png", b"\x89PNG\r\n\x1a\n garbage garbage")],
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.file.upload_file.not_an_image.app_error",
    );

    // A few hundred bytes claiming billions of pixels, and one just over the limit.
    for (width, height) in [(100_000, 100_000), (7000, 7000), (65_535, 1000)] {
        let (status, body) = g
            .upload(
                &g.bob,
                &g.town_square,
                &[("bomb.png", &png_claiming(width, height))],
            )
            .await;
        assert_error(
            status,
            &body,
            400,
            "api.file.upload_file.large_image_detailed.app_error",
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{width}×{height}")),
            "{body}"
        );
    }
    // Decoding 100 000 × 100 000 pixels would need 40 GB; refused, they cost nothing.
    let after = peak_rss_kib(&g.server);
    assert!(
        after.saturating_sub(before) < 16 * 1024,
        "peak RSS went from {before} to {after} KiB"
    );

    // A real image under another name is an image; text that happens to start like a
    // bitmap ("BM") under a text name is text.
    let png = g
        .upload_one(
            &g.bob,
            &g.town_square,
            "really-a-png.dat",
            &picture(10, 10, image::ImageFormat::Png),
        )
        .await;
    assert_eq!(png["mime_type"], "image/png");
    assert_eq!(png["has_preview_image"], true);
    let text = g
        .upload_one(&g.bob, &g.town_square, "cars.txt", b"BMW and Audi")
        .await;
    assert_eq!(text["mime_type"], "text/plain");
    assert!(text.get("has_preview_image").is_none());
    // Scriptable types are stored but only ever downloaded.
    let svg = g
        .upload_one(
            &g.bob,
            &g.town_square,
            "x.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        )
        .await;
    let got = g.fetch(Some(&g.bob), svg["id"].as_str().unwrap(), "").await;
    assert!(got.header("content-disposition").starts_with("attachment;"));
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    assert!(got.header("content-security-policy").contains("sandbox"));
}

#[tokio::test]
async fn posts_attach_only_their_authors_unattached_files_of_the_same_channel() {
    let g = Garden::open(&[]).await;
    let a = id(&g.upload_one(&g.bob, &g.town_square, "a.txt", b"a").await);
    let b = id(&g
        .upload_one(
            &g.bob,
            &g.town_square,
            "b.png",
            &picture(20, 20, image::ImageFormat::Png),
        )
        .await);

    // A post may be only files; the `posted` event carries them.
    let mut eve_socket = g.server.ws(&g.eve.token).await;
    let post = check(
        g.post_with(&g.bob, &g.town_square, "", &[&a, &b]).await,
        201,
    );
    let event = eve_socket.expect_event("posted").await;
    let announced: Value = serde_json::from_str(event["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(announced["metadata"]["files"][1]["id"], b);
    assert_eq!(announced["metadata"]["files"][1]["post_id"], post["id"]);
    assert_eq!(post["file_ids"], json!([a, b]));
    let files = post["metadata"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["id"], a);
    assert_eq!(files[0]["post_id"], post["id"]);
    let post_id = id(&post);
    let listed = check(
        g.get(&g.eve, &format!("/posts/{post_id}/files/info")).await,
        200,
    );
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let fetched = check(g.get(&g.eve, &format!("/posts/{post_id}")).await, 200);
    assert_eq!(fetched["metadata"]["files"].as_array().unwrap().len(), 2);
    let page = check(
        g.get(&g.eve, &format!("/channels/{}/posts", g.town_square))
            .await,
        200,
    );
    assert_eq!(page["posts"][&post_id]["metadata"]["files"][1]["id"], b);

    // Attached already.
    let (status, body) = g.post_with(&g.bob, &g.town_square, "again", &[&a]).await;
    assert_error(
        status,
        &body,
        400,
        "api.post.create_post.invalid_file_ids.app_error",
    );
    // Someone else's file, even for an admin.
    let c = id(&g.upload_one(&g.bob, &g.town_square, "c.txt", b"c").await);
    let (status, body) = g
        .post_with(&g.admin, &g.town_square, "mine now", &[&c])
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.post.create_post.invalid_file_ids.app_error",
    );
    // A file uploaded to another channel.
    let (status, body) = g.post_with(&g.bob, &g.secret, "moved", &[&c]).await;
    assert_error(
        status,
        &body,
        400,
        "api.post.create_post.invalid_file_ids.app_error",
    );
    // Unknown and malformed ids.
    let (status, body) = g
        .post_with(&g.bob, &g.town_square, "ghost", &[&"z".repeat(26)])
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.post.create_post.invalid_file_ids.app_error",
    );
    let (status, body) = g.post_with(&g.bob, &g.town_square, "bad", &["../x"]).await;
    assert_error(
        status,
        &body,
        400,
        "api.post.create_post.invalid_file_ids.app_error",
    );
    // Too many.
    let mut many = Vec::new();
    for n in 0..11 {
        many.push(id(&g
            .upload_one(&g.bob, &g.town_square, &format!("{n}.txt"), b"n")
            .await));
    }
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let (status, body) = g.post_with(&g.bob, &g.town_square, "many", &refs).await;
    assert_error(
        status,
        &body,
        400,
        "api.post.create_post.too_many_files.app_error",
    );
    // None of the refused posts attached anything.
    let info = g.fetch(Some(&g.bob), &c, "/info").await.json();
    assert!(info.get("post_id").is_none(), "{info}");

    // A retried send returns the first post and attaches nothing twice.
    let body = json!({"channel_id": g.town_square, "message": "retry", "file_ids": [c], "pending_post_id": format!("{}:1", g.bob.id())});
    let first = check(
        g.call(&g.bob, Method::POST, "/posts", Some(body.clone()))
            .await,
        201,
    );
    let second = check(
        g.call(&g.bob, Method::POST, "/posts", Some(body)).await,
        201,
    );
    assert_eq!(first["id"], second["id"]);
    assert_eq!(second["metadata"]["files"][0]["id"], c);
    let info = g.fetch(Some(&g.bob), &c, "/info").await.json();
    assert_eq!(info["post_id"], first["id"]);

    // Files in a reply are fine too.
    let d = id(&g.upload_one(&g.bob, &g.town_square, "d.txt", b"d").await);
    let body = json!({"channel_id": g.town_square, "root_id": post_id, "message": "reply", "file_ids": [d]});
    check(
        g.call(&g.bob, Method::POST, "/posts", Some(body)).await,
        201,
    );
}

#[tokio::test]
async fn deleting_a_post_hides_its_files_but_keeps_the_bytes() {
    let g = Garden::open(&[]).await;
    let root_file = id(&g
        .upload_one(&g.bob, &g.town_square, "root.txt", b"root bytes 1")
        .await);
    let reply_file = id(&g
        .upload_one(&g.eve, &g.town_square, "reply.txt", b"reply bytes 2")
        .await);
    let root = id(&check(
        g.post_with(&g.bob, &g.town_square, "root", &[&root_file])
            .await,
        201,
    ));
    let body = json!({"channel_id": g.town_square, "root_id": root, "message": "reply", "file_ids": [reply_file]});
    check(
        g.call(&g.eve, Method::POST, "/posts", Some(body)).await,
        201,
    );

    check(
        g.call(&g.bob, Method::DELETE, &format!("/posts/{root}"), None)
            .await,
        200,
    );

    for (file, who) in [(&root_file, &g.bob), (&reply_file, &g.eve)] {
        for suffix in ["", "/info"] {
            let got = g.fetch(Some(who), file, suffix).await;
            assert_error(got.status, &got.json(), 404, "app.file_info.get.app_error");
        }
    }
    // Admins can still see the records, marked deleted.
    let listed = check(
        g.get(
            &g.admin,
            &format!("/posts/{root}/files/info?include_deleted=true"),
        )
        .await,
        200,
    );
    assert_eq!(listed[0]["id"], root_file);
    assert!(listed[0]["delete_at"].as_i64().unwrap() > 0);
    let (status, _) = g
        .get(
            &g.bob,
            &format!("/posts/{root}/files/info?include_deleted=true"),
        )
        .await;
    assert_eq!(status, 403);

    // The bytes are still on disk.
    let contents: Vec<Vec<u8>> = g
        .files_on_disk()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(contents.iter().any(|c| c == b"root bytes 1"));
    assert!(contents.iter().any(|c| c == b"reply bytes 2"));
}

#[tokio::test]
async fn public_links_when_enabled() {
    let g = Garden::open(&[("HEARTH_FILESETTINGS_ENABLEPUBLICLINK", "true")]).await;
    let file = id(&g
        .upload_one(&g.bob, &g.town_square, "share.txt", b"shared")
        .await);
    let (status, body) = g.get(&g.bob, &format!("/files/{file}/link")).await;
    assert_error(
        status,
        &body,
        400,
        "api.file.get_file_link.no_post.app_error",
    );
    check(
        g.post_with(&g.bob, &g.town_square, "share", &[&file]).await,
        201,
    );

    let link = check(g.get(&g.eve, &format!("/files/{file}/link")).await, 200)["link"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        link.starts_with(&format!("{}/files/{file}/public?h=", g.server.url)),
        "{link}"
    );
    // The same link for everyone and every time: it depends on the file and the
    // installation's secret only.
    let again = check(g.get(&g.bob, &format!("/files/{file}/link")).await, 200);
    assert_eq!(again["link"], link);
    let (status, _) = g.get(&g.olga, &format!("/files/{file}/link")).await;
    assert_eq!(status, 403);

    let off = Garden::open(&[]).await;
    let file = id(&off
        .upload_one(&off.bob, &off.town_square, "x.txt", b"x")
        .await);
    let (status, body) = off.get(&off.bob, &format!("/files/{file}/link")).await;
    assert_error(
        status,
        &body,
        501,
        "api.file.get_public_link.disabled.app_error",
    );
}

/// Needs `api::files::configure_public` mounted outside `/api/v4` (see `api::configure`).
#[tokio::test]
async fn public_links_download_without_a_session() {
    let g = Garden::open(&[("HEARTH_FILESETTINGS_ENABLEPUBLICLINK", "true")]).await;
    let file = id(&g
        .upload_one(&g.bob, &g.town_square, "share.txt", b"shared")
        .await);
    check(
        g.post_with(&g.bob, &g.town_square, "share", &[&file]).await,
        201,
    );
    let link = check(g.get(&g.bob, &format!("/files/{file}/link")).await, 200)["link"]
        .as_str()
        .unwrap()
        .to_string();
    let path = link.trim_start_matches(&g.server.url).to_string();

    let got = Fetched::from(g.server.get(&path).send().await.unwrap()).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"shared");
    assert_eq!(got.header("x-content-type-options"), "nosniff");

    let forged = Fetched::from(g.server.get(&format!("{}x", path)).send().await.unwrap()).await;
    assert_error(
        forged.status,
        &forged.json(),
        400,
        "api.file.get_file.public_invalid.app_error",
    );
    let other = id(&g
        .upload_one(&g.bob, &g.town_square, "other.txt", b"other")
        .await);
    check(
        g.post_with(&g.bob, &g.town_square, "other", &[&other])
            .await,
        201,
    );
    let swapped = path.replace(&file, &other);
    let got = Fetched::from(g.server.get(&swapped).send().await.unwrap()).await;
    assert_error(
        got.status,
        &got.json(),
        400,
        "api.file.get_file.public_invalid.app_error",
    );
}

#[tokio::test]
async fn files_are_searched_by_name_in_channels_one_belongs_to() {
    let g = Garden::open(&[]).await;
    let report = id(&g
        .upload_one(&g.bob, &g.town_square, "Quarterly-Report.pdf", b"%PDF-1.4")
        .await);
    let photo = id(&g
        .upload_one(
            &g.bob,
            &g.town_square,
            "holiday.png",
            &picture(8, 8, image::ImageFormat::Png),
        )
        .await);
    let plan = id(&g
        .upload_one(&g.bob, &g.secret, "secret report.pdf", b"%PDF-1.4")
        .await);
    let loose = id(&g
        .upload_one(&g.bob, &g.town_square, "unposted report.pdf", b"%PDF-1.4")
        .await);
    check(
        g.post_with(&g.bob, &g.town_square, "files", &[&report, &photo])
            .await,
        201,
    );
    check(g.post_with(&g.bob, &g.secret, "plan", &[&plan]).await, 201);

    let mut bobs = g.search(&g.bob, "report").await;
    bobs.sort();
    let mut expected = vec![report.clone(), plan.clone()];
    expected.sort();
    assert_eq!(bobs, expected, "unposted files are not found: {loose}");
    assert_eq!(g.search(&g.eve, "report").await, [report.as_str()]);
    assert_eq!(g.search(&g.bob, "ext:png").await, [photo.as_str()]);
    assert_eq!(
        g.search(&g.bob, "report in:town-square").await,
        [report.as_str()]
    );
    assert_eq!(g.search(&g.bob, "report -secret").await, [report.as_str()]);
    assert_eq!(
        g.search(&g.bob, "from:bob ext:pdf \"secret report\"").await,
        [plan.as_str()]
    );
    assert!(g.search(&g.bob, "from:nobody").await.is_empty());
    assert!(g.search(&g.bob, "100%").await.is_empty());

    let path = format!("/teams/{}/files/search", g.team);
    let (status, _) = g
        .call(
            &g.olga,
            Method::POST,
            &path,
            Some(json!({"terms": "report"})),
        )
        .await;
    assert_eq!(status, 403);
    // Across all of one's teams.
    let found = check(
        g.call(
            &g.bob,
            Method::POST,
            "/files/search",
            Some(json!({"terms": "holiday"})),
        )
        .await,
        200,
    );
    assert_eq!(found["order"], json!([photo]));
}

#[tokio::test]
async fn resumable_uploads_continue_where_they_stopped() {
    let g = Garden::open(&[]).await;
    let png = picture(500, 400, image::ImageFormat::Png);
    let body =
        json!({"channel_id": g.town_square, "filename": "../resumed.png", "file_size": png.len()});
    let session = check(
        g.call(&g.bob, Method::POST, "/uploads", Some(body)).await,
        201,
    );
    let upload = id(&session);
    assert_eq!(session["filename"], "resumed.png");
    assert_eq!(session["file_offset"], 0);
    assert_eq!(session["type"], "attachment");

    let send = |who: &Login, bytes: Vec<u8>| {
        g.server
            .as_user(who, Method::POST, &format!("/api/v4/uploads/{upload}"))
            .body(bytes)
            .send()
    };
    // A request that breaks off keeps what arrived.
    {
        use std::io::Write as _;
        let mut stream = std::net::TcpStream::connect(g.server.addr()).unwrap();
        let head = format!(
            "POST /api/v4/uploads/{upload} HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer {}\r\nContent-Length: 5000\r\n\r\n",
            g.bob.token
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&png[..1000]).unwrap();
        stream.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let mut offset = Value::Null;
    for _ in 0..50 {
        offset =
            check(g.get(&g.bob, &format!("/uploads/{upload}")).await, 200)["file_offset"].clone();
        if offset == 1000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(offset, 1000);

    let half = png.len() / 2;
    assert_eq!(
        send(&g.bob, png[1000..half].to_vec())
            .await
            .unwrap()
            .status(),
        204
    );
    let state = check(g.get(&g.bob, &format!("/uploads/{upload}")).await, 200);
    assert_eq!(state["file_offset"], half);
    let (status, _) = g.get(&g.eve, &format!("/uploads/{upload}")).await;
    assert_eq!(status, 403);
    assert_eq!(
        send(&g.eve, png[half..].to_vec()).await.unwrap().status(),
        403
    );

    let done = check(
        json(send(&g.bob, png[half..].to_vec()).await.unwrap()).await,
        201,
    );
    assert_eq!(done["name"], "resumed.png");
    assert_eq!(
        (done["width"].as_u64(), done["height"].as_u64()),
        (Some(500), Some(400))
    );
    let got = g
        .fetch(Some(&g.bob), done["id"].as_str().unwrap(), "")
        .await;
    assert_eq!(sha1_hex(&got.body), sha1_hex(&png));
    assert_eq!(
        g.fetch(Some(&g.bob), done["id"].as_str().unwrap(), "/thumbnail")
            .await
            .image_size(),
        (120, 96)
    );
    let (status, body) = g.get(&g.bob, &format!("/uploads/{upload}")).await;
    assert_error(status, &body, 404, "app.upload.get.app_error");
    assert!(g.staging().is_empty(), "{:?}", g.staging());

    // Sending more than was announced is refused.
    let body = json!({"channel_id": g.town_square, "filename": "small.txt", "file_size": 4});
    let upload = id(&check(
        g.call(&g.bob, Method::POST, "/uploads", Some(body)).await,
        201,
    ));
    let response = g
        .server
        .as_user(&g.bob, Method::POST, &format!("/api/v4/uploads/{upload}"))
        .body("too many bytes")
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
}

#[tokio::test]
async fn attachments_can_be_turned_off_and_extensions_restricted() {
    let off = Garden::open(&[("HEARTH_FILESETTINGS_ENABLEFILEATTACHMENTS", "false")]).await;
    let (status, body) = off
        .upload(&off.bob, &off.town_square, &[("a.txt", b"a")])
        .await;
    assert_error(
        status,
        &body,
        501,
        "api.file.attachments.disabled.app_error",
    );
    drop(off);

    let g = Garden::open(&[("HEARTH_FILESETTINGS_DENIEDEXTENSIONS", "exe, .BAT")]).await;
    for name in ["setup.exe", "run.bat", "RUN.BAT"] {
        let (status, body) = g.upload(&g.bob, &g.town_square, &[(name, b"MZ")]).await;
        assert_error(
            status,
            &body,
            400,
            "api.file.upload_file.extension_not_allowed.app_error",
        );
    }
    g.upload_one(&g.bob, &g.town_square, "fine.txt", b"ok")
        .await;
    drop(g);

    let g = Garden::open(&[("HEARTH_FILESETTINGS_ALLOWEDEXTENSIONS", "pdf,png")]).await;
    let (status, body) = g
        .upload(&g.bob, &g.town_square, &[("notes.txt", b"no")])
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.file.upload_file.extension_not_allowed.app_error",
    );
    let (status, body) = g.upload(&g.bob, &g.town_square, &[("README", b"no")]).await;
    assert_error(
        status,
        &body,
        400,
        "api.file.upload_file.extension_not_allowed.app_error",
    );
    g.upload_one(&g.bob, &g.town_square, "doc.pdf", b"%PDF-1.4")
        .await;
}
