//! Request bodies as they arrive, before any extractor sees them: compressed bodies
//! inflated a slice at a time under a bound, and every body within `ReadTimeout` of the
//! request's start.
//!
//! actix-web inflates a `Content-Encoding: gzip` body for its extractors one network chunk
//! at a time, and a 64 KiB chunk can inflate to 64 MiB before any size limit is looked at.
//! Here the body is inflated into slices of at most [`SLICE`] bytes, so a size limit
//! downstream (the JSON limit, `MaxFileSize`) stops it after at most one slice too many, and
//! the inflated total may never pass `limit` at all. What went wrong is recorded in a
//! [`Faults`] the request-context middleware reads, so every route answers it the same way.

use std::cell::Cell;
use std::future::Future;
use std::io::{self, Write};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header;
use bytes::{Bytes, BytesMut};
use futures_util::Stream;

use crate::error::AppError;

/// Most inflated bytes handed on at once.
const SLICE: usize = 64 * 1024;

/// What went wrong with a body, for the middleware to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// It did not arrive within `ReadTimeout` of the request's start.
    TimedOut,
    /// Its compression is broken.
    Corrupt,
    /// It inflated past the limit.
    TooLarge,
}

/// Shared between the body stream and the middleware that answers for it.
#[derive(Clone, Default)]
pub struct Faults(Rc<Cell<Option<Fault>>>);

impl Faults {
    pub fn get(&self) -> Option<Fault> {
        self.0.get()
    }

    fn set(&self, fault: Fault) -> PayloadError {
        self.0.set(Some(fault));
        match fault {
            Fault::TimedOut => PayloadError::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )),
            Fault::Corrupt => PayloadError::EncodingCorrupted,
            Fault::TooLarge => PayloadError::Overflow,
        }
    }
}

/// How a body is encoded, from `Content-Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Deflate,
}

fn encoding(req: &ServiceRequest) -> Result<Encoding, AppError> {
    let Some(value) = req.headers().get(header::CONTENT_ENCODING) else {
        return Ok(Encoding::Identity);
    };
    let value = value.to_str().unwrap_or_default().trim();
    match value.to_ascii_lowercase().as_str() {
        "" | "identity" => Ok(Encoding::Identity),
        "gzip" | "x-gzip" => Ok(Encoding::Gzip),
        "deflate" => Ok(Encoding::Deflate),
        _ => Err(AppError::UnsupportedEncoding),
    }
}

/// Whether the request says it has a body at all.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Puts the request's body behind the deadline and, when it is compressed, the bounded
/// inflater (taking `Content-Encoding` and `Content-Length` away, since what extractors
/// read is then the inflated body). An encoding Hearth cannot read is refused here.
pub fn guard(req: &mut ServiceRequest, deadline: Duration, limit: u64) -> Result<Faults, AppError> {
    let faults = Faults::default();
    if !has_body(req) {
        return Ok(faults);
    }
    let encoding = encoding(req)?;
    let inner = req.take_payload();
    let timed = Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(deadline)),
        faults: faults.clone(),
    };
    let payload: Payload = match encoding {
        Encoding::Identity => Payload::from(
            Box::pin(timed) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
        ),
        Encoding::Gzip | Encoding::Deflate => {
            let headers = req.headers_mut();
            headers.remove(header::CONTENT_ENCODING);
            headers.remove(header::CONTENT_LENGTH);
            let sink = Sink {
                bytes: BytesMut::new(),
                written: 0,
                limit,
            };
            let decoder = if encoding == Encoding::Gzip {
                Decoder::Gzip(flate2::write::GzDecoder::new(sink))
            } else {
                Decoder::Deflate(flate2::write::ZlibDecoder::new(sink))
            };
            Payload::from(Box::pin(Inflating {
                inner: timed,
                decoder: Some(decoder),
                input: Bytes::new(),
                faults: faults.clone(),
            })
                as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>)
        }
    };
    req.set_payload(payload);
    Ok(faults)
}

/// The body, failing once the deadline passes.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    faults: Faults,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            let error = self.faults.set(Fault::TimedOut);
            return Poll::Ready(Some(Err(error)));
        }
        Poll::Pending
    }
}

/// Where the decoder writes: the inflated bytes not yet handed on, refusing to take the
/// total past `limit`.
struct Sink {
    bytes: BytesMut,
    written: u64,
    limit: u64,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len() as u64;
        if self.written > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "body too large",
            ));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Decoder {
    Gzip(flate2::write::GzDecoder<Sink>),
    Deflate(flate2::write::ZlibDecoder<Sink>),
}

impl Decoder {
    /// Inflates some of `input` (each call writes at most the decoder's 32 KiB buffer),
    /// returning how much of it was used.
    fn write(&mut self, input: &[u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.write(input),
            Decoder::Deflate(d) => d.write(input),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        match self {
            Decoder::Gzip(d) => d.try_finish(),
            Decoder::Deflate(d) => d.try_finish(),
        }
    }

    fn sink(&mut self) -> &mut Sink {
        match self {
            Decoder::Gzip(d) => d.get_mut(),
            Decoder::Deflate(d) => d.get_mut(),
        }
    }
}

/// The inflated body, in slices of at most about [`SLICE`] bytes.
struct Inflating {
    inner: Deadline,
    /// `None` once the body has ended (or failed).
    decoder: Option<Decoder>,
    /// Compressed bytes received and not yet inflated.
    input: Bytes,
    faults: Faults,
}

impl Inflating {
    fn fail(&mut self, error: &io::Error) -> PayloadError {
        self.decoder = None;
        self.faults
            .set(if error.kind() == io::ErrorKind::FileTooLarge {
                Fault::TooLarge
            } else {
                Fault::Corrupt
            })
    }
}

impl Stream for Inflating {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let Some(decoder) = this.decoder.as_mut() else {
                return Poll::Ready(None);
            };
            // Inflate what has arrived until a slice is full or the input is used up.
            while !this.input.is_empty() && decoder.sink().bytes.len() < SLICE {
                match decoder.write(&this.input) {
                    // Bytes after the end of the compressed stream.
                    Ok(0) => {
                        let error = io::Error::new(io::ErrorKind::InvalidData, "trailing data");
                        return Poll::Ready(Some(Err(this.fail(&error))));
                    }
                    Ok(used) => {
                        let _ = this.input.split_to(used);
                    }
                    Err(error) => return Poll::Ready(Some(Err(this.fail(&error)))),
                }
            }
            let ready = &mut decoder.sink().bytes;
            if !ready.is_empty() {
                let slice = ready.split().freeze();
                return Poll::Ready(Some(Ok(slice)));
            }
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.input = chunk,
                Poll::Ready(Some(Err(error))) => {
                    this.decoder = None;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => {
                    // The end: check the stream was complete and hand on what is left.
                    if let Err(error) = decoder.finish() {
                        return Poll::Ready(Some(Err(this.fail(&error))));
                    }
                    let rest = decoder.sink().bytes.split().freeze();
                    this.decoder = None;
                    if rest.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Ok(rest)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use futures_util::StreamExt;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn inflating(compressed: Vec<u8>, limit: u64, gzip: bool) -> (Inflating, Faults) {
        let faults = Faults::default();
        let (_, mut payload) = actix_http::h1::Payload::create(true);
        payload.unread_data(Bytes::from(compressed));
        let sink = Sink {
            bytes: BytesMut::new(),
            written: 0,
            limit,
        };
        let decoder = if gzip {
            Decoder::Gzip(flate2::write::GzDecoder::new(sink))
        } else {
            Decoder::Deflate(flate2::write::ZlibDecoder::new(sink))
        };
        let stream = Inflating {
            inner: Deadline {
                inner: Payload::from(payload),
                sleep: Box::pin(tokio::time::sleep(Duration::from_secs(60))),
                faults: faults.clone(),
            },
            decoder: Some(decoder),
            input: Bytes::new(),
            faults: faults.clone(),
        };
        (stream, faults)
    }

    #[actix_web::test]
    async fn a_bomb_is_handed_on_in_small_slices_and_stopped_at_the_limit() {
        let bomb = gzip(&vec![b'a'; 64 * 1024 * 1024]);
        assert!(bomb.len() < 128 * 1024, "the test needs a real bomb");
        let (mut stream, faults) = inflating(bomb, 1024 * 1024, true);
        let mut total = 0;
        let mut failed = false;
        while let Some(item) = stream.next().await {
            match item {
                Ok(slice) => {
                    assert!(slice.len() <= SLICE + 32 * 1024, "slice of {}", slice.len());
                    total += slice.len();
                }
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed);
        assert!(total <= 1024 * 1024, "handed on {total} bytes");
        assert_eq!(faults.get(), Some(Fault::TooLarge));
    }

    #[actix_web::test]
    async fn gzip_and_deflate_bodies_come_out_whole() {
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        zlib.write_all(&text).unwrap();
        for (compressed, is_gzip) in [(gzip(&text), true), (zlib.finish().unwrap(), false)] {
            let (stream, faults) = inflating(compressed, 10 * 1024 * 1024, is_gzip);
            let parts: Vec<_> = stream.collect().await;
            let body: Vec<u8> = parts
                .into_iter()
                .flat_map(|p| p.unwrap().to_vec())
                .collect();
            assert_eq!(body, text);
            assert_eq!(faults.get(), None);
        }
    }

    #[actix_web::test]
    async fn broken_or_cut_off_compression_is_refused() {
        let mut cut = gzip(b"{\"login_id\":\"someone\"}");
        cut.truncate(cut.len() - 4);
        let (stream, faults) = inflating(cut, 1024, true);
        let parts: Vec<_> = stream.collect().await;
        assert!(parts.iter().any(Result::is_err));
        assert_eq!(faults.get(), Some(Fault::Corrupt));

        let (stream, faults) = inflating(b"not gzip at all".to_vec(), 1024, true);
        let parts: Vec<_> = stream.collect().await;
        assert!(parts.iter().any(Result::is_err));
        assert_eq!(faults.get(), Some(Fault::Corrupt));
    }
}
