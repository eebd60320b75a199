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

/// Body sentences that, with the title, make a text's lead: where reports say what happened.
pub const LEAD_SENTENCES: usize = 2;

/// Term weights while a profile is built; looked up by borrowed text so that a repeated term costs
/// no allocation.
type Weights = HashMap<String, f32, BuildHasherDefault<WordHasher>>;

impl TermProfile {
    /// Builds a profile from a title and the body's sentences.
    pub fn from_text(title: &str, sentences: &[String]) -> Self {
        TermProfile { terms: Builder::new(sentences).build(title).into_iter().collect() }
    }

    /// Builds the profile of a title and the body's sentences, and the profile of its lead: the
    /// title and the first [`LEAD_SENTENCES`], read as a text of its own.
    pub fn with_lead(title: &str, sentences: &[String]) -> (Self, Self) {
        let lead = &sentences[..sentences.len().min(LEAD_SENTENCES)];
        (Self::from_text(title, sentences), Self::from_text(title, lead))
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

/// Adds up the weights of a text's terms.
struct Builder<'t> {
    sentences: &'t [String],
    /// Words written in lower case somewhere in the text (see [`is_name_word`]).
    lower_words: HashSet<&'t str, BuildHasherDefault<WordHasher>>,
    weights: Weights,
    /// The term being written, reused from word to word.
    scratch: String,
}

impl<'t> Builder<'t> {
    fn new(sentences: &'t [String]) -> Self {
        let lower_words = sentences
            .iter()
            .flat_map(|s| words(s))
            .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
            .collect();
        let weights = Weights::with_capacity_and_hasher(64 + 8 * sentences.len(), Default::default());
        Builder { sentences, lower_words, weights, scratch: String::new() }
    }

    fn build(mut self, title: &str) -> Weights {
        self.sentence(title, TITLE_WEIGHT);
        for sentence in self.sentences {
            self.sentence(sentence, 1.0);
        }
        self.weights
    }

    fn sentence(&mut self, sentence: &str, weight: f32) {
        let mut name: Vec<&str> = Vec::new();
        for (i, token) in words(sentence).enumerate() {
            let token = without_possessive(token);
            if is_name_word(token, i == 0, &self.lower_words) {
                name.push(token);
                continue;
            }
            self.flush_name(&mut name, weight);
            if content_term(token, &mut self.scratch) {
                self.add_scratch(weight);
            }
        }
        self.flush_name(&mut name, weight);
    }

    /// Counts the term in `scratch`.
    fn add_scratch(&mut self, weight: f32) {
        match self.weights.get_mut(self.scratch.as_str()) {
            Some(total) => *total += weight,
            None => {
                self.weights.insert(self.scratch.clone(), weight);
            }
        }
    }

    /// Adds a name run as one term per word and, for several words, one for the whole name.
    fn flush_name(&mut self, name: &mut Vec<&str>, weight: f32) {
        if name.is_empty() {
            return;
        }
        for word in name.iter() {
            self.scratch.clear();
            self.scratch.push_str(NAME_PREFIX);
            push_lowercase(&mut self.scratch, word);
            self.add_scratch(weight);
        }
        if name.len() > 1 {
            self.scratch.clear();
            self.scratch.push_str(NAME_PREFIX);
            for (i, word) in name.iter().enumerate() {
                if i > 0 {
                    self.scratch.push(' ');
                }
                push_lowercase(&mut self.scratch, word);
            }
            self.add_scratch(weight);
        }
        name.clear();
    }
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

fn push_lowercase(out: &mut String, word: &str) {
    if word.is_ascii() {
        let start = out.len();
        out.push_str(word);
        if let Some(pushed) = out.get_mut(start..) {
            pushed.make_ascii_lowercase();
        }
    } else {
        out.push_str(&word.to_lowercase());
    }
}

/// Writes an ordinary word as a term into `scratch`: lower case, light plural stemming; function
/// words and one-letter tokens give none (false). Numbers are kept: they tell events apart.
fn content_term(token: &str, scratch: &mut String) -> bool {
    if token.chars().count() < 3 && !token.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    scratch.clear();
    push_lowercase(scratch, token);
    if is_stop_lower(scratch) {
        return false;
    }
    stem(scratch);
    true
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
    fn the_lead_is_the_title_and_first_sentences() {
        let sentences: Vec<String> =
            ["Shoigu met Wang Yi.", "The talks covered security.", "Analysts doubt Lavrov will come."]
                .map(str::to_owned)
                .into();
        let (whole, lead) = TermProfile::with_lead("Shoigu in Beijing", &sentences);
        assert_eq!(whole, TermProfile::from_text("Shoigu in Beijing", &sentences));
        assert_eq!((lead.weight("n:shoigu"), lead.weight("talk")), (3.0, 1.0));
        assert_eq!((whole.weight("n:lavrov"), lead.weight("n:lavrov")), (1.0, 0.0));
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
