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
use crate::vocabulary::Query;

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
        let fresh_from =
            std::mem::replace(&mut self.maintained_through, self.first_seq + self.live.len() as u64);
        let mut proposals: HashMap<(StoryId, StoryId), f32> = HashMap::new();
        for story in changed {
            let Some(members) = self.stories.get(&story) else { continue };
            let recent = &members[members.len().saturating_sub(SAMPLE)..];
            let sample: Vec<Query> =
                recent.iter().filter_map(|&seq| Some(self.vocabulary.query_of(self.get(seq)?))).collect();
            // Earlier passes looked for neighbours from the older articles; only the new ones can
            // bring new neighbours, unless the story changed by a merge and has none.
            let fresh = recent.iter().filter(|&&seq| seq >= fresh_from).count();
            let searchers =
                if fresh == 0 { &sample[..] } else { &sample[sample.len().saturating_sub(fresh)..] };
            let mut neighbours: HashSet<StoryId> = HashSet::new();
            for query in searchers {
                let loaded = self.vocabulary.load(query);
                for candidate in self.candidates(&loaded) {
                    match self.get(candidate) {
                        Some(other) if other.story != story => neighbours.insert(other.story),
                        _ => false,
                    };
                }
            }
            let key = |other: StoryId| (story.min(other), story.max(other));
            let mut neighbours: Vec<StoryId> =
                neighbours.into_iter().filter(|&other| !proposals.contains_key(&key(other))).collect();
            neighbours.sort_unstable();
            for (other, probability) in neighbours.iter().zip(self.story_probabilities(&sample, &neighbours))
            {
                if probability >= self.config.merge_threshold {
                    proposals.insert(key(*other), probability);
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

    /// For each of the other stories, the mean probability of one event over the pairs of a
    /// story's sampled articles (as queries) and that story's recent articles.
    fn story_probabilities(&self, sample: &[Query], others: &[StoryId]) -> Vec<f32> {
        let recent: Vec<&[u64]> = others
            .iter()
            .map(|other| self.stories.get(other).map_or(&[][..], |m| &m[m.len().saturating_sub(SAMPLE)..]))
            .collect();
        let mut sums = vec![0.0; others.len()];
        for query in sample {
            let loaded = self.vocabulary.load(query);
            for (sum, members) in sums.iter_mut().zip(&recent) {
                for &seq in *members {
                    if self.get(seq).is_some_and(|doc| self.in_window(query.time, doc.time)) {
                        *sum += self.score(&loaded, seq).probability;
                    }
                }
            }
        }
        sums.iter()
            .zip(&recent)
            .map(|(sum, members)| sum / (sample.len() * members.len()).max(1) as f32)
            .collect()
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
