//! Property-based fuzzing of every decoder of outside input, a bounded run in the normal
//! `cargo test` (`FUZZ_CASES` cases per target, 1000 by default; `scripts/fuzz-long` raises
//! it): the XML reader, the SOAP request decoders (through `soap::dispatch`, seeded from the
//! recorded traffic and generated from the WSDLs' operations), the v9 answer decoder, the
//! forms parser/compiler/validator, option-assignment filters and the catalog file reader;
//! and the JSON adapters on a running gateway (the Ordering API's bodies and paging queries,
//! the ECHO REST order bodies), from structure-aware mutations of valid requests: no 5xx, a
//! JSON error body for a refused request and no state change from it.
//! Every case must end without a panic within the per-case budget.

mod common;

#[path = "fuzz/catalog_file.rs"]
mod catalog_file;
#[path = "fuzz/echo_rest.rs"]
mod echo_rest;
#[path = "fuzz/forms.rs"]
mod forms;
#[path = "fuzz/harness.rs"]
mod harness;
#[path = "fuzz/json.rs"]
mod json;
#[path = "fuzz/live_api.rs"]
mod live_api;
#[path = "fuzz/metadata_filter.rs"]
mod metadata_filter;
#[path = "fuzz/ordering_api.rs"]
mod ordering_api;
#[path = "fuzz/seeds.rs"]
mod seeds;
#[path = "fuzz/soap_requests.rs"]
mod soap_requests;
#[path = "fuzz/v9_answers.rs"]
mod v9_answers;
#[path = "fuzz/xml_reader.rs"]
mod xml_reader;
