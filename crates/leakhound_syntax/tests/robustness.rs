//! Inputs that must not panic, hang or overflow the stack.

use leakhound_syntax::parse_file;
use leakhound_syntax::parser::{MAX_DEPTH, MAX_TREE_DEPTH};

/// Runs `f` on a thread with a small stack, as a caller on a worker thread might.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no overflow");
}

/// Debug builds use far bigger frames than release builds; this is what the test proves.
const STACK: usize = if cfg!(debug_assertions) {
    8 << 20
} else {
    1 << 20
};

fn deep(open: &str, close: &str, n: usize, wrap: impl Fn(&str) -> String) -> String {
    wrap(&format!("{}x{}", open.repeat(n), close.repeat(n)))
}

#[test]
fn hundred_thousand_parens_are_too_deeply_nested() {
    on_small_stack(|| {
        let src = deep("(", ")", 100_000, |e| format!("package p\nvar x = {e}\n"));
        let arena = leakhound_syntax::Arena::new();
        let parsed = parse_file(&src, &arena);
        assert_eq!(
            parsed.errors.first().map(|e| e.message.as_str()),
            Some("too deeply nested")
        );
        let src = format!("package p\nvar x = {}\n", "(".repeat(100_000));
        assert_eq!(
            parse_file(&src, &leakhound_syntax::Arena::new())
                .errors
                .first()
                .map(|e| e.message.as_str()),
            Some("too deeply nested")
        );
    });
}

#[test]
fn every_kind_of_deep_nesting_is_capped() {
    on_small_stack(|| {
        let n = 50_000;
        let cases = [
            format!("package p\nvar x = {}1\n", "- ".repeat(n)),
            format!("package p\nvar x = {}1\n", "<-".repeat(n)),
            format!("package p\nvar x {}int\n", "*".repeat(n)),
            format!("package p\nvar x {}int\n", "[]".repeat(n)),
            format!("package p\nvar x {}int\n", "chan ".repeat(n)),
            format!(
                "package p\nvar x {}\n",
                deep("map[int]", "", n, ToString::to_string)
            ),
            format!(
                "package p\nvar x = {}\n",
                deep("[]any{", "}", n, ToString::to_string)
            ),
            format!(
                "package p\nvar x = {}\n",
                deep("f(", ")", n, ToString::to_string)
            ),
            format!(
                "package p\nvar x = {}\n",
                deep("a[", "]", n, ToString::to_string)
            ),
            format!(
                "package p\nvar x = {}\n",
                deep("func() {", "}", n, ToString::to_string)
            ),
            format!(
                "package p\nfunc f() {{ {} }}\n",
                deep("{", "}", n, ToString::to_string)
            ),
            format!(
                "package p\nfunc f() {{ {} }}\n",
                deep("if x {", "}", n, ToString::to_string)
            ),
            format!(
                "package p\nfunc f() {{ if x {{}} {} }}\n",
                "else if x {}".repeat(n)
            ),
            format!(
                "package p\nfunc f() {{ {} }}\n",
                deep("for {", "}", n, ToString::to_string)
            ),
            format!(
                "package p\nfunc f() {{ {} }}\n",
                deep("switch { default:", "}", n, ToString::to_string)
            ),
            format!("package p\nfunc f() {{ {} x }}\n", "L: ".repeat(n)),
            format!(
                "package p\ntype T {}\n",
                deep("struct { f ", "}", n, ToString::to_string)
            ),
            format!(
                "package p\ntype T {}\n",
                deep("interface { ", "}", n, ToString::to_string)
            ),
            format!(
                "package p\ntype T {}\n",
                deep("func(", ")", n, ToString::to_string)
            ),
            format!("package p\nvar x = 1{}\n", " + 1".repeat(n)),
            format!("package p\nvar x = x{}\n", ".f()[0]".repeat(n)),
        ];
        for src in cases {
            let arena = leakhound_syntax::Arena::new();
            let parsed = parse_file(&src, &arena);
            assert!(
                parsed
                    .errors
                    .iter()
                    .any(|e| e.message == "too deeply nested"),
                "{}",
                &src[..60]
            );
        }
    });
}

#[test]
fn nesting_below_the_cap_parses() {
    on_small_stack(|| {
        let n = (MAX_DEPTH as usize) / 4;
        let src = deep("(", ")", n, |e| format!("package p\nvar x = {e}\n"));
        assert!(parse_file(&src, &leakhound_syntax::Arena::new())
            .errors
            .is_empty());
        let n = MAX_TREE_DEPTH as usize - 10;
        let src = format!("package p\nvar s = {}\"\"\n", "\"a\" +\n".repeat(n));
        assert!(
            parse_file(&src, &leakhound_syntax::Arena::new())
                .errors
                .is_empty(),
            "operator chains up to the cap"
        );
        let src = format!("package p\nvar s = x{}\n", ".f".repeat(n));
        assert!(
            parse_file(&src, &leakhound_syntax::Arena::new())
                .errors
                .is_empty(),
            "selector chains up to the cap"
        );
    });
}

/// A small deterministic generator (xorshift) for junk inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_junk_never_panics() {
    let pieces = [
        "package",
        "p",
        "\n",
        "func",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "x",
        "1",
        "0x",
        "'",
        "\"",
        "`",
        "/*",
        "*/",
        "//",
        ";",
        ",",
        ":=",
        "=",
        "<-",
        "chan",
        "map",
        "struct",
        "interface",
        "type",
        "var",
        "const",
        "import",
        "if",
        "else",
        "for",
        "range",
        "switch",
        "case",
        "default",
        "select",
        "go",
        "defer",
        "return",
        "...",
        ".",
        "~",
        "|",
        "*",
        "&",
        "!",
        "goto",
        "L:",
        "1.5e",
        "\\",
        "é",
        "\u{FEFF}",
        "\0",
        " ",
        "\t",
        "\r\n",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = (rng.next() % 80) as usize;
        let mut src = String::from("package p\n");
        for _ in 0..len {
            src.push_str(pieces[usize::try_from(rng.next() % pieces.len() as u64).unwrap()]);
            if rng.next().is_multiple_of(3) {
                src.push(' ');
            }
        }
        let arena = leakhound_syntax::Arena::new();
        let parsed = parse_file(&src, &arena);
        let end = u32::try_from(src.len()).unwrap();
        for e in &parsed.errors {
            assert!(e.span.start <= end);
        }
        let _ = leakhound_syntax::outline::outline(&parsed);
    }
}

#[test]
fn every_prefix_of_a_real_file_parses_without_panic() {
    let src = include_str!("fixtures/expressions.go");
    for i in (0..src.len()).filter(|i| src.is_char_boundary(*i)) {
        let arena = leakhound_syntax::Arena::new();
        let _ = parse_file(&src[..i], &arena);
    }
}

#[test]
fn long_else_if_chains_parse_as_go_parses_them() {
    on_small_stack(|| {
        let mut src = String::from("package p\nfunc f(x int) int {\n\tif x == 0 {\n\t\treturn 0\n");
        for i in 1..=1000 {
            src.push_str(&format!("\t}} else if x == {i} {{\n\t\treturn {i}\n"));
        }
        src.push_str("\t} else {\n\t\treturn -1\n\t}\n}\n");
        let arena = leakhound_syntax::Arena::new();
        let parsed = parse_file(&src, &arena);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());
        let Some(leakhound_syntax::ast::Decl::Func(f)) = parsed.file.decls.first() else {
            panic!("a function")
        };
        let mut branches = 0;
        let mut stmt = f.body.as_ref().unwrap().stmts.first();
        while let Some(leakhound_syntax::ast::Stmt::If(s)) = stmt {
            branches += 1;
            stmt = s.els;
        }
        assert_eq!(branches, 1001);
        assert!(matches!(stmt, Some(leakhound_syntax::ast::Stmt::Block(_))));
    });
}
