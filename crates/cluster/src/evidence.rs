//! What the clusterer reads of one article: its terms, its lead, and the facts that tell one event
//! from a similar one (numbers, years, weekdays in the lead).

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Utc};
use parallax_nlp::{Analysis, DateValue, LEAD_SENTENCES, NAME_PREFIX, Part, TermProfile, words};

/// Years this far apart are not one event's.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<u32> = 1900..=2100;

/// Weight of a name over an ordinary word.
const NAME_BOOST: f32 = 1.5;

/// The evidence one article brings to clustering.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// When it was published, if known.
    pub published: Option<DateTime<Utc>>,
    /// Content words and names of the whole article.
    pub terms: Terms,
    /// Content words and names of the title and the first body sentences.
    pub lead: Terms,
    /// Names in the lead, lower-cased single words ("thompson").
    pub lead_names: Vec<String>,
    /// Counts and ordinals in the lead ("six" rounds, "26" pirates), years left out.
    pub lead_numbers: Vec<u32>,
    /// Years of the days the article names.
    pub years: Vec<i32>,
    /// Weekdays named in the lead, as a bit set (bit 0 is Monday).
    pub lead_weekdays: u8,
}

/// A profile's terms as the clusterer reads them: each with a key for looking it up, its frequency
/// scaled for weighting, and its text (kept in one buffer, for explanations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Terms {
    pub(crate) entries: Vec<Term>,
    text: String,
}

/// One term of [`Terms`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Term {
    /// [`term_key`] of the text.
    pub(crate) key: u64,
    /// The profile's weight.
    weight: f32,
    /// Sublinear frequency, names boosted: the part of a TF-IDF weight that does not change.
    pub(crate) scaled: f32,
    pub(crate) name: bool,
    start: u32,
    end: u32,
}

impl Terms {
    /// The terms with their profile weights.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f32)> {
        self.entries.iter().map(|t| (self.text_of(t), t.weight))
    }

    /// A term's profile weight, 0 when absent.
    pub fn weight(&self, term: &str) -> f32 {
        let key = term_key(&[term]);
        self.entries.iter().find(|t| t.key == key).map_or(0.0, |t| t.weight)
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn text_of(&self, term: &Term) -> &str {
        self.text.get(term.start as usize..term.end as usize).unwrap_or_default()
    }
}

impl<S: AsRef<str>> FromIterator<(S, f32)> for Terms {
    fn from_iter<I: IntoIterator<Item = (S, f32)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let expected = iter.size_hint().0;
        let mut terms =
            Terms { entries: Vec::with_capacity(expected), text: String::with_capacity(12 * expected) };
        for (text, weight) in iter {
            let text = text.as_ref();
            let name = text.starts_with(NAME_PREFIX);
            let sublinear = sublinear(weight);
            let start = terms.text.len() as u32;
            terms.text.push_str(text);
            terms.entries.push(Term {
                key: term_key(&[text]),
                weight,
                scaled: if name { sublinear * NAME_BOOST } else { sublinear },
                name,
                start,
                end: terms.text.len() as u32,
            });
        }
        terms
    }
}

impl From<&TermProfile> for Terms {
    fn from(profile: &TermProfile) -> Self {
        profile.iter().collect()
    }
}

/// 1 + ln(tf) for a frequency of at least 1, the frequency itself below: repeats count less and
/// less. Whole frequencies, by far the most common, are looked up.
fn sublinear(tf: f32) -> f32 {
    static WHOLE: OnceLock<[f32; 64]> = OnceLock::new();
    let whole =
        WHOLE.get_or_init(|| std::array::from_fn(|n| if n == 0 { 0.0 } else { 1.0 + (n as f32).ln() }));
    match whole.get(tf as usize) {
        Some(&value) if tf >= 1.0 && (tf as usize) as f32 == tf => value,
        _ if tf >= 1.0 => 1.0 + tf.ln(),
        _ => tf.max(0.0),
    }
}

/// The key of a term written in parts (a prefix and a word): a 64-bit hash of its bytes, read eight
/// at a time and finished with a mix so that its low bits can index a table directly. Distinct
/// terms colliding is a one-in-billions event that would only blur two words' weights.
pub(crate) fn term_key(parts: &[&str]) -> u64 {
    match parts {
        [one] => hash_bytes(one.as_bytes()),
        _ => {
            let mut joined = [0u8; 64];
            let length: usize = parts.iter().map(|p| p.len()).sum();
            match joined.get_mut(..length) {
                Some(buffer) => {
                    let mut at = 0;
                    for part in parts {
                        buffer[at..at + part.len()].copy_from_slice(part.as_bytes());
                        at += part.len();
                    }
                    hash_bytes(buffer)
                }
                None => hash_bytes(parts.concat().as_bytes()),
            }
        }
    }
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ (bytes.len() as u64).wrapping_mul(MULTIPLIER);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = word.try_into().map(u64::from_le_bytes).unwrap_or(0);
        hash = (hash ^ word).wrapping_mul(MULTIPLIER).rotate_left(29);
    }
    // The last bytes, shifted in one by one: cheaper than copying a few bytes.
    let tail = words.remainder().iter().rev().fold(0u64, |tail, &byte| tail << 8 | u64::from(byte));
    hash = (hash ^ tail).wrapping_mul(MULTIPLIER);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

impl Evidence {
    /// Gathers the evidence from an analysis and the publication time.
    pub fn new(analysis: &Analysis, published: Option<DateTime<Utc>>) -> Self {
        let mut title = "";
        let mut body = 0;
        let mut lead_texts: Vec<&str> = Vec::new();
        for sentence in &analysis.sentences {
            match sentence.part {
                Part::Title => {
                    title = &sentence.text;
                    lead_texts.push(&sentence.text);
                }
                Part::Body { .. } if body < LEAD_SENTENCES => {
                    body += 1;
                    lead_texts.push(&sentence.text);
                }
                _ => {}
            }
        }
        let recomputed;
        let lead = if analysis.lead_terms.is_empty() && !lead_texts.is_empty() {
            // An analysis stored before leads were profiled.
            let body: Vec<String> =
                analysis.body_sentences().take(LEAD_SENTENCES).map(|(_, s)| s.text.clone()).collect();
            recomputed = TermProfile::with_lead(title, &body).1;
            &recomputed
        } else {
            &analysis.lead_terms
        };
        let mut lead_names: Vec<String> = lead
            .iter()
            .filter_map(|(term, _)| term.strip_prefix(NAME_PREFIX))
            .filter(|name| !name.contains(' '))
            .map(str::to_owned)
            .collect();
        lead_names.dedup();

        let mut lead_numbers = Vec::new();
        let mut lead_weekdays = 0u8;
        for text in &lead_texts {
            for_each_word(text, |word| {
                if let Some(n) = count_of(word) {
                    lead_numbers.push(n);
                } else if let Some(day) = weekday_of(word) {
                    lead_weekdays |= 1 << day.num_days_from_monday();
                }
            });
        }
        lead_numbers.sort_unstable();
        lead_numbers.dedup();

        let mut years: Vec<i32> = analysis
            .dates
            .iter()
            .filter_map(|d| match d.value {
                DateValue::Day { date } => Some(date.year()),
                _ => None,
            })
            .collect();
        years.sort_unstable();
        years.dedup();

        Evidence {
            published,
            terms: Terms::from(&analysis.terms),
            lead: Terms::from(lead),
            lead_names,
            lead_numbers,
            years,
            lead_weekdays,
        }
    }
}

/// Calls `f` with each word of a text as [`words`] gives them, split at hyphens: records and scores
/// ("58-3") are counts too. ASCII text, nearly all of it, is scanned byte by byte.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    if !text.is_ascii() {
        words(text).flat_map(|w| w.split('-')).for_each(f);
        return;
    }
    let in_word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'\'' | b'-' | b'.');
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        while at < bytes.len() && in_word(bytes[at]) {
            at += 1;
        }
        let token = text[start..at].trim_matches(|c: char| !c.is_ascii_alphanumeric());
        token.split('-').filter(|piece| !piece.is_empty()).for_each(&mut f);
        at += 1;
    }
}

/// The weekday a word names ("Monday" to "Wednesday": six to nine letters).
fn weekday_of(word: &str) -> Option<chrono::Weekday> {
    (6..=9).contains(&word.len()).then(|| parallax_core::calendar::weekday(word)).flatten()
}

/// A count or ordinal written in digits or words, in any case; years are not counts.
fn count_of(word: &str) -> Option<u32> {
    let first = word.bytes().next()?;
    if first.is_ascii_digit() {
        let n: u32 = word.parse().ok()?;
        return (!PLAUSIBLE_YEARS.contains(&n)).then_some(n);
    }
    // Every number word below starts with one of these letters and is three to eight long.
    if !matches!(first.to_ascii_lowercase(), b'o' | b't' | b'f' | b's' | b'e' | b'n')
        || !(3..=8).contains(&word.len())
    {
        return None;
    }
    const WORDS: [(&str, &str); 12] = [
        ("one", "first"),
        ("two", "second"),
        ("three", "third"),
        ("four", "fourth"),
        ("five", "fifth"),
        ("six", "sixth"),
        ("seven", "seventh"),
        ("eight", "eighth"),
        ("nine", "ninth"),
        ("ten", "tenth"),
        ("eleven", "eleventh"),
        ("twelve", "twelfth"),
    ];
    WORDS
        .iter()
        .position(|&(cardinal, ordinal)| {
            word.eq_ignore_ascii_case(cardinal) || word.eq_ignore_ascii_case(ordinal)
        })
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_core::Article;

    fn evidence(title: &str, body: &[&str]) -> Evidence {
        let mut article = Article::new(title);
        article.body =
            body.iter().map(|p| parallax_core::Block::Paragraph { text: (*p).to_owned() }).collect();
        Evidence::new(&parallax_nlp::analyze(&article), None)
    }

    #[test]
    fn the_lead_gives_names_numbers_and_weekdays() {
        let e = evidence(
            "Klitschko stops Thompson in sixth round",
            &[
                "Wladimir Klitschko stopped Tony Thompson on Saturday in Bern, 58-3 with 51 knockouts.",
                "The fight was in 2012.",
                "Klitschko had beaten Rahman in the seventh round on a Sunday.",
            ],
        );
        assert!(e.lead_names.contains(&"thompson".to_owned()), "{:?}", e.lead_names);
        assert!(!e.lead_names.contains(&"rahman".to_owned()));
        assert_eq!(e.lead_numbers, [3, 6, 51, 58]);
        assert_eq!(e.lead_weekdays, 1 << 5);
    }

    #[test]
    fn terms_keep_their_text_weight_and_kind() {
        let terms: Terms = [("n:lima", 2.0), ("quake", 1.0)].into_iter().collect();
        assert_eq!(terms.iter().collect::<Vec<_>>(), [("n:lima", 2.0), ("quake", 1.0)]);
        assert_eq!((terms.weight("quake"), terms.weight("n:quito")), (1.0, 0.0));
        let (name, word) = (terms.entries[0], terms.entries[1]);
        assert!(name.name && !word.name);
        assert!(name.scaled > word.scaled, "names weigh more, and so do repeats");
        assert_eq!(name.key, term_key(&[NAME_PREFIX, "lima"]), "a key does not depend on how it is split");
        assert_ne!(name.key, term_key(&["lima"]));
        let long = "n:".to_owned() + &"x".repeat(70);
        assert_eq!(term_key(&[NAME_PREFIX, &long[2..]]), term_key(&[&long]));
        assert_ne!(term_key(&["abcdefgh"]), term_key(&["abcdefgh\0"]), "lengths count");
    }

    #[test]
    fn words_are_read_as_the_tokenizer_reads_them() {
        for text in [
            "Klitschko stopped Thompson 58-3 on Saturday, the U.S. said: 6.1 -- 'six' rounds (2012).",
            "O'Brien's 26-point night -- 'Sunday', mid-air, 1,200.50 and .5 and 3.",
            "Côte d’Ivoire: le 3 mars, deux-cents.",
        ] {
            let mut ours = Vec::new();
            for_each_word(text, |w| ours.push(w.to_owned()));
            let reference: Vec<String> =
                words(text).flat_map(|w| w.split('-')).filter(|w| !w.is_empty()).map(str::to_owned).collect();
            assert_eq!(ours, reference, "{text}");
        }
    }

    #[test]
    fn repeats_count_less_and_less() {
        assert_eq!(sublinear(1.0), 1.0);
        assert!((sublinear(3.0) - (1.0 + 3f32.ln())).abs() < 1e-6);
        assert!((sublinear(2.5) - (1.0 + 2.5f32.ln())).abs() < 1e-6);
        assert!((sublinear(100.0) - (1.0 + 100f32.ln())).abs() < 1e-5);
        assert_eq!((sublinear(0.5), sublinear(-1.0)), (0.5, 0.0));
    }

    #[test]
    fn counts_in_words_and_digits_but_not_years() {
        assert_eq!(count_of("sixth"), Some(6));
        assert_eq!(count_of("26"), Some(26));
        assert_eq!(count_of("2012"), None);
        assert_eq!(count_of("several"), None);
        assert_eq!(count_of("Third"), Some(3));
    }
}
