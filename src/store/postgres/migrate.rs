//! The PostgreSQL migration runner: plain SQL files from `migrations/postgres/` (the same
//! versions as `migrations/sqlite/`), embedded in the binary, applied in version order at
//! start, each in its own transaction and recorded in `schema_migrations`. A session
//! advisory lock keeps two servers starting at once from applying the same migration.

use deadpool_postgres::ClientWrapper;
use rust_embed::RustEmbed;

use super::map_err;
use crate::model::now_millis;
use crate::store::{SchemaStatus, StoreError};

#[derive(RustEmbed)]
#[folder = "migrations/postgres/"]
struct Files;

/// Held while migrating ("hearth-m" in ASCII).
const MIGRATION_LOCK: i64 = 0x6865_6172_7468_2d6d;

struct Migration {
    version: i64,
    name: String,
    sql: String,
}

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
    Ok(migrations)
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    embedded()
        .ok()
        .and_then(|m| m.last().map(|m| m.version))
        .unwrap_or(0)
}

pub(super) async fn migrate(client: &ClientWrapper) -> Result<SchemaStatus, StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(map_err)?;
    let result = run(client).await;
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    result
}

async fn run(client: &ClientWrapper) -> Result<SchemaStatus, StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT PRIMARY KEY,
                 name       TEXT   NOT NULL,
                 applied_at BIGINT NOT NULL
             )",
        )
        .await
        .map_err(map_err)?;
    let migrations = embedded()?;
    let supported = migrations.last().map(|m| m.version).unwrap_or(0);
    let current = current_version(client).await?;
    if current > supported {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported,
        });
    }
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > current) {
        let result = async {
            client.batch_execute("BEGIN").await?;
            client.batch_execute(&migration.sql).await?;
            client
                .execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    &[&migration.version, &migration.name, &now_millis()],
                )
                .await?;
            client.batch_execute("COMMIT").await
        }
        .await;
        if let Err(error) = result {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(StoreError::Other(format!(
                "migration {} failed: {}",
                migration.name,
                map_err(error)
            )));
        }
        tracing::info!(migration = %migration.name, "applied database migration");
        applied.push(migration.name.clone());
    }
    Ok(SchemaStatus {
        previous_version: current,
        version: current_version(client).await?,
        applied,
    })
}

async fn current_version(client: &ClientWrapper) -> Result<i64, StoreError> {
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )
        .await
        .map_err(map_err)?;
    row.try_get(0).map_err(map_err)
}
