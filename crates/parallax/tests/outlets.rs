//! Following outlets: `add-outlet`, `import-opml`, `edit-outlet`, `outlets` and `export-opml`;
//! `fetch-now`, the poller `run` and `serve --with-worker`, crashes included.

mod support;

use serde_json::Value;
use support::{Server, fixtures, listed_reports, parallax, stdout};

#[test]
fn outlets_are_imported_once_listed_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let opml = fixtures().join("feeds").join("outlets.opml");
    let opml = opml.to_str().unwrap();

    let out = parallax(&data, &["import-opml", opml, "--poll-minutes", "15"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("2 followed, 0 already followed"), "{}", stdout(&out));
    let again = parallax(&data, &["import-opml", opml]);
    assert!(stdout(&again).contains("0 followed, 2 already followed"), "{}", stdout(&again));

    let json: Value = serde_json::from_str(&stdout(&parallax(&data, &["outlets", "--json"]))).unwrap();
    let listed: Vec<(&str, &str, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["outlet"].as_str().unwrap(), f["feed"].as_str().unwrap(), f["poll_minutes"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Corvale Herald", "http://127.0.0.1:9/herald/rss.xml", 15),
            ("River Gazette", "http://127.0.0.1:9/gazette/atom.xml", 15)
        ]
    );

    let exported = stdout(&parallax(&data, &["export-opml"]));
    assert!(exported.starts_with("<?xml") && exported.contains("<opml version=\"2.0\">"), "{exported}");
    assert!(
        exported
            .contains(r#"xmlUrl="http://127.0.0.1:9/herald/rss.xml" htmlUrl="http://127.0.0.1:9/herald/""#)
    );

    // What is not OPML is refused with the reason, and nothing is followed.
    let bad = dir.path().join("bad.opml");
    std::fs::write(&bad, "<rss version=\"2.0\"></rss>").unwrap();
    let refused = parallax(&data, &["import-opml", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a readable OPML file"));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&parallax(&data, &["outlets", "--json"])))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// Reads a request's head; returns it and its path.
fn read_request(stream: &mut std::net::TcpStream) -> (String, String) {
    use std::io::Read;
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        request.push(byte[0]);
    }
    let request = String::from_utf8_lossy(&request).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    (request, path)
}

/// A loopback site with a feed of two reports, one of whose pages is missing.
fn serve_outlet() -> std::net::SocketAddr {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let (request, path) = read_request(&mut stream);
            let (head, body): (&str, String) = match path.as_str() {
                "/" => ("200 OK\r\nContent-Type: text/html", r#"<html><head><title>Corvale Herald - home</title><meta property="og:site_name" content="Corvale Herald"><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body><p>News.</p></body></html>"#.to_owned()),
                "/feed.xml" if request.to_ascii_lowercase().contains("if-none-match: \"f1\"") => ("304 Not Modified", String::new()),
                "/feed.xml" => ("200 OK\r\nContent-Type: application/rss+xml\r\nETag: \"f1\"", format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Corvale Herald</title><link>http://{address}/</link>
<item><title>Footbridge over the Lune gives way in Corvale</title><link>http://{address}/a.html</link><pubDate>Sat, 14 Mar 2026 09:30:00 GMT</pubDate></item>
<item><title>Corvale council orders checks on every river crossing</title><link>http://{address}/b.html</link><pubDate>Sat, 14 Mar 2026 11:00:00 GMT</pubDate>
<description>&lt;p&gt;Corvale council ordered engineers on Saturday to inspect every bridge over the Lune after the footbridge collapse, the mayor said.&lt;/p&gt;&lt;p&gt;The checks will take two weeks and cost about 40,000 crowns, according to the council.&lt;/p&gt;</description></item>
</channel></rss>"#
                )),
                "/a.html" => ("200 OK\r\nContent-Type: text/html; charset=utf-8", "<html><head><title>Footbridge over the Lune gives way in Corvale</title></head><body><article><h1>Footbridge over the Lune gives way in Corvale</h1><p>A footbridge over the river Lune in Corvale gave way on Saturday morning, sending six people into the water, the Corvale fire service said.</p><p>Four of them were pulled out alive by rescuers and two were still missing on Saturday evening.</p><p>The bridge, built in 1961, had been due for repairs this spring, council records show.</p></article></body></html>".to_owned()),
                _ => ("404 Not Found", "missing".to_owned()),
            };
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    address
}

fn parallax_allowing(data: &std::path::Path, allow: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"));
    command
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("PARALLAX_DATA")
        .env_remove("PARALLAX_ALLOW_PRIVATE");
    if let Some(ranges) = allow {
        command.env("PARALLAX_ALLOW_PRIVATE", ranges);
    }
    command.output().unwrap()
}

#[test]
fn fetch_now_reads_a_followed_outlet_once_and_safely() {
    let site = serve_outlet();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Following the homepage finds the feed it announces; a refused address is said so.
    let home = format!("http://{site}/");
    let refused_home = parallax_allowing(&data, None, &["add-outlet", &home]);
    assert!(!refused_home.status.success());
    assert!(String::from_utf8_lossy(&refused_home.stderr).contains("refusing to connect"));
    let added = parallax_allowing(&data, Some("127.0.0.0/8"), &["add-outlet", &home]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(
        stdout(&added).contains(&format!("followed   Corvale Herald  http://{site}/feed.xml")),
        "{}",
        stdout(&added)
    );

    // Loopback is refused unless allowed, with the reason, and nothing is stored.
    let refused = parallax_allowing(&data, None, &["fetch-now"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("refusing to connect to 127.0.0.1"),
        "{refused:?}"
    );

    let out = parallax_allowing(&data, Some("127.0.0.0/8"), &["fetch-now"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("2 items, 2 new"), "{text}");
    assert!(
        text.contains("read from the feed") && text.contains("404"),
        "the missing page is read from the feed: {text}"
    );
    assert_eq!(listed_reports(&data, "outlet"), ["Corvale Herald", "Corvale Herald"]);

    // The feed answers 304 to the validators kept from the last poll; nothing is stored twice.
    let again = parallax_allowing(&data, Some("127.0.0.0/8"), &["fetch-now", "Corvale Herald"]);
    assert!(
        stdout(&again).contains("unchanged") && stdout(&again).contains("0 new reports"),
        "{}",
        stdout(&again)
    );
    let listed: Value = serde_json::from_str(&stdout(&parallax(&data, &["outlets", "--json"]))).unwrap();
    assert!(listed[0]["last_polled"].is_string() && listed[0]["last_error"].is_null(), "{listed:#}");
    assert!(!parallax_allowing(&data, Some("127.0.0.0/8"), &["fetch-now", "Nobody"]).status.success());
}

#[test]
fn the_poller_follows_outlets_until_told_to_stop() {
    let site = serve_outlet();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let home = format!("http://{site}/");
    assert!(parallax_allowing(&data, Some("127.0.0.0/8"), &["add-outlet", &home]).status.success());

    let poller = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--data")
        .arg(&data)
        .arg("run")
        .env_remove("PARALLAX_DATA")
        .env("PARALLAX_ALLOW_PRIVATE", "127.0.0.0/8")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let stored = loop {
        let count = listed_reports(&data, "title").len();
        if count == 2 || started.elapsed() > std::time::Duration::from_secs(30) {
            break count;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let terminated =
        std::process::Command::new("kill").args(["-TERM", &poller.id().to_string()]).status().unwrap();
    assert!(terminated.success());
    let output = poller.wait_with_output().unwrap();
    assert_eq!(stored, 2, "{}", stdout(&output));
    assert!(output.status.success(), "a stop on SIGTERM is clean: {output:?}");
    let text = stdout(&output);
    assert!(text.contains("2 items, 2 new") && text.trim_end().ends_with("stopped"), "{text}");
}

/// A loopback outlet of `items` reports behind a feed with an `ETag`; counts the page requests.
fn serve_counted_outlet(
    items: usize,
) -> (std::net::SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let pages = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = pages.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let (request, path) = read_request(&mut stream);
                let towns = [
                    "Corvale",
                    "Aldmark",
                    "Skerrin",
                    "Port Ellery",
                    "Marrow",
                    "Lunestead",
                    "Brenhithe",
                    "Olvard",
                ];
                let (head, body): (&str, String) = if path == "/feed.xml" {
                    if request.to_ascii_lowercase().contains("if-none-match: \"v1\"") {
                        ("304 Not Modified", String::new())
                    } else {
                        let entries: String = (0..items)
                            .map(|i| format!("<item><title>Storm closes the harbour at {}</title><link>http://{address}/r{i}.html</link></item>", towns[i % towns.len()]))
                            .collect();
                        (
                            "200 OK\r\nContent-Type: application/rss+xml\r\nETag: \"v1\"",
                            format!(
                                r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Coast Courier</title><link>http://{address}/</link>{entries}</channel></rss>"#
                            ),
                        )
                    }
                } else if let Some(i) = path
                    .strip_prefix("/r")
                    .and_then(|p| p.strip_suffix(".html"))
                    .and_then(|i| i.parse::<usize>().ok())
                    .filter(|i| *i < items)
                {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let town = towns[i % towns.len()];
                    (
                        "200 OK\r\nContent-Type: text/html; charset=utf-8",
                        format!(
                            "<html><head><title>Storm closes the harbour at {town}</title></head><body><article><h1>Storm closes the harbour at {town}</h1>\
                         <p>The harbour at {town} was closed on Tuesday as a storm with gusts of {speed} kilometres an hour swept the coast, the port authority said.</p>\
                         <p>{boats} fishing boats stayed tied up and the ferry to the islands was cancelled for the {nth} time this winter, according to the operator.</p>\
                         <p>Crews in {town} said repairs to the sea wall, damaged in {year}, would have to wait until the weather cleared.</p></article></body></html>",
                            speed = 90 + i * 7,
                            boats = 12 + i * 3,
                            nth = i + 2,
                            year = 2015 + i
                        ),
                    )
                } else {
                    ("404 Not Found", "missing".to_owned())
                };
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    (address, pages)
}

#[test]
fn a_worker_killed_mid_pass_loses_and_repeats_nothing() {
    use std::sync::atomic::Ordering;
    const ITEMS: usize = 6;
    let (site, pages) = serve_counted_outlet(ITEMS);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let feed = format!("http://{site}/feed.xml");
    assert!(parallax_allowing(&data, Some("127.0.0.0/8"), &["add-outlet", &feed]).status.success());

    // The poller queues the feed's items and starts on their pages (one at a time for the host, a
    // second apart); it is killed outright once some of them have been fetched.
    let mut poller = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--data")
        .arg(&data)
        .arg("run")
        .env_remove("PARALLAX_DATA")
        .env("PARALLAX_ALLOW_PRIVATE", "127.0.0.0/8")
        .env("PARALLAX_JOB_LEASE_SECONDS", "2")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while pages.load(Ordering::SeqCst) < 2 && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    poller.kill().unwrap();
    poller.wait().unwrap();
    let fetched_before_crash = pages.load(Ordering::SeqCst);
    assert!((2..ITEMS).contains(&fetched_before_crash), "killed mid-pass: {fetched_before_crash} pages");

    // The feed now answers 304: the items live on only in the queue. Once the dead worker's leases
    // run out, a new pass takes them over and stores each report once.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let out = parallax_allowing(&data, Some("127.0.0.0/8"), &["fetch-now"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("unchanged"), "the feed is not read again: {text}");
    let mut titles = listed_reports(&data, "title");
    titles.sort_unstable();
    let before = titles.len();
    titles.dedup();
    assert_eq!((before, titles.len()), (ITEMS, ITEMS), "each report stored once: {titles:?}\n{text}");
    let again = parallax_allowing(&data, Some("127.0.0.0/8"), &["fetch-now"]);
    assert!(stdout(&again).contains("0 new reports"), "{}", stdout(&again));
}

#[test]
fn one_process_serves_the_site_and_follows_the_outlets() {
    let site = serve_outlet();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let home = format!("http://{site}/");
    assert!(parallax_allowing(&data, Some("127.0.0.0/8"), &["add-outlet", &home]).status.success());
    let server = Server::start_with_env(
        Some(&data),
        &["serve", "--with-worker", "--addr", "127.0.0.1:0"],
        &[("PARALLAX_ALLOW_PRIVATE", "127.0.0.0/8")],
    );
    let started = std::time::Instant::now();
    let front = loop {
        let (status, page) = server.get("/");
        assert_eq!(status, 200);
        if page.contains("Footbridge over the Lune") || started.elapsed() > std::time::Duration::from_secs(30)
        {
            break page;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(front.contains("Footbridge over the Lune"), "the worker's report reaches the site: {front}");
}

#[test]
fn an_outlets_settings_are_changed_for_each_of_its_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let opml = fixtures().join("feeds").join("outlets.opml");
    assert!(parallax(&data, &["import-opml", opml.to_str().unwrap()]).status.success());
    let listed: Value = serde_json::from_str(&stdout(&parallax(&data, &["outlets", "--json"]))).unwrap();
    let outlet = listed[0]["outlet"].as_str().unwrap().to_owned();
    let feeds_of = |listed: &Value, name: &str| {
        listed.as_array().unwrap().iter().filter(|f| f["outlet"] == name).cloned().collect::<Vec<_>>()
    };
    let before = feeds_of(&listed, &outlet);
    assert!(!before.is_empty());

    let edited = parallax(
        &data,
        &[
            "edit-outlet",
            &outlet.to_uppercase(),
            "--rename",
            "Renamed Outlet",
            "--poll-minutes",
            "90",
            "--trust-feed-content",
        ],
    );
    assert!(edited.status.success(), "{}", String::from_utf8_lossy(&edited.stderr));
    assert!(stdout(&edited).contains("every 90 min, feed content trusted"), "{}", stdout(&edited));
    let listed: Value = serde_json::from_str(&stdout(&parallax(&data, &["outlets", "--json"]))).unwrap();
    let after = feeds_of(&listed, "Renamed Outlet");
    assert_eq!(after.len(), before.len(), "every feed of the outlet moves with it");
    assert!(after.iter().all(|f| f["poll_minutes"] == 90 && f["fetch_pages"] == false), "{after:?}");
    assert!(feeds_of(&listed, &outlet).is_empty());

    assert!(!parallax(&data, &["edit-outlet", "Renamed Outlet"]).status.success(), "nothing to change");
    assert!(!parallax(&data, &["edit-outlet", "Nobody", "--poll-minutes", "5"]).status.success());
    assert!(
        !parallax(&data, &["edit-outlet", "Renamed Outlet", "--fetch-pages", "--trust-feed-content"])
            .status
            .success(),
        "contradictory settings are refused"
    );
}
