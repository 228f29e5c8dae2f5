//! The team operations beyond creating and joining, told as the people who use them:
//! a team admin switching a team between open and invite-only, people searching for
//! teams they may see, an admin adding several people at once, a team icon uploaded,
//! shown and removed, one team's unread counts, and a member's scheme roles.
//!
//! Expectations follow Mattermost's own handlers (`api4/team.go`, `app/team.go`): the
//! same statuses and error ids, the same WebSocket events.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::multipart::{Part, form, picture, walk};
use crate::support::{Server, data_dir};
use crate::teams_channels::{
    Checks, Reply, add_to_team, delete, get, guest, id_of, new_team, post, put, say,
};

const NOBODY: &str = "zzzzzzzzzzzzzzzzzzzzzzzzzz";

/// The `name`s in a JSON list of teams.
fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The team carried by an `update_team` event (a JSON string, as Mattermost sends it).
fn event_team(event: &Value) -> Value {
    serde_json::from_str(event["data"]["team"].as_str().unwrap_or_default()).unwrap_or_default()
}

/// A team as `who` sees it.
async fn team(server: &Server, who: &Login, team_id: &str) -> Value {
    let reply = get(server, who, &format!("/teams/{team_id}")).await;
    assert_eq!(reply.0, 200, "reading team {team_id}: {}", reply.1);
    reply.1
}

async fn search(server: &Server, who: &Login, body: Value) -> Reply {
    post(server, who, "/teams/search", body).await
}

#[tokio::test]
async fn a_team_admin_switches_a_team_between_open_and_invite_only() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let mut checks = Checks::default();
    let makers = new_team(&server, &alice, "makers", "O").await;
    add_to_team(&server, &alice, &makers, bob.id()).await;
    let privacy = format!("/teams/{makers}/privacy");
    let old_invite = team(&server, &alice, &makers).await["invite_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut bobs = server.ws(&bob.token).await;

    // Only those who manage the team may change it.
    let reply = put(&server, &bob, &privacy, json!({"privacy": "I"})).await;
    checks.error(
        "a plain member",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = put(&server, &carol, &privacy, json!({"privacy": "I"})).await;
    checks.error(
        "someone outside the team",
        &reply,
        403,
        "api.context.permissions.app_error",
    );

    // Anything but O or I is refused, and changes nothing.
    for body in [json!({"privacy": "P"}), json!({"privacy": ""}), json!({})] {
        let reply = put(&server, &alice, &privacy, body.clone()).await;
        checks.error(
            &format!("privacy {body}"),
            &reply,
            400,
            "api.context.invalid_body_param.app_error",
        );
    }
    let reply = put(
        &server,
        &alice,
        "/teams/not-an-id/privacy",
        json!({"privacy": "I"}),
    )
    .await;
    checks.error(
        "a malformed team id",
        &reply,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let reply = put(
        &server,
        &admin,
        &format!("/teams/{NOBODY}/privacy"),
        json!({"privacy": "I"}),
    )
    .await;
    checks.error(
        "an unknown team",
        &reply,
        404,
        "app.team.get.find.app_error",
    );
    let reply = get(&server, &carol, &format!("/teams/{makers}")).await;
    checks.that(
        "after the refusals the team is still open to outsiders",
        reply.0 == 200 && reply.1["type"] == "O" && reply.1["allow_open_invite"] == true,
        &reply.1,
    );

    // The team admin makes it invite-only: the members hear of it, outsiders lose sight
    // of it, and old invitation links stop working.
    let reply = put(&server, &alice, &privacy, json!({"privacy": "I"})).await;
    checks.that(
        "invite-only: type I, no open invites",
        reply.0 == 200 && reply.1["type"] == "I" && reply.1["allow_open_invite"] == false,
        &reply.1,
    );
    let new_invite = reply.1["invite_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    checks.that(
        "making a team invite-only gives it a new invite id",
        new_invite.len() == 26 && new_invite != old_invite,
        &reply.1,
    );
    let event = bobs.expect_event("update_team").await;
    let sent = event_team(&event);
    checks.that(
        "members get update_team with the team as it is now",
        event["broadcast"]["team_id"] == makers.as_str()
            && sent["id"] == makers.as_str()
            && sent["type"] == "I"
            && sent["allow_open_invite"] == false,
        &event,
    );
    checks.that(
        "the event tells members neither the team's e-mail nor its invitation id",
        sent.get("email").is_none_or(|e| e == "") && sent.get("invite_id").is_none_or(|i| i == ""),
        &event,
    );
    let reply = get(&server, &carol, &format!("/teams/{makers}")).await;
    checks.status("an outsider no longer sees it", &reply, 403);
    let reply = post(
        &server,
        &carol,
        &format!("/teams/{makers}/members"),
        json!({"team_id": makers, "user_id": carol.id()}),
    )
    .await;
    checks.status("an outsider can no longer join by themselves", &reply, 403);
    let reply = post(
        &server,
        &dave,
        &format!("/teams/members/invite?invite_id={old_invite}"),
        json!({}),
    )
    .await;
    checks.error(
        "the old invitation link",
        &reply,
        404,
        "app.team.get_by_invite_id.finding.app_error",
    );

    // A system admin opens it again; now anyone may join.
    let reply = put(&server, &admin, &privacy, json!({"privacy": "O"})).await;
    checks.that(
        "open: type O, open invites",
        reply.0 == 200 && reply.1["type"] == "O" && reply.1["allow_open_invite"] == true,
        &reply.1,
    );
    let event = bobs.expect_event("update_team").await;
    checks.that(
        "opening is announced too",
        event_team(&event)["type"] == "O",
        &event,
    );
    let reply = post(
        &server,
        &carol,
        &format!("/teams/{makers}/members"),
        json!({"team_id": makers, "user_id": carol.id()}),
    )
    .await;
    checks.status("an outsider joins the open team", &reply, 201);
    checks.finish();
}

#[tokio::test]
async fn people_find_the_teams_they_may_see_by_name_or_display_name() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mut checks = Checks::default();
    let reply = post(
        &server,
        &alice,
        "/teams",
        json!({"name": "rockets", "display_name": "ALPHA Rockets", "type": "O", "email": "r@example.com"}),
    )
    .await;
    assert_eq!(reply.0, 201, "{}", reply.1);
    let rockets = id_of(&reply.1);
    for (name, display, kind) in [
        ("alpha-one", "Alpha One", "O"),
        ("alpine", "Alpine Club", "I"),
        ("bravo", "Bravo Alpha", "O"),
        ("hidden", "Alps Hidden", "I"),
    ] {
        let reply = post(
            &server,
            &alice,
            "/teams",
            json!({"name": name, "display_name": display, "type": kind}),
        )
        .await;
        assert_eq!(reply.0, 201, "{name}: {}", reply.1);
        if name == "hidden" {
            add_to_team(&server, &alice, &id_of(&reply.1), bob.id()).await;
        }
    }

    // Someone in no team finds the open teams whose name or display name starts with
    // the term, in any case; not invite-only ones, not a word inside the name.
    let reply = search(&server, &carol, json!({"term": "alp"})).await;
    checks.that(
        "an outsider finds the open teams",
        reply.0 == 200 && names(&reply.1) == ["alpha-one", "rockets"],
        &reply.1,
    );
    let shown = reply.1.as_array().cloned().unwrap_or_default();
    checks.that(
        "outsiders see neither the e-mail nor the invite id",
        shown
            .iter()
            .all(|t| t["email"] == "" && t["invite_id"] == ""),
        &reply.1,
    );
    let reply = search(&server, &carol, json!({"term": "ROCK"})).await;
    checks.that(
        "the name matches in any case",
        names(&reply.1) == ["rockets"],
        &reply.1,
    );
    // A member also finds their own invite-only team.
    let reply = search(&server, &bob, json!({"term": "alp"})).await;
    checks.that(
        "a member finds their own invite-only team too",
        names(&reply.1) == ["alpha-one", "hidden", "rockets"],
        &reply.1,
    );
    // A system admin finds them all.
    let reply = search(&server, &admin, json!({"term": "Alp"})).await;
    checks.that(
        "a system admin finds invite-only teams",
        names(&reply.1) == ["alpha-one", "alpine", "hidden", "rockets"],
        &reply.1,
    );
    let reply = search(&server, &admin, json!({})).await;
    checks.that("no term: every team", names(&reply.1).len() == 5, &reply.1);
    let reply = search(&server, &alice, json!({"term": "rockets"})).await;
    checks.that(
        "the team admin sees the team's e-mail",
        reply.1[0]["email"] == "r@example.com",
        &reply.1,
    );

    // With page and per_page, a page and the total; with one of them, a plain list.
    let mut paged = Vec::new();
    for page in 0..3 {
        let reply = search(
            &server,
            &admin,
            json!({"term": "alp", "page": page, "per_page": 3}),
        )
        .await;
        checks.that(
            &format!("page {page} counts every match"),
            reply.0 == 200 && reply.1["total_count"] == 4,
            &reply.1,
        );
        paged.push(names(&reply.1["teams"]));
    }
    checks.that(
        "pages of 3, 1 and none, each team once",
        paged[0].len() == 3
            && paged[1].len() == 1
            && paged[2].is_empty()
            && paged[0].iter().all(|n| !paged[1].contains(n)),
        format!("{paged:?}"),
    );
    let reply = search(&server, &admin, json!({"term": "alp", "per_page": 3})).await;
    checks.that(
        "per_page alone: the plain list",
        reply.1.as_array().is_some_and(|l| l.len() == 4),
        &reply.1,
    );

    // Filters: by open invites, by group constraint (no team has one), either when both.
    let everything = vec!["alpha-one", "alpine", "hidden", "rockets"];
    for (filter, expected) in [
        (
            json!({"allow_open_invite": false}),
            vec!["alpine", "hidden"],
        ),
        (
            json!({"allow_open_invite": true}),
            vec!["alpha-one", "rockets"],
        ),
        (json!({"group_constrained": true}), vec![]),
        (json!({"group_constrained": false}), everything.clone()),
        (
            json!({"allow_open_invite": true, "group_constrained": true}),
            vec!["alpha-one", "rockets"],
        ),
    ] {
        let mut body = filter.clone();
        body["term"] = json!("alp");
        let reply = search(&server, &admin, body).await;
        checks.that(
            &format!("filter {filter}"),
            reply.0 == 200 && names(&reply.1) == expected,
            &reply.1,
        );
    }
    let reply = search(
        &server,
        &carol,
        json!({"term": "alp", "exclude_policy_constrained": true}),
    )
    .await;
    checks.error(
        "the retention-policy filter is for compliance readers",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = search(
        &server,
        &admin,
        json!({"term": "alp", "exclude_policy_constrained": true}),
    )
    .await;
    checks.that(
        "a system admin may use it",
        reply.0 == 200 && names(&reply.1) == everything,
        &reply.1,
    );

    // Bad bodies.
    for body in [
        json!({"term": 5}),
        json!({"term": "a", "page": "first"}),
        json!([]),
    ] {
        let reply = search(&server, &carol, body.clone()).await;
        checks.error(
            &format!("body {body}"),
            &reply,
            400,
            "api.context.invalid_body_param.app_error",
        );
    }

    // An archived team is no longer found.
    let reply = delete(&server, &alice, &format!("/teams/{rockets}")).await;
    checks.status("archiving rockets", &reply, 200);
    let reply = search(&server, &carol, json!({"term": "alp"})).await;
    checks.that(
        "archived teams are not found",
        names(&reply.1) == ["alpha-one"],
        &reply.1,
    );
    checks.finish();
}

#[tokio::test]
async fn several_people_are_added_to_a_team_at_once() {
    let data = data_dir();
    let server = Server::start(data.path(), &[("HEARTH_TEAMSETTINGS_MAXUSERSPERTEAM", "8")]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let outsider = server.user(&admin, "outsider").await;
    let gus = guest(&server, &admin, "gus").await;
    let mut ids = std::collections::BTreeMap::new();
    for name in ["erin", "frank", "gina", "hank", "zed"] {
        ids.insert(name, id_of(&server.create_user(name, Some(&admin)).await));
    }
    let reply = put(
        &server,
        &admin,
        &format!("/users/{}/active", ids["zed"]),
        json!({"active": false}),
    )
    .await;
    assert_eq!(reply.0, 200, "deactivating zed: {}", reply.1);
    let mut checks = Checks::default();
    let crew = new_team(&server, &alice, "crew", "O").await;
    add_to_team(&server, &alice, &crew, bob.id()).await;
    let batch = format!("/teams/{crew}/members/batch");
    let graceful = format!("{batch}?graceful=true");
    let entry = |user_id: &str| json!({"team_id": crew, "user_id": user_id});
    let member = |user_id: &str| format!("/teams/{crew}/members/{user_id}");
    let mut carols = server.ws(&carol.token).await;

    // Adding people takes add_user_to_team in the team, even for oneself.
    let reply = post(&server, &outsider, &batch, json!([entry(outsider.id())])).await;
    checks.error(
        "an outsider adding themselves to an open team",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = post(&server, &outsider, &batch, json!([entry(dave.id())])).await;
    checks.status("an outsider adding someone", &reply, 403);

    // Bad batches are refused whole.
    let many: Vec<Value> = (0..257).map(|_| entry(dave.id())).collect();
    let other_team = new_team(&server, &alice, "other", "O").await;
    for (step, body) in [
        ("an empty batch", json!([])),
        ("257 members", Value::Array(many)),
        (
            "a member of another team",
            json!([entry(dave.id()), {"team_id": other_team, "user_id": carol.id()}]),
        ),
        (
            "a member without a team",
            json!([entry(dave.id()), {"user_id": carol.id()}]),
        ),
        (
            "a malformed user id",
            json!([entry(dave.id()), entry("not-an-id")]),
        ),
        ("not a list", entry(dave.id())),
    ] {
        let reply = post(&server, &alice, &batch, body).await;
        checks.error(
            step,
            &reply,
            400,
            "api.context.invalid_body_param.app_error",
        );
    }
    let reply = get(&server, &alice, &member(dave.id())).await;
    checks.status("nobody was added by a bad batch", &reply, 404);

    // A plain member adds two people: both are in, in their default channels, and each
    // hears of it.
    let reply = post(
        &server,
        &bob,
        &batch,
        json!([entry(carol.id()), entry(dave.id())]),
    )
    .await;
    let added: Vec<&str> = reply
        .1
        .as_array()
        .map(|l| l.iter().filter_map(|m| m["user_id"].as_str()).collect())
        .unwrap_or_default();
    checks.that(
        "two added, in the order given",
        reply.0 == 201
            && added == [carol.id(), dave.id()]
            && reply.1[0]["team_id"] == crew.as_str()
            && reply.1[0]["roles"] == "team_user",
        &reply.1,
    );
    let event = carols.expect_event("added_to_team").await;
    checks.that(
        "the added person gets added_to_team",
        event["data"]["team_id"] == crew.as_str() && event["data"]["user_id"] == carol.id(),
        &event,
    );
    let reply = get(&server, &carol, &format!("/users/me/teams/{crew}/channels")).await;
    let channels = names(&reply.1);
    checks.that(
        "they are in town-square and off-topic",
        channels.contains(&"town-square".to_string())
            && channels.contains(&"off-topic".to_string()),
        &reply.1,
    );

    // Someone already in the team keeps their membership; a guest joins as a guest.
    let reply = post(
        &server,
        &admin,
        &batch,
        json!([
            entry(bob.id()),
            entry(&ids["erin"]),
            entry(gus.id()),
            entry(bob.id())
        ]),
    )
    .await;
    checks.that(
        "an existing member comes back as they were, each user once, a guest as team_guest",
        reply.0 == 201
            && reply.1.as_array().is_some_and(|l| l.len() == 3)
            && reply.1[0]["user_id"] == bob.id()
            && reply.1[0]["roles"] == "team_user"
            && reply.1[2]["user_id"] == gus.id()
            && reply.1[2]["roles"] == "team_guest",
        &reply.1,
    );

    // Without `graceful`, one refusal adds nobody.
    let reply = post(
        &server,
        &alice,
        &batch,
        json!([entry(&ids["frank"]), entry(&ids["zed"])]),
    )
    .await;
    checks.error(
        "a deactivated user in the batch",
        &reply,
        400,
        "app.team.join_user_to_team.deactivated.app_error",
    );
    let reply = post(
        &server,
        &alice,
        &batch,
        json!([entry(&ids["frank"]), entry(NOBODY)]),
    )
    .await;
    checks.error(
        "an unknown user in the batch",
        &reply,
        404,
        "app.user.missing_account.const",
    );
    let reply = get(&server, &alice, &member(&ids["frank"])).await;
    checks.status("frank was not added by either", &reply, 404);

    // With `graceful`, each user's outcome; those who may join do.
    let reply = post(
        &server,
        &alice,
        &graceful,
        json!([entry(&ids["frank"]), entry(&ids["zed"]), entry(NOBODY)]),
    )
    .await;
    let outcomes = reply.1.as_array().cloned().unwrap_or_default();
    checks.that(
        "graceful: frank added, zed and nobody refused with their reasons",
        reply.0 == 201
            && outcomes.len() == 3
            && outcomes[0]["user_id"] == ids["frank"].as_str()
            && outcomes[0]["member"]["team_id"] == crew.as_str()
            && outcomes[0]["error"].is_null()
            && outcomes[1]["user_id"] == ids["zed"].as_str()
            && outcomes[1]["member"].is_null()
            && outcomes[1]["error"]["id"] == "app.team.join_user_to_team.deactivated.app_error"
            && outcomes[1]["error"]["status_code"] == 400
            && outcomes[2]["error"]["id"] == "app.user.missing_account.const",
        &reply.1,
    );
    let reply = get(&server, &alice, &member(&ids["frank"])).await;
    checks.status("frank is in", &reply, 200);

    // The team holds 8: alice, bob, carol, dave, erin, gus, frank, and room for one.
    let reply = post(
        &server,
        &alice,
        &batch,
        json!([entry(&ids["gina"]), entry(&ids["hank"])]),
    )
    .await;
    checks.error(
        "two more than the team has room for",
        &reply,
        400,
        "app.team.join_user_to_team.max_accounts.app_error",
    );
    let reply = get(&server, &alice, &member(&ids["gina"])).await;
    checks.status("gina was not added", &reply, 404);
    let reply = post(
        &server,
        &alice,
        &graceful,
        json!([entry(&ids["gina"]), entry(&ids["hank"])]),
    )
    .await;
    checks.that(
        "graceful: the first fits, the second is refused",
        reply.0 == 201
            && reply.1[0]["member"]["user_id"] == ids["gina"].as_str()
            && reply.1[1]["member"].is_null()
            && reply.1[1]["error"]["id"] == "app.team.join_user_to_team.max_accounts.app_error",
        &reply.1,
    );
    let reply = get(&server, &alice, &format!("/teams/{crew}/stats")).await;
    checks.that(
        "the team is full",
        reply.1["total_member_count"] == 8,
        &reply.1,
    );
    checks.finish();
}

/// `GET /teams/{id}/image` as `who`: status, content type, ETag and bytes.
async fn icon(
    server: &Server,
    who: &Login,
    team_id: &str,
    etag: Option<&str>,
) -> (u16, String, String, Vec<u8>) {
    let mut request = server.as_user(who, Method::GET, &format!("/api/v4/teams/{team_id}/image"));
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (kind, tag) = (header("content-type"), header("etag"));
    let status = response.status().as_u16();
    (status, kind, tag, response.bytes().await.unwrap().to_vec())
}

async fn upload_icon(server: &Server, who: &Login, team_id: &str, parts: &[Part<'_>]) -> Reply {
    server
        .post_form(who, &format!("/teams/{team_id}/image"), form(parts))
        .await
}

#[tokio::test]
async fn a_team_icon_is_uploaded_shown_and_removed() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            ("HEARTH_FILESETTINGS_MAXIMAGERESOLUTION", "100000"),
            ("HEARTH_FILESETTINGS_MAXFILESIZE", "300000"),
        ],
    );
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mut checks = Checks::default();
    let artists = new_team(&server, &alice, "artists", "O").await;
    let studio = new_team(&server, &alice, "studio", "I").await;
    add_to_team(&server, &alice, &artists, bob.id()).await;
    let mut bobs = server.ws(&bob.token).await;
    let photo = picture(300, 200, image::ImageFormat::Jpeg);
    let stored = |team_id: &str| {
        walk(data.path())
            .into_iter()
            .filter(|p| p.ends_with(format!("teams/{team_id}/teamIcon.png")))
            .count()
    };

    // No icon yet.
    let (status, _, _, body) = icon(&server, &bob, &artists, None).await;
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    checks.that(
        "a team without an icon",
        status == 404 && body["id"] == "api.team.get_team_icon.read_file.app_error",
        &body,
    );

    // Only those who manage the team may set it.
    for (step, who) in [("a plain member", &bob), ("an outsider", &carol)] {
        let reply = upload_icon(
            &server,
            who,
            &artists,
            &[Part::File("image", "a.jpg", &photo)],
        )
        .await;
        checks.error(step, &reply, 403, "api.context.permissions.app_error");
    }

    // Bad uploads are refused and leave no icon.
    let big = picture(400, 400, image::ImageFormat::Bmp);
    let many_pixels = picture(400, 300, image::ImageFormat::Png);
    for (step, parts, id) in [
        (
            "a form without an image",
            vec![Part::File("picture", "a.jpg", photo.as_slice())],
            "api.team.set_team_icon.no_file.app_error",
        ),
        (
            "not an image",
            vec![Part::File(
                "image",
                "a.png",
                b"this is not a picture".as_slice(),
            )],
            "api.team.set_team_icon.decode.app_error",
        ),
        (
            "more pixels than MaxImageResolution",
            vec![Part::File("image", "big.png", many_pixels.as_slice())],
            "api.team.set_team_icon.check_image_limits.app_error",
        ),
        (
            "more bytes than MaxFileSize",
            vec![Part::File("image", "big.bmp", big.as_slice())],
            "api.team.set_team_icon.too_large.app_error",
        ),
    ] {
        let reply = upload_icon(&server, &alice, &artists, &parts).await;
        checks.error(step, &reply, 400, id);
    }
    let reply = server
        .as_user(
            &alice,
            Method::POST,
            &format!("/api/v4/teams/{artists}/image"),
        )
        .header("Content-Type", "multipart/form-data; boundary=nope")
        .body("--nope\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nbroken")
        .send()
        .await
        .unwrap();
    let reply = crate::support::json(reply).await;
    checks.error(
        "a form cut off",
        &reply,
        400,
        "api.team.set_team_icon.parse.app_error",
    );
    checks.that(
        "refused uploads leave no icon",
        team(&server, &bob, &artists).await["last_team_icon_update"] == 0 && stored(&artists) == 0,
        "an icon time or file",
    );

    // The team admin sets it: the members hear of it, and everyone who may see the team
    // gets a 128×128 PNG.
    let before = team(&server, &bob, &artists).await["update_at"]
        .as_i64()
        .unwrap_or_default();
    let reply = upload_icon(
        &server,
        &alice,
        &artists,
        &[Part::File("image", "a.jpg", &photo)],
    )
    .await;
    checks.that(
        "setting the icon",
        reply.0 == 200 && reply.1 == json!({"status": "OK"}),
        &reply.1,
    );
    let event = bobs.expect_event("update_team").await;
    let sent = event_team(&event);
    let set_at = sent["last_team_icon_update"].as_i64().unwrap_or_default();
    checks.that(
        "members get update_team with the icon time",
        sent["id"] == artists.as_str() && set_at >= before,
        &event,
    );
    let shown = team(&server, &bob, &artists).await;
    checks.that(
        "the team says when its icon changed",
        shown["last_team_icon_update"] == set_at && set_at > 0,
        &shown,
    );
    let (status, kind, etag, png) = icon(&server, &bob, &artists, None).await;
    let decoded = image::load_from_memory_with_format(&png, image::ImageFormat::Png);
    checks.that(
        "a member gets the icon as a 128×128 PNG",
        status == 200
            && kind == "image/png"
            && decoded
                .as_ref()
                .is_ok_and(|i| (i.width(), i.height()) == (128, 128)),
        format!("{status} {kind} {} bytes", png.len()),
    );
    let (status, _, _, _) = icon(&server, &bob, &artists, Some(&etag)).await;
    checks.that("unchanged icons are not sent again", status == 304, status);
    let (status, _, _, again) = icon(&server, &carol, &artists, None).await;
    checks.that(
        "an outsider sees the icon of an open team",
        status == 200 && again == png,
        status,
    );
    checks.that(
        "the icon is in the file store",
        stored(&artists) == 1,
        "no file",
    );
    let (status, _, _, _) = icon(&server, &carol, &studio, None).await;
    checks.that(
        "an outsider may not see an invite-only team's icon",
        status == 403,
        status,
    );
    let (status, _, _, _) = icon(&server, &carol, "not-an-id", None).await;
    checks.that("a malformed team id", status == 400, status);

    // Removing it: only for managers; then it is gone, and the members hear of it.
    let reply = delete(&server, &bob, &format!("/teams/{artists}/image")).await;
    checks.error(
        "a plain member removing the icon",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let (status, _, _, _) = icon(&server, &carol, &artists, None).await;
    checks.that("the refusal kept the icon", status == 200, status);
    let reply = delete(&server, &alice, &format!("/teams/{artists}/image")).await;
    checks.that(
        "removing the icon",
        reply.0 == 200 && reply.1 == json!({"status": "OK"}),
        &reply.1,
    );
    let event = bobs.expect_event("update_team").await;
    checks.that(
        "members get update_team without an icon time",
        event_team(&event)["last_team_icon_update"] == 0,
        &event,
    );
    let (status, _, _, _) = icon(&server, &bob, &artists, None).await;
    checks.that("no icon any more", status == 404, status);
    checks.that("the file is gone", stored(&artists) == 0, "a file left");
    checks.finish();
}

#[tokio::test]
async fn one_teams_unread_counts_are_those_of_the_team_list() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mut checks = Checks::default();
    let readers = new_team(&server, &alice, "readers", "O").await;
    let elsewhere = new_team(&server, &alice, "elsewhere", "O").await;
    add_to_team(&server, &alice, &readers, bob.id()).await;
    add_to_team(&server, &alice, &elsewhere, bob.id()).await;
    let channels = format!("/teams/{readers}/channels/name");
    let town = id_of(
        &get(&server, &alice, &format!("{channels}/town-square"))
            .await
            .1,
    );
    let off = id_of(
        &get(&server, &alice, &format!("{channels}/off-topic"))
            .await
            .1,
    );
    let reply = put(
        &server,
        &alice,
        &format!("/channels/{off}/members/{}/notify_props", alice.id()),
        json!({"mark_unread": "mention"}),
    )
    .await;
    checks.status("alice mutes off-topic", &reply, 200);

    // Bob writes in town-square (once to Alice), replies, and writes in the muted channel
    // and in a direct message.
    let first = say(&server, &bob, &town, "morning").await;
    say(&server, &bob, &town, "@alice a question").await;
    let reply = post(
        &server,
        &bob,
        "/posts",
        json!({"channel_id": town, "message": "a reply", "root_id": first}),
    )
    .await;
    checks.status("a reply", &reply, 201);
    say(&server, &bob, &off, "@alice in the muted channel").await;
    say(&server, &bob, &off, "more chatter").await;
    let dm = post(
        &server,
        &bob,
        "/channels/direct",
        json!([bob.id(), alice.id()]),
    )
    .await;
    say(&server, &bob, &id_of(&dm.1), "psst").await;

    // Three town-square messages (two roots), two mentions (one in the muted channel,
    // whose messages do not count); the direct message belongs to no team.
    let reply = get(
        &server,
        &alice,
        &format!("/users/me/teams/{readers}/unread"),
    )
    .await;
    let expected = json!({
        "team_id": readers,
        "msg_count": 3,
        "mention_count": 2,
        "msg_count_root": 2,
        "mention_count_root": 2,
        "thread_count": 0,
        "thread_mention_count": 0,
        "thread_urgent_mention_count": 0,
    });
    checks.that(
        "one team's counts",
        reply.0 == 200 && reply.1 == expected,
        &reply.1,
    );
    let reply = get(&server, &alice, "/users/me/teams/unread").await;
    let listed = reply
        .1
        .as_array()
        .and_then(|l| l.iter().find(|t| t["team_id"] == readers.as_str()).cloned());
    checks.that(
        "the same counts as in the list of all teams",
        listed.as_ref() == Some(&expected),
        &reply.1,
    );
    let reply = get(
        &server,
        &alice,
        &format!("/users/me/teams/unread?exclude_team={readers}"),
    )
    .await;
    let teams: Vec<&str> = reply
        .1
        .as_array()
        .map(|l| l.iter().filter_map(|t| t["team_id"].as_str()).collect())
        .unwrap_or_default();
    checks.that(
        "exclude_team leaves that team out",
        teams == [elsewhere.as_str()],
        &reply.1,
    );

    // Someone else's counts: for system admins, not for other members; a team one may
    // not view: not even one's own.
    let path = format!("/users/{}/teams/{readers}/unread", alice.id());
    let reply = get(&server, &admin, &path).await;
    checks.that(
        "a system admin reads alice's counts",
        reply.0 == 200 && reply.1 == expected,
        &reply.1,
    );
    let reply = get(&server, &bob, &path).await;
    checks.error(
        "bob reading alice's counts",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = get(
        &server,
        &carol,
        &format!("/users/me/teams/{readers}/unread"),
    )
    .await;
    checks.error(
        "an outsider's counts in a team",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = get(&server, &alice, "/users/me/teams/not-an-id/unread").await;
    checks.error(
        "a malformed team id",
        &reply,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let reply = get(&server, &alice, &format!("/users/me/teams/{NOBODY}/unread")).await;
    checks.error(
        "an unknown team",
        &reply,
        404,
        "app.team.get.find.app_error",
    );

    // Reading town-square clears its part.
    let reply = post(
        &server,
        &alice,
        "/channels/members/me/view",
        json!({"channel_id": town}),
    )
    .await;
    checks.status("alice reads town-square", &reply, 200);
    let reply = get(
        &server,
        &alice,
        &format!("/users/me/teams/{readers}/unread"),
    )
    .await;
    checks.that(
        "only the muted channel's mention is left",
        reply.1["msg_count"] == 0 && reply.1["mention_count"] == 1,
        &reply.1,
    );
    checks.finish();
}

#[tokio::test]
async fn a_team_admin_sets_a_members_scheme_roles() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let alice = server.user(&admin, "alice").await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.user(&admin, "dave").await;
    let mut checks = Checks::default();
    let guild = new_team(&server, &alice, "guild", "O").await;
    add_to_team(&server, &alice, &guild, bob.id()).await;
    add_to_team(&server, &alice, &guild, carol.id()).await;
    let roles = |who: &Login| format!("/teams/{guild}/members/{}/schemeRoles", who.id());
    let promote = json!({"scheme_admin": true, "scheme_user": true});
    let mut bobs = server.ws(&bob.token).await;

    // Only those with manage_team_roles.
    let reply = put(&server, &carol, &roles(&bob), promote.clone()).await;
    checks.error(
        "a plain member",
        &reply,
        403,
        "api.context.permissions.app_error",
    );
    let reply = put(&server, &dave, &roles(&bob), promote.clone()).await;
    checks.status("an outsider", &reply, 403);

    // Alice makes Bob a team admin: he hears of it and may now manage the team.
    let reply = put(&server, &alice, &roles(&bob), promote.clone()).await;
    checks.that(
        "promoting",
        reply.0 == 200 && reply.1 == json!({"status": "OK"}),
        &reply.1,
    );
    let event = bobs.expect_event("memberrole_updated").await;
    let member: Value = serde_json::from_str(event["data"]["member"].as_str().unwrap_or_default())
        .unwrap_or_default();
    checks.that(
        "bob gets memberrole_updated with his new roles",
        member["user_id"] == bob.id()
            && member["scheme_admin"] == true
            && member["roles"]
                .as_str()
                .is_some_and(|r| r.contains("team_admin")),
        &event,
    );
    let reply = get(
        &server,
        &bob,
        &format!("/teams/{guild}/members/{}", bob.id()),
    )
    .await;
    checks.that(
        "his membership says so",
        reply.1["scheme_admin"] == true && reply.1["scheme_user"] == true,
        &reply.1,
    );
    let reply = put(
        &server,
        &bob,
        &format!("/teams/{guild}/patch"),
        json!({"display_name": "Bob's Guild"}),
    )
    .await;
    checks.status("the new team admin renames the team", &reply, 200);

    // Bad bodies change nothing.
    for (step, body, id) in [
        (
            "both user and guest",
            json!({"scheme_admin": false, "scheme_user": true, "scheme_guest": true}),
            "api.team.update_team_member_roles.guest_and_user.app_error",
        ),
        (
            "without scheme_user",
            json!({"scheme_admin": false}),
            "api.context.invalid_body_param.app_error",
        ),
        (
            "not booleans",
            json!({"scheme_admin": "no", "scheme_user": true}),
            "api.context.invalid_body_param.app_error",
        ),
    ] {
        let reply = put(&server, &alice, &roles(&bob), body).await;
        checks.error(step, &reply, 400, id);
    }
    let reply = get(
        &server,
        &bob,
        &format!("/teams/{guild}/members/{}", bob.id()),
    )
    .await;
    checks.that(
        "bob is still team admin",
        reply.1["scheme_admin"] == true && reply.1["scheme_guest"] == false,
        &reply.1,
    );
    let reply = put(&server, &alice, &roles(&dave), promote.clone()).await;
    checks.error(
        "someone not in the team",
        &reply,
        404,
        "app.team.get_member.missing.app_error",
    );
    let reply = put(
        &server,
        &alice,
        &format!("/teams/{guild}/members/not-an-id/schemeRoles"),
        promote.clone(),
    )
    .await;
    checks.error(
        "a malformed user id",
        &reply,
        400,
        "api.context.invalid_url_param.app_error",
    );

    // A system admin takes it back; Bob may no longer manage the team.
    let reply = put(
        &server,
        &admin,
        &roles(&bob),
        json!({"scheme_admin": false, "scheme_user": true}),
    )
    .await;
    checks.status("a system admin demotes", &reply, 200);
    let event = bobs.expect_event("memberrole_updated").await;
    checks.that(
        "bob hears of that too",
        event["data"]["member"]
            .as_str()
            .is_some_and(|m| m.contains("\"scheme_admin\":false")),
        &event,
    );
    let reply = put(
        &server,
        &bob,
        &format!("/teams/{guild}/patch"),
        json!({"display_name": "Mine Again"}),
    )
    .await;
    checks.status("bob can no longer rename the team", &reply, 403);
    checks.finish();
}
