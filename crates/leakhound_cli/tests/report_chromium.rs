//! `--output-format html` in a real browser (Debian's headless Chromium): the report of the
//! corpus's abandoned-sender series with `--src` loads without a single console message (the
//! page's Content Security Policy reports any request or script it blocks there), shows the
//! suspect with its chart, source line and rule, and its screenshot is not blank; a profile
//! full of markup stays text.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../leakhound_profile/tests/corpus")
}

fn report(args: &[&str], dir: &Path, name: &str) -> PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .arg("profile")
        .args(args)
        .args(["--output-format", "html"])
        .current_dir(corpus())
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// Runs headless Chromium on `page` with `mode` (`--dump-dom` or `--screenshot=...`).
fn chromium(page: &Path, mode: &str, profile_dir: &Path) -> Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .arg(mode)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is needed (Debian package chromium; .ci/run installs it)")
}

fn console_messages(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

#[test]
fn html_report_loads_cleanly_and_shows_the_suspect() {
    let dir = tempfile::tempdir().unwrap();
    let page = report(
        &[
            "go1.19/abandonedsender/t000s.debug2.txt",
            "go1.19/abandonedsender/t010s.debug2.txt",
            "go1.19/abandonedsender/t020s.debug2.txt",
            "go1.19/abandonedsender/t030s.debug2.txt",
            "--interval",
            "10s",
            "--src",
            "programs/abandonedsender",
        ],
        dir.path(),
        "report.html",
    );

    let dom = chromium(&page, "--dump-dom", &dir.path().join("chrome-dom"));
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert_eq!(console_messages(&dom), Vec::<String>::new());
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(dom_text.contains("id=\"suspect-1\""), "{dom_text}");
    assert!(
        dom_text.contains("<svg class=\"chart\""),
        "no chart: {dom_text}"
    );
    assert!(
        dom_text.contains("class=\"hit\""),
        "no source line: {dom_text}"
    );
    assert!(dom_text.contains("LH301"), "no rule: {dom_text}");

    let shot = dir.path().join("report.png");
    let out = chromium(
        &page,
        &format!("--screenshot={}", shot.display()),
        &dir.path().join("chrome-shot"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console_messages(&out), Vec::<String>::new());
    let (width, height, colours, inked) = png_stats(&shot);
    assert!(width >= 1000 && height >= 1000, "{width}x{height}");
    assert!(colours > 20, "only {colours} colours: blank page?");
    assert!(
        inked > width as usize * height as usize / 100,
        "only {inked} non-white pixels"
    );
    // Kept for people to look at: LEAKHOUND_SCREENSHOT_DIR=dir cargo test ...
    if let Some(keep) = std::env::var_os("LEAKHOUND_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&keep).join("report.png")).unwrap();
        std::fs::copy(&page, Path::new(&keep).join("report.html")).unwrap();
    }
}

#[test]
fn markup_in_a_profile_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "main.x<img src=x onerror=\"console.error(1)\"><script>console.error(2)</script>";
    let mut dump = String::new();
    for id in 0..150 {
        dump.push_str(&format!(
            "goroutine {id} [chan send]:\n{evil}()\n\t/app/<b>bold</b>.go:7 +0x1\n\n"
        ));
    }
    let profile = dir.path().join("evil.txt");
    std::fs::write(&profile, dump).unwrap();
    let page = report(&[profile.to_str().unwrap()], dir.path(), "evil.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<img") && !html.contains("<script") && !html.contains("<b>"));

    let dom = chromium(&page, "--dump-dom", &dir.path().join("chrome"));
    assert!(dom.status.success());
    assert_eq!(console_messages(&dom), Vec::<String>::new());
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("main.x&lt;img src=x onerror=\"console.error(1)\"&gt;"),
        "{dom_text}"
    );
    assert!(!dom_text.contains("<img"), "{dom_text}");
}

/// Width, height, distinct colours, and pixels that are not white.
fn png_stats(path: &Path) -> (u32, u32, usize, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    let mut inked = 0;
    for px in buf[..info.buffer_size()].chunks(channels) {
        let rgb = [px[0], px[1.min(channels - 1)], px[2.min(channels - 1)]];
        colours.insert(rgb);
        if rgb != [255, 255, 255] {
            inked += 1;
        }
    }
    (info.width, info.height, colours.len(), inked)
}
