//! `hearth user …` on the data folder, with the server running beside it.

use reqwest::Method;

use crate::support::{Server, assert_error, data_dir, run};

#[tokio::test]
async fn admins_manage_accounts_from_the_command_line() {
    let data = data_dir();
    let dir = data.path();
    let (ok, stdout, stderr) = run(
        dir,
        &[
            "user",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.com",
            "--password",
            "first-pass-1",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("system_admin"),
        "the first account is an admin: {stdout}"
    );

    // Without --password a random one is printed, and it works.
    let (ok, stdout, _) = run(
        dir,
        &[
            "user",
            "create",
            "--username",
            "carol",
            "--email",
            "carol@example.com",
        ],
    );
    assert!(ok);
    let generated = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap()
        .to_string();

    let server = Server::start(dir, &[]);
    let carol = server.login("carol", &generated).await;
    assert_eq!(carol.user["roles"], "system_user");

    // Changes made while the server runs take effect at once.
    let (ok, _, stderr) = run(
        dir,
        &[
            "user",
            "reset-password",
            "carol",
            "--password",
            "second-pass-2",
        ],
    );
    assert!(ok, "{stderr}");
    let (status, body) = server
        .call(Some(&carol), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_error(status, &body, 401, "api.context.session_expired.app_error");
    let carol = server.login("carol@example.com", "second-pass-2").await;

    let (ok, stdout, _) = run(dir, &["user", "make-admin", "carol"]);
    assert!(ok);
    assert!(stdout.contains("system_admin"), "{stdout}");
    let (_, me) = server
        .call(Some(&carol), Method::GET, "/api/v4/users/me", None)
        .await;
    assert!(me["roles"].as_str().unwrap().contains("system_admin"));

    let (ok, _, _) = run(dir, &["user", "deactivate", carol.id()]);
    assert!(ok);
    let (status, _) = server
        .call(Some(&carol), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 401);
    let (ok, stdout, _) = run(dir, &["user", "list", "--inactive"]);
    assert!(ok);
    assert!(
        stdout.contains("carol") && !stdout.contains("root"),
        "{stdout}"
    );
    let (ok, _, _) = run(dir, &["user", "activate", "carol"]);
    assert!(ok);
    server.login("carol", "second-pass-2").await;

    let (ok, stdout, _) = run(dir, &["user", "search", "car"]);
    assert!(ok);
    assert!(
        stdout.contains("carol") && !stdout.contains("root"),
        "{stdout}"
    );

    // Bad input is refused with the rule named.
    let (ok, _, stderr) = run(
        dir,
        &[
            "user",
            "create",
            "--username",
            "Bad Name",
            "--email",
            "x@example.com",
        ],
    );
    assert!(!ok);
    assert!(
        stderr.contains("Username must begin with a letter"),
        "{stderr}"
    );
    let (ok, _, stderr) = run(dir, &["user", "deactivate", "nobody"]);
    assert!(!ok);
    assert!(stderr.contains("nobody"), "{stderr}");
}
