//! The metadata a report's first lines carry: an image line, a headline, a date line, an `[Outlet]`
//! tag and a `City:` dateline. Each is lifted out of the body into the article's fields.

use chrono::{DateTime, FixedOffset};
use parallax_core::{Block, Image};

use crate::text::Segment;
use crate::{parse_date_line, split_caption_credit};

/// What the lead lines said.
#[derive(Debug, Default)]
pub(crate) struct Lead {
    pub image: Option<Image>,
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub outlet: Option<String>,
    pub dateline: Option<String>,
}

/// Labels that open a line with a colon but are not places.
const NOT_PLACES: [&str; 18] = [
    "update",
    "updated",
    "note",
    "editor's note",
    "breaking",
    "exclusive",
    "opinion",
    "analysis",
    "watch",
    "video",
    "summary",
    "warning",
    "correction",
    "image",
    "photo",
    "live",
    "listen",
    "read more",
];

/// Lifts lead metadata out of the first segments.
pub(crate) fn lift(segments: &mut Vec<Segment>) -> Lead {
    let mut lead = Lead::default();
    if let Some(Block::Paragraph { text }) = segments.first().map(|s| &s.block)
        && let Some(image) = image_line(text)
    {
        lead.image = Some(image);
        segments.remove(0);
    }
    lead.title = take_title(segments);
    lead.published = take_date_line(segments);
    if let Some(Segment { block: Block::Paragraph { text }, .. }) = segments.first_mut() {
        if let Some((outlet, rest)) = outlet_tag(text) {
            lead.outlet = Some(outlet);
            *text = rest;
        }
        if let Some((place, rest)) = dateline(text) {
            lead.dateline = Some(place);
            *text = rest;
        }
    }
    lead
}

/// "Image: CAPTION (Photo by CREDIT)" and its variants.
fn image_line(text: &str) -> Option<Image> {
    let (label, rest) = text.split_once(':')?;
    if !["image", "photo", "picture", "photograph", "pictured", "top image"]
        .contains(&label.trim().to_lowercase().as_str())
    {
        return None;
    }
    let (caption, credit) = split_caption_credit(rest);
    (caption.is_some() || credit.is_some()).then_some(Image { url: None, caption, credit })
}

/// A first heading, or a first line that reads as a headline because it is short and unpunctuated and
/// more text follows.
fn take_title(segments: &mut Vec<Segment>) -> Option<String> {
    let title = match &segments.first()?.block {
        Block::Heading { level: 1, text } => text.clone(),
        Block::Paragraph { text } if segments.len() > 1 && is_headline(text) => text.clone(),
        _ => return None,
    };
    segments.remove(0);
    Some(title)
}

fn is_headline(text: &str) -> bool {
    let words = text.split_whitespace().count();
    (3..=25).contains(&words)
        && text.chars().count() <= 160
        && !text.ends_with(['.', ',', ';', ':', '—', '-'])
        && !text.starts_with('[')
        && text.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '“' || c == '"')
        && parse_date_line(text).is_none()
}

/// A short line of its own near the top holding only a date: the publication date.
fn take_date_line(segments: &mut Vec<Segment>) -> Option<DateTime<FixedOffset>> {
    let position = segments.iter().take(2).position(|s| match &s.block {
        Block::Paragraph { text } => parse_date_line(text).is_some(),
        _ => false,
    })?;
    let Block::Paragraph { text } = segments.remove(position).block else {
        return None;
    };
    parse_date_line(&text)
}

/// "[People News] According to ..." → ("People News", "According to ...").
fn outlet_tag(text: &str) -> Option<(String, String)> {
    let inner_end = text.strip_prefix('[')?.find(']')? + 1;
    let name = text[1..inner_end].trim();
    let rest = &text[inner_end + 1..];
    let is_name = !name.is_empty() && name.chars().count() <= 60 && name.chars().next()?.is_uppercase();
    (is_name && !rest.starts_with('(') && !rest.trim().is_empty())
        .then(|| (name.to_owned(), rest.trim().to_owned()))
}

/// "Beijing: ...", "KYIV, Ukraine — ...", "LONDON (Reuters) - ..." → (place, the sentence after it).
fn dateline(text: &str) -> Option<(String, String)> {
    let head_end = text
        .char_indices()
        .take(60)
        .find(|&(_, c)| matches!(c, ':' | '—' | '–' | '(' | '-'))
        .map(|(i, _)| i)?;
    let separator = text[head_end..].chars().next()?;
    let place = text[..head_end].trim().trim_end_matches(',');
    let mut rest = &text[head_end + separator.len_utf8()..];
    if separator == '(' {
        // An agency in parentheses, then the dash or colon.
        let close = rest.find(')')?;
        rest = rest[close + 1..].trim_start().strip_prefix(['—', '–', '-', ':'])?;
    } else if separator == '-' && !text[..head_end].ends_with(' ') {
        return None; // "Saint-Denis" is a name, not a separator
    }
    let rest = rest.trim();
    if !is_place(place) || rest.split_whitespace().count() < 3 {
        return None;
    }
    Some((display_place(place), rest.to_owned()))
}

fn is_place(place: &str) -> bool {
    let words: Vec<&str> = place.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 4
        && place.chars().count() <= 40
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | ',' | '-'))
        })
        && !NOT_PLACES.contains(&place.to_lowercase().as_str())
}

/// "NEW YORK" → "New York"; mixed-case names stay as written.
fn display_place(place: &str) -> String {
    if place.chars().any(char::is_lowercase) {
        return place.to_owned();
    }
    crate::text::title_case(place)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Segment {
        Segment { block: Block::Paragraph { text: text.into() }, gap_before: false }
    }

    #[test]
    fn image_line_gives_caption_and_credit() {
        let image =
            image_line("Image: Chinese Foreign Minister Wang Yi. (Photo by Kevin Frayer/Getty Images)")
                .unwrap();
        assert_eq!(image.caption.as_deref(), Some("Chinese Foreign Minister Wang Yi."));
        assert_eq!(image.credit.as_deref(), Some("Kevin Frayer/Getty Images"));
        assert!(image_line("Analysis: the talks went well").is_none());
    }

    #[test]
    fn datelines_in_several_styles() {
        assert_eq!(dateline("Beijing: Officials met on Sunday.").unwrap().0, "Beijing");
        assert_eq!(dateline("NEW YORK — Stocks rose sharply today.").unwrap().0, "New York");
        assert_eq!(
            dateline("KYIV, Ukraine - Air raid sirens sounded overnight.").unwrap().0,
            "KYIV, Ukraine"
        );
        assert_eq!(dateline("LONDON (Reuters) - The pound fell again.").unwrap().1, "The pound fell again.");
        assert!(dateline("Update: the road has reopened to traffic.").is_none());
        assert!(dateline("According to the ministry: nothing changed at all.").is_none());
        assert!(dateline("Saint-Denis was quiet on Monday morning.").is_none());
    }

    #[test]
    fn outlet_tags_open_the_body() {
        let (outlet, rest) = outlet_tag("[People News] According to the ministry, talks began.").unwrap();
        assert_eq!(
            (outlet.as_str(), rest.as_str()),
            ("People News", "According to the ministry, talks began.")
        );
        assert!(outlet_tag("[link](http://x) text").is_none());
    }

    #[test]
    fn headline_and_date_lines_are_lifted() {
        let mut segments = vec![
            para("Lindsay Lohan checks into rehab center"),
            para("May 03, 2013"),
            para("After skipping out, the actress checked in."),
        ];
        let lead = lift(&mut segments);
        assert_eq!(lead.title.as_deref(), Some("Lindsay Lohan checks into rehab center"));
        assert_eq!(lead.published.unwrap().to_rfc3339(), "2013-05-03T00:00:00+00:00");
        assert_eq!(segments.len(), 1);
    }
}
