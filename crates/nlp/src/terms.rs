//! Term profiles: the weighted content words and names that say what an article is about.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use crate::lexicon::WordHasher;
use crate::stopwords::is_stop_lower;
use crate::tokens::with_lowercase;
use crate::words;

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

/// Term weights while a profile is built; looked up by borrowed text so that a repeated term costs
/// no allocation.
type Weights = HashMap<String, f32, BuildHasherDefault<WordHasher>>;

impl TermProfile {
    /// Builds a profile from a title and the body's sentences.
    pub fn from_text(title: &str, sentences: &[String]) -> Self {
        let lower_words: HashSet<&str, BuildHasherDefault<WordHasher>> = sentences
            .iter()
            .flat_map(|s| words(s))
            .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
            .collect();
        let mut weights = Weights::with_capacity_and_hasher(64 + 8 * sentences.len(), Default::default());
        let mut scratch = String::new();
        add_sentence(&mut weights, &mut scratch, title, TITLE_WEIGHT, &lower_words);
        for sentence in sentences {
            add_sentence(&mut weights, &mut scratch, sentence, 1.0, &lower_words);
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

fn add(weights: &mut Weights, term: &str, weight: f32) {
    match weights.get_mut(term) {
        Some(total) => *total += weight,
        None => {
            weights.insert(term.to_owned(), weight);
        }
    }
}

fn add_sentence(
    weights: &mut Weights,
    scratch: &mut String,
    sentence: &str,
    weight: f32,
    lower_words: &HashSet<&str, BuildHasherDefault<WordHasher>>,
) {
    let mut name: Vec<&str> = Vec::new();
    for (i, token) in words(sentence).enumerate() {
        let token = without_possessive(token);
        if is_name_word(token, i == 0, lower_words) {
            name.push(token);
            continue;
        }
        flush_name(weights, scratch, &mut name, weight);
        if let Some(term) = content_term(token, scratch) {
            add(weights, term, weight);
        }
    }
    flush_name(weights, scratch, &mut name, weight);
}

/// The word without its possessive endings.
fn without_possessive(mut token: &str) -> &str {
    while let Some(stripped) = token.strip_suffix("'s") {
        token = stripped;
    }
    while let Some(stripped) = token.strip_suffix("’s") {
        token = stripped;
    }
    token
}

/// A capitalised word that is not a function word; at the start of a sentence it must also never be
/// written in lower case elsewhere ("Analysts suggest" is not a name).
fn is_name_word(
    token: &str,
    sentence_start: bool,
    lower_words: &HashSet<&str, BuildHasherDefault<WordHasher>>,
) -> bool {
    let capitalised = token.chars().next().is_some_and(char::is_uppercase);
    if !capitalised {
        return false;
    }
    with_lowercase(token, |lower| !(is_stop_lower(lower) || sentence_start && lower_words.contains(lower)))
}

/// Adds a name run as one term per word and, for several words, one for the whole name.
fn flush_name(weights: &mut Weights, scratch: &mut String, name: &mut Vec<&str>, weight: f32) {
    if name.is_empty() {
        return;
    }
    for word in name.iter() {
        scratch.clear();
        scratch.push_str(NAME_PREFIX);
        push_lowercase(scratch, word);
        add(weights, scratch, weight);
    }
    if name.len() > 1 {
        scratch.clear();
        scratch.push_str(NAME_PREFIX);
        for (i, word) in name.iter().enumerate() {
            if i > 0 {
                scratch.push(' ');
            }
            push_lowercase(scratch, word);
        }
        add(weights, scratch, weight);
    }
    name.clear();
}

fn push_lowercase(out: &mut String, word: &str) {
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(&word.to_lowercase());
    }
}

/// An ordinary word as a term, written into `scratch`: lower case, light plural stemming; function
/// words and one-letter tokens give none. Numbers are kept: they tell events apart.
fn content_term<'s>(token: &str, scratch: &'s mut String) -> Option<&'s str> {
    if token.chars().count() < 3 && !token.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    scratch.clear();
    push_lowercase(scratch, token);
    if is_stop_lower(scratch) {
        return None;
    }
    stem(scratch);
    Some(scratch)
}

/// Strips a plural ending in place.
fn stem(word: &mut String) {
    if word.len() >= 6 && word.ends_with("ies") {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if word.len() > 4
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word.pop();
    }
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
        let stemmed = |word: &str| {
            let mut word = word.to_owned();
            stem(&mut word);
            word
        };
        assert_eq!(stemmed("cities"), "city");
        assert_eq!(stemmed("ties"), "ties");
        assert_eq!(stemmed("talks"), "talk");
        assert_eq!(stemmed("crisis"), "crisis");
        assert_eq!(stemmed("status"), "status");
    }
}
