//! A PostgreSQL server for tests, shared by the store's unit tests and the integration
//! tests (each test binary includes this file).
//!
//! `HEARTH_TEST_POSTGRES_URL` names an existing server (a superuser's URL); without it the
//! first caller starts a throwaway cluster with `tests/pg-cluster.sh`, which lives as long
//! as the test process. Every caller of [`fresh_database`] gets a new, empty database.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming an existing server to use.
pub const URL_VARIABLE: &str = "HEARTH_TEST_POSTGRES_URL";

static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(0);

/// The URL of the test server's `postgres` database, starting a cluster if needed.
pub fn server_url() -> String {
    SERVER
        .get_or_init(|| {
            if let Ok(url) = std::env::var(URL_VARIABLE) {
                return Ok(url);
            }
            start_cluster()
        })
        .clone()
        .unwrap_or_else(|message| panic!("no PostgreSQL for the tests: {message}"))
}

fn start_cluster() -> Result<String, String> {
    run_script(&[])
}

/// A streaming hot standby of the test server, started on first use; returns its URL
/// (its `postgres` database). Databases made with [`fresh_database`] appear on it too.
pub fn replica_url() -> String {
    static REPLICA: OnceLock<Result<String, String>> = OnceLock::new();
    REPLICA
        .get_or_init(|| {
            let primary = server_url();
            let port = primary
                .rsplit_once(':')
                .and_then(|(_, rest)| rest.split('/').next())
                .ok_or_else(|| format!("no port in {primary}"))?
                .to_string();
            run_script(&["--replica-of", &port])
        })
        .clone()
        .unwrap_or_else(|message| panic!("no PostgreSQL replica for the tests: {message}"))
}

/// A second throwaway cluster that serves TLS with `certificate_pem` (which should name
/// `localhost` and `127.0.0.1`) and `key_pem`, and refuses TCP connections without TLS;
/// started on first use, so every caller gets the first caller's certificate. Returns its
/// URL (its `postgres` database, no `sslmode`). `HEARTH_TEST_POSTGRES_URL` does not apply.
pub fn tls_server_url(certificate_pem: &str, key_pem: &str) -> String {
    static TLS_SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    TLS_SERVER
        .get_or_init(|| {
            // The script copies the files into the cluster's folder, owned by its user.
            let pem_dir =
                std::env::temp_dir().join(format!("hearth-pg-pem-{}", std::process::id()));
            std::fs::create_dir_all(&pem_dir)
                .map_err(|e| format!("cannot make {}: {e}", pem_dir.display()))?;
            let certificate = pem_dir.join("server.crt");
            let key = pem_dir.join("server.key");
            let written = std::fs::write(&certificate, certificate_pem)
                .and_then(|()| std::fs::write(&key, key_pem));
            let started = written
                .map_err(|e| format!("cannot write the certificate: {e}"))
                .and_then(|()| {
                    run_script(&[
                        "--ssl",
                        &certificate.to_string_lossy(),
                        &key.to_string_lossy(),
                    ])
                });
            let _ = std::fs::remove_dir_all(&pem_dir);
            started
        })
        .clone()
        .unwrap_or_else(|message| panic!("no PostgreSQL with TLS for the tests: {message}"))
}

fn run_script(options: &[&str]) -> Result<String, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let dir = std::env::temp_dir().join(format!("hearth-pg-{}-{port}", std::process::id()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pg-cluster.sh");
    let output = Command::new("sh")
        .arg(&script)
        .args(options)
        .arg(&dir)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_database() -> String {
    let admin = server_url();
    let name = format!(
        "hearth_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
    );
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL at {admin}: {e}"));
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    drop(client);
    let _ = task.await;
    with_database(&admin, &name)
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (server, _) = base.rsplit_once('/').unwrap_or((base, ""));
    format!("{server}/{name}{query}")
}
