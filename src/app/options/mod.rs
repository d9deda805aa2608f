//! Options: the ECHO Forms documents providers publish for the choices an order needs
//! (definitions), which collections need them (assignments), validating order items'
//! selections against them, and invalidating the orders of a removed definition (a durable
//! background job), what a provider reviews before a change (`review`), and stored selections
//! as people see them, secrets obscured (`shown_selections`).

pub mod assignments;
pub mod definitions;
mod imports;
pub mod invalidation;
pub mod review;
pub mod selections;
pub mod shown_selections;
