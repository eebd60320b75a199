//! What one sentence of a statement says in each slot a conflict can be about: its quantities,
//! days, places, the people of a meeting, and the verbs it affirms or negates.

use chrono::{Datelike, NaiveDate};
use parallax_nlp::{Analysis, DateValue, EntityKind, ValueKind, words};

use super::{Filled, Reading, report_of};
use crate::align::{Report, Statement};
use crate::features::counted;

/// The slots one sentence of a statement fills.
/// The slots sentence `k` of a statement fills; `polarity` holds each sentence's [`polarities`].
pub(super) fn filled_slots(
    reports: &[Report<'_>],
    statement: &Statement,
    k: usize,
    polarity: &[Vec<Polarity>],
) -> Vec<Filled> {
    let sentence = &statement.sentences[k];
    let Some(report) = report_of(reports, sentence.article) else { return Vec::new() };
    let analysis = report.analysis;
    let index = sentence.index;
    let mut slots = Vec::new();
    for value in analysis.values.iter().filter(|v| v.sentence == index) {
        let slot = match (&value.kind, &value.unit) {
            (ValueKind::Number, Some(unit)) => counted(unit),
            // A bare number says too little of what it counts to set against another.
            (ValueKind::Number, None) => continue,
            (ValueKind::Percent, _) => "percent".to_owned(),
            (ValueKind::Money { currency }, _) => format!("money ({currency})"),
        };
        slots.push((slot, Reading::Quantity(value.bounds()), value.text.clone()));
    }
    // Days only: months and years in a sentence are mostly background ("the 2006 draft pick").
    let days = analysis.dates.iter().filter(|d| {
        d.sentence == index && matches!(d.value, DateValue::Day { .. } | DateValue::Around { .. })
    });
    for date in days {
        if let Some((first, last)) = date.value.range() {
            slots.push(("date".to_owned(), Reading::Days(ordinal(first), ordinal(last)), date.text.clone()));
        }
    }
    // One place only: a sentence naming several ("at Seattle ... in the Wild Card round") names
    // them at different scales or for different things.
    let places = located_places(analysis, index);
    if places.len() == 1 {
        slots.push(("place".to_owned(), Reading::Places(places.clone()), places.join(", ")));
    }
    let text = &analysis.sentences[index].text;
    if words(text).any(|w| MEETING_WORDS.contains(&w.to_lowercase().as_str())) {
        let people = named(analysis, index, EntityKind::Person);
        if !people.is_empty() {
            slots.push(("participants".to_owned(), Reading::Participants(people.clone()), people.join(", ")));
        }
    }
    // Polarity only of verbs another sentence of the statement negates or affirms.
    let others =
        || (0..statement.sentences.len()).filter(|&o| statement.sentences[o].article != sentence.article);
    for (verb, affirmed, written) in &polarity[k] {
        let elsewhere = others().any(|o| polarity[o].iter().any(|(v, _, _)| v == verb));
        if elsewhere {
            // Named by the verb as the negating sentence writes it ("not sign" → "sign"), the same
            // whichever sentence fills the slot.
            let negated = polarity
                .iter()
                .flatten()
                .find(|(v, affirmed, _)| v == verb && !affirmed)
                .and_then(|(_, _, written)| written.rsplit(' ').next().map(str::to_owned))
                .unwrap_or_else(|| verb.clone());
            slots.push((format!("negation ({negated})"), Reading::Polarity(*affirmed), written.clone()));
        }
    }
    slots
}

/// Days since the common era, so that date spans compare as integers.
pub(super) fn ordinal(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

/// Words that make a sentence an account of a meeting.
pub(super) const MEETING_WORDS: &[&str] =
    &["met", "meet", "meets", "meeting", "talks", "talked", "hosted", "hosts", "received", "receives"];

/// The canonical names of entities of a kind named in a sentence, in order.
pub(super) fn named(analysis: &Analysis, index: usize, kind: EntityKind) -> Vec<String> {
    let mut mentioned: Vec<(usize, &str)> = analysis
        .entities
        .iter()
        .filter(|e| e.kind == kind)
        .flat_map(|e| {
            e.mentions.iter().filter(|m| m.sentence == index).map(move |m| (m.start, e.name.as_str()))
        })
        .collect();
    mentioned.sort_unstable();
    let mut names: Vec<String> = Vec::new();
    for (_, name) in mentioned {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Places a sentence puts something in ("in Eastfold", "at Marrow Bay"): a name, not a date, after
/// "in", "at", "near", "outside" or "beside".
fn located_places(analysis: &Analysis, index: usize) -> Vec<String> {
    let text = &analysis.sentences[index].text;
    let entity_at = |at: usize| {
        analysis.entities.iter().find_map(|e| {
            e.mentions.iter().find(|m| m.sentence == index && m.start <= at && at < m.end).map(|_| e)
        })
    };
    let dated = |at: usize| analysis.dates.iter().any(|d| d.sentence == index && d.start <= at && at < d.end);
    let tokens: Vec<(usize, &str)> =
        words(text).map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w)).collect();
    let mut places: Vec<String> = Vec::new();
    for (k, &(_, word)) in tokens.iter().enumerate() {
        if !["in", "at", "near", "outside", "beside"].contains(&word.to_lowercase().as_str()) {
            continue;
        }
        let mut start = if tokens.get(k + 1).is_some_and(|t| t.1 == "the") { k + 2 } else { k + 1 };
        // "in the coastal city of Sundby", "in the capital, Aster": a description of a place, then
        // its name.
        if let Some(skip) = (start..(start + 4).min(tokens.len())).find(|&n| {
            let (at, word) = tokens[n];
            word == "of" || text[at + word.len()..].starts_with(',')
        }) && skip + 1 < tokens.len()
            && tokens[start..=skip].iter().all(|(_, w)| w.chars().all(char::is_lowercase))
            && tokens[start..=skip].iter().any(|(_, w)| PLACE_DESCRIPTIONS.contains(w))
        {
            start = skip + 1;
        }
        let Some(&(at, first)) = tokens.get(start) else { continue };
        if !first.starts_with(char::is_uppercase) || dated(at) {
            continue;
        }
        // Whatever an unknown name after "in" or "near" was taken for, there it names a place; a
        // known person or organisation does not ("in The Washington Post").
        if HONORIFIC_WORDS.contains(&first.trim_end_matches('.')) {
            continue;
        }
        let name = match entity_at(at) {
            Some(entity) if entity.kind == EntityKind::Place => entity.name.clone(),
            Some(entity) if entity.kind == EntityKind::Person && !entity.known => entity.name.clone(),
            Some(_) => continue,
            None => {
                // The name runs over capitalised words written with nothing but a space between.
                let mut run: Vec<&str> = Vec::new();
                for (n, &(at, word)) in tokens[start..].iter().enumerate() {
                    let joined = n == 0
                        || text[tokens[start + n - 1].0 + tokens[start + n - 1].1.len()..at]
                            .trim()
                            .is_empty();
                    if !word.starts_with(char::is_uppercase) || !joined {
                        break;
                    }
                    run.push(word.trim_end_matches('.'));
                }
                // "in Week 3", "in Game 7": a numbered stage, not a place.
                let numbered = tokens
                    .get(start + run.len())
                    .is_some_and(|(_, w)| w.starts_with(|c: char| c.is_ascii_digit()));
                if numbered {
                    continue;
                }
                run.join(" ")
            }
        };
        if !places.contains(&name) {
            places.push(name);
        }
    }
    places
}

/// Nouns that describe a place before its name.
const PLACE_DESCRIPTIONS: &[&str] = &[
    "capital", "city", "town", "village", "port", "region", "province", "state", "district", "county",
    "island", "valley", "suburb", "square", "street", "hall", "harbour", "harbor",
];

/// Titles before a person's name, which after "in" do not start a place.
const HONORIFIC_WORDS: &[&str] = &["Mr", "Mrs", "Ms", "Dr", "Sir", "Lady", "Lord"];

/// Words that negate the verb after them.
const NEGATORS: &[&str] = &[
    "not", "never", "didn't", "doesn't", "don't", "wasn't", "weren't", "hasn't", "haven't", "hadn't",
    "won't", "isn't", "aren't", "cannot", "can't",
];
/// Words between a negator and its verb.
const AUXILIARIES: &[&str] = &[
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "yet",
    "ever",
    "also",
    "even",
    "immediately",
    "to",
    "formally",
];
/// Verbs shorter than this ("be", "do") say too little to compare.
const EVENT_VERB_MIN_LEN: usize = 3;

/// A verb's base and past tense as one key: "use" and "used", "concede" and "conceded", "order"
/// and "ordered".
fn verb_key(word: &str) -> String {
    let base = match word.strip_suffix("ied") {
        Some(stem) => format!("{stem}y"),
        // "need" and "exceed" end in "ed" without being past tenses.
        None if word.ends_with("eed") => word.to_owned(),
        None => word.strip_suffix("ed").filter(|b| b.len() >= 3).unwrap_or(word).to_owned(),
    };
    base.strip_suffix('e').map_or(base.clone(), str::to_owned)
}

/// A verb a sentence negates or affirms: (key, affirmed, as written).
pub(super) type Polarity = (String, bool, String);

/// Each verb the sentence negates or affirms: (stem, affirmed, as written). A verb counts as
/// affirmed when written in the past tense without a negator ("signed"), since that is how reports
/// state that something happened.
pub(super) fn polarities(text: &str) -> Vec<Polarity> {
    let tokens: Vec<String> = words(text).map(|w| w.to_lowercase()).collect();
    let mut found: Vec<Polarity> = Vec::new();
    let mut negated_at: Vec<usize> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !NEGATORS.contains(&token.as_str()) {
            continue;
        }
        let Some(verb_at) =
            (i + 1..tokens.len().min(i + 4)).find(|&k| !AUXILIARIES.contains(&tokens[k].as_str()))
        else {
            continue;
        };
        let verb = &tokens[verb_at];
        if verb.len() >= EVENT_VERB_MIN_LEN && !parallax_nlp::is_stopword(verb) {
            negated_at.push(verb_at);
            found.push((verb_key(verb), false, tokens[i..=verb_at].join(" ")));
        }
    }
    for (k, token) in tokens.iter().enumerate() {
        // A past tense: "-ed", but not "-eed" ("speed") or "hundred".
        let past = token.ends_with("ed") && !token.ends_with("eed") && token != "hundred";
        if negated_at.contains(&k) || !past || token.len() < EVENT_VERB_MIN_LEN + 1 {
            continue;
        }
        let verb = verb_key(token);
        if !found.iter().any(|(v, _, _)| *v == verb) {
            found.push((verb, true, token.clone()));
        }
    }
    found
}
