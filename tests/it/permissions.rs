//! The permission matrix: every user-facing endpoint of accounts, for every kind of caller,
//! gets exactly the expected status. Team and channel admins join the matrix with teams.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::accounts::Login;
use crate::support::{Server, data_dir};

/// Expected statuses for: anonymous, guest, user, system admin.
type Expect = [u16; 4];

struct Case {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    expect: Expect,
}

fn case(method: Method, path: &'static str, body: Option<Value>, expect: Expect) -> Case {
    Case {
        method,
        path,
        body,
        expect,
    }
}

#[tokio::test]
async fn each_role_gets_exactly_the_expected_status() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            ("HEARTH_SERVICESETTINGS_ENABLEUSERACCESSTOKENS", "true"),
            (
                "HEARTH_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION",
                "true",
            ),
        ],
    );
    let admin = server.admin().await;
    let user = server.user(&admin, "ursula").await;
    let guest = server.user(&admin, "gustav").await;
    let (status, _) = server
        .call(
            Some(&admin),
            Method::PUT,
            &format!("/api/v4/users/{}/roles", guest.id()),
            Some(json!({"roles": "system_guest"})),
        )
        .await;
    assert_eq!(status, 200);
    let victim = server.create_user("victim", Some(&admin)).await;
    let victim_id = victim["id"].as_str().unwrap();

    use Method as M;
    let cases = [
        case(M::GET, "/api/v4/system/setup", None, [200, 200, 200, 200]),
        case(M::GET, "/api/v4/users/me", None, [401, 200, 200, 200]),
        case(
            M::PUT,
            "/api/v4/users/me/patch",
            Some(json!({"nickname": "me"})),
            [401, 200, 200, 200],
        ),
        case(M::GET, "/api/v4/users/{other}", None, [401, 404, 200, 200]),
        case(
            M::GET,
            "/api/v4/users/{other}/image",
            None,
            [401, 404, 200, 200],
        ),
        case(M::GET, "/api/v4/users", None, [401, 200, 200, 200]),
        case(
            M::POST,
            "/api/v4/users/ids",
            Some(json!(["{other}"])),
            [401, 200, 200, 200],
        ),
        case(
            M::POST,
            "/api/v4/users/usernames",
            Some(json!(["victim"])),
            [401, 200, 200, 200],
        ),
        case(
            M::POST,
            "/api/v4/users/search",
            Some(json!({"term": "vic"})),
            [401, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/v4/users/autocomplete?name=vic",
            None,
            [401, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/v4/users?without_team=true",
            None,
            [401, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/v4/users",
            Some(
                json!({"username": "new-{role}", "email": "new-{role}@example.com", "password": "a-long-pass-1"}),
            ),
            [403, 403, 403, 201],
        ),
        case(
            M::PUT,
            "/api/v4/users/{other}/patch",
            Some(json!({"nickname": "x"})),
            [401, 403, 403, 200],
        ),
        case(
            M::PUT,
            "/api/v4/users/{other}",
            Some(json!({"nickname": "y"})),
            [401, 403, 403, 200],
        ),
        case(
            M::PUT,
            "/api/v4/users/{other}/roles",
            Some(json!({"roles": "system_user"})),
            [401, 403, 403, 200],
        ),
        case(
            M::PUT,
            "/api/v4/users/{other}/active",
            Some(json!({"active": true})),
            [401, 403, 403, 200],
        ),
        case(
            M::PUT,
            "/api/v4/users/{other}/password",
            Some(json!({"new_password": "another-pass-1"})),
            [401, 403, 403, 200],
        ),
        case(
            M::DELETE,
            "/api/v4/users/{other}/image",
            None,
            [401, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/v4/users/{other}/sessions",
            None,
            [401, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/v4/users/{other}/sessions/revoke/all",
            None,
            [401, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/v4/users/{other}/audits",
            None,
            [401, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/v4/users/me/audits",
            None,
            [401, 200, 200, 200],
        ),
        case(M::GET, "/api/v4/audits", None, [401, 403, 403, 200]),
        case(
            M::POST,
            "/api/v4/users/{other}/mfa/generate",
            None,
            [401, 403, 403, 403],
        ),
        case(
            M::PUT,
            "/api/v4/users/{other}/mfa",
            Some(json!({"activate": false})),
            [401, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/v4/users/{other}/tokens",
            Some(json!({"description": "x"})),
            [401, 403, 403, 200],
        ),
        case(
            M::POST,
            "/api/v4/users/me/tokens",
            Some(json!({"description": "x"})),
            [401, 403, 403, 200],
        ),
        case(
            M::GET,
            "/api/v4/users/{other}/tokens",
            None,
            [401, 403, 403, 200],
        ),
        case(M::GET, "/api/v4/users/tokens", None, [401, 403, 403, 200]),
        case(M::GET, "/api/v4/roles", None, [401, 403, 403, 200]),
        case(
            M::GET,
            "/api/v4/roles/name/system_user",
            None,
            [401, 200, 200, 200],
        ),
        case(
            M::POST,
            "/api/v4/roles/names",
            Some(json!(["system_user"])),
            [401, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/v4/config/client?format=old",
            None,
            [200, 200, 200, 200],
        ),
    ];

    let callers: [(&str, Option<&Login>); 4] = [
        ("anonymous", None),
        ("guest", Some(&guest)),
        ("user", Some(&user)),
        ("admin", Some(&admin)),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        for (i, (role, login)) in callers.iter().enumerate() {
            let path = case.path.replace("{other}", victim_id);
            let body = case.body.as_ref().map(|b| {
                serde_json::from_str(
                    &b.to_string()
                        .replace("{other}", victim_id)
                        .replace("{role}", role),
                )
                .unwrap()
            });
            let (status, response) = server.call(*login, case.method.clone(), &path, body).await;
            if status != case.expect[i] {
                failures.push(format!(
                    "{} {} as {role}: expected {}, got {status} {response}",
                    case.method, case.path, case.expect[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix mismatches:\n{}",
        failures.join("\n")
    );
}
