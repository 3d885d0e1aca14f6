//! The one set of terminal predicates: calls after which control never comes back. Every
//! analysis (the scope walk, the channel model, the control-flow views and the package
//! summaries) asks these, through the same name resolution ([`crate::names`]), so a failing
//! test or process ends a path the same way everywhere.

use leakhound_syntax::ast::{unparen, Expr, Ident};

/// testify's `require` package: its `Fail*` functions (and those of the `Assertions` value
/// that `require.New(t)` returns) always stop the test (`t.FailNow`); the others stop it only
/// when their condition fails.
pub const TESTIFY_REQUIRE: &str = "github.com/stretchr/testify/require";
/// shoenig/test's `must`: every assertion ends the test when it fails, like testify's `require`.
pub const SHOENIG_MUST: &str = "github.com/shoenig/test/must";

/// Whether `call` asserts, with a package whose failed assertions end the test (testify's
/// `require`, shoenig/test's `must`), that `x.Err()` is nil, where `x` is `ctx` — after
/// `<-ctx.Done()` that error is set, so the assertion always fails and the test ends there.
pub fn asserts_no_err_of<'a>(
    call: &'a Expr<'a>,
    ctx: &str,
    resolve: impl Fn(&'a Expr<'a>) -> Option<(&'a str, &'a str)>,
) -> bool {
    let Expr::Call(c) = unparen(call) else {
        return false;
    };
    let fatal_assert = matches!(
        resolve(c.fun),
        Some((TESTIFY_REQUIRE | SHOENIG_MUST, "NoError" | "Nil"))
    );
    fatal_assert
        && c.args.iter().any(|a| {
            matches!(unparen(a), Expr::Call(e) if e.args.is_empty()
                && matches!(unparen(e.fun), Expr::Selector(s) if s.sel.name == "Err"
                    && matches!(unparen(s.x), Expr::Ident(x) if x.name == ctx)))
        })
}

fn is_require_fail(name: &str) -> bool {
    matches!(name, "Fail" | "Failf" | "FailNow" | "FailNowf")
}

/// Whether a call never comes back: `panic`, `os.Exit`, `runtime.Goexit`, `log.Fatal*` and
/// `log.Panic*`, testify's `require.Fail*`/`require.FailNow*` (also as methods of a local
/// bound to `require.New(t)`), and the testing helpers `t.Fatal*`, `t.FailNow`, `t.Skip*` on a
/// local value or on a testify suite's `s.T()`. `resolve` maps `pkg.Name` (or a dot-imported
/// `Name`) to (import path, name); `panic_is_builtin` is false where a local declaration
/// shadows `panic`; `require_value` says whether this use of a name is a local bound to
/// `require.New(t)`.
pub fn never_returns<'a>(
    expr: &'a Expr<'a>,
    resolve: impl Fn(&'a Expr<'a>) -> Option<(&'a str, &'a str)>,
    panic_is_builtin: bool,
    require_value: impl Fn(&'a Ident<'a>) -> bool,
) -> bool {
    let Expr::Call(call) = unparen(expr) else {
        return false;
    };
    match resolve(call.fun) {
        Some(("os", "Exit") | ("runtime", "Goexit")) => return true,
        Some(("log", name)) => return name.starts_with("Fatal") || name.starts_with("Panic"),
        Some((TESTIFY_REQUIRE, name)) => return is_require_fail(name),
        Some(_) => return false,
        None => {}
    }
    match call.fun {
        Expr::Ident(id) => id.name == "panic" && panic_is_builtin,
        Expr::Selector(sel) => {
            (is_test_value(sel.x)
                && matches!(
                    sel.sel.name,
                    "Fatal" | "Fatalf" | "FailNow" | "Skip" | "Skipf" | "SkipNow"
                ))
                || (is_require_fail(sel.sel.name)
                    && matches!(unparen(sel.x), Expr::Ident(x) if require_value(x)))
        }
        _ => false,
    }
}

/// `t` (a local value) or `s.T()` (a testify suite's test).
fn is_test_value(x: &Expr<'_>) -> bool {
    match unparen(x) {
        Expr::Ident(_) => true,
        Expr::Call(c) => {
            c.args.is_empty()
                && matches!(unparen(c.fun), Expr::Selector(s) if s.sel.name == "T" && matches!(unparen(s.x), Expr::Ident(_)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {

    fn ends(src: &str) -> bool {
        let arena = leakhound_syntax::Arena::new();
        let source = format!("package p\nimport (\n\"os\"\n\"log\"\n\"github.com/stretchr/testify/require\"\n)\nfunc f() {{\n{src}\n}}\n");
        let parsed = leakhound_syntax::parse_file(&source, &arena);
        let imports = crate::imports::Imports::of(&parsed.file);
        let resolution = crate::names::walk_file(&parsed.file, &imports, &mut ());
        let names = crate::names::Names {
            imports: &imports,
            resolution: &resolution,
        };
        let leakhound_syntax::ast::Decl::Func(f) = &parsed.file.decls[1] else {
            panic!("no function")
        };
        let Some(leakhound_syntax::ast::Stmt::Expr(e)) = f.body.as_ref().unwrap().stmts.last()
        else {
            panic!("no expression statement")
        };
        names.never_returns(&e.x)
    }

    #[test]
    fn terminal_calls() {
        for yes in [
            "panic(1)",
            "os.Exit(1)",
            "log.Fatalf(\"x\")",
            "t.Fatal(err)",
            "t.SkipNow()",
            "require.FailNow(t, \"x\")",
            "s.T().Fatal(err)",
            "r := require.New(t); r.Fail(\"x\")",
        ] {
            assert!(ends(yes), "{yes} never returns");
        }
        for no in [
            "require.NoError(t, err)",
            "t.Error(err)",
            "log.Printf(\"x\")",
            "s.X().Fatal(err)",
            "x.y.Fatal(err)",
            "t.Fail()",
        ] {
            assert!(!ends(no), "{no} returns");
        }
    }
}
