//! PostgreSQL over TLS, as an admin meets it: a database server with a certificate from a
//! private certificate authority, which refuses connections without TLS. Hearth reaches it
//! with `sslmode=require&sslrootcert=…`, refuses to start without TLS or without trusting
//! the CA, and never shows the URL's password.

use std::path::Path;
use std::sync::OnceLock;

use reqwest::Method;

use crate::support::postgres_server::tls_server_url;
use crate::support::{Server, data_dir, hearth};

const PASSWORD: &str = "s3cret-db-password";

/// A private CA and a server certificate it signed, in PEM.
struct Pki {
    ca: String,
    certificate: String,
    key: String,
}

fn pki() -> &'static Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut ca = CertificateParams::new(Vec::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Hearth test database CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();

        let key = KeyPair::generate().unwrap();
        let mut server =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        server
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let certificate = server.signed_by(&key, &ca).unwrap();
        Pki {
            ca: ca.pem(),
            certificate: certificate.pem(),
            key: key.serialize_pem(),
        }
    })
}

/// The TLS-only test cluster's `postgres` database as `hearth:PASSWORD@host:port` (trust
/// authentication ignores the password), with `query` appended.
fn database_url(host: &str, query: &str) -> String {
    let pki = pki();
    let url = tls_server_url(&pki.certificate, &pki.key);
    let port = url
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap();
    format!("postgres://hearth:{PASSWORD}@{host}:{port}/postgres{query}")
}

/// How the URL appears in messages: without its password and query.
fn shown_as(host: &str) -> String {
    database_url(host, "").replace(&format!(":{PASSWORD}@"), "@")
}

/// The private CA's certificate, written where an admin would keep it.
fn write_ca(data: &Path) -> String {
    let path = data.join("db-ca.pem");
    std::fs::write(&path, &pki().ca).unwrap();
    path.to_string_lossy().into_owned()
}

/// Starting `hearth serve` on the database at `url` fails; what it printed.
fn refused(url: &str) -> String {
    let data = data_dir();
    let env = [
        ("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"),
        ("HEARTH_SQLSETTINGS_DATASOURCE", url),
    ];
    let failure = Server::try_start(data.path(), &env)
        .err()
        .unwrap_or_else(|| panic!("the server started on {url}"));
    assert!(!failure.status.unwrap().success(), "{}", failure.output);
    assert!(!failure.output.contains(PASSWORD), "{}", failure.output);
    failure.output
}

#[tokio::test]
async fn a_server_reaches_postgresql_over_tls_trusting_a_private_ca() {
    if crate::support::on_postgres() {
        // Runs once, in the `it` binary: it sets up its own PostgreSQL.
        return;
    }
    let data = data_dir();
    let ca = write_ca(data.path());
    let url = database_url("127.0.0.1", &format!("?sslmode=require&sslrootcert={ca}"));
    let env = [
        ("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"),
        ("HEARTH_SQLSETTINGS_DATASOURCE", url.as_str()),
    ];

    // The effective configuration is shown without the password.
    let shown = hearth(data.path())
        .envs(env)
        .args(["config", "show"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success(), "{shown:?}");
    assert!(stdout.contains("\"DriverName\": \"postgres\""), "{stdout}");
    assert!(!stdout.contains(PASSWORD), "{stdout}");
    assert!(
        !String::from_utf8_lossy(&shown.stderr).contains(PASSWORD),
        "{shown:?}"
    );

    // The server starts, migrates the database over TLS and serves from it.
    let server = Server::start(data.path(), &env);
    let admin = server.admin().await;
    let (status, me) = server
        .call(Some(&admin), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["username"], "admin");
    assert!(server.logged("database ready").await);
    let logs = server.logs();
    assert!(!logs.contains(PASSWORD), "{logs}");
    let ready = logs
        .lines()
        .find(|line| line.contains("database ready"))
        .unwrap_or_else(|| panic!("no start-up line about the database: {logs}"));
    assert!(ready.contains(&shown_as("127.0.0.1")), "{ready}");
    drop(server);

    // By host name the certificate is checked against `localhost` instead; the session
    // made above is still there.
    let url = database_url("localhost", &format!("?sslmode=require&sslrootcert={ca}"));
    let server = Server::start(
        data.path(),
        &[
            ("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"),
            ("HEARTH_SQLSETTINGS_DATASOURCE", url.as_str()),
        ],
    );
    let (status, me) = server
        .call(Some(&admin), Method::GET, "/api/v4/users/me", None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert!(!server.logs().contains(PASSWORD), "{}", server.logs());
}

#[tokio::test]
async fn without_tls_the_database_refuses_the_server() {
    if crate::support::on_postgres() {
        return;
    }
    let output = refused(&database_url("127.0.0.1", "?sslmode=disable"));
    // The message names the database (without the password) and PostgreSQL's reason.
    assert!(output.contains(&shown_as("127.0.0.1")), "{output}");
    assert!(output.contains("pg_hba.conf"), "{output}");
    assert!(output.contains("no encryption"), "{output}");
}

#[tokio::test]
async fn a_certificate_from_an_untrusted_ca_is_refused() {
    if crate::support::on_postgres() {
        return;
    }
    // The private CA is not among the system's, and no `sslrootcert` names it.
    let output = refused(&database_url("127.0.0.1", "?sslmode=require"));
    assert!(output.contains(&shown_as("127.0.0.1")), "{output}");
    assert!(output.contains("certificate"), "{output}");
    assert!(output.contains("UnknownIssuer"), "{output}");

    // Leaving `sslmode` out is no way round it: the default, `prefer`, takes TLS when the
    // server offers it and then checks the certificate just the same (libpq would not).
    let output = refused(&database_url("127.0.0.1", ""));
    assert!(output.contains("UnknownIssuer"), "{output}");

    // Trusting a CA that did not sign it does not help either.
    let data = data_dir();
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let other_ca = data.path().join("other-ca.pem");
    std::fs::write(&other_ca, other.cert.pem()).unwrap();
    let output = refused(&database_url(
        "127.0.0.1",
        &format!("?sslmode=require&sslrootcert={}", other_ca.display()),
    ));
    assert!(output.contains("UnknownIssuer"), "{output}");
}
