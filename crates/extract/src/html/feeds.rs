//! The feeds a web page announces (`<link rel="alternate" type="application/rss+xml" href=...>`),
//! and the site's name, for following an outlet from its homepage.

use super::dom::{Document, ROOT};
use super::text::normalise_space;

/// Media types of feeds a page may link.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// What a page says about its feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedLinks {
    /// The site's name (`og:site_name`, else the page title).
    pub site_name: Option<String>,
    /// The feeds it links, absolute, in page order, each once.
    pub feeds: Vec<String>,
}

/// The feeds a page links to and the site's name; relative links resolve against `base`.
pub fn feed_links(html: &str, base: &str) -> FeedLinks {
    let doc = Document::parse(html);
    let base = url::Url::parse(base).ok();
    let mut links = FeedLinks::default();
    let mut title = None;
    for id in doc.descendants(ROOT) {
        match doc.name(id) {
            Some("link") => {
                let rel = doc.attr(id, "rel").unwrap_or("").to_ascii_lowercase();
                let kind = doc.attr(id, "type").unwrap_or("").trim().to_ascii_lowercase();
                if !rel.split_whitespace().any(|r| r == "alternate") || !FEED_TYPES.contains(&kind.as_str()) {
                    continue;
                }
                let Some(href) = doc.attr(id, "href").map(str::trim).filter(|h| !h.is_empty()) else {
                    continue;
                };
                let absolute = match &base {
                    Some(base) => base.join(href).map(|u| u.to_string()).ok(),
                    None => url::Url::parse(href).map(|u| u.to_string()).ok(),
                };
                if let Some(feed) = absolute.filter(|f| f.starts_with("http://") || f.starts_with("https://"))
                    && !links.feeds.contains(&feed)
                {
                    links.feeds.push(feed);
                }
            }
            Some("meta") if doc.attr(id, "property") == Some("og:site_name") => {
                links.site_name = doc.attr(id, "content").map(normalise_space).filter(|n| !n.is_empty());
            }
            Some("title") if title.is_none() => {
                title = Some(normalise_space(&doc.text_content(id))).filter(|t| !t.is_empty());
            }
            _ => {}
        }
    }
    if links.site_name.is_none() {
        links.site_name = title;
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_feeds_resolved_once_with_the_site_name() {
        let page = r#"<html><head><title> Corvale  Herald — news </title>
<meta property="og:site_name" content="Corvale Herald">
<link rel="alternate" type="application/rss+xml" href="/rss.xml" title="RSS">
<link rel="alternate" type="application/atom+xml" href="https://herald.example/atom.xml">
<link rel="alternate" type="application/rss+xml" href="rss.xml">
<link rel="stylesheet" type="text/css" href="/style.css">
<link rel="alternate" hreflang="fr" href="/fr/">
</head><body></body></html>"#;
        let links = feed_links(page, "https://herald.example/");
        assert_eq!(links.site_name.as_deref(), Some("Corvale Herald"));
        assert_eq!(links.feeds, ["https://herald.example/rss.xml", "https://herald.example/atom.xml"]);
        let untitled = feed_links("<title>Wire</title>", "https://wire.example/");
        assert_eq!((untitled.site_name.as_deref(), untitled.feeds.len()), (Some("Wire"), 0));
    }
}
