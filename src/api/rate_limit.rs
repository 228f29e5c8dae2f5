//! Rate limiting: Mattermost's `RateLimitSettings` for every `/api/` request, and a
//! stricter, always-on per-address limit on login attempts.
//!
//! Both are GCRA buckets from `governor`, kept in memory and bounded in size. This module
//! owns the keys (which client a request counts against) and the `X-Ratelimit-*` headers;
//! it knows nothing of the store, and refusals are ordinary [`AppError`]s so they carry
//! Mattermost's error body and the request id.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::Quota;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;

use crate::config::RateLimitSettings;
use crate::error::AppError;

static X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
static X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
static X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Login attempts allowed at once from one address…
const LOGIN_BURST: u32 = 10;
/// …and then one more per this interval.
const LOGIN_REFILL: Duration = Duration::from_secs(6);
/// Addresses whose login attempts are remembered at once.
const LOGIN_TRACKED_ADDRESSES: usize = 100_000;

/// The API limiter built from `RateLimitSettings`; shared by all workers as
/// `web::Data<RateLimiter>` and applied by [`rate_limit`].
pub struct RateLimiter {
    /// `None` when `RateLimitSettings.Enable` is off: requests pass untouched.
    buckets: Option<Buckets<u64>>,
    by_remote_addr: bool,
    by_user: bool,
    by_header: Option<HeaderName>,
    /// Keys are hashes of (address, token, header value), seeded per process: compact,
    /// no session token is kept as a key, and nobody can aim for another client's bucket.
    key_hasher: RandomState,
}

/// The outcome of one check against a limiter, with what the headers need.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Allowed {
        remaining: u32,
        reset_secs: u64,
    },
    Refused {
        retry_after_secs: u64,
        reset_secs: u64,
    },
}

impl RateLimiter {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let by_header = match settings.vary_by_header.trim() {
            "" => None,
            name => match HeaderName::from_bytes(name.as_bytes()) {
                Ok(name) => Some(name),
                Err(_) => {
                    tracing::warn!(
                        header = name,
                        "RateLimitSettings.VaryByHeader is not a header name; ignored"
                    );
                    None
                }
            },
        };
        let buckets = settings.enable.then(|| {
            // Mattermost (through `throttled`) lets MaxBurst requests through *beyond* the
            // first one, so a full bucket holds MaxBurst + 1.
            let burst = settings.max_burst.saturating_add(1);
            let quota =
                Quota::per_second(NonZeroU32::new(settings.per_sec).unwrap_or(NonZeroU32::MIN))
                    .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
            tracing::info!(
                per_sec = settings.per_sec,
                max_burst = settings.max_burst,
                vary_by_remote_addr = settings.vary_by_remote_addr,
                vary_by_user = settings.vary_by_user,
                vary_by_header = %settings.vary_by_header,
                "API rate limiting on"
            );
            Buckets::new(
                quota,
                settings.memory_store_size as usize,
                DefaultClock::default(),
            )
        });
        RateLimiter {
            buckets,
            by_remote_addr: settings.vary_by_remote_addr,
            by_user: settings.vary_by_user,
            by_header,
            key_hasher: RandomState::new(),
        }
    }

    /// Which bucket a request counts against, as Mattermost's `GenerateKey` chooses it:
    /// with VaryByUser a request carrying a token counts against the token, one without
    /// falls back to its address if VaryByRemoteAddr is on (else all anonymous requests
    /// share a bucket); VaryByHeader's value is added. With nothing to vary by, everyone
    /// shares one bucket. The address is the TCP peer's, or the one a trusted proxy names
    /// (`TrustedProxyIPHeader` from `TrustedProxies` only: anyone else could write any).
    fn key(&self, req: &ServiceRequest) -> u64 {
        let token = if self.by_user { auth_token(req) } else { None };
        let address = if token.is_none() && self.by_remote_addr {
            super::auth::client_address(req.request())
        } else {
            None
        };
        let header = self
            .by_header
            .as_ref()
            .and_then(|name| req.headers().get(name))
            .map(HeaderValue::as_bytes);
        self.key_hasher.hash_one((address, token, header))
    }
}

/// Limits `/api/` requests when `RateLimitSettings.Enable` is on. Allowed responses get
/// `X-Ratelimit-Limit`, `-Remaining` and `-Reset` (seconds until the bucket is full);
/// refusals are a Mattermost-shaped 429 with the same headers and `Retry-After`.
/// Must run inside `request_context`, so the 429 body carries the request id.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req.app_data::<web::Data<RateLimiter>>().cloned();
    let checked = limiter.as_ref().and_then(|limiter| {
        let buckets = limiter.buckets.as_ref()?;
        req.path()
            .starts_with("/api/")
            .then(|| (buckets.limit(), buckets.check(&limiter.key(&req))))
    });
    let Some((limit, verdict)) = checked else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };

    match verdict {
        Verdict::Allowed {
            remaining,
            reset_secs,
        } => {
            let mut response = next.call(req).await?.map_into_boxed_body();
            set_headers(response.headers_mut(), limit, remaining, reset_secs);
            Ok(response)
        }
        Verdict::Refused {
            retry_after_secs,
            reset_secs,
        } => {
            tracing::debug!(
                path = req.path(),
                retry_after_secs,
                "request refused by the rate limit"
            );
            let mut response = AppError::TooManyRequests { retry_after_secs }.error_response();
            set_headers(response.headers_mut(), limit, 0, reset_secs);
            Ok(req.into_response(response))
        }
    }
}

fn set_headers(headers: &mut HeaderMap, limit: u32, remaining: u32, reset_secs: u64) {
    headers.insert(X_RATELIMIT_LIMIT.clone(), HeaderValue::from(limit));
    headers.insert(X_RATELIMIT_REMAINING.clone(), HeaderValue::from(remaining));
    headers.insert(X_RATELIMIT_RESET.clone(), HeaderValue::from(reset_secs));
}

/// The token the request authenticates with, found exactly as authentication finds it
/// (so a stray cookie or query parameter cannot buy a fresh bucket).
fn auth_token(req: &ServiceRequest) -> Option<String> {
    super::auth::request_token(req.request())
}

/// The built-in limit on failed sign-ins: a budget of 10 per client address, coming back
/// at one every 6 seconds. Only failures spend it, so an office of hundreds behind one NAT
/// address can all sign in at nine o'clock, while a password guesser from one address is
/// held to one guess per 6 s. Attempts still being checked count against what is left, so
/// guesses sent all at once cannot outrun the budget either (at most 10 are checked before
/// the first failure is known). Always on, whatever `RateLimitSettings` say, because
/// password guessing is worth stopping even where API limits are off. Shared as
/// `web::Data<LoginLimiter>`.
pub struct LoginLimiter {
    addresses: std::sync::Mutex<HashMap<String, Budget>>,
}

/// What one address has left.
#[derive(Debug)]
struct Budget {
    /// Failures it may still have, fractional while coming back.
    left: f64,
    /// When `left` was last brought up to date.
    at: std::time::Instant,
    /// Its sign-ins being checked now.
    in_flight: u32,
}

impl Budget {
    fn refill(&mut self, now: std::time::Instant) {
        let back =
            now.saturating_duration_since(self.at).as_secs_f64() / LOGIN_REFILL.as_secs_f64();
        self.left = (self.left + back).min(f64::from(LOGIN_BURST));
        self.at = now;
    }
}

/// A sign-in being checked, counted against its address until dropped; [`failed`]
/// spends one of the address's failures.
///
/// [`failed`]: LoginAttempt::failed
pub struct LoginAttempt<'a> {
    limiter: &'a LoginLimiter,
    key: String,
    failed: bool,
}

impl LoginAttempt<'_> {
    /// The sign-in failed: it counts.
    pub fn failed(mut self) {
        self.failed = true;
    }
}

impl Drop for LoginAttempt<'_> {
    fn drop(&mut self) {
        let mut addresses = self.limiter.addresses();
        if let Some(budget) = addresses.get_mut(&self.key) {
            budget.in_flight = budget.in_flight.saturating_sub(1);
            if self.failed {
                // Brought up to date at the next check, from `at`: the same sum.
                budget.left = (budget.left - 1.0).max(0.0);
            }
        }
    }
}

impl LoginLimiter {
    pub fn new() -> Self {
        LoginLimiter {
            addresses: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Before a sign-in from `ip`: the attempt, or `TooManyRequests` when its failures and
    /// the attempts already being checked leave nothing.
    pub fn check(&self, ip: &str) -> Result<LoginAttempt<'_>, AppError> {
        self.check_at(ip, std::time::Instant::now())
    }

    fn check_at(&self, ip: &str, now: std::time::Instant) -> Result<LoginAttempt<'_>, AppError> {
        let key = login_key(ip);
        let mut addresses = self.addresses();
        if addresses.len() >= LOGIN_TRACKED_ADDRESSES && !addresses.contains_key(&key) {
            // Full: forget the addresses that are whole again and idle (they are no
            // different from new ones); if that is not enough, every idle one.
            addresses.retain(|_, budget| {
                budget.refill(now);
                budget.in_flight > 0 || budget.left < f64::from(LOGIN_BURST)
            });
            if addresses.len() >= LOGIN_TRACKED_ADDRESSES {
                addresses.retain(|_, budget| budget.in_flight > 0);
            }
        }
        let budget = addresses.entry(key.clone()).or_insert(Budget {
            left: f64::from(LOGIN_BURST),
            at: now,
            in_flight: 0,
        });
        budget.refill(now);
        if budget.left - f64::from(budget.in_flight) >= 1.0 {
            budget.in_flight += 1;
            return Ok(LoginAttempt {
                limiter: self,
                key,
                failed: false,
            });
        }
        // Waiting on attempts in flight: they end within a second or so. Otherwise, until
        // the next failure comes back.
        let retry_after_secs = if budget.left >= 1.0 {
            1
        } else {
            ((1.0 - budget.left) * LOGIN_REFILL.as_secs_f64())
                .ceil()
                .max(1.0) as u64
        };
        Err(AppError::TooManyRequests { retry_after_secs })
    }

    fn addresses(&self) -> std::sync::MutexGuard<'_, HashMap<String, Budget>> {
        self.addresses
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter::new()
    }
}

/// The bucket of a login attempt's address. An IPv6 client usually holds a whole /64, so
/// it is counted by that prefix; otherwise each address of it would get its own burst.
fn login_key(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

type KeyedLimiter<K, C> =
    governor::RateLimiter<K, DashMapStateStore<K>, C, StateInformationMiddleware>;

/// A keyed GCRA limiter that keeps at most about `capacity` keys.
///
/// Keys are whatever clients send, so the map must not grow without limit. When it holds
/// more than `capacity`, keys whose bucket has refilled are dropped (`retain_recent`: they
/// are indistinguishable from new ones); if most keys are still mid-burst the whole map is
/// replaced. That is acceptable: an evicted client merely regains its full burst, as it
/// would in Mattermost's LRU store, and it only happens when more clients are active at
/// once than the store was sized for.
struct Buckets<K, C = DefaultClock>
where
    K: Hash + Eq + Clone,
    C: Clock + Clone,
{
    quota: Quota,
    capacity: usize,
    clock: C,
    /// Checks share the read side (the map itself is concurrent); the write side is taken
    /// only to replace the whole map, which `governor` offers no other way to empty.
    limiter: RwLock<KeyedLimiter<K, C>>,
}

impl<K, C> Buckets<K, C>
where
    K: Hash + Eq + Clone,
    C: Clock + Clone,
{
    fn new(quota: Quota, capacity: usize, clock: C) -> Self {
        Buckets {
            quota,
            capacity: capacity.max(1),
            limiter: RwLock::new(Self::fresh(quota, clock.clone())),
            clock,
        }
    }

    fn fresh(quota: Quota, clock: C) -> KeyedLimiter<K, C> {
        governor::RateLimiter::dashmap_with_clock(quota, clock)
            .with_middleware::<StateInformationMiddleware>()
    }

    /// A full bucket's size.
    fn limit(&self) -> u32 {
        self.quota.burst_size().get()
    }

    fn check(&self, key: &K) -> Verdict {
        let interval = self.quota.replenish_interval();
        let burst = self.limit();
        let (verdict, crowded) = {
            let limiter = self.limiter.read().unwrap_or_else(PoisonError::into_inner);
            let verdict = match limiter.check_key(key) {
                Ok(snapshot) => {
                    let remaining = snapshot.remaining_burst_capacity();
                    Verdict::Allowed {
                        remaining,
                        // An estimate: each used cell takes one interval to come back.
                        reset_secs: ceil_secs(interval * (burst - remaining.min(burst))),
                    }
                }
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    Verdict::Refused {
                        retry_after_secs: ceil_secs(wait).max(1),
                        reset_secs: ceil_secs(wait + interval * (burst - 1)),
                    }
                }
            };
            (verdict, limiter.len() > self.capacity)
        };
        if crowded {
            self.evict();
        }
        verdict
    }

    fn evict(&self) {
        let mut limiter = self.limiter.write().unwrap_or_else(PoisonError::into_inner);
        limiter.retain_recent();
        // Leave a tenth free, so this sweep runs once per many new keys, not for each.
        if limiter.len() > self.capacity - self.capacity / 10 {
            tracing::warn!(
                capacity = self.capacity,
                "rate limit store full of active clients; forgetting them all"
            );
            *limiter = Self::fresh(self.quota, self.clock.clone());
        } else {
            limiter.shrink_to_fit();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.limiter
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Whole seconds, rounded up: a client told 0 would retry at once and be refused again.
fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn buckets(
        quota: Quota,
        capacity: usize,
    ) -> (Buckets<String, FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (Buckets::new(quota, capacity, clock.clone()), clock)
    }

    fn allowed(verdict: Verdict) -> u32 {
        match verdict {
            Verdict::Allowed { remaining, .. } => remaining,
            refused => panic!("expected to be allowed: {refused:?}"),
        }
    }

    /// A sign-in attempt from `ip` that fails, as the handler runs it.
    fn fail(limiter: &LoginLimiter, ip: &str) -> Result<(), AppError> {
        limiter.check(ip)?.failed();
        Ok(())
    }

    #[test]
    fn successful_sign_ins_are_not_counted() {
        let limiter = LoginLimiter::new();
        for _ in 0..1000 {
            assert!(limiter.check("192.0.2.7").is_ok());
        }
    }

    #[test]
    fn guesses_sent_at_once_cannot_outrun_the_budget() {
        let limiter = LoginLimiter::new();
        let attempts: Vec<_> = (0..LOGIN_BURST)
            .map(|_| limiter.check("192.0.2.7").unwrap())
            .collect();
        assert!(matches!(
            limiter.check("192.0.2.7"),
            Err(AppError::TooManyRequests {
                retry_after_secs: 1
            })
        ));
        // Once they are known to have succeeded, the budget is whole again.
        drop(attempts);
        assert!(limiter.check("192.0.2.7").is_ok());
    }

    #[test]
    fn login_allows_ten_failures_then_refuses_that_address_only() {
        let limiter = LoginLimiter::new();
        for attempt in 0..LOGIN_BURST {
            assert!(fail(&limiter, "192.0.2.7").is_ok(), "attempt {attempt}");
        }
        match limiter.check("192.0.2.7") {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=6).contains(&retry_after_secs), "{retry_after_secs}");
            }
            other => panic!("expected a refusal: {:?}", other.err()),
        }
        assert!(limiter.check("192.0.2.8").is_ok());
        // A v4-mapped IPv6 address is the same client.
        assert!(limiter.check("::ffff:192.0.2.7").is_err());
    }

    #[test]
    fn login_counts_an_ipv6_client_by_its_64_prefix() {
        let limiter = LoginLimiter::new();
        for n in 0..LOGIN_BURST {
            assert!(fail(&limiter, &format!("2001:db8:1:2::{n:x}")).is_ok());
        }
        assert!(limiter.check("2001:db8:1:2:ffff::1").is_err());
        assert!(limiter.check("2001:db8:1:3::1").is_ok());
    }

    #[test]
    fn login_failures_come_back_one_per_six_seconds() {
        let limiter = LoginLimiter::new();
        let start = std::time::Instant::now();
        for _ in 0..LOGIN_BURST {
            limiter.check_at("192.0.2.7", start).unwrap().failed();
        }
        match limiter.check_at("192.0.2.7", start) {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((5..=6).contains(&retry_after_secs), "{retry_after_secs}");
            }
            other => panic!("expected a refusal: {:?}", other.err()),
        }
        assert!(
            limiter
                .check_at("192.0.2.7", start + Duration::from_secs(5))
                .is_err()
        );
        let attempt = limiter.check_at("192.0.2.7", start + Duration::from_secs(7));
        assert!(attempt.is_ok());
        attempt.unwrap().failed();
        assert!(
            limiter
                .check_at("192.0.2.7", start + Duration::from_secs(8))
                .is_err()
        );
    }

    #[test]
    fn remaining_counts_down_and_reset_estimates_the_refill() {
        let quota = Quota::per_second(NonZeroU32::MIN).allow_burst(NonZeroU32::new(4).unwrap());
        let (buckets, clock) = buckets(quota, 100);
        let key = "k".to_string();
        let seen: Vec<_> = (0..4).map(|_| buckets.check(&key)).collect();
        assert_eq!(
            seen,
            [3, 2, 1, 0].map(|remaining| Verdict::Allowed {
                remaining,
                reset_secs: u64::from(4 - remaining)
            })
        );
        assert_eq!(
            buckets.check(&key),
            Verdict::Refused {
                retry_after_secs: 1,
                reset_secs: 4
            }
        );
        clock.advance(Duration::from_millis(1100));
        assert_eq!(allowed(buckets.check(&key)), 0);
    }

    #[test]
    fn the_store_stays_bounded_and_keeps_busy_keys_when_it_can() {
        let quota = Quota::per_second(NonZeroU32::MIN).allow_burst(NonZeroU32::new(2).unwrap());
        let (buckets, clock) = buckets(quota, 10);
        // Nine one-off clients, whose buckets have refilled three seconds later…
        for n in 0..9 {
            allowed(buckets.check(&format!("idle-{n}")));
        }
        clock.advance(Duration::from_secs(3));
        // …and a busy one that has just emptied its bucket.
        let busy = "busy".to_string();
        allowed(buckets.check(&busy));
        allowed(buckets.check(&busy));
        assert_eq!(buckets.len(), 10);

        // The eleventh key sweeps out the idle ones and nothing else.
        allowed(buckets.check(&"newcomer".to_string()));
        assert_eq!(buckets.len(), 2);
        assert!(matches!(buckets.check(&busy), Verdict::Refused { .. }));

        // When every key is mid-burst, the store is emptied rather than allowed to grow;
        // the price is that the busy client gets a full bucket again.
        for n in 0..100 {
            allowed(buckets.check(&format!("active-{n}")));
            assert!(buckets.len() <= 10, "{}", buckets.len());
        }
        assert_eq!(allowed(buckets.check(&busy)), 1);
    }

    fn settings(by_remote_addr: bool, by_user: bool, by_header: &str) -> RateLimitSettings {
        RateLimitSettings {
            enable: true,
            vary_by_remote_addr: by_remote_addr,
            vary_by_user: by_user,
            vary_by_header: by_header.into(),
            ..RateLimitSettings::default()
        }
    }

    fn from(addr: &str) -> TestRequest {
        TestRequest::get()
            .uri("/api/v4/system/ping")
            .peer_addr(addr.parse().unwrap())
    }

    #[test]
    fn keys_follow_mattermost_vary_settings() {
        let by_user = RateLimiter::new(&settings(true, true, ""));
        let key = |req: TestRequest| by_user.key(&req.to_srv_request());
        let token = key(from("192.0.2.1:1000").insert_header(("Authorization", "Bearer abc")));
        // One token is one client, wherever it comes from and however it is sent.
        assert_eq!(
            token,
            key(from("192.0.2.2:1000").insert_header(("Authorization", "token abc")))
        );
        assert_eq!(
            token,
            key(from("192.0.2.3:1").cookie(actix_web::cookie::Cookie::new("MMAUTHTOKEN", "abc")))
        );
        assert_eq!(
            token,
            key(TestRequest::get()
                .uri("/api/v4/x?a=1&access_token=abc")
                .peer_addr("192.0.2.4:1".parse().unwrap()))
        );
        assert_ne!(
            token,
            key(from("192.0.2.1:1000").insert_header(("Authorization", "Bearer xyz")))
        );
        // Without a token, the address; the port does not matter.
        assert_eq!(key(from("192.0.2.9:1")), key(from("192.0.2.9:2")));
        assert_ne!(key(from("192.0.2.9:1")), key(from("192.0.2.10:1")));

        let by_header = RateLimiter::new(&settings(false, false, "X-Client"));
        let key = |req: TestRequest| by_header.key(&req.to_srv_request());
        assert_eq!(
            key(from("192.0.2.1:1").insert_header(("X-Client", "a"))),
            key(from("192.0.2.2:1").insert_header(("x-client", "a")))
        );
        assert_ne!(
            key(from("192.0.2.1:1").insert_header(("X-Client", "a"))),
            key(from("192.0.2.1:1").insert_header(("X-Client", "b")))
        );

        let shared = RateLimiter::new(&settings(false, false, ""));
        let key = |req: TestRequest| shared.key(&req.to_srv_request());
        assert_eq!(
            key(from("192.0.2.1:1")),
            key(from("198.51.100.1:1").insert_header(("Authorization", "Bearer abc")))
        );
    }

    #[test]
    fn disabled_limiter_keeps_no_buckets() {
        let limiter = RateLimiter::new(&RateLimitSettings::default());
        assert!(limiter.buckets.is_none());
    }
}
