//! Request metrics in Prometheus text format: SOAP requests by operation and outcome, and a
//! latency histogram per operation.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    ClientFault,
    ServerFault,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ClientFault => "client_fault",
            Outcome::ServerFault => "server_fault",
        }
    }
}

#[derive(Default)]
struct Latency {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Default)]
struct Counters {
    requests: BTreeMap<(String, Outcome), u64>,
    latency: BTreeMap<String, Latency>,
}

/// Shared by every request handler.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    /// Records one request. `operation` must come from a fixed set (known operation names or
    /// "invalid"), never from unchecked input, so label cardinality stays bounded.
    pub fn record(&self, operation: &str, outcome: Outcome, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut counters) = self.counters.lock() else {
            return;
        };
        *counters
            .requests
            .entry((operation.to_owned(), outcome))
            .or_default() += 1;
        let latency = counters.latency.entry(operation.to_owned()).or_default();
        latency.count += 1;
        latency.sum_seconds += seconds;
        for (bucket, bound) in latency.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(counters) = self.counters.lock() else {
            return out;
        };
        out.push_str(
            "# HELP echo_gateway_requests_total SOAP requests by operation and outcome.\n",
        );
        out.push_str("# TYPE echo_gateway_requests_total counter\n");
        for ((operation, outcome), count) in &counters.requests {
            let _ = writeln!(
                out,
                "echo_gateway_requests_total{{operation=\"{operation}\",outcome=\"{}\"}} {count}",
                outcome.label()
            );
        }
        out.push_str("# HELP echo_gateway_request_duration_seconds SOAP request latency.\n");
        out.push_str("# TYPE echo_gateway_request_duration_seconds histogram\n");
        for (operation, latency) in &counters.latency {
            let name = "echo_gateway_request_duration_seconds";
            for (bound, count) in BUCKETS.iter().zip(latency.buckets) {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{operation=\"{operation}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{operation=\"{operation}\",le=\"+Inf\"}} {}",
                latency.count
            );
            let _ = writeln!(
                out,
                "{name}_sum{{operation=\"{operation}\"}} {}",
                latency.sum_seconds
            );
            let _ = writeln!(
                out,
                "{name}_count{{operation=\"{operation}\"}} {}",
                latency.count
            );
        }
        out
    }
}

/// Appends one counter with its help and type lines.
pub fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record("Login", Outcome::Ok, Duration::from_millis(2));
        metrics.record("Login", Outcome::ClientFault, Duration::from_millis(20));
        let text = metrics.render();
        assert!(text.contains("echo_gateway_requests_total{operation=\"Login\",outcome=\"ok\"} 1"));
        assert!(text.contains("outcome=\"client_fault\"} 1"));
        assert!(text.contains("le=\"0.0025\"} 1"));
        assert!(text.contains("le=\"0.025\"} 2"));
        assert!(
            text.contains("echo_gateway_request_duration_seconds_count{operation=\"Login\"} 2")
        );
    }
}
