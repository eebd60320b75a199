//! `cluster-scale FILE.jsonl N...`: how clustering time and memory grow with the stream.
//!
//! The real documents are analysed once. A synthetic stream is then drawn from them: each synthetic
//! event is one real story replayed with its names made unique to the event (so that every replay is
//! a different event about different people and places, as new events are), its reports spread over
//! the two days after the event's start; events start at a steady rate. Reports arrive in time order
//! and go through the same evidence and assignment code as ingest. Printed per size: time, documents
//! per second, peak memory, and BCubed F1 against the synthetic events. The maintenance pass runs
//! every 50 documents, as in ingest, and its merges and splits count in the score.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use parallax_cluster::{ClusterConfig, Clusterer, Evidence, Terms};
use parallax_core::{ArticleId, StoryId};
use parallax_nlp::NAME_PREFIX;

/// Synthetic events starting per day.
const EVENTS_PER_DAY: u64 = 400;

/// Documents between two maintenance passes, as in ingest.
const MAINTAIN_EVERY: usize = 50;

/// A fixed pseudo-random sequence, so that runs agree.
pub struct Sequence(pub u64);

impl Sequence {
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

pub fn run(file: &str, sizes: &[usize], config: &ClusterConfig) -> Result<()> {
    let input = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let mut stories: HashMap<String, Vec<Evidence>> = HashMap::new();
    let articles = crate::load_articles(file)?;
    for ((_, article), line) in articles.iter().zip(input.lines().filter(|l| !l.trim().is_empty())) {
        let gold: serde_json::Value = serde_json::from_str(line)?;
        let story = gold.get("story").map(|s| s.to_string()).unwrap_or_default();
        let analysis = parallax_nlp::analyze(article);
        stories.entry(story).or_default().push(Evidence::new(&analysis, None));
    }
    // In a fixed order, so that runs agree.
    let mut stories: Vec<(String, Vec<Evidence>)> = stories.into_iter().collect();
    stories.sort_by(|a, b| (a.1.len(), &a.0).cmp(&(b.1.len(), &b.0)));
    let stories: Vec<Vec<Evidence>> = stories.into_iter().map(|(_, reports)| reports).collect();
    for &size in sizes {
        stream(&stories, size, config)?;
    }
    Ok(())
}

fn stream(stories: &[Vec<Evidence>], size: usize, config: &ClusterConfig) -> Result<()> {
    let start_time: DateTime<Utc> = "2026-01-01T00:00:00Z".parse()?;
    let mut sequence = Sequence(0x9e37_79b9_7f4a_7c15);
    let mut clusterer = Clusterer::new(config.clone());
    // Reports waiting for their time: (time, event, story, report).
    let mut pending: BinaryHeap<Reverse<(i64, u64, usize, usize)>> = BinaryHeap::new();
    let mut next_event = 0u64;
    // Each document's event and story as assigned; merges are followed at the end.
    let mut documents: Vec<(u64, i64)> = Vec::with_capacity(size);
    let mut merged_into: HashMap<i64, i64> = HashMap::new();
    let (mut merges, mut splits, mut maintain_time) = (0, 0, 0.0);
    let mut next_story = 1i64;
    let began = Instant::now();
    while documents.len() < size {
        let event_start = next_event as i64 * 86_400 / EVENTS_PER_DAY as i64;
        let due = pending.peek().is_some_and(|Reverse((t, ..))| *t <= event_start);
        if !due {
            let story = sequence.below(stories.len() as u64) as usize;
            for report in 0..stories[story].len() {
                let delay = sequence.below(48 * 3600) as i64;
                pending.push(Reverse((event_start + delay, next_event, story, report)));
            }
            next_event += 1;
            continue;
        }
        let Some(Reverse((time, event, story, report))) = pending.pop() else { break };
        let evidence = replay(&stories[story][report], event, start_time + Duration::seconds(time));
        let assignment = clusterer.assign(&evidence);
        let assigned = assignment.story.unwrap_or_else(|| {
            next_story += 1;
            StoryId(next_story - 1)
        });
        documents.push((event, assigned.get()));
        clusterer.add_assigned(ArticleId(documents.len() as i64), assigned, &evidence, &assignment);
        if documents.len().is_multiple_of(MAINTAIN_EVERY) {
            let started = Instant::now();
            let maintenance = clusterer.maintain();
            for merge in maintenance.merges {
                merges += 1;
                merged_into.insert(merge.absorbed.get(), merge.kept.get());
            }
            for split in maintenance.splits {
                splits += 1;
                next_story += 1;
                clusterer.split(&split, StoryId(next_story - 1));
                for article in &split.articles {
                    documents[article.get() as usize - 1].1 = next_story - 1;
                }
            }
            maintain_time += started.elapsed().as_secs_f64();
        }
    }
    let elapsed = began.elapsed().as_secs_f64();
    let resolve = |mut story: i64| {
        while let Some(&kept) = merged_into.get(&story) {
            story = kept;
        }
        story
    };
    let mut joint: HashMap<(u64, i64), u64> = HashMap::new();
    let mut gold_sizes: HashMap<u64, u64> = HashMap::new();
    let mut predicted_sizes: HashMap<i64, u64> = HashMap::new();
    for &(event, story) in &documents {
        let story = resolve(story);
        *joint.entry((event, story)).or_default() += 1;
        *gold_sizes.entry(event).or_default() += 1;
        *predicted_sizes.entry(story).or_default() += 1;
    }
    let n = documents.len() as f64;
    let precision: f64 =
        joint.iter().map(|(&(_, p), &c)| (c * c) as f64 / predicted_sizes[&p] as f64).sum::<f64>() / n;
    let recall: f64 =
        joint.iter().map(|(&(g, _), &c)| (c * c) as f64 / gold_sizes[&g] as f64).sum::<f64>() / n;
    eprintln!(
        "cluster-scale: {} documents ({} events, {} stories; {merges} merges, {splits} splits), {:.1} s ({:.1} s in maintenance), {:.0} docs/s, {} articles and {} terms live at the end, bcubed_p={precision:.4} bcubed_r={recall:.4} bcubed_f1={:.4}, peak memory {}",
        documents.len(),
        gold_sizes.len(),
        predicted_sizes.len(),
        elapsed,
        maintain_time,
        n / elapsed,
        clusterer.live_articles(),
        clusterer.known_terms(),
        2.0 * precision * recall / (precision + recall),
        crate::peak_memory()
    );
    Ok(())
}

/// A real report replayed as a report of a synthetic event: its names made the event's own.
fn replay(evidence: &Evidence, event: u64, published: DateTime<Utc>) -> Evidence {
    let rename = |terms: &Terms| -> Terms {
        terms
            .iter()
            .map(|(term, weight)| {
                let term =
                    if term.starts_with(NAME_PREFIX) { format!("{term} e{event}") } else { term.to_owned() };
                (term, weight)
            })
            .collect()
    };
    Evidence {
        published: Some(published),
        terms: rename(&evidence.terms),
        lead: rename(&evidence.lead),
        lead_names: evidence.lead_names.iter().map(|n| format!("{n} e{event}")).collect(),
        ..evidence.clone()
    }
}
