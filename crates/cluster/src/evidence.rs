//! What the clusterer reads of one article: its terms, its lead, and the facts that tell one event
//! from a similar one (numbers, years, weekdays in the lead).

use chrono::{DateTime, Datelike, Utc};
use parallax_nlp::{Analysis, DateValue, NAME_PREFIX, Part, TermProfile, words};
use serde::{Deserialize, Serialize};

/// Body sentences that, with the title, make an article's lead: where reports say what happened.
const LEAD_SENTENCES: usize = 2;

/// Years this far apart are not one event's.
const PLAUSIBLE_YEARS: std::ops::RangeInclusive<u32> = 1900..=2100;

/// The evidence one article brings to clustering.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// When it was published, if known.
    pub published: Option<DateTime<Utc>>,
    /// Content words and names of the whole article.
    pub terms: TermProfile,
    /// Content words and names of the title and the first body sentences.
    pub lead: TermProfile,
    /// Names in the lead, lower-cased single words ("thompson").
    pub lead_names: Vec<String>,
    /// Counts and ordinals in the lead ("six" rounds, "26" pirates), years left out.
    pub lead_numbers: Vec<u32>,
    /// Years of the days the article names.
    pub years: Vec<i32>,
    /// Weekdays named in the lead, as a bit set (bit 0 is Monday).
    pub lead_weekdays: u8,
}

impl Evidence {
    /// Gathers the evidence from an analysis and the publication time.
    pub fn new(analysis: &Analysis, published: Option<DateTime<Utc>>) -> Self {
        let mut title = "";
        let mut lead_sentences = Vec::new();
        let mut lead_texts: Vec<&str> = Vec::new();
        for sentence in &analysis.sentences {
            match sentence.part {
                Part::Title => {
                    title = &sentence.text;
                    lead_texts.push(&sentence.text);
                }
                Part::Body { .. } if lead_sentences.len() < LEAD_SENTENCES => {
                    lead_sentences.push(sentence.text.clone());
                    lead_texts.push(&sentence.text);
                }
                _ => {}
            }
        }
        let lead = TermProfile::from_text(title, &lead_sentences);
        let mut lead_names: Vec<String> = lead
            .iter()
            .filter_map(|(term, _)| term.strip_prefix(NAME_PREFIX))
            .filter(|name| !name.contains(' '))
            .map(str::to_owned)
            .collect();
        lead_names.dedup();

        let mut lead_numbers = Vec::new();
        let mut lead_weekdays = 0u8;
        // Records and scores ("58-3") are counts too.
        for word in lead_texts.iter().flat_map(|t| words(t)).flat_map(|w| w.split('-')) {
            let lower = word.to_ascii_lowercase();
            if let Some(n) = count_of(&lower) {
                lead_numbers.push(n);
            } else if let Some(day) = parallax_core::calendar::weekday(&lower) {
                lead_weekdays |= 1 << day.num_days_from_monday();
            }
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
            terms: analysis.terms.clone(),
            lead,
            lead_names,
            lead_numbers,
            years,
            lead_weekdays,
        }
    }
}

/// A count or ordinal written in digits or words; years are not counts.
fn count_of(word: &str) -> Option<u32> {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = word.parse().ok()?;
        return (!PLAUSIBLE_YEARS.contains(&n)).then_some(n);
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
    WORDS.iter().position(|&(cardinal, ordinal)| word == cardinal || word == ordinal).map(|i| i as u32 + 1)
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
    fn counts_in_words_and_digits_but_not_years() {
        assert_eq!(count_of("sixth"), Some(6));
        assert_eq!(count_of("26"), Some(26));
        assert_eq!(count_of("2012"), None);
        assert_eq!(count_of("several"), None);
    }
}
