//! How each outlet presents a story: how much of its report it states as fact, attributes, hedges,
//! leaves to unnamed sources, gives as opinion or asks; and which names and words it brings that no
//! other outlet does.

use std::collections::{BTreeMap, HashMap, HashSet};

use parallax_core::ArticleId;
use parallax_nlp::{NAME_PREFIX, Stance};
use serde::{Deserialize, Serialize};

use crate::align::Report;

/// Names and words listed per outlet.
const LISTED: usize = 8;

/// One outlet's presentation of the story (an unattributed report counts as an outlet of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framing {
    /// The outlet, `None` for an unattributed report.
    pub outlet: Option<String>,
    /// Its reports of the story.
    pub articles: Vec<ArticleId>,
    /// Body sentences in those reports.
    pub sentences: usize,
    /// Share of those sentences by stance.
    pub stances: StanceShares,
    /// People, organisations and places it names that no other outlet's reports name, most
    /// mentioned first.
    pub own_entities: Vec<String>,
    /// Content words it weighs most that no other outlet's reports use.
    pub own_terms: Vec<String>,
}

/// Shares of a report's body sentences by stance, each between 0 and 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StanceShares {
    pub fact: f32,
    pub attributed: f32,
    pub speculation: f32,
    pub unnamed_source: f32,
    pub opinion: f32,
    pub question: f32,
}

/// Each outlet's framing, in the order of its first report.
pub fn framing(reports: &[Report<'_>]) -> Vec<Framing> {
    let mut order: Vec<String> = Vec::new();
    let mut by_outlet: HashMap<String, Vec<&Report<'_>>> = HashMap::new();
    for report in reports {
        let key = report.outlet_key();
        if !by_outlet.contains_key(&key) {
            order.push(key.clone());
        }
        by_outlet.entry(key).or_default().push(report);
    }
    let entities_of = |key: &str| -> HashSet<&str> {
        by_outlet[key].iter().flat_map(|r| r.analysis.entities.iter().map(|e| e.id.as_str())).collect()
    };
    let terms_of = |key: &str| -> HashSet<&str> {
        by_outlet[key].iter().flat_map(|r| r.analysis.terms.iter().map(|(t, _)| t)).collect()
    };
    order
        .iter()
        .map(|key| {
            let own = &by_outlet[key];
            let others: Vec<&String> = order.iter().filter(|k| *k != key).collect();
            let other_entities: HashSet<&str> = others.iter().flat_map(|k| entities_of(k)).collect();
            let other_terms: HashSet<&str> = others.iter().flat_map(|k| terms_of(k)).collect();

            let mut counts = [0usize; 6];
            let mut sentences = 0;
            for sentence in own.iter().flat_map(|r| &r.analysis.sentences).filter(|s| s.in_body()) {
                sentences += 1;
                counts[stance_slot(sentence.stance)] += 1;
            }
            let share =
                |slot: usize| if sentences == 0 { 0.0 } else { counts[slot] as f32 / sentences as f32 };

            let mut entities: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
            for entity in own.iter().flat_map(|r| &r.analysis.entities) {
                if !other_entities.contains(entity.id.as_str()) {
                    entities.entry(entity.id.as_str()).or_insert((0, entity.name.as_str())).0 +=
                        entity.mentions.len();
                }
            }
            let mut entities: Vec<(usize, &str)> = entities.into_values().collect();
            entities.sort_by_key(|&(mentions, _)| std::cmp::Reverse(mentions));

            let mut terms: BTreeMap<&str, f32> = BTreeMap::new();
            for (term, weight) in own.iter().flat_map(|r| r.analysis.terms.iter()) {
                if !term.starts_with(NAME_PREFIX) && !other_terms.contains(term) {
                    *terms.entry(term).or_default() += weight;
                }
            }
            let mut terms: Vec<(&str, f32)> = terms.into_iter().collect();
            terms.sort_by(|a, b| b.1.total_cmp(&a.1));

            Framing {
                outlet: own[0].outlet.clone(),
                articles: own.iter().map(|r| r.article).collect(),
                sentences,
                stances: StanceShares {
                    fact: share(0),
                    attributed: share(1),
                    speculation: share(2),
                    unnamed_source: share(3),
                    opinion: share(4),
                    question: share(5),
                },
                own_entities: entities.into_iter().take(LISTED).map(|(_, name)| name.to_owned()).collect(),
                own_terms: terms.into_iter().take(LISTED).map(|(term, _)| as_written(term, own)).collect(),
            }
        })
        .collect()
}

/// A term as the outlet writes it: the term itself when a report writes it, else its plural
/// ("approaches" for the term "approache"), else the term.
fn as_written(term: &str, reports: &[&Report<'_>]) -> String {
    let written: Vec<String> = reports
        .iter()
        .flat_map(|r| r.analysis.sentences.iter())
        .flat_map(|s| parallax_nlp::words(&s.text))
        .map(|w| w.trim_end_matches(['.', '\'', '’']).to_lowercase())
        .collect();
    [term.to_owned(), format!("{term}s"), format!("{term}es")]
        .into_iter()
        .find(|form| written.contains(form))
        .unwrap_or_else(|| term.to_owned())
}

fn stance_slot(stance: Stance) -> usize {
    match stance {
        Stance::Fact => 0,
        Stance::Attributed => 1,
        Stance::Speculation => 2,
        Stance::UnnamedSource => 3,
        Stance::Opinion => 4,
        Stance::Question => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analysed, report};

    #[test]
    fn stances_and_what_only_one_outlet_brings() {
        let a = analysed(
            "The bridge in Genoa collapsed on Tuesday. Analysts suggest the cables had corroded. \
             Could the disaster have been prevented?",
        );
        let b = analysed(
            "The bridge in Genoa collapsed on Tuesday, mayor Marco Bucci said. Rescuers from Milan arrived at dawn.",
        );
        let reports = [report(1, Some("X"), &a), report(2, Some("Y"), &b)];
        let framing = framing(&reports);
        let (x, y) = (&framing[0], &framing[1]);
        assert_eq!((x.outlet.as_deref(), x.sentences), (Some("X"), 3));
        assert!((x.stances.unnamed_source - 1.0 / 3.0).abs() < 1e-6, "{x:?}");
        assert!((x.stances.question - 1.0 / 3.0).abs() < 1e-6, "{x:?}");
        assert!(x.own_terms.iter().any(|t| t.starts_with("cable")), "{x:?}");
        assert!(!x.own_terms.iter().any(|t| t == "bridge"), "a word both use is nobody's own");
        assert!(y.own_entities.iter().any(|e| e == "Milan"), "{y:?}");
        assert!(y.stances.attributed > 0.0, "{y:?}");
    }
}
