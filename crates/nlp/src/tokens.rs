//! Word tokens, plain and with their positions.

/// The words of a text: runs of letters and digits, keeping inner apostrophes, hyphens and periods
/// ("don't", "Russia-Ukraine", "U.S."), with trailing punctuation removed.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '\'' | '’' | '-' | '.')))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

/// Calls `f` with the word in lower case, without allocating for short ASCII words: term profiles
/// and word lists look up nearly every word.
pub(crate) fn with_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0u8; 48];
    match buffer.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            f(std::str::from_utf8(lower).unwrap_or(word))
        }
        _ => f(&word.to_lowercase()),
    }
}

/// One token of a sentence with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The token's text, without a possessive "'s" (kept apart in `possessive`).
    pub text: &'a str,
    /// The same text with ASCII letters lower-cased, for matching against word lists.
    pub lower: &'a str,
    pub start: usize,
    /// End of the token including any possessive ending.
    pub end: usize,
    pub kind: TokenKind,
    /// Whether the word ended in "'s" or "’s" ("Shoigu’s").
    pub possessive: bool,
    /// Whether the token lies inside quotation marks.
    pub quoted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Word,
    Number,
    /// Any other single character that is not white space.
    Punct,
}

impl Token<'_> {
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }

    /// Starts with a capital letter (or is a capitalised abbreviation such as "U.S.").
    pub fn is_capitalised(&self) -> bool {
        self.kind == TokenKind::Word && self.text.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is(&self, punct: char) -> bool {
        self.kind == TokenKind::Punct && self.text.starts_with(punct)
    }

    /// Whether the word, lower-cased, is one of `options` (given in lower case).
    pub fn is_any(&self, options: &[&str]) -> bool {
        self.kind == TokenKind::Word && options.contains(&self.lower)
    }
}

/// Splits a sentence into word, number and punctuation tokens, marking those inside quotation marks.
/// A word keeps inner apostrophes, hyphens and periods; a trailing period stays only on dotted
/// abbreviations ("U.S."). Numbers keep inner separators ("1,200", "2.5"). `lower` is `text` with
/// ASCII letters lower-cased (byte offsets are the same).
pub(crate) fn tokenize<'a>(text: &'a str, lower: &'a str) -> Vec<Token<'a>> {
    debug_assert_eq!(text.len(), lower.len());
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            let end = start + c.len_utf8();
            tokens.push(token(text, lower, start, end, TokenKind::Punct));
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut digits_only = c.is_ascii_digit();
        while let Some(&(i, n)) = chars.peek() {
            if n.is_alphanumeric() {
                digits_only &= n.is_ascii_digit();
                end = i + n.len_utf8();
                chars.next();
                continue;
            }
            // An inner mark joins two runs: "don't", "Russia-Ukraine", "U.S", "1,200".
            let joins = matches!(n, '\'' | '’' | '-' | '.' | ',' | '‑')
                && text[i + n.len_utf8()..].chars().next().is_some_and(|after| {
                    if n == ',' { digits_only && after.is_ascii_digit() } else { after.is_alphanumeric() }
                });
            if !joins {
                break;
            }
            end = i + n.len_utf8();
            chars.next();
        }
        // A dotted abbreviation keeps its final period: "U.S." but not "Beijing.".
        let word = &text[start..end];
        if bytes.get(end) == Some(&b'.') && is_dotted_abbreviation(word) {
            end += 1;
            chars.next();
        }
        let numeric = text[start..end].chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.'));
        let kind = if numeric { TokenKind::Number } else { TokenKind::Word };
        tokens.push(token(text, lower, start, end, kind));
    }
    mark_quoted(&mut tokens);
    tokens
}

fn token<'a>(text: &'a str, lower: &'a str, start: usize, end: usize, kind: TokenKind) -> Token<'a> {
    let word = &text[start..end];
    let stem = word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")).filter(|s| !s.is_empty());
    let (text, possessive) = match (kind, stem) {
        (TokenKind::Word, Some(stem)) => (stem, true),
        _ => (word, false),
    };
    let lower = &lower[start..start + text.len()];
    Token { text, lower, start, end, kind, possessive, quoted: false }
}

/// Tokenises a text that has no lower-cased copy yet; the copy lives as long as the program, so this
/// is for data read once (the gazetteer) and tests.
pub(crate) fn tokenize_static(text: &str) -> Vec<Token<'static>> {
    let text: &'static str = Box::leak(text.to_owned().into_boxed_str());
    let lower: &'static str = Box::leak(text.to_ascii_lowercase().into_boxed_str());
    tokenize(text, lower)
}

/// "U.S", "U.N", "D.C": single letters joined by periods.
fn is_dotted_abbreviation(word: &str) -> bool {
    word.contains('.') && word.split('.').all(|part| part.chars().count() == 1)
}

/// Marks tokens between matched quotation marks: curly pairs nest, straight double quotes pair up in
/// order; an opening mark that is never closed quotes nothing.
fn mark_quoted(tokens: &mut [Token<'_>]) {
    for (open, close) in quote_pairs(tokens.iter().map(|t| (t.kind == TokenKind::Punct, t.text))) {
        for t in &mut tokens[open + 1..close] {
            t.quoted = true;
        }
    }
}

/// Index pairs of matching opening and closing quotation marks among `(is_punct, text)` items,
/// outermost pairs only.
pub(crate) fn quote_pairs<'a>(items: impl Iterator<Item = (bool, &'a str)>) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut curly_open: Option<usize> = None;
    let mut curly_depth = 0usize;
    let mut straight_open: Option<usize> = None;
    for (i, (is_punct, text)) in items.enumerate() {
        if !is_punct {
            continue;
        }
        match text {
            "“" | "«" => {
                if curly_depth == 0 && straight_open.is_none() {
                    curly_open = Some(i);
                }
                curly_depth += 1;
            }
            "”" | "»" if curly_depth > 0 => {
                curly_depth -= 1;
                if curly_depth == 0
                    && let Some(open) = curly_open.take()
                {
                    pairs.push((open, i));
                }
            }
            "\"" if curly_depth == 0 => match straight_open.take() {
                Some(open) => pairs.push((open, i)),
                None => straight_open = Some(i),
            },
            _ => {}
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_marks() {
        let got: Vec<&str> = words("“Don't,” said the U.S. envoy — Russia-Ukraine talks (2026).").collect();
        assert_eq!(got, ["Don't", "said", "the", "U.S", "envoy", "Russia-Ukraine", "talks", "2026"]);
    }

    #[test]
    fn tokens_with_possessives_abbreviations_and_numbers() {
        let text = "The U.S. paid $1,200.50 to Shoigu’s aides in Beijing.";
        let got: Vec<(&str, bool)> = tokenize_static(text).iter().map(|t| (t.text, t.possessive)).collect();
        let texts: Vec<&str> = got.iter().map(|g| g.0).collect();
        assert_eq!(
            texts,
            ["The", "U.S.", "paid", "$", "1,200.50", "to", "Shoigu", "aides", "in", "Beijing", "."]
        );
        assert!(got[6].1);
        let tokens = tokenize_static(text);
        assert_eq!(&text[tokens[6].start..tokens[6].end], "Shoigu’s");
        assert_eq!(tokens[6].lower, "shoigu");
        assert_eq!(tokens[4].kind, TokenKind::Number);
    }

    #[test]
    fn quoted_tokens_are_marked() {
        let tokens = tokenize_static("He said: “We ‘will’ go,” and left \"now\" or “never");
        let quoted: Vec<&str> = tokens.iter().filter(|t| t.quoted && t.is_word()).map(|t| t.text).collect();
        assert_eq!(quoted, ["We", "will", "go", "now"]);
    }
}
