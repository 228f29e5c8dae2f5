//! The lookups the official apps make while they load, as they make them: who the caller
//! knows, the members of their group messages, which users are in a channel, a channel's
//! time zones, the teams a group message shares, channels by id, the posts around the
//! first unread one, all of a user's memberships, typing without a socket, marking a
//! thread unread, and the System Console's channel search. Each also refuses what the
//! caller may not see.

use serde_json::{Value, json};

use crate::support::{Server, assert_error, data_dir};
use crate::teams_channels::{
    add_to_channel, add_to_team, get, id_of, new_channel, new_team, post, put, say,
};

const FORBIDDEN: &str = "api.context.permissions.app_error";

fn strings(value: &Value) -> Vec<String> {
    let mut out: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_apps_start_up_lookups_answer_what_the_caller_may_see() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let carol = s.user(&admin, "carol").await;
    let dave = s.user(&admin, "dave").await;
    let team = new_team(s, &admin, "crew", "O").await;
    let other_team = new_team(s, &admin, "elsewhere", "O").await;
    for u in [&bob, &carol] {
        add_to_team(s, &admin, &team, u.id()).await;
    }
    add_to_team(s, &admin, &other_team, bob.id()).await;
    let plans = new_channel(s, &admin, &team, "plans", "O").await;
    add_to_channel(s, &admin, &plans, bob.id()).await;
    let secret = new_channel(s, &admin, &team, "secret", "P").await;

    // Known users: everyone bob shares a channel with, not dave.
    let (status, known) = get(s, &bob, "/users/known").await;
    assert_eq!(status, 200, "{known}");
    let known = strings(&known);
    assert!(
        known.contains(&admin.id().to_string()) && known.contains(&carol.id().to_string()),
        "{known:?}"
    );
    assert!(!known.contains(&dave.id().to_string()) && !known.contains(&bob.id().to_string()));

    // Group message members, for bob's group messages only.
    let (status, gm) = post(
        s,
        &bob,
        "/channels/group",
        json!([bob.id(), carol.id(), dave.id()]),
    )
    .await;
    assert_eq!(status, 201, "{gm}");
    let gm = id_of(&gm);
    let (status, members) = post(s, &bob, "/users/group_channels", json!([gm, plans])).await;
    assert_eq!(status, 200, "{members}");
    let names: Vec<&str> = members[&gm]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["carol", "dave"]);
    assert!(
        members[&gm][0].get("password").is_none_or(|p| p == ""),
        "{members}"
    );
    assert!(
        members.get(&plans).is_none(),
        "not a group message: {members}"
    );
    let (status, none) = post(s, &admin, "/users/group_channels", json!([gm])).await;
    assert_eq!((status, none), (200, json!({})), "the admin is not in it");

    // Channel members by id: members only; others' read positions hidden.
    let (status, found) = post(
        s,
        &bob,
        &format!("/channels/{plans}/members/ids"),
        json!([admin.id(), carol.id(), bob.id()]),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let found_ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(found_ids, [admin.id(), bob.id()]);
    assert!(
        found[0].get("last_viewed_at").is_none_or(|v| v == 0),
        "the admin's position is theirs: {found}"
    );
    assert!(
        found[1]["last_viewed_at"].as_i64().unwrap() > 0,
        "bob's own is there: {found}"
    );
    let (status, body) = post(
        s,
        &carol,
        &format!("/channels/{secret}/members/ids"),
        json!([admin.id()]),
    )
    .await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, body) = post(
        s,
        &bob,
        &format!("/channels/{plans}/members/ids"),
        json!([]),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Time zones of the members.
    let zone = json!({"timezone": {"useAutomaticTimezone": "false", "manualTimezone": "Europe/Oslo", "automaticTimezone": ""}});
    assert_eq!(put(s, &bob, "/users/me/patch", zone).await.0, 200);
    let zone = json!({"timezone": {"useAutomaticTimezone": "true", "automaticTimezone": "Asia/Tokyo", "manualTimezone": "Europe/Oslo"}});
    assert_eq!(put(s, &admin, "/users/me/patch", zone).await.0, 200);
    let (status, zones) = get(s, &bob, &format!("/channels/{plans}/timezones")).await;
    assert_eq!((status, zones), (200, json!(["Asia/Tokyo", "Europe/Oslo"])));
    let (status, body) = get(s, &carol, &format!("/channels/{secret}/timezones")).await;
    assert_error(status, &body, 403, FORBIDDEN);

    // Teams a group message's members share: only crew has bob, carol and dave? dave is
    // in no team, so none.
    let (status, common) = get(s, &bob, &format!("/channels/{gm}/common_teams")).await;
    assert_eq!((status, common), (200, json!([])));
    add_to_team(s, &admin, &team, dave.id()).await;
    let (status, common) = get(s, &bob, &format!("/channels/{gm}/common_teams")).await;
    assert_eq!(status, 200, "{common}");
    assert_eq!(
        common
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect::<Vec<_>>(),
        [json!(team)]
    );
    let (status, body) = get(s, &bob, &format!("/channels/{plans}/common_teams")).await;
    assert_error(
        status,
        &body,
        400,
        "api.channel.common_teams.not_group_channel.app_error",
    );

    // Channels of a team by id.
    let (status, channels) = post(
        s,
        &bob,
        &format!("/teams/{team}/channels/ids"),
        json!([plans]),
    )
    .await;
    assert_eq!(status, 200, "{channels}");
    assert_eq!(channels[0]["id"], plans.as_str());
    let (status, body) = post(
        s,
        &bob,
        &format!("/teams/{team}/channels/ids"),
        json!([plans, secret]),
    )
    .await;
    assert_error(status, &body, 403, FORBIDDEN);

    // All of bob's channel memberships, paged; not carol's.
    let (status, mine) = get(s, &bob, "/users/me/channel_members?page=0&per_page=200").await;
    assert_eq!(status, 200, "{mine}");
    let channel_ids: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["channel_id"].as_str().unwrap())
        .collect();
    assert!(
        channel_ids.contains(&plans.as_str()) && channel_ids.contains(&gm.as_str()),
        "{mine}"
    );
    let (status, body) = get(s, &carol, &format!("/users/{}/channel_members", bob.id())).await;
    assert_error(status, &body, 403, FORBIDDEN);
    assert_eq!(
        get(s, &admin, &format!("/users/{}/channel_members", bob.id()))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn the_unread_page_starts_where_reading_stopped() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let team = new_team(s, &admin, "crew", "O").await;
    add_to_team(s, &admin, &team, bob.id()).await;
    let plans = new_channel(s, &admin, &team, "plans", "O").await;
    add_to_channel(s, &admin, &plans, bob.id()).await;
    let mut read = Vec::new();
    for n in 0..5 {
        read.push(say(s, &admin, &plans, &format!("read {n}")).await);
    }
    let view = json!({"channel_id": plans});
    assert_eq!(
        post(s, &bob, "/channels/members/me/view", view).await.0,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut unread = Vec::new();
    for n in 0..4 {
        unread.push(say(s, &admin, &plans, &format!("unread {n}")).await);
    }
    let path = format!("/users/me/channels/{plans}/posts/unread?limit_before=2&limit_after=3");
    let (status, list) = get(s, &bob, &path).await;
    assert_eq!(status, 200, "{list}");
    let order: Vec<&str> = list["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // Newest first: three unread from the first one, then two read before it.
    assert_eq!(
        order,
        [&unread[2], &unread[1], &unread[0], &read[4], &read[3]].map(String::as_str)
    );
    assert_eq!(list["next_post_id"], unread[3].as_str());
    assert_eq!(list["prev_post_id"], read[2].as_str());
    assert!(list["posts"][&unread[0]]["message"] == "unread 0", "{list}");

    let (status, body) = get(
        s,
        &bob,
        &format!("/users/{}/channels/{plans}/posts/unread", admin.id()),
    )
    .await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, body) = get(
        s,
        &bob,
        &format!("/users/me/channels/{plans}/posts/unread?limit_after=999"),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
}

#[tokio::test]
async fn typing_over_http_reaches_the_channel_and_threads_can_be_marked_unread() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let carol = s.user(&admin, "carol").await;
    let team = new_team(s, &admin, "crew", "O").await;
    add_to_team(s, &admin, &team, bob.id()).await;
    add_to_team(s, &admin, &team, carol.id()).await;
    let plans = new_channel(s, &admin, &team, "plans", "O").await;
    add_to_channel(s, &admin, &plans, bob.id()).await;
    let secret = new_channel(s, &admin, &team, "secret", "P").await;

    let mut admins = s.ws(&admin.token).await;
    let typing = json!({"channel_id": plans, "parent_id": ""});
    let (status, body) = post(s, &bob, "/users/me/typing", typing.clone()).await;
    assert_eq!(status, 200, "{body}");
    let event = admins.expect_event("typing").await;
    assert_eq!(event["data"]["user_id"], bob.id());
    assert_eq!(event["broadcast"]["channel_id"], plans.as_str());
    let (status, body) = post(s, &carol, "/users/me/typing", json!({"channel_id": secret})).await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, body) = post(s, &bob, &format!("/users/{}/typing", carol.id()), typing).await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, body) = post(s, &bob, "/users/me/typing", json!({"channel_id": "nope"})).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Bob follows a thread, reads it, then marks it unread from the second reply.
    let root = say(s, &bob, &plans, "a thread").await;
    let reply = |text: &str| json!({"channel_id": plans, "root_id": root, "message": text});
    assert_eq!(post(s, &admin, "/posts", reply("first")).await.0, 201);
    let (_, second) = post(s, &admin, "/posts", reply("second")).await;
    let second = id_of(&second);
    let threads = format!("/users/me/teams/{team}/threads/{root}");
    let now = chrono_now();
    assert_eq!(
        put(s, &bob, &format!("{threads}/read/{now}"), json!({}))
            .await
            .0,
        200
    );
    let (status, thread) = post(
        s,
        &bob,
        &format!("{threads}/set_unread/{second}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{thread}");
    let (_, listed) = get(
        s,
        &bob,
        &format!("/users/me/teams/{team}/threads?unread=true"),
    )
    .await;
    assert_eq!(
        listed["threads"][0]["id"],
        root.as_str(),
        "the thread is unread again: {listed}"
    );
    assert!(thread["last_viewed_at"].as_i64().unwrap() < now, "{thread}");
    let other = say(s, &bob, &plans, "not in the thread").await;
    let (status, body) = post(s, &bob, &format!("{threads}/set_unread/{other}"), json!({})).await;
    assert_error(
        status,
        &body,
        400,
        "api.thread.set_unread.not_in_thread.app_error",
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn admins_search_every_teams_channels() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let crew = new_team(s, &admin, "crew", "O").await;
    let ops = new_team(s, &admin, "ops", "O").await;
    new_channel(s, &admin, &crew, "launch-plans", "O").await;
    new_channel(s, &admin, &ops, "plans", "P").await;
    new_channel(s, &admin, &ops, "other", "O").await;
    let (status, found) = post(s, &admin, "/channels/search", json!({"term": "plan"})).await;
    assert_eq!(status, 200, "{found}");
    let mut names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["launch-plans", "plans"]);
    assert!(found[0]["team_name"].is_string(), "{found}");
    let (status, paged) = post(
        s,
        &admin,
        "/channels/search",
        json!({"term": "", "page": 0, "per_page": 2}),
    )
    .await;
    assert_eq!(status, 200, "{paged}");
    assert_eq!(paged["channels"].as_array().unwrap().len(), 2);
    assert!(
        paged["total_count"].as_i64().unwrap() >= 7,
        "two teams' defaults and three more: {paged}"
    );
    let (status, body) = post(s, &bob, "/channels/search", json!({"term": "plan"})).await;
    assert_error(status, &body, 403, FORBIDDEN);
}

#[tokio::test]
async fn small_account_and_system_operations_do_what_they_say() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            ("HEARTH_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS", "3"),
            ("HEARTH_SERVICESETTINGS_ENABLEUSERACCESSTOKENS", "true"),
            ("HEARTH_RATELIMITSETTINGS_ENABLE", "false"),
        ],
    );
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let carol = s.user(&admin, "carol").await;
    let password = crate::support::accounts::PASSWORD;

    // Time zones, for anyone signed in.
    let (status, zones) = get(s, &bob, "/system/timezones").await;
    assert_eq!(status, 200);
    let zones = strings(&zones);
    assert!(
        zones.contains(&"Europe/Oslo".to_string()) && zones.contains(&"UTC".to_string()),
        "{zones:?}"
    );
    let (status, _) = s
        .call(None, reqwest::Method::GET, "/api/v4/system/timezones", None)
        .await;
    assert_eq!(status, 401);

    // Nothing to recycle or invalidate, for admins only.
    for path in ["/database/recycle", "/caches/invalidate"] {
        assert_eq!(
            post(s, &admin, path, json!({})).await,
            (200, json!({"status": "OK"}))
        );
        let (status, body) = post(s, &bob, path, json!({})).await;
        assert_error(status, &body, 403, FORBIDDEN);
    }

    // The sign-in type says nothing about whether an account exists.
    for login_id in ["bob", "nobody-at-all"] {
        let (status, answer) = s
            .call(
                None,
                reqwest::Method::POST,
                "/api/v4/users/login/type",
                Some(json!({"login_id": login_id})),
            )
            .await;
        assert_eq!((status, answer), (200, json!({"auth_service": ""})));
    }

    // Token search by the owner's name; the secret never shows.
    let (status, token) = post(
        s,
        &admin,
        &format!("/users/{}/tokens", bob.id()),
        json!({"description": "deploy bot"}),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let (status, found) = post(s, &admin, "/users/tokens/search", json!({"term": "bo"})).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], token["id"]);
    assert!(found[0].get("token").is_none_or(|t| t == ""), "{found}");
    let (_, found) = post(s, &admin, "/users/tokens/search", json!({"term": "DEPLOY"})).await;
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "by description, case aside"
    );
    let (_, found) = post(s, &admin, "/users/tokens/search", json!({"term": "carol"})).await;
    assert_eq!(found, json!([]));
    let (status, body) = post(s, &bob, "/users/tokens/search", json!({"term": "bo"})).await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, body) = post(s, &admin, "/users/tokens/search", json!({"term": ""})).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // A locked account is unlocked by an admin, without a new password.
    for _ in 0..3 {
        let (status, _) = s
            .call(
                None,
                reqwest::Method::POST,
                "/api/v4/users/login",
                Some(json!({"login_id": "carol", "password": "wrong-wrong"})),
            )
            .await;
        assert_eq!(status, 401);
    }
    let right = json!({"login_id": "carol", "password": password});
    let (status, body) = s
        .call(
            None,
            reqwest::Method::POST,
            "/api/v4/users/login",
            Some(right.clone()),
        )
        .await;
    assert_error(
        status,
        &body,
        401,
        "api.user.check_user_login_attempts.too_many.app_error",
    );
    let (status, body) = post(
        s,
        &bob,
        &format!("/users/{}/reset_failed_attempts", carol.id()),
        json!({}),
    )
    .await;
    assert_error(status, &body, 403, FORBIDDEN);
    assert_eq!(
        post(
            s,
            &admin,
            &format!("/users/{}/reset_failed_attempts", carol.id()),
            json!({})
        )
        .await
        .0,
        200
    );
    let (status, _) = s
        .call(
            None,
            reqwest::Method::POST,
            "/api/v4/users/login",
            Some(right),
        )
        .await;
    assert_eq!(status, 200, "carol signs in again");
    let (status, body) = post(
        s,
        &admin,
        "/users/zzzzzzzzzzzzzzzzzzzzzzzzzz/reset_failed_attempts",
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "{body}");

    // Unfinished uploads are their owner's to see.
    let team = new_team(s, &admin, "crew", "O").await;
    add_to_team(s, &admin, &team, bob.id()).await;
    let town = id_of(
        &get(s, &bob, &format!("/teams/{team}/channels/name/town-square"))
            .await
            .1,
    );
    let (status, upload) = post(
        s,
        &bob,
        "/uploads",
        json!({"channel_id": town, "filename": "big.bin", "file_size": 1000}),
    )
    .await;
    assert_eq!(status, 201, "{upload}");
    let (status, uploads) = get(s, &bob, "/users/me/uploads").await;
    assert_eq!(status, 200, "{uploads}");
    assert_eq!(uploads.as_array().unwrap().len(), 1);
    assert_eq!(uploads[0]["id"], upload["id"]);
    let (status, body) = get(s, &admin, &format!("/users/{}/uploads", bob.id())).await;
    assert_error(status, &body, 403, FORBIDDEN);

    // Channel scheme roles as booleans.
    let member = format!("/channels/{town}/members/{}", bob.id());
    let (status, body) = put(
        s,
        &bob,
        &format!("{member}/schemeRoles"),
        json!({"scheme_admin": true, "scheme_user": true}),
    )
    .await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, _) = put(
        s,
        &admin,
        &format!("{member}/schemeRoles"),
        json!({"scheme_admin": true, "scheme_user": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, saved) = get(s, &admin, &member).await;
    assert!(
        saved["roles"].as_str().unwrap().contains("channel_admin"),
        "{saved}"
    );
    let (status, body) = put(
        s,
        &admin,
        &format!("{member}/schemeRoles"),
        json!({"scheme_admin": true}),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    // Both flags given but neither user nor guest: refused by the roles rule.
    let neither = json!({"scheme_admin": false, "scheme_user": false});
    let (status, body) = put(s, &admin, &format!("{member}/schemeRoles"), neither).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );

    // Everyone's sessions end, the admin's own too.
    let (status, body) = post(s, &bob, "/users/sessions/revoke/all", json!({})).await;
    assert_error(status, &body, 403, FORBIDDEN);
    assert_eq!(
        post(s, &admin, "/users/sessions/revoke/all", json!({}))
            .await
            .0,
        200
    );
    for who in [&bob, &admin] {
        assert_eq!(get(s, who, "/users/me").await.0, 401);
    }
}

#[tokio::test]
async fn group_messages_are_found_by_member_and_posts_go_back_to_an_earlier_version() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let carol = s.user(&admin, "carol").await;
    let dave = s.user(&admin, "dave").await;
    let (_, gm) = post(
        s,
        &bob,
        "/channels/group",
        json!([bob.id(), carol.id(), dave.id()]),
    )
    .await;
    let gm = id_of(&gm);
    let (_, other) = post(
        s,
        &admin,
        "/channels/group",
        json!([admin.id(), carol.id(), dave.id()]),
    )
    .await;
    let other = id_of(&other);
    let (status, found) = post(s, &bob, "/channels/group/search", json!({"term": "car"})).await;
    assert_eq!(status, 200, "{found}");
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [gm.as_str()],
        "only bob's own group message, not {other}"
    );
    let (_, none) = post(s, &bob, "/channels/group/search", json!({"term": "zed"})).await;
    assert_eq!(none, json!([]));
    let (status, body) = post(s, &bob, "/channels/group/search", json!({"term": ""})).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Edit twice, then go back to the first wording.
    let post_id = say(s, &bob, &gm, "first wording").await;
    for text in ["second wording", "third wording"] {
        let (status, _) = put(
            s,
            &bob,
            &format!("/posts/{post_id}/patch"),
            json!({"message": text}),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, history) = get(s, &bob, &format!("/posts/{post_id}/edit_history")).await;
    assert_eq!(status, 200, "{history}");
    let first = history
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["message"] == "first wording")
        .unwrap_or_else(|| panic!("{history}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = post(
        s,
        &carol,
        &format!("/posts/{post_id}/restore/{first}"),
        json!({}),
    )
    .await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, restored) = post(
        s,
        &bob,
        &format!("/posts/{post_id}/restore/{first}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["message"], "first wording");
    let (_, now) = get(s, &bob, &format!("/posts/{post_id}")).await;
    assert_eq!(now["message"], "first wording");
    let (_, history) = get(s, &bob, &format!("/posts/{post_id}/edit_history")).await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["message"] == "third wording"),
        "the replaced text is kept: {history}"
    );
    let (status, body) = post(
        s,
        &bob,
        &format!("/posts/{post_id}/restore/zzzzzzzzzzzzzzzzzzzzzzzzzz"),
        json!({}),
    )
    .await;
    assert_error(
        status,
        &body,
        404,
        "app.post.restore_post_version.get_single.app_error",
    );
}

#[tokio::test]
async fn an_admin_declares_the_server_busy_and_search_waits() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let s = &server;
    let admin = s.admin().await;
    let bob = s.user(&admin, "bob").await;
    let team = new_team(s, &admin, "crew", "O").await;
    add_to_team(s, &admin, &team, bob.id()).await;
    let search = json!({"terms": "hello", "is_or_search": false});
    let search_path = format!("/teams/{team}/posts/search");
    assert_eq!(post(s, &bob, &search_path, search.clone()).await.0, 200);

    let (status, body) = post(s, &bob, "/server_busy?seconds=600", json!({})).await;
    assert_error(status, &body, 403, FORBIDDEN);
    let (status, body) = post(s, &admin, "/server_busy?seconds=0", json!({})).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = post(s, &admin, "/server_busy?seconds=86401", json!({})).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    assert_eq!(
        post(s, &admin, "/server_busy?seconds=600", json!({}))
            .await
            .0,
        200
    );
    let (status, busy) = get(s, &admin, "/server_busy").await;
    assert_eq!(status, 200);
    assert_eq!(busy["busy"], true);
    let now = chrono_now() / 1000;
    let expires = busy["expires"].as_i64().unwrap();
    assert!((now + 590..=now + 610).contains(&expires), "{busy}");
    assert!(
        busy["expires_ts"].as_str().unwrap().ends_with('Z'),
        "{busy}"
    );

    let (status, body) = post(s, &bob, &search_path, search.clone()).await;
    assert_error(status, &body, 503, "api.context.server_busy.app_error");

    assert_eq!(
        s.call(
            Some(&admin),
            reqwest::Method::DELETE,
            "/api/v4/server_busy",
            None
        )
        .await
        .0,
        200
    );
    let (_, busy) = get(s, &admin, "/server_busy").await;
    assert_eq!(
        (busy["busy"].as_bool(), busy["expires"].as_i64()),
        (Some(false), Some(0))
    );
    assert_eq!(post(s, &bob, &search_path, search).await.0, 200);
}
