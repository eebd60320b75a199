//! The clusterer's state and the assignment decision.
//!
//! An article joins the story whose closest reports it most probably shares an event with, when that
//! probability (the mean over its three best matches in the story) reaches the threshold; otherwise
//! it opens a story. Candidates come from an inverted index over the articles still inside the
//! retention span, found through the telling terms they share, ranked by cosine and scored in full by
//! the [`PairModel`].

use std::cell::RefCell;
use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use parallax_core::{ArticleId, StoryId};
use serde::{Deserialize, Serialize};

use parallax_nlp::NAME_PREFIX;

use crate::evidence::Evidence;
use crate::model::{PairFeatures, PairModel};
use crate::vocabulary::{IdMap, IdSet, LeadName, Loaded, TermId, Vocabulary, Weights};

/// How eagerly articles are grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// Least probability (of reporting the same event as an article of the story) for joining it.
    pub threshold: f32,
    /// Articles published further apart than this are never grouped.
    pub window_days: i64,
    /// How many earlier articles are scored in full for each new one.
    pub candidates: usize,
    /// Least mean probability over two stories' articles for the maintenance pass to merge them.
    pub merge_threshold: f32,
    /// Articles kept for matching when publication times do not retire them.
    pub max_live_articles: usize,
    /// The weights of the pair evidence.
    pub model: PairModel,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            threshold: 0.6,
            window_days: 7,
            candidates: 10,
            merge_threshold: 0.35,
            max_live_articles: 200_000,
            model: PairModel::default(),
        }
    }
}

impl ClusterConfig {
    /// How long before the newest article an article stays matched against: twice the window, so
    /// that a late report still meets the reports of its time.
    pub fn retention(&self) -> chrono::Duration {
        chrono::Duration::try_seconds(self.window_seconds().saturating_mul(2))
            .unwrap_or(chrono::Duration::MAX)
    }

    fn window_seconds(&self) -> i64 {
        self.window_days.saturating_mul(86_400)
    }
}

/// The clusterer's proposal for one article, with its reasons.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The story to join; `None` opens a new one.
    pub story: Option<StoryId>,
    /// Probability that the article reports the same event as `linked` (0 when there was none).
    #[serde(alias = "similarity")]
    pub probability: f32,
    /// The threshold the probability was measured against.
    pub threshold: f32,
    /// The earlier article it resembles most.
    #[serde(default)]
    pub linked: Option<ArticleId>,
    /// What was measured against that article.
    #[serde(default)]
    pub features: Option<PairFeatures>,
    /// The terms that weighed most in the similarity, heaviest first.
    pub shared_terms: Vec<SharedTerm>,
    /// Other stories one of whose reports it matched at least at the merge threshold: the
    /// maintenance pass compares them with the story it joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub near_stories: Vec<StoryId>,
}

impl Assignment {
    /// Why the article joined its story or opened one, in a sentence for readers: the probability
    /// against the threshold and the terms that weighed most.
    pub fn reason(&self) -> String {
        let shared: Vec<&str> = self
            .shared_terms
            .iter()
            .take(6)
            .map(|t| t.term.strip_prefix(NAME_PREFIX).unwrap_or(&t.term))
            .collect();
        let shares =
            if shared.is_empty() { String::new() } else { format!("; shares {}", shared.join(", ")) };
        match (self.story, self.linked) {
            (Some(_), _) => format!(
                "same-event probability {:.2} over its closest reports (joins at {:.2}){shares}",
                self.probability, self.threshold
            ),
            (None, Some(_)) => format!(
                "no earlier report matched closely enough: best {:.2}, below {:.2}{shares}",
                self.probability, self.threshold
            ),
            (None, None) => "no earlier report shared its telling terms".to_owned(),
        }
    }
}

/// A term an article shares with another, and what it contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedTerm {
    /// The term; names carry the `n:` prefix.
    pub term: String,
    /// Its share of the cosine similarity.
    pub contribution: f32,
}

/// How many of a new article's heaviest terms look up candidates.
const CANDIDATE_TERMS: usize = 32;

/// Longest posting list scanned: a term in more live articles than this is too common to tell.
const MAX_POSTINGS: usize = 1_000;

/// Fewest retirements between two sweeps of the posting lists.
const SWEEP_EVERY: usize = 1_024;

/// Most postings scanned for one article's candidates.
const POSTINGS_BUDGET: usize = 2_000;

/// One article as indexed: term ids with raw weights, sorted by id.
#[derive(Debug, Clone)]
pub(crate) struct Indexed {
    pub(crate) article: ArticleId,
    pub(crate) story: StoryId,
    /// Publication time, seconds since the epoch.
    pub(crate) time: Option<i64>,
    /// Term ids with scaled frequencies (sublinear, names boosted), sorted by id.
    pub(crate) terms: Vec<(TermId, f32)>,
    /// Where the names start among the terms.
    pub(crate) names_from: u32,
    pub(crate) lead: Vec<(TermId, f32)>,
    /// Each lead name as a name term and as an ordinary word.
    pub(crate) lead_names: Vec<LeadName>,
    pub(crate) lead_numbers: Vec<u32>,
    pub(crate) years: Vec<i32>,
    pub(crate) lead_weekdays: u8,
    /// TF-IDF weights as of the time they were computed.
    pub(crate) weights: RefCell<Weights>,
}

impl Indexed {
    /// Where the names start among its terms (ids sort names last).
    pub(crate) fn names_from(&self) -> usize {
        self.names_from as usize
    }
}

/// Online clustering state.
#[derive(Debug, Default)]
pub struct Clusterer {
    pub(crate) config: ClusterConfig,
    pub(crate) vocabulary: Vocabulary,
    /// Live articles; the front one has sequence number `first_seq`.
    pub(crate) live: VecDeque<Indexed>,
    pub(crate) first_seq: u64,
    /// Latest publication time seen, which moves the window.
    newest: Option<i64>,
    postings: Vec<Vec<u64>>,
    /// Each story's live articles by sequence number, in arrival order.
    pub(crate) stories: IdMap<StoryId, Vec<u64>>,
    /// Stories that gained articles since the last maintenance pass.
    pub(crate) changed: IdSet<StoryId>,
    /// For stories that gained articles, the other stories those articles resembled.
    pub(crate) near: IdMap<StoryId, Vec<StoryId>>,
    /// Sequence number of the first article added since the last maintenance pass.
    pub(crate) maintained_through: u64,
    /// Each story's number of live articles when last examined for drift.
    pub(crate) split_examined: IdMap<StoryId, usize>,
    pub(crate) by_article: IdMap<ArticleId, u64>,
    /// Candidate scores by live position, all zero between lookups (see [`Clusterer::candidates`]).
    hits: RefCell<Vec<f32>>,
    /// Articles retired since the posting lists were last swept of them.
    retired_since_sweep: usize,
}

/// How many of a story's articles an article must match, on average, to join it.
const CORROBORATION: usize = 3;

/// A story's most recent articles scored against a new one besides its candidates.
const STORY_SAMPLE: usize = 12;

/// Orders scores by probability, the earlier article first among equals.
fn by_probability(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    a.probability.total_cmp(&b.probability).then(b.seq.cmp(&a.seq))
}

/// An earlier article scored against a new one.
#[derive(Clone)]
pub(crate) struct Scored {
    pub(crate) seq: u64,
    pub(crate) probability: f32,
    features: PairFeatures,
}

impl Clusterer {
    /// An empty clusterer.
    pub fn new(config: ClusterConfig) -> Self {
        Clusterer { config, ..Clusterer::default() }
    }

    /// The settings in use.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Number of stories with live articles.
    pub fn live_stories(&self) -> usize {
        self.stories.len()
    }

    /// Number of distinct terms known: those of live articles and those not yet swept away.
    pub fn known_terms(&self) -> usize {
        self.vocabulary.terms()
    }

    /// Number of articles still matched against.
    pub fn live_articles(&self) -> usize {
        self.live.len()
    }

    /// Proposes the story an article belongs to.
    pub fn assign(&self, evidence: &Evidence) -> Assignment {
        let query = self.vocabulary.query(evidence);
        let loaded = self.vocabulary.load(&query);
        let threshold = self.config.threshold;
        let scored = self.candidates(&loaded);
        let Some(best) = scored.iter().max_by(|a, b| by_probability(a, b)) else {
            return Assignment { threshold, ..Assignment::default() };
        };
        let (story, probability, linked) = match self.best_story(&loaded, &scored) {
            Some((story, probability, linked)) if probability >= threshold => {
                (Some(story), probability, linked)
            }
            _ => (None, best.probability, best.clone()),
        };
        let doc = self.get(linked.seq).expect("candidates are live");
        let mut near_stories = self.stories_matched(&scored, self.config.merge_threshold);
        near_stories.retain(|&other| Some(other) != story);
        Assignment {
            story,
            probability,
            threshold,
            linked: Some(doc.article),
            features: Some(linked.features),
            shared_terms: self.shared_terms(&loaded, evidence, doc),
            near_stories,
        }
    }

    /// The story the article matches best as a whole, with its probability and the best-matching
    /// article of it. A story is judged on the article's [`CORROBORATION`] best matches among its
    /// recent articles: one resembling report is not enough to join a story whose other reports
    /// tell another event.
    fn best_story(&self, loaded: &Loaded, scored: &[Scored]) -> Option<(StoryId, f32, Scored)> {
        // The mean of the best matches never exceeds the best one.
        let mut best: Option<(StoryId, f32, Scored)> = None;
        for story in self.stories_matched(scored, self.config.threshold) {
            let Some(members) = self.stories.get(&story) else { continue };
            let recent = &members[members.len().saturating_sub(STORY_SAMPLE)..];
            let mut matches: Vec<Scored> = scored
                .iter()
                .filter(|s| self.get(s.seq).is_some_and(|d| d.story == story))
                .cloned()
                .collect();
            for &seq in recent {
                if !matches.iter().any(|s| s.seq == seq) {
                    matches.push(self.score(loaded, seq));
                }
            }
            matches.sort_unstable_by(|a, b| by_probability(b, a));
            let top = &matches[..matches.len().min(CORROBORATION)];
            let probability = top.iter().map(|s| s.probability).sum::<f32>() / top.len() as f32;
            if best.as_ref().is_none_or(|(_, p, _)| probability > *p) {
                best = Some((story, probability, matches[0].clone()));
            }
        }
        best
    }

    /// The stories of the scored articles matched at least at the given probability, by id.
    fn stories_matched(&self, scored: &[Scored], at_least: f32) -> Vec<StoryId> {
        let mut stories: Vec<StoryId> = scored
            .iter()
            .filter(|s| s.probability >= at_least)
            .filter_map(|s| Some(self.get(s.seq)?.story))
            .collect();
        stories.sort_unstable();
        stories.dedup();
        stories
    }

    /// Records that an article now belongs to the story it was assigned (or the new story opened for
    /// it), keeping the other stories it resembled for the maintenance pass.
    pub fn add_assigned(
        &mut self,
        article: ArticleId,
        story: StoryId,
        evidence: &Evidence,
        assignment: &Assignment,
    ) {
        self.add(article, story, evidence);
        if !assignment.near_stories.is_empty() {
            self.near.entry(story).or_default().extend(&assignment.near_stories);
        }
    }

    /// Records that an article now belongs to a story (new or existing).
    pub fn add(&mut self, article: ArticleId, story: StoryId, evidence: &Evidence) {
        let indexed = self.vocabulary.index(article, story, evidence);
        let seq = self.first_seq + self.live.len() as u64;
        for &(term, _) in &indexed.terms {
            let slot = term.slot();
            if self.postings.len() <= slot {
                self.postings.resize_with(slot + 1, Vec::new);
            }
            self.postings[slot].push(seq);
        }
        self.stories.entry(story).or_default().push(seq);
        self.changed.insert(story);
        if let Some(t) = indexed.time {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
        self.by_article.insert(article, seq);
        self.live.push_back(indexed);
        self.retire();
    }

    /// Retires articles that fell out of the window (or beyond the live limit) from the front.
    fn retire(&mut self) {
        let horizon = self.newest.map(|n| n.saturating_sub(self.config.retention().num_seconds()));
        while let Some(front) = self.live.front() {
            let stale = matches!((front.time, horizon), (Some(t), Some(h)) if t < h);
            if !stale && self.live.len() <= self.config.max_live_articles {
                break;
            }
            let seq = self.first_seq;
            if let Some(members) = self.stories.get_mut(&front.story) {
                members.retain(|&m| m != seq);
                if members.is_empty() {
                    self.stories.remove(&front.story);
                    self.split_examined.remove(&front.story);
                }
            }
            self.by_article.remove(&front.article);
            self.live.pop_front();
            self.first_seq += 1;
            self.retired_since_sweep += 1;
        }
        if self.retired_since_sweep >= self.live.len().max(SWEEP_EVERY) {
            self.sweep_postings();
        }
    }

    /// Drops retired articles from every posting list, freeing the lists (and forgetting the terms)
    /// no live article has: run once as many articles have retired as are live, so the lists stay
    /// within twice the live articles and the cost per article stays constant.
    pub(crate) fn sweep_postings(&mut self) {
        for (slot, postings) in self.postings.iter_mut().enumerate() {
            let retired = postings.partition_point(|&s| s < self.first_seq);
            if retired == postings.len() {
                if retired > 0 {
                    self.vocabulary.forget(slot);
                }
                *postings = Vec::new();
            } else if retired > 0 {
                postings.drain(..retired);
                if postings.capacity() > 2 * postings.len() + 8 {
                    postings.shrink_to_fit();
                }
            }
        }
        self.retired_since_sweep = 0;
    }

    pub(crate) fn get(&self, seq: u64) -> Option<&Indexed> {
        self.live.get(seq.checked_sub(self.first_seq)? as usize)
    }

    /// Live articles sharing the query's telling terms, scored: the best by a quick partial score are
    /// scored in full and the closest by cosine kept.
    pub(crate) fn candidates(&self, loaded: &Loaded) -> Vec<Scored> {
        let query = loaded.query;
        // Terms in a large share of live articles tell nothing and would make this a scan.
        let common = (self.live.len() / 8).clamp(64, MAX_POSTINGS);
        let mut telling: Vec<(TermId, f32)> =
            query.terms.terms.iter().filter(|t| t.1 > 0.0).copied().collect();
        if telling.len() > CANDIDATE_TERMS {
            telling.select_nth_unstable_by(CANDIDATE_TERMS, |a, b| b.1.total_cmp(&a.1));
            telling.truncate(CANDIDATE_TERMS);
        }
        // Scores add up in a table by live position, which spares sorting every hit.
        let mut hits = self.hits.borrow_mut();
        if hits.len() < self.live.len() {
            hits.resize(self.live.len(), 0.0);
        }
        // Rarest terms first, within a budget of postings: the work per article stays bounded
        // however large the collection, and common terms still weigh in the full scores below.
        let mut lists: Vec<(&[u64], f32)> = telling
            .into_iter()
            .filter_map(|(term, weight)| {
                let postings = self.postings.get(term.slot())?;
                // Lists hold at most the articles retired since the last sweep besides live ones.
                if postings.len() > common + self.retired_since_sweep {
                    return None;
                }
                let live = &postings[postings.partition_point(|&s| s < self.first_seq)..];
                (!live.is_empty() && live.len() <= common).then_some((live, weight))
            })
            .collect();
        lists.sort_unstable_by_key(|(postings, _)| postings.len());
        let mut budget = POSTINGS_BUDGET;
        let mut touched: Vec<usize> = Vec::new();
        for (postings, weight) in lists {
            if postings.len() > budget {
                break;
            }
            budget -= postings.len();
            for &seq in postings {
                let position = (seq - self.first_seq) as usize;
                if hits[position] == 0.0 {
                    touched.push(position);
                }
                hits[position] += weight;
            }
        }
        // The best few by partial score, kept sorted as they come: most hits fall short of the last
        // kept and cost one comparison.
        let by_score = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let keep = self.config.candidates * 3 / 2;
        let mut ranked: Vec<(u64, f32)> = Vec::with_capacity(keep + 1);
        for position in touched {
            let hit = (self.first_seq + position as u64, std::mem::take(&mut hits[position]));
            let full = ranked.len() >= keep;
            if full && ranked.last().is_some_and(|last| by_score(&hit, last).is_ge()) {
                continue;
            }
            if !self.get(hit.0).is_some_and(|doc| self.in_window(query.time, doc.time)) {
                continue;
            }
            let at = ranked.partition_point(|kept| by_score(kept, &hit).is_lt());
            ranked.insert(at, hit);
            ranked.truncate(keep);
        }
        let mut scored: Vec<Scored> = ranked.into_iter().map(|(seq, _)| self.score(loaded, seq)).collect();
        scored
            .sort_unstable_by(|a, b| b.features.cosine.total_cmp(&a.features.cosine).then(a.seq.cmp(&b.seq)));
        scored.truncate(self.config.candidates);
        scored
    }

    /// The pair evidence of an article against a live one, with the current term weights: for
    /// fitting and explaining the model.
    pub fn pair_features(&self, evidence: &Evidence, article: ArticleId) -> Option<PairFeatures> {
        let doc = self.get(*self.by_article.get(&article)?)?;
        let query = self.vocabulary.query(evidence);
        Some(self.vocabulary.load(&query).features(doc))
    }

    pub(crate) fn in_window(&self, a: Option<i64>, b: Option<i64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= self.config.window_seconds(),
            _ => true,
        }
    }

    pub(crate) fn score(&self, loaded: &Loaded, seq: u64) -> Scored {
        let doc = self.get(seq).expect("candidates are live");
        let features = loaded.features(doc);
        Scored { seq, probability: self.config.model.probability(&features), features }
    }

    fn shared_terms(&self, loaded: &Loaded, evidence: &Evidence, doc: &Indexed) -> Vec<SharedTerm> {
        let mut shared = loaded.contributions(doc);
        let heaviest = |a: &(TermId, f32), b: &(TermId, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if shared.len() > 8 {
            shared.select_nth_unstable_by(8, heaviest);
            shared.truncate(8);
        }
        shared.sort_unstable_by(heaviest);
        shared
            .into_iter()
            .filter_map(|(id, contribution)| {
                Some(SharedTerm { term: loaded.text_of(&evidence.terms, id)?.to_owned(), contribution })
            })
            .collect()
    }
}

/// Seconds since the epoch.
pub(crate) fn seconds(time: Option<DateTime<Utc>>) -> Option<i64> {
    time.map(|t| t.timestamp())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;
    use parallax_core::{Article, Block};

    pub(crate) fn evidence(title: &str, body: &[&str], day: Option<u32>) -> Evidence {
        let mut article = Article::new(title);
        article.body = body.iter().map(|p| Block::Paragraph { text: (*p).to_owned() }).collect();
        let published = day.map(|d| Utc.with_ymd_and_hms(2026, 2, d, 8, 0, 0).unwrap());
        Evidence::new(&parallax_nlp::analyze(&article), published)
    }

    pub(crate) fn talks(day: u32) -> Evidence {
        evidence(
            "Shoigu meets Wang Yi in Beijing",
            &["Sergei Shoigu held strategic security talks with Wang Yi in Beijing on Sunday."],
            Some(day),
        )
    }

    /// Another outlet's report of the talks, worded its own way.
    pub(crate) fn talks_retold(day: u32) -> Evidence {
        evidence(
            "Wang Yi hosts Shoigu for security talks",
            &["Wang Yi met Sergei Shoigu in Beijing on Sunday for strategic security talks."],
            Some(day),
        )
    }

    pub(crate) fn floods() -> Evidence {
        evidence(
            "Flooding in Valencia",
            &["Heavy rain flooded streets in Valencia on Tuesday, closing schools and roads."],
            Some(3),
        )
    }

    /// Another outlet's report of the floods.
    pub(crate) fn floods_retold() -> Evidence {
        evidence(
            "Valencia streets under water after heavy rain",
            &["Schools and roads closed in Valencia on Tuesday as heavy rain flooded the streets."],
            Some(3),
        )
    }

    #[test]
    fn a_second_report_of_one_event_joins_its_story_with_reasons() {
        let mut c = Clusterer::new(ClusterConfig::default());
        c.add(ArticleId(1), StoryId(1), &talks(1));
        c.add(ArticleId(2), StoryId(2), &floods());
        let got = c.assign(&talks_retold(2));
        assert_eq!(got.story, Some(StoryId(1)), "{got:?}");
        assert_eq!(got.linked, Some(ArticleId(1)));
        assert!(got.probability >= got.threshold);
        assert!(got.shared_terms.iter().any(|t| t.term == "n:shoigu"), "{:?}", got.shared_terms);
        assert!(got.features.is_some_and(|f| f.cosine > 0.2));
        let reason = got.reason();
        assert!(reason.contains("shoigu") && reason.contains("probability"), "{reason}");
    }

    #[test]
    fn an_assignment_names_the_other_stories_it_resembled() {
        let mut c = Clusterer::new(ClusterConfig::default());
        c.add(ArticleId(1), StoryId(1), &talks(1));
        c.add(ArticleId(2), StoryId(2), &talks_retold(1));
        c.add(ArticleId(3), StoryId(3), &floods());
        let got = c.assign(&talks(2));
        let joined = got.story.expect("joins one of the talks' stories");
        let other = if joined == StoryId(1) { StoryId(2) } else { StoryId(1) };
        assert_eq!(got.near_stories, [other], "{got:?}");
    }

    #[test]
    fn a_similar_event_with_another_opponent_and_place_stays_apart() {
        let mut c = Clusterer::new(ClusterConfig::default());
        let first = evidence(
            "Klitschko stops Rahman in seventh round in Mannheim",
            &[
                "Wladimir Klitschko stopped Hasim Rahman in the seventh round at the SAP Arena in Mannheim on Saturday to keep his heavyweight titles.",
                "Rahman, 45-7-2, barely landed a punch.",
            ],
            None,
        );
        let second = evidence(
            "Klitschko stops Thompson in sixth round in Bern",
            &[
                "Wladimir Klitschko stopped Tony Thompson in the sixth round at the Stade de Suisse in Bern on Saturday to keep his heavyweight titles.",
                "Thompson, 36-3, was floored twice.",
            ],
            None,
        );
        c.add(ArticleId(1), StoryId(1), &first);
        let got = c.assign(&second);
        assert_eq!(got.story, None, "{got:?}");
        assert!(got.features.is_some_and(|f| f.novelty > 0.0 && f.numbers_disjoint == 1.0), "{got:?}");
    }

    #[test]
    fn reports_further_apart_than_the_window_are_not_grouped() {
        let mut c = Clusterer::new(ClusterConfig { window_days: 3, ..ClusterConfig::default() });
        c.add(ArticleId(1), StoryId(1), &talks(1));
        assert_eq!(c.assign(&talks(20)).story, None);
        assert_eq!(c.assign(&talks(3)).story, Some(StoryId(1)));
        let mut undated = talks(1);
        undated.published = None;
        assert_eq!(c.assign(&undated).story, Some(StoryId(1)));
    }

    #[test]
    fn a_late_report_joins_its_story_after_newer_ones() {
        let mut c = Clusterer::new(ClusterConfig::default());
        c.add(ArticleId(1), StoryId(1), &floods());
        c.add(ArticleId(2), StoryId(2), &talks(5));
        assert_eq!(c.assign(&talks(4)).story, Some(StoryId(2)));
    }

    #[test]
    fn old_articles_retire_from_matching() {
        let mut c = Clusterer::new(ClusterConfig { window_days: 2, ..ClusterConfig::default() });
        c.add(ArticleId(1), StoryId(1), &talks(1));
        c.add(ArticleId(2), StoryId(2), &talks(10));
        assert_eq!(c.live_articles(), 1);
        assert_eq!(c.live_stories(), 1);
        let mut capped = Clusterer::new(ClusterConfig { max_live_articles: 1, ..ClusterConfig::default() });
        capped.add(ArticleId(1), StoryId(1), &floods());
        capped.add(ArticleId(2), StoryId(2), &talks(1));
        assert_eq!(capped.live_articles(), 1);
        assert_eq!(capped.assign(&floods()).story, None);
    }

    #[test]
    fn terms_of_retired_articles_are_forgotten_and_their_slots_reused() {
        let mut c = Clusterer::new(ClusterConfig { window_days: 1, ..ClusterConfig::default() });
        c.add(ArticleId(1), StoryId(1), &talks(1));
        let later_floods = || {
            evidence(
                "Flooding in Valencia",
                &["Heavy rain flooded streets in Valencia on Friday, closing schools and roads."],
                Some(6),
            )
        };
        c.add(ArticleId(2), StoryId(2), &later_floods());
        assert_eq!(c.live_articles(), 1, "the talks retired");
        let terms = c.vocabulary.terms();
        c.sweep_postings();
        assert!(c.vocabulary.terms() < terms, "the talks' own terms are forgotten");
        c.add(ArticleId(3), StoryId(3), &talks(6));
        assert_eq!(c.vocabulary.terms(), terms, "and their slots reused");
        assert_eq!(c.assign(&talks_retold(6)).story, Some(StoryId(3)));
        assert_eq!(c.assign(&later_floods()).story, Some(StoryId(2)));
    }

    #[test]
    fn an_empty_clusterer_opens_a_story() {
        let c = Clusterer::new(ClusterConfig::default());
        let got = c.assign(&talks(1));
        assert_eq!((got.story, got.probability, got.linked), (None, 0.0, None));
        assert_eq!(got.reason(), "no earlier report shared its telling terms");
    }
}
