//! When `defer cancel()` keeps a program's meaning, and where it goes.
//!
//! The deferred cancel runs when the function returns, so it is safe only if the context (or a
//! value made from it) does not outlive the function: not returned, not stored outside the
//! function, not sent on a channel, not used by a goroutine. A function literal that captures
//! it may run later (a callback), so that case is a fix a person must confirm. The analysis is
//! syntactic and errs towards "not safe": a name assigned from an expression that mentions the
//! context is followed as if it were the context.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node, Visitor};

/// How far the context may live past the function that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lifetime {
    /// Only inside the function: `defer cancel()` is safe.
    Function,
    /// Captured by a function literal that is neither run in place nor deferred.
    Captured,
    /// It outlives the function; the reason, for the message.
    Outlives(&'static str),
}

/// What the escape walk needs to know about the function that holds the statement.
pub(crate) struct Scope<'s, 'a> {
    pub body: &'a Block<'a>,
    pub params: &'s [&'a str],
    pub locals: &'s [&'a str],
    pub named_results: usize,
    /// The function's result types; `None` when it has none.
    pub results: Option<&'a FieldList<'a>>,
}

impl Scope<'_, '_> {
    fn is_named_result(&self, name: &str) -> bool {
        self.params[self.params.len() - self.named_results..].contains(&name)
    }

    fn is_local(&self, name: &str) -> bool {
        !self.is_named_result(name) && (self.locals.contains(&name) || self.params.contains(&name))
    }

    /// Results that cannot hold a context: `error`, booleans, numbers and strings. A call that
    /// takes the context and whose value is returned is then no escape.
    fn returns_only_plain_values(&self) -> bool {
        let Some(results) = self.results else {
            return true;
        };
        results
            .list
            .iter()
            .all(|f| matches!(&f.typ, Expr::Ident(id) if PLAIN.contains(&id.name)))
    }
}

const PLAIN: &[&str] = &[
    "error", "bool", "string", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
    "uint32", "uint64", "uintptr", "float32", "float64", "byte", "rune",
];

/// Follows `context` (a local name, made by the statement ending at `after`) through the
/// function body and says how long it may live.
pub(crate) fn lifetime(scope: &Scope<'_, '_>, context: &str, after: u32) -> Lifetime {
    let mut tainted = vec![context.to_string()];
    // Each round may add names assigned from tainted ones; a body has finitely many names.
    loop {
        let mut walk = Escapes {
            scope,
            tainted: &tainted,
            after,
            found: Vec::new(),
            verdict: Lifetime::Function,
        };
        walk_node(Node::Block(scope.body), &[], &mut walk);
        if walk.verdict != Lifetime::Function {
            return walk.verdict;
        }
        let before = tainted.len();
        for name in walk.found {
            if !tainted.contains(&name) {
                tainted.push(name);
            }
        }
        if tainted.len() == before {
            return Lifetime::Function;
        }
    }
}

struct Escapes<'s, 'a> {
    scope: &'s Scope<'s, 'a>,
    tainted: &'s [String],
    after: u32,
    /// Local names assigned from a tainted expression.
    found: Vec<String>,
    verdict: Lifetime,
}

impl Escapes<'_, '_> {
    fn record(&mut self, lifetime: Lifetime) {
        let rank = |l: &Lifetime| match l {
            Lifetime::Function => 0,
            Lifetime::Captured => 1,
            Lifetime::Outlives(_) => 2,
        };
        if rank(&lifetime) > rank(&self.verdict) {
            self.verdict = lifetime;
        }
    }
}

impl<'a> Visitor<'a> for Escapes<'_, 'a> {
    fn visit(&mut self, node: Node<'a>, parents: &[Node<'a>]) -> bool {
        // Code before the statement cannot see the context (outside loops, where this runs).
        if node.span().end < self.after {
            return false;
        }
        match node {
            Node::Expr(e) => self.visit_expr(e, parents),
            _ => true,
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr<'a>, parents: &[Node<'a>]) -> bool {
        let Expr::Ident(id) = expr else { return true };
        if id.span.start < self.after || !self.tainted.iter().any(|t| t == id.name) {
            return true;
        }
        let lifetime = classify(self.scope, expr, parents, &mut self.found);
        self.record(lifetime);
        true
    }
}

/// How one use of the context (`use_`, with its enclosing nodes) lets it live on.
fn classify<'a>(
    scope: &Scope<'_, 'a>,
    use_: &'a Expr<'a>,
    parents: &[Node<'a>],
    found: &mut Vec<String>,
) -> Lifetime {
    let Some(stmt_at) = parents.iter().rposition(|n| matches!(n, Node::Stmt(_))) else {
        return Lifetime::Function;
    };
    let Node::Stmt(stmt) = parents[stmt_at] else {
        unreachable!("found as a statement above")
    };
    // Function literals between the function's body and the use.
    let literals: Vec<usize> = (0..stmt_at)
        .filter(|&i| matches!(parents[i], Node::Expr(Expr::FuncLit(_))))
        .collect();
    let use_span = use_.span();
    let within = |e: &Expr<'_>| {
        let s = e.span();
        s.contains(use_span)
    };
    let mut lifetime = match stmt {
        Stmt::Return(ret) if literals.is_empty() => {
            // Only wrappers between the result and the use: the context itself is returned.
            let direct = parents[stmt_at + 1..].iter().all(|n| {
                matches!(
                    n,
                    Node::Expr(
                        Expr::Paren(_) | Expr::Unary(_) | Expr::CompositeLit(_) | Expr::KeyValue(_)
                    )
                )
            });
            if direct || !scope.returns_only_plain_values() {
                Lifetime::Outlives("it is returned")
            } else {
                Lifetime::Function
            }
        }
        Stmt::Return(_) => Lifetime::Captured,
        Stmt::Assign(assign) => {
            if assign.lhs.iter().any(|l| std::ptr::eq(l, use_)) {
                // Assigned to, not used.
                Lifetime::Function
            } else if assign.lhs.iter().any(&within) {
                Lifetime::Outlives("it is stored in a map or field")
            } else {
                assigned(scope, assign, literals.is_empty(), found)
            }
        }
        Stmt::Decl(decl) => {
            for spec in &decl.specs {
                if let Spec::Value(value) = spec {
                    found.extend(value.names.iter().map(|n| n.name.to_string()));
                }
            }
            Lifetime::Function
        }
        Stmt::Send(send) if within(&send.value) => Lifetime::Outlives("it is sent on a channel"),
        Stmt::Go(_) => Lifetime::Outlives("a goroutine uses it"),
        Stmt::Range(range) if within(&range.x) => {
            found.extend([&range.key, &range.value].into_iter().flatten().filter_map(
                |e| match e {
                    Expr::Ident(id) => Some(id.name.to_string()),
                    _ => None,
                },
            ));
            Lifetime::Function
        }
        _ => Lifetime::Function,
    };
    for &at in &literals {
        let run_in_place = match (
            parents.get(at.wrapping_sub(1)),
            parents.get(at.wrapping_sub(2)),
        ) {
            (Some(Node::Expr(Expr::Call(call))), Some(Node::Stmt(Stmt::Go(_))))
                if call.fun.span() == parents[at].span() =>
            {
                lifetime = Lifetime::Outlives("a goroutine uses it");
                continue;
            }
            (
                Some(Node::Expr(Expr::Call(call))),
                Some(Node::Stmt(Stmt::Expr(_) | Stmt::Defer(_))),
            ) => call.fun.span() == parents[at].span(),
            _ => false,
        };
        if !run_in_place && lifetime == Lifetime::Function {
            lifetime = Lifetime::Captured;
        }
    }
    lifetime
}

/// `x := f(ctx)` follows `x`; storing into anything but a local of this function escapes.
fn assigned<'a>(
    scope: &Scope<'_, 'a>,
    assign: &'a AssignStmt<'a>,
    in_function_body: bool,
    found: &mut Vec<String>,
) -> Lifetime {
    for lhs in &assign.lhs {
        let Expr::Ident(id) = lhs else {
            return Lifetime::Outlives("it is stored in a field or element");
        };
        if id.name == "_" {
            continue;
        }
        let local = assign.tok == AssignOp::Define || scope.is_local(id.name);
        if in_function_body && scope.is_named_result(id.name) {
            if scope.returns_only_plain_values() {
                continue;
            }
            return Lifetime::Outlives("it is assigned to a named result");
        }
        if !local && in_function_body {
            return Lifetime::Outlives("it is stored in a variable declared outside the function");
        }
        found.push(id.name.to_string());
    }
    Lifetime::Function
}

/// Where `defer cancel()` goes for the statement at `statement`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// A new line at byte `at`, indented like the statement.
    Line {
        at: usize,
        indent: String,
        eol: &'static str,
    },
    /// On the statement's own line, after it (`...; defer cancel()`), in a one-line literal.
    Inline { at: usize },
    /// First in the body of the `if` whose init makes the context (indented one more than the
    /// `if`), and an `else` that cancels at once is added after the body's end.
    IfInit {
        at: usize,
        indent: String,
        eol: &'static str,
        body_end: usize,
    },
}

/// Finds the statement (an assignment or a `var` spec spanning `statement`) in `body`.
pub(crate) fn placement(
    source: &str,
    body: &Block<'_>,
    statement: Span,
) -> Result<Placement, &'static str> {
    let mut find = Find {
        statement,
        found: None,
    };
    walk_node(Node::Block(body), &[], &mut find);
    match find.found {
        Some(Found::InList(stmt)) => Ok(after_statement(source, stmt)),
        Some(Found::IfInit { body, has_else }) => {
            if has_else {
                return Err("the if statement has an else branch");
            }
            let open = body.start as usize + 1;
            let rest = line_rest(source, open);
            if !rest.trim().is_empty() {
                return Err("the if body starts on the same line");
            }
            let (indent, eol) = indent_and_eol(source, body.start as usize);
            Ok(Placement::IfInit {
                at: open + rest.len() + eol.len(),
                indent,
                eol,
                body_end: body.end as usize,
            })
        }
        Some(Found::Elsewhere) | None => {
            Err("the statement is the init of a switch or for statement")
        }
    }
}

enum Found {
    InList(Span),
    IfInit { body: Span, has_else: bool },
    Elsewhere,
}

struct Find {
    statement: Span,
    found: Option<Found>,
}

impl<'a> Visitor<'a> for Find {
    fn visit(&mut self, node: Node<'a>, parents: &[Node<'a>]) -> bool {
        if self.found.is_some() {
            return false;
        }
        let span = node.span();
        if span.end < self.statement.start || span.start > self.statement.end {
            return false;
        }
        let (stmt, parent) = match node {
            Node::Stmt(Stmt::Assign(_)) if span == self.statement => (span, parents.last()),
            Node::Spec(Spec::Value(v)) if v.span == self.statement => {
                // The `var` statement holding the spec; its parent is the list.
                let n = parents.len();
                match parents.get(n.wrapping_sub(1)) {
                    Some(Node::Stmt(decl)) => (decl.span(), parents.get(n.wrapping_sub(2))),
                    _ => (span, None),
                }
            }
            _ => return true,
        };
        self.found = Some(match parent {
            Some(Node::Block(_) | Node::CaseClause(_) | Node::CommClause(_)) => Found::InList(stmt),
            Some(Node::Stmt(Stmt::If(s))) if s.init.is_some_and(|i| i.span() == stmt) => {
                Found::IfInit {
                    body: s.body.span,
                    has_else: s.els.is_some(),
                }
            }
            _ => Found::Elsewhere,
        });
        false
    }
}

/// The rest of the line from `at`, without its `\r\n` or `\n`.
fn line_rest(source: &str, at: usize) -> &str {
    let rest = &source[at..];
    let line = rest.find('\n').map_or(rest, |i| &rest[..i]);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The indentation of the line holding `at`, and that line's ending.
fn indent_and_eol(source: &str, at: usize) -> (String, &'static str) {
    let start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = source[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let end = source[at..].find('\n').map(|i| at + i);
    let crlf = end.is_some_and(|e| e > 0 && source.as_bytes()[e - 1] == b'\r');
    (indent, if crlf { "\r\n" } else { "\n" })
}

fn after_statement(source: &str, stmt: Span) -> Placement {
    let (start, end) = (stmt.start as usize, stmt.end as usize);
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let own_line = source[line_start..start].trim().is_empty();
    let rest = line_rest(source, end);
    let trailing = rest.trim_start();
    if own_line && (trailing.is_empty() || trailing.starts_with("//")) {
        let (indent, eol) = indent_and_eol(source, start);
        let newline = end
            + source[end..]
                .find('\n')
                .map_or(source.len() - end, |i| i + 1);
        return Placement::Line {
            at: newline,
            indent,
            eol,
        };
    }
    Placement::Inline { at: end }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of<'a>(file: &'a File<'a>) -> &'a FuncDecl<'a> {
        match file.decls.last() {
            Some(Decl::Func(f)) => f,
            _ => panic!("a function"),
        }
    }

    /// The lifetime of `ctx` in the last function of `src`, after its first line that makes it.
    fn lifetime_in(src: &str) -> Lifetime {
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let func = body_of(&parsed.file);
        let mut params = Vec::new();
        for field in &func.typ.params.list {
            params.extend(field.names.iter().map(|n| n.name));
        }
        let before = params.len();
        if let Some(results) = &func.typ.results {
            for field in &results.list {
                params.extend(field.names.iter().map(|n| n.name));
            }
        }
        let named_results = params.len() - before;
        let scope = Scope {
            body: func.body.as_ref().unwrap(),
            params: &params,
            locals: &["x", "ctx"],
            named_results,
            results: func.typ.results.as_ref(),
        };
        let after = u32::try_from(src.find("WithCancel(p)").unwrap()).unwrap();
        lifetime(&scope, "ctx", after)
    }

    const HEAD: &str = "package p\nimport \"context\"\n";

    #[test]
    fn uses_inside_the_function_keep_it_local() {
        for body in [
            "func f(p context.Context) error { ctx, _ := context.WithCancel(p); return use(ctx) }",
            "func f(p context.Context) { ctx, _ := context.WithCancel(p); x := use(ctx); _ = x }",
            "func f(p context.Context) { ctx, _ := context.WithCancel(p); func() { use(ctx) }() }",
            "func f(p context.Context) { ctx, _ := context.WithCancel(p); defer func() { use(ctx) }() }",
            "func f(p context.Context) (n int) { ctx, _ := context.WithCancel(p); n = len(ctx.Value(1).(string)); return }",
        ] {
            assert_eq!(lifetime_in(&format!("{HEAD}{body}")), Lifetime::Function, "{body}");
        }
    }

    #[test]
    fn returned_stored_sent_or_given_to_a_goroutine_outlives_it() {
        for body in [
            "func f(p context.Context) context.Context { ctx, _ := context.WithCancel(p); return ctx }",
            "func f(p context.Context) *R { ctx, _ := context.WithCancel(p); return wrap(ctx) }",
            "func f(p context.Context) *R { ctx, _ := context.WithCancel(p); x := wrap(ctx); return x }",
            "func f(p context.Context, s *S) { ctx, _ := context.WithCancel(p); s.ctx = ctx }",
            "func f(p context.Context, m map[int]context.Context) { ctx, _ := context.WithCancel(p); m[1] = ctx }",
            "func f(p context.Context, c chan context.Context) { ctx, _ := context.WithCancel(p); c <- ctx }",
            "func f(p context.Context) { ctx, _ := context.WithCancel(p); go use(ctx) }",
            "func f(p context.Context) { ctx, _ := context.WithCancel(p); go func() { use(ctx) }() }",
            "func f(p context.Context) (out context.Context) { ctx, _ := context.WithCancel(p); out = ctx; return }",
            "func f(p context.Context) { ctx, _ := context.WithCancel(p); global = ctx }",
        ] {
            assert!(
                matches!(lifetime_in(&format!("{HEAD}{body}")), Lifetime::Outlives(_)),
                "{body}"
            );
        }
    }

    #[test]
    fn a_literal_that_may_run_later_needs_a_person() {
        let body = "func f(p context.Context) { ctx, _ := context.WithCancel(p); register(func() { use(ctx) }) }";
        assert_eq!(lifetime_in(&format!("{HEAD}{body}")), Lifetime::Captured);
    }

    fn placement_in(src: &str, statement: &str) -> Result<Placement, &'static str> {
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let func = body_of(&parsed.file);
        let start = u32::try_from(src.find(statement).unwrap()).unwrap();
        let span = Span::sized(start, statement.len());
        placement(src, func.body.as_ref().unwrap(), span)
    }

    #[test]
    fn placements() {
        let src = "package p\r\nfunc f() {\r\n\tctx, _ := g() // c\r\n\tuse(ctx)\r\n}\r\n";
        assert_eq!(
            placement_in(src, "ctx, _ := g()"),
            Ok(Placement::Line {
                at: src.find("\tuse").unwrap(),
                indent: "\t".into(),
                eol: "\r\n"
            })
        );
        let src = "package p\nfunc f() {\n\tif ctx, _ := g(); ok(ctx) {\n\t\tuse(ctx)\n\t}\n}\n";
        assert_eq!(
            placement_in(src, "ctx, _ := g()"),
            Ok(Placement::IfInit {
                at: src.find("\t\tuse").unwrap(),
                indent: "\t".into(),
                eol: "\n",
                body_end: src.rfind("\t}").unwrap() + 2,
            })
        );
        let src = "package p\nfunc f() {\n\tif ctx, _ := g(); ok(ctx) {\n\t} else {\n\t}\n}\n";
        assert!(placement_in(src, "ctx, _ := g()").is_err());
        let src = "package p\nfunc f() {\n\tswitch ctx, _ := g(); ctx {\n\t}\n}\n";
        assert!(placement_in(src, "ctx, _ := g()").is_err());
        let src = "package p\nfunc f() {\n\tvar (\n\t\tctx, _ = g()\n\t)\n\tuse(ctx)\n}\n";
        assert_eq!(
            placement_in(src, "ctx, _ = g()"),
            Ok(Placement::Line {
                at: src.find("\tuse").unwrap(),
                indent: "\t".into(),
                eol: "\n"
            })
        );
    }
}
