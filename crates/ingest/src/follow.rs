//! Polling a followed feed into the work queue: the feed is fetched conditionally and its items are
//! queued, one job per item, in the same transaction that records the poll (the feed's validators,
//! its error, when its server asked to be left alone), so no item is lost between the feed read and
//! its processing, and an item the feed keeps listing is queued once. A [`Worker`] takes the jobs
//! on from there.
//!
//! [`Worker`]: crate::Worker

use parallax_store::{FeedRecord, NewJob, PollRecord, Store};

use crate::feeds::parse_feed;
use crate::fetch::{Fetched, Fetcher, Validators};
use crate::worker::ItemJob;

/// What a poll of one feed did.
#[derive(Debug, Default)]
pub struct PollReport {
    /// The feed answered that nothing changed.
    pub not_modified: bool,
    /// Items in the feed.
    pub items: usize,
    /// Items queued, new to the queue.
    pub queued: usize,
    /// Why the feed itself could not be read.
    pub error: Option<String>,
    /// When the feed's server asked to be polled again, if it did.
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Longest wait between two polls of a failing feed.
const LONGEST_BACKOFF_SECONDS: i64 = 24 * 60 * 60;

/// When a feed is next due: at once when never polled; its interval after the last poll; after a
/// run of failures, that interval doubled for each (up to a day), so a broken feed is not hammered;
/// and never before the time its server asked for.
pub fn next_poll(feed: &FeedRecord) -> Option<chrono::DateTime<chrono::Utc>> {
    let last = feed.last_polled?;
    let interval = doubled(i64::from(feed.poll_seconds), feed.failures);
    let wait = if feed.failures > 0 { interval.min(LONGEST_BACKOFF_SECONDS) } else { interval };
    let due = last + chrono::Duration::seconds(wait);
    Some(feed.retry_at.map_or(due, |asked| due.max(asked)))
}

/// A wait of `seconds` doubled `times` times (at most ten: waits grow, they do not overflow).
pub(crate) fn doubled(seconds: i64, times: u32) -> i64 {
    seconds << times.min(10)
}

/// Polls one feed, queueing its items; records the poll with the feed.
pub async fn poll_feed(store: &dyn Store, fetcher: &Fetcher, feed: &FeedRecord) -> PollReport {
    let mut report = PollReport::default();
    let validators = Validators { etag: feed.etag.clone(), last_modified: feed.last_modified.clone() };
    let mut record = PollRecord {
        etag: feed.etag.clone(),
        last_modified: feed.last_modified.clone(),
        ..PollRecord::default()
    };
    let mut jobs = Vec::new();
    match fetcher.fetch(&feed.url, &validators).await {
        Ok(Fetched::NotModified) => report.not_modified = true,
        Ok(Fetched::Document(document)) => {
            match parse_feed(&document.bytes, document.charset.as_deref(), Some(&document.url)) {
                Ok(parsed) => {
                    record.etag = document.validators.etag;
                    record.last_modified = document.validators.last_modified;
                    report.items = parsed.items.len();
                    jobs = parsed.items.into_iter().map(|item| ItemJob::new(feed.id, item)).collect();
                }
                Err(error) => report.error = Some(error.to_string()),
            }
        }
        Err(error) => {
            report.retry_at = error
                .retry_after()
                .and_then(|wait| chrono::Duration::from_std(wait).ok().map(|wait| chrono::Utc::now() + wait));
            report.error = Some(error.to_string());
        }
    }
    record.error.clone_from(&report.error);
    record.retry_at = report.retry_at;
    let payloads: Vec<(String, String)> = jobs.iter().map(|job| (job.key(), job.payload())).collect();
    let new_jobs: Vec<NewJob<'_>> = payloads.iter().map(|(key, payload)| NewJob { key, payload }).collect();
    match store.record_poll(feed.id, &record, &new_jobs) {
        Ok(queued) => report.queued = queued,
        Err(error) => {
            report.error.get_or_insert_with(|| format!("recording the poll: {error}"));
        }
    }
    report
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
            retry_at: None,
        };
        assert_eq!(next_poll(&feed), None, "never polled: due now");
        feed.last_polled = Some(polled);
        assert_eq!(next_poll(&feed), Some(polled + chrono::Duration::minutes(10)));
        feed.failures = 3;
        assert_eq!(next_poll(&feed), Some(polled + chrono::Duration::minutes(80)));
        feed.failures = 40;
        assert_eq!(next_poll(&feed), Some(polled + chrono::Duration::hours(24)), "at most a day");
        feed.failures = 1;
        feed.retry_at = Some(polled + chrono::Duration::hours(2));
        assert_eq!(next_poll(&feed), feed.retry_at, "not before the server asked");
    }
}
