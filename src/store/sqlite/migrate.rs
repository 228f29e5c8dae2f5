//! The SQLite migration runner: plain SQL files from `migrations/sqlite/`, embedded in the
//! binary, applied in version order at start, each recorded in `schema_migrations`.

use rusqlite::{Connection, OptionalExtension, params};
use rust_embed::RustEmbed;

use super::map_err;
use crate::model::now_millis;
use crate::store::{SchemaStatus, StoreError};

#[derive(RustEmbed)]
#[folder = "migrations/sqlite/"]
struct Files;

struct Migration {
    version: i64,
    name: String,
    sql: String,
}

/// The embedded migrations, oldest first. File names are `NNNN_description.sql`.
fn embedded() -> Result<Vec<Migration>, StoreError> {
    let mut migrations = Vec::new();
    for file in Files::iter().filter(|f| f.ends_with(".sql")) {
        let name = file.trim_end_matches(".sql").to_string();
        let version = name
            .split('_')
            .next()
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| StoreError::Other(format!("migration {file} has no version number")))?;
        let bytes = Files::get(&file)
            .ok_or_else(|| StoreError::Other(format!("migration {file} is missing")))?;
        let sql = String::from_utf8(bytes.data.into_owned())
            .map_err(|_| StoreError::Other(format!("migration {file} is not UTF-8")))?;
        migrations.push(Migration { version, name, sql });
    }
    migrations.sort_by_key(|m| m.version);
    if migrations.windows(2).any(|w| w[0].version == w[1].version) {
        return Err(StoreError::Other(
            "two migrations share a version number".into(),
        ));
    }
    Ok(migrations)
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    embedded()
        .ok()
        .and_then(|m| m.last().map(|m| m.version))
        .unwrap_or(0)
}

/// Brings the schema up to date, one transaction per migration. Refuses a database whose
/// schema is newer than this build: running old code on it could corrupt it.
pub(super) fn migrate(conn: &Connection) -> Result<SchemaStatus, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT    NOT NULL,
             applied_at INTEGER NOT NULL
         )",
    )
    .map_err(map_err)?;
    let migrations = embedded()?;
    let supported = migrations.last().map(|m| m.version).unwrap_or(0);
    let current = current_version(conn)?;
    if current > supported {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported,
        });
    }
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > current) {
        // IMMEDIATE takes the write lock first, so two processes starting at once cannot
        // both apply the same migration.
        conn.execute_batch("BEGIN IMMEDIATE").map_err(map_err)?;
        let result = (|| {
            let already: Option<i64> = conn
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [migration.version],
                    |row| row.get(0),
                )
                .optional()?;
            if already.is_none() {
                conn.execute_batch(&migration.sql)?;
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    params![migration.version, migration.name, now_millis()],
                )?;
            }
            conn.execute_batch("COMMIT")?;
            Ok::<bool, rusqlite::Error>(already.is_none())
        })();
        match result {
            Ok(true) => {
                tracing::info!(migration = %migration.name, "applied database migration");
                applied.push(migration.name.clone());
            }
            Ok(false) => {}
            Err(error) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(StoreError::Other(format!(
                    "migration {} failed: {error}",
                    migration.name
                )));
            }
        }
    }
    Ok(SchemaStatus {
        previous_version: current,
        version: current_version(conn)?,
        applied,
    })
}

fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )
    .map_err(map_err)
}
