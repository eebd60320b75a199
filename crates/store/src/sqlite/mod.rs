//! The embedded store: one SQLite file in WAL mode, a writer connection and a few readers.

mod catalog;
mod community;
mod migrations;
mod queue;
mod transfer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use parallax_cluster::{Assignment, Evidence};
use parallax_core::{
    Article, ArticleId, ArticleSummary, CommentId, OutletId, StoredArticle, Story, StoryId, UserId,
};
use parallax_nlp::{Analysis, EntityKind};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};

use crate::community::{
    AuditEntry, AuthorChange, Comment, Credentials, Moderation, NewComment, Posted, Ratings, ReportedComment,
    Role, Session, Target, User,
};
use crate::error::QueryContext;
use crate::{
    ClusterMember, CopyRecord, Counts, EntityMention, EntityRecord, FeedAdded, FeedRecord, FeedSettings,
    Inserted, Job, JobEnd, JobFailure, NewArticle, NewCopy, NewFeed, NewJob, OutletRecord, Page, PollRecord,
    QueueCounts, SearchQuery, SearchResults, Splits, Store, StoreError, StoredSignature, StoryHead,
};

/// File name of the database inside a data directory.
pub const DATABASE_FILE: &str = "parallax.db";

/// Readers kept open for reuse.
const READER_POOL: usize = 4;

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Woken when this process queues jobs (one process owns an SQLite file).
    wakeups: std::sync::Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating when needed) the store in a data directory.
    pub fn open_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::DataDir { path: dir.to_owned(), source })?;
        Self::open(&dir.join(DATABASE_FILE))
    }

    /// Opens (creating when needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut writer = connect(path)?;
        migrations::migrate(&mut writer)?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            wakeups: Default::default(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the file is at.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).during("reading the schema version")
        })
    }

    /// Runs a change in one transaction on the writer connection.
    fn write<T>(
        &self,
        what: &'static str,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).during(what)?;
        let value = f(&tx)?;
        tx.commit().during(what)?;
        Ok(value)
    }

    /// Runs a read on a pooled connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < READER_POOL {
            readers.push(conn);
        }
        result
    }
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let open_error = |source| StoreError::Open { path: path.to_owned(), source };
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    )
    .map_err(open_error)?;
    Ok(conn)
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_time(raw: Option<String>) -> Option<DateTime<Utc>> {
    raw.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain data structs with string keys cannot fail.
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("domain types always serialise: {e}"))
}

fn from_json<T: serde::de::DeserializeOwned>(raw: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|source| StoreError::Corrupt { what, source })
}

const SUMMARY_COLUMNS: &str =
    "a.id, a.title, o.name, a.published, a.lead, a.image_url, a.story_id, a.outlet_id, a.ingested_at";

/// How many columns [`SUMMARY_COLUMNS`] takes: a query's own columns follow.
const SUMMARY_WIDTH: usize = 9;

fn summary_row(row: &Row<'_>) -> rusqlite::Result<(StoryId, ArticleSummary)> {
    Ok((
        StoryId(row.get(6)?),
        ArticleSummary {
            id: ArticleId(row.get(0)?),
            title: row.get(1)?,
            outlet: row.get(2)?,
            published: parse_time(row.get(3)?),
            lead: row.get(4)?,
            image_url: row.get(5)?,
            outlet_id: row.get::<_, Option<i64>>(7)?.map(OutletId),
            ingested_at: parse_time(row.get(8)?).unwrap_or_default(),
        },
    ))
}

/// Stories with their reports, in the order of `ids`, in two queries.
fn load_stories(conn: &Connection, heads: Vec<(StoryId, String, String)>) -> Result<Vec<Story>, StoreError> {
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; heads.len()].join(",");
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
         WHERE a.story_id IN ({placeholders}) ORDER BY a.published IS NULL, a.published, a.id"
    );
    let mut stmt = conn.prepare(&sql).during("listing stories' articles")?;
    let ids: Vec<i64> = heads.iter().map(|(id, _, _)| id.get()).collect();
    let mut by_story: HashMap<StoryId, Vec<ArticleSummary>> = HashMap::new();
    for row in
        stmt.query_map(rusqlite::params_from_iter(ids), summary_row).during("listing stories' articles")?
    {
        let (story, summary) = row.during("reading an article summary")?;
        by_story.entry(story).or_default().push(summary);
    }
    Ok(heads
        .into_iter()
        .map(|(id, title, created)| Story {
            id,
            title,
            created_at: parse_time(Some(created)).unwrap_or_default(),
            articles: by_story.remove(&id).unwrap_or_default(),
        })
        .collect())
}

type MemberRow = (ArticleId, StoryId, Option<DateTime<Utc>>, String);

/// An article's id, story, publication time and analysis, as clustering reads them.
fn member_row(r: &Row<'_>) -> rusqlite::Result<MemberRow> {
    Ok((ArticleId(r.get(0)?), StoryId(r.get(1)?), parse_time(r.get(2)?), r.get(3)?))
}

fn member((article, story, published, analysis): MemberRow) -> Result<ClusterMember, StoreError> {
    let analysis: Analysis = from_json(&analysis, "analysis")?;
    Ok(ClusterMember { article, story, evidence: Evidence::new(&analysis, published) })
}

/// The JSON columns of an article row read on their own.
#[derive(Clone, Copy)]
enum JsonColumn {
    Analysis,
    Assignment,
}

/// Reads and decodes one JSON column of an article.
fn json_column<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    column: JsonColumn,
    id: ArticleId,
) -> Result<Option<T>, StoreError> {
    let (sql, what) = match column {
        JsonColumn::Analysis => ("SELECT analysis_json FROM articles WHERE id = ?1", "analysis"),
        JsonColumn::Assignment => ("SELECT assignment_json FROM articles WHERE id = ?1", "assignment"),
    };
    let raw: Option<String> =
        conn.query_row(sql, [id.get()], |r| r.get(0)).optional().during("reading an article's details")?;
    raw.map(|raw| from_json(&raw, what)).transpose()
}

fn find_duplicate(conn: &Connection, url: Option<&str>, hash: &str) -> Result<Option<ArticleId>, StoreError> {
    conn.query_row(
        "SELECT id FROM articles WHERE content_hash = ?1 OR (?2 IS NOT NULL AND canonical_url = ?2)
         UNION ALL
         SELECT article_id FROM article_copies WHERE content_hash = ?1 OR (?2 IS NOT NULL AND canonical_url = ?2)
         LIMIT 1",
        params![hash, url],
        |r| r.get(0).map(ArticleId),
    )
    .optional()
    .during("looking for a duplicate")
}

impl Store for SqliteStore {
    fn merge_stories(&self, kept: StoryId, absorbed: StoryId, probability: f32) -> Result<(), StoreError> {
        if kept == absorbed {
            return Ok(());
        }
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).during("starting a merge")?;
        let now = timestamp(Utc::now());
        // Another process's maintenance may have merged either story since this one was decided.
        let (Some(kept), Some(absorbed)) = (live_story(&tx, kept)?, live_story(&tx, absorbed)?) else {
            return Ok(());
        };
        if kept == absorbed {
            return Ok(());
        }
        tx.execute("UPDATE articles SET story_id = ?1 WHERE story_id = ?2", params![kept, absorbed])
            .during("moving articles to the merged story")?;
        tx.execute("UPDATE story_aliases SET story_id = ?1 WHERE story_id = ?2", params![kept, absorbed])
            .during("re-pointing aliases")?;
        tx.execute(
            "INSERT OR REPLACE INTO story_aliases (alias, story_id, probability, merged_at) VALUES (?1, ?2, ?3, ?4)",
            params![absorbed, kept, probability as f64, now],
        )
        .during("recording an alias")?;
        tx.execute("UPDATE story_splits SET split_from = ?1 WHERE split_from = ?2", params![kept, absorbed])
            .during("re-pointing splits")?;
        tx.execute("DELETE FROM story_splits WHERE story_id = ?1", [absorbed])
            .during("forgetting a split")?;
        // The absorbed story's discussion, ratings and lock go with its reports.
        tx.execute(
            "UPDATE comments SET target_id = ?1 WHERE target_kind = 'story' AND target_id = ?2",
            params![kept, absorbed],
        )
        .during("moving a merged story's comments")?;
        tx.execute(
            "INSERT OR IGNORE INTO story_ratings (story_id, user_id, helpful)
             SELECT ?1, user_id, helpful FROM story_ratings WHERE story_id = ?2",
            params![kept, absorbed],
        )
        .during("moving a merged story's ratings")?;
        tx.execute("DELETE FROM story_ratings WHERE story_id = ?1", [absorbed]).during("moving ratings")?;
        tx.execute(
            "INSERT OR IGNORE INTO thread_locks (target_kind, target_id, locked_by, locked_at)
             SELECT 'story', ?1, locked_by, locked_at FROM thread_locks WHERE target_kind = 'story' AND target_id = ?2",
            params![kept, absorbed],
        )
        .during("moving a merged story's lock")?;
        tx.execute("DELETE FROM thread_locks WHERE target_kind = 'story' AND target_id = ?1", [absorbed])
            .during("moving a lock")?;
        tx.execute("DELETE FROM stories WHERE id = ?1", [absorbed]).during("removing a merged story")?;
        tx.execute("UPDATE stories SET updated_at = ?1 WHERE id = ?2", params![now, kept])
            .during("updating a story")?;
        catalog::refresh_story(&tx, StoryId(kept))?;
        tx.commit().during("committing a merge")
    }

    fn story_alias(&self, id: StoryId) -> Result<Option<StoryId>, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT story_id FROM story_aliases WHERE alias = ?1", [id.get()], |r| {
                r.get(0).map(StoryId)
            })
            .optional()
            .during("reading a story alias")
        })
    }

    fn merged_into(&self, id: StoryId) -> Result<Vec<(StoryId, f32)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT alias, probability FROM story_aliases WHERE story_id = ?1 ORDER BY alias")
                .during("listing merged stories")?;
            let rows = stmt
                .query_map([id.get()], |r| Ok((StoryId(r.get(0)?), r.get::<_, f64>(1)? as f32)))
                .during("listing merged stories")?;
            rows.map(|r| r.during("reading a merged story")).collect()
        })
    }

    fn split_story(
        &self,
        story: StoryId,
        articles: &[ArticleId],
        probability: f32,
    ) -> Result<StoryId, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).during("starting a split")?;
        let now = timestamp(Utc::now());
        let mut moving = Vec::new();
        for &article in articles {
            let title: Option<String> = tx
                .query_row(
                    "SELECT title FROM articles WHERE id = ?1 AND story_id = ?2",
                    params![article.get(), story.get()],
                    |r| r.get(0),
                )
                .optional()
                .during("reading an article to split off")?;
            if let Some(title) = title {
                moving.push((article, title));
            }
        }
        let Some((_, title)) = moving.first() else { return Err(StoreError::NothingToSplit { story }) };
        tx.execute(
            "INSERT INTO stories (title, created_at, updated_at) VALUES (?1, ?2, ?2)",
            params![title, now],
        )
        .during("opening a split story")?;
        let split = StoryId(tx.last_insert_rowid());
        for (article, _) in &moving {
            tx.execute(
                "UPDATE articles SET story_id = ?1 WHERE id = ?2",
                params![split.get(), article.get()],
            )
            .during("moving an article to a split story")?;
        }
        tx.execute(
            "INSERT INTO story_splits (story_id, split_from, probability, split_at) VALUES (?1, ?2, ?3, ?4)",
            params![split.get(), story.get(), probability as f64, now],
        )
        .during("recording a split")?;
        tx.execute("UPDATE stories SET updated_at = ?1 WHERE id = ?2", params![now, story.get()])
            .during("updating a story")?;
        catalog::refresh_story(&tx, story)?;
        catalog::refresh_story(&tx, split)?;
        tx.commit().during("committing a split")?;
        Ok(split)
    }

    fn splits(&self, id: StoryId) -> Result<Splits, StoreError> {
        self.read(|conn| {
            let from = conn
                .query_row(
                    "SELECT split_from, probability FROM story_splits WHERE story_id = ?1",
                    [id.get()],
                    |r| Ok((StoryId(r.get(0)?), r.get::<_, f64>(1)? as f32)),
                )
                .optional()
                .during("reading where a story split from")?;
            let mut stmt = conn
                .prepare(
                    "SELECT story_id, probability FROM story_splits WHERE split_from = ?1 ORDER BY story_id",
                )
                .during("listing split stories")?;
            let into = stmt
                .query_map([id.get()], |r| Ok((StoryId(r.get(0)?), r.get::<_, f64>(1)? as f32)))
                .during("listing split stories")?
                .map(|r| r.during("reading a split story"))
                .collect::<Result<_, _>>()?;
            Ok(Splits { from, into })
        })
    }

    fn add_feed(&self, feed: &NewFeed<'_>) -> Result<FeedAdded, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to add a feed")?;
        let known: Option<i64> = tx
            .query_row("SELECT id FROM feeds WHERE url = ?1", [feed.url], |r| r.get(0))
            .optional()
            .during("looking up a feed")?;
        if let Some(id) = known {
            return Ok(FeedAdded::Known(id));
        }
        let now = timestamp(Utc::now());
        let outlet = outlet_id(&tx, feed.outlet, &now)?;
        tx.execute(
            "INSERT INTO feeds (outlet_id, url, site_url, poll_seconds, fetch_pages, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![outlet, feed.url, feed.site_url, feed.poll_seconds, feed.fetch_pages, now],
        )
        .during("adding a feed")?;
        let id = tx.last_insert_rowid();
        tx.commit().during("committing a feed")?;
        Ok(FeedAdded::New(id))
    }

    fn feeds(&self) -> Result<Vec<FeedRecord>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT f.id, o.name, f.url, f.site_url, f.poll_seconds, f.fetch_pages, f.last_polled, f.last_error,
                            f.etag, f.last_modified, f.failures, f.retry_at
                     FROM feeds f JOIN outlets o ON o.id = f.outlet_id ORDER BY o.name COLLATE NOCASE, f.url",
                )
                .during("listing feeds")?;
            let rows = statement
                .query_map([], |r| {
                    let last_polled: Option<String> = r.get(6)?;
                    Ok(FeedRecord {
                        id: r.get(0)?,
                        outlet: r.get(1)?,
                        url: r.get(2)?,
                        site_url: r.get(3)?,
                        poll_seconds: r.get(4)?,
                        fetch_pages: r.get(5)?,
                        last_polled: parse_time(last_polled),
                        last_error: r.get(7)?,
                        etag: r.get(8)?,
                        last_modified: r.get(9)?,
                        failures: r.get(10)?,
                        retry_at: parse_time(r.get(11)?),
                    })
                })
                .during("listing feeds")?;
            rows.collect::<Result<Vec<_>, _>>().during("reading feeds")
        })
    }

    fn update_feed(&self, feed: i64, settings: &FeedSettings) -> Result<bool, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting a feed update")?;
        let outlet = match &settings.outlet {
            Some(name) => Some(outlet_id(&tx, name, &timestamp(Utc::now()))?),
            None => None,
        };
        let updated = tx
            .execute(
                "UPDATE feeds SET outlet_id = coalesce(?2, outlet_id), poll_seconds = coalesce(?3, poll_seconds),
                     fetch_pages = coalesce(?4, fetch_pages)
                 WHERE id = ?1",
                params![feed, outlet, settings.poll_seconds, settings.fetch_pages],
            )
            .during("updating a feed")?;
        tx.commit().during("committing a feed update")?;
        Ok(updated == 1)
    }

    fn take_poll(&self, feed: i64, last_polled: Option<DateTime<Utc>>) -> Result<bool, StoreError> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let taken = conn
            .execute(
                "UPDATE feeds SET last_polled = ?2 WHERE id = ?1 AND last_polled IS ?3",
                params![feed, timestamp(Utc::now()), last_polled.map(timestamp)],
            )
            .during("taking a feed's poll")?;
        Ok(taken == 1)
    }

    fn record_poll(&self, feed: i64, poll: &PollRecord, jobs: &[NewJob<'_>]) -> Result<usize, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to record a poll")?;
        let now = timestamp(Utc::now());
        tx.execute(
            "UPDATE feeds SET last_polled = ?2, last_error = ?3, etag = ?4, last_modified = ?5, retry_at = ?6,
                 failures = CASE WHEN ?3 IS NULL THEN 0 ELSE failures + 1 END
             WHERE id = ?1",
            params![feed, now, poll.error, poll.etag, poll.last_modified, poll.retry_at.map(timestamp)],
        )
        .during("recording a poll")?;
        let queued = queue::enqueue(&tx, Some(feed), jobs, &now)?;
        tx.commit().during("committing a poll")?;
        if queued > 0 {
            self.wakeups.notify_one();
        }
        Ok(queued)
    }

    fn claim_job(&self, lease: std::time::Duration) -> Result<Option<Job>, StoreError> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        queue::claim(&conn, Utc::now(), lease)
    }

    fn end_job(&self, job: &Job, end: &JobEnd) -> Result<bool, StoreError> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        queue::end(&conn, job, end, Utc::now())
    }

    fn queue_counts(&self) -> Result<QueueCounts, StoreError> {
        self.read(queue::counts)
    }

    fn job_failures(&self, limit: u32) -> Result<Vec<JobFailure>, StoreError> {
        self.read(|conn| queue::failures(conn, limit))
    }

    fn prune_jobs(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        queue::prune(&conn, before)
    }

    fn insert_copy(&self, copy: &NewCopy<'_>) -> Result<Option<ArticleId>, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to keep a copy")?;
        let a = copy.article;
        if let Some(id) = find_duplicate(&tx, a.url.as_deref(), copy.content_hash)? {
            return Ok(Some(id));
        }
        let now = timestamp(Utc::now());
        let outlet = match &a.outlet {
            Some(name) => Some(outlet_id(&tx, name, &now)?),
            None => None,
        };
        let story: Option<i64> = tx
            .query_row("SELECT story_id FROM articles WHERE id = ?1", [copy.original.get()], |r| r.get(0))
            .optional()
            .during("finding a copy's original")?;
        let Some(story) = story else {
            return Err(StoreError::NoSuchArticle { id: copy.original });
        };
        tx.execute(
            "INSERT INTO article_copies (article_id, outlet_id, canonical_url, content_hash, title, published,
                                         similarity, found_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                copy.original.get(),
                outlet,
                a.url,
                copy.content_hash,
                a.title,
                a.published.map(|t| timestamp(t.to_utc())),
                copy.similarity,
                now
            ],
        )
        .during("keeping a copy")?;
        tx.execute("UPDATE stories SET updated_at = ?1 WHERE id = ?2", params![now, story])
            .during("updating a copy's story")?;
        tx.commit().during("committing a copy")?;
        Ok(None)
    }

    fn copies(&self, id: ArticleId) -> Result<Vec<CopyRecord>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT o.name, c.canonical_url, c.title, c.published, c.similarity
                     FROM article_copies c LEFT JOIN outlets o ON o.id = c.outlet_id
                     WHERE c.article_id = ?1 ORDER BY c.id",
                )
                .during("listing copies")?;
            let rows = statement
                .query_map([id.get()], |r| {
                    Ok(CopyRecord {
                        outlet: r.get(0)?,
                        url: r.get(1)?,
                        title: r.get(2)?,
                        published: parse_time(r.get(3)?),
                        similarity: r.get(4)?,
                    })
                })
                .during("listing copies")?;
            rows.collect::<Result<_, _>>().during("reading copies")
        })
    }

    fn signatures(&self, limit: usize) -> Result<Vec<StoredSignature>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare("SELECT id, signature FROM (SELECT id, signature FROM articles ORDER BY id DESC LIMIT ?1) ORDER BY id")
                .during("reading signatures")?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = statement
                .query_map([limit], |r| Ok((ArticleId(r.get(0)?), r.get(1)?)))
                .during("reading signatures")?;
            rows.collect::<Result<_, _>>().during("reading signatures")
        })
    }

    fn set_signature(&self, id: ArticleId, signature: &[u8]) -> Result<(), StoreError> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute("UPDATE articles SET signature = ?2 WHERE id = ?1", params![id.get(), signature])
            .during("storing a signature")?;
        Ok(())
    }

    fn find_duplicate(&self, url: Option<&str>, content_hash: &str) -> Result<Option<ArticleId>, StoreError> {
        self.read(|conn| find_duplicate(conn, url, content_hash))
    }

    fn insert_article(&self, new: &NewArticle<'_>) -> Result<Inserted, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).during("starting an insert")?;
        if let Some(id) = find_duplicate(&tx, new.article.url.as_deref(), new.content_hash)? {
            return Ok(Inserted::Duplicate { id });
        }
        // The writer connection serialises inserts, so this sees every article stored before.
        if let Some(after) = new.decided_after {
            let newest: Option<i64> = tx
                .query_row("SELECT max(id) FROM articles", [], |r| r.get(0))
                .during("reading the newest article")?;
            if let Some(newest) = newest.filter(|&newest| newest > after.get()) {
                return Ok(Inserted::Stale { newest: ArticleId(newest) });
            }
        }
        let now = timestamp(Utc::now());
        let outlet_id: Option<i64> = match &new.article.outlet {
            Some(name) => Some(outlet_id(&tx, name, &now)?),
            None => None,
        };
        let joined = match new.assignment.story {
            Some(story) => {
                // A story merged away since the decision goes on as the story it was merged into.
                let story = tx
                    .query_row("SELECT story_id FROM story_aliases WHERE alias = ?1", [story.get()], |r| {
                        r.get(0).map(StoryId)
                    })
                    .optional()
                    .during("following a story alias")?
                    .unwrap_or(story);
                let updated = tx
                    .execute("UPDATE stories SET updated_at = ?1 WHERE id = ?2", params![now, story.get()])
                    .during("updating a story")?;
                (updated == 1).then_some(story)
            }
            None => None,
        };
        let (story, opened_story) = match joined {
            Some(story) => (story, false),
            None => {
                tx.execute(
                    "INSERT INTO stories (title, created_at, updated_at) VALUES (?1, ?2, ?2)",
                    params![new.article.title, now],
                )
                .during("opening a story")?;
                (StoryId(tx.last_insert_rowid()), true)
            }
        };
        let a = new.article;
        tx.execute(
            "INSERT INTO articles (story_id, outlet_id, canonical_url, content_hash, title, published, ingested_at,
                                   lead, image_url, article_json, analysis_json, assignment_json,
                                   analysis_version, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                story.get(),
                outlet_id,
                a.url,
                new.content_hash,
                a.title,
                a.published.map(|t| timestamp(t.to_utc())),
                now,
                a.lead().unwrap_or_default(),
                a.image.as_ref().and_then(|i| i.url.clone()),
                json(a),
                json(new.analysis),
                json(new.assignment),
                new.analysis.version,
                new.signature,
            ],
        )
        .during("inserting an article")?;
        let id = ArticleId(tx.last_insert_rowid());
        catalog::write_text_index(&tx, id, a)?;
        catalog::write_analysis_index(&tx, id, new.analysis)?;
        catalog::refresh_story(&tx, story)?;
        tx.commit().during("committing an article")?;
        Ok(Inserted::New { id, story, opened_story })
    }

    fn outdated_analyses(&self, version: u32) -> Result<Vec<ArticleId>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT id FROM articles WHERE analysis_version < ?1 ORDER BY id")
                .during("finding outdated analyses")?;
            stmt.query_map([version], |r| Ok(ArticleId(r.get(0)?)))
                .during("finding outdated analyses")?
                .collect::<Result<Vec<_>, _>>()
                .during("finding outdated analyses")
        })
    }

    fn replace_analysis(&self, id: ArticleId, analysis: &Analysis) -> Result<(), StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .during("starting an analysis update")?;
            tx.execute(
                "UPDATE articles SET analysis_json = ?1, analysis_version = ?2 WHERE id = ?3",
                params![json(analysis), analysis.version, id.get()],
            )
            .during("updating an analysis")?;
            catalog::write_analysis_index(&tx, id, analysis)?;
            tx.commit().during("committing an analysis update")
        }
    }

    fn entity_names(&self, kind: EntityKind) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT DISTINCT name FROM article_entities WHERE kind = ?1 ORDER BY name")
                .during("listing entity names")?;
            stmt.query_map([kind.as_str()], |r| r.get(0))
                .during("listing entity names")?
                .collect::<Result<Vec<String>, _>>()
                .during("listing entity names")
        })
    }

    fn cluster_members(
        &self,
        span: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<ClusterMember>, StoreError> {
        self.read(|conn| {
            let newest: Option<String> = conn
                .query_row("SELECT MAX(published) FROM articles", [], |r| r.get(0))
                .during("reading the newest publication time")?;
            let since = parse_time(newest).and_then(|t| t.checked_sub_signed(span)).map(timestamp);
            let mut stmt = conn
                .prepare(
                    "SELECT id, story_id, published, analysis_json FROM articles
                     WHERE ?1 IS NULL OR published IS NULL OR published > ?1 ORDER BY id DESC LIMIT ?2",
                )
                .during("reading clustering state")?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows =
                stmt.query_map(params![since, limit], member_row).during("reading clustering state")?;
            let mut members = rows
                .map(|row| member(row.during("reading clustering state")?))
                .collect::<Result<Vec<_>, _>>()?;
            members.reverse();
            Ok(members)
        })
    }

    fn cluster_members_after(&self, after: ArticleId) -> Result<Vec<ClusterMember>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT id, story_id, published, analysis_json FROM articles WHERE id > ?1 ORDER BY id",
                )
                .during("reading new clustering state")?;
            let rows = stmt.query_map([after.get()], member_row).during("reading new clustering state")?;
            rows.map(|row| member(row.during("reading new clustering state")?)).collect()
        })
    }

    fn stories(&self, page: Page) -> Result<Vec<Story>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT id, title, created_at FROM stories ORDER BY updated_at DESC, id DESC LIMIT ?1 OFFSET ?2")
                .during("listing stories")?;
            let heads = stmt
                .query_map(params![i64::from(page.limit), i64::from(page.offset)], |r| {
                    Ok((StoryId(r.get(0)?), r.get(1)?, r.get(2)?))
                })
                .during("listing stories")?
                .collect::<Result<Vec<_>, _>>()
                .during("listing stories")?;
            load_stories(conn, heads)
        })
    }

    fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        self.read(|conn| {
            let head = conn
                .query_row("SELECT id, title, created_at FROM stories WHERE id = ?1", [id.get()], |r| {
                    Ok((StoryId(r.get(0)?), r.get(1)?, r.get(2)?))
                })
                .optional()
                .during("reading a story")?;
            Ok(load_stories(conn, head.into_iter().collect())?.pop())
        })
    }

    fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>, StoreError> {
        self.read(|conn| {
            let row = conn
                .query_row(
                    "SELECT story_id, ingested_at, content_hash, article_json FROM articles WHERE id = ?1",
                    [id.get()],
                    |r| Ok((StoryId(r.get(0)?), r.get::<_, String>(1)?, r.get(2)?, r.get::<_, String>(3)?)),
                )
                .optional()
                .during("reading an article")?;
            let Some((story, ingested_at, content_hash, article)) = row else {
                return Ok(None);
            };
            let article: Article = from_json(&article, "article")?;
            Ok(Some(StoredArticle {
                id,
                story: Some(story),
                ingested_at: parse_time(Some(ingested_at)).unwrap_or_default(),
                content_hash,
                article,
            }))
        })
    }

    fn analysis(&self, id: ArticleId) -> Result<Option<Analysis>, StoreError> {
        self.read(|conn| json_column(conn, JsonColumn::Analysis, id))
    }

    fn story_analyses(&self, id: StoryId) -> Result<Vec<(ArticleId, Analysis)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT id, analysis_json FROM articles WHERE story_id = ?1
                     ORDER BY published IS NULL, published, id",
                )
                .during("reading a story's analyses")?;
            let rows = stmt
                .query_map([id.get()], |r| Ok((ArticleId(r.get(0)?), r.get::<_, String>(1)?)))
                .during("reading a story's analyses")?;
            let mut out = Vec::new();
            for row in rows {
                let (article, raw) = row.during("reading a story's analyses")?;
                out.push((article, from_json(&raw, "analysis")?));
            }
            Ok(out)
        })
    }

    fn assignment(&self, id: ArticleId) -> Result<Option<Assignment>, StoreError> {
        self.read(|conn| json_column(conn, JsonColumn::Assignment, id))
    }

    fn story_assignments(&self, id: StoryId) -> Result<HashMap<ArticleId, Assignment>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare("SELECT id, assignment_json FROM articles WHERE story_id = ?1")
                .during("reading a story's assignments")?;
            let rows = stmt
                .query_map([id.get()], |r| Ok((ArticleId(r.get(0)?), r.get::<_, Option<String>>(1)?)))
                .during("reading a story's assignments")?;
            let mut out = HashMap::new();
            for row in rows {
                if let (article, Some(raw)) = row.during("reading a story's assignments")? {
                    out.insert(article, from_json(&raw, "assignment")?);
                }
            }
            Ok(out)
        })
    }

    fn ranked_stories(&self, page: Page) -> Result<Vec<Story>, StoreError> {
        self.read(|conn| catalog::ranked_stories(conn, page))
    }

    fn story_heads(&self, page: Page) -> Result<Vec<StoryHead>, StoreError> {
        self.read(|conn| catalog::story_heads(conn, page))
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults, StoreError> {
        self.read(|conn| catalog::search(conn, query))
    }

    fn story_entities(
        &self,
        stories: &[StoryId],
        limit: usize,
    ) -> Result<HashMap<StoryId, Vec<EntityMention>>, StoreError> {
        self.read(|conn| catalog::story_entities(conn, stories, limit))
    }

    fn entity(&self, id: &str) -> Result<Option<EntityRecord>, StoreError> {
        self.read(|conn| catalog::entity(conn, id))
    }

    fn entity_stories(&self, id: &str, page: Page) -> Result<Vec<Story>, StoreError> {
        self.read(|conn| catalog::entity_stories(conn, id, page))
    }

    fn related_entities(&self, id: &str, limit: usize) -> Result<Vec<EntityMention>, StoreError> {
        self.read(|conn| catalog::related_entities(conn, id, limit))
    }

    fn top_entities(&self, kind: Option<EntityKind>, page: Page) -> Result<Vec<EntityMention>, StoreError> {
        self.read(|conn| catalog::top_entities(conn, kind, page))
    }

    fn outlets(&self) -> Result<Vec<OutletRecord>, StoreError> {
        self.read(catalog::outlets)
    }

    fn outlet_names(&self) -> Result<Vec<(OutletId, String)>, StoreError> {
        self.read(catalog::outlet_names)
    }

    fn outlet_ids(&self, names: &[String]) -> Result<HashMap<String, OutletId>, StoreError> {
        self.read(|conn| catalog::outlet_ids(conn, names))
    }

    fn outlet(&self, id: OutletId) -> Result<Option<OutletRecord>, StoreError> {
        self.read(|conn| catalog::outlet(conn, id))
    }

    fn outlet_articles(
        &self,
        id: OutletId,
        page: Page,
    ) -> Result<Vec<(ArticleSummary, StoryId)>, StoreError> {
        self.read(|conn| catalog::outlet_articles(conn, id, page))
    }

    fn create_user(&self, name: &str, password_hash: &str, role: Role) -> Result<Option<User>, StoreError> {
        self.write("creating an account", |tx| community::create_user(tx, name, password_hash, role))
    }

    fn credentials(&self, name: &str) -> Result<Option<Credentials>, StoreError> {
        self.read(|conn| community::credentials(conn, name))
    }

    fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.read(|conn| community::user(conn, id))
    }

    fn set_password(&self, id: UserId, password_hash: &str) -> Result<bool, StoreError> {
        self.write("changing a password", |tx| community::set_password(tx, id, password_hash))
    }

    fn set_role(&self, id: UserId, role: Role, actor: Option<UserId>) -> Result<bool, StoreError> {
        self.write("changing a role", |tx| community::set_role(tx, id, role, actor))
    }

    fn open_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write("opening a session", |tx| community::open_session(tx, user, token_hash, csrf, expires_at))
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        self.read(|conn| community::session(conn, token_hash))
    }

    fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.write("closing a session", |tx| community::close_session(tx, token_hash))
    }

    fn close_sessions(&self, user: UserId) -> Result<(), StoreError> {
        self.write("closing sessions", |tx| community::close_sessions(tx, user))
    }

    fn add_reset_token(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write("issuing a reset token", |tx| community::add_reset_token(tx, user, token_hash, expires_at))
    }

    fn use_reset_token(&self, token_hash: &str, password_hash: &str) -> Result<Option<UserId>, StoreError> {
        self.write("using a reset token", |tx| community::use_reset_token(tx, token_hash, password_hash))
    }

    fn add_api_token(&self, user: UserId, token_hash: &str) -> Result<(), StoreError> {
        self.write("issuing an API token", |tx| community::add_api_token(tx, user, token_hash))
    }

    fn revoke_api_tokens(&self, user: UserId) -> Result<(), StoreError> {
        self.write("revoking API tokens", |tx| community::revoke_api_tokens(tx, user))
    }

    fn api_token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        self.read(|conn| community::api_token_user(conn, token_hash))
    }

    fn post_comment(&self, comment: &NewComment<'_>) -> Result<Posted, StoreError> {
        self.write("posting a comment", |tx| community::post_comment(tx, comment))
    }

    fn comments(&self, target: Target) -> Result<Vec<Comment>, StoreError> {
        self.read(|conn| community::comments(conn, target))
    }

    fn comment(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        self.read(|conn| community::comment(conn, id))
    }

    fn edit_comment(
        &self,
        id: CommentId,
        author: UserId,
        source: &str,
        html: &str,
        window: std::time::Duration,
    ) -> Result<AuthorChange, StoreError> {
        self.write("editing a comment", |tx| community::edit_comment(tx, id, author, source, html, window))
    }

    fn delete_comment(&self, id: CommentId, author: UserId) -> Result<AuthorChange, StoreError> {
        self.write("deleting a comment", |tx| community::delete_comment(tx, id, author))
    }

    fn vote(&self, id: CommentId, user: UserId, value: i8) -> Result<Option<(u32, u32)>, StoreError> {
        self.write("voting", |tx| community::vote(tx, id, user, value))
    }

    fn votes_by(&self, user: UserId, target: Target) -> Result<HashMap<CommentId, i8>, StoreError> {
        self.read(|conn| community::votes_by(conn, user, target))
    }

    fn rate_story(&self, story: StoryId, user: UserId, helpful: Option<bool>) -> Result<(), StoreError> {
        self.write("rating a story", |tx| community::rate_story(tx, story, user, helpful))
    }

    fn ratings(&self, story: StoryId, user: Option<UserId>) -> Result<(Ratings, Option<bool>), StoreError> {
        self.read(|conn| community::ratings(conn, story, user))
    }

    fn report_comment(&self, id: CommentId, user: UserId, reason: &str) -> Result<bool, StoreError> {
        self.write("reporting a comment", |tx| community::report_comment(tx, id, user, reason))
    }

    fn reported_comments(&self, limit: u32) -> Result<Vec<ReportedComment>, StoreError> {
        self.read(|conn| community::reported_comments(conn, limit))
    }

    fn moderate(
        &self,
        id: CommentId,
        action: Moderation,
        actor: UserId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        self.write("moderating a comment", |tx| community::moderate(tx, id, action, actor, reason))
    }

    fn lock_thread(
        &self,
        target: Target,
        locked: bool,
        actor: UserId,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.write("locking a thread", |tx| community::lock_thread(tx, target, locked, actor, reason))
    }

    fn thread_locked(&self, target: Target) -> Result<bool, StoreError> {
        self.read(|conn| community::thread_locked(conn, target))
    }

    fn ban_user(&self, id: UserId, banned: bool, actor: UserId, reason: &str) -> Result<bool, StoreError> {
        self.write("banning an account", |tx| community::ban_user(tx, id, banned, actor, reason))
    }

    fn purge_comment(&self, id: CommentId, actor: UserId, reason: &str) -> Result<bool, StoreError> {
        self.write("purging a comment", |tx| community::purge_comment(tx, id, actor, reason))
    }

    fn audit_log(&self, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|conn| community::audit_log(conn, page))
    }

    fn rate_limit(&self, key: &str, window: std::time::Duration, max: u32) -> Result<bool, StoreError> {
        self.write("counting for a rate limit", |tx| community::rate_limit(tx, key, window, max))
    }

    fn job_wakeups(&self) -> Result<std::sync::Arc<tokio::sync::Notify>, StoreError> {
        Ok(self.wakeups.clone())
    }

    fn table_rows(&self, table: &crate::transfer::Table) -> Result<u64, StoreError> {
        self.read(|conn| transfer::table_rows(conn, table))
    }

    fn export_rows(
        &self,
        table: &crate::transfer::Table,
        after: Option<&[crate::transfer::Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<crate::transfer::Value>>, StoreError> {
        self.read(|conn| transfer::export_rows(conn, table, after, limit))
    }

    fn last_key(&self, table: &crate::transfer::Table) -> Result<Option<i64>, StoreError> {
        self.read(|conn| transfer::last_key(conn, table))
    }

    fn import_rows(
        &self,
        table: &crate::transfer::Table,
        rows: &[Vec<crate::transfer::Value>],
    ) -> Result<usize, StoreError> {
        self.write("copying rows", |tx| transfer::import_rows(tx, table, rows))
    }

    fn finish_import(&self) -> Result<(), StoreError> {
        // SQLite hands out the next rowid after the greatest one stored.
        Ok(())
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM stories), (SELECT count(*) FROM outlets)",
                [],
                |r| {
                    let count = |i| r.get::<_, i64>(i).map(|n| n.max(0) as u64);
                    Ok(Counts { articles: count(0)?, stories: count(1)?, outlets: count(2)? })
                },
            )
            .during("counting")
        })
    }
}

#[cfg(test)]
mod tests;

/// The story `id` is now (itself, or the story it was merged into), if it still exists.
fn live_story(tx: &rusqlite::Transaction<'_>, id: StoryId) -> Result<Option<i64>, StoreError> {
    tx.query_row(
        "SELECT id FROM stories WHERE id = coalesce((SELECT story_id FROM story_aliases WHERE alias = ?1), ?1)",
        [id.get()],
        |r| r.get(0),
    )
    .optional()
    .during("finding a story to merge")
}

/// The id of the outlet of this name (any case), created when new.
fn outlet_id(tx: &rusqlite::Transaction<'_>, name: &str, now: &str) -> Result<i64, StoreError> {
    tx.execute("INSERT OR IGNORE INTO outlets (name, created_at) VALUES (?1, ?2)", params![name, now])
        .during("adding an outlet")?;
    tx.query_row("SELECT id FROM outlets WHERE name = ?1", [name], |r| r.get(0)).during("finding an outlet")
}
