//! Every error a client can cause gets Mattermost's error body, with the request id that
//! is also in the `X-Request-Id` header.

use reqwest::Method;

use crate::support::{Server, assert_error, data_dir, json};

const DEVELOPER: (&str, &str) = ("HEARTH_SERVICESETTINGS_ENABLEDEVELOPER", "true");

#[tokio::test]
async fn unknown_api_path_is_a_404_with_mattermost_shape() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let response = server.get("/api/v4/no/such/thing").send().await.unwrap();
    let header_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let (status, body) = json(response).await;
    assert_error(status, &body, 404, "api.context.404.app_error");
    assert_eq!(body["request_id"], header_id.as_str());

    // Other API versions and bare /api are not the web client either.
    for path in ["/api/v3/users", "/api"] {
        let (status, body) = server.get_json(path).await;
        assert_error(status, &body, 404, "api.context.404.app_error");
    }
}

#[tokio::test]
async fn wrong_method_is_a_405_with_mattermost_shape() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    for method in [Method::DELETE, Method::POST, Method::PUT] {
        let response = server
            .request(method.clone(), "/api/v4/system/ping")
            .send()
            .await
            .unwrap();
        let (status, body) = json(response).await;
        assert_error(
            status,
            &body,
            405,
            "api.context.method_not_allowed.app_error",
        );
    }
    let (status, body) = json(server.get("/api/v4/config/reload").send().await.unwrap()).await;
    assert_error(
        status,
        &body,
        405,
        "api.context.method_not_allowed.app_error",
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_naming_the_problem() {
    let data = data_dir();
    let server = Server::start(data.path(), &[DEVELOPER]);
    let send = |body: &'static str| {
        server
            .post("/api/v4/logs")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };

    let (status, body) = json(send("{\"level\": \"ERROR\", ").await.unwrap()).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    assert!(
        body["detailed_error"].as_str().unwrap().contains("EOF"),
        "{body}"
    );

    let (status, body) = json(send("{\"level\": \"ERROR\"}").await.unwrap()).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );
    assert!(
        body["detailed_error"].as_str().unwrap().contains("message"),
        "{body}"
    );

    let (status, body) = json(send("[1, 2]").await.unwrap()).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    let (status, body) = json(
        send("{\"level\": \"LOUD\", \"message\": \"x\"}")
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // Like Mattermost, the body is read as JSON whatever the Content-Type says.
    let response = server
        .post("/api/v4/logs")
        .header("Content-Type", "text/plain")
        .body(r#"{"level": "ERROR", "message": "typed as text"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = server
        .post("/api/v4/logs")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("level=ERROR&message=x")
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_body_param.app_error",
    );

    // And a good body goes through, into the server log.
    let (status, _) = json(
        send("{\"level\": \"ERROR\", \"message\": \"client says hi\"}")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(server.logged("client says hi").await);
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[
            DEVELOPER,
            ("HEARTH_SERVICESETTINGS_MAXIMUMPAYLOADSIZEBYTES", "2048"),
        ],
    );
    let big = format!(r#"{{"level":"DEBUG","message":"{}"}}"#, "x".repeat(4096));
    let (status, body) = json(
        server
            .post("/api/v4/logs")
            .header("Content-Type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        status,
        &body,
        413,
        "api.context.request_body_too_large.app_error",
    );
    assert!(body["message"].as_str().unwrap().contains("2048"), "{body}");

    // The same without a Content-Length (chunked) is caught while reading.
    let stream = futures_stream(big);
    let (status, body) = json(
        server
            .post("/api/v4/logs")
            .header("Content-Type", "application/json")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        status,
        &body,
        413,
        "api.context.request_body_too_large.app_error",
    );

    // Just under the limit is fine.
    let fits = format!(r#"{{"level":"DEBUG","message":"{}"}}"#, "x".repeat(1900));
    let response = server
        .post("/api/v4/logs")
        .header("Content-Type", "application/json")
        .body(fits)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn futures_stream(
    body: String,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
        .into_bytes()
        .chunks(512)
        .map(|c| Ok(c.to_vec()))
        .collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn client_logs_need_developer_mode_when_anonymous() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let response = server
        .post("/api/v4/logs")
        .json(&serde_json::json!({"level": "ERROR", "message": "let me in"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_error(status, &body, 403, "api.context.permissions.app_error");
    // The access line comes after anything the handler logged: once it is there, the
    // refused message would be too.
    assert!(server.logged("path=/api/v4/logs status=403").await);
    assert!(!server.logs().contains("let me in"));
}

#[tokio::test]
async fn bad_queries_are_400s_and_overlong_urls_414s() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let (status, body) = server
        .get_json("/api/v4/system/ping?get_server_status=maybe")
        .await;
    assert_error(
        status,
        &body,
        400,
        "api.context.invalid_url_param.app_error",
    );

    // Mattermost answers a URL over `MaximumURLLength` with 414.
    let long = format!("/api/v4/system/ping?pad={}", "a".repeat(3000));
    let (status, body) = server.get_json(&long).await;
    assert_error(status, &body, 414, "api.context.url_too_long.app_error");
}

#[tokio::test]
async fn every_response_carries_request_and_version_ids() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let mut seen = std::collections::HashSet::new();
    for path in ["/api/v4/system/ping", "/api/v4/nope", "/"] {
        let response = server.get(path).send().await.unwrap();
        let headers = response.headers();
        let request_id = headers["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(request_id.len(), 26);
        assert!(seen.insert(request_id), "request ids must differ");
        let version = headers["x-version-id"].to_str().unwrap();
        // Clients read the server version from the first three dot-separated parts.
        assert!(version.starts_with("11.6.0."), "{version}");
        assert_eq!(version.split('.').count(), 6, "{version}");
    }
    // One access-log line per request, without query strings (they may hold tokens).
    server
        .get("/api/v4/system/ping?access_token=supersecret")
        .send()
        .await
        .unwrap();
    // Standard error is drained by a thread of its own: wait for the lines to arrive.
    assert!(
        server.logged("path=/api/v4/nope status=404").await,
        "{}",
        server.logs()
    );
    let pings = "path=/api/v4/system/ping status=200";
    for _ in 0..250 {
        if server.logs().matches(pings).count() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let logs = server.logs();
    assert_eq!(logs.matches(pings).count(), 2, "{logs}");
    assert!(!logs.contains("supersecret"));
}
