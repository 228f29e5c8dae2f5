//! Multi-factor authentication, personal access tokens, the built-in roles and the audit
//! log, told as user stories through the running server.
//!
//! TOTP codes are computed here as an authenticator app would, from the secret the server
//! hands out. The server accepts the current 30-second step and one step either side, and
//! never a step at or before the last one it accepted. So a story that activates MFA with
//! the current step's code and then signs in uses the *next* step's code: it is fresh and
//! inside the window whether or not the clock ticks over between the two requests.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{Value, json};
use totp_rs::{Builder, Totp};

use crate::support::accounts::{Login, PASSWORD};
use crate::support::{Server, assert_error, data_dir};

const MFA_ON: (&str, &str) = (
    "HEARTH_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION",
    "true",
);
const MFA_ENFORCED: (&str, &str) = (
    "HEARTH_SERVICESETTINGS_ENFORCEMULTIFACTORAUTHENTICATION",
    "true",
);
const TOKENS_ON: (&str, &str) = ("HEARTH_SERVICESETTINGS_ENABLEUSERACCESSTOKENS", "true");
const THREE_ATTEMPTS: (&str, &str) = ("HEARTH_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS", "3");
const OPEN_SERVER: (&str, &str) = ("HEARTH_TEAMSETTINGS_ENABLEOPENSERVER", "true");

const BAD_MFA_CODE: &str = "mfa.validate_token.authenticate.app_error";
const LOCKED: &str = "api.user.check_user_login_attempts.too_many.app_error";
const NO_PERMISSION: &str = "api.context.permissions.app_error";
const SESSION_EXPIRED: &str = "api.context.session_expired.app_error";
const MFA_REQUIRED: &str = "api.context.mfa_required.app_error";

const STEP_SECONDS: u64 = 30;

/// The 30-second TOTP step the wall clock is in.
fn current_step() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    now.as_secs() / STEP_SECONDS
}

/// What a user's authenticator app would show.
struct Authenticator(Totp);

impl Authenticator {
    /// Sets up the app with the secret the server handed out (unpadded base32).
    fn new(secret: &str) -> Authenticator {
        let bytes = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .unwrap_or_else(|e| panic!("secret {secret:?} is not unpadded base32: {e}"));
        Authenticator(Builder::new().with_secret(bytes).build().unwrap())
    }

    /// The code shown during `step`.
    fn code(&self, step: u64) -> String {
        self.0.generate(step * STEP_SECONDS).to_string()
    }

    /// A well-formed code that matches no step near `step`, so the server must refuse it.
    fn wrong_code(&self, step: u64) -> String {
        let near: Vec<String> = (step.saturating_sub(3)..=step + 3)
            .map(|s| self.code(s))
            .collect();
        (0..)
            .map(|n: u32| format!("{:06}", (123_456 + n * 7_919) % 1_000_000))
            .find(|candidate| !near.contains(candidate))
            .unwrap()
    }
}

/// `POST /users/login` as `login_id` with an MFA code or none: status and body.
async fn sign_in(
    server: &Server,
    login_id: &str,
    password: &str,
    code: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({ "login_id": login_id, "password": password });
    if let Some(code) = code {
        body["token"] = json!(code);
    }
    server
        .call(None, Method::POST, "/api/v4/users/login", Some(body))
        .await
}

/// `POST /users/mfa`: whether signing in as `login_id` needs a code.
async fn mfa_required(server: &Server, login_id: &str) -> bool {
    let (status, body) = server
        .call(
            None,
            Method::POST,
            "/api/v4/users/mfa",
            Some(json!({ "login_id": login_id })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["mfa_required"]
        .as_bool()
        .unwrap_or_else(|| panic!("no mfa_required flag: {body}"))
}

/// Generates a secret for `user` and activates it with the current step's code. Returns
/// the app and the step that code used up.
async fn set_up_mfa(server: &Server, user: &Login) -> (Authenticator, u64) {
    let path = format!("/api/v4/users/{}/mfa/generate", user.id());
    let (status, body) = server.call(Some(user), Method::POST, &path, None).await;
    assert_eq!(status, 200, "generate: {body}");
    let app = Authenticator::new(body["secret"].as_str().unwrap());
    let step = current_step();
    let path = format!("/api/v4/users/{}/mfa", user.id());
    let activate = json!({ "activate": true, "code": app.code(step) });
    let (status, body) = server
        .call(Some(user), Method::PUT, &path, Some(activate))
        .await;
    assert_eq!(status, 200, "activate: {body}");
    (app, step)
}

/// A caller holding a personal access token instead of a session.
fn bearer(token: &str) -> Login {
    Login {
        token: token.to_string(),
        user: Value::Null,
    }
}

#[tokio::test]
async fn mfa_from_setup_to_sign_in_to_admin_reset() {
    let data = data_dir();
    let server = Server::start(data.path(), &[MFA_ON]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let mfa_path = format!("/api/v4/users/{}/mfa", bob.id());

    // Bob asks for a secret: it comes as text and as a QR code to scan.
    let (status, generated) = server
        .call(
            Some(&bob),
            Method::POST,
            &format!("{mfa_path}/generate"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{generated}");
    let secret = generated["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "{generated}");
    let qr = data_encoding::BASE64
        .decode(generated["qr_code"].as_str().unwrap().as_bytes())
        .expect("qr_code is base64");
    assert!(qr.starts_with(b"\x89PNG\r\n\x1a\n"), "qr_code is not a PNG");
    let app = Authenticator::new(secret);

    // A mistyped code does not switch MFA on.
    let step = current_step();
    let wrong = json!({ "activate": true, "code": app.wrong_code(step) });
    let (status, body) = server
        .call(Some(&bob), Method::PUT, &mfa_path, Some(wrong))
        .await;
    assert_error(status, &body, 401, BAD_MFA_CODE);
    assert!(!mfa_required(&server, "bob").await);

    // The code the app shows does.
    let step = current_step();
    let right = json!({ "activate": true, "code": app.code(step) });
    let (status, body) = server
        .call(Some(&bob), Method::PUT, &mfa_path, Some(right))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "OK");
    assert!(mfa_required(&server, "bob").await);
    assert!(mfa_required(&server, "bob@example.com").await);

    // Now the password alone is not enough, nor a wrong code, nor the code just used.
    let (status, body) = sign_in(&server, "bob", PASSWORD, None).await;
    assert_error(status, &body, 401, BAD_MFA_CODE);
    let (status, body) = sign_in(&server, "bob", PASSWORD, Some(&app.wrong_code(step))).await;
    assert_error(status, &body, 401, BAD_MFA_CODE);
    let (status, body) = sign_in(&server, "bob", PASSWORD, Some(&app.code(step))).await;
    assert_error(status, &body, 401, BAD_MFA_CODE);

    // The next code signs bob in, once.
    let next = app.code(step + 1);
    let (status, user) = sign_in(&server, "bob", PASSWORD, Some(&next)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["id"], bob.id());
    assert_eq!(user["mfa_active"], true, "{user}");
    let (status, body) = sign_in(&server, "bob", PASSWORD, Some(&next)).await;
    assert_error(status, &body, 401, BAD_MFA_CODE);

    // Bob may not set up or switch off MFA for anyone else.
    let admin_mfa = format!("/api/v4/users/{}/mfa", admin.id());
    let (status, body) = server
        .call(
            Some(&bob),
            Method::POST,
            &format!("{admin_mfa}/generate"),
            None,
        )
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);
    let (status, body) = server
        .call(
            Some(&bob),
            Method::PUT,
            &admin_mfa,
            Some(json!({ "activate": false })),
        )
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);

    // Bob lost his phone: an admin resets his MFA and the password is enough again.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::PUT,
            &mfa_path,
            Some(json!({ "activate": false })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!mfa_required(&server, "bob").await);
    let (status, user) = sign_in(&server, "bob", PASSWORD, None).await;
    assert_eq!(status, 200, "{user}");
    assert!(user.get("mfa_active").is_none(), "{user}");
}

#[tokio::test]
async fn wrong_mfa_codes_count_toward_the_lockout() {
    let data = data_dir();
    let server = Server::start(data.path(), &[MFA_ON, THREE_ATTEMPTS]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let (app, step) = set_up_mfa(&server, &bob).await;

    // A wrong password and two wrong codes make three failures…
    let (status, body) = sign_in(&server, "bob", "not-the-password", None).await;
    assert_error(
        status,
        &body,
        401,
        "api.user.login.invalid_credentials_email_username",
    );
    for _ in 0..2 {
        let wrong = app.wrong_code(step);
        let (status, body) = sign_in(&server, "bob", PASSWORD, Some(&wrong)).await;
        assert_error(status, &body, 401, BAD_MFA_CODE);
    }

    // …and the account is locked: even the right password and a fresh code are refused.
    let (status, body) = sign_in(&server, "bob", PASSWORD, Some(&app.code(step + 1))).await;
    assert_error(status, &body, 401, LOCKED);
}

/// Mattermost's web and mobile clients sign in once without a code to learn whether one is
/// needed; that probe is not a failed attempt (`CheckPasswordAndAllCriteria` only counts an
/// MFA failure when a code was given).
#[tokio::test]
async fn signing_in_without_a_code_is_a_probe_not_a_failed_attempt() {
    let data = data_dir();
    let server = Server::start(data.path(), &[MFA_ON, THREE_ATTEMPTS]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let (app, step) = set_up_mfa(&server, &bob).await;

    for _ in 0..3 {
        let (status, body) = sign_in(&server, "bob", PASSWORD, None).await;
        assert_error(status, &body, 401, BAD_MFA_CODE);
    }
    let (status, user) = sign_in(&server, "bob", PASSWORD, Some(&app.code(step + 1))).await;
    assert_eq!(status, 200, "three probes locked the account: {user}");
}

#[tokio::test]
async fn mfa_cannot_be_set_up_when_the_site_has_it_off() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let mfa_path = format!("/api/v4/users/{}/mfa", bob.id());

    let (status, body) = server
        .call(
            Some(&bob),
            Method::POST,
            &format!("{mfa_path}/generate"),
            None,
        )
        .await;
    assert_error(status, &body, 403, "api.context.mfa_disabled.app_error");
    let activate = json!({ "activate": true, "code": "123456" });
    let (status, body) = server
        .call(Some(&bob), Method::PUT, &mfa_path, Some(activate))
        .await;
    assert_error(status, &body, 403, "api.context.mfa_disabled.app_error");
    assert!(!mfa_required(&server, "bob").await);
}

#[tokio::test]
async fn enforced_mfa_holds_users_at_setup_until_they_activate_it() {
    let data = data_dir();
    let server = Server::start(data.path(), &[MFA_ON, MFA_ENFORCED, OPEN_SERVER]);
    let admin = server.admin().await;
    // Bob signs up on his own: an admin without MFA could not create him either.
    server.create_user("bob", None).await;
    let bob = server.login("bob", PASSWORD).await;
    let admin_path = format!("/api/v4/users/{}", admin.id());

    // Signed in, bob may see himself and nothing else.
    let (status, me) = server
        .call(Some(&bob), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");
    // Like Mattermost's `omitempty`, a false flag is left out.
    assert!(me.get("mfa_active").is_none(), "{me}");
    for path in ["/api/v4/users", admin_path.as_str()] {
        let (status, body) = server.call(Some(&bob), Method::GET, path, None).await;
        assert_error(status, &body, 403, MFA_REQUIRED);
    }
    // Admins are held too.
    let (status, body) = server
        .call(Some(&admin), Method::GET, "/api/v4/users", None)
        .await;
    assert_error(status, &body, 403, MFA_REQUIRED);

    // Once bob has MFA, the same session reaches everything.
    set_up_mfa(&server, &bob).await;
    let (status, me) = server
        .call(Some(&bob), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["mfa_active"], true, "{me}");
    let (status, users) = server
        .call(Some(&bob), Method::GET, "/api/v4/users", None)
        .await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users.as_array().unwrap().len(), 2, "{users}");
    let (status, user) = server
        .call(Some(&bob), Method::GET, &admin_path, None)
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["username"], "admin");

    // And he may not switch it off while the site enforces it.
    let (status, body) = server
        .call(
            Some(&bob),
            Method::PUT,
            &format!("/api/v4/users/{}/mfa", bob.id()),
            Some(json!({ "activate": false })),
        )
        .await;
    assert_error(status, &body, 403, "api.user.update_mfa.enforced.app_error");
    assert!(mfa_required(&server, "bob").await);
}

#[tokio::test]
async fn personal_access_tokens_are_off_by_default() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let (status, body) = server
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/v4/users/{}/tokens", admin.id()),
            Some(json!({ "description": "ci" })),
        )
        .await;
    assert_error(
        status,
        &body,
        403,
        "api.user.create_user_access_token.disabled",
    );
}

#[tokio::test]
async fn an_admin_creates_uses_disables_and_revokes_a_token() {
    let data = data_dir();
    let server = Server::start(data.path(), &[TOKENS_ON]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let admin_tokens = format!("/api/v4/users/{}/tokens", admin.id());

    // Regular users do not have the permission to make tokens.
    let (status, body) = server
        .call(
            Some(&bob),
            Method::POST,
            &format!("/api/v4/users/{}/tokens", bob.id()),
            Some(json!({ "description": "mine" })),
        )
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);

    // The admin makes one for CI; its secret is shown this once.
    let (status, created) = server
        .call(
            Some(&admin),
            Method::POST,
            &admin_tokens,
            Some(json!({ "description": "ci" })),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["user_id"], admin.id());
    assert_eq!(created["description"], "ci");
    assert_eq!(created["is_active"], true);
    let secret = created["token"].as_str().unwrap();
    assert_eq!(secret.len(), 26, "{created}");
    let token_id = created["id"].as_str().unwrap().to_string();
    assert_ne!(secret, token_id);
    let ci = bearer(secret);

    // The token signs requests as the admin.
    let (status, me) = server
        .call(Some(&ci), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], admin.id());

    // Listing and reading it never show the secret again.
    let (status, list) = server
        .call(Some(&admin), Method::GET, &admin_tokens, None)
        .await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], token_id.as_str());
    assert!(list[0].get("token").is_none(), "secret listed: {list:?}");
    let token_path = format!("/api/v4/users/tokens/{token_id}");
    let (status, token) = server
        .call(Some(&admin), Method::GET, &token_path, None)
        .await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["description"], "ci");
    assert!(token.get("token").is_none(), "secret shown: {token}");
    // Bob may not read the admin's token.
    let (status, body) = server
        .call(Some(&bob), Method::GET, &token_path, None)
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);

    // Disabled, the token is refused; enabled again, it works again.
    let change = |path: &'static str| {
        let body = json!({ "token_id": token_id });
        server.call(Some(&admin), Method::POST, path, Some(body))
    };
    let (status, body) = change("/api/v4/users/tokens/disable").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(Some(&ci), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_error(status, &body, 401, SESSION_EXPIRED);
    let (_, token) = server
        .call(Some(&admin), Method::GET, &token_path, None)
        .await;
    assert_eq!(token["is_active"], false, "{token}");
    let (status, body) = change("/api/v4/users/tokens/enable").await;
    assert_eq!(status, 200, "{body}");
    let (status, me) = server
        .call(Some(&ci), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");

    // Revoked, it is gone for good.
    let (status, body) = change("/api/v4/users/tokens/revoke").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(Some(&ci), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_error(status, &body, 401, SESSION_EXPIRED);
    let (status, list) = server
        .call(Some(&admin), Method::GET, &admin_tokens, None)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list, json!([]));
    let (status, body) = server
        .call(Some(&admin), Method::GET, &token_path, None)
        .await;
    // Mattermost's `GetUserAccessToken` names a missing token with this id.
    assert_error(
        status,
        &body,
        404,
        "app.user_access_token.get_by_user.app_error",
    );
}

#[tokio::test]
async fn the_access_token_role_lets_a_user_make_tokens_until_deactivated() {
    let data = data_dir();
    let server = Server::start(data.path(), &[TOKENS_ON]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let bob_tokens = format!("/api/v4/users/{}/tokens", bob.id());
    let description = json!({ "description": "scripts" });

    // The admin grants bob the role; his current session picks it up.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::PUT,
            &format!("/api/v4/users/{}/roles", bob.id()),
            Some(json!({ "roles": "system_user system_user_access_token" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, created) = server
        .call(
            Some(&bob),
            Method::POST,
            &bob_tokens,
            Some(description.clone()),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let scripts = bearer(created["token"].as_str().unwrap());
    let (status, me) = server
        .call(Some(&scripts), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], bob.id());

    // The role is for his own tokens only.
    let (status, body) = server
        .call(
            Some(&bob),
            Method::POST,
            &format!("/api/v4/users/{}/tokens", admin.id()),
            Some(description),
        )
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);

    // Bob leaves: his token stops working with his account.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::DELETE,
            &format!("/api/v4/users/{}", bob.id()),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(Some(&scripts), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_error(status, &body, 401, SESSION_EXPIRED);
}

/// Mattermost checks the description in the handler (`SetInvalidParam("description")`).
#[tokio::test]
async fn a_token_needs_a_description() {
    let data = data_dir();
    let server = Server::start(data.path(), &[TOKENS_ON]);
    let admin = server.admin().await;
    let (status, body) = server
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/v4/users/{}/tokens", admin.id()),
            Some(json!({ "description": "" })),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
}

#[tokio::test]
async fn signed_in_users_read_the_built_in_roles() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    let (status, body) = server.get_json("/api/v4/roles/name/system_admin").await;
    assert_error(status, &body, 401, SESSION_EXPIRED);

    let (status, role) = server
        .call(
            Some(&bob),
            Method::GET,
            "/api/v4/roles/name/system_admin",
            None,
        )
        .await;
    assert_eq!(status, 200, "{role}");
    assert_eq!(role["name"], "system_admin");
    assert_eq!(role["built_in"], true);
    let id = role["id"].as_str().unwrap();
    assert_eq!(id.len(), 26, "{role}");
    let permissions = role["permissions"].as_array().unwrap();
    assert!(
        permissions.contains(&json!("manage_system")),
        "{permissions:?}"
    );

    let (status, by_id) = server
        .call(
            Some(&bob),
            Method::GET,
            &format!("/api/v4/roles/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{by_id}");
    assert_eq!(by_id, role);

    // Unknown names are left out of a batch lookup.
    let (status, roles) = server
        .call(
            Some(&bob),
            Method::POST,
            "/api/v4/roles/names",
            Some(json!(["system_user", "channel_user", "nope"])),
        )
        .await;
    assert_eq!(status, 200, "{roles}");
    let mut names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["channel_user", "system_user"]);

    let (status, body) = server
        .call(Some(&bob), Method::GET, "/api/v4/roles/name/nope", None)
        .await;
    assert_error(status, &body, 404, "app.role.get_by_name.app_error");
    let (status, body) = server
        .call(Some(&bob), Method::GET, "/api/v4/roles/not-an-id", None)
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );
    // A well-formed id that names no role: Mattermost's `GetRole` says `app.role.get`.
    let (status, body) = server
        .call(
            Some(&bob),
            Method::GET,
            "/api/v4/roles/aaaaaaaaaaaaaaaaaaaaaaaaaa",
            None,
        )
        .await;
    assert_error(status, &body, 404, "app.role.get.app_error");
}

#[tokio::test]
async fn security_actions_land_in_the_audit_log() {
    let data = data_dir();
    let server = Server::start(data.path(), &[MFA_ON, TOKENS_ON]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;

    // The admin makes a token and promotes bob; bob sets up MFA.
    let (status, body) = server
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/v4/users/{}/tokens", admin.id()),
            Some(json!({ "description": "ci" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .call(
            Some(&admin),
            Method::PUT,
            &format!("/api/v4/users/{}/roles", bob.id()),
            Some(json!({ "roles": "system_user system_user_access_token" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    set_up_mfa(&server, &bob).await;

    let actions = |audits: &Value| -> Vec<(String, String)> {
        audits
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {audits}"))
            .iter()
            .map(|a| {
                (
                    a["user_id"].as_str().unwrap().to_string(),
                    a["action"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };

    // The admin sees everyone's actions, each under the user who did it.
    let (status, audits) = server
        .call(Some(&admin), Method::GET, "/api/v4/audits", None)
        .await;
    assert_eq!(status, 200, "{audits}");
    let all = actions(&audits);
    for (user, action) in [
        (admin.id(), "user_access_token_create"),
        (admin.id(), "user_roles_update"),
        (bob.id(), "mfa_activate"),
    ] {
        assert!(
            all.contains(&(user.to_string(), action.to_string())),
            "{action} by {user} missing: {all:?}"
        );
    }

    // Bob sees only his own.
    let (status, body) = server
        .call(Some(&bob), Method::GET, "/api/v4/audits", None)
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);
    let (status, body) = server
        .call(
            Some(&bob),
            Method::GET,
            &format!("/api/v4/users/{}/audits", admin.id()),
            None,
        )
        .await;
    assert_error(status, &body, 403, NO_PERMISSION);
    let (status, audits) = server
        .call(Some(&bob), Method::GET, "/api/v4/users/me/audits", None)
        .await;
    assert_eq!(status, 200, "{audits}");
    let own = actions(&audits);
    assert!(
        own.contains(&(bob.id().to_string(), "mfa_activate".to_string())),
        "{own:?}"
    );
    assert!(own.iter().all(|(user, _)| user == bob.id()), "{own:?}");
}
