//! Page junk after the article: a theme's demo comment thread, share prompts, copyright lines.
//!
//! The signals are general: the junk is a run of short one-line blocks at the very end, after an
//! article of real paragraphs, and most of its lines read as chatter or page furniture (exclamations,
//! first and second person, thanks and pleas, words about comments, ratings, sharing and themes).

use parallax_core::Block;

use crate::text::Segment;

/// A trailing line longer than this is article prose, not chatter.
const SHORT_LINE_CHARS: usize = 120;
/// A paragraph longer than this shows there is an article before the trailing run.
const ARTICLE_PARAGRAPH_CHARS: usize = 160;
/// Share of chatter lines that makes a trailing run junk.
const CHATTER_SHARE: f32 = 0.6;

/// Words that mark a line as addressed to or from a commenter.
const CHAT_WORDS: [&str; 16] = [
    "i", "i'm", "i’m", "i've", "me", "my", "you", "you're", "you’re", "your", "thank", "thanks", "welcome",
    "please", "lol", "yes",
];

/// Words about the page itself rather than the event.
const PAGE_WORDS: [&str; 22] = [
    "comment",
    "comments",
    "reply",
    "replies",
    "share",
    "subscribe",
    "newsletter",
    "login",
    "cookie",
    "cookies",
    "rating",
    "ratings",
    "rate",
    "theme",
    "themes",
    "template",
    "templates",
    "advertisement",
    "sponsored",
    "copyright",
    "loading",
    "download",
];

/// Single closing lines that are page furniture whatever precedes them.
const FURNITURE_PREFIXES: [&str; 9] = [
    "share this",
    "advertisement",
    "copyright",
    "©",
    "all rights reserved",
    "read more",
    "related:",
    "follow us",
    "subscribe to",
];

/// Removes trailing junk from the body, leaving at least the article's own blocks.
pub(crate) fn drop_trailing(segments: &mut Vec<Segment>) {
    while let Some(last) = segments.last().and_then(paragraph_text)
        && FURNITURE_PREFIXES.iter().any(|p| last.to_lowercase().starts_with(p))
        && segments.len() > 1
    {
        segments.pop();
    }

    let run_start = segments.iter().rposition(|s| !is_short_line(s)).map_or(0, |i| i + 1);
    let has_article_before = segments[..run_start]
        .iter()
        .any(|s| paragraph_text(s).is_some_and(|t| t.chars().count() > ARTICLE_PARAGRAPH_CHARS));
    if !has_article_before {
        return;
    }
    // Prefer to cut where the layout already broke (a blank line), so a short last sentence of the
    // article stays when the junk after it is set apart.
    let gaps = (run_start..segments.len()).filter(|&i| segments[i].gap_before);
    for start in gaps.chain([run_start]) {
        let run = &segments[start..];
        if run.len() >= 2 && chatter_share(run) >= CHATTER_SHARE {
            segments.truncate(start);
            return;
        }
    }
}

fn paragraph_text(segment: &Segment) -> Option<&str> {
    match &segment.block {
        Block::Paragraph { text } => Some(text),
        _ => None,
    }
}

/// One short line with at most one sentence in it.
fn is_short_line(segment: &Segment) -> bool {
    paragraph_text(segment).is_some_and(|t| {
        let inner_stops = t.trim_end_matches(['.', '!', '?']).matches(['.', '!', '?']).count();
        t.chars().count() <= SHORT_LINE_CHARS && inner_stops == 0
    })
}

fn chatter_share(run: &[Segment]) -> f32 {
    let chatter = run.iter().filter_map(paragraph_text).filter(|t| is_chatter(t)).count();
    chatter as f32 / run.len() as f32
}

fn is_chatter(line: &str) -> bool {
    if line.trim_end().ends_with('!') {
        return true;
    }
    line.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(str::to_lowercase)
        .any(|w| CHAT_WORDS.contains(&w.as_str()) || PAGE_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(lines: &[(&str, bool)]) -> Vec<Segment> {
        lines
            .iter()
            .map(|(t, gap)| Segment { block: Block::Paragraph { text: (*t).into() }, gap_before: *gap })
            .collect()
    }

    const LONG: &str = "The committee met for six hours on Tuesday and agreed on a budget that cuts spending on roads by a tenth while raising the amount set aside for schools, according to a statement released after the vote by the chair.";

    #[test]
    fn a_comment_thread_after_the_article_is_dropped() {
        let mut s = segs(&[
            (LONG, false),
            ("He declined to comment.", false),
            ("Great site, love the layout!", true),
            ("Thanks so much!", false),
            ("Can you share the template?", false),
        ]);
        drop_trailing(&mut s);
        assert_eq!(s.len(), 2, "the article's short last line stays");
    }

    #[test]
    fn short_factual_closing_lines_stay() {
        let mut s =
            segs(&[(LONG, false), ("Reporting by Jane Smith", true), ("Editing by Tom Jones", false)]);
        drop_trailing(&mut s);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn furniture_lines_are_dropped_and_short_texts_left_alone() {
        let mut s = segs(&[(LONG, false), ("Share this article", true), ("© 2026 Example Media", false)]);
        drop_trailing(&mut s);
        assert_eq!(s.len(), 1);
        let mut short = segs(&[("Yes!", false), ("Thank you!", false)]);
        drop_trailing(&mut short);
        assert_eq!(short.len(), 2, "without an article before it, nothing is junk");
    }
}
