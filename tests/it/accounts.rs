//! Accounts as people meet them: setting up a server, signing up, signing in and out,
//! sessions and cookies, deactivation, profiles, finding other users and profile pictures.

use std::collections::HashMap;
use std::io::Cursor;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::{Login, PASSWORD};
use crate::support::{Server, assert_error, data_dir, json};

const OPEN_SERVER: (&str, &str) = ("HEARTH_TEAMSETTINGS_ENABLEOPENSERVER", "true");

/// `POST /users` with `body`, as `by` or anonymously.
async fn sign_up(server: &Server, by: Option<&Login>, body: Value) -> (u16, Value) {
    server
        .call(by, Method::POST, "/api/v4/users", Some(body))
        .await
}

/// `POST /users/login`, returning the whole response (headers and cookies included).
async fn sign_in(server: &Server, login_id: &str, password: &str) -> reqwest::Response {
    server
        .post("/api/v4/users/login")
        .json(&json!({ "login_id": login_id, "password": password }))
        .send()
        .await
        .expect("request")
}

/// `GET /users/me` with this token as a Bearer header.
async fn me(server: &Server, token: &str) -> (u16, Value) {
    json(
        server
            .get("/api/v4/users/me")
            .bearer_auth(token)
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// `PUT path` as `login` with a JSON body.
async fn put(server: &Server, login: &Login, path: &str, body: Value) -> (u16, Value) {
    server
        .call(Some(login), Method::PUT, path, Some(body))
        .await
}

/// `GET path` as `login`, which must succeed; the body, checked for secrets.
async fn get_ok(server: &Server, login: &Login, path: &str) -> Value {
    let (status, body) = server.call(Some(login), Method::GET, path, None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    assert_no_secrets(&body);
    body
}

/// The ids of `user_id`'s sessions as `viewer` sees them.
async fn session_ids(server: &Server, viewer: &Login, user_id: &str) -> Vec<String> {
    let list = get_ok(server, viewer, &format!("/api/v4/users/{user_id}/sessions")).await;
    assert!(!list.to_string().contains(&viewer.token), "token in {list}");
    let ids = list.as_array().unwrap().iter();
    ids.map(|s| s["id"].as_str().unwrap().to_string()).collect()
}

/// `PUT /users/{user_id}/password` as `login`.
async fn change_password(
    server: &Server,
    login: &Login,
    user_id: &str,
    current: &str,
    new: &str,
) -> (u16, Value) {
    let body = json!({ "current_password": current, "new_password": new });
    put(
        server,
        login,
        &format!("/api/v4/users/{user_id}/password"),
        body,
    )
    .await
}

/// The `username`s of a list of users, in order.
fn usernames(users: &Value) -> Vec<&str> {
    users
        .as_array()
        .unwrap_or_else(|| panic!("not a list of users: {users}"))
        .iter()
        .map(|u| u["username"].as_str().expect("username"))
        .collect()
}

/// A role string as a sorted list, so `"a b"` and `"b a"` compare equal.
fn roles(user: &Value) -> Vec<&str> {
    let mut roles: Vec<&str> = user["roles"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    roles.sort_unstable();
    roles
}

/// No response may carry a password, a password hash or a field named `password`.
#[track_caller]
fn assert_no_secrets(body: &Value) {
    fn walk(value: &Value, body: &Value) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    assert!(
                        !matches!(key.as_str(), "password" | "password_hash" | "mfa_secret"),
                        "secret field {key} in {body}"
                    );
                    walk(value, body);
                }
            }
            Value::Array(list) => list.iter().for_each(|v| walk(v, body)),
            _ => {}
        }
    }
    walk(body, body);
    let text = body.to_string();
    assert!(!text.contains(PASSWORD), "password in {text}");
    assert!(!text.contains("$argon2"), "password hash in {text}");
}

/// The cookies a response sets: name → (value, attributes in lower case).
fn set_cookies(response: &reqwest::Response) -> HashMap<String, (String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|line| {
            let line = line.to_str().expect("ascii cookie");
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            (
                name.trim().to_string(),
                (value.trim().to_string(), attributes.to_lowercase()),
            )
        })
        .collect()
}

// --- 1. Setup and sign-up -------------------------------------------------------------

#[tokio::test]
async fn the_first_account_sets_up_the_server_and_becomes_its_admin() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let (status, body) = server.get_json("/api/v4/system/setup").await;
    assert_eq!((status, body), (200, json!({ "setup_needed": true })));

    // Sign-up is closed (EnableOpenServer is off by default), but not for the very first
    // account: someone has to be the admin.
    let (status, first) = sign_up(
        &server,
        None,
        json!({ "username": "admin", "email": "admin@example.com", "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(roles(&first), ["system_admin", "system_user"]);
    assert_no_secrets(&first);
    let (status, body) = server.get_json("/api/v4/system/setup").await;
    assert_eq!((status, body), (200, json!({ "setup_needed": false })));

    // After that, strangers are turned away…
    let (status, body) = sign_up(
        &server,
        None,
        json!({ "username": "mallory", "email": "mallory@example.com", "password": PASSWORD }),
    )
    .await;
    assert_error(status, &body, 403, "api.user.create_user.no_open_server");

    // …while the admin still creates accounts, which are ordinary users.
    let admin = server.login("admin", PASSWORD).await;
    let bob = server.create_user("bob", Some(&admin)).await;
    assert_eq!(roles(&bob), ["system_user"]);
    assert_no_secrets(&bob);
    let (status, listed) = server
        .call(Some(&admin), Method::GET, "/api/v4/users", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(usernames(&listed), ["admin", "bob"]);
}

#[tokio::test]
async fn open_sign_up_is_limited_to_the_allowed_domains() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            OPEN_SERVER,
            (
                "HEARTH_TEAMSETTINGS_RESTRICTCREATIONTODOMAINS",
                "example.org",
            ),
        ],
    );
    let account = |name: &str, domain: &str| json!({ "username": name, "email": format!("{name}@{domain}"), "password": PASSWORD });
    let (status, admin) = sign_up(&server, None, account("admin", "example.org")).await;
    assert_eq!(status, 201, "{admin}");

    // Anyone with an address at the allowed domain may sign up, and cannot make
    // themselves an admin on the way.
    let mut carol = account("carol", "example.org");
    carol["roles"] = json!("system_admin system_user");
    let (status, carol) = sign_up(&server, None, carol).await;
    assert_eq!(status, 201, "{carol}");
    assert_eq!(roles(&carol), ["system_user"]);
    server.login("carol", PASSWORD).await;

    let (status, body) = sign_up(&server, None, account("dave", "example.com")).await;
    assert_error(
        status,
        &body,
        400,
        "api.user.create_user.accepted_domain.app_error",
    );
    let failed = sign_in(&server, "dave", PASSWORD).await;
    assert_eq!(failed.status(), 401);
}

#[tokio::test]
async fn taken_usernames_and_emails_are_refused_whatever_their_case() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let cases = [
        (
            "admin",
            "other@example.com",
            "app.user.save.username_exists.app_error",
        ),
        (
            "ADMIN",
            "other@example.com",
            "app.user.save.username_exists.app_error",
        ),
        (
            "other",
            "admin@example.com",
            "app.user.save.email_exists.app_error",
        ),
        (
            "other",
            "Admin@Example.com",
            "app.user.save.email_exists.app_error",
        ),
    ];
    for (username, email, id) in cases {
        let (status, body) = sign_up(
            &server,
            Some(&admin),
            json!({ "username": username, "email": email, "password": PASSWORD }),
        )
        .await;
        assert_error(status, &body, 400, id);
    }
    let (_, listed) = server
        .call(Some(&admin), Method::GET, "/api/v4/users", None)
        .await;
    assert_eq!(usernames(&listed), ["admin"]);
}

// --- 2. Bad input on sign-up ----------------------------------------------------------

#[tokio::test]
async fn bad_sign_up_forms_are_400s_never_500s() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let form = |username: &str, email: &str, password: &str| json!({ "username": username, "email": email, "password": password });
    let username = "model.user.is_valid.username.app_error";
    let email = "model.user.is_valid.email.app_error";
    let cases = [
        (json!({}), username),
        (json!({ "username": "bob" }), email),
        (
            json!({ "username": "bob", "email": "bob@example.com" }),
            "model.user.is_valid.pwd.app_error",
        ),
        (form(&"b".repeat(65), "bob@example.com", PASSWORD), username),
        (form("1bob", "bob@example.com", PASSWORD), username),
        (form("all", "all@example.com", PASSWORD), username),
        (form("bo b", "bob@example.com", PASSWORD), username),
        (form("bob!", "bob@example.com", PASSWORD), username),
        (form("bob", "not-an-email", PASSWORD), email),
        (form("bob", "bob @example.com", PASSWORD), email),
        (
            form("bob", "bob@example.com", "short"),
            "model.user.is_valid.pwd.app_error",
        ),
        (
            json!({ "username": "bob", "email": "bob@example.com", "password": PASSWORD,
                    "first_name": "x".repeat(65) }),
            "model.user.is_valid.first_name.app_error",
        ),
        (
            json!(["bob", "bob@example.com", PASSWORD]),
            "api.context.invalid_body_param.app_error",
        ),
        (
            json!({ "username": 5 }),
            "api.context.invalid_body_param.app_error",
        ),
    ];
    for (body, id) in cases {
        let (status, reply) = sign_up(&server, Some(&admin), body.clone()).await;
        assert!(status != 201, "accepted {body}: {reply}");
        assert_error(status, &reply, 400, id);
    }

    let raw = |body: Vec<u8>| {
        server
            .post("/api/v4/users")
            .bearer_auth(&admin.token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let (status, reply) = json(raw(b"username=bob&password=x".to_vec()).await.unwrap()).await;
    assert_error(
        status,
        &reply,
        400,
        "api.context.invalid_body_param.app_error",
    );
    // Over ServiceSettings.MaximumPayloadSizeBytes (300 000 by default).
    let huge = form("bob", "bob@example.com", PASSWORD);
    let mut huge = huge.as_object().unwrap().clone();
    huge.insert("nickname".into(), json!("x".repeat(400_000)));
    let (status, reply) = json(raw(serde_json::to_vec(&huge).unwrap()).await.unwrap()).await;
    assert_error(
        status,
        &reply,
        413,
        "api.context.request_body_too_large.app_error",
    );

    // Usernames and addresses are not case-sensitive: capitals are folded, as in Mattermost.
    let (status, carol) = sign_up(
        &server,
        Some(&admin),
        form("Carol", "Carol@Example.COM", PASSWORD),
    )
    .await;
    assert_eq!(status, 201, "{carol}");
    assert_eq!(
        (&carol["username"], &carol["email"]),
        (&json!("carol"), &json!("carol@example.com"))
    );

    // Nothing half-made was left behind.
    let (_, listed) = server
        .call(Some(&admin), Method::GET, "/api/v4/users", None)
        .await;
    assert_eq!(usernames(&listed), ["admin", "carol"]);
}

// --- 3. Signing in --------------------------------------------------------------------

#[tokio::test]
async fn signing_in_gives_a_token_and_the_web_cookies() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.create_user("bob", Some(&admin)).await;

    // People type their name or address with capitals; Mattermost does not mind.
    for login_id in ["bob", "bob@example.com", "BOB", "Bob@Example.COM"] {
        let response = sign_in(&server, login_id, PASSWORD).await;
        assert_eq!(response.status(), 200, "signing in as {login_id}");
        let token = response.headers()["Token"].to_str().unwrap().to_string();
        assert_eq!(token.len(), 26);
        let cookies = set_cookies(&response);
        let (session, session_attributes) = &cookies["MMAUTHTOKEN"];
        assert_eq!(session, &token);
        assert!(session_attributes.contains("httponly"), "{cookies:?}");
        assert_eq!(cookies["MMUSERID"].0, bob["id"].as_str().unwrap());
        assert!(!cookies["MMUSERID"].1.contains("httponly"), "{cookies:?}");
        let (csrf, csrf_attributes) = &cookies["MMCSRF"];
        assert!(!csrf.is_empty() && csrf != &token, "{cookies:?}");
        // The web client's script reads the CSRF token, so it must not be HttpOnly.
        assert!(!csrf_attributes.contains("httponly"), "{cookies:?}");

        let (_, user) = json(response).await;
        assert_eq!(user["id"], bob["id"]);
        assert_no_secrets(&user);
        assert_eq!(me(&server, &token).await.1["username"], "bob");
    }

    // A wrong password and an unknown account look the same from outside.
    for (login_id, password) in [
        ("bob", "wrong-password"),
        ("nobody", PASSWORD),
        ("nobody@example.com", PASSWORD),
    ] {
        let response = sign_in(&server, login_id, password).await;
        assert!(response.headers().get("Token").is_none());
        assert!(
            set_cookies(&response)
                .get("MMAUTHTOKEN")
                .is_none_or(|(v, _)| v.is_empty())
        );
        let (status, body) = json(response).await;
        assert_error(
            status,
            &body,
            401,
            "api.user.login.invalid_credentials_email_username",
        );
    }
}

#[tokio::test]
async fn too_many_wrong_passwords_lock_the_account_until_an_admin_resets_it() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[("HEARTH_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS", "3")],
    );
    let admin = server.admin().await;
    let bob = server.create_user("bob", Some(&admin)).await;
    let bob_id = bob["id"].as_str().unwrap();

    for _ in 0..3 {
        let (status, body) = json(sign_in(&server, "bob", "guess-guess").await).await;
        assert_error(
            status,
            &body,
            401,
            "api.user.login.invalid_credentials_email_username",
        );
    }
    // Now even the right password is refused.
    let (status, body) = json(sign_in(&server, "bob", PASSWORD).await).await;
    assert_error(
        status,
        &body,
        401,
        "api.user.check_user_login_attempts.too_many.app_error",
    );

    let (status, body) = server
        .call(
            Some(&admin),
            Method::PUT,
            &format!("/api/v4/users/{bob_id}/password"),
            Some(json!({ "new_password": "a-brand-new-one" })),
        )
        .await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    let response = sign_in(&server, "bob", "a-brand-new-one").await;
    assert_eq!(response.status(), 200);

    // The admin can see what happened.
    let (status, audits) = server
        .call(Some(&admin), Method::GET, "/api/v4/audits", None)
        .await;
    assert_eq!(status, 200, "{audits}");
    let bobs: Vec<&str> = audits
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["user_id"] == bob_id)
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(bobs.contains(&"login"), "{audits}");
    assert!(
        bobs.iter().filter(|a| **a == "login_failure").count() >= 3,
        "{audits}"
    );
    assert_no_secrets(&audits);

    // Ordinary users may not read the audit log.
    let bob = server.login("bob", "a-brand-new-one").await;
    let (status, body) = server
        .call(Some(&bob), Method::GET, "/api/v4/audits", None)
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
}

#[tokio::test]
async fn guessing_the_current_password_with_a_session_counts_toward_the_lockout() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[("HEARTH_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS", "3")],
    );
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    // Someone who stole Bob's session tries passwords through the password form…
    for guess in ["guess-one", "guess-two", "guess-three"] {
        let (status, body) = change_password(&server, &bob, "me", guess, "stolen-account-1").await;
        assert_error(
            status,
            &body,
            400,
            "api.user.update_password.incorrect.app_error",
        );
    }
    // …and is stopped as a login would be, even when the next guess is right.
    let (status, body) = change_password(&server, &bob, "me", PASSWORD, "stolen-account-1").await;
    assert_error(
        status,
        &body,
        401,
        "api.user.check_user_login_attempts.too_many.app_error",
    );
    let (status, body) = json(sign_in(&server, "bob", "stolen-account-1").await).await;
    assert_eq!(status, 401, "{body}");
}

// --- 4. Sessions ----------------------------------------------------------------------

#[tokio::test]
async fn a_token_works_wherever_mattermost_clients_send_it() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let requests = [
        server.get("/api/v4/users/me").bearer_auth(&bob.token),
        server
            .get("/api/v4/users/me")
            .header("Authorization", format!("Token {}", bob.token)),
        server
            .get("/api/v4/users/me")
            .header("Authorization", format!("bearer {}", bob.token)),
        server.get(&format!("/api/v4/users/me?access_token={}", bob.token)),
    ];
    for request in requests {
        let (status, user) = json(request.send().await.unwrap()).await;
        assert_eq!(status, 200, "{user}");
        assert_eq!(user["id"], bob.id());
    }

    let (status, body) = server.get_json("/api/v4/users/me").await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
    let (status, body) = me(&server, "abcdefghijklmnopqrstuvwxyz").await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn sessions_end_by_logout_revocation_and_expiry() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let carol = server.user(&admin, "carol").await;
    let bob = server.user(&admin, "bob").await;

    // Bob signs in on a laptop and a phone: three sessions, listed without their tokens.
    let first = session_ids(&server, &bob, bob.id()).await;
    assert_eq!(first.len(), 1);
    let laptop = server.login("bob", PASSWORD).await;
    let phone = server.login("bob", PASSWORD).await;
    let (status, list) = server
        .call(Some(&bob), Method::GET, "/api/v4/users/me/sessions", None)
        .await;
    assert_eq!(status, 200);
    for session in list.as_array().unwrap() {
        assert!(session.get("token").is_none_or(|t| t == ""), "{list}");
        assert_eq!(session["user_id"], bob.id());
        assert!(session["props"].get("csrf").is_none(), "{list}");
    }
    for token in [&bob.token, &laptop.token, &phone.token] {
        assert!(
            !list.to_string().contains(token.as_str()),
            "token in {list}"
        );
    }
    let all = session_ids(&server, &admin, bob.id()).await;
    assert_eq!(all.len(), 3);
    let (status, body) = server
        .call(
            Some(&carol),
            Method::GET,
            &format!("/api/v4/users/{}/sessions", bob.id()),
            None,
        )
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");

    // He signs out on the phone: that token is dead (and the cookies are cleared), the
    // others live on.
    let response = server
        .as_user(&phone, Method::POST, "/api/v4/users/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cleared = set_cookies(&response);
    for name in ["MMAUTHTOKEN", "MMUSERID", "MMCSRF"] {
        let (value, attributes) = &cleared[name];
        assert!(
            value.is_empty() && attributes.contains("max-age=0"),
            "{cleared:?}"
        );
    }
    assert_error_401(me(&server, &phone.token).await);
    assert_eq!(me(&server, &laptop.token).await.0, 200);

    // From the first session he revokes the laptop's.
    let remaining = session_ids(&server, &bob, bob.id()).await;
    assert_eq!(remaining.len(), 2);
    let laptop_session = remaining.iter().find(|id| !first.contains(id)).unwrap();
    let (status, body) = server
        .call(
            Some(&bob),
            Method::POST,
            "/api/v4/users/me/sessions/revoke",
            Some(json!({ "session_id": laptop_session })),
        )
        .await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    assert_error_401(me(&server, &laptop.token).await);
    assert_eq!(me(&server, &bob.token).await.0, 200);

    // Carol cannot end Bob's session by passing its id off as one of hers.
    let (status, _) = server
        .call(
            Some(&carol),
            Method::POST,
            "/api/v4/users/me/sessions/revoke",
            Some(json!({ "session_id": first[0] })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(me(&server, &bob.token).await.0, 200);

    // Then he revokes everything, his own session included.
    let (status, _) = server
        .call(
            Some(&bob),
            Method::POST,
            "/api/v4/users/me/sessions/revoke/all",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_error_401(me(&server, &bob.token).await);
    assert_eq!(
        session_ids(&server, &admin, bob.id()).await,
        Vec::<String>::new()
    );

    // A session past its expiry time is refused, even though nobody revoked it.
    let tablet = server.login("bob", PASSWORD).await;
    assert_eq!(me(&server, &tablet.token).await.0, 200);
    let changed = crate::support::sql_execute(
        data.path(),
        "UPDATE sessions SET expires_at = 1 WHERE token = ?1",
        &[&tablet.token],
    );
    assert_eq!(changed, 1);
    assert_error_401(me(&server, &tablet.token).await);
}

#[track_caller]
fn assert_error_401((status, body): (u16, Value)) {
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
}

// --- 5. Cookies and CSRF --------------------------------------------------------------

/// Signs in and returns the `Cookie` header a browser would send back, and the CSRF token.
async fn browser_sign_in(server: &Server, username: &str) -> (String, String) {
    let response = sign_in(server, username, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookies = set_cookies(&response);
    let csrf = cookies["MMCSRF"].0.clone();
    let header = ["MMAUTHTOKEN", "MMUSERID", "MMCSRF"]
        .iter()
        .map(|name| format!("{name}={}", cookies[*name].0))
        .collect::<Vec<_>>()
        .join("; ");
    (header, csrf)
}

/// `PUT /users/me/patch` setting the nickname, with the browser's cookies and `headers`.
async fn set_nickname(
    server: &Server,
    cookie: &str,
    headers: &[(&str, &str)],
    nickname: &str,
) -> (u16, Value) {
    let mut request = server
        .request(Method::PUT, "/api/v4/users/me/patch")
        .header("Cookie", cookie)
        .json(&json!({ "nickname": nickname }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    json(request.send().await.unwrap()).await
}

#[tokio::test]
async fn cookie_sessions_must_prove_writes_come_from_the_web_client() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    server.create_user("bob", Some(&admin)).await;
    let (cookie, csrf) = browser_sign_in(&server, "bob").await;

    // Reading needs nothing but the cookie.
    let (status, user) = json(
        server
            .get("/api/v4/users/me")
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &user["username"]), (200, &json!("bob")));

    // A write without proof could be a forged cross-site form: refused, and nothing changes.
    for headers in [vec![], vec![("X-CSRF-Token", "abcdefghijklmnopqrstuvwxyz")]] {
        let (status, body) = set_nickname(&server, &cookie, &headers, "forged").await;
        assert_error(status, &body, 401, "api.context.session_expired.app_error");
    }
    let (status, body) = set_nickname(&server, &cookie, &[("X-CSRF-Token", &csrf)], "bobby").await;
    assert_eq!(
        (status, &body["nickname"]),
        (200, &json!("bobby")),
        "{body}"
    );
    let (status, body) = set_nickname(
        &server,
        &cookie,
        &[("X-Requested-With", "XMLHttpRequest")],
        "rob",
    )
    .await;
    assert_eq!((status, &body["nickname"]), (200, &json!("rob")), "{body}");

    // A token in a header cannot be sent by another site, so it needs no CSRF proof.
    let bob = server.login("bob", PASSWORD).await;
    let (status, body) = server
        .call(
            Some(&bob),
            Method::PUT,
            "/api/v4/users/me/patch",
            Some(json!({ "nickname": "robert" })),
        )
        .await;
    assert_eq!(
        (status, &body["nickname"]),
        (200, &json!("robert")),
        "{body}"
    );
}

#[tokio::test]
async fn strict_csrf_enforcement_accepts_only_the_csrf_token() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[(
            "HEARTH_SERVICESETTINGS_EXPERIMENTALSTRICTCSRFENFORCEMENT",
            "true",
        )],
    );
    let admin = server.admin().await;
    server.create_user("bob", Some(&admin)).await;
    let (cookie, csrf) = browser_sign_in(&server, "bob").await;

    let (status, body) = set_nickname(
        &server,
        &cookie,
        &[("X-Requested-With", "XMLHttpRequest")],
        "rob",
    )
    .await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
    let (status, body) = set_nickname(&server, &cookie, &[("X-CSRF-Token", &csrf)], "bobby").await;
    assert_eq!(
        (status, &body["nickname"]),
        (200, &json!("bobby")),
        "{body}"
    );
}

// --- 6. Deactivation ------------------------------------------------------------------

#[tokio::test]
async fn a_deactivated_user_is_signed_out_until_reactivated() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;
    let active = |id: &str| format!("/api/v4/users/{id}/active");

    // Carol cannot switch Bob off, either way.
    let (status, body) = server
        .call(
            Some(&carol),
            Method::PUT,
            &active(bob.id()),
            Some(json!({ "active": false })),
        )
        .await;
    assert_error(
        status,
        &body,
        403,
        "api.user.update_active.permissions.app_error",
    );
    let (status, body) = server
        .call(
            Some(&carol),
            Method::DELETE,
            &format!("/api/v4/users/{}", bob.id()),
            None,
        )
        .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    assert_eq!(me(&server, &bob.token).await.0, 200);

    // The admin can: Bob's open session ends at once and he cannot sign back in.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::PUT,
            &active(bob.id()),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    assert_error_401(me(&server, &bob.token).await);
    let (status, body) = json(sign_in(&server, "bob", PASSWORD).await).await;
    assert_error(status, &body, 401, "api.user.login.inactive.app_error");
    let (_, seen) = server
        .call(
            Some(&carol),
            Method::GET,
            &format!("/api/v4/users/{}", bob.id()),
            None,
        )
        .await;
    assert!(seen["delete_at"].as_i64().unwrap() > 0, "{seen}");

    // Reactivated, he signs in again; the session that was ended stays ended.
    let (status, _) = server
        .call(
            Some(&admin),
            Method::PUT,
            &active(bob.id()),
            Some(json!({ "active": true })),
        )
        .await;
    assert_eq!(status, 200);
    let again = server.login("bob", PASSWORD).await;
    assert_eq!(again.user["delete_at"], 0);
    assert_error_401(me(&server, &bob.token).await);

    // DELETE /users/{id} deactivates too.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::DELETE,
            &format!("/api/v4/users/{}", bob.id()),
            None,
        )
        .await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    assert_error_401(me(&server, &again.token).await);
    let (status, body) = json(sign_in(&server, "bob", PASSWORD).await).await;
    assert_error(status, &body, 401, "api.user.login.inactive.app_error");
}

// --- 7. Profile -----------------------------------------------------------------------

#[tokio::test]
async fn users_edit_their_own_profile_and_need_their_password_for_a_new_email() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;

    let (status, saved) = put(
        &server,
        &bob,
        "/api/v4/users/me/patch",
        json!({ "nickname": "Bobby", "first_name": "Robert" }),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (_, seen) = me(&server, &bob.token).await;
    for user in [&saved, &seen] {
        assert_eq!(
            (&user["nickname"], &user["first_name"], &user["username"]),
            (&json!("Bobby"), &json!("Robert"), &json!("bob"))
        );
    }

    // A new address needs the password: a stolen session must not be enough to take the
    // account over through a password reset.
    let (status, _) = put(
        &server,
        &bob,
        "/api/v4/users/me/patch",
        json!({ "email": "bob@evil.example" }),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = put(
        &server,
        &bob,
        "/api/v4/users/me/patch",
        json!({ "email": "bob@evil.example", "password": "not-my-password" }),
    )
    .await;
    // Mattermost answers a wrong password here with 401 and this id, which its web client
    // turns into "incorrect password".
    assert_error(
        status,
        &body,
        401,
        "api.user.check_user_password.invalid.app_error",
    );
    assert_eq!(me(&server, &bob.token).await.1["email"], "bob@example.com");
    let (status, saved) = put(
        &server,
        &bob,
        "/api/v4/users/me/patch",
        json!({ "email": "robert@example.com", "password": PASSWORD }),
    )
    .await;
    assert_eq!(
        (status, &saved["email"]),
        (200, &json!("robert@example.com")),
        "{saved}"
    );
    assert_no_secrets(&saved);
    server.login("robert@example.com", PASSWORD).await;

    // Names and addresses stay unique and valid.
    let cases = [
        (
            json!({ "username": "carol" }),
            "app.user.save.username_exists.app_error",
        ),
        (
            json!({ "username": "Not Valid" }),
            "model.user.is_valid.username.app_error",
        ),
        (
            json!({ "email": "carol@example.com", "password": PASSWORD }),
            "app.user.save.email_exists.app_error",
        ),
        (
            json!({ "nickname": "n".repeat(65) }),
            "model.user.is_valid.nickname.app_error",
        ),
    ];
    for (body, id) in cases {
        let (status, reply) = put(&server, &bob, "/api/v4/users/me/patch", body).await;
        assert_error(status, &reply, 400, id);
    }

    // Nobody edits someone else's profile without the permission.
    let (status, body) = put(
        &server,
        &carol,
        &format!("/api/v4/users/{}/patch", bob.id()),
        json!({ "nickname": "Bozo" }),
    )
    .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    assert_eq!(me(&server, &bob.token).await.1["nickname"], "Bobby");
}

#[tokio::test]
async fn only_admins_change_roles_and_only_to_system_roles() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let path = format!("/api/v4/users/{}/roles", bob.id());

    let (status, body) = put(
        &server,
        &bob,
        &path,
        json!({ "roles": "system_user system_admin" }),
    )
    .await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    for invalid in ["system_user team_admin", "nonsense", "system_admin", ""] {
        let (status, body) = put(&server, &admin, &path, json!({ "roles": invalid })).await;
        assert_eq!(status, 400, "roles {invalid:?}: {body}");
    }
    assert_eq!(roles(&me(&server, &bob.token).await.1), ["system_user"]);

    let (status, body) = put(
        &server,
        &admin,
        &path,
        json!({ "roles": "system_user system_admin" }),
    )
    .await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    assert_eq!(
        roles(&me(&server, &bob.token).await.1),
        ["system_admin", "system_user"]
    );
    // Bob now does what only admins do, with the session he already had.
    let (status, body) = server
        .call(Some(&bob), Method::GET, "/api/v4/audits", None)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_follows_the_policy() {
    let data = data_dir();
    let server = Server::start(data.path(), &[("HEARTH_PASSWORDSETTINGS_NUMBER", "true")]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;

    let (status, body) =
        change_password(&server, &bob, "me", "not-my-password", "new-secret-2").await;
    assert_error(
        status,
        &body,
        400,
        "api.user.update_password.incorrect.app_error",
    );
    let (status, body) = change_password(&server, &bob, "me", PASSWORD, "short1").await;
    assert_error(
        status,
        &body,
        400,
        "model.user.is_valid.pwd_number.app_error",
    );
    let (status, body) = change_password(&server, &bob, "me", PASSWORD, "no-digits-at-all").await;
    assert_error(
        status,
        &body,
        400,
        "model.user.is_valid.pwd_number.app_error",
    );
    let (status, body) = change_password(&server, &carol, bob.id(), PASSWORD, "new-secret-2").await;
    assert_error(
        status,
        &body,
        403,
        "api.user.update_password.context.app_error",
    );
    let (status, body) = change_password(&server, &bob, "me", "", "new-secret-2").await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = change_password(&server, &bob, "me", PASSWORD, "new-secret-2").await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    let (status, body) = json(sign_in(&server, "bob", PASSWORD).await).await;
    assert_error(
        status,
        &body,
        401,
        "api.user.login.invalid_credentials_email_username",
    );
    server.login("bob", "new-secret-2").await;
}

// --- 8. Reading users -----------------------------------------------------------------

/// A server with `admin`, then `carol`, `bob` and `bonnie` created in that order.
async fn populated(
    data: &std::path::Path,
    env: &[(&str, &str)],
) -> (Server, Login, HashMap<&'static str, Login>) {
    let server = Server::start(data, env);
    let admin = server.admin().await;
    let mut users = HashMap::new();
    for name in ["carol", "bob", "bonnie"] {
        users.insert(name, server.user(&admin, name).await);
    }
    (server, admin, users)
}

#[tokio::test]
async fn users_are_found_by_id_name_and_email() {
    let data = data_dir();
    let (server, _admin, users) = populated(data.path(), &[]).await;
    let (bob, carol) = (&users["bob"], &users["carol"]);
    let get = async |path: &str| {
        let path = format!("/api/v4{path}");
        server.call(Some(bob), Method::GET, &path, None).await
    };

    for path in [
        format!("/users/{}", carol.id()),
        "/users/username/carol".to_string(),
        "/users/email/carol@example.com".to_string(),
    ] {
        let (status, user) = get(&path).await;
        assert_eq!(
            (status, &user["id"]),
            (200, &json!(carol.id())),
            "{path}: {user}"
        );
        assert_no_secrets(&user);
    }
    let (status, found) = server
        .call(
            Some(bob),
            Method::POST,
            "/api/v4/users/ids",
            Some(json!([carol.id(), bob.id()])),
        )
        .await;
    assert_eq!(status, 200);
    let mut names = usernames(&found);
    names.sort_unstable();
    assert_eq!(names, ["bob", "carol"]);
    let (status, found) = server
        .call(
            Some(bob),
            Method::POST,
            "/api/v4/users/usernames",
            Some(json!(["carol", "nobody", "bonnie"])),
        )
        .await;
    assert_eq!(status, 200);
    let mut names = usernames(&found);
    names.sort_unstable();
    assert_eq!(names, ["bonnie", "carol"]);
    assert_no_secrets(&found);

    let (status, body) = get("/users/abcdefghijklmnopqrstuvwxyz").await;
    assert_error(status, &body, 404, "app.user.missing_account.const");
    let (status, body) = get("/users/username/nobody").await;
    assert_error(status, &body, 404, "app.user.missing_account.const");
    let (status, body) = get("/users/not-an-id").await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    let (status, body) = server
        .call(
            Some(bob),
            Method::POST,
            "/api/v4/users/ids",
            Some(json!(["not-an-id"])),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server
        .get_json(&format!("/api/v4/users/{}", carol.id()))
        .await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
}

#[tokio::test]
async fn the_user_list_pages_sorts_filters_and_searches() {
    let data = data_dir();
    let (server, admin, users) = populated(data.path(), &[]).await;
    let bob = &users["bob"];
    let (status, _) = server
        .call(
            Some(&admin),
            Method::PUT,
            &format!("/api/v4/users/{}/active", users["carol"].id()),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(status, 200);
    let list = async |query: &str| {
        let body = get_ok(&server, bob, &format!("/api/v4/users?{query}")).await;
        usernames(&body)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };

    assert_eq!(list("page=0&per_page=2").await, ["admin", "bob"]);
    assert_eq!(list("page=1&per_page=2").await, ["bonnie", "carol"]);
    assert_eq!(list("page=2&per_page=2").await, Vec::<String>::new());
    // Newest first. (Mattermost offers this sort only with `in_team`; Hearth, which has
    // no teams yet, sorts everyone.)
    assert_eq!(
        list("sort=create_at").await,
        ["bonnie", "bob", "carol", "admin"]
    );
    assert_eq!(list("active=true").await, ["admin", "bob", "bonnie"]);
    assert_eq!(list("inactive=true").await, ["carol"]);
    // As in Mattermost, `active=false` is no filter at all.
    assert_eq!(
        list("active=false").await,
        ["admin", "bob", "bonnie", "carol"]
    );
    assert_eq!(list("role=system_admin").await, ["admin"]);
    let (status, body) = server
        .call(
            Some(bob),
            Method::GET,
            "/api/v4/users?active=true&inactive=true",
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");

    let search =
        |body: Value| server.call(Some(bob), Method::POST, "/api/v4/users/search", Some(body));
    let (status, found) = search(json!({ "term": "bo" })).await;
    assert_eq!(status, 200);
    assert_eq!(usernames(&found), ["bob", "bonnie"]);
    let (_, found) = search(json!({ "term": "car" })).await;
    assert_eq!(usernames(&found), Vec::<&str>::new());
    let (_, found) = search(json!({ "term": "car", "allow_inactive": true })).await;
    assert_eq!(usernames(&found), ["carol"]);

    let (status, body) = server
        .call(
            Some(bob),
            Method::GET,
            "/api/v4/users/autocomplete?name=bo",
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(usernames(&body["users"]), ["bob", "bonnie"]);
    assert_no_secrets(&body);
}

#[tokio::test]
async fn hidden_email_addresses_are_seen_only_by_their_owner_and_admins() {
    let data = data_dir();
    let (server, admin, users) = populated(
        data.path(),
        &[("HEARTH_PRIVACYSETTINGS_SHOWEMAILADDRESS", "false")],
    )
    .await;
    let (bob, carol) = (&users["bob"], &users["carol"]);
    let email_of = async |viewer: &Login, user: &Login| {
        let body = get_ok(&server, viewer, &format!("/api/v4/users/{}", user.id())).await;
        body["email"].as_str().unwrap_or_default().to_string()
    };

    assert_eq!(email_of(bob, carol).await, "");
    assert_eq!(email_of(carol, carol).await, "carol@example.com");
    assert_eq!(email_of(&admin, carol).await, "carol@example.com");

    // Lists, searches and look-ups by address do not give it away either.
    let (_, listed) = server
        .call(Some(bob), Method::GET, "/api/v4/users", None)
        .await;
    let leaked: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["id"] != bob.id() && u["email"] != "")
        .collect();
    assert!(leaked.is_empty(), "{leaked:?}");
    let (_, found) = server
        .call(
            Some(bob),
            Method::POST,
            "/api/v4/users/search",
            Some(json!({ "term": "carol@" })),
        )
        .await;
    assert_eq!(found, json!([]));
    let (status, body) = server
        .call(
            Some(bob),
            Method::GET,
            "/api/v4/users/email/carol@example.com",
            None,
        )
        .await;
    assert_error(
        status,
        &body,
        403,
        "api.user.get_user_by_email.permissions.app_error",
    );
}

// --- 9. Profile pictures --------------------------------------------------------------

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A `width`×`height` PNG filled with one colour.
fn png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb(colour))
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// `POST /users/{id}/image` with `bytes` in the multipart field `image`.
async fn upload_picture(server: &Server, login: &Login, user: &str, bytes: &[u8]) -> (u16, Value) {
    const BOUNDARY: &str = "hearth-test-boundary-7d3f";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let response = server
        .as_user(login, Method::POST, &format!("/api/v4/users/{user}/image"))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    json(response).await
}

/// `GET /users/{id}/image`: the bytes, checked to be a PNG.
async fn picture(server: &Server, login: &Login, user: &str) -> Vec<u8> {
    let response = server
        .as_user(login, Method::GET, &format!("/api/v4/users/{user}/image"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let bytes = response.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(PNG_SIGNATURE), "not a PNG");
    bytes
}

#[tokio::test]
async fn profile_pictures_start_as_a_default_and_can_be_replaced_and_reset() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let carol = server.user(&admin, "carol").await;

    let default = picture(&server, &carol, bob.id()).await;
    assert_eq!(picture(&server, &bob, "me").await, default);

    let (status, body) = upload_picture(&server, &bob, "me", &png(300, 200, [200, 30, 30])).await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    let mine = picture(&server, &carol, bob.id()).await;
    assert_ne!(mine, default);
    let decoded = image::load_from_memory(&mine).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), (128, 128));
    let centre = decoded.get_pixel(64, 64).0;
    assert!(
        centre[0] > 150 && centre[1] < 80 && centre[2] < 80,
        "{centre:?}"
    );
    let (_, user) = me(&server, &bob.token).await;
    assert!(
        user["last_picture_update"].as_i64().unwrap_or(0) > 0,
        "{user}"
    );

    // Garbage is refused and the picture stays; others cannot change it.
    let (status, body) = upload_picture(&server, &bob, "me", b"this is not a picture").await;
    assert_error(
        status,
        &body,
        400,
        "api.user.upload_profile_user.decode.app_error",
    );
    let (status, body) = upload_picture(&server, &carol, bob.id(), &png(10, 10, [0, 0, 255])).await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    assert_eq!(picture(&server, &bob, "me").await, mine);

    let (status, _) = server
        .call(Some(&bob), Method::DELETE, "/api/v4/users/me/image", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(picture(&server, &carol, bob.id()).await, default);
}

#[tokio::test]
async fn the_mobile_app_attaches_its_device_to_its_session() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    server.create_user("bob", Some(&admin)).await;
    // An earlier sign-in of the same phone, already attached to it.
    let old = server.login("bob", PASSWORD).await;
    let device = json!({ "device_id": "android_rn-v2:push-token-1" });
    let (status, body) = server
        .call(
            Some(&old),
            Method::PUT,
            "/api/v4/users/sessions/device",
            Some(device.clone()),
        )
        .await;
    assert_eq!((status, &body["status"]), (200, &json!("OK")), "{body}");
    let web = server.login("bob", PASSWORD).await;

    // The app signs in again and attaches the same device: the old session ends.
    let phone = server.login("bob", PASSWORD).await;
    let (status, body) = server
        .call(
            Some(&phone),
            Method::PUT,
            "/api/v4/users/sessions/device",
            Some(device),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(Some(&old), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
    for still in [&web, &phone] {
        let (status, _) = server
            .call(Some(still), Method::GET, "/api/v4/users/me", None)
            .await;
        assert_eq!(status, 200);
    }

    // The session is now the phone's, with the mobile length.
    let (status, sessions) = server
        .call(Some(&phone), Method::GET, "/api/v4/users/me/sessions", None)
        .await;
    assert_eq!(status, 200, "{sessions}");
    let mine = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["device_id"] == "android_rn-v2:push-token-1")
        .expect("the phone's session lists its device");
    let days = (mine["expires_at"].as_i64().unwrap() - mine["create_at"].as_i64().unwrap())
        / (24 * 3600 * 1000);
    assert!((29..=30).contains(&days), "{mine}");

    // No device: a Mattermost 400.
    let (status, body) = server
        .call(
            Some(&phone),
            Method::PUT,
            "/api/v4/users/sessions/device",
            Some(json!({ "device_id": null })),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
}
