//! The work queue in SQLite: jobs queued with the poll that found them, claimed one at a time under
//! a lease by a single `UPDATE … RETURNING`, so two workers never hold the same live job.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::timestamp;
use crate::error::QueryContext;
use crate::{Job, JobEnd, JobFailure, MAX_CLAIMS, NewJob, QueueCounts, StoreError};

/// Queues the jobs whose keys are new; returns how many were.
pub(super) fn enqueue(
    tx: &Transaction<'_>,
    feed: Option<i64>,
    jobs: &[NewJob<'_>],
    now: &str,
) -> Result<usize, StoreError> {
    let mut insert = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO jobs (feed_id, key, payload, state, not_before, created_at)
             VALUES (?1, ?2, ?3, 'queued', ?4, ?4)",
        )
        .during("queueing jobs")?;
    let mut queued = 0;
    for job in jobs {
        queued += insert.execute(params![feed, job.key, job.payload, now]).during("queueing a job")?;
    }
    Ok(queued)
}

pub(super) fn claim(
    conn: &Connection,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<Option<Job>, StoreError> {
    let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let until = now.checked_add_signed(lease).unwrap_or(DateTime::<Utc>::MAX_UTC);
    let now = timestamp(now);
    // A job whose workers keep dying on it (a page that brings its extraction down) is given up
    // rather than handed out for ever.
    conn.execute(
        "UPDATE jobs SET state = 'failed', leased_until = NULL, ended_at = ?1,
             last_error = 'handed out ' || attempts || ' times and never ended: its workers stopped on it each time'
         WHERE state = 'running' AND leased_until <= ?1 AND attempts >= ?2",
        params![now, MAX_CLAIMS],
    )
    .during("giving up jobs")?;
    conn.query_row(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, leased_until = ?2
         WHERE id = (SELECT id FROM jobs
                     WHERE (state = 'queued' AND not_before <= ?1) OR (state = 'running' AND leased_until <= ?1)
                     ORDER BY not_before, id LIMIT 1)
         RETURNING id, feed_id, key, payload, attempts",
        params![now, timestamp(until)],
        |r| Ok(Job { id: r.get(0)?, feed: r.get(1)?, key: r.get(2)?, payload: r.get(3)?, attempts: r.get(4)? }),
    )
    .optional()
    .during("claiming a job")
}

pub(super) fn end(
    conn: &Connection,
    job: &Job,
    end: &JobEnd,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let now = timestamp(now);
    // Only the claim that holds the job ends it: one taken over since (its lease ran out) is the
    // new holder's.
    let held = "id = ?1 AND state = 'running' AND attempts = ?2";
    let ended = match end {
        JobEnd::Done(outcome) => conn.execute(
            &format!(
                "UPDATE jobs SET state = 'done', outcome = ?3, last_error = NULL, leased_until = NULL, ended_at = ?4
                 WHERE {held}"
            ),
            params![job.id, job.attempts, outcome, now],
        ),
        JobEnd::Retry { error, at } => conn.execute(
            &format!(
                "UPDATE jobs SET state = 'queued', last_error = ?3, not_before = ?5, leased_until = NULL, ended_at = ?4
                 WHERE {held}"
            ),
            params![job.id, job.attempts, error, now, timestamp(*at)],
        ),
        JobEnd::Failed(error) => conn.execute(
            &format!(
                "UPDATE jobs SET state = 'failed', last_error = ?3, leased_until = NULL, ended_at = ?4 WHERE {held}"
            ),
            params![job.id, job.attempts, error, now],
        ),
    }
    .during("ending a job")?;
    Ok(ended == 1)
}

pub(super) fn counts(conn: &Connection) -> Result<QueueCounts, StoreError> {
    let mut statement =
        conn.prepare("SELECT state, count(*) FROM jobs GROUP BY state").during("counting jobs")?;
    let rows = statement
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .during("counting jobs")?;
    let mut counts = QueueCounts::default();
    for row in rows {
        let (state, n) = row.during("counting jobs")?;
        let n = u64::try_from(n).unwrap_or_default();
        match state.as_str() {
            "queued" => counts.queued = n,
            "running" => counts.running = n,
            "done" => counts.done = n,
            _ => counts.failed = n,
        }
    }
    Ok(counts)
}

pub(super) fn failures(conn: &Connection, limit: u32) -> Result<Vec<JobFailure>, StoreError> {
    let mut statement = conn
        .prepare(
            "SELECT feed_id, key, last_error, attempts, state = 'queued' FROM jobs
             WHERE last_error IS NOT NULL AND state IN ('queued', 'failed')
             ORDER BY ended_at DESC, id DESC LIMIT ?1",
        )
        .during("listing failed jobs")?;
    let rows = statement
        .query_map([limit], |r| {
            Ok(JobFailure {
                feed: r.get(0)?,
                key: r.get(1)?,
                error: r.get(2)?,
                attempts: r.get(3)?,
                will_retry: r.get(4)?,
            })
        })
        .during("listing failed jobs")?;
    rows.collect::<Result<_, _>>().during("reading failed jobs")
}

pub(super) fn prune(conn: &Connection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    conn.execute("DELETE FROM jobs WHERE state = 'done' AND ended_at < ?1", [timestamp(before)])
        .during("forgetting done jobs")
}
