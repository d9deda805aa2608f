//! What the JSON API targets share: a real `echo-gateway serve` on 127.0.0.1 driven over
//! HTTPS, one request per case, judged the same way: no 5xx (a panic in a handler would be
//! one), a refused request (4xx) answers a JSON error body and changes nothing (the
//! `state` paths read the same before and after it), and the process is still running at
//! the end.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::common::TestGateway;
use crate::harness::fuzz;

/// One request of a case.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Path and query, from the gateway's root.
    pub path: String,
    pub body: Vec<u8>,
}

pub struct LiveApi {
    pub gateway: TestGateway,
    runtime: Runtime,
    /// Sent with every request: the caller's token.
    headers: HeaderMap,
    /// The field every error body holds (`error` or `errors`).
    error_field: &'static str,
    /// GETs whose answers (status, `Link` header and body) make up the state refused
    /// requests must leave alone.
    state_paths: Vec<String>,
    /// The state after the last accepted request, and the tally of cases.
    last: Mutex<(String, Tally)>,
    /// The data directory, removed after the gateway stops.
    _dir: TempDir,
}

#[derive(Debug, Default)]
struct Tally {
    accepted: u64,
    refused: u64,
}

impl LiveApi {
    pub fn new(
        dir: TempDir,
        gateway: TestGateway,
        headers: HeaderMap,
        error_field: &'static str,
        state_paths: Vec<String>,
    ) -> LiveApi {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mut api = LiveApi {
            gateway,
            runtime,
            headers,
            error_field,
            state_paths,
            last: Mutex::default(),
            _dir: dir,
        };
        let state = api.state();
        api.last = Mutex::new((state, Tally::default()));
        api
    }

    /// The same API judged by the answers of `state_paths` (read now).
    pub fn with_state(mut self, state_paths: Vec<String>) -> LiveApi {
        self.state_paths = state_paths;
        let state = self.state();
        self.last = Mutex::new((state, Tally::default()));
        self
    }

    /// Runs `future` on the target's runtime (cases run on threads of their own).
    pub fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// Sends one request; returns its status, `Link` header and body.
    pub fn send(&self, request: &Request) -> (u16, String, Vec<u8>) {
        self.block_on(async {
            let response = self
                .gateway
                .client
                .request(
                    request.method.clone(),
                    format!("{}{}", self.gateway.url, request.path),
                )
                .headers(self.headers.clone())
                .header("Content-Type", "application/json")
                .body(request.body.clone())
                .send()
                .await
                .expect("the gateway answers");
            let status = response.status().as_u16();
            let link = response
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response.bytes().await.expect("a body").to_vec();
            (status, link, body)
        })
    }

    /// A GET's JSON body (panics unless it answers 200 with JSON).
    pub fn get_json(&self, path: &str) -> Value {
        let get = Request {
            method: Method::GET,
            path: path.to_owned(),
            body: Vec::new(),
        };
        let (status, _, body) = self.send(&get);
        assert_eq!(
            status,
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&body)
        );
        serde_json::from_slice(&body).expect("JSON")
    }

    /// One case: the request's answer is judged, and a refused one must leave the state.
    /// Returns the answer's status and body.
    pub fn check(&self, request: &Request) -> (u16, Vec<u8>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (status, _, body) = self.send(request);
        let text = String::from_utf8_lossy(&body);
        assert!(status < 500, "{request:?} answered {status}: {text}");
        let state = self.state();
        if status >= 400 {
            let error: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| panic!("{request:?}: {status} without JSON: {text}"));
            assert!(
                error.get(self.error_field).is_some(),
                "{request:?}: {status} {text}"
            );
            assert_eq!(
                state, last.0,
                "{request:?} was refused ({status}) but changed state"
            );
            last.1.refused += 1;
        } else {
            last.1.accepted += 1;
        }
        last.0 = state;
        (status, body)
    }

    /// Sends a request that cleans up after an accepted one (its answer is not judged), and
    /// takes the state after it as the new one.
    pub fn clean_up(&self, request: &Request) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        self.send(request);
        last.0 = self.state();
    }

    /// Runs fuzz target `target` on this gateway: each request `requests` draws goes to
    /// `case` (most targets: [`LiveApi::check`] it), then [`LiveApi::finish`].
    pub fn run<S>(self, target: &str, requests: S, case: fn(&LiveApi, Request))
    where
        S: proptest::strategy::Strategy<Value = Request>,
    {
        let api = Arc::new(self);
        let shared = api.clone();
        fuzz(target, requests, move |request| case(&shared, request));
        Arc::into_inner(api).expect("cases done").finish(target);
    }

    /// A case that only checks its request.
    pub fn check_case(&self, request: Request) {
        self.check(&request);
    }

    /// Prints the tally and checks the process survived every case.
    fn finish(self, target: &str) {
        {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            println!(
                "{target}: {} accepted, {} refused",
                last.1.accepted, last.1.refused
            );
        }
        let health = Request {
            method: Method::GET,
            path: "/healthz".into(),
            body: Vec::new(),
        };
        assert_eq!(self.send(&health).0, 200, "{target}: the gateway is unwell");
    }

    fn state(&self) -> String {
        let mut state = String::new();
        for path in &self.state_paths {
            let get = Request {
                method: Method::GET,
                path: path.clone(),
                body: Vec::new(),
            };
            let (status, link, body) = self.send(&get);
            state.push_str(&format!(
                "{status} {link} {}\n",
                String::from_utf8_lossy(&body)
            ));
        }
        state
    }
}
