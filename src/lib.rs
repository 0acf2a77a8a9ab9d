//! regulars: a terminal console for a shop's social-media staff.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod app;
pub mod bench;
pub mod checkin;
pub mod config;
pub mod console;
pub mod customers;
pub mod domain;
pub mod editor;
pub mod export;
pub mod fetcher;
pub mod hours;
pub mod ingest;
pub mod links;
pub mod live;
pub mod loader;
pub mod logging;
pub mod money;
pub mod notify;
pub mod paths;
pub mod pg;
pub mod report;
pub mod runtime;
pub mod sources;
pub mod state;
pub mod store;
pub mod store_migrate;
pub mod sync;
pub mod terminal;
pub mod text;
pub mod triage;
pub mod ui;
pub mod workspace;
