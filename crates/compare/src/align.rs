//! Sentence alignment across reports and the statements it yields.

use std::collections::HashSet;

use parallax_core::{ArticleId, Story};
use parallax_nlp::{Analysis, Stance, TermProfile};
use serde::{Deserialize, Serialize};

use crate::conflicts::{Conflict, conflicts};
use crate::framing::{Framing, framing};
use crate::quotes::{SpeakerQuotes, quotes_by_speaker};

/// Least similarity for two sentences to state the same thing.
const ALIGN_THRESHOLD: f32 = 0.34;
/// Sentences with fewer content terms say too little to align.
const MIN_TERMS: usize = 3;

/// One report of the story, as comparison needs it.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// The article.
    pub article: ArticleId,
    /// Its outlet; unattributed reports count as outlets of their own.
    pub outlet: Option<String>,
    /// Its analysis; only the body's sentences are compared.
    pub analysis: &'a Analysis,
}

impl<'a> Report<'a> {
    /// A story's reports from their stored analyses, each credited to its outlet.
    pub fn of_story(story: &Story, analyses: &'a [(ArticleId, Analysis)]) -> Vec<Report<'a>> {
        analyses
            .iter()
            .map(|(article, analysis)| Report {
                article: *article,
                outlet: story.articles.iter().find(|a| a.id == *article).and_then(|a| a.outlet.clone()),
                analysis,
            })
            .collect()
    }

    /// The outlet the report counts for: its own, or the report itself when unattributed.
    pub fn outlet_key(&self) -> String {
        self.outlet.clone().unwrap_or_else(|| format!("article {}", self.article))
    }
}

/// Whether a statement is made by several outlets or one, and whether they agree on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reports from two or more outlets make it.
    Corroborated,
    /// Only one outlet makes it.
    Single,
    /// Several outlets make it but give different values (see [`Conflict`]).
    Conflict,
}

/// A sentence of one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceRef {
    /// The article.
    pub article: ArticleId,
    /// The sentence's index in the article's analysis.
    pub index: usize,
    /// Its text.
    pub text: String,
}

/// Something the reports say, with the sentences that say it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The statement's wording (its first sentence).
    pub text: String,
    /// Corroborated or single-source.
    pub status: Status,
    /// The articles making it.
    pub articles: Vec<ArticleId>,
    /// The sentences making it, first report first.
    pub sentences: Vec<SentenceRef>,
    /// The articles that hedge it, give it as opinion or to unnamed sources, or ask it, rather than
    /// state it as fact or attribute it to a named source.
    pub hedged: Vec<ArticleId>,
}

/// A story's statements, in the reading order of the report that makes each first, and its
/// speakers' quotations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Every statement.
    pub statements: Vec<Statement>,
    /// Each speaker's quotations across the reports.
    pub quotes: Vec<SpeakerQuotes>,
    /// Where outlets making one statement give different values.
    pub conflicts: Vec<Conflict>,
    /// How each outlet presents the story.
    pub framing: Vec<Framing>,
}

impl Comparison {
    /// Statements several outlets make and agree on.
    pub fn corroborated(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(|s| s.status == Status::Corroborated)
    }

    /// Statements only this article makes.
    pub fn only_in(&self, article: ArticleId) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(move |s| s.status == Status::Single && s.articles == [article])
    }
}

struct Candidate {
    index: usize,
    terms: HashSet<String>,
}

/// Compares a story's reports.
pub fn compare(reports: &[Report<'_>]) -> Comparison {
    let candidates: Vec<Vec<Candidate>> = reports
        .iter()
        .map(|report| {
            report
                .analysis
                .sentences
                .iter()
                .enumerate()
                .filter(|(_, sentence)| sentence.in_body())
                .map(|(index, sentence)| Candidate { index, terms: term_set(&sentence.text) })
                .collect()
        })
        .collect();
    let outlet_key = |r: usize| reports[r].outlet_key();

    let mut used: HashSet<(usize, usize)> = HashSet::new();
    let mut statements = Vec::new();
    for (r, sentences) in candidates.iter().enumerate() {
        for sentence in sentences {
            if used.contains(&(r, sentence.index)) {
                continue;
            }
            used.insert((r, sentence.index));
            let mut members = vec![(r, sentence.index)];
            if sentence.terms.len() >= MIN_TERMS {
                for (other, other_sentences) in candidates.iter().enumerate().skip(r + 1) {
                    let best = other_sentences
                        .iter()
                        .filter(|c| !used.contains(&(other, c.index)) && c.terms.len() >= MIN_TERMS)
                        .map(|c| (c.index, similarity(&sentence.terms, &c.terms)))
                        .filter(|(_, s)| *s >= ALIGN_THRESHOLD)
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    if let Some((index, _)) = best {
                        used.insert((other, index));
                        members.push((other, index));
                    }
                }
            }
            let outlets: HashSet<String> = members.iter().map(|&(m, _)| outlet_key(m)).collect();
            let status = if outlets.len() >= 2 { Status::Corroborated } else { Status::Single };
            statements.push(Statement {
                text: reports[r].analysis.sentences[sentence.index].text.clone(),
                status,
                articles: members.iter().map(|&(m, _)| reports[m].article).collect(),
                sentences: members
                    .iter()
                    .map(|&(m, i)| SentenceRef {
                        article: reports[m].article,
                        index: i,
                        text: reports[m].analysis.sentences[i].text.clone(),
                    })
                    .collect(),
                hedged: members
                    .iter()
                    .filter(|&&(m, i)| {
                        !matches!(reports[m].analysis.sentences[i].stance, Stance::Fact | Stance::Attributed)
                    })
                    .map(|&(m, _)| reports[m].article)
                    .collect(),
            });
        }
    }
    let conflicts = conflicts(reports, &statements);
    for conflict in &conflicts {
        if let Some(statement) = statements.iter_mut().find(|s| s.text == conflict.about) {
            statement.status = Status::Conflict;
        }
    }
    Comparison { statements, quotes: quotes_by_speaker(reports), conflicts, framing: framing(reports) }
}

/// The content words and single-word names of a sentence.
fn term_set(sentence: &str) -> HashSet<String> {
    TermProfile::from_text("", std::slice::from_ref(&sentence.to_owned()))
        .iter()
        .map(|(t, _)| t)
        .filter(|t| !t.contains(' '))
        .map(str::to_owned)
        .collect()
}

/// Cosine similarity of two term sets.
fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    let shared = a.intersection(b).count() as f32;
    shared / ((a.len() * b.len()) as f32).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analysed, report};

    #[test]
    fn reports_from_one_outlet_do_not_corroborate_each_other() {
        let a = analysed("The bridge in Genoa collapsed on Tuesday, killing dozens.");
        let b = analysed("The Genoa bridge collapsed on Tuesday and dozens were killed.");
        let c = compare(&[report(1, Some("X"), &a), report(2, Some("X"), &b)]);
        assert_eq!(c.statements.len(), 1);
        assert_eq!(c.statements[0].status, Status::Single);
        assert_eq!(c.statements[0].sentences.len(), 2);
        assert_eq!(compare(&[report(1, None, &a), report(2, None, &b)]).corroborated().count(), 1);
    }

    #[test]
    fn unrelated_sentences_stay_single() {
        let a = analysed("Heavy rain flooded the old town of Valencia overnight.");
        let b = analysed("The central bank raised interest rates by half a point.");
        let c = compare(&[report(1, Some("X"), &a), report(2, Some("Y"), &b)]);
        assert_eq!(c.statements.len(), 2);
        assert_eq!(c.only_in(ArticleId(2)).count(), 1);
    }

    #[test]
    fn a_report_that_hedges_a_shared_statement_is_named() {
        let a = analysed("The bridge in Genoa collapsed on Tuesday, killing dozens.");
        let b = analysed("The Genoa bridge may have collapsed on Tuesday, possibly killing dozens.");
        let c = compare(&[report(1, Some("X"), &a), report(2, Some("Y"), &b)]);
        let shared: Vec<&Statement> = c.corroborated().collect();
        assert_eq!(shared.len(), 1, "{c:#?}");
        assert_eq!(shared[0].hedged, [ArticleId(2)]);
    }
}
