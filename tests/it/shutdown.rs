//! SIGTERM and SIGINT (Ctrl+C) stop the server gracefully: a request already in flight is answered, then the
//! process exits successfully and stops listening.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Server, data_dir, raw_response, signal};

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish() {
    in_flight_request_survives("TERM");
}

#[tokio::test]
async fn ctrl_c_lets_in_flight_requests_finish() {
    in_flight_request_survives("INT");
}

fn in_flight_request_survives(signal_name: &str) {
    let data = data_dir();
    let server = Server::start(
        data.path(),
        &[("HEARTH_SERVICESETTINGS_ENABLEDEVELOPER", "true")],
    );
    let addr = server.addr();

    // Start a request and send only half of its body.
    let body = r#"{"level":"DEBUG","message":"finishing after SIGTERM"}"#;
    let (first, second) = body.split_at(20);
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/v4/logs HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    signal(server.pid(), signal_name);
    // Long enough that a server which did not wait would be gone by now.
    std::thread::sleep(Duration::from_secs(2));
    // New connections are no longer accepted...
    assert!(
        TcpStream::connect(&addr).is_err(),
        "still accepting after SIGTERM"
    );

    // ...but the request in flight completes.
    stream.write_all(second.as_bytes()).unwrap();
    let response = raw_response(&mut stream);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let (status, logs) = server.wait_exit();
    assert!(status.success(), "exit status {status:?}\n{logs}");
    assert!(logs.contains("Hearth stopped"), "{logs}");
}

#[tokio::test]
async fn stopping_tells_websocket_clients_to_come_back_later() {
    let data = data_dir();
    let server = Server::start(data.path(), &[]);
    let admin = server.admin().await;
    let mut socket = server.ws(&admin.token).await;
    // One more that has not authenticated yet (it would send `authentication_challenge`).
    let mut waiting = server.ws_raw("", "").await.unwrap();

    let started = std::time::Instant::now();
    signal(server.pid(), "TERM");
    // Going away (1001), not an error: clients reconnect once the server is back.
    for socket in [&mut socket, &mut waiting] {
        let closed = socket.closed_by_server(Duration::from_secs(10)).await;
        assert_eq!(
            closed,
            Some((1001, "server shutting down".to_string())),
            "{}",
            server.logs()
        );
    }
    let (status, logs) = server.wait_exit();
    assert!(status.success(), "exit status {status:?}\n{logs}");
    // An open socket does not hold the stop back until the grace period ends.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

/// A stop sent the moment the server says it is ready (a service manager restarting it,
/// a script) is still a graceful one, not the process killed by the signal.
#[tokio::test]
async fn a_stop_right_after_start_is_graceful() {
    for _ in 0..3 {
        let data = data_dir();
        let server = Server::start(data.path(), &[]);
        signal(server.pid(), "TERM");
        let (status, logs) = server.wait_exit();
        assert!(status.success(), "exit status {status:?}\n{logs}");
        assert!(logs.contains("Hearth stopped"), "{logs}");
    }
}
