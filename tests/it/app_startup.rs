//! The official apps' first minutes, replayed as their sources send them
//! (`../shared/mattermost/CLIENTS.md`): the desktop app validating a server, and the
//! mobile app adding a server, signing in, loading two teams (the team calls in one
//! `Promise.all`), its deferred calls, and its WebSocket with `connection_id` and
//! `sequence_number`. Every call must answer 2xx with the fields the apps read, since the
//! mobile app gives up on the team (or signs the user out, on a 401) otherwise.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::ws::WAIT;
use crate::support::{Server, data_dir};
use crate::teams_channels::{add_to_channel, add_to_team, id_of, new_channel, new_team, say};

const PASSWORD: &str = crate::support::accounts::PASSWORD;

/// One call as the app makes it; panics unless it answers 2xx. Returns the body.
async fn call(
    s: &Server,
    who: Option<&Login>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let (status, answer) = s.call(who, method.clone(), path, body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {answer}"
    );
    answer
}

async fn get(s: &Server, who: Option<&Login>, path: &str) -> Value {
    call(s, who, Method::GET, path, None).await
}

fn has(value: &Value, keys: &[&str]) {
    for key in keys {
        assert!(value.get(*key).is_some(), "{key} missing from {value}");
    }
}

#[tokio::test]
async fn the_desktop_app_validates_the_server() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let ping = get(s, None, "/api/v4/system/ping").await;
    assert_eq!(ping["status"], "OK");
    let config = get(s, None, "/api/v4/config/client?format=old").await;
    has(&config, &["Version", "SiteURL", "SiteName"]);
    let version = config["Version"].as_str().unwrap();
    let parts: Vec<u64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(
        parts.len() == 3 && (parts[0], parts[1]) >= (9, 4),
        "Version {version} must be semver ≥ 9.4.0"
    );
    assert!(get(s, None, "/api/v4/plugins/webapp").await.is_array());
    let licence = get(s, None, "/api/v4/license/client?format=old").await;
    assert_eq!(licence["IsLicensed"], "false");
}

#[tokio::test]
async fn the_mobile_app_signs_in_loads_two_teams_and_follows_the_socket() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    // Someone set the server up: two teams, a channel with history, a DM and a GM.
    let admin = s.admin().await;
    s.create_user("maria", Some(&admin)).await;
    s.create_user("omar", Some(&admin)).await;
    let omar = s.login("omar", PASSWORD).await;
    let teams = [
        new_team(s, &admin, "north", "O").await,
        new_team(s, &admin, "south", "O").await,
    ];
    let maria_id = get(s, Some(&admin), "/api/v4/users/username/maria").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for team in &teams {
        add_to_team(s, &admin, team, &maria_id).await;
        add_to_team(s, &admin, team, omar.id()).await;
    }
    let plans = new_channel(s, &admin, &teams[0], "plans", "O").await;
    add_to_channel(s, &admin, &plans, &maria_id).await;
    for n in 0..5 {
        say(s, &admin, &plans, &format!("history {n}")).await;
    }
    let dm = id_of(
        &call(
            s,
            Some(&omar),
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([omar.id(), maria_id])),
        )
        .await,
    );
    let gm = id_of(
        &call(
            s,
            Some(&omar),
            Method::POST,
            "/api/v4/channels/group",
            Some(json!([omar.id(), maria_id, admin.id()])),
        )
        .await,
    );
    say(s, &omar, &dm, "welcome!").await;

    // 1. Adding the server: ping with the push check, config and licence, signed out.
    let ping = get(
        s,
        None,
        "/api/v4/system/ping?get_server_status=true&device_id=android_rn-v2:abc",
    )
    .await;
    assert_eq!(ping["status"], "OK");
    let (config, licence) = tokio::join!(
        get(s, None, "/api/v4/config/client?format=old"),
        get(s, None, "/api/v4/license/client?format=old"),
    );
    assert!(!config["DiagnosticId"].as_str().unwrap().is_empty());
    has(
        &config,
        &[
            "EnableSignInWithEmail",
            "EnableSignInWithUsername",
            "EnableLdap",
            "EnableSaml",
        ],
    );
    assert_eq!(licence["IsLicensed"], "false");

    // 2. Login, with the body the app sends (a null MFA token).
    let response = s
        .post("/api/v4/users/login")
        .json(&json!({"device_id": "android_rn-v2:device-token-1", "voip_device_id": null, "login_id": "maria", "password": PASSWORD, "token": null, "ldap_only": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token = response.headers()["Token"].to_str().unwrap().to_string();
    let me: Value = response.json().await.unwrap();
    assert!(
        me["roles"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|r| r == "system_user"),
        "{me}"
    );
    let maria = Login {
        token,
        user: me.clone(),
    };

    // 3. The first load.
    let device = json!({"device_id": "android_rn-v2:device-token-1", "device_notification_disabled": "false", "mobile_version": "2.30.0"});
    call(
        s,
        Some(&maria),
        Method::PUT,
        "/api/v4/users/sessions/device",
        Some(device),
    )
    .await;
    let zone = json!({"timezone": {"useAutomaticTimezone": "true", "automaticTimezone": "Europe/Lisbon", "manualTimezone": ""}});
    call(
        s,
        Some(&maria),
        Method::PUT,
        "/api/v4/users/me/patch",
        Some(zone),
    )
    .await;
    let first = join_all(
        [
            "/api/v4/config/client?format=old",
            "/api/v4/license/client?format=old",
            "/api/v4/users/me/preferences",
            "/api/v4/users/me/teams",
            "/api/v4/users/me/teams/members",
            "/api/v4/users/me",
            "/api/v4/users/me/status",
        ]
        .map(|path| get(s, Some(&maria), path)),
    )
    .await;
    assert_eq!(
        first[3].as_array().unwrap().len(),
        2,
        "both teams: {}",
        first[3]
    );
    assert_eq!(first[4].as_array().unwrap().len(), 2);
    assert!(
        first[5].get("email").is_some(),
        "/users/me carries email: {}",
        first[5]
    );
    has(&first[6], &["status", "user_id"]);

    // 4. Each team: channels, memberships and categories in one Promise.all.
    for team in &teams {
        let base = format!("/api/v4/users/me/teams/{team}/channels");
        let [channels, members, categories] = <[Value; 3]>::try_from(
            join_all(
                [
                    format!("{base}?include_deleted=false&last_delete_at=0"),
                    format!("{base}/members"),
                    format!("{base}/categories"),
                ]
                .iter()
                .map(|path| get(s, Some(&maria), path)),
            )
            .await,
        )
        .unwrap();
        let channel_ids: Vec<&str> = channels
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        for c in channels.as_array().unwrap() {
            has(
                c,
                &[
                    "total_msg_count",
                    "total_msg_count_root",
                    "last_post_at",
                    "last_root_post_at",
                    "type",
                    "team_id",
                ],
            );
        }
        for m in members.as_array().unwrap() {
            has(
                m,
                &[
                    "channel_id",
                    "msg_count",
                    "msg_count_root",
                    "mention_count",
                    "mention_count_root",
                    "notify_props",
                    "roles",
                ],
            );
        }
        // Every channel the app got is in exactly one category.
        let placed: Vec<&str> = categories["categories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| {
                has(
                    c,
                    &[
                        "id",
                        "team_id",
                        "user_id",
                        "type",
                        "display_name",
                        "sorting",
                        "sort_order",
                        "muted",
                        "collapsed",
                        "channel_ids",
                    ],
                );
                c["channel_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| id.as_str().unwrap())
            })
            .collect();
        let mut sorted_placed = placed.clone();
        sorted_placed.sort();
        sorted_placed.dedup();
        assert_eq!(
            sorted_placed.len(),
            placed.len(),
            "a channel in two categories: {categories}"
        );
        for id in &channel_ids {
            assert!(placed.contains(id), "{id} in no category: {categories}");
        }
        assert_eq!(
            categories["order"].as_array().unwrap().len(),
            categories["categories"].as_array().unwrap().len()
        );
    }

    // 5. Plugins (three times), the open channel's posts, and viewing it.
    for _ in 0..3 {
        assert!(
            get(s, Some(&maria), "/api/v4/plugins/webapp")
                .await
                .is_array()
        );
    }
    let posts = get(s, Some(&maria), &format!("/api/v4/channels/{plans}/posts?page=0&per_page=60&collapsedThreads=true&collapsedThreadsExtended=false")).await;
    assert!(posts["order"].as_array().unwrap().len() >= 5, "{posts}");
    has(&posts, &["posts", "next_post_id", "prev_post_id"]);
    let view =
        json!({"channel_id": plans, "prev_channel_id": "", "collapsed_threads_supported": true});
    call(
        s,
        Some(&maria),
        Method::POST,
        "/api/v4/channels/members/me/view",
        Some(view),
    )
    .await;

    // 6. The deferred calls.
    let in_dm = get(
        s,
        Some(&maria),
        &format!("/api/v4/users?in_channel={dm}&page=0&per_page=60"),
    )
    .await;
    assert!(
        in_dm
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "omar"),
        "{in_dm}"
    );
    let gm_members = call(
        s,
        Some(&maria),
        Method::POST,
        "/api/v4/users/group_channels",
        Some(json!([gm])),
    )
    .await;
    assert_eq!(gm_members[&gm].as_array().unwrap().len(), 2, "{gm_members}");
    let ids = call(
        s,
        Some(&maria),
        Method::POST,
        "/api/v4/users/ids?since=0",
        Some(json!([omar.id(), admin.id()])),
    )
    .await;
    assert_eq!(ids.as_array().unwrap().len(), 2);
    call(
        s,
        Some(&maria),
        Method::POST,
        "/api/v4/users/usernames",
        Some(json!(["omar"])),
    )
    .await;
    assert!(
        get(
            s,
            Some(&maria),
            "/api/v4/teams?page=0&per_page=60&include_total_count=false"
        )
        .await
        .is_array()
    );
    let roles = call(
        s,
        Some(&maria),
        Method::POST,
        "/api/v4/roles/names",
        Some(json!(["system_user", "team_user", "channel_user"])),
    )
    .await;
    assert_eq!(roles.as_array().unwrap().len(), 3);
    for team in &teams {
        let threads = get(
            s,
            Some(&maria),
            &format!(
                "/api/v4/users/{}/teams/{team}/threads?extended=true&unread=false&per_page=60",
                maria.id()
            ),
        )
        .await;
        has(
            &threads,
            &[
                "threads",
                "total",
                "total_unread_threads",
                "total_unread_mentions",
            ],
        );
        let unread = get(
            s,
            Some(&maria),
            &format!("/api/v4/users/me/channels/{dm}/posts/unread?limit_before=30&limit_after=30"),
        )
        .await;
        has(&unread, &["order", "posts"]);
    }
    let statuses = call(
        s,
        Some(&maria),
        Method::POST,
        "/api/v4/users/status/ids",
        Some(json!([omar.id()])),
    )
    .await;
    assert_eq!(statuses[0]["user_id"], omar.id());
    assert!(get(s, Some(&maria), "/api/v4/users/known").await.is_array());

    // 7. The socket: the challenge as the first frame, then ping.
    let mut socket = s
        .ws_raw("", "?connection_id=&sequence_number=0")
        .await
        .expect("connects");
    let challenge = socket
        .send("authentication_challenge", json!({"token": maria.token}))
        .await;
    assert_eq!(challenge, 1);
    // The reply to the challenge and the first event, `hello` at seq 0, in either order
    // (replies carry `seq_reply`, not `seq`, and do not count).
    let (mut hello, mut reply) = (None, None);
    while hello.is_none() || reply.is_none() {
        let frame = socket.event().await;
        if frame.get("seq_reply").is_some() {
            reply = Some(frame);
        } else {
            assert!(
                hello.is_none(),
                "only hello comes before the challenge's reply: {frame}"
            );
            hello = Some(frame);
        }
    }
    let (hello, reply) = (hello.unwrap(), reply.unwrap());
    assert_eq!(
        (hello["event"].as_str(), hello["seq"].as_i64()),
        (Some("hello"), Some(0)),
        "{hello}"
    );
    let connection_id = hello["data"]["connection_id"].as_str().unwrap().to_string();
    assert!(!connection_id.is_empty());
    assert_eq!(
        (reply["seq_reply"].as_i64(), reply["status"].as_str()),
        (Some(challenge), Some("OK")),
        "{reply}"
    );
    let ping = socket.send("ping", json!({})).await;
    let pong = socket.reply(ping).await;
    assert_eq!(pong["data"]["text"], "pong", "{pong}");
    // A post arrives with the next seq; events are numbered without gaps.
    say(s, &omar, &dm, "are you there?").await;
    let posted = socket.expect_event("posted").await;
    let seq = posted["seq"].as_i64().unwrap();
    assert!(seq >= 1);
    socket.close().await;

    // Reconnecting with the connection id and the next expected seq resumes: what was
    // sent while away arrives, numbered on.
    say(s, &omar, &dm, "while you were away").await;
    let query = format!("?connection_id={connection_id}&sequence_number={}", seq + 1);
    let mut again = s.ws_raw("", &query).await.expect("reconnects");
    again
        .send("authentication_challenge", json!({"token": maria.token}))
        .await;
    let mut missed = None;
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        let Some(frame) = again.next(WAIT).await else {
            break;
        };
        if frame["event"] == "posted"
            && frame["data"]["post"]
                .as_str()
                .unwrap_or("")
                .contains("while you were away")
        {
            missed = Some(frame);
            break;
        }
    }
    let missed = missed.expect("the post sent while away arrives after the reconnect");
    assert!(missed["seq"].as_i64().unwrap() > seq, "{missed}");
}
