//! Custom emoji through the running server: creating one with its image (and everyone
//! hearing `emoji_added`), reading it by id and name, lists, search and autocomplete, the
//! image's bytes, reacting with it, who may delete it, bad names and images, size limits,
//! concurrent creates of one name, and the feature switched off.

use std::path::PathBuf;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::multipart::{BOUNDARY, Part, form, picture, walk};
use crate::support::{Server, assert_error, data_dir, json, run};

/// A server with an admin, bob and eve (bob and eve in the admin's team "den").
struct Den {
    // Declared before `data`, so the server stops before its folder is removed.
    server: Server,
    data: tempfile::TempDir,
    admin: Login,
    bob: Login,
    eve: Login,
    team: String,
}

impl Den {
    async fn open(env: &[(&str, &str)]) -> Den {
        let data = data_dir();
        let server = Server::start(data.path(), env);
        let admin = server.admin().await;
        let bob = server.user(&admin, "bob").await;
        let eve = server.user(&admin, "eve").await;
        let body = json!({"name": "den", "display_name": "Den", "type": "O"});
        let (status, team) = server
            .call(Some(&admin), Method::POST, "/api/v4/teams", Some(body))
            .await;
        assert_eq!(status, 201, "{team}");
        let team = team["id"].as_str().unwrap().to_string();
        for user in [&bob, &eve] {
            let body = json!({"team_id": team, "user_id": user.id()});
            let path = format!("/api/v4/teams/{team}/members");
            let (status, body) = server
                .call(Some(&admin), Method::POST, &path, Some(body))
                .await;
            assert_eq!(status, 201, "{body}");
        }
        Den {
            server,
            data,
            admin,
            bob,
            eve,
            team,
        }
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

    /// `POST /emoji` with a hand-made multipart body.
    async fn post_form(&self, who: &Login, body: Vec<u8>) -> (u16, Value) {
        self.server.post_form(who, "/emoji", body).await
    }

    /// Creates `name` as `who` with `image`.
    async fn create(&self, who: &Login, name: &str, image: &[u8]) -> (u16, Value) {
        let emoji = json!({"name": name, "creator_id": who.id()}).to_string();
        self.post_form(
            who,
            form(&[
                Part::Field("emoji", &emoji),
                Part::File("image", "emoji.png", image),
            ]),
        )
        .await
    }

    /// The image files under the file store's `emoji/` folder.
    fn stored_images(&self) -> Vec<PathBuf> {
        walk(&self.data.path().join("files").join("emoji"))
    }
}

fn check((status, body): (u16, Value), expected: u16) -> Value {
    assert_eq!(status, expected, "unexpected status; body: {body}");
    body
}

fn png(side: u32) -> Vec<u8> {
    picture(side, side, image::ImageFormat::Png)
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn custom_emoji_are_created_found_used_and_deleted() {
    let den = Den::open(&[]).await;
    let mut eve_socket = den.server.ws(&den.eve.token).await;

    // Bob adds an emoji; everyone connected hears of it.
    let image = png(64);
    let parrot = check(den.create(&den.bob, "party-parrot", &image).await, 201);
    let id = parrot["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 26);
    assert_eq!(parrot["name"], "party-parrot");
    assert_eq!(parrot["creator_id"], den.bob.id());
    assert_eq!(parrot["delete_at"], 0);
    assert!(parrot["create_at"].as_i64().unwrap() > 0);
    assert_eq!(parrot["update_at"], parrot["create_at"]);

    let event = eve_socket.expect_event("emoji_added").await;
    let sent = event["data"]["emoji"]
        .as_str()
        .unwrap_or_else(|| panic!("emoji is a JSON string: {event}"));
    assert_eq!(serde_json::from_str::<Value>(sent).unwrap(), parrot);
    assert_eq!(event["broadcast"]["user_id"], "");
    assert_eq!(event["broadcast"]["channel_id"], "");
    assert_eq!(event["broadcast"]["team_id"], "");

    let gif = picture(20, 10, image::ImageFormat::Gif);
    let cat = check(den.create(&den.eve, "cat_dance", &gif).await, 201);
    let jpeg = picture(30, 30, image::ImageFormat::Jpeg);
    check(den.create(&den.admin, "party+1", &jpeg).await, 201);

    // By id and name, for anyone signed in.
    assert_eq!(
        check(den.get(&den.eve, &format!("/emoji/{id}")).await, 200),
        parrot
    );
    assert_eq!(
        check(den.get(&den.admin, "/emoji/name/party-parrot").await, 200),
        parrot
    );
    let body = json!(["party-parrot", "smile", "nope", "cat_dance", "party-parrot"]);
    let found = check(
        den.call(&den.eve, Method::POST, "/emoji/names", Some(body))
            .await,
        200,
    );
    assert_eq!(names(&found), ["cat_dance", "party-parrot"]);

    // Lists: oldest first, or by name; pages.
    let list = check(den.get(&den.bob, "/emoji").await, 200);
    assert_eq!(names(&list), ["party-parrot", "cat_dance", "party+1"]);
    let list = check(den.get(&den.bob, "/emoji?sort=name").await, 200);
    assert_eq!(names(&list), ["cat_dance", "party+1", "party-parrot"]);
    let list = check(
        den.get(&den.bob, "/emoji?sort=name&page=1&per_page=2")
            .await,
        200,
    );
    assert_eq!(names(&list), ["party-parrot"]);

    // Search (anywhere, or by prefix) and autocomplete (by prefix).
    let search = async |body: Value| {
        check(
            den.call(&den.bob, Method::POST, "/emoji/search", Some(body))
                .await,
            200,
        )
    };
    let found = search(json!({"term": "dance"})).await;
    assert_eq!(names(&found), ["cat_dance"]);
    let found = search(json!({"term": "PARTY"})).await;
    assert_eq!(names(&found), ["party+1", "party-parrot"]);
    let found = search(json!({"term": "parrot", "prefix_only": true})).await;
    assert!(names(&found).is_empty());
    let found = search(json!({"term": "parrot", "prefix_only": "true"})).await;
    assert!(names(&found).is_empty());
    let found = search(json!({"term": "parrot", "prefix_only": false})).await;
    assert_eq!(names(&found), ["party-parrot"]);
    let found = check(den.get(&den.eve, "/emoji/autocomplete?name=pa").await, 200);
    assert_eq!(names(&found), ["party+1", "party-parrot"]);
    let found = check(den.get(&den.eve, "/emoji/autocomplete?name=at").await, 200);
    assert!(names(&found).is_empty());

    // The image comes back byte for byte.
    let response = den
        .server
        .as_user(&den.eve, Method::GET, &format!("/api/v4/emoji/{id}/image"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), image.as_slice());
    let cat_id = cat["id"].as_str().unwrap();
    let response = den
        .server
        .as_user(
            &den.bob,
            Method::GET,
            &format!("/api/v4/emoji/{cat_id}/image"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "image/gif");
    assert_eq!(response.bytes().await.unwrap().as_ref(), gif.as_slice());
    let stored = den.stored_images();
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert!(
        stored
            .iter()
            .any(|p| p.ends_with(format!("emoji/{id}/image"))),
        "{stored:?}"
    );

    // Reacting with a custom emoji works like any other.
    let path = format!("/teams/{}/channels/name/town-square", den.team);
    let town_square = check(den.get(&den.bob, &path).await, 200)["id"].clone();
    let body = json!({"channel_id": town_square, "message": "we shipped :party-parrot:"});
    let post = check(
        den.call(&den.bob, Method::POST, "/posts", Some(body)).await,
        201,
    );
    let body =
        json!({"user_id": den.eve.id(), "post_id": post["id"], "emoji_name": "party-parrot"});
    let (status, reaction) = den
        .call(&den.eve, Method::POST, "/reactions", Some(body))
        .await;
    assert!(status == 200 || status == 201, "{status} {reaction}");
    assert_eq!(reaction["emoji_name"], "party-parrot");

    // Eve may not delete Bob's emoji; Bob may, and the admin may delete anyone's.
    let (status, body) = den
        .call(&den.eve, Method::DELETE, &format!("/emoji/{id}"), None)
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    let done = check(
        den.call(&den.bob, Method::DELETE, &format!("/emoji/{id}"), None)
            .await,
        200,
    );
    assert_eq!(done["status"], "OK");
    let (status, body) = den
        .call(
            &den.admin,
            Method::DELETE,
            &format!("/emoji/{cat_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Deleted: gone from every read, and the name is free again.
    let (status, body) = den.get(&den.bob, &format!("/emoji/{id}")).await;
    assert_error(status, &body, 404, "app.emoji.get.no_result");
    let (status, body) = den.get(&den.bob, &format!("/emoji/{id}/image")).await;
    assert_error(status, &body, 404, "app.emoji.get.no_result");
    let (status, body) = den.get(&den.bob, "/emoji/name/party-parrot").await;
    assert_error(status, &body, 404, "app.emoji.get_by_name.no_result");
    let (status, body) = den
        .call(&den.bob, Method::DELETE, &format!("/emoji/{id}"), None)
        .await;
    assert_error(status, &body, 404, "app.emoji.get.no_result");
    let list = check(den.get(&den.bob, "/emoji?sort=name").await, 200);
    assert_eq!(names(&list), ["party+1"]);
    let again = check(den.create(&den.eve, "party-parrot", &png(16)).await, 201);
    assert_ne!(again["id"], parrot["id"]);
    eve_socket.close().await;
}

#[tokio::test]
async fn bad_emoji_requests_get_clear_errors_and_leave_nothing_behind() {
    let den = Den::open(&[]).await;
    let image = png(32);

    // Names.
    for bad in [
        "",
        "Party",
        "with space",
        "dot.ted",
        ":colons:",
        &"a".repeat(65),
    ] {
        let (status, body) = den.create(&den.bob, bad, &image).await;
        assert_error(status, &body, 400, "model.emoji.name.app_error");
    }
    for system in ["smile", "+1", "thumbsup", "heart"] {
        let (status, body) = den.create(&den.bob, system, &image).await;
        assert_error(
            status,
            &body,
            400,
            "model.emoji.system_emoji_name.app_error",
        );
    }

    // Someone else as the creator, and a taken name.
    let emoji = json!({"name": "sneaky", "creator_id": den.eve.id()}).to_string();
    let (status, body) = den
        .post_form(
            &den.bob,
            form(&[
                Part::Field("emoji", &emoji),
                Part::File("image", "emoji.png", &image),
            ]),
        )
        .await;
    assert_error(status, &body, 403, "api.emoji.create.other_user.app_error");
    check(den.create(&den.bob, "taken", &image).await, 201);
    let (status, body) = den.create(&den.eve, "taken", &image).await;
    assert_error(status, &body, 400, "api.emoji.create.duplicate.app_error");

    // Images: not one, cut short, too wide, too many bytes.
    let (status, body) = den.create(&den.bob, "text", b"just some text").await;
    assert_error(status, &body, 400, "api.emoji.upload.image.app_error");
    let (status, body) = den.create(&den.bob, "cut", &image[..20]).await;
    assert_error(status, &body, 400, "api.emoji.upload.image.app_error");
    let bmp = picture(8, 8, image::ImageFormat::Bmp);
    let (status, body) = den.create(&den.bob, "bitmap", &bmp).await;
    assert_error(status, &body, 400, "api.emoji.upload.image.app_error");
    let wide = picture(1029, 2, image::ImageFormat::Png);
    let (status, body) = den.create(&den.bob, "wide", &wide).await;
    assert_error(
        status,
        &body,
        400,
        "api.emoji.upload.large_image.too_large.app_error",
    );
    let big: Vec<u8> = png(8).into_iter().chain(vec![0; 600 * 1024]).collect();
    let (status, body) = den.create(&den.bob, "big", &big).await;
    assert_error(status, &body, 413, "api.emoji.create.too_large.app_error");
    // Without a Content-Length (chunked), the limit holds while reading.
    let emoji = json!({"name": "chunked", "creator_id": den.bob.id()}).to_string();
    let body = form(&[
        Part::Field("emoji", &emoji),
        Part::File("image", "emoji.png", &big),
    ]);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let response = den
        .server
        .as_user(&den.bob, Method::POST, "/api/v4/emoji")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_error(status, &body, 413, "api.emoji.create.too_large.app_error");

    // Broken forms.
    let (status, body) = den
        .post_form(&den.bob, form(&[Part::File("image", "emoji.png", &image)]))
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let emoji = json!({"name": "lonely", "creator_id": den.bob.id()}).to_string();
    let (status, body) = den
        .post_form(&den.bob, form(&[Part::Field("emoji", &emoji)]))
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let (status, body) = den
        .post_form(
            &den.bob,
            form(&[
                Part::Field("emoji", "{not json"),
                Part::File("image", "emoji.png", &image),
            ]),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let (status, body) = den
        .call(&den.bob, Method::POST, "/emoji", Some(json!({"name": "x"})))
        .await;
    assert_error(status, &body, 400, "api.emoji.create.parse.app_error");
    let (status, body) = den
        .server
        .call(None, Method::POST, "/api/v4/emoji", None)
        .await;
    assert_eq!(status, 401, "{body}");

    // Reads with bad parameters.
    let (status, body) = den.get(&den.bob, "/emoji/not-an-id").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = den.get(&den.bob, "/emoji/not-an-id/image").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let unknown = "abcdefghijkmnopqrstuwxyz12";
    let (status, body) = den.get(&den.bob, &format!("/emoji/{unknown}")).await;
    assert_error(status, &body, 404, "app.emoji.get.no_result");
    let (status, body) = den.get(&den.bob, &format!("/emoji/{unknown}/image")).await;
    assert_error(status, &body, 404, "app.emoji.get.no_result");
    let (status, body) = den.get(&den.bob, "/emoji/name/a.b").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = den.get(&den.bob, "/emoji/name/nothing-here").await;
    assert_error(status, &body, 404, "app.emoji.get_by_name.no_result");
    let (status, body) = den.get(&den.bob, "/emoji?sort=size").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = den.get(&den.bob, "/emoji?page=x").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = den
        .call(
            &den.bob,
            Method::POST,
            "/emoji/search",
            Some(json!({"term": ""})),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let (status, body) = den
        .call(&den.bob, Method::POST, "/emoji/search", Some(json!(["x"])))
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let (status, body) = den.get(&den.bob, "/emoji/autocomplete").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = den
        .call(&den.bob, Method::POST, "/emoji/names", Some(json!([])))
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    let many: Vec<String> = (0..201).map(|i| format!("e{i}")).collect();
    let (status, body) = den
        .call(&den.bob, Method::POST, "/emoji/names", Some(json!(many)))
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.emoji.get_multiple_by_name_too_many.request_error",
    );
    let (status, body) = den
        .call(&den.bob, Method::PUT, "/emoji/search", Some(json!({})))
        .await;
    assert_error(
        status,
        &body,
        405,
        "api.context.method_not_allowed.app_error",
    );

    // Of all that, one emoji ("taken") and its one image remain.
    let list = check(den.get(&den.bob, "/emoji").await, 200);
    assert_eq!(names(&list), ["taken"]);
    assert_eq!(den.stored_images().len(), 1, "{:?}", den.stored_images());
    assert!(walk(&den.data.path().join("files").join(".staging")).is_empty());
}

#[tokio::test]
async fn racing_creates_of_one_name_make_one_emoji_and_one_image() {
    let den = Den::open(&[]).await;
    let image = png(24);
    let creates = (0..8).map(|i| {
        let who = if i % 2 == 0 { &den.bob } else { &den.eve };
        den.create(who, "contested", &image)
    });
    let results = futures_util::future::join_all(creates).await;
    let created = results.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(status, _)| *status != 201) {
        assert_error(*status, body, 400, "api.emoji.create.duplicate.app_error");
    }
    assert_eq!(den.stored_images().len(), 1, "{:?}", den.stored_images());
}

#[tokio::test]
async fn custom_emoji_can_be_switched_off() {
    let den = Den::open(&[("HEARTH_SERVICESETTINGS_ENABLECUSTOMEMOJI", "false")]).await;
    let (status, config) = den.get(&den.bob, "/config/client?format=old").await;
    assert_eq!(status, 200);
    assert_eq!(config["EnableCustomEmoji"], "false");

    let disabled = "api.emoji.disabled.app_error";
    let (status, body) = den.create(&den.bob, "party", &png(8)).await;
    assert_error(status, &body, 501, disabled);
    let id = "abcdefghijkmnopqrstuwxyz12";
    for path in [
        "/emoji".to_string(),
        format!("/emoji/{id}"),
        format!("/emoji/{id}/image"),
        "/emoji/name/party".into(),
        "/emoji/autocomplete?name=pa".into(),
    ] {
        let (status, body) = den.get(&den.bob, &path).await;
        assert_error(status, &body, 501, disabled);
    }
    let (status, body) = den
        .call(
            &den.bob,
            Method::POST,
            "/emoji/search",
            Some(json!({"term": "pa"})),
        )
        .await;
    assert_error(status, &body, 501, disabled);
    let (status, body) = den
        .call(&den.bob, Method::POST, "/emoji/names", Some(json!(["pa"])))
        .await;
    assert_error(status, &body, 501, disabled);
    let (status, body) = den
        .call(&den.admin, Method::DELETE, &format!("/emoji/{id}"), None)
        .await;
    assert_error(status, &body, 501, disabled);
    assert!(den.stored_images().is_empty());
}

/// `hearth db migrate --to postgres://…` carries custom emoji over; their images stay in
/// the data folder's file store.
#[tokio::test]
async fn custom_emoji_move_to_postgres_with_the_deployment() {
    if crate::support::on_postgres() {
        // The source of this story is SQLite.
        return;
    }
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let emoji = json!({"name": "moving", "creator_id": admin.id()}).to_string();
    let image = png(12);
    let response = server
        .as_user(&admin, Method::POST, "/api/v4/emoji")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form(&[
            Part::Field("emoji", &emoji),
            Part::File("image", "emoji.png", &image),
        ]))
        .send()
        .await
        .unwrap();
    let created = check(json(response).await, 201);
    drop(server);

    let url = crate::support::postgres_server::fresh_database().await;
    let (ok, stdout, stderr) = run(data.path(), &["db", "migrate", "--to", &url]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("custom_emoji"), "{stdout}");

    let on_postgres = [
        ("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"),
        ("HEARTH_SQLSETTINGS_DATASOURCE", url.as_str()),
    ];
    let server = Server::start(data.path(), &on_postgres);
    let (status, found) = server
        .call(Some(&admin), Method::GET, "/api/v4/emoji/name/moving", None)
        .await;
    assert_eq!((status, &found), (200, &created));
    let id = created["id"].as_str().unwrap();
    let response = server
        .as_user(&admin, Method::GET, &format!("/api/v4/emoji/{id}/image"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), image.as_slice());
    // The name stays taken after the move.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/emoji/search",
            Some(json!({"term": "mov"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["moving"]);
}

#[tokio::test]
async fn large_emoji_images_are_scaled_down_like_mattermost() {
    let den = Den::open(&[]).await;
    let image_of = async |created: &Value| {
        let id = created["id"].as_str().unwrap();
        let response = den
            .server
            .as_user(&den.bob, Method::GET, &format!("/api/v4/emoji/{id}/image"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mime = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let bytes = response.bytes().await.unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        (mime, decoded.width(), decoded.height())
    };
    // Wider than 128 pixels: stored at 128 wide, proportions kept, as a PNG.
    let photo = picture(400, 200, image::ImageFormat::Jpeg);
    let created = check(den.create(&den.bob, "big-photo", &photo).await, 201);
    assert_eq!(image_of(&created).await, ("image/png".to_string(), 128, 64));
    // A GIF stays a GIF.
    let tall = picture(100, 300, image::ImageFormat::Gif);
    let created = check(den.create(&den.bob, "tall-gif", &tall).await, 201);
    assert_eq!(image_of(&created).await, ("image/gif".to_string(), 42, 128));
}
