//! Conflicts between sentences alignment did not make one statement: counts of one outcome of the
//! event (people killed, the price of a sale), meetings with a different other party, and accounts
//! of one person's earlier visit or meeting that do not match.

use chrono::NaiveDate;
use parallax_nlp::{DateValue, EntityKind, ValueKind, words};

use super::slots::{MEETING_WORDS, ordinal};
use super::{Conflict, ConflictValue, Reading, Scope, add_value, people_of, report_of, several_outlets};
use crate::align::{Report, SentenceRef, Statement};
use crate::features::{counted_class, pronoun_person};

/// Outcomes of an event that reports count, each with the words that tell of it: people killed,
/// injured and so on, and the price of a sale.
const OUTCOMES: &[(&str, &[&str], Measure)] = &[
    (
        "killed",
        &["killed", "kill", "dead", "died", "die", "deaths", "death", "toll", "lives", "fatalities"],
        Measure::People,
    ),
    ("injured", &["injured", "injuries", "wounded", "hurt"], Measure::People),
    ("evacuated", &["evacuated", "evacuate", "evacuation", "fled", "displaced", "leave"], Measure::People),
    ("arrested", &["arrested", "arrest", "arrests", "detained"], Measure::People),
    ("rescued", &["rescued", "saved"], Measure::People),
    ("missing", &["missing", "unaccounted"], Measure::People),
    ("ill", &["ill", "infected", "sick", "sickened", "sickness"], Measure::People),
    (
        "price",
        &[
            "buy", "bought", "pay", "paid", "pays", "sell", "sold", "sale", "price", "acquire", "purchase",
            "takeover", "bribes", "worth",
        ],
        Measure::Money,
    ),
];

/// What an outcome is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    People,
    Money,
}

/// Counts of one outcome (people killed, the price paid) that do not fit each other, wherever the
/// sentences giving them stand (statements told apart, or one statement whose sentences are not
/// close enough for its own check), unless a statement's conflict already sets them against each
/// other. Sums of money count as one price only between sentences naming a party in common.
pub(super) fn outcome_conflicts(
    reports: &[Report<'_>],
    statements: &[Statement],
    settled: &[(SentenceRef, SentenceRef)],
    similarity: &impl Fn(&SentenceRef, &SentenceRef) -> f32,
    conflicting: &mut [bool],
) -> Vec<Conflict> {
    struct Count<'s> {
        statement: usize,
        outlet: String,
        sentence: &'s SentenceRef,
        slot: String,
        measure: Measure,
        bounds: [f64; 2],
        written: String,
        names: Vec<&'s str>,
    }
    let mut counts: Vec<Count<'_>> = Vec::new();
    for (s, statement) in statements.iter().enumerate() {
        for sentence in &statement.sentences {
            let Some(report) = report_of(reports, sentence.article) else { continue };
            let lower: Vec<String> = words(&sentence.text).map(|w| w.to_lowercase()).collect();
            let names: Vec<&str> = words(&sentence.text)
                .filter(|w| w.starts_with(char::is_uppercase) && !parallax_nlp::is_stopword(w))
                .collect();
            for &(outcome, cues, measure) in OUTCOMES {
                if !lower.iter().any(|w| cues.contains(&w.as_str())) {
                    continue;
                }
                // A sentence telling of two outcomes of people does not say which its count is.
                let others = OUTCOMES.iter().filter(|(name, cues, m)| {
                    *name != outcome && *m == measure && lower.iter().any(|w| cues.contains(&w.as_str()))
                });
                if others.count() > 0 {
                    continue;
                }
                for value in report.analysis.values.iter().filter(|v| v.sentence == sentence.index) {
                    let slot = match (&value.kind, measure) {
                        (ValueKind::Number, Measure::People)
                            if value.unit.as_deref().is_some_and(|u| counted_class(u) == "people") =>
                        {
                            format!("people {outcome}")
                        }
                        (ValueKind::Money { currency }, Measure::Money) => format!("{outcome} ({currency})"),
                        _ => continue,
                    };
                    counts.push(Count {
                        statement: s,
                        outlet: report.outlet_key(),
                        sentence,
                        slot,
                        measure,
                        bounds: value.bounds(),
                        written: value.text.clone(),
                        names: names.clone(),
                    });
                }
            }
        }
    }
    let mut slots: Vec<&str> = counts.iter().map(|c| c.slot.as_str()).collect();
    slots.sort_unstable();
    slots.dedup();
    let mut found: Vec<Conflict> = Vec::new();
    for slot in slots {
        let of: Vec<&Count<'_>> = counts.iter().filter(|c| c.slot == slot).collect();
        // Tolls must be told of alike (a crash years ago is another toll); prices must name a
        // party in common.
        let related = |a: &Count<'_>, b: &Count<'_>| match a.measure {
            Measure::People => similarity(a.sentence, b.sentence) >= OUTCOME_SIMILARITY,
            Measure::Money => {
                a.names.iter().any(|n| b.names.contains(n))
                    || similarity(a.sentence, b.sentence) >= PRICE_SIMILARITY
            }
        };
        let settled = |a: &Count<'_>, b: &Count<'_>| {
            settled
                .iter()
                .any(|(x, y)| (x, y) == (a.sentence, b.sentence) || (x, y) == (b.sentence, a.sentence))
        };
        let mut clashing: Vec<&Count<'_>> = Vec::new();
        for (i, a) in of.iter().enumerate() {
            for b in &of[i + 1..] {
                let clash = a.outlet != b.outlet
                    && !a.written.eq_ignore_ascii_case(&b.written)
                    && Reading::Quantity(a.bounds).conflicts_with(&Reading::Quantity(b.bounds))
                    && !settled(a, b)
                    && related(a, b);
                if clash {
                    clashing.extend([*a, *b]);
                }
            }
        }
        if clashing.is_empty() {
            continue;
        }
        let mut values: Vec<ConflictValue> = Vec::new();
        for count in of.iter().filter(|c| clashing.iter().any(|x| std::ptr::eq(*x, **c))) {
            if several_outlets(reports, &statements[count.statement]) {
                conflicting[count.statement] = true;
            }
            add_value(&mut values, &count.written, count.sentence);
        }
        let about = match of[0].measure {
            Measure::People => format!("how many {slot}"),
            Measure::Money => "the price".to_owned(),
        };
        found.push(Conflict { about, slot: slot.to_owned(), scope: Scope::Story, values });
    }
    found
}

/// Accounts in different statements of a meeting one person had, naming different people met
/// ("Falk met the chief executive Ida Sunde" / "Falk met Transport Minister Ola Brand"), told on the
/// same day or without a day.
pub(super) fn meeting_conflicts(
    reports: &[Report<'_>],
    statements: &[Statement],
    settled: &[(SentenceRef, SentenceRef)],
    similarity: &impl Fn(&SentenceRef, &SentenceRef) -> f32,
    conflicting: &mut [bool],
) -> Vec<Conflict> {
    struct Meeting<'s> {
        statement: usize,
        outlet: String,
        sentence: &'s SentenceRef,
        people: Vec<String>,
        days: Vec<NaiveDate>,
    }
    let surname = |p: &String| p.rsplit(' ').next().unwrap_or(p).to_owned();
    let mut meetings: Vec<Meeting<'_>> = Vec::new();
    for (s, statement) in statements.iter().enumerate() {
        for sentence in &statement.sentences {
            let Some(report) = report_of(reports, sentence.article) else { continue };
            if !words(&sentence.text).any(|w| MEETING_WORDS.contains(&w.to_lowercase().as_str())) {
                continue;
            }
            let mut people = people_of(reports, sentence);
            if let Some(person) = pronoun_person(report.analysis, sentence.index)
                && !people.contains(&person.name)
            {
                people.push(person.name.clone());
            }
            let days = report
                .analysis
                .dates
                .iter()
                .filter(|d| d.sentence == sentence.index)
                .filter_map(|d| match d.value {
                    DateValue::Day { date } => Some(date),
                    _ => None,
                })
                .collect();
            if people.len() >= 2 {
                meetings.push(Meeting { statement: s, outlet: report.outlet_key(), sentence, people, days });
            }
        }
    }
    let mut found = Vec::new();
    for (i, a) in meetings.iter().enumerate() {
        for b in &meetings[i + 1..] {
            let (sa, sb): (Vec<String>, Vec<String>) =
                (a.people.iter().map(surname).collect(), b.people.iter().map(surname).collect());
            // One person in common, and one other each: "A met B" against "A met C". Longer lists
            // of names are accounts of a gathering, which outlets name in part.
            let shared = sa.iter().any(|p| sb.contains(p));
            let only = |x: &[String], y: &[String]| x.iter().filter(|p| !y.contains(p)).count();
            let differ = only(&sa, &sb) == 1 && only(&sb, &sa) == 1 && sa.len() <= 3 && sb.len() <= 3;
            let other_day =
                !a.days.is_empty() && !b.days.is_empty() && !a.days.iter().any(|d| b.days.contains(d));
            let clash = a.outlet != b.outlet
                && shared
                && differ
                && !other_day
                && !settled.iter().any(|(x, y)| {
                    (x == a.sentence && y == b.sentence) || (x == b.sentence && y == a.sentence)
                })
                && similarity(a.sentence, b.sentence) >= MEETING_SIMILARITY;
            if !clash {
                continue;
            }
            for m in [a, b] {
                if several_outlets(reports, &statements[m.statement]) {
                    conflicting[m.statement] = true;
                }
            }
            found.push(Conflict {
                about: a.sentence.text.clone(),
                slot: "participants".to_owned(),
                scope: Scope::Story,
                values: [a, b]
                    .into_iter()
                    .map(|m| ConflictValue {
                        value: m.people.join(", "),
                        articles: vec![m.sentence.article],
                        sentence: m.sentence.clone(),
                    })
                    .collect(),
            });
        }
    }
    found
}

/// Least similarity of two accounts of a meeting for their different parties to conflict.
const MEETING_SIMILARITY: f32 = 0.1;

/// Least similarity of two sentences naming no party in common for their sums to be one price.
const PRICE_SIMILARITY: f32 = 0.2;

/// Least similarity of two sentences for their counts of people to count one outcome.
const OUTCOME_SIMILARITY: f32 = 0.1;

/// Words that set an event before the one reported.
const EARLIER: &[&str] = &["last", "previous", "prior", "earlier", "before"];
/// The kinds of earlier events compared across statements, each with the words that tell of it.
const EVENTS: &[(&str, &[&str])] = &[
    ("visit", &["visit", "visits", "visited", "trip", "travelled", "traveled"]),
    ("meeting", &["met", "meeting", "talks"]),
];

/// Accounts in different outlets' statements of the same person's earlier visit or meeting, one
/// of them said to be the previous one, whose dates or places do not meet.
pub(super) fn event_conflicts(reports: &[Report<'_>], statements: &[Statement]) -> Vec<Conflict> {
    struct Account<'s> {
        outlet: String,
        sentence: &'s SentenceRef,
        person: Vec<(String, String)>,
        event: &'static str,
        earlier: bool,
        days: (i32, i32),
        date: String,
        places: Vec<String>,
    }
    let mut accounts: Vec<Account<'_>> = Vec::new();
    for statement in statements {
        for sentence in &statement.sentences {
            let Some(report) = report_of(reports, sentence.article) else { continue };
            let analysis = report.analysis;
            let lower: Vec<String> = words(&sentence.text).map(|w| w.to_lowercase()).collect();
            let Some(&(event, _)) =
                EVENTS.iter().find(|(_, cues)| lower.iter().any(|w| cues.contains(&w.as_str())))
            else {
                continue;
            };
            let Some(date) = analysis.dates.iter().find(|d| d.sentence == sentence.index && !d.relative)
            else {
                continue;
            };
            let Some((first, last)) = date.value.range() else { continue };
            let person = analysis
                .entities
                .iter()
                .filter(|e| {
                    e.kind == EntityKind::Person && e.mentions.iter().any(|m| m.sentence == sentence.index)
                })
                .map(|e| (e.id.clone(), e.name.clone()))
                .collect();
            let places = analysis
                .entities
                .iter()
                .filter(|e| {
                    e.kind == EntityKind::Place && e.mentions.iter().any(|m| m.sentence == sentence.index)
                })
                .map(|e| e.name.clone())
                .collect();
            accounts.push(Account {
                outlet: report.outlet_key(),
                sentence,
                person,
                event,
                earlier: lower.iter().any(|w| EARLIER.contains(&w.as_str())),
                days: (ordinal(first), ordinal(last)),
                date: date.text.clone(),
                places,
            });
        }
    }
    // One conflict per person and kind of event, with every account that takes part in a clash.
    let mut found: Vec<Conflict> = Vec::new();
    let mut covered: Vec<(String, &str)> = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        for b in &accounts[i + 1..] {
            if a.outlet == b.outlet || a.event != b.event || !(a.earlier || b.earlier) {
                continue;
            }
            let Some((id, name)) = a.person.iter().find(|p| b.person.iter().any(|q| q.0 == p.0)) else {
                continue;
            };
            let dates_meet = a.days.0 <= b.days.1 && b.days.0 <= a.days.1;
            let places_meet =
                a.places.is_empty() || b.places.is_empty() || a.places.iter().any(|p| b.places.contains(p));
            if dates_meet && places_meet {
                continue;
            }
            let value = |x: &Account<'_>| {
                if x.places.is_empty() {
                    x.date.clone()
                } else {
                    format!("{}, {}", x.places.join(", "), x.date)
                }
            };
            let at = match covered.iter().position(|(p, e)| p == id && *e == a.event) {
                Some(at) => at,
                None => {
                    covered.push((id.clone(), a.event));
                    found.push(Conflict {
                        about: format!("{name}'s earlier {}", a.event),
                        slot: "date and place".to_owned(),
                        scope: Scope::Event,
                        values: Vec::new(),
                    });
                    found.len() - 1
                }
            };
            for x in [a, b] {
                let values = &mut found[at].values;
                if !values.iter().any(|v| v.sentence == *x.sentence) {
                    values.push(ConflictValue {
                        value: value(x),
                        articles: vec![x.sentence.article],
                        sentence: x.sentence.clone(),
                    });
                }
            }
        }
    }
    found
}
