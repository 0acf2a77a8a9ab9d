//! regulars: a terminal console for a shop's social-media staff.
#![forbid(unsafe_code)]

pub mod app;
pub mod config;
pub mod domain;
pub mod sources;
pub mod state;
pub mod store;
pub mod text;
pub mod triage;
pub mod ui;
