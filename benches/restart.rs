//! Restart and memory benchmark: a data directory filled in-process with 100,000 and then
//! 1,000,000 stored orders (two items from two providers and a contact each, stored in large
//! transactions with the gateway stopped; see `common::fill`), then the release-built gateway
//! started on it: the time from starting the process to its `echo-gateway ready` line, after a
//! clean stop (SIGTERM) and after a `kill -9`, median of [`RUNS`] starts each; and, after
//! [`IDLE`] without requests, its resident memory (`VmRSS`) and peak (`VmHWM`), medians too.
//! Figures are printed, never asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Duration;

use common::fill::{Shape, fill_orders};
use common::process::{peak_rss_kib, rss_kib};
use common::{TestGateway, cli};
use echo_domain::guid::Guid;
use echo_gateway::storage::DATABASE_FILE;

const PROVIDERS: [(&str, &str); 2] = [
    ("FILL1", "3C9D2E1F-0A4B-4C5D-8E6F-7A8B9C0D1E2F"),
    ("FILL2", "6E1F0A2B-3C4D-4E5F-9A0B-1C2D3E4F5A6B"),
];
/// Stored orders after each fill.
const SIZES: [usize; 2] = [100_000, 1_000_000];
const RUNS: usize = 3;
/// How long the gateway idles before its memory is read.
const IDLE: Duration = Duration::from_secs(2);

/// One start: seconds to ready, then resident and peak KiB after idling.
struct Start {
    ready: f64,
    rss: u64,
    peak: u64,
}

/// Starts the gateway, idles, reads its memory, and stops it with SIGTERM or SIGKILL.
fn start(data: &Path, kill: bool) -> Start {
    let mut gateway = TestGateway::start(data, &[]);
    std::thread::sleep(IDLE);
    let pid = gateway.pid().expect("pid");
    let start = Start {
        ready: gateway.ready_after.as_secs_f64(),
        rss: rss_kib(pid),
        peak: peak_rss_kib(pid),
    };
    if kill {
        gateway.kill_hard();
    } else {
        gateway.stop();
    }
    start
}

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    values[values.len() / 2]
}

/// [`RUNS`] clean restarts, then [`RUNS`] restarts after a `kill -9`.
fn measure(data: &Path, orders: usize) {
    let clean: Vec<Start> = (0..RUNS).map(|_| start(data, false)).collect();
    start(data, true);
    let crashed: Vec<Start> = (0..RUNS).map(|_| start(data, true)).collect();
    start(data, false);
    let size = std::fs::metadata(data.join(DATABASE_FILE)).map_or(0, |m| m.len());
    let mib = |kib: u64| kib as f64 / 1024.0;
    for (label, starts) in [("clean stop", &clean), ("kill -9", &crashed)] {
        println!(
            "{orders:>9} {label:<10} {:>8.3} {:>9.1} {:>9.1} {:>9.0}",
            median(starts.iter().map(|s| s.ready).collect()),
            mib(median(starts.iter().map(|s| s.rss).collect())),
            mib(median(starts.iter().map(|s| s.peak).collect())),
            size as f64 / (1 << 20) as f64,
        );
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    for (id, guid) in PROVIDERS {
        cli(data, &["provider", "add", id, "--guid", guid], None);
    }
    let providers = PROVIDERS.map(|(_, guid)| Guid::parse(guid).expect("GUID"));
    let owner = Guid::random();
    println!(
        "Restart to ready (median of {RUNS} starts) and memory after {IDLE:?} idle \
         (medians); load average {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "{:>9} {:<10} {:>8} {:>9} {:>9} {:>9}",
        "orders", "restart", "ready s", "RSS MiB", "peak MiB", "file MiB"
    );
    let mut stored = 0;
    for size in SIZES {
        let shape = Shape::Created([&providers[0], &providers[1]]);
        let seconds = fill_orders(data, &owner, size - stored, shape);
        eprintln!("stored {} orders in {seconds:.1} s", size - stored);
        stored = size;
        measure(data, stored);
    }
}
