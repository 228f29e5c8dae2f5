//! A WebSocket test client speaking Mattermost's protocol.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::Server;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A connected client: reads frames, sends actions with increasing `seq`.
pub struct WsClient {
    socket: Socket,
    next_seq: i64,
    /// The `connection_id` from `hello` (or the one resumed).
    pub connection_id: String,
    /// The `seq` of the last event received.
    pub last_seq: i64,
}

/// How long a test waits for a frame it expects.
pub const WAIT: Duration = Duration::from_secs(10);

impl Server {
    pub fn ws_url(&self, query: &str) -> String {
        format!("ws://{}/api/v4/websocket{query}", self.addr())
    }

    /// Connects with `Authorization: Bearer` and reads the `hello`.
    pub async fn ws(&self, token: &str) -> WsClient {
        let mut client = self.ws_raw(token, "").await.expect("websocket connects");
        let hello = client.event().await;
        assert_eq!(hello["event"], "hello", "{hello}");
        assert_eq!(hello["seq"], 0);
        client.connection_id = hello["data"]["connection_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        client
    }

    /// Connects (token may be empty: no credentials) without reading anything.
    pub async fn ws_raw(
        &self,
        token: &str,
        query: &str,
    ) -> Result<WsClient, tokio_tungstenite::tungstenite::Error> {
        let mut request = self.ws_url(query).into_client_request()?;
        if !token.is_empty() {
            request.headers_mut().insert(
                "Authorization",
                format!("Bearer {token}").parse().expect("header"),
            );
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(WsClient {
            socket,
            next_seq: 1,
            connection_id: String::new(),
            last_seq: 0,
        })
    }
}

impl WsClient {
    /// Sends an action and returns its `seq`.
    pub async fn send(&mut self, action: &str, data: Value) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.send_text(json!({ "seq": seq, "action": action, "data": data }).to_string())
            .await;
        seq
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_message(&mut self, message: Message) {
        self.socket.send(message).await.expect("send");
    }

    /// The next JSON frame (event or reply), or `None` when the socket closes.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        self.next_with_text(wait).await.map(|(value, _)| value)
    }

    /// The next JSON frame with its text exactly as the server sent it, for tests that
    /// look at everything a frame says, not only the fields they know.
    pub async fn next_with_text(&mut self, wait: Duration) -> Option<(Value, String)> {
        loop {
            let frame = tokio::time::timeout(wait, self.socket.next())
                .await
                .ok()??;
            match frame {
                Ok(Message::Text(text)) => {
                    let value: Value = serde_json::from_str(&text).expect("server frames are JSON");
                    if let Some(seq) = value.get("seq").and_then(Value::as_i64) {
                        self.last_seq = seq;
                    }
                    return Some((value, text.to_string()));
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// The next frame; panics if none comes.
    pub async fn event(&mut self) -> Value {
        self.next(WAIT).await.expect("a frame from the server")
    }

    /// Skips frames until an event named `name` arrives; panics if none does.
    pub async fn expect_event(&mut self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(frame) if frame["event"] == name => return frame,
                Some(_) => continue,
                None => panic!("no {name} event arrived"),
            }
        }
    }

    /// Skips frames until the reply to `seq` arrives.
    pub async fn reply(&mut self, seq: i64) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(frame) if frame["seq_reply"] == seq => return frame,
                Some(_) => continue,
                None => panic!("no reply to {seq}"),
            }
        }
    }

    /// Collects the names of events arriving within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Some(frame) = self.next(wait).await {
            frames.push(frame);
        }
        frames
    }

    /// Waits for the server to close the socket, skipping other frames: the close code
    /// and reason, or `None` if it stays open for `wait`.
    pub async fn closed_by_server(&mut self, wait: Duration) -> Option<(u16, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.socket.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Some(frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.to_string())
                    }));
                }
                Ok(None | Some(Err(_))) => return Some((1006, String::new())),
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
