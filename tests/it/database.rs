//! The database file: migrations, refusing a newer schema, and durability across kill -9.

use crate::support::{Server, data_dir, database, run};

fn recorded_migrations(data: &std::path::Path) -> Vec<(i64, String)> {
    let conn = rusqlite::Connection::open(database(data)).unwrap();
    let mut stmt = conn
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap();
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn migrations_are_applied_once_and_recorded() {
    let data = data_dir();
    let (ok, stdout, stderr) = run(data.path(), &["db", "migrate"]);
    assert!(ok, "{stderr}");
    let latest = hearth::store::sqlite::latest_version();
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
    let conn = rusqlite::Connection::open(database(data.path())).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', 0)",
        [],
    )
    .unwrap();
    drop(conn);

    let failure = Server::try_start(data.path(), &[]).err().expect("refused");
    assert!(!failure.status.unwrap().success());
    assert!(
        failure.output.contains("schema is at version 999"),
        "{}",
        failure.output
    );
    assert!(
        failure.output.contains(&format!(
            "supports at most version {}",
            hearth::store::sqlite::latest_version()
        )),
        "{}",
        failure.output
    );

    let (ok, _, stderr) = run(data.path(), &["db", "migrate"]);
    assert!(!ok);
    assert!(stderr.contains("version 999"), "{stderr}");
    // The refused database was left alone.
    assert_eq!(
        recorded_migrations(data.path()).len() as i64,
        hearth::store::sqlite::latest_version() + 1
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
