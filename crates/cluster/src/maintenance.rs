//! The periodic pass over stories that changed: merging stories that turn out to report one event,
//! and splitting off the articles of a story that turn out to report another.
//!
//! Online assignment judges an article against a story's closest reports, which keeps apart reports
//! that only resemble each other through a third. When later reports bridge two stories, their
//! articles as a whole resemble each other: the pass measures that as the mean pair probability over
//! the two stories' recent articles (average linkage, which one odd pair cannot sway) and merges the
//! pair when it reaches the threshold. The older story (smaller id) keeps its id, so links stay
//! valid; the caller records the other as its alias.
//!
//! A story can also drift: each report close enough to the last ones, the latest no longer about
//! the event the first told. When a story has doubled since it was last examined, its first and
//! latest articles are grouped by the same average linkage; a group of several articles whose mean
//! probability with the group of the story's first article is far below the merge threshold is
//! proposed as a new story.
//! The caller gives it an id and applies it with [`Clusterer::split`]; the story keeps its id.

use parallax_core::{ArticleId, StoryId};
use serde::{Deserialize, Serialize};

use crate::clusterer::Clusterer;
use crate::vocabulary::{IdMap, IdSet, Query};

/// Articles of each story compared in the pass: its most recent ones.
const SAMPLE: usize = 8;

/// Articles of a story examined for drift: its first ones and its latest.
const SPLIT_SAMPLE: (usize, usize) = (4, 12);

/// Fewest live articles of a story examined for drift.
const SPLIT_MIN: usize = 4;

/// Mean probability of one event with the rest of the story under which a group splits off: well
/// below the merge threshold, so that what splits is not merged back.
const SPLIT_THRESHOLD: f32 = 0.2;

/// Articles of a story found to report another event than its first article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// The story they leave, which keeps its id and its other articles.
    pub story: StoryId,
    /// The articles that move to a new story, oldest first.
    pub articles: Vec<ArticleId>,
    /// Mean probability of one event between them and the group of the story's first article.
    pub probability: f32,
}

/// What a maintenance pass changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Maintenance {
    /// Merges made, for the caller to persist.
    pub merges: Vec<Merge>,
    /// Splits proposed, for the caller to persist, give a new id and apply with [`Clusterer::split`].
    pub splits: Vec<Split>,
}

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
    /// whole, and finds the stories that drifted: returns the merges made for the caller to persist
    /// and the splits proposed for the caller to apply.
    pub fn maintain(&mut self) -> Maintenance {
        let changed: Vec<StoryId> = {
            let mut changed: Vec<StoryId> = self.changed.drain().collect();
            changed.sort_unstable();
            changed
        };
        let fresh_from =
            std::mem::replace(&mut self.maintained_through, self.first_seq + self.live.len() as u64);
        let mut near = std::mem::take(&mut self.near);
        let mut proposals: IdMap<(StoryId, StoryId), f32> = IdMap::default();
        // Pairs measured this pass, and each story's neighbours, for what merges leave to the next.
        let mut measured: IdSet<(StoryId, StoryId)> = IdSet::default();
        let mut neighbours_of: IdMap<StoryId, Vec<StoryId>> = IdMap::default();
        for &story in &changed {
            let Some(members) = self.stories.get(&story) else { continue };
            let recent = &members[members.len().saturating_sub(SAMPLE)..];
            let query = |seq: u64| Some(self.vocabulary.query_of(self.get(seq)?));
            // The stories its new articles resembled when they were assigned (or, for a story that
            // changed by a merge, its parts' neighbours); a story split off or rebuilt looks for
            // neighbours from its recent articles. Either way a story is worth comparing as a whole
            // only if one of its articles matches at least as well as the mean must: the mean never
            // exceeds the best pair.
            let mut neighbours: IdSet<StoryId> =
                near.remove(&story).unwrap_or_default().into_iter().collect();
            if neighbours.is_empty() && !recent.iter().any(|&seq| seq >= fresh_from) {
                for query in recent.iter().filter_map(|&seq| query(seq)) {
                    let loaded = self.vocabulary.load(&query);
                    for candidate in self.candidates(&loaded) {
                        let Some(other) = self.get(candidate.seq).map(|doc| doc.story) else { continue };
                        if other != story && candidate.probability >= self.config.merge_threshold {
                            neighbours.insert(other);
                        }
                    }
                }
            }
            neighbours.retain(|other| *other != story && self.stories.contains_key(other));
            let mut neighbours: Vec<StoryId> = neighbours.into_iter().collect();
            neighbours.sort_unstable();
            neighbours_of.insert(story, neighbours.clone());
            let key = |other: StoryId| (story.min(other), story.max(other));
            neighbours.retain(|&other| measured.insert(key(other)));
            if neighbours.is_empty() {
                continue;
            }
            let sample: Vec<Query> = recent.iter().filter_map(|&seq| query(seq)).collect();
            for (other, probability) in neighbours.iter().zip(self.story_probabilities(&sample, &neighbours))
            {
                if probability >= self.config.merge_threshold {
                    proposals.insert(key(*other), probability);
                }
            }
        }
        let mut proposals: Vec<((StoryId, StoryId), f32)> = proposals.into_iter().collect();
        proposals.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut merged_into: IdMap<StoryId, StoryId> = IdMap::default();
        let mut merges = Vec::new();
        for ((kept, absorbed), probability) in proposals {
            if merged_into.contains_key(&kept)
                || merged_into.contains_key(&absorbed)
                || merged_into.values().any(|&k| k == kept || k == absorbed)
            {
                // One of them merged this pass and has a new profile: the pair is measured again
                // next pass, as it now stands.
                let resolve = |story: StoryId| merged_into.get(&story).copied().unwrap_or(story);
                let (a, b) = (resolve(kept), resolve(absorbed));
                if a != b {
                    self.changed.insert(a.min(b));
                    self.near.entry(a.min(b)).or_default().push(a.max(b));
                }
                continue;
            }
            self.merge(kept, absorbed);
            merged_into.insert(absorbed, kept);
            merges.push(Merge { kept, absorbed, probability });
            // The merged story's neighbours are its parts'.
            let inherited: Vec<StoryId> = [kept, absorbed]
                .iter()
                .flat_map(|part| neighbours_of.get(part).into_iter().flatten())
                .copied()
                .filter(|&other| other != kept && other != absorbed)
                .collect();
            self.near.entry(kept).or_default().extend(inherited);
        }
        let touched: IdSet<StoryId> = merged_into.iter().flat_map(|(&a, &k)| [a, k]).collect();
        let splits =
            changed.into_iter().filter(|s| !touched.contains(s)).flat_map(|s| self.drifted(s)).collect();
        Maintenance { merges, splits }
    }

    /// Moves a split's articles (those still live and in the story) to a new story, given by the
    /// caller.
    pub fn split(&mut self, split: &Split, new_story: StoryId) {
        let moved: Vec<u64> = split
            .articles
            .iter()
            .filter_map(|a| self.by_article.get(a).copied())
            .filter(|&seq| self.get(seq).is_some_and(|doc| doc.story == split.story))
            .collect();
        if let Some(members) = self.stories.get_mut(&split.story) {
            members.retain(|seq| !moved.contains(seq));
            if members.is_empty() {
                self.stories.remove(&split.story);
            }
        }
        self.move_into(new_story, moved);
    }

    /// The groups of a story's articles that report another event than its first article, when it
    /// has doubled since last examined.
    fn drifted(&mut self, story: StoryId) -> Vec<Split> {
        let Some(members) = self.stories.get(&story) else { return Vec::new() };
        let examined = self.split_examined.get(&story).copied().unwrap_or(0);
        if members.len() < SPLIT_MIN.max(2 * examined) {
            return Vec::new();
        }
        let (first, latest) = SPLIT_SAMPLE;
        let sample: Vec<u64> = if members.len() <= first + latest {
            members.clone()
        } else {
            members[..first].iter().chain(&members[members.len() - latest..]).copied().collect()
        };
        self.split_examined.insert(story, members.len());

        // A story whose latest articles match its first ones as well as an article must match a
        // story to join it has not drifted; the full grouping is only worth its cost otherwise.
        let n = sample.len();
        let ends = (n / 2).min(4);
        if self.mean_probability(&sample[..ends], &sample[n - ends..]) >= self.config.threshold {
            return Vec::new();
        }
        let mut probability = vec![0.0f32; n * n];
        for i in 0..n {
            let Some(doc) = self.get(sample[i]) else { continue };
            let query = self.vocabulary.query_of(doc);
            let loaded = self.vocabulary.load(&query);
            for j in i + 1..n {
                if self.get(sample[j]).is_some_and(|other| self.in_window(doc.time, other.time)) {
                    let p = self.score(&loaded, sample[j]).probability;
                    probability[i * n + j] = p;
                    probability[j * n + i] = p;
                }
            }
        }
        let probability = &probability;
        let link = |a: &[usize], b: &[usize]| {
            let sum: f32 = a.iter().flat_map(|&i| b.iter().map(move |&j| probability[i * n + j])).sum();
            sum / (a.len() * b.len()).max(1) as f32
        };
        // Average-link agglomeration, down to the merge threshold.
        let mut groups: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        loop {
            let mut best: Option<(usize, usize, f32)> = None;
            for a in 0..groups.len() {
                for b in a + 1..groups.len() {
                    let p = link(&groups[a], &groups[b]);
                    if best.is_none_or(|(_, _, q)| p > q) {
                        best = Some((a, b, p));
                    }
                }
            }
            match best {
                Some((a, b, p)) if p >= self.config.merge_threshold => {
                    let joined = groups.swap_remove(b);
                    groups[a].extend(joined);
                }
                _ => break,
            }
        }
        // The story stays with its first article.
        let Some(core) = groups.iter().position(|g| g.contains(&0)) else { return Vec::new() };
        let core = groups.swap_remove(core);
        groups
            .into_iter()
            .filter_map(|mut group| {
                // One odd report is not a drift: follow-ups and side stories often resemble the rest
                // little and still belong with it.
                let p = link(&group, &core);
                if group.len() < 2 || p >= SPLIT_THRESHOLD {
                    return None;
                }
                group.sort_unstable();
                let articles = group.iter().filter_map(|&i| Some(self.get(sample[i])?.article)).collect();
                Some(Split { story, articles, probability: p })
            })
            .collect()
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

    /// Mean probability of one event over the pairs of two sets of live articles (a pair outside the
    /// window counts as none).
    fn mean_probability(&self, left: &[u64], right: &[u64]) -> f32 {
        let mut sum = 0.0;
        for &l in left {
            let Some(doc) = self.get(l) else { continue };
            let query = self.vocabulary.query_of(doc);
            let loaded = self.vocabulary.load(&query);
            for &r in right {
                if self.get(r).is_some_and(|other| self.in_window(doc.time, other.time)) {
                    sum += self.score(&loaded, r).probability;
                }
            }
        }
        sum / (left.len() * right.len()).max(1) as f32
    }

    /// Moves every live article of `absorbed` into `kept`.
    fn merge(&mut self, kept: StoryId, absorbed: StoryId) {
        let Some(moved) = self.stories.remove(&absorbed) else { return };
        self.move_into(kept, moved);
    }

    /// Makes live articles (by sequence number, taken out of their story) members of a story.
    fn move_into(&mut self, story: StoryId, moved: Vec<u64>) {
        for &seq in &moved {
            if let Some(doc) = seq.checked_sub(self.first_seq).and_then(|i| self.live.get_mut(i as usize)) {
                doc.story = story;
            }
        }
        let members = self.stories.entry(story).or_default();
        members.extend(moved);
        members.sort_unstable();
        self.changed.insert(story);
    }
}

#[cfg(test)]
mod tests {
    use crate::clusterer::tests::{floods, floods_retold, talks, talks_retold};
    use crate::{Assignment, ClusterConfig, Clusterer, Maintenance};
    use parallax_core::{ArticleId, StoryId};

    #[test]
    fn stories_of_one_event_merge_into_the_older_and_others_stay() {
        let mut c = Clusterer::new(ClusterConfig::default());
        c.add(ArticleId(1), StoryId(1), &talks(1));
        c.add(ArticleId(2), StoryId(2), &floods());
        let assignment = c.assign(&talks_retold(1));
        assert_eq!(assignment.story, Some(StoryId(1)));
        // As if the second report had opened a story of its own, having resembled the first too
        // little on its own to join it.
        let assignment = Assignment { story: None, near_stories: vec![StoryId(1)], ..assignment };
        c.add_assigned(ArticleId(3), StoryId(3), &talks_retold(1), &assignment);
        let merges = c.maintain().merges;
        assert_eq!(merges.len(), 1, "{merges:?}");
        assert_eq!((merges[0].kept, merges[0].absorbed), (StoryId(1), StoryId(3)));
        assert!(merges[0].probability >= c.config().merge_threshold);
        assert_eq!(c.live_stories(), 2);
        assert_eq!(c.assign(&talks(2)).story, Some(StoryId(1)));
        assert_eq!(c.maintain(), Maintenance::default(), "a second pass finds nothing new");
    }

    #[test]
    fn a_story_that_drifted_to_another_event_splits_and_keeps_its_id() {
        let mut c = Clusterer::new(ClusterConfig::default());
        // As if bridging reports had carried the story from the talks to the floods.
        c.add(ArticleId(1), StoryId(1), &talks(1));
        c.add(ArticleId(2), StoryId(1), &talks_retold(1));
        c.add(ArticleId(3), StoryId(1), &floods());
        c.add(ArticleId(4), StoryId(1), &floods_retold());
        let maintenance = c.maintain();
        assert!(maintenance.merges.is_empty());
        let [split] = &maintenance.splits[..] else { panic!("{maintenance:?}") };
        assert_eq!((split.story, &split.articles[..]), (StoryId(1), &[ArticleId(3), ArticleId(4)][..]));
        assert!(split.probability < 0.2);
        c.split(split, StoryId(2));
        assert_eq!(c.live_stories(), 2);
        assert_eq!(c.assign(&floods()).story, Some(StoryId(2)));
        assert_eq!(c.assign(&talks(2)).story, Some(StoryId(1)));
        assert_eq!(c.maintain(), Maintenance::default(), "what split is neither merged back nor split again");
    }

    #[test]
    fn a_story_of_one_event_does_not_split() {
        let mut c = Clusterer::new(ClusterConfig::default());
        for (n, day) in [1, 1, 2, 2].into_iter().enumerate() {
            let report = if n % 2 == 0 { talks(day) } else { talks_retold(day) };
            c.add(ArticleId(n as i64 + 1), StoryId(1), &report);
        }
        assert_eq!(c.maintain(), Maintenance::default());
    }
}
