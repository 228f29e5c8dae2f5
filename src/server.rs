//! `hearth serve`: open the store, build the state, bind, serve until SIGINT/SIGTERM, then
//! stop accepting connections and let in-flight requests finish.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_http::HttpService;
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::middleware::{Compress, NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, web};
use anyhow::Context;

use crate::config::{Config, LiveConfig};
use crate::files::Files;
use crate::logging::Logging;
use crate::state::AppState;
use crate::store::Store;
use crate::store::postgres::{PgOptions, PgStore};
use crate::store::sqlite::{SqliteOptions, SqliteStore};
use crate::{api, app, version, webui};

/// How long in-flight requests may take to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How long a stopping server waits for its WebSockets to say goodbye.
const SOCKETS_CLOSE_WAIT: Duration = Duration::from_secs(2);
/// Connections the kernel may hold before the server accepts them.
const LISTEN_BACKLOG: u32 = 1024;

/// Opens the database named by `config` (SQLite or PostgreSQL), applying migrations.
pub async fn open_store(config: &Config, data_dir: &Path) -> anyhow::Result<Arc<dyn Store>> {
    let timeout = Duration::from_secs(config.sql_settings.query_timeout);
    if config.sql_settings.driver_name == "postgres" {
        let url = &config.sql_settings.data_source;
        let store = PgStore::open(&PgOptions {
            url: url.clone(),
            replicas: config.sql_settings.data_source_replicas.clone(),
            max_conns: config.sql_settings.max_open_conns,
            timeout,
        })
        .await
        .with_context(|| format!("cannot use {}", PgStore::describe(url)))?;
        return Ok(Arc::new(store));
    }
    let path = config.database_path(data_dir);
    let options = SqliteOptions {
        path: path.clone(),
        readers: config.sql_settings.max_open_conns,
        busy_timeout: timeout,
    };
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&options))
        .await
        .context("database start-up was interrupted")?
        .with_context(|| format!("cannot use {}", SqliteStore::describe(&path)))?;
    Ok(Arc::new(store))
}

/// Where the database is, for log lines (no password).
pub fn describe_database(config: &Config, data_dir: &Path) -> String {
    if config.sql_settings.driver_name == "postgres" {
        PgStore::describe(&config.sql_settings.data_source)
    } else {
        SqliteStore::describe(&config.database_path(data_dir))
    }
}

/// Opens the store and the file folder and builds the state handlers share. Used by
/// `serve` and by the commands that work on the data folder directly.
pub async fn build_state(
    live_config: Arc<LiveConfig>,
    logging: Logging,
    data_dir: &Path,
) -> anyhow::Result<AppState> {
    let config = live_config.current();
    let store = open_store(&config, data_dir).await?;
    let status = store.schema_status().clone();
    tracing::info!(
        engine = %store.engine_version(),
        schema_version = status.version,
        applied = status.applied.len(),
        database = %describe_database(&config, data_dir),
        "database ready"
    );

    let files_dir = config.files_dir(data_dir);
    let files = Files::open(&config.file_settings, &files_dir)
        .with_context(|| format!("cannot use the file folder {}", files_dir.display()))?;
    let diagnostic_id = app::system::ensure_installation(store.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("cannot record the installation id: {e:?}"))?;

    Ok(AppState {
        hub: crate::ws::Hub::new(store.clone(), live_config.clone()),
        live_config,
        store,
        files: Arc::new(files),
        diagnostic_id: diagnostic_id.into(),
        search: None,
        logging,
        password_hashers: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )),
        busy_until: Arc::new(std::sync::atomic::AtomicI64::new(0)),
    })
}

/// Opens the search index and starts the task that follows the change feed into it (a
/// new, outdated or incomplete index is rebuilt from the database in the background).
async fn open_search(
    state: &AppState,
    data_dir: &Path,
) -> anyhow::Result<crate::search::indexer::Indexer> {
    let config = state.config();
    let dir = config.index_dir(data_dir);
    let language = config.search_settings.language.clone();
    let open_dir = dir.clone();
    let (index, opened) = tokio::task::spawn_blocking(move || {
        crate::search::index::SearchIndex::open(&open_dir, &language)
    })
    .await
    .context("opening the search index was interrupted")?
    .with_context(|| format!("cannot use the search index in {}", dir.display()))?;
    tracing::info!(
        path = %dir.display(),
        documents = index.stats().documents,
        position = index.seq(),
        rebuild = opened == crate::search::index::Opened::Empty,
        "search index ready"
    );
    let directory = crate::search::directory::Directory::new()
        .context("cannot create the user and channel directory")?;
    Ok(crate::search::indexer::start(
        Arc::new(index),
        opened,
        Arc::new(directory),
        state.store.clone(),
    ))
}

/// Runs the server until a shutdown signal. Settings read here (the address, timeouts,
/// body limits, rate limits) take effect at the next start when changed while it runs.
pub async fn serve(
    live_config: Arc<LiveConfig>,
    logging: Logging,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let config = live_config.current();
    let listen = config.listen_address()?;
    let mut state = build_state(live_config, logging, data_dir).await?;
    state.search = Some(open_search(&state, data_dir).await?);
    state.hub.follow();
    app::feed::keep_pruning(state.clone());
    let settings = config.service_settings.clone();
    let (json_limits, payload_limits) = api::body_limits(settings.maximum_payload_size_bytes);
    let app_state = web::Data::new(state.clone());
    let rate_limiter = web::Data::new(api::rate_limit::RateLimiter::new(
        &config.rate_limit_settings,
    ));
    let login_limiter = web::Data::new(api::rate_limit::LoginLimiter::new());

    let app = move || {
        App::new()
            .app_data(app_state.clone())
            .app_data(json_limits.clone())
            .app_data(payload_limits.clone())
            .app_data(api::query_errors())
            .app_data(api::path_errors())
            .app_data(rate_limiter.clone())
            .app_data(login_limiter.clone())
            .wrap(Compress::default())
            .wrap(from_fn(api::rate_limit::rate_limit))
            .wrap(from_fn(api::request_context))
            // Outermost, so every other layer sees the cleaned path: `/posts/ID//reactions`
            // is `/posts/ID/reactions`, as Mattermost's router cleans paths, and clients
            // (mattermostdriver among them) send doubled slashes.
            .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
            .configure(api::configure)
            .default_service(web::to(webui::serve))
    };

    // actix-web's `HttpServer` has no hook for taking an upgraded connection over, so the
    // server is put together here the way it does it, plus `ws::upgrade`.
    let listeners = bind(&listen.host, listen.port)
        .with_context(|| format!("cannot listen on {}", settings.listen_address))?;
    let addrs: Vec<std::net::SocketAddr> = listeners
        .iter()
        .filter_map(|listener| listener.local_addr().ok())
        .collect();
    let descriptors = crate::connections::raise_descriptor_limit();
    let total_cap = crate::connections::total_cap(settings.max_connections, descriptors);
    let admission =
        crate::connections::Admission::new(total_cap, settings.max_connections_per_address);
    tracing::info!(
        open_files = descriptors.unwrap_or_default(),
        max_connections = total_cap,
        max_connections_per_address = settings.max_connections_per_address,
        "connection limits"
    );
    let mut builder = actix_server::Server::build()
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .disable_signals();
    // Tells idle keep-alive connections to close when a graceful stop begins, so they do
    // not hold the stop back until the grace period ends.
    let stopping = builder.graceful_shutdown_signal();
    for listener in listeners {
        let local = listener.local_addr()?;
        let app = app.clone();
        let stopping = stopping.clone();
        let admission = admission.clone();
        let head_timeout = settings.read_header_timeout.min(settings.read_timeout);
        let idle_timeout = settings.idle_timeout;
        let write_timeout = Duration::from_secs(settings.write_timeout);
        let read_timeout = Duration::from_secs(settings.read_timeout);
        builder = builder.listen(format!("hearth-{local}"), listener, move || {
            // `AppConfig` gives the host name for URLs when a request names none (never with
            // HTTP/1.1); its default is what actix-web's own test server uses.
            let config = |()| actix_web::dev::AppConfig::default();
            let stopping = stopping.clone();
            let admission = admission.clone();
            let http = HttpService::build()
                .graceful_shutdown_signal(move || {
                    let stopping = stopping.clone();
                    async move { stopping.notified().await }
                })
                .keep_alive(Duration::from_secs(idle_timeout))
                .client_request_timeout(Duration::from_secs(head_timeout))
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(local)
                .upgrade(crate::ws::upgrade::service(map_config(
                    app().into_factory(),
                    config,
                )))
                .finish(map_config(
                    app().into_factory().map_err(|error| error.error_response()),
                    config,
                ));
            // Each accepted connection is counted in (or refused) before HTTP sees it.
            fn_service(move |io: tokio::net::TcpStream| {
                let admission = admission.clone();
                async move {
                    let peer = io.peer_addr().ok();
                    match admission.admit(peer) {
                        Ok(slot) => {
                            let io = crate::connections::Guarded::new(
                                io,
                                slot,
                                write_timeout,
                                read_timeout,
                            );
                            Ok((io, actix_http::Protocol::Http1, peer))
                        }
                        Err(refusal) => {
                            // Best effort, barely waiting: the point is to let go of it.
                            let writable =
                                tokio::time::timeout(Duration::from_millis(50), io.writable());
                            if let Ok(Ok(())) = writable.await {
                                let _ =
                                    io.try_write(&crate::connections::refusal_response(refusal));
                            }
                            Err(actix_http::error::DispatchError::Io(std::io::Error::other(
                                "connection refused by the connection caps",
                            )))
                        }
                    }
                }
            })
            .and_then(http)
        })?;
    }
    // Listened for before the server accepts anything (see `ShutdownSignals`).
    let signals = ShutdownSignals::listen();
    let server = builder.run();

    let url = public_url(&settings.site_url, &addrs);
    let running = server;
    // Our own signal handling: actix treats Ctrl+C as a forced stop and waits a fixed
    // 300 ms after any signal; both SIGINT and SIGTERM should drain in-flight requests.
    let handle = running.handle();
    let hub = state.hub.clone();
    actix_web::rt::spawn(async move {
        signals.recv().await;
        tracing::info!("shutting down: finishing in-flight requests");
        // WebSockets are not requests the server waits for: tell their clients to come
        // back later, and give the close frames a moment to go out.
        hub.close_all();
        let deadline = std::time::Instant::now() + SOCKETS_CLOSE_WAIT;
        while hub.open_connections() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        handle.stop(true).await;
    });
    tracing::info!(%url, version = version::HEARTH_VERSION, "Hearth is ready");
    // The one line meant for people (and the test harness) on standard output.
    println!(
        "Hearth {} is running at {url} (press Ctrl+C to stop)",
        version::HEARTH_VERSION
    );

    running.await.context("the HTTP server failed")?;
    tracing::info!("Hearth stopped: in-flight requests finished");
    Ok(())
}

/// The address to open: `SiteURL` when set, otherwise the bound address, with
/// "every interface" shown as `localhost`.
fn public_url(site_url: &str, addrs: &[std::net::SocketAddr]) -> String {
    if !site_url.is_empty() {
        return site_url.to_string();
    }
    match addrs.first() {
        Some(addr) if addr.ip().is_unspecified() => format!("http://localhost:{}", addr.port()),
        Some(std::net::SocketAddr::V6(addr)) => format!("http://[{}]:{}", addr.ip(), addr.port()),
        Some(addr) => format!("http://{addr}"),
        None => "http://localhost:8065".into(),
    }
}

/// Opens the listening sockets: every address `host` resolves to (all interfaces when
/// empty), as long as at least one can be bound.
fn bind(host: &str, port: u16) -> std::io::Result<Vec<std::net::TcpListener>> {
    use std::net::ToSocketAddrs;
    let host = if host.is_empty() { "0.0.0.0" } else { host };
    let mut listeners = Vec::new();
    let mut last_error = None;
    for addr in (host, port).to_socket_addrs()? {
        match listener(addr) {
            Ok(listener) => listeners.push(listener),
            Err(error) => last_error = Some(error),
        }
    }
    match (listeners.is_empty(), last_error) {
        (true, Some(error)) => Err(error),
        (true, None) => Err(std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            "the host name resolves to no address",
        )),
        (false, _) => Ok(listeners),
    }
}

/// One listening socket, with address reuse (a restart need not wait for old
/// connections to time out) and room for a burst of reconnecting clients.
fn listener(addr: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = match addr {
        std::net::SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        std::net::SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)?.into_std()
}

/// SIGINT (Ctrl+C) and SIGTERM, listened for from the moment this is made: made before
/// the server says it is ready, so a stop sent right after start-up is still graceful
/// rather than the default action (the process killed).
struct ShutdownSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl ShutdownSignals {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(interrupt), Ok(terminate)) => ShutdownSignals {
                    signals: Some((interrupt, terminate)),
                },
                (Err(error), _) | (_, Err(error)) => {
                    tracing::warn!(%error, "cannot listen for SIGINT/SIGTERM; falling back to Ctrl+C only");
                    ShutdownSignals { signals: None }
                }
            }
        }
        #[cfg(not(unix))]
        {
            ShutdownSignals {}
        }
    }

    /// Resolves at the first of them.
    async fn recv(self) {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.signals {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
