//! The facts of one package (the `.go` files of one directory), computed once and shared by
//! every rule: each file's line index and imports now, the package summaries when a rule
//! first asks for them. The per-function analyses (the channel model, the control-flow views)
//! are built by whoever asks, for the functions that need them. A directory may hold two
//! packages, the package and its external test package (`package foo_test`): each has its own
//! summaries.

use std::cell::OnceCell;

use leakhound_syntax::{LineIndex, ParsedFile};

use crate::imports::Imports;
use crate::semantic::Semantic;
use crate::summary::PackageSummary;
use crate::terminal::never_returns_by_imports;

pub struct PackageFacts<'a> {
    parsed: Vec<&'a ParsedFile<'a>>,
    lines: Vec<LineIndex>,
    imports: Vec<Imports<'a>>,
    /// Each file's package, as an index into `summaries`.
    package: Vec<usize>,
    summaries: Vec<OnceCell<PackageSummary<'a>>>,
    semantic: OnceCell<Semantic<'a>>,
}

impl<'a> PackageFacts<'a> {
    /// `files`: each file's path (to tell `_test.go` files) and parse, in the package's order.
    pub fn new<'n>(files: impl IntoIterator<Item = (&'n str, &'a ParsedFile<'a>)>) -> Self {
        let (names, parsed): (Vec<&str>, Vec<&'a ParsedFile<'a>>) = files.into_iter().unzip();
        let package = packages(&names, &parsed);
        let count = package.iter().max().map_or(0, |&p| p + 1);
        PackageFacts {
            lines: parsed.iter().map(|p| p.line_index()).collect(),
            imports: parsed.iter().map(|p| Imports::of(&p.file)).collect(),
            parsed,
            package,
            summaries: (0..count).map(|_| OnceCell::new()).collect(),
            semantic: OnceCell::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.parsed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty()
    }

    pub fn parsed(&self, file: usize) -> &'a ParsedFile<'a> {
        self.parsed[file]
    }

    pub fn lines(&self, file: usize) -> &LineIndex {
        &self.lines[file]
    }

    pub fn imports(&self, file: usize) -> &Imports<'a> {
        &self.imports[file]
    }

    /// Whether two files belong to the same package (the external test package is another).
    pub fn same_package(&self, a: usize, b: usize) -> bool {
        self.package[a] == self.package[b]
    }

    /// The summaries of the functions of `file`'s package, built on first use.
    pub fn summary(&self, file: usize) -> &PackageSummary<'a> {
        let package = self.package[file];
        self.summaries[package].get_or_init(|| {
            let mut summary = PackageSummary::new();
            for (i, parsed) in self.parsed.iter().enumerate() {
                if self.package[i] == package {
                    let imports = &self.imports[i];
                    summary.add_file(i, parsed, &|e| never_returns_by_imports(e, imports));
                }
            }
            summary
        })
    }

    /// The semantic model of the package, built on first use: the package's files and its
    /// `_test.go` files of the same package (tests leak too); an external `_test` package, and
    /// a file of another clause, are left out.
    pub fn semantic(&self) -> &Semantic<'a> {
        self.semantic.get_or_init(|| {
            let files = self
                .parsed
                .iter()
                .enumerate()
                .map(|(i, p)| (self.package[i] == 0).then_some(*p))
                .collect();
            Semantic::build(files)
        })
    }
}

/// Each file's package, numbered from 0. The package is the clause most non-test files share
/// (the first of them on a tie; with tests only, the first file's clause less a `_test`
/// suffix), `_test.go` files included (test goroutines leak too); `_test.go` files of
/// `package <name>_test` are the external test package. A file with any other clause is left
/// out of every build of the directory but its own (a `//go:build ignore` generator beside the
/// package), so it is a package of its own.
fn packages(names: &[&str], parsed: &[&ParsedFile<'_>]) -> Vec<usize> {
    let is_test = |name: &str| name.ends_with("_test.go");
    let clause = |i: usize| parsed[i].file.package.name;
    // Each clause of the non-test files with its count, in order of first appearance.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for i in (0..names.len()).filter(|&i| !is_test(names[i])) {
        match counts.iter_mut().find(|(c, _)| *c == clause(i)) {
            Some((_, n)) => *n += 1,
            None => counts.push((clause(i), 1)),
        }
    }
    let main = counts
        .iter()
        .fold(None, |best, &(c, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((c, n)),
        })
        .map(|(c, _)| c)
        .or_else(|| {
            let first = (!names.is_empty()).then(|| clause(0))?;
            Some(first.strip_suffix("_test").unwrap_or(first))
        });
    let mut next = 2;
    (0..names.len())
        .map(|i| {
            let name = clause(i);
            if Some(name) == main {
                0
            } else if is_test(names[i])
                && main.is_some_and(|m| name.strip_suffix("_test") == Some(m))
            {
                1
            } else {
                next += 1;
                next - 1
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packages_of(files: &[(&str, &str)]) -> Vec<usize> {
        let arena = leakhound_syntax::Arena::new();
        let parsed: Vec<_> = files
            .iter()
            .map(|(_, src)| leakhound_syntax::parse_file(src, &arena))
            .collect();
        let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
        packages(&names, &parsed.iter().collect::<Vec<_>>())
    }

    #[test]
    fn test_files_join_their_package_and_the_external_test_package_is_another() {
        let files = [
            ("a_test.go", "package foo_test"),
            ("a.go", "package foo"),
            ("b_test.go", "package foo"),
            ("gen.go", "package main"),
            ("tool.go", "package tool"),
        ];
        assert_eq!(packages_of(&files), [1, 0, 0, 2, 3]);
    }

    #[test]
    fn the_package_is_the_clause_most_files_share_not_a_generator_sorted_first() {
        let files = [
            ("gen.go", "package main"),
            ("sort.go", "package sort"),
            ("slice.go", "package sort"),
            ("sort_test.go", "package sort"),
        ];
        assert_eq!(packages_of(&files), [2, 0, 0, 0]);
    }

    #[test]
    fn no_files_no_packages() {
        assert!(packages_of(&[]).is_empty());
    }

    #[test]
    fn a_directory_of_tests_only_still_has_its_two_packages() {
        let files = [
            ("a_test.go", "package foo_test"),
            ("b_test.go", "package foo"),
        ];
        assert_eq!(packages_of(&files), [1, 0]);
    }
}
