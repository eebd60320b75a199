//! Helpers for end-to-end tests: running the binary, a served instance, plain HTTP over loopback.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The two sample reports.
pub fn samples() -> [PathBuf; 2] {
    let dir = fixtures().join("samples");
    [dir.join("000_499c8513cc3fdbef.txt"), dir.join("004_b385d3fa735fe338.txt")]
}

/// Runs `parallax --data DATA ARGS...` to completion.
pub fn parallax(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("PARALLAX_DATA")
        .output()
        .expect("run parallax")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A running `parallax serve` or `parallax demo`, stopped when dropped.
pub struct Server {
    child: Child,
    /// "127.0.0.1:PORT".
    pub addr: String,
}

impl Server {
    /// Starts the binary with the arguments (which must listen on port 0) and waits for it to print
    /// its address ("http://127.0.0.1:PORT/").
    pub fn start(data: Option<&Path>, args: &[&str]) -> Server {
        Self::start_with_env(data, args, &[])
    }

    /// As [`Server::start`], with these environment variables set.
    pub fn start_with_env(data: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_parallax"));
        command.envs(env.iter().copied());
        if let Some(data) = data {
            command.arg("--data").arg(data);
        }
        let mut child = command
            .args(args)
            .env_remove("PARALLAX_DATA")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start parallax");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("server exited before printing its address").expect("read stdout");
            if let Some(at) = line.find("http://") {
                break line[at + 7..].trim_end_matches('/').to_owned();
            }
        };
        Server { child, addr }
    }

    /// GETs a path; returns the status code and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.addr, path)
    }

    /// Requests a path with a method; returns the whole response, headers included.
    pub fn request(&self, method: &str, path: &str) -> HttpResponse {
        http_request(&self.addr, method, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET, so that the response ends when the connection closes.
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    let response = http_request(addr, "GET", path);
    (response.status, response.body)
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lowercased, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The first value of a header, by its name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Where a redirect leads.
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_else(|| panic!("no Location in {} {:?}", self.status, self.headers))
    }

    /// The value of a form field (`name="..." value="..."`) in the page.
    pub fn field(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let rest = &self.body[at..];
        let value = rest.find("value=\"")? + 7;
        let end = rest[value..].find('"')?;
        Some(rest[value..value + end].to_owned())
    }
}

/// Reads a response until the connection closes (HTTP/1.0).
fn read_response(mut stream: TcpStream) -> HttpResponse {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("response head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    HttpResponse { status, headers, body: body.to_owned() }
}

/// A plain HTTP/1.0 request without a body, read until the connection closes.
pub fn http_request(addr: &str, method: &str, path: &str) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: 0\r\n\r\n")
        .expect("send request");
    read_response(stream)
}

/// One field (`outlet`, `title`, ...) of every report `parallax stories --json` lists, story by story.
pub fn listed_reports(data: &Path, field: &str) -> Vec<String> {
    let stories: serde_json::Value =
        serde_json::from_str(&stdout(&parallax(data, &["stories", "--json"]))).expect("stories as JSON");
    stories
        .as_array()
        .expect("a list of stories")
        .iter()
        .flat_map(|s| s["articles"].as_array().expect("a story's reports").iter())
        .map(|a| a[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A browser-like client for one site: keeps the cookies it is given, sends form posts, one
/// connection per request, from a loopback address of its own when given one.
pub struct Browser {
    pub addr: String,
    cookies: Vec<(String, String)>,
    source: Option<std::net::Ipv4Addr>,
}

/// Form-encodes pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

impl Browser {
    pub fn new(addr: &str) -> Self {
        Browser { addr: addr.to_owned(), cookies: Vec::new(), source: None }
    }

    /// A browser connecting from its own loopback address (127.x.y.z), as a separate reader would:
    /// per-address limits count it apart.
    pub fn from_address(addr: &str, source: [u8; 4]) -> Self {
        Browser { addr: addr.to_owned(), cookies: Vec::new(), source: Some(source.into()) }
    }

    fn connect(&self) -> TcpStream {
        let stream = match self.source {
            None => TcpStream::connect(&self.addr).expect("connect"),
            Some(source) => {
                // std cannot bind before connecting: a one-off runtime's socket can.
                let runtime =
                    tokio::runtime::Builder::new_current_thread().enable_io().build().expect("runtime");
                let server: std::net::SocketAddr = self.addr.parse().expect("server address");
                let from = std::net::SocketAddr::new(source.into(), 0);
                let stream = runtime
                    .block_on(async move {
                        let socket = tokio::net::TcpSocket::new_v4()?;
                        socket.bind(from)?;
                        socket.connect(server).await?.into_std()
                    })
                    .unwrap_or_else(|e| panic!("connect from {from}: {e}"));
                stream.set_nonblocking(false).expect("blocking");
                stream
            }
        };
        stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
        stream
    }

    /// The value of a cookie the site has set.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Forgets a cookie (or sets one by hand).
    pub fn set_cookie(&mut self, name: &str, value: Option<&str>) {
        self.cookies.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    pub fn get(&mut self, path: &str) -> HttpResponse {
        self.send("GET", path, None)
    }

    pub fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> HttpResponse {
        self.send("POST", path, Some(form(pairs)))
    }

    fn send(&mut self, method: &str, path: &str, body: Option<String>) -> HttpResponse {
        let mut stream = self.connect();
        let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", self.addr);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        let body = body.unwrap_or_default();
        if method == "POST" {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).expect("send head");
        stream.write_all(body.as_bytes()).expect("send body");
        let response = read_response(stream);
        for (_, value) in response.headers.iter().filter(|(n, _)| n == "set-cookie") {
            let pair = value.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                // An empty value is how a site takes a cookie back.
                let value = Some(value.trim()).filter(|v| !v.is_empty());
                self.set_cookie(name.trim(), value);
            }
        }
        response
    }
}
