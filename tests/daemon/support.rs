//! A real reformd on 127.0.0.1:0, in-process, with one token per role, and a small client.

use std::path::Path;

use reformd::{create_token, App, Role, ServeConfig};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use tempfile::TempDir;

/// One secret per role.
#[derive(Clone, Debug)]
pub(crate) struct Tokens {
    pub(crate) admin: String,
    pub(crate) editor: String,
    pub(crate) auditor: String,
    pub(crate) viewer: String,
}

impl Tokens {
    pub(crate) fn create(dir: &Path) -> Self {
        Self {
            admin: create_token(dir, "admin-1", Role::Admin).unwrap(),
            editor: create_token(dir, "editor-1", Role::Editor).unwrap(),
            auditor: create_token(dir, "auditor-1", Role::Auditor).unwrap(),
            viewer: create_token(dir, "viewer-1", Role::Viewer).unwrap(),
        }
    }

    pub(crate) fn of(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            Role::Editor => &self.editor,
            Role::Auditor => &self.auditor,
            Role::Viewer => &self.viewer,
        }
    }
}

/// A daemon serving on an ephemeral port until dropped (graceful shutdown, store synced).
pub(crate) struct Daemon {
    pub(crate) base: String,
    pub(crate) tokens: Tokens,
    pub(crate) client: Client,
    dir: Option<TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Daemon {
    /// A daemon on a fresh data folder; `demo` loads the seed case.
    pub(crate) fn start(demo: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tokens = Tokens::create(dir.path());
        Self::start_in(dir, tokens, demo)
    }

    /// A daemon on a fresh data folder with the configuration `configure` makes of the
    /// defaults.
    pub(crate) fn start_configured(demo: bool, configure: impl FnOnce(&mut ServeConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tokens = Tokens::create(dir.path());
        let mut config = ServeConfig::local(dir.path());
        config.demo = demo;
        configure(&mut config);
        Self::serve(dir, tokens, config)
    }

    /// A daemon on an existing data folder (a restart).
    pub(crate) fn start_in(dir: TempDir, tokens: Tokens, demo: bool) -> Self {
        let mut config = ServeConfig::local(dir.path());
        config.demo = demo;
        Self::serve(dir, tokens, config)
    }

    /// A daemon on an existing data folder with the configuration `configure` makes of the
    /// defaults.
    pub(crate) fn start_in_with(
        dir: TempDir,
        tokens: Tokens,
        configure: impl FnOnce(&mut ServeConfig),
    ) -> Self {
        let mut config = ServeConfig::local(dir.path());
        configure(&mut config);
        Self::serve(dir, tokens, config)
    }

    fn serve(dir: TempDir, tokens: Tokens, config: ServeConfig) -> Self {
        let app = App::open(config).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                reformd::run(listener, app, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        Self {
            base,
            tokens,
            client: Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap(),
            dir: Some(dir),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> RequestBuilder {
        let r = self
            .client
            .request(method, format!("{}{}", self.base, path));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub(crate) fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().unwrap()
    }

    pub(crate) fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        let r = self.get(path, Some(token));
        let status = r.status();
        let body = r.text().unwrap();
        assert!(status.is_success(), "GET {path}: {status} {body}");
        serde_json::from_str(&body).unwrap()
    }

    pub(crate) fn post_json(&self, path: &str, token: &str, body: &serde_json::Value) -> Response {
        self.request(Method::POST, path, Some(token))
            .json(body)
            .send()
            .unwrap()
    }

    /// POSTs `body` to `/v1/commands` with the editor's token: the status and the answer.
    pub(crate) fn commands(&self, body: &serde_json::Value) -> (StatusCode, serde_json::Value) {
        let r = self.post_json("/v1/commands", &self.tokens.editor, body);
        let status = r.status();
        (status, r.json().unwrap())
    }

    /// Writes `command` alone with the editor's token; it must be accepted.
    pub(crate) fn command_ok(&self, command: serde_json::Value) {
        let body = serde_json::json!({ "commands": [command] });
        let r = self.post_json("/v1/commands", &self.tokens.editor, &body);
        assert!(r.status().is_success(), "{}", r.text().unwrap());
    }

    /// The log head as the integrity route reports it (0 for an empty log).
    pub(crate) fn head(&self) -> u64 {
        let r = self.get("/v1/integrity/head", Some(&self.tokens.viewer));
        if r.status() == StatusCode::NOT_FOUND {
            return 0;
        }
        r.json::<serde_json::Value>().unwrap()["answer"]["position"]
            .as_u64()
            .unwrap()
    }

    /// The data folder the daemon serves from.
    pub(crate) fn data_dir(&self) -> &Path {
        self.dir.as_ref().unwrap().path()
    }

    /// Stops gracefully and hands back the data folder.
    pub(crate) fn stop(mut self) -> TempDir {
        self.shutdown();
        self.dir.take().unwrap()
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Every (method, path template) the OpenAPI document `doc` lists, sorted.
pub(crate) fn documented_routes(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    documented
}
