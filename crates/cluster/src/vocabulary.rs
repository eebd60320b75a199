//! Term ids, document frequencies and the TF-IDF arithmetic over them: every similarity the
//! clusterer measures is computed here.

use std::cell::Cell;
use std::collections::HashMap;

use parallax_core::{ArticleId, StoryId};
use parallax_nlp::{NAME_PREFIX, TermProfile};

use crate::clusterer::{Indexed, Query, seconds};
use crate::evidence::Evidence;
use crate::model::PairFeatures;

/// A term's index in the vocabulary.
pub(crate) type TermId = u32;

/// Weight of a name over an ordinary word.
const NAME_BOOST: f32 = 1.5;

/// Publication times this far apart count as neither close nor distant.
const CLOSE_SECONDS: f32 = 36.0 * 3600.0;

/// Interned terms with the number of articles containing each.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    ids: HashMap<String, TermId>,
    names: Vec<String>,
    is_name: Vec<bool>,
    document_frequency: Vec<u32>,
    documents: u32,
    /// `logarithms[n]` is ln(n), for every count up to the number of documents plus two.
    logarithms: Vec<f32>,
}

/// Norms of an indexed article's vectors, and the collection size they were computed at.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Norms {
    documents: u32,
    terms: f32,
    names: f32,
    lead: f32,
}

/// A weighted sparse vector, sorted by term id, with its norm (which counts terms without ids).
#[derive(Debug, Default)]
pub(crate) struct Weighted {
    pub(crate) terms: Vec<(TermId, f32)>,
    pub(crate) norm: f32,
}

impl Vocabulary {
    pub(crate) fn name(&self, id: TermId) -> &str {
        &self.names[id as usize]
    }

    /// Inverse document frequency as it stands for an article being assigned, which counts:
    /// ln((2 + N) / (2 + df)) + 1, from the table of logarithms.
    fn idf(&self, id: Option<TermId>) -> f32 {
        let df = id.and_then(|id| self.document_frequency.get(id as usize)).copied().unwrap_or(0);
        self.ln(self.documents + 2) - self.ln(df + 2) + 1.0
    }

    /// Natural logarithm of a count, looked up: weights are recomputed far too often to call `ln`.
    fn ln(&self, n: u32) -> f32 {
        self.logarithms.get(n as usize).copied().unwrap_or_else(|| (n as f32).ln())
    }

    /// A stored scaled frequency (see [`scaled_tf`]) times the term's IDF.
    pub(crate) fn weight(&self, id: TermId, scaled: f32) -> f32 {
        scaled * self.idf(Some(id))
    }

    /// Weighs a profile against the known terms: all of them, and the names alone.
    fn weigh_profile(&self, profile: &TermProfile) -> (Weighted, Weighted) {
        let mut all = Weighted { terms: Vec::with_capacity(profile.len()), norm: 0.0 };
        let mut names = Weighted::default();
        for (term, tf) in profile.iter() {
            let name = term.starts_with(NAME_PREFIX);
            let id = self.ids.get(term).copied();
            let w = scaled_tf(term, tf) * self.idf(id);
            all.norm += w * w;
            if name {
                names.norm += w * w;
            }
            if let Some(id) = id {
                all.terms.push((id, w));
                if name {
                    names.terms.push((id, w));
                }
            }
        }
        for weighted in [&mut all, &mut names] {
            weighted.terms.sort_unstable_by_key(|&(id, _)| id);
            weighted.norm = weighted.norm.sqrt();
        }
        (all, names)
    }

    /// Norms of an indexed article's vectors under the current weights, recomputed only once the
    /// collection has grown enough for the weights to have moved.
    fn norms(&self, doc: &Indexed) -> Norms {
        let cached = doc.norms.get();
        if cached.documents > 0 && self.documents < cached.documents + cached.documents / 32 + 4 {
            return cached;
        }
        let norm = |terms: &[(TermId, f32)], only_names: bool| {
            terms
                .iter()
                .filter(|&&(id, _)| !only_names || self.is_name[id as usize])
                .map(|&(id, tf)| self.weight(id, tf).powi(2))
                .sum::<f32>()
                .sqrt()
        };
        let fresh = Norms {
            documents: self.documents.max(1),
            terms: norm(&doc.terms, false),
            names: norm(&doc.terms, true),
            lead: norm(&doc.lead, false),
        };
        doc.norms.set(fresh);
        fresh
    }

    /// Cosine of a weighted query and an indexed vector of raw frequencies with the given norm.
    fn cosine_indexed(&self, query: &Weighted, terms: &[(TermId, f32)], norm: f32, only_names: bool) -> f32 {
        if query.norm == 0.0 || norm == 0.0 {
            return 0.0;
        }
        let mut dot = 0.0;
        merge_join(&query.terms, terms, |id, q, tf| {
            if !only_names || self.is_name[id as usize] {
                dot += q * self.weight(id, tf);
            }
        });
        dot / (query.norm * norm)
    }

    /// The evidence of an article being assigned, against the terms known so far.
    pub(crate) fn query(&self, evidence: &Evidence) -> Query {
        let (terms, names) = self.weigh_profile(&evidence.terms);
        Query {
            time: seconds(evidence.published),
            terms,
            names,
            lead: self.weigh_profile(&evidence.lead).0,
            lead_names: self.lead_name_ids(evidence),
            lead_numbers: evidence.lead_numbers.clone(),
            years: evidence.years.clone(),
            lead_weekdays: evidence.lead_weekdays,
        }
    }

    /// An indexed article's evidence as a query, weighted now: for comparing stored articles.
    pub(crate) fn query_of(&self, doc: &Indexed) -> Query {
        let weigh = |terms: &[(TermId, f32)], only_names: bool| {
            let terms: Vec<(TermId, f32)> = terms
                .iter()
                .filter(|&&(id, _)| !only_names || self.is_name[id as usize])
                .map(|&(id, tf)| (id, self.weight(id, tf)))
                .collect();
            let norm = terms.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
            Weighted { terms, norm }
        };
        Query {
            time: doc.time,
            terms: weigh(&doc.terms, false),
            names: weigh(&doc.terms, true),
            lead: weigh(&doc.lead, false),
            lead_names: doc.lead_names.clone(),
            lead_numbers: doc.lead_numbers.clone(),
            years: doc.years.clone(),
            lead_weekdays: doc.lead_weekdays,
        }
    }

    /// Interns an article's terms, counts them, and returns the article as indexed.
    pub(crate) fn index(&mut self, article: ArticleId, story: StoryId, evidence: &Evidence) -> Indexed {
        self.documents += 1;
        while self.logarithms.len() < self.documents as usize + 3 {
            self.logarithms.push((self.logarithms.len() as f32).ln());
        }
        let mut terms: Vec<(TermId, f32)> =
            evidence.terms.iter().map(|(t, w)| (self.intern(t), scaled_tf(t, w))).collect();
        for &(id, _) in &terms {
            self.document_frequency[id as usize] += 1;
        }
        terms.sort_unstable_by_key(|&(id, _)| id);
        let mut lead: Vec<(TermId, f32)> =
            evidence.lead.iter().map(|(t, w)| (self.intern(t), scaled_tf(t, w))).collect();
        lead.sort_unstable_by_key(|&(id, _)| id);
        let lead_names = self.lead_name_ids(evidence);
        Indexed {
            article,
            story,
            time: seconds(evidence.published),
            terms,
            lead,
            lead_names,
            lead_numbers: evidence.lead_numbers.clone(),
            years: evidence.years.clone(),
            lead_weekdays: evidence.lead_weekdays,
            norms: Cell::default(),
        }
    }

    /// Each lead name's id as a name term and as an ordinary word, where known.
    fn lead_name_ids(&self, evidence: &Evidence) -> Vec<(Option<TermId>, Option<TermId>)> {
        let id = |term: &str| self.ids.get(term).copied();
        evidence.lead_names.iter().map(|name| (id(&format!("{NAME_PREFIX}{name}")), id(name))).collect()
    }

    fn intern(&mut self, term: &str) -> TermId {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.names.len() as TermId;
        self.ids.insert(term.to_owned(), id);
        self.names.push(term.to_owned());
        self.is_name.push(term.starts_with(NAME_PREFIX));
        self.document_frequency.push(0);
        id
    }

    /// Cosine of a query and an indexed article, weighted now.
    pub(crate) fn cosine(&self, query: &Weighted, doc: &Indexed) -> f32 {
        self.cosine_indexed(query, &doc.terms, self.norms(doc).terms, false)
    }

    /// Each shared term's share of the cosine.
    pub(crate) fn contributions(&self, query: &Weighted, doc: &Indexed) -> Vec<(TermId, f32)> {
        let scale = query.norm * self.norms(doc).terms;
        if scale == 0.0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        merge_join(&query.terms, &doc.terms, |id, q, tf| out.push((id, q * self.weight(id, tf) / scale)));
        out
    }

    /// Everything the pair model weighs, for a new article against an indexed one.
    pub(crate) fn features(&self, query: &Query, doc: &Indexed) -> PairFeatures {
        let absent_from_doc = query
            .lead_names
            .iter()
            .filter(|&&(name, word)| !contains(&doc.terms, name) && !contains(&doc.terms, word))
            .count();
        let absent_from_query = doc
            .lead_names
            .iter()
            .filter(|&&(name, word)| {
                !contains(&query.terms.terms, name) && !contains(&query.terms.terms, word)
            })
            .count();
        let names_total = query.lead_names.len() + doc.lead_names.len();
        let common_numbers = count_common(&query.lead_numbers, &doc.lead_numbers);
        let all_numbers = query.lead_numbers.len() + doc.lead_numbers.len() - common_numbers;
        let disjoint = |a: bool, b: bool, common: bool| if a && b && !common { 1.0 } else { 0.0 };
        let norms = self.norms(doc);
        PairFeatures {
            cosine: self.cosine_indexed(&query.terms, &doc.terms, norms.terms, false),
            lead: self.cosine_indexed(&query.lead, &doc.lead, norms.lead, false),
            names: self.cosine_indexed(&query.names, &doc.terms, norms.names, true),
            novelty: (absent_from_doc + absent_from_query) as f32 / (names_total + 1) as f32,
            numbers_shared: common_numbers as f32 / (all_numbers + 1) as f32,
            numbers_disjoint: disjoint(
                !query.lead_numbers.is_empty(),
                !doc.lead_numbers.is_empty(),
                common_numbers > 0,
            ),
            years_disjoint: disjoint(
                !query.years.is_empty(),
                !doc.years.is_empty(),
                count_common(&query.years, &doc.years) > 0,
            ),
            weekdays_disjoint: disjoint(
                query.lead_weekdays != 0,
                doc.lead_weekdays != 0,
                query.lead_weekdays & doc.lead_weekdays != 0,
            ),
            published_close: match (query.time, doc.time) {
                (Some(a), Some(b)) => (1.0 - (a - b).abs() as f32 / CLOSE_SECONDS).max(-1.0),
                _ => 0.0,
            },
        }
    }
}

/// Sublinear term frequency, names boosted: the part of a weight that does not change.
fn scaled_tf(term: &str, tf: f32) -> f32 {
    let sublinear = if tf >= 1.0 { 1.0 + tf.ln() } else { tf.max(0.0) };
    if term.starts_with(NAME_PREFIX) { sublinear * NAME_BOOST } else { sublinear }
}

/// Calls `f` for every term id present in both sorted vectors.
fn merge_join(a: &[(TermId, f32)], b: &[(TermId, f32)], mut f: impl FnMut(TermId, f32, f32)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(a[i].0, a[i].1, b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
}

fn contains(terms: &[(TermId, f32)], id: Option<TermId>) -> bool {
    id.is_some_and(|id| terms.binary_search_by_key(&id, |&(t, _)| t).is_ok())
}

/// Values two sorted, de-duplicated lists share.
fn count_common<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}
