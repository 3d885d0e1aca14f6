//! Captures of the `waits` program (`tests/corpus/programs/waits`) by Go 1.21, 1.23 and 1.26:
//! every wait kind at two user lines. The frames above the user line change between releases
//! (`sync.runtime_SemacquireMutex`, then `internal/sync.runtime_SemacquireMutex` from 1.24;
//! `sync.runtime_SemacquireWaitGroup` from 1.25), the grouping must not.

use std::collections::BTreeMap;
use std::path::PathBuf;

use leakhound_profile::{analyze, parse, Interner, Limits, Options};

const RELEASES: [&str; 3] = ["go1.21", "go1.23", "go1.26"];
const FORMATS: [&str; 3] = ["debug2.txt", "debug1.txt", "debug0.pb.gz"];

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// `line -> (marker name, goroutines)` from the `// site NAME N` markers of the program.
fn markers() -> BTreeMap<u32, (String, u64)> {
    let text = std::fs::read_to_string(corpus().join("programs/waits/main.go")).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let m = l.split("// site ").nth(1)?;
            let (name, n) = m.split_once(' ')?;
            Some((i as u32 + 1, (name.to_string(), n.trim().parse().ok()?)))
        })
        .collect()
}

#[test]
fn every_wait_kind_groups_by_its_user_line_on_every_release() {
    let markers = markers();
    assert_eq!(markers.len(), 14, "two lines for each of seven kinds");
    for release in RELEASES {
        let version = std::fs::read_to_string(corpus().join(release).join("GO_VERSION")).unwrap();
        assert!(
            version.contains(&format!("{release}.")),
            "{release}: {version}"
        );
        for format in FORMATS {
            let path = corpus().join(release).join(format!("waits/waits.{format}"));
            let mut interner = Interner::new();
            let profile = parse(
                &std::fs::read(&path).unwrap(),
                &mut interner,
                Limits::default(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let a = analyze(&[profile], &[String::new()], &interner, &Options::default());
            let at_line: BTreeMap<u32, u64> = a
                .groups
                .iter()
                .filter_map(|g| {
                    let s = g.site.as_ref()?;
                    (s.file == "leakcorpus/waits/main.go" && !s.stdlib)
                        .then(|| (s.line, g.counts[0]))
                })
                .collect();
            for (line, (name, n)) in &markers {
                assert_eq!(
                    at_line.get(line),
                    Some(n),
                    "{release} {format}: {name} at main.go:{line}"
                );
            }
            // Nothing of the program is left in a group of runtime or sync frames.
            for g in &a.groups {
                let site = g.site.as_ref().unwrap();
                assert!(
                    !site.stdlib || g.counts[0] <= 2,
                    "{release} {format}: {} goroutines grouped at {} {}:{}",
                    g.counts[0],
                    site.function,
                    site.file,
                    site.line
                );
            }
        }
    }
}
