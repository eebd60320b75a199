//! Fetching feeds and pages over HTTP, safely and within limits: every address a host name resolves
//! to, and every redirect, is checked against the [`AddressPolicy`] (a host resolving to any refused
//! address is refused whole, so a name cannot smuggle a private address in beside a public one);
//! redirects are bounded; connecting, reading and the whole exchange have time limits; the body is
//! counted while it streams, after decompression, so neither a huge page nor a compression bomb is
//! ever held whole; conditional requests (`ETag`, `Last-Modified`) let an unchanged feed answer 304;
//! requests to one host go one at a time, a delay apart.

use std::collections::HashMap;
use std::error::Error as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};

use crate::address_policy::{AddressError, AddressPolicy};
use crate::robots::Robots;

/// The name Parallax goes by in `robots.txt`.
const ROBOTS_AGENT: &str = "parallax";

/// How fetches behave.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Sent with every request, naming Parallax and where to read about it.
    pub user_agent: String,
    /// Longest wait to connect.
    pub connect_timeout: Duration,
    /// Longest wait between two reads of the body.
    pub read_timeout: Duration,
    /// Longest whole exchange, redirects and body included.
    pub total_timeout: Duration,
    /// Most bytes of body, after decompression.
    pub max_bytes: usize,
    /// Most redirects followed.
    pub max_redirects: usize,
    /// The addresses fetches may reach.
    pub policy: AddressPolicy,
    /// Least time between the start of two requests to one host; requests to one host also go one
    /// at a time.
    pub host_delay: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: format!(
                "Parallax/{} (news comparison; feeds and article pages)",
                env!("CARGO_PKG_VERSION")
            ),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            policy: AddressPolicy::public_only(),
            host_delay: Duration::from_secs(1),
        }
    }
}

/// What a previous fetch of the same URL said, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetched document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The URL it came from, after redirects.
    pub url: String,
    pub bytes: Vec<u8>,
    /// The media type the server gave ("text/html").
    pub content_type: Option<String>,
    /// The charset the server gave, for decoding.
    pub charset: Option<String>,
    /// What to send next time to be told it has not changed.
    pub validators: Validators,
}

/// The outcome of a fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The document.
    Document(Document),
    /// Unchanged since the validators given (HTTP 304).
    NotModified,
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not an http(s) URL.
    #[error("{url:?} is not an http or https URL")]
    BadUrl { url: String },
    /// The address is refused by the policy.
    #[error(transparent)]
    Refused(#[from] AddressError),
    /// The server answered with an error status.
    #[error("the server answered {status}{}", retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    Status {
        status: u16,
        /// How long the server asked to wait (429, 503).
        retry_after: Option<Duration>,
    },
    /// The body is over the limit.
    #[error("the body is over the {limit}-byte limit")]
    TooLarge { limit: usize },
    /// A time limit ran out.
    #[error("timed out")]
    Timeout,
    /// Too many redirects (or a redirect loop).
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: usize },
    /// The connection or the exchange failed.
    #[error("{0}")]
    Network(String),
    /// The site's `robots.txt` could not be had, for now.
    #[error("the site's robots.txt could not be read ({0})")]
    RobotsUnavailable(String),
}

/// How long a site whose `robots.txt` could not be had is left before it is asked again.
pub const ROBOTS_RETRY: Duration = Duration::from_secs(10 * 60);

/// One site's `robots.txt`, locked while it is fetched.
type RobotsSlot = Arc<tokio::sync::Mutex<Option<RobotsEntry>>>;

/// How long a site's `robots.txt` is kept before it is read again, so that a long-running worker
/// sees a site's changed rules.
pub const ROBOTS_KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// A site's `robots.txt` as last sought.
#[derive(Debug)]
enum RobotsEntry {
    /// Read (or known to be missing or refused) at this time.
    Known(Robots, std::time::Instant),
    Unavailable {
        why: String,
        since: std::time::Instant,
    },
}

impl FetchError {
    /// Whether trying again later may succeed: time-outs, dropped connections, a server busy or
    /// failing for now; not a refusal, a missing page or a body over the limit.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout | FetchError::Network(_) | FetchError::RobotsUnavailable(_) => true,
            FetchError::Status { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// How long the server asked to be left alone, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Fetches documents under one [`FetchConfig`]; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
    hosts: Arc<std::sync::Mutex<HashMap<String, HostTurn>>>,
    /// Each site's `robots.txt`, read once, each behind a lock of its own so that a slow site holds
    /// up only its own pages.
    robots: Arc<std::sync::Mutex<HashMap<String, RobotsSlot>>>,
}

/// When a host's last request started; holding the lock is holding the host's turn.
type HostTurn = Arc<tokio::sync::Mutex<Option<Instant>>>;

impl Fetcher {
    /// A fetcher with its own connection pool.
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        let policy = Arc::new(config.policy.clone());
        let redirect_policy = Arc::clone(&policy);
        let max_redirects = config.max_redirects;
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            // A proxy would resolve names itself, out of the policy's sight.
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver { policy }))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max_redirects {
                    return attempt.error(RedirectError::TooMany);
                }
                match literal_address(attempt.url()) {
                    Some(address) => match redirect_policy.check(address) {
                        Ok(()) => attempt.follow(),
                        Err(refused) => attempt.error(refused),
                    },
                    None => attempt.follow(),
                }
            }))
            .build()
            .map_err(|e| FetchError::Network(e.to_string()))?;
        Ok(Fetcher { client, config: Arc::new(config), hosts: Arc::default(), robots: Arc::default() })
    }

    /// The configuration in force.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches a URL, conditionally when `validators` hold what a previous fetch returned.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::BadUrl { url: url.to_owned() })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(FetchError::BadUrl { url: url.to_owned() });
        }
        if let Some(address) = literal_address(&parsed) {
            self.config.policy.check(address)?;
        }
        // One request at a time per host, and not sooner than the delay after the last one.
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        let turn = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(hosts.entry(host).or_default())
        };
        let mut last = turn.lock().await;
        if let Some(at) = *last {
            tokio::time::sleep_until((at + self.config.host_delay).into()).await;
        }
        *last = Some(Instant::now());
        let mut request = self.client.get(parsed);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let mut response = request.send().await.map_err(|e| self.failure(e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(FetchError::Status { status: status.as_u16(), retry_after });
        }
        let limit = self.config.max_bytes;
        if response.content_length().is_some_and(|length| length > limit as u64) {
            return Err(FetchError::TooLarge { limit });
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        let final_url = response.url().to_string();
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(e))? {
            if bytes.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        let charset = content_type.as_deref().and_then(charset_of);
        let media_type = content_type.map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        Ok(Fetched::Document(Document {
            url: final_url,
            bytes,
            content_type: media_type,
            charset,
            validators,
        }))
    }

    /// Whether the site's `robots.txt` lets Parallax fetch a page, read once a day per site. A site
    /// without one (4xx) allows everything; one refused or unreadable allows nothing. When it cannot be had for a reason that
    /// may pass (a time-out, a 5xx), the error says so, and it is tried again after
    /// [`ROBOTS_RETRY`].
    pub async fn robots_allow(&self, url: &str) -> Result<bool, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::BadUrl { url: url.to_owned() })?;
        let origin = parsed.origin().ascii_serialization();
        let slot = {
            let mut sites = self.robots.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(sites.entry(origin.clone()).or_default())
        };
        let mut entry = slot.lock().await;
        let stale = match &*entry {
            None => true,
            Some(RobotsEntry::Known(_, read)) => read.elapsed() >= ROBOTS_KEEP,
            Some(RobotsEntry::Unavailable { since, .. }) => since.elapsed() >= ROBOTS_RETRY,
        };
        if stale {
            *entry = Some(match self.fetch(&format!("{origin}/robots.txt"), &Validators::default()).await {
                Ok(Fetched::Document(document)) => RobotsEntry::Known(
                    Robots::parse(&String::from_utf8_lossy(&document.bytes), ROBOTS_AGENT),
                    std::time::Instant::now(),
                ),
                Err(FetchError::Status { status: 400..=499, .. }) => {
                    RobotsEntry::Known(Robots::allow_all(), std::time::Instant::now())
                }
                Err(error) if error.is_transient() => {
                    RobotsEntry::Unavailable { why: error.to_string(), since: std::time::Instant::now() }
                }
                Ok(Fetched::NotModified) | Err(_) => {
                    RobotsEntry::Known(Robots::disallow_all(), std::time::Instant::now())
                }
            });
        }
        let path = match parsed.query() {
            Some(query) => format!("{}?{query}", parsed.path()),
            None => parsed.path().to_owned(),
        };
        match &*entry {
            Some(RobotsEntry::Known(robots, _)) => Ok(robots.allows(&path)),
            Some(RobotsEntry::Unavailable { why, .. }) => Err(FetchError::RobotsUnavailable(why.clone())),
            None => Ok(false),
        }
    }

    /// The typed error behind a failed exchange.
    fn failure(&self, error: reqwest::Error) -> FetchError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<AddressError>() {
                return FetchError::Refused(refused.clone());
            }
            if let Some(RedirectError::TooMany) = cause.downcast_ref::<RedirectError>() {
                return FetchError::TooManyRedirects { limit: self.config.max_redirects };
            }
            source = cause.source();
        }
        if error.is_timeout() {
            return FetchError::Timeout;
        }
        if error.is_redirect() {
            return FetchError::TooManyRedirects { limit: self.config.max_redirects };
        }
        FetchError::Network(error.without_url().to_string())
    }
}

#[derive(Debug, thiserror::Error)]
enum RedirectError {
    #[error("too many redirects")]
    TooMany,
}

/// The address a URL names directly, when its host is an IP address rather than a name.
fn literal_address(url: &reqwest::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// The charset parameter of a `Content-Type`.
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Resolves host names and refuses those that lead to an address the policy refuses.
struct CheckedResolver {
    policy: Arc<AddressPolicy>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            for address in &addresses {
                policy.check(address.ip())?;
            }
            let addresses: Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests;
