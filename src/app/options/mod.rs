//! Options: the ECHO Forms documents providers publish for the choices an order needs
//! (definitions), which collections need them (assignments), validating order items'
//! selections against them, and invalidating the orders of a removed definition (a durable
//! background job), and what a provider reviews before a change (`review`).

pub mod assignments;
pub mod definitions;
mod imports;
pub mod invalidation;
pub mod review;
pub mod selections;
