//! Articles, their stories and the feeds they come from, in PostgreSQL: feeds and polls, stored
//! articles with their copies, signatures and analyses, story assignment, merges and splits, and the
//! reads clustering rebuilds its state from.
//!
//! Every change that decides or reshapes stories (inserting an article or a copy, merging,
//! splitting) first takes the [`locks::STORIES`] advisory lock, held until commit: across every
//! process on the database such changes happen one at a time, so an assignment sees every article
//! stored before it and article ids are handed out in commit order. Times are the server's
//! (`statement_timestamp()`), so that processes on different hosts agree and a change made under the
//! lock is timed after the lock was granted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use parallax_cluster::{Assignment, Evidence};
use parallax_core::{Article, ArticleId, StoredArticle, Story, StoryId};
use parallax_nlp::{Analysis, EntityKind};
use serde::de::DeserializeOwned;
use tokio_postgres::Row;

use super::{Db, JOBS_CHANNEL, PostgresStore, catalog, count, from_json, json, locks, outlet_id, queue};
use crate::{
    ClusterMember, CopyRecord, Counts, FeedAdded, FeedRecord, FeedSettings, Inserted, NewArticle, NewCopy,
    NewFeed, NewJob, Page, PollRecord, Splits, StoreError, StoredSignature,
};

/// Takes the stories lock until the transaction ends. The transaction runs at READ COMMITTED, so
/// each statement after this one sees everything committed by the holders before it.
fn lock_stories(tx: &impl Db) -> Result<(), StoreError> {
    tx.exec("SELECT pg_advisory_xact_lock($1)", &[&locks::STORIES], "waiting for the stories lock")?;
    Ok(())
}

/// A setting or count stored as `bigint` from a `u32`, read back as one.
fn small(row: &Row, index: usize) -> u32 {
    u32::try_from(row.get::<_, i64>(index).max(0)).unwrap_or(u32::MAX)
}

/// A probability or similarity stored as `double precision` from an `f32`.
fn f32_at(row: &Row, index: usize) -> f32 {
    row.get::<_, f64>(index) as f32
}

pub(super) fn add_feed(store: &PostgresStore, feed: &NewFeed<'_>) -> Result<FeedAdded, StoreError> {
    const KNOWN: &str = "SELECT id FROM feeds WHERE url = $1";
    store.write("adding a feed", |tx| {
        if let Some(row) = tx.opt(KNOWN, &[&feed.url], "looking up a feed")? {
            return Ok(FeedAdded::Known(row.get(0)));
        }
        let outlet = outlet_id(tx, feed.outlet)?;
        let inserted = tx.opt(
            "INSERT INTO feeds (outlet_id, url, site_url, poll_seconds, fetch_pages, created_at)
             VALUES ($1, $2, $3, $4, $5, statement_timestamp())
             ON CONFLICT (url) DO NOTHING RETURNING id",
            &[&outlet, &feed.url, &feed.site_url, &i64::from(feed.poll_seconds), &feed.fetch_pages],
            "adding a feed",
        )?;
        Ok(match inserted {
            Some(row) => FeedAdded::New(row.get(0)),
            // Another process added it since the lookup: the insert waited for that commit, so the
            // lookup finds it now.
            None => FeedAdded::Known(tx.row(KNOWN, &[&feed.url], "looking up a feed")?.get(0)),
        })
    })
}

pub(super) fn feeds(store: &PostgresStore) -> Result<Vec<FeedRecord>, StoreError> {
    store.read(|db| {
        let rows = db.rows(
            "SELECT f.id, o.name, f.url, f.site_url, f.poll_seconds, f.fetch_pages, f.last_polled, f.last_error,
                    f.etag, f.last_modified, f.failures, f.retry_at
             FROM feeds f JOIN outlets o ON o.id = f.outlet_id ORDER BY lower(o.name), f.url",
            &[],
            "listing feeds",
        )?;
        Ok(rows
            .iter()
            .map(|r| FeedRecord {
                id: r.get(0),
                outlet: r.get(1),
                url: r.get(2),
                site_url: r.get(3),
                poll_seconds: small(r, 4),
                fetch_pages: r.get(5),
                last_polled: r.get(6),
                last_error: r.get(7),
                etag: r.get(8),
                last_modified: r.get(9),
                failures: small(r, 10),
                retry_at: r.get(11),
            })
            .collect())
    })
}

pub(super) fn update_feed(
    store: &PostgresStore,
    feed: i64,
    settings: &FeedSettings,
) -> Result<bool, StoreError> {
    store.write("updating a feed", |tx| {
        let outlet = settings.outlet.as_deref().map(|name| outlet_id(tx, name)).transpose()?;
        let updated = tx.exec(
            "UPDATE feeds SET outlet_id = coalesce($2, outlet_id), poll_seconds = coalesce($3, poll_seconds),
                 fetch_pages = coalesce($4, fetch_pages)
             WHERE id = $1",
            &[&feed, &outlet, &settings.poll_seconds.map(i64::from), &settings.fetch_pages],
            "updating a feed",
        )?;
        Ok(updated == 1)
    })
}

pub(super) fn record_poll(
    store: &PostgresStore,
    feed: i64,
    poll: &PollRecord,
    jobs: &[NewJob<'_>],
) -> Result<usize, StoreError> {
    store.write("recording a poll", |tx| {
        tx.exec(
            "UPDATE feeds SET last_polled = statement_timestamp(), last_error = $2, etag = $3,
                 last_modified = $4, retry_at = $5,
                 failures = CASE WHEN $2::text IS NULL THEN 0 ELSE failures + 1 END
             WHERE id = $1",
            &[&feed, &poll.error, &poll.etag, &poll.last_modified, &poll.retry_at],
            "recording a poll",
        )?;
        let queued = queue::enqueue(tx, Some(feed), jobs)?;
        if queued > 0 {
            // Delivered on commit, to wake workers waiting for jobs.
            tx.exec("SELECT pg_notify($1, '')", &[&JOBS_CHANNEL], "waking workers")?;
        }
        Ok(queued)
    })
}

pub(super) fn insert_copy(
    store: &PostgresStore,
    copy: &NewCopy<'_>,
) -> Result<Option<ArticleId>, StoreError> {
    store.write("keeping a copy", |tx| {
        // Under the lock an article and a copy of the same text cannot be stored side by side, and
        // the original cannot change story midway.
        lock_stories(tx)?;
        let a = copy.article;
        if let Some(id) = duplicate(tx, a.url.as_deref(), copy.content_hash)? {
            return Ok(Some(id));
        }
        let story: Option<i64> = tx
            .opt(
                "SELECT story_id FROM articles WHERE id = $1",
                &[&copy.original.get()],
                "finding a copy's original",
            )?
            .map(|r| r.get(0));
        let Some(story) = story else { return Err(StoreError::NoSuchArticle { id: copy.original }) };
        let outlet = a.outlet.as_deref().map(|name| outlet_id(tx, name)).transpose()?;
        tx.exec(
            "INSERT INTO article_copies (article_id, outlet_id, canonical_url, content_hash, title, published,
                                         similarity, found_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, statement_timestamp())",
            &[
                &copy.original.get(),
                &outlet,
                &a.url,
                &copy.content_hash,
                &a.title,
                &a.published.map(|t| t.to_utc()),
                &f64::from(copy.similarity),
            ],
            "keeping a copy",
        )?;
        tx.exec(
            "UPDATE stories SET updated_at = statement_timestamp() WHERE id = $1",
            &[&story],
            "updating a copy's story",
        )?;
        Ok(None)
    })
}

pub(super) fn copies(store: &PostgresStore, id: ArticleId) -> Result<Vec<CopyRecord>, StoreError> {
    store.read(|db| {
        let rows = db.rows(
            "SELECT o.name, c.canonical_url, c.title, c.published, c.similarity
             FROM article_copies c LEFT JOIN outlets o ON o.id = c.outlet_id
             WHERE c.article_id = $1 ORDER BY c.id",
            &[&id.get()],
            "listing copies",
        )?;
        Ok(rows
            .iter()
            .map(|r| CopyRecord {
                outlet: r.get(0),
                url: r.get(1),
                title: r.get(2),
                published: r.get(3),
                similarity: f32_at(r, 4),
            })
            .collect())
    })
}

pub(super) fn signatures(store: &PostgresStore, limit: usize) -> Result<Vec<StoredSignature>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    store.read(|db| {
        let rows = db.rows(
            "SELECT id, signature FROM (SELECT id, signature FROM articles ORDER BY id DESC LIMIT $1) latest
             ORDER BY id",
            &[&limit],
            "reading signatures",
        )?;
        Ok(rows.iter().map(|r| (ArticleId(r.get(0)), r.get(1))).collect())
    })
}

pub(super) fn set_signature(
    store: &PostgresStore,
    id: ArticleId,
    signature: &[u8],
) -> Result<(), StoreError> {
    store.write("storing a signature", |tx| {
        tx.exec(
            "UPDATE articles SET signature = $2 WHERE id = $1",
            &[&id.get(), &signature],
            "storing a signature",
        )?;
        Ok(())
    })
}

/// The story `id` is now (itself, or the story it was merged into), if it still exists.
fn live_story(tx: &impl Db, id: StoryId) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .opt(
            "SELECT id FROM stories WHERE id = coalesce((SELECT story_id FROM story_aliases WHERE alias = $1), $1)",
            &[&id.get()],
            "finding a story to merge",
        )?
        .map(|row| row.get(0)))
}

pub(super) fn merge_stories(
    store: &PostgresStore,
    kept: StoryId,
    absorbed: StoryId,
    probability: f32,
) -> Result<(), StoreError> {
    if kept == absorbed {
        return Ok(());
    }
    store.write("merging stories", |tx| {
        lock_stories(tx)?;
        // Another process's maintenance may have merged either story since this one was decided.
        let (Some(kept), Some(absorbed)) = (live_story(tx, kept)?, live_story(tx, absorbed)?) else {
            return Ok(());
        };
        if kept == absorbed {
            return Ok(());
        }
        tx.exec(
            "UPDATE articles SET story_id = $1 WHERE story_id = $2",
            &[&kept, &absorbed],
            "moving articles to the merged story",
        )?;
        tx.exec(
            "UPDATE story_aliases SET story_id = $1 WHERE story_id = $2",
            &[&kept, &absorbed],
            "re-pointing aliases",
        )?;
        tx.exec(
            "INSERT INTO story_aliases (alias, story_id, probability, merged_at)
             VALUES ($1, $2, $3, statement_timestamp())
             ON CONFLICT (alias) DO UPDATE
                 SET story_id = excluded.story_id, probability = excluded.probability,
                     merged_at = excluded.merged_at",
            &[&absorbed, &kept, &f64::from(probability)],
            "recording an alias",
        )?;
        tx.exec(
            "UPDATE story_splits SET split_from = $1 WHERE split_from = $2",
            &[&kept, &absorbed],
            "re-pointing splits",
        )?;
        tx.exec("DELETE FROM story_splits WHERE story_id = $1", &[&absorbed], "forgetting a split")?;
        // The absorbed story's discussion, ratings and lock go with its reports.
        tx.exec(
            "UPDATE comments SET target_id = $1 WHERE target_kind = 'story' AND target_id = $2",
            &[&kept, &absorbed],
            "moving a merged story's comments",
        )?;
        tx.exec(
            "INSERT INTO story_ratings (story_id, user_id, helpful)
             SELECT $1, user_id, helpful FROM story_ratings WHERE story_id = $2
             ON CONFLICT DO NOTHING",
            &[&kept, &absorbed],
            "moving a merged story's ratings",
        )?;
        tx.exec("DELETE FROM story_ratings WHERE story_id = $1", &[&absorbed], "moving ratings")?;
        tx.exec(
            "INSERT INTO thread_locks (target_kind, target_id, locked_by, locked_at)
             SELECT 'story', $1, locked_by, locked_at FROM thread_locks
             WHERE target_kind = 'story' AND target_id = $2
             ON CONFLICT DO NOTHING",
            &[&kept, &absorbed],
            "moving a merged story's lock",
        )?;
        tx.exec(
            "DELETE FROM thread_locks WHERE target_kind = 'story' AND target_id = $1",
            &[&absorbed],
            "moving a lock",
        )?;
        tx.exec("DELETE FROM stories WHERE id = $1", &[&absorbed], "removing a merged story")?;
        tx.exec(
            "UPDATE stories SET updated_at = statement_timestamp() WHERE id = $1",
            &[&kept],
            "updating a story",
        )?;
        catalog::refresh_story(tx, StoryId(kept))
    })
}

pub(super) fn story_alias(store: &PostgresStore, id: StoryId) -> Result<Option<StoryId>, StoreError> {
    store.read(|db| alias(db, id))
}

/// The story a merged-away story now is.
fn alias(db: &impl Db, id: StoryId) -> Result<Option<StoryId>, StoreError> {
    Ok(db
        .opt("SELECT story_id FROM story_aliases WHERE alias = $1", &[&id.get()], "reading a story alias")?
        .map(|r| StoryId(r.get(0))))
}

pub(super) fn merged_into(store: &PostgresStore, id: StoryId) -> Result<Vec<(StoryId, f32)>, StoreError> {
    store.read(|db| {
        let rows = db.rows(
            "SELECT alias, probability FROM story_aliases WHERE story_id = $1 ORDER BY alias",
            &[&id.get()],
            "listing merged stories",
        )?;
        Ok(rows.iter().map(|r| (StoryId(r.get(0)), f32_at(r, 1))).collect())
    })
}

pub(super) fn split_story(
    store: &PostgresStore,
    story: StoryId,
    articles: &[ArticleId],
    probability: f32,
) -> Result<StoryId, StoreError> {
    let ids: Vec<i64> = articles.iter().map(|a| a.get()).collect();
    store.write("splitting a story", |tx| {
        lock_stories(tx)?;
        // In the order asked for: the first article that moves names the new story.
        let first = tx.opt(
            "SELECT title FROM articles WHERE story_id = $1 AND id = ANY($2)
             ORDER BY array_position($2, id) LIMIT 1",
            &[&story.get(), &ids],
            "reading the articles to split off",
        )?;
        let Some(first) = first else { return Err(StoreError::NothingToSplit { story }) };
        let title: String = first.get(0);
        let split: i64 = tx
            .row(
                "INSERT INTO stories (title, created_at, updated_at)
                 VALUES ($1, statement_timestamp(), statement_timestamp()) RETURNING id",
                &[&title],
                "opening a split story",
            )?
            .get(0);
        tx.exec(
            "UPDATE articles SET story_id = $1 WHERE story_id = $2 AND id = ANY($3)",
            &[&split, &story.get(), &ids],
            "moving articles to a split story",
        )?;
        tx.exec(
            "INSERT INTO story_splits (story_id, split_from, probability, split_at)
             VALUES ($1, $2, $3, statement_timestamp())",
            &[&split, &story.get(), &f64::from(probability)],
            "recording a split",
        )?;
        tx.exec(
            "UPDATE stories SET updated_at = statement_timestamp() WHERE id = $1",
            &[&story.get()],
            "updating a story",
        )?;
        catalog::refresh_story(tx, story)?;
        catalog::refresh_story(tx, StoryId(split))?;
        Ok(StoryId(split))
    })
}

pub(super) fn splits(store: &PostgresStore, id: StoryId) -> Result<Splits, StoreError> {
    store.read(|db| {
        let from = db
            .opt(
                "SELECT split_from, probability FROM story_splits WHERE story_id = $1",
                &[&id.get()],
                "reading where a story split from",
            )?
            .map(|r| (StoryId(r.get(0)), f32_at(&r, 1)));
        let into = db
            .rows(
                "SELECT story_id, probability FROM story_splits WHERE split_from = $1 ORDER BY story_id",
                &[&id.get()],
                "listing split stories",
            )?
            .iter()
            .map(|r| (StoryId(r.get(0)), f32_at(r, 1)))
            .collect();
        Ok(Splits { from, into })
    })
}

pub(super) fn find_duplicate(
    store: &PostgresStore,
    url: Option<&str>,
    content_hash: &str,
) -> Result<Option<ArticleId>, StoreError> {
    store.read(|db| duplicate(db, url, content_hash))
}

/// The stored article with this URL or text, directly or through a copy of it.
fn duplicate(db: &impl Db, url: Option<&str>, hash: &str) -> Result<Option<ArticleId>, StoreError> {
    // A NULL url compares as unknown, so it matches nothing.
    Ok(db
        .opt(
            "SELECT id FROM articles WHERE content_hash = $1 OR canonical_url = $2
             UNION ALL
             SELECT article_id FROM article_copies WHERE content_hash = $1 OR canonical_url = $2
             LIMIT 1",
            &[&hash, &url],
            "looking for a duplicate",
        )?
        .map(|r| ArticleId(r.get(0))))
}

pub(super) fn insert_article(store: &PostgresStore, new: &NewArticle<'_>) -> Result<Inserted, StoreError> {
    let a = new.article;
    store.write("inserting an article", |tx| {
        lock_stories(tx)?;
        if let Some(id) = duplicate(tx, a.url.as_deref(), new.content_hash)? {
            return Ok(Inserted::Duplicate { id });
        }
        if let Some(after) = new.decided_after {
            let newest: Option<i64> =
                tx.row("SELECT max(id) FROM articles", &[], "reading the newest article")?.get(0);
            if let Some(newest) = newest.filter(|&newest| newest > after.get()) {
                return Ok(Inserted::Stale { newest: ArticleId(newest) });
            }
        }
        let outlet = a.outlet.as_deref().map(|name| outlet_id(tx, name)).transpose()?;
        let joined = match new.assignment.story {
            Some(story) => {
                // A story merged away since the decision goes on as the story it was merged into.
                let story = alias(tx, story)?.unwrap_or(story);
                let updated = tx.exec(
                    "UPDATE stories SET updated_at = statement_timestamp() WHERE id = $1",
                    &[&story.get()],
                    "updating a story",
                )?;
                (updated == 1).then_some(story)
            }
            None => None,
        };
        let (story, opened_story) = match joined {
            Some(story) => (story, false),
            None => {
                let opened = tx.row(
                    "INSERT INTO stories (title, created_at, updated_at)
                     VALUES ($1, statement_timestamp(), statement_timestamp()) RETURNING id",
                    &[&a.title],
                    "opening a story",
                )?;
                (StoryId(opened.get(0)), true)
            }
        };
        let inserted = tx.row(
            "INSERT INTO articles (story_id, outlet_id, canonical_url, content_hash, title, published, ingested_at,
                                   lead, image_url, article_json, analysis_json, assignment_json,
                                   analysis_version, signature)
             VALUES ($1, $2, $3, $4, $5, $6, statement_timestamp(), $7, $8, $9, $10, $11, $12, $13)
             RETURNING id",
            &[
                &story.get(),
                &outlet,
                &a.url,
                &new.content_hash,
                &a.title,
                &a.published.map(|t| t.to_utc()),
                &a.lead().unwrap_or_default(),
                &a.image.as_ref().and_then(|i| i.url.as_deref()),
                &json(a),
                &json(new.analysis),
                &json(new.assignment),
                &i64::from(new.analysis.version),
                &new.signature,
            ],
            "inserting an article",
        )?;
        let id = ArticleId(inserted.get(0));
        catalog::write_text_index(tx, id, a)?;
        catalog::write_analysis_index(tx, id, new.analysis)?;
        catalog::refresh_story(tx, story)?;
        Ok(Inserted::New { id, story, opened_story })
    })
}

/// What clustering needs of an article row of `id, story_id, published, analysis_json`.
fn member(row: &Row) -> Result<ClusterMember, StoreError> {
    let analysis: Analysis = from_json(row.get(3), "analysis")?;
    Ok(ClusterMember {
        article: ArticleId(row.get(0)),
        story: StoryId(row.get(1)),
        evidence: Evidence::new(&analysis, row.get(2)),
    })
}

pub(super) fn cluster_members(
    store: &PostgresStore,
    span: chrono::Duration,
    limit: usize,
) -> Result<Vec<ClusterMember>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    store.read(|db| {
        let newest: Option<DateTime<Utc>> =
            db.row("SELECT max(published) FROM articles", &[], "reading the newest publication time")?.get(0);
        let since = newest.and_then(|t| t.checked_sub_signed(span));
        let rows = db.rows(
            "SELECT id, story_id, published, analysis_json FROM articles
             WHERE $1::timestamptz IS NULL OR published IS NULL OR published > $1
             ORDER BY id DESC LIMIT $2",
            &[&since, &limit],
            "reading clustering state",
        )?;
        rows.iter().rev().map(member).collect()
    })
}

pub(super) fn cluster_members_after(
    store: &PostgresStore,
    after: ArticleId,
) -> Result<Vec<ClusterMember>, StoreError> {
    store.read(|db| {
        db.rows(
            "SELECT id, story_id, published, analysis_json FROM articles WHERE id > $1 ORDER BY id",
            &[&after.get()],
            "reading new clustering state",
        )?
        .iter()
        .map(member)
        .collect()
    })
}

pub(super) fn stories(store: &PostgresStore, page: Page) -> Result<Vec<Story>, StoreError> {
    let (limit, offset) = super::limit(page);
    store.read(|db| {
        let heads = db
            .rows(
                "SELECT id, title, created_at FROM stories ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2",
                &[&limit, &offset],
                "listing stories",
            )?
            .iter()
            .map(|r| (StoryId(r.get(0)), r.get(1), r.get(2)))
            .collect();
        catalog::load_stories(db, heads)
    })
}

pub(super) fn story(store: &PostgresStore, id: StoryId) -> Result<Option<Story>, StoreError> {
    store.read(|db| {
        let head = db
            .opt("SELECT id, title, created_at FROM stories WHERE id = $1", &[&id.get()], "reading a story")?
            .map(|r| (StoryId(r.get(0)), r.get(1), r.get(2)));
        Ok(catalog::load_stories(db, head.into_iter().collect())?.pop())
    })
}

pub(super) fn article(store: &PostgresStore, id: ArticleId) -> Result<Option<StoredArticle>, StoreError> {
    store.read(|db| {
        let Some(row) = db.opt(
            "SELECT story_id, ingested_at, content_hash, article_json FROM articles WHERE id = $1",
            &[&id.get()],
            "reading an article",
        )?
        else {
            return Ok(None);
        };
        let article: Article = from_json(row.get(3), "article")?;
        Ok(Some(StoredArticle {
            id,
            story: Some(StoryId(row.get(0))),
            ingested_at: row.get(1),
            content_hash: row.get(2),
            article,
        }))
    })
}

/// One JSON column of an article, decoded; `sql` selects it by the article's id.
fn json_column<T: DeserializeOwned>(
    store: &PostgresStore,
    sql: &'static str,
    id: ArticleId,
    what: &'static str,
) -> Result<Option<T>, StoreError> {
    store.read(|db| {
        db.opt(sql, &[&id.get()], "reading an article's details")?
            .map(|r| from_json(r.get(0), what))
            .transpose()
    })
}

pub(super) fn analysis(store: &PostgresStore, id: ArticleId) -> Result<Option<Analysis>, StoreError> {
    json_column(store, "SELECT analysis_json FROM articles WHERE id = $1", id, "analysis")
}

pub(super) fn story_analyses(
    store: &PostgresStore,
    id: StoryId,
) -> Result<Vec<(ArticleId, Analysis)>, StoreError> {
    store.read(|db| {
        db.rows(
            "SELECT id, analysis_json FROM articles WHERE story_id = $1 ORDER BY published NULLS LAST, id",
            &[&id.get()],
            "reading a story's analyses",
        )?
        .iter()
        .map(|r| Ok((ArticleId(r.get(0)), from_json(r.get(1), "analysis")?)))
        .collect()
    })
}

pub(super) fn assignment(store: &PostgresStore, id: ArticleId) -> Result<Option<Assignment>, StoreError> {
    json_column(store, "SELECT assignment_json FROM articles WHERE id = $1", id, "assignment")
}

pub(super) fn story_assignments(
    store: &PostgresStore,
    id: StoryId,
) -> Result<HashMap<ArticleId, Assignment>, StoreError> {
    store.read(|db| {
        db.rows(
            "SELECT id, assignment_json FROM articles WHERE story_id = $1",
            &[&id.get()],
            "reading a story's assignments",
        )?
        .iter()
        .map(|r| Ok((ArticleId(r.get(0)), from_json(r.get(1), "assignment")?)))
        .collect()
    })
}

pub(super) fn counts(store: &PostgresStore) -> Result<Counts, StoreError> {
    store.read(|db| {
        let row = db.row(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM stories), (SELECT count(*) FROM outlets)",
            &[],
            "counting",
        )?;
        Ok(Counts { articles: count(&row, 0), stories: count(&row, 1), outlets: count(&row, 2) })
    })
}

pub(super) fn outdated_analyses(store: &PostgresStore, version: u32) -> Result<Vec<ArticleId>, StoreError> {
    store.read(|db| {
        Ok(db
            .rows(
                "SELECT id FROM articles WHERE analysis_version < $1 ORDER BY id",
                &[&i64::from(version)],
                "finding outdated analyses",
            )?
            .iter()
            .map(|r| ArticleId(r.get(0)))
            .collect())
    })
}

pub(super) fn replace_analysis(
    store: &PostgresStore,
    id: ArticleId,
    analysis: &Analysis,
) -> Result<(), StoreError> {
    store.write("updating an analysis", |tx| {
        tx.exec(
            "UPDATE articles SET analysis_json = $1, analysis_version = $2 WHERE id = $3",
            &[&json(analysis), &i64::from(analysis.version), &id.get()],
            "updating an analysis",
        )?;
        catalog::write_analysis_index(tx, id, analysis)
    })
}

pub(super) fn entity_names(store: &PostgresStore, kind: EntityKind) -> Result<Vec<String>, StoreError> {
    store.read(|db| {
        Ok(db
            .rows(
                "SELECT DISTINCT name FROM article_entities WHERE kind = $1 ORDER BY name",
                &[&kind.as_str()],
                "listing entity names",
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    })
}
