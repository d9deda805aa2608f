//! Forms engine benchmark: for each sample form and the large provider-shaped benchmark form
//! (forms/bench/large-provider-form.xml, ~57 KB, derived from the real MYD14.005 form), the
//! cold parse+compile time and the validations per second on one core with the compiled form
//! cached (medians).

use std::time::{Duration, Instant};

use echo_forms::CompiledForm;

const FORMS: [&str; 5] = [
    "samples/edsc-demo-form1.xml",
    "samples/edsc-example-form1.xml",
    "samples/edsc-example-form2.xml",
    "samples/edsc-example-form3.xml",
    "bench/large-provider-form.xml",
];
const COMPILE_RUNS: usize = 51;
const VALIDATION_RUNS: usize = 7;
const VALIDATIONS_PER_RUN: u32 = 2_000;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn main() {
    println!(
        "{:<34} {:>16} {:>18} {:>16}",
        "form", "compile (µs)", "validate (µs)", "validations/s"
    );
    for name in FORMS {
        let path = format!("{}/forms/{name}", env!("CARGO_MANIFEST_DIR"));
        let Ok(xml) = std::fs::read_to_string(&path) else {
            println!("{name}: cannot read {path}");
            continue;
        };
        let compile = median(
            (0..COMPILE_RUNS)
                .map(|_| {
                    let start = Instant::now();
                    let compiled = CompiledForm::compile(&xml);
                    let elapsed = start.elapsed();
                    std::hint::black_box(compiled.is_ok());
                    elapsed
                })
                .collect(),
        );
        let Ok(form) = CompiledForm::compile(&xml) else {
            println!("{name}: does not compile");
            continue;
        };
        let selection = form.validate_instance().selection.unwrap_or_default();
        let per_validation = median(
            (0..VALIDATION_RUNS)
                .map(|_| {
                    let start = Instant::now();
                    for _ in 0..VALIDATIONS_PER_RUN {
                        std::hint::black_box(
                            form.validate_selection(std::hint::black_box(&selection)),
                        );
                    }
                    start.elapsed() / VALIDATIONS_PER_RUN
                })
                .collect(),
        );
        println!(
            "{name:<34} {:>16.1} {:>18.1} {:>16.0}",
            compile.as_secs_f64() * 1e6,
            per_validation.as_secs_f64() * 1e6,
            1.0 / per_validation.as_secs_f64()
        );
    }
}
