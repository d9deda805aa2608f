//! The benchmarks' yardstick: a floor server built from the gateway's own crates (axum reading
//! the body and streaming it through quick-xml, storing nothing), run in the bench process on
//! its own runtime, loaded with the same payload as the gateway in the same run, so each bench
//! can print the gateway's throughput as a ratio of what parsing alone allows on this machine.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::load::{self, Summary};

/// A running floor server.
pub struct Floor {
    /// `http://127.0.0.1:port`; any path answers.
    pub url: String,
    _runtime: tokio::runtime::Runtime,
}

impl Floor {
    /// Starts the floor on a free port with two worker threads (the gateway's machine has two
    /// cores).
    pub fn start() -> Floor {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("floor runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("floor listens");
        let address = listener.local_addr().expect("floor address");
        let router = Router::new().fallback(parse);
        runtime.spawn(async move { axum::serve(listener, router).await });
        Floor {
            url: format!("http://{address}"),
            _runtime: runtime,
        }
    }

    /// Posts `bodies` in turn as one operation (a round trip of several requests) from
    /// `concurrency` workers, `runs` runs of `total` operations after a warm-up.
    pub async fn measure(
        &self,
        bodies: Vec<Bytes>,
        concurrency: usize,
        total: usize,
        runs: usize,
    ) -> Summary {
        let client = reqwest::Client::builder()
            .http1_only()
            .build()
            .expect("client");
        let url: Arc<str> = self.url.as_str().into();
        let bodies: Arc<[Bytes]> = bodies.into();
        load::measure(
            move || {
                let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
                async move {
                    for body in bodies.iter() {
                        post(&client, &url, body.clone()).await;
                    }
                }
            },
            concurrency,
            total,
            runs,
        )
        .await
    }
}

async fn post(client: &reqwest::Client, url: &str, body: Bytes) {
    let response = client
        .post(url)
        .body(body)
        .send()
        .await
        .expect("floor answers");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("floor body");
}

/// `gateway/floor ratio` for a bench's summary line.
pub fn ratio(gateway: &Summary, floor: &Summary) -> String {
    format!(
        "{:.3}× the floor",
        gateway.median_per_second / floor.median_per_second
    )
}

/// Reads every XML event of the body; the answer says only whether it parsed.
async fn parse(body: Bytes) -> (StatusCode, &'static str) {
    let mut reader = Reader::from_reader(body.as_ref());
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Eof) => return (StatusCode::OK, "<ok/>"),
            Ok(_) => buffer.clear(),
            Err(_) => return (StatusCode::BAD_REQUEST, "<bad/>"),
        }
    }
}
