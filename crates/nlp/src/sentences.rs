//! Sentence splitting that knows abbreviations, keeps closing quotes with their sentence and keeps a
//! quotation of several sentences whole.

use crate::tokens::quote_pairs;

/// A quotation longer than this is split into its sentences after all: an unbalanced mark must not
/// swallow a paragraph.
const MAX_WHOLE_QUOTE_BYTES: usize = 1200;

/// Words ending in a period that do not end a sentence when followed by more text.
const ABBREVIATIONS: [&str; 44] = [
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "gov", "sen",
    "rep", "rev", "hon", "pres", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "no", "vs", "etc", "inc", "ltd", "corp", "co", "approx", "est", "dept", "fig", "e.g",
    "i.e",
];

/// Splits text into sentences. A sentence ends at `.`, `!` or `?` (with any closing quotes or brackets
/// after it) followed by white space and a capital, digit or opening quote, unless the period closes
/// an abbreviation or an initial, or lies inside a quotation that closes later in the text.
pub fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let quotations: Vec<(usize, usize)> = quote_pairs(chars.iter().map(|&(_, c)| (true, quote_mark(c))))
        .into_iter()
        .map(|(open, close)| (chars[open].0, chars[close].0))
        .filter(|(open, close)| close - open <= MAX_WHOLE_QUOTE_BYTES)
        .collect();
    let inside_quotation = |byte: usize| quotations.iter().any(|&(open, close)| open < byte && byte <= close);
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | '…') {
            let mut end = i + 1;
            while end < chars.len()
                && matches!(chars[end].1, '.' | '!' | '?' | '"' | '”' | '’' | '\'' | ')' | ']')
            {
                end += 1;
            }
            let end_byte = chars.get(end).map_or(text.len(), |&(b, _)| b);
            let next_starts_sentence = next_word_start(&chars, end).is_some_and(|n| {
                n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '“' | '‘' | '(' | '[')
            });
            let at_end = chars[end..].iter().all(|&(_, c)| c.is_whitespace());
            let ends = next_starts_sentence
                && !(c == '.' && is_abbreviation(&text[start..chars[i].0]))
                && !inside_quotation(end_byte);
            if at_end || ends {
                push_trimmed(&mut sentences, &text[start..end_byte]);
                start = end_byte;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    push_trimmed(&mut sentences, &text[start..]);
    sentences
}

/// The character as the quote pairing sees it: quotation marks as themselves, anything else as "".
fn quote_mark(c: char) -> &'static str {
    match c {
        '“' => "“",
        '”' => "”",
        '«' => "«",
        '»' => "»",
        '"' => "\"",
        _ => "",
    }
}

fn next_word_start(chars: &[(usize, char)], from: usize) -> Option<char> {
    let mut iter = chars[from..].iter().map(|&(_, c)| c);
    let first = iter.next()?;
    if !first.is_whitespace() {
        return None;
    }
    iter.find(|c| !c.is_whitespace())
}

/// Whether the text before a period ends in an abbreviation or a single-letter initial.
fn is_abbreviation(before: &str) -> bool {
    let word =
        before.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '“' || c == '"').next().unwrap_or("");
    let lower = word.to_lowercase();
    let single_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    // "U.S", "U.N": dotted capitals.
    let dotted = word.contains('.') && word.split('.').all(|p| p.chars().count() <= 2);
    single_initial || dotted || ABBREVIATIONS.contains(&lower.as_str())
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let got = split_sentences(
            "U.S. President Donald Trump spoke. Dr. Smith met Gov. Jones on Feb. 1. It rained.",
        );
        assert_eq!(
            got,
            ["U.S. President Donald Trump spoke.", "Dr. Smith met Gov. Jones on Feb. 1.", "It rained."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        let got = split_sentences("He said: “We will go.” Then he left! Did he? “Yes.”");
        assert_eq!(got, ["He said: “We will go.”", "Then he left!", "Did he?", "“Yes.”"]);
    }

    #[test]
    fn quotations_of_several_sentences_stay_whole() {
        let got = split_sentences("Shoigu said: “We see it. I want to reaffirm it.” He left. “Go.” Done.");
        assert_eq!(got, ["Shoigu said: “We see it. I want to reaffirm it.”", "He left.", "“Go.”", "Done."]);
        // A mark that never closes protects nothing.
        assert_eq!(split_sentences("He said: “We see it. I left."), ["He said: “We see it.", "I left."]);
    }

    #[test]
    fn lower_case_after_a_period_continues() {
        assert_eq!(split_sentences("Version 2.5 is out. the rest"), ["Version 2.5 is out. the rest"]);
        assert_eq!(split_sentences("J. K. Rowling wrote it."), ["J. K. Rowling wrote it."]);
    }
}
