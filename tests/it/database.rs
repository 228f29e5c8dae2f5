//! The database: migrations, refusing a newer schema, and durability across kill -9.

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
