//! Property-based fuzzing of every decoder of outside input, a bounded run in the normal
//! `cargo test` (`FUZZ_CASES` cases per target, 1000 by default; `scripts/fuzz-long` raises
//! it): the XML reader, the SOAP request decoders (through `soap::dispatch`, seeded from the
//! recorded traffic and generated from the WSDLs' operations), the v9 answer decoder, the
//! forms parser/compiler/validator, option-assignment filters and the catalog file reader.
//! Every case must end without a panic within the per-case budget.

mod common;

#[path = "fuzz/catalog_file.rs"]
mod catalog_file;
#[path = "fuzz/forms.rs"]
mod forms;
#[path = "fuzz/harness.rs"]
mod harness;
#[path = "fuzz/metadata_filter.rs"]
mod metadata_filter;
#[path = "fuzz/seeds.rs"]
mod seeds;
#[path = "fuzz/soap_requests.rs"]
mod soap_requests;
#[path = "fuzz/v9_answers.rs"]
mod v9_answers;
#[path = "fuzz/xml_reader.rs"]
mod xml_reader;
