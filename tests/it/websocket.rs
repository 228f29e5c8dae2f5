//! The WebSocket protocol through a real client: authentication, `hello`, events reaching
//! exactly the members allowed to see them, actions, typing, statuses, resume, back-pressure
//! and bad frames.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::accounts::{Login, PASSWORD};
use crate::support::{Server, assert_error, data_dir};
use crate::teams_channels::{add_to_channel, add_to_team, get, id_of, new_channel, new_team};

const QUIET: Duration = Duration::from_millis(400);

/// A team with `admin` (creator), `bob` and `carol`, and a private channel of admin and bob.
struct World {
    server: Server,
    admin: Login,
    bob: Login,
    carol: Login,
    team_id: String,
    town: String,
    private: String,
    _data: tempfile::TempDir,
}

async fn world() -> World {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let team_id = new_team(&server, &admin, "ops", "O").await;
    for user in [&bob, &carol] {
        add_to_team(&server, &admin, &team_id, user.id()).await;
    }
    let town = get(
        &server,
        &admin,
        &format!("/teams/{team_id}/channels/name/town-square"),
    )
    .await;
    let private = new_channel(&server, &admin, &team_id, "secret", "P").await;
    add_to_channel(&server, &admin, &private, bob.id()).await;
    World {
        town: id_of(&town.1),
        server,
        admin,
        bob,
        carol,
        team_id,
        private,
        _data: data,
    }
}

async fn post(w: &World, who: &Login, channel_id: &str, message: &str) -> Value {
    let (status, body) = w
        .server
        .call(
            Some(who),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": message})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

fn names(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|f| f["event"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn clients_authenticate_by_header_or_challenge() {
    let w = world().await;
    let client = w.server.ws(&w.bob.token).await;
    assert_eq!(client.connection_id.len(), 26);
    client.close().await;

    // No credentials at upgrade: the first frame must be the challenge.
    let mut client = w.server.ws_raw("", "").await.unwrap();
    let seq = client
        .send("authentication_challenge", json!({"token": w.bob.token}))
        .await;
    let reply = client.event().await;
    assert_eq!(reply, json!({"status": "OK", "seq_reply": seq}));
    let hello = client.event().await;
    assert_eq!(hello["event"], "hello");
    assert_eq!(hello["seq"], 0);
    assert_eq!(hello["broadcast"]["user_id"], w.bob.id());
    assert!(
        hello["data"]["server_version"]
            .as_str()
            .unwrap()
            .starts_with("11.6.0."),
        "{hello}"
    );

    // A wrong token ends the connection.
    let mut client = w.server.ws_raw("", "").await.unwrap();
    client
        .send("authentication_challenge", json!({"token": "nope"}))
        .await;
    assert!(
        client.next(Duration::from_secs(3)).await.is_none(),
        "socket should close"
    );

    // A wrong token at upgrade is refused outright.
    assert!(
        w.server
            .ws_raw("aaaaaaaaaaaaaaaaaaaaaaaaaa", "")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn ending_a_session_closes_its_sockets() {
    let w = world().await;
    // Bob on two devices; carol on one.
    let second = w.server.login("bob", PASSWORD).await;
    let mut phone = w.server.ws(&w.bob.token).await;
    let mut laptop = w.server.ws(&second.token).await;
    let mut carol = w.server.ws(&w.carol.token).await;

    // Logging out on one device closes that device's socket only.
    let (status, _) = w
        .server
        .call(Some(&w.bob), Method::POST, "/api/v4/users/logout", None)
        .await;
    assert_eq!(status, 200);
    let (code, reason) = phone
        .closed_by_server(Duration::from_secs(5))
        .await
        .expect("the logged-out session's socket closes");
    assert_eq!((code, reason.as_str()), (1008, "session ended"));
    assert_eq!(laptop.closed_by_server(QUIET).await, None);
    // And it cannot come back with the old token.
    assert!(w.server.ws_raw(&w.bob.token, "").await.is_err());

    // Revoking a session by id closes its socket.
    let third = w.server.login("bob", PASSWORD).await;
    let mut tablet = w.server.ws(&third.token).await;
    let (_, sessions) = w
        .server
        .call(
            Some(&w.admin),
            Method::GET,
            &format!("/api/v4/users/{}/sessions", w.bob.id()),
            None,
        )
        .await;
    // The newest session is the tablet's.
    let tablet_session = sessions
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|s| s["create_at"].as_i64())
        .cloned()
        .unwrap();
    let (status, _) = w
        .server
        .call(
            Some(&w.admin),
            Method::POST,
            &format!("/api/v4/users/{}/sessions/revoke", w.bob.id()),
            Some(json!({"session_id": tablet_session["id"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        tablet.closed_by_server(Duration::from_secs(5)).await,
        Some((1008, "session ended".to_string()))
    );
    assert_eq!(laptop.closed_by_server(QUIET).await, None);

    // Deactivating the user closes every socket of theirs, and no one else's.
    let (status, body) = w
        .server
        .call(
            Some(&w.admin),
            Method::PUT,
            &format!("/api/v4/users/{}/active", w.bob.id()),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        laptop.closed_by_server(Duration::from_secs(5)).await,
        Some((1008, "session ended".to_string()))
    );
    assert_eq!(carol.closed_by_server(QUIET).await, None);
    let seq = carol.send("get_statuses", json!({})).await;
    assert_eq!(carol.reply(seq).await["status"], "OK");
}

#[tokio::test]
async fn a_post_reaches_members_and_not_outsiders() {
    let w = world().await;
    let mut bob = w.server.ws(&w.bob.token).await;
    let mut carol = w.server.ws(&w.carol.token).await;

    let sent = post(&w, &w.admin, &w.private, "for bob only @bob").await;
    let frame = bob.expect_event("posted").await;
    let data = &frame["data"];
    let inner: Value =
        serde_json::from_str(data["post"].as_str().expect("post is a JSON string")).unwrap();
    assert_eq!(inner["id"], sent["id"]);
    assert_eq!(inner["message"], "for bob only @bob");
    assert_eq!(
        (
            data["channel_type"].clone(),
            data["channel_name"].clone(),
            data["sender_name"].clone()
        ),
        (json!("P"), json!("secret"), json!("@admin"))
    );
    assert_eq!(data["team_id"], w.team_id.as_str());
    assert_eq!(data["mentions"], json!([w.bob.id()]).to_string());
    assert_eq!(frame["broadcast"]["channel_id"], w.private.as_str());
    assert!(frame["seq"].as_i64().unwrap() > 0);

    // Carol is in the team but not the channel: nothing about it reaches her.
    let carols = carol.drain(QUIET).await;
    assert!(
        !names(&carols).contains(&"posted".to_string()),
        "{carols:?}"
    );

    // A public post reaches both; only the mentioned user's copy carries `mentions`.
    post(&w, &w.admin, &w.town, "hello @carol").await;
    let to_bob = bob.expect_event("posted").await;
    let to_carol = carol.expect_event("posted").await;
    assert!(to_bob["data"].get("mentions").is_none(), "{to_bob}");
    assert_eq!(
        to_carol["data"]["mentions"],
        json!([w.carol.id()]).to_string()
    );

    // Several connections of one user all receive it.
    let mut bob2 = w.server.ws(&w.bob.token).await;
    post(&w, &w.admin, &w.private, "twice").await;
    bob.expect_event("posted").await;
    bob2.expect_event("posted").await;
}

#[tokio::test]
async fn events_follow_every_change_with_mattermost_shapes() {
    let w = world().await;
    let mut bob = w.server.ws(&w.bob.token).await;
    let sent = post(&w, &w.admin, &w.town, "original").await;
    let post_id = sent["id"].as_str().unwrap().to_string();
    bob.expect_event("posted").await;

    w.server
        .call(
            Some(&w.admin),
            Method::PUT,
            &format!("/api/v4/posts/{post_id}/patch"),
            Some(json!({"message": "edited"})),
        )
        .await;
    let edited = bob.expect_event("post_edited").await;
    let inner: Value = serde_json::from_str(edited["data"]["post"].as_str().unwrap()).unwrap();
    assert_eq!(inner["message"], "edited");

    w.server
        .call(
            Some(&w.bob),
            Method::POST,
            "/api/v4/reactions",
            Some(json!({"user_id": w.bob.id(), "post_id": post_id, "emoji_name": "tada"})),
        )
        .await;
    let added = bob.expect_event("reaction_added").await;
    let reaction: Value =
        serde_json::from_str(added["data"]["reaction"].as_str().unwrap()).unwrap();
    assert_eq!(reaction["emoji_name"], "tada");
    w.server
        .call(
            Some(&w.bob),
            Method::DELETE,
            &format!("/api/v4/users/me/posts/{post_id}/reactions/tada"),
            None,
        )
        .await;
    bob.expect_event("reaction_removed").await;

    w.server
        .call(
            Some(&w.admin),
            Method::DELETE,
            &format!("/api/v4/posts/{post_id}"),
            None,
        )
        .await;
    bob.expect_event("post_deleted").await;

    w.server
        .call(
            Some(&w.admin),
            Method::PUT,
            &format!("/api/v4/channels/{}/patch", w.town),
            Some(json!({"header": "new header"})),
        )
        .await;
    let updated = bob.expect_event("channel_updated").await;
    let channel: Value =
        serde_json::from_str(updated["data"]["channel"].as_str().unwrap()).unwrap();
    assert_eq!(channel["header"], "new header");

    w.server
        .call(
            Some(&w.bob),
            Method::POST,
            "/api/v4/channels/members/me/view",
            Some(json!({"channel_id": w.town})),
        )
        .await;
    let viewed = bob.expect_event("multiple_channels_viewed").await;
    assert!(
        viewed["data"]["channel_times"][&w.town].is_i64(),
        "{viewed}"
    );

    w.server
        .call(Some(&w.bob), Method::PUT, "/api/v4/users/me/preferences", Some(json!([{"user_id": w.bob.id(), "category": "display_settings", "name": "use_military_time", "value": "true"}])))
        .await;
    let prefs = bob.expect_event("preferences_changed").await;
    assert!(
        prefs["data"]["preferences"]
            .as_str()
            .unwrap()
            .contains("use_military_time"),
        "{prefs}"
    );

    w.server
        .call(
            Some(&w.bob),
            Method::PUT,
            "/api/v4/users/me/patch",
            Some(json!({"nickname": "bobby"})),
        )
        .await;
    let user = bob.expect_event("user_updated").await;
    assert_eq!(
        user["data"]["user"]["nickname"], "bobby",
        "user is a nested object: {user}"
    );
    assert!(user["data"]["user"].get("password").is_none());

    w.server
        .call(
            Some(&w.admin),
            Method::PUT,
            &format!("/api/v4/users/{}/roles", w.bob.id()),
            Some(json!({"roles": "system_user system_user_access_token"})),
        )
        .await;
    let roles = bob.expect_event("user_role_updated").await;
    assert_eq!(
        roles["data"]["roles"],
        "system_user system_user_access_token"
    );

    // Channel creation and joining.
    let (_, created) = w
        .server
        .call(
            Some(&w.bob),
            Method::POST,
            "/api/v4/channels",
            Some(
                json!({"team_id": w.team_id, "name": "bobs", "display_name": "Bob's", "type": "O"}),
            ),
        )
        .await;
    let frame = bob.expect_event("channel_created").await;
    assert_eq!(frame["data"]["channel_id"], created["id"]);
    let mut carol = w.server.ws(&w.carol.token).await;
    w.server
        .call(
            Some(&w.carol),
            Method::POST,
            &format!(
                "/api/v4/channels/{}/members",
                created["id"].as_str().unwrap()
            ),
            Some(json!({"user_id": w.carol.id()})),
        )
        .await;
    let added = bob.expect_event("user_added").await;
    assert_eq!(added["data"]["user_id"], w.carol.id());
    carol.expect_event("user_added").await;
    w.server
        .call(
            Some(&w.carol),
            Method::DELETE,
            &format!(
                "/api/v4/channels/{}/members/me",
                created["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let removed = carol.expect_event("user_removed").await;
    assert_eq!(removed["data"]["channel_id"], created["id"]);
    bob.expect_event("user_removed").await;

    // Direct and group messages.
    let (_, dm) = w
        .server
        .call(
            Some(&w.carol),
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([w.carol.id(), w.bob.id()])),
        )
        .await;
    let direct = bob.expect_event("direct_added").await;
    assert_eq!(direct["broadcast"]["channel_id"], dm["id"]);
    assert_eq!(direct["data"]["teammate_id"], w.bob.id());
    w.server
        .call(
            Some(&w.carol),
            Method::POST,
            "/api/v4/channels/group",
            Some(json!([w.carol.id(), w.bob.id(), w.admin.id()])),
        )
        .await;
    let group = bob.expect_event("group_added").await;
    let mates: Vec<String> =
        serde_json::from_str(group["data"]["teammate_ids"].as_str().unwrap()).unwrap();
    assert_eq!(mates.len(), 3);

    // Teams: leaving is announced to the team and to the user.
    w.server
        .call(
            Some(&w.carol),
            Method::DELETE,
            &format!("/api/v4/teams/{}/members/me", w.team_id),
            None,
        )
        .await;
    let left = bob.expect_event("leave_team").await;
    assert_eq!(left["data"]["user_id"], w.carol.id());
    carol.expect_event("leave_team").await;

    // New accounts are announced to everyone.
    w.server.create_user("dave", Some(&w.admin)).await;
    bob.expect_event("new_user").await;
}

#[tokio::test]
async fn restores_unread_marks_and_thread_replies_reach_the_right_people() {
    let w = world().await;
    let mut bob = w.server.ws(&w.bob.token).await;
    let mut carol = w.server.ws(&w.carol.token).await;
    let call = |who: &Login, method: Method, path: String, body: Option<Value>| {
        let server = &w.server;
        let who = who.clone();
        async move { server.call(Some(&who), method, &path, body).await }
    };

    // Archiving and restoring the private channel: its members hear both, carol neither.
    let (status, _) = call(
        &w.admin,
        Method::DELETE,
        format!("/api/v4/channels/{}", w.private),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let deleted = bob.expect_event("channel_deleted").await;
    assert_eq!(deleted["data"]["channel_id"], w.private.as_str());
    let (status, _) = call(
        &w.admin,
        Method::POST,
        format!("/api/v4/channels/{}/restore", w.private),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let restored = bob.expect_event("channel_restored").await;
    assert_eq!(restored["data"], json!({"channel_id": w.private}));
    assert_eq!(restored["broadcast"]["channel_id"], w.private.as_str());
    let carols = names(&carol.drain(QUIET).await);
    assert!(
        !carols.iter().any(|n| n.starts_with("channel_")),
        "{carols:?}"
    );

    // Archiving and restoring the team: every member hears `restore_team` with the team.
    let (status, _) = call(
        &w.admin,
        Method::DELETE,
        format!("/api/v4/teams/{}", w.team_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    carol.expect_event("delete_team").await;
    let (status, _) = call(
        &w.admin,
        Method::POST,
        format!("/api/v4/teams/{}/restore", w.team_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let restored = carol.expect_event("restore_team").await;
    let team: Value = serde_json::from_str(restored["data"]["team"].as_str().unwrap()).unwrap();
    assert_eq!(
        (team["id"].as_str(), team["delete_at"].as_i64()),
        (Some(w.team_id.as_str()), Some(0))
    );
    bob.expect_event("restore_team").await;

    // Marking unread from a post: the counts go back, and only bob's sockets hear it.
    let first = post(&w, &w.admin, &w.town, "first @bob").await;
    post(&w, &w.admin, &w.town, "second").await;
    post(&w, &w.admin, &w.town, "third @channel").await;
    let (status, _) = call(
        &w.bob,
        Method::POST,
        format!("/api/v4/channels/members/{}/view", w.bob.id()),
        Some(json!({"channel_id": w.town})),
    )
    .await;
    assert_eq!(status, 200);
    let first_id = first["id"].as_str().unwrap();
    let (status, unread) = call(
        &w.bob,
        Method::POST,
        format!("/api/v4/users/me/posts/{first_id}/set_unread"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{unread}");
    assert_eq!(unread["channel_id"], w.town.as_str());
    assert_eq!(unread["team_id"], w.team_id.as_str());
    assert_eq!(unread["mention_count"], 2, "{unread}");
    assert_eq!(
        unread["last_viewed_at"],
        first["create_at"].as_i64().unwrap() - 1
    );
    let event = bob.expect_event("post_unread").await;
    assert_eq!(event["data"]["post_id"], first_id);
    assert_eq!(event["data"]["mention_count"], 2);
    assert_eq!(event["data"]["msg_count"], unread["msg_count"]);
    assert_eq!(event["broadcast"]["user_id"], w.bob.id());
    // The channel now shows the three posts as unread.
    let (_, counts) = call(
        &w.bob,
        Method::GET,
        format!("/api/v4/users/me/channels/{}/unread", w.town),
        None,
    )
    .await;
    assert_eq!(
        (
            counts["msg_count"].as_i64(),
            counts["mention_count"].as_i64()
        ),
        (Some(3), Some(2)),
        "{counts}"
    );
    assert!(!names(&carol.drain(QUIET).await).contains(&"post_unread".to_string()));
    // Marking someone else's channel unread takes `edit_other_users`.
    let (status, body) = call(
        &w.carol,
        Method::POST,
        format!("/api/v4/users/{}/posts/{first_id}/set_unread", w.bob.id()),
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // A reply updates the thread for its followers, each with their own unread counts.
    let root = post(&w, &w.carol, &w.town, "a thread").await;
    let root_id = root["id"].as_str().unwrap();
    let (status, _) = call(
        &w.bob,
        Method::POST,
        "/api/v4/posts".into(),
        Some(json!({"channel_id": w.town, "root_id": root_id, "message": "reply for @carol"})),
    )
    .await;
    assert_eq!(status, 201);
    let to_carol = carol.expect_event("thread_updated").await;
    assert_eq!(to_carol["broadcast"]["user_id"], w.carol.id());
    assert_eq!(to_carol["broadcast"]["team_id"], w.team_id.as_str());
    let thread: Value = serde_json::from_str(to_carol["data"]["thread"].as_str().unwrap()).unwrap();
    assert_eq!(thread["id"], root_id);
    assert_eq!(thread["reply_count"], 1);
    assert_eq!(
        (
            thread["unread_replies"].as_i64(),
            thread["unread_mentions"].as_i64()
        ),
        (Some(1), Some(1)),
        "{thread}"
    );
    let to_bob = bob.expect_event("thread_updated").await;
    let thread: Value = serde_json::from_str(to_bob["data"]["thread"].as_str().unwrap()).unwrap();
    assert_eq!(
        (
            thread["unread_replies"].as_i64(),
            thread["unread_mentions"].as_i64()
        ),
        (Some(0), Some(0)),
        "{thread}"
    );

    // Seq numbers on one connection go up by one per event, with no gaps.
    post(&w, &w.admin, &w.town, "one").await;
    post(&w, &w.admin, &w.town, "two").await;
    let frames = bob.drain(QUIET).await;
    let seqs: Vec<i64> = frames.iter().filter_map(|f| f["seq"].as_i64()).collect();
    assert!(seqs.len() >= 2, "{frames:?}");
    assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1), "{seqs:?}");
}

#[tokio::test]
async fn typing_statuses_and_actions() {
    let w = world().await;
    let mut bob = w.server.ws(&w.bob.token).await;
    let mut admin = w.server.ws(&w.admin.token).await;

    let seq = admin
        .send(
            "user_typing",
            json!({"channel_id": w.private, "parent_id": ""}),
        )
        .await;
    assert_eq!(admin.reply(seq).await["status"], "OK");
    let typing = bob.expect_event("typing").await;
    assert_eq!(
        typing["data"],
        json!({"parent_id": "", "user_id": w.admin.id()})
    );
    // The typist does not hear themself; carol (not in the channel) cannot type there.
    assert!(!names(&admin.drain(QUIET).await).contains(&"typing".to_string()));
    let mut carol = w.server.ws(&w.carol.token).await;
    let seq = carol
        .send("user_typing", json!({"channel_id": w.private}))
        .await;
    assert_eq!(carol.reply(seq).await["status"], "FAIL");

    // Connected users are online; choosing a status is announced.
    let seq = bob
        .send(
            "get_statuses_by_ids",
            json!({"user_ids": [w.admin.id(), w.carol.id()]}),
        )
        .await;
    let statuses = bob.reply(seq).await;
    assert_eq!(statuses["data"][w.admin.id()], "online", "{statuses}");
    w.server
        .call(
            Some(&w.admin),
            Method::PUT,
            "/api/v4/users/me/status",
            Some(json!({"user_id": w.admin.id(), "status": "dnd"})),
        )
        .await;
    let change = bob.expect_event("status_change").await;
    assert_eq!(
        change["data"],
        json!({"status": "dnd", "user_id": w.admin.id()})
    );

    // Going idle makes an automatic status away.
    let seq = carol
        .send(
            "user_update_active_status",
            json!({"user_is_active": false, "manual": false}),
        )
        .await;
    carol.reply(seq).await;
    let seq = bob
        .send("get_statuses_by_ids", json!({"user_ids": [w.carol.id()]}))
        .await;
    assert_eq!(bob.reply(seq).await["data"][w.carol.id()], "away");

    // Disconnecting the last socket makes an automatic status offline.
    carol.close().await;
    let mut offline = false;
    for _ in 0..50 {
        let (_, status) = w
            .server
            .call(
                Some(&w.bob),
                Method::GET,
                &format!("/api/v4/users/{}/status", w.carol.id()),
                None,
            )
            .await;
        if status["status"] == "offline" {
            offline = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(offline, "carol should be offline after disconnecting");

    let seq = bob.send("ping", json!({})).await;
    let pong = bob.reply(seq).await;
    assert_eq!(pong["data"]["text"], "pong");
    assert_eq!(pong["data"]["version"], "11.6.0");
}

#[tokio::test]
async fn bad_frames_are_answered_and_the_connection_survives() {
    let w = world().await;
    let mut bob = w.server.ws(&w.bob.token).await;
    bob.send_text("not json".into()).await;
    assert_eq!(bob.event().await["status"], "FAIL");
    let seq = bob.send("no_such_action", json!({})).await;
    let reply = bob.reply(seq).await;
    assert_eq!(
        reply["error"]["id"],
        "api.web_socket_router.bad_action.app_error"
    );
    bob.send_text(json!({"seq": 0, "action": "ping"}).to_string())
        .await;
    assert_eq!(
        bob.event().await["error"]["id"],
        "api.web_socket_router.bad_seq.app_error"
    );
    bob.send_text(json!({"seq": 5, "data": {}}).to_string())
        .await;
    assert_eq!(
        bob.event().await["error"]["id"],
        "api.web_socket_router.no_action.app_error"
    );
    bob.send_text(
        json!({"seq": 6, "action": "ping", "data": {"pad": "x".repeat(9000)}}).to_string(),
    )
    .await;
    assert_eq!(bob.event().await["status"], "FAIL");
    bob.send_message(Message::binary(vec![0x81, 0xa3, 0x73, 0x65, 0x71]))
        .await;
    assert_eq!(bob.event().await["status"], "FAIL");
    // Still alive and still getting events.
    let seq = bob.send("ping", json!({})).await;
    assert_eq!(bob.reply(seq).await["status"], "OK");
    post(&w, &w.admin, &w.town, "still here").await;
    bob.expect_event("posted").await;
    // The server is fine too.
    let (status, _) = w.server.get_json("/api/v4/system/ping").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn reconnecting_with_a_sequence_number_replays_exactly_what_was_missed() {
    let w = world().await;
    let mut bob = w.server.ws(&w.bob.token).await;
    post(&w, &w.admin, &w.private, "seen").await;
    bob.expect_event("posted").await;
    let connection_id = bob.connection_id.clone();
    let next = bob.last_seq + 1;
    bob.close().await;

    let first = post(&w, &w.admin, &w.private, "missed one").await;
    let second = post(&w, &w.admin, &w.private, "missed two").await;

    let mut again = w
        .server
        .ws_raw(
            &w.bob.token,
            &format!("?connection_id={connection_id}&sequence_number={next}"),
        )
        .await
        .unwrap();
    let frames = again.drain(QUIET).await;
    let posted: Vec<&Value> = frames.iter().filter(|f| f["event"] == "posted").collect();
    assert!(
        !names(&frames).contains(&"hello".to_string()),
        "a lossless resume sends no hello: {frames:?}"
    );
    assert_eq!(posted.len(), 2, "{frames:?}");
    for (frame, sent) in posted.iter().zip([&first, &second]) {
        let inner: Value = serde_json::from_str(frame["data"]["post"].as_str().unwrap()).unwrap();
        assert_eq!(inner["id"], sent["id"]);
    }
    // Sequence numbers carry on without a gap.
    let seqs: Vec<i64> = frames.iter().filter_map(|f| f["seq"].as_i64()).collect();
    assert_eq!(seqs.first().copied(), Some(next));
    assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1), "{seqs:?}");

    // An unknown connection id starts over with a fresh hello.
    let mut other = w
        .server
        .ws_raw(
            &w.bob.token,
            "?connection_id=aaaaaaaaaaaaaaaaaaaaaaaaaa&sequence_number=5",
        )
        .await
        .unwrap();
    let hello = other.event().await;
    assert_eq!(hello["event"], "hello");
    assert_ne!(hello["data"]["connection_id"], "aaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(hello["seq"], 0);

    // Mattermost's own client opens its first connection with both empty: a fresh one.
    let mut first = w
        .server
        .ws_raw(&w.bob.token, "?connection_id=&sequence_number=0")
        .await
        .expect("the official client's first-connect URL is accepted");
    let hello = first.event().await;
    assert_eq!(hello["event"], "hello");
    assert_eq!(hello["seq"], 0);

    // connection_id without sequence_number is refused.
    assert!(
        w.server
            .ws_raw(&w.bob.token, &format!("?connection_id={connection_id}"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_stalled_reader_is_cut_off_while_others_keep_receiving() {
    let w = world().await;
    let mut reader = w.server.ws(&w.bob.token).await;
    let mut stalled = w.server.ws(&w.bob.token).await;
    // Big posts (a long message and large props) fill the stalled socket's kernel buffers
    // quickly, and then its queue of 256 events.
    let message = "x".repeat(16_000);
    let padding = "y".repeat(60_000);
    let mut received = 0;
    let total = 500;
    for _ in 0..total {
        let (status, body) = w
            .server
            .call(
                Some(&w.admin),
                Method::POST,
                "/api/v4/posts",
                Some(json!({"channel_id": w.town, "message": message, "props": {"pad": padding}})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        // The healthy reader keeps up as we go.
        while let Some(frame) = reader.next(Duration::from_millis(1)).await {
            if frame["event"] == "posted" {
                received += 1;
            }
        }
    }
    while received < total {
        let frame = reader.expect_event("posted").await;
        assert_eq!(frame["event"], "posted");
        received += 1;
    }
    // The stalled one was dropped: reading now ends in a close, well before 400 posts.
    let mut stalled_posts = 0;
    while let Some(frame) = stalled.next(Duration::from_secs(5)).await {
        if frame["event"] == "posted" {
            stalled_posts += 1;
        }
    }
    assert!(
        stalled_posts < total,
        "the stalled reader got everything ({stalled_posts}); it was never cut off"
    );
    assert!(
        w.server.logged("websocket consumer too slow").await,
        "{}",
        w.server.logs()
    );
}

/// Connects to `path` with extra headers; a refusal comes back as (status, JSON body).
async fn upgrade_to(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<WsSocket, (u16, Value)> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}{path}", server.addr())
        .into_client_request()
        .unwrap();
    for (name, value) in headers {
        let name = tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes());
        request
            .headers_mut()
            .insert(name.unwrap(), value.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body = response.body().as_deref().unwrap_or_default();
            let body = serde_json::from_slice(body).unwrap_or(Value::Null);
            Err((response.status().as_u16(), body))
        }
        Err(other) => panic!("the upgrade failed without an answer: {other}"),
    }
}

async fn refuses_a_page_elsewhere(server: &Server, bearer: &str) {
    let headers = [
        ("Authorization", bearer),
        ("Origin", "http://elsewhere.example"),
    ];
    let (status, body) = upgrade_to(server, "/api/v4/websocket", &headers)
        .await
        .expect_err("a page elsewhere is refused");
    assert_error(
        status,
        &body,
        400,
        "api.web_socket.connect.upgrade.app_error",
    );
}

type WsSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[tokio::test]
async fn upgrades_are_checked_like_any_request() {
    let data = data_dir();
    let site = "http://chat.example.com";
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bearer = format!("Bearer {}", admin.token);
    let ws = "/api/v4/websocket";
    // Without a site URL, a browser page must come from the host it connects to.
    let own_page = format!("http://{}", server.addr());
    let socket = upgrade_to(
        &server,
        ws,
        &[("Authorization", &bearer), ("Origin", &own_page)],
    )
    .await;
    assert!(socket.is_ok(), "the server's own page connects");
    refuses_a_page_elsewhere(&server, &bearer).await;

    let (status, body) = server
        .call(
            Some(&admin),
            Method::PUT,
            "/api/v4/config/patch",
            Some(json!({"ServiceSettings": {"SiteURL": site}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Refusals are Mattermost errors, as for any other request.
    let (status, body) = upgrade_to(
        &server,
        ws,
        &[("Authorization", "Bearer aaaaaaaaaaaaaaaaaaaaaaaaaa")],
    )
    .await
    .expect_err("a bad token is refused");
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["status_code"], 401, "{body}");
    refuses_a_page_elsewhere(&server, &bearer).await;
    let (status, body) = upgrade_to(
        &server,
        &format!("{ws}?connection_id={}&sequence_number=x", "a".repeat(26)),
        &[("Authorization", &bearer)],
    )
    .await
    .expect_err("a bad sequence number is refused");
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status_code"], 400, "{body}");
    // Other paths do not upgrade, even where a request would succeed.
    for path in ["/api/v4/nope", "/api/v4/users/me"] {
        let (status, body) = upgrade_to(&server, path, &[("Authorization", &bearer)])
            .await
            .expect_err("no socket on other paths");
        assert_error(
            status,
            &body,
            400,
            "api.web_socket.connect.upgrade.app_error",
        );
    }
    // Without the upgrade headers it is a plain bad request.
    let (status, body) = server.get_json(ws).await;
    assert_error(
        status,
        &body,
        400,
        "api.web_socket.connect.upgrade.app_error",
    );

    // The site itself (and clients that send no Origin) get their socket, and the server
    // logs the upgrade like any request.
    let mut socket = upgrade_to(&server, ws, &[("Authorization", &bearer), ("Origin", site)])
        .await
        .expect("the site's own page connects");
    let hello = futures_util::StreamExt::next(&mut socket)
        .await
        .unwrap()
        .unwrap();
    let hello: Value = serde_json::from_str(hello.to_text().unwrap()).unwrap();
    assert_eq!(hello["event"], "hello", "{hello}");
    assert!(server.logged(&format!("path={ws} status=101")).await);
    let mut again = server.ws(&admin.token).await;
    let seq = again.send("ping", json!({})).await;
    assert_eq!(again.reply(seq).await["status"], "OK");
}

#[tokio::test]
async fn fragmented_large_and_broken_messages() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let fragment = |bytes: &[u8], opcode: Data, last: bool| {
        Message::Frame(Frame::message(bytes.to_vec(), OpCode::Data(opcode), last))
    };
    let w = world().await;

    // An action sent in three frames is joined and answered.
    let mut bob = w.server.ws(&w.bob.token).await;
    let action = json!({"seq": 7, "action": "ping"}).to_string();
    let (head, rest) = action.as_bytes().split_at(5);
    let (middle, tail) = rest.split_at(6);
    bob.send_message(fragment(head, Data::Text, false)).await;
    bob.send_message(fragment(middle, Data::Continue, false))
        .await;
    bob.send_message(fragment(tail, Data::Continue, true)).await;
    let reply = bob.reply(7).await;
    assert_eq!(reply["data"]["text"], "pong", "{reply}");

    // Each of these closes the socket: one frame over 64 KiB and fragments adding up to
    // more as too big (1009), a text frame that is not UTF-8 as invalid data (1007).
    let half = vec![b'x'; 40_000];
    let refused = [
        (vec![Message::text("x".repeat(70_000))], 1009),
        (
            vec![
                fragment(&half, Data::Text, false),
                fragment(&half, Data::Continue, true),
            ],
            1009,
        ),
        (
            vec![fragment(&[b'{', 0xff, 0xfe, b'}'], Data::Text, true)],
            1007,
        ),
    ];
    for (messages, code) in refused {
        let mut bob = w.server.ws(&w.bob.token).await;
        for message in messages {
            bob.send_message(message).await;
        }
        let closed = bob.closed_by_server(Duration::from_secs(5)).await;
        assert_eq!(closed.map(|c| c.0), Some(code));
    }

    // Everyone else carries on.
    let mut carol = w.server.ws(&w.carol.token).await;
    post(&w, &w.admin, &w.town, "after the broken frames").await;
    carol.expect_event("posted").await;
}
