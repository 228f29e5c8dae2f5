//! Taking a WebSocket over from the HTTP server.
//!
//! actix-http hands every `Upgrade: websocket` request, with the connection itself, to
//! the service made here. It runs the request through the ordinary application (so the
//! upgrade is authenticated, rate limited, logged and refused like any other request);
//! when the application accepted it (`api::websocket` answers `101` and leaves an
//! [`Accepted`] on the response), the `101` is written and the bare stream goes to
//! `session::run` as a [`Socket`]. The HTTP dispatcher, with its buffers, ends there;
//! that is what keeps an idle connection small. Any other answer is written back and the
//! connection closed.

use std::convert::Infallible;
use std::rc::Rc;

use actix_codec::Framed;
use actix_http::body::{BodySize, MessageBody};
use actix_http::{ConnectionType, HttpMessage, Request, StatusCode, h1};
use actix_service::{Service, ServiceFactory, fn_factory, fn_service};
use actix_web::dev::ServiceResponse;
use futures_util::SinkExt;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::connections::LeavesHttp;

use super::session::{self, Identity, Resume};
use super::socket::Socket;
use crate::state::AppState;

/// Largest frame, and largest message joined from continuation frames, a client may
/// send; actions above 8 KiB get an error reply, anything beyond this closes the socket.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Where sockets are served (`api::websocket`).
const WEBSOCKET_PATHS: [&str; 2] = ["/api/v4/websocket", "/api/v4/websocket/"];
/// Largest refusal written back on an upgrade request (error answers are far smaller).
const REFUSAL_BYTES: usize = 64 * 1024;
/// How long a peer gets to take a refusal.
const REFUSAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Put on a request that came through the upgrade service, so the handler knows the
/// socket can be taken over.
#[derive(Debug, Clone, Copy)]
pub struct Upgradable;

/// Put on an upgrade request for any other path: `api::middleware` refuses it.
#[derive(Debug, Clone, Copy)]
pub struct OffSocketPath;

/// Left on a `101` response by the WebSocket handler: what the connection needs.
pub struct Accepted {
    pub state: AppState,
    pub signed_in: Option<Identity>,
    pub resume: Resume,
}

/// The upgrade service factory for one worker, over the application factory `app`.
pub fn service<S, B, T>(
    app: S,
) -> impl ServiceFactory<
    (Request, Framed<T, h1::Codec>),
    Config = (),
    Response = (),
    Error = Infallible,
    InitError = (),
>
where
    S: ServiceFactory<
            Request,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
    T: AsyncRead + AsyncWrite + LeavesHttp + Unpin + 'static,
{
    let app = Rc::new(app);
    fn_factory(move || {
        let app = app.clone();
        async move {
            let app = Rc::new(app.new_service(()).await?);
            Ok(fn_service(move |(request, framed)| {
                take_over(app.clone(), request, framed)
            }))
        }
    })
}

async fn take_over<S, B, T>(
    app: Rc<S>,
    request: Request,
    mut framed: Framed<T, h1::Codec>,
) -> Result<(), Infallible>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    T: AsyncRead + AsyncWrite + LeavesHttp + Unpin + 'static,
{
    // Any other path would have its answer (a file download, say) held in memory here,
    // as nothing streams it: the application's outermost middleware refuses it instead.
    if WEBSOCKET_PATHS.contains(&request.path()) {
        request.extensions_mut().insert(Upgradable);
    } else {
        request.extensions_mut().insert(OffSocketPath);
    }
    let mut response = match app.call(request).await {
        Ok(response) => response.map_into_boxed_body().into_parts().1,
        Err(error) => error.error_response(),
    };
    let accepted = response.extensions_mut().remove::<Accepted>();
    let (head, body) = actix_http::Response::from(response).into_parts();
    match accepted {
        Some(accepted) if head.status() == StatusCode::SWITCHING_PROTOCOLS => {
            if framed
                .send(h1::Message::Item((head, BodySize::None)))
                .await
                .is_err()
            {
                return Ok(());
            }
            let mut parts = framed.into_parts();
            // No longer HTTP: no request clock on it.
            parts.io.upgraded();
            let socket = Socket::new(parts.io, parts.read_buf, MAX_MESSAGE_BYTES);
            let hub = accepted.state.hub.clone();
            actix_web::rt::spawn(session::run(
                accepted.state,
                hub,
                socket,
                accepted.signed_in,
                accepted.resume,
            ));
        }
        _ => refuse(framed, head, body).await,
    }
    Ok(())
}

/// Writes a refusal (an error answer, small) and closes the connection; gives up on a
/// peer that does not take it within [`REFUSAL_TIMEOUT`].
async fn refuse<T, B>(mut framed: Framed<T, h1::Codec>, mut head: actix_http::Response<()>, body: B)
where
    T: AsyncRead + AsyncWrite + Unpin,
    B: MessageBody,
{
    let write = async {
        let body = match actix_http::body::to_bytes_limited(body, REFUSAL_BYTES).await {
            Ok(Ok(body)) => body,
            // Not an error answer of ours: nothing sensible to send.
            _ => return,
        };
        head.head_mut().set_connection_type(ConnectionType::Close);
        let size = BodySize::Sized(body.len() as u64);
        // Queued, then written at once, as the HTTP dispatcher would.
        let _ = framed.feed(h1::Message::Item((head, size))).await;
        if !body.is_empty() {
            let _ = framed.feed(h1::Message::Chunk(Some(body))).await;
        }
        let _ = framed.feed(h1::Message::Chunk(None)).await;
        // `Framed`'s close does not write what is queued: flush first.
        if SinkExt::flush(&mut framed).await.is_ok() {
            let _ = SinkExt::close(&mut framed).await;
        }
    };
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, write).await;
}
