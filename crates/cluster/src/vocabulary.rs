//! Term ids, document frequencies and the TF-IDF arithmetic over them: every similarity the
//! clusterer measures is computed here.

use std::cell::{Ref, RefCell, RefMut};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use parallax_core::{ArticleId, StoryId};
use parallax_nlp::NAME_PREFIX;

use crate::clusterer::{Indexed, seconds};
use crate::evidence::{Evidence, Terms, term_key};
use crate::model::PairFeatures;

/// A term's index in the vocabulary. The top bit marks names, so that a vector sorted by id keeps
/// an article's names together at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TermId(u32);

impl TermId {
    const NAME: u32 = 1 << 31;

    fn new(slot: usize, name: bool) -> Self {
        TermId(slot as u32 | if name { Self::NAME } else { 0 })
    }

    pub(crate) fn is_name(self) -> bool {
        self.0 & Self::NAME != 0
    }

    /// Its place in the vocabulary's tables.
    pub(crate) fn slot(self) -> usize {
        (self.0 & !Self::NAME) as usize
    }
}

/// Publication times this far apart count as neither close nor distant.
const CLOSE_SECONDS: f32 = 36.0 * 3600.0;

/// Interned terms with the number of articles containing each.
#[derive(Default)]
pub(crate) struct Vocabulary {
    /// Term keys (already hashes, so not hashed again) to ids.
    ids: HashMap<u64, TermId, BuildHasherDefault<KeyHasher>>,
    document_frequency: Vec<u32>,
    /// Each slot's term key, and the slots of forgotten terms, free for new ones.
    keys: Vec<u64>,
    free: Vec<u32>,
    documents: u32,
    /// `logarithms[n]` is ln(n), for every count up to the number of documents plus two.
    logarithms: Vec<f32>,
    /// The loaded query's weights by term slot, whole text and lead (see [`Vocabulary::load`]); all
    /// zero between loads.
    table: RefCell<Vec<[f32; 2]>>,
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocabulary")
            .field("terms", &self.document_frequency.len())
            .field("documents", &self.documents)
            .finish()
    }
}

/// A weighted sparse vector, in no particular order, with its norms (which count terms without ids).
#[derive(Debug, Clone, Default)]
pub(crate) struct Weighted {
    pub(crate) terms: Vec<(TermId, f32)>,
    pub(crate) norm: f32,
    /// Norm of the names alone.
    names_norm: f32,
}

/// An article's evidence weighted against the vocabulary, for comparing with indexed articles.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub(crate) time: Option<i64>,
    pub(crate) terms: Weighted,
    pub(crate) lead: Weighted,
    /// The id of each of the evidence's terms, in its order (empty for an indexed article's query).
    pub(crate) term_ids: Vec<Option<TermId>>,
    pub(crate) lead_names: Vec<(Option<TermId>, Option<TermId>)>,
    pub(crate) lead_numbers: Vec<u32>,
    pub(crate) years: Vec<i32>,
    pub(crate) lead_weekdays: u8,
}

/// A name in an indexed article's lead: its id as a name term (one of the article's own terms), and
/// the key and, when known at indexing, the id of the same word as an ordinary one (not necessarily
/// the article's, so checked before use: see [`Vocabulary::word_id`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeadName {
    pub(crate) name: Option<TermId>,
    word: u64,
    word_id: Option<TermId>,
}

/// An indexed article's TF-IDF weights, in the order of its terms, under the collection size they
/// were computed at.
#[derive(Debug, Clone, Default)]
pub(crate) struct Weights {
    documents: u32,
    terms: Vec<f32>,
    lead: Vec<f32>,
    norm: f32,
    names_norm: f32,
    lead_norm: f32,
}

impl Vocabulary {
    /// Inverse document frequency as it stands for an article being assigned, which counts:
    /// ln((2 + N) / (2 + df)) + 1, from the table of logarithms.
    fn idf(&self, id: Option<TermId>) -> f32 {
        let df = id.and_then(|id| self.document_frequency.get(id.slot())).copied().unwrap_or(0);
        self.ln(self.documents + 2) - self.ln(df + 2) + 1.0
    }

    /// Natural logarithm of a count, looked up: weights are recomputed far too often to call `ln`.
    fn ln(&self, n: u32) -> f32 {
        self.logarithms.get(n as usize).copied().unwrap_or_else(|| (n as f32).ln())
    }

    /// A lead name's id as an ordinary word, as found when its article was indexed, while that id
    /// still stands for it (an id of a forgotten term may have gone to another).
    pub(crate) fn word_id(&self, lead: &LeadName) -> Option<TermId> {
        lead.word_id.filter(|id| self.keys.get(id.slot()) == Some(&lead.word))
    }

    /// Number of terms known.
    pub(crate) fn terms(&self) -> usize {
        self.ids.len()
    }

    fn id(&self, key: u64) -> Option<TermId> {
        self.ids.get(&key).copied()
    }

    /// Weighs terms against the known ones; `ids` receives each term's id, in the terms' order.
    fn weigh_terms(&self, terms: &Terms, mut ids: Option<&mut Vec<Option<TermId>>>) -> Weighted {
        let mut weighted = Weighted { terms: Vec::with_capacity(terms.len()), ..Weighted::default() };
        for term in &terms.entries {
            let id = self.id(term.key);
            if let Some(ids) = ids.as_deref_mut() {
                ids.push(id);
            }
            let w = term.scaled * self.idf(id);
            weighted.norm += w * w;
            if term.name {
                weighted.names_norm += w * w;
            }
            if let Some(id) = id {
                weighted.terms.push((id, w));
            }
        }
        weighted.norm = weighted.norm.sqrt();
        weighted.names_norm = weighted.names_norm.sqrt();
        weighted
    }

    /// The weights of an indexed article, recomputed only once the collection has grown enough for
    /// them to have moved.
    pub(crate) fn weights<'d>(&self, doc: &'d Indexed) -> Ref<'d, Weights> {
        let stale = {
            let cached = doc.weights.borrow();
            cached.documents == 0 || self.documents >= cached.documents + cached.documents / 32 + 4
        };
        if stale {
            let mut cached = doc.weights.borrow_mut();
            let cached = &mut *cached;
            cached.documents = self.documents.max(1);
            let collection = self.ln(self.documents + 2) + 1.0;
            let weight = |&(id, tf): &(TermId, f32)| {
                let df = self.document_frequency.get(id.slot()).copied().unwrap_or(0);
                tf * (collection - self.ln(df + 2))
            };
            cached.terms.clear();
            cached.terms.extend(doc.terms.iter().map(weight));
            cached.lead.clear();
            cached.lead.extend(doc.lead.iter().map(weight));
            let squares = |weights: &[f32]| weights.iter().map(|w| w * w).sum::<f32>();
            let names_from = doc.names_from();
            cached.norm = squares(&cached.terms).sqrt();
            cached.names_norm = squares(&cached.terms[names_from..]).sqrt();
            cached.lead_norm = squares(&cached.lead).sqrt();
        }
        doc.weights.borrow()
    }

    /// The evidence of an article being assigned, against the terms known so far.
    pub(crate) fn query(&self, evidence: &Evidence) -> Query {
        let mut term_ids = Vec::with_capacity(evidence.terms.len());
        Query {
            time: seconds(evidence.published),
            terms: self.weigh_terms(&evidence.terms, Some(&mut term_ids)),
            lead: self.weigh_terms(&evidence.lead, None),
            term_ids,
            lead_names: self.lead_name_ids(evidence),
            lead_numbers: evidence.lead_numbers.clone(),
            years: evidence.years.clone(),
            lead_weekdays: evidence.lead_weekdays,
        }
    }

    /// An indexed article as a query, weighted now: for comparing stored articles.
    pub(crate) fn query_of(&self, doc: &Indexed) -> Query {
        let weights = self.weights(doc);
        let pair = |ids: &[(TermId, f32)], weights: &[f32]| -> Vec<(TermId, f32)> {
            ids.iter().zip(weights).map(|(&(id, _), &w)| (id, w)).collect()
        };
        Query {
            time: doc.time,
            terms: Weighted {
                terms: pair(&doc.terms, &weights.terms),
                norm: weights.norm,
                names_norm: weights.names_norm,
            },
            lead: Weighted {
                terms: pair(&doc.lead, &weights.lead),
                norm: weights.lead_norm,
                names_norm: 0.0,
            },
            term_ids: Vec::new(),
            lead_names: doc.lead_names.iter().map(|lead| (lead.name, self.word_id(lead))).collect(),
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
            evidence.terms.entries.iter().map(|t| (self.intern(t.key, t.name), t.scaled)).collect();
        for &(id, _) in &terms {
            self.document_frequency[id.slot()] += 1;
        }
        terms.sort_unstable_by_key(|&(id, _)| id);
        // Only ids of the article's own terms are kept: a term no live article has may be forgotten
        // and its id given to another (see [`Vocabulary::forget`]).
        let own = |key: u64| self.id(key).filter(|&id| contains(&terms, Some(id)));
        let mut lead: Vec<(TermId, f32)> =
            evidence.lead.entries.iter().filter_map(|t| Some((own(t.key)?, t.scaled))).collect();
        lead.sort_unstable_by_key(|&(id, _)| id);
        let lead_names = evidence
            .lead_names
            .iter()
            .map(|name| {
                let word = term_key(&[name]);
                LeadName { name: own(term_key(&[NAME_PREFIX, name])), word, word_id: self.id(word) }
            })
            .collect();
        Indexed {
            article,
            story,
            time: seconds(evidence.published),
            names_from: terms.partition_point(|&(id, _)| !id.is_name()) as u32,
            terms,
            lead,
            lead_names,
            lead_numbers: evidence.lead_numbers.clone(),
            years: evidence.years.clone(),
            lead_weekdays: evidence.lead_weekdays,
            weights: RefCell::default(),
        }
    }

    /// Each lead name's id as a name term and as an ordinary word, where known.
    fn lead_name_ids(&self, evidence: &Evidence) -> Vec<(Option<TermId>, Option<TermId>)> {
        let id = |prefix: &str, name: &str| self.id(term_key(&[prefix, name]));
        evidence.lead_names.iter().map(|name| (id(NAME_PREFIX, name), id("", name))).collect()
    }

    fn intern(&mut self, key: u64, name: bool) -> TermId {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let slot = match self.free.pop() {
            Some(slot) => slot as usize,
            None => {
                self.document_frequency.push(0);
                self.keys.push(0);
                self.document_frequency.len() - 1
            }
        };
        self.keys[slot] = key;
        self.document_frequency[slot] = 0;
        let id = TermId::new(slot, name);
        self.ids.insert(key, id);
        id
    }

    /// Forgets a term that no live article has any more, so that the vocabulary does not grow with
    /// every name ever seen; its slot goes to the next new term. Should the term come back, it is
    /// counted afresh, as the rare term it has become.
    pub(crate) fn forget(&mut self, slot: usize) {
        let Some(&key) = self.keys.get(slot) else { return };
        if self.ids.remove(&key).is_some() {
            self.document_frequency[slot] = 0;
            self.free.push(slot as u32);
        }
    }

    /// Spreads a query over the table of term slots, for scoring articles against it.
    pub(crate) fn load<'v>(&'v self, query: &'v Query) -> Loaded<'v> {
        let mut table = self.table.borrow_mut();
        if table.len() < self.document_frequency.len() {
            table.resize(self.document_frequency.len(), [0.0; 2]);
        }
        for &(id, w) in &query.terms.terms {
            table[id.slot()][0] = w;
        }
        for &(id, w) in &query.lead.terms {
            table[id.slot()][1] = w;
        }
        Loaded { vocabulary: self, query, table }
    }
}

/// A query spread over the vocabulary's table, so that scoring an article reads each of its terms
/// once instead of walking two sorted lists side by side. The table is cleared on drop.
pub(crate) struct Loaded<'v> {
    vocabulary: &'v Vocabulary,
    pub(crate) query: &'v Query,
    table: RefMut<'v, Vec<[f32; 2]>>,
}

impl Drop for Loaded<'_> {
    fn drop(&mut self) {
        for &(id, _) in self.query.terms.terms.iter().chain(&self.query.lead.terms) {
            self.table[id.slot()] = [0.0; 2];
        }
    }
}

impl Loaded<'_> {
    /// The text of one of the query's terms, from the evidence it was made of.
    pub(crate) fn text_of<'e>(&self, evidence: &'e Terms, id: TermId) -> Option<&'e str> {
        let at = self.query.term_ids.iter().position(|&known| known == Some(id))?;
        Some(evidence.text_of(evidence.entries.get(at)?))
    }

    /// Whether the query has the term (all its known terms weigh more than nothing).
    fn has(&self, id: Option<TermId>) -> bool {
        id.and_then(|id| self.table.get(id.slot())).is_some_and(|row| row[0] > 0.0)
    }

    /// Sum of the query's weights times the given ones, over the terms both have.
    fn dot(&self, terms: &[(TermId, f32)], weights: &[f32], column: usize) -> f32 {
        terms
            .iter()
            .zip(weights)
            .map(|(&(id, _), &w)| self.table.get(id.slot()).map_or(0.0, |row| row[column]) * w)
            .sum()
    }

    /// Each shared term's share of the cosine.
    pub(crate) fn contributions(&self, doc: &Indexed) -> Vec<(TermId, f32)> {
        let weights = self.vocabulary.weights(doc);
        let scale = self.query.terms.norm * weights.norm;
        if scale == 0.0 {
            return Vec::new();
        }
        doc.terms
            .iter()
            .zip(&weights.terms)
            .filter_map(|(&(id, _), &w)| {
                let q = self.table.get(id.slot()).map_or(0.0, |row| row[0]);
                (q != 0.0).then_some((id, q * w / scale))
            })
            .collect()
    }

    /// Everything the pair model weighs, for the query against an indexed article.
    pub(crate) fn features(&self, doc: &Indexed) -> PairFeatures {
        let query = self.query;
        let weights = self.vocabulary.weights(doc);
        let names_from = doc.names_from();
        let words = self.dot(&doc.terms[..names_from], &weights.terms[..names_from], 0);
        let names = self.dot(&doc.terms[names_from..], &weights.terms[names_from..], 0);
        let lead = self.dot(&doc.lead, &weights.lead, 1);

        let (doc_words, doc_names) = doc.terms.split_at(names_from);
        let absent_from_doc = query
            .lead_names
            .iter()
            .filter(|&&(name, word)| !contains(doc_names, name) && !contains(doc_words, word))
            .count();
        let absent_from_query = doc
            .lead_names
            .iter()
            .filter(|lead| !self.has(lead.name) && !self.has(self.vocabulary.word_id(lead)))
            .count();
        let names_total = query.lead_names.len() + doc.lead_names.len();
        let common_numbers = count_common(&query.lead_numbers, &doc.lead_numbers);
        let all_numbers = query.lead_numbers.len() + doc.lead_numbers.len() - common_numbers;
        let disjoint = |a: bool, b: bool, common: bool| if a && b && !common { 1.0 } else { 0.0 };
        PairFeatures {
            cosine: ratio(words + names, query.terms.norm * weights.norm),
            lead: ratio(lead, query.lead.norm * weights.lead_norm),
            names: ratio(names, query.terms.names_norm * weights.names_norm),
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

/// A dot product over the product of norms, 0 when either vector is empty.
fn ratio(dot: f32, norms: f32) -> f32 {
    if norms == 0.0 { 0.0 } else { dot / norms }
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

/// Passes a key that is already a good hash through unchanged.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clusterer::tests::{floods, talks, talks_retold};

    #[test]
    fn scoring_reads_the_loaded_query_and_leaves_the_table_clean() {
        let mut vocabulary = Vocabulary::default();
        let first = vocabulary.index(ArticleId(1), StoryId(1), &talks(1));
        let other = vocabulary.index(ArticleId(2), StoryId(2), &floods());
        let query = vocabulary.query(&talks_retold(1));
        {
            let loaded = vocabulary.load(&query);
            let same = loaded.features(&first);
            assert!(same.cosine > 0.3 && same.names > same.cosine, "{same:?}");
            assert_eq!(loaded.features(&other).cosine, 0.0);
            assert!(loaded.contributions(&first).iter().any(|&(id, _)| id.is_name()));
        }
        assert!(vocabulary.table.borrow().iter().all(|row| *row == [0.0; 2]));
        let itself = vocabulary.query_of(&first);
        assert!((vocabulary.load(&itself).features(&first).cosine - 1.0).abs() < 1e-5);
    }
}

/// Hashes story and article ids: a multiply spreads consecutive ids over the table.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by story or article ids.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A set of story ids.
pub(crate) type IdSet<K> = std::collections::HashSet<K, BuildHasherDefault<IdHasher>>;
