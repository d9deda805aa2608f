//! Forms engine benchmark: for each sample form and the large provider-shaped benchmark form
//! (forms/bench/large-provider-form.xml, ~57 KB, derived from the real MYD14.005 form), the
//! cold parse+compile time and the validations per second on one core with the compiled form
//! cached. Wall times are medians over runs; next to them, the CPU time the thread ran per
//! call (from /proc/thread-self/schedstat, where there is one, summed over all runs because
//! the kernel accounts it at scheduling events), which other load on the machine does not
//! inflate; validations per second are counted in CPU time when it is known.

use std::time::{Duration, Instant};

use echo_forms::CompiledForm;

const FORMS: [&str; 5] = [
    "samples/edsc-demo-form1.xml",
    "samples/edsc-example-form1.xml",
    "samples/edsc-example-form2.xml",
    "samples/edsc-example-form3.xml",
    "bench/large-provider-form.xml",
];
const COMPILE_RUNS: u32 = 15;
const VALIDATION_RUNS: u32 = 9;
/// The kernel accounts CPU time at scheduling events, so each run lasts long enough for
/// many of them.
const RUN_LENGTH: Duration = Duration::from_millis(60);

/// Nanoseconds this thread has run on a CPU, where the kernel reports it.
fn cpu_time() -> Option<Duration> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Median wall time and mean CPU time of one call of `work`, over `runs` runs of about
/// RUN_LENGTH.
fn measure(runs: u32, mut work: impl FnMut()) -> (Duration, Option<Duration>) {
    let start = Instant::now();
    work();
    let per_run = (RUN_LENGTH.as_nanos() / start.elapsed().as_nanos().max(1)).clamp(1, 100_000);
    let per_run = u32::try_from(per_run).unwrap_or(1);
    let mut walls = Vec::new();
    let cpu_start = cpu_time();
    for _ in 0..runs {
        let start = Instant::now();
        for _ in 0..per_run {
            work();
        }
        walls.push(start.elapsed() / per_run);
    }
    let cpu = cpu_start
        .zip(cpu_time())
        .map(|(before, after)| (after - before) / (runs * per_run))
        .filter(|cpu| !cpu.is_zero());
    (median(walls).unwrap_or_default(), cpu)
}

fn median(mut samples: Vec<Duration>) -> Option<Duration> {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied()
}

fn micros(time: Option<Duration>) -> String {
    time.map_or("-".to_owned(), |t| format!("{:.1}", t.as_secs_f64() * 1e6))
}

fn main() {
    println!(
        "{:<32} {:>13} {:>13} {:>14} {:>14} {:>15}",
        "form", "compile µs", "compile cpu", "validate µs", "validate cpu", "validations/s"
    );
    for name in FORMS {
        let path = format!("{}/forms/{name}", env!("CARGO_MANIFEST_DIR"));
        let Ok(xml) = std::fs::read_to_string(&path) else {
            println!("{name}: cannot read {path}");
            continue;
        };
        let compile = measure(COMPILE_RUNS, || {
            std::hint::black_box(CompiledForm::compile(&xml).is_ok());
        });
        let Ok(form) = CompiledForm::compile(&xml) else {
            println!("{name}: does not compile");
            continue;
        };
        let selection = form.validate_instance().selection.unwrap_or_default();
        let validate = measure(VALIDATION_RUNS, || {
            std::hint::black_box(form.validate_selection(std::hint::black_box(&selection)));
        });
        let per_second = 1.0 / validate.1.unwrap_or(validate.0).as_secs_f64();
        println!(
            "{name:<32} {:>13} {:>13} {:>14} {:>14} {per_second:>15.0}",
            micros(Some(compile.0)),
            micros(compile.1),
            micros(Some(validate.0)),
            micros(validate.1),
        );
    }
}
