//! The work queue's types: what waits to be done, as the store hands it out and takes it back.
//!
//! A poll of a feed queues its items in the same transaction that records the poll, so an item is
//! never lost between the feed read and its processing; a worker claims one job at a time under a
//! lease, and a job whose worker died is handed out again once its lease runs out. Jobs are keyed,
//! so an item a feed keeps listing is queued once.

use chrono::{DateTime, Utc};

/// Times a job may be handed out without being ended (its lease ran out each time) before it is
/// given up as failed.
pub const MAX_CLAIMS: u32 = 10;

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob<'a> {
    /// What makes it this job and no other (a feed item's canonical URL, say): a key already queued,
    /// done or failed is not queued again.
    pub key: &'a str,
    /// What the worker needs to do it, as JSON.
    pub payload: &'a str,
}

/// A job handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Its id.
    pub id: i64,
    /// The feed that queued it, if one did.
    pub feed: Option<i64>,
    /// Its key.
    pub key: String,
    /// Its payload.
    pub payload: String,
    /// How many times it has been handed out, this time included.
    pub attempts: u32,
}

/// How a job ended, as the worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// Done; what became of it, for the record ("stored as article 12").
    Done(String),
    /// Failed for now: to be tried again from `at`.
    Retry {
        /// Why it failed.
        error: String,
        /// When to try again.
        at: DateTime<Utc>,
    },
    /// Failed for good, for this reason.
    Failed(String),
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Waiting, including those to be retried later.
    pub queued: u64,
    /// Handed out to a worker and not yet ended.
    pub running: u64,
    /// Done.
    pub done: u64,
    /// Failed for good.
    pub failed: u64,
}

impl QueueCounts {
    /// Jobs not yet ended.
    pub fn pending(&self) -> u64 {
        self.queued + self.running
    }
}

/// A job that failed for good, or failed and waits to be retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    /// The feed that queued it.
    pub feed: Option<i64>,
    /// Its key.
    pub key: String,
    /// Why it failed.
    pub error: String,
    /// How many times it was tried.
    pub attempts: u32,
    /// Whether it will be tried again.
    pub will_retry: bool,
}
