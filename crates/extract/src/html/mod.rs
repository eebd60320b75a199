//! HTML pages to articles: a forgiving parser ([`dom`]), page metadata ([`meta`]) and the main text
//! ([`content`]), combined by [`extract_html`].

mod byline;
mod content;
pub mod dom;
mod entities;
mod feeds;
mod meta;
mod text;

pub use entities::decode_entities;
pub use feeds::{FeedLinks, feed_links};

use parallax_core::{Article, Block, Image};

use crate::{ExtractError, Hints, canonical_url, outlet_from_url};
use dom::Document;
use meta::PageMeta;
use text::{fold, normalise_space};

/// Extracts an article from an HTML page.
pub fn extract_html(html: &str, hints: &Hints) -> Result<Article, ExtractError> {
    let doc = Document::parse(html);
    let meta = meta::read(&doc);
    let main = content::main_text(&doc);

    let url = hints
        .url
        .clone()
        .or_else(|| meta.canonical.clone())
        .or_else(|| meta.tag("og:url").map(str::to_owned))
        .or_else(|| meta.json_ld.as_ref().and_then(|j| j.url.clone()))
        .map(|u| canonical_url(&u).unwrap_or(u));
    let title = hints.title.clone().or_else(|| choose_title(&meta));
    let mut body = main.blocks;
    if let (Some(Block::Heading { text, .. }), Some(title)) = (body.first(), &title)
        && same_text(text, title)
    {
        body.remove(0);
    }
    // Pages that render their text with scripts often carry it whole in JSON-LD: prefer that when the
    // page itself shows much less.
    if let Some(text) = meta.json_ld.as_ref().and_then(|j| j.article_body.as_deref()) {
        let declared = text.split_whitespace().count();
        let shown: usize = body.iter().map(block_words).sum();
        if declared > 0 && (shown == 0 || declared > shown * 3 / 2 + 40) {
            let text = decode_entities(text);
            body = text
                .split('\n')
                .map(normalise_space)
                .filter(|p| !p.is_empty())
                .map(|text| Block::Paragraph { text })
                .collect();
        }
    }
    if body.is_empty() {
        return Err(ExtractError::NoText);
    }

    let mut article = Article::new(String::new());
    article.body = body;
    article.title = title.unwrap_or_else(|| crate::text::derive_title(article.lead().unwrap_or_default()));
    article.outlet = hints
        .outlet
        .clone()
        .or_else(|| site_name(&meta))
        .or_else(|| url.as_deref().and_then(outlet_from_url));
    article.byline = byline::authors(&meta, article.outlet.as_deref());
    article.published = hints.published.or_else(|| meta.published(url.as_deref()));
    article.modified = meta.modified();
    article.description = meta.json_ld.as_ref().and_then(|j| j.description.clone()).or_else(|| {
        meta.first_tag(&["og:description", "description", "twitter:description"]).map(str::to_owned)
    });
    article.language = meta
        .lang
        .as_deref()
        .or_else(|| meta.tag("og:locale"))
        .and_then(|l| l.split(['-', '_']).next())
        .map(str::to_ascii_lowercase)
        .filter(|l| (2..=3).contains(&l.len()));
    article.image = lead_image(&meta, main.figure);
    article.url = url;
    Ok(article)
}

fn block_words(block: &Block) -> usize {
    block.texts().map(|t| t.split_whitespace().count()).sum()
}

/// Whether two headlines say the same, ignoring case, spacing and punctuation.
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (fold(a), fold(b));
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    !short.is_empty()
        && (short == long
            || (short.len() >= 12 && short.len() * 2 >= long.len() && long.contains(short.as_str())))
}

/// The visible headline: an `<h1>` agreeing with the declared headline, else the first `<h1>` that is
/// not the site's name; failing both, the declared headline without its site suffix.
fn choose_title(meta: &PageMeta) -> Option<String> {
    let site = site_name(meta);
    let declared: Vec<String> = [
        meta.json_ld.as_ref().and_then(|j| j.headline.clone()),
        meta.tag("og:title").map(str::to_owned),
        meta.tag("twitter:title").map(str::to_owned),
        meta.title_tag.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|t| strip_site_suffix(&t, site.as_deref()))
    .collect();
    // Names the site goes by: its declared name and what its titles carry after a separator.
    let mut site_names: Vec<String> = site.iter().cloned().collect();
    for title in [meta.title_tag.as_deref(), meta.tag("og:title")].into_iter().flatten() {
        site_names.extend(title_tail(title));
    }
    let site_keys: Vec<String> = site_names.iter().map(|s| fold(s)).collect();
    let headlines: Vec<&String> = meta
        .h1
        .iter()
        .filter(|h| h.split_whitespace().count() >= 2 && !site_keys.contains(&fold(h)))
        .collect();
    if let Some(h1) = headlines.iter().find(|h| declared.iter().any(|d| same_text(h, d))) {
        return Some((*h1).clone());
    }
    headlines.first().map(|h| (*h).clone()).or_else(|| declared.into_iter().next())
}

/// The part of a page title after its last separator ("Headline | Site" → "Site").
fn title_tail(title: &str) -> Option<String> {
    [" | ", " - ", " – ", " — ", " :: ", " · "]
        .iter()
        .find_map(|separator| title.rsplit_once(separator).map(|(_, tail)| tail.trim().to_owned()))
}

/// "Quake hits Lima | Daily Planet" → "Quake hits Lima".
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    for separator in [" | ", " - ", " – ", " — ", " :: ", " · "] {
        if let Some((head, tail)) = title.rsplit_once(separator) {
            let tail_is_site =
                site.is_some_and(|s| same_text(tail, s)) || tail.split_whitespace().count() <= 4;
            if tail_is_site && head.split_whitespace().count() >= 3 {
                return head.trim().to_owned();
            }
        }
    }
    title.to_owned()
}

fn site_name(meta: &PageMeta) -> Option<String> {
    meta.tag("og:site_name")
        .map(str::to_owned)
        .or_else(|| meta.json_ld.as_ref().and_then(|j| j.publisher.clone()))
        .or_else(|| {
            meta.first_tag(&["application-name", "publisher", "twitter:site"])
                .map(|s| s.trim_start_matches('@').to_owned())
        })
        .filter(|s| !s.is_empty())
}

fn lead_image(meta: &PageMeta, figure: Option<Image>) -> Option<Image> {
    let declared = meta
        .first_tag(&["og:image", "og:image:url", "twitter:image", "twitter:image:src"])
        .map(str::to_owned)
        .or_else(|| meta.json_ld.as_ref().and_then(|j| j.image.clone()));
    match (figure, declared) {
        (Some(mut figure), declared) => {
            if figure.url.as_deref().is_none_or(|u| !u.starts_with("http")) {
                figure.url = declared.or(figure.url);
            }
            Some(figure)
        }
        (None, Some(url)) => {
            Some(Image { url: Some(url), caption: meta.tag("og:image:alt").map(str::to_owned), credit: None })
        }
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "The council voted on Tuesday to close the old bridge, citing cracks found by inspectors, and said repairs would take a year.";

    fn page(head: &str, body: &str) -> String {
        format!("<!doctype html><html lang=\"en-US\"><head>{head}</head><body>{body}</body></html>")
    }

    #[test]
    fn a_news_page_end_to_end() {
        let html = page(
            r#"<title>Bridge closed for a year | The Daily Planet</title><meta property="og:site_name" content="The Daily Planet">
               <meta property="og:image" content="https://img.example/bridge.jpg"><link rel="canonical" href="https://daily.example/bridge?utm_source=x">
               <meta name="author" content="Lois Lane and Jimmy Olsen"><meta property="article:published_time" content="2026-02-01T10:00:00Z">"#,
            &format!(
                r#"<header><a href="/">The Daily Planet</a></header><article><h1>Bridge closed for a year</h1><p>{PROSE}</p><p>{PROSE}</p></article>"#
            ),
        );
        let a = extract_html(&html, &Hints::default()).unwrap();
        assert_eq!(a.title, "Bridge closed for a year");
        assert_eq!(a.outlet.as_deref(), Some("The Daily Planet"));
        assert_eq!(a.byline, ["Lois Lane", "Jimmy Olsen"]);
        assert_eq!(a.url.as_deref(), Some("https://daily.example/bridge"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.published.unwrap().to_rfc3339(), "2026-02-01T10:00:00+00:00");
        assert_eq!(a.image.unwrap().url.as_deref(), Some("https://img.example/bridge.jpg"));
        assert_eq!(a.body.len(), 2, "the headline is not repeated in the body");
    }

    #[test]
    fn titles_fall_back_through_the_metadata() {
        let html =
            page("<title>Storm warning issued for coast - Example News</title>", &format!("<p>{PROSE}</p>"));
        assert_eq!(extract_html(&html, &Hints::default()).unwrap().title, "Storm warning issued for coast");
        let bare = page("", &format!("<p>{PROSE}</p>"));
        assert!(
            extract_html(&bare, &Hints::default()).unwrap().title.starts_with("The council voted on Tuesday")
        );
    }

    #[test]
    fn json_ld_body_when_the_page_has_none() {
        let html = page(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","articleBody":"First para.\nSecond para."}</script>"#,
            "<div id=app></div>",
        );
        let a = extract_html(&html, &Hints::default()).unwrap();
        assert_eq!(a.body.len(), 2);
        assert!(matches!(extract_html(&page("", ""), &Hints::default()), Err(ExtractError::NoText)));
    }

    #[test]
    fn bylines_come_from_the_visible_page_last() {
        let html = page(
            "",
            &format!(r#"<p class="byline">By Ana Ruiz, Reuters</p><article><p>{PROSE}</p></article>"#),
        );
        let a = extract_html(&html, &Hints::default()).unwrap();
        assert_eq!(a.byline, ["Ana Ruiz"], "the agency is not a person");
    }
}
