//! The work queue on PostgreSQL: jobs queued with the poll that found them, claimed one at a time
//! under a lease, ended only by the claim that holds them, and given up when their workers keep
//! dying on them.
//!
//! Workers in many processes claim at once, so a claim is one `UPDATE` whose job is picked with
//! `FOR UPDATE SKIP LOCKED`: a job another worker is taking is passed over instead of waited for, and
//! no job is handed to two workers. Times are the processes' clocks (`Utc::now()`), as are the retry
//! times workers pass in, so that every comparison is between times of the same kind.

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::{Db, PostgresStore, count};
use crate::{Job, JobEnd, JobFailure, MAX_CLAIMS, NewJob, QueueCounts, StoreError};

/// A stored number of attempts, as the `u32` the queue's types hold.
fn attempts(r: &Row, at: usize) -> u32 {
    u32::try_from(r.get::<_, i64>(at).max(0)).unwrap_or(u32::MAX)
}

/// Queues the jobs whose keys are new, in the caller's transaction; returns how many were (the
/// caller wakes idle workers when there are any).
pub(super) fn enqueue(tx: &impl Db, feed: Option<i64>, jobs: &[NewJob<'_>]) -> Result<usize, StoreError> {
    if jobs.is_empty() {
        return Ok(0);
    }
    let keys: Vec<&str> = jobs.iter().map(|j| j.key).collect();
    let payloads: Vec<&str> = jobs.iter().map(|j| j.payload).collect();
    // One statement for the whole batch; `WITH ORDINALITY` keeps the first of repeated keys, as
    // queueing them one by one would. A key queued (or done, or failed) before is skipped.
    let queued = tx.exec(
        "INSERT INTO jobs (feed_id, key, payload, state, not_before, created_at)
         SELECT $1, j.key, j.payload, 'queued', $4, $4
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS j (key, payload, n)
         ORDER BY j.n
         ON CONFLICT (key) DO NOTHING",
        &[&feed, &keys, &payloads, &Utc::now()],
        "queueing jobs",
    )?;
    Ok(usize::try_from(queued).unwrap_or(usize::MAX))
}

pub(super) fn claim_job(
    store: &PostgresStore,
    lease: std::time::Duration,
) -> Result<Option<Job>, StoreError> {
    let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let max_claims = i64::from(MAX_CLAIMS);
    store.write("claiming a job", |tx| {
        let now = Utc::now();
        let until = now.checked_add_signed(lease).unwrap_or(DateTime::<Utc>::MAX_UTC);
        // A job whose workers keep dying on it (a page that brings its extraction down) is given up
        // rather than handed out for ever. Jobs another worker has locked are left to it.
        tx.exec(
            "UPDATE jobs SET state = 'failed', leased_until = NULL, ended_at = $1,
                 last_error = 'handed out ' || attempts || ' times and never ended: its workers stopped on it each time'
             WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND leased_until <= $1 AND attempts >= $2
                          FOR UPDATE SKIP LOCKED)",
            &[&now, &max_claims],
            "giving up jobs",
        )?;
        // A job given up belongs to no claim, even one the statement above skipped as locked.
        let claimed = tx.opt(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, leased_until = $2
             WHERE id = (SELECT id FROM jobs
                         WHERE (state = 'queued' AND not_before <= $1)
                            OR (state = 'running' AND leased_until <= $1 AND attempts < $3)
                         ORDER BY not_before, id LIMIT 1
                         FOR UPDATE SKIP LOCKED)
             RETURNING id, feed_id, key, payload, attempts",
            &[&now, &until, &max_claims],
            "claiming a job",
        )?;
        Ok(claimed.map(|r| Job {
            id: r.get(0),
            feed: r.get(1),
            key: r.get(2),
            payload: r.get(3),
            attempts: attempts(&r, 4),
        }))
    })
}

pub(super) fn end_job(store: &PostgresStore, job: &Job, end: &JobEnd) -> Result<bool, StoreError> {
    let claim = i64::from(job.attempts);
    store.write("ending a job", |tx| {
        let now = Utc::now();
        // Only the claim that holds the job ends it: one taken over since (its lease ran out) is the
        // new holder's, and counts one more attempt.
        let ended = match end {
            JobEnd::Done(outcome) => tx.exec(
                "UPDATE jobs SET state = 'done', outcome = $3, last_error = NULL, leased_until = NULL, ended_at = $4
                 WHERE id = $1 AND state = 'running' AND attempts = $2",
                &[&job.id, &claim, outcome, &now],
                "ending a job",
            ),
            JobEnd::Retry { error, at } => tx.exec(
                "UPDATE jobs SET state = 'queued', last_error = $3, not_before = $5, leased_until = NULL, ended_at = $4
                 WHERE id = $1 AND state = 'running' AND attempts = $2",
                &[&job.id, &claim, error, &now, at],
                "ending a job",
            ),
            JobEnd::Failed(error) => tx.exec(
                "UPDATE jobs SET state = 'failed', last_error = $3, leased_until = NULL, ended_at = $4
                 WHERE id = $1 AND state = 'running' AND attempts = $2",
                &[&job.id, &claim, error, &now],
                "ending a job",
            ),
        }?;
        Ok(ended == 1)
    })
}

pub(super) fn queue_counts(store: &PostgresStore) -> Result<QueueCounts, StoreError> {
    store.read(|db| {
        let mut counts = QueueCounts::default();
        for r in db.rows("SELECT state, count(*) FROM jobs GROUP BY state", &[], "counting jobs")? {
            let n = count(&r, 1);
            match r.get::<_, &str>(0) {
                "queued" => counts.queued = n,
                "running" => counts.running = n,
                "done" => counts.done = n,
                _ => counts.failed = n,
            }
        }
        Ok(counts)
    })
}

pub(super) fn job_failures(store: &PostgresStore, limit: u32) -> Result<Vec<JobFailure>, StoreError> {
    store.read(|db| {
        // `NULLS LAST` keeps SQLite's order, where a missing end sorts as the oldest.
        let rows = db.rows(
            "SELECT feed_id, key, last_error, attempts, state = 'queued' FROM jobs
             WHERE last_error IS NOT NULL AND state IN ('queued', 'failed')
             ORDER BY ended_at DESC NULLS LAST, id DESC LIMIT $1",
            &[&i64::from(limit)],
            "listing failed jobs",
        )?;
        Ok(rows
            .iter()
            .map(|r| JobFailure {
                feed: r.get(0),
                key: r.get(1),
                error: r.get(2),
                attempts: attempts(r, 3),
                will_retry: r.get(4),
            })
            .collect())
    })
}

pub(super) fn prune_jobs(store: &PostgresStore, before: DateTime<Utc>) -> Result<usize, StoreError> {
    store.write("forgetting done jobs", |tx| {
        let pruned = tx.exec(
            "DELETE FROM jobs WHERE state = 'done' AND ended_at < $1",
            &[&before],
            "forgetting done jobs",
        )?;
        Ok(usize::try_from(pruned).unwrap_or(usize::MAX))
    })
}
