//! The facts of one package (the `.go` files of one directory), computed once and shared by
//! every rule: each file's line index and imports now; each file's name resolution, each
//! function's channel model, each function's bodies and each body's lock flow, and the package
//! summaries when a rule first asks for them, so an analysis no enabled rule requires is never
//! computed. A directory may hold two packages, the package and its external test package
//! (`package foo_test`): each has its own summaries.

use std::cell::OnceCell;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use leakhound_syntax::ast::{Decl, FuncDecl};
use leakhound_syntax::{LineIndex, ParsedFile};

use crate::bodies::{bodies, Body};
use crate::census::{Census, Starters};
use crate::channels::{model, FuncModel};
use crate::imports::Imports;
use crate::lockflow::BodyFlow;
use crate::names::{walk_file, Events, Names, Resolution};
use crate::semantic::Semantic;
use crate::summary::PackageSummary;

static LOCK_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Lock()"));

pub struct PackageFacts<'a> {
    parsed: Vec<&'a ParsedFile<'a>>,
    lines: Vec<LineIndex>,
    imports: Vec<Imports<'a>>,
    /// Each file's package, as an index into `summaries`.
    package: Vec<usize>,
    summaries: Vec<OnceCell<PackageSummary<'a>>>,
    semantics: Vec<OnceCell<Semantic<'a>>>,
    census: OnceCell<Census<'a>>,
    starters: OnceCell<Starters<'a>>,
    resolutions: Vec<OnceCell<Resolution>>,
    /// Per file, per declaration: the channel models asked for so far (`None`: a file with
    /// nothing to model).
    channels: Vec<OnceCell<Option<Vec<OnceCell<FuncModel<'a>>>>>>,
    /// Per file, per declaration: its bodies and their lock flows, as asked for so far.
    decls: Vec<OnceCell<Vec<OnceCell<DeclFacts<'a>>>>>,
}

/// A function declaration's bodies (its own and its literals'), each with its lock flow once
/// asked for (`None`: the body takes no lock).
struct DeclFacts<'a> {
    bodies: Vec<Body<'a>>,
    flows: Vec<OnceCell<Option<BodyFlow<'a>>>>,
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
            resolutions: parsed.iter().map(|_| OnceCell::new()).collect(),
            channels: parsed.iter().map(|_| OnceCell::new()).collect(),
            decls: parsed.iter().map(|_| OnceCell::new()).collect(),
            parsed,
            package,
            summaries: (0..count).map(|_| OnceCell::new()).collect(),
            semantics: (0..count).map(|_| OnceCell::new()).collect(),
            census: OnceCell::new(),
            starters: OnceCell::new(),
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

    /// The file's names as the scope walk resolves them, walked on first use.
    pub fn names(&self, file: usize) -> Names<'_, 'a> {
        let imports = &self.imports[file];
        let resolution = self.resolutions[file]
            .get_or_init(|| walk_file(&self.parsed[file].file, imports, &mut ()));
        Names {
            imports,
            resolution,
        }
    }

    /// Walks the file's scopes with `events` riding on the walk (see [`crate::names`]); the
    /// walk's resolution is kept for [`names`](Self::names).
    pub fn walk_names(&self, file: usize, events: &mut impl Events<'a>) {
        let resolution = walk_file(&self.parsed[file].file, &self.imports[file], events);
        let _ = self.resolutions[file].set(resolution);
    }

    /// The channel model of the file's declaration `decl` (an index into its `decls`), built on
    /// first use. `None` when that is not a function declaration, and for every declaration of
    /// a file that neither mentions `chan` nor starts a goroutine (`go `): no channel of its own
    /// to model, and the model is not built for its selects either.
    pub fn channel_model(&self, file: usize, decl: usize) -> Option<&FuncModel<'a>> {
        let parsed = self.parsed[file];
        let Decl::Func(func) = parsed.file.decls.get(decl)? else {
            return None;
        };
        let cells = self.channels[file].get_or_init(|| {
            let source = parsed.source;
            (source.contains("chan") || source.contains("go "))
                .then(|| parsed.file.decls.iter().map(|_| OnceCell::new()).collect())
        });
        Some(cells.as_ref()?[decl].get_or_init(|| model(func, self.names(file), parsed.source)))
    }

    fn decl_facts(&self, file: usize, decl: usize) -> Option<(&'a FuncDecl<'a>, &DeclFacts<'a>)> {
        let parsed = self.parsed[file];
        let Decl::Func(func) = parsed.file.decls.get(decl)? else {
            return None;
        };
        let cells = self.decls[file]
            .get_or_init(|| parsed.file.decls.iter().map(|_| OnceCell::new()).collect());
        let facts = cells[decl].get_or_init(|| {
            let bodies = bodies(func);
            DeclFacts {
                flows: bodies.iter().map(|_| OnceCell::new()).collect(),
                bodies,
            }
        });
        Some((func, facts))
    }

    /// The bodies of the file's declaration `decl` (see [`bodies`]); none when it is not a
    /// function declaration with a body.
    pub fn bodies(&self, file: usize, decl: usize) -> &[Body<'a>] {
        self.decl_facts(file, decl)
            .map_or(&[], |(_, facts)| facts.bodies.as_slice())
    }

    /// The lock flow of body `body` of the file's declaration `decl`, built on first use.
    /// `None` when the body takes no lock (a body with no `Lock()` in its text is not even
    /// looked at).
    pub fn lock_flow(&self, file: usize, decl: usize, body: usize) -> Option<&BodyFlow<'a>> {
        let (func, facts) = self.decl_facts(file, decl)?;
        let b = facts.bodies.get(body)?;
        facts.flows[body]
            .get_or_init(|| {
                let text = self.parsed[file].source.get(b.block.span.range())?;
                // No lock call, no lock taken (the searcher is built once: this runs per body).
                LOCK_CALL.find(text.as_bytes())?;
                let names = self.names(file);
                let src = self.parsed[file].source;
                BodyFlow::of(func, b, self.summary(file), src, &|e| {
                    names.never_returns(e)
                })
            })
            .as_ref()
    }

    /// The packages of the directory (the external test package is another), each as its
    /// files, in file order: a package-wide rule runs once per entry.
    pub fn packages(&self) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for file in 0..self.package.len() {
            match out.iter_mut().find(|p| self.same_package(p[0], file)) {
                Some(p) => p.push(file),
                None => out.push(vec![file]),
            }
        }
        out
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
                    let names = self.names(i);
                    summary.add_file(i, parsed, &|e| names.never_returns(e));
                }
            }
            summary
        })
    }

    /// The goroutine-starting helpers of every file of the directory (tests included), built
    /// on first use.
    pub fn starters(&self) -> &Starters<'a> {
        self.starters
            .get_or_init(|| Starters::new(self.parsed.iter().copied()))
    }

    /// The census of conds, wait groups and timers over every file of the directory (tests
    /// included), built on first use.
    pub fn census(&self) -> &Census<'a> {
        self.census
            .get_or_init(|| Census::new(self.imports.iter().zip(self.parsed.iter().copied())))
    }

    /// The semantic model of `file`'s package (its `_test.go` files of the same package
    /// included), built on first use. File numbers are the facts' own.
    pub fn semantic(&self, file: usize) -> &Semantic<'a> {
        let package = self.package[file];
        self.semantics[package].get_or_init(|| {
            let files = self
                .parsed
                .iter()
                .enumerate()
                .map(|(i, p)| (self.package[i] == package).then_some(*p))
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
