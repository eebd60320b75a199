//! The web site in a real browser: `tests/browser/site.mjs` walks the demo site in headless Chromium on
//! a phone and a desktop viewport (front page, story, report, search, entity, 404, no JavaScript, dark
//! mode), checking each page's status, heading, layout and accessibility, and saving screenshots to
//! `target/browser-artifacts`.
//!
//! Needs Node.js, the npm packages of `tests/browser` and Chromium at /usr/bin/chromium:
//! `scripts/test-deps` installs them. Set PARALLAX_SKIP_BROWSER_TESTS=1 to skip this test instead.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use support::Server;

/// Longer than the script's own limit on the whole run, so that the script reports first.
const DEADLINE: Duration = Duration::from_secs(420);

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn chromium() -> PathBuf {
    std::env::var_os("PARALLAX_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What the browser test needs and cannot find, each with how to get it.
fn missing_tools(browser_tests: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        missing.push("node (Node.js 20 or later) is not on PATH: install Node.js".to_owned());
    }
    let modules = browser_tests.join("node_modules");
    for package in ["playwright-core/package.json", "axe-core/axe.min.js"] {
        if !modules.join(package).is_file() {
            missing.push(format!(
                "{} is missing: run scripts/test-deps (or `npm ci` in tests/browser)",
                modules.join(package).display()
            ));
        }
    }
    let chromium = chromium();
    if !chromium.is_file() {
        missing.push(format!(
            "{} is missing: run scripts/test-deps (or `apt-get install chromium`)",
            chromium.display()
        ));
    }
    missing
}

#[test]
fn the_site_passes_its_checks_in_headless_chromium() {
    if std::env::var("PARALLAX_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        println!("SKIPPED: the browser test (PARALLAX_SKIP_BROWSER_TESTS=1)");
        return;
    }
    let root = workspace_root();
    let browser_tests = root.join("tests/browser");
    let missing = missing_tools(&browser_tests);
    assert!(
        missing.is_empty(),
        "the browser test cannot run:\n  - {}\nRun scripts/test-deps to install what is missing, \
         or set PARALLAX_SKIP_BROWSER_TESTS=1 to skip this test.",
        missing.join("\n  - ")
    );

    let started = Instant::now();
    let server = Server::start(None, &["demo", "--addr", "127.0.0.1:0"]);
    println!("demo site at http://{} ready after {:.1} s", server.addr, started.elapsed().as_secs_f64());

    let artifacts = target_dir(&root).join("browser-artifacts");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("create the artifacts folder");

    let walk_started = Instant::now();
    let mut child = Command::new("node")
        .arg(browser_tests.join("site.mjs"))
        .arg(format!("http://{}", server.addr))
        .arg(&artifacts)
        .current_dir(&browser_tests)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let drain = |mut stream: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stream.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if walk_started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(100));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    println!("{stdout}");
    if !stderr.trim().is_empty() {
        println!("--- site.mjs stderr ---\n{stderr}");
    }
    println!(
        "browser checks took {:.1} s; screenshots and report.txt in {}",
        walk_started.elapsed().as_secs_f64(),
        artifacts.display()
    );
    drop(server);

    let status = status.unwrap_or_else(|| panic!("site.mjs did not finish within {} s", DEADLINE.as_secs()));
    // The failing checks, each with the indented detail lines printed under it.
    let mut failures = Vec::new();
    let mut in_failure = false;
    for line in stdout.lines() {
        if line.starts_with("FAIL") || line.starts_with("SKIP") {
            in_failure = true;
        } else if !line.starts_with("    ") {
            in_failure = false;
        }
        if in_failure {
            failures.push(line);
        }
    }
    assert!(
        status.success() && failures.is_empty() && stdout.contains("site checks ALL PASSED"),
        "the site failed its browser checks ({status}):\n{}\n(full output above; screenshots in {})",
        failures.join("\n"),
        artifacts.display()
    );
}
