//! Turns the `//!` documentation at the top of each rule file into string constants, so the
//! documentation exists once, beside the rule's code, and `leakhound rule CODE`, SARIF and the
//! docs all print the same text.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("src/rules");
    println!("cargo:rerun-if-changed=src/rules");
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/rules exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "rs") && p.file_stem().is_some_and(|s| s != "mod")
        })
        .collect();
    entries.sort();
    let mut out = String::new();
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("rule file is readable");
        let doc: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.strip_prefix("//!").unwrap_or(l))
            })
            .collect();
        let stem = path.file_stem().unwrap().to_string_lossy().to_uppercase();
        writeln!(
            out,
            "pub(crate) const {stem}: &str = {:?};",
            doc.join("\n").trim()
        )
        .unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_docs.rs");
    std::fs::write(dest, out).unwrap();
}
