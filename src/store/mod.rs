//! The store: one SQLite connection, owned by one thread.
