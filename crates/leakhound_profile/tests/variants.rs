//! Hand-written cases for each syntax variant Go 1.17–1.27 prints, and for bad input.

use std::io::Write;

use leakhound_profile::{analyze, parse, Format, Interner, Limits, Options, ParseError, Profile};

fn read(text: &[u8]) -> (Profile, Interner) {
    let mut i = Interner::new();
    let p = parse(text, &mut i, Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    (p, i)
}

fn sites(text: &[u8]) -> Vec<(String, String, u64)> {
    let (p, i) = read(text);
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    a.groups
        .iter()
        .map(|g| {
            let s = g.site.as_ref().unwrap();
            (
                format!("{} {}:{}", s.function, s.file, s.line),
                g.state.clone(),
                g.counts[0],
            )
        })
        .collect()
}

const GO121: &str = "goroutine 1 [running]:
main.main()
\t/src/app/main.go:10 +0x1d

goroutine 7 [chan send, 3 minutes]:
main.(*Order).Process.func1()
\t/src/app/orders/process.go:57 +0x2a
created by main.(*Order).Process in goroutine 1
\t/src/app/orders/process.go:55 +0x6b

goroutine 8 [chan send, 5 minutes]:
main.(*Order).Process.func1()
\t/src/app/orders/process.go:57 +0x2a
created by main.(*Order).Process in goroutine 1
\t/src/app/orders/process.go:55 +0x6b
";

#[test]
fn go121_created_by_in_goroutine_and_minutes() {
    let (p, i) = read(GO121.as_bytes());
    assert_eq!(p.format, Format::Debug2);
    assert_eq!(p.total, 3);
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    let g = a.groups.iter().find(|g| g.state == "chan send").unwrap();
    assert_eq!(g.counts, vec![2]);
    assert_eq!(
        g.wait_minutes.as_ref().map(|m| (m.min, m.max)),
        Some((3, 5))
    );
    let c = g.created_by.as_ref().unwrap();
    assert_eq!((c.function.as_str(), c.line), ("main.(*Order).Process", 55));
}

#[test]
fn gotraceback_system_header_and_frame_decorations() {
    let text = b"goroutine 18 gp=0xc000102380 m=nil [select (no cases)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce fp=0xc000055f38 sp=0xc000055f18 pc=0x47476e
runtime.block()
\t/usr/local/go/src/runtime/select.go:104 +0x26 fp=0xc000055f68 sp=0xc000055f38 pc=0x44f086
main.idle(...)
\t/src/app/main.go:12 pc=0x4a1b2c
main.start.func1()
\t/src/app/main.go:20 +0x13 fp=0xc000055fe0 sp=0xc000055f68 pc=0x4a1b33
runtime.goexit({})
\t/usr/local/go/src/runtime/asm_amd64.s:1700 +0x1 fp=0xc000055fe8 sp=0xc000055fe0 pc=0x47c2a1
created by main.start in goroutine 1
\t/src/app/main.go:19 +0x2f
";
    let s = sites(text);
    assert_eq!(
        s,
        vec![(
            "main.idle /src/app/main.go:12".into(),
            "select (no cases)".into(),
            1
        )]
    );
    let (p, i) = read(text);
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    assert!(a.groups[0].suspect, "select (no cases) is always a leak");
    assert_eq!(a.groups[0].score, 0.95);
}

#[test]
fn generics_closures_and_windows_paths() {
    let text = b"goroutine 5 [chan receive]:
app.(*Server[go.shape.int,go.shape.string]).Run.func1({0xc0000a4000?, 0x1})
\tC:/work/app/server.go:88 +0x45
";
    assert_eq!(
        sites(text),
        vec![(
            "app.(*Server[go.shape.int,go.shape.string]).Run.func1 C:/work/app/server.go:88".into(),
            "chan receive".into(),
            1
        )]
    );
}

#[test]
fn go127_labels_in_header_and_leaked_state() {
    let text =
        br#"goroutine 12 [chan send (leaked), locked to thread]: {"request": "42", "route": "/q"}
main.handle.func1()
	app/main.go:25 +0x2a
created by main.handle in goroutine 9
	app/main.go:24 +0x6b

goroutine 13 [select (durable), synctest bubble 1 labels:{"k":"v"}]:
main.wait()
	app/main.go:40 +0x2a
"#;
    let (p, i) = read(text);
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    let leaked = &a.groups[0];
    assert!(leaked.proven && leaked.suspect);
    assert_eq!(leaked.score, 1.0);
    assert_eq!(
        leaked.labels,
        vec![r#"{"request": "42", "route": "/q"}"#.to_string()]
    );
    let durable = a
        .groups
        .iter()
        .find(|g| g.state == "select (durable)")
        .unwrap();
    assert_eq!(durable.labels, vec![r#"{"k":"v"}"#.to_string()]);
}

#[test]
fn elided_frames_both_forms() {
    for elision in ["...additional frames elided...", "...52 frames elided..."] {
        let text = format!(
            "goroutine 3 [chan receive]:\nmain.deep()\n\tapp/main.go:5 +0x1\n{elision}\nmain.root()\n\tapp/main.go:9 +0x1\ncreated by main.main\n\tapp/main.go:2 +0x1\n"
        );
        let (p, _) = read(text.as_bytes());
        assert_eq!(p.records.len(), 1);
        assert!(p.records[0].elided);
        assert_eq!(p.records[0].frames.len(), 2);
        assert!(p.records[0].created_by.is_some());
    }
}

#[test]
fn goleak_output_inside_go_test() {
    let text = b"=== RUN   TestServe
--- FAIL: TestServe (0.45s)
    leaks.go:78: found unexpected goroutines:
        [Goroutine 8 in state chan receive, with example.com/app.leak.func1 on top of the stack:
        example.com/app.leak.func1()
        \t/src/app/app.go:10 +0x2a
        created by example.com/app.leak in goroutine 7
        \t/src/app/app.go:9 +0x6b
        ]
FAIL
exit status 1
";
    let (p, _) = read(text);
    assert_eq!(p.format, Format::Dump);
    assert_eq!(
        p.preamble.as_deref(),
        Some("leaks.go:78: found unexpected goroutines:")
    );
    assert_eq!(
        sites(text),
        vec![(
            "example.com/app.leak.func1 /src/app/app.go:10".into(),
            "chan receive".into(),
            1
        )]
    );
}

/// Real `go test` output of goleak v1.3.0 (`VerifyTestMain`) with two leaked goroutines: goleak
/// prints its stacks as a Go slice, so the second header starts ` Goroutine 8` after a space.
#[test]
fn goleak_two_goroutines_real_capture() {
    let text = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/goleak-1.3.0-two-goroutines.txt"),
    )
    .unwrap();
    let (p, _) = read(&text);
    assert_eq!(p.total, 2);
    assert!(p.partial.is_none());
    let mut got = sites(&text);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "example.com/pkg.leak.func1 /tmp/proda/gl/pkg_test.go:12".into(),
                "chan receive".into(),
                1
            ),
            (
                "example.com/pkg.leak2.func1 /tmp/proda/gl/pkg_test.go:18".into(),
                "select (no cases)".into(),
                1
            ),
        ]
    );
}

#[test]
fn synctest_bubble_panic() {
    let text = b"--- FAIL: TestLeak (0.00s)
panic: main bubble goroutine has exited but blocked goroutines remain [recovered, repanicked]

goroutine 37 [chan send (durable), synctest bubble 1]:
example.com/app.leak.func1()
\t/src/app/app_test.go:12 +0x35
created by example.com/app.leak in goroutine 36
\t/src/app/app_test.go:11 +0x6b
";
    let (p, _) = read(text);
    assert_eq!(p.format, Format::Dump);
    assert!(p
        .preamble
        .as_deref()
        .unwrap()
        .contains("blocked goroutines remain"));
    assert_eq!(sites(text)[0].1, "chan send (durable)");
}

#[test]
fn crlf_and_ci_timestamp_prefixes() {
    let plain = GO121.replace('\n', "\r\n");
    assert_eq!(sites(plain.as_bytes()), sites(GO121.as_bytes()));
    let prefixed: String = GO121
        .lines()
        .map(|l| format!("2026-11-28T20:00:00.1234567Z {l}\n"))
        .collect();
    assert_eq!(sites(prefixed.as_bytes()), sites(GO121.as_bytes()));
}

#[test]
fn a_cut_anywhere_in_the_last_goroutine_is_partial() {
    let last = GO121.rfind("\ngoroutine 8").unwrap() + 1;
    for end in last..GO121.len() {
        if GO121.as_bytes()[end - 1] == b'\n' {
            continue; // a cut at a line end is a shorter dump, told by the next test
        }
        let (p, _) = read(&GO121.as_bytes()[..end]);
        assert!(p.partial.is_some(), "cut after {:?}", &GO121[last..end]);
    }
}

#[test]
fn gzipped_text_dumps_are_read() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(GO121.as_bytes()).unwrap();
    let data = gz.finish().unwrap();
    let (p, _) = read(&data);
    assert_eq!((p.format, p.total), (Format::Debug2, 3));
    assert_eq!(sites(&data), sites(GO121.as_bytes()));
}

#[test]
fn truncated_dump_is_partial() {
    let cut = &GO121.as_bytes()[..GO121.len() - 40];
    let (p, _) = read(cut);
    assert!(
        p.partial.as_deref().unwrap().contains("truncated"),
        "{:?}",
        p.partial
    );
    assert_eq!(p.total, 3);
    let mut at_cap = GO121.as_bytes().to_vec();
    at_cap.resize(64 << 20, b'x');
    let (p, _) = read(&at_cap);
    assert!(p.partial.as_deref().unwrap().contains("64 MiB"));
}

#[test]
fn not_a_profile() {
    let mut i = Interner::new();
    for text in [
        &b"hello\nworld\n"[..],
        b"\x00\x01\x02garbage",
        b"goroutine profile: total x\n",
    ] {
        assert!(parse(text, &mut i, Limits::default()).is_err(), "{text:?}");
    }
    assert_eq!(
        parse(b"  \n", &mut i, Limits::default()).unwrap_err(),
        ParseError::Empty
    );
    assert_eq!(
        parse(b"just text", &mut i, Limits::default()).unwrap_err(),
        ParseError::NotAProfile
    );
}

#[test]
fn gzip_bomb_is_capped() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 8 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    let mut i = Interner::new();
    let err = parse(
        &bomb,
        &mut i,
        Limits {
            max_decompressed: 1 << 20,
        },
    )
    .unwrap_err();
    assert_eq!(err, ParseError::TooLarge { limit: 1 << 20 });
    let err = parse(&[0x1f, 0x8b, 0x08, 0x00, 0x01], &mut i, Limits::default()).unwrap_err();
    assert!(matches!(err, ParseError::Gzip(_)), "{err:?}");
}

#[test]
fn debug1_with_leak_profile_header_is_proven() {
    let text = b"goroutineleak profile: total 3
3 @ 0x439976 0x40576c 0x6a397f 0x469761
#\t0x6a397e\tmain.handle.func1+0x3e\tapp/main.go:25

";
    let (p, i) = read(text);
    assert!(p.leak_profile);
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    assert!(a.groups[0].proven && a.groups[0].suspect);
    assert_eq!(a.groups[0].counts, vec![3]);
}

#[test]
fn growth_across_samples_beats_size() {
    let sample = |n: usize| {
        let mut s = String::new();
        for id in 0..n {
            s.push_str(&format!(
                "goroutine {id} [chan receive]:\nmain.consume()\n\tapp/main.go:9 +0x1\n\n"
            ));
        }
        for id in 0..200 {
            s.push_str(&format!(
                "goroutine {} [chan receive]:\nmain.pool()\n\tapp/pool.go:4 +0x1\n\n",
                10_000 + id
            ));
        }
        s
    };
    let mut i = Interner::new();
    let ps: Vec<Profile> = [3, 6, 9]
        .iter()
        .map(|&n| parse(sample(n).as_bytes(), &mut i, Limits::default()).unwrap())
        .collect();
    let a = analyze(
        &ps,
        &["a".into(), "b".into(), "c".into()],
        &i,
        &Options {
            times: Some(vec![0.0, 60.0, 120.0]),
            ..Options::default()
        },
    );
    let top = &a.groups[0];
    assert_eq!(top.site.as_ref().unwrap().function, "main.consume");
    assert!(top.suspect && top.monotonic);
    assert_eq!(top.per_minute, Some(3.0));
    let pool = a
        .groups
        .iter()
        .find(|g| g.site.as_ref().unwrap().function == "main.pool")
        .unwrap();
    assert!(
        !pool.suspect,
        "a pool of 200 that does not change is not a suspect"
    );
}

/// A real Go 1.27.3 `runtime.Stack(all)` capture (module `go 1.27`, fetched with
/// `GOTOOLCHAIN=go1.27.3`): labels print between the state and the colon,
/// `goroutine 22 [chan send] {evil: "a]:\"b", pool: compute}:`. CI runs with the installed
/// toolchain only, so the capture is kept here rather than produced by the test.
#[test]
fn go127_real_capture_with_header_labels() {
    let text = include_bytes!("data/go1.27.3-labels.runtime-stack.txt");
    let (p, i) = read(text);
    assert_eq!(p.total, 3);
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    let send = a.groups.iter().find(|g| g.state == "chan send").unwrap();
    assert_eq!(
        send.labels,
        vec![r#"{evil: "a]:\"b", pool: compute}"#.to_string()]
    );
    assert_eq!(send.site.as_ref().unwrap().function, "main.main.func1.1");
    let nil = a
        .groups
        .iter()
        .find(|g| g.state == "chan receive (nil chan)")
        .unwrap();
    assert!(nil.suspect);
}

/// A hand-encoded `perftools.profiles.Profile`: one `goroutine/count` sample of 3 goroutines
/// whose stack refers to location 7, which the profile does not define.
#[test]
fn protobuf_with_dangling_ids_is_rejected() {
    let mut pb = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]; // sample_type {type: 1, unit: 2}
    pb.extend([0x12, 0x06, 0x0a, 0x01, 0x07, 0x12, 0x01, 0x03]); // sample {location_id: [7], value: [3]}
    for s in ["", "goroutine", "count"] {
        pb.extend([0x32, u8::try_from(s.len()).unwrap()]);
        pb.extend(s.as_bytes());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&pb).unwrap();
    let gz = gz.finish().unwrap();
    let mut i = Interner::new();
    let err = parse(&gz, &mut i, Limits::default()).unwrap_err();
    assert_eq!(
        err,
        ParseError::Dangling("sample refers to missing location 7".into())
    );
    assert_eq!(
        err.to_string(),
        "pprof profile is inconsistent: sample refers to missing location 7"
    );

    // The same sample with an empty stack (`sample {value: [3]}`) is a valid profile.
    let valid: Vec<u8> = [
        &[
            0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x03, 0x12, 0x01, 0x03,
        ][..],
        &pb[14..],
    ]
    .concat();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&valid).unwrap();
    let p = parse(&gz.finish().unwrap(), &mut i, Limits::default()).unwrap();
    assert_eq!((p.format, p.total), (Format::Debug0, 3));
}

/// `--src` linking is a pure function of the group and the file's findings: a finding at the
/// stuck line, or at the `select` right after the `go` statement, explains the group; one far
/// away does not.
#[test]
fn findings_are_linked_near_the_site_or_after_the_go_statement() {
    use leakhound_profile::srclink::{link_findings, FileFinding};
    let (p, i) = read(GO121.as_bytes());
    let a = analyze(&[p], &["t".into()], &i, &Options::default());
    let mut g = a
        .groups
        .into_iter()
        .find(|g| g.state == "chan send")
        .unwrap();
    let finding = |code: &str, line| FileFinding {
        code: code.into(),
        name: "n".into(),
        message: "m".into(),
        line,
    };
    let findings = [
        finding("LH301", 57),
        finding("LH101", 61),
        finding("LH202", 20),
        finding("LH201", 64),
    ];
    link_findings(
        &mut g,
        "/src/app/orders/process.go",
        std::path::Path::new("orders/process.go"),
        &findings,
    );
    let linked: Vec<(&str, usize)> = g
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.line))
        .collect();
    assert_eq!(linked, vec![("LH301", 57), ("LH101", 61)]);
    assert_eq!(g.source_file.as_deref(), Some("orders/process.go"));
}
