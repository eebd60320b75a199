//! Plain text and Markdown to an article: blocks, lead metadata, junk removal, a title.

use parallax_core::{Article, Block};

use crate::{ExtractError, Hints, front_matter, junk, lead};

/// How a text document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One paragraph per line (or per blank-line-separated group); hard-wrapped lines are joined.
    Text,
    /// CommonMark-style: consecutive lines form one paragraph, `#` headings, `>` quotes, inline markup.
    Markdown,
}

/// A block with what the layout said around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub block: Block,
    /// A blank line came before this block.
    pub gap_before: bool,
}

/// Longest title derived from a lead, in characters.
const DERIVED_TITLE_MAX: usize = 100;

/// Extracts an article from decoded text (plain or Markdown, with optional front matter).
pub fn extract_text(text: &str, hints: &Hints) -> Result<Article, ExtractError> {
    let text = normalise(text);
    let (fm, body, _) = front_matter::split(&text)?;
    let format = hints.format.unwrap_or_else(|| guess_format(body, fm != Default::default()));
    let mut segments = segments(body, format);
    let lead = lead::lift(&mut segments);
    junk::drop_trailing(&mut segments);
    let body: Vec<Block> = segments.into_iter().map(|s| s.block).collect();
    if body.is_empty() {
        return Err(ExtractError::NoText);
    }

    let published = match (hints.published, fm.published.as_deref()) {
        (Some(t), _) => Some(t),
        (None, Some(raw)) => Some(crate::parse_datetime(raw).ok_or_else(|| ExtractError::FrontMatter {
            line: 1,
            message: format!("`published` is not a date: {raw:?}"),
        })?),
        (None, None) => lead.published,
    };
    let mut article = Article::new(String::new());
    article.body = body;
    article.title = hints
        .title
        .clone()
        .or(fm.title)
        .or(lead.title)
        .unwrap_or_else(|| derive_title(article.lead().unwrap_or_default()));
    article.outlet = hints.outlet.clone().or(fm.outlet).or(lead.outlet);
    article.byline = fm.authors;
    article.dateline = lead.dateline;
    article.published = published;
    article.url = hints.url.clone().or(fm.url).map(|u| crate::canonical_url(&u).unwrap_or(u));
    article.language = fm.language;
    article.image = lead.image;
    Ok(article)
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace('\u{feff}', "")
}

fn guess_format(body: &str, has_front_matter: bool) -> Format {
    let markdown_line = |l: &str| {
        let t = l.trim_start();
        t.starts_with("# ") || t.starts_with("## ") || t.starts_with("### ") || t.starts_with("```")
    };
    if has_front_matter || body.lines().any(markdown_line) || body.contains("](") {
        Format::Markdown
    } else {
        Format::Text
    }
}

/// Splits text into blocks, tracking blank lines between them.
fn segments(body: &str, format: Format) -> Vec<Segment> {
    let mut out = Builder { segments: Vec::new(), paragraph: Vec::new(), gap: false, format };
    let mut pending_bullet = false;
    for line in body.lines() {
        let t = line.trim();
        if t.is_empty() {
            out.flush();
            out.gap = true;
            continue;
        }
        if pending_bullet {
            pending_bullet = false;
            out.list_item(false, t);
            continue;
        }
        if matches!(t, "-" | "*" | "•" | "–" | "+") {
            // A list written as a lone marker line followed by the item's text.
            out.flush();
            pending_bullet = true;
            continue;
        }
        if format == Format::Markdown && matches!(t, "---" | "***" | "___") {
            out.flush();
            out.gap = true;
            continue;
        }
        if let Some((level, heading)) = heading(t) {
            out.push(Block::Heading { level, text: heading.to_owned() });
        } else if let Some(item) = bullet_item(t) {
            out.list_item(false, item);
        } else if let Some(item) = ordered_item(t) {
            out.list_item(true, item);
        } else if let Some(quoted) = t.strip_prefix('>') {
            out.quote_line(quoted.trim());
        } else if format == Format::Markdown && line.starts_with("  ") && out.paragraph.is_empty() {
            out.continue_item(t);
        } else {
            out.paragraph_line(t);
        }
    }
    out.flush();
    out.segments
}

struct Builder {
    segments: Vec<Segment>,
    paragraph: Vec<String>,
    gap: bool,
    format: Format,
}

impl Builder {
    fn push(&mut self, block: Block) {
        self.flush();
        let block = match (self.format, block) {
            (Format::Markdown, Block::Heading { level, text }) => {
                Block::Heading { level, text: inline(&text) }
            }
            (_, block) => block,
        };
        self.segments.push(Segment { block, gap_before: std::mem::take(&mut self.gap) });
    }

    fn flush(&mut self) {
        if self.paragraph.is_empty() {
            return;
        }
        let joined = self.paragraph.join(" ");
        self.paragraph.clear();
        let text = if self.format == Format::Markdown { inline(&joined) } else { joined };
        self.segments
            .push(Segment { block: Block::Paragraph { text }, gap_before: std::mem::take(&mut self.gap) });
    }

    fn paragraph_line(&mut self, line: &str) {
        let joins = match (self.format, self.paragraph.last()) {
            (_, None) => false,
            (Format::Markdown, Some(_)) => true,
            (Format::Text, Some(previous)) => is_hard_wrap(previous, line),
        };
        if !joins {
            self.flush();
        }
        self.paragraph.push(line.to_owned());
    }

    fn list_item(&mut self, ordered: bool, item: &str) {
        self.flush();
        let item = if self.format == Format::Markdown { inline(item) } else { item.to_owned() };
        if !self.gap
            && let Some(Segment { block: Block::List { ordered: o, items }, .. }) = self.segments.last_mut()
            && *o == ordered
        {
            items.push(item);
            return;
        }
        self.push(Block::List { ordered, items: vec![item] });
    }

    fn continue_item(&mut self, text: &str) {
        if let Some(Segment { block: Block::List { items, .. }, .. }) = self.segments.last_mut()
            && let Some(last) = items.last_mut()
        {
            last.push(' ');
            last.push_str(&inline(text));
            return;
        }
        self.paragraph_line(text);
    }

    fn quote_line(&mut self, text: &str) {
        self.flush();
        if !self.gap
            && let Some(Segment { block: Block::Quote { text: quote }, .. }) = self.segments.last_mut()
        {
            quote.push(' ');
            quote.push_str(text);
            return;
        }
        self.push(Block::Quote { text: text.to_owned() });
    }
}

/// A line broken by width rather than meaning: the previous line does not end a sentence and this one
/// carries on in lower case.
fn is_hard_wrap(previous: &str, line: &str) -> bool {
    let ends_sentence = previous.ends_with(['.', '!', '?', ':', ';', '"', '”', '’', ')']);
    let starts_lower = line.chars().next().is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
    !ends_sentence && starts_lower
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let text = line[hashes..].strip_prefix(' ')?;
    ((1..=6).contains(&hashes)).then(|| (hashes as u8, text.trim().trim_end_matches('#').trim()))
}

fn bullet_item(line: &str) -> Option<&str> {
    ["- ", "* ", "• ", "+ ", "– "]
        .iter()
        .find_map(|marker| line.strip_prefix(marker))
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

fn ordered_item(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = line[digits..].strip_prefix(['.', ')'])?;
    rest.strip_prefix(' ').map(str::trim).filter(|item| !item.is_empty())
}

/// Markdown inline markup to plain text: links keep their text, emphasis and code marks go.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else {
            break;
        };
        let before = &rest[..open];
        out.push_str(before.strip_suffix('!').unwrap_or(before));
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

/// A headline made from the lead: its first sentence without leading attribution or scene-setting
/// clauses ("According to the ministry, on Monday, ..."), cut at a clause or word boundary when long.
pub(crate) fn derive_title(lead: &str) -> String {
    let mut sentence = first_sentence(lead).trim();
    while let Some(rest) = strip_leading_clause(sentence) {
        sentence = rest;
    }
    let mut title = capitalise_first(sentence.trim_end_matches('.'));
    if title.chars().count() <= DERIVED_TITLE_MAX {
        return title;
    }
    let clause = title.split([',', ';']).next().unwrap_or(&title).trim().to_owned();
    if clause.chars().count() <= DERIVED_TITLE_MAX && clause.split_whitespace().count() >= 5 {
        return clause;
    }
    if let Some(phrase) = cut_before_connective(&clause) {
        return phrase;
    }
    let mut cut = String::new();
    for word in title.split_whitespace() {
        if cut.chars().count() + word.chars().count() + 1 > DERIVED_TITLE_MAX - 1 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    title = cut.trim_end_matches([',', ';', ':']).to_owned();
    title.push('…');
    title
}

/// Words that open a trailing phrase a headline can do without.
const CONNECTIVES: [&str; 13] = [
    "to",
    "with",
    "as",
    "after",
    "amid",
    "while",
    "which",
    "who",
    "for",
    "despite",
    "where",
    "following",
    "because",
];

/// The longest prefix that fits a headline and ends just before a connective word ("... arrived in
/// Beijing on Sunday | to engage in talks"), if it keeps enough of the sentence to stand alone.
fn cut_before_connective(clause: &str) -> Option<String> {
    let mut best = None;
    let mut length = 0;
    for (i, word) in clause.split_whitespace().enumerate() {
        let word_len = word.chars().count();
        if i > 0 && length + 1 + word_len > DERIVED_TITLE_MAX {
            break;
        }
        if i >= 5 && CONNECTIVES.contains(&word.to_lowercase().as_str()) && length >= 40 {
            best = Some(clause.split_whitespace().take(i).collect::<Vec<_>>().join(" "));
        }
        length += word_len + usize::from(i > 0);
    }
    best
}

/// Removes one short introductory clause that ends in a comma: an attribution ("According to X,")
/// or a phrase opening in lower case or with a preposition ("on February 1,", "In a statement,").
fn strip_leading_clause(sentence: &str) -> Option<&str> {
    let (clause, rest) = sentence.split_once(", ")?;
    let words = clause.split_whitespace().count();
    let first = clause.split_whitespace().next()?.to_lowercase();
    const OPENERS: [&str; 12] = [
        "according",
        "on",
        "in",
        "at",
        "after",
        "before",
        "during",
        "as",
        "earlier",
        "later",
        "meanwhile",
        "however",
    ];
    let introductory = first == "according" && words <= 8 || OPENERS.contains(&first.as_str()) && words <= 5;
    (introductory && rest.split_whitespace().count() >= 4).then_some(rest)
}

/// "NEW YORK" → "New York": each word's first letter kept, the rest lower-cased.
pub(crate) fn title_case(text: &str) -> String {
    text.split(' ').map(|word| capitalise_first(&word.to_lowercase())).collect::<Vec<_>>().join(" ")
}

fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1).is_none_or(|b| *b == b' ') {
            let word_start = text[..i].rfind(' ').map_or(0, |s| s + 1);
            let word = &text[word_start..i];
            // "U.S." and "Mr." end abbreviations, not sentences.
            if word.len() <= 3 && word.chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            return &text[..=i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        extract_text(text, &Hints::default()).unwrap()
    }

    #[test]
    fn lone_dash_lines_introduce_list_items() {
        let a = article("Developments include:\n-\nFirst item.\n-\nSecond item.\nAfterwards, more text.");
        assert_eq!(
            a.body[1],
            Block::List { ordered: false, items: vec!["First item.".into(), "Second item.".into()] }
        );
        assert_eq!(a.body[2], Block::Paragraph { text: "Afterwards, more text.".into() });
    }

    #[test]
    fn markdown_blocks() {
        let md = "# The Headline\n\nFirst paragraph\nwraps here with a [link](http://x).\n\n## Section\n\n1. one\n2. two\n\n> quoted\n> words\n\n- **bold** item\n";
        let a = article(md);
        assert_eq!(a.title, "The Headline");
        assert_eq!(
            a.body,
            vec![
                Block::Paragraph { text: "First paragraph wraps here with a link.".into() },
                Block::Heading { level: 2, text: "Section".into() },
                Block::List { ordered: true, items: vec!["one".into(), "two".into()] },
                Block::Quote { text: "quoted words".into() },
                Block::List { ordered: false, items: vec!["bold item".into()] },
            ]
        );
    }

    #[test]
    fn plain_text_joins_hard_wrapped_lines_only() {
        let a = article("The minister said the talks\nwere productive.\nA second paragraph follows.");
        assert_eq!(a.body.len(), 2);
        assert_eq!(a.lead(), Some("The minister said the talks were productive."));
    }

    #[test]
    fn titles_are_derived_from_the_lead_when_missing() {
        let a = article("Officials in the U.S. said on Monday that the bridge will reopen. More follows.");
        assert_eq!(a.title, "Officials in the U.S. said on Monday that the bridge will reopen");
        let long = "Russian Security Council Secretary Sergei Shoigu arrived in Beijing on Sunday to engage in high-level discussions with Chinese Foreign Minister Wang Yi, focusing on security.";
        assert_eq!(
            derive_title(long),
            "Russian Security Council Secretary Sergei Shoigu arrived in Beijing on Sunday"
        );
        let unbroken = "Officials from the northern provinces and representatives of the national government and the regional assemblies met yesterday.";
        let title = derive_title(unbroken);
        assert!(title.chars().count() <= DERIVED_TITLE_MAX && title.ends_with('…'), "{title}");
        let attributed =
            "According to the ministry, on Monday, the bridge was closed to all traffic for repairs.";
        assert_eq!(derive_title(attributed), "The bridge was closed to all traffic for repairs");
    }

    #[test]
    fn hints_and_front_matter_win_in_that_order() {
        let doc = "---\ntitle: From front matter\noutlet: FM Outlet\npublished: 2026-01-01\n---\n[Tag Outlet] Body text here.";
        let a = article(doc);
        assert_eq!(a.title, "From front matter");
        assert_eq!(a.outlet.as_deref(), Some("FM Outlet"));
        let hints = Hints { outlet: Some("Hint".into()), ..Hints::default() };
        assert_eq!(extract_text(doc, &hints).unwrap().outlet.as_deref(), Some("Hint"));
        let bad = "---\npublished: someday\n---\nBody.";
        assert!(matches!(extract_text(bad, &Hints::default()), Err(ExtractError::FrontMatter { .. })));
    }

    #[test]
    fn documents_with_nothing_left_are_refused() {
        assert!(matches!(
            extract_text("---\ntitle: x\n---\n\n", &Hints::default()),
            Err(ExtractError::NoText)
        ));
    }
}
