//! Page handlers: each reads the store off the async runtime in a fixed number of queries and
//! renders one template. What every page carries (its address, its description for link previews,
//! its structured data) is a [`Meta`].

mod article;
mod entity;
mod front;
mod outlet;
mod search;
mod story;

pub(crate) use article::article;
pub(crate) use entity::{entities, entity};
pub(crate) use front::front;
pub(crate) use outlet::{outlet, outlets};
pub(crate) use search::{query_string as search_query_string, search};
pub(crate) use story::story;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::error::PageError;

const STYLESHEET: &str = include_str!("../../static/style.css");

/// Renders a template as a 200 page.
fn render(template: &impl Template) -> Result<Response, PageError> {
    Ok(Html(template.render()?).into_response())
}

/// The site's own address as readers reach it, for absolute links in link previews, feeds and
/// sitemaps: the configured public address, else the request's `Host`.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    /// "https://news.example.org", without a trailing slash.
    pub base: String,
    /// The signed-in reader's name, for the masthead.
    pub reader: Option<String>,
}

impl Site {
    /// The absolute address of a path on the site.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The host part, for tag URIs.
    pub(crate) fn authority(&self) -> &str {
        self.base.split_once("://").map_or(self.base.as_str(), |(_, rest)| rest)
    }
}

impl FromRequestParts<AppState> for Site {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Who is signed in, for the masthead: asked of the store only when a session cookie came.
        let reader = match crate::community::Viewer::from_request_parts(parts, state).await {
            Ok(viewer) => viewer.user().map(|u| u.name.clone()),
            Err(_) => None,
        };
        if let Some(base) = &state.public_url {
            return Ok(Site { base: base.trim_end_matches('/').to_owned(), reader });
        }
        // A Host header is the client's to choose: only a plain host name or address with a port is
        // taken, so that nothing a client sends ends up in a page as markup.
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        Ok(Site { base: format!("http://{host}"), reader })
    }
}

/// The one segment a page's address takes (`/story/{id}`). An address whose segment cannot be read
/// (bad percent-escapes, not UTF-8) names nothing here: the styled 404, not the framework's plain
/// rejection.
pub(crate) struct Segment(pub String);

impl FromRequestParts<AppState> for Segment {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(segment)) => Ok(Segment(segment)),
            Err(_) => Err(PageError::NotFound),
        }
    }
}

/// What a page tells browsers, search engines and link previews about itself.
pub(crate) struct Meta {
    /// The page's own absolute address.
    pub canonical: String,
    /// The OpenGraph type: "website" or "article".
    pub og_type: &'static str,
    /// The preview image's absolute address; empty when none.
    pub image: String,
    /// schema.org JSON-LD, ready to stand inside a script element; empty when none.
    pub json_ld: String,
    /// An Atom feed of the page's listing: (title, path).
    pub feed: Option<(String, String)>,
    /// The part of the site the page belongs to, marked in the navigation: "top", "outlets",
    /// "entities", "search", "about" or "" for none.
    pub section: &'static str,
    /// The signed-in reader's name; empty when signed out.
    pub reader: String,
}

impl Meta {
    /// A plain page.
    pub(crate) fn page(site: &Site, path: &str) -> Self {
        let route = path.split(['?', '#']).next().unwrap_or("");
        let section = match route {
            "/" => "top",
            "/outlets" => "outlets",
            "/entities" => "entities",
            "/search" => "search",
            "/about" => "about",
            "/account" | "/signin" | "/signup" | "/reset" => "account",
            _ => "",
        };
        Meta {
            canonical: site.url(path),
            og_type: "website",
            image: String::new(),
            json_ld: String::new(),
            feed: None,
            section,
            reader: site.reader.clone().unwrap_or_default(),
        }
    }

    /// An error page: no address of its own to give, not to be indexed, in no section.
    pub(crate) fn error() -> Self {
        Meta {
            canonical: String::new(),
            og_type: "website",
            image: String::new(),
            json_ld: String::new(),
            feed: None,
            section: "",
            reader: String::new(),
        }
    }

    /// With an Atom feed of the listing.
    pub(crate) fn with_feed(mut self, title: impl Into<String>, path: impl Into<String>) -> Self {
        self.feed = Some((title.into(), path.into()));
        self
    }
}

/// JSON made safe to stand inside a `<script type="application/ld+json">` element: `<` is written as
/// an escape so that no `</script>` or comment opener can end the element.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// A link to a web address only when it is one (http or https): feeds and pages may carry
/// `javascript:` or data addresses that must never become links.
pub(crate) fn web_url(url: Option<&str>) -> String {
    url.filter(|u| u.starts_with("http://") || u.starts_with("https://")).unwrap_or_default().to_owned()
}

/// The previous and next page links of a listing: `(prev, next)` hrefs, empty when there is none.
pub(crate) fn pager(base: &str, page: u32, has_next: bool) -> (String, String) {
    let join = if base.contains('?') { '&' } else { '?' };
    let href = |n: u32| if n == 1 { base.to_owned() } else { format!("{base}{join}page={n}") };
    (
        if page > 1 { href(page - 1) } else { String::new() },
        if has_next { href(page + 1) } else { String::new() },
    )
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    meta: Meta,
}

pub(crate) async fn about(site: Site) -> Result<Response, PageError> {
    render(&AboutPage { meta: Meta::page(&site, "/about") })
}

pub(crate) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        STYLESHEET,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    meta: Meta,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    meta: Meta,
    status: u16,
    message: String,
}

pub(crate) async fn not_found() -> Response {
    not_found_response()
}

/// The styled 404.
pub(crate) fn not_found_response() -> Response {
    match (NotFoundPage { meta: Meta::error() }).render() {
        Ok(body) => (StatusCode::NOT_FOUND, Html(body)).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

/// A styled error page with a status (400 for a request that cannot be read, 500 for a failure).
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    let page = ErrorPage { meta: Meta::error(), status: status.as_u16(), message: message.to_owned() };
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_data_cannot_close_its_element() {
        let json = serde_json::json!({ "headline": "</script><script>alert(1)</script><!--" });
        let safe = script_json(&json);
        assert!(!safe.contains('<'), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, json);
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(web_url(Some("javascript:alert(1)")), "");
        assert_eq!(web_url(Some("https://example.org/a")), "https://example.org/a");
        assert_eq!(web_url(None), "");
    }

    #[test]
    fn pagers_link_neighbours() {
        assert_eq!(pager("/", 1, true), (String::new(), "/?page=2".to_owned()));
        assert_eq!(pager("/search?q=x", 2, false), ("/search?q=x".to_owned(), String::new()));
        assert_eq!(
            pager("/outlet/3", 3, true),
            ("/outlet/3?page=2".to_owned(), "/outlet/3?page=4".to_owned())
        );
    }
}
