//! leakhound's Go source model: what the rules know about a Go file beyond its syntax.
//!
//! No type checker and no build: imports are resolved by path, local names that shadow an
//! import are tracked by scope, and the module's Go version decides the timer semantics.

pub mod bodies;
pub mod cfg;
pub mod channels;
pub mod gomod;
pub mod imports;
pub mod lockflow;
pub mod package;
pub mod summary;
pub mod terminal;
pub mod waitgroups;
