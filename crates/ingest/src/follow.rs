//! Polling a followed feed into the pipeline: the feed is fetched conditionally; each item not yet
//! stored has its page fetched and extracted, or, when the page cannot be had or the outlet's feed
//! is trusted, or its site's `robots.txt` asks to leave it alone, its content in the feed is read
//! instead; each becomes a stored article through the
//! [`Pipeline`], which knows duplicates by canonical URL and content. What the poll left (the
//! feed's validators, its error) is recorded with the feed.

use parallax_extract::Hints;
use parallax_store::{FeedRecord, PollRecord, Store};

use crate::feeds::{FeedItem, parse_feed};
use crate::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::pipeline::{Outcome, Pipeline};

/// What a poll of one feed did.
#[derive(Debug, Default)]
pub struct PollReport {
    /// The feed's URL.
    pub feed: String,
    /// The feed answered that nothing changed.
    pub not_modified: bool,
    /// Items in the feed.
    pub items: usize,
    /// Items stored as new articles.
    pub new: usize,
    /// Items already stored.
    pub known: usize,
    /// Items read from the feed's content because their page failed: (page, why).
    pub from_feed: Vec<(String, String)>,
    /// Items that could not be stored: (item, why).
    pub failed: Vec<(String, String)>,
    /// Why the feed itself could not be read.
    pub error: Option<String>,
}

/// Longest wait between two polls of a failing feed.
const LONGEST_BACKOFF_SECONDS: i64 = 24 * 60 * 60;

/// When a feed is next due: at once when never polled; its interval after the last poll; after a
/// run of failures, that interval doubled for each (up to a day), so a broken feed is not hammered.
pub fn next_poll(feed: &FeedRecord) -> Option<chrono::DateTime<chrono::Utc>> {
    let last = feed.last_polled?;
    let interval = i64::from(feed.poll_seconds) << feed.failures.min(10);
    let wait = if feed.failures > 0 { interval.min(LONGEST_BACKOFF_SECONDS) } else { interval };
    Some(last + chrono::Duration::seconds(wait))
}

/// Polls one feed, storing its new items; records the poll with the feed.
pub async fn poll_feed(
    pipeline: &mut Pipeline<'_>,
    store: &dyn Store,
    fetcher: &Fetcher,
    feed: &FeedRecord,
) -> PollReport {
    let mut report = PollReport { feed: feed.url.clone(), ..PollReport::default() };
    let validators = Validators { etag: feed.etag.clone(), last_modified: feed.last_modified.clone() };
    let mut record =
        PollRecord { etag: feed.etag.clone(), last_modified: feed.last_modified.clone(), error: None };
    match fetcher.fetch(&feed.url, &validators).await {
        Ok(Fetched::NotModified) => report.not_modified = true,
        Ok(Fetched::Document(document)) => {
            match parse_feed(&document.bytes, document.charset.as_deref(), Some(&document.url)) {
                Ok(parsed) => {
                    record.etag = document.validators.etag;
                    record.last_modified = document.validators.last_modified;
                    report.items = parsed.items.len();
                    for item in &parsed.items {
                        store_item(pipeline, store, fetcher, feed, item, &mut report).await;
                    }
                }
                Err(error) => report.error = Some(error.to_string()),
            }
        }
        Err(error) => report.error = Some(error.to_string()),
    }
    record.error.clone_from(&report.error);
    if let Err(error) = store.record_poll(feed.id, &record) {
        report.error.get_or_insert_with(|| format!("recording the poll: {error}"));
    }
    report
}

async fn store_item(
    pipeline: &mut Pipeline<'_>,
    store: &dyn Store,
    fetcher: &Fetcher,
    feed: &FeedRecord,
    item: &FeedItem,
    report: &mut PollReport,
) {
    let label = item.url.clone().unwrap_or_else(|| item.id.clone());
    // Known by its page's URL before anything is fetched; no content hash is known yet, and none
    // stored is empty.
    if let Some(url) = &item.url
        && matches!(store.find_duplicate(Some(url), ""), Ok(Some(_)))
    {
        report.known += 1;
        return;
    }
    let hints = Hints {
        outlet: Some(feed.outlet.clone()),
        published: item.published.map(|t| t.fixed_offset()),
        url: item.url.clone(),
        title: item.title.clone(),
        ..Hints::default()
    };
    let mut page_failure = None;
    if feed.fetch_pages
        && let Some(url) = &item.url
    {
        let fetched = if fetcher.robots_allow(url).await {
            fetcher.fetch(url, &Validators::default()).await
        } else {
            Err(FetchError::Network("the site's robots.txt asks crawlers to leave this page alone".into()))
        };
        match fetched {
            Ok(Fetched::Document(page)) => {
                let hints = Hints { charset: page.charset.clone(), ..hints.clone() };
                match pipeline.ingest_bytes(&page.bytes, &hints) {
                    Outcome::Rejected(error) => page_failure = Some(error.to_string()),
                    outcome => return count(outcome, &label, report),
                }
            }
            Ok(Fetched::NotModified) => {
                page_failure = Some("the server answered 304 to a plain request".into())
            }
            Err(error) => page_failure = Some(error.to_string()),
        }
    }
    // The page failed, or the feed is trusted: read the item from the feed.
    let Some(body) = item.content.as_ref().or(item.summary.as_ref()) else {
        let why = page_failure.unwrap_or_else(|| "the feed gives no content for it".into());
        report.failed.push((label, why));
        return;
    };
    let html = format!("<html><body><article>{body}</article></body></html>");
    let outcome = pipeline.ingest_bytes(html.as_bytes(), &hints);
    if let Some(why) = page_failure
        && !matches!(outcome, Outcome::Rejected(_))
    {
        report.from_feed.push((label.clone(), why));
    }
    count(outcome, &label, report);
}

fn count(outcome: Outcome, label: &str, report: &mut PollReport) {
    match outcome {
        Outcome::New { .. } => report.new += 1,
        Outcome::Duplicate { .. } => report.known += 1,
        Outcome::Rejected(error) => report.failed.push((label.to_owned(), error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn failing_feeds_back_off() {
        let polled = Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0).unwrap();
        let mut feed = FeedRecord {
            id: 1,
            outlet: "Herald".into(),
            url: "https://herald.example/rss".into(),
            site_url: None,
            poll_seconds: 600,
            fetch_pages: true,
            last_polled: None,
            last_error: None,
            etag: None,
            last_modified: None,
            failures: 0,
        };
        assert_eq!(next_poll(&feed), None, "never polled: due now");
        feed.last_polled = Some(polled);
        assert_eq!(next_poll(&feed), Some(polled + chrono::Duration::minutes(10)));
        feed.failures = 3;
        assert_eq!(next_poll(&feed), Some(polled + chrono::Duration::minutes(80)));
        feed.failures = 40;
        assert_eq!(next_poll(&feed), Some(polled + chrono::Duration::hours(24)), "at most a day");
    }
}
