//! A team on one workspace (PostgreSQL): what every console hears about the others' work.

pub mod listen;
