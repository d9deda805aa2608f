//! What every fuzz target shares: the case count (`FUZZ_CASES`, 1000 by default, raised by `scripts/fuzz-long`),
//! byte-level mutations of seed documents, and the per-case time budget that turns a hang
//! into a failure instead of a stuck test.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per target in a normal `cargo test`.
const DEFAULT_CASES: u32 = 1000;
/// The longest one case may take (debug build, shared cores) before it counts as a hang.
pub const CASE_BUDGET: Duration = Duration::from_secs(10);
/// Mutations applied to one seed at most.
const MAX_MUTATIONS: usize = 8;

/// Fragments that stress XML readers and field decoders.
const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x10FFFF;",
    "&#xD800;",
    "&undefined;",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "<?pi x?>",
    "<!--",
    "-->",
    "\"",
    "'",
    "=",
    " xmlns=\"\"",
    " xmlns:ns2=\"urn:other\"",
    " xsi:nil=\"true\"",
    "\u{0}",
    "\u{FFFD}",
    "é",
    "-1",
    "0",
    "99999999999999999999",
    "1e308",
    "NaN",
    "-Infinity",
    "true",
    "false",
    "",
    "2026-13-45T25:61:61Z",
    "1970-01-01T00:00:00Z",
    " ",
    "\n",
    "<a>",
    "</a>",
    "<x><x><x><x>",
    "<ns3:Item>",
    "</ns3:Item>",
    "1282C3FE-6892-81C3-A86B-594FDCC13AF3",
    "//",
    "[",
    "]",
    "(",
    ")",
];

/// The proptest settings of every target: `FUZZ_CASES` cases (default 1000), no failure
/// files written into the checkout, shrinking bounded.
pub fn config() -> Config {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

/// One edit of a seed; positions are taken modulo the document's length.
#[derive(Debug, Clone)]
pub enum Mutation {
    Delete {
        at: usize,
        len: usize,
    },
    Insert {
        at: usize,
        fragment: usize,
    },
    Replace {
        at: usize,
        len: usize,
        fragment: usize,
    },
    Duplicate {
        at: usize,
        len: usize,
    },
    Byte {
        at: usize,
        value: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    let len = 0..64usize;
    let fragment = 0..FRAGMENTS.len();
    prop_oneof![
        (at, len.clone()).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (at, fragment.clone()).prop_map(|(at, fragment)| Mutation::Insert { at, fragment }),
        (at, len.clone(), fragment).prop_map(|(at, len, fragment)| Mutation::Replace {
            at,
            len,
            fragment
        }),
        (at, 0..4096usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (at, any::<u8>()).prop_map(|(at, value)| Mutation::Byte { at, value }),
    ]
}

/// `seed` with `mutations` applied in turn.
pub fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for m in mutations {
        let n = out.len().max(1);
        let span = |at: usize, len: usize| {
            let start = (at % n).min(out.len());
            (start, (start + len).min(out.len()))
        };
        match *m {
            Mutation::Delete { at, len } => {
                let (a, b) = span(at, len);
                out.drain(a..b);
            }
            Mutation::Insert { at, fragment } => {
                let (a, _) = span(at, 0);
                out.splice(a..a, FRAGMENTS[fragment].bytes());
            }
            Mutation::Replace { at, len, fragment } => {
                let (a, b) = span(at, len);
                out.splice(a..b, FRAGMENTS[fragment].bytes());
            }
            Mutation::Duplicate { at, len } => {
                let (a, b) = span(at, len);
                let copy = out[a..b].to_vec();
                out.splice(b..b, copy);
            }
            Mutation::Byte { at, value } => {
                if !out.is_empty() {
                    let i = at % out.len();
                    out[i] = value;
                }
            }
        }
    }
    out
}

/// Up to [`MAX_MUTATIONS`] edits.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 0..=MAX_MUTATIONS)
}

/// A seed from `seeds` (at least one), mutated.
pub fn mutated(seeds: Arc<Vec<Vec<u8>>>) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    (0..count, mutations()).prop_map(move |(index, edits)| apply(&seeds[index], &edits))
}

/// Runs target `name`: `config().cases` cases drawn from `inputs`, each given to `work` within
/// the budget; prints the cases run and the time taken, and fails the test on any finding.
pub fn fuzz<S>(name: &str, inputs: S, work: impl Fn(S::Value) + Send + Sync + Clone + 'static)
where
    S: Strategy,
    S::Value: Send + 'static,
{
    let started = Instant::now();
    let mut runner = TestRunner::new(config());
    let cases = std::cell::Cell::new(0u64);
    let result = runner.run(&inputs, |input| {
        cases.set(cases.get() + 1);
        let work = work.clone();
        within_budget(move || work(input))
    });
    println!(
        "fuzz {name}: {} executions (shrinking included) in {:.1} s",
        cases.get(),
        started.elapsed().as_secs_f64()
    );
    if let Err(finding) = result {
        panic!("fuzz {name}: {finding}");
    }
}

/// Runs one case on its own thread within [`CASE_BUDGET`]: a panic or an overrun fails the
/// case (the overrunning thread is left behind; the test fails anyway).
fn within_budget(work: impl FnOnce() + Send + 'static) -> Result<(), TestCaseError> {
    let (done, finished) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        work();
        let _ = done.send(());
    });
    match finished.recv_timeout(CASE_BUDGET) {
        Ok(()) => Ok(()),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "case still running after {:?}",
            started.elapsed()
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(TestCaseError::fail("case panicked")),
    }
}
