//! The System Console's server endpoints, as an admin uses them: reading and changing the
//! configuration while the server runs (and what a change does at once: client
//! configuration, behaviour, `config_changed`, the file), reloading an edited file, the
//! server log, the site statistics and the user counts.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::{Login, PASSWORD};
use crate::support::{Server, assert_error, data_dir, read_config, write_config};

const REDACTED: &str = "********************************";

async fn get(server: &Server, who: Option<&Login>, path: &str) -> (u16, Value) {
    server.call(who, Method::GET, path, None).await
}

async fn patch(server: &Server, who: &Login, body: Value) -> (u16, Value) {
    let path = "/api/v4/config/patch";
    server.call(Some(who), Method::PUT, path, Some(body)).await
}

async fn client_config(server: &Server, who: Option<&Login>) -> Value {
    let (status, body) = get(server, who, "/api/v4/config/client?format=old").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `POST /users` without a session: open sign-up.
async fn sign_up(server: &Server, username: &str) -> u16 {
    let body = json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": PASSWORD,
    });
    server
        .call(None, Method::POST, "/api/v4/users", Some(body))
        .await
        .0
}

fn version_id(response: &reqwest::Response) -> String {
    response.headers()["X-Version-Id"]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn admins_read_the_configuration_with_secrets_hidden() {
    let data = data_dir();
    write_config(
        data.path(),
        &json!({"EmailSettings": {"SMTPPassword": "s3cret", "SMTPUsername": "mailer"}}),
    );
    let server = Server::start(data.path(), &[("MM_TEAMSETTINGS_MAXUSERSPERTEAM", "77")]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    let (status, config) = get(&server, Some(&admin), "/api/v4/config").await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["EmailSettings"]["SMTPPassword"], REDACTED);
    assert_eq!(config["EmailSettings"]["SMTPUsername"], "mailer");
    assert_eq!(config["TeamSettings"]["SiteName"], "Hearth");
    // The configuration in force: the environment's value, the command line's address.
    assert_eq!(config["TeamSettings"]["MaxUsersPerTeam"], 77);
    assert_eq!(config["ServiceSettings"]["ListenAddress"], "127.0.0.1:0");
    assert!(!config.to_string().contains("s3cret"));
    let (_, environment) = get(&server, Some(&admin), "/api/v4/config/environment").await;
    assert_eq!(environment["TeamSettings"]["MaxUsersPerTeam"], true);
    assert!(environment["TeamSettings"].get("SiteName").is_none());

    let (_, trimmed) = get(
        &server,
        Some(&admin),
        "/api/v4/config?remove_masked=true&remove_defaults=true",
    )
    .await;
    assert!(
        trimmed["EmailSettings"].get("SMTPPassword").is_none(),
        "{trimmed}"
    );
    assert_eq!(trimmed["EmailSettings"]["SMTPUsername"], "mailer");
    assert!(trimmed.get("PasswordSettings").is_none(), "{trimmed}");
    let (status, body) = get(
        &server,
        Some(&admin),
        "/api/v4/config?remove_defaults=maybe",
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );

    for path in ["/api/v4/config", "/api/v4/config/environment"] {
        let (status, body) = get(&server, Some(&bob), path).await;
        assert_error(status, &body, 403, "api.context.permissions.app_error");
        let (status, body) = get(&server, None, path).await;
        assert_error(status, &body, 401, "api.context.session_expired.app_error");
    }
    for (method, path) in [
        (Method::PUT, "/api/v4/config"),
        (Method::PUT, "/api/v4/config/patch"),
    ] {
        let (status, body) = server
            .call(
                Some(&bob),
                method,
                path,
                Some(json!({"TeamSettings": {"SiteName": "Bob's"}})),
            )
            .await;
        assert_error(status, &body, 403, "api.context.permissions.app_error");
    }
    let (status, body) = server
        .call(Some(&bob), Method::POST, "/api/v4/config/reload", None)
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    assert_eq!(client_config(&server, None).await["SiteName"], "Hearth");
}

#[tokio::test]
async fn a_saved_setting_takes_effect_at_once_and_survives_a_restart() {
    let data = data_dir();
    write_config(
        data.path(),
        &json!({
            "TeamSettings": {"SiteName": "Before", "FromTheFuture": 1},
            "EmailSettings": {"SMTPPassword": "s3cret"},
            "PluginSettings": {"Enable": true, "Plugins": {"x": {"y": 2}}},
        }),
    );
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let mut socket = server.ws(&bob.token).await;
    let before = version_id(&server.get("/api/v4/system/ping").send().await.unwrap());
    // Open sign-up is off by default.
    assert_eq!(sign_up(&server, "carol").await, 403);

    let (status, saved) = patch(
        &server,
        &admin,
        json!({"TeamSettings": {"SiteName": "Patched", "EnableOpenServer": true}, "NoSuchSettings": {"X": 1}}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["TeamSettings"]["SiteName"], "Patched");
    assert_eq!(saved["EmailSettings"]["SMTPPassword"], REDACTED);
    assert!(saved.get("NoSuchSettings").is_none());

    // At once: the client configuration, the behaviour, the version header, the sockets.
    let client = client_config(&server, Some(&bob)).await;
    assert_eq!(client["SiteName"], "Patched");
    assert_eq!(client["EnableOpenServer"], "true");
    assert_eq!(sign_up(&server, "carol").await, 201);
    let after = version_id(&server.get("/api/v4/system/ping").send().await.unwrap());
    assert_ne!(before, after);
    let event = socket.expect_event("config_changed").await;
    assert_eq!(event["data"]["config"]["SiteName"], "Patched", "{event}");
    assert_eq!(event["data"]["config"]["EnableOpenServer"], "true");
    assert_eq!(event["data"]["config"]["NoAccounts"], "false");
    // A signed-in user's configuration, not the login page's.
    assert!(
        event["data"]["config"].get("MaxFileSize").is_some(),
        "{event}"
    );
    assert_eq!(event["broadcast"]["user_id"], "");

    // Written to the file, with everything this version does not know kept.
    let file = read_config(data.path());
    assert_eq!(file["TeamSettings"]["SiteName"], "Patched");
    assert_eq!(file["TeamSettings"]["EnableOpenServer"], true);
    assert_eq!(file["TeamSettings"]["FromTheFuture"], 1);
    assert_eq!(file["PluginSettings"]["Plugins"]["x"]["y"], 2);
    assert_eq!(file["EmailSettings"]["SMTPPassword"], "s3cret");
    assert!(file.get("NoSuchSettings").is_none());

    // The whole configuration, as the System Console sends it back: the placeholder keeps
    // the secret; what is left out goes back to its default.
    let (_, mut whole) = get(&server, Some(&admin), "/api/v4/config").await;
    whole["TeamSettings"]["MaxUsersPerTeam"] = json!(12);
    whole["FileSettings"]
        .as_object_mut()
        .unwrap()
        .remove("MaxFileSize");
    let (status, saved) = server
        .call(Some(&admin), Method::PUT, "/api/v4/config", Some(whole))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["TeamSettings"]["MaxUsersPerTeam"], 12);
    assert_eq!(saved["FileSettings"]["MaxFileSize"], 104857600);
    let file = read_config(data.path());
    assert_eq!(file["EmailSettings"]["SMTPPassword"], "s3cret");
    assert_eq!(file["TeamSettings"]["FromTheFuture"], 1);
    // The command line's address is not written into the file.
    assert_eq!(file["ServiceSettings"]["SiteURL"], "");
    assert!(
        file["ServiceSettings"].get("ListenAddress").is_none(),
        "{file}"
    );
    socket.expect_event("config_changed").await;

    // A setting read only at start is saved, and the log says when it takes effect.
    let (status, _) = patch(
        &server,
        &admin,
        json!({"SearchSettings": {"Language": "de"}}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        server
            .logged("these settings take effect when Hearth restarts")
            .await
    );
    assert!(server.logs().contains("SearchSettings.Language"));

    drop(socket);
    drop(server);
    let server = Server::start(data.path(), &[]);
    let client = client_config(&server, None).await;
    assert_eq!(client["SiteName"], "Patched");
    assert_eq!(client["EnableOpenServer"], "true");
}

#[tokio::test]
async fn an_invalid_configuration_is_refused_and_changes_nothing() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let before = std::fs::read(data.path().join("config.json")).unwrap();

    for (body, key) in [
        (
            json!({"TeamSettings": {"SiteName": ""}}),
            "TeamSettings.SiteName",
        ),
        (
            json!({"FileSettings": {"MaxFileSize": "big"}}),
            "FileSettings.MaxFileSize",
        ),
        (
            json!({"ServiceSettings": {"SiteURL": "chat.example.com"}}),
            "ServiceSettings.SiteURL",
        ),
        (json!({"TeamSettings": [1, 2]}), "TeamSettings"),
    ] {
        let (status, error) = patch(&server, &admin, body.clone()).await;
        assert_error(status, &error, 400, "model.config.is_valid.app_error");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(key), "{body}: {message}");
    }
    let (status, error) = server
        .call(
            Some(&admin),
            Method::PUT,
            "/api/v4/config",
            Some(json!({"PasswordSettings": {"MinimumLength": 2}})),
        )
        .await;
    assert_error(status, &error, 400, "model.config.is_valid.app_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("PasswordSettings.MinimumLength")
    );
    let (status, error) = patch(&server, &admin, json!([1])).await;
    assert_error(status, &error, 400, "model.config.is_valid.app_error");
    let response = server
        .as_user(&admin, Method::PUT, "/api/v4/config/patch")
        .header("Content-Type", "application/json")
        .body("{\"TeamSettings\": ")
        .send()
        .await
        .unwrap();
    let (status, error) = crate::support::json(response).await;
    assert_error(
        status,
        &error,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Nothing was written, nothing changed.
    assert_eq!(
        std::fs::read(data.path().join("config.json")).unwrap(),
        before
    );
    assert_eq!(client_config(&server, None).await["SiteName"], "Hearth");

    // Once set, the site address cannot be emptied (as in Mattermost), only changed.
    let site = json!({"ServiceSettings": {"SiteURL": "https://chat.example.com"}});
    assert_eq!(patch(&server, &admin, site).await.0, 200);
    let (status, error) = patch(&server, &admin, json!({"ServiceSettings": {"SiteURL": ""}})).await;
    assert_error(
        status,
        &error,
        400,
        "api.config.update_config.clear_siteurl.app_error",
    );
    assert_eq!(
        read_config(data.path())["ServiceSettings"]["SiteURL"],
        "https://chat.example.com"
    );
}

#[tokio::test]
async fn environment_overrides_stay_in_force() {
    let data = data_dir();
    write_config(data.path(), &json!({"TeamSettings": {"SiteName": "File"}}));
    let server = Server::start(data.path(), &[("HEARTH_TEAMSETTINGS_SITENAME", "Env")]);
    let admin = server.admin().await;

    let (status, saved) = patch(
        &server,
        &admin,
        json!({"TeamSettings": {"SiteName": "Api"}}),
    )
    .await;
    // Mattermost answers such a save normally; the variable keeps winning.
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["TeamSettings"]["SiteName"], "Env");
    assert_eq!(client_config(&server, None).await["SiteName"], "Env");
    // A round trip of what GET shows writes no environment value into the file.
    let (_, whole) = get(&server, Some(&admin), "/api/v4/config").await;
    let (status, _) = server
        .call(Some(&admin), Method::PUT, "/api/v4/config", Some(whole))
        .await;
    assert_eq!(status, 200);
    assert_eq!(read_config(data.path())["TeamSettings"]["SiteName"], "File");
    let (_, environment) = get(&server, Some(&admin), "/api/v4/config/environment").await;
    assert_eq!(environment["TeamSettings"]["SiteName"], true);
}

#[tokio::test]
async fn a_reload_picks_up_an_edited_file() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let mut socket = server.ws(&admin.token).await;

    let mut file = read_config(data.path());
    file["TeamSettings"]["SiteName"] = json!("Edited");
    write_config(data.path(), &file);
    // Not before the reload...
    assert_eq!(client_config(&server, None).await["SiteName"], "Hearth");
    let (status, body) = server
        .call(Some(&admin), Method::POST, "/api/v4/config/reload", None)
        .await;
    assert_eq!((status, body), (200, json!({"status": "OK"})));
    assert_eq!(client_config(&server, None).await["SiteName"], "Edited");
    let event = socket.expect_event("config_changed").await;
    assert_eq!(event["data"]["config"]["SiteName"], "Edited");

    // A file that cannot be used is refused, naming the key; the configuration in force stays.
    file["TeamSettings"]["TeammateNameDisplay"] = json!("nick");
    write_config(data.path(), &file);
    let (status, error) = server
        .call(Some(&admin), Method::POST, "/api/v4/config/reload", None)
        .await;
    assert_error(status, &error, 400, "api.config.reload_config.app_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("TeamSettings.TeammateNameDisplay"),
        "{error}"
    );
    std::fs::write(data.path().join("config.json"), "{ not json").unwrap();
    let (status, error) = server
        .call(Some(&admin), Method::POST, "/api/v4/config/reload", None)
        .await;
    assert_error(status, &error, 400, "api.config.reload_config.app_error");
    assert_eq!(client_config(&server, None).await["SiteName"], "Edited");
}

#[tokio::test]
async fn no_accounts_until_the_first_one() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    assert_eq!(client_config(&server, None).await["NoAccounts"], "true");
    let admin = server.admin().await;
    assert_eq!(client_config(&server, None).await["NoAccounts"], "false");
    assert_eq!(
        client_config(&server, Some(&admin)).await["NoAccounts"],
        "false"
    );
}

/// `POST /logs` at ERROR as `who`; the status.
async fn log_message(server: &Server, who: &Login, text: &str) -> u16 {
    let body = json!({"level": "ERROR", "message": text});
    let path = "/api/v4/logs";
    server
        .call(Some(who), Method::POST, path, Some(body))
        .await
        .0
}

#[tokio::test]
async fn admins_read_the_recent_log() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    let (status, lines) = get(&server, Some(&admin), "/api/v4/logs").await;
    assert_eq!(status, 200, "{lines}");
    let lines: Vec<Value> = lines
        .as_array()
        .unwrap()
        .iter()
        .map(|line| serde_json::from_str(line.as_str().unwrap()).unwrap())
        .collect();
    let ready = lines
        .iter()
        .find(|line| line["msg"] == "Hearth is ready")
        .expect("the start-up line");
    assert_eq!(ready["level"], "info");
    assert!(
        ready["timestamp"].as_str().unwrap().ends_with(" Z"),
        "{ready}"
    );
    assert!(
        ready["caller"].as_str().unwrap().contains("server.rs"),
        "{ready}"
    );

    // Newest last; pages count back from the newest.
    let (_, newest) = get(&server, Some(&admin), "/api/v4/logs?logs_per_page=2").await;
    assert_eq!(newest.as_array().unwrap().len(), 2);
    let (_, far) = get(
        &server,
        Some(&admin),
        "/api/v4/logs?page=100000&logs_per_page=10",
    )
    .await;
    assert_eq!(far, json!([]));
    let (status, error) = get(&server, Some(&admin), "/api/v4/logs?page=-1").await;
    assert_error(
        status,
        &error,
        400,
        "api.context.invalid_url_param.app_error",
    );

    // A client's message lands in it: an admin's at ERROR; a user's only at DEBUG, which
    // shows once the level is lowered, at once.
    assert_eq!(log_message(&server, &admin, "admin says hi").await, 200);
    assert_eq!(log_message(&server, &bob, "bob whispers").await, 200);
    let (_, log) = get(&server, Some(&admin), "/api/v4/logs").await;
    assert!(log.to_string().contains("admin says hi"));
    assert!(!log.to_string().contains("bob whispers"));
    let lower = json!({"LogSettings": {"ConsoleLevel": "DEBUG"}});
    assert_eq!(patch(&server, &admin, lower).await.0, 200);
    assert_eq!(log_message(&server, &bob, "bob again").await, 200);
    let (_, log) = get(&server, Some(&admin), "/api/v4/logs").await;
    assert!(log.to_string().contains("bob again"), "{log}");

    let (status, error) = get(&server, Some(&bob), "/api/v4/logs").await;
    assert_error(status, &error, 403, "api.context.permissions.app_error");
    let (status, error) = get(&server, None, "/api/v4/logs").await;
    assert_error(status, &error, 401, "api.context.session_expired.app_error");
}

/// Calls `/api/v4{path}` as `who`.
async fn call(
    server: &Server,
    who: &Login,
    method: Method,
    path: String,
    body: Option<Value>,
) -> (u16, Value) {
    let path = format!("/api/v4{path}");
    server.call(Some(who), method, &path, body).await
}

fn rows(body: &Value) -> std::collections::BTreeMap<String, i64> {
    body.as_array()
        .unwrap_or_else(|| panic!("rows: {body}"))
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_string(),
                row["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn statistics_count_what_was_created() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;

    let (status, team) = call(
        &server,
        &admin,
        Method::POST,
        "/teams".into(),
        Some(json!({"name": "stats", "display_name": "Stats", "type": "O"})),
    )
    .await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, _) = call(
        &server,
        &admin,
        Method::POST,
        format!("/teams/{team_id}/members"),
        Some(json!({"team_id": team_id, "user_id": bob.id()})),
    )
    .await;
    assert_eq!(status, 201);
    let mut channel_ids = Vec::new();
    for (name, kind) in [("lobby", "O"), ("backroom", "P")] {
        let body = json!({"team_id": team_id, "name": name, "display_name": name, "type": kind});
        let (status, channel) = call(
            &server,
            &admin,
            Method::POST,
            "/channels".into(),
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{channel}");
        channel_ids.push(channel["id"].as_str().unwrap().to_string());
    }
    let (status, _) = call(
        &server,
        &admin,
        Method::DELETE,
        format!("/users/{}", carol.id()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mut socket = server.ws(&bob.token).await;
    let _ = socket.drain(std::time::Duration::from_millis(200)).await;

    let (status, body) = get(&server, Some(&admin), "/api/v4/analytics/old").await;
    assert_eq!(status, 200, "{body}");
    let site = rows(&body);
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "channel_open_count",
            "channel_private_count",
            "post_count",
            "unique_user_count",
            "team_count",
            "total_websocket_connections",
            "total_master_db_connections",
            "total_read_db_connections",
            "daily_active_users",
            "monthly_active_users",
            "inactive_user_count",
        ]
    );
    // town-square, off-topic and lobby; backroom.
    assert_eq!(site["channel_open_count"], 3);
    assert_eq!(site["channel_private_count"], 1);
    // The admin and bob; carol is deactivated.
    assert_eq!(site["unique_user_count"], 2);
    assert_eq!(site["inactive_user_count"], 1);
    assert_eq!(site["team_count"], 1);
    assert_eq!(site["total_websocket_connections"], 1);
    assert!(site["total_master_db_connections"] >= 1, "{body}");
    assert_eq!(site["total_read_db_connections"], 0);
    assert!((1..=3).contains(&site["daily_active_users"]), "{body}");
    assert!(site["monthly_active_users"] >= site["daily_active_users"]);

    // Three posts, one deleted: two more.
    let mut last = String::new();
    for n in 0..3 {
        let body = json!({"channel_id": channel_ids[0], "message": format!("post {n}")});
        let (status, post) = call(&server, &admin, Method::POST, "/posts".into(), Some(body)).await;
        assert_eq!(status, 201, "{post}");
        last = post["id"].as_str().unwrap().to_string();
    }
    let (status, _) = call(
        &server,
        &admin,
        Method::DELETE,
        format!("/posts/{last}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, body) = get(&server, Some(&admin), "/api/v4/analytics/old?name=standard").await;
    assert_eq!(rows(&body)["post_count"], site["post_count"] + 2);

    let path = format!("/api/v4/analytics/old?team_id={team_id}");
    let (status, body) = get(&server, Some(&admin), &path).await;
    assert_eq!(status, 200, "{body}");
    let scoped = rows(&body);
    assert_eq!(scoped["channel_open_count"], 3);
    assert_eq!(scoped["unique_user_count"], 2);
    assert_eq!(scoped["inactive_user_count"], -1);
    assert_eq!(
        scoped["post_count"],
        rows(&get(&server, Some(&admin), "/api/v4/analytics/old").await.1)["post_count"]
    );

    for (path, status_wanted, id) in [
        (
            "/api/v4/analytics/old?team_id=nope",
            400,
            "api.context.invalid_url_param.app_error",
        ),
        (
            "/api/v4/analytics/old?name=bogus",
            400,
            "api.context.invalid_url_param.app_error",
        ),
    ] {
        let (status, error) = get(&server, Some(&admin), path).await;
        assert_error(status, &error, status_wanted, id);
    }
    let (status, error) = get(&server, Some(&bob), "/api/v4/analytics/old").await;
    assert_error(status, &error, 403, "api.context.permissions.app_error");

    // The charts: per UTC day, newest first. Everything here was written in the last
    // 30 days, so the days add up to the total.
    let standard = rows(&get(&server, Some(&admin), "/api/v4/analytics/old").await.1);
    let per_day = |name: &str| {
        let path = format!("/api/v4/analytics/old?name={name}");
        let server = &server;
        let admin = &admin;
        async move {
            let (status, body) = get(server, Some(admin), &path).await;
            assert_eq!(status, 200, "{body}");
            let days: Vec<(String, i64)> = body
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["name"].as_str().unwrap().to_string(),
                        r["value"].as_i64().unwrap(),
                    )
                })
                .collect();
            assert!(days.windows(2).all(|w| w[0].0 > w[1].0), "{body}");
            assert!(
                days.iter()
                    .all(|(day, _)| day.len() == 10 && &day[4..5] == "-"),
                "{body}"
            );
            days
        }
    };
    let posts = per_day("post_counts_day").await;
    assert_eq!(
        posts.iter().map(|(_, n)| n).sum::<i64>(),
        standard["post_count"]
    );
    // The admin, Bob and the deactivated Carol are everyone who could have written.
    let authors = per_day("user_counts_with_posts_day").await;
    assert!(
        authors.iter().all(|(_, n)| (1..=3).contains(n)),
        "{authors:?}"
    );
    assert_eq!(authors.len(), posts.len());
    assert!(per_day("bot_post_counts_day").await.is_empty());
    let body = json!({"channel_id": channel_ids[0], "message": "see #release notes"});
    let (status, _) = call(&server, &admin, Method::POST, "/posts".into(), Some(body)).await;
    assert_eq!(status, 201);
    let (status, body) = get(
        &server,
        Some(&admin),
        "/api/v4/analytics/old?name=extra_counts",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let extra = rows(&body);
    assert_eq!(extra.len(), 6, "{body}");
    assert_eq!(extra["file_post_count"], 0);
    assert_eq!(extra["hashtag_post_count"], 1);
    assert_eq!(extra["incoming_webhook_count"], 0);
    // The admin's and Bob's sessions at least.
    assert!(extra["session_count"] >= 2, "{body}");

    // The user counts.
    let (status, body) = get(&server, Some(&bob), "/api/v4/users/stats").await;
    assert_eq!((status, body), (200, json!({"total_users_count": 2})));
    for (query, count) in [
        ("", 2),
        ("?include_deleted=true", 3),
        ("?roles=system_admin", 1),
        (&format!("?in_team={team_id}") as &str, 2),
        (
            &format!("?in_team={team_id}&roles=system_user&include_bots=true"),
            2,
        ),
    ] {
        let path = format!("/api/v4/users/stats/filtered{query}");
        let (status, body) = get(&server, Some(&admin), &path).await;
        assert_eq!(
            (status, body),
            (200, json!({"total_users_count": count})),
            "{query}"
        );
    }
    let (status, error) = get(&server, Some(&bob), "/api/v4/users/stats/filtered").await;
    assert_error(status, &error, 403, "api.context.permissions.app_error");
    let (status, error) = get(
        &server,
        Some(&admin),
        "/api/v4/users/stats/filtered?in_team=x",
    )
    .await;
    assert_error(
        status,
        &error,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, _) = get(
        &server,
        Some(&admin),
        "/api/v4/users/stats/filtered?team_roles=team_admin",
    )
    .await;
    assert_eq!(status, 501);
    let (status, error) = get(&server, None, "/api/v4/users/stats").await;
    assert_error(status, &error, 401, "api.context.session_expired.app_error");
}
