//! What the harnesses that drive the release `parallax` binary share: finding the binary (built
//! when missing) and other tools, running processes with their output kept in log files, fetching
//! pages over loopback, and loading them with `wrk`.
//!
//! A [`Process`] is killed when dropped, and (on Linux) when the harness itself dies, so that no
//! server or worker outlives the benchmark that started it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

/// What a browser sends, and what the load generator sends too.
pub const ACCEPT_ENCODING: &str = "gzip, br";

/// Finds an executable on PATH, or in the sbin directories where nginx lives.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| {
            use std::os::unix::fs::PermissionsExt;
            candidate.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The release `parallax` binary of the target directory this harness lives in, built when missing
/// or when `force_build`; `tag` starts the lines shown.
pub fn parallax_binary(tag: &str, force_build: bool) -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the benchmark executable")?;
    let profile_dir = exe.parent().context("the benchmark executable has no directory")?;
    let target_dir = profile_dir.parent().context("the benchmark executable is not in a target directory")?;
    let binary = target_dir.join("release").join("parallax");
    if force_build || !binary.exists() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("Cargo.toml");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        eprintln!("{tag}: building {} (cargo build --release -p parallax)", binary.display());
        let status = Command::new(cargo)
            .args(["build", "--release", "-p", "parallax", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(target_dir)
            .status()
            .context("running cargo build")?;
        if !status.success() {
            bail!("cargo build --release -p parallax failed ({status})");
        }
    }
    let age = binary
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .map(|d| format!("built {} min ago", d.as_secs() / 60))
        .unwrap_or_else(|| "age unknown".to_owned());
    eprintln!("{tag}: using {} ({age}; --build rebuilds it)", binary.display());
    Ok(binary)
}

/// Has the kernel kill the child when the thread that started it ends (the harness exiting, or
/// killed), so that no child is left behind whatever becomes of the harness.
fn die_with_parent(command: &mut Command) {
    // SAFETY: between fork and exec only `prctl`, which is async-signal-safe, runs.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// A child process whose standard output and error go to log files; killed when dropped.
pub struct Process {
    name: String,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Process {
    /// Starts `command` as `name`, its output going to `NAME.stdout.log` and `NAME.stderr.log` in
    /// `logs`.
    pub fn spawn(name: &str, mut command: Command, logs: &Path) -> Result<Process> {
        let stdout = logs.join(format!("{name}.stdout.log"));
        let stderr = logs.join(format!("{name}.stderr.log"));
        let create =
            |path: &Path| std::fs::File::create(path).with_context(|| format!("creating {}", path.display()));
        command.stdin(Stdio::null()).stdout(create(&stdout)?).stderr(create(&stderr)?);
        die_with_parent(&mut command);
        let child = command.spawn().with_context(|| format!("starting {name} ({command:?})"))?;
        Ok(Process { name: name.to_owned(), child, stdout, stderr })
    }

    /// The name it was started as.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// How it ended, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until it prints the address it serves on (a line holding `http://ADDRESS/`), showing
    /// its output lines as `tag: name: line` meanwhile; fails when it ends first or `limit` passes.
    pub fn served_address(&mut self, tag: &str, limit: Duration) -> Result<SocketAddr> {
        let start = Instant::now();
        let (mut shown_lines, mut shown_progress) = (0, 0);
        loop {
            let output = std::fs::read_to_string(&self.stdout).unwrap_or_default();
            // Only whole lines: the last may still be being written.
            let lines: Vec<&str> = output.split_inclusive('\n').filter(|l| l.ends_with('\n')).collect();
            for line in &lines[shown_lines.min(lines.len())..] {
                if shown_progress > 0 {
                    eprintln!();
                    shown_progress = 0;
                }
                let line = line.trim_end();
                eprintln!("{tag}: {}: {line}", self.name);
                if let Some(addr) = served_addr(line) {
                    eprintln!(
                        "{tag}: {} serves on http://{addr}/ after {:.1} s",
                        self.name,
                        start.elapsed().as_secs_f64()
                    );
                    return Ok(addr);
                }
            }
            shown_lines = lines.len();
            if let Some(status) = self.exited() {
                bail!("{} stopped ({status}) before serving:\n{}", self.name, self.logs());
            }
            let elapsed = start.elapsed().as_secs();
            if elapsed >= limit.as_secs() {
                bail!("{} did not serve within {elapsed} s:\n{}", self.name, self.logs());
            }
            if elapsed >= 5 && elapsed >= shown_progress + 5 {
                shown_progress = elapsed;
                eprint!("\r{tag}: waiting for {} to serve… {elapsed} s", self.name);
                let _ = std::io::stderr().flush();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills it at once (SIGKILL), as a crash or the OOM killer would, and reaps it.
    pub fn kill(&mut self) -> Result<ExitStatus> {
        self.child.kill().with_context(|| format!("killing {}", self.name))?;
        Ok(self.child.wait()?)
    }

    /// Asks it to stop (SIGTERM), as a service manager would, and waits for it; killed when it has
    /// not stopped within `grace`.
    pub fn stop(&mut self, grace: Duration) -> Result<ExitStatus> {
        if let Some(status) = self.exited() {
            return Ok(status);
        }
        let pid = libc::pid_t::try_from(self.child.id()).context("a process id out of range")?;
        // SAFETY: `kill` has no memory effects; the child is not reaped yet, so the id is still its.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            return Err(std::io::Error::last_os_error()).with_context(|| format!("stopping {}", self.name));
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = self.exited() {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("{} did not stop within {} s of SIGTERM: killed", self.name, grace.as_secs());
        self.kill()
    }

    /// Everything it wrote to standard error.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// The last lines of its output, for a failure's message.
    pub fn logs(&self) -> String {
        format!(
            "--- {name} stdout ({}), last lines ---\n{}\n--- {name} stderr ({}), last lines ---\n{}",
            self.stdout.display(),
            tail(&self.stdout),
            self.stderr.display(),
            tail(&self.stderr),
            name = self.name,
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The address in a line like `Parallax demo: http://127.0.0.1:PORT/`.
pub fn served_addr(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("http://")? + "http://".len()..];
    rest[..rest.find('/')?].parse().ok()
}

/// The last lines of a log file.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// One response, as read off the wire.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn expect_ok(self, what: &str) -> Result<Self> {
        if self.status != 200 {
            bail!("{what} answered {}", self.status);
        }
        Ok(self)
    }

    pub fn encoding(&self) -> &str {
        self.header("content-encoding").unwrap_or("identity")
    }

    /// The body without its content encoding.
    pub fn decoded(&self) -> Result<Vec<u8>> {
        match self.encoding() {
            "identity" => Ok(self.body.clone()),
            "gzip" => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(self.body.as_slice()).read_to_end(&mut out)?;
                Ok(out)
            }
            "br" => {
                let mut out = Vec::new();
                brotli::Decompressor::new(self.body.as_slice(), 4096).read_to_end(&mut out)?;
                Ok(out)
            }
            other => bail!("cannot decode a {other} body"),
        }
    }

    /// Status, size, encoding and the caching headers, for the log.
    pub fn summary(&self) -> String {
        let show = |name: &str| self.header(name).unwrap_or("absent").to_owned();
        format!(
            "{} {} bytes, content-encoding {}, content-type {}, cache-control {}, etag {}, last-modified {}, vary {}",
            self.status,
            self.body.len(),
            self.encoding(),
            show("content-type"),
            show("cache-control"),
            show("etag"),
            show("last-modified"),
            show("vary"),
        )
    }
}

/// One GET over a fresh connection, with the body read whole (chunked bodies are joined).
pub fn fetch(addr: SocketAddr, path: &str, accept_encoding: Option<&str>) -> Result<Response> {
    let mut stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(encoding) = accept_encoding {
        request.push_str(&format!("Accept-Encoding: {encoding}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).with_context(|| format!("reading http://{addr}{path}"))?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").context("no end of headers in the response")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no status line in the response")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked =
        headers.iter().any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(length) = headers.iter().find(|(n, _)| n == "content-length") {
        body.truncate(length.1.parse().context("content-length")?);
    }
    Ok(Response { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").context("truncated chunk")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .context("bad chunk size")?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).context("truncated chunk")?);
        data = data.get(size + 2..).context("truncated chunk")?;
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `/story/N` links of a page, in order, each with the text of the link.
pub fn story_links(html: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"/story/") {
        let after = &rest[at + "href=\"".len()..];
        let Some(end) = after.find('"') else { break };
        let path = &after[..end];
        let id = &path["/story/".len()..];
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            let inner = &after[end..];
            let title = inner
                .find('>')
                .and_then(|open| {
                    inner[open + 1..].find("</a>").map(|close| &inner[open + 1..open + 1 + close])
                })
                .map(strip_tags)
                .unwrap_or_default();
            links.push((path.to_owned(), title));
        }
        rest = after;
    }
    links
}

/// The first `/story/N` link of a page, with the text of the link.
pub fn first_story(html: &str) -> Option<(String, String)> {
    story_links(html).into_iter().next()
}

pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What wrk measured for one URL.
pub struct Load {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Responses that were not 2xx or 3xx, and socket errors.
    pub failures: String,
}

/// Loads each URL with a wrk process of its own (one thread, `connections` connections,
/// `Accept-Encoding` as a browser sends it), all at once, for `seconds`; returns what each measured.
pub fn wrk(wrk: &Path, urls: &[String], connections: u32, seconds: u32) -> Result<Vec<Load>> {
    let header = format!("Accept-Encoding: {ACCEPT_ENCODING}");
    let connections = connections.to_string();
    let duration = format!("{seconds}s");
    let mut runs = Vec::new();
    for url in urls {
        let mut command = Command::new(wrk);
        command
            .args(["-t1", "-c", &connections, "-d", &duration, "--latency", "-H", &header, url])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut command);
        runs.push((url, command.spawn().context("running wrk")?));
    }
    let mut loads = Vec::new();
    for (url, run) in runs {
        let output = run.wait_with_output().context("waiting for wrk")?;
        if !output.status.success() {
            bail!("wrk {url} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr).trim());
        }
        let report = text(&output.stdout);
        loads.push(parse_wrk(&report).with_context(|| format!("reading wrk's report:\n{report}"))?);
    }
    Ok(loads)
}

fn parse_wrk(report: &str) -> Result<Load> {
    let mut requests_per_second = None;
    let (mut p50_ms, mut p99_ms) = (None, None);
    let mut failures = Vec::new();
    for line in report.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("Requests/sec:") {
            requests_per_second = Some(value.trim().parse::<f64>().context("Requests/sec")?);
        } else if let Some(value) = line.strip_prefix("50%") {
            p50_ms = Some(wrk_time_ms(value.trim())?);
        } else if let Some(value) = line.strip_prefix("99%") {
            p99_ms = Some(wrk_time_ms(value.trim())?);
        } else if line.starts_with("Non-2xx") || line.starts_with("Socket errors") {
            failures.push(line.to_owned());
        }
    }
    Ok(Load {
        requests_per_second: requests_per_second.context("no Requests/sec line")?,
        p50_ms: p50_ms.context("no 50% line (is --latency on?)")?,
        p99_ms: p99_ms.context("no 99% line (is --latency on?)")?,
        failures: failures.join("; "),
    })
}

/// A wrk duration (`635.00us`, `1.01ms`, `2.00s`, `1.50m`, `1.00h`) in milliseconds.
fn wrk_time_ms(value: &str) -> Result<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic()).context("a duration without a unit")?;
    let number: f64 = value[..split].parse().with_context(|| format!("duration {value:?}"))?;
    let scale = match &value[split..] {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3600e3,
        unit => bail!("unknown unit {unit:?} in {value:?}"),
    };
    Ok(number * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_durations_convert_to_milliseconds() {
        assert!((wrk_time_ms("635.00us").unwrap() - 0.635).abs() < 1e-9);
        assert!((wrk_time_ms("1.01ms").unwrap() - 1.01).abs() < 1e-9);
        assert!((wrk_time_ms("2.50s").unwrap() - 2500.0).abs() < 1e-9);
        assert!((wrk_time_ms("1.00m").unwrap() - 60_000.0).abs() < 1e-9);
        assert!(wrk_time_ms("3.00").is_err());
    }

    #[test]
    fn a_wrk_report_is_read() {
        let report = "Running 10s test @ http://127.0.0.1:1/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms  300.00us   9.87ms   90.00%
    Req/Sec    25.00k     1.00k   27.00k    80.00%
  Latency Distribution
     50%  980.00us
     75%    1.10ms
     90%    1.40ms
     99%    2.34ms
  250000 requests in 10.00s, 1.00GB read
  Non-2xx or 3xx responses: 12
Requests/sec:  24999.50
Transfer/sec:    102.40MB
";
        let load = parse_wrk(report).unwrap();
        assert_eq!(load.requests_per_second, 24999.5);
        assert!((load.p50_ms - 0.98).abs() < 1e-9);
        assert!((load.p99_ms - 2.34).abs() < 1e-9);
        assert_eq!(load.failures, "Non-2xx or 3xx responses: 12");
    }

    #[test]
    fn story_links_and_served_addresses_are_found() {
        let html = concat!(
            r#"<a href="/about">About</a><li><a class="s" href="/story/17"><b>Shoigu</b> visits troops"#,
            r#" &amp; talks</a><a href="/story/x">x</a><a href="/story/4">Floods</a>"#
        );
        let (path, title) = first_story(html).unwrap();
        assert_eq!(path, "/story/17");
        assert_eq!(title, "Shoigu visits troops & talks");
        let paths: Vec<String> = story_links(html).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["/story/17", "/story/4"]);
        assert_eq!(served_addr("Parallax demo: http://127.0.0.1:4321/"), Some(([127, 0, 0, 1], 4321).into()));
        assert_eq!(
            served_addr("Parallax is serving postgres://u@127.0.0.1:5432/db on http://127.0.0.1:80/"),
            Some(([127, 0, 0, 1], 80).into())
        );
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
    }

    #[test]
    fn a_process_is_stopped_and_its_output_kept() {
        let logs = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", "echo serving on http://127.0.0.1:9/; echo oops >&2; exec sleep 30"]);
        let mut process = Process::spawn("sleeper", command, logs.path()).unwrap();
        assert_eq!(process.served_address("test", Duration::from_secs(10)).unwrap().port(), 9);
        let status = process.stop(Duration::from_secs(5)).unwrap();
        assert!(!status.success());
        assert_eq!(process.stderr(), "oops\n");
        assert!(process.logs().contains("serving on"));
    }
}
