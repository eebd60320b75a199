//! `web [--seconds N] [--connections N] [--build]`: how fast the site answers, next to nginx serving the
//! same front page as a static file.
//!
//! The release `parallax` binary is taken from the release directory of the target directory this
//! harness was built in (`target/release/parallax`); when it is missing, or with `--build`, it is built
//! first with `cargo build --release -p parallax`. It is started as `parallax demo --addr 127.0.0.1:0
//! --data TMP` on a throwaway data directory, and the harness waits (showing the time spent) until it
//! prints the address it serves on.
//!
//! Pages measured: the front page `/`, the first story linked from it (`/story/N`), and a search for a
//! distinctive word of that story's title (`/search?q=WORD`; reported as not available when the site
//! answers 404 or another error). Each page is first fetched once, to check that it answers 200 and to
//! show the size, encoding and caching headers of the response.
//!
//! Load comes from `wrk` in a process of its own over loopback: two seconds of warm-up, then `--seconds`
//! (10 by default) measured with `wrk -t1 -c32 --latency` and `Accept-Encoding: gzip, br` sent as a
//! browser does. The machine this runs on has few cores shared by the server and the load generator, so
//! wrk gets one thread; `--connections` changes the 32 connections. Requests per second and the 50th and
//! 99th latency percentiles come from wrk's report.
//!
//! The peer is nginx serving the exact bytes Parallax sent for `/` from a generated configuration in a
//! temporary directory (foreground, two workers, `sendfile`, keep-alive, no access log) on a free
//! loopback port. It serves the response in the encoding Parallax chose for a browser's
//! `Accept-Encoding`, so that both send the same number of bytes: uncompressed when Parallax does not
//! compress; through `gzip_static` with Parallax's own gzip bytes when it sends gzip; and, when Parallax
//! sends Brotli (which stock nginx cannot), through `gzip_static` with a gzip of the same page, which the
//! table then shows by its size and encoding. Nginx does no compression work per request in any case.
//!
//! The site keeps rendered pages in memory for a few seconds (`PARALLAX_PAGE_CACHE_SECONDS`); the same
//! three pages are then measured again on a second demo started with that set to 0, where every request
//! is read from the store and rendered (rows `uncached ...`), so both the served and the rendering cost
//! show.
//!
//! Printed: the core count, one table row per page (requests/s, p50, p99, bytes and encoding of the
//! body), the ratio of the front page's rate to nginx's, and whether the targets are met: at least
//! 10,000 requests/s on the front page, p99 under 5 ms, and at least half of nginx's rate.
//!
//! Needs `wrk` and `nginx` (Debian packages `wrk` and `nginx`) on the machine; it stops with a message
//! naming them when they are missing. It never uses an nginx system service.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::site::{
    self, ACCEPT_ENCODING, Load, Process, Response, fetch, find_tool, first_story, parallax_binary,
    strip_tags, tail, text,
};

/// How long the demo may take to load before the harness gives up.
const STARTUP_LIMIT: Duration = Duration::from_secs(600);
/// Warm-up before each measured run.
const WARM_UP_SECONDS: u32 = 2;

/// Targets the front page is held to.
const TARGET_REQUESTS_PER_SECOND: f64 = 10_000.0;
const TARGET_P99_MS: f64 = 5.0;
const TARGET_NGINX_RATIO: f64 = 0.5;

struct Options {
    seconds: u32,
    connections: u32,
    build: bool,
}

impl Options {
    fn parse(args: &[&str]) -> Result<Self> {
        let mut options = Options { seconds: 10, connections: 32, build: false };
        let mut args = args.iter();
        while let Some(&arg) = args.next() {
            match arg {
                "--seconds" => {
                    options.seconds =
                        args.next().context("--seconds needs a number")?.parse().context("--seconds")?
                }
                "--connections" => {
                    options.connections = args
                        .next()
                        .context("--connections needs a number")?
                        .parse()
                        .context("--connections")?
                }
                "--build" => options.build = true,
                other => {
                    bail!("web: unknown option {other:?} (expected --seconds N, --connections N, --build)")
                }
            }
        }
        if options.seconds == 0 || options.connections == 0 {
            bail!("web: --seconds and --connections must be at least 1");
        }
        Ok(options)
    }
}

pub fn run(args: &[&str]) -> Result<()> {
    let options = Options::parse(args)?;
    let started = Instant::now();
    let wrk = find_tool("wrk").context(
        "wrk is not installed: the web benchmark drives load with it (Debian: `apt-get install wrk`)",
    )?;
    let nginx = find_tool("nginx").context(
        "nginx is not installed: the web benchmark compares against it (Debian: `apt-get install nginx`)",
    )?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    eprintln!("web: {cores} cores; wrk at {}, nginx at {}", wrk.display(), nginx.display());

    let binary = parallax_binary("web", options.build)?;
    let parallax = Parallax::start(&binary, None)?;
    let addr = parallax.addr;

    // The pages: the front page, its first story, and a search for a word of that story's title.
    let front_html = text(&fetch(addr, "/", None)?.expect_ok("/")?.body);
    let (story_path, story_title) = first_story(&front_html).context("no /story/N link on the front page")?;
    let story_title = if story_title.is_empty() {
        let page = fetch(addr, &story_path, None)?.expect_ok(&story_path)?;
        page_title(&text(&page.body)).unwrap_or_default()
    } else {
        story_title
    };
    let word = search_word(&story_title, &strip_tags(&front_html)).unwrap_or_else(|| "news".to_owned());
    let search_path = format!("/search?q={}", percent_encode(&word));
    eprintln!("web: story {story_path} ({story_title:?}); search {search_path}");

    let mut rows = Vec::new();
    let mut front_response = None;
    let pages = [("front", "/".to_owned()), ("story", story_path), ("search", search_path)];
    for (name, path) in pages.clone() {
        let response = fetch(addr, &path, Some(ACCEPT_ENCODING))?;
        eprintln!("web: parallax {name} {path}: {}", response.summary());
        if response.status != 200 {
            if name == "search" {
                rows.push(Row::unavailable(format!("parallax {name}"), path, response.status));
                continue;
            }
            bail!("parallax answered {} for {path}", response.status);
        }
        let result = load(&wrk, addr, &path, &options)?;
        rows.push(Row::measured(format!("parallax {name}"), path, &response, result));
        if name == "front" {
            front_response = Some(response);
        }
    }
    let front_response = front_response.context("the front page was not measured")?;

    // The peer: nginx serving the same front page as a file.
    let nginx = Nginx::start(&nginx, &front_response)?;
    let response = fetch(nginx.addr, "/", Some(ACCEPT_ENCODING))?.expect_ok("nginx /")?;
    eprintln!("web: nginx front /: {}", response.summary());
    let result = load(&wrk, nginx.addr, "/", &options)?;
    rows.push(Row::measured("nginx front".to_owned(), "/".to_owned(), &response, result));
    drop(nginx);
    drop(parallax);

    // The same pages with no page kept in memory: every request is read from the store and rendered.
    let uncached = Parallax::start(&binary, Some(0))?;
    for (name, path) in pages {
        let response = fetch(uncached.addr, &path, Some(ACCEPT_ENCODING))?;
        if response.status != 200 {
            continue;
        }
        let result = load(&wrk, uncached.addr, &path, &options)?;
        rows.push(Row::measured(format!("uncached {name}"), path, &response, result));
    }
    drop(uncached);

    report(&rows, cores, &options);
    eprintln!("web: done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The demo site, running until dropped.
struct Parallax {
    addr: SocketAddr,
    _process: Process,
    _data: tempfile::TempDir,
}

impl Parallax {
    /// Starts the demo; `page_cache_seconds` sets how long it keeps rendered pages (its default when
    /// `None`).
    fn start(binary: &Path, page_cache_seconds: Option<u32>) -> Result<Self> {
        let data = tempfile::Builder::new().prefix("parallax-bench-web-").tempdir()?;
        let mut command = Command::new(binary);
        if let Some(seconds) = page_cache_seconds {
            command.env("PARALLAX_PAGE_CACHE_SECONDS", seconds.to_string());
        }
        command.args(["demo", "--addr", "127.0.0.1:0", "--data"]).arg(data.path().join("db"));
        let mut process = Process::spawn("parallax demo", command, data.path())?;
        let addr = process.served_address("web", STARTUP_LIMIT)?;
        Ok(Parallax { addr, _process: process, _data: data })
    }
}

/// A throwaway nginx serving one page, running until dropped.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    binary: PathBuf,
    conf: PathBuf,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn start(binary: &Path, page: &Response) -> Result<Self> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new().prefix("parallax-bench-nginx-").tempdir()?;
        let root = dir.path().join("www");
        std::fs::create_dir(&root)?;
        // Workers may run as another user when nginx is started as root: they must read the page.
        for path in [dir.path(), root.as_path()] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
        }
        let identity = page.decoded()?;
        std::fs::write(root.join("index.html"), &identity)?;
        let precompressed = match page.header("content-encoding") {
            None | Some("identity") => None,
            Some("gzip") => Some(page.body.clone()),
            Some(_) => Some(gzip(&identity)?),
        };
        if let Some(bytes) = &precompressed {
            std::fs::write(root.join("index.html.gz"), bytes)?;
        }
        for file in ["index.html", "index.html.gz"] {
            let path = root.join(file);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
            }
        }

        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let d = dir.path().display();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off;
master_process on;
worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{ text/html html; }}
    default_type application/octet-stream;
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    gzip off;
    gzip_static {gzip_static};
    server {{
        listen {addr};
        root {root};
        index index.html;
    }}
}}
",
                gzip_static = if precompressed.is_some() { "on" } else { "off" },
                root = root.display(),
            ),
        )?;
        let mut command = Command::new(binary);
        command.arg("-c").arg(&conf).arg("-p").arg(dir.path());
        if nginx_accepts_error_log_flag(binary) {
            command.arg("-e").arg(dir.path().join("error.log"));
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut nginx = Nginx { child, addr, binary: binary.to_owned(), conf, dir };
        let start = Instant::now();
        while TcpStream::connect(addr).is_err() {
            if let Some(status) = nginx.child.try_wait()? {
                let mut stderr = String::new();
                if let Some(mut pipe) = nginx.child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                bail!(
                    "nginx stopped ({status}) before serving: {}{}",
                    stderr.trim(),
                    tail(&nginx.dir.path().join("error.log"))
                );
            }
            if start.elapsed() > Duration::from_secs(10) {
                bail!("nginx did not listen on {addr} within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!(
            "web: nginx serves on http://{addr}/ ({})",
            if precompressed.is_some() { "gzip_static" } else { "uncompressed" }
        );
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // A graceful stop lets the master take its workers down with it.
        let _ = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.conf)
            .arg("-p")
            .arg(self.dir.path())
            .args(["-s", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this nginx takes `-e FILE` (1.19.5 and later).
fn nginx_accepts_error_log_flag(binary: &Path) -> bool {
    let Ok(output) = Command::new(binary).arg("-v").output() else { return false };
    let text = String::from_utf8_lossy(&output.stderr);
    let Some(version) = text.split("nginx/").nth(1) else { return false };
    let numbers: Vec<u32> =
        version.split(|c: char| !c.is_ascii_digit()).take(3).filter_map(|n| n.parse().ok()).collect();
    numbers >= vec![1, 19, 5]
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// The text of a page's first `<h1>`, else of its `<title>`.
fn page_title(html: &str) -> Option<String> {
    ["<h1", "<title"].into_iter().find_map(|tag| {
        let start = html.find(tag)?;
        let open = html[start..].find('>')? + start + 1;
        let close = html[open..].find("</")? + open;
        Some(strip_tags(&html[open..close]))
    })
}

/// A word of a title that a reader would search for: the one that comes up most often in the page the
/// title was linked from (so that the search finds several stories), name-like (capitalised) words first
/// among equals, then the earliest.
fn search_word(title: &str, page: &str) -> Option<String> {
    const COMMON: [&str; 16] = [
        "about", "after", "before", "from", "have", "into", "over", "says", "said", "than", "that", "their",
        "this", "under", "with", "will",
    ];
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in page.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        *counts.entry(word.to_lowercase()).or_default() += 1;
    }
    title
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.to_lowercase().as_str()))
        .enumerate()
        .max_by_key(|(i, w)| {
            let count = counts.get(&w.to_lowercase()).copied().unwrap_or(0);
            (count, w.chars().next().is_some_and(char::is_uppercase), Reverse(*i))
        })
        .map(|(_, w)| w.to_owned())
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Warms the URL up, then measures it with wrk.
fn load(wrk: &Path, addr: SocketAddr, path: &str, options: &Options) -> Result<Load> {
    let url = vec![format!("http://{addr}{path}")];
    eprintln!("web: wrk {}: {WARM_UP_SECONDS} s warm-up, {} s measured", url[0], options.seconds);
    site::wrk(wrk, &url, options.connections, WARM_UP_SECONDS)?;
    let mut loads = site::wrk(wrk, &url, options.connections, options.seconds)?;
    loads.pop().context("wrk measured nothing")
}

/// One line of the table.
struct Row {
    name: String,
    path: String,
    bytes: usize,
    encoding: String,
    load: Option<Load>,
    /// Why the page was not measured.
    unavailable: Option<String>,
}

impl Row {
    fn measured(name: String, path: String, response: &Response, load: Load) -> Self {
        Row {
            name,
            path,
            bytes: response.body.len(),
            encoding: response.encoding().to_owned(),
            load: Some(load),
            unavailable: None,
        }
    }

    fn unavailable(name: String, path: String, status: u16) -> Self {
        let reason = format!("not available (answered {status})");
        Row { name, path, bytes: 0, encoding: String::new(), load: None, unavailable: Some(reason) }
    }
}

fn report(rows: &[Row], cores: usize, options: &Options) {
    println!(
        "web: {cores} cores shared by server and load generator; wrk -t1 -c{} -d{}s, Accept-Encoding: {ACCEPT_ENCODING}",
        options.connections, options.seconds
    );
    println!(
        "{:<16} {:<28} {:>10} {:>9} {:>9} {:>9}  encoding",
        "page", "path", "requests/s", "p50 ms", "p99 ms", "bytes"
    );
    for row in rows {
        let path: String = if row.path.chars().count() > 28 {
            row.path.chars().take(27).chain(['…']).collect()
        } else {
            row.path.clone()
        };
        match (&row.load, &row.unavailable) {
            (Some(load), _) => {
                println!(
                    "{:<16} {:<28} {:>10.0} {:>9.3} {:>9.3} {:>9}  {}{}",
                    row.name,
                    path,
                    load.requests_per_second,
                    load.p50_ms,
                    load.p99_ms,
                    row.bytes,
                    row.encoding,
                    if load.failures.is_empty() { String::new() } else { format!("  ({})", load.failures) }
                );
            }
            (None, reason) => {
                println!("{:<16} {:<28} {}", row.name, path, reason.as_deref().unwrap_or("not measured"))
            }
        }
    }

    let load_of = |name: &str| rows.iter().find(|r| r.name == name).and_then(|r| r.load.as_ref());
    let (Some(front), Some(nginx)) = (load_of("parallax front"), load_of("nginx front")) else {
        return;
    };
    let ratio = front.requests_per_second / nginx.requests_per_second;
    println!("parallax front ÷ nginx front: {ratio:.3}×");
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    let others: Vec<String> = rows
        .iter()
        .filter(|r| r.name.starts_with("parallax") && r.name != "parallax front")
        .filter_map(|r| r.load.as_ref().map(|l| format!("{} {:.3} ms", r.name, l.p99_ms)))
        .collect();
    println!(
        "targets: front ≥ {TARGET_REQUESTS_PER_SECOND:.0} req/s: {} ({:.0}); front p99 < {TARGET_P99_MS} ms: {} ({:.3} ms{}); \
         front ≥ {TARGET_NGINX_RATIO}× nginx: {} ({ratio:.3}×)",
        verdict(front.requests_per_second >= TARGET_REQUESTS_PER_SECOND),
        front.requests_per_second,
        verdict(front.p99_ms < TARGET_P99_MS),
        front.p99_ms,
        if others.is_empty() { String::new() } else { format!("; {}", others.join(", ")) },
        verdict(ratio >= TARGET_NGINX_RATIO),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_word_is_found() {
        assert_eq!(search_word("Shoigu visits troops & talks", "").as_deref(), Some("Shoigu"));
        assert_eq!(search_word("The quake hits hard", "").as_deref(), Some("quake"));
        let page = "Sumatra quake. Aftershocks on Sumatra. An island of Indonesia.";
        assert_eq!(search_word("Quake hits Indonesian island of Sumatra", page).as_deref(), Some("Sumatra"));
    }

    #[test]
    #[ignore = "needs nginx installed"]
    fn nginx_serves_the_page_in_the_encoding_it_was_given() {
        let nginx_binary = find_tool("nginx").expect("nginx");
        let html = b"<!doctype html><title>t</title><p>hello hello hello hello</p>".to_vec();
        for (headers, body) in [
            (vec![], html.clone()),
            (vec![("content-encoding".to_owned(), "gzip".to_owned())], gzip(&html).unwrap()),
        ] {
            let page = Response { status: 200, headers, body: body.clone() };
            let nginx = Nginx::start(&nginx_binary, &page).unwrap();
            let served = fetch(nginx.addr, "/", Some(ACCEPT_ENCODING)).unwrap();
            assert_eq!(served.status, 200);
            assert_eq!(served.encoding(), page.encoding());
            assert_eq!(served.body, body);
            let plain = fetch(nginx.addr, "/", None).unwrap();
            assert_eq!(plain.body, html);
        }
    }
}
