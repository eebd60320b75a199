//! The pipeline proper: one document through extraction, analysis, clustering and the store.

use parallax_cluster::{
    ClusterConfig, Clusterer, Evidence, Maintenance, Merge, NearDuplicates, Signature, Split,
};
use parallax_core::{Article, ArticleId, StoryId};
use parallax_extract::{Hints, extract};
use parallax_nlp::{ANALYSIS_VERSION, EntityKind, EntityRegistry, analyze};
use parallax_store::{Inserted, NewArticle, NewCopy, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::IngestError;

/// What became of one document.
#[derive(Debug)]
pub enum Outcome {
    /// Stored as a new article.
    New {
        /// Its id.
        id: ArticleId,
        /// Its story.
        story: StoryId,
        /// Whether the story was opened for it.
        opened_story: bool,
        /// Its title.
        title: String,
    },
    /// Already stored under this id; nothing was written.
    Duplicate {
        /// The stored article.
        id: ArticleId,
    },
    /// A copy of a stored article (the same text run by another outlet, or again), kept as a link
    /// to it rather than as a report of its own.
    Copy {
        /// The stored article it copies.
        original: ArticleId,
        /// How much of the shorter text the longer holds, estimated.
        similarity: f32,
    },
    /// Not stored, for this reason.
    Rejected(IngestError),
}

/// Ingests documents into a store, keeping the clustering state and the entity registry in step
/// with it.
pub struct Pipeline<'s> {
    store: &'s dyn Store,
    clusterer: Clusterer,
    registry: EntityRegistry,
    /// The signatures of recent articles, to know a copy of one when it comes.
    copies: NearDuplicates,
    /// Articles stored since the last maintenance pass.
    unmaintained: usize,
    /// The newest stored article the clustering state holds (0 when none): assignments are decided
    /// knowing every article up to it, and stored only while no other process stored one after it.
    known_through: ArticleId,
}

/// What a maintenance pass changed in the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintained {
    /// Stories merged into older ones.
    pub merges: Vec<Merge>,
    /// Articles split off their story, with the new story they now form.
    pub splits: Vec<(Split, StoryId)>,
}

/// Times an article's story is decided again because other processes kept storing articles first,
/// before it is given back to be tried later.
const MAX_DECISIONS: usize = 50;

/// Articles stored between two maintenance passes of the stories.
const MAINTAIN_EVERY: usize = 50;

/// Recent articles a new one is checked against for being a copy: wire copies run within days of
/// the original, and a day of a few hundred outlets stays well inside this.
const COPY_WINDOW: usize = 20_000;

impl<'s> Pipeline<'s> {
    /// Opens a pipeline on a store with the default clustering settings.
    pub fn open(store: &'s dyn Store) -> Result<Self, IngestError> {
        Self::with_config(store, ClusterConfig::default())
    }

    /// Opens a pipeline, first re-analysing articles whose stored analysis an older build made, then
    /// rebuilding the clustering state and the entity registry from what the store holds.
    pub fn with_config(store: &'s dyn Store, config: ClusterConfig) -> Result<Self, IngestError> {
        let mut registry = EntityRegistry::new();
        for name in store.entity_names(EntityKind::Person)? {
            registry.learn_name(&name);
        }
        refresh_analyses(store, &mut registry)?;
        let (span, limit) = (config.retention(), config.max_live_articles);
        let mut clusterer = Clusterer::new(config);
        let mut known_through = ArticleId(0);
        for member in store.cluster_members(span, limit)? {
            clusterer.add(member.article, member.story, &member.evidence);
            known_through = known_through.max(member.article);
        }
        let copies = recent_signatures(store)?;
        Ok(Pipeline { store, clusterer, registry, copies, unmaintained: 0, known_through })
    }

    /// Extracts an article from a document's bytes and ingests it.
    pub fn ingest_bytes(&mut self, bytes: &[u8], hints: &Hints) -> Outcome {
        match extract(bytes, hints) {
            Ok(article) => self.ingest_article(article),
            Err(error) => Outcome::Rejected(error.into()),
        }
    }

    /// Ingests an extracted article: duplicate check, analysis, story assignment, one transaction.
    pub fn ingest_article(&mut self, mut article: Article) -> Outcome {
        match self.try_ingest(&mut article) {
            Ok(outcome) => outcome,
            Err(error) => Outcome::Rejected(error),
        }
    }

    /// Runs the clusterer's maintenance pass over the stories that changed and stores its merges and
    /// splits: called every few dozen articles, and by callers when a batch ends.
    pub fn maintain(&mut self) -> Result<Maintained, IngestError> {
        self.unmaintained = 0;
        let Maintenance { merges, splits } = self.clusterer.maintain();
        for merge in &merges {
            self.store.merge_stories(merge.kept, merge.absorbed, merge.probability)?;
            tracing::info!(kept = %merge.kept, absorbed = %merge.absorbed, probability = merge.probability, "Merged stories.");
        }
        let mut applied = Vec::new();
        for split in splits {
            let new_story = match self.store.split_story(split.story, &split.articles, split.probability) {
                Ok(id) => id,
                Err(error @ StoreError::NothingToSplit { .. }) => {
                    tracing::warn!(%error, "Skipped a split the store no longer matches.");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            self.clusterer.split(&split, new_story);
            tracing::info!(story = %split.story, new_story = %new_story, articles = split.articles.len(), probability = split.probability, "Split a story that drifted.");
            applied.push((split, new_story));
        }
        Ok(Maintained { merges, splits: applied })
    }

    fn try_ingest(&mut self, article: &mut Article) -> Result<Outcome, IngestError> {
        let hash = content_hash(article);
        if let Some(id) = self.store.find_duplicate(article.url.as_deref(), &hash)? {
            return Ok(Outcome::Duplicate { id });
        }
        let signature = Signature::of_text(&article.plain_text());
        if let Some((original, similarity)) = signature.as_ref().and_then(|s| self.copies.find_copy(s)) {
            let copy = NewCopy { original, article, content_hash: &hash, similarity };
            match self.store.insert_copy(&copy) {
                Ok(None) => {
                    tracing::debug!(%original, similarity, "Kept a copy of a stored article.");
                    return Ok(Outcome::Copy { original, similarity });
                }
                Ok(Some(id)) => return Ok(Outcome::Duplicate { id }),
                // The original is gone from the store: the report stands on its own.
                Err(StoreError::NoSuchArticle { .. }) => _ = self.copies.remove(original),
                Err(error) => return Err(error.into()),
            }
        }
        // Empty for a text too short for one, so that it is not worked out again.
        let signature_bytes = signature.as_ref().map(Signature::to_bytes).unwrap_or_default();
        let mut analysis = analyze(article);
        self.registry.link(&mut analysis);
        if article.language.is_none() {
            article.language = analysis.language.clone();
        }
        let evidence = Evidence::new(&analysis, article.published.map(|t| t.to_utc()));
        let mut decisions = 0;
        let (inserted, assignment) = loop {
            let assignment = self.clusterer.assign(&evidence);
            let new = NewArticle {
                article,
                content_hash: &hash,
                analysis: &analysis,
                assignment: &assignment,
                signature: Some(&signature_bytes),
                decided_after: Some(self.known_through),
            };
            match self.store.insert_article(&new)? {
                // Another process stored articles since: decide again knowing them.
                Inserted::Stale { .. } if decisions < MAX_DECISIONS => {
                    decisions += 1;
                    self.catch_up()?;
                }
                Inserted::Stale { .. } => return Err(StoreError::Contended { tries: decisions }.into()),
                inserted => break (inserted, assignment),
            }
        };
        Ok(match inserted {
            Inserted::Stale { .. } => unreachable!("stale decisions are made again above"),
            Inserted::New { id, story, opened_story } => {
                self.known_through = id;
                self.clusterer.add_assigned(id, story, &evidence, &assignment);
                self.registry.learn(&analysis);
                if let Some(signature) = signature {
                    self.copies.insert(id, signature);
                }
                self.unmaintained += 1;
                // The article is stored whatever becomes of the pass; the next one retries.
                if self.unmaintained >= MAINTAIN_EVERY
                    && let Err(error) = self.maintain()
                {
                    tracing::warn!(%error, "The maintenance pass of the stories failed.");
                }
                tracing::debug!(article = %id, story = %story, probability = assignment.probability, "Stored article.");
                Outcome::New { id, story, opened_story, title: article.title.clone() }
            }
            Inserted::Duplicate { id } => Outcome::Duplicate { id },
        })
    }
}

impl Pipeline<'_> {
    /// Adds what other processes stored after the newest article the clustering state holds.
    fn catch_up(&mut self) -> Result<(), IngestError> {
        for member in self.store.cluster_members_after(self.known_through)? {
            self.clusterer.add(member.article, member.story, &member.evidence);
            self.known_through = self.known_through.max(member.article);
        }
        Ok(())
    }
}

/// The near-duplicate index of the latest articles; signatures missing (articles stored by an older
/// build) are worked out and stored.
fn recent_signatures(store: &dyn Store) -> Result<NearDuplicates, IngestError> {
    let mut index = NearDuplicates::new(COPY_WINDOW);
    for (id, stored) in store.signatures(COPY_WINDOW)? {
        let signature = match stored.map(|bytes| (Signature::from_bytes(&bytes), bytes.is_empty())) {
            Some((Some(signature), _)) => Some(signature),
            // Too short for one when it was stored.
            Some((None, true)) => None,
            // Never worked out, or in a format this build no longer reads.
            Some((None, false)) | None => match store.article(id)? {
                Some(stored) => {
                    let signature = Signature::of_text(&stored.article.plain_text());
                    store.set_signature(
                        id,
                        &signature.as_ref().map(Signature::to_bytes).unwrap_or_default(),
                    )?;
                    signature
                }
                None => None,
            },
        };
        if let Some(signature) = signature {
            index.insert(id, signature);
        }
    }
    Ok(index)
}

/// Re-analyses stored articles whose analysis is older than this build's, so that better analysis
/// reaches what was ingested before. Story assignments stay as they were.
fn refresh_analyses(store: &dyn Store, registry: &mut EntityRegistry) -> Result<(), IngestError> {
    let outdated = store.outdated_analyses(ANALYSIS_VERSION)?;
    if outdated.is_empty() {
        return Ok(());
    }
    tracing::info!(articles = outdated.len(), "Re-analysing articles analysed by an older version.");
    for id in outdated {
        let Some(stored) = store.article(id)? else { continue };
        let mut analysis = analyze(&stored.article);
        registry.link(&mut analysis);
        store.replace_analysis(id, &analysis)?;
        registry.learn(&analysis);
    }
    Ok(())
}

/// Hex SHA-256 of an article's body with case and spacing normalised: the same text gets the same
/// hash whatever its title, outlet or layout.
pub fn content_hash(article: &Article) -> String {
    let text = article.plain_text().to_lowercase();
    let mut hasher = Sha256::new();
    for word in text.split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update(b" ");
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_store::SqliteStore;

    #[test]
    fn hashes_ignore_layout_and_case() {
        let a = parallax_extract::extract(b"The  Talks began.\nThey ended.", &Hints::default()).unwrap();
        let b = parallax_extract::extract(b"the talks began.\n\nthey ended.", &Hints::default()).unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_eq!(content_hash(&a).len(), 64);
    }

    #[test]
    fn reopening_rebuilds_clustering_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_dir(dir.path()).unwrap();
        let report = |outlet: &str, lead: &str| Hints {
            outlet: Some(outlet.into()),
            title: Some(lead.into()),
            ..Hints::default()
        };
        let first = Pipeline::open(&store).unwrap().ingest_bytes(
            b"A magnitude 6.1 earthquake struck Lima, Peru, damaging old buildings in the centre.",
            &report("A", "Earthquake hits Lima"),
        );
        let Outcome::New { story, .. } = first else { panic!("{first:?}") };
        let mut reopened = Pipeline::open(&store).unwrap();
        let second = reopened.ingest_bytes(
            b"Old buildings in central Lima, Peru, were damaged when a magnitude 6.1 earthquake struck.",
            &report("B", "Lima earthquake damages buildings"),
        );
        let Outcome::New { story: joined, opened_story, .. } = second else { panic!("{second:?}") };
        assert_eq!((joined, opened_story), (story, false));
    }

    #[test]
    fn a_drifted_story_is_split_in_the_store_and_the_clusterer() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_dir(dir.path()).unwrap();
        let report = |title: &str, text: &str, story: Option<StoryId>| {
            let mut article =
                extract(text.as_bytes(), &Hints { title: Some(title.into()), ..Hints::default() })
                    .expect("a plain text");
            article.published = Some(chrono::DateTime::parse_from_rfc3339("2026-02-01T09:00:00Z").unwrap());
            let analysis = analyze(&article);
            let assignment = parallax_cluster::Assignment { story, ..Default::default() };
            let new = NewArticle {
                article: &article,
                content_hash: title,
                analysis: &analysis,
                assignment: &assignment,
                signature: None,
                decided_after: None,
            };
            match store.insert_article(&new).unwrap() {
                Inserted::New { story, id, .. } => (story, id),
                Inserted::Duplicate { .. } | Inserted::Stale { .. } => panic!("{title} is new"),
            }
        };
        // As a store left by bridging reports that carried one story from the talks to the floods.
        let (talks, _) = report(
            "Shoigu meets Wang Yi in Beijing",
            "Sergei Shoigu held strategic security talks with Wang Yi in Beijing on Sunday.",
            None,
        );
        report(
            "Wang Yi hosts Shoigu for security talks",
            "Wang Yi met Sergei Shoigu in Beijing on Sunday for strategic security talks.",
            Some(talks),
        );
        let (_, flood) = report(
            "Flooding in Valencia",
            "Heavy rain flooded streets in Valencia on Sunday, closing schools and roads.",
            Some(talks),
        );
        let (_, flood_again) = report(
            "Valencia streets under water after heavy rain",
            "Schools and roads closed in Valencia on Sunday as heavy rain flooded the streets.",
            Some(talks),
        );

        let mut pipeline = Pipeline::open(&store).unwrap();
        let maintained = pipeline.maintain().unwrap();
        let [(split, new_story)] = &maintained.splits[..] else { panic!("{maintained:?}") };
        assert_eq!((split.story, &split.articles[..]), (talks, &[flood, flood_again][..]));
        let moved = store.story(*new_story).unwrap().unwrap();
        assert_eq!(moved.articles.iter().map(|a| a.id).collect::<Vec<_>>(), [flood, flood_again]);
        assert_eq!(store.splits(*new_story).unwrap().from.map(|(from, _)| from), Some(talks));

        let next = pipeline.ingest_bytes(
            b"Valencia schools stayed shut on Monday after the floods.",
            &Hints { title: Some("Valencia floods close schools".into()), ..Hints::default() },
        );
        let Outcome::New { story, .. } = next else { panic!("{next:?}") };
        assert_eq!(story, *new_story, "later reports of the floods join the split story");
        assert_eq!(pipeline.maintain().unwrap(), Maintained::default());
    }

    #[test]
    fn rejected_documents_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_dir(dir.path()).unwrap();
        let mut pipeline = Pipeline::open(&store).unwrap();
        assert!(matches!(pipeline.ingest_bytes(b"\0\x01binary", &Hints::default()), Outcome::Rejected(_)));
        assert!(matches!(pipeline.ingest_bytes(b"", &Hints::default()), Outcome::Rejected(_)));
        assert_eq!(store.counts().unwrap().articles, 0);
    }

    #[test]
    fn outdated_analyses_are_redone_and_names_are_shared_across_reports() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_dir(dir.path()).unwrap();
        let text = "Defence chief Aleksandr Dvornikov visited the front on Monday, officials said.";
        let Outcome::New { id, .. } =
            Pipeline::open(&store).unwrap().ingest_bytes(text.as_bytes(), &Hints::default())
        else {
            panic!("first report")
        };
        // As an older build would have stored it.
        let mut old = store.analysis(id).unwrap().unwrap();
        old.version = 0;
        old.entities.clear();
        store.replace_analysis(id, &old).unwrap();

        let mut pipeline = Pipeline::open(&store).unwrap();
        let redone = store.analysis(id).unwrap().unwrap();
        assert_eq!(redone.version, parallax_nlp::ANALYSIS_VERSION);
        assert!(redone.entities.iter().any(|e| e.id == "person:aleksandr-dvornikov"));

        let later = "“We will hold the line,” Dvornikov said after the visit to the southern front.";
        let Outcome::New { id: second, .. } = pipeline.ingest_bytes(later.as_bytes(), &Hints::default())
        else {
            panic!("second report")
        };
        let analysis = store.analysis(second).unwrap().unwrap();
        assert!(
            analysis.entities.iter().any(|e| e.id == "person:aleksandr-dvornikov"),
            "{:?}",
            analysis.entities
        );
    }
}
