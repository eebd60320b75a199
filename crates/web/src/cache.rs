//! The response layer every page and document goes through: rendered responses kept for a few
//! seconds and served from memory, compressed once per encoding (brotli, gzip), tagged with an
//! `ETag` so that a browser holding the same bytes gets a 304, and given `Cache-Control`.
//!
//! News moves by the minute, not the millisecond: a page at most [`PageCache::ttl`] old is as good
//! as a fresh one, and serving it from memory is what lets one machine answer many thousands of
//! readers a second. The cache lives in each process, so any number of processes can share a
//! database without sharing it.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// How long a rendered response is served from memory unless configured otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3);

/// Responses kept at most; past this, expired ones are dropped and new ones not kept until room
/// frees (so a crawl of random addresses cannot grow the cache without bound).
const MAX_ENTRIES: usize = 4096;

/// Bodies larger than this are passed through uncached and uncompressed.
const MAX_CACHED_BYTES: usize = 4 * 1024 * 1024;

/// Bytes of bodies kept at most, all entries together.
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

/// Addresses longer than this are answered but not kept: no reader's link is that long, and a crawl
/// of made-up long queries must not fill the cache.
const MAX_KEY_BYTES: usize = 512;

/// Bodies smaller than this are not worth compressing.
const MIN_COMPRESSED_BYTES: usize = 512;

/// How long browsers may keep a page before asking again (and then they ask with its ETag).
const PAGE_MAX_AGE: &str = "public, max-age=30";

/// The encodings a response can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The best encoding the client accepts: brotli, else gzip, else none.
    fn choose(headers: &HeaderMap) -> Self {
        let Some(accepted) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
            return Encoding::Identity;
        };
        let accepts = |name: &str| {
            accepted.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if accepts("br") {
            Encoding::Brotli
        } else if accepts("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    fn header(self) -> Option<HeaderValue> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some(HeaderValue::from_static("gzip")),
            Encoding::Brotli => Some(HeaderValue::from_static("br")),
        }
    }
}

/// One response as rendered, with its compressed forms made when first asked for.
struct Cached {
    made: Instant,
    status: StatusCode,
    headers: HeaderMap,
    etag: HeaderValue,
    body: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl Cached {
    fn new(status: StatusCode, mut headers: HeaderMap, body: Bytes) -> Self {
        let digest = Sha256::digest(&body);
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"0\""));
        headers.remove(header::CONTENT_LENGTH);
        headers.insert(header::ETAG, etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PAGE_MAX_AGE));
        }
        Cached {
            made: Instant::now(),
            status,
            headers,
            etag,
            body,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    fn compressible(&self) -> bool {
        self.body.len() >= MIN_COMPRESSED_BYTES
            && self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| {
                t.starts_with("text/") || t.contains("json") || t.contains("xml") || t.contains("javascript")
            })
    }

    /// The body in an encoding, or `None` when it is sent as it is.
    fn encoded(&self, encoding: Encoding) -> Option<&Bytes> {
        if !self.compressible() {
            return None;
        }
        match encoding {
            Encoding::Identity => None,
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.body)).as_ref(),
            Encoding::Brotli => self.brotli.get_or_init(|| brotli(&self.body)).as_ref(),
        }
    }

    /// The ETag of the body in an encoding: each encoding is its own representation, with a
    /// validator of its own.
    fn etag_for(&self, encoding: Option<Encoding>) -> HeaderValue {
        let suffix = match encoding {
            None | Some(Encoding::Identity) => return self.etag.clone(),
            Some(Encoding::Gzip) => "-gzip",
            Some(Encoding::Brotli) => "-br",
        };
        let base = self.etag.to_str().unwrap_or("\"0\"").trim_end_matches('"');
        HeaderValue::from_str(&format!("{base}{suffix}\"")).unwrap_or_else(|_| self.etag.clone())
    }

    fn respond(&self, request: &HeaderMap, head: bool) -> Response {
        let mut headers = self.headers.clone();
        let chosen = Encoding::choose(request);
        let encoding = self.encoded(chosen).and(Some(chosen));
        let etag = self.etag_for(encoding);
        headers.insert(header::ETAG, etag.clone());
        if self.status == StatusCode::OK && etag_matches(request, &etag) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
                if let Some(value) = headers.remove(&name) {
                    response.headers_mut().insert(name, value);
                }
            }
            return response;
        }
        let body = match (encoding.and_then(|e| self.encoded(e)), encoding.and_then(Encoding::header)) {
            (Some(body), Some(value)) => {
                headers.insert(header::CONTENT_ENCODING, value);
                body.clone()
            }
            _ => self.body.clone(),
        };
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let mut response = Response::new(if head { Body::empty() } else { Body::from(body) });
        *response.status_mut() = self.status;
        *response.headers_mut() = headers;
        response
    }
}

fn etag_matches(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(wanted) = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let ours = etag.to_str().unwrap_or("");
    wanted.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

fn brotli(body: &[u8]) -> Option<Bytes> {
    let mut out = Vec::new();
    {
        // Quality 5 with a 256 KiB window compresses a page to within a few percent of the best in a
        // fraction of the time; a page is far smaller than the window, and a larger one only costs
        // the memory it takes to set up.
        let mut writer = brotli::CompressorWriter::new(&mut out, 16 * 1024, 5, 18);
        writer.write_all(body).ok()?;
    }
    Some(Bytes::from(out))
}

/// How long past its time an entry may still be served while one request renders it afresh.
const STALE_LIMIT: Duration = Duration::from_secs(60);

/// A kept response and whether a request is already rendering its successor.
struct Entry {
    cached: Arc<Cached>,
    refreshing: Arc<AtomicBool>,
}

/// What the cache holds for an address.
enum Lookup {
    /// Young enough to serve.
    Fresh(Arc<Cached>),
    /// Past its time: serve it while another request renders the next one.
    Stale(Arc<Cached>),
    /// Past its time, and this request is to render the next one (the guard lets go of the claim
    /// however the rendering ends).
    Refresh(RefreshClaim),
    /// Nothing usable.
    Missing,
}

/// The claim of the one request rendering an expired address afresh.
struct RefreshClaim(Arc<AtomicBool>);

impl Drop for RefreshClaim {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Rendered responses by address, kept for a short while.
///
/// When an entry's time is up, one request renders it afresh while the others are served the
/// previous response, so that a popular page expiring never sends every reader at once to the
/// database.
pub struct PageCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    /// A cache keeping responses for `ttl` (zero keeps none, but still compresses and tags them).
    pub fn new(ttl: Duration) -> Self {
        PageCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn lookup(&self, key: &str) -> Lookup {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = entries.get(key) else { return Lookup::Missing };
        let age = entry.cached.made.elapsed();
        if age < self.ttl {
            return Lookup::Fresh(entry.cached.clone());
        }
        if age >= self.ttl + STALE_LIMIT {
            return Lookup::Missing;
        }
        match entry.refreshing.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => Lookup::Refresh(RefreshClaim(entry.refreshing.clone())),
            Err(_) => Lookup::Stale(entry.cached.clone()),
        }
    }

    fn put(&self, key: String, cached: Arc<Cached>) {
        if self.ttl.is_zero() || key.len() > MAX_KEY_BYTES {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let total =
            |entries: &HashMap<String, Entry>| entries.values().map(|e| e.cached.body.len()).sum::<usize>();
        let full = |entries: &HashMap<String, Entry>| {
            entries.len() >= MAX_ENTRIES || total(entries) + cached.body.len() > MAX_TOTAL_BYTES
        };
        if !entries.contains_key(&key) && full(&entries) {
            let limit = self.ttl + STALE_LIMIT;
            entries.retain(|_, e| e.cached.made.elapsed() < limit);
        }
        if entries.contains_key(&key) || !full(&entries) {
            entries.insert(key, Entry { cached, refreshing: Arc::new(AtomicBool::new(false)) });
        }
    }

    /// Forgets an address (its page moved or went away).
    fn forget(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The middleware: answers GET and HEAD from the cache when it can, else renders, keeps and
/// answers. Other methods, and responses that are errors or too large, pass through untouched.
pub async fn serve_cached(State(cache): State<Arc<PageCache>>, request: Request, next: Next) -> Response {
    let head = request.method() == Method::HEAD;
    // A signed-in reader's pages are their own (their name, their forms' tokens): never shared,
    // and never kept by anything between them and the site.
    if crate::community::has_session_cookie(request.headers()) {
        let mut response = next.run(request).await;
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        return response;
    }
    if request.method() != Method::GET && !head {
        return next.run(request).await;
    }
    // The host is part of the key: pages carry absolute links made from it.
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let key = format!("{host} {}", request.uri());
    let request_headers = request.headers().clone();
    let _claim = match cache.lookup(&key) {
        Lookup::Fresh(cached) | Lookup::Stale(cached) => return cached.respond(&request_headers, head),
        Lookup::Refresh(claim) => Some(claim),
        Lookup::Missing => None,
    };
    let response = next.run(request).await;
    let status = response.status();
    if status != StatusCode::OK {
        // What was kept no longer stands: a story merged away, a page gone.
        cache.forget(&key);
    }
    let keep = matches!(status, StatusCode::OK | StatusCode::NOT_FOUND | StatusCode::MOVED_PERMANENTLY)
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response
            .headers()
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.as_bytes().starts_with(b"no-store"));
    let size = axum::body::HttpBody::size_hint(response.body()).exact();
    let small = size.is_some_and(|n| n <= MAX_CACHED_BYTES as u64);
    if !keep || !small || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_CACHED_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "The response could not be read.").into_response();
    };
    let cached = Arc::new(Cached::new(parts.status, parts.headers, body));
    let response = cached.respond(&request_headers, head);
    if status == StatusCode::OK {
        cache.put(key, cached);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_best_accepted_encoding_is_chosen() {
        let choose = |v: &str| Encoding::choose(&headers(&[(header::ACCEPT_ENCODING, v)]));
        assert_eq!(choose("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(choose("gzip"), Encoding::Gzip);
        assert_eq!(choose("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(choose("identity"), Encoding::Identity);
        assert_eq!(Encoding::choose(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn bodies_compress_and_come_back() {
        let page = "<p>Shoigu met Wang Yi in Beijing.</p>".repeat(100);
        let mut response_headers = HeaderMap::new();
        response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        let cached = Cached::new(StatusCode::OK, response_headers, Bytes::from(page.clone()));
        let gz = cached.encoded(Encoding::Gzip).unwrap().clone();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, page);
        let br = cached.encoded(Encoding::Brotli).unwrap().clone();
        assert!(br.len() < page.len() / 10);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&br[..], 4096), &mut back).unwrap();
        assert_eq!(back, page.as_bytes());
    }

    #[test]
    fn each_encoding_has_its_own_etag() {
        let mut response_headers = HeaderMap::new();
        response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let cached = Cached::new(StatusCode::OK, response_headers, Bytes::from("<p>a</p>".repeat(200)));
        let etag = |accept: &str| {
            let response = cached.respond(&headers(&[(header::ACCEPT_ENCODING, accept)]), false);
            response.headers()[header::ETAG].to_str().unwrap().to_owned()
        };
        let (plain, gz, br) = (etag("identity"), etag("gzip"), etag("br"));
        assert!(plain != gz && gz != br && plain != br, "{plain} {gz} {br}");
        assert!(br.starts_with(plain.trim_end_matches('"')) && br.ends_with("-br\""));
        let again = headers(&[(header::ACCEPT_ENCODING, "br"), (header::IF_NONE_MATCH, &br)]);
        assert_eq!(cached.respond(&again, false).status(), StatusCode::NOT_MODIFIED);
        let other = headers(&[(header::ACCEPT_ENCODING, "gzip"), (header::IF_NONE_MATCH, &br)]);
        assert_eq!(
            cached.respond(&other, false).status(),
            StatusCode::OK,
            "another encoding is another body"
        );
    }

    #[test]
    fn a_matching_etag_gets_304() {
        let cached = Cached::new(StatusCode::OK, HeaderMap::new(), Bytes::from_static(b"hello"));
        let etag = cached.etag.to_str().unwrap().to_owned();
        let response = cached.respond(&headers(&[(header::IF_NONE_MATCH, &etag)]), false);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], etag.as_str());
        let response = cached.respond(&headers(&[(header::IF_NONE_MATCH, "\"other\"")]), false);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_LENGTH], "5");
    }

    #[test]
    fn expired_entries_are_rendered_once_while_others_get_the_last_one() {
        let fresh = |cache: &PageCache, key: &str| matches!(cache.lookup(key), Lookup::Fresh(_));
        let cache = PageCache::new(Duration::from_millis(200));
        let cached = || Arc::new(Cached::new(StatusCode::OK, HeaderMap::new(), Bytes::from_static(b"x")));
        assert!(matches!(cache.lookup("k"), Lookup::Missing));
        cache.put("k".to_owned(), cached());
        assert!(fresh(&cache, "k"));
        std::thread::sleep(Duration::from_millis(250));
        let claim = match cache.lookup("k") {
            Lookup::Refresh(claim) => claim,
            _ => panic!("the first request after expiry renders afresh"),
        };
        assert!(matches!(cache.lookup("k"), Lookup::Stale(_)), "the others are served the last one");
        drop(claim);
        assert!(matches!(cache.lookup("k"), Lookup::Refresh(_)), "a claim given up passes on");
        cache.put("k".to_owned(), cached());
        assert!(fresh(&cache, "k"));

        let off = PageCache::new(Duration::ZERO);
        off.put("k".to_owned(), cached());
        assert!(matches!(off.lookup("k"), Lookup::Missing));
    }
}
