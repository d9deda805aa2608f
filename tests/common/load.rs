//! Load measurement shared by the benchmarks: fixed-count runs of an operation from a number
//! of concurrent workers, each timed; several runs after a warm-up summarised as the median
//! run's throughput and latency percentiles pooled over all runs.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The outcome of one run.
pub struct Run {
    pub per_second: f64,
    pub latencies: Vec<Duration>,
}

/// Several runs of one load.
pub struct Summary {
    /// Operations per second of the median run.
    pub median_per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Operations run, warm-up included (what a server's CPU time over the load is divided by).
    pub operations: usize,
}

impl Summary {
    /// `label concurrency total median/s p50-ms p99-ms`, aligned under [`header`].
    pub fn row(&self, label: &str, concurrency: usize, total: usize) -> String {
        format!(
            "{label:<9} {concurrency:>4} {total:>13} {:>15.0} {:>9.3} {:>9.3}",
            self.median_per_second,
            millis(self.p50),
            millis(self.p99),
        )
    }
}

/// Column titles for [`Summary::row`]: the label column, then the count per run and the
/// throughput column (e.g. `requests/run`, `req/s (median)`).
pub fn header(label: &str, per_run: &str, per_second: &str) -> String {
    format!(
        "{label:<9} {:>4} {per_run:>13} {per_second:>15} {:>9} {:>9}",
        "conc", "p50 ms", "p99 ms"
    )
}

/// Runs `operation` `total` times from `concurrency` workers; returns throughput and the
/// latency of each call.
pub async fn run<F, Fut>(operation: F, concurrency: usize, total: usize) -> Run
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (operation, issued) = (operation.clone(), issued.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while issued.fetch_add(1, Ordering::Relaxed) < total {
                    let begun = Instant::now();
                    operation().await;
                    latencies.push(begun.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    Run {
        per_second: total as f64 / started.elapsed().as_secs_f64(),
        latencies,
    }
}

/// A warm-up of a tenth of `total`, then `runs` runs of `total` operations.
pub async fn measure<F, Fut>(operation: F, concurrency: usize, total: usize, runs: usize) -> Summary
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let warm_up = (total / 10).max(1);
    run(operation.clone(), concurrency, warm_up).await;
    let mut measured = Vec::new();
    for _ in 0..runs {
        measured.push(run(operation.clone(), concurrency, total).await);
    }
    let mut throughputs: Vec<f64> = measured.iter().map(|r| r.per_second).collect();
    throughputs.sort_by(f64::total_cmp);
    let mut pooled: Vec<Duration> = measured.into_iter().flat_map(|r| r.latencies).collect();
    pooled.sort_unstable();
    Summary {
        median_per_second: throughputs[runs / 2],
        p50: percentile(&pooled, 0.50),
        p99: percentile(&pooled, 0.99),
        operations: warm_up + total * runs,
    }
}

/// The value at `fraction` (0–1) of sorted durations.
pub fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
    sorted[index.min(sorted.len() - 1)]
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
