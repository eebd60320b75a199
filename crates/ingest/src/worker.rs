//! Taking queued feed items through the pipeline: a [`Worker`] claims one job at a time from the
//! store's queue, fetches the item's page (unless its outlet's feed is trusted, or the site's
//! `robots.txt` asks to leave it alone), extracts and stores it, and ends the job with what became
//! of it. A page that cannot be had is read from the feed's full content when the feed carries it;
//! otherwise a failure that may pass (a time-out, a busy server) is retried later with growing
//! waits, and one that will not (a missing page), or the last attempt, falls back to the feed's
//! summary, or is kept as failed with its reason.
//!
//! A worker that dies mid-job leaves the job leased; when the lease runs out another worker takes
//! it, and finds the article already stored if the first got that far: nothing is lost and
//! nothing stored twice.

use std::collections::HashMap;
use std::time::Duration;

use parallax_core::{ArticleId, StoryId};
use parallax_extract::Hints;
use parallax_store::{FeedRecord, Job, JobEnd, Store};

use crate::feeds::FeedItem;
use crate::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::follow::doubled;
use crate::pipeline::{Outcome, Pipeline};
use crate::{IngestError, Maintained};

/// How long a claimed job is the claiming worker's: longer than a whole batch of the slowest
/// fetches from one site (one at a time, each up to a minute), so that a live worker keeps its jobs,
/// short enough that a dead one's jobs are taken over within minutes.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(600);

/// Attempts at an item whose page keeps failing for reasons that may pass, before it is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// The wait before the first retry of an item; each further retry waits twice as long.
const FIRST_RETRY_SECONDS: i64 = 5 * 60;

/// One feed item waiting in the queue: the job's payload.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ItemJob {
    feed: i64,
    item: FeedItem,
}

impl ItemJob {
    pub(crate) fn new(feed: i64, item: FeedItem) -> Self {
        ItemJob { feed, item }
    }

    /// The item's canonical URL; for an item without a link, its feed's id for it within the feed.
    pub(crate) fn key(&self) -> String {
        match &self.item.url {
            Some(url) => url.clone(),
            None => format!("feed:{}:{}", self.feed, self.item.id),
        }
    }

    pub(crate) fn payload(&self) -> String {
        // A struct of strings, times and lists always serialises.
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("feed items always serialise: {e}"))
    }
}

/// What became of one queued item.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome {
    /// Stored as a new article.
    Stored {
        /// The article.
        id: ArticleId,
        /// Its story.
        story: StoryId,
        /// Its title.
        title: String,
    },
    /// Already stored (by URL or text) as this article.
    Known(ArticleId),
    /// A copy of this stored article, kept as a link to it.
    Copy {
        /// The original.
        original: ArticleId,
        /// How much of the shorter text the longer holds, estimated.
        similarity: f32,
    },
    /// Not stored for now; to be tried again.
    Retry {
        /// Why.
        error: String,
        /// When.
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Not stored, for good, for this reason.
    Failed(String),
}

/// What a worker did with one job.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReport {
    /// The job's key: the item's URL, as a rule.
    pub key: String,
    /// The feed that queued it.
    pub feed: Option<i64>,
    /// What became of it.
    pub outcome: ItemOutcome,
    /// Why the item was read from the feed's content instead of its page, when it was.
    pub read_from_feed: Option<String>,
}

impl ItemReport {
    /// The job's end, as the queue records it.
    fn job_end(&self) -> JobEnd {
        match &self.outcome {
            ItemOutcome::Stored { id, .. } => JobEnd::Done(format!("stored as article {id}")),
            ItemOutcome::Known(id) => JobEnd::Done(format!("already stored as article {id}")),
            ItemOutcome::Copy { original, .. } => JobEnd::Done(format!("a copy of article {original}")),
            ItemOutcome::Retry { error, at } => JobEnd::Retry { error: error.clone(), at: *at },
            ItemOutcome::Failed(error) => JobEnd::Failed(error.clone()),
        }
    }
}

/// Takes jobs from the store's queue through the pipeline.
pub struct Worker<'s> {
    store: &'s dyn Store,
    pipeline: Pipeline<'s>,
    fetcher: Fetcher,
    lease: Duration,
    /// The followed feeds by id, read again for each batch.
    feeds: HashMap<i64, FeedRecord>,
}

/// A claimed job as read: ready for its page, or ended already.
enum Read {
    Ready(Claimed),
    Ended(Job, ItemReport),
}

/// A claimed job, read and ready for its page to be fetched.
struct Claimed {
    job: Job,
    item: FeedItem,
    hints: Hints,
    /// The page to fetch, unless the feed is trusted.
    page: Option<String>,
}

/// Jobs claimed at once, their pages fetched side by side (one at a time per host all the same).
pub const BATCH: usize = 8;

impl<'s> Worker<'s> {
    /// A worker on a store, opening its pipeline (which rebuilds the clustering state).
    pub fn new(store: &'s dyn Store, fetcher: Fetcher, lease: Duration) -> Result<Self, IngestError> {
        Ok(Worker { store, pipeline: Pipeline::open(store)?, fetcher, lease, feeds: HashMap::new() })
    }

    /// Claims up to [`BATCH`] due jobs and does them, fetching their pages concurrently and storing
    /// them one after another; an empty list when no job is due. A store failure is returned with the
    /// jobs not yet ended left leased, to be taken up again when their leases run out.
    pub async fn work_batch(&mut self) -> Result<Vec<ItemReport>, IngestError> {
        let mut reports = Vec::new();
        let mut claimed = Vec::new();
        // Settings changed since the last batch (an outlet renamed, its pages no longer fetched)
        // apply from this one.
        self.feeds = self.store.feeds()?.into_iter().map(|f| (f.id, f)).collect();
        while claimed.len() < BATCH {
            let Some(job) = self.store.claim_job(self.lease)? else { break };
            match self.read(job)? {
                Read::Ready(ready) => claimed.push(ready),
                Read::Ended(job, report) => {
                    self.end(&job, &report)?;
                    reports.push(report);
                }
            }
        }
        let mut fetches = tokio::task::JoinSet::new();
        for (index, ready) in claimed.iter().enumerate() {
            if let Some(url) = ready.page.clone() {
                let fetcher = self.fetcher.clone();
                fetches.spawn(async move { (index, fetch_page(&fetcher, &url).await) });
            }
        }
        let mut pages: Vec<Option<Result<crate::Document, PageFailure>>> =
            (0..claimed.len()).map(|_| None).collect();
        while let Some(joined) = fetches.join_next().await {
            match joined {
                Ok((index, page)) => pages[index] = Some(page),
                Err(error) => tracing::error!(%error, "A page fetch panicked."),
            }
        }
        for (ready, page) in claimed.into_iter().zip(pages) {
            let report = self.store_item(&ready, page)?;
            self.end(&ready.job, &report)?;
            reports.push(report);
        }
        Ok(reports)
    }

    /// Ends a job; one taken over by another worker meanwhile is left to it.
    fn end(&self, job: &Job, report: &ItemReport) -> Result<(), IngestError> {
        if !self.store.end_job(job, &report.job_end())? {
            tracing::warn!(job = job.id, key = %job.key, "A job outlived its lease and was taken over; left to its new holder.");
        }
        Ok(())
    }

    /// Runs the clusterer's maintenance pass: when a batch of jobs ends.
    pub fn maintain(&mut self) -> Result<Maintained, IngestError> {
        self.pipeline.maintain()
    }

    /// Reads a claimed job: ready for its page, or already ended (unreadable, or stored before).
    fn read(&mut self, job: Job) -> Result<Read, IngestError> {
        let report = |job: &Job, outcome| ItemReport {
            key: job.key.clone(),
            feed: job.feed,
            outcome,
            read_from_feed: None,
        };
        let queued: ItemJob = match serde_json::from_str(&job.payload) {
            Ok(queued) => queued,
            Err(error) => {
                let why = format!("the queued item is unreadable: {error}");
                let report = report(&job, ItemOutcome::Failed(why));
                return Ok(Read::Ended(job, report));
            }
        };
        let item = queued.item;
        // Known by its page's URL before anything is fetched; no content hash is known yet, and none
        // stored is empty.
        if let Some(url) = &item.url
            && let Some(id) = self.store.find_duplicate(Some(url), "")?
        {
            let report = report(&job, ItemOutcome::Known(id));
            return Ok(Read::Ended(job, report));
        }
        let (outlet, fetch_pages) = match self.feeds.get(&job.feed.unwrap_or(queued.feed)) {
            Some(feed) => (Some(feed.outlet.clone()), feed.fetch_pages),
            None => (None, true),
        };
        let hints = Hints {
            outlet,
            published: item.published.map(|t| t.fixed_offset()),
            url: item.url.clone(),
            title: item.title.clone(),
            ..Hints::default()
        };
        let page = if fetch_pages { item.url.clone() } else { None };
        Ok(Read::Ready(Claimed { job, item, hints, page }))
    }

    /// Stores an item from its page, or from the feed when the page failed or was not fetched.
    fn store_item(
        &mut self,
        ready: &Claimed,
        page: Option<Result<crate::Document, PageFailure>>,
    ) -> Result<ItemReport, IngestError> {
        let mut report = ItemReport {
            key: ready.job.key.clone(),
            feed: ready.job.feed,
            outcome: ItemOutcome::Failed(String::new()),
            read_from_feed: None,
        };
        let mut page_failure = match (&ready.page, page) {
            (None, _) => None,
            (Some(_), None) => {
                Some(PageFailure::Fetch(FetchError::Network("the page fetch was lost".into())))
            }
            (Some(_), Some(Err(failure))) => Some(failure),
            (Some(_), Some(Ok(page))) => {
                let hints = Hints { charset: page.charset.clone(), ..ready.hints.clone() };
                match self.pipeline.ingest_bytes(&page.bytes, &hints) {
                    Outcome::Rejected(IngestError::Store(error)) => return Err(error.into()),
                    Outcome::Rejected(error) => Some(PageFailure::Lasting(error.to_string())),
                    outcome => {
                        report.outcome = item_outcome(outcome);
                        return Ok(report);
                    }
                }
            }
        };
        // The page failed, or the feed is trusted: read the item from the feed. A summary stands in
        // for the page only when the page will not come (trusted feed, a failure that will not pass,
        // the last attempt): stored, it would keep the full report out for good.
        let page_may_come = page_failure.as_ref().is_some_and(|f| f.may_pass(ready.job.attempts));
        let summary = if page_may_come { None } else { ready.item.summary.as_ref() };
        if let Some(body) = ready.item.content.as_ref().or(summary) {
            let html = format!("<html><body><article>{body}</article></body></html>");
            let outcome = self.pipeline.ingest_bytes(html.as_bytes(), &ready.hints);
            if let Outcome::Rejected(IngestError::Store(error)) = outcome {
                return Err(error.into());
            }
            if !matches!(outcome, Outcome::Rejected(_)) {
                report.read_from_feed = page_failure.take().map(|f| f.why());
            }
            report.outcome = item_outcome(outcome);
            return Ok(report);
        }
        report.outcome = match page_failure {
            Some(failure) if failure.may_pass(ready.job.attempts) => ItemOutcome::Retry {
                error: failure.why(),
                at: retry_time(ready.job.attempts, failure.retry_after()),
            },
            Some(failure) => ItemOutcome::Failed(failure.why()),
            None => ItemOutcome::Failed("the feed gives no content for it and has no link to it".into()),
        };
        Ok(report)
    }
}

/// Fetches an item's page, if its site's `robots.txt` lets crawlers have it.
async fn fetch_page(fetcher: &Fetcher, url: &str) -> Result<crate::Document, PageFailure> {
    if !fetcher.robots_allow(url).await.map_err(PageFailure::Fetch)? {
        let why = "the site's robots.txt asks crawlers to leave this page alone";
        return Err(PageFailure::Lasting(why.into()));
    }
    match fetcher.fetch(url, &Validators::default()).await {
        Ok(Fetched::Document(page)) => Ok(page),
        Ok(Fetched::NotModified) => {
            Err(PageFailure::Lasting("the server answered 304 to a plain request".into()))
        }
        Err(error) => Err(PageFailure::Fetch(error)),
    }
}

/// Why a page could not be had or used.
enum PageFailure {
    /// Fetching it failed; trying later may help when the error says so.
    Fetch(FetchError),
    /// It will not do, or may not be had, whenever it is tried.
    Lasting(String),
}

impl PageFailure {
    fn why(&self) -> String {
        match self {
            PageFailure::Fetch(error) => error.to_string(),
            PageFailure::Lasting(why) => why.clone(),
        }
    }

    /// Whether the page may still come: a failure that may pass, with attempts left.
    fn may_pass(&self, attempts: u32) -> bool {
        matches!(self, PageFailure::Fetch(error) if error.is_transient()) && attempts < MAX_ATTEMPTS
    }

    /// How long the page's server asked to be left alone, when it did.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            PageFailure::Fetch(error) => error.retry_after(),
            PageFailure::Lasting(_) => None,
        }
    }
}

/// When to try an item again after `attempts` tries: growing waits, never sooner than its server
/// asked.
fn retry_time(attempts: u32, asked: Option<Duration>) -> chrono::DateTime<chrono::Utc> {
    let backoff = chrono::Duration::seconds(doubled(FIRST_RETRY_SECONDS, attempts.saturating_sub(1)));
    let asked = asked.and_then(|wait| chrono::Duration::from_std(wait).ok()).unwrap_or_default();
    chrono::Utc::now() + backoff.max(asked)
}

fn item_outcome(outcome: Outcome) -> ItemOutcome {
    match outcome {
        Outcome::New { id, story, title, .. } => ItemOutcome::Stored { id, story, title },
        Outcome::Duplicate { id } => ItemOutcome::Known(id),
        Outcome::Copy { original, similarity } => ItemOutcome::Copy { original, similarity },
        Outcome::Rejected(error) => ItemOutcome::Failed(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_and_as_long_as_asked() {
        let now = chrono::Utc::now();
        let first = retry_time(1, None) - now;
        let third = retry_time(3, None) - now;
        assert!((first - chrono::Duration::minutes(5)).num_seconds().abs() <= 1, "{first}");
        assert!((third - chrono::Duration::minutes(20)).num_seconds().abs() <= 1, "{third}");
        let asked = retry_time(1, Some(Duration::from_secs(3600))) - now;
        assert!((asked - chrono::Duration::hours(1)).num_seconds().abs() <= 1, "{asked}");
    }

    #[test]
    fn items_are_keyed_by_link_or_by_feed_and_id() {
        let item = FeedItem {
            id: "urn:item:7".into(),
            url: Some("https://herald.example/a".into()),
            title: None,
            published: None,
            authors: vec![],
            summary: None,
            content: None,
        };
        assert_eq!(ItemJob::new(3, item.clone()).key(), "https://herald.example/a");
        let unlinked = FeedItem { url: None, ..item };
        let job = ItemJob::new(3, unlinked);
        assert_eq!(job.key(), "feed:3:urn:item:7");
        let back: ItemJob = serde_json::from_str(&job.payload()).unwrap();
        assert_eq!(back.item, job.item);
    }
}
