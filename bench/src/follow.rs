//! `follow N M [FILE.jsonl]`: N outlets of M reports each, served from a loopback server as RSS
//! feeds and article pages, followed end to end (fetch → extract → analyse → store → cluster)
//! through the same fetcher and pipeline as `parallax fetch-now`. Pages carry the texts of the
//! documents of FILE (ECB+ by default), each made unique to its outlet and item.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use parallax_core::Block;
use parallax_ingest::{AddressPolicy, DEFAULT_LEASE, FetchConfig, Fetcher, ItemOutcome, Worker, poll_feed};
use parallax_store::{NewFeed, SqliteStore, Store};

/// Runs the benchmark and prints the figures.
pub fn run(outlets: usize, items: usize, file: &str) -> Result<()> {
    let articles = crate::load_articles(file)?;
    anyhow::ensure!(!articles.is_empty(), "{file} holds no documents");
    let pages: Arc<Vec<(String, Vec<String>)>> = Arc::new(
        articles
            .iter()
            .map(|(_, a)| {
                let body: Vec<String> = a
                    .body
                    .iter()
                    .filter_map(|b| match b {
                        Block::Paragraph { text } => Some(text.clone()),
                        _ => None,
                    })
                    .collect();
                (a.title.clone(), body)
            })
            .collect(),
    );
    let server = serve(outlets, items, pages)?;
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open_dir(dir.path())?;
    for outlet in 0..outlets {
        store.add_feed(&NewFeed {
            outlet: &format!("Outlet {outlet}"),
            url: &format!("http://{server}/o{outlet}/feed.xml"),
            site_url: None,
            poll_seconds: 1800,
            fetch_pages: true,
        })?;
    }
    let fetcher = Fetcher::new(FetchConfig {
        policy: AddressPolicy::allowing("127.0.0.0/8")?,
        // Every outlet is one loopback host here: the per-host delay would measure only itself.
        host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let started = Instant::now();
    let mut worker = Worker::new(&store, fetcher.clone(), DEFAULT_LEASE)?;
    let (mut stored, mut copies, mut failed) = (0, 0, 0);
    runtime.block_on(async {
        for feed in store.feeds()? {
            let report = poll_feed(&store, &fetcher, &feed).await;
            failed += usize::from(report.error.is_some());
        }
        loop {
            let reports = worker.work_batch().await?;
            if reports.is_empty() {
                return anyhow::Ok(());
            }
            for report in reports {
                match report.outcome {
                    ItemOutcome::Stored { .. } => stored += 1,
                    ItemOutcome::Copy { .. } => copies += 1,
                    ItemOutcome::Known(_) => {}
                    ItemOutcome::Retry { .. } | ItemOutcome::Failed(_) => failed += 1,
                }
            }
        }
    })?;
    worker.maintain()?;
    let elapsed = started.elapsed().as_secs_f64();
    let counts = store.counts()?;
    let taken = stored + copies;
    println!(
        "follow: {outlets} outlets × {items} items: {taken} items taken in {elapsed:.1} s = {:.0} items/s end to end \
         (poll → queue → fetch → extract → analyse → store → cluster; pages fetched {batch} at a time, stored on one \
         thread); {stored} new reports, {copies} linked as copies of stored ones (the corpus has {texts} texts, \
         reused across outlets reworded); {} stories; {failed} failures; peak memory {}",
        taken as f64 / elapsed,
        counts.stories,
        crate::peak_memory(),
        batch = parallax_ingest::BATCH,
        texts = articles.len(),
    );
    Ok(())
}

/// Serves `/oI/feed.xml` (M items) and `/oI/pJ.html` for each outlet I and item J, until the process
/// ends.
fn serve(outlets: usize, items: usize, pages: Arc<Vec<(String, Vec<String>)>>) -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    let address = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let pages = Arc::clone(&pages);
            std::thread::spawn(move || answer(stream, address, outlets, items, &pages));
        }
    });
    Ok(address)
}

fn answer(
    mut stream: TcpStream,
    address: SocketAddr,
    outlets: usize,
    items: usize,
    pages: &[(String, Vec<String>)],
) {
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        request.push(byte[0]);
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let parts: Vec<&str> = path.trim_start_matches("/o").splitn(2, '/').collect();
    let outlet: Option<usize> = parts.first().and_then(|o| o.parse().ok()).filter(|o| *o < outlets);
    let (status, kind, body) = match (outlet, parts.get(1)) {
        (Some(o), Some(&"feed.xml")) => {
            let entries: String = (0..items)
                .map(|j| {
                    let (title, _) = &pages[(o * items + j) % pages.len()];
                    format!(
                        "<item><title>{}</title><link>http://{address}/o{o}/p{j}.html</link><guid>o{o}-{j}</guid></item>",
                        escape(title)
                    )
                })
                .collect();
            let feed = format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Outlet {o}</title><link>http://{address}/o{o}/</link>{entries}</channel></rss>"
            );
            ("200 OK", "application/rss+xml", feed)
        }
        (Some(o), Some(page)) if page.starts_with('p') && page.ends_with(".html") => {
            let j: usize = page[1..page.len() - 5].parse().unwrap_or(0);
            let n = o * items + j;
            let (title, paragraphs) = &pages[n % pages.len()];
            let round = n / pages.len();
            let body: String =
                paragraphs.iter().map(|p| format!("<p>{}</p>", escape(&reworded(p, round)))).collect();
            let html = format!(
                "<html><head><title>{t}</title></head><body><nav>Home · World · Sport</nav><article><h1>{t}</h1>{body}<p>Filed by outlet {o} as report {j}.</p></article><footer>© Outlet {o}</footer></body></html>",
                t = escape(title)
            );
            ("200 OK", "text/html; charset=utf-8", html)
        }
        _ => ("404 Not Found", "text/plain", "missing".to_owned()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
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
