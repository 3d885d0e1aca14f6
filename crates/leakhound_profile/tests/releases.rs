//! Captures of the `waits` program (`tests/corpus/programs/waits`) by Go 1.21, 1.23 and 1.26:
//! every wait kind at two user lines. The frames above the user line change between releases
//! (`sync.runtime_SemacquireMutex`, then `internal/sync.runtime_SemacquireMutex` from 1.24;
//! `sync.runtime_SemacquireWaitGroup` from 1.25), the grouping must not.

mod common;

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
            Some((
                u32::try_from(i + 1).ok()?,
                (name.to_string(), n.trim().parse().ok()?),
            ))
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

/// `(name, line)` of the drill's lines ending in a `// leak NAME` or `// benign NAME` comment, in
/// the source each release's capture ran.
fn drill_markers(release: &str, kind: &str) -> Vec<(String, u32)> {
    let text = std::fs::read_to_string(corpus().join(release).join("drill/main.go.txt")).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let name = l.split(&format!("// {kind} ")).nth(1)?;
            Some((name.trim().to_string(), u32::try_from(i + 1).ok()?))
        })
        .collect()
}

fn drill_analysis(
    release: &str,
    files: &[&str],
    times: Option<Vec<f64>>,
) -> leakhound_profile::Analysis {
    let dir = corpus().join(release).join("drill");
    let files: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    common::analyze_files(&files, times)
}

fn at_line(a: &leakhound_profile::Analysis, line: u32) -> &leakhound_profile::Group {
    a.groups
        .iter()
        .find(|g| {
            g.site
                .as_ref()
                .is_some_and(|s| s.line == line && s.file == "goapps/drill/main.go")
        })
        .unwrap_or_else(|| panic!("no group at main.go:{line}"))
}

/// The incident drill captured on each release: six debug=1 samples flag exactly the four leaks
/// (the lock leak is a handler parked under `net/http.(*conn).serve`), none of the benign
/// groups; one debug=2 snapshot ranks every leak above every benign group.
#[test]
fn drill_on_every_release() {
    for release in RELEASES {
        let leaks = drill_markers(release, "leak");
        let benign = drill_markers(release, "benign");
        assert_eq!((leaks.len(), benign.len()), (4, 3), "{release}");

        let series: Vec<String> = (0..6).map(|t| format!("t{t}s.debug1.txt")).collect();
        let series: Vec<&str> = series.iter().map(String::as_str).collect();
        let a = drill_analysis(release, &series, Some((0..6).map(f64::from).collect()));
        let mut suspects: Vec<u32> = a
            .groups
            .iter()
            .filter(|g| g.suspect)
            .map(|g| g.site.as_ref().unwrap().line)
            .collect();
        suspects.sort();
        let mut want: Vec<u32> = leaks.iter().map(|(_, l)| *l).collect();
        want.sort();
        assert_eq!(suspects, want, "{release}: the suspects are the four leaks");
        for (name, line) in &leaks {
            let g = at_line(&a, *line);
            assert!(g.growing, "{release} {name}: {:?}", g.counts);
        }
        for (name, line) in &benign {
            assert!(!at_line(&a, *line).suspect, "{release} {name}");
        }
        let lock = at_line(&a, leaks.iter().find(|(n, _)| n == "lock").unwrap().1);
        assert!(
            lock.frames
                .iter()
                .any(|f| f.function == "net/http.(*conn).serve"),
            "{release}: the lock waiters are handlers"
        );

        let a = drill_analysis(release, &["t6s.debug2.txt"], None);
        let leak_scores: Vec<f64> = leaks
            .iter()
            .map(|(name, line)| {
                let g = at_line(&a, *line);
                assert!(g.suspect, "{release} snapshot {name}: {:?}", g.reasons);
                g.score
            })
            .collect();
        for (name, line) in &benign {
            let g = at_line(&a, *line);
            assert!(!g.suspect, "{release} snapshot {name}: {:?}", g.reasons);
            assert!(
                leak_scores.iter().all(|&s| s > g.score),
                "{release} snapshot: {name} ({}) above a leak ({leak_scores:?})",
                g.score
            );
        }
        assert_eq!(
            at_line(&a, benign.iter().find(|(n, _)| n == "pool").unwrap().1).counts,
            vec![200]
        );
    }
}
