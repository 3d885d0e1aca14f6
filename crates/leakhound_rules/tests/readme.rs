//! The README's rule table is the registry's: same codes, names and order, and no README link
//! leaves the repository.

use std::path::Path;

use leakhound_rules::registry::RULES;

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_rule_table_lists_the_registry() {
    let readme = readme();
    let rows: Vec<(String, String)> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| code | name |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].to_string())
        })
        .collect();
    let registry: Vec<(String, String)> = RULES
        .iter()
        .map(|r| (r.code.to_string(), r.name.to_string()))
        .collect();
    assert_eq!(
        rows, registry,
        "README.md's rule table differs from the registry"
    );
}

#[test]
fn readme_links_stay_in_the_repository() {
    let readme = readme();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (i, _) in readme.match_indices("](") {
        let target = &readme[i + 2..];
        let target = &target[..target.find(')').expect("a link ends with ')'")];
        assert!(
            !target.contains("://") && !target.starts_with("..") && !target.starts_with('/'),
            "README.md links outside the repository: {target}"
        );
        let file = target.split('#').next().unwrap_or(target);
        assert!(
            root.join(file).exists(),
            "README.md links to {target}, which does not exist"
        );
    }
}
