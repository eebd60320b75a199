//! Feeds read into the items Parallax follows: RSS 0.9x, 1.0 (RDF) and 2.0, Atom and JSON Feed.
//!
//! The bytes are decoded as documents are ([`parallax_extract::decode_with_label`]: byte-order mark,
//! the transport's charset, valid UTF-8, then a guess), so a feed whose XML declaration names the
//! wrong encoding still reads; the declaration is then made to say UTF-8. Each item keeps its
//! canonical link, title, times, authors, summary and full content when the feed carries it, so an
//! item whose page cannot be fetched can still be read from the feed.

use chrono::{DateTime, Utc};
use parallax_extract::{canonical_url, decode_with_label};

/// Feeds larger than this are refused before parsing.
pub const MAX_FEED_BYTES: usize = 16 * 1024 * 1024;

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// The feed is over [`MAX_FEED_BYTES`].
    #[error("the feed is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not text.
    #[error("the feed is not text: {0}")]
    NotText(#[source] parallax_extract::ExtractError),
    /// The text is not a feed of a kind Parallax reads.
    #[error("not a readable RSS, Atom or JSON feed: {0}")]
    Malformed(String),
}

/// A feed's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// RSS 0.9x.
    Rss0,
    /// RSS 1.0 (RDF).
    Rss1,
    /// RSS 2.0.
    Rss2,
    /// Atom.
    Atom,
    /// JSON Feed.
    Json,
}

/// A feed as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// Its format.
    pub format: FeedFormat,
    /// Its title (the outlet's name, as a rule).
    pub title: Option<String>,
    /// The site it belongs to.
    pub site: Option<String>,
    /// Its items, in feed order, one per link.
    pub items: Vec<FeedItem>,
}

/// One item of a feed: a report to fetch, or to read from the feed when its page cannot be had.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeedItem {
    /// The feed's id for it (a GUID, an Atom id, or its link).
    pub id: String,
    /// Its page, canonical; `None` for an item without a web link.
    pub url: Option<String>,
    pub title: Option<String>,
    /// When it was published, or else last updated.
    pub published: Option<DateTime<Utc>>,
    /// Its authors' names.
    pub authors: Vec<String>,
    /// The summary the feed gives (HTML or text).
    pub summary: Option<String>,
    /// The full content the feed carries, when it does (HTML).
    pub content: Option<String>,
}

/// Reads a feed; `charset` is the transport's (an HTTP `Content-Type` parameter), `base` the feed's
/// own URL, against which relative links resolve.
pub fn parse_feed(bytes: &[u8], charset: Option<&str>, base: Option<&str>) -> Result<Feed, FeedError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge { size: bytes.len(), limit: MAX_FEED_BYTES });
    }
    let decoded = decode_with_label(bytes, charset).map_err(FeedError::NotText)?;
    let text = declared_utf8(&decoded.text);
    let parser = feed_rs::parser::Builder::new().base_uri(base).build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| FeedError::Malformed(e.to_string()))?;
    let format = match feed.feed_type {
        feed_rs::model::FeedType::Atom => FeedFormat::Atom,
        feed_rs::model::FeedType::JSON => FeedFormat::Json,
        feed_rs::model::FeedType::RSS0 => FeedFormat::Rss0,
        feed_rs::model::FeedType::RSS1 => FeedFormat::Rss1,
        feed_rs::model::FeedType::RSS2 => FeedFormat::Rss2,
    };
    let mut items: Vec<FeedItem> = Vec::with_capacity(feed.entries.len());
    for entry in feed.entries {
        let item = item(entry);
        // A feed listing one page twice lists one report.
        if item.url.is_some() && items.iter().any(|seen| seen.url == item.url) {
            continue;
        }
        items.push(item);
    }
    Ok(Feed {
        format,
        title: feed.title.map(|t| plain(&t.content)).filter(|t| !t.is_empty()),
        site: page_link(&feed.links),
        items,
    })
}

fn item(entry: feed_rs::model::Entry) -> FeedItem {
    let url = page_link(&entry.links).or_else(|| {
        // An RSS item with no link but a permalink GUID.
        let id = entry.id.trim();
        (id.starts_with("http://") || id.starts_with("https://")).then(|| canonical(id))
    });
    FeedItem {
        id: entry.id,
        url,
        title: entry.title.map(|t| plain(&t.content)).filter(|t| !t.is_empty()),
        published: entry.published.or(entry.updated),
        authors: entry
            .authors
            .into_iter()
            .filter_map(|p| p.name)
            .map(|n| plain(&n))
            .filter(|n| !n.is_empty())
            .collect(),
        summary: entry.summary.map(|t| t.content).filter(|s| !s.trim().is_empty()),
        content: entry.content.and_then(|c| c.body).filter(|b| !b.trim().is_empty()),
    }
}

/// The page a list of links points to: the first alternate (or unlabelled) web link.
fn page_link(links: &[feed_rs::model::Link]) -> Option<String> {
    links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|rel| rel == "alternate"))
        .map(|l| l.href.trim())
        .find(|href| href.starts_with("http://") || href.starts_with("https://"))
        .map(canonical)
}

fn canonical(url: &str) -> String {
    canonical_url(url).unwrap_or_else(|| url.to_owned())
}

/// Text with white space runs made single, for titles and names.
fn plain(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text with its XML declaration, if any, naming UTF-8: the text has been decoded already, and a
/// parser that believed a declared legacy encoding would decode it twice.
fn declared_utf8(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim_start();
    let Some(end) = trimmed.strip_prefix("<?xml").and_then(|rest| rest.find("?>")) else {
        return text.into();
    };
    let declaration = &trimmed[..end + 7];
    let Some(at) = declaration.find("encoding") else { return text.into() };
    let after = &declaration[at + "encoding".len()..];
    let Some(open) = after.find(['"', '\'']) else { return text.into() };
    let quote = after.as_bytes()[open] as char;
    let Some(close) = after[open + 1..].find(quote) else { return text.into() };
    let start = text.len() - trimmed.len() + at + "encoding".len() + open + 1;
    let mut fixed = text.to_owned();
    fixed.replace_range(start..start + close, "UTF-8");
    fixed.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS2: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
  <title>Corvale  Herald</title><link>https://herald.example/</link>
  <item><title>Footbridge gives way</title><link>https://herald.example/news/bridge?utm_source=rss#top</link>
    <guid isPermaLink="false">herald-1</guid><pubDate>Sat, 14 Mar 2026 09:30:00 GMT</pubDate>
    <dc:creator>Ana Ruiz</dc:creator><description>Six killed.</description></item>
  <item><title>Same page again</title><link>https://herald.example/news/bridge</link></item>
  <item><title>No link</title><guid isPermaLink="true">https://herald.example/news/rates</guid></item>
</channel></rss>"#;

    #[test]
    fn rss_items_with_canonical_links_and_times() {
        let feed = parse_feed(RSS2.as_bytes(), None, None).unwrap();
        assert_eq!(feed.format, FeedFormat::Rss2);
        assert_eq!(feed.title.as_deref(), Some("Corvale Herald"));
        assert_eq!(feed.site.as_deref(), Some("https://herald.example/"));
        assert_eq!(feed.items.len(), 2, "the repeated page is one item: {:#?}", feed.items);
        let first = &feed.items[0];
        assert_eq!(first.url.as_deref(), Some("https://herald.example/news/bridge"));
        assert_eq!(first.id, "herald-1");
        assert_eq!(first.published.map(|t| t.to_rfc3339()).as_deref(), Some("2026-03-14T09:30:00+00:00"));
        assert_eq!(first.authors, ["Ana Ruiz"]);
        assert_eq!(first.summary.as_deref(), Some("Six killed."));
        assert_eq!(feed.items[1].url.as_deref(), Some("https://herald.example/news/rates"));
    }

    #[test]
    fn atom_rdf_and_json_feeds() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>River Gazette</title><link rel="alternate" href="https://gazette.example/"/><id>urn:g</id>
<entry><title>Bridge toll rises</title><id>urn:g:1</id><updated>2026-03-14T10:00:00Z</updated>
<link rel="alternate" href="/news/toll"/><content type="html">&lt;p&gt;Four dead.&lt;/p&gt;</content></entry></feed>"#;
        let feed = parse_feed(atom.as_bytes(), None, Some("https://gazette.example/feed.xml")).unwrap();
        assert_eq!(feed.format, FeedFormat::Atom);
        let item = &feed.items[0];
        assert_eq!(item.url.as_deref(), Some("https://gazette.example/news/toll"), "relative link resolved");
        assert_eq!(item.content.as_deref(), Some("<p>Four dead.</p>"));
        assert!(item.published.is_some(), "an updated time stands in for a missing published one");

        let rdf = r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://wire.example/"><title>Wire</title><link>https://wire.example/</link></channel>
<item rdf:about="https://wire.example/a"><title>A</title><link>https://wire.example/a</link></item></rdf:RDF>"#;
        let feed = parse_feed(rdf.as_bytes(), None, None).unwrap();
        assert_eq!(feed.format, FeedFormat::Rss1);
        assert_eq!(feed.items[0].url.as_deref(), Some("https://wire.example/a"));

        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Json Post","home_page_url":"https://json.example/",
"items":[{"id":"1","url":"https://json.example/p/1","title":"Hello","content_html":"<p>Hi</p>","date_published":"2026-03-14T08:00:00Z","authors":[{"name":"Lee"}]}]}"#;
        let feed = parse_feed(json.as_bytes(), None, None).unwrap();
        assert_eq!(feed.format, FeedFormat::Json);
        assert_eq!(feed.items[0].url.as_deref(), Some("https://json.example/p/1"));
        assert_eq!(feed.items[0].authors, ["Lee"]);
    }

    #[test]
    fn a_wrongly_declared_encoding_still_reads() {
        // Declared UTF-8, written in Latin-1: "Málaga" with é as one byte.
        let mut bytes =
            br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Diario</title>
<item><title>M"#
                .to_vec();
        bytes.push(0xe1);
        bytes.extend_from_slice(b"laga</title><link>https://diario.example/m</link></item></channel></rss>");
        let feed = parse_feed(&bytes, None, None).unwrap();
        assert_eq!(feed.items[0].title.as_deref(), Some("Málaga"));
        // Declared Latin-1 and written so.
        let latin = [b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Diario</title><item><title>M".as_slice(), &[0xe1], b"laga</title><link>https://diario.example/m</link></item></channel></rss>"].concat();
        assert_eq!(parse_feed(&latin, None, None).unwrap().items[0].title.as_deref(), Some("Málaga"));
    }

    #[test]
    fn malformed_and_oversized_feeds_are_refused_with_a_reason() {
        let error = parse_feed(b"<rss><channel><item><title>Broken", None, None).unwrap_err();
        assert!(matches!(error, FeedError::Malformed(_)), "{error}");
        assert!(matches!(
            parse_feed(b"<html><body>Not a feed</body></html>", None, None),
            Err(FeedError::Malformed(_))
        ));
        let huge = vec![b' '; MAX_FEED_BYTES + 1];
        assert!(matches!(parse_feed(&huge, None, None), Err(FeedError::TooLarge { .. })));
    }
}
