//! Term profiles: the weighted content words and names that say what an article is about.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{is_stopword, words};

/// Prefix of name terms ("n:wang yi", "n:beijing"), keeping them apart from ordinary words.
pub const NAME_PREFIX: &str = "n:";

/// How much more a title's terms count than the body's.
const TITLE_WEIGHT: f32 = 2.0;

/// Weighted terms, sorted by term. Ordinary words are lower-cased and lightly stemmed; capitalised
/// names become `n:` terms, both as whole names ("n:sergei shoigu") and per word ("n:shoigu") so that
/// a surname alone still matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TermProfile {
    terms: BTreeMap<String, f32>,
}

impl TermProfile {
    /// Builds a profile from a title and the body's sentences.
    pub fn from_text(title: &str, sentences: &[String]) -> Self {
        let lower_words: HashSet<String> = sentences
            .iter()
            .flat_map(|s| words(s))
            .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
            .map(str::to_owned)
            .collect();
        let mut weights: HashMap<String, f32> = HashMap::new();
        add_sentence(&mut weights, title, TITLE_WEIGHT, &lower_words);
        for sentence in sentences {
            add_sentence(&mut weights, sentence, 1.0, &lower_words);
        }
        TermProfile { terms: weights.into_iter().collect() }
    }

    /// Builds a profile from explicit terms (later duplicates add up).
    pub fn from_terms(terms: impl IntoIterator<Item = (String, f32)>) -> Self {
        let mut weights: HashMap<String, f32> = HashMap::new();
        for (term, weight) in terms {
            *weights.entry(term).or_default() += weight;
        }
        TermProfile { terms: weights.into_iter().collect() }
    }

    /// The terms and weights, sorted by term.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f32)> {
        self.terms.iter().map(|(t, w)| (t.as_str(), *w))
    }

    /// A term's weight, 0 when absent.
    pub fn weight(&self, term: &str) -> f32 {
        self.terms.get(term).copied().unwrap_or(0.0)
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

fn add_sentence(
    weights: &mut HashMap<String, f32>,
    sentence: &str,
    weight: f32,
    lower_words: &HashSet<String>,
) {
    let tokens: Vec<&str> = words(sentence).collect();
    let mut name: Vec<&str> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let token = token.trim_end_matches("'s").trim_end_matches("’s");
        if is_name_word(token, i == 0, lower_words) {
            name.push(token);
            continue;
        }
        flush_name(weights, &mut name, weight);
        if let Some(term) = content_term(token) {
            *weights.entry(term).or_default() += weight;
        }
    }
    flush_name(weights, &mut name, weight);
}

/// A capitalised word that is not a function word; at the start of a sentence it must also never be
/// written in lower case elsewhere ("Analysts suggest" is not a name).
fn is_name_word(token: &str, sentence_start: bool, lower_words: &HashSet<String>) -> bool {
    let capitalised = token.chars().next().is_some_and(char::is_uppercase);
    if !capitalised || is_stopword(token) {
        return false;
    }
    !(sentence_start && lower_words.contains(&token.to_lowercase()))
}

fn flush_name(weights: &mut HashMap<String, f32>, name: &mut Vec<&str>, weight: f32) {
    if name.is_empty() {
        return;
    }
    let lower: Vec<String> = name.iter().map(|w| w.to_lowercase()).collect();
    for word in &lower {
        *weights.entry(format!("{NAME_PREFIX}{word}")).or_default() += weight;
    }
    if lower.len() > 1 {
        *weights.entry(format!("{NAME_PREFIX}{}", lower.join(" "))).or_default() += weight;
    }
    name.clear();
}

/// An ordinary word as a term: lower case, light plural stemming; function words and one-letter
/// tokens give none. Numbers are kept: they tell events apart.
fn content_term(token: &str) -> Option<String> {
    if is_stopword(token) || token.chars().count() < 3 && !token.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(stem(&token.to_lowercase()))
}

fn stem(word: &str) -> String {
    if let Some(base) = word.strip_suffix("ies").filter(|b| b.len() >= 3) {
        return format!("{base}y");
    }
    if word.len() > 4
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_words() {
        let sentences = vec![
            "Analysts suggest Sergei Shoigu met Wang Yi in Beijing.".to_owned(),
            "Shoigu's talks covered security, analysts said.".to_owned(),
        ];
        let p = TermProfile::from_text("Shoigu visits Beijing", &sentences);
        assert_eq!(p.weight("n:shoigu"), 4.0, "title twice, body twice");
        assert_eq!(p.weight("n:sergei shoigu"), 1.0);
        assert_eq!(p.weight("n:wang yi"), 1.0);
        assert_eq!(p.weight("n:analysts"), 0.0);
        assert_eq!(p.weight("analyst"), 2.0);
        assert_eq!(p.weight("talk"), 1.0);
        assert_eq!(p.weight("the"), 0.0);
    }

    #[test]
    fn stemming_is_light() {
        assert_eq!(stem("cities"), "city");
        assert_eq!(stem("talks"), "talk");
        assert_eq!(stem("crisis"), "crisis");
        assert_eq!(stem("status"), "status");
    }
}
