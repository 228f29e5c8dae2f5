//! The store conformance suite: one set of tests, written against the [`Store`] traits
//! only, run on every engine (SQLite in a temporary folder, PostgreSQL in a fresh
//! database). An engine is correct when it passes all of them; a behaviour both engines
//! must share is pinned here rather than in either engine's own tests.
//!
//! Each area is a module of plain `async fn(&dyn Store)` tests ending in a [`suite!`]
//! invocation, which makes an `on_sqlite` and an `on_postgres` test of each.
//!
//! PostgreSQL comes from `HEARTH_TEST_POSTGRES_URL`, or a throwaway cluster started for
//! the test process (see `tests/common/postgres.rs`).

use std::sync::Arc;
use std::time::Duration;

use super::Store;
use super::postgres::{PgOptions, PgStore};
use super::sqlite::{SqliteOptions, SqliteStore};

#[path = "../../../tests/common/postgres.rs"]
pub(crate) mod postgres_server;

mod accounts;
mod content;
mod emoji;
mod feed;
mod messaging;
mod sidebar;
mod statistics;

/// A store under test, and what must live as long as it.
pub(crate) struct Opened {
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

pub(crate) async fn sqlite() -> Opened {
    let dir = tempfile::tempdir().expect("temporary folder");
    let options = SqliteOptions {
        path: dir.path().join("hearth.db"),
        readers: 4,
        busy_timeout: Duration::from_secs(10),
    };
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&options))
        .await
        .expect("open task")
        .expect("open SQLite");
    Opened {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

pub(crate) async fn postgres() -> Opened {
    let url = postgres_server::fresh_database().await;
    let store = PgStore::open(&PgOptions {
        url,
        replicas: Vec::new(),
        max_conns: 8,
        timeout: Duration::from_secs(10),
    })
    .await
    .expect("open PostgreSQL");
    Opened {
        store: Arc::new(store),
        _dir: None,
    }
}

/// Makes, for each named `async fn(&dyn Store)` of the calling module, a test on each
/// engine: `on_sqlite::name` and `on_postgres::name`.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let opened = $crate::store::conformance::sqlite().await;
                    super::$name(&*opened.store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let opened = $crate::store::conformance::postgres().await;
                    super::$name(&*opened.store).await;
                }
            )*
        }
    };
}
pub(crate) use suite;
