//! The accept loop: at most `max_connections` served at once (one past that gets a 503
//! problem and is closed), a header-read timeout that also closes idle kept-alive
//! connections, and a graceful stop that lets in-flight requests finish.
//!
//! axum's own `serve` sets no timer, so a client that sends half a request holds its
//! connection, and a file descriptor, forever; enough of them make the daemon deaf.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use reformlog_api::{Problem, ProblemCode};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Limits on connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Connections served at once.
    pub(crate) max_connections: usize,
    /// How long a connection may take to deliver a request's headers, counted from its
    /// opening or from the previous response: also how long an idle one is kept.
    pub(crate) header_read_timeout: Duration,
}

/// How long a refused connection gets to take its 503.
const REFUSAL_WRITE: Duration = Duration::from_secs(2);
/// How long the stop waits for in-flight requests before closing what is left.
const DRAIN: Duration = Duration::from_secs(25);

/// The answer to a connection past the limit, written without reading its request: the
/// table's problem like any other, but for `instance`, since no request was read.
fn refusal(max: usize) -> Vec<u8> {
    let code = ProblemCode::TooManyConnections;
    let problem = Problem::new(
        code,
        format!("the daemon serves at most {max} connections at once; retry shortly"),
    );
    let body = serde_json::to_string(&problem).unwrap_or_default();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        code.status(),
        code.title(),
        body.len()
    )
    .into_bytes()
}

async fn refuse(mut stream: TcpStream, answer: Arc<Vec<u8>>) {
    let _ = tokio::time::timeout(REFUSAL_WRITE, async {
        stream.write_all(&answer).await?;
        stream.shutdown().await
    })
    .await;
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let answer = Arc::new(refusal(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Out of file descriptors (or a connection reset before accept): wait for
                // some to close instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            tokio::spawn(refuse(stream, Arc::clone(&answer)));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(|req: hyper::Request<Incoming>| req.map(axum::body::Body::new));
        let conn =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let watched = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = watched.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down: no new connections, finishing in-flight requests");
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests still running after the drain; closing them");
    }
}
