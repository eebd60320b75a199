//! Sentence alignment across reports and the statements it yields.

use std::collections::HashSet;

use parallax_core::ArticleId;
use parallax_nlp::{Quote, Sentence, Stance, TermProfile};
use serde::{Deserialize, Serialize};

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
    /// Its analysed sentences in reading order; only the body's are compared.
    pub sentences: &'a [Sentence],
    /// Its quotations, from the same analysis.
    pub quotes: &'a [Quote],
}

/// Whether a statement is made by several outlets or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reports from two or more outlets make it.
    Corroborated,
    /// Only one outlet makes it.
    Single,
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
}

impl Comparison {
    /// Statements several outlets make.
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
                .sentences
                .iter()
                .enumerate()
                .filter(|(_, sentence)| sentence.in_body())
                .map(|(index, sentence)| Candidate { index, terms: term_set(&sentence.text) })
                .collect()
        })
        .collect();
    let outlet_key =
        |r: usize| reports[r].outlet.clone().unwrap_or_else(|| format!("article {}", reports[r].article));

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
                text: reports[r].sentences[sentence.index].text.clone(),
                status,
                articles: members.iter().map(|&(m, _)| reports[m].article).collect(),
                sentences: members
                    .iter()
                    .map(|&(m, i)| SentenceRef {
                        article: reports[m].article,
                        index: i,
                        text: reports[m].sentences[i].text.clone(),
                    })
                    .collect(),
                hedged: members
                    .iter()
                    .filter(|&&(m, i)| {
                        !matches!(reports[m].sentences[i].stance, Stance::Fact | Stance::Attributed)
                    })
                    .map(|&(m, _)| reports[m].article)
                    .collect(),
            });
        }
    }
    Comparison { statements, quotes: quotes_by_speaker(reports) }
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

    fn owned(sentences: &[&str]) -> Vec<Sentence> {
        sentences
            .iter()
            .map(|s| Sentence {
                text: (*s).to_owned(),
                part: parallax_nlp::Part::Body { block: 0, item: 0 },
                stance: parallax_nlp::Stance::Fact,
                cues: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn reports_from_one_outlet_do_not_corroborate_each_other() {
        let a = owned(&["The bridge in Genoa collapsed on Tuesday, killing dozens."]);
        let b = owned(&["The Genoa bridge collapsed on Tuesday and dozens were killed."]);
        let same_outlet = [
            Report { article: ArticleId(1), outlet: Some("X".into()), sentences: &a, quotes: &[] },
            Report { article: ArticleId(2), outlet: Some("X".into()), sentences: &b, quotes: &[] },
        ];
        let c = compare(&same_outlet);
        assert_eq!(c.statements.len(), 1);
        assert_eq!(c.statements[0].status, Status::Single);
        assert_eq!(c.statements[0].sentences.len(), 2);

        let unattributed = [
            Report { article: ArticleId(1), outlet: None, sentences: &a, quotes: &[] },
            Report { article: ArticleId(2), outlet: None, sentences: &b, quotes: &[] },
        ];
        assert_eq!(compare(&unattributed).corroborated().count(), 1);
    }

    #[test]
    fn unrelated_sentences_stay_single() {
        let a = owned(&["Heavy rain flooded the old town of Valencia overnight."]);
        let b = owned(&["The central bank raised interest rates by half a point."]);
        let reports = [
            Report { article: ArticleId(1), outlet: Some("X".into()), sentences: &a, quotes: &[] },
            Report { article: ArticleId(2), outlet: Some("Y".into()), sentences: &b, quotes: &[] },
        ];
        let c = compare(&reports);
        assert_eq!(c.statements.len(), 2);
        assert_eq!(c.only_in(ArticleId(2)).count(), 1);
    }
}
