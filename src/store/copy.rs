//! `hearth db migrate --to postgres://…`: copies a whole SQLite deployment into an empty
//! PostgreSQL database.
//!
//! Both schemas are brought to the same (latest) version first, so their tables and
//! columns match; the rows are then read from one SQLite read transaction (a consistent
//! snapshot) and written with `COPY … FROM STDIN (FORMAT binary)` inside one PostgreSQL
//! transaction, so the target ends up with everything or nothing. Before committing, every
//! table's row count is compared, and the change feed's sequence is moved past the last
//! copied `seq`, so followers and new changes carry on from where SQLite stopped.

use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use tokio::sync::mpsc;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;
use super::postgres::{PgOptions, PgStore};
use super::sqlite::{SqliteOptions, SqliteStore};

/// Every table, parents before children (foreign keys hold at each step).
pub const TABLES: &[&str] = &[
    "systems",
    "users",
    "sessions",
    "user_access_tokens",
    "audits",
    "teams",
    "team_members",
    "channels",
    "channel_members",
    "posts",
    "reactions",
    "thread_members",
    "preferences",
    "statuses",
    "custom_statuses",
    "file_infos",
    "upload_sessions",
    "custom_emoji",
    "sidebar_categories",
    "sidebar_channels",
    "change_feed",
];

/// Rows sent from the SQLite reader to the PostgreSQL writer at a time.
const BATCH: usize = 2_000;

/// How a copy went: rows per table, in [`TABLES`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
    /// The last change-feed `seq` copied (0 for an empty feed).
    pub last_seq: i64,
}

/// Told of progress: `(table, rows of that table copied so far, rows of that table)`,
/// and once at the start the total over all tables.
pub trait Progress: Send {
    fn start(&mut self, total_rows: u64);
    fn advance(&mut self, table: &str, rows: u64);
}

/// One SQLite value on its way to a PostgreSQL column.
#[derive(Debug)]
enum Cell {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Int(n) => n.to_sql(ty, out),
            Cell::Bool(b) => b.to_sql(ty, out),
            Cell::Text(s) => s.to_sql(ty, out),
            Cell::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column of a target table.
struct Column {
    name: String,
    ty: Type,
}

enum Message {
    Rows(&'static str, Vec<Vec<Cell>>),
    Failed(StoreError),
}

/// Copies the SQLite database at `source` into the empty PostgreSQL database at
/// `target`. Refuses a target that already holds data.
pub async fn sqlite_to_postgres(
    source: &Path,
    target: &str,
    progress: &mut dyn Progress,
) -> Result<CopyReport, StoreError> {
    if !source.exists() {
        return Err(StoreError::Other(format!(
            "there is no SQLite database at {}",
            source.display()
        )));
    }
    // Opening runs each engine's migrations: afterwards both schemas are the latest.
    let path = source.to_path_buf();
    tokio::task::spawn_blocking(move || {
        SqliteStore::open(&SqliteOptions {
            path,
            readers: 1,
            busy_timeout: std::time::Duration::from_secs(30),
        })
        .map(drop)
    })
    .await
    .map_err(|e| StoreError::Other(format!("opening SQLite failed: {e}")))??;
    drop(
        PgStore::open(&PgOptions {
            url: target.to_string(),
            replicas: Vec::new(),
            max_conns: 2,
            timeout: std::time::Duration::from_secs(30),
        })
        .await?,
    );

    let (client, connection) = super::postgres::connect(target).await?;
    let connection = tokio::spawn(connection);
    let result = copy(source.to_path_buf(), &client, progress).await;
    drop(client);
    let _ = connection.await;
    result
}

async fn copy(
    source: PathBuf,
    client: &tokio_postgres::Client,
    progress: &mut dyn Progress,
) -> Result<CopyReport, StoreError> {
    let pg = |e: tokio_postgres::Error| StoreError::Other(format!("PostgreSQL: {e}"));
    client.batch_execute("BEGIN").await.map_err(pg)?;
    for table in TABLES {
        let row = client
            .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
            .await
            .map_err(pg)?;
        if row.try_get::<_, bool>(0).map_err(pg)? {
            return Err(StoreError::Invalid(format!(
                "the PostgreSQL database is not empty (table {table} has rows); copy into a new, empty database"
            )));
        }
    }
    let mut columns = Vec::new();
    for table in TABLES {
        columns.push(target_columns(client, table).await?);
    }

    // The reader: one read transaction over every table, so the copy is a snapshot.
    let (sender, mut receiver) = mpsc::channel::<Message>(4);
    let names: Vec<Vec<String>> = columns
        .iter()
        .map(|cols| cols.iter().map(|c| c.name.clone()).collect())
        .collect();
    let types: Vec<Vec<Type>> = columns
        .iter()
        .map(|cols| cols.iter().map(|c| c.ty.clone()).collect())
        .collect();
    let (count_sender, count_receiver) = tokio::sync::oneshot::channel();
    let reader = tokio::task::spawn_blocking(move || {
        if let Err(error) = read_all(&source, &names, &types, count_sender, &sender) {
            let _ = sender.blocking_send(Message::Failed(error));
        }
    });
    let counts: Vec<u64> = count_receiver
        .await
        .map_err(|_| StoreError::Other("the SQLite reader stopped early".into()))?;
    progress.start(counts.iter().sum());

    let mut copied = vec![0u64; TABLES.len()];
    let mut writer: Option<(usize, std::pin::Pin<Box<BinaryCopyInWriter>>)> = None;
    while let Some(message) = receiver.recv().await {
        let (table, rows) = match message {
            Message::Rows(table, rows) => (table, rows),
            Message::Failed(error) => return Err(error),
        };
        let index = TABLES.iter().position(|t| *t == table).unwrap_or(0);
        if writer.as_ref().is_none_or(|(i, _)| *i != index) {
            if let Some((_, done)) = writer.take() {
                finish(done).await?;
            }
            let cols = &columns[index];
            let list: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
            let sink = client
                .copy_in(&format!(
                    "COPY {table} ({}) FROM STDIN (FORMAT binary)",
                    list.join(", ")
                ))
                .await
                .map_err(pg)?;
            let types: Vec<Type> = cols.iter().map(|c| c.ty.clone()).collect();
            writer = Some((index, Box::pin(BinaryCopyInWriter::new(sink, &types))));
        }
        if let Some((_, w)) = writer.as_mut() {
            for row in &rows {
                let values: Vec<&(dyn ToSql + Sync)> =
                    row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
                w.as_mut().write(&values).await.map_err(pg)?;
            }
        }
        copied[index] += rows.len() as u64;
        progress.advance(table, copied[index]);
    }
    if let Some((_, done)) = writer.take() {
        finish(done).await?;
    }
    reader
        .await
        .map_err(|e| StoreError::Other(format!("the SQLite reader failed: {e}")))?;

    // Verify before committing: every table holds exactly what SQLite held.
    let mut tables = Vec::new();
    for (table, expected) in TABLES.iter().zip(&counts) {
        let row = client
            .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .await
            .map_err(pg)?;
        let found = row.try_get::<_, i64>(0).map_err(pg)? as u64;
        if found != *expected {
            return Err(StoreError::Other(format!(
                "table {table}: SQLite has {expected} rows but PostgreSQL received {found}; nothing was committed"
            )));
        }
        tables.push((table.to_string(), found));
    }
    let row = client
        .query_one("SELECT COALESCE(MAX(seq), 0)::BIGINT FROM change_feed", &[])
        .await
        .map_err(pg)?;
    let last_seq: i64 = row.try_get(0).map_err(pg)?;
    if last_seq > 0 {
        client
            .execute(
                "SELECT setval(pg_get_serial_sequence('change_feed', 'seq'), $1)",
                &[&last_seq],
            )
            .await
            .map_err(pg)?;
    }
    client.batch_execute("COMMIT").await.map_err(pg)?;
    Ok(CopyReport { tables, last_seq })
}

async fn finish(writer: std::pin::Pin<Box<BinaryCopyInWriter>>) -> Result<(), StoreError> {
    let mut writer = writer;
    writer
        .as_mut()
        .finish()
        .await
        .map(drop)
        .map_err(|e| StoreError::Other(format!("PostgreSQL COPY failed: {e}")))
}

/// The columns of a PostgreSQL table, in order, with their types.
async fn target_columns(
    client: &tokio_postgres::Client,
    table: &str,
) -> Result<Vec<Column>, StoreError> {
    let rows = client
        .query(
            "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .await
        .map_err(|e| StoreError::Other(format!("PostgreSQL: {e}")))?;
    rows.iter()
        .map(|row| {
            let name: String = row.get(0);
            let ty = match row.get::<_, String>(1).as_str() {
                "bigint" => Type::INT8,
                "boolean" => Type::BOOL,
                "text" => Type::TEXT,
                "bytea" => Type::BYTEA,
                other => {
                    return Err(StoreError::Other(format!(
                        "column {table}.{name} has type {other}, which the copy does not handle"
                    )));
                }
            };
            Ok(Column { name, ty })
        })
        .collect()
}

fn read_all(
    source: &Path,
    names: &[Vec<String>],
    types: &[Vec<Type>],
    counts: tokio::sync::oneshot::Sender<Vec<u64>>,
    sender: &mpsc::Sender<Message>,
) -> Result<(), StoreError> {
    let sqlite = |e: rusqlite::Error| StoreError::Other(format!("SQLite: {e}"));
    let conn =
        rusqlite::Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sqlite)?;
    conn.execute_batch("BEGIN").map_err(sqlite)?;
    let mut numbers = Vec::new();
    for table in TABLES {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .map_err(sqlite)?;
        numbers.push(n as u64);
    }
    let _ = counts.send(numbers);
    for ((table, names), types) in TABLES.iter().zip(names).zip(types) {
        let mut stmt = conn
            .prepare(&format!("SELECT {} FROM {table}", names.join(", ")))
            .map_err(sqlite)?;
        let mut rows = stmt.query([]).map_err(sqlite)?;
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(row) = rows.next().map_err(sqlite)? {
            let mut cells = Vec::with_capacity(types.len());
            for (i, ty) in types.iter().enumerate() {
                let value = row.get_ref(i).map_err(sqlite)?;
                cells.push(cell(value, ty, table, &names[i])?);
            }
            batch.push(cells);
            if batch.len() == BATCH
                && sender
                    .blocking_send(Message::Rows(table, std::mem::take(&mut batch)))
                    .is_err()
            {
                return Ok(());
            }
        }
        if !batch.is_empty() && sender.blocking_send(Message::Rows(table, batch)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Converts one SQLite value for a column of PostgreSQL type `ty`.
fn cell(value: ValueRef<'_>, ty: &Type, table: &str, column: &str) -> Result<Cell, StoreError> {
    let mismatch = || {
        StoreError::Other(format!(
            "{table}.{column}: the SQLite value does not fit PostgreSQL's {ty}"
        ))
    };
    Ok(match (value, ty) {
        (ValueRef::Null, _) => Cell::Null,
        (ValueRef::Integer(n), t) if *t == Type::INT8 => Cell::Int(n),
        (ValueRef::Integer(n), t) if *t == Type::BOOL => Cell::Bool(n != 0),
        (ValueRef::Text(t), ty) if *ty == Type::TEXT => {
            Cell::Text(String::from_utf8(t.to_vec()).map_err(|_| mismatch())?)
        }
        (ValueRef::Blob(b), ty) if *ty == Type::BYTEA => Cell::Bytes(b.to_vec()),
        (ValueRef::Text(t), ty) if *ty == Type::BYTEA => Cell::Bytes(t.to_vec()),
        (ValueRef::Integer(n), ty) if *ty == Type::TEXT => Cell::Text(n.to_string()),
        _ => return Err(mismatch()),
    })
}
