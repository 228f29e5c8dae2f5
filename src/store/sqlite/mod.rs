//! The SQLite engine: one file in WAL mode, one writer connection on its own thread (with
//! group commit, see `writer`), and a pool of reader connections used from tokio's
//! blocking pool.
//!
//! Durability: `synchronous=FULL` makes every commit fsync the WAL, so a write that has
//! been acknowledged survives a crash or power loss.

mod audits;
mod channels;
mod emoji;
mod feed;
mod files;
mod migrate;
mod posts;
mod preferences;
mod sessions;
mod sidebar;
mod system;
mod teams;
mod threads;
mod tokens;
mod users;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, ErrorCode};
use tokio::sync::{Semaphore, broadcast};

pub use migrate::latest_version;
use writer::Writer;

use super::{Change, SchemaStatus, Store, StoreError};

/// How many live changes a slow subscriber may fall behind before it must catch up from
/// the table.
const FEED_CAPACITY: usize = 4096;

/// How to open the database.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// The database file; its folder is created if missing.
    pub path: PathBuf,
    /// Reader connections in the pool.
    pub readers: u32,
    /// How long a statement waits for a lock before failing.
    pub busy_timeout: Duration,
}

/// The SQLite implementation of [`Store`].
pub struct SqliteStore {
    readers: r2d2::Pool<SqliteConnectionManager>,
    /// One permit per reader connection, taken before a read leaves the async workers: a
    /// burst of reads waits here rather than as blocked threads (each one's stack and
    /// allocator cache would stay resident after the burst).
    read_permits: Arc<Semaphore>,
    writer: Writer,
    feed: broadcast::Sender<Change>,
    status: SchemaStatus,
    sqlite_version: String,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database. Blocking: call it at start-up
    /// or from a blocking context.
    pub fn open(options: &SqliteOptions) -> Result<Self, StoreError> {
        if let Some(dir) = options.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
        }
        let busy_ms = options.busy_timeout.as_millis();
        let write_conn = Connection::open(&options.path).map_err(|e| {
            StoreError::Other(format!("cannot open {}: {e}", options.path.display()))
        })?;
        write_conn
            .execute_batch(&format!(
                "PRAGMA busy_timeout = {busy_ms};
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;"
            ))
            .map_err(map_err)?;
        let status = migrate::migrate(&write_conn)?;
        let sqlite_version = sqlite_library_version().to_string();

        let manager = SqliteConnectionManager::file(&options.path).with_init(move |conn| {
            conn.execute_batch(&format!(
                "PRAGMA busy_timeout = {busy_ms};
                 PRAGMA foreign_keys = ON;
                 PRAGMA query_only = ON;"
            ))
        });
        let readers = r2d2::Pool::builder()
            .max_size(options.readers.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.busy_timeout.max(Duration::from_secs(1)))
            .build(manager)
            .map_err(|e| StoreError::Other(format!("cannot open reader connections: {e}")))?;

        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        let writer = Writer::start(write_conn, feed.clone())?;
        Ok(SqliteStore {
            readers,
            read_permits: Arc::new(Semaphore::new(options.readers.max(1) as usize)),
            writer,
            feed,
            status,
            sqlite_version,
        })
    }

    /// Runs a read on a pooled connection, off the async workers.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.readers.clone();
        let permit = self
            .read_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Other(format!("no database connection: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = pool
                .get()
                .map_err(|e| StoreError::Other(format!("no database connection: {e}")))?;
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Other(format!("database read failed: {e}")))?
    }

    /// Runs one UPDATE of a single row on the writer; `NotFound` when no row matched.
    async fn update_one<F>(&self, sql: &'static str, run: F) -> Result<(), StoreError>
    where
        F: FnOnce(&mut rusqlite::CachedStatement<'_>) -> rusqlite::Result<usize> + Send + 'static,
    {
        self.writer
            .write(move |tx| {
                let mut stmt = tx.conn().prepare_cached(sql).map_err(map_err)?;
                match run(&mut stmt).map_err(map_err)? {
                    0 => Err(StoreError::NotFound),
                    _ => Ok(()),
                }
            })
            .await
    }

    /// The database file's path, for messages.
    pub fn describe(path: &Path) -> String {
        format!("SQLite database {}", path.display())
    }
}

impl Store for SqliteStore {
    fn schema_status(&self) -> &SchemaStatus {
        &self.status
    }

    fn engine_version(&self) -> String {
        format!("SQLite {}", self.sqlite_version)
    }

    fn connections(&self) -> crate::store::Connections {
        crate::store::Connections {
            // The writer's connection is always open.
            primary: self.readers.state().connections + 1,
            replicas: 0,
        }
    }
}

/// The version of the SQLite library built into this binary.
pub fn sqlite_library_version() -> &'static str {
    rusqlite::version()
}

/// Maps a SQLite error to a store error: no rows is `NotFound`, a broken uniqueness rule
/// is `Conflict`, other broken constraints are `Invalid`.
fn map_err(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(failure, message)
            if failure.code == ErrorCode::ConstraintViolation =>
        {
            let detail = message.clone().unwrap_or_else(|| error.to_string());
            match failure.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => StoreError::Conflict(detail),
                _ => StoreError::Invalid(detail),
            }
        }
        _ => StoreError::Other(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ChangeDraft, ChangeFeed, SystemStore};

    fn open(dir: &Path) -> SqliteStore {
        SqliteStore::open(&SqliteOptions {
            path: dir.join("hearth.db"),
            readers: 2,
            busy_timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    fn draft(entity: &str) -> ChangeDraft {
        ChangeDraft {
            kind: "test",
            entity_id: entity.into(),
            ..ChangeDraft::default()
        }
    }

    #[tokio::test]
    async fn failed_write_rolls_back_its_feed_rows_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let mut live = store.subscribe();

        // Three writes queued together land in one batch; the middle one fails after
        // writing a feed row and a value.
        let ok1 = store.writer.write(|tx| tx.emit(draft("one")));
        let bad = store.writer.write(|tx| {
            tx.emit(draft("rolled-back"))?;
            tx.conn()
                .execute(
                    "INSERT INTO systems (name, value) VALUES ('half', 'written')",
                    [],
                )
                .map_err(map_err)?;
            Err::<(), _>(StoreError::Invalid("refused".into()))
        });
        let ok2 = store.writer.write(|tx| tx.emit(draft("two")));
        let (ok1, bad, ok2) = tokio::join!(ok1, bad, ok2);
        assert!(matches!(bad, Err(StoreError::Invalid(_))));
        assert!(ok1.unwrap() < ok2.unwrap());

        let rows = store.changes_since(0, 100).await.unwrap();
        let entities: Vec<_> = rows.iter().map(|c| c.entity_id.as_str()).collect();
        assert_eq!(entities, ["one", "two"]);
        assert!(matches!(
            store.get_system_value("half").await,
            Err(StoreError::NotFound)
        ));
        // Only committed changes are broadcast.
        assert_eq!(live.recv().await.unwrap().entity_id, "one");
        assert_eq!(live.recv().await.unwrap().entity_id, "two");
        assert!(live.try_recv().is_err());
    }

    #[tokio::test]
    async fn panicking_write_is_rolled_back_and_writer_survives() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let result = store
            .writer
            .write(|tx| -> Result<(), StoreError> {
                tx.emit(draft("doomed"))?;
                panic!("bug in a write");
            })
            .await;
        assert!(matches!(result, Err(StoreError::Other(_))));
        store.set_system_value("after", "fine").await.unwrap();
        let rows = store.changes_since(0, 100).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].kind, "system_value_updated");
    }

    #[tokio::test]
    async fn constraint_violations_map_to_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let error = store.set_system_value("", "x").await.unwrap_err();
        assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
        assert_eq!(store.last_seq().await.unwrap(), 0);
    }
}
