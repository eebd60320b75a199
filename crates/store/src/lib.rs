//! Persistence: the [`Store`] trait every part of Parallax reads and writes through, and its embedded
//! SQLite implementation, [`SqliteStore`].
//!
//! Writes are whole: [`Store::insert_article`] stores an article, its analysis, its outlet and its story
//! assignment in one transaction, and reports a [`Inserted::Duplicate`] instead when the article's
//! canonical URL or content hash is already known. Reads return the domain types of `parallax-core`.
//! [`Store::add_feed`] follows an outlet's feed once, whatever the number of times it is added;
//! [`Store::record_poll`] queues what a poll found in the work queue ([`Job`]s claimed under leases),
//! and [`Store::insert_copy`] links a copy of a stored article to it.
//!
//! ```
//! use parallax_store::{SqliteStore, Store};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = SqliteStore::open_dir(dir.path()).unwrap();
//! assert_eq!(store.counts().unwrap().articles, 0);
//! ```

mod catalog;
mod community;
#[cfg(test)]
mod conformance;
mod error;
mod postgres;
mod queue;
mod sqlite;
pub mod transfer;

pub use catalog::{
    EntityMention, EntityRecord, OutletRecord, SEARCH_PAGE, SearchHit, SearchOrder, SearchQuery,
    SearchResults, Snippet, SnippetPart, StanceCounts, StoryHead, StoryMatch,
};
pub use community::{
    AuditEntry, AuthorChange, Ban, Comment, CommentState, Credentials, Moderation, NewComment, Posted,
    Ratings, ReportedComment, Role, Session, Target, User,
};
pub use error::StoreError;
pub use postgres::{PostgresStore, ScratchDatabase};
pub use queue::{Job, JobEnd, JobFailure, MAX_CLAIMS, NewJob, QueueCounts};
pub use sqlite::SqliteStore;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use parallax_cluster::{Assignment, Evidence};
use parallax_core::{
    Article, ArticleId, ArticleSummary, CommentId, OutletId, StoredArticle, Story, StoryId, UserId,
};
use parallax_nlp::{Analysis, EntityKind};

/// A database, as its URL names it: `sqlite://PATH` (a database file, or a data directory holding
/// `parallax.db`) or `postgres://USER@HOST:PORT/DATABASE` (`postgresql://` too).
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(String),
}

impl DatabaseUrl {
    /// Reads a database URL.
    pub fn parse(url: &str) -> Result<DatabaseUrl, StoreError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }

    /// The SQLite database file of a data directory.
    pub fn data_dir(dir: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(dir.to_owned())
    }

    /// Opens the store. An SQLite file is created or brought up to date as it opens (the embedded
    /// default needs no set-up); a PostgreSQL schema must be at this build's version already
    /// (`parallax migrate` brings it there), so that no web process migrates under another.
    pub fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            DatabaseUrl::Sqlite(path) => Arc::new(open_sqlite(path)?),
            DatabaseUrl::Postgres(url) => Arc::new(PostgresStore::open(url)?),
        })
    }

    /// Creates the database's schema or brings it up to date; returns the versions before and after
    /// (`None` before for SQLite, which upgrades as it opens).
    pub fn migrate(&self) -> Result<(Option<i64>, i64), StoreError> {
        match self {
            DatabaseUrl::Sqlite(path) => Ok((None, open_sqlite(path)?.schema_version()?)),
            DatabaseUrl::Postgres(url) => {
                PostgresStore::migrate(url).map(|(_, before, after)| (Some(before), after))
            }
        }
    }
}

/// An SQLite store from a path naming a data directory (an existing directory, or a path without
/// an extension) or a database file.
fn open_sqlite(path: &std::path::Path) -> Result<SqliteStore, StoreError> {
    if path.is_dir() || path.extension().is_none() {
        SqliteStore::open_dir(path)
    } else {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| StoreError::DataDir { path: parent.to_owned(), source })?;
        }
        SqliteStore::open(path)
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&postgres::redact(url)),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Everything stored about one new article.
#[derive(Debug, Clone)]
pub struct NewArticle<'a> {
    /// The extracted article; its `url` is the canonical URL key when present.
    pub article: &'a Article,
    /// Hex SHA-256 of the normalised text, the key when no URL is known.
    pub content_hash: &'a str,
    /// What analysis found.
    pub analysis: &'a Analysis,
    /// Which story it goes to, and why.
    pub assignment: &'a Assignment,
    /// The text's near-duplicate signature (empty when the text is too short for one; `None` when
    /// it was not worked out).
    pub signature: Option<&'a [u8]>,
    /// The newest stored article the assignment was decided knowing, when it was decided on what the
    /// store held: should the store hold a newer one (another process stored it meanwhile), nothing
    /// is written and the insert reports [`Inserted::Stale`], for the decision to be made again.
    /// `None` stores the article whatever was stored meanwhile.
    pub decided_after: Option<ArticleId>,
}

/// The outcome of an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// Stored under a new id, in this story.
    New {
        /// The article's id.
        id: ArticleId,
        /// Its story (opened for it when the assignment named none).
        story: StoryId,
        /// Whether the story was opened for this article.
        opened_story: bool,
    },
    /// Already stored (same canonical URL or content) under this id; nothing was written.
    Duplicate {
        /// The stored article's id.
        id: ArticleId,
    },
    /// Articles were stored after the one the assignment was decided after; nothing was written.
    Stale {
        /// The newest stored article.
        newest: ArticleId,
    },
}

/// A report found to be a copy of a stored article (a wire story another outlet ran), kept as a
/// link to it rather than as a report of its own.
#[derive(Debug, Clone)]
pub struct NewCopy<'a> {
    /// The stored article it copies.
    pub original: ArticleId,
    /// The copy as extracted: its URL, outlet, title and time are kept.
    pub article: &'a Article,
    /// Hex SHA-256 of its normalised text.
    pub content_hash: &'a str,
    /// How much of the shorter text the longer holds, estimated.
    pub similarity: f32,
}

/// A copy of a stored article, as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyRecord {
    /// The outlet that ran it.
    pub outlet: Option<String>,
    /// Its URL.
    pub url: Option<String>,
    /// Its title.
    pub title: String,
    /// When it was published.
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    /// How much of the shorter text the longer holds, estimated.
    pub similarity: f32,
}

/// An article's near-duplicate signature as stored: `None` when none was worked out, empty when its
/// text is too short for one.
pub type StoredSignature = (ArticleId, Option<Vec<u8>>);

/// What the clusterer needs of a stored article to rebuild its state.
#[derive(Debug, Clone)]
pub struct ClusterMember {
    /// The article.
    pub article: ArticleId,
    /// Its story.
    pub story: StoryId,
    /// What it brings to clustering, gathered from its stored analysis.
    pub evidence: Evidence,
}

/// How many things are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Articles.
    pub articles: u64,
    /// Stories.
    pub stories: u64,
    /// Outlets.
    pub outlets: u64,
}

/// One page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items to skip.
    pub offset: u32,
    /// Items to return at most.
    pub limit: u32,
}

impl Page {
    /// Everything, for command-line listings.
    pub const ALL: Page = Page { offset: 0, limit: u32::MAX };
}

/// Where a story split from and what split off it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Splits {
    /// The story it split from.
    pub from: Option<(StoryId, f32)>,
    /// The stories split off it, oldest first.
    pub into: Vec<(StoryId, f32)>,
}

/// A feed to follow, as added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed<'a> {
    /// The outlet it belongs to, by name (created when new).
    pub outlet: &'a str,
    /// The feed's URL.
    pub url: &'a str,
    /// The outlet's site, when known.
    pub site_url: Option<&'a str>,
    /// How often to poll it, in seconds.
    pub poll_seconds: u32,
    /// Whether to fetch each item's page (`false`: trust the feed's content).
    pub fetch_pages: bool,
}

/// A followed feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRecord {
    /// Its id.
    pub id: i64,
    /// Its outlet's name.
    pub outlet: String,
    /// Its URL.
    pub url: String,
    /// The outlet's site.
    pub site_url: Option<String>,
    /// How often it is polled, in seconds.
    pub poll_seconds: u32,
    /// Whether each item's page is fetched.
    pub fetch_pages: bool,
    /// When it was last polled.
    pub last_polled: Option<chrono::DateTime<chrono::Utc>>,
    /// What went wrong the last time, if it did.
    pub last_error: Option<String>,
    /// The `ETag` the last successful poll returned, for a conditional request.
    pub etag: Option<String>,
    /// The `Last-Modified` the last successful poll returned.
    pub last_modified: Option<String>,
    /// How many polls in a row have failed.
    pub failures: u32,
    /// The earliest time the server asked to be polled again.
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Changes to a followed feed's settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedSettings {
    /// The outlet it belongs to, by name (created when new).
    pub outlet: Option<String>,
    /// How often to poll it, in seconds.
    pub poll_seconds: Option<u32>,
    /// Whether to fetch each item's page.
    pub fetch_pages: Option<bool>,
}

/// What one poll of a feed left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollRecord {
    /// The validators to send next time (kept from before when the poll did not renew them).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// What went wrong, if it did.
    pub error: Option<String>,
    /// The earliest time the server asked to be polled again (`Retry-After`).
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The outcome of adding a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedAdded {
    /// Followed from now on, under this id.
    New(i64),
    /// Already followed under this id; nothing changed.
    Known(i64),
}

/// The operations Parallax needs of a database.
pub trait Store: Send + Sync {
    /// Follows a feed, creating its outlet when new; a feed already followed is left as it is.
    fn add_feed(&self, feed: &NewFeed<'_>) -> Result<FeedAdded, StoreError>;

    /// Every followed feed, by outlet name then URL.
    fn feeds(&self) -> Result<Vec<FeedRecord>, StoreError>;

    /// Changes a feed's settings; returns whether the feed exists.
    fn update_feed(&self, feed: i64, settings: &FeedSettings) -> Result<bool, StoreError>;

    /// Takes a feed's poll for this process: marks the feed polled now, unless another process did
    /// since `last_polled` was read (as [`FeedRecord::last_polled`]); whether this process polls it.
    fn take_poll(
        &self,
        feed: i64,
        last_polled: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<bool, StoreError>;

    /// Records a poll of a feed, now, and queues the jobs it found, in one transaction; returns how
    /// many of the jobs were new to the queue.
    fn record_poll(&self, feed: i64, poll: &PollRecord, jobs: &[NewJob<'_>]) -> Result<usize, StoreError>;

    /// Hands out the oldest job that is due (queued and not waiting for a retry, or running under
    /// a lease that ran out), leased for `lease`; a job whose lease ran out [`MAX_CLAIMS`] times is
    /// given up as failed instead.
    fn claim_job(&self, lease: std::time::Duration) -> Result<Option<Job>, StoreError>;

    /// Ends a job as its worker reports, if the worker still holds it (the job has not been handed
    /// out again since this claim); returns whether it did.
    fn end_job(&self, job: &Job, end: &JobEnd) -> Result<bool, StoreError>;

    /// How many jobs are in each state.
    fn queue_counts(&self) -> Result<QueueCounts, StoreError>;

    /// The latest jobs that failed, for good or for now, newest first.
    fn job_failures(&self, limit: u32) -> Result<Vec<JobFailure>, StoreError>;

    /// Forgets jobs done before `before` (a key forgotten can be queued again, and is then found
    /// stored); returns how many.
    fn prune_jobs(&self, before: chrono::DateTime<chrono::Utc>) -> Result<usize, StoreError>;

    /// Keeps a report as a copy of a stored article, in one transaction; when its URL or text is
    /// already known, writes nothing and returns the article it is known as.
    fn insert_copy(&self, copy: &NewCopy<'_>) -> Result<Option<ArticleId>, StoreError>;

    /// The copies of an article other outlets ran, oldest first.
    fn copies(&self, id: ArticleId) -> Result<Vec<CopyRecord>, StoreError>;

    /// The near-duplicate signatures of the latest `limit` articles, oldest first; `None` for an
    /// article stored without one.
    fn signatures(&self, limit: usize) -> Result<Vec<StoredSignature>, StoreError>;

    /// Stores an article's near-duplicate signature.
    fn set_signature(&self, id: ArticleId, signature: &[u8]) -> Result<(), StoreError>;

    /// Moves every article of `absorbed` into `kept`, removes `absorbed` and records it (and the
    /// stories merged into it before) as an alias of `kept`, in one transaction.
    fn merge_stories(&self, kept: StoryId, absorbed: StoryId, probability: f32) -> Result<(), StoreError>;

    /// The story a merged story's id now leads to, if it was merged.
    fn story_alias(&self, id: StoryId) -> Result<Option<StoryId>, StoreError>;

    /// The stories merged into this one, with the mean probability the merge was made at.
    fn merged_into(&self, id: StoryId) -> Result<Vec<(StoryId, f32)>, StoreError>;

    /// Moves those of the articles that belong to `story` to a new story, titled after the first of
    /// them, and records where it split from, in one transaction; returns the new story's id.
    fn split_story(
        &self,
        story: StoryId,
        articles: &[ArticleId],
        probability: f32,
    ) -> Result<StoryId, StoreError>;

    /// The story this one split from and the stories split off it, each with the mean probability
    /// of one event the split was made at.
    fn splits(&self, id: StoryId) -> Result<Splits, StoreError>;

    /// Finds a stored article with this canonical URL or content hash, or the article a copy with
    /// them was linked to.
    fn find_duplicate(&self, url: Option<&str>, content_hash: &str) -> Result<Option<ArticleId>, StoreError>;

    /// Stores an article with its analysis, outlet and story in one transaction. Assignments are
    /// decided one at a time across every process on the store (each insert checks, under one lock
    /// with the decisions of others, that no article came in after its decision was made: see
    /// [`NewArticle::decided_after`]), so two reports of one event never open two stories by a race.
    /// An assignment to a story merged away since goes to the story it was merged into.
    fn insert_article(&self, new: &NewArticle<'_>) -> Result<Inserted, StoreError>;

    /// The articles clustering still matches against, with their story, time and terms, oldest
    /// first, to rebuild its state: the latest `limit` of those published less than `span` before
    /// the newest publication time, or undated.
    fn cluster_members(&self, span: chrono::Duration, limit: usize)
    -> Result<Vec<ClusterMember>, StoreError>;

    /// The articles stored after `after`, oldest first: what another process stored since a clusterer
    /// last looked, for it to catch up.
    fn cluster_members_after(&self, after: ArticleId) -> Result<Vec<ClusterMember>, StoreError>;

    /// Stories, most recently updated first, each with its reports.
    fn stories(&self, page: Page) -> Result<Vec<Story>, StoreError>;

    /// One story with its reports.
    fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError>;

    /// One article.
    fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>, StoreError>;

    /// An article's analysis.
    fn analysis(&self, id: ArticleId) -> Result<Option<Analysis>, StoreError>;

    /// The analyses of a story's articles, in the story's report order.
    fn story_analyses(&self, id: StoryId) -> Result<Vec<(ArticleId, Analysis)>, StoreError>;

    /// Why an article was put in its story.
    fn assignment(&self, id: ArticleId) -> Result<Option<Assignment>, StoreError>;

    /// Why each article of a story was put in it, in one read.
    fn story_assignments(&self, id: StoryId) -> Result<HashMap<ArticleId, Assignment>, StoreError>;

    /// How many things are stored.
    fn counts(&self) -> Result<Counts, StoreError>;

    /// Articles whose stored analysis is older than `version`, oldest first.
    fn outdated_analyses(&self, version: u32) -> Result<Vec<ArticleId>, StoreError>;

    /// Replaces an article's analysis (and the entities it names) with a fresh one.
    fn replace_analysis(&self, id: ArticleId, analysis: &Analysis) -> Result<(), StoreError>;

    /// The distinct names of stored entities of one kind, for the cross-article registry.
    fn entity_names(&self, kind: EntityKind) -> Result<Vec<String>, StoreError>;

    /// Stories ranked for the front page: the breadth of their coverage (each doubling of the outlets
    /// covering a story counts as a day newer; reports naming no outlet count as one outlet) and the
    /// recency of their latest dated report (of their arrival when none is dated).
    fn ranked_stories(&self, page: Page) -> Result<Vec<Story>, StoreError>;

    /// Every story's id, headline, size and last change, most recently changed first.
    fn story_heads(&self, page: Page) -> Result<Vec<StoryHead>, StoreError>;

    /// Finds reports by their words, with marked passages, and the stories they belong to.
    fn search(&self, query: &SearchQuery) -> Result<SearchResults, StoreError>;

    /// The entities the reports of each story name, most widely named first, at most `limit` each.
    fn story_entities(
        &self,
        stories: &[StoryId],
        limit: usize,
    ) -> Result<HashMap<StoryId, Vec<EntityMention>>, StoreError>;

    /// An entity by its canonical id, with how many reports and stories name it.
    fn entity(&self, id: &str) -> Result<Option<EntityRecord>, StoreError>;

    /// The stories whose reports name an entity, ranked as on the front page.
    fn entity_stories(&self, id: &str, page: Page) -> Result<Vec<Story>, StoreError>;

    /// The entities most often named in the same reports as this one.
    fn related_entities(&self, id: &str, limit: usize) -> Result<Vec<EntityMention>, StoreError>;

    /// The most widely named entities of a kind (or of all kinds), for listings.
    fn top_entities(&self, kind: Option<EntityKind>, page: Page) -> Result<Vec<EntityMention>, StoreError>;

    /// Every outlet, the most prolific first.
    fn outlets(&self) -> Result<Vec<OutletRecord>, StoreError>;

    /// Every outlet's id and name, by name: for choosing one, without counting anything.
    fn outlet_names(&self) -> Result<Vec<(OutletId, String)>, StoreError>;

    /// The ids of the outlets of these names (names not stored are left out).
    fn outlet_ids(&self, names: &[String]) -> Result<HashMap<String, OutletId>, StoreError>;

    /// One outlet.
    fn outlet(&self, id: OutletId) -> Result<Option<OutletRecord>, StoreError>;

    /// An outlet's reports, newest first, each with its story.
    fn outlet_articles(&self, id: OutletId, page: Page)
    -> Result<Vec<(ArticleSummary, StoryId)>, StoreError>;

    /// Opens an account; `None` when the name (in any case) is taken.
    fn create_user(&self, name: &str, password_hash: &str, role: Role) -> Result<Option<User>, StoreError>;

    /// An account and its password hash, by name in any case.
    fn credentials(&self, name: &str) -> Result<Option<Credentials>, StoreError>;

    /// An account by id.
    fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Replaces an account's password hash; `false` when there is no such account.
    fn set_password(&self, id: UserId, password_hash: &str) -> Result<bool, StoreError>;

    /// Gives an account a role (logged, with the actor when there is one).
    fn set_role(&self, id: UserId, role: Role, actor: Option<UserId>) -> Result<bool, StoreError>;

    /// Opens a session for the hash of its token, with the token its forms carry.
    fn open_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;

    /// A session that has not expired, of an account not banned, by the hash of its token.
    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Ends a session.
    fn close_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Ends every session of an account.
    fn close_sessions(&self, user: UserId) -> Result<(), StoreError>;

    /// Issues a one-time password reset token (its hash), logged.
    fn add_reset_token(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;

    /// Uses a reset token once: sets the new password and ends the account's sessions; `None` when
    /// the token is unknown, used or expired.
    fn use_reset_token(&self, token_hash: &str, password_hash: &str) -> Result<Option<UserId>, StoreError>;

    /// Issues an API token (its hash) for an account.
    fn add_api_token(&self, user: UserId, token_hash: &str) -> Result<(), StoreError>;

    /// Withdraws every API token of an account.
    fn revoke_api_tokens(&self, user: UserId) -> Result<(), StoreError>;

    /// The account an API token (by its hash) acts for, unless banned.
    fn api_token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError>;

    /// Posts a comment, once per key, unless the thread is locked, the author banned or the comment
    /// answered gone.
    fn post_comment(&self, comment: &NewComment<'_>) -> Result<Posted, StoreError>;

    /// Every comment on a story or article, oldest first, whatever its state.
    fn comments(&self, target: Target) -> Result<Vec<Comment>, StoreError>;

    /// One comment.
    fn comment(&self, id: CommentId) -> Result<Option<Comment>, StoreError>;

    /// Changes the author's own comment within `window` of its posting.
    fn edit_comment(
        &self,
        id: CommentId,
        author: UserId,
        source: &str,
        html: &str,
        window: std::time::Duration,
    ) -> Result<AuthorChange, StoreError>;

    /// The author withdraws their comment: it keeps its place in the thread, its text withheld.
    fn delete_comment(&self, id: CommentId, author: UserId) -> Result<AuthorChange, StoreError>;

    /// A reader's vote on a comment: 1 up, -1 down, 0 withdrawn; one per reader, changeable. The
    /// comment's counts after it, or `None` when it takes no votes (missing or not shown).
    fn vote(&self, id: CommentId, user: UserId, value: i8) -> Result<Option<(u32, u32)>, StoreError>;

    /// A reader's votes on the comments of a target.
    fn votes_by(&self, user: UserId, target: Target) -> Result<HashMap<CommentId, i8>, StoreError>;

    /// A reader's "helpful coverage" rating of a story (`None` withdraws it).
    fn rate_story(&self, story: StoryId, user: UserId, helpful: Option<bool>) -> Result<(), StoreError>;

    /// A story's ratings, and the reader's own when one is given.
    fn ratings(&self, story: StoryId, user: Option<UserId>) -> Result<(Ratings, Option<bool>), StoreError>;

    /// A reader reports a comment (once per reader; again replaces the reason); `false` when there
    /// is no such comment.
    fn report_comment(&self, id: CommentId, user: UserId, reason: &str) -> Result<bool, StoreError>;

    /// Comments with open reports, longest waiting first.
    fn reported_comments(&self, limit: u32) -> Result<Vec<ReportedComment>, StoreError>;

    /// A moderator hides, restores or removes a comment, closing its reports; logged.
    fn moderate(
        &self,
        id: CommentId,
        action: Moderation,
        actor: UserId,
        reason: &str,
    ) -> Result<bool, StoreError>;

    /// A moderator locks or unlocks a thread; logged.
    fn lock_thread(
        &self,
        target: Target,
        locked: bool,
        actor: UserId,
        reason: &str,
    ) -> Result<(), StoreError>;

    /// Whether a thread is locked.
    fn thread_locked(&self, target: Target) -> Result<bool, StoreError>;

    /// A moderator bans or unbans an account (a ban ends its sessions); logged.
    fn ban_user(&self, id: UserId, banned: bool, actor: UserId, reason: &str) -> Result<bool, StoreError>;

    /// An admin deletes a comment for good (its replies move up to its parent); logged.
    fn purge_comment(&self, id: CommentId, actor: UserId, reason: &str) -> Result<bool, StoreError>;

    /// The audit log, newest first.
    fn audit_log(&self, page: Page) -> Result<Vec<AuditEntry>, StoreError>;

    /// Counts one hit against `key` in the current window of `window`; whether it stays within
    /// `max`. Kept in the database, so every process shares the count.
    fn rate_limit(&self, key: &str, window: std::time::Duration, max: u32) -> Result<bool, StoreError>;

    /// Wakes waiters when another process (or this one) queues jobs, where the store can tell;
    /// idle workers wait on it as well as on their timer.
    fn job_wakeups(&self) -> Result<Arc<tokio::sync::Notify>, StoreError>;

    /// How many rows a table holds.
    fn table_rows(&self, table: &transfer::Table) -> Result<u64, StoreError>;

    /// A table's rows in key order: those whose key comes after `after` (which may give only the
    /// key's first columns), at most `limit`.
    fn export_rows(
        &self,
        table: &transfer::Table,
        after: Option<&[transfer::Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<transfer::Value>>, StoreError>;

    /// The greatest value of a table's first key column, when it is an integer: where a copy left
    /// off.
    fn last_key(&self, table: &transfer::Table) -> Result<Option<i64>, StoreError>;

    /// Writes rows as they are, in one transaction, leaving those whose key is already stored;
    /// returns how many were new.
    fn import_rows(
        &self,
        table: &transfer::Table,
        rows: &[Vec<transfer::Value>],
    ) -> Result<usize, StoreError>;

    /// After an import: ids handed out from now on come after the imported ones.
    fn finish_import(&self) -> Result<(), StoreError>;
}
