pub mod check;
pub mod completions;
pub mod diff;
pub mod exporter;
pub mod profile;
pub mod rule;
pub mod watch;
