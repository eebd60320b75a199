//! Term ids, document frequencies and the TF-IDF arithmetic over them: every similarity the
//! clusterer measures is computed here.

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

/// Interned terms with the number of articles containing each.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    ids: HashMap<String, TermId>,
    names: Vec<String>,
    is_name: Vec<bool>,
    document_frequency: Vec<u32>,
    documents: u32,
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

    /// Inverse document frequency as it stands for an article being assigned: that article counts.
    fn idf(&self, id: Option<TermId>) -> f32 {
        let df = id.and_then(|id| self.document_frequency.get(id as usize)).copied().unwrap_or(0) + 1;
        ((2.0 + self.documents as f32) / (1.0 + df as f32)).ln() + 1.0
    }

    /// Sublinear term frequency times IDF, names boosted.
    pub(crate) fn weight(&self, id: TermId, tf: f32) -> f32 {
        let boost = if self.is_name.get(id as usize).copied().unwrap_or(false) { NAME_BOOST } else { 1.0 };
        sublinear(tf) * self.idf(Some(id)) * boost
    }

    fn weigh_profile(&self, profile: &TermProfile, only_names: bool) -> Weighted {
        let mut terms = Vec::with_capacity(profile.len());
        let mut norm = 0.0;
        for (term, tf) in profile.iter() {
            let name = term.starts_with(NAME_PREFIX);
            if only_names && !name {
                continue;
            }
            let id = self.ids.get(term).copied();
            let boost = if name { NAME_BOOST } else { 1.0 };
            let w = sublinear(tf) * self.idf(id) * boost;
            norm += w * w;
            if let Some(id) = id {
                terms.push((id, w));
            }
        }
        terms.sort_unstable_by_key(|&(id, _)| id);
        Weighted { terms, norm: norm.sqrt() }
    }

    fn weigh_indexed(&self, terms: &[(TermId, f32)], only_names: bool) -> Weighted {
        let mut norm = 0.0;
        let terms: Vec<(TermId, f32)> = terms
            .iter()
            .filter(|&&(id, _)| !only_names || self.is_name[id as usize])
            .map(|&(id, tf)| {
                let w = self.weight(id, tf);
                norm += w * w;
                (id, w)
            })
            .collect();
        Weighted { terms, norm: norm.sqrt() }
    }

    /// The evidence of an article being assigned, against the terms known so far.
    pub(crate) fn query(&self, evidence: &Evidence) -> Query {
        Query {
            time: seconds(evidence.published),
            terms: self.weigh_profile(&evidence.terms, false),
            names: self.weigh_profile(&evidence.terms, true),
            lead: self.weigh_profile(&evidence.lead, false),
            lead_names: self.lead_name_ids(evidence, |term| self.ids.get(term).copied()),
            lead_numbers: evidence.lead_numbers.clone(),
            years: evidence.years.clone(),
            lead_weekdays: evidence.lead_weekdays,
        }
    }

    /// Interns an article's terms, counts them, and returns the article as indexed.
    pub(crate) fn index(&mut self, article: ArticleId, story: StoryId, evidence: &Evidence) -> Indexed {
        self.documents += 1;
        let mut terms: Vec<(TermId, f32)> = evidence.terms.iter().map(|(t, w)| (self.intern(t), w)).collect();
        for &(id, _) in &terms {
            self.document_frequency[id as usize] += 1;
        }
        terms.sort_unstable_by_key(|&(id, _)| id);
        let mut lead: Vec<(TermId, f32)> = evidence.lead.iter().map(|(t, w)| (self.intern(t), w)).collect();
        lead.sort_unstable_by_key(|&(id, _)| id);
        let lead_names = self.lead_name_ids(evidence, |term| self.ids.get(term).copied());
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
        }
    }

    fn lead_name_ids(
        &self,
        evidence: &Evidence,
        id: impl Fn(&str) -> Option<TermId>,
    ) -> Vec<(Option<TermId>, Option<TermId>)> {
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

    /// Cosine of a query vector and an indexed article's terms, weighted now.
    pub(crate) fn cosine(&self, query: &Weighted, terms: &[(TermId, f32)]) -> f32 {
        cosine(query, &self.weigh_indexed(terms, false))
    }

    /// Each shared term's share of the cosine.
    pub(crate) fn contributions(&self, query: &Weighted, terms: &[(TermId, f32)]) -> Vec<(TermId, f32)> {
        let doc = self.weigh_indexed(terms, false);
        let scale = query.norm * doc.norm;
        if scale == 0.0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        merge_join(&query.terms, &doc.terms, |id, a, b| out.push((id, a * b / scale)));
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
        PairFeatures {
            cosine: self.cosine(&query.terms, &doc.terms),
            lead: cosine(&query.lead, &self.weigh_indexed(&doc.lead, false)),
            names: cosine(&query.names, &self.weigh_indexed(&doc.terms, true)),
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
        }
    }
}

fn sublinear(tf: f32) -> f32 {
    if tf >= 1.0 { 1.0 + tf.ln() } else { tf.max(0.0) }
}

fn cosine(a: &Weighted, b: &Weighted) -> f32 {
    if a.norm == 0.0 || b.norm == 0.0 {
        return 0.0;
    }
    let mut dot = 0.0;
    merge_join(&a.terms, &b.terms, |_, x, y| dot += x * y);
    dot / (a.norm * b.norm)
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
