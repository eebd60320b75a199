//! YAML front matter: the `---` block of `key: value` lines that opens many Markdown files.
//!
//! Only flat scalar keys and string lists are meaningful to an article, so this reads that subset of
//! YAML (plain, single- and double-quoted scalars, `[a, b]` flow lists, `- item` block lists) and
//! refuses anything it cannot read instead of guessing.

use crate::ExtractError;

/// The recognised fields of a front matter block; unknown keys are ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
}

/// Splits front matter off a document. Returns the fields, the remaining text and how many lines the
/// block took (for error line numbers). A document without a block comes back whole.
pub(crate) fn split(text: &str) -> Result<(FrontMatter, &str, usize), ExtractError> {
    let Some(after_open) = text.strip_prefix("---\n") else {
        return Ok((FrontMatter::default(), text, 0));
    };
    let mut offset = 0;
    let mut block_lines = Vec::new();
    let mut rest = None;
    for line in after_open.split_inclusive('\n') {
        offset += line.len();
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            rest = Some(&after_open[offset..]);
            break;
        }
        block_lines.push(bare);
    }
    let Some(rest) = rest else {
        // An opening rule with no closing one is a horizontal rule, not front matter.
        return Ok((FrontMatter::default(), text, 0));
    };
    let fields = parse(&block_lines)?;
    Ok((fields, rest, block_lines.len() + 2))
}

fn parse(lines: &[&str]) -> Result<FrontMatter, ExtractError> {
    let mut fm = FrontMatter::default();
    let mut current_list: Option<&str> = None;
    for (index, raw) in lines.iter().enumerate() {
        let line_no = index + 2;
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            match current_list {
                Some(key) => assign(&mut fm, key, scalar(item, line_no)?),
                None => return Err(error(line_no, "list item outside a key")),
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Nested mappings carry nothing an article needs.
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(error(line_no, "expected `key: value`"));
        };
        let key = key.trim();
        let value = value.trim();
        current_list = value.is_empty().then_some(key);
        if let Some(inner) = value.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or_else(|| error(line_no, "unclosed `[` list"))?;
            for item in inner.split(',').filter(|i| !i.trim().is_empty()) {
                assign(&mut fm, key, scalar(item, line_no)?);
            }
        } else if !value.is_empty() {
            assign(&mut fm, key, scalar(value, line_no)?);
        }
    }
    Ok(fm)
}

fn assign(fm: &mut FrontMatter, key: &str, value: String) {
    if value.is_empty() {
        return;
    }
    match key.to_ascii_lowercase().as_str() {
        "title" | "headline" => fm.title = Some(value),
        "outlet" | "source" | "publisher" | "site" => fm.outlet = Some(value),
        "published" | "date" | "pubdate" => fm.published = Some(value),
        "url" | "link" | "canonical" => fm.url = Some(value),
        "author" | "authors" | "byline" => fm.authors.push(value),
        "language" | "lang" => fm.language = Some(value),
        _ => {}
    }
}

/// A plain or quoted scalar, with a trailing ` # comment` removed from plain ones. A value that
/// opens with a quotation mark closed before its end is plain text: a headline that starts with a
/// quotation (`title: "We will rebuild," the mayor says`). One never closed is an error.
fn scalar(raw: &str, line: usize) -> Result<String, ExtractError> {
    let s = raw.trim();
    for quote in ['"', '\''] {
        let Some(rest) = s.strip_prefix(quote) else { continue };
        if let Some(inner) = rest.strip_suffix(quote) {
            return Ok(if quote == '"' { inner.replace("\\\"", "\"") } else { inner.replace("''", "'") });
        }
        if !rest.contains(quote) {
            return Err(error(line, "unterminated quoted value"));
        }
    }
    let plain = match s.find(" #") {
        Some(at) => &s[..at],
        None => s,
    };
    Ok(plain.trim().to_owned())
}

fn error(line: usize, message: &str) -> ExtractError {
    ExtractError::FrontMatter { line, message: message.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headline_opening_with_a_quotation_is_plain_text() {
        let doc = "---\ntitle: \"We will rebuild,\" the mayor says\n---\nBody.\n";
        let (fm, _, _) = split(doc).unwrap();
        assert_eq!(fm.title.as_deref(), Some("\"We will rebuild,\" the mayor says"));
    }

    #[test]
    fn reads_known_keys_and_leaves_the_body() {
        let doc = "---\ntitle: \"Talks: day two\"\noutlet: Daily Planet # print edition\nauthor: [Lois Lane, 'Jimmy Olsen']\npublished: 2026-02-02T08:00:00Z\ntags:\n  - world\n---\nBody text.\n";
        let (fm, rest, lines) = split(doc).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Talks: day two"));
        assert_eq!(fm.outlet.as_deref(), Some("Daily Planet"));
        assert_eq!(fm.authors, ["Lois Lane", "Jimmy Olsen"]);
        assert_eq!(fm.published.as_deref(), Some("2026-02-02T08:00:00Z"));
        assert_eq!(rest, "Body text.\n");
        assert_eq!(lines, 8);
    }

    #[test]
    fn block_lists_and_missing_blocks() {
        let (fm, _, _) = split("---\nauthors:\n  - A. Writer\n  - B. Writer\n---\nx").unwrap();
        assert_eq!(fm.authors, ["A. Writer", "B. Writer"]);
        let (fm, rest, _) = split("---\nno closing rule").unwrap();
        assert_eq!(fm, FrontMatter::default());
        assert_eq!(rest, "---\nno closing rule");
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let err = split("---\ntitle: ok\njust words\n---\n").unwrap_err();
        assert_eq!(err.to_string(), "front matter line 3: expected `key: value`");
        assert!(split("---\ntitle: \"open\n---\n").is_err());
    }
}
