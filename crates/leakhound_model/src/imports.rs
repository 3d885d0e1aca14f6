//! Import resolution without a type checker: which local names refer to which import paths,
//! and which package-level functions a dot import brings in. `tm.After` is `time.After` when
//! the file says `import tm "time"` and no local `tm` shadows it (scopes track that).

use leakhound_syntax::ast::File;

/// One file's imports.
#[derive(Debug, Default)]
pub struct Imports<'a> {
    /// (local name, import path) for named and default imports.
    named: Vec<(&'a str, &'a str)>,
    /// Import paths brought in with `import . "path"`.
    dot: Vec<&'a str>,
}

impl<'a> Imports<'a> {
    pub fn of(file: &'a File<'a>) -> Imports<'a> {
        let mut imports = Imports::default();
        for spec in &file.imports {
            let path = spec.path_value();
            match spec.name.as_ref().map(|n| n.name) {
                Some(".") => imports.dot.push(path),
                Some("_") => {}
                Some(alias) => imports.named.push((alias, path)),
                None => imports.named.push((default_name(path), path)),
            }
        }
        imports
    }

    /// The import path a local name refers to, before scoping (see [`crate::names`]).
    pub fn path_of(&self, local: &str) -> Option<&'a str> {
        self.named
            .iter()
            .find(|(name, _)| *name == local)
            .map(|(_, path)| *path)
    }

    pub fn is_import_name(&self, local: &str) -> bool {
        self.named.iter().any(|(name, _)| *name == local)
    }

    pub fn dot_imports(&self, path: &str) -> bool {
        self.dot.contains(&path)
    }

    pub fn has_dot_imports(&self) -> bool {
        !self.dot.is_empty()
    }

    /// Whether the file imports `path` at all (under any name, dot included).
    pub fn imports(&self, path: &str) -> bool {
        self.dot.contains(&path) || self.named.iter().any(|(_, p)| *p == path)
    }
}

/// The name a package is referred to by when imported without an alias. Without reading the
/// package this is the last path element, minus a `go-` prefix or `.go`/`-go` suffix and a
/// major-version element (`gopkg.in/yaml.v3` is `yaml`, `k8s.io/client-go/v2` is `client`).
pub fn default_name(path: &str) -> &str {
    let mut elems = path.rsplit('/');
    let mut last = elems.next().unwrap_or(path);
    if last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit()) {
        last = elems.next().unwrap_or(last);
    }
    // Byte and prefix/suffix tests only: a substring search sets up a searcher per call, and
    // this runs for every import of every file.
    if let Some(dot) = last.rfind('.') {
        let version = &last.as_bytes()[dot + 1..];
        if version.len() > 1 && version[0] == b'v' && version[1..].iter().all(u8::is_ascii_digit) {
            last = &last[..dot];
        }
    }
    let mut name = last;
    while let Some(rest) = name.strip_prefix("go-") {
        name = rest;
    }
    while let Some(rest) = name.strip_suffix("-go") {
        name = rest;
    }
    while let Some(rest) = name.strip_suffix(".go") {
        name = rest;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        assert_eq!(default_name("time"), "time");
        assert_eq!(default_name("golang.org/x/sync/errgroup"), "errgroup");
        assert_eq!(default_name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(default_name("github.com/x/go-cmp"), "cmp");
        assert_eq!(default_name("k8s.io/client/v2"), "client");
    }

    #[test]
    fn resolves_aliases_and_dot_imports() {
        let src = "package p\nimport (\n\ttm \"time\"\n\t. \"context\"\n\t_ \"net/http/pprof\"\n\t\"sync\"\n)\n";
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let imports = Imports::of(&parsed.file);
        assert_eq!(imports.path_of("tm"), Some("time"));
        assert_eq!(imports.path_of("time"), None);
        assert_eq!(imports.path_of("sync"), Some("sync"));
        assert!(imports.dot_imports("context"));
        assert!(!imports.imports("net/http/pprof"));
        assert!(imports.imports("time"));
    }
}
