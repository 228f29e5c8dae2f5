//! Test support: start the real `hearth` binary on an ephemeral port with a temporary data
//! folder, talk HTTP to it, stop it politely (SIGTERM) or not (SIGKILL).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

pub mod accounts;
pub mod multipart;
pub mod ws;

#[path = "../../common/postgres.rs"]
pub mod postgres_server;

/// How long a server may take to say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable that runs the `it` suite on PostgreSQL (`postgres`) instead
/// of SQLite; the `it_postgres` target always does.
pub const BACKEND_VARIABLE: &str = "HEARTH_TEST_BACKEND";

/// Whether the servers under test use PostgreSQL.
pub fn on_postgres() -> bool {
    crate::POSTGRES || std::env::var(BACKEND_VARIABLE).is_ok_and(|v| v == "postgres")
}

/// `hearth` with an environment free of the caller's `HEARTH_*`/`MM_*` settings. On
/// PostgreSQL, each data folder gets a database of its own, named to the server through
/// `HEARTH_SQLSETTINGS_*`.
pub fn hearth(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
    for (key, _) in std::env::vars() {
        if key.starts_with("HEARTH_") || key.starts_with("MM_") {
            command.env_remove(key);
        }
    }
    if on_postgres() {
        command
            .env("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres")
            .env("HEARTH_SQLSETTINGS_DATASOURCE", database_url(data));
    }
    command.arg("--data").arg(data);
    command
}

/// The PostgreSQL database of a data folder, created on first use.
pub fn database_url(data: &Path) -> String {
    static DATABASES: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let mut databases = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, url)) = databases.iter().find(|(dir, _)| dir == data) {
        return url.clone();
    }
    let url = blocking(postgres_server::fresh_database());
    databases.push((data.to_path_buf(), url.clone()));
    url
}

/// Runs `future` to completion from sync or async test code, on a runtime of its own.
pub fn blocking<T: Send + 'static>(
    future: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(future)
    })
    .join()
    .expect("blocking task")
}

/// Runs one SQL statement on a data folder's database behind the server's back, with
/// text parameters written `?1`, `?2`… for both engines; returns the rows changed.
pub fn sql_execute(data: &Path, sql: &str, params: &[&str]) -> u64 {
    sql_query_or_execute(data, sql, params, false).0
}

/// Runs a query on a data folder's database behind the server's back (parameters as in
/// [`sql_execute`]); each row's columns as JSON (text, integer, boolean or null).
pub fn sql_query(data: &Path, sql: &str, params: &[&str]) -> Vec<Vec<Value>> {
    sql_query_or_execute(data, sql, params, true).1
}

fn sql_query_or_execute(
    data: &Path,
    sql: &str,
    params: &[&str],
    query: bool,
) -> (u64, Vec<Vec<Value>>) {
    let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
    if on_postgres() {
        let url = database_url(data);
        let mut pg_sql = sql.to_string();
        for n in (1..=params.len()).rev() {
            pg_sql = pg_sql.replace(&format!("?{n}"), &format!("${n}"));
        }
        return blocking(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect to the test database");
            tokio::spawn(connection);
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                .iter()
                .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            if !query {
                let n = client.execute(&pg_sql, &refs).await.expect("execute");
                return (n, Vec::new());
            }
            let rows = client.query(&pg_sql, &refs).await.expect("query");
            let rows = rows
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            use tokio_postgres::types::Type;
                            match *row.columns()[i].type_() {
                                Type::INT8 => row
                                    .get::<_, Option<i64>>(i)
                                    .map_or(Value::Null, Value::from),
                                Type::INT4 => row
                                    .get::<_, Option<i32>>(i)
                                    .map_or(Value::Null, Value::from),
                                Type::BOOL => row
                                    .get::<_, Option<bool>>(i)
                                    .map_or(Value::Null, Value::from),
                                _ => row
                                    .get::<_, Option<String>>(i)
                                    .map_or(Value::Null, Value::from),
                            }
                        })
                        .collect()
                })
                .collect();
            (0, rows)
        });
    }
    let conn = rusqlite::Connection::open(database(data)).expect("open the database file");
    conn.busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    let params = rusqlite::params_from_iter(params.iter());
    if !query {
        return (
            conn.execute(sql, params).expect("execute") as u64,
            Vec::new(),
        );
    }
    let mut stmt = conn.prepare(sql).expect("prepare");
    let width = stmt.column_count();
    let rows = stmt
        .query_map(params, |row| {
            (0..width)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                        rusqlite::types::ValueRef::Real(f) => Value::from(f),
                        rusqlite::types::ValueRef::Text(t) => {
                            Value::from(String::from_utf8_lossy(t).into_owned())
                        }
                        rusqlite::types::ValueRef::Blob(b) => Value::from(b.len()),
                    })
                })
                .collect::<rusqlite::Result<Vec<Value>>>()
        })
        .expect("query")
        .map(|row| row.expect("row"))
        .collect();
    (0, rows)
}

/// A store opened on a data folder's database, beside (or instead of) a server.
pub async fn open_store(data: &Path) -> std::sync::Arc<dyn hearth::store::Store> {
    use hearth::store::postgres::{PgOptions, PgStore};
    use hearth::store::sqlite::{SqliteOptions, SqliteStore};
    if on_postgres() {
        let url = database_url(data);
        return std::sync::Arc::new(
            PgStore::open(&PgOptions {
                url,
                replicas: Vec::new(),
                max_conns: 4,
                timeout: Duration::from_secs(10),
            })
            .await
            .expect("open PostgreSQL"),
        );
    }
    let options = SqliteOptions {
        path: database(data),
        readers: 2,
        busy_timeout: Duration::from_secs(10),
    };
    std::sync::Arc::new(
        tokio::task::spawn_blocking(move || SqliteStore::open(&options))
            .await
            .expect("open task")
            .expect("open SQLite"),
    )
}

/// Runs a `hearth` command to completion: (success, stdout, stderr).
pub fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let output = hearth(data).args(args).output().expect("run hearth");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A temporary data folder, removed when dropped.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("hearth-test-")
        .tempdir()
        .expect("temp dir")
}

/// A running server.
pub struct Server {
    child: Child,
    pub url: String,
    output: Arc<Mutex<String>>,
    http: reqwest::Client,
}

/// What a server that failed to start said.
#[derive(Debug)]
pub struct StartFailure {
    pub status: Option<ExitStatus>,
    pub output: String,
}

impl Server {
    /// Starts a server on `data` with extra environment `env`; panics if it does not start.
    pub fn start(data: &Path, env: &[(&str, &str)]) -> Server {
        match Server::try_start(data, env) {
            Ok(server) => server,
            Err(failure) => panic!("server did not start: {failure:?}"),
        }
    }

    /// Starts a server, or returns what it printed before exiting.
    pub fn try_start(data: &Path, env: &[(&str, &str)]) -> Result<Server, StartFailure> {
        let mut command = hearth(data);
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn hearth");
        let output = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();

        // Both pipes are drained for the server's whole life, so it never blocks on a
        // full pipe; stdout is also scanned for the ready line.
        let stdout = child.stdout.take().expect("stdout");
        let out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line
                    .split(" is running at ")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                {
                    let _ = ready_tx.send(url.to_string());
                }
                push_line(&out, &line);
            }
        });
        let stderr = child.stderr.take().expect("stderr");
        let err = output.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                push_line(&err, line.trim_end());
                line.clear();
            }
        });

        let deadline = std::time::Instant::now() + START_TIMEOUT;
        loop {
            match ready_rx.recv_timeout(Duration::from_millis(50)) {
                Ok(url) => {
                    return Ok(Server {
                        child,
                        url,
                        output,
                        http: reqwest::Client::new(),
                    });
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        // Give the drain threads a moment to collect the last words.
                        std::thread::sleep(Duration::from_millis(100));
                        let output = output.lock().expect("lock").clone();
                        return Err(StartFailure {
                            status: Some(status),
                            output,
                        });
                    }
                    if std::time::Instant::now() > deadline {
                        let _ = child.kill();
                        let output = output.lock().expect("lock").clone();
                        return Err(StartFailure {
                            status: None,
                            output,
                        });
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().ok();
                    std::thread::sleep(Duration::from_millis(100));
                    let output = output.lock().expect("lock").clone();
                    return Err(StartFailure { status, output });
                }
            }
        }
    }

    /// Everything the server printed so far (stdout and stderr, interleaved by line).
    pub fn logs(&self) -> String {
        self.output.lock().expect("lock").clone()
    }

    /// Whether the server prints `needle` within a few seconds. Standard error is read by
    /// a thread of its own, so a line written before a response may arrive after it.
    pub async fn logged(&self, needle: &str) -> bool {
        for _ in 0..250 {
            if self.logs().contains(needle) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    /// Waits until the search index has caught up with every committed change, so
    /// background indexing is done before a test measures or searches. Returns the
    /// index's figures from the ping.
    pub async fn search_caught_up(&self) -> Value {
        let mut last = Value::Null;
        for _ in 0..400 {
            let (_, status) = self
                .get_json("/api/v4/system/ping?get_server_status=true")
                .await;
            let index = &status["search_index"];
            if index["behind"] == 0 && index["rebuilding"] == false {
                return index.clone();
            }
            last = status;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the search index did not catch up: {last}");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A figure from the server's `/proc/PID/status` (`"VmRSS:"`, `"VmHWM:"`), in bytes.
    pub fn memory(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/PID/status"));
        kib * 1024
    }

    /// Starts measuring the server's peak memory from now: resets its high-water mark
    /// (`VmHWM`) to what it holds now, which it returns in bytes.
    pub fn reset_peak(&self) -> u64 {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5").unwrap();
        self.memory("VmRSS:")
    }

    /// How far the server's memory rose above `start` since [`Server::reset_peak`]. (The
    /// kernel sums its counters lazily: the peak can read a little below `start`.)
    #[allow(dead_code)] // the PostgreSQL binary leaves out the module that uses it
    pub fn peak_growth(&self, start: u64) -> u64 {
        self.memory("VmHWM:").saturating_sub(start)
    }

    /// `host:port` of the server.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(format!("{}{path}", self.url))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.url))
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.url))
    }

    /// GET `path` and return its status and JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        json(self.get(path).send().await.expect("request")).await
    }

    /// Kills the process outright, as a power cut or OOM killer would.
    pub fn kill9(mut self) {
        signal(self.child.id(), "KILL");
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn push_line(buffer: &Mutex<String>, line: &str) {
    if let Ok(mut buffer) = buffer.lock() {
        buffer.push_str(line);
        buffer.push('\n');
    }
}

/// Sends a signal with kill(1): the crate forbids `unsafe`, so no libc call.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// A response's status and JSON body (Null when the body is not JSON).
pub async fn json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Checks `body` is a Mattermost error with this status and id, and returns it.
#[track_caller]
pub fn assert_error(status: u16, body: &Value, expected_status: u16, expected_id: &str) {
    assert_eq!(status, expected_status, "unexpected status; body: {body}");
    assert_eq!(body["id"], expected_id, "unexpected error id; body: {body}");
    assert_eq!(body["status_code"], expected_status, "body: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error without a message: {body}"
    );
    assert!(body.get("detailed_error").is_some(), "body: {body}");
    let request_id = body["request_id"].as_str().unwrap_or_default();
    assert_eq!(request_id.len(), 26, "error without a request id: {body}");
}

/// Reads the data folder's `config.json`.
pub fn read_config(data: &Path) -> Value {
    let text = std::fs::read_to_string(data.join("config.json")).expect("config.json");
    serde_json::from_str(&text).expect("config.json is JSON")
}

/// Writes `config.json` in the data folder.
pub fn write_config(data: &Path, config: &Value) {
    std::fs::write(data.join("config.json"), config.to_string()).expect("write config");
}

/// Raw HTTP/1.1 over TCP, for what reqwest hides (slow bodies, exact bytes).
pub fn raw_response(stream: &mut std::net::TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut buffer = Vec::new();
    let _ = stream.read_to_end(&mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// The database file of a data folder.
pub fn database(data: &Path) -> PathBuf {
    data.join("hearth.db")
}

impl Server {
    /// Waits for a process that has already been signalled to exit.
    pub fn wait_exit(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().expect("wait");
        std::thread::sleep(Duration::from_millis(100));
        (status, self.logs())
    }
}
