//! Delivery to data partners: the worker that drains the durable outbox (`worker`) and one
//! attempt (`attempt`). HTTP clients come from `partner`.

pub mod attempt;
pub mod worker;
