//! regulars: a terminal console for a shop's social-media staff.
#![forbid(unsafe_code)]

pub mod domain;
pub mod sources;
pub mod store;
pub mod text;
pub mod triage;
