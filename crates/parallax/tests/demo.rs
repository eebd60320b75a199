//! `parallax demo` loads the bundled corpus and serves a whole news site over it: the front page
//! ranked by breadth of coverage, search, entity and outlet pages, feeds, the sitemap, and the HTTP
//! behaviour that makes it fast (compression, ETags, caching headers).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::Server;

/// A response with its raw body.
struct Exchange {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Exchange {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An HTTP/1.0 request with extra header lines, read until the connection closes.
fn exchange(server: &Server, method: &str, path: &str, extra: &[&str]) -> Exchange {
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", server.addr);
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Exchange { status, headers, body: raw[split + 4..].to_vec() }
}

/// The ids of the stories a page links, in order, each once.
fn story_links(page: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for part in page.split("href=\"/story/").skip(1) {
        let id: String = part.chars().take_while(char::is_ascii_digit).collect();
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The first path a page links with this prefix.
fn first_link(page: &str, prefix: &str) -> String {
    let at = page.find(&format!("href=\"{prefix}")).unwrap_or_else(|| panic!("no link to {prefix}")) + 6;
    page[at..].split('"').next().unwrap().replace("&amp;", "&")
}

fn demo() -> Server {
    Server::start(None, &["demo", "--addr", "127.0.0.1:0"])
}

#[test]
fn the_front_page_ranks_stories_and_fits_its_budget() {
    let server = demo();
    let front = exchange(&server, "GET", "/", &[]);
    assert_eq!(front.status, 200);
    let page = front.text();
    assert_eq!(story_links(&page).len(), 24, "a full first page of stories");
    assert!(page.contains("class=\"lead-story"), "a lead story");
    assert!(page.contains("rel=\"next\""), "more stories on later pages");
    assert!(page.contains("People in the news") && page.contains("href=\"/entity/person:"));
    assert!(front.body.len() <= 50 * 1024, "front page is {} bytes", front.body.len());
    // The corpus's reports arrive undated but the two sample reports, the only story two outlets
    // are known to cover: it leads.
    let lead = &page[page.find("class=\"lead-story").unwrap()..page.find("Top stories</h2>").unwrap()];
    assert!(lead.contains("Sergei Shoigu") && lead.contains("2 outlets"), "{lead}");
    let (_, second) = server.get("/?page=2");
    assert!(second.contains("rel=\"prev\""));
    let first_ids = story_links(&page);
    assert!(story_links(&second).iter().all(|id| !first_ids.contains(id)), "pages do not repeat stories");

    let css = exchange(&server, "GET", "/static/style.css", &[]);
    assert_eq!(css.status, 200);
    assert!(css.body.len() <= 20 * 1024, "stylesheet is {} bytes", css.body.len());
    assert!(css.header("cache-control").is_some_and(|v| v.contains("max-age")));

    let (status, about) = server.get("/about");
    assert_eq!(status, 200);
    assert!(about.contains("ECB+") && about.contains("Creative Commons Attribution 3.0"));
    assert_eq!(server.get("/?page=abc").0, 400);
    assert_eq!(server.get("/?page=400").0, 404, "past the last page");
}

#[test]
fn search_entity_and_outlet_pages_lead_to_each_other() {
    let server = demo();
    let (status, found) = server.get("/search?q=Shoigu");
    assert_eq!(status, 200);
    assert!(found.contains("<mark>Shoigu</mark>"), "matched words are marked");
    assert!(found.contains("2 reports found"), "{found}");
    let story = first_link(&found, "/story/");
    let (status, story_page) = server.get(&story);
    assert_eq!(status, 200);
    assert!(story_page.contains("Sergei Shoigu") && story_page.contains("People News"));
    assert!(story_page.contains("class=\"chip\" href=\"/entity/person:sergei-shoigu\""), "{story_page}");

    // Stories whose reports are dated draw who reported when.
    let (_, newest) = server.get("/search?q=said&sort=newest");
    let dated = first_link(&newest, "/story/");
    let (_, dated_page) = server.get(&dated);
    assert!(dated_page.contains("class=\"tl-chart") && dated_page.contains("class=\"tl-dot"), "a timeline");

    // The entity page lists the story; its search link narrows search to it.
    let (status, entity) = server.get("/entity/person:sergei-shoigu");
    assert_eq!(status, 200);
    assert!(entity.contains("<h1>Sergei Shoigu</h1>") && entity.contains(&format!("href=\"{story}\"")));
    assert!(entity.contains("href=\"/entity/person:wang-yi\""), "named alongside");
    let (status, narrowed) = server.get("/search?q=talks&entity=person%3Asergei-shoigu");
    assert_eq!(status, 200);
    assert!(narrowed.contains("Only reports naming <strong>Sergei Shoigu</strong>"), "{narrowed}");
    assert!(!narrowed.contains("No reports found"));
    assert_eq!(server.get("/entity/person:nobody-at-all").0, 404);

    // Pages of results, filters and what a reader gets wrong.
    let (_, broad) = server.get("/search?q=said");
    assert!(broad.contains("rel=\"next\""), "a broad search has pages");
    let next = first_link(&broad, "/search?q=said&#38;page=2").replace("&#38;", "&");
    let (status, second) = server.get(&next);
    assert_eq!(status, 200);
    assert!(second.contains("rel=\"prev\"") && second.contains("start=\"21\""));
    let (status, bad) = server.get("/search?q=said&from=yesterday");
    assert_eq!(status, 400);
    assert!(bad.contains("from must be a date"), "the mistake is named");
    let (status, hostile) = server.get("/search?q=%22%3Cscript%3Ealert(1)%3C%2Fscript%3E%20NEAR(");
    assert_eq!(status, 200);
    assert!(!hostile.contains("<script>alert"), "what a reader types is escaped");
    let (_, none) = server.get("/search?q=zzzqqqxxx");
    assert!(none.contains("No reports found."));

    // Outlets: the index, one outlet with its framing chart and reports, search within it.
    let (status, outlets) = server.get("/outlets");
    assert_eq!(status, 200);
    assert!(outlets.contains("People News") && outlets.contains("class=\"fr-chart"));
    let outlet = first_link(&outlets, "/outlet/");
    let (status, outlet_page) = server.get(&outlet);
    assert_eq!(status, 200);
    assert!(outlet_page.contains("How its reports present what they say"));
    assert!(outlet_page.contains("href=\"/article/") && outlet_page.contains("href=\"/story/"));
    let id = outlet.trim_start_matches("/outlet/");
    let (status, within) = server.get(&format!("/search?outlet={id}"));
    assert_eq!(status, 200);
    assert!(!within.contains("No reports found") && within.contains("class=\"result\""), "{within}");
    assert_eq!(server.get("/outlet/99999").0, 404);
    assert_eq!(server.get("/outlet/abc").0, 404);
    let (status, entities) = server.get("/entities");
    assert_eq!(status, 200);
    assert!(
        entities.contains("People") && entities.contains("Places") && entities.contains("/entity/place:")
    );
}

#[test]
fn pages_describe_themselves_and_feeds_follow_them() {
    let server = demo();
    let (_, found) = server.get("/search?q=Shoigu");
    let story = first_link(&found, "/story/");
    let (_, story_page) = server.get(&story);
    let article = first_link(&story_page, "/article/");
    let (_, article_page) = server.get(&article);
    for page in [&story_page, &article_page] {
        let at = page.find("<script type=\"application/ld+json\">").expect("structured data") + 35;
        let json: serde_json::Value =
            serde_json::from_str(&page[at..page[at..].find("</script>").unwrap() + at])
                .expect("JSON-LD parses");
        assert_eq!(json["@type"], "NewsArticle");
        assert!(json["headline"].as_str().is_some_and(|h| h.contains("Shoigu")), "{json}");
        assert!(page.contains("<meta property=\"og:type\" content=\"article\">"));
        assert!(page.contains(&format!("<link rel=\"canonical\" href=\"http://{}", server.addr)));
    }

    let feed = exchange(&server, "GET", "/feed.atom", &[]);
    assert_eq!(feed.status, 200);
    assert!(feed.header("content-type").is_some_and(|t| t.starts_with("application/atom+xml")));
    let xml = feed.text();
    assert!(xml.starts_with("<?xml") && xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert_eq!(xml.matches("<entry>").count(), 30);
    for path in ["/entity/person:sergei-shoigu/feed.atom", "/search/feed.atom?q=Shoigu"] {
        let (status, xml) = server.get(path);
        assert_eq!(status, 200, "{path}");
        assert!(xml.contains("<entry>") && xml.contains("Shoigu"), "{path}: {xml}");
    }
    let outlet_feed = first_link(&story_page, "/outlet/") + "/feed.atom";
    assert_eq!(server.get(&outlet_feed).0, 200);
    let (status, sitemap) = server.get("/sitemap.xml");
    assert_eq!(status, 200);
    assert!(sitemap.contains(&format!("<loc>http://{}{story}</loc>", server.addr)));
    let (_, robots) = server.get("/robots.txt");
    assert!(robots.contains("Sitemap: http://") && robots.contains("Disallow: /search"));

    let missing = exchange(&server, "GET", "/no/such/page", &[]);
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found") && missing.text().contains("class=\"masthead"));
    assert_eq!(server.get("/story/999999").0, 404);
}

#[test]
fn responses_are_compressed_tagged_and_revalidated() {
    let server = demo();
    let plain = exchange(&server, "GET", "/", &[]);
    let etag = plain.header("etag").expect("an ETag").to_owned();
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    assert!(plain.header("cache-control").is_some_and(|v| v.contains("max-age")));

    let br = exchange(&server, "GET", "/", &["Accept-Encoding: gzip, deflate, br"]);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(br.body.len() * 3 < plain.body.len(), "{} vs {}", br.body.len(), plain.body.len());
    let gz = exchange(&server, "GET", "/", &["Accept-Encoding: gzip"]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..]).read_to_end(&mut unzipped).unwrap();
    assert_eq!(unzipped, plain.body, "the same page, compressed");
    let gz_etag = gz.header("etag").expect("an ETag").to_owned();
    assert_ne!(gz_etag, etag, "each encoding is its own representation");

    let again = exchange(&server, "GET", "/", &[&format!("If-None-Match: {etag}")]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let again =
        exchange(&server, "GET", "/", &["Accept-Encoding: gzip", &format!("If-None-Match: {gz_etag}")]);
    assert_eq!(again.status, 304);
    let other = exchange(&server, "GET", "/", &["Accept-Encoding: br", &format!("If-None-Match: {gz_etag}")]);
    assert_eq!(other.status, 200, "the brotli body is not the gzip one");
    let changed = exchange(&server, "GET", "/", &["If-None-Match: \"something-else\""]);
    assert_eq!(changed.status, 200);
    let head = exchange(&server, "HEAD", "/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), plain.header("content-length"));

    // A HEAD first leaves a whole page for the GET after it.
    let head = exchange(&server, "HEAD", "/outlets", &[]);
    assert!(head.body.is_empty());
    let get = exchange(&server, "GET", "/outlets", &[]);
    assert_eq!(get.body.len().to_string(), head.header("content-length").unwrap());
    assert!(get.text().trim_end().ends_with("</html>"));

    // A missing page is never "not modified".
    let missing = exchange(&server, "GET", "/story/999999", &[]);
    let tag = missing.header("etag").map(str::to_owned).unwrap_or_default();
    let again = exchange(&server, "GET", "/story/999999", &[&format!("If-None-Match: {tag}")]);
    assert_eq!(again.status, 404);
    assert!(again.text().contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!again.text().contains("rel=\"canonical\""));
}
