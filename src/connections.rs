//! Which TCP connections the server takes, and how long it waits on them: a cap on
//! connections open at once in total and from one IP address, a connection refused past
//! either with a Mattermost-shaped 503 and a log line, writes that stall for
//! `ServiceSettings.WriteTimeout` ending the connection, and the process's file
//! descriptor limit raised at start so the caps, not the kernel, are what bites.
//!
//! Knows nothing about HTTP beyond the one fixed refusal it writes; `server.rs` puts a
//! [`Guarded`] stream under actix-http, so HTTP requests and WebSockets (which keep the
//! stream after the upgrade) are counted alike.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// Descriptors kept back from connections for the database, the search index, uploads
/// and logs, when the total cap is derived from the descriptor limit.
const RESERVED_DESCRIPTORS: u64 = 256;
/// How much longer than `ReadTimeout` the connection's own request clock runs, so that a
/// request whose head arrived is answered 408 by the application's body deadline first.
pub const REQUEST_CLOCK_GRACE: Duration = Duration::from_secs(5);
/// At most one log line about refused connections per this long.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Raises the soft limit on open file descriptors to the hard limit (where the system
/// allows it) and returns the limit now in force, if it can be read.
pub fn raise_descriptor_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(error) => {
            tracing::warn!(%error, "cannot read or raise the open-file limit");
            None
        }
    }
}

/// The total cap: `configured` when set, otherwise what the descriptor limit leaves
/// after the reserve (at least 64).
pub fn total_cap(configured: u64, descriptor_limit: Option<u64>) -> u64 {
    if configured > 0 {
        return configured;
    }
    match descriptor_limit {
        Some(limit) => limit
            .saturating_sub(RESERVED_DESCRIPTORS.max(limit / 10))
            .max(64),
        None => 1024,
    }
}

/// Why a connection was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `MaxConnections` connections are open.
    Total,
    /// `MaxConnectionsPerAddress` connections from this address are open.
    Address,
}

/// The connection counts, shared by every listener and worker.
pub struct Admission {
    total_cap: u64,
    per_address_cap: u64,
    total: AtomicU64,
    by_address: Mutex<HashMap<IpAddr, u64>>,
    refused: AtomicU64,
    last_log: Mutex<Option<Instant>>,
}

impl Admission {
    /// `per_address_cap` 0: no cap per address.
    pub fn new(total_cap: u64, per_address_cap: u64) -> Arc<Self> {
        Arc::new(Admission {
            total_cap,
            per_address_cap,
            total: AtomicU64::new(0),
            by_address: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
            last_log: Mutex::new(None),
        })
    }

    /// Counts a new connection from `peer` in, or says why it is refused.
    pub fn admit(self: &Arc<Self>, peer: Option<SocketAddr>) -> Result<Slot, Refusal> {
        let ip = peer.map(|addr| canonical(addr.ip()));
        let outcome = self.try_admit(ip);
        if let Err(refusal) = outcome {
            self.note_refusal(refusal, ip);
        }
        outcome
    }

    fn try_admit(self: &Arc<Self>, ip: Option<IpAddr>) -> Result<Slot, Refusal> {
        let mut by_address = self
            .by_address
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.total.load(Ordering::Relaxed) >= self.total_cap {
            return Err(Refusal::Total);
        }
        if let Some(ip) = ip
            && self.per_address_cap > 0
        {
            let open = by_address.entry(ip).or_insert(0);
            if *open >= self.per_address_cap {
                return Err(Refusal::Address);
            }
            *open += 1;
        }
        self.total.fetch_add(1, Ordering::Relaxed);
        Ok(Slot {
            admission: self.clone(),
            ip: ip.filter(|_| self.per_address_cap > 0),
        })
    }

    fn release(&self, ip: Option<IpAddr>) {
        let mut by_address = self
            .by_address
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(ip) = ip
            && let Some(open) = by_address.get_mut(&ip)
        {
            *open = open.saturating_sub(1);
            if *open == 0 {
                by_address.remove(&ip);
            }
        }
        self.total.fetch_sub(1, Ordering::Relaxed);
    }

    /// Connections open now.
    pub fn open(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// One line now and then, saying how many were refused since the last one.
    fn note_refusal(&self, refusal: Refusal, ip: Option<IpAddr>) {
        let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        let mut last = self
            .last_log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|at| at.elapsed() < LOG_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        self.refused.store(0, Ordering::Relaxed);
        let address = ip.map(|ip| ip.to_string()).unwrap_or_default();
        match refusal {
            Refusal::Total => tracing::warn!(
                refused,
                cap = self.total_cap,
                latest = %address,
                "refusing connections: the server holds ServiceSettings.MaxConnections connections"
            ),
            Refusal::Address => tracing::warn!(
                refused,
                cap = self.per_address_cap,
                address = %address,
                "refusing connections: this address holds ServiceSettings.MaxConnectionsPerAddress connections"
            ),
        }
    }
}

/// The address a cap counts under: IPv4 clients reaching an IPv6 socket arrive as
/// `::ffff:a.b.c.d` and are `a.b.c.d`; an IPv6 client is its /64, since any one host
/// has a whole /64 of addresses to choose from.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from_bits(
                v6.to_bits() & !((1u128 << 64) - 1),
            )),
        },
        v4 => v4,
    }
}

/// A counted connection; counted out when dropped.
pub struct Slot {
    admission: Arc<Admission>,
    ip: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.admission.release(self.ip);
    }
}

/// The answer written to a refused connection before it is closed.
pub fn refusal_response(refusal: Refusal) -> Vec<u8> {
    let (id, message) = match refusal {
        Refusal::Total => (
            "api.server.connection_limit.app_error",
            "The server has as many connections as it takes. Please try again shortly.",
        ),
        Refusal::Address => (
            "api.server.address_connection_limit.app_error",
            "Too many connections from your address. Please close some and try again.",
        ),
    };
    let body = serde_json::json!({
        "id": id,
        "message": message,
        "detailed_error": "",
        "request_id": "",
        "status_code": 503,
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The refusals actix-http's HTTP/1 dispatcher writes by itself, before any request
/// reaches the application (a request head it cannot parse, one too large for its buffer,
/// one that did not arrive in time): always with an empty body and `connection: close`.
/// The application's own errors always carry a body, so these never match them.
const DISPATCHER_REFUSALS: [(&[u8], &str, &str); 3] = [
    (
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
        "api.context.malformed_request.app_error",
        "The request could not be read: its request line or headers are malformed.",
    ),
    (
        b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n",
        "api.context.request_timeout.app_error",
        "The request's headers did not arrive in time.",
    ),
    (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
        "api.context.request_head_too_large.app_error",
        "The request line and headers are larger than the server accepts.",
    ),
];

/// The same refusal with a Mattermost error body, when `written` is exactly one of
/// [`DISPATCHER_REFUSALS`]: a whole head and nothing else. (Callers also look only at the
/// first write on a connection, so no body bytes, such as a file download's, are ever
/// taken for one.)
fn with_error_body(written: &[u8]) -> Option<Vec<u8>> {
    let head_end = written.windows(4).position(|w| w == b"\r\n\r\n")?;
    if head_end + 4 != written.len() {
        return None;
    }
    let (prefix, id, message) = DISPATCHER_REFUSALS
        .iter()
        .find(|(prefix, _, _)| written.starts_with(prefix))?;
    let status_line = &prefix[..prefix.iter().position(|&b| b == b'\r')?];
    let status: u16 = std::str::from_utf8(status_line.get(9..12)?)
        .ok()?
        .parse()
        .ok()?;
    let body = serde_json::json!({
        "id": id,
        "message": message,
        "detailed_error": "",
        "request_id": "",
        "status_code": status,
    })
    .to_string();
    let mut out = status_line.to_vec();
    out.extend_from_slice(
        format!(
            "\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    Some(out)
}

/// A stream that can be told its connection left HTTP (a WebSocket after its `101`).
pub trait LeavesHttp {
    fn upgraded(&mut self);
}

/// A connection's stream: counted while it lives; ended when a write has waited
/// `write_timeout` on a client that does not read, or when, on plain HTTP, a request's
/// first bytes are not followed by the start of its answer within `read_timeout` and
/// [`REQUEST_CLOCK_GRACE`] (what
/// bounds the heads of later requests on a kept-alive connection, which the dispatcher's
/// own head timer, set once per connection, does not); and giving the HTTP dispatcher's
/// own refusals a Mattermost error body.
pub struct Guarded<S> {
    inner: S,
    _slot: Slot,
    write_timeout: Duration,
    read_timeout: Duration,
    /// Set while a write waits; made only then, so idle connections stay small.
    stalled: Option<Pin<Box<Sleep>>>,
    /// The request now arriving must be answered by then; kept (and reset) between
    /// requests rather than made for each.
    answer_by: Option<Pin<Box<Sleep>>>,
    /// Whether `answer_by` runs: bytes came in since the last write.
    awaiting_answer: bool,
    /// After a `101`: a WebSocket, with pings of its own; no request clock.
    upgraded: bool,
    /// Whether anything has been written yet: only the first write can be a dispatcher
    /// refusal that is rewritten.
    written_any: bool,
    /// A rewritten refusal still being written, and how much of it has been.
    replacing: Option<(Vec<u8>, usize)>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, slot: Slot, write_timeout: Duration, read_timeout: Duration) -> Self {
        Guarded {
            inner,
            _slot: slot,
            write_timeout,
            read_timeout,
            stalled: None,
            answer_by: None,
            awaiting_answer: false,
            upgraded: false,
            written_any: false,
            replacing: None,
        }
    }

    /// A request's first bytes arrived: start its clock.
    fn start_request_clock(&mut self) {
        let deadline = tokio::time::Instant::now() + self.read_timeout + REQUEST_CLOCK_GRACE;
        match self.answer_by.as_mut() {
            Some(sleep) => sleep.as_mut().reset(deadline),
            None => self.answer_by = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
        self.awaiting_answer = true;
    }

    /// Something was written: the request was answered (or is being).
    fn wrote(&mut self) {
        self.awaiting_answer = false;
        self.written_any = true;
    }

    /// Writes what is left of a rewritten refusal; ready once it is all out.
    fn drain_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>
    where
        S: AsyncWrite + Unpin,
    {
        while let Some((bytes, done)) = self.replacing.as_mut() {
            if *done >= bytes.len() {
                self.replacing = None;
                break;
            }
            let poll = Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]);
            match self.progressed(cx, poll) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    if let Some((_, done)) = self.replacing.as_mut() {
                        *done += n;
                    }
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// After a write (or flush) came back pending: start the clock if it is not running,
    /// and fail once it has run out.
    fn stall(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let timeout = self.write_timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if sleep.as_mut().poll(cx).is_ready() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read the response within ServiceSettings.WriteTimeout",
            ));
        }
        Ok(())
    }

    fn progressed<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Pending => match self.stall(cx) {
                Ok(()) => Poll::Pending,
                Err(error) => Poll::Ready(Err(error)),
            },
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<S> LeavesHttp for Guarded<S> {
    fn upgraded(&mut self) {
        self.upgraded = true;
        self.awaiting_answer = false;
        self.answer_by = None;
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.awaiting_answer
            && let Some(sleep) = this.answer_by.as_mut()
            && sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request did not arrive within ServiceSettings.ReadTimeout",
            )));
        }
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(())))
            && buf.filled().len() > before
            && !this.upgraded
            && !this.awaiting_answer
        {
            this.start_request_clock();
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        std::task::ready!(self.drain_replacement(cx))?;
        if !self.written_any
            && !self.upgraded
            && let Some(replacement) = with_error_body(buf)
        {
            self.written_any = true;
            // The dispatcher closes the connection after this, so nothing follows it.
            self.replacing = Some((replacement, 0));
            return match self.drain_replacement(cx) {
                Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        let poll = self.progressed(cx, poll);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.wrote();
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.drain_replacement(cx))?;
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.progressed(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.drain_replacement(cx))?;
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.progressed(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    #[test]
    fn caps_per_address_and_in_total() {
        let admission = Admission::new(3, 2);
        let a1 = admission.admit(addr("10.0.0.1")).unwrap();
        let _a2 = admission.admit(addr("::ffff:10.0.0.1")).unwrap();
        assert_eq!(
            admission.admit(addr("10.0.0.1")).err(),
            Some(Refusal::Address),
            "an IPv4-mapped address is the same address"
        );
        let _b1 = admission.admit(addr("10.0.0.2")).unwrap();
        // One IPv6 host's /64 is one address.
        let v6 = Admission::new(10, 2);
        let _c1 = v6.admit(addr("2001:db8:1:2::1")).unwrap();
        let _c2 = v6.admit(addr("2001:db8:1:2:ffff::9")).unwrap();
        assert_eq!(
            v6.admit(addr("2001:db8:1:2::77")).err(),
            Some(Refusal::Address)
        );
        assert!(v6.admit(addr("2001:db8:1:3::1")).is_ok());
        assert_eq!(
            admission.admit(addr("10.0.0.3")).err(),
            Some(Refusal::Total)
        );
        drop(a1);
        assert_eq!(admission.open(), 2);
        let _a3 = admission.admit(addr("10.0.0.1")).unwrap();
        assert_eq!(admission.open(), 3);
    }

    #[test]
    fn no_per_address_cap_when_zero() {
        let admission = Admission::new(10, 0);
        let slots: Vec<_> = (0..10)
            .map(|_| admission.admit(addr("10.0.0.1")).unwrap())
            .collect();
        assert_eq!(
            admission.admit(addr("10.0.0.1")).err(),
            Some(Refusal::Total)
        );
        drop(slots);
        assert_eq!(admission.open(), 0);
        assert!(admission.by_address.lock().unwrap().is_empty());
    }

    #[test]
    fn the_total_cap_leaves_descriptors_for_files() {
        assert_eq!(total_cap(500, Some(1024)), 500);
        assert_eq!(total_cap(0, Some(1024)), 768);
        assert_eq!(total_cap(0, Some(524_288)), 524_288 - 52_428);
        assert_eq!(total_cap(0, Some(100)), 64);
    }

    #[test]
    fn the_dispatchers_own_refusals_get_an_error_body() {
        let written = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let text = String::from_utf8(with_error_body(written).unwrap()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{head}"
        );
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["status_code"], 408);
        assert_eq!(json["id"], "api.context.request_timeout.app_error");
        // An application error (with its body) passes unchanged, and so does anything
        // that is more than a bare head.
        assert!(
            with_error_body(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 206\r\n\r\n").is_none()
        );
        let mut more = written.to_vec();
        more.extend_from_slice(b"{}");
        assert!(with_error_body(&more).is_none());
        assert!(with_error_body(&written[..written.len() - 2]).is_none());
    }

    #[test]
    fn the_refusal_is_a_complete_http_response() {
        let text = String::from_utf8(refusal_response(Refusal::Address)).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["status_code"], 503);
    }
}
