//! Following feeds end to end against a real HTTP server on loopback: several feeds polled in one pass,
//! each fault recorded with a clear error while the healthy feeds around it are ingested, items queued
//! and worked through the store's queue without being lost or stored twice, a dead worker's jobs taken
//! over, and a wire report two outlets ran kept as one article with a copy.
//!
//! The server is hand-written on `std::net::TcpListener`, one thread per connection, answering each path
//! as the test's route table says: whole responses, conditional ones, stalls, drips and floods.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use parallax_core::ArticleId;
use parallax_extract::Hints;
use parallax_ingest::{
    AddressPolicy, DEFAULT_LEASE, FetchConfig, Fetcher, ItemOutcome, ItemReport, Outcome, Pipeline,
    PollReport, Worker, next_poll, poll_feed,
};
use parallax_store::{FeedAdded, FeedRecord, NewFeed, QueueCounts, SqliteStore, Store};

/// The most body the test fetcher takes, after decompression.
const LIMIT: usize = 4 * 1024 * 1024;
/// The test fetcher's longest wait between two reads, and for the whole exchange.
const READ_TIMEOUT: Duration = Duration::from_millis(500);
const TOTAL_TIMEOUT: Duration = Duration::from_millis(1500);
/// Every feed's poll interval: short, so that a `Retry-After` of two minutes is later than the backoff.
const POLL_SECONDS: u32 = 30;

// ---------------------------------------------------------------------------------------------------
// The server.

/// How the server answers one path.
#[derive(Clone)]
enum Reply {
    /// A whole response: its status line's code and reason, extra header lines, the body (with its
    /// length declared).
    Full { status: &'static str, headers: Vec<String>, body: Arc<Vec<u8>> },
    /// 200 with this `ETag`, or 304 when the request sends the same tag back.
    Tagged { etag: &'static str, content_type: &'static str, body: Arc<Vec<u8>> },
    /// Nothing at all for this long, then the connection closes.
    Stall(Duration),
    /// 200 declaring `length` bytes of body, then one byte every `every`.
    Drip { length: usize, every: Duration },
    /// 200 with `bytes` of body and no declared length, as fast as the client takes them.
    Flood { bytes: usize },
}

impl Reply {
    fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status: "200 OK",
            headers: vec![format!("Content-Type: {content_type}")],
            body: Arc::new(body.into()),
        }
    }

    fn status(status: &'static str, headers: &[&str]) -> Reply {
        Reply::Full {
            status,
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            body: Arc::new(b"<html><body>Sorry.</body></html>".to_vec()),
        }
    }
}

/// What the server saw.
#[derive(Default)]
struct Log {
    /// Every request's path, with the `If-None-Match` it sent.
    requests: Mutex<Vec<(String, Option<String>)>>,
    /// For each flood, the bytes of body sent before the client hung up.
    flooded: Mutex<Vec<usize>>,
}

struct Server {
    base: String,
    log: Arc<Log>,
}

impl Server {
    /// Starts a server on loopback; `routes` gets its base URL (`http://127.0.0.1:port`), to write
    /// links with. Paths not in the table answer 404 (`/robots.txt` too: no robots rules, all allowed).
    fn start(routes: impl FnOnce(&str) -> HashMap<String, Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes = Arc::new(routes(&base));
        let log = Arc::new(Log::default());
        let seen = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (routes, log) = (Arc::clone(&routes), Arc::clone(&seen));
                std::thread::spawn(move || answer(stream, &routes, &log));
            }
        });
        Server { base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many requests asked for a path.
    fn hits(&self, path: &str) -> usize {
        self.log.requests.lock().unwrap().iter().filter(|(p, _)| p == path).count()
    }

    /// How many requests for a path sent this `ETag` back.
    fn conditional_hits(&self, path: &str, etag: &str) -> usize {
        let requests = self.log.requests.lock().unwrap();
        requests.iter().filter(|(p, tag)| p == path && tag.as_deref() == Some(etag)).count()
    }

    /// The bytes each finished flood sent, waiting (a little) for at least `floods` to finish.
    fn flooded(&self, floods: usize) -> Vec<usize> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let sent = self.log.flooded.lock().unwrap().clone();
            if sent.len() >= floods || Instant::now() > deadline {
                return sent;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn answer(mut stream: TcpStream, routes: &HashMap<String, Reply>, log: &Log) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        request.push(byte[0]);
    }
    let request = String::from_utf8_lossy(&request).into_owned();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let if_none_match = request.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("if-none-match").then(|| value.trim().to_owned())
    });
    log.requests.lock().unwrap().push((path.clone(), if_none_match.clone()));
    let reply = routes.get(&path).cloned().unwrap_or_else(|| Reply::status("404 Not Found", &[]));
    match reply {
        Reply::Full { status, headers, body } => respond(&mut stream, status, &headers, &body),
        Reply::Tagged { etag, content_type, body } => {
            let tag = format!("ETag: {etag}");
            if if_none_match.as_deref() == Some(etag) {
                respond(&mut stream, "304 Not Modified", &[tag], b"");
            } else {
                respond(&mut stream, "200 OK", &[tag, format!("Content-Type: {content_type}")], &body);
            }
        }
        Reply::Stall(wait) => std::thread::sleep(wait),
        Reply::Drip { length, every } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {length}\r\n\
                 Connection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            for _ in 0..length {
                std::thread::sleep(every);
                if stream.write_all(b" ").and_then(|()| stream.flush()).is_err() {
                    break;
                }
            }
        }
        Reply::Flood { bytes } => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n";
            let mut sent = 0;
            if stream.write_all(head.as_bytes()).is_ok() {
                let opening = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Endless</title>";
                let mut chunk = opening.to_vec();
                while chunk.len() < 64 * 1024 {
                    chunk.extend_from_slice(b"<item><title>More of the same</title></item>\n");
                }
                while sent < bytes {
                    if stream.write_all(&chunk).is_err() {
                        break;
                    }
                    sent += chunk.len();
                }
            }
            log.flooded.lock().unwrap().push(sent);
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[String], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

// ---------------------------------------------------------------------------------------------------
// Stories, pages and feeds.

/// A report from `fixtures/follow`: a headline, then paragraphs.
struct Story {
    headline: String,
    paragraphs: Vec<String>,
}

impl Story {
    fn load(name: &str) -> Story {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/follow").join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut blocks = text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned);
        let headline = blocks.next().expect("a headline");
        let paragraphs: Vec<String> = blocks.collect();
        for paragraph in &paragraphs {
            assert!(paragraph.split_whitespace().count() >= 60, "{name}: a paragraph under 60 words");
        }
        Story { headline, paragraphs }
    }

    /// The paragraphs as HTML.
    fn html(&self) -> String {
        self.paragraphs.iter().map(|p| format!("<p>{}</p>\n", escape(p))).collect()
    }

    /// Its first sentence: what a feed gives as the summary.
    fn summary(&self) -> String {
        let lead = &self.paragraphs[0];
        lead.find(". ").map_or(lead.clone(), |end| lead[..=end].to_owned())
    }

    /// Its last paragraph: only the full text has it, never the summary.
    fn ending(&self) -> &str {
        self.paragraphs.last().expect("paragraphs")
    }

    /// The story as an outlet's web page, with the usual furniture around it.
    fn page(&self, outlet: &str) -> Vec<u8> {
        let headline = escape(&self.headline);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{headline} | {outlet}</title><meta property=\"og:site_name\" content=\"{outlet}\">\
             </head>\n<body><header><a href=\"/\">{outlet}</a><nav><ul><li><a href=\"/news\">News</a></li>\
             <li><a href=\"/sport\">Sport</a></li><li><a href=\"/weather\">Weather</a></li></ul></nav></header>\n\
             <main><article><h1>{headline}</h1>\n{}</article></main>\n\
             <footer><p>© 2026 {outlet}. All rights reserved.</p></footer></body></html>\n",
            self.html()
        )
        .into_bytes()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One item of an RSS feed.
struct Item {
    link: String,
    title: String,
    summary: Option<String>,
    /// Full HTML content (`content:encoded`).
    content: Option<String>,
}

impl Item {
    /// An item for a story whose page is at `link`, with the story's first sentence as its summary.
    fn of(story: &Story, link: String) -> Item {
        Item { link, title: story.headline.clone(), summary: Some(story.summary()), content: None }
    }

    /// An item with a title and a link, nothing else.
    fn bare(title: &str, link: String) -> Item {
        Item { link, title: title.to_owned(), summary: None, content: None }
    }
}

/// An RSS 2.0 feed whose XML declaration names `encoding`.
fn rss(encoding: &str, title: &str, site: &str, items: &[Item]) -> String {
    let published = (Utc::now() - chrono::Duration::hours(2)).to_rfc2822();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n\
         <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\n\
         <title>{}</title><link>{site}</link><description>News</description>\n",
        escape(title)
    );
    for item in items {
        xml.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><pubDate>{published}</pubDate>",
            escape(&item.title),
            item.link,
            item.link
        ));
        if let Some(summary) = &item.summary {
            xml.push_str(&format!("<description>{}</description>", escape(summary)));
        }
        if let Some(content) = &item.content {
            xml.push_str(&format!("<content:encoded><![CDATA[{content}]]></content:encoded>"));
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// Text in Windows-1252 (what "Latin-1" means on the web), for a feed that lies about being UTF-8.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() => c as u8,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            other => panic!("{other:?} is not in windows-1252"),
        })
        .collect()
}

/// A gzip body that is small on the wire and `size` bytes once decompressed.
fn gzip_bomb(size: usize) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..size / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

// ---------------------------------------------------------------------------------------------------
// Following.

fn fetcher() -> Fetcher {
    Fetcher::new(FetchConfig {
        policy: AddressPolicy::allowing("127.0.0.0/8").unwrap(),
        connect_timeout: Duration::from_secs(1),
        read_timeout: READ_TIMEOUT,
        total_timeout: TOTAL_TIMEOUT,
        max_bytes: LIMIT,
        host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })
    .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn follow(store: &dyn Store, outlet: &str, url: &str) -> i64 {
    let feed = NewFeed { outlet, url, site_url: None, poll_seconds: POLL_SECONDS, fetch_pages: true };
    match store.add_feed(&feed).unwrap() {
        FeedAdded::New(id) => id,
        FeedAdded::Known(id) => panic!("{url} was followed already, as feed {id}"),
    }
}

fn feed(store: &dyn Store, outlet: &str) -> FeedRecord {
    let feeds = store.feeds().unwrap();
    feeds.into_iter().find(|f| f.outlet == outlet).unwrap_or_else(|| panic!("no feed of {outlet}"))
}

/// One feed's poll in a pass.
struct Poll {
    outlet: String,
    report: PollReport,
    started: DateTime<Utc>,
    ended: DateTime<Utc>,
    took: Duration,
}

/// What a pass did: each feed polled, then every due job worked.
struct Pass {
    polls: Vec<Poll>,
    items: Vec<ItemReport>,
}

impl Pass {
    fn poll(&self, outlet: &str) -> &Poll {
        self.polls.iter().find(|p| p.outlet == outlet).unwrap_or_else(|| panic!("{outlet} was not polled"))
    }

    /// The item reports by key, checking that no key was reported twice.
    fn items_by_key(&self) -> HashMap<&str, &ItemReport> {
        let by_key: HashMap<&str, &ItemReport> = self.items.iter().map(|r| (r.key.as_str(), r)).collect();
        assert_eq!(by_key.len(), self.items.len(), "an item was worked twice in one pass: {:#?}", self.items);
        by_key
    }
}

/// A pass as `parallax fetch-now` makes one: every followed feed polled in turn, then the queue worked
/// until nothing is due, with a fetcher and a worker of its own.
async fn pass(store: &dyn Store) -> Pass {
    let fetcher = fetcher();
    let mut polls = Vec::new();
    for feed in store.feeds().unwrap() {
        let (started, clock) = (Utc::now(), Instant::now());
        let report = poll_feed(store, &fetcher, &feed).await;
        polls.push(Poll { outlet: feed.outlet, report, started, ended: Utc::now(), took: clock.elapsed() });
    }
    let mut worker = Worker::new(store, fetcher, DEFAULT_LEASE).unwrap();
    let mut items = Vec::new();
    loop {
        let batch = worker.work_batch().await.unwrap();
        if batch.is_empty() {
            break;
        }
        items.extend(batch);
    }
    Pass { polls, items }
}

fn stored_id(report: &ItemReport) -> ArticleId {
    match &report.outcome {
        ItemOutcome::Stored { id, .. } => *id,
        other => panic!("{} was not stored: {other:?}", report.key),
    }
}

// ---------------------------------------------------------------------------------------------------
// The tests.

/// The feeds that fail, by outlet, with the error each must leave on record. Their names sort before
/// the healthy outlets', so every healthy feed is polled after all the faults in a pass.
const FAULTS: [(&str, &str, &str); 8] = [
    ("Bomb Bulletin", "/feeds/bomb.xml", "the body is over the 4194304-byte limit"),
    ("Broken Times", "/feeds/broken.xml", "the server answered 500"),
    ("Busy Post", "/feeds/busy.xml", "the server answered 429 (retry after 120 s)"),
    ("Dripping Tap", "/feeds/drip.xml", "timed out"),
    ("Endless Press", "/feeds/endless.xml", "the body is over the 4194304-byte limit"),
    ("Looping Ledger", "/feeds/loop.xml", "more than 5 redirects"),
    ("Mangled Mercury", "/feeds/mangled.xml", "not a readable RSS, Atom or JSON feed: "),
    ("Sleepy Sentinel", "/feeds/sleepy.xml", "timed out"),
];

const HERALD_ETAG: &str = "\"herald-v1\"";

#[test]
fn faults_are_recorded_and_healthy_feeds_are_ingested_once() {
    let herald =
        ["bridge-closure", "water-rates", "library-reopens"].map(|n| Story::load(&format!("{n}.txt")));
    let strike = Story::load("teachers-strike.txt");
    let gazette = ["harbour-dredging", "night-trains"].map(|n| Story::load(&format!("{n}.txt")));
    let cafe = Story::load("cafe-terraces.txt");
    let festival = Story::load("music-festival.txt");
    let bomb = gzip_bomb(64 * 1024 * 1024);
    assert!(bomb.len() < 256 * 1024, "the bomb is small on the wire: {} bytes", bomb.len());

    let server = Server::start(|base| {
        let mut routes = HashMap::new();
        let mut route = |path: &str, reply: Reply| routes.insert(path.to_owned(), reply);
        // The Herald: an ETag, three healthy items, and three whose pages fail.
        let mut items: Vec<Item> = ["bridge-closure", "water-rates", "library-reopens"]
            .iter()
            .zip(&herald)
            .map(|(name, story)| {
                route(
                    &format!("/herald/{name}.html"),
                    Reply::ok("text/html; charset=utf-8", story.page("The Herald")),
                );
                Item::of(story, format!("{base}/herald/{name}.html"))
            })
            .collect();
        items.push(Item {
            content: Some(strike.html()),
            ..Item::of(&strike, format!("{base}/herald/teachers-strike.html"))
        });
        items.push(Item::bare("Council meeting postponed", format!("{base}/herald/gone.html")));
        items.push(Item::bare("Budget talks resume", format!("{base}/herald/busy.html")));
        route("/herald/busy.html", Reply::status("503 Service Unavailable", &["Retry-After: 3600"]));
        let xml = rss("UTF-8", "The Herald", &format!("{base}/herald/"), &items);
        route(
            "/feeds/herald.xml",
            Reply::Tagged {
                etag: HERALD_ETAG,
                content_type: "application/rss+xml",
                body: Arc::new(xml.into()),
            },
        );
        // The Gazette: Atom, relative links, no validators: answers in full every time.
        let updated = (Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
        let mut atom = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <title>The Gazette</title><id>urn:gazette</id><updated>{updated}</updated>\
             <link rel=\"alternate\" href=\"{base}/gazette/\"/>\n"
        );
        for (name, story) in ["harbour-dredging", "night-trains"].iter().zip(&gazette) {
            route(&format!("/gazette/{name}.html"), Reply::ok("text/html", story.page("The Gazette")));
            atom.push_str(&format!(
                "<entry><title>{}</title><id>urn:gazette:{name}</id><updated>{updated}</updated>\
                 <link rel=\"alternate\" href=\"/gazette/{name}.html\"/><summary>{}</summary></entry>\n",
                escape(&story.headline),
                escape(&story.summary())
            ));
        }
        atom.push_str("</feed>\n");
        route("/feeds/gazette.atom", Reply::ok("application/atom+xml", atom));
        // Declared ISO-8859-1, written in UTF-8.
        route("/latin/cafe-terraces.html", Reply::ok("text/html", cafe.page("Voix Latine")));
        let latin = rss(
            "ISO-8859-1",
            "Voix Latine",
            &format!("{base}/latin/"),
            &[Item::of(&cafe, format!("{base}/latin/cafe-terraces.html"))],
        );
        assert!(latin.contains("Café owners “relieved”"), "the feed carries the characters to check");
        route("/feeds/latin.xml", Reply::ok("application/rss+xml", latin));
        // Declared UTF-8, written in Windows-1252.
        route("/windows/music-festival.html", Reply::ok("text/html", festival.page("Windows Weekly")));
        let windows = windows_1252(&rss(
            "UTF-8",
            "Windows Weekly",
            &format!("{base}/windows/"),
            &[Item::of(&festival, format!("{base}/windows/music-festival.html"))],
        ));
        assert!(std::str::from_utf8(&windows).is_err(), "the feed is not UTF-8, whatever it declares");
        route("/feeds/windows.xml", Reply::ok("application/rss+xml", windows));
        // The faults.
        route("/feeds/broken.xml", Reply::status("500 Internal Server Error", &[]));
        route("/feeds/busy.xml", Reply::status("429 Too Many Requests", &["Retry-After: 120"]));
        route("/feeds/sleepy.xml", Reply::Stall(Duration::from_secs(10)));
        route("/feeds/drip.xml", Reply::Drip { length: 1000, every: Duration::from_millis(100) });
        route("/feeds/loop.xml", Reply::status("302 Found", &["Location: /feeds/loop.xml"]));
        let mangled = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Mangled Mercury</title>\
             <item><title>Half an item</title><link>{base}/mangled/a.html</link><description>Cut off"
        );
        route("/feeds/mangled.xml", Reply::ok("application/rss+xml", mangled));
        route("/feeds/endless.xml", Reply::Flood { bytes: 50 * 1024 * 1024 });
        route(
            "/feeds/bomb.xml",
            Reply::Full {
                status: "200 OK",
                headers: vec!["Content-Type: application/rss+xml".into(), "Content-Encoding: gzip".into()],
                body: Arc::new(bomb),
            },
        );
        routes
    });

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    for (outlet, path, _) in FAULTS {
        follow(&store, outlet, &server.url(path));
    }
    let herald_id = follow(&store, "The Herald", &server.url("/feeds/herald.xml"));
    follow(&store, "The Gazette", &server.url("/feeds/gazette.atom"));
    follow(&store, "Voix Latine", &server.url("/feeds/latin.xml"));
    follow(&store, "Windows Weekly", &server.url("/feeds/windows.xml"));
    let runtime = runtime();

    // The first pass.
    let first = runtime.block_on(pass(&store));
    let polled: Vec<&str> = first.polls.iter().map(|p| p.outlet.as_str()).collect();
    assert_eq!(polled.len(), 12, "every feed is polled: {polled:?}");
    let healthy = ["The Gazette", "The Herald", "Voix Latine", "Windows Weekly"];
    assert!(
        polled.iter().rposition(|o| !healthy.contains(o)) < polled.iter().position(|o| healthy.contains(o)),
        "the healthy feeds come after all the faults: {polled:?}"
    );

    // Each fault is on record with its feed, with a clear error, and queued nothing.
    for (outlet, _, error) in FAULTS {
        let poll = first.poll(outlet);
        let record = feed(&store, outlet);
        let recorded = record.last_error.as_deref().unwrap_or_else(|| panic!("{outlet}: no error recorded"));
        assert!(recorded.starts_with(error), "{outlet}: {recorded:?}, expected {error:?}");
        assert_eq!(poll.report.error.as_deref(), Some(recorded), "{outlet}");
        assert_eq!((poll.report.items, poll.report.queued), (0, 0), "{outlet}");
        assert_eq!(record.failures, 1, "{outlet}");
        assert!(record.last_polled.is_some_and(|t| t >= poll.started - chrono::Duration::seconds(1)));
        assert_eq!(record.etag, None, "{outlet}");
    }
    // 429 with Retry-After: 120: not polled again for two minutes, backoff or not.
    let busy = feed(&store, "Busy Post");
    let busy_poll = first.poll("Busy Post");
    let retry_at = busy.retry_at.expect("the server's wait is recorded");
    let asked = chrono::Duration::seconds(120);
    assert!(
        retry_at >= busy_poll.started + asked - chrono::Duration::seconds(1)
            && retry_at <= busy_poll.ended + asked + chrono::Duration::seconds(1),
        "retry_at {retry_at} is not two minutes after the poll at {}",
        busy_poll.started
    );
    assert_eq!(busy_poll.report.retry_at.map(|t| t.timestamp()), Some(retry_at.timestamp()));
    let due = next_poll(&busy).expect("polled once");
    assert!(due >= retry_at, "next poll {due} is before the server's {retry_at}");
    assert!(due > busy.last_polled.unwrap() + chrono::Duration::seconds(i64::from(POLL_SECONDS) * 2));
    // A 500 asks for no wait: the feed backs off on its own.
    let broken = feed(&store, "Broken Times");
    assert_eq!(broken.retry_at, None);
    assert_eq!(next_poll(&broken), Some(broken.last_polled.unwrap() + chrono::Duration::seconds(60)));
    // The stall is ended by the read time-out (waiting for the head counts), long before the server's
    // ten seconds; the drip keeps the read time-out at bay, and only the whole exchange's limit ends it.
    let sleepy = first.poll("Sleepy Sentinel").took;
    assert!(
        sleepy >= READ_TIMEOUT - Duration::from_millis(50) && sleepy < TOTAL_TIMEOUT,
        "the stall took {sleepy:?}"
    );
    let drip = first.poll("Dripping Tap").took;
    assert!(
        drip >= TOTAL_TIMEOUT - Duration::from_millis(50) && drip < TOTAL_TIMEOUT + Duration::from_secs(1),
        "the drip took {drip:?}"
    );
    // The 50 MB body was refused while it streamed: the client hung up once past the limit, and the
    // server got no further than that and what the sockets' buffers held (about 11 MB here).
    let flooded = server.flooded(1);
    assert_eq!(flooded.len(), 1, "one flood, finished");
    assert!(flooded[0] >= LIMIT && flooded[0] < 32 * 1024 * 1024, "the server sent {} bytes", flooded[0]);

    // The healthy feeds are read whole.
    let herald_poll = &first.poll("The Herald").report;
    assert_eq!((herald_poll.error.as_deref(), herald_poll.items, herald_poll.queued), (None, 6, 6));
    assert_eq!(feed(&store, "The Herald").etag.as_deref(), Some(HERALD_ETAG), "the validator is kept");
    for (outlet, items) in [("The Gazette", 2), ("Voix Latine", 1), ("Windows Weekly", 1)] {
        let report = &first.poll(outlet).report;
        assert_eq!((report.error.as_deref(), report.items, report.queued), (None, items, items), "{outlet}");
        let record = feed(&store, outlet);
        assert_eq!((record.failures, record.last_error), (0, None), "{outlet}");
    }

    // Every queued item is accounted for, once.
    let url = |path: &str| server.url(path);
    let mut stored = vec![
        ("The Herald", &herald[0], url("/herald/bridge-closure.html")),
        ("The Herald", &herald[1], url("/herald/water-rates.html")),
        ("The Herald", &herald[2], url("/herald/library-reopens.html")),
        ("The Gazette", &gazette[0], url("/gazette/harbour-dredging.html")),
        ("The Gazette", &gazette[1], url("/gazette/night-trains.html")),
        ("Voix Latine", &cafe, url("/latin/cafe-terraces.html")),
        ("Windows Weekly", &festival, url("/windows/music-festival.html")),
    ];
    let (gone, busy_page) = (url("/herald/gone.html"), url("/herald/busy.html"));
    let strike_url = url("/herald/teachers-strike.html");
    let items = first.items_by_key();
    let mut expected: HashSet<&str> = stored.iter().map(|(_, _, url)| url.as_str()).collect();
    expected.extend([gone.as_str(), busy_page.as_str(), strike_url.as_str()]);
    assert_eq!(items.keys().copied().collect::<HashSet<_>>(), expected, "nothing lost, nothing extra");

    // Healthy items are stored from their pages: the last paragraph is in no feed.
    let mut ids = HashSet::new();
    for (outlet, story, url) in &stored {
        let report = items[url.as_str()];
        assert_eq!(report.read_from_feed, None, "{url}");
        let id = stored_id(report);
        assert!(ids.insert(id), "{url} stored as an article already used");
        let article = store.article(id).unwrap().expect("stored").article;
        assert_eq!(article.title, story.headline, "{url}");
        assert_eq!(article.url.as_deref(), Some(url.as_str()));
        assert_eq!(article.outlet.as_deref(), Some(*outlet));
        assert!(article.plain_text().contains(story.ending()), "{url}: the page's full text is stored");
    }
    // The wrongly declared encodings read with the right characters.
    let titles: Vec<String> =
        ids.iter().map(|id| store.article(*id).unwrap().unwrap().article.title).collect();
    for title in [
        "Café owners “relieved” as Corvale eases its terrace rules",
        "Music festival draws “record” crowds to Marrowgate’s cafés and quays",
    ] {
        assert!(titles.iter().any(|t| t == title), "{title:?} not among {titles:#?}");
    }
    // A missing page with the item's content in the feed: read from the feed, and said so.
    let from_feed = items[strike_url.as_str()];
    assert_eq!(from_feed.read_from_feed.as_deref(), Some("the server answered 404"));
    let id = stored_id(from_feed);
    assert!(ids.insert(id));
    let article = store.article(id).unwrap().unwrap().article;
    assert_eq!(article.title, strike.headline);
    assert!(article.plain_text().contains(strike.ending()), "the feed's content is stored whole");
    stored.push(("The Herald", &strike, strike_url.clone()));
    // A missing page and nothing in the feed: failed for good, with the reason.
    assert_eq!(items[gone.as_str()].outcome, ItemOutcome::Failed("the server answered 404".into()));
    // A busy page and nothing in the feed: to be retried, not before the server's hour.
    let ItemOutcome::Retry { error, at } = &items[busy_page.as_str()].outcome else {
        panic!("{:?}", items[busy_page.as_str()])
    };
    assert_eq!(error, "the server answered 503 (retry after 3600 s)");
    let hour = chrono::Duration::hours(1);
    let worked = first.polls.last().unwrap().ended;
    assert!(*at >= worked + hour - chrono::Duration::seconds(1) && *at <= Utc::now() + hour, "retry at {at}");

    // The store agrees.
    assert_eq!(store.counts().unwrap().articles, 8);
    let queue = QueueCounts { queued: 1, running: 0, done: 8, failed: 1 };
    assert_eq!(store.queue_counts().unwrap(), queue);
    let mut failures = store.job_failures(10).unwrap();
    failures.sort_by(|a, b| a.key.cmp(&b.key));
    let summary: Vec<_> = failures
        .iter()
        .map(|f| (f.feed, f.key.as_str(), f.error.as_str(), f.attempts, f.will_retry))
        .collect();
    assert_eq!(
        summary,
        [
            (Some(herald_id), busy_page.as_str(), "the server answered 503 (retry after 3600 s)", 1, true),
            (Some(herald_id), gone.as_str(), "the server answered 404", 1, false),
        ]
    );

    // The second pass: the Herald answers 304 to its ETag, the others again in full; nothing is queued
    // or stored again, and the busy page is left alone until its hour.
    let second = runtime.block_on(pass(&store));
    let herald_again = &second.poll("The Herald").report;
    assert!(herald_again.not_modified, "{herald_again:?}");
    assert_eq!((herald_again.error.as_deref(), herald_again.queued), (None, 0));
    assert_eq!(server.conditional_hits("/feeds/herald.xml", HERALD_ETAG), 1, "the ETag was sent back");
    let herald_record = feed(&store, "The Herald");
    assert_eq!(herald_record.etag.as_deref(), Some(HERALD_ETAG), "the validator is kept after a 304");
    assert_eq!((herald_record.failures, herald_record.last_error), (0, None));
    for (outlet, items) in [("The Gazette", 2), ("Voix Latine", 1), ("Windows Weekly", 1)] {
        let report = &second.poll(outlet).report;
        assert_eq!((report.error.as_deref(), report.items, report.queued), (None, items, 0), "{outlet}");
    }
    for (outlet, _, error) in FAULTS {
        let record = feed(&store, outlet);
        assert!(record.last_error.as_deref().is_some_and(|e| e.starts_with(error)), "{outlet}: {record:?}");
        assert_eq!(record.failures, 2, "{outlet}");
    }
    assert!(second.items.is_empty(), "nothing new to work: {:#?}", second.items);
    assert_eq!(store.counts().unwrap().articles, 8, "no article stored twice");
    assert_eq!(store.queue_counts().unwrap(), queue);
    assert_eq!(store.job_failures(10).unwrap().len(), 2);
    for (_, _, url) in &stored {
        let id = store.find_duplicate(Some(url), "").unwrap();
        assert!(id.is_some_and(|id| ids.contains(&id)), "{url} is known as its article");
    }
    // Each page was fetched once over both passes; the busy one not retried early.
    for path in [
        "/herald/bridge-closure.html",
        "/herald/water-rates.html",
        "/herald/library-reopens.html",
        "/herald/teachers-strike.html",
        "/herald/gone.html",
        "/herald/busy.html",
        "/gazette/harbour-dredging.html",
        "/gazette/night-trains.html",
        "/latin/cafe-terraces.html",
        "/windows/music-festival.html",
    ] {
        assert_eq!(server.hits(path), 1, "{path}");
    }
    assert_eq!(server.hits("/feeds/herald.xml"), 2);
}

#[test]
fn jobs_a_dead_worker_left_are_taken_over_and_stored_once() {
    let names = ["bridge-closure", "water-rates", "library-reopens", "harbour-dredging"];
    let stories = names.map(|n| Story::load(&format!("{n}.txt")));
    let server = Server::start(|base| {
        let mut routes = HashMap::new();
        let mut items = Vec::new();
        for (name, story) in names.iter().zip(&stories) {
            routes.insert(format!("/news/{name}.html"), Reply::ok("text/html", story.page("The Herald")));
            items.push(Item::of(story, format!("{base}/news/{name}.html")));
        }
        let xml = rss("UTF-8", "The Herald", &format!("{base}/news/"), &items);
        routes.insert("/feeds/herald.xml".into(), Reply::ok("application/rss+xml", xml));
        routes
    });
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    follow(&store, "The Herald", &server.url("/feeds/herald.xml"));
    let runtime = runtime();
    let report = runtime.block_on(poll_feed(&store, &fetcher(), &feed(&store, "The Herald")));
    assert_eq!((report.error, report.queued), (None, 4));

    // A live worker holds the first job; a worker that died holds the other three under a tiny lease.
    // (A lease of zero would not do: a job claimed so is due again at once, and the next claim hands
    // the same job out again.)
    let live = store.claim_job(DEFAULT_LEASE).unwrap().expect("a job");
    let tiny = Duration::from_secs(1);
    let dead: Vec<_> = (0..3).map(|_| store.claim_job(tiny).unwrap().expect("a job")).collect();
    let claimed = Instant::now();
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { queued: 0, running: 4, done: 0, failed: 0 });
    let url = |name: &str| server.url(&format!("/news/{name}.html"));
    assert_eq!(live.key, url(names[0]));
    assert_eq!(
        dead.iter().map(|j| j.key.clone()).collect::<Vec<_>>(),
        names[1..].iter().map(|n| url(n)).collect::<Vec<_>>()
    );
    // The dead worker got as far as storing its first item, not as far as ending its job.
    let hints = Hints {
        outlet: Some("The Herald".into()),
        url: Some(dead[0].key.clone()),
        title: Some(stories[1].headline.clone()),
        ..Hints::default()
    };
    let before = Pipeline::open(&store).unwrap().ingest_bytes(&stories[1].page("The Herald"), &hints);
    let Outcome::New { id: first, .. } = before else { panic!("{before:?}") };

    // Once the leases have run out (stored to the second), a fresh worker takes those jobs over, and
    // only those.
    std::thread::sleep((tiny + Duration::from_millis(100)).saturating_sub(claimed.elapsed()));
    let reports = runtime.block_on(async {
        let mut worker = Worker::new(&store, fetcher(), DEFAULT_LEASE).unwrap();
        let reports = worker.work_batch().await.unwrap();
        assert_eq!(worker.work_batch().await.unwrap(), [], "nothing else is due");
        reports
    });
    let keys: Vec<&str> = reports.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, dead.iter().map(|j| j.key.as_str()).collect::<Vec<_>>(), "the dead worker's jobs only");
    assert_eq!(reports[0].outcome, ItemOutcome::Known(first), "found stored, not stored again");
    let (second, third) = (stored_id(&reports[1]), stored_id(&reports[2]));
    assert_eq!(HashSet::from([first, second, third]).len(), 3);
    for (report, story) in reports[1..].iter().zip(&stories[2..]) {
        let article = store.article(stored_id(report)).unwrap().unwrap().article;
        assert_eq!(article.title, story.headline);
        assert!(article.plain_text().contains(story.ending()));
    }
    assert_eq!(store.counts().unwrap().articles, 3, "each stored exactly once");
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { queued: 0, running: 1, done: 3, failed: 0 });
    assert_eq!(server.hits(&format!("/news/{}.html", names[0])), 0, "the live worker's job is left to it");
    assert_eq!(server.hits(&format!("/news/{}.html", names[1])), 0, "known by its URL, not fetched");
    for name in &names[2..] {
        assert_eq!(server.hits(&format!("/news/{name}.html")), 1, "{name}");
    }
}

#[test]
fn a_syndicated_report_is_kept_once_with_its_copy() {
    let wire = Story::load("ferry-wire.txt");
    let copy_headline = "Nine dead as Saltwren ferry overturns off Skerrin Island";
    let closing =
        "The Saltwren was built in 1987 and passed its last safety inspection in January, the company said.";
    let copy = Story {
        headline: copy_headline.into(),
        paragraphs: wire.paragraphs.iter().cloned().chain([closing.to_owned()]).collect(),
    };
    let server = Server::start(|base| {
        let mut routes = HashMap::new();
        for (outlet, slug, story) in
            [("North Wire Daily", "north", &wire), ("South Coast Courier", "south", &copy)]
        {
            routes.insert(format!("/{slug}/ferry.html"), Reply::ok("text/html", story.page(outlet)));
            let item = Item::of(story, format!("{base}/{slug}/ferry.html"));
            let xml = rss("UTF-8", outlet, &format!("{base}/{slug}/"), &[item]);
            routes.insert(format!("/{slug}/feed.xml"), Reply::ok("application/rss+xml", xml));
        }
        routes
    });
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    follow(&store, "North Wire Daily", &server.url("/north/feed.xml"));
    follow(&store, "South Coast Courier", &server.url("/south/feed.xml"));
    let runtime = runtime();

    let first = runtime.block_on(pass(&store));
    let (north, south) = (server.url("/north/ferry.html"), server.url("/south/ferry.html"));
    let items = first.items_by_key();
    assert_eq!(items.len(), 2, "{:#?}", first.items);
    let original = stored_id(items[north.as_str()]);
    let ItemOutcome::Copy { original: linked, similarity } = items[south.as_str()].outcome else {
        panic!("the second outlet's report is not a copy: {:?}", items[south.as_str()])
    };
    assert_eq!(linked, original);
    assert!(similarity > 0.8, "{similarity}");
    assert_eq!(store.counts().unwrap().articles, 1, "one report, not two");
    let copies = store.copies(original).unwrap();
    assert_eq!(copies.len(), 1, "{copies:#?}");
    assert_eq!(copies[0].outlet.as_deref(), Some("South Coast Courier"));
    assert_eq!(copies[0].url.as_deref(), Some(south.as_str()));
    assert_eq!(copies[0].title, copy_headline);
    assert_eq!(store.article(original).unwrap().unwrap().article.title, wire.headline);

    let second = runtime.block_on(pass(&store));
    assert!(second.polls.iter().all(|p| p.report.error.is_none() && p.report.queued == 0));
    assert!(second.items.is_empty(), "{:#?}", second.items);
    assert_eq!(store.counts().unwrap().articles, 1);
    assert_eq!(store.copies(original).unwrap().len(), 1, "the copy is kept once");
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { queued: 0, running: 0, done: 2, failed: 0 });
}

/// The Herald with one report whose page answers `page` (and its `robots.txt`, `robots`), as the
/// feed item `item` makes it: followed into a fresh store and given one pass.
fn one_report_pass(
    page: Reply,
    robots: Option<Reply>,
    item: fn(&Story, String) -> Item,
) -> (tempfile::TempDir, SqliteStore, Pass) {
    let story = Story::load("bridge-closure.txt");
    let server = Server::start(|base| {
        let mut routes = HashMap::new();
        if let Some(robots) = robots {
            routes.insert("/robots.txt".to_owned(), robots);
        }
        routes.insert("/news/bridge.html".to_owned(), page);
        let item = item(&story, format!("{base}/news/bridge.html"));
        let xml = rss("UTF-8", "The Herald", &format!("{base}/news/"), &[item]);
        routes.insert("/feeds/herald.xml".to_owned(), Reply::ok("application/rss+xml", xml));
        routes
    });
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    follow(&store, "The Herald", &server.url("/feeds/herald.xml"));
    let first = runtime().block_on(pass(&store));
    (dir, store, first)
}

/// A site whose `robots.txt` fails for a moment (a 503, a time-out) has not asked to be left alone:
/// its items should wait for a retry like any other passing failure, not fail for good.
#[test]
fn a_robots_txt_that_fails_for_now_does_not_fail_items_for_good() {
    let page = Reply::ok("text/html", Story::load("bridge-closure.txt").page("The Herald"));
    let robots = Reply::status("503 Service Unavailable", &[]);
    let (_dir, store, first) =
        one_report_pass(page, Some(robots), |story, link| Item::bare(&story.headline, link));
    let [report] = &first.items[..] else { panic!("{:#?}", first.items) };
    assert!(matches!(report.outcome, ItemOutcome::Retry { .. }), "{report:?}");
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { queued: 1, running: 0, done: 0, failed: 0 });
}

/// A page that fails for now is waited for: the feed's one-sentence summary would otherwise stand
/// for the report for good.
#[test]
fn a_summary_does_not_stand_in_for_a_page_that_may_still_come() {
    let page = Reply::status("503 Service Unavailable", &[]);
    let (_dir, store, first) = one_report_pass(page, None, Item::of);
    let [report] = &first.items[..] else { panic!("{:#?}", first.items) };
    assert!(matches!(report.outcome, ItemOutcome::Retry { .. }), "{report:?}");
    assert_eq!(store.counts().unwrap().articles, 0, "the summary is not stored in the page's place");
}
