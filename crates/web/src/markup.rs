//! Readers' comments: the small "Markdown-lite" they are written in, rendered as HTML that a page can
//! embed unescaped, and reduced to plain text for feeds, snippets and notifications.
//!
//! The language is paragraphs separated by blank lines (a single newline is a line break), `*em*` and
//! `_em_`, `**strong**` and `__strong__`, `` `code` ``, `[text](https://…)`, bare `http(s)://` addresses,
//! and block quotes (`>`, nested levels flattened into one). Nothing else is markup: whatever HTML a
//! reader types is shown as text.
//!
//! Two independent layers keep a comment from injecting anything into the page. The parser escapes
//! every character it copies from the source, emits only the tags above and links only to `http` and
//! `https` addresses; its output then goes through an [`ammonia`] allow-list of the same tags,
//! attributes and schemes, so that a slip in either layer alone is not enough. The parser's work is
//! linear in the length of the source, whatever the source is, and the source is cut at
//! [`MAX_SOURCE_CHARS`], so a hostile comment costs no more to render than an ordinary one.

// Not called from a page yet.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The longest comment source that is rendered; anything past it is dropped.
pub(crate) const MAX_SOURCE_CHARS: usize = 10_000;

/// The longest [`plain_text`], "…" included.
const PLAIN_TEXT_MAX_CHARS: usize = 300;

/// Readers' links are not endorsed by the site, and must not hand the linked page a handle on ours.
const LINK_REL: &str = "nofollow ugc noopener noreferrer";

const ALLOWED_TAGS: [&str; 7] = ["p", "br", "em", "strong", "code", "blockquote", "a"];

/// A comment as HTML safe to insert into a page without further escaping. A source longer than
/// [`MAX_SOURCE_CHARS`] loses its tail.
pub(crate) fn render(source: &str) -> String {
    sanitizer().clean(&to_html(source)).to_string()
}

/// A comment with its markup removed and its whitespace collapsed, at most 300 characters long (cut
/// text ends in "…"). It is not HTML-escaped: that is for whoever embeds it.
pub(crate) fn plain_text(source: &str) -> String {
    let mut plain = String::new();
    for block in parse_blocks(&normalize(source)) {
        let paragraphs = match &block {
            Block::Paragraph(text) => std::slice::from_ref(text),
            Block::Quote(paragraphs) => paragraphs.as_slice(),
        };
        for paragraph in paragraphs {
            plain.push(' ');
            push_plain(&mut plain, &parse_inline(paragraph));
        }
    }
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    shorten(&collapsed, PLAIN_TEXT_MAX_CHARS)
}

/// The parser's own output, before the sanitizer; safe by itself.
fn to_html(source: &str) -> String {
    let mut html = String::new();
    for block in parse_blocks(&normalize(source)) {
        if !html.is_empty() {
            html.push('\n');
        }
        match block {
            Block::Paragraph(text) => push_paragraph(&mut html, &text),
            Block::Quote(paragraphs) => {
                html.push_str("<blockquote>");
                for text in &paragraphs {
                    push_paragraph(&mut html, text);
                }
                html.push_str("</blockquote>");
            }
        }
    }
    html
}

fn push_paragraph(html: &mut String, text: &str) {
    html.push_str("<p>");
    push_html(html, &parse_inline(text));
    html.push_str("</p>");
}

/// The second line of defence: whatever the parser produced, only these tags, `href` on links, and
/// absolute `http`/`https` addresses survive.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(HashSet::from(ALLOWED_TAGS))
            .clean_content_tags(HashSet::from(["script", "style"]))
            .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
            .tag_attribute_values(HashMap::new())
            .set_tag_attribute_values(HashMap::new())
            .generic_attributes(HashSet::new())
            .allowed_classes(HashMap::new())
            .url_schemes(HashSet::from(["http", "https"]))
            // The parser never emits a relative address, so one here is an attack: `//host` included.
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some(LINK_REL))
            .strip_comments(true);
        builder
    });
    &SANITIZER
}

/// The source cut at [`MAX_SOURCE_CHARS`], with line ends unified and control characters dropped:
/// they are invisible, can hide a scheme from a naive check, and NUL is not valid in an HTML page.
fn normalize(source: &str) -> String {
    let clipped = match source.char_indices().nth(MAX_SOURCE_CHARS) {
        Some((end, _)) => &source[..end],
        None => source,
    };
    let mut text = String::with_capacity(clipped.len());
    let mut chars = clipped.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                text.push('\n');
            }
            '\n' => text.push('\n'),
            '\t' => text.push(' '),
            c if c.is_control() => {}
            c => text.push(c),
        }
    }
    text
}

enum Block {
    /// The paragraph's lines, trimmed and joined with `\n`.
    Paragraph(String),
    Quote(Vec<String>),
}

/// Splits normalized text into paragraphs and block quotes.
fn parse_blocks(text: &str) -> Vec<Block> {
    fn end_paragraph(lines: &mut Vec<&str>, quote: &mut Option<Vec<String>>, blocks: &mut Vec<Block>) {
        if lines.is_empty() {
            return;
        }
        let text = lines.join("\n");
        lines.clear();
        match quote {
            Some(paragraphs) => paragraphs.push(text),
            None => blocks.push(Block::Paragraph(text)),
        }
    }
    fn end_quote(quote: &mut Option<Vec<String>>, blocks: &mut Vec<Block>) {
        if let Some(paragraphs) = quote.take().filter(|p| !p.is_empty()) {
            blocks.push(Block::Quote(paragraphs));
        }
    }

    let mut blocks = Vec::new();
    // The paragraph being read, and the quote it is part of (with the quote's finished paragraphs).
    let mut lines: Vec<&str> = Vec::new();
    let mut quote: Option<Vec<String>> = None;

    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            end_paragraph(&mut lines, &mut quote, &mut blocks);
            end_quote(&mut quote, &mut blocks);
        } else if let Some(rest) = line.strip_prefix('>') {
            if quote.is_none() {
                end_paragraph(&mut lines, &mut quote, &mut blocks);
                quote = Some(Vec::new());
            }
            let content = strip_quote_markers(rest);
            if content.is_empty() {
                end_paragraph(&mut lines, &mut quote, &mut blocks);
            } else {
                lines.push(content);
            }
        } else {
            if quote.is_some() {
                // A reply typed straight under a quote is the reader's own words, not more of the quote.
                end_paragraph(&mut lines, &mut quote, &mut blocks);
                end_quote(&mut quote, &mut blocks);
            }
            lines.push(line);
        }
    }
    end_paragraph(&mut lines, &mut quote, &mut blocks);
    end_quote(&mut quote, &mut blocks);
    blocks
}

/// A quote line's content after its first `>`, with any further levels of `>` flattened away.
fn strip_quote_markers(mut rest: &str) -> &str {
    loop {
        let trimmed = rest.trim_start();
        match trimmed.strip_prefix('>') {
            Some(inner) => rest = inner,
            None => return trimmed.trim_end(),
        }
    }
}

/// A piece of a paragraph.
enum Inline {
    Text(String),
    Break,
    Code(String),
    Link { text: String, href: String },
    Delimiter(Delimiter),
}

/// A run of `*` or `_`, which may open or close emphasis.
struct Delimiter {
    mark: char,
    /// Marks not used by any emphasis, shown as typed.
    unused: usize,
    can_open: bool,
    can_close: bool,
    /// Emphasis this run closes, innermost first.
    closes: Vec<Emphasis>,
    /// Emphasis this run opens, innermost first.
    opens: Vec<Emphasis>,
}

#[derive(Clone, Copy)]
enum Emphasis {
    Em,
    Strong,
}

impl Emphasis {
    fn width(self) -> usize {
        match self {
            Emphasis::Em => 1,
            Emphasis::Strong => 2,
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Emphasis::Em => "em",
            Emphasis::Strong => "strong",
        }
    }
}

/// Splits a paragraph into pieces and pairs up its emphasis marks.
///
/// Every look-ahead below stops at the first character that would start the same kind of look-ahead
/// again, so no stretch of text is scanned more than a fixed number of times.
fn parse_inline(text: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut plain = String::new();
    fn flush(plain: &mut String, pieces: &mut Vec<Inline>) {
        if !plain.is_empty() {
            pieces.push(Inline::Text(std::mem::take(plain)));
        }
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                flush(&mut plain, &mut pieces);
                pieces.push(Inline::Break);
                i += 1;
                continue;
            }
            '`' => {
                // A longer run of backticks is not a code fence here; it is kept as typed, whole, so
                // that its marks cannot pair with others.
                let len = chars[i..].iter().take_while(|&&m| m == '`').count();
                if len > 1 {
                    plain.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                if let Some(end) = code_span_end(&chars, i) {
                    flush(&mut plain, &mut pieces);
                    pieces.push(Inline::Code(chars[i + 1..end].iter().collect()));
                    i = end + 1;
                    continue;
                }
            }
            '[' => {
                if let Some((text, href, end)) = link_at(&chars, i) {
                    flush(&mut plain, &mut pieces);
                    pieces.push(Inline::Link { text, href });
                    i = end;
                    continue;
                }
            }
            '*' | '_' => {
                let len = chars[i..].iter().take_while(|&&m| m == c).count();
                flush(&mut plain, &mut pieces);
                pieces.push(Inline::Delimiter(delimiter(&chars, i, len)));
                i += len;
                continue;
            }
            'h' | 'H' => {
                if let Some(end) = autolink_end(&chars, i) {
                    let typed: String = chars[i..end].iter().collect();
                    if let Some(href) = web_address(&typed) {
                        flush(&mut plain, &mut pieces);
                        pieces.push(Inline::Link { text: typed, href });
                        i = end;
                        continue;
                    }
                }
            }
            _ => {}
        }
        plain.push(c);
        i += 1;
    }
    flush(&mut plain, &mut pieces);
    pair_emphasis(&mut pieces);
    pieces
}

/// Where the code span opened by the backtick at `start` closes: the next backtick on the same line,
/// if there is something between them.
fn code_span_end(chars: &[char], start: usize) -> Option<usize> {
    let offset = chars[start + 1..].iter().position(|&c| c == '`' || c == '\n')?;
    let end = start + 1 + offset;
    (chars[end] == '`' && end > start + 1).then_some(end)
}

/// A `[text](address)` link starting at `start`: its text, its checked address, and where it ends.
/// Link text is plain; it cannot hold brackets, so links never nest.
fn link_at(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let close = start + 1 + chars[start + 1..].iter().position(|&c| matches!(c, '[' | ']' | '\n'))?;
    if chars[close] != ']' || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let mut i = close + 2;
    while chars.get(i).is_some_and(|c| c.is_whitespace() && *c != '\n') {
        i += 1;
    }
    let address_start = i;
    // Balanced parentheses stay in the address, as in encyclopedia article names.
    let mut depth = 0usize;
    while let Some(&c) = chars.get(i) {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => break,
            ')' => depth -= 1,
            c if ends_address(c) => break,
            _ => {}
        }
        i += 1;
    }
    let address: String = chars[address_start..i].iter().collect();
    while chars.get(i).is_some_and(|c| c.is_whitespace() && *c != '\n') {
        i += 1;
    }
    if chars.get(i) != Some(&')') {
        return None;
    }
    let href = web_address(&address)?;
    let text: String = chars[start + 1..close].iter().collect::<String>().trim().to_owned();
    let text = if text.is_empty() { address } else { text };
    Some((text, href, i + 1))
}

/// Where a bare address starting at `start` ends, trailing punctuation left out; `None` if no
/// address starts there.
fn autolink_end(chars: &[char], start: usize) -> Option<usize> {
    if start > 0 && chars[start - 1].is_alphanumeric() {
        return None;
    }
    let host = start + scheme_len(&chars[start..])?;
    let mut end = host;
    let (mut opened, mut closed) = (0usize, 0usize);
    while let Some(&c) = chars.get(end) {
        if ends_address(c) {
            break;
        }
        match c {
            '(' => opened += 1,
            ')' => closed += 1,
            _ => {}
        }
        end += 1;
    }
    // Sentence punctuation and emphasis marks around an address are not part of it.
    while end > host {
        match chars[end - 1] {
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' => end -= 1,
            ')' if closed > opened => {
                closed -= 1;
                end -= 1;
            }
            _ => break,
        }
    }
    Some(end)
}

/// Characters that cannot be part of an address as typed in a comment.
fn ends_address(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '[' | ']')
}

/// The length of an `http://` or `https://` prefix (any letter case) at the start of `chars`, if a
/// host name follows it.
fn scheme_len(chars: &[char]) -> Option<usize> {
    ["https://", "http://"].into_iter().find_map(|scheme| {
        let len = scheme.chars().count();
        let matches = chars.len() > len
            && chars.iter().zip(scheme.chars()).all(|(c, s)| c.eq_ignore_ascii_case(&s))
            && chars[len].is_alphanumeric();
        matches.then_some(len)
    })
}

/// The address as a link target, or `None` unless it is an absolute `http`/`https` address. Nothing
/// is decoded or trimmed before the check, so a scheme hidden behind entities, whitespace or another
/// scheme never gets through.
fn web_address(address: &str) -> Option<String> {
    let chars: Vec<char> = address.chars().collect();
    let len = scheme_len(&chars)?;
    if chars.iter().any(|&c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let scheme = chars[..len].iter().collect::<String>().to_ascii_lowercase();
    Some(scheme + &chars[len..].iter().collect::<String>())
}

/// Decides what a run of `len` marks at `start` can do from its neighbours: open when followed by
/// text, close when preceded by it. Underscores inside a word are left alone, so that `snake_case`
/// stays as typed.
fn delimiter(chars: &[char], start: usize, len: usize) -> Delimiter {
    let mark = chars[start];
    let before = start.checked_sub(1).and_then(|i| chars.get(i)).copied();
    let after = chars.get(start + len).copied();
    let mut can_open = after.is_some_and(|c| !c.is_whitespace());
    let mut can_close = before.is_some_and(|c| !c.is_whitespace());
    if mark == '_' {
        can_open &= !before.is_some_and(char::is_alphanumeric);
        can_close &= !after.is_some_and(char::is_alphanumeric);
    }
    Delimiter { mark, unused: len, can_open, can_close, closes: Vec::new(), opens: Vec::new() }
}

/// Pairs each closing run with the nearest open run of the same mark.
///
/// Runs of the other mark opened in between are dropped when a pair forms, so emphasis always nests
/// and the tags come out well formed; each run is pushed and dropped at most once, which keeps this
/// linear.
fn pair_emphasis(pieces: &mut [Inline]) {
    let mut open_stars: Vec<usize> = Vec::new();
    let mut open_underscores: Vec<usize> = Vec::new();
    for index in 0..pieces.len() {
        let Inline::Delimiter(run) = &pieces[index] else { continue };
        let (mark, can_open, can_close) = (run.mark, run.can_open, run.can_close);
        let (same, other) = if mark == '*' {
            (&mut open_stars, &mut open_underscores)
        } else {
            (&mut open_underscores, &mut open_stars)
        };
        if can_close {
            while let Some(&opener) = same.last() {
                let closer_unused = delimiter_at(pieces, index).map_or(0, |d| d.unused);
                let opener_unused = delimiter_at(pieces, opener).map_or(0, |d| d.unused);
                if closer_unused == 0 || opener_unused == 0 {
                    break;
                }
                while other.last().is_some_and(|&o| o > opener) {
                    other.pop();
                }
                let kind =
                    if closer_unused >= 2 && opener_unused >= 2 { Emphasis::Strong } else { Emphasis::Em };
                if let Some(open) = delimiter_at(pieces, opener) {
                    open.unused -= kind.width();
                    open.opens.push(kind);
                    if open.unused == 0 {
                        same.pop();
                    }
                }
                if let Some(close) = delimiter_at(pieces, index) {
                    close.unused -= kind.width();
                    close.closes.push(kind);
                }
            }
        }
        if can_open && delimiter_at(pieces, index).is_some_and(|d| d.unused > 0) {
            same.push(index);
        }
    }
}

fn delimiter_at(pieces: &mut [Inline], index: usize) -> Option<&mut Delimiter> {
    match pieces.get_mut(index) {
        Some(Inline::Delimiter(run)) => Some(run),
        _ => None,
    }
}

fn push_html(html: &mut String, pieces: &[Inline]) {
    for piece in pieces {
        match piece {
            Inline::Text(text) => push_escaped(html, text),
            Inline::Break => html.push_str("<br>"),
            Inline::Code(code) => {
                html.push_str("<code>");
                push_escaped(html, code);
                html.push_str("</code>");
            }
            Inline::Link { text, href } => {
                html.push_str("<a href=\"");
                push_escaped(html, href);
                html.push_str("\" rel=\"");
                html.push_str(LINK_REL);
                html.push_str("\">");
                push_escaped(html, text);
                html.push_str("</a>");
            }
            Inline::Delimiter(run) => {
                // Closing tags sit on the run's left, opening tags on its right, and marks left
                // unpaired stay as text between them.
                for kind in &run.closes {
                    html.push_str("</");
                    html.push_str(kind.tag());
                    html.push('>');
                }
                html.extend(std::iter::repeat_n(run.mark, run.unused));
                for kind in run.opens.iter().rev() {
                    html.push('<');
                    html.push_str(kind.tag());
                    html.push('>');
                }
            }
        }
    }
}

fn push_plain(text: &mut String, pieces: &[Inline]) {
    for piece in pieces {
        match piece {
            Inline::Text(plain) | Inline::Code(plain) | Inline::Link { text: plain, .. } => {
                text.push_str(plain)
            }
            Inline::Break => text.push(' '),
            Inline::Delimiter(run) => text.extend(std::iter::repeat_n(run.mark, run.unused)),
        }
    }
}

fn push_escaped(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

/// `text` cut to at most `max` characters, "…" included, preferably between words.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(1);
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let mut head = &text[..cut];
    let ends_between_words = text[cut..].starts_with(char::is_whitespace);
    if !ends_between_words
        && let Some(space) = head.rfind(char::is_whitespace)
        // A word longer than this is cut through rather than losing most of the snippet.
        && head[space..].chars().count() <= 40
    {
        head = &head[..space];
    }
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const REL: &str = "rel=\"nofollow ugc noopener noreferrer\"";

    fn link(href: &str, text: &str) -> String {
        format!("<a href=\"{href}\" {REL}>{text}</a>")
    }

    struct Tag {
        name: String,
        closing: bool,
        attributes: Vec<(String, String)>,
    }

    /// Reads every tag in `html`; a `<` that does not start a well-formed tag fails the test, since
    /// text must carry it as `&lt;`.
    fn scan_tags(html: &str) -> Vec<Tag> {
        let chars: Vec<char> = html.chars().collect();
        let mut tags = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '>' {
                panic!("bare `>` in text of {html:?}");
            }
            if chars[i] != '<' {
                i += 1;
                continue;
            }
            i += 1;
            let closing = chars.get(i) == Some(&'/');
            if closing {
                i += 1;
            }
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect::<String>().to_ascii_lowercase();
            assert!(!name.is_empty(), "bare `<` in {html:?}");
            let mut attributes = Vec::new();
            loop {
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                match chars.get(i) {
                    None => panic!("unterminated tag in {html:?}"),
                    Some('>') => {
                        i += 1;
                        break;
                    }
                    Some('/') => {
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                let start = i;
                while chars.get(i).is_some_and(|&c| !c.is_whitespace() && !matches!(c, '=' | '>' | '/')) {
                    i += 1;
                }
                let attribute: String = chars[start..i].iter().collect::<String>().to_ascii_lowercase();
                let mut value = String::new();
                if chars.get(i) == Some(&'=') {
                    i += 1;
                    match chars.get(i) {
                        Some(&quote) if quote == '"' || quote == '\'' => {
                            i += 1;
                            while let Some(&c) = chars.get(i).filter(|&&c| c != quote) {
                                value.push(c);
                                i += 1;
                            }
                            assert!(i < chars.len(), "unterminated attribute in {html:?}");
                            i += 1;
                        }
                        _ => {
                            while let Some(&c) = chars.get(i).filter(|c| !c.is_whitespace() && **c != '>') {
                                value.push(c);
                                i += 1;
                            }
                        }
                    }
                }
                attributes.push((attribute, value));
            }
            tags.push(Tag { name, closing, attributes });
        }
        tags
    }

    /// Everything a comment's HTML must never do, checked tag by tag.
    fn assert_safe(html: &str) {
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "{html:?}");
        let mut open: Vec<String> = Vec::new();
        for tag in scan_tags(html) {
            assert!(ALLOWED_TAGS.contains(&tag.name.as_str()), "tag <{}> in {html:?}", tag.name);
            if tag.closing {
                assert_eq!(open.pop().as_deref(), Some(tag.name.as_str()), "misnested tags in {html:?}");
                continue;
            }
            if tag.name != "br" {
                open.push(tag.name.clone());
            }
            for (name, value) in &tag.attributes {
                let value = value.replace("&amp;", "&").to_lowercase();
                assert!(!name.starts_with("on"), "handler {name} in {html:?}");
                assert!(!value.contains("javascript:"), "{html:?}");
                assert!(!value.contains("vbscript:"), "{html:?}");
                assert!(!value.contains("data:"), "{html:?}");
                match (tag.name.as_str(), name.as_str()) {
                    ("a", "href") => assert!(
                        value.starts_with("https://") || value.starts_with("http://"),
                        "href {value:?} in {html:?}"
                    ),
                    ("a", "rel") => assert_eq!(value, LINK_REL),
                    _ => panic!("attribute {name} on <{}> in {html:?}", tag.name),
                }
            }
            if tag.name == "a" {
                assert!(tag.attributes.iter().any(|(n, _)| n == "rel"), "link without rel in {html:?}");
            }
        }
        assert!(open.is_empty(), "unclosed {open:?} in {html:?}");
    }

    /// Renders with and without the sanitizer, checks both, and returns the final HTML.
    fn safe_render(source: &str) -> String {
        assert_safe(&to_html(source));
        let html = render(source);
        assert_safe(&html);
        html
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(safe_render("one\ntwo\n\n\nthree"), "<p>one<br>two</p>\n<p>three</p>");
        assert_eq!(safe_render("  padded  \r\n  lines \r\n\r\nnext"), "<p>padded<br>lines</p>\n<p>next</p>");
        assert_eq!(safe_render(""), "");
        assert_eq!(safe_render(" \n\t\n "), "");
    }

    #[test]
    fn emphasis_and_strong() {
        assert_eq!(safe_render("*em* and _em_"), "<p><em>em</em> and <em>em</em></p>");
        assert_eq!(
            safe_render("**strong** and __strong__"),
            "<p><strong>strong</strong> and <strong>strong</strong></p>"
        );
        assert_eq!(safe_render("***both***"), "<p><em><strong>both</strong></em></p>");
        assert_eq!(safe_render("**a *b* c**"), "<p><strong>a <em>b</em> c</strong></p>");
        assert_eq!(safe_render("*a\nb*"), "<p><em>a<br>b</em></p>");
    }

    #[test]
    fn marks_that_are_not_emphasis_stay_as_typed() {
        assert_eq!(safe_render("snake_case_name"), "<p>snake_case_name</p>");
        assert_eq!(safe_render("2 * 3 * 4"), "<p>2 * 3 * 4</p>");
        assert_eq!(safe_render("*open only"), "<p>*open only</p>");
        assert_eq!(safe_render("**a*"), "<p>*<em>a</em></p>");
        // Crossing pairs: the first to close wins, the other mark stays text.
        assert_eq!(safe_render("*a _b* c_"), "<p><em>a _b</em> c_</p>");
    }

    #[test]
    fn inline_code() {
        assert_eq!(safe_render("run `cargo test` now"), "<p>run <code>cargo test</code> now</p>");
        assert_eq!(safe_render("`*not em* <b>`"), "<p><code>*not em* &lt;b&gt;</code></p>");
        assert_eq!(safe_render("`a\nb`"), "<p>`a<br>b`</p>");
        assert_eq!(safe_render("`` and `"), "<p>`` and `</p>");
        assert_eq!(safe_render("```rust```"), "<p>```rust```</p>");
    }

    #[test]
    fn links() {
        assert_eq!(
            safe_render("[the report](https://example.org/a?b=1&c=2)"),
            format!("<p>{}</p>", link("https://example.org/a?b=1&amp;c=2", "the report"))
        );
        assert_eq!(
            safe_render("[<b>x</b> & y](https://example.org/)"),
            format!("<p>{}</p>", link("https://example.org/", "&lt;b&gt;x&lt;/b&gt; &amp; y"))
        );
        assert_eq!(
            safe_render("[Rust](https://en.wikipedia.org/wiki/Rust_(programming_language))"),
            format!("<p>{}</p>", link("https://en.wikipedia.org/wiki/Rust_(programming_language)", "Rust"))
        );
        assert_eq!(
            safe_render("[shout](HTTP://Example.org/X)"),
            format!("<p>{}</p>", link("http://Example.org/X", "shout"))
        );
        assert_eq!(
            safe_render("*see [this]( https://example.org/ )*"),
            format!("<p><em>see {}</em></p>", link("https://example.org/", "this"))
        );
        assert_eq!(
            safe_render("[](https://example.org/)"),
            format!("<p>{}</p>", link("https://example.org/", "https://example.org/"))
        );
        assert_eq!(safe_render("[not a link] (https://example.org/)").matches("<a ").count(), 1);
        assert_eq!(safe_render("[relative](/path)"), "<p>[relative](/path)</p>");
        assert_eq!(safe_render("[mail](mailto:a@example.org)"), "<p>[mail](mailto:a@example.org)</p>");
    }

    #[test]
    fn bare_addresses_become_links() {
        assert_eq!(
            safe_render("See https://example.org/path, then http://example.net."),
            format!(
                "<p>See {}, then {}.</p>",
                link("https://example.org/path", "https://example.org/path"),
                link("http://example.net", "http://example.net")
            )
        );
        assert_eq!(
            safe_render("(https://en.wikipedia.org/wiki/Rust_(programming_language))"),
            format!(
                "<p>({})</p>",
                link(
                    "https://en.wikipedia.org/wiki/Rust_(programming_language)",
                    "https://en.wikipedia.org/wiki/Rust_(programming_language)"
                )
            )
        );
        assert_eq!(
            safe_render("**https://example.org/**"),
            format!("<p><strong>{}</strong></p>", link("https://example.org/", "https://example.org/"))
        );
        assert_eq!(safe_render("xhttps://example.org"), "<p>xhttps://example.org</p>");
        assert_eq!(safe_render("https:// nothing"), "<p>https:// nothing</p>");
        assert_eq!(safe_render("ftp://example.org"), "<p>ftp://example.org</p>");
    }

    #[test]
    fn block_quotes() {
        assert_eq!(
            safe_render("> quoted\n> still quoted\n\nreply"),
            "<blockquote><p>quoted<br>still quoted</p></blockquote>\n<p>reply</p>"
        );
        assert_eq!(safe_render(">> nested\n> > levels"), "<blockquote><p>nested<br>levels</p></blockquote>");
        assert_eq!(safe_render("> one\n>\n> two"), "<blockquote><p>one</p><p>two</p></blockquote>");
        assert_eq!(
            safe_render("before\n> *quoted*\nafter"),
            "<p>before</p>\n<blockquote><p><em>quoted</em></p></blockquote>\n<p>after</p>"
        );
        assert_eq!(safe_render("a > b"), "<p>a &gt; b</p>");
        assert_eq!(safe_render(">\n>"), "");
    }

    #[test]
    fn other_markdown_is_text() {
        assert_eq!(safe_render("# Heading"), "<p># Heading</p>");
        assert_eq!(safe_render("- item\n1. item"), "<p>- item<br>1. item</p>");
        let image = safe_render("![alt](https://example.org/x.png)");
        assert!(!image.contains("<img"), "{image}");
        assert!(image.starts_with("<p>!<a "), "{image}");
        assert_eq!(safe_render("<b>x</b> & y"), "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>");
    }

    #[test]
    fn entities_are_shown_as_typed() {
        assert_eq!(safe_render("&lt;script&gt;"), "<p>&amp;lt;script&amp;gt;</p>");
        assert_eq!(safe_render("&amp; &#60; &#x3C;"), "<p>&amp;amp; &amp;#60; &amp;#x3C;</p>");
        assert_eq!(plain_text("&lt;script&gt;"), "&lt;script&gt;");
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(safe_render("a\0b\u{1}c\u{7f}d\u{85}e\u{1b}[31m"), "<p>abcde[31m</p>");
        assert_eq!(safe_render("\0\0\0"), "");
        assert_eq!(safe_render("line\rbreak"), "<p>line<br>break</p>");
        assert_eq!(safe_render("tab\there"), "<p>tab here</p>");
    }

    #[test]
    fn unicode_and_right_to_left_text() {
        let arabic = "مرحبا *بالعالم* والسلام";
        assert_eq!(safe_render(arabic), "<p>مرحبا <em>بالعالم</em> والسلام</p>");
        let hebrew = "> שלום עולם\n\nתגובה";
        assert_eq!(safe_render(hebrew), "<blockquote><p>שלום עולם</p></blockquote>\n<p>תגובה</p>");
        let mixed = "naïve café 日本語 👩‍👩‍👧 e\u{301} \u{202e}txet desrever\u{202c} _ünïcödé_";
        let html = safe_render(mixed);
        assert!(html.contains("naïve café 日本語 👩‍👩‍👧 e\u{301} \u{202e}txet desrever\u{202c}"), "{html}");
        assert!(html.contains("<em>ünïcödé</em>"), "{html}");
        assert_eq!(
            safe_render("[日本](https://例え.jp/パス)"),
            format!("<p>{}</p>", link("https://例え.jp/パス", "日本"))
        );
    }

    #[test]
    fn long_sources_are_cut_at_a_char_boundary() {
        let html = safe_render(&"é".repeat(MAX_SOURCE_CHARS + 5));
        assert_eq!(html.matches('é').count(), MAX_SOURCE_CHARS);
        let html = safe_render(&"x".repeat(MAX_SOURCE_CHARS + 100));
        assert_eq!(html, format!("<p>{}</p>", "x".repeat(MAX_SOURCE_CHARS)));
    }

    #[test]
    fn plain_text_removes_markup() {
        assert_eq!(
            plain_text("> *quoted*\n\n**Bold** `code` [text](https://example.org/) https://x.example\nnext"),
            "quoted Bold code text https://x.example next"
        );
        assert_eq!(plain_text("a < b & <i>c</i>"), "a < b & <i>c</i>");
        assert_eq!(plain_text("snake_case 2 * 3"), "snake_case 2 * 3");
        assert_eq!(plain_text(" \n\0 "), "");
    }

    #[test]
    fn plain_text_is_shortened() {
        let words = "word ".repeat(100);
        let short = plain_text(&words);
        assert!(short.chars().count() <= PLAIN_TEXT_MAX_CHARS, "{}", short.chars().count());
        assert!(short.ends_with("word…"), "{short}");
        let unbroken = plain_text(&"ü".repeat(1000));
        assert_eq!(unbroken.chars().count(), PLAIN_TEXT_MAX_CHARS);
        assert!(unbroken.ends_with("ü…"));
        let exact = "a".repeat(PLAIN_TEXT_MAX_CHARS);
        assert_eq!(plain_text(&exact), exact);
    }

    #[test]
    fn xss_payloads_are_inert() {
        let payloads = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](\tjavascript:alert(1))",
            "[x](java\0script:alert(1))",
            "[x](java&#x09;script:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](vbscript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](//evil.example)",
            "[x](https:/evil.example)",
            "[x](https:evil.example)",
            "[x](https://ok.example/\"onmouseover=\"alert(1))",
            "[x](https://ok.example/'onmouseover='alert(1))",
            "[x](https://ok.example/a) onclick=alert(1)",
            "[x](https://ok.example/a)<img src=x onerror=alert(1)>",
            "[<img src=x onerror=alert(1)>](https://ok.example/)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"https://ok.example/\" onclick=\"alert(1)\">x</a>",
            "**<b>bold</b>**",
            "`<script>alert(1)</script>`",
            "> <script>alert(1)</script>",
            "*<img src=x onerror=alert(1)>*",
            "https://ok.example/<script>alert(1)</script>",
            "https://ok.example/\"onmouseover=\"alert(1)",
            "javascript:alert(1)",
            "<!-- <script>alert(1)</script> -->",
            "<![CDATA[<script>alert(1)</script>]]>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "<style>body{background:url(javascript:alert(1))}</style>",
            "\0<scr\0ipt>alert(1)</script>",
        ];
        for payload in payloads {
            let html = safe_render(payload);
            let lower = html.to_lowercase();
            assert!(
                !lower.contains("<img") && !lower.contains("<svg") && !lower.contains("<iframe"),
                "{html}"
            );
        }
        // A link the reader wrote next to an attack still works; the attack stays text.
        assert_eq!(
            safe_render("[x](https://ok.example/a) onclick=alert(1)"),
            format!("<p>{} onclick=alert(1)</p>", link("https://ok.example/a", "x"))
        );
        // An apostrophe is part of an address, and harmless inside a double-quoted attribute.
        assert_eq!(
            safe_render("[x](https://ok.example/'onmouseover='alert(1))"),
            format!("<p>{}</p>", link("https://ok.example/'onmouseover='alert(1)", "x"))
        );
        assert_eq!(safe_render("**<b>bold</b>**"), "<p><strong>&lt;b&gt;bold&lt;/b&gt;</strong></p>");
    }

    #[test]
    fn the_sanitizer_stands_on_its_own() {
        let hostile = concat!(
            "<p onclick=\"x\" class=\"c\" style=\"s\" title=\"t\">a</p>",
            "<script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)>",
            "<svg onload=alert(1)></svg><iframe src=https://evil.example></iframe>",
            "<a href=\"javascript:alert(1)\">j</a><a href=\"JaVaScRiPt:alert(1)\">k</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">d</a><a href=\"//evil.example\">r</a>",
            "<a href=\"/local\">l</a><a href=\"https://ok.example/\" rel=\"opener\" target=\"_blank\">ok</a>",
            "<h1>h</h1><ul><li>i</li></ul><em>e</em><!-- c -->",
        );
        let html = sanitizer().clean(hostile).to_string();
        assert_safe(&html);
        assert!(html.contains(&format!("<a href=\"https://ok.example/\" {REL}>ok</a>")), "{html}");
        assert!(html.starts_with("<p>a</p>"), "{html}");
        assert!(!html.contains("alert"), "{html}");
    }

    #[test]
    fn adversarial_input_renders_quickly() {
        let n = MAX_SOURCE_CHARS;
        let inputs = [
            "*".repeat(n),
            "_".repeat(n),
            "[".repeat(n),
            "]".repeat(n),
            "`".repeat(n),
            ">".repeat(n),
            "(".repeat(n),
            "*a".repeat(n / 2),
            "a*".repeat(n / 2),
            "*a ".repeat(n / 3),
            "_a ".repeat(n / 3),
            "*_".repeat(n / 4) + "a" + &"_*".repeat(n / 4),
            "*a _a ".repeat(n / 12) + "a" + &" a_ a*".repeat(n / 12),
            format!("{}x{}", "*".repeat(n / 2 - 1), "*".repeat(n / 2)),
            "[a](".repeat(n / 4),
            "[a](https://x.example/(".repeat(n / 24),
            "[a](https://x.example/".repeat(n / 22),
            "https://".repeat(n / 8),
            "https://x".repeat(n / 9),
            format!("https://x.example/{}", ")".repeat(n - 20)),
            "` ".repeat(n / 2),
            "> *\n".repeat(n / 4),
            "a\n".repeat(n / 2),
            "\n\n".repeat(n / 2),
            "&<>\"'".repeat(n / 5),
            "\0".repeat(n),
        ];
        for input in &inputs {
            let started = Instant::now();
            let html = safe_render(input);
            plain_text(input);
            let took = started.elapsed();
            assert!(
                took < Duration::from_secs(1),
                "{took:?} for {:?}… ({} bytes of output)",
                input.chars().take(12).collect::<String>(),
                html.len()
            );
        }
    }
}
