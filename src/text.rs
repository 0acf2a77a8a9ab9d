//! Sanitizing untrusted text.
