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
    assert!(server.logged("applied=0").await, "{}", server.logs());
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
    assert!(server.logged("PostgreSQL").await, "{}", server.logs());
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

/// `SqlSettings.DataSourceReplicas`: channel history is read from a streaming replica,
/// while writes and reads that must see them go to the primary. With the replica's replay
/// paused, a new post is served by id (primary) but not yet in the history (replica).
#[tokio::test]
async fn history_is_read_from_the_replica_and_writes_from_the_primary() {
    use reqwest::Method;
    use serde_json::json;
    if crate::support::on_postgres() {
        // Runs once, in the `it` binary: it sets up PostgreSQL itself.
        return;
    }
    use crate::support::postgres_server::{fresh_database, replica_url, with_database};
    let primary = fresh_database().await;
    let name = primary.rsplit('/').next().unwrap().to_string();
    let replica = with_database(&replica_url(), &name);
    let data = data_dir();
    let replicas = json!([replica]).to_string();
    let env = [
        ("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"),
        ("HEARTH_SQLSETTINGS_DATASOURCE", primary.as_str()),
        ("HEARTH_SQLSETTINGS_DATASOURCEREPLICAS", replicas.as_str()),
    ];
    // The new database must have reached the replica before the server checks it.
    let mut server = None;
    for _ in 0..50 {
        match Server::try_start(data.path(), &env) {
            Ok(started) => {
                server = Some(started);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    let server = server.expect("server on a primary and a replica");
    wait_for_replica(&primary, &replica);
    let (status, body) = crate::support::json(server.post("/api/v4/users").json(&json!({"username": "admin", "email": "admin@example.com", "password": crate::support::accounts::PASSWORD})).send().await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
    let admin = server
        .login("admin", crate::support::accounts::PASSWORD)
        .await;
    let (_, team) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/teams",
            Some(json!({"name": "rep", "display_name": "Rep", "type": "O"})),
        )
        .await;
    let team_id = team["id"].as_str().unwrap();
    let (_, town) = server
        .call(
            Some(&admin),
            Method::GET,
            &format!("/api/v4/teams/{team_id}/channels/name/town-square"),
            None,
        )
        .await;
    let town_id = town["id"].as_str().unwrap().to_string();
    let count = |posts: &Value| posts["order"].as_array().map_or(0, Vec::len);
    let path = format!("/api/v4/channels/{town_id}/posts");

    let (status, first) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town_id, "message": "one"})),
        )
        .await;
    assert_eq!(status, 201);
    // Replication is quick but not instant: the history shows the post soon.
    let mut seen = 0;
    for _ in 0..100 {
        let (_, posts) = server.call(Some(&admin), Method::GET, &path, None).await;
        seen = count(&posts);
        if seen == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 1);

    // Freeze the replica: history stays as it was, reads by id and writes carry on.
    let pause = |sql: &'static str| {
        let replica = replica.clone();
        crate::support::blocking(async move {
            let (client, connection) = tokio_postgres::connect(&replica, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client.batch_execute(sql).await.unwrap();
        })
    };
    pause("SELECT pg_wal_replay_pause()");
    let (status, second) = server
        .call(
            Some(&admin),
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": town_id, "message": "two"})),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let (status, by_id) = server
        .call(
            Some(&admin),
            Method::GET,
            &format!("/api/v4/posts/{}", second["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!((status, by_id["message"].as_str()), (200, Some("two")));
    let (_, posts) = server.call(Some(&admin), Method::GET, &path, None).await;
    assert_eq!(
        count(&posts),
        1,
        "history comes from the paused replica: {posts}"
    );
    assert!(posts["posts"][first["id"].as_str().unwrap()].is_object());
    // A new sign-in works: sessions are written and read on the primary.
    let again = server
        .login("admin", crate::support::accounts::PASSWORD)
        .await;
    let (status, _) = server
        .call(Some(&again), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200);

    pause("SELECT pg_wal_replay_resume()");
    let mut seen = 0;
    for _ in 0..100 {
        let (_, posts) = server.call(Some(&admin), Method::GET, &path, None).await;
        seen = count(&posts);
        if seen == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 2, "the replica caught up");
}

/// Waits until the replica has replayed everything the primary has written so far.
fn wait_for_replica(primary: &str, replica: &str) {
    let (primary, replica) = (primary.to_string(), replica.to_string());
    crate::support::blocking(async move {
        let connect = |url: String| async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client
        };
        let primary = connect(primary).await;
        let replica = connect(replica).await;
        let lsn: String = primary
            .query_one("SELECT pg_current_wal_lsn()::TEXT", &[])
            .await
            .unwrap()
            .get(0);
        for _ in 0..200 {
            let caught_up: bool = replica
                .query_one(
                    "SELECT pg_last_wal_replay_lsn() >= $1::TEXT::pg_lsn",
                    &[&lsn],
                )
                .await
                .unwrap()
                .get(0);
            if caught_up {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the replica did not catch up");
    });
}

/// The change feed does not grow without end: changes older than a week that the search
/// index already has are deleted a moment after start (and hourly), and the feed's
/// position carries on.
#[tokio::test]
async fn week_old_changes_are_pruned_once_the_index_has_them() {
    use crate::teams_channels::{get, id_of, new_team, say};
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let team_id = new_team(&server, &admin, "feed", "O").await;
    let path = format!("/teams/{team_id}/channels/name/town-square");
    let town = id_of(&get(&server, &admin, &path).await.1);
    for n in 0..5 {
        say(&server, &admin, &town, &format!("archaeology note {n}")).await;
    }
    server.search_caught_up().await;
    drop(server);
    let count = |condition: &str| {
        let rows = sql_query(
            data.path(),
            &format!("SELECT COUNT(*) FROM change_feed WHERE {condition}"),
            &[],
        );
        rows[0][0].as_i64().unwrap()
    };
    let last = sql_query(data.path(), "SELECT MAX(seq) FROM change_feed", &[])[0][0]
        .as_i64()
        .unwrap();
    // Everything so far happened eight days ago.
    let eight_days = 8 * 24 * 3600 * 1000;
    sql_execute(
        data.path(),
        &format!("UPDATE change_feed SET create_at = create_at - {eight_days}"),
        &[],
    );
    let old = count("TRUE");
    assert!(old >= 10, "{old} changes");

    let server = Server::start(data.path(), &[]);
    let (_, status) = server
        .get_json("/api/v4/system/ping?get_server_status=true")
        .await;
    let position = status["search_index"]["position"].as_i64().unwrap();
    assert!(position > 0, "{status}");
    assert!(
        server.logged("removed changes older than a week").await,
        "{}",
        server.logs()
    );
    let week_ago = hearth::model::now_millis() - 7 * 24 * 3600 * 1000;
    assert_eq!(
        count(&format!("seq < {position} AND create_at < {week_ago}")),
        0
    );
    assert!(count(&format!("seq <= {last}")) < old);
    // The position carries on, and what was indexed is still found.
    say(&server, &admin, &town, "a fresh note").await;
    assert!(count(&format!("seq > {last}")) >= 1);
    server.search_caught_up().await;
    let reply = crate::teams_channels::post(
        &server,
        &admin,
        &format!("/teams/{team_id}/posts/search"),
        serde_json::json!({"terms": "archaeology", "is_or_search": false}),
    )
    .await;
    assert_eq!(reply.0, 200, "{}", reply.1);
    assert_eq!(
        reply.1["order"].as_array().map(Vec::len),
        Some(5),
        "{}",
        reply.1
    );
}
