//! The shop's customers, from its own database: a CSV export, a SQLite file or PostgreSQL, read into a
//! [`table::Table`] ([`source`]), mapped to customers through the configured columns ([`mapping`]), ranked to
//! the top N ([`rank`]) and compared with the stored list ([`diff`]) before [`import`] writes them.

mod columns;
pub mod config;
pub mod csv;
pub mod diff;
pub mod find;
pub mod import;
pub mod mapping;
pub mod pick;
pub mod postgres;
pub mod problems;
pub mod rank;
pub mod show;
mod source;
mod sqlite;
pub mod story;
pub mod table;
pub mod values;
