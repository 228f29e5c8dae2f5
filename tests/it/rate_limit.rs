//! API rate limiting through the running server: Mattermost's `RateLimitSettings`, the
//! `X-Ratelimit-*` headers, a Mattermost-shaped 429 with `Retry-After`, and recovery.

use std::time::Duration;

use reqwest::RequestBuilder;

use crate::support::{Server, assert_error, data_dir, json};

const PING: &str = "/api/v4/system/ping";
const ENABLE: (&str, &str) = ("HEARTH_RATELIMITSETTINGS_ENABLE", "true");
const PER_SEC_1: (&str, &str) = ("HEARTH_RATELIMITSETTINGS_PERSEC", "1");
/// As in Mattermost, MaxBurst requests are allowed beyond the first: 4 at once.
const MAX_BURST_3: (&str, &str) = ("HEARTH_RATELIMITSETTINGS_MAXBURST", "3");

/// A response's status, rate-limit headers (absent: `None`) and JSON body.
struct Seen {
    status: u16,
    limit: Option<String>,
    remaining: Option<u32>,
    reset: Option<u64>,
    retry_after: Option<String>,
    body: serde_json::Value,
}

async fn check(request: RequestBuilder) -> Seen {
    let response = request.send().await.expect("request");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("ASCII header").to_string())
    };
    let limit = header("x-ratelimit-limit");
    let remaining = header("x-ratelimit-remaining").map(|v| v.parse().expect("a count"));
    let reset = header("x-ratelimit-reset").map(|v| v.parse().expect("seconds"));
    let retry_after = header("retry-after");
    let (status, body) = json(response).await;
    Seen {
        status,
        limit,
        remaining,
        reset,
        retry_after,
        body,
    }
}

#[tokio::test]
async fn a_client_over_its_burst_gets_a_429_and_recovers() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            ENABLE,
            PER_SEC_1,
            MAX_BURST_3,
            ("HEARTH_RATELIMITSETTINGS_VARYBYREMOTEADDR", "true"),
        ],
    );

    let mut remaining = Vec::new();
    for _ in 0..4 {
        let seen = check(server.get(PING)).await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.limit.as_deref(), Some("4"));
        assert!(seen.reset.is_some_and(|r| (1..=4).contains(&r)));
        remaining.push(seen.remaining.expect("X-Ratelimit-Remaining"));
    }
    assert_eq!(remaining, [3, 2, 1, 0]);

    let refused = check(server.get(PING)).await;
    assert_error(
        refused.status,
        &refused.body,
        429,
        "api.context.rate_limit_exceeded.app_error",
    );
    assert_eq!(refused.retry_after.as_deref(), Some("1"));
    assert_eq!(refused.remaining, Some(0));
    assert_eq!(refused.limit.as_deref(), Some("4"));
    assert!(refused.reset.is_some_and(|r| r >= 1));

    // The web client and other non-API paths are never limited.
    let page = check(server.get("/")).await;
    assert_ne!(page.status, 429);
    assert_eq!(page.remaining, None);

    // One request per second comes back.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = check(server.get(PING)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.remaining, Some(0));
    assert_eq!(check(server.get(PING)).await.status, 429);
}

#[tokio::test]
async fn without_enable_nothing_is_limited_or_announced() {
    let data = data_dir();
    let server = Server::start(data.path(), &[PER_SEC_1, MAX_BURST_3]);
    for _ in 0..20 {
        let seen = check(server.get(PING)).await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.limit, None);
        assert_eq!(seen.remaining, None);
        assert_eq!(seen.reset, None);
    }
}

#[tokio::test]
async fn vary_by_header_gives_each_value_its_own_bucket() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            ENABLE,
            PER_SEC_1,
            MAX_BURST_3,
            ("HEARTH_RATELIMITSETTINGS_VARYBYREMOTEADDR", "false"),
            ("HEARTH_RATELIMITSETTINGS_VARYBYHEADER", "X-Client"),
        ],
    );
    let as_client = |name: &str| server.get(PING).header("X-Client", name);
    for _ in 0..4 {
        assert_eq!(check(as_client("alpha")).await.status, 200);
    }
    assert_eq!(check(as_client("alpha")).await.status, 429);

    let other = check(as_client("beta")).await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert_eq!(other.remaining, Some(3));
    // Without the header, a request counts against the header-less bucket, not alpha's.
    assert_eq!(check(server.get(PING)).await.status, 200);
}

#[tokio::test]
async fn vary_by_user_counts_a_token_however_it_is_sent() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            ENABLE,
            PER_SEC_1,
            MAX_BURST_3,
            ("HEARTH_RATELIMITSETTINGS_VARYBYUSER", "true"),
        ],
    );
    let with_token = [
        server.get(PING).header("Authorization", "Bearer tok1"),
        server.get(PING).header("Authorization", "TOKEN tok1"),
        server.get(PING).header("Cookie", "MMAUTHTOKEN=tok1"),
        server.get(&format!("{PING}?access_token=tok1")),
    ];
    for request in with_token {
        assert_eq!(check(request).await.status, 200);
    }
    let refused = check(server.get(PING).header("Authorization", "Bearer tok1")).await;
    assert_eq!(refused.status, 429, "{}", refused.body);

    // Another token, and anonymous requests from this address, have their own buckets.
    let other = server.get(PING).header("Authorization", "Bearer tok2");
    assert_eq!(check(other).await.status, 200);
    assert_eq!(check(server.get(PING)).await.status, 200);
}
