//! The shared store: PostgreSQL, for deployments that run many `parallax serve` and `parallax run`
//! processes on one database.
//!
//! Every process holds a small pool of connections. The [`Store`] trait is synchronous (callers run
//! it on blocking threads, as they do SQLite), so queries are driven by `tokio-postgres` on a
//! runtime of the store's own, on its own thread, and waited for with a plain executor: a call
//! never needs, nor disturbs, the runtime of its caller.
//!
//! What must be decided once across processes is decided in the database: jobs are claimed with
//! `FOR UPDATE SKIP LOCKED`, story assignments and maintenance take one advisory lock (see
//! [`Store::insert_article`]), and sessions, rate limits and the work queue's wake-ups
//! (`LISTEN`/`NOTIFY`) live there too.

mod articles;
mod catalog;
mod community;
mod migrations;
mod queue;
mod scratch;
mod transfer;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use parallax_cluster::Assignment;
use parallax_core::{ArticleId, ArticleSummary, CommentId, OutletId, StoredArticle, Story, StoryId, UserId};
use parallax_nlp::{Analysis, EntityKind};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, GenericClient, NoTls, Row, Transaction};

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

pub(crate) use migrations::locks;
pub use scratch::ScratchDatabase;

/// Connections one process opens at most; callers beyond wait for one to be free.
const MAX_CONNECTIONS: usize = 16;

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one statement may run before the server cancels it.
const STATEMENT_TIMEOUT: &str = "-c statement_timeout=120000";

/// How often a change that lost a deadlock or a serialisation conflict is tried again.
const CONFLICT_RETRIES: usize = 5;

/// The channel `NOTIFY` wakes idle workers on when jobs are queued.
pub(super) const JOBS_CHANNEL: &str = "parallax_jobs";

/// The PostgreSQL store.
pub struct PostgresStore {
    config: tokio_postgres::Config,
    /// The URL without its password, for messages.
    target: String,
    io: Io,
    pool: Mutex<Pool>,
    released: Condvar,
    wakeups: Arc<tokio::sync::Notify>,
    listening: Mutex<bool>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("target", &self.target).finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Pool {
    idle: Vec<Client>,
    open: usize,
}

/// The runtime that drives the store's connections, on a thread of its own until the store drops.
struct Io {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Io {
    fn start() -> Result<Io, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("parallax-postgres".into())
            .spawn(move || {
                // Ends when the store drops (or forgets) its sender.
                let _ = runtime.block_on(stopped);
            })
            .map_err(StoreError::Runtime)?;
        Ok(Io { handle, stop: Some(stop) })
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Waits for a future of the store's connections on the calling thread.
fn wait<F: Future>(future: F) -> F::Output {
    futures_executor::block_on(future)
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and checks that its schema is
    /// the one this build writes: `parallax migrate` (or [`PostgresStore::migrate`]) brings it there.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url)?;
        let found = store.read(migrations::version)?;
        let needed = migrations::supported();
        if found > needed {
            return Err(StoreError::TooNew { found, supported: needed });
        }
        if found < needed {
            return Err(StoreError::SchemaBehind { found, needed });
        }
        Ok(store)
    }

    /// Connects to the database at `url` and brings its schema up to date; returns the store and the
    /// schema versions before and after.
    pub fn migrate(url: &str) -> Result<(Self, i64, i64), StoreError> {
        let store = Self::connect(url)?;
        let (before, after) = store.write("migrating the schema", |tx| migrations::migrate(tx))?;
        Ok((store, before, after))
    }

    fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|source| StoreError::Connect { target: redact(url), source })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_options().is_none() {
            config.options(STATEMENT_TIMEOUT);
        }
        config.application_name("parallax");
        let store = PostgresStore {
            config,
            target: redact(url),
            io: Io::start()?,
            pool: Mutex::new(Pool::default()),
            released: Condvar::new(),
            wakeups: Arc::new(tokio::sync::Notify::new()),
            listening: Mutex::new(false),
        };
        // Fail now, with the server's reason, rather than on the first query.
        drop(store.client()?);
        Ok(store)
    }

    /// The database, without its password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Opens a connection, driven by the store's runtime; `on_message` sees what the server sends
    /// outside of replies (notifications).
    fn open_connection(
        &self,
        on_message: Option<Box<dyn Fn(tokio_postgres::AsyncMessage) + Send + Sync>>,
    ) -> Result<Client, StoreError> {
        let config = self.config.clone();
        let target = self.target.clone();
        let task = self.io.handle.spawn(async move {
            let (client, mut connection) = config.connect(NoTls).await?;
            tokio::spawn(async move {
                let result = std::future::poll_fn(|cx| {
                    loop {
                        match connection.poll_message(cx) {
                            std::task::Poll::Ready(Some(Ok(message))) => {
                                if let Some(on_message) = &on_message {
                                    on_message(message);
                                }
                            }
                            std::task::Poll::Ready(Some(Err(error))) => {
                                return std::task::Poll::Ready(Err(error));
                            }
                            std::task::Poll::Ready(None) => return std::task::Poll::Ready(Ok(())),
                            std::task::Poll::Pending => return std::task::Poll::Pending,
                        }
                    }
                })
                .await;
                if let Err(error) = result {
                    tracing::warn!(%error, database = %target, "A database connection ended.");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        });
        match wait(task) {
            Ok(result) => {
                result.map_err(|source| StoreError::Connect { target: self.target.clone(), source })
            }
            Err(_) => Err(StoreError::Runtime(std::io::Error::other("the database runtime stopped"))),
        }
    }

    /// A connection from the pool, opened when none is idle and fewer than [`MAX_CONNECTIONS`] are.
    fn client(&self) -> Result<Pooled<'_>, StoreError> {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(client) = pool.idle.pop() {
                if client.is_closed() {
                    pool.open -= 1;
                    continue;
                }
                return Ok(Pooled { store: self, client: Some(client) });
            }
            if pool.open < MAX_CONNECTIONS {
                pool.open += 1;
                drop(pool);
                return match self.open_connection(None) {
                    Ok(client) => Ok(Pooled { store: self, client: Some(client) }),
                    Err(error) => {
                        self.pool.lock().unwrap_or_else(|e| e.into_inner()).open -= 1;
                        self.released.notify_one();
                        Err(error)
                    }
                };
            }
            pool = self.released.wait(pool).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Runs reads on a pooled connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Client) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let client = self.client()?;
        f(client.get())
    }

    /// Runs a change in one transaction, trying it again when it lost a deadlock or a serialisation
    /// conflict to another process.
    pub(crate) fn write<T>(
        &self,
        what: &'static str,
        mut f: impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client()?;
        let mut tries = 0;
        loop {
            tries += 1;
            let tx = wait(client.get_mut().transaction()).during(what)?;
            let result = f(&tx).and_then(|value| wait(tx.commit()).during(what).map(|()| value));
            match result {
                Err(error) if error.is_conflict() && tries < CONFLICT_RETRIES => {
                    tracing::debug!(%error, tries, "Trying a change again after a conflict.");
                }
                result => return result,
            }
        }
    }

    /// Starts listening for queued jobs, once.
    fn listen_for_jobs(&self) -> Result<(), StoreError> {
        let mut listening = self.listening.lock().unwrap_or_else(|e| e.into_inner());
        if *listening {
            return Ok(());
        }
        let wakeups = Arc::clone(&self.wakeups);
        let client = self.open_connection(Some(Box::new(move |message| {
            if let tokio_postgres::AsyncMessage::Notification(_) = message {
                // One permit is kept when no worker waits, so a wake-up between two waits is not lost.
                wakeups.notify_one();
            }
        })))?;
        wait(client.batch_execute(&format!("LISTEN {JOBS_CHANNEL}"))).during("listening for jobs")?;
        // The listening connection lives as long as the runtime that drives it.
        let handle = self.io.handle.clone();
        handle.spawn(async move {
            std::future::pending::<()>().await;
            drop(client);
        });
        *listening = true;
        Ok(())
    }
}

/// A pooled connection, given back when dropped (unless it broke).
struct Pooled<'a> {
    store: &'a PostgresStore,
    client: Option<Client>,
}

impl Pooled<'_> {
    fn get(&self) -> &Client {
        self.client.as_ref().unwrap_or_else(|| unreachable!("a pooled connection is held until dropped"))
    }

    fn get_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!("a pooled connection is held until dropped"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let mut pool = self.store.pool.lock().unwrap_or_else(|e| e.into_inner());
        match self.client.take() {
            Some(client) if !client.is_closed() => pool.idle.push(client),
            _ => pool.open -= 1,
        }
        drop(pool);
        self.store.released.notify_one();
    }
}

/// `url` without its password.
pub(crate) fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(an unreadable database URL)".to_owned(),
    }
}

/// Queries on a connection or in a transaction, waited for on the calling thread; each takes what
/// is being done, for the error.
pub(crate) trait Db {
    /// Every row.
    fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        what: &'static str,
    ) -> Result<Vec<Row>, StoreError>;
    /// Exactly one row.
    fn row(&self, sql: &str, params: &[&(dyn ToSql + Sync)], what: &'static str) -> Result<Row, StoreError>;
    /// At most one row.
    fn opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        what: &'static str,
    ) -> Result<Option<Row>, StoreError>;
    /// A statement; how many rows it changed.
    fn exec(&self, sql: &str, params: &[&(dyn ToSql + Sync)], what: &'static str) -> Result<u64, StoreError>;
    /// Statements without parameters.
    fn batch(&self, sql: &str, what: &'static str) -> Result<(), StoreError>;
}

impl<C: GenericClient + Sync> Db for C {
    fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        what: &'static str,
    ) -> Result<Vec<Row>, StoreError> {
        wait(self.query(sql, params)).during(what)
    }

    fn row(&self, sql: &str, params: &[&(dyn ToSql + Sync)], what: &'static str) -> Result<Row, StoreError> {
        wait(self.query_one(sql, params)).during(what)
    }

    fn opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        what: &'static str,
    ) -> Result<Option<Row>, StoreError> {
        wait(self.query_opt(sql, params)).during(what)
    }

    fn exec(&self, sql: &str, params: &[&(dyn ToSql + Sync)], what: &'static str) -> Result<u64, StoreError> {
        wait(self.execute(sql, params)).during(what)
    }

    fn batch(&self, sql: &str, what: &'static str) -> Result<(), StoreError> {
        wait(self.batch_execute(sql)).during(what)
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain data structs with string keys cannot fail.
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("domain types always serialise: {e}"))
}

fn from_json<T: serde::de::DeserializeOwned>(raw: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|source| StoreError::Corrupt { what, source })
}

/// A count read from the database, as the unsigned number it is.
fn count(row: &Row, index: usize) -> u64 {
    u64::try_from(row.get::<_, i64>(index)).unwrap_or_default()
}

/// A page's `LIMIT` and `OFFSET`.
fn limit(page: Page) -> (i64, i64) {
    (i64::from(page.limit), i64::from(page.offset))
}

/// The id of the outlet of this name (any case), created when new.
fn outlet_id(tx: &impl Db, name: &str) -> Result<i64, StoreError> {
    tx.exec(
        "INSERT INTO outlets (name, created_at) VALUES ($1, now()) ON CONFLICT (lower(name)) DO NOTHING",
        &[&name],
        "adding an outlet",
    )?;
    Ok(tx.row("SELECT id FROM outlets WHERE lower(name) = lower($1)", &[&name], "finding an outlet")?.get(0))
}

impl Store for PostgresStore {
    fn take_poll(
        &self,
        feed: i64,
        last_polled: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<bool, StoreError> {
        let taken = self.read(|db| {
            db.exec(
                "UPDATE feeds SET last_polled = now() WHERE id = $1 AND last_polled IS NOT DISTINCT FROM $2",
                &[&feed, &last_polled],
                "taking a feed's poll",
            )
        })?;
        Ok(taken == 1)
    }

    fn job_wakeups(&self) -> Result<Arc<tokio::sync::Notify>, StoreError> {
        self.listen_for_jobs()?;
        Ok(Arc::clone(&self.wakeups))
    }

    fn table_rows(&self, table: &crate::transfer::Table) -> Result<u64, StoreError> {
        self.read(|db| transfer::table_rows(db, table))
    }

    fn export_rows(
        &self,
        table: &crate::transfer::Table,
        after: Option<&[crate::transfer::Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<crate::transfer::Value>>, StoreError> {
        self.read(|db| transfer::export_rows(db, table, after, limit))
    }

    fn last_key(&self, table: &crate::transfer::Table) -> Result<Option<i64>, StoreError> {
        self.read(|db| transfer::last_key(db, table))
    }

    fn import_rows(
        &self,
        table: &crate::transfer::Table,
        rows: &[Vec<crate::transfer::Value>],
    ) -> Result<usize, StoreError> {
        self.write("copying rows", |tx| transfer::import_rows(tx, table, rows))
    }

    fn finish_import(&self) -> Result<(), StoreError> {
        self.write("finishing a copy", |tx| transfer::finish_import(tx))
    }

    fn add_feed(&self, feed: &NewFeed<'_>) -> Result<FeedAdded, StoreError> {
        articles::add_feed(self, feed)
    }

    fn feeds(&self) -> Result<Vec<FeedRecord>, StoreError> {
        articles::feeds(self)
    }

    fn update_feed(&self, feed: i64, settings: &FeedSettings) -> Result<bool, StoreError> {
        articles::update_feed(self, feed, settings)
    }

    fn record_poll(&self, feed: i64, poll: &PollRecord, jobs: &[NewJob<'_>]) -> Result<usize, StoreError> {
        articles::record_poll(self, feed, poll, jobs)
    }

    fn claim_job(&self, lease: std::time::Duration) -> Result<Option<Job>, StoreError> {
        queue::claim_job(self, lease)
    }

    fn end_job(&self, job: &Job, end: &JobEnd) -> Result<bool, StoreError> {
        queue::end_job(self, job, end)
    }

    fn queue_counts(&self) -> Result<QueueCounts, StoreError> {
        queue::queue_counts(self)
    }

    fn job_failures(&self, limit: u32) -> Result<Vec<JobFailure>, StoreError> {
        queue::job_failures(self, limit)
    }

    fn prune_jobs(&self, before: chrono::DateTime<chrono::Utc>) -> Result<usize, StoreError> {
        queue::prune_jobs(self, before)
    }

    fn insert_copy(&self, copy: &NewCopy<'_>) -> Result<Option<ArticleId>, StoreError> {
        articles::insert_copy(self, copy)
    }

    fn copies(&self, id: ArticleId) -> Result<Vec<CopyRecord>, StoreError> {
        articles::copies(self, id)
    }

    fn signatures(&self, limit: usize) -> Result<Vec<StoredSignature>, StoreError> {
        articles::signatures(self, limit)
    }

    fn set_signature(&self, id: ArticleId, signature: &[u8]) -> Result<(), StoreError> {
        articles::set_signature(self, id, signature)
    }

    fn merge_stories(&self, kept: StoryId, absorbed: StoryId, probability: f32) -> Result<(), StoreError> {
        articles::merge_stories(self, kept, absorbed, probability)
    }

    fn story_alias(&self, id: StoryId) -> Result<Option<StoryId>, StoreError> {
        articles::story_alias(self, id)
    }

    fn merged_into(&self, id: StoryId) -> Result<Vec<(StoryId, f32)>, StoreError> {
        articles::merged_into(self, id)
    }

    fn split_story(
        &self,
        story: StoryId,
        articles: &[ArticleId],
        probability: f32,
    ) -> Result<StoryId, StoreError> {
        articles::split_story(self, story, articles, probability)
    }

    fn splits(&self, id: StoryId) -> Result<Splits, StoreError> {
        articles::splits(self, id)
    }

    fn find_duplicate(&self, url: Option<&str>, content_hash: &str) -> Result<Option<ArticleId>, StoreError> {
        articles::find_duplicate(self, url, content_hash)
    }

    fn insert_article(&self, new: &NewArticle<'_>) -> Result<Inserted, StoreError> {
        articles::insert_article(self, new)
    }

    fn cluster_members(
        &self,
        span: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<ClusterMember>, StoreError> {
        articles::cluster_members(self, span, limit)
    }

    fn cluster_members_after(&self, after: ArticleId) -> Result<Vec<ClusterMember>, StoreError> {
        articles::cluster_members_after(self, after)
    }

    fn stories(&self, page: Page) -> Result<Vec<Story>, StoreError> {
        articles::stories(self, page)
    }

    fn story(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        articles::story(self, id)
    }

    fn article(&self, id: ArticleId) -> Result<Option<StoredArticle>, StoreError> {
        articles::article(self, id)
    }

    fn analysis(&self, id: ArticleId) -> Result<Option<Analysis>, StoreError> {
        articles::analysis(self, id)
    }

    fn story_analyses(&self, id: StoryId) -> Result<Vec<(ArticleId, Analysis)>, StoreError> {
        articles::story_analyses(self, id)
    }

    fn assignment(&self, id: ArticleId) -> Result<Option<Assignment>, StoreError> {
        articles::assignment(self, id)
    }

    fn story_assignments(&self, id: StoryId) -> Result<HashMap<ArticleId, Assignment>, StoreError> {
        articles::story_assignments(self, id)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        articles::counts(self)
    }

    fn outdated_analyses(&self, version: u32) -> Result<Vec<ArticleId>, StoreError> {
        articles::outdated_analyses(self, version)
    }

    fn replace_analysis(&self, id: ArticleId, analysis: &Analysis) -> Result<(), StoreError> {
        articles::replace_analysis(self, id, analysis)
    }

    fn entity_names(&self, kind: EntityKind) -> Result<Vec<String>, StoreError> {
        articles::entity_names(self, kind)
    }

    fn ranked_stories(&self, page: Page) -> Result<Vec<Story>, StoreError> {
        catalog::ranked_stories(self, page)
    }

    fn story_heads(&self, page: Page) -> Result<Vec<StoryHead>, StoreError> {
        catalog::story_heads(self, page)
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults, StoreError> {
        catalog::search(self, query)
    }

    fn story_entities(
        &self,
        stories: &[StoryId],
        limit: usize,
    ) -> Result<HashMap<StoryId, Vec<EntityMention>>, StoreError> {
        catalog::story_entities(self, stories, limit)
    }

    fn entity(&self, id: &str) -> Result<Option<EntityRecord>, StoreError> {
        catalog::entity(self, id)
    }

    fn entity_stories(&self, id: &str, page: Page) -> Result<Vec<Story>, StoreError> {
        catalog::entity_stories(self, id, page)
    }

    fn related_entities(&self, id: &str, limit: usize) -> Result<Vec<EntityMention>, StoreError> {
        catalog::related_entities(self, id, limit)
    }

    fn top_entities(&self, kind: Option<EntityKind>, page: Page) -> Result<Vec<EntityMention>, StoreError> {
        catalog::top_entities(self, kind, page)
    }

    fn outlets(&self) -> Result<Vec<OutletRecord>, StoreError> {
        catalog::outlets(self)
    }

    fn outlet_names(&self) -> Result<Vec<(OutletId, String)>, StoreError> {
        catalog::outlet_names(self)
    }

    fn outlet_ids(&self, names: &[String]) -> Result<HashMap<String, OutletId>, StoreError> {
        catalog::outlet_ids(self, names)
    }

    fn outlet(&self, id: OutletId) -> Result<Option<OutletRecord>, StoreError> {
        catalog::outlet(self, id)
    }

    fn outlet_articles(
        &self,
        id: OutletId,
        page: Page,
    ) -> Result<Vec<(ArticleSummary, StoryId)>, StoreError> {
        catalog::outlet_articles(self, id, page)
    }

    fn create_user(&self, name: &str, password_hash: &str, role: Role) -> Result<Option<User>, StoreError> {
        community::create_user(self, name, password_hash, role)
    }

    fn credentials(&self, name: &str) -> Result<Option<Credentials>, StoreError> {
        community::credentials(self, name)
    }

    fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        community::user(self, id)
    }

    fn set_password(&self, id: UserId, password_hash: &str) -> Result<bool, StoreError> {
        community::set_password(self, id, password_hash)
    }

    fn set_role(&self, id: UserId, role: Role, actor: Option<UserId>) -> Result<bool, StoreError> {
        community::set_role(self, id, role, actor)
    }

    fn open_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        community::open_session(self, user, token_hash, csrf, expires_at)
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        community::session(self, token_hash)
    }

    fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        community::close_session(self, token_hash)
    }

    fn close_sessions(&self, user: UserId) -> Result<(), StoreError> {
        community::close_sessions(self, user)
    }

    fn add_reset_token(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        community::add_reset_token(self, user, token_hash, expires_at)
    }

    fn use_reset_token(&self, token_hash: &str, password_hash: &str) -> Result<Option<UserId>, StoreError> {
        community::use_reset_token(self, token_hash, password_hash)
    }

    fn add_api_token(&self, user: UserId, token_hash: &str) -> Result<(), StoreError> {
        community::add_api_token(self, user, token_hash)
    }

    fn revoke_api_tokens(&self, user: UserId) -> Result<(), StoreError> {
        community::revoke_api_tokens(self, user)
    }

    fn api_token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        community::api_token_user(self, token_hash)
    }

    fn post_comment(&self, comment: &NewComment<'_>) -> Result<Posted, StoreError> {
        community::post_comment(self, comment)
    }

    fn comments(&self, target: Target) -> Result<Vec<Comment>, StoreError> {
        community::comments(self, target)
    }

    fn comment(&self, id: CommentId) -> Result<Option<Comment>, StoreError> {
        community::comment(self, id)
    }

    fn edit_comment(
        &self,
        id: CommentId,
        author: UserId,
        source: &str,
        html: &str,
        window: std::time::Duration,
    ) -> Result<AuthorChange, StoreError> {
        community::edit_comment(self, id, author, source, html, window)
    }

    fn delete_comment(&self, id: CommentId, author: UserId) -> Result<AuthorChange, StoreError> {
        community::delete_comment(self, id, author)
    }

    fn vote(&self, id: CommentId, user: UserId, value: i8) -> Result<Option<(u32, u32)>, StoreError> {
        community::vote(self, id, user, value)
    }

    fn votes_by(&self, user: UserId, target: Target) -> Result<HashMap<CommentId, i8>, StoreError> {
        community::votes_by(self, user, target)
    }

    fn rate_story(&self, story: StoryId, user: UserId, helpful: Option<bool>) -> Result<(), StoreError> {
        community::rate_story(self, story, user, helpful)
    }

    fn ratings(&self, story: StoryId, user: Option<UserId>) -> Result<(Ratings, Option<bool>), StoreError> {
        community::ratings(self, story, user)
    }

    fn report_comment(&self, id: CommentId, user: UserId, reason: &str) -> Result<bool, StoreError> {
        community::report_comment(self, id, user, reason)
    }

    fn reported_comments(&self, limit: u32) -> Result<Vec<ReportedComment>, StoreError> {
        community::reported_comments(self, limit)
    }

    fn moderate(
        &self,
        id: CommentId,
        action: Moderation,
        actor: UserId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        community::moderate(self, id, action, actor, reason)
    }

    fn lock_thread(
        &self,
        target: Target,
        locked: bool,
        actor: UserId,
        reason: &str,
    ) -> Result<(), StoreError> {
        community::lock_thread(self, target, locked, actor, reason)
    }

    fn thread_locked(&self, target: Target) -> Result<bool, StoreError> {
        community::thread_locked(self, target)
    }

    fn ban_user(&self, id: UserId, banned: bool, actor: UserId, reason: &str) -> Result<bool, StoreError> {
        community::ban_user(self, id, banned, actor, reason)
    }

    fn purge_comment(&self, id: CommentId, actor: UserId, reason: &str) -> Result<bool, StoreError> {
        community::purge_comment(self, id, actor, reason)
    }

    fn audit_log(&self, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
        community::audit_log(self, page)
    }

    fn rate_limit(&self, key: &str, window: std::time::Duration, max: u32) -> Result<bool, StoreError> {
        community::rate_limit(self, key, window, max)
    }
}

#[cfg(test)]
mod tests;
