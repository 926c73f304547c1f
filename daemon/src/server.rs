//! Assembling the app (store, domain, tokens, routes, middleware) and serving it until shutdown.

use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::TokenRegistry;
use crate::cli::LogFormat;
use crate::config::ServeConfig;
use crate::metrics::Metrics;
use crate::problem::ApiError;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The store or its read models could not be opened.
    #[error(transparent)]
    Domain(#[from] reformlog::OpenError),
    /// The token file is unreadable.
    #[error(transparent)]
    Tokens(#[from] crate::tokens::TokenError),
    /// The data folder could not be created.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Loading the demo data failed.
    #[error("loading the demo data failed: {0}")]
    Demo(String),
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "reformd",
        description = "State, history and audit of administrative-reform steering committees and reform tasks. Every read takes `on` (valid date) and `known_at` (a log position, an RFC 3339 time, or a date YYYY-MM-DD meaning the end of that day in the daemon's time zone, by default Asia/Ho_Chi_Minh). Errors are application/problem+json with a stable `code`."
    ),
    modifiers(&BearerAuth),
    components(schemas(
        reformlog::Command,
        crate::views::ReportProgressSchema,
        crate::views::EvidenceSchema,
        crate::views::EvidenceDocumentSchema
    )),
    tags(
        (name = "state", description = "Units, people, posts, committees, decisions and tasks on a date"),
        (name = "audit", description = "Who changed what, when, on what authority"),
        (name = "events", description = "The global event log"),
        (name = "reminders", description = "Deadline reminders (due soon, due, overdue) for mail and chat bridges"),
        (name = "integrity", description = "Hash-chain digest and verification"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// How often the daemon records when each token was last used (`reformd token list`).
const USAGE_FLUSH: Duration = Duration::from_secs(10);

/// A daemon ready to serve: the opened store and domain, tokens and configuration.
#[derive(Debug)]
pub struct App {
    state: Arc<AppState>,
    config: ServeConfig,
    stop: watch::Sender<bool>,
}

impl App {
    /// Opens the store in the data folder (creating it), catches the read models up, and loads
    /// the demo data when asked.
    pub fn open(config: ServeConfig) -> Result<App, StartError> {
        crate::tokens::create_private_dir(&config.data_dir).map_err(|e| {
            StartError::Demo(format!("cannot create {}: {e}", config.data_dir.display()))
        })?;
        let mut options = reformlog::Options::new(config.data_dir.join("store"))
            .cache_capacity(config.cache_bytes);
        if let Some(anchor) = &config.anchor_file {
            options = options.anchor_file(anchor);
        }
        let domain = reformlog::Reformlog::open_with(options)?;
        if config.demo {
            crate::demo::load_demo(&domain).map_err(StartError::Demo)?;
        }
        let store = domain.store().clone();
        let start_head = store.head_position();
        let tokens = TokenRegistry::open(&config.data_dir, config.anonymous_reads)?;
        let (stop, shutdown) = watch::channel(false);
        let state = Arc::new(AppState {
            store,
            domain,
            tokens,
            metrics: Metrics::default(),
            shutdown,
            ready: AtomicBool::new(false),
            start_head,
            answers: crate::answer_cache::AnswerCache::default(),
            zone: config.time_zone.clone(),
            max_future_days: config.max_future_days,
            data_dir: config.data_dir.clone(),
            backup_dir: config.backup_dir.clone(),
            anchored: config.anchor_file.is_some(),
            backup_running: std::sync::Mutex::new(()),
        });
        Ok(App {
            state,
            config,
            stop,
        })
    }

    /// The configuration the app was opened with.
    pub fn config(&self) -> &ServeConfig {
        &self.config
    }

    /// The HTTP router with every route and middleware.
    pub fn router(&self) -> Router {
        let (api, _) = api_router().split_for_parts();
        let timeout = self.config.request_timeout;
        let state = Arc::clone(&self.state);
        // The live feeds and backups are exempt from the request timeout; everything else has
        // it.
        let (feed, _) = crate::routes::untimed().split_for_parts();
        let timed = api.layer(middleware::from_fn_with_state(
            timeout,
            crate::timeout::enforce,
        ));
        let gated = timed
            .merge(feed)
            .merge(crate::web::routes())
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .layer(DefaultBodyLimit::max(self.config.max_body_bytes))
            .layer(middleware::from_fn_with_state(
                Arc::clone(&state),
                crate::gate::check,
            ));
        // Outside the gate: a browser's preflight carries no token.
        let shared = match crate::cors::layer(&self.config.cors_origins) {
            Some(cors) => gated.layer(cors),
            None => gated,
        };
        shared
            .layer(middleware::from_fn_with_state(
                self.config.body_read_timeout,
                crate::body_deadline::limit,
            ))
            .layer(middleware::from_fn(crate::codings::refuse_unknown))
            .layer(middleware::from_fn_with_state(Arc::clone(&state), track))
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::internal("the request handler failed").into_response()
            }))
            // Inside compression: the tag hashes, and the problem is filled in, plain bytes.
            .layer(middleware::from_fn(crate::conditional::tag))
            .layer(middleware::from_fn(crate::problem::fill_instance))
            // gzip, br or zstd when the client accepts one; never the live feeds (tower-http's
            // default predicate leaves event streams, images and small bodies alone).
            .layer(CompressionLayer::new())
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .with_state(state)
    }
}

/// Every route but the untimed ones, with the document's header and the document itself.
fn api_router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi))
        .merge(crate::routes::timed())
}

/// The OpenAPI 3.1 document of every route, as JSON.
pub fn openapi_json() -> String {
    let (_, mut doc) = api_router().split_for_parts();
    let (_, feed) = crate::routes::untimed().split_for_parts();
    doc.merge(feed);
    crate::conditional::document(&mut doc);
    crate::routes::close_tagged_unions(&mut doc);
    crate::routes::params::document(&mut doc);
    crate::problem::document(&mut doc);
    doc.to_pretty_json().unwrap_or_default()
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")),
    tag = "operations"
)]
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    // A standard method and a matched path are shared, not copied: this runs on every request.
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let response = next.run(req).await;
    state.metrics.observe(
        &method,
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets in-flight
/// requests finish (ending live feeds), and syncs the store.
pub async fn run(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app.router();
    let stop = app.stop.clone();
    let signal = async move {
        shutdown.await;
        // Live feeds end on this, so the drain below does not wait for them.
        let _ = stop.send(true);
    };
    // Last-use times reach the token file's companion every USAGE_FLUSH, and at shutdown.
    let usage_state = Arc::clone(&app.state);
    let usage = tokio::spawn(async move {
        let mut tick = tokio::time::interval(USAGE_FLUSH);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let state = Arc::clone(&usage_state);
            let _ = tokio::task::spawn_blocking(move || state.tokens.flush_usage()).await;
        }
    });
    let limits = crate::listen::Limits {
        max_connections: app.config.max_connections,
        header_read_timeout: app.config.header_read_timeout,
    };
    crate::listen::serve(listener, router, limits, signal).await;
    usage.abort();
    let state = Arc::clone(&app.state);
    let _ = tokio::task::spawn_blocking(move || state.tokens.flush_usage()).await;
    let store = app.state.store.clone();
    tokio::task::spawn_blocking(move || store.sync())
        .await
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)?;
    tracing::info!("store synced; stopped");
    Ok(())
}

/// Sets up structured logs (text or JSON), filtered by `RUST_LOG` (default `info`).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to standard error (standard output carries the "listening on" line that
    // supervisors and tests read), with colours only on a terminal.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
