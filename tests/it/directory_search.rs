//! Finding people and channels by name through the running server: user search and
//! autocomplete by any name, nickname or with a typo, still inside their filters; channel
//! search and autocomplete that never show a private channel to outsiders; renames found
//! soon after; and the directory filled again from the database after a restart.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, assert_error, data_dir};

/// A team "names" with admin, bob and carol (and dave, deactivated); `secret` is a
/// private channel of admin and bob; `design` a public one of admin's.
struct World {
    server: Server,
    admin: Login,
    bob: Login,
    carol: Login,
    team_id: String,
    town: String,
    secret: String,
    design: String,
    _data: tempfile::TempDir,
}

async fn patch_user(server: &Server, admin: &Login, id: &str, patch: Value) {
    let (status, body) = server
        .call(
            Some(admin),
            Method::PUT,
            &format!("/api/v4/users/{id}/patch"),
            Some(patch),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn new_channel(
    w_server: &Server,
    admin: &Login,
    team_id: &str,
    name: &str,
    display: &str,
    kind: &str,
) -> String {
    let (status, channel) = w_server
        .call(
            Some(admin),
            Method::POST,
            "/api/v4/channels",
            Some(json!({"team_id": team_id, "name": name, "display_name": display, "type": kind})),
        )
        .await;
    assert_eq!(status, 201, "{channel}");
    channel["id"].as_str().unwrap().to_string()
}

async fn world() -> World {
    world_with(&[]).await
}

async fn world_with(env: &[(&str, &str)]) -> World {
    let data = data_dir();
    let server = Server::start(data.path(), env);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let dave = server.create_user("dave", Some(&admin)).await;
    let dave_id = dave["id"].as_str().unwrap().to_string();
    patch_user(
        &server,
        &admin,
        bob.id(),
        json!({"first_name": "Robert", "last_name": "Smith", "nickname": "Wonderboy"}),
    )
    .await;
    patch_user(
        &server,
        &admin,
        carol.id(),
        json!({"first_name": "Carol", "last_name": "Liddell", "nickname": "Queen"}),
    )
    .await;
    patch_user(
        &server,
        &admin,
        &dave_id,
        json!({"first_name": "David", "nickname": "Wonderful"}),
    )
    .await;
    let (_, team) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "names", "display_name": "Names", "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap().to_string();
    for id in [bob.id(), carol.id(), dave_id.as_str()] {
        let (status, _) = server
            .call(
                Some(&admin),
                Method::POST,
                &format!("/api/v4/teams/{team_id}/members"),
                Some(json!({"team_id": team_id, "user_id": id})),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (status, _) = server
        .call(
            Some(&admin),
            Method::DELETE,
            &format!("/api/v4/users/{dave_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, town) = server
        .call(
            Some(&admin),
            Method::GET,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
            None,
        )
        .await;
    let secret = new_channel(
        &server,
        &admin,
        &team_id,
        "secret-plans",
        "Secret Plans",
        "P",
    )
    .await;
    let (status, _) = server
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/v4/channels/{secret}/members"),
            Some(json!({"user_id": bob.id()})),
        )
        .await;
    assert_eq!(status, 201);
    // Last: once the directory knows it, it knows everything above.
    let design = new_channel(&server, &admin, &team_id, "design", "Design Reviews", "O").await;
    World {
        town: town["id"].as_str().unwrap().to_string(),
        server,
        admin,
        bob,
        carol,
        team_id,
        secret,
        design,
        _data: data,
    }
}

/// Asks `ask` until `done` holds of the answer (the directory follows the database by a
/// moment); panics with the last answer after a few seconds.
async fn eventually<F, Fut>(mut ask: F, done: impl Fn(&Value) -> bool) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let mut last = Value::Null;
    for _ in 0..200 {
        last = ask().await;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never got the expected answer; the last was {last}");
}

/// Waits until the directory has caught up with the world (its last change, the design
/// channel, only the directory finds by a typo).
async fn settled(w: &World) {
    eventually(
        || channel_search(w, &w.admin, "desgin"),
        |f| !f.as_array().unwrap().is_empty(),
    )
    .await;
}

fn field(list: &Value, name: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v[name].as_str().unwrap().to_string())
        .collect()
}

fn usernames(list: &Value) -> Vec<String> {
    field(list, "username")
}

async fn search_users(w: &World, who: &Login, body: Value) -> Value {
    let (status, found) = w
        .server
        .call(Some(who), Method::POST, "/api/v4/users/search", Some(body))
        .await;
    assert_eq!(status, 200, "{found}");
    found
}

async fn get(w: &World, who: &Login, path: &str) -> Value {
    let (status, body) = w.server.call(Some(who), Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

#[tokio::test]
async fn users_are_found_by_any_name_nickname_and_with_a_typo() {
    // E-mail addresses are for admins only here.
    let w = world_with(&[("MM_PRIVACYSETTINGS_SHOWEMAILADDRESS", "false")]).await;
    settled(&w).await;
    let term = |t: &str| json!({"term": t, "team_id": w.team_id});
    // By nickname, and by words of the full name in any order.
    assert_eq!(
        usernames(&search_users(&w, &w.carol, term("wonder")).await),
        ["bob"],
        "dave is deactivated"
    );
    assert_eq!(
        usernames(&search_users(&w, &w.carol, term("smith rob")).await),
        ["bob"]
    );
    // One typo: neighbours swapped, a letter missing, a letter wrong.
    assert_eq!(
        usernames(&search_users(&w, &w.bob, term("lidedll")).await),
        ["carol"]
    );
    assert_eq!(
        usernames(&search_users(&w, &w.bob, term("quen")).await),
        ["carol"]
    );
    assert_eq!(
        usernames(&search_users(&w, &w.bob, term("smoth")).await),
        ["bob"]
    );
    assert!(
        search_users(&w, &w.bob, term("@qeeun"))
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "two typos"
    );
    let found = search_users(&w, &w.admin, json!({"term": "bob"})).await;
    assert_eq!(usernames(&found), ["bob"]);

    // Deactivated users when asked for.
    let found = search_users(
        &w,
        &w.admin,
        json!({"term": "wonderfl", "allow_inactive": true}),
    )
    .await;
    assert_eq!(usernames(&found), ["dave"]);
    let found = search_users(
        &w,
        &w.admin,
        json!({"term": "wonder", "allow_inactive": true}),
    )
    .await;
    assert_eq!(usernames(&found), ["bob", "dave"]);

    // E-mail addresses still match for those who may see them (admins).
    let found = search_users(&w, &w.admin, json!({"term": "carol@exa"})).await;
    assert_eq!(usernames(&found), ["carol"]);
    let found = search_users(&w, &w.bob, json!({"term": "carol@exa"})).await;
    assert!(found.as_array().unwrap().is_empty(), "{found}");

    // Autocomplete, with the same matching.
    let completions = get(
        &w,
        &w.bob,
        &format!(
            "/api/v4/users/autocomplete?team_id={}&name=liddel",
            w.team_id
        ),
    )
    .await;
    assert_eq!(usernames(&completions["users"]), ["carol"]);
    let completions = get(&w, &w.bob, "/api/v4/users/autocomplete?name=%40qeen").await;
    assert_eq!(usernames(&completions["users"]), ["carol"]);

    // A user created a moment ago is found at once (by prefix), then by nickname.
    let (_, erin) = w
        .server
        .call(
            Some(&w.admin),
            Method::POST,
            "/api/v4/users",
            Some(json!({"username": "erin", "email": "erin@example.com", "password": crate::support::accounts::PASSWORD, "nickname": "Tapestry"})),
        )
        .await;
    let found = search_users(&w, &w.bob, json!({"term": "eri"})).await;
    assert_eq!(usernames(&found), ["erin"]);
    let found = eventually(
        || search_users(&w, &w.bob, json!({"term": "tapestyr"})),
        |f| !f.as_array().unwrap().is_empty(),
    )
    .await;
    assert_eq!(field(&found, "id"), [erin["id"].as_str().unwrap()]);
}

#[tokio::test]
async fn user_search_keeps_its_filters() {
    let w = world().await;
    settled(&w).await;
    let found = search_users(&w, &w.bob, json!({"term": "wondr", "team_id": w.team_id})).await;
    assert_eq!(usernames(&found), ["bob"]);

    // bob is in the secret channel, carol is not.
    let found = search_users(
        &w,
        &w.bob,
        json!({"term": "wondr", "not_in_channel_id": w.secret, "team_id": w.team_id}),
    )
    .await;
    assert!(found.as_array().unwrap().is_empty(), "{found}");
    let found = search_users(
        &w,
        &w.bob,
        json!({"term": "quen", "not_in_channel_id": w.secret, "team_id": w.team_id}),
    )
    .await;
    assert_eq!(usernames(&found), ["carol"]);
    let found = search_users(
        &w,
        &w.bob,
        json!({"term": "quen", "in_channel_id": w.secret}),
    )
    .await;
    assert!(found.as_array().unwrap().is_empty(), "{found}");
    let found = search_users(
        &w,
        &w.bob,
        json!({"term": "smiht", "in_channel_id": w.secret}),
    )
    .await;
    assert_eq!(usernames(&found), ["bob"]);
    // Not in the team: the admin is, everyone else too; so nobody.
    let found = search_users(
        &w,
        &w.admin,
        json!({"term": "quen", "not_in_team_id": w.team_id}),
    )
    .await;
    assert!(found.as_array().unwrap().is_empty(), "{found}");
    // A channel the caller may not read is refused, fuzzy or not.
    let (status, body) = w
        .server
        .call(
            Some(&w.carol),
            Method::POST,
            "/api/v4/users/search",
            Some(json!({"term": "smiht", "in_channel_id": w.secret})),
        )
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");

    // Autocomplete in a channel: its members, then the team's others.
    let completions = get(
        &w,
        &w.bob,
        &format!(
            "/api/v4/users/autocomplete?team_id={}&channel_id={}&name=lidel",
            w.team_id, w.secret
        ),
    )
    .await;
    assert!(completions["users"].as_array().unwrap().is_empty());
    assert_eq!(usernames(&completions["out_of_channel"]), ["carol"]);
    let completions = get(
        &w,
        &w.bob,
        &format!(
            "/api/v4/users/autocomplete?team_id={}&channel_id={}&name=robret",
            w.team_id, w.secret
        ),
    )
    .await;
    assert_eq!(usernames(&completions["users"]), ["bob"]);
    assert!(completions["out_of_channel"].as_array().unwrap().is_empty());
    // Deactivated users are never suggested.
    let completions = get(&w, &w.admin, "/api/v4/users/autocomplete?name=wonderful").await;
    assert!(
        completions["users"].as_array().unwrap().is_empty(),
        "{completions}"
    );
}

async fn channel_search(w: &World, who: &Login, term: &str) -> Value {
    let (status, body) = w
        .server
        .call(
            Some(who),
            Method::POST,
            &format!("/api/v4/teams/{}/channels/search", w.team_id),
            Some(json!({ "term": term })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn autocomplete(w: &World, who: &Login, kind: &str, name: &str) -> Value {
    get(
        w,
        who,
        &format!(
            "/api/v4/teams/{}/channels/{kind}?name={}",
            w.team_id,
            name.replace(' ', "%20").replace('~', "%7E")
        ),
    )
    .await
}

fn ids(list: &Value) -> Vec<String> {
    field(list, "id")
}

#[tokio::test]
async fn channels_are_searched_and_completed_without_revealing_private_ones() {
    let w = world().await;
    settled(&w).await;

    // Search: public channels only, by name or display name, words, a typo.
    assert_eq!(
        ids(&channel_search(&w, &w.carol, "tow squar").await),
        [w.town.as_str()]
    );
    assert_eq!(
        ids(&channel_search(&w, &w.carol, "~town-square").await),
        [w.town.as_str()]
    );
    assert_eq!(
        ids(&channel_search(&w, &w.carol, "reviwes").await),
        [w.design.as_str()]
    );
    let found = channel_search(&w, &w.bob, "secret").await;
    assert!(
        found.as_array().unwrap().is_empty(),
        "not even to members: {found}"
    );
    let all = channel_search(&w, &w.carol, "").await;
    assert_eq!(field(&all, "name"), ["design", "off-topic", "town-square"]);
    assert_eq!(all[0]["display_name"], "Design Reviews");

    // Autocomplete: public channels, and private ones to their members.
    let members = autocomplete(&w, &w.bob, "autocomplete", "sec").await;
    assert_eq!(ids(&members), [w.secret.as_str()]);
    let outsider = autocomplete(&w, &w.carol, "autocomplete", "sec").await;
    assert!(outsider.as_array().unwrap().is_empty(), "{outsider}");
    let outsider = autocomplete(&w, &w.carol, "autocomplete", "secert plans").await;
    assert!(
        outsider.as_array().unwrap().is_empty(),
        "typos too: {outsider}"
    );
    let listed = autocomplete(&w, &w.bob, "autocomplete", "").await;
    assert_eq!(
        field(&listed, "name"),
        ["design", "off-topic", "secret-plans", "town-square"]
    );
    let listed = autocomplete(&w, &w.carol, "autocomplete", "").await;
    assert_eq!(
        field(&listed, "name"),
        ["design", "off-topic", "town-square"]
    );

    // Search autocomplete: only the caller's channels, and direct messages by the other
    // user's name.
    let mine = autocomplete(&w, &w.carol, "search_autocomplete", "des").await;
    assert!(
        mine.as_array().unwrap().is_empty(),
        "carol is not in design: {mine}"
    );
    let mine = autocomplete(&w, &w.admin, "search_autocomplete", "des").await;
    assert_eq!(ids(&mine), [w.design.as_str()]);
    let mine = autocomplete(&w, &w.bob, "search_autocomplete", "secret").await;
    assert_eq!(ids(&mine), [w.secret.as_str()]);
    let mine = autocomplete(&w, &w.carol, "search_autocomplete", "secret").await;
    assert!(mine.as_array().unwrap().is_empty(), "{mine}");
    let (status, dm) = w
        .server
        .call(
            Some(&w.bob),
            Method::POST,
            "/api/v4/channels/direct",
            Some(json!([w.bob.id(), w.carol.id()])),
        )
        .await;
    assert_eq!(status, 201, "{dm}");
    let mine = autocomplete(&w, &w.bob, "search_autocomplete", "liddell").await;
    assert_eq!(ids(&mine), [dm["id"].as_str().unwrap()]);
    assert_eq!(mine[0]["display_name"], "carol");
    let mine = autocomplete(&w, &w.admin, "search_autocomplete", "liddell").await;
    assert!(
        mine.as_array().unwrap().is_empty(),
        "not admin's DM: {mine}"
    );

    // Archived channels drop out at once.
    let (status, _) = w
        .server
        .call(
            Some(&w.admin),
            Method::DELETE,
            &format!("/api/v4/channels/{}", w.design),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        channel_search(&w, &w.carol, "design")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    let gone = autocomplete(&w, &w.carol, "autocomplete", "design").await;
    assert!(gone.as_array().unwrap().is_empty(), "{gone}");
}

#[tokio::test]
async fn renamed_channels_are_found_by_their_new_names() {
    let w = world().await;
    let (status, body) = w
        .server
        .call(
            Some(&w.admin),
            Method::PUT,
            &format!("/api/v4/channels/{}/patch", w.design),
            Some(json!({"display_name": "Launch Pad", "name": "launch-pad"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let found = eventually(
        || autocomplete(&w, &w.carol, "autocomplete", "lanch"),
        |f| !f.as_array().unwrap().is_empty(),
    )
    .await;
    assert_eq!(ids(&found), [w.design.as_str()]);
    assert_eq!(found[0]["display_name"], "Launch Pad");
    eventually(
        || channel_search(&w, &w.carol, "design"),
        |f| f.as_array().unwrap().is_empty(),
    )
    .await;

    // A new channel, and a new team's default channels, are found too.
    let roadmap = new_channel(&w.server, &w.admin, &w.team_id, "roadmap", "Road Map", "O").await;
    let found = eventually(
        || channel_search(&w, &w.bob, "roadmpa"),
        |f| !f.as_array().unwrap().is_empty(),
    )
    .await;
    assert_eq!(ids(&found), [roadmap]);
    let (_, team) = w
        .server
        .call(
            Some(&w.admin),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "fresh", "display_name": "Fresh", "type": "O"})),
        )
        .await;
    let fresh = team["id"].as_str().unwrap();
    let path = format!("/api/v4/teams/{fresh}/channels/autocomplete?name=tow");
    let found = eventually(
        || get(&w, &w.admin, &path),
        |f| !f.as_array().unwrap().is_empty(),
    )
    .await;
    assert_eq!(field(&found, "name"), ["town-square"]);
}

#[tokio::test]
async fn the_directory_is_filled_again_after_a_restart() {
    let w = world().await;
    let World {
        server,
        admin,
        team_id,
        design,
        _data: data,
        ..
    } = w;
    drop(server);
    // Sessions outlive the restart; the directory is filled from the database.
    let server = Server::start(data.path(), &[]);
    let found = eventually(
        || async {
            server
                .call(
                    Some(&admin),
                    Method::POST,
                    "/api/v4/users/search",
                    Some(json!({"term": "wondrboy"})),
                )
                .await
                .1
        },
        |f| f.as_array().is_some_and(|a| !a.is_empty()),
    )
    .await;
    assert_eq!(usernames(&found), ["bob"]);
    let found = eventually(
        || async {
            server
                .call(
                    Some(&admin),
                    Method::POST,
                    &format!("/api/v4/teams/{team_id}/channels/search"),
                    Some(json!({"term": "reviws"})),
                )
                .await
                .1
        },
        |f| f.as_array().is_some_and(|a| !a.is_empty()),
    )
    .await;
    assert_eq!(ids(&found), [design]);
}

#[tokio::test]
async fn refusals() {
    let w = world().await;
    let paths = [
        (Method::POST, "search"),
        (Method::GET, "autocomplete?name=a"),
        (Method::GET, "search_autocomplete?name=a"),
    ];
    for (method, path) in &paths {
        let url = format!("/api/v4/teams/{}/channels/{path}", w.team_id);
        let body = (*method == Method::POST).then(|| json!({"term": "a"}));
        let (status, answer) = w.server.call(None, method.clone(), &url, body).await;
        assert_error(
            status,
            &answer,
            401,
            "api.context.session_expired.app_error",
        );
    }
    // A team the caller cannot see: not a member of it.
    let loner = w.server.user(&w.admin, "loner").await;
    for (method, path) in &paths {
        let url = format!("/api/v4/teams/{}/channels/{path}", w.team_id);
        let body = (*method == Method::POST).then(|| json!({"term": "a"}));
        let (status, answer) = w
            .server
            .call(Some(&loner), method.clone(), &url, body)
            .await;
        assert_error(status, &answer, 403, "api.context.permissions.app_error");
    }
    // A team that does not exist, a bad id, an over-long term.
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::GET,
            "/api/v4/teams/aaaaaaaaaaaaaaaaaaaaaaaaaa/channels/autocomplete?name=a",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::GET,
            "/api/v4/teams/nope/channels/autocomplete?name=a",
            None,
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = w
        .server
        .call(
            Some(&w.bob),
            Method::POST,
            &format!("/api/v4/teams/{}/channels/search", w.team_id),
            Some(json!({"term": "x".repeat(65)})),
        )
        .await;
    assert_eq!(status, 400);
}
