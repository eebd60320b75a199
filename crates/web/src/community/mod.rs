//! Readers on the site: who is asking (the [`Viewer`], from the session cookie or an API token), the
//! secrets that prove it (random tokens kept only as hashes, argon2id password hashes), the
//! cross-site request forgery token every state-changing form carries, and the rate limits that
//! slow down guessing and flooding.

pub(crate) mod accounts;
pub(crate) mod api;
pub(crate) mod comments;
pub(crate) mod moderation;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use parallax_store::{Session, User};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::PageError;

/// The cookie holding a signed-in reader's session token.
pub const SESSION_COOKIE: &str = "parallax_session";

/// The cookie holding the token of a signed-out visitor's forms (sign in, sign up, reset).
pub(crate) const FORM_COOKIE: &str = "parallax_form";

/// How long a session lasts.
pub(crate) const SESSION_DAYS: i64 = 30;

/// Passwords shorter than this are refused; longer than [`MAX_PASSWORD_BYTES`] too, since hashing
/// a huge one would cost the server what it costs the sender nothing to send.
pub(crate) const MIN_PASSWORD_CHARS: usize = 10;
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;

/// A random secret: 32 bytes from the operating system, as 64 hex digits.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    Ok(hex(&bytes))
}

/// How a secret token is stored: its SHA-256, so that a copy of the database opens no session.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The argon2id settings (OWASP's second recommended set: 19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A password's argon2id hash in PHC form, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|_| PasswordError::NoRandomness)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordError::NoRandomness)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Whether a password matches a stored hash.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Hashing a password failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the operating system gave no random bytes")]
    NoRandomness,
    #[error("the password could not be hashed")]
    Hashing,
}

/// What is wrong with a new password, if anything.
pub fn password_problem(password: &str, name: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("A password needs at least {MIN_PASSWORD_CHARS} characters."));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Some(format!("A password may have at most {MAX_PASSWORD_BYTES} bytes."));
    }
    if !name.is_empty() && password.to_lowercase().contains(&name.to_lowercase()) {
        return Some("A password must not contain the account's name.".to_owned());
    }
    None
}

/// What is wrong with a new account name, if anything: 3 to 32 letters, digits, `.`, `_` or `-`,
/// starting with a letter or digit.
pub fn name_problem(name: &str) -> Option<String> {
    // ASCII only: letters of other scripts that look like Latin ones ("Rооt" with Cyrillic o) would
    // let one reader pass for another.
    let count = name.chars().count();
    let allowed = name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !(3..=32).contains(&count) || !allowed || !starts {
        return Some(
            "A name has 3 to 32 letters (a to z), digits, dots, dashes or underscores, and starts with a letter or digit."
                .to_owned(),
        );
    }
    None
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// Whether a request is signed in as far as its cookies say (without asking the store): such
/// requests are answered fresh, never from the shared page cache.
pub(crate) fn has_session_cookie(headers: &HeaderMap) -> bool {
    cookie(headers, SESSION_COOKIE).is_some()
}

/// Who is asking: a signed-in reader with their session, or nobody.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// The reader and their session; `None` when signed out.
    pub session: Option<Session>,
    /// The hash of the session token the request carried.
    pub session_hash: Option<String>,
    /// Where the request comes from, for rate limits.
    pub ip: Option<IpAddr>,
}

impl Viewer {
    /// The signed-in reader.
    pub(crate) fn user(&self) -> Option<&User> {
        self.session.as_ref().map(|s| &s.user)
    }

    /// The token this reader's forms must carry; empty when signed out.
    pub(crate) fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf.as_str())
    }

    /// Whether a form's token is this session's. Compared in constant time, so that the time taken
    /// tells nothing about how much of a guess was right.
    pub(crate) fn csrf_matches(&self, given: &str) -> bool {
        let expected = self.csrf();
        !expected.is_empty() && constant_time_eq(expected.as_bytes(), given.as_bytes())
    }
}

/// The reader's address: the peer's, unless the peer is a trusted reverse proxy, in which case the
/// last address in `X-Forwarded-For` that is not itself a trusted proxy (earlier ones are the
/// client's to write, so they are never believed).
pub(crate) fn client_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())?;
    Some(forwarded_client(peer, &state.trusted_proxies, &parts.headers))
}

fn forwarded_client(peer: IpAddr, trusted: &[IpAddr], headers: &HeaderMap) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|hop| !trusted.contains(hop)).unwrap_or(peer)
}

/// The answer to a form whose token is missing or wrong: forged elsewhere, or from a page left open
/// past its session.
pub(crate) fn foreign_form() -> PageError {
    PageError::Forbidden(
        "This form did not come from this site, or its page is out of date. Please reload the page and try again."
            .to_owned(),
    )
}

/// Equality of two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Found once per request, however many extractors ask.
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        let ip = client_ip(parts, state);
        let viewer = match cookie(&parts.headers, SESSION_COOKIE) {
            None => Viewer { session: None, session_hash: None, ip },
            Some(token) => {
                let hash = token_hash(token);
                let lookup = hash.clone();
                let session = crate::read(state, move |s| s.session(&lookup)).await?;
                Viewer { session, session_hash: Some(hash), ip }
            }
        };
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

/// A limit on how often something may be done: so many times per window, per key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub what: &'static str,
    pub max: u32,
    pub window: Duration,
}

pub(crate) const SIGN_IN_PER_IP: Limit =
    Limit { what: "sign-in-ip", max: 20, window: Duration::from_secs(600) };
pub(crate) const SIGN_IN_PER_NAME: Limit =
    Limit { what: "sign-in-name", max: 8, window: Duration::from_secs(600) };
/// Checks of a signed-in reader's password (changing it, making an API token).
pub(crate) const PASSWORD_CHECKS_PER_USER: Limit =
    Limit { what: "password-user", max: 8, window: Duration::from_secs(600) };
pub(crate) const SIGN_UP_PER_IP: Limit =
    Limit { what: "sign-up-ip", max: 5, window: Duration::from_secs(3600) };
/// Comments, edits and reports: well above what anyone writes by hand in a minute, far below a flood.
pub(crate) const COMMENT_PER_USER: Limit =
    Limit { what: "comment-user", max: 30, window: Duration::from_secs(60) };
/// Several busy readers behind one shared address (an office, a campus) still fit.
pub(crate) const COMMENT_PER_IP: Limit =
    Limit { what: "comment-ip", max: 120, window: Duration::from_secs(60) };
pub(crate) const VOTE_PER_USER: Limit = Limit { what: "vote-user", max: 60, window: Duration::from_secs(60) };
pub(crate) const VOTE_PER_IP: Limit = Limit { what: "vote-ip", max: 120, window: Duration::from_secs(60) };

/// Counts one attempt against each limit and key; `Err(TooMany)` when any is over.
pub(crate) async fn within_limits(state: &AppState, checks: &[(Limit, String)]) -> Result<(), PageError> {
    let checks: Vec<(Limit, String)> = checks.to_vec();
    let over = crate::read(state, move |s| {
        let mut over = None;
        for (limit, key) in &checks {
            if !s.rate_limit(&format!("{}:{key}", limit.what), limit.window, limit.max)? {
                over.get_or_insert(*limit);
            }
        }
        Ok(over)
    })
    .await?;
    match over {
        Some(limit) => Err(PageError::TooMany(limit.window)),
        None => Ok(()),
    }
}

/// The key a request's address counts under for rate limits: an IPv4 address, or the /64 network
/// of an IPv6 one (a single host is given a whole /64, so counting its addresses apart would let
/// it go round every limit), or "unknown".
pub(crate) fn ip_key(ip: Option<IpAddr>) -> String {
    match ip {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Password hashes computed at once, at most: each takes 19 MiB and tens of milliseconds, so a flood
/// of sign-ins waits its turn instead of taking the machine's memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Runs password work (hashing, checking) off the async workers, a few at a time.
pub(crate) async fn password_work<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PageError> {
    let _turn = HASHING.acquire().await.map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(tokio::task::spawn_blocking(f).await?)
}

/// Checks a password against no account's hash, as long as checking a real one takes: so that
/// signing in as a name that does not exist takes as long as with a wrong password.
pub(crate) fn verify_against_nothing(password: &str) {
    static NOBODY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("a password that no account has").unwrap_or_default());
    let _ = verify_password(password, &NOBODY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_a_fresh_salt_and_verify() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(
            constant_time_eq(b"abc", b"abc")
                && !constant_time_eq(b"abc", b"abd")
                && !constant_time_eq(b"a", b"ab")
        );
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert_eq!(name_problem("ana_b-2"), None);
        for bad in ["ab", "-ana", "a b c", "<script>", &"x".repeat(33), "Rооt", "Ｒoot"] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
        assert!(password_problem("short", "ana").is_some());
        assert!(password_problem("ana-is-my-password", "Ana").is_some());
        assert!(password_problem(&"x".repeat(2000), "ana").is_some());
        assert_eq!(password_problem("a long enough secret", "ana"), None);
        assert_eq!(password_problem("a long enough secret", ""), None, "no name to compare with");
    }

    #[test]
    fn only_trusted_proxies_name_the_reader() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.2".parse().unwrap());
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &trusted, &headers),
            ip("203.0.113.9"),
            "the last untrusted hop"
        );
        assert_eq!(
            forwarded_client(ip("198.51.100.1"), &trusted, &headers),
            ip("198.51.100.1"),
            "a client's own header is not believed"
        );
        assert_eq!(forwarded_client(ip("127.0.0.1"), &trusted, &HeaderMap::new()), ip("127.0.0.1"));
    }

    #[test]
    fn addresses_count_as_hosts_do() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            ip_key(ip("2001:db8:1:2:aaaa::1")),
            ip_key(ip("2001:db8:1:2:bbbb::9")),
            "one /64, one key"
        );
        assert_ne!(ip_key(ip("2001:db8:1:2::1")), ip_key(ip("2001:db8:1:3::1")));
        assert_eq!(ip_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(ip_key(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(ip_key(None), "unknown");
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; parallax_session=tok; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert!(has_session_cookie(&headers));
    }
}
