//! Sentence alignment across reports and the statements it yields.

use std::collections::{HashMap, HashSet};

use parallax_core::{ArticleId, Story};
use parallax_nlp::{Analysis, Stance};
use serde::{Deserialize, Serialize};

use crate::conflicts::{Conflict, conflicts};
use crate::features::{Features, SentenceFeatures};
use crate::framing::{Framing, framing};
use crate::quotes::{Rendition, SpeakerQuotes, quotes_with_statements};

/// Least similarity for two sentences (or a clause of each) to state the same thing.
const ALIGN_THRESHOLD: f32 = 0.3;
/// Least mean similarity between the sentences of two groups for them to become one statement.
const GROUP_THRESHOLD: f32 = 0.2;
/// A match between clauses counts for a little less than one between whole sentences.
const CLAUSE_DISCOUNT: f32 = 0.9;
/// What each phrase (two content words in a row) both sentences write adds to their similarity.
const PHRASE_BONUS: f32 = 0.08;
/// Similarity is scaled by this when one sentence opens with a person the other does not name.
const OTHER_SUBJECT: f32 = 0.6;
/// Features written in more sentences than this do not make candidates on their own.
const CANDIDATE_POSTINGS: usize = 300;
/// Similarities below this are not kept.
const NEGLIGIBLE: f32 = 0.05;
/// Sentences with fewer features say too little to align.
const MIN_FEATURES: usize = 3;
/// A name weighs this much more than a word of the same rarity.
const ENTITY_BOOST: f32 = 1.5;
/// At most this many sentences of one report in one statement (a report may say in two sentences
/// what another says in one).
const MAX_PER_REPORT: usize = 2;

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
    /// Where outlets give different values: within a statement, across the story, or in accounts of
    /// an earlier event.
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

/// The weighted norms of a unit's feature sets.
struct Norms {
    whole: f32,
    clauses: Vec<f32>,
}

/// A body sentence to align, with its features.
struct Unit {
    report: usize,
    sentence: usize,
    features: SentenceFeatures,
}

/// Compares a story's reports.
pub fn compare(reports: &[Report<'_>]) -> Comparison {
    let mut features = Features::default();
    let mut units: Vec<Unit> = reports
        .iter()
        .enumerate()
        .flat_map(|(r, report)| report.analysis.body_sentences().map(move |(i, _)| (r, i, report.analysis)))
        .map(|(report, sentence, analysis)| Unit {
            report,
            sentence,
            features: features.of_sentence(analysis, sentence),
        })
        .collect();
    for unit in &units {
        features.count(&unit.features.set);
    }
    // A phrase tells a statement apart only while few sentences write it.
    let mut phrase_frequency: HashMap<u64, usize> = HashMap::new();
    for unit in &units {
        for &p in &unit.features.phrases {
            *phrase_frequency.entry(p).or_default() += 1;
        }
    }
    for unit in &mut units {
        unit.features.phrases.retain(|p| phrase_frequency[p] <= reports.len().max(2));
    }
    let similarity = Similarity::new(&features, units.len());
    let links = similarity.links(&units);
    let groups = group(&units, &links);

    let outlet_key = |r: usize| reports[r].outlet_key();
    let mut statements: Vec<Statement> = groups
        .into_iter()
        .map(|members| {
            let members: Vec<(usize, usize)> =
                members.iter().map(|&u| (units[u].report, units[u].sentence)).collect();
            let outlets: HashSet<String> = members.iter().map(|&(m, _)| outlet_key(m)).collect();
            let status = if outlets.len() >= 2 { Status::Corroborated } else { Status::Single };
            let (r, first) = members[0];
            let mut articles: Vec<ArticleId> = Vec::new();
            for &(m, _) in &members {
                if !articles.contains(&reports[m].article) {
                    articles.push(reports[m].article);
                }
            }
            // A report hedges a statement when every sentence it makes it in hedges.
            let hedged = articles
                .iter()
                .copied()
                .filter(|&article| {
                    members.iter().filter(|&&(m, _)| reports[m].article == article).all(|&(m, i)| {
                        !matches!(reports[m].analysis.sentences[i].stance, Stance::Fact | Stance::Attributed)
                    })
                })
                .collect();
            Statement {
                text: reports[r].analysis.sentences[first].text.clone(),
                status,
                articles,
                sentences: members
                    .iter()
                    .map(|&(m, i)| SentenceRef {
                        article: reports[m].article,
                        index: i,
                        text: reports[m].analysis.sentences[i].text.clone(),
                    })
                    .collect(),
                hedged,
            }
        })
        .collect();
    let unit_of: HashMap<(ArticleId, usize), usize> = units
        .iter()
        .enumerate()
        .map(|(u, unit)| ((reports[unit.report].article, unit.sentence), u))
        .collect();
    let sentence_similarity = |a: &SentenceRef, b: &SentenceRef| match (
        unit_of.get(&(a.article, a.index)),
        unit_of.get(&(b.article, b.index)),
    ) {
        (Some(&x), Some(&y)) => links.get(&(x.min(y), x.max(y))).copied().unwrap_or(0.0),
        _ => 0.0,
    };
    let (conflicts, conflicting) = conflicts(reports, &statements, sentence_similarity);
    for (statement, conflicting) in statements.iter_mut().zip(conflicting) {
        if conflicting {
            statement.status = Status::Conflict;
        }
    }
    let statement_of: HashMap<(ArticleId, usize), usize> = statements
        .iter()
        .enumerate()
        .flat_map(|(s, statement)| statement.sentences.iter().map(move |x| ((x.article, x.index), s)))
        .collect();
    let quotes = quotes_with_statements(reports, |a, b| {
        let of = |r: &Rendition| statement_of.get(&(r.article, r.sentence));
        of(a).is_some() && of(a) == of(b)
    });
    Comparison { statements, quotes, conflicts, framing: framing(reports) }
}

/// Weighted cosine similarity between units' feature sets.
struct Similarity {
    weight: Vec<f32>,
}

impl Similarity {
    fn new(features: &Features, units: usize) -> Self {
        let weight = features
            .document_frequency
            .iter()
            .zip(&features.is_entity)
            .map(|(&df, &entity)| {
                let idf = (1.0 + (units as f32 + 1.0) / df.max(1) as f32).ln();
                if entity { idf * ENTITY_BOOST } else { idf }
            })
            .collect();
        Similarity { weight }
    }

    fn norm(&self, set: &[u32]) -> f32 {
        set.iter().map(|&f| self.weight[f as usize].powi(2)).sum::<f32>().sqrt()
    }

    /// Each unit's norms, its sentence's then its clauses', worked out once before the pairs are.
    fn measure(&self, units: &[Unit]) -> Vec<Norms> {
        units
            .iter()
            .map(|u| Norms {
                whole: self.norm(&u.features.set),
                clauses: u.features.clauses.iter().map(|c| self.norm(c)).collect(),
            })
            .collect()
    }

    fn cosine(&self, a: &[u32], b: &[u32], norms: f32) -> f32 {
        let (mut i, mut j, mut dot) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += self.weight[a[i] as usize].powi(2);
                    i += 1;
                    j += 1;
                }
            }
        }
        if norms > 0.0 { dot / norms } else { 0.0 }
    }

    /// How alike two units are: their sentences', or a little less, their closest clauses', with a
    /// bonus for each phrase they share.
    fn between(&self, (a, na): (&SentenceFeatures, &Norms), (b, nb): (&SentenceFeatures, &Norms)) -> f32 {
        let whole = self.cosine(&a.set, &b.set, na.whole * nb.whole);
        let clauses = a
            .clauses
            .iter()
            .zip(&na.clauses)
            .flat_map(|ca| b.clauses.iter().zip(&nb.clauses).map(move |cb| (ca, cb)))
            .filter(|((ca, _), (cb, _))| ca.len() >= MIN_FEATURES && cb.len() >= MIN_FEATURES)
            .map(|((ca, norm_a), (cb, norm_b))| self.cosine(ca, cb, norm_a * norm_b))
            .fold(0.0f32, f32::max);
        let phrases = a.phrases.iter().filter(|p| b.phrases.binary_search(p).is_ok()).count();
        let score = whole.max(clauses * CLAUSE_DISCOUNT) + PHRASE_BONUS * phrases.min(2) as f32;
        // A sentence about someone the other does not name is about something else.
        let about_other = |x: &SentenceFeatures, y: &SentenceFeatures| {
            x.subject.is_some_and(|s| y.set.binary_search(&s).is_err())
        };
        if about_other(a, b) || about_other(b, a) { score * OTHER_SUBJECT } else { score }
    }

    /// Every pair of units of different reports that share a feature written in few sentences, with
    /// its similarity when it is not negligible. A feature most sentences share (the story's main
    /// name) weighs little and would make every pair a candidate.
    fn links(&self, units: &[Unit]) -> HashMap<(usize, usize), f32> {
        let mut postings: Vec<Vec<usize>> = vec![Vec::new(); self.weight.len()];
        for (u, unit) in units.iter().enumerate().filter(|(_, u)| u.features.set.len() >= MIN_FEATURES) {
            for &f in &unit.features.set {
                postings[f as usize].push(u);
            }
        }
        let cap = CANDIDATE_POSTINGS.max(units.len() / 10);
        let norms = self.measure(units);
        let mut links = HashMap::new();
        let mut seen = vec![usize::MAX; units.len()];
        for (a, unit) in units.iter().enumerate() {
            for &f in &unit.features.set {
                let list = &postings[f as usize];
                if list.len() > cap {
                    continue;
                }
                for &b in list {
                    if b <= a || seen[b] == a || units[b].report == unit.report {
                        continue;
                    }
                    seen[b] = a;
                    let similarity =
                        self.between((&unit.features, &norms[a]), (&units[b].features, &norms[b]));
                    if similarity >= NEGLIGIBLE {
                        links.insert((a, b), similarity);
                    }
                }
            }
        }
        links
    }
}

/// Groups units into statements: the closest pairs first, two groups joining when their sentences
/// are alike on average and no report would give more than [`MAX_PER_REPORT`] sentences to one
/// statement. Groups come out in reading order of their first sentence.
fn group(units: &[Unit], links: &HashMap<(usize, usize), f32>) -> Vec<Vec<usize>> {
    let mut pairs: Vec<(f32, usize, usize)> =
        links.iter().filter(|(_, s)| **s >= ALIGN_THRESHOLD).map(|(&(a, b), &s)| (s, a, b)).collect();
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut group_of: Vec<usize> = (0..units.len()).collect();
    let mut members: Vec<Vec<usize>> = (0..units.len()).map(|u| vec![u]).collect();
    let similarity = |a: usize, b: usize| links.get(&(a.min(b), a.max(b))).copied().unwrap_or(0.0);
    for (_, a, b) in pairs {
        let (ga, gb) = (group_of[a], group_of[b]);
        if ga == gb {
            continue;
        }
        let crowded = members[ga].iter().chain(&members[gb]).any(|&u| {
            members[ga].iter().chain(&members[gb]).filter(|&&v| units[v].report == units[u].report).count()
                > MAX_PER_REPORT
        });
        let cross: Vec<f32> = members[ga]
            .iter()
            .flat_map(|&x| members[gb].iter().map(move |&y| (x, y)))
            .filter(|&(x, y)| units[x].report != units[y].report)
            .map(|(x, y)| similarity(x, y))
            .collect();
        let mean = cross.iter().sum::<f32>() / cross.len().max(1) as f32;
        if crowded || mean < GROUP_THRESHOLD {
            continue;
        }
        let moved = std::mem::take(&mut members[gb]);
        for &u in &moved {
            group_of[u] = ga;
        }
        members[ga].extend(moved);
    }
    let mut groups: Vec<Vec<usize>> = members.into_iter().filter(|m| !m.is_empty()).collect();
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.sort_unstable_by_key(|g| g[0]);
    groups
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
