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
//!
//! Run everything with `cargo bench --bench server`, or one scenario with options:
//!
//! ```text
//! cargo bench --bench server -- startup --runs 10
//! cargo bench --bench server -- memory --idle 3
//! cargo bench --bench server -- ping --connections 32 --duration 10 --warmup 1
//! ```
//!
//! Set `BENCH_HEARTH_BIN=/path/to/hearth` to measure another build (say, a copy of the
//! previous one) with the same scenarios.
//!
//! Every server gets its own temporary data folder and listens on `127.0.0.1:0`; the load
//! generator is plain std threads and `TcpStream`, so it shares the machine's cores with the
//! server. Results are recorded in `docs/BENCHMARKS.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Names another `hearth` binary to measure instead of the one cargo built, e.g. a copy
/// of an older build to compare against.
const BIN_VARIABLE: &str = "BENCH_HEARTH_BIN";
const PING_PATH: &str = "/api/v4/system/ping";
/// How long a server may take to print its ready line and answer a ping.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after `SIGTERM` (its own grace period is 30 s).
const STOP_TIMEOUT: Duration = Duration::from_secs(40);
/// How much of a server's standard error to keep for error messages.
const STDERR_TAIL: usize = 4096;

const USAGE: &str = "\
usage: cargo bench --bench server -- [all|startup|memory|ping] [options]
  (BENCH_HEARTH_BIN=/path/to/hearth measures that binary instead of this build)
  --runs N         start-ups per case in `startup` (default 10)
  --idle SECS      idle time before reading memory in `memory` (default 3)
  --connections N  keep-alive connections in `ping` (default 32)
  --duration SECS  measured time per case in `ping` (default 10)
  --warmup SECS    unmeasured load before each `ping` case (default 1)";

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
}

#[derive(Debug)]
struct Options {
    scenario: Scenario,
    runs: usize,
    idle: Duration,
    connections: usize,
    duration: Duration,
    warmup: Duration,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options = Options {
            scenario: Scenario::All,
            runs: 10,
            idle: Duration::from_secs(3),
            connections: 32,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(1),
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
                "--runs" => options.runs = number(&arg, &value()?)?,
                "--idle" => options.idle = seconds(&arg, &value()?)?,
                "--connections" => options.connections = number(&arg, &value()?)?,
                "--duration" => options.duration = seconds(&arg, &value()?)?,
                "--warmup" => options.warmup = seconds(&arg, &value()?)?,
                _ => return Err(format!("unknown argument {arg:?}")),
            }
        }
        if options.runs == 0 || options.connections == 0 || options.duration.is_zero() {
            return Err("--runs, --connections and --duration must be above zero".into());
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
        let load = run_load(server.addr, options);
        let lines = server.stderr_lines().zip(lines_before).map(|(a, b)| a - b);
        let rss = ProcStatus::read(server.pid()).rss_kib;
        server.stop();
        table.row(vec![
            variant.name.to_string(),
            format!("{:.0}", load.per_second()),
            micros(load.percentile(50.0)),
            micros(load.percentile(99.0)),
            micros(load.percentile(100.0)),
            load.errors.to_string(),
            lines.map_or("-".into(), |n| format!("{n} lines")),
            kib(rss),
        ]);
    }
    table.print();
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

// ---------------------------------------------------------------------------------------
// The HTTP client

/// One keep-alive HTTP/1.1 connection sending `GET /api/v4/system/ping`.
struct Connection {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    request: Vec<u8>,
    line: String,
}

impl Connection {
    fn open(addr: SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Connection {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            request: format!("GET {PING_PATH} HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes(),
            line: String::new(),
        })
    }

    /// Sends one request and reads the whole response; returns its status code.
    fn ping(&mut self) -> io::Result<u16> {
        self.writer.write_all(&self.request)?;
        let (status, length) = self.read_head()?;
        let length = length.ok_or_else(|| io::Error::other("response without Content-Length"))?;
        let read = io::copy(&mut (&mut self.reader).take(length), &mut io::sink())?;
        if read != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(status)
    }

    /// Reads the status line and the headers up to the blank line; returns the status
    /// code and the Content-Length, if any.
    fn read_head(&mut self) -> io::Result<(u16, Option<u64>)> {
        let status = self
            .next_line()?
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| io::Error::other("malformed status line"))?;
        let mut length = None;
        loop {
            let header = self.next_line()?;
            if header.is_empty() {
                return Ok((status, length));
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok();
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
}

/// One request on a new connection, for start-up polling.
fn ping_once(addr: SocketAddr) -> io::Result<u16> {
    Connection::open(addr)?.ping()
}

// ---------------------------------------------------------------------------------------
// The load generator

/// What the load threads saw during the measured window.
struct Load {
    elapsed: Duration,
    /// Latency of every successful request, in microseconds; sorted once merged.
    latencies_us: Vec<u32>,
    errors: u64,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Option<u32> {
        let n = self.latencies_us.len();
        let rank = ((p / 100.0 * n as f64).ceil() as usize).clamp(1, n.max(1));
        self.latencies_us.get(rank - 1).copied()
    }
}

/// Drives `options.connections` closed-loop connections: warm-up, then the measured window.
fn run_load(addr: SocketAddr, options: &Options) -> Load {
    let start = Arc::new(Barrier::new(options.connections));
    let workers: Vec<_> = (0..options.connections)
        .map(|_| {
            let start = start.clone();
            let (warmup, duration) = (options.warmup, options.duration);
            thread::spawn(move || load_worker(addr, &start, warmup, duration))
        })
        .collect();
    let mut load = Load {
        elapsed: options.duration,
        latencies_us: Vec::new(),
        errors: 0,
    };
    for worker in workers {
        let (latencies, errors) = worker.join().unwrap();
        load.latencies_us.extend(latencies);
        load.errors += errors;
    }
    load.latencies_us.sort_unstable();
    load
}

/// One connection's loop; returns the latencies measured and the number of failures
/// (error statuses, broken connections). A broken connection is reopened.
fn load_worker(
    addr: SocketAddr,
    start: &Barrier,
    warmup: Duration,
    duration: Duration,
) -> (Vec<u32>, u64) {
    let mut connection = Connection::open(addr).expect("cannot connect to hearth");
    start.wait();
    let measure_from = Instant::now() + warmup;
    let until = measure_from + duration;
    let mut latencies = Vec::with_capacity(64 * 1024);
    let mut errors = 0;
    loop {
        let sent = Instant::now();
        if sent >= until {
            return (latencies, errors);
        }
        let result = connection.ping();
        let measured = sent >= measure_from;
        match result {
            Ok(200) if measured => {
                let us = sent.elapsed().as_micros();
                latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
            }
            Ok(200) => {}
            Ok(_) => errors += u64::from(measured),
            Err(_) => {
                errors += u64::from(measured);
                connection = Connection::open(addr).expect("cannot reconnect to hearth");
            }
        }
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
