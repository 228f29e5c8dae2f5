//! Black-box benchmarks of the release `hearth` binary:
//!
//! - `startup`: time from spawning `hearth serve` to its first `200` from
//!   `GET /api/v4/system/ping`, on a fresh data folder (writes config.json, creates the
//!   database) and on a restart over an existing one; also the time from `SIGTERM` to exit.
//! - `memory`: `VmRSS`, `VmHWM` and thread count from `/proc/<pid>/status` after start-up
//!   and a few idle seconds.
//! - `ping`: requests per second and latency percentiles of `GET /api/v4/system/ping` over
//!   N keep-alive HTTP/1.1 connections, with the access log on (stderr piped, or sent to
//!   /dev/null) and off (`HEARTH_LOGSETTINGS_CONSOLELEVEL=WARN`).
//! - `login`: successful `POST /api/v4/users/login` per second and their latency, for N
//!   concurrent clients each signing in again and again as an account of its own. The
//!   server allows 10 login attempts per client address and then one per 6 s, so every
//!   connection comes from its own loopback address (127.1.0.1, 127.1.0.2, …) and moves
//!   on to the next after 10 logins; one more case sends everything from 127.0.0.1 to
//!   show the limit at work. Refusals (`429`) are counted apart from the logins. Also the
//!   server's CPU time per login, its peak RSS, and the latency of a ping sent every
//!   10 ms beside the load.
//! - `me`: authenticated `GET /api/v4/users/me` over N keep-alive connections (bearer
//!   tokens of a few accounts), with the same three log set-ups as `ping`, and the ratio
//!   to `ping` measured on the same server just before.
//! - `post`: posts created per second through `POST /api/v4/posts` in a team's
//!   town-square, by 1 and by 16 concurrent clients (all with the admin's token), with
//!   p50/p99 latency and the server's CPU time per post. Every post is a durable
//!   (fsynced) transaction; concurrent ones can share a commit.
//! - `history`: `GET /api/v4/channels/{id}/posts?page=0&per_page=60` over N keep-alive
//!   connections on a channel preloaded with 1,000,000 posts and on one with 1,000. The
//!   posts are written straight into the stopped server's SQLite file (one transaction,
//!   one prepared statement), then the server is restarted on the same folder.
//! - `ws-idle`: N idle WebSocket connections to `/api/v4/websocket` (bearer tokens of a
//!   few accounts, round-robin), opened in steps; the server's `VmRSS` after each step and
//!   after holding them all idle, over its baseline and per connection; then one post in
//!   a channel every account is in, which every connection must receive.
//! - `ws-fanout`: N accounts (1,000), all members of one channel, each with one WebSocket
//!   connection; another member posts into the channel at a steady pace, and the bench
//!   measures, per post and member, the time from just before the `POST /api/v4/posts`
//!   to the `posted` event on that member's connection.
//!
//! Run everything with `cargo bench --bench server`, or one scenario with options:
//!
//! ```text
//! cargo bench --bench server -- startup --runs 10
//! cargo bench --bench server -- memory --idle 3
//! cargo bench --bench server -- ping --connections 32 --duration 10 --warmup 1
//! cargo bench --bench server -- login --clients 4,16 --duration 10 --warmup 1
//! cargo bench --bench server -- me --connections 32 --duration 10 --warmup 1
//! cargo bench --bench server -- post --duration 10 --warmup 1
//! cargo bench --bench server -- history --posts 1000000 --connections 32 --duration 10
//! cargo bench --bench server -- ws-idle --ws-connections 10000 --idle 3
//! cargo bench --bench server -- ws-fanout --ws-members 1000 --ws-posts 500 --ws-interval 0.05
//! ```
//!
//! `--postgres` runs `post` and `history` with the server on PostgreSQL: a durable
//! throwaway cluster (`tests/pg-cluster.sh --durable`) or `BENCH_POSTGRES_URL`; for
//! `history` the preloaded SQLite database is copied over with `hearth db migrate --to`.
//!
//! Set `BENCH_HEARTH_BIN=/path/to/hearth` to measure another build (say, a copy of the
//! previous one) with the same scenarios.
//!
//! Every server gets its own temporary data folder and listens on `127.0.0.1:0`; the load
//! generator is plain std threads and `TcpStream` (tokio's `TcpSocket` only to bind a
//! login connection to its source address before connecting), so it shares the machine's
//! cores with the server. The WebSocket clients are tasks on a tokio runtime of the
//! bench's own, with tokio-tungstenite. Results are recorded in `docs/BENCHMARKS.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::Message;

/// Names another `hearth` binary to measure instead of the one cargo built, e.g. a copy
/// of an older build to compare against.
const BIN_VARIABLE: &str = "BENCH_HEARTH_BIN";
const PING_PATH: &str = "/api/v4/system/ping";
const USERS_PATH: &str = "/api/v4/users";
const LOGIN_PATH: &str = "/api/v4/users/login";
const ME_PATH: &str = "/api/v4/users/me";
const TEAMS_PATH: &str = "/api/v4/teams";
const CHANNELS_PATH: &str = "/api/v4/channels";
const POSTS_PATH: &str = "/api/v4/posts";
const WEBSOCKET_PATH: &str = "/api/v4/websocket";
/// Concurrent clients of the `post` cases.
const POST_CLIENTS: [usize; 2] = [1, 16];
/// Posts in the small channel of `history`, for the ratio to the big one.
const SMALL_CHANNEL_POSTS: usize = 1_000;
/// The database file in a data folder (`SqlSettings.DataSource` by default).
const DATABASE_FILE: &str = "hearth.db";
/// The password of every benchmark account.
const PASSWORD: &str = "correct-horse-1";
/// Login attempts the server allows from one address before it refuses them for a while
/// (`LOGIN_BURST` in `src/api/rate_limit.rs`): each source address of the login load is
/// used for this many logins and no more.
const LOGINS_PER_ADDRESS: u32 = 10;
/// The first source address of the login load; the following ones count up from it.
const FIRST_SOURCE: Ipv4Addr = Ipv4Addr::new(127, 1, 0, 1);
/// How often the probe beside the login load sends a ping.
const PROBE_INTERVAL: Duration = Duration::from_millis(10);
/// Accounts whose tokens the `me` connections share, round-robin.
const ME_ACCOUNTS: usize = 4;
/// How long a server may take to print its ready line and answer a ping.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after `SIGTERM` (its own grace period is 30 s).
const STOP_TIMEOUT: Duration = Duration::from_secs(40);
/// How much of a server's standard error to keep for error messages.
const STDERR_TAIL: usize = 4096;
/// Accounts whose tokens the `ws-idle` connections share, round-robin (all signed in from
/// 127.0.0.1, so no more than the login limit lets through at once).
const WS_ACCOUNTS: usize = 10;
/// WebSocket handshakes in flight at once while connections are being opened.
const WS_OPENING: usize = 64;
/// The bench's read buffer per WebSocket connection (tungstenite's default is 128 KiB;
/// the server's frames here are about 1 KiB).
const WS_READ_BUFFER: usize = 8 * 1024;
/// How long a WebSocket may take to connect and send `hello`.
const WS_HELLO_TIMEOUT: Duration = Duration::from_secs(30);
/// Quiet time after opening connections (and after a restart) before memory is read.
const WS_SETTLE: Duration = Duration::from_secs(1);
/// How long to wait, after the last post, for the connections to receive it.
const WS_RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);
/// The start of every `ws-*` post's message; the post's number follows.
const WS_POST_MARKER: &str = "ws bench post #";
/// Posts `ws-fanout` sends first and does not measure.
const FANOUT_WARMUP_POSTS: usize = 10;
/// Threads creating and signing in the `ws-fanout` accounts (argon2 makes each ~20 ms).
const SETUP_THREADS: usize = 2;

const USAGE: &str = "\
usage: cargo bench --bench server -- [scenario] [options]
  scenarios: all (default), startup, memory, ping, login, me, post, history, ws-idle,
  ws-fanout; BENCH_HEARTH_BIN=/path/to/hearth measures that binary instead of this build
  --runs N              start-ups per case in `startup` (default 10)
  --idle SECS           idle time before reading memory in `memory`, and with every
                        connection open in `ws-idle` (default 3)
  --connections N       keep-alive connections in `ping`, `me`, `history` (default 32)
  --posts N             posts preloaded into the big channel of `history` (default 1000000)
  --clients N,M..       concurrent clients, one case each, in `login` (default 4,16)
  --duration SECS       measured time per case in `ping`, `login`, `me`, `post`, `history`
                        (default 10)
  --warmup SECS         unmeasured load before each of those cases (default 1)
  --ws-connections N    WebSocket connections held in `ws-idle` (default 10000)
  --ws-members N        channel members, one WebSocket each, in `ws-fanout` (default 1000)
  --ws-posts N          posts measured in `ws-fanout`, after 10 unmeasured (default 500)
  --postgres       run `post` and `history` with the server on PostgreSQL (a durable
                   throwaway cluster from tests/pg-cluster.sh, or BENCH_POSTGRES_URL)
  --ws-interval SECS    time between posts in `ws-fanout` (default 0.05)";

fn main() -> ExitCode {
    if std::env::args().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    print_header(&options);
    if options.runs(Scenario::Startup) {
        startup(&options);
    }
    if options.runs(Scenario::Memory) {
        memory(&options);
    }
    if options.runs(Scenario::Ping) {
        ping(&options);
    }
    if options.runs(Scenario::Login) {
        login(&options);
    }
    if options.runs(Scenario::Me) {
        me(&options);
    }
    if options.runs(Scenario::Post) {
        post_scenario(&options);
    }
    if options.runs(Scenario::History) {
        history(&options);
    }
    if options.runs(Scenario::WsIdle) {
        ws_idle(&options);
    }
    if options.runs(Scenario::WsFanout) {
        ws_fanout(&options);
    }
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------
// Options

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    All,
    Startup,
    Memory,
    Ping,
    Login,
    Me,
    Post,
    History,
    WsIdle,
    WsFanout,
}

#[derive(Debug)]
struct Options {
    scenario: Scenario,
    runs: usize,
    idle: Duration,
    connections: usize,
    clients: Vec<usize>,
    posts: usize,
    duration: Duration,
    warmup: Duration,
    ws_connections: usize,
    ws_members: usize,
    ws_posts: usize,
    ws_interval: Duration,
    /// Run `post` and `history` with the server on PostgreSQL instead of SQLite.
    postgres: bool,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options = Options {
            scenario: Scenario::All,
            runs: 10,
            idle: Duration::from_secs(3),
            connections: 32,
            clients: vec![4, 16],
            posts: 1_000_000,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(1),
            ws_connections: 10_000,
            ws_members: 1_000,
            ws_posts: 500,
            ws_interval: Duration::from_millis(50),
            postgres: false,
        };
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                // `cargo bench` passes `--bench` to every bench target.
                "--bench" => {}
                "all" => options.scenario = Scenario::All,
                "startup" => options.scenario = Scenario::Startup,
                "memory" => options.scenario = Scenario::Memory,
                "ping" => options.scenario = Scenario::Ping,
                "login" => options.scenario = Scenario::Login,
                "me" => options.scenario = Scenario::Me,
                "post" => options.scenario = Scenario::Post,
                "history" => options.scenario = Scenario::History,
                "ws-idle" => options.scenario = Scenario::WsIdle,
                "ws-fanout" => options.scenario = Scenario::WsFanout,
                "--posts" => options.posts = number(&arg, &value()?)?,
                "--runs" => options.runs = number(&arg, &value()?)?,
                "--idle" => options.idle = seconds(&arg, &value()?)?,
                "--connections" => options.connections = number(&arg, &value()?)?,
                "--clients" => {
                    let list = value()?;
                    let numbers = list.split(',').map(|n| number(&arg, n.trim()));
                    options.clients = numbers.collect::<Result<_, _>>()?;
                }
                "--duration" => options.duration = seconds(&arg, &value()?)?,
                "--warmup" => options.warmup = seconds(&arg, &value()?)?,
                "--ws-connections" => options.ws_connections = number(&arg, &value()?)?,
                "--ws-members" => options.ws_members = number(&arg, &value()?)?,
                "--ws-posts" => options.ws_posts = number(&arg, &value()?)?,
                "--ws-interval" => options.ws_interval = seconds(&arg, &value()?)?,
                "--postgres" => options.postgres = true,
                _ => return Err(format!("unknown argument {arg:?}")),
            }
        }
        if options.runs == 0
            || options.connections == 0
            || options.clients.contains(&0)
            || options.duration.is_zero()
            || options.ws_connections == 0
            || options.ws_members == 0
            || options.ws_posts == 0
        {
            return Err(
                "--runs, --connections, --clients, --duration, --ws-connections, \
                        --ws-members, --ws-posts must be above zero"
                    .into(),
            );
        }
        Ok(options)
    }

    fn runs(&self, scenario: Scenario) -> bool {
        self.scenario == Scenario::All || self.scenario == scenario
    }
}

fn number(name: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{name}: not a whole number: {value:?}"))
}

fn seconds(name: &str, value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or(format!("{name}: not a number of seconds: {value:?}"))
}

fn print_header(options: &Options) {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    println!("hearth benchmarks: {}", hearth_binary().display());
    println!("{cores} cores available; load generator and server share them");
    println!("{options:?}");
}

// ---------------------------------------------------------------------------------------
// Scenarios

/// Start-up time on a fresh folder and on restarts of one folder, plus stop time.
fn startup(options: &Options) {
    let mut fresh = Timings::default();
    for _ in 0..options.runs {
        let data = TempDir::new().unwrap();
        let server = Server::start(data.path(), &[], Stderr::Pipe);
        fresh.record(&server);
        fresh.stop.push(server.stop());
    }

    let data = TempDir::new().unwrap();
    Server::start(data.path(), &[], Stderr::Pipe).stop(); // creates the folder
    let mut restart = Timings::default();
    for _ in 0..options.runs {
        let server = Server::start(data.path(), &[], Stderr::Pipe);
        restart.record(&server);
        restart.stop.push(server.stop());
    }

    let mut table = Table::new(
        &format!("start-up, {} runs each", options.runs),
        &["", "min", "median", "max"],
    );
    for (case, timings) in [("fresh folder", &mut fresh), ("restart", &mut restart)] {
        for (what, samples) in [
            ("spawn → ready line", &mut timings.ready),
            ("spawn → first ping 200", &mut timings.ok),
            ("SIGTERM → exit", &mut timings.stop),
        ] {
            table.row(spread(&format!("{case}: {what}"), samples));
        }
    }
    table.print();
}

#[derive(Default)]
struct Timings {
    ready: Vec<Duration>,
    ok: Vec<Duration>,
    stop: Vec<Duration>,
}

impl Timings {
    fn record(&mut self, server: &Server) {
        self.ready.push(server.ready_line);
        self.ok.push(server.first_ok);
    }
}

fn spread(name: &str, samples: &mut [Duration]) -> Vec<String> {
    samples.sort();
    let pick = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    vec![
        name.to_string(),
        pick(samples[0]),
        pick(samples[samples.len() / 2]),
        pick(samples[samples.len() - 1]),
    ]
}

/// Resident memory of a freshly started server after a few idle seconds.
fn memory(options: &Options) {
    let data = TempDir::new().unwrap();
    let server = Server::start(data.path(), &[], Stderr::Pipe);
    thread::sleep(options.idle);
    let status = ProcStatus::read(server.pid());
    server.stop();

    let mut table = Table::new(
        &format!("memory after start-up and {:?} idle", options.idle),
        &["VmRSS", "VmHWM", "threads"],
    );
    table.row(vec![
        kib(status.rss_kib),
        kib(status.hwm_kib),
        status.threads.to_string(),
    ]);
    table.print();
}

/// One server configuration for the ping load.
struct Variant {
    name: &'static str,
    env: &'static [(&'static str, &'static str)],
    stderr: Stderr,
}

const VARIANTS: [Variant; 3] = [
    Variant {
        name: "access log on, stderr piped",
        env: &[],
        stderr: Stderr::Pipe,
    },
    Variant {
        name: "access log on, stderr → /dev/null",
        env: &[],
        stderr: Stderr::Null,
    },
    Variant {
        name: "access log off (ConsoleLevel=WARN)",
        env: &[("HEARTH_LOGSETTINGS_CONSOLELEVEL", "WARN")],
        stderr: Stderr::Pipe,
    },
];

/// `/system/ping` throughput and latency over keep-alive connections, per variant.
fn ping(options: &Options) {
    let mut table = Table::new(
        &format!(
            "GET {PING_PATH}, {} keep-alive connections, {:?} measured after {:?} warm-up",
            options.connections, options.duration, options.warmup
        ),
        &[
            "server",
            "req/s",
            "p50",
            "p99",
            "max",
            "errors",
            "stderr",
            "RSS after",
        ],
    );
    for variant in &VARIANTS {
        let data = TempDir::new().unwrap();
        let server = Server::start(data.path(), variant.env, variant.stderr);
        let lines_before = server.stderr_lines();
        let load = run_load(ping_clients(server.addr, options.connections), options);
        let lines = server.stderr_lines().zip(lines_before).map(|(a, b)| a - b);
        let rss = ProcStatus::read(server.pid()).rss_kib;
        server.stop();
        table.row(vec![
            variant.name.to_string(),
            format!("{:.0}", load.per_second()),
            micros(load.percentile(50.0)),
            micros(load.percentile(99.0)),
            micros(load.percentile(100.0)),
            load.failures().to_string(),
            lines.map_or("-".into(), |n| format!("{n} lines")),
            kib(rss),
        ]);
    }
    table.print();
}

fn ping_clients(addr: SocketAddr, connections: usize) -> Vec<Client> {
    let request = get(addr, PING_PATH, None);
    (0..connections)
        .map(|_| Client::open(addr, request.clone(), None))
        .collect()
}

/// Successful logins per second, each client signing in as its own account again and
/// again: one case per `--clients` value with a fresh source address every
/// [`LOGINS_PER_ADDRESS`] logins, and one with every login from 127.0.0.1. Beside each,
/// the server's CPU time and a slow ping probe.
fn login(options: &Options) {
    let (fastest, median) = argon2_verify_time();
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "\nreference: one argon2id verify (Argon2::default(): 19 MiB, t=2, p=1) on one thread \
         of this process: {:.1} ms at best, {:.1} ms median of 10; at best speed {cores} cores \
         allow at most ~{:.0} logins/s",
        fastest.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1000.0,
        cores as f64 / fastest.as_secs_f64()
    );

    let mut table = Table::new(
        &format!(
            "POST {LOGIN_PATH}, each client its own account, {:?} measured after {:?} warm-up",
            options.duration, options.warmup
        ),
        &[
            "clients",
            "source addresses",
            "logins/s",
            "p50",
            "p99",
            "max",
            "429s",
            "errors",
            "server CPU",
            "CPU/login",
            "VmHWM",
            "ping p50 / p99 beside",
        ],
    );
    let sources = Arc::new(SourceAddresses::new());
    let one_address = options.clients[0];
    let cases = options.clients.iter().map(|&n| (n, Some(&sources)));
    for (clients, sources) in cases.chain([(one_address, None)]) {
        table.row(login_case(options, clients, sources));
    }
    table.print();
}

/// One row of the `login` table: `clients` clients, from fresh source addresses or, without
/// `sources`, all from 127.0.0.1.
fn login_case(
    options: &Options,
    clients: usize,
    sources: Option<&Arc<SourceAddresses>>,
) -> Vec<String> {
    let data = TempDir::new().unwrap();
    let server = Server::start(data.path(), &[], Stderr::Pipe);
    // `bench0` (the admin) creates the others; client `i` signs in as `bench{i+1}`.
    create_accounts(server.addr, clients + 1);
    let used_before = sources.map_or(0, |s| s.used());
    let workers = (1..=clients)
        .map(|n| Client::open(server.addr, login_request(server.addr, n), sources.cloned()))
        .collect();
    let cpu = CpuSampler::spawn(server.pid(), options);
    let probe = PingProbe::spawn(server.addr, options);
    let load = run_load(workers, options);
    let (cpu, probe) = (cpu.join(), probe.join());
    let addresses = sources.map(|s| s.used() - used_before);
    let hwm = ProcStatus::read(server.pid()).hwm_kib;
    server.stop();

    let logins = load.latencies_us.len() as f64;
    // Per login only where logins are most of what the server did.
    let per_login = (logins >= load.refused as f64).then(|| cpu.as_secs_f64() / logins);
    vec![
        clients.to_string(),
        addresses.map_or("127.0.0.1 only".into(), |n| {
            format!("{n}, ≤ {LOGINS_PER_ADDRESS} logins each")
        }),
        format!("{:.1}", load.per_second()),
        micros(load.percentile(50.0)),
        micros(load.percentile(99.0)),
        micros(load.percentile(100.0)),
        load.refused.to_string(),
        load.errors.to_string(),
        format!(
            "{:.2} cores",
            cpu.as_secs_f64() / options.duration.as_secs_f64()
        ),
        per_login.map_or("-".into(), |s| format!("{:.1} ms", s * 1000.0)),
        kib(hwm),
        format!(
            "{} / {}",
            micros(probe.percentile(50.0)),
            micros(probe.percentile(99.0))
        ),
    ]
}

/// The fastest and the median time of one argon2id password check in this process, on one
/// thread: what every login costs the server at least. (Most checks here take longer than
/// the fastest because glibc hands each 19 MiB block out as fresh memory, page faults and
/// all.)
fn argon2_verify_time() -> (Duration, Duration) {
    use hearth::auth::password;
    let hash = password::hash(PASSWORD).unwrap();
    let mut samples: Vec<Duration> = (0..10)
        .map(|_| {
            let started = Instant::now();
            let verified = password::verify(PASSWORD, &hash);
            assert_eq!(verified, password::Verified::Yes { rehash: false });
            started.elapsed()
        })
        .collect();
    samples.sort();
    (samples[0], samples[samples.len() / 2])
}

/// `/users/me` throughput and latency with bearer tokens, per variant, next to `/system/ping`
/// measured on the same server just before.
fn me(options: &Options) {
    let mut table = Table::new(
        &format!(
            "GET {ME_PATH}, {} keep-alive connections ({ME_ACCOUNTS} accounts' tokens), \
             {:?} measured after {:?} warm-up; ping first on the same server",
            options.connections, options.duration, options.warmup
        ),
        &[
            "server",
            "req/s",
            "p50",
            "p99",
            "max",
            "errors (both)",
            "stderr",
            "ping req/s",
            "me / ping",
        ],
    );
    for variant in &VARIANTS {
        let data = TempDir::new().unwrap();
        let server = Server::start(data.path(), variant.env, variant.stderr);
        let tokens = sign_in_accounts(server.addr, ME_ACCOUNTS);
        let ping = run_load(ping_clients(server.addr, options.connections), options);
        let clients = (0..options.connections)
            .map(|i| {
                let request = get(server.addr, ME_PATH, Some(&tokens[i % tokens.len()]));
                Client::open(server.addr, request, None)
            })
            .collect();
        let lines_before = server.stderr_lines();
        let load = run_load(clients, options);
        let lines = server.stderr_lines().zip(lines_before).map(|(a, b)| a - b);
        server.stop();
        table.row(vec![
            variant.name.to_string(),
            format!("{:.0}", load.per_second()),
            micros(load.percentile(50.0)),
            micros(load.percentile(99.0)),
            micros(load.percentile(100.0)),
            (load.failures() + ping.failures()).to_string(),
            lines.map_or("-".into(), |n| format!("{n} lines")),
            format!("{:.0}", ping.per_second()),
            format!("{:.2}", load.per_second() / ping.per_second()),
        ]);
    }
    table.print();
}

/// Posts created per second in town-square, one fresh server per number of clients.
fn post_scenario(options: &Options) {
    let mut table = Table::new(
        &format!(
            "POST {POSTS_PATH} in town-square, admin token, access log off, \
             {:?} measured after {:?} warm-up",
            options.duration, options.warmup
        ),
        &[
            "clients",
            "posts/s",
            "p50",
            "p99",
            "max",
            "errors",
            "server CPU",
            "CPU / post",
            "RSS after",
        ],
    );
    let mut rates = Vec::new();
    for clients in POST_CLIENTS {
        let data = TempDir::new().unwrap();
        let database = Database::new(options);
        let server = Server::start(data.path(), &database.env(), Stderr::Pipe);
        let place = Place::create(server.addr);
        let body = json!({ "channel_id": place.town_square, "message": "benchmark post" });
        let request = post(server.addr, POSTS_PATH, Some(&place.token), &body);
        let load_clients = (0..clients)
            .map(|_| Client::open(server.addr, request.clone(), None))
            .collect();
        let cpu = CpuSampler::spawn(server.pid(), options);
        let load = run_load(load_clients, options);
        let cpu = cpu.join();
        let rss = ProcStatus::read(server.pid()).rss_kib;
        server.stop();
        let per_second = load.per_second();
        rates.push(per_second);
        table.row(vec![
            clients.to_string(),
            format!("{per_second:.0}"),
            micros(load.percentile(50.0)),
            micros(load.percentile(99.0)),
            micros(load.percentile(100.0)),
            load.failures().to_string(),
            format!(
                "{:.2} cores",
                cpu.as_secs_f64() / options.duration.as_secs_f64()
            ),
            format!(
                "{:.0} µs",
                cpu.as_secs_f64() * 1e6 / load.latencies_us.len().max(1) as f64
            ),
            kib(rss),
        ]);
    }
    table.print();
    if let [one, .., many] = rates[..] {
        println!(
            "posts/s with {} clients / with {}: {:.2}",
            POST_CLIENTS[POST_CLIENTS.len() - 1],
            POST_CLIENTS[0],
            many / one
        );
    }
}

/// A page of a channel's history on a big preloaded channel and on a small one.
fn history(options: &Options) {
    // The posts are preloaded into SQLite (the fast way to a million), and for
    // `--postgres` then copied with `hearth db migrate --to`, the tool admins use.
    let data = TempDir::new().unwrap();
    let server = Server::start(data.path(), QUIET, Stderr::Pipe);
    let place = Place::create(server.addr);
    let small = place.create_channel(server.addr, "small");
    server.stop();

    let database = data.path().join(DATABASE_FILE);
    let started = Instant::now();
    preload_posts(&database, &place.town_square, &place.user_id, options.posts);
    let preload = started.elapsed();
    preload_posts(&database, &small, &place.user_id, SMALL_CHANNEL_POSTS);
    let size = std::fs::metadata(&database).map_or(0, |m| m.len());
    println!(
        "\npreloaded {} posts in one transaction in {:.2} s ({:.0} rows/s); \
         {DATABASE_FILE} now {:.1} MiB",
        options.posts,
        preload.as_secs_f64(),
        options.posts as f64 / preload.as_secs_f64(),
        size as f64 / 1024.0 / 1024.0
    );

    let database = Database::new(options);
    if let Some(url) = &database.url {
        let started = Instant::now();
        let output = Command::new(hearth_binary())
            .args(["db", "migrate", "--data"])
            .arg(data.path())
            .args(["--to", url])
            .output()
            .expect("cannot run hearth db migrate --to");
        assert!(
            output.status.success(),
            "copy to PostgreSQL failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        println!(
            "copied to PostgreSQL with `hearth db migrate --to` in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let server = Server::start(data.path(), &database.env(), Stderr::Pipe);
    println!(
        "restart on the preloaded folder: first ping 200 after {:.1} ms",
        server.first_ok.as_secs_f64() * 1000.0
    );
    let mut table = Table::new(
        &format!(
            "GET {CHANNELS_PATH}/{{id}}/posts?page=0&per_page=60, {} keep-alive connections, \
             access log off, {:?} measured after {:?} warm-up",
            options.connections, options.duration, options.warmup
        ),
        &[
            "channel",
            "req/s",
            "p50",
            "p99",
            "max",
            "errors",
            "server CPU",
        ],
    );
    let mut rates = Vec::new();
    for (name, channel, posts) in [
        ("town-square", &place.town_square, options.posts),
        ("small", &small, SMALL_CHANNEL_POSTS),
    ] {
        let path = format!("{CHANNELS_PATH}/{channel}/posts?page=0&per_page=60");
        let request = get(server.addr, &path, Some(&place.token));
        check_page(server.addr, &request, posts.min(60));
        let clients = (0..options.connections)
            .map(|_| Client::open(server.addr, request.clone(), None))
            .collect();
        let cpu = CpuSampler::spawn(server.pid(), options);
        let load = run_load(clients, options);
        let cpu = cpu.join();
        rates.push(load.per_second());
        table.row(vec![
            format!("{name}, {posts} posts"),
            format!("{:.0}", load.per_second()),
            micros(load.percentile(50.0)),
            micros(load.percentile(99.0)),
            micros(load.percentile(100.0)),
            load.failures().to_string(),
            format!(
                "{:.2} cores",
                cpu.as_secs_f64() / options.duration.as_secs_f64()
            ),
        ]);
    }
    server.stop();
    table.print();
    println!(
        "req/s on {} posts / on {SMALL_CHANNEL_POSTS}: {:.2}",
        options.posts,
        rates[0] / rates[1]
    );
}

/// The server environment of `post` and `history`: access log off.
const QUIET: &[(&str, &str)] = &[("HEARTH_LOGSETTINGS_CONSOLELEVEL", "WARN")];

/// Where a `post`/`history` server keeps its data: SQLite in its folder, or (with
/// `--postgres`) a fresh database on the bench's PostgreSQL server.
struct Database {
    url: Option<String>,
}

impl Database {
    fn new(options: &Options) -> Database {
        Database {
            url: options.postgres.then(fresh_postgres_database),
        }
    }

    /// The server's environment: access log off, and the database.
    fn env(&self) -> Vec<(&str, &str)> {
        let mut env = QUIET.to_vec();
        if let Some(url) = &self.url {
            env.push(("HEARTH_SQLSETTINGS_DRIVERNAME", "postgres"));
            env.push(("HEARTH_SQLSETTINGS_DATASOURCE", url));
        }
        env
    }
}

/// `BENCH_POSTGRES_URL` (a superuser's URL), or a throwaway cluster started once with
/// `tests/pg-cluster.sh --durable`: PostgreSQL's default durability (fsync and
/// `synchronous_commit` on, as a production server), loopback only, removed when the
/// bench exits.
fn postgres_server() -> String {
    static SERVER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SERVER
        .get_or_init(|| {
            if let Ok(url) = std::env::var("BENCH_POSTGRES_URL") {
                return url;
            }
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap()
                .port();
            let dir = std::env::temp_dir().join(format!("hearth-bench-pg-{port}"));
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pg-cluster.sh");
            let output = Command::new("sh")
                .arg(script)
                .arg("--durable")
                .arg(&dir)
                .arg(port.to_string())
                .arg(std::process::id().to_string())
                .output()
                .expect("cannot run tests/pg-cluster.sh");
            assert!(
                output.status.success(),
                "no PostgreSQL for the bench: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout).trim().to_string()
        })
        .clone()
}

/// A new, empty database on the bench's PostgreSQL server.
fn fresh_postgres_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = postgres_server();
    let name = format!(
        "hearth_bench_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let create = format!("CREATE DATABASE {name}");
    let admin = server.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                .await
                .expect("cannot connect to the bench's PostgreSQL");
            tokio::spawn(connection);
            client
                .batch_execute(&create)
                .await
                .expect("CREATE DATABASE");
        });
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// What `post`, `history` and the `ws-*` scenarios set up on a fresh server: the admin, a
/// team and its town-square.
struct Place {
    token: String,
    user_id: String,
    team_id: String,
    town_square: String,
}

impl Place {
    fn create(addr: SocketAddr) -> Place {
        Place::create_as(addr, create_accounts(addr, 1))
    }

    /// Has the admin whose session `token` is create the team.
    fn create_as(addr: SocketAddr, token: String) -> Place {
        let mut connection = Connection::open(addr).expect("cannot connect to hearth");
        connection.expect_status(&get(addr, ME_PATH, Some(&token)), 200);
        let user_id = body_id(&connection);
        let team = json!({ "name": "bench", "display_name": "Bench", "type": "O" });
        connection.expect_status(&post(addr, TEAMS_PATH, Some(&token), &team), 201);
        let team_id = body_id(&connection);
        let path = format!("{TEAMS_PATH}/{team_id}/channels/name/town-square");
        connection.expect_status(&get(addr, &path, Some(&token)), 200);
        let town_square = body_id(&connection);
        Place {
            token,
            user_id,
            team_id,
            town_square,
        }
    }

    /// Adds an account to the team, which adds it to town-square too.
    fn add_member(&self, connection: &mut Connection, addr: SocketAddr, user_id: &str) {
        let path = format!("{TEAMS_PATH}/{}/members", self.team_id);
        let body = json!({ "team_id": self.team_id, "user_id": user_id });
        connection.expect_status(&post(addr, &path, Some(&self.token), &body), 201);
    }

    /// Creates an open channel in the team; returns its id.
    fn create_channel(&self, addr: SocketAddr, name: &str) -> String {
        let mut connection = Connection::open(addr).expect("cannot connect to hearth");
        let body = json!({
            "team_id": self.team_id,
            "name": name,
            "display_name": name,
            "type": "O",
        });
        let request = post(addr, CHANNELS_PATH, Some(&self.token), &body);
        connection.expect_status(&request, 201);
        body_id(&connection)
    }
}

/// The `id` of the JSON object in the last response's body.
fn body_id(connection: &Connection) -> String {
    let value: serde_json::Value = serde_json::from_slice(&connection.body).unwrap();
    value["id"]
        .as_str()
        .expect("response without an id")
        .to_string()
}

/// Sends the history request once and checks that the page holds `expected` posts.
fn check_page(addr: SocketAddr, request: &[u8], expected: usize) {
    let mut connection = Connection::open(addr).expect("cannot connect to hearth");
    connection.expect_status(request, 200);
    let page: serde_json::Value = serde_json::from_slice(&connection.body).unwrap();
    let order = page["order"].as_array().map_or(0, Vec::len);
    assert_eq!(order, expected, "unexpected page size");
}

/// Writes `count` root posts by `user_id` into `channel_id` straight into the (stopped)
/// server's database, one transaction and one prepared statement, `create_at` one
/// millisecond apart and ending now; updates the channel's counters to match.
fn preload_posts(database: &Path, channel_id: &str, user_id: &str, count: usize) {
    let mut db = rusqlite::Connection::open(database).unwrap();
    let tx = db.transaction().unwrap();
    let first = hearth::model::now_millis() - count as i64;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO posts (id, create_at, update_at, edit_at, delete_at, is_pinned,
                    user_id, channel_id, root_id, original_id, message, type, props, hashtags,
                    file_ids, pending_post_id, has_reactions, reply_count, last_reply_at)
                 VALUES (?1, ?2, ?2, 0, 0, 0, ?3, ?4, '', '', ?5, '', '{}', '', '[]', '', 0, 0, 0)",
            )
            .unwrap();
        for n in 0..count {
            let at = first + n as i64;
            let message = format!("preloaded post number {n}");
            insert
                .execute(rusqlite::params![
                    hearth::model::new_id(),
                    at,
                    user_id,
                    channel_id,
                    message
                ])
                .unwrap();
        }
    }
    let last = first + count as i64 - 1;
    tx.execute(
        "UPDATE channels SET total_msg_count = total_msg_count + ?2,
            total_msg_count_root = total_msg_count_root + ?2,
            last_post_at = MAX(last_post_at, ?3), last_root_post_at = MAX(last_root_post_at, ?3)
         WHERE id = ?1",
        rusqlite::params![channel_id, count as i64, last],
    )
    .unwrap();
    tx.commit().unwrap();
}

/// Idle WebSocket connections: the server's memory as they are opened and after they have
/// been held, and whether every one of them still receives an event.
fn ws_idle(options: &Options) {
    let total = options.ws_connections;
    let data = TempDir::new().unwrap();
    let server = Server::start(data.path(), QUIET, Stderr::Pipe);
    let tokens = sign_in_accounts(server.addr, WS_ACCOUNTS);
    let place = Place::create_as(server.addr, tokens[0].clone());
    let mut connection = Connection::open(server.addr).expect("cannot connect to hearth");
    for token in &tokens[1..] {
        connection.expect_status(&get(server.addr, ME_PATH, Some(token)), 200);
        let user_id = body_id(&connection);
        place.add_member(&mut connection, server.addr, &user_id);
    }
    drop(connection);
    let server = restart(server, data.path(), QUIET);
    let baseline = ProcStatus::read(server.pid());
    let lines_before = server.stderr_lines();

    let mut table = Table::new(
        &format!(
            "ws-idle: server memory with N idle WebSocket connections to {WEBSOCKET_PATH} \
             ({WS_ACCOUNTS} accounts' tokens round-robin), access log off"
        ),
        &[
            "connections",
            "VmRSS",
            "over baseline",
            "per connection",
            "VmHWM",
            "threads",
        ],
    );
    table.row(memory_row(
        "0 (restarted, 1 s idle)",
        0,
        &baseline,
        &baseline,
    ));
    let mut sockets = Sockets::new();
    let mut opening = Duration::ZERO;
    for step in [total / 10, total / 2, total] {
        if step <= sockets.opened {
            continue;
        }
        opening += sockets.open(server.addr, &tokens, step - sockets.opened);
        thread::sleep(WS_SETTLE);
        let status = ProcStatus::read(server.pid());
        table.row(memory_row(&step.to_string(), step, &baseline, &status));
    }
    thread::sleep(options.idle);
    let held = ProcStatus::read(server.pid());
    let name = format!("{total}, after {:?} more idle", options.idle);
    table.row(memory_row(&name, total, &baseline, &held));
    table.print();
    let open_after_hold = sockets.still_open();
    let tcp = tcp_memory_kib();

    // One post in town-square, where every account is: every connection must receive it.
    let mut connection = Connection::open(server.addr).expect("cannot connect to hearth");
    let request = ws_post_request(server.addr, &place, 0);
    let sent = Instant::now();
    connection.expect_status(&request, 201);
    let receipts = sockets.receipts(total, WS_RECEIPT_TIMEOUT);
    let mut reached = vec![false; total];
    let mut latencies = Vec::with_capacity(total);
    for receipt in &receipts {
        if !std::mem::replace(&mut reached[receipt.connection], true) {
            latencies.push(as_micros(receipt.at.saturating_duration_since(sent)));
        }
    }
    latencies.sort_unstable();
    let stderr = server_said(&server, lines_before);
    drop(sockets);
    server.stop();

    let mut table = Table::new(
        "ws-idle: opening, holding, and one post to every connection",
        &[
            "opened in",
            "connections/s",
            "open after hold",
            "post received by",
            "p50",
            "p99",
            "last",
            "kernel TCP memory",
            "server stderr since restart",
        ],
    );
    table.row(vec![
        format!("{:.2} s", opening.as_secs_f64()),
        format!("{:.0}", total as f64 / opening.as_secs_f64()),
        format!("{open_after_hold} of {total}"),
        format!("{} of {total}", latencies.len()),
        micros(percentile(&latencies, 50.0)),
        micros(percentile(&latencies, 99.0)),
        micros(percentile(&latencies, 100.0)),
        tcp.map_or("-".into(), kib),
        format!("{stderr} lines"),
    ]);
    table.print();
}

/// A row of the `ws-idle` memory table.
fn memory_row(
    name: &str,
    connections: usize,
    baseline: &ProcStatus,
    now: &ProcStatus,
) -> Vec<String> {
    let over_kib = now.rss_kib as i64 - baseline.rss_kib as i64;
    let per_connection = (connections > 0).then(|| over_kib as f64 * 1024.0 / connections as f64);
    vec![
        name.to_string(),
        kib(now.rss_kib),
        format!("{:+.1} MiB", over_kib as f64 / 1024.0),
        per_connection.map_or("-".into(), |bytes| format!("{bytes:.0} B")),
        kib(now.hwm_kib),
        now.threads.to_string(),
    ]
}

/// Fan-out to one channel's members: for every post and member, the time from just before
/// the post is sent to its `posted` event on that member's WebSocket connection.
fn ws_fanout(options: &Options) {
    let members = options.ws_members;
    let posts = FANOUT_WARMUP_POSTS + options.ws_posts;
    // Teams take 50 accounts by default (`TeamSettings.MaxUsersPerTeam`, as Mattermost).
    let team_size = (members + 1).to_string();
    let env = [
        QUIET[0],
        ("HEARTH_TEAMSETTINGS_MAXUSERSPERTEAM", team_size.as_str()),
    ];
    let data = TempDir::new().unwrap();
    let server = Server::start(data.path(), &env, Stderr::Pipe);
    let place = Place::create(server.addr);
    let started = Instant::now();
    let (tokens, addresses) = create_members(server.addr, &place, members);
    println!(
        "\nws-fanout set-up: {members} accounts created, added to the team and signed in \
         (from {addresses} source addresses) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let server = restart(server, data.path(), &env);
    let baseline = ProcStatus::read(server.pid());
    let lines_before = server.stderr_lines();
    let mut sockets = Sockets::new();
    let opening = sockets.open(server.addr, &tokens, members);
    thread::sleep(WS_SETTLE);
    let connected = ProcStatus::read(server.pid());

    let cpu_before = cpu_time(server.pid());
    let posting = Instant::now();
    let (sent, http) = post_steadily(server.addr, &place, posts, options.ws_interval);
    let posting = posting.elapsed();
    let receipts = sockets.receipts(posts * members, WS_RECEIPT_TIMEOUT);
    let cpu = cpu_time(server.pid()) - cpu_before;
    let after = ProcStatus::read(server.pid());
    let still_open = sockets.still_open();
    let stderr = server_said(&server, lines_before);
    drop(sockets);
    server.stop();

    // Arrival time of each post on each connection, in µs after it was sent.
    let mut arrivals: Vec<Option<u32>> = vec![None; posts * members];
    let mut duplicates = 0;
    for receipt in receipts {
        if receipt.post >= posts || receipt.connection >= members {
            continue;
        }
        let slot = &mut arrivals[receipt.post * members + receipt.connection];
        duplicates += usize::from(slot.is_some());
        *slot = Some(as_micros(
            receipt.at.saturating_duration_since(sent[receipt.post]),
        ));
    }
    let (mut every, mut first, mut last) = (Vec::new(), Vec::new(), Vec::new());
    for post in FANOUT_WARMUP_POSTS..posts {
        let got: Vec<u32> = arrivals[post * members..(post + 1) * members]
            .iter()
            .flatten()
            .copied()
            .collect();
        first.extend(got.iter().min());
        if got.len() == members {
            last.extend(got.iter().max());
        }
        every.extend(got);
    }
    let mut http = http[FANOUT_WARMUP_POSTS..].to_vec();
    for samples in [&mut http, &mut every, &mut first, &mut last] {
        samples.sort_unstable();
    }
    let expected = options.ws_posts * members;

    let mut table = Table::new(
        &format!(
            "ws-fanout: {members} members of town-square with one WebSocket connection each; \
             {} posts by the admin (no connection), one every {:?}, after {FANOUT_WARMUP_POSTS} \
             unmeasured; access log off",
            options.ws_posts, options.ws_interval
        ),
        &["", "samples", "p50", "p90", "p99", "max"],
    );
    table.row(latency_row(&format!("POST {POSTS_PATH} → 201"), &http));
    table.row(latency_row(
        "send → `posted` received, every receipt",
        &every,
    ));
    table.row(latency_row("send → first member has it", &first));
    table.row(latency_row("send → last member has it", &last));
    table.print();

    let mut table = Table::new(
        "ws-fanout: connections, delivery and the server",
        &[
            "opened in",
            "posting took",
            "receipts",
            "missing",
            "duplicates",
            "still open",
            "server CPU / post",
            "VmRSS: no connections",
            "connected",
            "after posts",
            "VmHWM",
            "server stderr since restart",
        ],
    );
    table.row(vec![
        format!("{:.2} s", opening.as_secs_f64()),
        format!(
            "{:.1} s (paced {:.1} s)",
            posting.as_secs_f64(),
            options.ws_interval.as_secs_f64() * (posts - 1) as f64
        ),
        format!("{} of {expected}", every.len()),
        (expected - every.len()).to_string(),
        duplicates.to_string(),
        format!("{still_open} of {members}"),
        format!("{:.2} ms", cpu.as_secs_f64() * 1000.0 / posts as f64),
        kib(baseline.rss_kib),
        kib(connected.rss_kib),
        kib(after.rss_kib),
        kib(after.hwm_kib),
        format!("{stderr} lines"),
    ]);
    table.print();
}

/// How many lines the server has written to standard error since it had written
/// `before`; prints the last of them, if any (with the access log off, only warnings and
/// errors get there).
fn server_said(server: &Server, before: Option<u64>) -> u64 {
    let lines = server.stderr_lines().unwrap_or(0) - before.unwrap_or(0);
    if lines > 0 {
        let tail = server
            .stderr
            .as_ref()
            .map_or(String::new(), StderrTap::tail);
        println!("\nthe server wrote {lines} lines to stderr; the last of them:\n{tail}");
    }
    lines
}

fn latency_row(name: &str, sorted: &[u32]) -> Vec<String> {
    vec![
        name.to_string(),
        sorted.len().to_string(),
        micros(percentile(sorted, 50.0)),
        micros(percentile(sorted, 90.0)),
        micros(percentile(sorted, 99.0)),
        micros(percentile(sorted, 100.0)),
    ]
}

/// Stops a server and starts it again on its folder, then lets it idle for [`WS_SETTLE`].
/// The `ws-*` scenarios restart after their sign-ups so that what password hashing left
/// in the allocator (tens of MiB, see `login`) is not part of the baseline; the sessions
/// are in the database and stay valid.
fn restart(server: Server, data: &Path, env: &[(&str, &str)]) -> Server {
    server.stop();
    let server = Server::start(data, env, Stderr::Pipe);
    thread::sleep(WS_SETTLE);
    server
}

/// Creates the accounts `bench1` … `bench{count}` with the admin's token, adds each to the
/// place's team (and so to its town-square), and signs each in once from a source address
/// shared by no more than [`LOGINS_PER_ADDRESS`] logins; returns their session tokens in
/// order and how many source addresses were used. [`SETUP_THREADS`] threads share the
/// work.
fn create_members(addr: SocketAddr, place: &Place, count: usize) -> (Vec<String>, u32) {
    let sources = SourceAddresses::new();
    let next = AtomicUsize::new(1);
    let tokens = Mutex::new(vec![String::new(); count]);
    thread::scope(|scope| {
        for _ in 0..SETUP_THREADS {
            scope.spawn(|| {
                let mut connection = Connection::open(addr).expect("cannot connect to hearth");
                let mut login: Option<(Connection, u32)> = None;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n > count {
                        return;
                    }
                    let name = username(n);
                    let body = json!({
                        "username": name,
                        "email": format!("{name}@example.com"),
                        "password": PASSWORD,
                    });
                    let request = post(addr, USERS_PATH, Some(&place.token), &body);
                    connection.expect_status(&request, 201);
                    let user_id = body_id(&connection);
                    place.add_member(&mut connection, addr, &user_id);
                    if login
                        .as_ref()
                        .is_none_or(|(_, used)| *used >= LOGINS_PER_ADDRESS)
                    {
                        let fresh = sources.connect(addr).expect("cannot connect to hearth");
                        login = Some((fresh, 0));
                    }
                    let (from, used) = login.as_mut().unwrap();
                    *used += 1;
                    let token = log_in(from, addr, n);
                    tokens.lock().unwrap()[n - 1] = token;
                }
            });
        }
    });
    (tokens.into_inner().unwrap(), sources.used())
}

/// A post into town-square with the admin's token, its message [`WS_POST_MARKER`] and `n`.
fn ws_post_request(addr: SocketAddr, place: &Place, n: usize) -> Vec<u8> {
    let body = json!({
        "channel_id": place.town_square,
        "message": format!("{WS_POST_MARKER}{n}"),
    });
    post(addr, POSTS_PATH, Some(&place.token), &body)
}

/// Sends `count` posts on one keep-alive connection, post `n` at `n × interval` after the
/// first (at once when the previous one took longer); returns when each was sent and how
/// long its response took, in µs.
fn post_steadily(
    addr: SocketAddr,
    place: &Place,
    count: usize,
    interval: Duration,
) -> (Vec<Instant>, Vec<u32>) {
    let mut connection = Connection::open(addr).expect("cannot connect to hearth");
    let (mut sent, mut took) = (Vec::with_capacity(count), Vec::with_capacity(count));
    let start = Instant::now();
    for n in 0..count {
        let request = ws_post_request(addr, place, n);
        let due = start + interval.mul_f64(n as f64);
        thread::sleep(due.saturating_duration_since(Instant::now()));
        let at = Instant::now();
        connection.expect_status(&request, 201);
        took.push(as_micros(at.elapsed()));
        sent.push(at);
    }
    (sent, took)
}

// ---------------------------------------------------------------------------------------
// The server under test

#[derive(Debug, Clone, Copy)]
enum Stderr {
    /// Piped to a thread that counts and discards lines, like a log collector would.
    Pipe,
    /// Sent to /dev/null.
    Null,
}

/// A running `hearth serve`, stopped with `SIGTERM` by [`Server::stop`] (or killed on drop).
struct Server {
    child: Child,
    addr: SocketAddr,
    /// From spawn to the "is running at" line on standard output.
    ready_line: Duration,
    /// From spawn to the first `200` from `/system/ping`.
    first_ok: Duration,
    stderr: Option<StderrTap>,
}

impl Server {
    fn start(data: &Path, env: &[(&str, &str)], stderr: Stderr) -> Server {
        let mut command = Command::new(hearth_binary());
        command
            .args(["serve", "--data"])
            .arg(data)
            .env("HEARTH_SERVICESETTINGS_LISTENADDRESS", "127.0.0.1:0")
            // The whole load comes from one address, far past the per-address cap.
            .env("HEARTH_SERVICESETTINGS_MAXCONNECTIONSPERADDRESS", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(match stderr {
                Stderr::Pipe => Stdio::piped(),
                Stderr::Null => Stdio::null(),
            });
        // Only the settings given here: none from the environment running the bench.
        for (key, _) in std::env::vars() {
            if key.starts_with("HEARTH_") || key.starts_with("MM_") {
                command.env_remove(key);
            }
        }

        let spawned = Instant::now();
        let mut child = command.spawn().expect("cannot start the hearth binary");
        let stderr = child.stderr.take().map(StderrTap::spawn);
        let stdout = stdout_lines(child.stdout.take().unwrap());
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ready_line: Duration::ZERO,
            first_ok: Duration::ZERO,
            stderr,
        };
        server.addr = server.wait_for_ready_line(&stdout);
        server.ready_line = spawned.elapsed();
        server.wait_for_ping(spawned);
        server.first_ok = spawned.elapsed();
        server
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_for_ready_line(&self, stdout: &Receiver<String>) -> SocketAddr {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match stdout.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = ready_address(&line) {
                        return addr;
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.fail("no ready line in time"),
                Err(RecvTimeoutError::Disconnected) => self.fail("exited before it was ready"),
            }
        }
    }

    fn wait_for_ping(&self, spawned: Instant) {
        while spawned.elapsed() < START_TIMEOUT {
            if matches!(ping_once(self.addr), Ok(200)) {
                return;
            }
            thread::sleep(Duration::from_millis(1));
        }
        self.fail("ping did not answer 200 in time");
    }

    /// Lines written to standard error so far, when it is piped.
    fn stderr_lines(&self) -> Option<u64> {
        self.stderr
            .as_ref()
            .map(|tap| tap.lines.load(Ordering::Relaxed))
    }

    /// Sends `SIGTERM` and waits for the process to exit; returns how long that took.
    fn stop(mut self) -> Duration {
        let asked = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("cannot run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
        while asked.elapsed() < STOP_TIMEOUT {
            if let Some(status) = self.child.try_wait().unwrap() {
                if !status.success() {
                    self.fail(&format!("exited with {status} after SIGTERM"));
                }
                return asked.elapsed();
            }
            thread::sleep(Duration::from_millis(1));
        }
        self.fail("still running long after SIGTERM");
    }

    fn fail(&self, what: &str) -> ! {
        let tail = self.stderr.as_ref().map_or(String::new(), StderrTap::tail);
        panic!(
            "hearth (pid {}) {what}; end of its stderr:\n{tail}",
            self.pid()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only matters when a benchmark panicked; after `stop` the child is already reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary under test: `$BENCH_HEARTH_BIN`, or else the release build of this crate.
fn hearth_binary() -> PathBuf {
    std::env::var_os(BIN_VARIABLE)
        .map_or_else(|| env!("CARGO_BIN_EXE_hearth").into(), PathBuf::from)
}

/// The address in `Hearth <ver> is running at http://127.0.0.1:PORT (press Ctrl+C to stop)`.
fn ready_address(line: &str) -> Option<SocketAddr> {
    let (name, rest) = line.split_once(" is running at http://")?;
    if !name.starts_with("Hearth ") {
        return None;
    }
    rest.split_whitespace().next()?.parse().ok()
}

/// Forwards standard output line by line; keeps draining after the ready line.
fn stdout_lines(stdout: ChildStdout) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = sender.send(line); // the receiver is gone once the server is ready
        }
    });
    receiver
}

/// Drains a piped standard error, counting lines and keeping the last few kilobytes.
struct StderrTap {
    lines: Arc<AtomicU64>,
    tail: Arc<Mutex<Vec<u8>>>,
}

impl StderrTap {
    fn spawn(mut stderr: ChildStderr) -> StderrTap {
        let lines = Arc::new(AtomicU64::new(0));
        let tail = Arc::new(Mutex::new(Vec::new()));
        let tap = StderrTap {
            lines: lines.clone(),
            tail: tail.clone(),
        };
        thread::spawn(move || {
            let mut buffer = vec![0; 64 * 1024];
            while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                let chunk = &buffer[..n];
                let newlines = chunk.iter().filter(|&&b| b == b'\n').count();
                lines.fetch_add(newlines as u64, Ordering::Relaxed);
                let mut tail = tail.lock().unwrap();
                tail.extend_from_slice(chunk);
                let excess = tail.len().saturating_sub(STDERR_TAIL);
                tail.drain(..excess);
            }
        });
        tap
    }

    fn tail(&self) -> String {
        String::from_utf8_lossy(&self.tail.lock().unwrap()).into_owned()
    }
}

/// The fields of `/proc/<pid>/status` this benchmark reports.
struct ProcStatus {
    rss_kib: u64,
    hwm_kib: u64,
    threads: u64,
}

impl ProcStatus {
    fn read(pid: u32) -> ProcStatus {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let field = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
        };
        ProcStatus {
            rss_kib: field("VmRSS"),
            hwm_kib: field("VmHWM"),
            threads: field("Threads"),
        }
    }
}

/// Kernel memory held by TCP sockets on the whole machine (both ends of loopback
/// connections), from `/proc/net/sockstat`; no process's RSS includes it.
fn tcp_memory_kib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let line = text.lines().find(|line| line.starts_with("TCP:"))?;
    let mut words = line.split_whitespace().skip_while(|&word| word != "mem");
    let pages: u64 = words.nth(1)?.parse().ok()?;
    Some(pages * 4) // x86-64 and most others: 4 KiB pages
}

/// CPU time (user + system, all threads) a process has used, from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // After the parenthesised command name: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = text[text.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second())
}

/// `getconf CLK_TCK`, the unit of `/proc/<pid>/stat` times (100 on Linux, in practice).
fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Measures a server's CPU time over a load's measured window, on a thread of its own.
struct CpuSampler(thread::JoinHandle<Duration>);

impl CpuSampler {
    /// Call just before [`run_load`]: skips the warm-up, then samples for the duration.
    fn spawn(pid: u32, options: &Options) -> CpuSampler {
        let (warmup, duration) = (options.warmup, options.duration);
        CpuSampler(thread::spawn(move || {
            thread::sleep(warmup);
            let before = cpu_time(pid);
            thread::sleep(duration);
            cpu_time(pid) - before
        }))
    }

    fn join(self) -> Duration {
        self.0.join().unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// The HTTP client

/// A `GET` request, with a bearer token if given.
fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Vec<u8> {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}\r\n").into_bytes()
}

/// A `POST` of a JSON body, with a bearer token if given.
fn post(addr: SocketAddr, path: &str, token: Option<&str>, body: &serde_json::Value) -> Vec<u8> {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let body = body.to_string();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What a [`Connection`] keeps of a response besides its body.
struct Response {
    status: u16,
    /// The `Token` header, which a successful login carries.
    token: Option<String>,
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    line: String,
    /// The last response's body.
    body: Vec<u8>,
}

impl Connection {
    fn open(addr: SocketAddr) -> io::Result<Connection> {
        Connection::over(TcpStream::connect(addr)?)
    }

    /// Wraps a connected stream, which must be in blocking mode.
    fn over(stream: TcpStream) -> io::Result<Connection> {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Connection {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            line: String::new(),
            body: Vec::new(),
        })
    }

    /// Sends one request and reads the whole response.
    fn send(&mut self, request: &[u8]) -> io::Result<Response> {
        self.writer.write_all(request)?;
        let (response, length) = self.read_head()?;
        let length = length.ok_or_else(|| io::Error::other("response without Content-Length"))?;
        self.body.clear();
        let read = (&mut self.reader)
            .take(length)
            .read_to_end(&mut self.body)?;
        if read as u64 != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(response)
    }

    /// Reads the status line and the headers up to the blank line; returns the status
    /// code and `Token` header, and the Content-Length, if any.
    fn read_head(&mut self) -> io::Result<(Response, Option<u64>)> {
        let status = self
            .next_line()?
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| io::Error::other("malformed status line"))?;
        let mut response = Response {
            status,
            token: None,
        };
        let mut length = None;
        loop {
            let header = self.next_line()?;
            if header.is_empty() {
                return Ok((response, length));
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                } else if name.eq_ignore_ascii_case("token") {
                    response.token = Some(value.trim().to_string());
                }
            }
        }
    }

    fn next_line(&mut self) -> io::Result<&str> {
        self.line.clear();
        if self.reader.read_line(&mut self.line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(self.line.trim_end())
    }

    /// Sends a set-up request; panics unless the response has the `expected` status.
    fn expect_status(&mut self, request: &[u8], expected: u16) -> Response {
        let response = self.send(request).expect("request to hearth failed");
        if response.status != expected {
            let request = String::from_utf8_lossy(request);
            let body = String::from_utf8_lossy(&self.body);
            panic!(
                "expected {expected}, got {}: {body}\nfor {request}",
                response.status
            );
        }
        response
    }
}

/// One request on a new connection, for start-up polling.
fn ping_once(addr: SocketAddr) -> io::Result<u16> {
    let request = get(addr, PING_PATH, None);
    Ok(Connection::open(addr)?.send(&request)?.status)
}

/// Source addresses for the login load: 127.1.0.1, 127.1.0.2, … in turn, one per
/// connection. Linux routes all of 127.0.0.0/8 to the loopback interface, so any of them
/// can be bound; the server sees each as another client address.
struct SourceAddresses {
    next: AtomicU32,
    /// Binding before connecting takes tokio's `TcpSocket` (std has no way to); its
    /// `connect` needs a runtime, and the connected stream is then used as a std one.
    runtime: tokio::runtime::Runtime,
}

impl SourceAddresses {
    fn new() -> SourceAddresses {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_io()
            .build()
            .unwrap();
        SourceAddresses {
            next: AtomicU32::new(0),
            runtime,
        }
    }

    /// How many addresses have been handed out.
    fn used(&self) -> u32 {
        self.next.load(Ordering::Relaxed)
    }

    /// Opens a connection from the next unused source address.
    fn connect(&self, addr: SocketAddr) -> io::Result<Connection> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let source = Ipv4Addr::from(u32::from(FIRST_SOURCE) + n);
        let stream = self.runtime.block_on(async {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::from((source, 0)))?;
            socket.connect(addr).await?.into_std()
        })?;
        stream.set_nonblocking(false)?;
        Connection::over(stream)
    }
}

// ---------------------------------------------------------------------------------------
// The WebSocket client

type WebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A bench post's `posted` event as one connection received it.
struct Receipt {
    /// The connection's number, in the order they were opened from 0.
    connection: usize,
    /// The number after [`WS_POST_MARKER`] in the post's message.
    post: usize,
    at: Instant,
}

/// WebSocket connections, each read by a task of its own on a runtime of the bench's own
/// until the server ends it. Dropping this drops the runtime, which closes them all.
struct Sockets {
    runtime: tokio::runtime::Runtime,
    /// Connections opened so far.
    opened: usize,
    /// Connections whose reader has not seen the end yet.
    open: Arc<AtomicUsize>,
    sender: mpsc::Sender<Receipt>,
    arrived: Receiver<Receipt>,
}

impl Sockets {
    fn new() -> Sockets {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let (sender, arrived) = mpsc::channel();
        Sockets {
            runtime,
            opened: 0,
            open: Arc::new(AtomicUsize::new(0)),
            sender,
            arrived,
        }
    }

    /// Opens `count` more connections with `tokens` in turn, [`WS_OPENING`] handshakes at
    /// a time, each done when its `hello` has arrived; returns how long that took. Panics,
    /// saying how many failed and why the first did, unless all of them opened.
    fn open(&mut self, addr: SocketAddr, tokens: &[String], count: usize) -> Duration {
        let started = Instant::now();
        let first = self.opened;
        let failures: Vec<String> = self.runtime.block_on(async {
            let gate = Arc::new(tokio::sync::Semaphore::new(WS_OPENING));
            let mut handshakes = tokio::task::JoinSet::new();
            for connection in first..first + count {
                let permit = gate.clone().acquire_owned().await.unwrap();
                let token = tokens[connection % tokens.len()].clone();
                let (open, sender) = (self.open.clone(), self.sender.clone());
                handshakes.spawn(async move {
                    let socket = connect_websocket(addr, &token).await?;
                    drop(permit);
                    open.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(read_events(connection, socket, open, sender));
                    Ok::<(), String>(())
                });
            }
            let mut failures = Vec::new();
            while let Some(joined) = handshakes.join_next().await {
                if let Err(error) = joined.unwrap() {
                    failures.push(error);
                }
            }
            failures
        });
        if let Some(error) = failures.first() {
            panic!(
                "{} of {count} WebSocket connections failed; the first: {error}",
                failures.len()
            );
        }
        self.opened += count;
        started.elapsed()
    }

    fn still_open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Waits until `expected` receipts have come (counting from the last call), or until
    /// `timeout` has passed; returns those that came.
    fn receipts(&self, expected: usize, timeout: Duration) -> Vec<Receipt> {
        let deadline = Instant::now() + timeout;
        let mut receipts = Vec::with_capacity(expected);
        while receipts.len() < expected {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.arrived.recv_timeout(left) {
                Ok(receipt) => receipts.push(receipt),
                Err(_) => break,
            }
        }
        receipts
    }
}

/// Connects to `/api/v4/websocket` with `Authorization: Bearer <token>` and reads the
/// `hello` the server sends first.
async fn connect_websocket(addr: SocketAddr, token: &str) -> Result<WebSocket, String> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

    let mut request = format!("ws://{addr}{WEBSOCKET_PATH}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let bearer = format!("Bearer {token}").parse().map_err(|_| "bad token")?;
    request.headers_mut().insert("Authorization", bearer);
    let config = WebSocketConfig::default().read_buffer_size(WS_READ_BUFFER);
    let handshake = async {
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(request, Some(config), true)
                .await
                .map_err(|e| format!("handshake: {e}"))?;
        match socket.next().await {
            Some(Ok(Message::Text(text))) if event_name(&text).as_deref() == Some("hello") => {
                Ok(socket)
            }
            other => Err(format!("expected hello, got {other:?}")),
        }
    };
    tokio::time::timeout(WS_HELLO_TIMEOUT, handshake)
        .await
        .map_err(|_| format!("no hello within {WS_HELLO_TIMEOUT:?}"))?
}

/// Reads a connection until it ends, passing on when each bench post's `posted` event
/// arrived. Reading is also what answers the server's pings: tungstenite queues the pong
/// and sends it on the next read.
async fn read_events(
    connection: usize,
    mut socket: WebSocket,
    open: Arc<AtomicUsize>,
    sender: mpsc::Sender<Receipt>,
) {
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            let at = Instant::now();
            if let Some(post) = bench_post_number(&text) {
                let _ = sender.send(Receipt {
                    connection,
                    post,
                    at,
                });
            }
        }
    }
    open.fetch_sub(1, Ordering::Relaxed);
}

/// The `event` of a server frame.
fn event_name(frame: &str) -> Option<String> {
    let frame: serde_json::Value = serde_json::from_str(frame).ok()?;
    Some(frame["event"].as_str()?.to_string())
}

/// The number of the bench post a `posted` frame carries (its `data.post` is the post as
/// a JSON string), or `None` for any other frame.
fn bench_post_number(frame: &str) -> Option<usize> {
    if !frame.contains(WS_POST_MARKER) {
        return None;
    }
    let frame: serde_json::Value = serde_json::from_str(frame).ok()?;
    if frame["event"] != "posted" {
        return None;
    }
    let post: serde_json::Value = serde_json::from_str(frame["data"]["post"].as_str()?).ok()?;
    post["message"]
        .as_str()?
        .strip_prefix(WS_POST_MARKER)?
        .parse()
        .ok()
}

// ---------------------------------------------------------------------------------------
// Accounts

fn username(n: usize) -> String {
    format!("bench{n}")
}

fn login_request(addr: SocketAddr, n: usize) -> Vec<u8> {
    let body = json!({ "login_id": username(n), "password": PASSWORD });
    post(addr, LOGIN_PATH, None, &body)
}

/// Creates the accounts `bench0` … `bench{count-1}` on a fresh server: `bench0` signs up
/// anonymously, which makes it the system admin, and creates the others. Returns
/// `bench0`'s session token; it takes one login from 127.0.0.1.
fn create_accounts(addr: SocketAddr, count: usize) -> String {
    let mut connection = Connection::open(addr).expect("cannot connect to hearth");
    let mut admin = None;
    for n in 0..count {
        let name = username(n);
        let body = json!({
            "username": name,
            "email": format!("{name}@example.com"),
            "password": PASSWORD,
        });
        connection.expect_status(&post(addr, USERS_PATH, admin.as_deref(), &body), 201);
        if n == 0 {
            admin = Some(log_in(&mut connection, addr, 0));
        }
    }
    admin.expect("no accounts created")
}

/// Creates `count` accounts and returns a session token for each, from one login apiece
/// from 127.0.0.1 (fewer than the server's login limit lets through at once).
fn sign_in_accounts(addr: SocketAddr, count: usize) -> Vec<String> {
    assert!(count as u32 <= LOGINS_PER_ADDRESS);
    let admin = create_accounts(addr, count);
    let mut connection = Connection::open(addr).expect("cannot connect to hearth");
    let others = (1..count).map(|n| log_in(&mut connection, addr, n));
    std::iter::once(admin).chain(others).collect()
}

fn log_in(connection: &mut Connection, addr: SocketAddr, n: usize) -> String {
    let response = connection.expect_status(&login_request(addr, n), 200);
    response
        .token
        .expect("login response without a Token header")
}

// ---------------------------------------------------------------------------------------
// The load generator

/// One closed-loop client: a keep-alive connection sending the same request again and
/// again. A broken connection is reopened. With source addresses, each connection comes
/// from an address of its own and is replaced after [`LOGINS_PER_ADDRESS`] requests.
struct Client {
    addr: SocketAddr,
    request: Vec<u8>,
    sources: Option<Arc<SourceAddresses>>,
    connection: Option<Connection>,
    /// Requests sent on the current connection.
    sent: u32,
}

impl Client {
    /// Opens the first connection; panics if it cannot.
    fn open(addr: SocketAddr, request: Vec<u8>, sources: Option<Arc<SourceAddresses>>) -> Client {
        let mut client = Client {
            addr,
            request,
            sources,
            connection: None,
            sent: 0,
        };
        client.connect_if_needed();
        client
    }

    /// Opens a connection when there is none or the current one's address is used up.
    fn connect_if_needed(&mut self) {
        let used_up = self.sources.is_some() && self.sent >= LOGINS_PER_ADDRESS;
        if self.connection.is_some() && !used_up {
            return;
        }
        let connection = match &self.sources {
            Some(sources) => sources.connect(self.addr),
            None => Connection::open(self.addr),
        };
        self.connection = Some(connection.expect("cannot connect to hearth"));
        self.sent = 0;
    }

    /// Sends the request once; returns the response's status.
    fn send(&mut self) -> io::Result<u16> {
        let connection = self.connection.as_mut().expect("not connected");
        self.sent += 1;
        let result = connection.send(&self.request).map(|r| r.status);
        if result.is_err() {
            self.connection = None;
        }
        result
    }
}

/// What the load threads saw during the measured window.
struct Load {
    elapsed: Duration,
    /// Latency of every `200` (or `201`) response, in microseconds; sorted once merged.
    latencies_us: Vec<u32>,
    /// `429 Too Many Requests` responses.
    refused: u64,
    /// Other statuses and broken connections.
    errors: u64,
}

impl Load {
    fn new(elapsed: Duration) -> Load {
        Load {
            elapsed,
            latencies_us: Vec::new(),
            refused: 0,
            errors: 0,
        }
    }

    /// Counts the outcome of a request sent at `sent`.
    fn record(&mut self, sent: Instant, result: io::Result<u16>) {
        match result {
            Ok(200 | 201) => self.latencies_us.push(as_micros(sent.elapsed())),
            Ok(429) => self.refused += 1,
            Ok(_) | Err(_) => self.errors += 1,
        }
    }

    fn merge(&mut self, other: Load) {
        self.latencies_us.extend(other.latencies_us);
        self.refused += other.refused;
        self.errors += other.errors;
    }

    fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Needs `latencies_us` sorted.
    fn percentile(&self, p: f64) -> Option<u32> {
        percentile(&self.latencies_us, p)
    }

    /// Everything but a `200` (or `201`).
    fn failures(&self) -> u64 {
        self.refused + self.errors
    }
}

/// The `p`th percentile (nearest rank) of `sorted`, which must be sorted.
fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    let n = sorted.len();
    let rank = ((p / 100.0 * n as f64).ceil() as usize).clamp(1, n.max(1));
    sorted.get(rank - 1).copied()
}

/// A duration in whole microseconds, as the latency lists keep them.
fn as_micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}

/// Drives each client on a thread of its own, closed-loop: warm-up, then the measured
/// window.
fn run_load(clients: Vec<Client>, options: &Options) -> Load {
    let start = Arc::new(Barrier::new(clients.len()));
    let workers: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let start = start.clone();
            let (warmup, duration) = (options.warmup, options.duration);
            thread::spawn(move || load_worker(client, &start, warmup, duration))
        })
        .collect();
    let mut load = Load::new(options.duration);
    for worker in workers {
        load.merge(worker.join().unwrap());
    }
    load.latencies_us.sort_unstable();
    load
}

/// One client's loop; returns what it measured.
fn load_worker(mut client: Client, start: &Barrier, warmup: Duration, duration: Duration) -> Load {
    start.wait();
    let measure_from = Instant::now() + warmup;
    let until = measure_from + duration;
    let mut seen = Load::new(duration);
    seen.latencies_us.reserve(64 * 1024);
    loop {
        client.connect_if_needed();
        let sent = Instant::now();
        if sent >= until {
            return seen;
        }
        let result = client.send();
        if sent >= measure_from {
            seen.record(sent, result);
        }
    }
}

/// Sends one ping every [`PROBE_INTERVAL`] on a connection of its own during a load's
/// measured window: what the load does to everyone else's requests. Call just before
/// [`run_load`].
struct PingProbe(thread::JoinHandle<Load>);

impl PingProbe {
    fn spawn(addr: SocketAddr, options: &Options) -> PingProbe {
        let (warmup, duration) = (options.warmup, options.duration);
        let mut client = Client::open(addr, get(addr, PING_PATH, None), None);
        PingProbe(thread::spawn(move || {
            thread::sleep(warmup);
            let until = Instant::now() + duration;
            let mut seen = Load::new(duration);
            while Instant::now() < until {
                client.connect_if_needed();
                let sent = Instant::now();
                let result = client.send();
                seen.record(sent, result);
                thread::sleep(PROBE_INTERVAL);
            }
            seen.latencies_us.sort_unstable();
            seen
        }))
    }

    fn join(self) -> Load {
        self.0.join().unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Output

/// A plain-text table with columns sized to their widest cell.
struct Table {
    title: String,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(title: &str, header: &[&str]) -> Table {
        Table {
            title: title.to_string(),
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn print(&self) {
        let columns = self.rows[0].len();
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                let cells = self.rows.iter().map(|row| row[c].chars().count());
                cells.max().unwrap_or(0)
            })
            .collect();
        println!("\n{}", self.title);
        for (i, row) in self.rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, &width))| pad(cell, width, c == 0))
                .collect();
            println!("  {}", cells.join("  "));
            if i == 0 {
                let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
                println!("  {}", rule.join("  "));
            }
        }
    }
}

/// Left-aligns the first column, right-aligns the figures.
fn pad(cell: &str, width: usize, left: bool) -> String {
    let fill = " ".repeat(width - cell.chars().count());
    if left {
        format!("{cell}{fill}")
    } else {
        format!("{fill}{cell}")
    }
}

fn micros(us: Option<u32>) -> String {
    us.map_or("-".into(), |us| format!("{:.2} ms", f64::from(us) / 1000.0))
}

fn kib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
