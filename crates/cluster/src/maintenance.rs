//! The periodic pass over stories that changed: merging stories that turn out to report one event.
//!
//! Online assignment links an article to the single earlier article it resembles most, which keeps
//! apart reports that only resemble each other through a third. When later reports bridge two
//! stories, their articles as a whole resemble each other: the pass measures that as the mean pair
//! probability over the two stories' recent articles (average linkage, which one odd pair cannot
//! sway) and merges the pair when it reaches the threshold. The older story (smaller id) keeps its
//! id, so links stay valid; the caller records the other as its alias.

use std::collections::{HashMap, HashSet};

use parallax_core::StoryId;
use serde::{Deserialize, Serialize};

use crate::clusterer::Clusterer;

/// Articles of each story compared in the pass: its most recent ones.
const SAMPLE: usize = 8;

/// Two stories found to report one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    /// The story that stays (the older).
    pub kept: StoryId,
    /// The story whose articles move to `kept`.
    pub absorbed: StoryId,
    /// Mean probability over the pairs of their articles compared.
    pub probability: f32,
}

impl Clusterer {
    /// Merges stories that changed since the last pass into stories their articles now match as a
    /// whole, and returns the merges for the caller to persist.
    pub fn maintain(&mut self) -> Vec<Merge> {
        let changed: Vec<StoryId> = {
            let mut changed: Vec<StoryId> = self.changed.drain().collect();
            changed.sort_unstable();
            changed
        };
        let mut proposals: HashMap<(StoryId, StoryId), f32> = HashMap::new();
        for story in changed {
            let Some(members) = self.stories.get(&story) else { continue };
            let mut neighbours: HashSet<StoryId> = HashSet::new();
            for &seq in members.iter().rev().take(SAMPLE) {
                let Some(doc) = self.get(seq) else { continue };
                let query = self.vocabulary.query_of(doc);
                for candidate in self.candidates(&query) {
                    match self.get(candidate) {
                        Some(other) if other.story != story => neighbours.insert(other.story),
                        _ => false,
                    };
                }
            }
            for other in neighbours {
                let key = (story.min(other), story.max(other));
                if proposals.contains_key(&key) {
                    continue;
                }
                let probability = self.story_probability(story, other);
                if probability >= self.config.merge_threshold {
                    proposals.insert(key, probability);
                }
            }
        }
        let mut proposals: Vec<((StoryId, StoryId), f32)> = proposals.into_iter().collect();
        proposals.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut touched = HashSet::new();
        let mut merges = Vec::new();
        for ((kept, absorbed), probability) in proposals {
            // A story merged this pass has a new profile: it is measured again next pass.
            if touched.contains(&kept) || touched.contains(&absorbed) {
                self.changed.insert(kept);
                continue;
            }
            touched.insert(kept);
            touched.insert(absorbed);
            self.merge(kept, absorbed);
            merges.push(Merge { kept, absorbed, probability });
        }
        merges
    }

    /// Mean probability of one event over the pairs of the two stories' recent articles.
    fn story_probability(&self, a: StoryId, b: StoryId) -> f32 {
        let recent = |story: StoryId| -> Vec<u64> {
            self.stories.get(&story).map_or_else(Vec::new, |m| m.iter().rev().take(SAMPLE).copied().collect())
        };
        let (left, right) = (recent(a), recent(b));
        let mut sum = 0.0;
        let mut pairs = 0;
        for &l in &left {
            let Some(doc) = self.get(l) else { continue };
            let query = self.vocabulary.query_of(doc);
            for &r in &right {
                let Some(other) = self.get(r) else { continue };
                pairs += 1;
                if self.in_window(doc.time, other.time) {
                    sum += self.score(&query, r).probability;
                }
            }
        }
        if pairs == 0 { 0.0 } else { sum / pairs as f32 }
    }

    /// Moves every live article of `absorbed` into `kept`.
    fn merge(&mut self, kept: StoryId, absorbed: StoryId) {
        let Some(moved) = self.stories.remove(&absorbed) else { return };
        for &seq in &moved {
            let index = seq.checked_sub(self.first_seq).map(|i| i as usize);
            if let Some(doc) = index.and_then(|i| self.live.get_mut(i)) {
                doc.story = kept;
            }
        }
        let members = self.stories.entry(kept).or_default();
        members.extend(moved);
        members.sort_unstable();
        self.changed.insert(kept);
    }
}

#[cfg(test)]
mod tests {
    use crate::clusterer::tests::{floods, talks, talks_retold};
    use crate::{ClusterConfig, Clusterer};
    use parallax_core::{ArticleId, StoryId};

    #[test]
    fn stories_of_one_event_merge_into_the_older_and_others_stay() {
        let mut c = Clusterer::new(ClusterConfig::default());
        c.add(ArticleId(1), StoryId(1), &talks(1));
        c.add(ArticleId(2), StoryId(2), &floods());
        // As if the second report had arrived while the first was out of reach.
        c.add(ArticleId(3), StoryId(3), &talks_retold(1));
        let merges = c.maintain();
        assert_eq!(merges.len(), 1, "{merges:?}");
        assert_eq!((merges[0].kept, merges[0].absorbed), (StoryId(1), StoryId(3)));
        assert!(merges[0].probability >= c.config().merge_threshold);
        assert_eq!(c.live_stories(), 2);
        assert_eq!(c.assign(&talks(2)).story, Some(StoryId(1)));
        assert!(c.maintain().is_empty(), "a second pass finds nothing new");
    }
}
