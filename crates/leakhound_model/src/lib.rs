//! leakhound's Go source model: what the rules know about a Go package beyond its syntax.
//! Facts only: nothing here knows a rule or decides what to report.
//!
//! No type checker and no build: imports are resolved by path, local names that shadow an
//! import are tracked by scope ([`names`]), and the module's Go version decides the timer
//! semantics. [`package::PackageFacts`] holds a package's facts, computing the costly ones on
//! first use; [`terminal`] is the one set of calls that end a path; [`cfg`] the control-flow view of a
//! body; [`channels`] the channel model of a function; [`lockflow`], [`waitgroups`] and
//! [`summary`] what the lock and wait-group rules read; [`semantic`] the package's types,
//! identities, call graph and lock effects across functions; [`census`] the package's conds,
//! wait groups, timers and goroutine-starting helpers by name.

pub mod api;
pub mod bodies;
pub mod census;
pub mod cfg;
pub mod channels;
pub mod fanin;
pub mod gomod;
pub mod imports;
pub mod lockflow;
pub mod names;
pub mod package;
pub mod semantic;
pub mod summary;
pub mod terminal;
pub mod timers;
pub mod waitgroups;
