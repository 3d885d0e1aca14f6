//! The standard-library functions resolution knows by name: what a dot import brings in that
//! the analyses ask about, and the names whose local declarations change how a call resolves.

/// The `context` functions that return a cancel func as their second result.
pub const CANCEL_CONSTRUCTORS: &[&str] = &[
    "WithCancel",
    "WithTimeout",
    "WithDeadline",
    "WithCancelCause",
    "WithTimeoutCause",
    "WithDeadlineCause",
];

/// The packages whose functions a dot import can bring into a file under their bare names.
pub const DOT_IMPORTABLE: &[&str] = &["time", "context", "os", "log", "runtime", "sync"];

/// Functions of dot-importable packages that resolution recognises.
pub fn dot_member(path: &str, name: &str) -> bool {
    match path {
        "time" => matches!(name, "After" | "Tick" | "NewTicker" | "NewTimer"),
        "context" => CANCEL_CONSTRUCTORS.contains(&name),
        "os" => name == "Exit",
        "log" => name.starts_with("Fatal") || name.starts_with("Panic"),
        "runtime" => name == "Goexit",
        _ => false,
    }
}

/// Names whose local declaration changes resolution even without an import of that name (a
/// dot import brings these in, or they are the builtin `panic`).
pub fn is_watched_name(name: &str) -> bool {
    matches!(
        name,
        "time"
            | "context"
            | "panic"
            | "After"
            | "Tick"
            | "NewTicker"
            | "WithCancel"
            | "WithTimeout"
            | "WithDeadline"
    )
}
