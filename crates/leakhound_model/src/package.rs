//! The facts of one package (the `.go` files of one directory), computed once and shared by
//! every rule: each file's line index and imports now, the package summaries when a rule
//! first asks for them. The per-function analyses (the channel model, the control-flow views)
//! are built by whoever asks, for the functions that need them.

use std::cell::OnceCell;

use leakhound_syntax::{LineIndex, ParsedFile};

use crate::census::Census;
use crate::imports::Imports;
use crate::semantic::Semantic;
use crate::summary::PackageSummary;
use crate::terminal::never_returns_by_imports;

pub struct PackageFacts<'a> {
    parsed: Vec<&'a ParsedFile<'a>>,
    lines: Vec<LineIndex>,
    imports: Vec<Imports<'a>>,
    in_package: Vec<bool>,
    summary: OnceCell<PackageSummary<'a>>,
    census: OnceCell<Census<'a>>,
    semantic: OnceCell<Semantic<'a>>,
}

impl<'a> PackageFacts<'a> {
    /// `files`: each file's path (to tell `_test.go` files) and parse, in the package's order.
    pub fn new<'n>(files: impl IntoIterator<Item = (&'n str, &'a ParsedFile<'a>)>) -> Self {
        let (names, parsed): (Vec<&str>, Vec<&'a ParsedFile<'a>>) = files.into_iter().unzip();
        // The package: non-test files with the package clause of the first non-test file.
        let is_test = |name: &str| name.ends_with("_test.go");
        let package = names
            .iter()
            .zip(&parsed)
            .find(|(n, _)| !is_test(n))
            .map(|(_, p)| p.file.package.name);
        let in_package = names
            .iter()
            .zip(&parsed)
            .map(|(n, p)| !is_test(n) && Some(p.file.package.name) == package)
            .collect();
        PackageFacts {
            lines: parsed.iter().map(|p| p.line_index()).collect(),
            imports: parsed.iter().map(|p| Imports::of(&p.file)).collect(),
            parsed,
            in_package,
            summary: OnceCell::new(),
            census: OnceCell::new(),
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

    /// Whether the file belongs to the package proper: not a `_test.go` file, and with the
    /// package clause of the first non-test file.
    pub fn in_package(&self, file: usize) -> bool {
        self.in_package[file]
    }

    /// The package summaries of the files [`in_package`](Self::in_package), built on first use.
    pub fn summary(&self) -> &PackageSummary<'a> {
        self.summary.get_or_init(|| {
            let mut summary = PackageSummary::new();
            for (i, parsed) in self.parsed.iter().enumerate() {
                if self.in_package[i] {
                    let imports = &self.imports[i];
                    summary.add_file(i, parsed, &|e| never_returns_by_imports(e, imports));
                }
            }
            summary
        })
    }

    /// The census of conds, wait groups, timers and goroutine helpers over every file of the
    /// directory (tests included), built on first use.
    pub fn census(&self) -> &Census<'a> {
        self.census
            .get_or_init(|| Census::new(self.imports.iter().zip(self.parsed.iter().copied())))
    }

    /// The semantic model of the package, built on first use: the package's files and its
    /// `_test.go` files of the same package (tests leak too); an external `_test` package is
    /// left out.
    pub fn semantic(&self) -> &Semantic<'a> {
        self.semantic.get_or_init(|| {
            let package = (0..self.parsed.len())
                .find(|&i| self.in_package[i])
                .map(|i| self.parsed[i].file.package.name);
            let files = self
                .parsed
                .iter()
                .map(|p| (Some(p.file.package.name) == package).then_some(*p))
                .collect();
            Semantic::build(files)
        })
    }
}
