//! Request bodies as real clients send them, decoded the way Mattermost's Go server
//! decodes them: `null` for "not given", keys in any case, fields Hearth does not know.
//! The bodies here are the shapes the Python driver and the apps send.
//!
//! The decoding does not depend on the database engine, so this runs on SQLite only.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::PASSWORD;
use crate::support::{Server, assert_error, data_dir, json};

async fn send(
    server: &Server,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let mut request = server.request(method, path).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    json(request.send().await.unwrap()).await
}

#[tokio::test]
async fn null_fields_mean_not_given_on_every_kind_of_body() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    server.admin().await;

    // mattermostdriver's login: `token` and `device_id` are null unless set.
    let response = server
        .post("/api/v4/users/login")
        .json(&json!({"login_id": "admin", "password": PASSWORD, "token": null, "device_id": null}))
        .send()
        .await
        .unwrap();
    let token = response.headers()["token"].to_str().unwrap().to_string();
    let (status, me) = json(response).await;
    assert_eq!((status, &me["username"]), (200, &json!("admin")), "{me}");
    let token = Some(token.as_str());

    // A user created with nulls for what is not given.
    let (status, bob) = send(
        &server,
        token,
        Method::POST,
        "/api/v4/users",
        json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD,
               "nickname": null, "first_name": null, "props": null, "notify_props": null,
               "locale": null}),
    )
    .await;
    assert_eq!(status, 201, "{bob}");
    assert_eq!(bob["nickname"], "");

    // A team, a channel, a post, a patch, preferences and a status, each with nulls.
    let (status, team) = send(
        &server,
        token,
        Method::POST,
        "/api/v4/teams",
        json!({"name": "garden", "display_name": "Garden", "type": "O",
               "description": null, "invite_id": null, "allowed_domains": null}),
    )
    .await;
    assert_eq!(status, 201, "{team}");
    let (status, channel) = send(
        &server,
        token,
        Method::POST,
        "/api/v4/channels",
        json!({"team_id": team["id"], "name": "plans", "display_name": "Plans", "type": "O",
               "purpose": null, "header": null, "props": null}),
    )
    .await;
    assert_eq!(status, 201, "{channel}");
    let (status, post) = send(
        &server,
        token,
        Method::POST,
        "/api/v4/posts",
        json!({"channel_id": channel["id"], "message": "hello", "root_id": null,
               "file_ids": null, "props": null, "metadata": null, "pending_post_id": null}),
    )
    .await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["root_id"], "");
    let (status, patched) = send(
        &server,
        token,
        Method::PUT,
        &format!("/api/v4/posts/{}/patch", post["id"].as_str().unwrap()),
        json!({"message": "hello, all", "is_pinned": null, "props": null, "file_ids": null}),
    )
    .await;
    assert_eq!(
        (status, &patched["message"]),
        (200, &json!("hello, all")),
        "{patched}"
    );
    let me_id = me["id"].as_str().unwrap();
    let (status, body) = send(
        &server,
        token,
        Method::PUT,
        &format!("/api/v4/users/{me_id}/preferences"),
        json!([{"user_id": me_id, "category": "display_settings", "name": "use_military_time",
                "value": "true"}]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &server,
        token,
        Method::PUT,
        "/api/v4/users/me/patch",
        json!({"nickname": "boss", "first_name": null, "position": null, "props": null}),
    )
    .await;
    assert_eq!((status, &body["nickname"]), (200, &json!("boss")), "{body}");
    let (status, body) = send(
        &server,
        token,
        Method::PUT,
        &format!("/api/v4/users/{me_id}/status"),
        json!({"user_id": me_id, "status": "away", "dnd_end_time": null, "manual": null}),
    )
    .await;
    assert_eq!((status, &body["status"]), (200, &json!("away")), "{body}");
}

#[tokio::test]
async fn keys_match_in_any_case_and_unknown_ones_are_ignored() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    server.admin().await;
    // Go's encoding/json matches `Login_Id` to `login_id`.
    let (status, me) = send(
        &server,
        None,
        Method::POST,
        "/api/v4/users/login",
        json!({"Login_Id": "admin", "PASSWORD": PASSWORD, "client_version": "2.0", "extra": {"a": [1]}}),
    )
    .await;
    assert_eq!((status, &me["username"]), (200, &json!("admin")), "{me}");
}

#[tokio::test]
async fn bad_json_and_wrong_types_still_get_mattermost_400s() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    server.admin().await;
    for body in [
        json!({"login_id": 7, "password": PASSWORD}),
        json!(["admin"]),
        json!("admin"),
    ] {
        let (status, error) = send(&server, None, Method::POST, "/api/v4/users/login", body).await;
        assert_error(
            status,
            &error,
            400,
            "api.context.invalid_body_param.app_error",
        );
    }
    let (status, error) = json(
        server
            .post("/api/v4/users/login")
            .header("Content-Type", "application/json")
            .body("{\"login_id\": \"admin\",")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        status,
        &error,
        400,
        "api.context.invalid_body_param.app_error",
    );
}
