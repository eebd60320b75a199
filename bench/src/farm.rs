//! The outlet farm: N outlets of M reports each, served over loopback as RSS feeds (`/oI/feed.xml`)
//! and article pages (`/oI/pJ.html`) until the process ends. Pages carry the texts of a JSON Lines
//! corpus (ECB+ by default), each made unique to its outlet and item: the `n`-th item of the farm
//! (outlet by outlet, item by item) runs text `n` modulo the corpus's size, reworded when the
//! corpus comes round again.
//!
//! [`Layout::Single`] serves everything from one address, 127.0.0.1, as a fetcher in the same
//! process with its per-host delay switched off wants. [`Layout::Spread`] is for `parallax`
//! processes, whose fetcher lets one request a second reach each host (not configurable from the
//! command line): each outlet's feed is on an address of its own in 127.2.0.0/16, and the pages are
//! dealt out over K addresses in 127.1.0.0/16 in the farm's order, so that the items a worker
//! claims together are on different hosts and a host comes round again only after K items. A
//! fetcher reads each host's `robots.txt` (answered 404 here) once, one second before its first
//! page there.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use parallax_core::Block;

/// One text of the corpus: its title and paragraphs.
pub struct Text {
    title: String,
    paragraphs: Vec<String>,
}

/// Reads the texts of a JSON Lines corpus, extracted as ingest would.
pub fn texts(file: &str) -> Result<Vec<Text>> {
    let texts: Vec<Text> = crate::load_articles(file)?
        .into_iter()
        .map(|(_, article)| Text {
            title: article.title,
            paragraphs: article
                .body
                .into_iter()
                .filter_map(|b| match b {
                    Block::Paragraph { text } => Some(text),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    anyhow::ensure!(!texts.is_empty(), "{file} holds no documents");
    Ok(texts)
}

/// Where the farm serves its feeds and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Everything on one port of 127.0.0.1.
    Single,
    /// Each outlet's feed on an address of its own, the pages dealt out over this many addresses.
    Spread {
        /// Addresses the pages are served from.
        page_hosts: usize,
    },
}

/// A running farm. Its servers run on threads of their own until the process ends.
pub struct Farm {
    inner: Arc<Inner>,
}

struct Inner {
    outlets: usize,
    items: usize,
    texts: Vec<Text>,
    /// Each outlet's feed address (one for all with [`Layout::Single`]).
    feed_hosts: Vec<SocketAddr>,
    /// The addresses pages are dealt out over.
    page_hosts: Vec<SocketAddr>,
    /// Every request: the address it came to (by its listener's index), when, and what for.
    requests: Mutex<Vec<(usize, Instant, Asked)>>,
}

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Robots,
    Feed,
    Other,
}

/// The requests the farm answered over a span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// Requests of any kind.
    pub requests: usize,
    /// Requests for `robots.txt`.
    pub robots: usize,
    /// Requests for feeds.
    pub feeds: usize,
    /// The most requests one address got within the window.
    pub busiest: usize,
}

impl Farm {
    /// Binds the farm's addresses and starts serving.
    pub fn start(outlets: usize, items: usize, texts: Vec<Text>, layout: Layout) -> Result<Farm> {
        anyhow::ensure!(outlets > 0 && items > 0, "the farm needs at least one outlet and one item");
        anyhow::ensure!(!texts.is_empty(), "the farm needs texts to serve");
        let mut listeners = Vec::new();
        let mut bind = |ip: Ipv4Addr| -> Result<SocketAddr> {
            let listener = TcpListener::bind((ip, 0)).with_context(|| format!("binding a port on {ip}"))?;
            let address = listener.local_addr()?;
            listeners.push(listener);
            Ok(address)
        };
        let (feed_hosts, page_hosts) = match layout {
            Layout::Single => {
                let address = bind(Ipv4Addr::LOCALHOST)?;
                (vec![address], vec![address])
            }
            Layout::Spread { page_hosts } => {
                anyhow::ensure!(page_hosts > 0, "the farm needs at least one page host");
                let feeds = (0..outlets).map(|o| bind(loopback(2, o))).collect::<Result<Vec<_>>>()?;
                let pages = (0..page_hosts).map(|h| bind(loopback(1, h))).collect::<Result<Vec<_>>>()?;
                (feeds, pages)
            }
        };
        let requests = Mutex::new(Vec::new());
        let inner = Arc::new(Inner { outlets, items, texts, feed_hosts, page_hosts, requests });
        for (index, listener) in listeners.into_iter().enumerate() {
            let inner = Arc::clone(&inner);
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let inner = Arc::clone(&inner);
                    std::thread::spawn(move || inner.answer(index, stream));
                }
            });
        }
        Ok(Farm { inner })
    }

    /// Outlets in the farm.
    pub fn outlets(&self) -> usize {
        self.inner.outlets
    }

    /// Items each outlet's feed lists.
    pub fn items(&self) -> usize {
        self.inner.items
    }

    /// The name outlet `o` goes by.
    pub fn outlet_name(o: usize) -> String {
        format!("Outlet {o}")
    }

    /// The URL of outlet `o`'s feed.
    pub fn feed_url(&self, o: usize) -> String {
        let inner = &self.inner;
        format!("http://{}/o{o}/feed.xml", inner.feed_hosts[o % inner.feed_hosts.len()])
    }

    /// The URL of item `j` of outlet `o`, as its feed links it.
    pub fn page_url(&self, o: usize, j: usize) -> String {
        self.inner.page_url(o, j)
    }

    /// Every item's URL, outlet by outlet.
    pub fn page_urls(&self) -> Vec<String> {
        (0..self.outlets()).flat_map(|o| (0..self.items()).map(move |j| self.page_url(o, j))).collect()
    }

    /// The requests answered since `since`, with the most that one address got within any `window`.
    pub fn traffic(&self, since: Instant, window: Duration) -> Traffic {
        let requests = self.inner.requests.lock().unwrap_or_else(|e| e.into_inner());
        let mut by_host: std::collections::HashMap<usize, Vec<Instant>> = std::collections::HashMap::new();
        let (mut count, mut robots, mut feeds) = (0, 0, 0);
        for &(host, at, asked) in requests.iter().filter(|(_, at, _)| *at >= since) {
            count += 1;
            robots += usize::from(asked == Asked::Robots);
            feeds += usize::from(asked == Asked::Feed);
            by_host.entry(host).or_default().push(at);
        }
        let busiest = by_host
            .values_mut()
            .map(|times| {
                times.sort();
                let mut first = 0;
                (0..times.len())
                    .map(|last| {
                        while times[last] - times[first] > window {
                            first += 1;
                        }
                        last - first + 1
                    })
                    .max()
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        Traffic { requests: count, robots, feeds, busiest }
    }

    /// Loopback addresses the farm serves from.
    pub fn hosts(&self) -> usize {
        let inner = &self.inner;
        if inner.feed_hosts == inner.page_hosts { 1 } else { inner.feed_hosts.len() + inner.page_hosts.len() }
    }
}

/// The `index`-th address of the loopback block 127.`block`.0.0/16 (none ending in .0 or .255).
fn loopback(block: u8, index: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, block, (index / 254) as u8, (index % 254 + 1) as u8)
}

impl Inner {
    fn page_url(&self, o: usize, j: usize) -> String {
        let host = self.page_hosts[(o * self.items + j) % self.page_hosts.len()];
        format!("http://{host}/o{o}/p{j}.html")
    }

    fn answer(&self, listener: usize, mut stream: TcpStream) {
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
            request.push(byte[0]);
        }
        let request = String::from_utf8_lossy(&request);
        let path = request.split_whitespace().nth(1).unwrap_or("/");
        let asked = match path {
            "/robots.txt" => Asked::Robots,
            _ if path.ends_with("/feed.xml") => Asked::Feed,
            _ => Asked::Other,
        };
        let arrived = (listener, Instant::now(), asked);
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).push(arrived);
        let parts: Vec<&str> = path.trim_start_matches("/o").splitn(2, '/').collect();
        let outlet: Option<usize> = parts.first().and_then(|o| o.parse().ok()).filter(|o| *o < self.outlets);
        let (status, kind, body) = match (outlet, parts.get(1)) {
            (Some(o), Some(&"feed.xml")) => ("200 OK", "application/rss+xml", self.feed(o)),
            (Some(o), Some(page)) if page.starts_with('p') && page.ends_with(".html") => {
                match page[1..page.len() - 5].parse().ok().filter(|j| *j < self.items) {
                    Some(j) => ("200 OK", "text/html; charset=utf-8", self.page(o, j)),
                    None => ("404 Not Found", "text/plain", "missing".to_owned()),
                }
            }
            _ => ("404 Not Found", "text/plain", "missing".to_owned()),
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
    }

    fn feed(&self, o: usize) -> String {
        let entries: String = (0..self.items)
            .map(|j| {
                let text = &self.texts[(o * self.items + j) % self.texts.len()];
                format!(
                    "<item><title>{}</title><link>{}</link><guid>o{o}-{j}</guid></item>",
                    escape(&text.title),
                    self.page_url(o, j)
                )
            })
            .collect();
        let site = self.feed_hosts[o % self.feed_hosts.len()];
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title><link>http://{site}/o{o}/</link>{entries}</channel></rss>",
            name = Farm::outlet_name(o)
        )
    }

    fn page(&self, o: usize, j: usize) -> String {
        let n = o * self.items + j;
        let text = &self.texts[n % self.texts.len()];
        let round = n / self.texts.len();
        let body: String =
            text.paragraphs.iter().map(|p| format!("<p>{}</p>", escape(&reworded(p, round)))).collect();
        format!(
            "<html><head><title>{t}</title></head><body><nav>Home · World · Sport</nav><article><h1>{t}</h1>{body}<p>Filed by outlet {o} as report {j}.</p></article><footer>© Outlet {o}</footer></body></html>",
            t = escape(&text.title)
        )
    }
}

/// A text as the `round`-th outlet to run it words it: the first as it is; each later one with an
/// adverb of its own after every fifth word, so that the reused texts stay separate reports (copy
/// detection sees them as independent) while reading much like the original to the analysis.
fn reworded(text: &str, round: usize) -> String {
    const ADVERBS: [&str; 8] = ["reportedly", "indeed", "also", "then", "still", "now", "just", "again"];
    if round == 0 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if (i + round).is_multiple_of(5) && word.chars().all(|c| c.is_ascii_lowercase()) {
            out.push(' ');
            out.push_str(ADVERBS[(i / 5 + round) % ADVERBS.len()]);
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> (String, String) {
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = TcpStream::connect(host).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_owned(), body.to_owned())
    }

    #[test]
    fn a_spread_farm_links_its_pages_over_its_hosts() {
        let texts = vec![
            Text { title: "Quake & fire".into(), paragraphs: vec!["the ground shook in the night".into()] },
            Text { title: "Floods".into(), paragraphs: vec!["the river rose over the banks".into()] },
        ];
        let farm = Farm::start(2, 3, texts, Layout::Spread { page_hosts: 4 }).unwrap();
        assert_eq!(farm.hosts(), 6);
        let urls = farm.page_urls();
        assert_eq!(urls.len(), 6);
        let hosts: std::collections::HashSet<&str> =
            urls.iter().map(|u| &u[..u.rfind("/o").unwrap()]).collect();
        assert_eq!(hosts.len(), 4);
        let (status, feed) = get(&farm.feed_url(1));
        assert_eq!(status, "HTTP/1.1 200 OK");
        for j in 0..3 {
            assert!(feed.contains(&format!("<link>{}</link>", farm.page_url(1, j))));
        }
        assert!(feed.contains("Quake &amp; fire"));
        let (status, page) = get(&farm.page_url(1, 2));
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(page.contains("Filed by outlet 1 as report 2."));
        // The fifth item runs the first text again, reworded.
        assert!(get(&farm.page_url(0, 0)).1.contains("ground shook in the night"));
        assert!(get(&farm.page_url(1, 1)).1.contains("ground shook in also the night"));
        assert_eq!(get(&farm.page_url(1, 0).replace("p0.html", "p9.html")).0, "HTTP/1.1 404 Not Found");
        let since = Instant::now();
        get(&farm.feed_url(0));
        let robots = farm.page_url(0, 0).replace("o0/p0.html", "robots.txt");
        assert_eq!(get(&robots).0, "HTTP/1.1 404 Not Found");
        get(&farm.page_url(0, 0));
        get(&farm.page_url(0, 1));
        let traffic = farm.traffic(since, Duration::from_secs(60));
        assert_eq!(traffic, Traffic { requests: 4, robots: 1, feeds: 1, busiest: 2 });
    }
}
