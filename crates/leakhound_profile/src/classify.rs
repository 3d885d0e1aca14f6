//! What a state and a stack say about a goroutine: how likely a wait is to be permanent, which
//! frames are the runtime's or the standard library's, and which goroutines live long by design.

/// How much a wait state says "stuck for good", after the runtime's own classification
/// (`isChanWait`, `isSyncWait`) and LeakProf's choice of channel operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WaitClass {
    /// Runtime housekeeping (GC workers, finalizers, ...): never a leak of the user's.
    Runtime,
    /// Woken by time, I/O or the scheduler: `sleep`, `IO wait`, `syscall`, `running`, ...
    Transient,
    /// Not printed by the format (debug=1, debug=0).
    Unknown,
    /// Parked on a channel, `select` or sync primitive: wakes only if another goroutine acts.
    Blocking,
    /// `(nil chan)` and `select (no cases)`: nothing can ever wake it.
    Forever,
}

impl WaitClass {
    pub fn of(state: &str) -> WaitClass {
        let base = state
            .strip_suffix(" (durable)")
            .or_else(|| state.strip_suffix(" (synctest)"))
            .unwrap_or(state);
        match base {
            "chan send (nil chan)" | "chan receive (nil chan)" | "select (no cases)" => {
                WaitClass::Forever
            }
            "chan send"
            | "chan receive"
            | "select"
            | "semacquire"
            | "sync.Cond.Wait"
            | "sync.Mutex.Lock"
            | "sync.RWMutex.Lock"
            | "sync.RWMutex.RLock"
            | "sync.WaitGroup.Wait"
            | "coroutine" => WaitClass::Blocking,
            "unknown" => WaitClass::Unknown,
            "sleep" | "IO wait" | "syscall" | "running" | "runnable" | "waiting" | "preempted"
            | "copystack" | "dead" | "idle" | "synctest.Run" | "synctest.Wait" => {
                WaitClass::Transient
            }
            s if s.starts_with("GC ")
                || s.starts_with("garbage collection")
                || s.starts_with("force gc")
                || s.starts_with("trace ")
                || s.ends_with("(idle)")
                || matches!(
                    s,
                    "finalizer wait"
                        | "cleanup wait"
                        | "wait for GC cycle"
                        | "panicwait"
                        | "dumping heap"
                        | "debug call"
                        | "stopping the world"
                        | "flushing proc caches"
                        | "page trace flush"
                ) =>
            {
                WaitClass::Runtime
            }
            _ => WaitClass::Transient,
        }
    }

    /// Weight of the class in a suspect's score.
    pub fn weight(self) -> f64 {
        match self {
            WaitClass::Runtime => 0.0,
            WaitClass::Transient => 0.3,
            WaitClass::Unknown => 0.7,
            WaitClass::Blocking | WaitClass::Forever => 1.0,
        }
    }
}

/// Top-level standard library packages (Go 1.17–1.27). A function's package path is what comes
/// before the first `.` after the last `/`.
const STD_ROOTS: &[&str] = &[
    "archive",
    "bufio",
    "bytes",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
    "unique",
    "unsafe",
    "vendor",
    "weak",
    "crypto/internal",
];

/// Whether a function belongs to the runtime or the standard library (`net/http.(*conn).serve`,
/// `sync.(*WaitGroup).Wait`, `runtime.gopark`, `panic`).
pub fn is_stdlib_function(function: &str) -> bool {
    if !function.contains('.') {
        // `panic`, `non-Go function`: printed by the runtime.
        return true;
    }
    let slash = function.rfind('/').map_or(0, |i| i + 1);
    let dot = function[slash..]
        .find('.')
        .map_or(function.len(), |i| slash + i);
    let package = &function[..dot];
    let root = package.split('/').next().unwrap_or(package);
    !root.contains('.') && root != "main" && STD_ROOTS.contains(&root)
}

pub(crate) fn is_runtime_function(function: &str) -> bool {
    function.starts_with("runtime.")
}

/// A kind of goroutine that lives as long as the process by design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LongLived {
    HttpAcceptLoop,
    AcceptLoop,
    KeepAliveReader,
    KeepAliveWriter,
    /// `net/http.(*conn).serve` reading the next request of an idle connection.
    HttpConnection,
    SignalHandler,
    TraceReader,
    TestRunner,
    RuntimeWorker,
}

/// Goroutines that live as long as the process by design, found by a function above their site
/// (callers pass the frames from the top of the stack down to the first user frame) or by their
/// creator. They are never suspects: LeakProf's "blocked by design" false positives.
pub(crate) fn known_long_lived(functions: &[&str], created_by: Option<&str>) -> Option<LongLived> {
    use LongLived::*;
    const KNOWN: &[(&str, LongLived)] = &[
        ("net/http.(*Server).Serve", HttpAcceptLoop),
        ("net.(*TCPListener).Accept", AcceptLoop),
        ("net/http.(*persistConn).readLoop", KeepAliveReader),
        ("net/http.(*persistConn).writeLoop", KeepAliveWriter),
        ("net/http.(*connReader).backgroundRead", HttpConnection),
        ("net/http.(*conn).serve", HttpConnection),
        ("os/signal.signal_recv", SignalHandler),
        ("os/signal.loop", SignalHandler),
        ("os/signal.Notify.func1", SignalHandler),
        ("runtime.ensureSigM", SignalHandler),
        ("runtime/trace.Start.func1", TraceReader),
        ("testing.(*T).Run", TestRunner),
        ("testing.tRunner", TestRunner),
        ("testing.(*M).startAlarm", TestRunner),
    ];
    for f in functions {
        if let Some((_, what)) = KNOWN.iter().find(|(k, _)| k == f) {
            return Some(*what);
        }
    }
    if let Some(c) = created_by {
        if c.starts_with("runtime.") || c == "runtime/pprof.(*Profile).WriteTo" {
            return Some(RuntimeWorker);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_functions() {
        assert!(is_stdlib_function("net/http.(*conn).serve"));
        assert!(is_stdlib_function("runtime.gopark"));
        assert!(is_stdlib_function("sync.(*WaitGroup).Wait"));
        assert!(is_stdlib_function("panic"));
        assert!(!is_stdlib_function("main.(*Order).Process.func1"));
        assert!(!is_stdlib_function("github.com/acme/svc/net.Dial"));
        assert!(!is_stdlib_function("leakcorpus/timeafter.f"));
        assert!(!is_stdlib_function("app.(*Server[go.shape.int]).Run.func1"));
    }

    #[test]
    fn wait_classes() {
        assert_eq!(WaitClass::of("select (no cases)"), WaitClass::Forever);
        assert_eq!(WaitClass::of("chan send (nil chan)"), WaitClass::Forever);
        assert_eq!(WaitClass::of("chan send (durable)"), WaitClass::Blocking);
        assert_eq!(WaitClass::of("sync.WaitGroup.Wait"), WaitClass::Blocking);
        assert_eq!(WaitClass::of("GC worker (idle)"), WaitClass::Runtime);
        assert_eq!(WaitClass::of("finalizer wait"), WaitClass::Runtime);
        assert_eq!(WaitClass::of("IO wait"), WaitClass::Transient);
        assert_eq!(WaitClass::of("some future reason"), WaitClass::Transient);
    }
}
