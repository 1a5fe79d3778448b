//! Ongoing monitoring: the customer book, re-screened by difference on every list change.

pub mod record;
pub mod store;
