//! A realistic run, built by hand: two files of an orders service with one finding of each
//! kind the renderers must handle (display-only fix, safe fix, related location in another
//! file, info, tabs, a multi-line span, a message full of characters that need escaping).

use std::collections::BTreeMap;

use leakhound_diagnostics::{
    render, Applicability, Diagnostic, Edit, Fix, Location, OutputFormat, Related, RenderContext,
    RuleMeta, Severity, SourceLookup,
};

pub const WORKER: &str = "orders/worker.go";
pub const PROCESS: &str = "orders/process.go";

pub const WORKER_GO: &str = "package orders

import (
\t\"context\"
\t\"os\"
\t\"time\"
)

func (w *Worker) Run(ctx context.Context, orders <-chan Order) {
\tfor order := range orders {
\t\tselect {
\t\tcase <-time.After(5 * time.Second):
\t\t\tw.log.Printf(\"order %s: timeout\", order.ID)
\t\tcase r := <-w.Process(order):
\t\t\tw.record(r)
\t\t}
\t}
}

func (w *Worker) charge(ctx context.Context, o Order) error {
\ttctx, _ := context.WithTimeout(ctx, 2*time.Second)
\treturn w.gateway.Charge(tctx, o)
}

func (w *Worker) export(names []string) {
\tfor _, name := range names {
\t\tf, _ := os.Create(name)
\t\tdefer func() {
\t\t\tf.Close()
\t\t}()
\t}
}

func (w *Worker) poll(ctx context.Context) {
\tfor {
\t\tselect {
\t\tcase <-ctx.Done():
\t\t\treturn
\t\tcase <-w.kick:
\t\tcase <-time.After(time.Minute):
\t\t}
\t}
}
";

pub const PROCESS_GO: &str = "package orders

// Process settles the order in the background; the result arrives on the returned channel.
func (w *Worker) Process(o Order) <-chan Result {
\tout := make(chan Result)
\tgo func() {
\t\tout <- w.settle(o)
\t}()
\treturn out
}
";

/// The (1-based) start and exclusive end of the `nth` occurrence of `needle` in `src`, as
/// positions and byte offsets.
pub fn span(src: &str, needle: &str, nth: usize) -> (Location, Location, usize, usize) {
    let start = src
        .match_indices(needle)
        .nth(nth)
        .expect("needle in source")
        .0;
    let end = start + needle.len();
    (position(src, start), position(src, end), start, end)
}

pub fn position(src: &str, offset: usize) -> Location {
    let before = &src[..offset];
    let row = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        row,
        column: offset - line_start + 1,
    }
}

pub fn edit(src: &str, needle: &str, nth: usize, content: &str) -> Edit {
    let (location, end_location, start, end) = span(src, needle, nth);
    Edit {
        content: content.to_string(),
        location,
        end_location,
        start,
        end,
    }
}

pub fn insertion(src: &str, offset: usize, content: &str) -> Edit {
    let at = position(src, offset);
    Edit {
        content: content.to_string(),
        location: at,
        end_location: at,
        start: offset,
        end: offset,
    }
}

pub fn diagnostic(
    (code, name, severity): (&'static str, &'static str, Severity),
    filename: &str,
    src: &str,
    needle: &str,
    nth: usize,
    message: &str,
) -> Diagnostic {
    let (location, end_location, start, end) = span(src, needle, nth);
    Diagnostic {
        code,
        name,
        severity,
        message: message.to_string(),
        help: None,
        filename: filename.to_string(),
        location,
        end_location,
        fix: None,
        related: vec![],
        url: format!("https://leakhound.dev/rules/{name}"),
        start,
        end,
    }
}

pub fn diagnostics() -> Vec<Diagnostic> {
    let mut abandoned = diagnostic(("LH301", "abandoned-sender", Severity::Error),
        PROCESS,
        PROCESS_GO,
        "out <- w.settle(o)",
        0,
        "goroutine blocks forever on `out <- w.settle(o)` when the caller's \"select\" takes another case: 100% of timed-out orders leak one, & <-chan Result is unbuffered",
    );
    let (location, end_location, _, _) = span(WORKER_GO, "r := <-w.Process(order)", 0);
    abandoned.related.push(Related {
        message: "the caller's `select` can return without receiving [timeout case]".to_string(),
        filename: WORKER.to_string(),
        location,
        end_location,
    });
    abandoned.help =
        Some("give `out` a buffer of 1, or select on `ctx.Done()` beside the send".to_string());

    let mut after = diagnostic(("LH101", "after-in-loop", Severity::Warning),
        WORKER,
        WORKER_GO,
        "time.After(5 * time.Second)",
        0,
        "`time.After` in a `select` inside a loop: a timer per iteration, kept until it fires (go 1.22)",
    );
    after.help =
        Some("make one `time.NewTimer` before the loop and `Reset` it each iteration".to_string());
    let loop_start = WORKER_GO.find("\tfor order").unwrap();
    after.fix = Some(Fix {
        message: "hoist the timer out of the loop".to_string(),
        applicability: Applicability::DisplayOnly,
        edits: vec![
            insertion(
                WORKER_GO,
                loop_start,
                "\ttimer := time.NewTimer(5 * time.Second)\n\tdefer timer.Stop()\n",
            ),
            edit(WORKER_GO, "time.After(5 * time.Second)", 0, "timer.C"),
        ],
    });

    let mut cancel = diagnostic(("LH201", "lost-cancel", Severity::Error),
        WORKER,
        WORKER_GO,
        "context.WithTimeout(ctx, 2*time.Second)",
        0,
        "the cancel func of `context.WithTimeout` is discarded: the context and its timer stay linked into `ctx` until it is cancelled",
    );
    let next_line = WORKER_GO.find("\treturn w.gateway").unwrap();
    cancel.fix = Some(Fix {
        message: "name the cancel func `cancel` and `defer cancel()`".to_string(),
        applicability: Applicability::Safe,
        edits: vec![
            edit(WORKER_GO, "_", 0, "cancel"),
            insertion(WORKER_GO, next_line, "\tdefer cancel()\n"),
        ],
    });

    let defer = diagnostic(
        ("LH202", "defer-in-loop", Severity::Warning),
        WORKER,
        WORKER_GO,
        "defer func() {\n\t\t\tf.Close()\n\t\t}()",
        0,
        "`defer` in a loop body: every `f.Close` waits until `export` returns",
    );

    let poll = diagnostic(
        ("LH101", "after-in-loop", Severity::Info),
        WORKER,
        WORKER_GO,
        "time.After(time.Minute)",
        0,
        "`time.After` in a `select` inside a loop: a timer allocated per iteration (go 1.23)",
    );

    let mut all = vec![abandoned, after, cancel, defer, poll];
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    all
}

pub fn sources() -> BTreeMap<String, String> {
    [
        (WORKER.to_string(), WORKER_GO.to_string()),
        (PROCESS.to_string(), PROCESS_GO.to_string()),
    ]
    .into()
}

const DOC_101: &str = "## What it does
Flags `time.After` used as a case of a `select` inside a loop, when another case lets the loop
go on.

## Why is this bad?
Each iteration makes a timer and abandons it when the other case wins.

## Example
```go
for o := range orders {
    select {
    case <-time.After(5 * time.Second):
    case r := <-work:
    }
}
```

## Use instead
One `time.NewTimer` before the loop, `Reset` each iteration.

## Go version notes
Before Go 1.23 each abandoned timer lives until it fires.

## Fix safety
Suggested only.

## Related
staticcheck SA1015.
";

fn meta(
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    doc: &'static str,
    severity: Severity,
) -> RuleMeta {
    RuleMeta {
        code,
        name,
        summary,
        doc,
        severity,
        url: format!("https://leakhound.dev/rules/{name}"),
    }
}

pub fn rules() -> Vec<RuleMeta> {
    vec![
        meta("E001", "parse-error", "a file that does not parse", "## What it does\nReports a file that does not parse.\n", Severity::Error),
        meta("LH101", "after-in-loop", "`time.After` as a `select` case in a loop", DOC_101, Severity::Warning),
        meta(
            "LH201",
            "lost-cancel",
            "a `context.With*` cancel func discarded or never used",
            "## What it does\nFlags the cancel function returned by `context.WithCancel` and friends when it is\nassigned to `_` or never used.\n\n## Why is this bad?\nThe context stays linked into its parent.\n",
            Severity::Error,
        ),
        meta("LH202", "defer-in-loop", "`defer` directly in a loop body", "## What it does\nFlags a `defer` statement directly in a loop body.\n", Severity::Warning),
        meta("LH301", "abandoned-sender", "a goroutine left blocked on a send nobody receives", "## What it does\nFlags a goroutine's send on an unbuffered channel whose receiver can give up.\n", Severity::Error),
    ]
}

pub fn render_with(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    sources: &dyn SourceLookup,
    color: bool,
) -> String {
    let rules = rules();
    let ctx = RenderContext {
        rules: &rules,
        tool_version: "0.1.0",
        color,
    };
    let mut out = Vec::new();
    render(format, diagnostics, &ctx, sources, &mut out).expect("rendering to memory");
    String::from_utf8(out).expect("utf-8 output")
}

pub fn render_to_string(format: OutputFormat, diagnostics: &[Diagnostic]) -> String {
    render_with(format, diagnostics, &sources(), false)
}
