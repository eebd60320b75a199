//! Machine-readable documents about the site: Atom 1.0 feeds (RFC 4287) and sitemaps (sitemaps.org
//! protocol 0.9), written as text, plus `tag:` URIs (RFC 4151) for entry ids that never change.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The name a feed gives as its author, so entries without their own authors stay valid Atom.
const FEED_AUTHOR: &str = "Parallax";
/// The sitemap protocol's limit on addresses per file.
pub(crate) const SITEMAP_MAX_URLS: usize = 50_000;

/// An Atom feed.
pub(crate) struct Feed {
    /// A permanent IRI naming the feed.
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub updated: DateTime<Utc>,
    /// Where the feed itself is served.
    pub self_href: String,
    /// The HTML page the feed follows.
    pub alternate_href: String,
    pub entries: Vec<Entry>,
}

/// One entry of an [`Feed`].
pub(crate) struct Entry {
    /// A permanent IRI naming the entry; see [`tag_uri`].
    pub id: String,
    pub title: String,
    /// The HTML page of the entry.
    pub href: String,
    pub updated: DateTime<Utc>,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    /// Plain text; left out when empty.
    pub summary: String,
    pub categories: Vec<String>,
}

/// The feed as an Atom 1.0 document.
pub(crate) fn write_feed(feed: &Feed) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut out, 1, "id", &feed.id);
    element(&mut out, 1, "title", &feed.title);
    if let Some(subtitle) = feed.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        element(&mut out, 1, "subtitle", subtitle);
    }
    element(&mut out, 1, "updated", &rfc3339(feed.updated));
    link(&mut out, 1, "self", "application/atom+xml", &feed.self_href);
    link(&mut out, 1, "alternate", "text/html", &feed.alternate_href);
    out.push_str(&format!("  <author><name>{FEED_AUTHOR}</name></author>\n"));
    out.push_str(&format!("  <generator>{FEED_AUTHOR}</generator>\n"));
    for entry in &feed.entries {
        write_entry(&mut out, entry);
    }
    out.push_str("</feed>\n");
    out
}

fn write_entry(out: &mut String, entry: &Entry) {
    out.push_str("  <entry>\n");
    element(out, 2, "id", &entry.id);
    element(out, 2, "title", &entry.title);
    link(out, 2, "alternate", "text/html", &entry.href);
    if let Some(published) = entry.published {
        element(out, 2, "published", &rfc3339(published));
    }
    element(out, 2, "updated", &rfc3339(entry.updated));
    for author in entry.authors.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        out.push_str(&format!("    <author><name>{}</name></author>\n", xml_escape(author)));
    }
    // Atom requires a non-empty term, and repeating one says nothing more.
    let mut seen: Vec<&str> = Vec::new();
    for term in entry.categories.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !seen.contains(&term) {
            seen.push(term);
            out.push_str(&format!("    <category term=\"{}\"/>\n", xml_escape(term)));
        }
    }
    if !entry.summary.trim().is_empty() {
        out.push_str(&format!("    <summary type=\"text\">{}</summary>\n", xml_escape(&entry.summary)));
    }
    out.push_str("  </entry>\n");
}

/// A sitemap of absolute page addresses, each with the time it last changed when known. Only the
/// first [`SITEMAP_MAX_URLS`] are written, since crawlers reject longer files.
pub(crate) fn write_sitemap(urls: &[(String, Option<DateTime<Utc>>)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (loc, lastmod) in urls.iter().take(SITEMAP_MAX_URLS) {
        out.push_str(&format!("  <url><loc>{}</loc>", xml_escape(loc.trim())));
        if let Some(lastmod) = lastmod {
            out.push_str(&format!("<lastmod>{}</lastmod>", rfc3339(*lastmod)));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// A `tag:` URI (RFC 4151), e.g. `tag:example.org,2026-02-01:story/42`. The same arguments always
/// give the same URI, which is what feed readers need to recognise an entry they have seen; `date`
/// should be a day the authority was held, fixed forever for a given thing, not its update time.
pub(crate) fn tag_uri(authority: &str, date: NaiveDate, specific: &str) -> String {
    let authority: String = authority
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '@'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut uri = format!("tag:{authority},{}:", date.format("%Y-%m-%d"));
    for byte in specific.bytes() {
        let kept = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
                    | b'?'
            );
        if kept {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// `2026-02-01T08:00:00Z`: RFC 3339 as Atom wants, and a W3C date-time as sitemaps want.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn element(out: &mut String, depth: usize, name: &str, text: &str) {
    out.push_str(&format!("{:indent$}<{name}>{}</{name}>\n", "", xml_escape(text), indent = depth * 2));
}

fn link(out: &mut String, depth: usize, rel: &str, media_type: &str, href: &str) {
    out.push_str(&format!(
        "{:indent$}<link rel=\"{rel}\" type=\"{media_type}\" href=\"{}\"/>\n",
        "",
        xml_escape(href.trim()),
        indent = depth * 2
    ));
}

/// Text safe in an element or a quoted attribute. Characters XML 1.0 forbids (most controls,
/// U+FFFE/U+FFFF) would make the whole document unreadable, so they are dropped; so are DEL and
/// the C1 controls, which XML discourages and which never belong in a headline.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_tree::Node;
    use chrono::TimeZone;

    /// The root element; panics unless the document is well-formed and starts with an XML
    /// declaration.
    fn parse(xml: &str) -> Node {
        let (root, declared) = crate::xml_tree::parse(xml);
        assert!(declared, "no XML declaration");
        root
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, day, hour, 0, 0).single().expect("valid time")
    }

    fn entry(title: &str) -> Entry {
        Entry {
            id: "tag:parallax.example,2026-02-01:story/1".into(),
            title: title.into(),
            href: "https://parallax.example/story/1".into(),
            updated: at(2, 10),
            published: Some(at(1, 8)),
            authors: vec!["Ana Ruiz".into(), "  ".into()],
            summary: "Three outlets report the bridge closure.".into(),
            categories: vec!["Transport".into(), "Transport".into(), String::new()],
        }
    }

    fn feed(entries: Vec<Entry>) -> Feed {
        Feed {
            id: "https://parallax.example/".into(),
            title: "Parallax: latest stories".into(),
            subtitle: Some("One story, every outlet".into()),
            updated: at(2, 10),
            self_href: "https://parallax.example/feed.atom".into(),
            alternate_href: "https://parallax.example/".into(),
            entries,
        }
    }

    fn parsed_time(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("RFC 3339").with_timezone(&Utc)
    }

    #[test]
    fn feed_has_the_required_elements() {
        let xml = write_feed(&feed(vec![entry("Bridge closed")]));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        let root = parse(&xml);
        assert_eq!(root.name, "feed");
        assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2005/Atom"));
        assert_eq!(root.text_of("id"), "https://parallax.example/");
        assert_eq!(root.text_of("title"), "Parallax: latest stories");
        assert_eq!(root.text_of("subtitle"), "One story, every outlet");
        assert_eq!(parsed_time(root.text_of("updated")), at(2, 10));
        assert_eq!(root.text_of("updated"), "2026-02-02T10:00:00Z");
        let links = root.children("link");
        let self_link = links.iter().find(|l| l.attr("rel") == Some("self")).expect("self link");
        assert_eq!(self_link.attr("type"), Some("application/atom+xml"));
        assert_eq!(self_link.attr("href"), Some("https://parallax.example/feed.atom"));
        let alternate = links.iter().find(|l| l.attr("rel") == Some("alternate")).expect("alternate");
        assert_eq!(alternate.attr("type"), Some("text/html"));
        assert_eq!(root.child("author").expect("author").text_of("name"), "Parallax");

        let entries = root.children("entry");
        assert_eq!(entries.len(), 1);
        let e = entries[0];
        assert_eq!(e.text_of("id"), "tag:parallax.example,2026-02-01:story/1");
        assert_eq!(e.text_of("title"), "Bridge closed");
        let link = e.child("link").expect("link");
        assert_eq!(link.attr("href"), Some("https://parallax.example/story/1"));
        assert_eq!(link.attr("rel"), Some("alternate"));
        assert_eq!(parsed_time(e.text_of("published")), at(1, 8));
        assert_eq!(parsed_time(e.text_of("updated")), at(2, 10));
        let authors = e.children("author");
        assert_eq!(authors.len(), 1, "blank authors are dropped");
        assert_eq!(authors[0].text_of("name"), "Ana Ruiz");
        let terms: Vec<Option<&str>> = e.children("category").iter().map(|c| c.attr("term")).collect();
        assert_eq!(terms, [Some("Transport")]);
        assert_eq!(e.text_of("summary"), "Three outlets report the bridge closure.");
    }

    #[test]
    fn text_is_escaped() {
        let mut item = entry("Tom & Jerry <3 \"quoted\" 'single'");
        item.categories = vec!["R&D <lab>".into()];
        item.href = "https://parallax.example/search?q=a&page=2".into();
        let mut f = feed(vec![item]);
        f.title = "<b>Bold</b> & brash".into();
        let xml = write_feed(&f);
        assert!(!xml.contains("<b>"));
        let root = parse(&xml);
        assert_eq!(root.text_of("title"), "<b>Bold</b> & brash");
        let e = root.child("entry").expect("entry");
        assert_eq!(e.text_of("title"), "Tom & Jerry <3 \"quoted\" 'single'");
        assert_eq!(e.child("category").and_then(|c| c.attr("term")), Some("R&D <lab>"));
        assert_eq!(
            e.child("link").and_then(|l| l.attr("href")),
            Some("https://parallax.example/search?q=a&page=2")
        );
    }

    #[test]
    fn illegal_characters_are_removed() {
        let mut item = entry("Bad\u{0}\u{1}\u{8}\u{b}\u{c}\u{1b} title\u{fffe}\u{ffff}\u{85}");
        item.summary = "Line one\nline two\ttabbed\r\n".into();
        let xml = write_feed(&feed(vec![item]));
        assert!(!xml.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')));
        let root = parse(&xml);
        let e = root.child("entry").expect("entry");
        assert_eq!(e.text_of("title"), "Bad title");
        assert_eq!(e.text_of("summary"), "Line one\nline two\ttabbed\n");
    }

    #[test]
    fn empty_feed_is_still_valid() {
        let mut f = feed(Vec::new());
        f.subtitle = None;
        let root = parse(&write_feed(&f));
        assert!(root.child("entry").is_none());
        assert!(root.child("subtitle").is_none());
        for required in ["id", "title", "updated", "author", "link"] {
            assert!(root.child(required).is_some(), "missing <{required}>");
        }
    }

    #[test]
    fn optional_entry_parts_are_left_out() {
        let mut item = entry("Quiet");
        item.published = None;
        item.authors.clear();
        item.categories.clear();
        item.summary = "  ".into();
        let root = parse(&write_feed(&feed(vec![item])));
        let e = root.child("entry").expect("entry");
        for absent in ["published", "author", "category", "summary"] {
            assert!(e.child(absent).is_none(), "unexpected <{absent}>");
        }
        assert!(root.child("author").is_some(), "the feed-level author covers the entry");
    }

    #[test]
    fn sitemap_lists_addresses_and_change_times() {
        let urls = vec![
            ("https://parallax.example/".to_owned(), Some(at(2, 10))),
            ("https://parallax.example/search?q=a&b=<c>".to_owned(), None),
        ];
        let xml = write_sitemap(&urls);
        let root = parse(&xml);
        assert_eq!(root.name, "urlset");
        assert_eq!(root.attr("xmlns"), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
        let entries = root.children("url");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].text_of("loc"), "https://parallax.example/");
        assert_eq!(entries[0].text_of("lastmod"), "2026-02-02T10:00:00Z");
        assert_eq!(entries[1].text_of("loc"), "https://parallax.example/search?q=a&b=<c>");
        assert!(entries[1].child("lastmod").is_none());

        let empty = parse(&write_sitemap(&[]));
        assert!(empty.children.is_empty());
    }

    #[test]
    fn sitemaps_stop_at_the_protocol_limit() {
        let urls: Vec<(String, Option<DateTime<Utc>>)> = (0..SITEMAP_MAX_URLS + 3)
            .map(|i| (format!("https://parallax.example/story/{i}"), None))
            .collect();
        let xml = write_sitemap(&urls);
        assert_eq!(xml.matches("<url>").count(), SITEMAP_MAX_URLS);
    }

    #[test]
    fn tag_uris_are_stable_and_escaped() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 1).expect("valid date");
        let uri = tag_uri("Parallax.Example", day, "story/42");
        assert_eq!(uri, "tag:parallax.example,2026-02-01:story/42");
        assert_eq!(uri, tag_uri("Parallax.Example", day, "story/42"));
        assert_eq!(
            tag_uri("parallax.example", day, "a b%c#d<é"),
            "tag:parallax.example,2026-02-01:a%20b%25c%23d%3C%C3%A9"
        );
    }
}
