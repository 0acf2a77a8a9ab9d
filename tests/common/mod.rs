//! Helpers shared by the integration tests: `mod common;` in a test file brings them in.
// Every test file is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod accounts;
pub mod app;
pub mod bin;
pub mod bluesky;
pub mod console;
pub mod fake_ws;
pub mod files;
pub mod google;
pub mod graph;
pub mod linkedin;
pub mod mastodon;
pub mod postgres;
pub mod reports;
pub mod run;
pub mod tmux;
pub mod tumblr;
pub mod x;
