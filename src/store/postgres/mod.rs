//! The PostgreSQL engine: pooled connections to a primary (all writes, and reads that must
//! see them) and optional read replicas (`SqlSettings.DataSourceReplicas`) for reads that
//! tolerate a little lag.
//!
//! Writes run in ordinary transactions ([`WriteTx`]); PostgreSQL serialises conflicting
//! writers itself. The change feed needs one more rule: a follower reads `seq > last`, so
//! feed rows must become visible in `seq` order. A transaction therefore inserts its feed
//! rows at commit time, after taking a transaction-level advisory lock that it holds until
//! the commit; the next writer's feed rows (and their larger `seq`) wait for it. Only the
//! tail of a writing transaction is serialised, and only if it emits changes.
//!
//! Durability: PostgreSQL's default `synchronous_commit = on` flushes the WAL at every
//! commit, so an acknowledged write survives a crash.

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

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio::sync::broadcast;
use tokio_postgres::error::SqlState;
use tokio_postgres_rustls::MakeRustlsConnect;

pub use migrate::latest_version;

use super::{Change, ChangeDraft, SchemaStatus, Store, StoreError};
use crate::model::now_millis;

/// How many live changes a slow subscriber may fall behind before it must catch up from
/// the table.
const FEED_CAPACITY: usize = 4096;
/// The advisory lock key that orders feed rows (any fixed number; "hearth" in ASCII).
const FEED_LOCK: i64 = 0x6865_6172_7468;

/// How to connect.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/database?sslmode=…`; `sslrootcert=FILE` (a PEM
    /// bundle) is also understood, for a private certificate authority.
    pub url: String,
    /// Read replicas, same form; may be empty.
    pub replicas: Vec<String>,
    /// Connections per pool.
    pub max_conns: u32,
    /// How long to wait for a connection from a pool, and to connect.
    pub timeout: Duration,
}

/// The PostgreSQL implementation of [`Store`].
pub struct PgStore {
    primary: Pool,
    replicas: Vec<Pool>,
    next_replica: AtomicUsize,
    feed: broadcast::Sender<Change>,
    /// Held from a writer's feed lock to its announcement, so this process announces
    /// changes in `seq` order too.
    feed_order: Arc<tokio::sync::Mutex<()>>,
    status: SchemaStatus,
    server_version: String,
}

impl PgStore {
    /// Connects, migrates, and checks every replica answers.
    pub async fn open(options: &PgOptions) -> Result<Self, StoreError> {
        let primary = pool(&options.url, options)?;
        let client = primary.get().await.map_err(|e| {
            StoreError::Other(format!(
                "cannot connect to PostgreSQL at {}: {}",
                describe(&options.url),
                with_causes(&e)
            ))
        })?;
        let status = migrate::migrate(&client).await?;
        let server_version: String = client
            .query_one("SHOW server_version", &[])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(map_err)?;
        drop(client);
        let mut replicas = Vec::new();
        for url in &options.replicas {
            let replica = pool(url, options)?;
            drop(replica.get().await.map_err(|e| {
                StoreError::Other(format!(
                    "cannot connect to the PostgreSQL replica at {}: {}",
                    describe(url),
                    with_causes(&e)
                ))
            })?);
            replicas.push(replica);
        }
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        Ok(PgStore {
            primary,
            replicas,
            next_replica: AtomicUsize::new(0),
            feed,
            feed_order: Arc::default(),
            status,
            server_version,
        })
    }

    /// A connection to the primary, for reads that must see every committed write.
    async fn client(&self) -> Result<Object, StoreError> {
        self.primary
            .get()
            .await
            .map_err(|e| StoreError::Other(format!("no database connection: {}", with_causes(&e))))
    }

    /// A connection for a read that may lag a little behind the primary (a listing, a
    /// search): a replica in turn, or the primary when there is none.
    async fn replica(&self) -> Result<Object, StoreError> {
        if self.replicas.is_empty() {
            return self.client().await;
        }
        let n = self.next_replica.fetch_add(1, Ordering::Relaxed) % self.replicas.len();
        self.replicas[n]
            .get()
            .await
            .map_err(|e| StoreError::Other(format!("no replica connection: {}", with_causes(&e))))
    }

    /// Starts a write transaction on the primary.
    async fn begin(&self) -> Result<WriteTx, StoreError> {
        let client = self.client().await?;
        client.batch_execute("BEGIN").await.map_err(map_err)?;
        Ok(WriteTx {
            client: Some(client),
            drafts: Vec::new(),
            feed: self.feed.clone(),
            feed_order: self.feed_order.clone(),
        })
    }

    /// Runs one statement that must change exactly one row, in its own transaction;
    /// `NotFound` when it changed none.
    async fn update_one(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(map_err)?;
        match client.execute(&stmt, params).await.map_err(map_err)? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    /// The server and database, for messages (no password).
    pub fn describe(url: &str) -> String {
        format!("PostgreSQL database {}", describe(url))
    }
}

impl Store for PgStore {
    fn schema_status(&self) -> &SchemaStatus {
        &self.status
    }

    fn engine_version(&self) -> String {
        format!("PostgreSQL {}", self.server_version)
    }

    fn connections(&self) -> crate::store::Connections {
        let open = |pool: &Pool| u32::try_from(pool.status().size).unwrap_or(u32::MAX);
        crate::store::Connections {
            primary: open(&self.primary),
            replicas: self.replicas.iter().map(open).sum(),
        }
    }
}

/// A write in progress on the primary. Statements run on [`WriteTx::client`]; feed rows
/// queued with [`WriteTx::emit`] are written by [`WriteTx::commit`], which then announces
/// them. Dropped without a commit (an error returned early, a panic, a cancelled request),
/// the transaction is rolled back before its connection goes back to the pool.
pub(crate) struct WriteTx {
    client: Option<Object>,
    drafts: Vec<(ChangeDraft, i64)>,
    feed: broadcast::Sender<Change>,
    feed_order: Arc<tokio::sync::Mutex<()>>,
}

impl WriteTx {
    pub(crate) fn client(&self) -> &deadpool_postgres::ClientWrapper {
        // Only `commit` and `drop` take the client, and both consume the transaction.
        self.client
            .as_deref()
            .unwrap_or_else(|| unreachable!("a write transaction is used after it ended"))
    }

    /// Records `draft` in the change feed when this transaction commits.
    pub(crate) fn emit(&mut self, draft: ChangeDraft) -> Result<(), StoreError> {
        self.drafts.push((draft, now_millis()));
        Ok(())
    }

    /// Writes the feed rows (in `seq` order with every other writer's), commits, and
    /// announces the changes.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        // On any early return (or if this future is dropped), `Drop` rolls back.
        let feed_order = self.feed_order.clone();
        let _in_order = if self.drafts.is_empty() {
            None
        } else {
            Some(feed_order.lock().await)
        };
        let drafts = std::mem::take(&mut self.drafts);
        let client = self.client();
        let changes = write_feed(client, drafts).await?;
        client.batch_execute("COMMIT").await.map_err(map_err)?;
        // Committed: the connection goes back to the pool as it is.
        drop(self.client.take());
        for change in changes {
            let _ = self.feed.send(change);
        }
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if client.batch_execute("ROLLBACK").await.is_err() {
                        // Never hand a connection in an unknown state back to the pool.
                        drop(Object::take(client));
                    }
                });
            }
            // No runtime to roll back on: close the connection, which rolls back too.
            Err(_) => drop(Object::take(client)),
        }
    }
}

async fn write_feed(
    client: &deadpool_postgres::ClientWrapper,
    drafts: Vec<(ChangeDraft, i64)>,
) -> Result<Vec<Change>, StoreError> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&FEED_LOCK])
        .await
        .map_err(map_err)?;
    let stmt = client
        .prepare_cached(
            "INSERT INTO change_feed (kind, entity_id, team_id, channel_id, user_id, data, create_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
        )
        .await
        .map_err(map_err)?;
    let mut changes = Vec::with_capacity(drafts.len());
    for (draft, create_at) in drafts {
        let data =
            serde_json::to_string(&draft.data).map_err(|e| StoreError::Other(e.to_string()))?;
        let row = client
            .query_one(
                &stmt,
                &[
                    &draft.kind,
                    &draft.entity_id,
                    &draft.team_id,
                    &draft.channel_id,
                    &draft.user_id,
                    &data,
                    &create_at,
                ],
            )
            .await
            .map_err(map_err)?;
        changes.push(Change {
            seq: row.try_get(0).map_err(map_err)?,
            kind: draft.kind.to_string(),
            entity_id: draft.entity_id,
            team_id: draft.team_id,
            channel_id: draft.channel_id,
            user_id: draft.user_id,
            data: draft.data,
            create_at,
        });
    }
    Ok(changes)
}

/// A pool for one server. `sslmode` in the URL decides whether TLS is used (rustls, with
/// the system's certificate authorities and any `sslrootcert` bundle).
fn pool(url: &str, options: &PgOptions) -> Result<Pool, StoreError> {
    let (url, root_cert) = take_param(url, "sslrootcert");
    let config: tokio_postgres::Config = url.parse().map_err(|e| {
        StoreError::Other(format!(
            "SqlSettings.DataSource is not a PostgreSQL URL ({}): {}",
            with_causes(&e),
            describe(&url)
        ))
    })?;
    let tls = tls(root_cert.as_deref())?;
    let manager = Manager::from_config(
        config,
        tls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(options.max_conns.max(2) as usize)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(options.timeout))
        .create_timeout(Some(options.timeout))
        .build()
        .map_err(|e| StoreError::Other(format!("cannot make a connection pool: {e}")))
}

fn tls(root_cert: Option<&str>) -> Result<MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = root_cert {
        use rustls_pki_types::pem::PemObject;
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| StoreError::Other(format!("cannot read sslrootcert {path}: {e}")))?;
        for cert in certs {
            let cert =
                cert.map_err(|e| StoreError::Other(format!("bad sslrootcert {path}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| StoreError::Other(format!("bad sslrootcert {path}: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Other(format!("TLS set-up failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// One connection outside any pool (for bulk work such as the SQLite copy); the returned
/// future drives it and must be spawned.
pub(crate) async fn connect(
    url: &str,
) -> Result<
    (
        tokio_postgres::Client,
        impl std::future::Future<Output = Result<(), tokio_postgres::Error>> + Send + use<>,
    ),
    StoreError,
> {
    let (url, root_cert) = take_param(url, "sslrootcert");
    let config: tokio_postgres::Config = url.parse().map_err(|e| {
        StoreError::Other(format!(
            "not a PostgreSQL URL ({}): {}",
            with_causes(&e),
            describe(&url)
        ))
    })?;
    let tls = tls(root_cert.as_deref())?;
    config.connect(tls).await.map_err(|e| {
        StoreError::Other(format!(
            "cannot connect to PostgreSQL at {}: {}",
            describe(&url),
            with_causes(&e)
        ))
    })
}

/// Removes `key=value` from a URL's query, returning the URL and the value.
fn take_param(url: &str, key: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut value = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some((k, v)) if k == key => {
                value = Some(v.to_string());
                false
            }
            _ => true,
        })
        .collect();
    if kept.is_empty() {
        (base.to_string(), value)
    } else {
        (format!("{base}?{}", kept.join("&")), value)
    }
}

/// A URL without its password, for messages and logs.
pub fn describe(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(not a URL)".into();
    };
    let rest = rest.split('?').next().unwrap_or_default();
    match rest.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => format!("{scheme}://{rest}"),
    }
}

/// An error with its causes, `error: cause: cause…`. tokio-postgres keeps the reason a
/// connection failed (the server's message, the certificate problem, the I/O error) in
/// `source()`, which its `Display` leaves out: "db error", "error performing TLS handshake".
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // deadpool's message already ends with its cause's.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Maps a PostgreSQL error to a store error: a broken uniqueness rule is `Conflict` (with
/// the constraint's name), other broken constraints are `Invalid`.
fn map_err(error: tokio_postgres::Error) -> StoreError {
    let Some(db) = error.as_db_error() else {
        return StoreError::Other(with_causes(&error));
    };
    let constraint = db.constraint().unwrap_or_default().to_string();
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        StoreError::Conflict(if constraint.is_empty() {
            db.message().to_string()
        } else {
            constraint
        })
    } else if [
        SqlState::CHECK_VIOLATION,
        SqlState::FOREIGN_KEY_VIOLATION,
        SqlState::NOT_NULL_VIOLATION,
        SqlState::STRING_DATA_RIGHT_TRUNCATION,
    ]
    .contains(code)
    {
        StoreError::Invalid(format!("{} ({constraint})", db.message()))
    } else {
        StoreError::Other(format!("{}: {}", db.severity(), db.message()))
    }
}

/// `NotFound` when a query that should return one row returned none.
fn one(rows: Vec<tokio_postgres::Row>) -> Result<tokio_postgres::Row, StoreError> {
    rows.into_iter().next().ok_or(StoreError::NotFound)
}

/// Maps every row with `read` (a `*_from_row` function).
fn from_rows<T>(
    rows: &[tokio_postgres::Row],
    read: fn(&tokio_postgres::Row) -> Result<T, tokio_postgres::Error>,
) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(read)
        .collect::<Result<_, _>>()
        .map_err(map_err)
}

/// A count or limit from the API as a BIGINT parameter.
fn big(n: u32) -> i64 {
    i64::from(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password_and_sslrootcert() {
        assert_eq!(
            describe("postgres://hearth:s3cret@db.example:5432/chat?sslmode=require"),
            "postgres://hearth@db.example:5432/chat"
        );
        assert_eq!(describe("postgres://localhost/x"), "postgres://localhost/x");
        assert_eq!(
            take_param(
                "postgres://h/x?sslmode=require&sslrootcert=/ca.pem",
                "sslrootcert"
            ),
            (
                "postgres://h/x?sslmode=require".to_string(),
                Some("/ca.pem".to_string())
            )
        );
        assert_eq!(
            take_param("postgres://h/x?sslrootcert=/ca.pem", "sslrootcert"),
            ("postgres://h/x".to_string(), Some("/ca.pem".to_string()))
        );
    }
}
