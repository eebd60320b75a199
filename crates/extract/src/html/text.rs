//! Text helpers shared by the HTML extractors: whitespace, class tokens, link density.

use super::dom::{Document, NodeId};

/// Collapses runs of white space (including no-break spaces) to one space and trims.
pub fn normalise_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{200b}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Text reduced to its lower-case letters and digits, for comparing names and headlines whatever their
/// case, spacing and punctuation.
pub fn fold(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The lower-case words of an element's `class` and `id` ("article-body main" → article, body, main).
pub fn class_tokens(doc: &Document, id: NodeId) -> Vec<String> {
    let mut tokens = Vec::new();
    for attr in ["class", "id"] {
        if let Some(value) = doc.attr(id, attr) {
            for token in value.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()) {
                tokens.push(token.to_ascii_lowercase());
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_collapse() {
        assert_eq!(normalise_space("  a\n\t b\u{a0}c  "), "a b c");
    }

    #[test]
    fn class_and_id_tokens() {
        let doc = Document::parse(r#"<div class="Article-body main" id="story_1">Some text</div>"#);
        let div = doc.find("div").unwrap();
        assert_eq!(class_tokens(&doc, div), ["article", "body", "main", "story", "1"]);
    }
}
