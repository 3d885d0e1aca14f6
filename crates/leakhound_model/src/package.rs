//! The facts of one package (the `.go` files of one directory), computed once and shared by
//! every rule: each file's line index and imports now; each file's name resolution, each
//! function's channel model, each function's bodies and each body's lock flow, and the package
//! summaries when a rule first asks for them, so an analysis no enabled rule requires is never
//! computed.

use std::cell::OnceCell;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use leakhound_syntax::ast::{Decl, FuncDecl};
use leakhound_syntax::{LineIndex, ParsedFile};

use crate::bodies::{bodies, Body};
use crate::channels::{model, FuncModel};
use crate::imports::Imports;
use crate::lockflow::BodyFlow;
use crate::names::{walk_file, Events, Names, Resolution};
use crate::summary::PackageSummary;

static LOCK_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Lock()"));

pub struct PackageFacts<'a> {
    parsed: Vec<&'a ParsedFile<'a>>,
    lines: Vec<LineIndex>,
    imports: Vec<Imports<'a>>,
    in_package: Vec<bool>,
    resolutions: Vec<OnceCell<Resolution>>,
    /// Per file, per declaration: the channel models asked for so far (`None`: a file with
    /// nothing to model).
    channels: Vec<OnceCell<Option<Vec<OnceCell<FuncModel<'a>>>>>>,
    /// Per file, per declaration: its bodies and their lock flows, as asked for so far.
    decls: Vec<OnceCell<Vec<OnceCell<DeclFacts<'a>>>>>,
    summary: OnceCell<PackageSummary<'a>>,
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
            resolutions: parsed.iter().map(|_| OnceCell::new()).collect(),
            channels: parsed.iter().map(|_| OnceCell::new()).collect(),
            decls: parsed.iter().map(|_| OnceCell::new()).collect(),
            parsed,
            in_package,
            summary: OnceCell::new(),
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
        Some(cells.as_ref()?[decl].get_or_init(|| model(func, self.names(file))))
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
                BodyFlow::of(func, b, self.summary(), &|e| names.never_returns(e))
            })
            .as_ref()
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
                    let names = self.names(i);
                    summary.add_file(i, parsed, &|e| names.never_returns(e));
                }
            }
            summary
        })
    }
}
