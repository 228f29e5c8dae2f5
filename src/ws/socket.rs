//! The WebSocket wire under a connection: frames in and out over the upgraded socket.
//!
//! Kept deliberately small, because ten thousand of them idle at once: after the upgrade
//! the HTTP dispatcher (and its two 8 KiB buffers) is gone, and an idle socket holds a
//! 512-byte read buffer that grows only while a large frame arrives. Frames are parsed
//! and written with actix-http's WebSocket codec.

use std::time::Duration;

use actix_codec::{Decoder, Encoder};
use actix_http::ws::{CloseCode, CloseReason, Codec, Frame, Item, Message, ProtocolError};
use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What an idle socket keeps for reading; enough for pings, pongs and most actions.
const IDLE_READ_BYTES: usize = 512;
/// A peer that takes longer than this to accept one frame is gone (or not reading).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing socket waits for the peer's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// A message from the peer, continuations already joined.
#[derive(Debug)]
pub enum Incoming {
    Text(String),
    Binary(Bytes),
    Ping(Bytes),
    Pong,
    Close,
}

/// Why reading failed: the peer broke the protocol. The connection should be closed with
/// the code given.
#[derive(Debug)]
pub struct Broken {
    pub code: CloseCode,
    pub reason: String,
}

impl From<ProtocolError> for Broken {
    fn from(error: ProtocolError) -> Self {
        let code = match error {
            ProtocolError::Overflow => CloseCode::Size,
            _ => CloseCode::Protocol,
        };
        Broken {
            code,
            reason: error.to_string(),
        }
    }
}

/// A message being received in several frames.
struct Partial {
    text: bool,
    bytes: BytesMut,
}

/// One upgraded connection.
pub struct Socket<T> {
    io: T,
    read: BytesMut,
    codec: Codec,
    partial: Option<Partial>,
    max_message: usize,
    /// The peer sent its close frame.
    peer_closed: bool,
    /// A write failed or timed out, perhaps halfway through a frame: send nothing more.
    broken: bool,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Socket<T> {
    /// Wraps an upgraded stream. `already_read` holds any bytes that arrived with the
    /// upgrade request; `max_message` bounds a frame and a joined message alike.
    pub fn new(io: T, already_read: BytesMut, max_message: usize) -> Self {
        let read = if already_read.is_empty() {
            BytesMut::with_capacity(IDLE_READ_BYTES)
        } else {
            already_read
        };
        Socket {
            io,
            read,
            codec: Codec::new().max_size(max_message),
            partial: None,
            max_message,
            peer_closed: false,
            broken: false,
        }
    }

    /// The next message, `None` when the peer has gone. Cancel-safe: a message that is
    /// half read stays buffered for the next call.
    pub async fn recv(&mut self) -> Option<Result<Incoming, Broken>> {
        loop {
            match self.codec.decode(&mut self.read) {
                Ok(Some(frame)) => match self.join(frame) {
                    Ok(Some(message)) => {
                        self.settle();
                        return Some(Ok(message));
                    }
                    Ok(None) => continue,
                    Err(broken) => return Some(Err(broken)),
                },
                Ok(None) => {}
                Err(error) => return Some(Err(error.into())),
            }
            // The codec checks a frame's size only once all of it is here: refuse an
            // oversized one by its header instead of buffering it.
            if announced_len(&self.read).is_some_and(|len| len > self.max_message as u64) {
                return Some(Err(ProtocolError::Overflow.into()));
            }
            if self.read.capacity() - self.read.len() < IDLE_READ_BYTES / 2 {
                self.read.reserve(IDLE_READ_BYTES.max(self.read.len()));
            }
            match self.io.read_buf(&mut self.read).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Turns a frame into a message, joining continuation frames.
    fn join(&mut self, frame: Frame) -> Result<Option<Incoming>, Broken> {
        let too_big = || Broken {
            code: CloseCode::Size,
            reason: "message too large".into(),
        };
        Ok(Some(match frame {
            Frame::Text(bytes) => Incoming::Text(utf8(&bytes)?),
            Frame::Binary(bytes) => Incoming::Binary(bytes),
            Frame::Ping(bytes) => Incoming::Ping(bytes),
            Frame::Pong(_) => Incoming::Pong,
            Frame::Close(_) => {
                self.peer_closed = true;
                Incoming::Close
            }
            Frame::Continuation(Item::FirstText(bytes)) => {
                self.partial = Some(Partial {
                    text: true,
                    bytes: BytesMut::from(bytes),
                });
                return Ok(None);
            }
            Frame::Continuation(Item::FirstBinary(bytes)) => {
                self.partial = Some(Partial {
                    text: false,
                    bytes: BytesMut::from(bytes),
                });
                return Ok(None);
            }
            Frame::Continuation(Item::Continue(bytes)) => {
                // The codec refuses a continuation that was never started.
                let partial = self.partial.as_mut().ok_or_else(too_big)?;
                if partial.bytes.len() + bytes.len() > self.max_message {
                    return Err(too_big());
                }
                partial.bytes.extend_from_slice(&bytes);
                return Ok(None);
            }
            Frame::Continuation(Item::Last(bytes)) => {
                let mut partial = self.partial.take().ok_or_else(too_big)?;
                if partial.bytes.len() + bytes.len() > self.max_message {
                    return Err(too_big());
                }
                partial.bytes.extend_from_slice(&bytes);
                if partial.text {
                    Incoming::Text(utf8(&partial.bytes)?)
                } else {
                    Incoming::Binary(partial.bytes.freeze())
                }
            }
        }))
    }

    /// After a message: give a grown read buffer back once it is empty.
    fn settle(&mut self) {
        if self.read.is_empty() && self.read.capacity() > IDLE_READ_BYTES {
            self.read = BytesMut::with_capacity(IDLE_READ_BYTES);
        }
    }

    pub async fn text(&mut self, text: impl Into<String>) -> std::io::Result<()> {
        self.send(Message::Text(text.into().into())).await
    }

    pub async fn ping(&mut self, payload: &[u8]) -> std::io::Result<()> {
        self.send(Message::Ping(Bytes::copy_from_slice(payload)))
            .await
    }

    pub async fn pong(&mut self, payload: &[u8]) -> std::io::Result<()> {
        self.send(Message::Pong(Bytes::copy_from_slice(payload)))
            .await
    }

    /// The closing handshake: sends a close frame (with `reason` if given), waits a
    /// moment for the peer's (unless it already sent one), then shuts the stream down.
    /// Closing without waiting could reset the connection under data the peer still had
    /// in flight, which clients report as an abnormal close (1006).
    pub async fn close(mut self, reason: Option<CloseReason>) {
        if self.broken || self.send(Message::Close(reason)).await.is_err() {
            return;
        }
        if !self.peer_closed {
            let answer = async {
                loop {
                    match self.recv().await {
                        Some(Ok(Incoming::Close)) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => continue,
                    }
                }
            };
            let _ = tokio::time::timeout(CLOSE_WAIT, answer).await;
        }
        let _ = tokio::time::timeout(SEND_TIMEOUT, self.io.shutdown()).await;
    }

    async fn send(&mut self, message: Message) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let result = self.write(message).await;
        self.broken = result.is_err();
        result
    }

    async fn write(&mut self, message: Message) -> std::io::Result<()> {
        let mut frame = BytesMut::new();
        self.codec
            .encode(message, &mut frame)
            .map_err(std::io::Error::other)?;
        let write = async {
            self.io.write_all(&frame).await?;
            self.io.flush().await
        };
        match tokio::time::timeout(SEND_TIMEOUT, write).await {
            Ok(result) => result,
            Err(_) => Err(std::io::ErrorKind::TimedOut.into()),
        }
    }
}

/// The payload length a (client, so masked) frame's header announces, once the header is
/// in `buf`.
fn announced_len(buf: &[u8]) -> Option<u64> {
    let len = buf.get(1)? & 0x7f;
    match len {
        126 => buf
            .get(2..4)
            .map(|b| u64::from(u16::from_be_bytes([b[0], b[1]]))),
        127 => buf
            .get(2..10)
            .map(|b| u64::from_be_bytes(b.try_into().unwrap_or([0xff; 8]))),
        short => Some(u64::from(short)),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, Broken> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| Broken {
            code: CloseCode::Invalid,
            reason: "text frame is not UTF-8".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames as a client sends them (masked).
    fn client_frames(messages: Vec<Message>) -> BytesMut {
        let mut codec = Codec::new().client_mode();
        let mut out = BytesMut::new();
        for message in messages {
            codec.encode(message, &mut out).unwrap();
        }
        out
    }

    fn text(s: &str) -> Message {
        Message::Text(s.to_string().into())
    }

    #[tokio::test]
    async fn a_message_split_across_reads_and_a_cancelled_wait_is_not_lost() {
        let (mut peer, server) = tokio::io::duplex(1 << 20);
        let mut socket = Socket::new(server, BytesMut::new(), 64 * 1024);
        let bytes = client_frames(vec![text("hello there")]);
        let (first, rest) = bytes.split_at(4);
        peer.write_all(first).await.unwrap();
        // Waiting is cancelled while half a frame is buffered (as `select!` does).
        let waited = tokio::time::timeout(Duration::from_millis(50), socket.recv()).await;
        assert!(waited.is_err());
        peer.write_all(rest).await.unwrap();
        match socket.recv().await {
            Some(Ok(Incoming::Text(text))) => assert_eq!(text, "hello there"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn continuations_are_joined_and_a_grown_buffer_is_given_back() {
        let (mut peer, server) = tokio::io::duplex(1 << 20);
        let mut socket = Socket::new(server, BytesMut::new(), 64 * 1024);
        let big = "y".repeat(20_000);
        peer.write_all(&client_frames(vec![
            Message::Continuation(Item::FirstText(Bytes::from_static(b"ab"))),
            Message::Continuation(Item::Continue(Bytes::from_static(b"cd"))),
            Message::Continuation(Item::Last(Bytes::from_static(b"ef"))),
            text(&big),
        ]))
        .await
        .unwrap();
        match socket.recv().await {
            Some(Ok(Incoming::Text(text))) => assert_eq!(text, "abcdef"),
            other => panic!("{other:?}"),
        }
        match socket.recv().await {
            Some(Ok(Incoming::Text(text))) => assert_eq!(text, big),
            other => panic!("{other:?}"),
        }
        assert!(socket.read.capacity() <= IDLE_READ_BYTES);
        drop(peer);
        assert!(socket.recv().await.is_none());
    }

    /// What a socket limited to 1 KiB makes of `bytes`: the close code it refuses with.
    async fn refusal(bytes: &[u8]) -> CloseCode {
        let (mut peer, server) = tokio::io::duplex(1 << 20);
        let mut socket = Socket::new(server, BytesMut::new(), 1024);
        peer.write_all(bytes).await.unwrap();
        match socket.recv().await {
            Some(Err(broken)) => broken.code,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn oversized_and_invalid_messages_are_refused_with_their_codes() {
        let joined_too_big = client_frames(vec![
            Message::Continuation(Item::FirstText(Bytes::from(vec![b'a'; 600]))),
            Message::Continuation(Item::Last(Bytes::from(vec![b'a'; 600]))),
        ]);
        assert_eq!(refusal(&joined_too_big).await, CloseCode::Size);
        let frame_too_big = client_frames(vec![Message::Binary(Bytes::from(vec![0; 2000]))]);
        assert_eq!(refusal(&frame_too_big).await, CloseCode::Size);
        // A binary frame of invalid UTF-8 with its opcode turned into text (FIN + 0x1).
        let mut not_utf8 = client_frames(vec![Message::Binary(Bytes::from_static(&[0xff, 0xfe]))]);
        not_utf8[0] = 0x81;
        assert_eq!(refusal(&not_utf8).await, CloseCode::Invalid);
    }

    #[tokio::test]
    async fn an_oversized_frame_is_refused_by_its_header_before_it_arrives() {
        let (mut peer, server) = tokio::io::duplex(1 << 20);
        let mut socket = Socket::new(server, BytesMut::new(), 1024);
        // FIN + text, masked, 64-bit length of 4 GiB; then only the mask and a little.
        let mut header = vec![0x81, 0x80 | 127];
        header.extend_from_slice(&(4u64 << 30).to_be_bytes());
        header.extend_from_slice(&[1, 2, 3, 4, b'x', b'y']);
        peer.write_all(&header).await.unwrap();
        let refused = tokio::time::timeout(Duration::from_secs(5), socket.recv()).await;
        match refused {
            Ok(Some(Err(broken))) => assert_eq!(broken.code, CloseCode::Size),
            other => panic!("{other:?}"),
        }
        assert!(socket.read.capacity() <= 4 * IDLE_READ_BYTES);
        assert_eq!(announced_len(&[0x81, 0x80 | 126, 0x01, 0x00]), Some(256));
        assert_eq!(announced_len(&[0x81, 0x80 | 5]), Some(5));
        assert_eq!(announced_len(&[0x81]), None);
    }

    #[tokio::test]
    async fn frames_sent_are_what_a_client_reads() {
        let (mut peer, server) = tokio::io::duplex(1 << 20);
        let mut socket = Socket::new(server, BytesMut::new(), 64 * 1024);
        socket.text("{\"event\":\"hello\"}").await.unwrap();
        socket
            .close(Some(CloseReason {
                code: CloseCode::Away,
                description: Some("bye".into()),
            }))
            .await;
        let mut received = BytesMut::new();
        peer.read_buf(&mut received).await.unwrap();
        let mut codec = Codec::new().client_mode();
        match codec.decode(&mut received).unwrap() {
            Some(Frame::Text(bytes)) => assert_eq!(&bytes[..], b"{\"event\":\"hello\"}"),
            other => panic!("{other:?}"),
        }
        match codec.decode(&mut received).unwrap() {
            Some(Frame::Close(Some(reason))) => {
                assert_eq!(reason.code, CloseCode::Away);
                assert_eq!(reason.description.as_deref(), Some("bye"));
            }
            other => panic!("{other:?}"),
        }
    }
}
