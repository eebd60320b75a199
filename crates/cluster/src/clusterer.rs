//! The clusterer's state and the assignment decision.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use parallax_core::StoryId;
use parallax_nlp::{NAME_PREFIX, TermProfile};
use serde::{Deserialize, Serialize};

/// How eagerly articles are grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// Least cosine similarity (TF-IDF, article against story profile) for joining a story.
    pub threshold: f32,
    /// Articles published further than this from a story's known time span do not join it.
    pub window_days: i64,
    /// How many stories sharing the rarest terms are scored in full.
    pub candidates: usize,
    /// How much a name term counts over an ordinary word.
    pub name_boost: f32,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig { threshold: 0.3, window_days: 7, candidates: 32, name_boost: 1.5 }
    }
}

/// One article as the clusterer sees it.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// Its terms.
    pub terms: &'a TermProfile,
    /// When it was published, if known.
    pub published: Option<DateTime<Utc>>,
}

/// The clusterer's proposal for one article, with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The story to join; `None` opens a new one.
    pub story: Option<StoryId>,
    /// Cosine similarity to the best candidate (0 when there was none).
    pub similarity: f32,
    /// The terms that weighed most in that similarity, heaviest first.
    pub shared_terms: Vec<SharedTerm>,
    /// The threshold the similarity was measured against.
    pub threshold: f32,
}

/// A term an article shares with a story, and what it contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedTerm {
    /// The term; names carry the `n:` prefix.
    pub term: String,
    /// Its share of the similarity.
    pub contribution: f32,
}

type TermId = u32;

/// A term's share of a similarity.
type Contribution = (TermId, f32);

#[derive(Debug, Default)]
struct StoryProfile {
    terms: HashMap<TermId, f32>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

/// Online clustering state.
#[derive(Debug, Default)]
pub struct Clusterer {
    config: ClusterConfig,
    vocabulary: HashMap<String, TermId>,
    names: Vec<String>,
    /// Number of documents containing each term, indexed by term id.
    document_frequency: Vec<u32>,
    documents: u32,
    stories: HashMap<StoryId, StoryProfile>,
    postings: HashMap<TermId, Vec<StoryId>>,
}

impl Clusterer {
    /// An empty clusterer.
    pub fn new(config: ClusterConfig) -> Self {
        Clusterer { config, ..Clusterer::default() }
    }

    /// Number of stories known.
    pub fn story_count(&self) -> usize {
        self.stories.len()
    }

    /// Proposes the story an article belongs to.
    pub fn assign(&self, doc: &Document<'_>) -> Assignment {
        let query = self.weighted(doc.terms.iter().filter_map(|(t, w)| Some((*self.vocabulary.get(t)?, w))));
        let mut best: Option<(StoryId, f32, Vec<Contribution>)> = None;
        for story_id in self.candidates(&query) {
            let story = &self.stories[&story_id];
            if !self.in_window(story, doc.published) {
                continue;
            }
            let (similarity, contributions) = self.cosine(&query, story);
            if best.as_ref().is_none_or(|(_, s, _)| similarity > *s) {
                best = Some((story_id, similarity, contributions));
            }
        }
        let threshold = self.config.threshold;
        let Some((story, similarity, mut contributions)) = best else {
            return Assignment { story: None, similarity: 0.0, shared_terms: Vec::new(), threshold };
        };
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1));
        let shared_terms = contributions
            .into_iter()
            .take(8)
            .map(|(id, c)| SharedTerm { term: self.names[id as usize].clone(), contribution: c })
            .collect();
        Assignment { story: (similarity >= threshold).then_some(story), similarity, shared_terms, threshold }
    }

    /// Records that an article now belongs to a story (new or existing).
    pub fn add(&mut self, story_id: StoryId, doc: &Document<'_>) {
        self.documents += 1;
        let ids: Vec<(TermId, f32)> = doc.terms.iter().map(|(t, w)| (self.intern(t), w)).collect();
        let story = self.stories.entry(story_id).or_default();
        for &(id, weight) in &ids {
            self.document_frequency[id as usize] += 1;
            let slot = story.terms.entry(id).or_insert(0.0);
            if *slot == 0.0 {
                self.postings.entry(id).or_default().push(story_id);
            }
            *slot += weight;
        }
        if let Some(t) = doc.published {
            story.first = Some(story.first.map_or(t, |f| f.min(t)));
            story.last = Some(story.last.map_or(t, |l| l.max(t)));
        }
    }

    fn intern(&mut self, term: &str) -> TermId {
        if let Some(&id) = self.vocabulary.get(term) {
            return id;
        }
        let id = self.names.len() as TermId;
        self.vocabulary.insert(term.to_owned(), id);
        self.names.push(term.to_owned());
        self.document_frequency.push(0);
        id
    }

    fn idf(&self, id: TermId) -> f32 {
        let df = self.document_frequency.get(id as usize).copied().unwrap_or(0) as f32;
        ((1.0 + self.documents as f32) / (1.0 + df)).ln() + 1.0
    }

    /// TF-IDF weights with sublinear term frequency and a boost for names.
    fn weighted(&self, terms: impl Iterator<Item = (TermId, f32)>) -> Vec<(TermId, f32)> {
        terms
            .filter(|(_, tf)| *tf > 0.0)
            .map(|(id, tf)| {
                let boost = if self.names[id as usize].starts_with(NAME_PREFIX) {
                    self.config.name_boost
                } else {
                    1.0
                };
                (id, (1.0 + tf.ln()) * self.idf(id) * boost)
            })
            .collect()
    }

    /// Stories sharing terms with the query, ranked by the summed weight of what they share.
    fn candidates(&self, query: &[(TermId, f32)]) -> Vec<StoryId> {
        let mut scores: HashMap<StoryId, f32> = HashMap::new();
        for &(id, weight) in query {
            let Some(stories) = self.postings.get(&id) else {
                continue;
            };
            // Terms in most stories say little and would make this a scan of everything.
            if stories.len() * 4 > self.stories.len().max(40) {
                continue;
            }
            for &story in stories {
                *scores.entry(story).or_default() += weight;
            }
        }
        let mut ranked: Vec<(StoryId, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(self.config.candidates).map(|(s, _)| s).collect()
    }

    fn in_window(&self, story: &StoryProfile, published: Option<DateTime<Utc>>) -> bool {
        let (Some(t), Some(first), Some(last)) = (published, story.first, story.last) else {
            return true;
        };
        let window = Duration::days(self.config.window_days);
        t >= first - window && t <= last + window
    }

    fn cosine(&self, query: &[(TermId, f32)], story: &StoryProfile) -> (f32, Vec<(TermId, f32)>) {
        let profile = self.weighted(story.terms.iter().map(|(&id, &w)| (id, w)));
        let story_norm = profile.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        let query_norm = query.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if story_norm == 0.0 || query_norm == 0.0 {
            return (0.0, Vec::new());
        }
        let story_weights: HashMap<TermId, f32> = profile.into_iter().collect();
        let contributions: Vec<(TermId, f32)> = query
            .iter()
            .filter_map(|&(id, w)| Some((id, w * story_weights.get(&id)? / (story_norm * query_norm))))
            .collect();
        (contributions.iter().map(|(_, c)| c).sum(), contributions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn profile(title: &str, body: &str) -> TermProfile {
        TermProfile::from_text(title, &[body.to_owned()])
    }

    fn day(d: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2026, 2, d, 8, 0, 0).unwrap())
    }

    #[test]
    fn similar_reports_join_and_different_events_stay_apart() {
        let mut c = Clusterer::new(ClusterConfig::default());
        let a = profile(
            "Shoigu meets Wang Yi in Beijing",
            "Sergei Shoigu held security talks with Wang Yi in Beijing.",
        );
        let b =
            profile("Wang Yi hosts Shoigu", "Wang Yi met Shoigu in Beijing for strategic security talks.");
        let other =
            profile("Flooding in Valencia", "Heavy rain flooded streets in Valencia, closing schools.");
        c.add(StoryId(1), &Document { terms: &a, published: day(1) });
        c.add(StoryId(2), &Document { terms: &other, published: day(1) });
        let got = c.assign(&Document { terms: &b, published: day(2) });
        assert_eq!(got.story, Some(StoryId(1)), "{got:?}");
        assert!(got.shared_terms.iter().any(|t| t.term == "n:shoigu"));
    }

    #[test]
    fn the_time_window_keeps_distant_reports_apart() {
        let mut c = Clusterer::new(ClusterConfig::default());
        let a = profile(
            "Shoigu meets Wang Yi in Beijing",
            "Sergei Shoigu held security talks with Wang Yi in Beijing.",
        );
        c.add(StoryId(1), &Document { terms: &a, published: day(1) });
        let late = Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap());
        assert_eq!(c.assign(&Document { terms: &a, published: late }).story, None);
        assert_eq!(c.assign(&Document { terms: &a, published: None }).story, Some(StoryId(1)));
    }

    #[test]
    fn an_empty_clusterer_opens_a_story() {
        let c = Clusterer::new(ClusterConfig::default());
        let a = profile("Anything", "Some text about something.");
        let got = c.assign(&Document { terms: &a, published: None });
        assert_eq!((got.story, got.similarity), (None, 0.0));
    }
}
