//! Where reports of one statement disagree: the same slot — a count of the same thing, a percentage,
//! a sum of money, a day — given different values by different outlets.

use std::collections::BTreeMap;

use parallax_core::ArticleId;
use parallax_nlp::{DateValue, ValueKind};
use serde::{Deserialize, Serialize};

use crate::align::{Report, SentenceRef, Statement};

/// A slot of a statement that outlets fill differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The statement, as its first sentence words it.
    pub about: String,
    /// What differs: "people" (a count of people), "percent", "money (USD)", "date".
    pub slot: String,
    /// Each value, with the articles that give it and the first sentence giving it.
    pub values: Vec<ConflictValue>,
}

/// One value of a conflicting slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The value as the first report giving it writes it ("six", "4").
    pub value: String,
    /// The articles giving it.
    pub articles: Vec<ArticleId>,
    /// The sentence of the first of them.
    pub sentence: SentenceRef,
}

/// The conflicts within each statement several outlets make, in statement order.
pub(crate) fn conflicts(reports: &[Report<'_>], statements: &[Statement]) -> Vec<Conflict> {
    let mut found = Vec::new();
    for statement in statements {
        // Slot → value (as a comparable key) → (written value, articles, outlets, sentence).
        type Values = BTreeMap<String, (String, Vec<ArticleId>, Vec<String>, SentenceRef)>;
        let mut slots: BTreeMap<String, Values> = BTreeMap::new();
        for sentence in &statement.sentences {
            let Some(report) = reports.iter().find(|r| r.article == sentence.article) else { continue };
            for (slot, key, written) in filled_slots(report, sentence.index) {
                let entry = slots
                    .entry(slot)
                    .or_default()
                    .entry(key)
                    .or_insert_with(|| (written, Vec::new(), Vec::new(), sentence.clone()));
                if !entry.1.contains(&report.article) {
                    entry.1.push(report.article);
                }
                let outlet = report.outlet_key();
                if !entry.2.contains(&outlet) {
                    entry.2.push(outlet);
                }
            }
        }
        for (slot, values) in slots {
            // A disagreement needs two values from different outlets.
            let outlets: std::collections::HashSet<&String> = values.values().flat_map(|v| &v.2).collect();
            if values.len() < 2 || outlets.len() < 2 {
                continue;
            }
            found.push(Conflict {
                about: statement.text.clone(),
                slot,
                values: values
                    .into_values()
                    .map(|(value, articles, _, sentence)| ConflictValue { value, articles, sentence })
                    .collect(),
            });
        }
    }
    found
}

/// The slots one sentence fills: (slot, comparable value, value as written).
fn filled_slots(report: &Report<'_>, sentence: usize) -> Vec<(String, String, String)> {
    let analysis = report.analysis;
    let mut slots = Vec::new();
    for value in analysis.values.iter().filter(|v| v.sentence == sentence) {
        let slot = match (&value.kind, &value.unit) {
            (ValueKind::Number, Some(unit)) => unit.clone(),
            // A bare number says too little of what it counts to set against another.
            (ValueKind::Number, None) => continue,
            (ValueKind::Percent, _) => "percent".to_owned(),
            (ValueKind::Money { currency }, _) => format!("money ({currency})"),
        };
        slots.push((slot, format!("{}", value.value), value.text.clone()));
    }
    for date in analysis.dates.iter().filter(|d| d.sentence == sentence) {
        if let DateValue::Day { date: day } = date.value {
            slots.push(("date".to_owned(), day.to_string(), date.text.clone()));
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use crate::test_support::{analysed, report};
    use crate::{Status, compare};
    use parallax_core::ArticleId;

    #[test]
    fn counts_in_words_and_digits_that_disagree_are_a_conflict() {
        let a = analysed("Four people were killed when the old bridge in Genoa collapsed on Tuesday.");
        let b = analysed("Six people were killed when the old Genoa bridge collapsed on Tuesday.");
        let c = analysed("At least 6 people were killed as the old bridge in Genoa collapsed on Tuesday.");
        let reports = [report(1, Some("X"), &a), report(2, Some("Y"), &b), report(3, Some("Z"), &c)];
        let comparison = compare(&reports);
        assert_eq!(comparison.statements.len(), 1, "{comparison:#?}");
        assert_eq!(
            comparison.statements[0].status,
            Status::Conflict,
            "{:#?}",
            [&a.values, &b.values, &c.values]
        );
        let [conflict] = &comparison.conflicts[..] else { panic!("{comparison:#?}") };
        assert_eq!(conflict.slot, "people");
        let values: Vec<(&str, &[ArticleId])> =
            conflict.values.iter().map(|v| (v.value.as_str(), v.articles.as_slice())).collect();
        assert_eq!(values, [("Four", &[ArticleId(1)][..]), ("Six", &[ArticleId(2), ArticleId(3)][..])]);
    }

    #[test]
    fn agreeing_values_and_one_outlet_alone_are_no_conflict() {
        let a = analysed("Four people were killed when the old bridge in Genoa collapsed on Tuesday.");
        let b = analysed("4 people were killed when the old Genoa bridge collapsed on Tuesday.");
        let reports = [report(1, Some("X"), &a), report(2, Some("Y"), &b)];
        let comparison = compare(&reports);
        assert!(comparison.conflicts.is_empty(), "{comparison:#?}");
        assert_eq!(comparison.statements[0].status, Status::Corroborated);
    }
}
