//! Malformed and mutated input never crashes the gateway nor gets past the SOAP layer as an
//! internal error: every recorded request, cut short at many points or with bytes changed, is
//! sent to every SOAP endpoint; each answer is a response, a client fault, 404 or 413, never a
//! Server fault, and the gateway keeps answering. Mutations are deterministic (a fixed seed).

mod common;

use std::path::PathBuf;

use common::{TestGateway, operator_token, traffic_dir};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const SERVICES: [&str; 6] = [
    "AuthenticationService",
    "UserService",
    "ProviderService",
    "DataManagementService",
    "OrderManagementService",
    "OrderProcessingService",
];

fn requests() -> Vec<String> {
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = vec![traffic_dir()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_string_lossy().ends_with(".request.xml") {
                found.push(std::fs::read_to_string(&path).expect("fixture"));
            }
        }
    }
    found.sort();
    found
}

/// Mutations from a fixed seed, so a failure can be replayed.
struct Mutator(StdRng);

impl Mutator {
    fn below(&mut self, bound: usize) -> usize {
        self.0.random_range(0..bound.max(1))
    }

    /// Truncates, flips a byte, duplicates a slice, or inserts markup at a random place.
    fn mutate(&mut self, request: &str) -> Vec<u8> {
        let mut bytes = request.as_bytes().to_vec();
        let at = self.below(bytes.len());
        match self.below(4) {
            0 => bytes.truncate(at),
            1 => bytes[at] ^= 1 << self.below(8),
            2 => {
                let end = (at + self.below(200)).min(bytes.len());
                let slice = bytes[at..end].to_vec();
                bytes.splice(at..at, slice);
            }
            _ => {
                let junk: &[&[u8]] = &[
                    b"<x>",
                    b"</",
                    b"&amp",
                    b"<![CDATA[",
                    b"\xff\xfe",
                    b"<?pi?>",
                    b"xsi:nil=\"true\" ",
                ];
                let piece = junk[self.below(junk.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
        }
        bytes
    }
}

#[tokio::test]
async fn mutated_recorded_requests_get_faults_not_crashes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = operator_token(dir.path());
    let gateway = TestGateway::start(dir.path(), &[]);
    let requests = requests();
    assert!(requests.len() > 50, "the recorded requests are there");
    let mut mutator = Mutator(StdRng::seed_from_u64(0x9E37_79B9_7F4A_7C15));
    let mut sent = 0;
    for (index, request) in requests.iter().enumerate() {
        let request = request.replace("REDACTED-TOKEN", &token);
        for round in 0..20 {
            let body = mutator.mutate(&request);
            let service = SERVICES[(index + round) % SERVICES.len()];
            let (status, response) = gateway
                .post(&format!("/echo-v10/{service}PortImpl"), body)
                .await;
            sent += 1;
            assert!(
                matches!(status, 200 | 500 | 400 | 404 | 413),
                "unexpected HTTP {status} from {service}: {response}"
            );
            if status == 500 {
                assert!(
                    response.contains("<faultcode>SOAP-ENV:Client</faultcode>"),
                    "{service}: {response}"
                );
            }
        }
    }
    let health = gateway
        .client
        .get(format!("{}/healthz", gateway.url))
        .send()
        .await
        .expect("alive");
    assert_eq!(
        health.status(),
        200,
        "still serving after {sent} mutated requests"
    );
}
