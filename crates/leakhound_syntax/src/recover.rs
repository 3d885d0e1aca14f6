//! Recovery at the next top-level declaration. go/parser keeps going token by token after an
//! error, so one unclosed parenthesis can swallow every function after it. The rules want the
//! declarations that follow a broken one, so parsing restarts at the first line after the
//! error that begins a top-level declaration (`func`, `type`, `var` or `const` in column 1, as
//! gofmt prints them), as often as errors keep coming. The tree keeps borrowing from the same
//! source, so every span stays valid; the errors stay go/parser's.

use bumpalo::Bump;

use crate::ast::{Decl, File, List};
use crate::lexer::Comment;
use crate::parser::Parser;

/// The start of the first line after the one holding `offset` that begins a top-level
/// declaration.
fn next_declaration(src: &str, offset: u32) -> Option<u32> {
    let from = src.get(offset as usize..)?.find('\n')? + offset as usize + 1;
    let mut line_start = from;
    for line in src[from..].split_inclusive('\n') {
        let starts_decl = [
            "func ", "func(", "type ", "var ", "var(", "const ", "const(",
        ]
        .iter()
        .any(|kw| line.starts_with(kw));
        if starts_decl {
            return u32::try_from(line_start).ok();
        }
        line_start += line.len();
    }
    None
}

/// Replaces the declarations from the first error on with those parsed from the next
/// top-level declaration after it.
pub(crate) fn resume<'a>(
    src: &'a str,
    bump: &'a Bump,
    file: &mut File<'a>,
    comments: &mut Vec<Comment<'a>>,
    first_error: u32,
) {
    let mut error_at = first_error;
    let mut kept_until = 0;
    let mut kept: Vec<Decl<'a>> = file.decls.to_vec();
    let mut resumed: Vec<Decl<'a>> = Vec::new();
    // Each round starts past the previous error's line, so the loop ends within the file.
    while let Some(start) = next_declaration(src, error_at) {
        if kept_until == 0 {
            kept.retain(|d| d.span().end <= start);
        } else {
            resumed.retain(|d| d.span().end <= start);
        }
        kept_until = start;
        let out = Parser::resume_at(src, bump, start).parse_decls();
        resumed.extend(out.file.decls.iter().cloned());
        for c in out.comments {
            if comments
                .last()
                .is_none_or(|last| last.span.start < c.span.start)
            {
                comments.push(c);
            } else if let Err(i) = comments.binary_search_by_key(&c.span.start, |k| k.span.start) {
                comments.insert(i, c);
            }
        }
        match out.errors.first() {
            Some(e) if e.span.start >= start => error_at = e.span.start,
            _ => break,
        }
    }
    if kept_until > 0 {
        kept.extend(resumed);
        file.decls = List(bump.alloc_slice_fill_iter(kept));
        if let Some(last) = file.decls.last() {
            file.span.end = file.span.end.max(last.span().end);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::Decl;
    use crate::{parse_file, Arena};

    fn names(src: &str) -> Vec<String> {
        parse_file(src, &Arena::new())
            .file
            .decls
            .iter()
            .map(|d| match d {
                Decl::Func(f) => f.name.name.to_string(),
                Decl::Gen(g) => format!("{:?}", g.kind),
            })
            .collect()
    }

    #[test]
    fn an_unclosed_parameter_list_does_not_swallow_the_next_functions() {
        let src = "package p\n\nimport \"context\"\n\nfunc broken(in <-chan int {\n}\n\nfunc after(ctx context.Context) {\n\t_ = ctx\n}\n\ntype T struct{}\n";
        let arena = Arena::new();
        let parsed = parse_file(src, &arena);
        assert_eq!(parsed.errors[0].message, "missing ',' in parameter list");
        assert_eq!(names(src), ["Import", "after", "Type"]);
    }

    #[test]
    fn repeated_errors_resume_each_time() {
        let src =
            "package p\n\nfunc a( {\n}\n\nfunc b() {\n\tx := \n}\n\nfunc c() {}\n\nvar v = 1\n";
        let got = names(src);
        assert!(
            got.ends_with(&["c".to_string(), "Var".to_string()]),
            "{got:?}"
        );
    }

    #[test]
    fn spans_stay_those_of_the_whole_file() {
        let src = "package p\n\nfunc a( {\n}\n\nfunc after() {}\n";
        let arena = Arena::new();
        let parsed = parse_file(src, &arena);
        let Some(Decl::Func(f)) = parsed.file.decls.last() else {
            panic!("no function")
        };
        assert_eq!(&src[f.span.range()], "func after() {}");
    }

    #[test]
    fn a_file_without_errors_is_untouched() {
        assert_eq!(names("package p\nfunc a() {}\nfunc b() {}\n"), ["a", "b"]);
    }
}
