//! Delivery to data partners: the worker that drains the durable outbox (`worker`), its
//! in-memory schedule (`schedule`) and one attempt (`attempt`). HTTP clients come from `partner`.

pub mod attempt;
pub mod schedule;
pub mod worker;
