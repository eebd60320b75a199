//! Page metadata: `<meta>` tags (OpenGraph, `article:*`, Dublin Core, Parsely), JSON-LD `NewsArticle`
//! objects, `<link rel=canonical>`, `<html lang>`, `<title>`, `<time>` elements and bylines.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset};
use serde_json::Value;

use super::dom::{Document, ROOT};
use super::text::{class_tokens, normalise_space};
use crate::{WrittenDate, find_written_date, parse_datetime};

/// What a page says about itself outside its main text.
#[derive(Debug, Default)]
pub struct PageMeta {
    /// `<meta>` values by lower-cased `name`, `property` or `itemprop`; the first of each wins.
    pub tags: HashMap<String, String>,
    /// The JSON-LD article object, if any.
    pub json_ld: Option<JsonLdArticle>,
    /// `<title>` text.
    pub title_tag: Option<String>,
    /// `<link rel=canonical>`.
    pub canonical: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `datetime` of the first `<time>` element that has one (or of an element marked `datePublished`).
    pub first_time: Option<String>,
    /// Text of the first byline-looking element.
    pub byline: Option<String>,
    /// Text of the `<h1>` elements, in order.
    pub h1: Vec<String>,
    /// The first date shown in a date-like element (a `<time>`, or a class naming a date or byline).
    pub visible_date: Option<WrittenDate>,
    /// A date printed in the few elements right after the first `<h1>`, however they are marked.
    pub headline_date: Option<WrittenDate>,
}

/// The fields of a JSON-LD article object.
#[derive(Debug, Default)]
pub struct JsonLdArticle {
    pub headline: Option<String>,
    pub date_published: Option<String>,
    pub date_modified: Option<String>,
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    pub image: Option<String>,
    pub article_body: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

const ARTICLE_TYPES: [&str; 9] = [
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "webpage",
];

/// Reads a page's metadata.
pub fn read(doc: &Document) -> PageMeta {
    let mut meta = PageMeta::default();
    let mut walk = doc.descendants(ROOT);
    while let Some(id) = walk.next() {
        let Some(name) = doc.name(id) else { continue };
        match name {
            "meta" => {
                let key = doc
                    .attr(id, "property")
                    .or_else(|| doc.attr(id, "name"))
                    .or_else(|| doc.attr(id, "itemprop"));
                if let (Some(key), Some(content)) = (key, doc.attr(id, "content")) {
                    let content = normalise_space(content);
                    if !content.is_empty() {
                        meta.tags.entry(key.to_ascii_lowercase()).or_insert(content);
                    }
                }
            }
            "title" if meta.title_tag.is_none() => {
                meta.title_tag = Some(normalise_space(&doc.text_content(id))).filter(|t| !t.is_empty());
            }
            "link" if doc.attr(id, "rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) => {
                meta.canonical = meta.canonical.take().or_else(|| doc.attr(id, "href").map(str::to_owned));
            }
            "html" => meta.lang = doc.attr(id, "lang").map(str::to_owned).filter(|l| !l.is_empty()),
            "script" => {
                if doc.attr(id, "type").is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json"))
                    && meta.json_ld.as_ref().is_none_or(|j| j.headline.is_none())
                    && let Ok(value) = serde_json::from_str::<Value>(doc.text_content(id).trim())
                    && let Some(found) = find_article(&value)
                {
                    meta.json_ld = Some(found);
                }
                walk.skip_subtree(id);
            }
            "style" | "noscript" | "template" => walk.skip_subtree(id),
            "time" if meta.first_time.is_none() => {
                meta.first_time = doc.attr(id, "datetime").map(str::to_owned)
            }
            "h1" => {
                meta.h1.push(normalise_space(&doc.text_content(id)));
                if meta.headline_date.is_none() {
                    meta.headline_date = date_after_headline(doc, id, meta.lang.as_deref());
                }
            }
            _ => {}
        }
        if doc.attr(id, "itemprop").is_some_and(|p| p == "datePublished") && name != "meta" {
            let value = doc.attr(id, "datetime").or_else(|| doc.attr(id, "content")).map(str::to_owned);
            meta.tags
                .entry("itemprop:datepublished".into())
                .or_insert_with(|| value.unwrap_or_else(|| doc.text_content(id)));
        }
        // Class words are only needed until both a date and a byline are found.
        let tokens = if meta.visible_date.is_none() || meta.byline.is_none() {
            class_tokens(doc, id)
        } else {
            Vec::new()
        };
        if meta.visible_date.is_none() && is_date_like(doc, id, name, &tokens) {
            let text = normalise_space(&doc.text_content(id));
            if text.len() < 160 {
                meta.visible_date = find_written_date(&text, day_first(meta.lang.as_deref()))
                    .filter(|d| (1990..=2100).contains(&d.date.year()));
            }
        }
        if meta.byline.is_none() && is_byline(doc, id, &tokens) {
            let text = normalise_space(&doc.text_content(id));
            if (3..200).contains(&text.len()) {
                meta.byline = Some(text);
            }
        }
    }
    meta
}

/// Class words of elements that show a publication date.
const DATE_WORDS: [&str; 12] = [
    "date",
    "time",
    "published",
    "pubdate",
    "timestamp",
    "posted",
    "dateline",
    "byline",
    "meta",
    "datetime",
    "updated",
    "info",
];

/// Month-first numeric dates are an American habit; elsewhere the day comes first.
fn day_first(lang: Option<&str>) -> bool {
    !lang.is_none_or(|l| l.eq_ignore_ascii_case("en-us") || l.eq_ignore_ascii_case("en"))
}

/// The first date written in the three elements after a headline (where bylines and datelines sit).
fn date_after_headline(doc: &Document, h1: super::dom::NodeId, lang: Option<&str>) -> Option<WrittenDate> {
    let parent = doc.node(h1).parent;
    doc.children(parent)
        .skip_while(|&c| c != h1)
        .skip(1)
        .filter(|&c| doc.name(c).is_some())
        .take(3)
        .find_map(|c| {
            let text = normalise_space(&doc.text_content(c));
            (text.len() < 200).then(|| find_written_date(&text, day_first(lang)))?
        })
        .filter(|d| (1990..=2100).contains(&d.date.year()))
}

fn is_date_like(doc: &Document, id: super::dom::NodeId, name: &str, tokens: &[String]) -> bool {
    // Class words run together in camel case ("datePublished", "postDate"), so look inside them.
    let marked = name == "time" || tokens.iter().any(|t| DATE_WORDS.iter().any(|w| t.contains(w)));
    // Dates in footers and sidebars belong to other stories or to the copyright line.
    marked && !doc.ancestors(id).take(12).any(|a| matches!(doc.name(a), Some("footer" | "aside" | "nav")))
}

fn is_byline(doc: &Document, id: super::dom::NodeId, tokens: &[String]) -> bool {
    if doc.attr(id, "rel").is_some_and(|r| r == "author")
        || doc.attr(id, "itemprop").is_some_and(|p| p == "author")
    {
        return true;
    }
    tokens.iter().any(|t| t == "byline" || t == "author" || t == "authors")
        && !tokens.iter().any(|t| matches!(t.as_str(), "bio" | "avatar" | "image" | "img" | "photo" | "box"))
}

/// Finds the article object in a JSON-LD value: directly, in an array, or in an `@graph`.
fn find_article(value: &Value) -> Option<JsonLdArticle> {
    match value {
        Value::Array(items) => {
            let found: Vec<JsonLdArticle> = items.iter().filter_map(find_article).collect();
            found.into_iter().max_by_key(|a| (a.headline.is_some(), a.date_published.is_some()))
        }
        Value::Object(map) => {
            if let Some(graph) = map.get("@graph")
                && let Some(found) = find_article(graph)
            {
                return Some(found);
            }
            let types: Vec<String> = match map.get("@type") {
                Some(Value::String(t)) => vec![t.to_ascii_lowercase()],
                Some(Value::Array(ts)) => {
                    ts.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect()
                }
                _ => Vec::new(),
            };
            if !types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                return map.get("mainEntity").and_then(find_article);
            }
            let text = |key: &str| {
                map.get(key).and_then(string_of).map(|s| normalise_space(&s)).filter(|s| !s.is_empty())
            };
            Some(JsonLdArticle {
                headline: text("headline").or_else(|| text("name")),
                date_published: text("datePublished").or_else(|| text("dateCreated")),
                date_modified: text("dateModified"),
                authors: map.get("author").map(names_of).unwrap_or_default(),
                publisher: map.get("publisher").and_then(|p| names_of(p).into_iter().next()),
                image: map.get("image").and_then(url_of),
                article_body: map.get("articleBody").and_then(Value::as_str).map(str::to_owned),
                description: text("description"),
                url: text("url"),
            })
        }
        _ => None,
    }
}

fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(super::decode_entities(s)),
        Value::Array(items) => items.iter().find_map(string_of),
        _ => None,
    }
}

/// Names from a person or organisation value: a string, an object with `name`, or a list of them.
fn names_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![normalise_space(&super::decode_entities(s))],
        Value::Object(map) => {
            map.get("name").and_then(string_of).map(|n| vec![normalise_space(&n)]).unwrap_or_default()
        }
        Value::Array(items) => items.iter().flat_map(names_of).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|n| !n.is_empty())
    .collect()
}

fn url_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map.get("url").or_else(|| map.get("contentUrl")).and_then(url_of),
        Value::Array(items) => items.iter().find_map(url_of),
        _ => None,
    }
}

impl PageMeta {
    /// A meta tag's value.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).map(String::as_str)
    }

    /// The first of several meta tags that is present.
    pub fn first_tag(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.tag(k))
    }

    /// The publication time from the strongest source that gives one.
    pub fn published(&self, url: Option<&str>) -> Option<DateTime<FixedOffset>> {
        const KEYS: [&str; 16] = [
            "article:published_time",
            "og:article:published_time",
            "datepublished",
            "itemprop:datepublished",
            "parsely-pub-date",
            "sailthru.date",
            "dc.date.issued",
            "dcterms.created",
            "dc.date",
            "dcterms.date",
            "publish-date",
            "publishdate",
            "pubdate",
            "date",
            "article.published",
            "cxenseparse:recs:publishtime",
        ];
        let json = self.json_ld.as_ref().and_then(|j| j.date_published.as_deref());
        let all: Vec<DateTime<FixedOffset>> = json
            .into_iter()
            .chain(KEYS.iter().filter_map(|k| self.tag(k)))
            .chain(self.first_time.as_deref())
            .filter_map(plausible)
            .collect();
        // Sources disagree when a template mislabels its zone; a printed instant settles it.
        let visible = self.visible_date.or(self.headline_date);
        let printed = visible.and_then(|v| v.instant());
        let agreeing = printed.and_then(|p| all.iter().find(|t| (**t - p).num_minutes().abs() <= 10));
        let declared = agreeing.or(all.first()).copied();
        match (declared, visible) {
            // A declared date without a time of day ("November 19, 2019") yields to the printed time of
            // that same day.
            (Some(t), Some(visible))
                if t.time() == chrono::NaiveTime::MIN
                    && t.offset().local_minus_utc() == 0
                    && visible.date == t.date_naive()
                    && visible.instant().is_some() =>
            {
                visible.instant()
            }
            // The page's own zone, when it prints one, is the one its readers see.
            (Some(t), Some(WrittenDate { offset: Some(offset), .. })) => Some(t.with_timezone(&offset)),
            // A printed local time beside a declared instant gives the zone away.
            (Some(t), Some(WrittenDate { date, time: Some(time), offset: None })) => {
                Some(implied_offset(t, date.and_time(time)).map_or(t, |offset| t.with_timezone(&offset)))
            }
            (Some(t), _) => Some(t),
            (None, Some(visible)) => Some(visible.instant().unwrap_or_else(|| {
                visible
                    .date
                    .and_hms_opt(0, 0, 0)
                    .map_or_else(Default::default, |t| t.and_utc().fixed_offset())
            })),
            (None, None) => url.and_then(date_in_url),
        }
    }

    /// The last-modified time, if stated.
    pub fn modified(&self) -> Option<DateTime<FixedOffset>> {
        let json = self.json_ld.as_ref().and_then(|j| j.date_modified.as_deref());
        json.into_iter()
            .chain(
                ["article:modified_time", "og:updated_time", "datemodified", "dcterms.modified"]
                    .iter()
                    .filter_map(|k| self.tag(k)),
            )
            .find_map(plausible)
    }
}

/// The zone in which `instant` reads as `local`, if the difference is a real zone's offset (whole quarter
/// hours, at most 14 hours, give or take the two minutes between writing the two times).
fn implied_offset(instant: DateTime<FixedOffset>, local: chrono::NaiveDateTime) -> Option<FixedOffset> {
    let minutes = (local - instant.naive_utc()).num_seconds() as f64 / 60.0;
    let quarters = (minutes / 15.0).round();
    let off_by = (minutes - quarters * 15.0).abs();
    (off_by <= 2.0 && quarters.abs() <= 56.0)
        .then(|| FixedOffset::east_opt(quarters as i32 * 15 * 60))
        .flatten()
}

/// A date that can be a web page's: placeholders such as `0001-01-01` are not.
fn plausible(raw: &str) -> Option<DateTime<FixedOffset>> {
    parse_datetime(raw).filter(|t| (1990..=2100).contains(&t.year()))
}

/// A date written into a URL path: `/2019/11/08/`, `/2019-11-08/`, `/20191108/`.
pub fn date_in_url(url: &str) -> Option<DateTime<FixedOffset>> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let parts: Vec<&str> = path.split(['/', '-', '_', '.']).collect();
    for window in parts.windows(3) {
        if let [y, m, d] = window
            && y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
            && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
            && (1990..=2100).contains(&y)
            && let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d)
        {
            return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().fixed_offset());
        }
    }
    parts.iter().find_map(|p| {
        if p.len() != 8 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let date = chrono::NaiveDate::parse_from_str(p, "%Y%m%d").ok()?;
        (1990..=2100)
            .contains(&date.year())
            .then(|| date.and_hms_opt(0, 0, 0))?
            .map(|t| t.and_utc().fixed_offset())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_tags_and_json_ld() {
        let html = r#"<html lang="en-GB"><head><title>Quake hits Lima | Daily</title>
            <meta property="og:site_name" content="Daily Planet">
            <meta name="article:published_time" content="2026-02-01T10:00:00Z">
            <link rel="canonical" href="https://daily.example/quake">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Daily"},
              {"@type":["NewsArticle"],"headline":"Quake hits Lima","datePublished":"2026-02-01T09:00:00Z",
               "author":[{"@type":"Person","name":"Ana Ruiz"},{"name":"Bo Li"}],"publisher":{"name":"Daily Planet"},
               "image":{"url":"https://daily.example/q.jpg"}}]}</script></head>
            <body><h1>Quake hits Lima</h1><time datetime="2026-02-01">1 Feb</time></body></html>"#;
        let doc = Document::parse(html);
        let meta = read(&doc);
        assert_eq!(meta.title_tag.as_deref(), Some("Quake hits Lima | Daily"));
        assert_eq!(meta.tag("og:site_name"), Some("Daily Planet"));
        assert_eq!(meta.canonical.as_deref(), Some("https://daily.example/quake"));
        assert_eq!(meta.lang.as_deref(), Some("en-GB"));
        let ld = meta.json_ld.as_ref().unwrap();
        assert_eq!(ld.authors, ["Ana Ruiz", "Bo Li"]);
        assert_eq!(ld.image.as_deref(), Some("https://daily.example/q.jpg"));
        assert_eq!(meta.published(None).unwrap().to_rfc3339(), "2026-02-01T09:00:00+00:00", "JSON-LD first");
        assert_eq!(meta.h1, ["Quake hits Lima"]);
    }

    #[test]
    fn dates_from_time_elements_and_urls() {
        let doc =
            Document::parse(r#"<p>Posted <time datetime="2019-11-08T14:00:00+01:00">Friday</time></p>"#);
        assert_eq!(read(&doc).published(None).unwrap().to_rfc3339(), "2019-11-08T14:00:00+01:00");
        let none = read(&Document::parse("<p>no dates</p>"));
        let from_url = none.published(Some("https://www.vox.com/science/2019/11/8/20948348/delhi")).unwrap();
        assert_eq!(from_url.date_naive().to_string(), "2019-11-08");
        assert_eq!(
            date_in_url("https://x.com/news/20191108-storm").unwrap().date_naive().to_string(),
            "2019-11-08"
        );
        assert!(date_in_url("https://x.com/item/12345678").is_none());
    }

    #[test]
    fn printed_dates_under_the_headline_and_zones_from_printed_times() {
        let doc = Document::parse(
            r#"<html lang="pt-BR"><h1>Chuva forte</h1><small><b>05/10/2018</b> - Publicado por Ana</small><p>Texto.</p>"#,
        );
        assert_eq!(
            read(&doc).published(None).unwrap().date_naive().to_string(),
            "2018-10-05",
            "day first outside the US"
        );
        let doc = Document::parse(
            r#"<meta property="article:published_time" content="2019-11-20T01:50:59Z"><div class="ArticlePage-datePublished">Nov. 19, 2019 5:50 PM</div>"#,
        );
        assert_eq!(
            read(&doc).published(None).unwrap().to_rfc3339(),
            "2019-11-19T17:50:59-08:00",
            "the printed local time gives the zone"
        );
    }

    #[test]
    fn bylines_are_found_by_markup() {
        let doc = Document::parse(
            r#"<div class="author-bio">Writes about things</div><span class="byline">By Jane Doe</span>"#,
        );
        assert_eq!(read(&doc).byline.as_deref(), Some("By Jane Doe"));
    }
}
