//! The database: migrations, refusing a newer schema, and durability across kill -9.

use serde_json::Value;

use crate::support::accounts::Login;
use crate::support::{Server, data_dir, run, sql_execute, sql_query};

fn recorded_migrations(data: &std::path::Path) -> Vec<(i64, String)> {
    sql_query(
        data,
        "SELECT version, name FROM schema_migrations ORDER BY version",
        &[],
    )
    .into_iter()
    .map(|row| {
        (
            row[0].as_i64().unwrap(),
            row[1].as_str().unwrap().to_string(),
        )
    })
    .collect()
}

/// The newest schema version of the engine under test.
fn latest_version() -> i64 {
    if crate::support::on_postgres() {
        hearth::store::postgres::latest_version()
    } else {
        hearth::store::sqlite::latest_version()
    }
}

#[tokio::test]
async fn migrations_are_applied_once_and_recorded() {
    let data = data_dir();
    let (ok, stdout, stderr) = run(data.path(), &["db", "migrate"]);
    assert!(ok, "{stderr}");
    let latest = latest_version();
    assert!(latest >= 2);
    assert!(
        stdout.contains(&format!("migrated from version 0 to {latest}")),
        "{stdout}"
    );
    assert!(stdout.contains("0001_init, 0002_accounts"), "{stdout}");

    let (ok, stdout, _) = run(data.path(), &["db", "migrate"]);
    assert!(ok);
    assert!(
        stdout.contains(&format!("up to date at version {latest}")),
        "{stdout}"
    );

    // The server starts on the migrated database without applying anything again.
    let server = Server::start(data.path(), &[]);
    assert!(server.logs().contains("applied=0"), "{}", server.logs());
    drop(server);
    let recorded = recorded_migrations(data.path());
    assert_eq!(recorded.len() as i64, latest, "{recorded:?}");
    assert_eq!(recorded[0], (1, "0001_init".to_string()));
    assert_eq!(recorded.last().unwrap().0, latest);
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    let data = data_dir();
    assert!(run(data.path(), &["db", "migrate"]).0);
    sql_execute(
        data.path(),
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', 0)",
        &[],
    );

    let failure = Server::try_start(data.path(), &[]).err().expect("refused");
    assert!(!failure.status.unwrap().success());
    assert!(
        failure.output.contains("schema is at version 999"),
        "{}",
        failure.output
    );
    assert!(
        failure
            .output
            .contains(&format!("supports at most version {}", latest_version())),
        "{}",
        failure.output
    );

    let (ok, _, stderr) = run(data.path(), &["db", "migrate"]);
    assert!(!ok);
    assert!(stderr.contains("version 999"), "{stderr}");
    // The refused database was left alone.
    assert_eq!(
        recorded_migrations(data.path()).len() as i64,
        latest_version() + 1
    );
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let (_, before) = server.get_json("/api/v4/config/client?format=old").await;
    let id = before["DiagnosticId"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 26);
    server.kill9();

    let server = Server::start(data.path(), &[]);
    let (_, after) = server.get_json("/api/v4/config/client?format=old").await;
    assert_eq!(after["DiagnosticId"], id.as_str());
    assert_eq!(after["TelemetryId"], id.as_str());
}

/// `hearth db migrate --to postgres://…`: a populated SQLite deployment is copied into an
/// empty PostgreSQL database, and a server started on PostgreSQL serves the same users,
/// channels, posts, reactions and unreads, and carries on writing.
#[tokio::test]
async fn a_sqlite_deployment_moves_to_postgres() {
    use reqwest::Method;
    use serde_json::json;
    if crate::support::on_postgres() {
        // The source of this story is SQLite; the PostgreSQL run has nothing to copy.
        return;
    }
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let bob = server.user(&admin, "bob").await;
    let (_, team) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "move", "display_name": "Moving ✈", "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, _) = server
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/v4/teams/{team_id}/members"),
            Some(json!({"team_id": team_id, "user_id": bob.id()})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, town) = server
        .call(
            Some(&admin),
            Method::GET,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
            None,
        )
        .await;
    let town_id = town["id"].as_str().unwrap().to_string();
    let (status, private) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/channels",
            Some(
                json!({"team_id": team_id, "name": "quiet", "display_name": "Quiet", "type": "P"}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    let private_id = private["id"].as_str().unwrap().to_string();
    let mut post_ids = Vec::new();
    for i in 0..30 {
        let (status, post) = server
            .call(Some(&admin), Method::POST, "/api/v4/posts", Some(json!({"channel_id": town_id, "message": format!("message {i} for @bob — ünïcødé")})))
            .await;
        assert_eq!(status, 201);
        post_ids.push(post["id"].as_str().unwrap().to_string());
    }
    let (status, _) = server
        .call(
            Some(&bob),
            Method::POST,
            "/api/v4/reactions",
            Some(json!({"user_id": bob.id(), "post_id": post_ids[3], "emoji_name": "tada"})),
        )
        .await;
    assert_eq!(status, 200);
    let ids = (
        team_id.clone(),
        town_id.clone(),
        private_id.clone(),
        post_ids[3].clone(),
    );
    let seen = snapshot(&server, &admin, &bob, &ids).await;
    assert_eq!(seen.3.len(), 30, "{:?}", seen.3);
    assert_eq!(
        (seen.5.as_i64(), seen.6.as_i64()),
        (Some(30), Some(30)),
        "bob has read none of the 30 mentions"
    );
    assert_eq!(seen.7, 403, "bob is not in the private channel");
    drop(server);

    let url = crate::support::postgres_server::fresh_database().await;
    let (ok, stdout, stderr) = run(data.path(), &["db", "migrate", "--to", &url]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("posts"), "{stdout}");
    assert!(stdout.contains("(checked)"), "{stdout}");
    // A second copy into the same database is refused: it is no longer empty.
    let (ok, _, stderr) = run(data.path(), &["db", "migrate", "--to", &url]);
    assert!(!ok);
    assert!(stderr.contains("not empty"), "{stderr}");

    let on_postgres = [
        ("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"),
        ("HEARTH_SQLSETTINGS_DATASOURCE", url.as_str()),
    ];
    let server = Server::start(data.path(), &on_postgres);
    assert!(server.logs().contains("PostgreSQL"), "{}", server.logs());
    let moved = snapshot(&server, &admin, &bob, &ids).await;
    assert_eq!(moved, seen);
    // The copy carries on: new writes work and sessions made on SQLite still sign in.
    let (status, _) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town_id, "message": "first on PostgreSQL"})),
        )
        .await;
    assert_eq!(status, 201);
    let fresh = server
        .login("bob", crate::support::accounts::PASSWORD)
        .await;
    assert_eq!(fresh.id(), bob.id());
}

/// What users see of a deployment, to compare before and after a move.
type Snapshot = (
    Value,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Value,
    Value,
    u16,
);

async fn snapshot(
    server: &Server,
    admin: &Login,
    bob: &Login,
    (team_id, town_id, private_id, post_id): &(String, String, String, String),
) -> Snapshot {
    use reqwest::Method;
    let (_, me) = server
        .call(Some(bob), Method::GET, "/api/v4/users/me", None)
        .await;
    let (_, users) = server
        .call(Some(admin), Method::GET, "/api/v4/users?per_page=200", None)
        .await;
    let (_, channels) = server
        .call(
            Some(admin),
            Method::GET,
            &format!("/api/v4/users/me/teams/{team_id}/channels"),
            None,
        )
        .await;
    let (_, posts) = server
        .call(
            Some(bob),
            Method::GET,
            &format!("/api/v4/channels/{town_id}/posts?per_page=200"),
            None,
        )
        .await;
    let (_, reactions) = server
        .call(
            Some(bob),
            Method::GET,
            &format!("/api/v4/posts/{post_id}/reactions"),
            None,
        )
        .await;
    let (_, unread) = server
        .call(
            Some(bob),
            Method::GET,
            &format!("/api/v4/users/me/channels/{town_id}/unread"),
            None,
        )
        .await;
    let (status, _) = server
        .call(
            Some(bob),
            Method::GET,
            &format!("/api/v4/channels/{private_id}"),
            None,
        )
        .await;
    let mut names: Vec<String> = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    let mut usernames: Vec<String> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    usernames.sort();
    let messages: Vec<String> = posts["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            posts["posts"][id.as_str().unwrap()]["message"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let emoji: Vec<String> = reactions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["user_id"].as_str().unwrap(),
                r["emoji_name"].as_str().unwrap()
            )
        })
        .collect();
    (
        me["id"].clone(),
        usernames,
        names,
        messages,
        emoji,
        unread["msg_count"].clone(),
        unread["mention_count"].clone(),
        status,
    )
}
