//! Preferences, statuses and custom statuses as people meet them: saving and reading
//! settings, being kept out of someone else's, refused batches that write nothing, choosing
//! a status, appearing online by using the server, and what the change feed records.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, assert_error, data_dir};
use hearth::store::Store;

const BAD_BODY: &str = "api.context.invalid_body_param.app_error";
const BAD_URL: &str = "api.context.invalid_url_param.app_error";
const FORBIDDEN: &str = "api.context.permissions.app_error";
/// A well-formed id that names nobody.
const NOBODY: &str = "zzzzzzzzzzzzzzzzzzzzzzzzzz";

/// Calls the server and checks the status; returns the body.
async fn check(
    server: &Server,
    login: &Login,
    method: Method,
    path: &str,
    body: Option<Value>,
    expected: u16,
) -> Value {
    let (status, answer) = server.call(Some(login), method.clone(), path, body).await;
    assert_eq!(status, expected, "{method} {path}: {answer}");
    answer
}

/// Calls the server and checks it answers with this Mattermost error.
async fn refused(
    server: &Server,
    login: &Login,
    method: Method,
    path: &str,
    body: Option<Value>,
    (status, id): (u16, &str),
) {
    let (got, answer) = server.call(Some(login), method.clone(), path, body).await;
    assert_error(got, &answer, status, id);
}

fn pref(user: &Login, category: &str, name: &str, value: &str) -> Value {
    json!({ "user_id": user.id(), "category": category, "name": name, "value": value })
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Makes the server believe `login`'s session was last active two minutes ago, so its next
/// request counts as new activity (activity is written at most once a minute).
fn age_session(data: &std::path::Path, login: &Login) {
    let changed = crate::support::sql_execute(
        data,
        "UPDATE sessions SET last_activity_at = last_activity_at - 120000 WHERE token = ?1",
        &[&login.token],
    );
    assert_eq!(changed, 1);
}

async fn open_store(data: &std::path::Path) -> Arc<dyn Store> {
    crate::support::open_store(data).await
}

#[tokio::test]
async fn preferences_are_saved_read_and_deleted_by_their_owner() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mine = format!("/api/v4/users/{}/preferences", bob.id());

    // Key order, spacing and escapes of a theme survive exactly.
    let theme = r##"{ "sidebarBg":"#145dbf",  "type":"Denim", "codeTheme":"github", "mentionBg":"#ffffff", "note":"a \"quoted\" \u00e9" }"##;
    let saved = json!([
        pref(&bob, "display_settings", "use_military_time", "true"),
        pref(&bob, "theme", "", theme),
        pref(
            &bob,
            "favorite_channel",
            "abcdefghijklmnopqrstuvwxyz",
            "true"
        ),
    ]);
    let answer = check(
        &server,
        &bob,
        Method::PUT,
        "/api/v4/users/me/preferences",
        Some(saved),
        200,
    )
    .await;
    assert_eq!(answer, json!({ "status": "OK" }));

    // Everything, by category then name.
    let all = check(&server, &bob, Method::GET, &mine, None, 200).await;
    assert_eq!(
        all,
        json!([
            pref(&bob, "display_settings", "use_military_time", "true"),
            pref(
                &bob,
                "favorite_channel",
                "abcdefghijklmnopqrstuvwxyz",
                "true"
            ),
            pref(&bob, "theme", "", theme),
        ])
    );
    let themes = check(
        &server,
        &bob,
        Method::GET,
        &format!("{mine}/theme"),
        None,
        200,
    )
    .await;
    assert_eq!(themes[0]["value"].as_str(), Some(theme));
    assert_eq!(themes.as_array().unwrap().len(), 1);

    // Saving again replaces the value.
    let update = json!([pref(&bob, "display_settings", "use_military_time", "false")]);
    check(&server, &bob, Method::PUT, &mine, Some(update), 200).await;
    let one = check(
        &server,
        &bob,
        Method::GET,
        "/api/v4/users/me/preferences/display_settings/name/use_military_time",
        None,
        200,
    )
    .await;
    assert_eq!(
        one,
        pref(&bob, "display_settings", "use_military_time", "false")
    );

    // Missing things, answered as Mattermost answers them.
    let missing_name = format!("{mine}/display_settings/name/colorize_usernames");
    refused(
        &server,
        &bob,
        Method::GET,
        &missing_name,
        None,
        (400, "app.preference.get.app_error"),
    )
    .await;
    let empty_category = format!("{mine}/tutorial_step");
    let category_missing = (404, "api.preference.preferences_category.get.app_error");
    refused(
        &server,
        &bob,
        Method::GET,
        &empty_category,
        None,
        category_missing,
    )
    .await;
    // `delete` is a category name too when read.
    refused(
        &server,
        &bob,
        Method::GET,
        &format!("{mine}/delete"),
        None,
        category_missing,
    )
    .await;

    // Another user may neither read nor write them; an admin may.
    for (method, path, body) in [
        (Method::GET, mine.clone(), None),
        (Method::GET, format!("{mine}/theme"), None),
        (Method::GET, format!("{mine}/theme/name/x"), None),
        (
            Method::PUT,
            mine.clone(),
            Some(json!([pref(&bob, "theme", "", "{}")])),
        ),
        (
            Method::POST,
            format!("{mine}/delete"),
            Some(json!([pref(&bob, "theme", "", "")])),
        ),
    ] {
        refused(&server, &carol, method, &path, body, (403, FORBIDDEN)).await;
    }
    let seen_by_admin = check(&server, &admin, Method::GET, &mine, None, 200).await;
    assert_eq!(seen_by_admin.as_array().unwrap().len(), 3);
    assert_eq!(seen_by_admin[2]["value"].as_str(), Some(theme));

    // Deleting by category and name; the value sent does not matter.
    let gone = json!([pref(
        &bob,
        "display_settings",
        "use_military_time",
        "whatever"
    )]);
    check(
        &server,
        &bob,
        Method::POST,
        &format!("{mine}/delete"),
        Some(gone),
        200,
    )
    .await;
    refused(
        &server,
        &bob,
        Method::GET,
        &format!("{mine}/display_settings/name/use_military_time"),
        None,
        (400, "app.preference.get.app_error"),
    )
    .await;
    let rest = check(&server, &bob, Method::GET, &mine, None, 200).await;
    assert_eq!(rest.as_array().unwrap().len(), 2);
    // Deleting what is not there is fine.
    let again = json!([pref(&bob, "display_settings", "use_military_time", "")]);
    check(
        &server,
        &bob,
        Method::POST,
        &format!("{mine}/delete"),
        Some(again),
        200,
    )
    .await;

    // An admin may write them too, for an account that exists.
    let by_admin = json!([pref(&bob, "notifications", "email_interval", "3600")]);
    check(&server, &admin, Method::PUT, &mine, Some(by_admin), 200).await;
    let nobody = format!("/api/v4/users/{NOBODY}/preferences");
    let for_nobody = json!([{ "user_id": NOBODY, "category": "c", "name": "n", "value": "v" }]);
    refused(
        &server,
        &admin,
        Method::PUT,
        &nobody,
        Some(for_nobody),
        (404, "app.user.missing_account.const"),
    )
    .await;

    // The change feed told bob (and only bob) what changed, with Mattermost's event data.
    drop(server);
    let store = open_store(data.path()).await;
    let changes: Vec<_> = store
        .changes_since(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.kind.starts_with("preferences_"))
        .collect();
    let kinds: Vec<_> = changes.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "preferences_changed",
            "preferences_changed",
            "preferences_deleted",
            "preferences_deleted",
            "preferences_changed",
        ]
    );
    assert!(changes.iter().all(|c| c.user_id == bob.id()), "{changes:?}");
    let first: Value =
        serde_json::from_str(changes[0].data["preferences"].as_str().unwrap()).unwrap();
    assert_eq!(first[1]["value"].as_str(), Some(theme));
    let deleted: Value =
        serde_json::from_str(changes[2].data["preferences"].as_str().unwrap()).unwrap();
    assert_eq!(deleted[0]["name"], "use_military_time");
}

#[tokio::test]
async fn refused_preference_batches_write_nothing() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mine = format!("/api/v4/users/{}/preferences", bob.id());

    // One item for someone else spoils the batch (Mattermost answers 403 here).
    let mixed = json!([
        pref(&bob, "display_settings", "use_military_time", "true"),
        pref(&carol, "display_settings", "use_military_time", "true"),
    ]);
    let not_yours = (403, "api.preference.update_preferences.set.app_error");
    refused(
        &server,
        &bob,
        Method::PUT,
        &mine,
        Some(mixed.clone()),
        not_yours,
    )
    .await;
    // Even an admin cannot file carol's preference under bob.
    refused(&server, &admin, Method::PUT, &mine, Some(mixed), not_yours).await;
    let missing_owner = json!([{ "category": "display_settings", "name": "x", "value": "y" }]);
    refused(
        &server,
        &bob,
        Method::PUT,
        &mine,
        Some(missing_owner),
        not_yours,
    )
    .await;

    // One invalid item spoils the batch.
    for (item, rule) in [
        (pref(&bob, &"c".repeat(33), "n", "v"), "category"),
        (pref(&bob, "", "n", "v"), "category"),
        (pref(&bob, "c", &"n".repeat(33), "v"), "name"),
        (pref(&bob, "c", "n", &"v".repeat(20_001)), "value"),
        (pref(&bob, "theme", "", "not json"), "theme"),
    ] {
        let batch = json!([
            pref(&bob, "display_settings", "name_format", "full_name"),
            item
        ]);
        let id = format!("model.preference.is_valid.{rule}.app_error");
        refused(
            &server,
            &bob,
            Method::PUT,
            &mine,
            Some(batch),
            (400, id.as_str()),
        )
        .await;
    }
    let stored = check(&server, &bob, Method::GET, &mine, None, 200).await;
    assert_eq!(stored, json!([]));
    let carols = format!("/api/v4/users/{}/preferences", carol.id());
    assert_eq!(
        check(&server, &admin, Method::GET, &carols, None, 200).await,
        json!([])
    );

    // Deleting with a foreign item deletes nothing.
    let kept = json!([pref(&bob, "display_settings", "name_format", "full_name")]);
    check(&server, &bob, Method::PUT, &mine, Some(kept.clone()), 200).await;
    let mixed_delete = json!([
        pref(&bob, "display_settings", "name_format", ""),
        pref(&carol, "display_settings", "name_format", ""),
    ]);
    let not_yours = (403, "api.preference.delete_preferences.delete.app_error");
    refused(
        &server,
        &bob,
        Method::POST,
        &format!("{mine}/delete"),
        Some(mixed_delete),
        not_yours,
    )
    .await;
    assert_eq!(
        check(&server, &bob, Method::GET, &mine, None, 200).await,
        kept
    );

    // Malformed requests are 400s, never 500s.
    let hundred_and_one: Vec<_> = (0..101)
        .map(|i| pref(&bob, "tutorial_step", &format!("n{i}"), "1"))
        .collect();
    for body in [
        json!([]),
        json!(hundred_and_one),
        json!({"category": "x"}),
        json!("x"),
    ] {
        refused(
            &server,
            &bob,
            Method::PUT,
            &mine,
            Some(body.clone()),
            (400, BAD_BODY),
        )
        .await;
        refused(
            &server,
            &bob,
            Method::POST,
            &format!("{mine}/delete"),
            Some(body),
            (400, BAD_BODY),
        )
        .await;
    }
    let wrong_types = json!([{ "user_id": bob.id(), "category": "c", "name": "n", "value": 1 }]);
    refused(
        &server,
        &bob,
        Method::PUT,
        &mine,
        Some(wrong_types),
        (400, BAD_BODY),
    )
    .await;
    let (status, body) = json_of(
        server
            .as_user(&bob, Method::PUT, &mine)
            .header("Content-Type", "application/json")
            .body("[{not json"),
    )
    .await;
    assert_error(status, &body, 400, BAD_BODY);
    for path in [
        "/api/v4/users/not-an-id/preferences",
        "/api/v4/users/ABC/preferences/theme",
    ] {
        refused(&server, &bob, Method::GET, path, None, (400, BAD_URL)).await;
    }
    let (status, body) = server.call(None, Method::GET, &mine, None).await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
    assert_eq!(
        check(&server, &bob, Method::GET, &mine, None, 200).await,
        kept
    );
}

async fn json_of(request: reqwest::RequestBuilder) -> (u16, Value) {
    crate::support::json(request.send().await.expect("request")).await
}

#[tokio::test]
async fn statuses_are_offline_until_chosen_and_readable_by_everyone() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    // Dave has never signed in.
    let dave = server.create_user("dave", Some(&admin)).await;
    let dave_id = dave["id"].as_str().unwrap();
    let status_of = |id: &str| format!("/api/v4/users/{id}/status");

    let never_seen = check(&server, &carol, Method::GET, &status_of(dave_id), None, 200).await;
    assert_eq!(
        never_seen,
        json!({ "user_id": dave_id, "status": "offline", "manual": false, "last_activity_at": 0, "dnd_end_time": 0 })
    );

    // Bob chooses do-not-disturb for an hour; everyone sees it.
    let end = now_secs() + 3600;
    let dnd = json!({ "user_id": bob.id(), "status": "dnd", "dnd_end_time": end });
    let set = check(
        &server,
        &bob,
        Method::PUT,
        "/api/v4/users/me/status",
        Some(dnd),
        200,
    )
    .await;
    assert_eq!(
        (
            set["status"].clone(),
            set["manual"].clone(),
            set["dnd_end_time"].clone()
        ),
        (json!("dnd"), json!(true), json!(end))
    );
    let seen = check(
        &server,
        &carol,
        Method::GET,
        &status_of(bob.id()),
        None,
        200,
    )
    .await;
    assert_eq!(seen, set);

    // Many at once; ids that name nobody are left out, repeats answered once.
    let ids = json!([bob.id(), dave_id, NOBODY, bob.id()]);
    let many = check(
        &server,
        &carol,
        Method::POST,
        "/api/v4/users/status/ids",
        Some(ids),
        200,
    )
    .await;
    let mut found: Vec<(String, String)> = many
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["user_id"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        (bob.id().to_string(), "dnd".to_string()),
        (dave_id.to_string(), "offline".to_string()),
    ];
    expected.sort();
    assert_eq!(found, expected);

    // Only bob and admins may set bob's status; dnd_end_time counts only for dnd.
    let away = json!({ "user_id": bob.id(), "status": "away", "dnd_end_time": end });
    refused(
        &server,
        &carol,
        Method::PUT,
        &status_of(bob.id()),
        Some(away.clone()),
        (403, FORBIDDEN),
    )
    .await;
    let by_admin = check(
        &server,
        &admin,
        Method::PUT,
        &status_of(bob.id()),
        Some(away),
        200,
    )
    .await;
    assert_eq!(
        (
            by_admin["status"].clone(),
            by_admin["manual"].clone(),
            by_admin["dnd_end_time"].clone()
        ),
        (json!("away"), json!(true), json!(0))
    );
    // Choosing online hands the status back to activity.
    let online = json!({ "user_id": bob.id(), "status": "online" });
    let back = check(
        &server,
        &bob,
        Method::PUT,
        &status_of(bob.id()),
        Some(online),
        200,
    )
    .await;
    assert_eq!(
        (back["status"].clone(), back["manual"].clone()),
        (json!("online"), json!(false))
    );
    assert!(back["last_activity_at"].as_i64().unwrap() > 0);

    // Bad input is a 400 and changes nothing.
    let mine = status_of(bob.id());
    for (body, name) in [
        (json!({ "user_id": bob.id(), "status": "busy" }), "status"),
        (json!({ "user_id": bob.id(), "status": "ooo" }), "status"),
        (json!({ "user_id": bob.id() }), "status"),
        (
            json!({ "user_id": carol.id(), "status": "away" }),
            "user_id",
        ),
        (json!({ "status": "away" }), "user_id"),
        (
            json!({ "user_id": bob.id(), "status": "dnd", "dnd_end_time": now_secs() - 60 }),
            "dnd_end_time",
        ),
        (
            json!({ "user_id": bob.id(), "status": "dnd", "dnd_end_time": now_millis() + 60_000 }),
            "dnd_end_time",
        ),
        (
            json!({ "user_id": bob.id(), "status": "dnd", "dnd_end_time": -5 }),
            "dnd_end_time",
        ),
        (
            json!({ "user_id": bob.id(), "status": "dnd", "dnd_end_time": "soon" }),
            "body",
        ),
        (json!("online"), "body"),
    ] {
        let (status, answer) = server
            .call(Some(&bob), Method::PUT, &mine, Some(body.clone()))
            .await;
        assert_error(status, &answer, 400, BAD_BODY);
        assert!(
            answer["message"].as_str().unwrap().contains(name),
            "{body}: {answer}"
        );
    }
    let unchanged = check(&server, &bob, Method::GET, &mine, None, 200).await;
    assert_eq!(unchanged["status"], "online");

    let too_many: Vec<String> = (0..1001).map(|_| NOBODY.to_string()).collect();
    for body in [
        json!([]),
        json!(["short"]),
        json!([bob.id(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]),
        json!(too_many),
        json!({"ids": []}),
        json!([1]),
    ] {
        refused(
            &server,
            &carol,
            Method::POST,
            "/api/v4/users/status/ids",
            Some(body),
            (400, BAD_BODY),
        )
        .await;
    }
    refused(
        &server,
        &carol,
        Method::GET,
        &status_of(NOBODY),
        None,
        (404, "api.status.user_not_found.app_error"),
    )
    .await;
    let for_nobody = json!({ "user_id": NOBODY, "status": "away" });
    refused(
        &server,
        &admin,
        Method::PUT,
        &status_of(NOBODY),
        Some(for_nobody),
        (404, "api.status.user_not_found.app_error"),
    )
    .await;
    refused(
        &server,
        &carol,
        Method::GET,
        &status_of("nobody"),
        None,
        (400, BAD_URL),
    )
    .await;
    let (status, body) = server.call(None, Method::GET, &mine, None).await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn using_the_server_makes_an_automatic_status_online() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let erin = server.user(&admin, "erin").await;
    let mine = format!("/api/v4/users/{}/status", erin.id());

    // A request a while after the last one is activity: online, automatically.
    age_session(data.path(), &erin);
    let before = now_millis();
    check(&server, &erin, Method::GET, "/api/v4/users/me", None, 200).await;
    let active = check(&server, &admin, Method::GET, &mine, None, 200).await;
    assert_eq!(
        (active["status"].clone(), active["manual"].clone()),
        (json!("online"), json!(false))
    );
    let first_activity = active["last_activity_at"].as_i64().unwrap();
    assert!(first_activity >= before, "{active}");

    // A chosen status outlasts activity, which still moves the activity time.
    let dnd = json!({ "user_id": erin.id(), "status": "dnd" });
    check(&server, &erin, Method::PUT, &mine, Some(dnd), 200).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    age_session(data.path(), &erin);
    check(&server, &erin, Method::GET, "/api/v4/users/me", None, 200).await;
    let still = check(&server, &admin, Method::GET, &mine, None, 200).await;
    assert_eq!(
        (still["status"].clone(), still["manual"].clone()),
        (json!("dnd"), json!(true))
    );
    assert!(
        still["last_activity_at"].as_i64().unwrap() > first_activity,
        "{still}"
    );

    // Do-not-disturb with an end time ends by itself.
    let end = now_secs() + 2;
    let timed = json!({ "user_id": erin.id(), "status": "dnd", "dnd_end_time": end });
    check(&server, &erin, Method::PUT, &mine, Some(timed), 200).await;
    let wait = end * 1000 - now_millis() + 100;
    tokio::time::sleep(Duration::from_millis(wait.max(0) as u64)).await;
    let ids = json!([erin.id()]);
    let ended = check(
        &server,
        &admin,
        Method::POST,
        "/api/v4/users/status/ids",
        Some(ids),
        200,
    )
    .await;
    assert_eq!(
        (
            ended[0]["status"].clone(),
            ended[0]["manual"].clone(),
            ended[0]["dnd_end_time"].clone()
        ),
        (json!("online"), json!(false), json!(0))
    );

    // Every change of status was announced to erin as `status_change`.
    drop(server);
    let store = open_store(data.path()).await;
    let announced: Vec<_> = store
        .changes_since(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "status_change" && c.user_id == erin.id())
        .map(|c| {
            assert_eq!(c.data["user_id"], erin.id());
            c.data["status"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(announced, ["online", "dnd", "dnd", "online"]);
}

/// Sign-in is activity too: `sessions::login` records it.
#[tokio::test]
async fn signing_in_makes_an_automatic_status_online() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let frank = server.user(&admin, "frank").await;
    let status = check(
        &server,
        &admin,
        Method::GET,
        &format!("/api/v4/users/{}/status", frank.id()),
        None,
        200,
    )
    .await;
    assert_eq!(status["status"], "online");
}

#[tokio::test]
async fn custom_statuses_are_kept_until_cleared() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let mine = format!("/api/v4/users/{}/status/custom", bob.id());

    let meeting = json!({ "emoji": "calendar", "text": "In a meeting", "duration": "date_and_time", "expires_at": "2099-01-01T10:00:00.000Z" });
    let answer = check(&server, &bob, Method::PUT, &mine, Some(meeting), 200).await;
    assert_eq!(answer, json!({ "status": "OK" }));
    check(
        &server,
        &bob,
        Method::DELETE,
        "/api/v4/users/me/status/custom",
        None,
        200,
    )
    .await;
    // Clearing when nothing is set is fine.
    check(&server, &bob, Method::DELETE, &mine, None, 200).await;
    let lunch = json!({ "text": "Lunch" });
    check(
        &server,
        &bob,
        Method::PUT,
        "/api/v4/users/me/status/custom",
        Some(lunch),
        200,
    )
    .await;

    for body in [
        json!({}),
        json!({ "emoji": "", "text": "" }),
        json!({ "emoji": "x", "duration": "fortnight", "expires_at": "2099-01-01T00:00:00Z" }),
        json!({ "emoji": "x", "duration": "today" }),
        json!({ "emoji": "x", "duration": "today", "expires_at": "2000-01-01T00:00:00Z" }),
        json!({ "emoji": "x", "expires_at": "next tuesday" }),
        json!({ "emoji": 5 }),
        json!("x"),
    ] {
        refused(
            &server,
            &bob,
            Method::PUT,
            &mine,
            Some(body),
            (400, BAD_BODY),
        )
        .await;
    }
    let hers = json!({ "emoji": "x" });
    refused(
        &server,
        &carol,
        Method::PUT,
        &mine,
        Some(hers),
        (403, FORBIDDEN),
    )
    .await;
    refused(
        &server,
        &carol,
        Method::DELETE,
        &mine,
        None,
        (403, FORBIDDEN),
    )
    .await;

    drop(server);
    let store = open_store(data.path()).await;
    let kept = store.get_custom_status(bob.id()).await.unwrap();
    assert_eq!(
        (
            kept.emoji.as_str(),
            kept.text.as_str(),
            kept.duration.as_str(),
            kept.expires_at.as_str()
        ),
        ("speech_balloon", "Lunch", "", "0001-01-01T00:00:00Z")
    );
    let updates = store
        .changes_since(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "user_updated" && c.user_id == bob.id())
        .count();
    assert_eq!(
        updates, 3,
        "set, cleared, set again; clearing nothing is no change"
    );
    drop(store);

    // A server with custom statuses turned off says so.
    let server = Server::start(
        data.path(),
        &[("HEARTH_TEAMSETTINGS_ENABLECUSTOMUSERSTATUSES", "false")],
    );
    let bob = server
        .login("bob", crate::support::accounts::PASSWORD)
        .await;
    let lunch = json!({ "text": "Lunch" });
    refused(
        &server,
        &bob,
        Method::PUT,
        "/api/v4/users/me/status/custom",
        Some(lunch),
        (501, "api.custom_status.disabled"),
    )
    .await;
}

#[tokio::test]
async fn recent_custom_statuses_are_kept_newest_first_and_can_be_removed() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let status = |emoji: &str, text: &str| json!({"emoji": emoji, "text": text, "duration": ""});
    for (emoji, text) in [
        ("coffee", "break"),
        ("palm_tree", "away"),
        ("coffee", "break"),
    ] {
        check(
            &server,
            &bob,
            Method::PUT,
            "/api/v4/users/me/status/custom",
            Some(status(emoji, text)),
            200,
        )
        .await;
    }
    for n in 0..5 {
        check(
            &server,
            &bob,
            Method::PUT,
            "/api/v4/users/me/status/custom",
            Some(status("calendar", &format!("meeting {n}"))),
            200,
        )
        .await;
    }
    let recent_of = |answer: &Value| -> Vec<String> {
        let list: Vec<Value> = serde_json::from_str(answer["value"].as_str().unwrap()).unwrap();
        list.iter()
            .map(|s| s["text"].as_str().unwrap().to_string())
            .collect()
    };
    let path = "/api/v4/users/me/preferences/custom_status/name/recent_custom_statuses";
    let answer = check(&server, &bob, Method::GET, path, None, 200).await;
    // Five at most, newest first, each once.
    assert_eq!(
        recent_of(&answer),
        [
            "meeting 4",
            "meeting 3",
            "meeting 2",
            "meeting 1",
            "meeting 0"
        ]
    );

    check(
        &server,
        &bob,
        Method::DELETE,
        "/api/v4/users/me/status/custom/recent",
        Some(status("calendar", "meeting 2")),
        200,
    )
    .await;
    check(
        &server,
        &bob,
        Method::POST,
        "/api/v4/users/me/status/custom/recent/delete",
        Some(status("calendar", "meeting 0")),
        200,
    )
    .await;
    let answer = check(&server, &bob, Method::GET, path, None, 200).await;
    assert_eq!(recent_of(&answer), ["meeting 4", "meeting 3", "meeting 1"]);
    refused(
        &server,
        &bob,
        Method::DELETE,
        "/api/v4/users/me/status/custom/recent",
        Some(status("calendar", "never set")),
        (
            400,
            "api.custom_status.recent_custom_statuses.delete.app_error",
        ),
    )
    .await;
    let bobs = format!("/api/v4/users/{}/status/custom/recent", bob.id());
    refused(
        &server,
        &carol,
        Method::DELETE,
        &bobs,
        Some(status("calendar", "meeting 4")),
        (403, FORBIDDEN),
    )
    .await;
}
