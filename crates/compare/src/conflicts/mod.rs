//! Where reports disagree. Within a statement several outlets make, a slot filled differently: a
//! count of the same thing ("four" / "six" / "at least a dozen" people), a magnitude, a percentage
//! ("40%" / "an equal share"), a date, a place, who met whom, or whether something happened at all
//! ("signed" / "did not sign"). Across the story, counts of one outcome (people killed, the price of
//! a sale) that do not fit, wherever they stand. And two outlets' accounts of one kind of earlier
//! event by the same person (a previous visit or meeting) placed at different times or places.

mod slots;
mod story;

use std::collections::BTreeMap;

use parallax_core::ArticleId;
use parallax_nlp::EntityKind;
use serde::{Deserialize, Serialize};

use crate::align::{Report, SentenceRef, Statement};
use crate::features::pronoun_person;
use slots::{Polarity, filled_slots, named, polarities};
use story::{event_conflicts, meeting_conflicts, outcome_conflicts};

/// A slot that outlets fill differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The statement, as its first sentence words it; for an event conflict, the event ("Sergei
    /// Shoigu's earlier visit").
    pub about: String,
    /// What differs: a count of something ("people"), "percent", "money (USD)", "date", "place",
    /// "participants", "negation (sign)", or for an event conflict "date and place".
    pub slot: String,
    /// Whether the values come from one statement, from counts of one outcome across the story, or
    /// from accounts of one kind of earlier event.
    #[serde(default)]
    pub scope: Scope,
    /// Each value, with the articles that give it and the first sentence giving it.
    pub values: Vec<ConflictValue>,
}

/// Where a conflict's values were found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Sentences aligned as one statement.
    #[default]
    Statement,
    /// Sentences anywhere in the story that count the same outcome of the event: how many people
    /// were killed, injured, evacuated, arrested, rescued, fell ill or are missing, or the price of a
    /// sale.
    Story,
    /// Sentences not aligned, each telling of the same person's earlier visit or meeting: the
    /// accounts do not match, though they may describe different occasions.
    Event,
}

/// One value of a conflicting slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value as the first report giving it writes it ("six", "4", "did not sign").
    pub value: String,
    /// The articles giving it.
    pub articles: Vec<ArticleId>,
    /// The sentence of the first of them.
    pub sentence: SentenceRef,
}

/// What one sentence says fills a slot.
#[derive(Debug, Clone)]
enum Reading {
    /// A quantity between two bounds.
    Quantity([f64; 2]),
    /// A span of days, as ordinal days.
    Days(i32, i32),
    /// Places the sentence sets something in.
    Places(Vec<String>),
    /// The people a meeting sentence names.
    Participants(Vec<String>),
    /// Whether the verb is affirmed (`true`) or negated.
    Polarity(bool),
}

impl Reading {
    /// Whether two readings disagree about one thing: incompatible, and for quantities within a
    /// hundredfold of each other (a price per dose and the price of the order, or this week's toll
    /// and the war's, are different things).
    fn conflicts_with(&self, other: &Reading) -> bool {
        if let (Reading::Quantity(a), Reading::Quantity(b)) = (self, other) {
            let (low, high) = (a[0].max(b[0]), a[1].min(b[1]));
            if high > 0.0 && low / high > DIFFERENT_THINGS {
                return false;
            }
        }
        !self.compatible(other)
    }

    fn compatible(&self, other: &Reading) -> bool {
        match (self, other) {
            (Reading::Quantity(a), Reading::Quantity(b)) => {
                // Rounding ("1.2 billion" for 1,216 million) is not a disagreement.
                let slack = |x: f64| x.abs() * 0.02;
                a[0] <= b[1] + slack(b[1]) && b[0] <= a[1] + slack(a[1])
            }
            (Reading::Days(a0, a1), Reading::Days(b0, b1)) => a0 <= b1 && b0 <= a1,
            (Reading::Places(a), Reading::Places(b)) => a.iter().any(|p| b.contains(p)),
            (Reading::Participants(a), Reading::Participants(b)) => {
                // By surname: one report's "Nixon" is another's "Richard Nixon".
                let surname = |p: &String| p.rsplit(' ').next().unwrap_or(p).to_owned();
                let (a, b): (Vec<String>, Vec<String>) =
                    (a.iter().map(surname).collect(), b.iter().map(surname).collect());
                a.iter().all(|p| b.contains(p)) || b.iter().all(|p| a.contains(p))
            }
            (Reading::Polarity(a), Reading::Polarity(b)) => a == b,
            _ => true,
        }
    }
}

/// Quantities further apart than this factor count different things.
const DIFFERENT_THINGS: f64 = 100.0;

/// Least similarity of two sentences for their different values to be a conflict.
const CONFLICT_SIMILARITY: f32 = 0.3;

/// Whether two sentences can be about the same people: when both name people, or open with a
/// pronoun standing for someone named just before, they have one in common (two players' season
/// figures are not a conflict).
fn same_people(reports: &[Report<'_>], a: &SentenceRef, b: &SentenceRef) -> bool {
    let (pa, pb) = (people_of(reports, a), people_of(reports, b));
    pa.is_empty() || pb.is_empty() || pa.iter().any(|p| pb.contains(p))
}

/// The people a sentence names, or for one opening with a pronoun and naming nobody, the person it
/// stands for.
fn people_of(reports: &[Report<'_>], s: &SentenceRef) -> Vec<String> {
    let Some(report) = report_of(reports, s.article) else { return Vec::new() };
    let named_here = named(report.analysis, s.index, EntityKind::Person);
    if !named_here.is_empty() {
        return named_here;
    }
    pronoun_person(report.analysis, s.index).map(|e| e.name.clone()).into_iter().collect()
}

/// A slot one sentence fills: (slot, reading, value as written).
type Filled = (String, Reading, String);

/// The conflicts within statements, in statement order, then counts of one outcome across the
/// story, then accounts of earlier events. Also returns, for each statement, whether it holds a
/// conflict. `similarity` tells how alike two sentences are (as alignment measured them).
pub(crate) fn conflicts(
    reports: &[Report<'_>],
    statements: &[Statement],
    similarity: impl Fn(&SentenceRef, &SentenceRef) -> f32,
) -> (Vec<Conflict>, Vec<bool>) {
    let mut found = Vec::new();
    let mut conflicting = vec![false; statements.len()];
    // Pairs of sentences whose values a statement's conflict already sets against each other.
    let mut settled: Vec<(SentenceRef, SentenceRef)> = Vec::new();
    for (s, statement) in statements.iter().enumerate() {
        let mut by_slot: BTreeMap<String, Vec<(usize, Reading, String)>> = BTreeMap::new();
        let readings: Vec<Vec<Filled>> = {
            let polarity: Vec<Vec<Polarity>> =
                statement.sentences.iter().map(|s| polarities(&s.text)).collect();
            (0..statement.sentences.len()).map(|k| filled_slots(reports, statement, k, &polarity)).collect()
        };
        for (k, filled) in readings.into_iter().enumerate() {
            for (slot, reading, written) in filled {
                by_slot.entry(slot).or_default().push((k, reading, written));
            }
        }
        for (slot, mut readings) in by_slot {
            // A sentence giving two values of one slot (two counts of yards) does not say which the
            // statement is about.
            let once = |k: usize, readings: &[(usize, Reading, String)]| {
                readings.iter().filter(|r| r.0 == k).count() == 1
            };
            let snapshot = readings.clone();
            readings.retain(|r| once(r.0, &snapshot));
            // A report giving two values that do not fit in one statement counts different things
            // there (two players' figures): the statement holds no conflict in that slot.
            let article = |k: usize| statement.sentences[k].article;
            let self_contradicting = readings.iter().enumerate().any(|(i, (x, a, _))| {
                readings[i + 1..]
                    .iter()
                    .any(|(y, b, _)| x != y && article(*x) == article(*y) && !a.compatible(b))
            });
            if self_contradicting {
                continue;
            }
            let outlet =
                |k: usize| report_of(reports, statement.sentences[k].article).map(Report::outlet_key);
            // Two sentences clash when they say nearly the same thing, from different outlets, with
            // values that do not fit each other: being in one statement is not enough.
            let mut involved: Vec<usize> = Vec::new();
            for (i, (x, a, wa)) in readings.iter().enumerate() {
                for (y, b, wb) in &readings[i + 1..] {
                    let (sx, sy) = (&statement.sentences[*x], &statement.sentences[*y]);
                    // The same words ("Wednesday", "today") read against two publication dates are
                    // one value, not two.
                    if outlet(*x) != outlet(*y)
                        && !wa.eq_ignore_ascii_case(wb)
                        && a.conflicts_with(b)
                        && (slot == "participants" || same_people(reports, sx, sy))
                        && similarity(sx, sy) >= CONFLICT_SIMILARITY
                    {
                        involved.extend([*x, *y]);
                        settled.push((sx.clone(), sy.clone()));
                    }
                }
            }
            if involved.is_empty() {
                continue;
            }
            conflicting[s] = true;
            let mut values: Vec<ConflictValue> = Vec::new();
            for (k, _, written) in readings.iter().filter(|r| involved.contains(&r.0)) {
                let sentence = &statement.sentences[*k];
                add_value(&mut values, written, sentence);
            }
            found.push(Conflict { about: statement.text.clone(), slot, scope: Scope::Statement, values });
        }
    }
    let outcomes = outcome_conflicts(reports, statements, &settled, &similarity, &mut conflicting);
    found.extend(outcomes);
    let meetings = meeting_conflicts(reports, statements, &settled, &similarity, &mut conflicting);
    found.extend(meetings);
    found.extend(event_conflicts(reports, statements));
    (found, conflicting)
}

/// Adds a value as written by a sentence to a conflict's values: to the same value written alike
/// (any case) by another article, or as a new value with this sentence as its example.
fn add_value(values: &mut Vec<ConflictValue>, written: &str, sentence: &SentenceRef) {
    match values.iter_mut().find(|v| v.value.eq_ignore_ascii_case(written)) {
        Some(value) => {
            if !value.articles.contains(&sentence.article) {
                value.articles.push(sentence.article);
            }
        }
        None => values.push(ConflictValue {
            value: written.to_owned(),
            articles: vec![sentence.article],
            sentence: sentence.clone(),
        }),
    }
}

/// Whether reports from two or more outlets make the statement.
fn several_outlets(reports: &[Report<'_>], statement: &Statement) -> bool {
    let mut outlets =
        statement.sentences.iter().filter_map(|s| report_of(reports, s.article).map(Report::outlet_key));
    let first = outlets.next();
    outlets.any(|o| Some(o) != first)
}

fn report_of<'r, 'a>(reports: &'r [Report<'a>], article: ArticleId) -> Option<&'r Report<'a>> {
    reports.iter().find(|r| r.article == article)
}

#[cfg(test)]
mod tests {
    use crate::test_support::{analysed, report};
    use crate::{Scope, Status, compare};
    use parallax_core::ArticleId;

    fn slots(texts: &[&str]) -> crate::Comparison {
        let analyses: Vec<_> = texts.iter().map(|t| analysed(t)).collect();
        let outlets = ["X", "Y", "Z"];
        let reports: Vec<_> =
            analyses.iter().enumerate().map(|(i, a)| report(i as i64 + 1, Some(outlets[i]), a)).collect();
        compare(&reports)
    }

    #[test]
    fn counts_in_words_and_digits_that_disagree_are_a_conflict() {
        let comparison = slots(&[
            "Four people were killed when the old bridge in Genoa collapsed on Tuesday.",
            "Six people were killed when the old Genoa bridge collapsed on Tuesday.",
            "At least 6 people were killed as the old bridge in Genoa collapsed on Tuesday.",
        ]);
        assert_eq!(comparison.statements.len(), 1, "{comparison:#?}");
        assert_eq!(comparison.statements[0].status, Status::Conflict);
        let [conflict] = &comparison.conflicts[..] else { panic!("{comparison:#?}") };
        assert_eq!(conflict.slot, "people");
        let values: Vec<(&str, &[ArticleId])> =
            conflict.values.iter().map(|v| (v.value.as_str(), v.articles.as_slice())).collect();
        assert_eq!(
            values,
            [
                ("Four", &[ArticleId(1)][..]),
                ("Six", &[ArticleId(2)][..]),
                ("At least 6", &[ArticleId(3)][..])
            ]
        );
    }

    #[test]
    fn agreeing_values_and_one_outlet_alone_are_no_conflict() {
        let comparison = slots(&[
            "Four people were killed when the old bridge in Genoa collapsed on Tuesday.",
            "At least 4 people were killed when the old Genoa bridge collapsed on Tuesday.",
        ]);
        assert!(comparison.conflicts.is_empty(), "{comparison:#?}");
        assert_eq!(comparison.statements[0].status, Status::Corroborated);
    }

    #[test]
    fn a_dozen_or_more_against_four_and_dozens_against_a_few() {
        let comparison = slots(&[
            "At least a dozen homes were destroyed by the wildfire near Arlen.",
            "Four homes were destroyed by the Arlen wildfire.",
        ]);
        assert_eq!(comparison.conflicts.len(), 1, "{comparison:#?}");
        assert_eq!(comparison.conflicts[0].slot, "home");
    }

    #[test]
    fn percentages_against_an_equal_share() {
        let comparison = slots(&[
            "Under the merger deal, Orvane shareholders will own 60 percent of the combined company.",
            "Under the merger deal, Orvane shareholders will own an equal share of the combined company.",
        ]);
        let [conflict] = &comparison.conflicts[..] else { panic!("{comparison:#?}") };
        assert_eq!(conflict.slot, "percent");
        assert_eq!(conflict.values.len(), 2);
    }

    #[test]
    fn different_places_partners_and_negation() {
        let place = slots(&[
            "The ferry ran aground in Marrow Bay early on Friday, the coast guard said.",
            "The ferry ran aground in Eastfold early on Friday, the coast guard said.",
        ]);
        assert!(place.conflicts.iter().any(|c| c.slot == "place"), "{place:#?}");
        let met = slots(&[
            "Foreign Minister Ilse Varga met Prime Minister Tomas Brenn in Velm on Monday to discuss the dam.",
            "Foreign Minister Ilse Varga met Defence Minister Oren Kask in Velm on Monday to discuss the dam.",
        ]);
        assert!(met.conflicts.iter().any(|c| c.slot == "participants"), "{met:#?}");
        let signed = slots(&[
            "The dockworkers' union signed the wage agreement with the port authority on Thursday.",
            "The dockworkers' union did not sign the wage agreement with the port authority on Thursday.",
        ]);
        let negation = signed.conflicts.iter().find(|c| c.slot.starts_with("negation")).expect("negation");
        assert!(negation.values.iter().any(|v| v.value == "not sign"), "{negation:#?}");
    }

    #[test]
    fn tolls_and_prices_in_statements_told_apart() {
        let comparison = slots(&[
            "The ferry Saltwren capsized in Marrow Bay on Tuesday. Nine people died, the coast guard said. \
             Kessler Freight will buy Orbin Rail for $400 million.",
            "A storm in Marrow Bay on Tuesday evening overturned the Saltwren ferry and killed 11 passengers. \
             Kessler will pay $40 million in cash, a filing shows.",
        ]);
        let slots: Vec<&str> = comparison.conflicts.iter().map(|c| c.slot.as_str()).collect();
        assert!(slots.contains(&"people killed"), "{comparison:#?}");
        assert!(slots.contains(&"price (USD)"), "{comparison:#?}");
    }

    #[test]
    fn meetings_with_different_people_told_in_different_words() {
        let comparison = slots(&[
            "The pilots' strike at Corran Air was called off on Wednesday. \
             Union leader Jonas Falk met airline chief executive Ida Sunde at the airport.",
            "Pilots at Corran Air will not strike after all. \
             Jonas Falk, who leads the pilots' union, met Transport Minister Ola Brand to settle the dispute.",
        ]);
        let meeting = comparison.conflicts.iter().find(|c| c.slot == "participants");
        let values: Vec<&str> =
            meeting.map(|c| c.values.iter().map(|v| v.value.as_str()).collect()).unwrap_or_default();
        assert!(
            values.iter().any(|v| v.contains("Ida Sunde")) && values.iter().any(|v| v.contains("Ola Brand")),
            "{comparison:#?}"
        );
    }

    #[test]
    fn a_price_per_dose_is_not_the_price_of_the_order() {
        let comparison = slots(&[
            "The government paid $30 million for four million doses of the Nuvrila vaccine.",
            "The government paid about $7.50 for each of the four million Nuvrila vaccine doses.",
        ]);
        assert!(comparison.conflicts.is_empty(), "{comparison:#?}");
    }

    #[test]
    fn accounts_of_an_earlier_visit_that_do_not_meet() {
        let comparison = slots(&[
            "Minister Ilse Varga arrived in Velm for trade talks on Monday. \
             Ilse Varga's last visit to Orsk was in December 2025.",
            "Minister Ilse Varga arrived in Velm on Monday for trade talks. \
             When Ilse Varga visited Velm on February 28, 2025, she met the president.",
        ]);
        // Aligned as one statement, the dates conflict there; told apart, the accounts do.
        let conflict = comparison
            .conflicts
            .iter()
            .find(|c| c.scope == Scope::Event || c.slot == "date")
            .unwrap_or_else(|| panic!("{comparison:#?}"));
        let values: Vec<&str> = conflict.values.iter().map(|v| v.value.as_str()).collect();
        assert!(values.iter().any(|v| v.contains("December 2025")), "{values:?}");
        assert!(values.iter().any(|v| v.contains("February 28, 2025")), "{values:?}");
    }
}
