//! The PostgreSQL schema, as an ordered list of migrations recorded in `parallax_schema`.
//!
//! The tables mirror the SQLite ones column for column (so that `parallax copy` moves rows as they
//! are), with PostgreSQL's own types: `bigint` ids from sequences, `timestamptz` times, `boolean`
//! flags, `bytea` signatures, case-insensitive uniqueness by an index on `lower(name)`, and a stored
//! `tsvector` with a GIN index for search.

use super::Db;
use crate::StoreError;

/// Each entry moves the schema one version up; never edit one that has shipped, append instead.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: everything the SQLite schema holds at its version 9.
    "CREATE TABLE outlets (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    );
    CREATE UNIQUE INDEX outlets_name ON outlets (lower(name));
    CREATE TABLE stories (
        id BIGSERIAL PRIMARY KEY,
        title TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        reports BIGINT NOT NULL DEFAULT 0,
        outlets BIGINT NOT NULL DEFAULT 0,
        latest TIMESTAMPTZ,
        rank DOUBLE PRECISION NOT NULL DEFAULT 0
    );
    CREATE INDEX stories_updated ON stories (updated_at DESC, id DESC);
    CREATE INDEX stories_rank ON stories (rank DESC, id DESC);
    CREATE TABLE articles (
        id BIGSERIAL PRIMARY KEY,
        story_id BIGINT NOT NULL REFERENCES stories (id),
        outlet_id BIGINT REFERENCES outlets (id),
        canonical_url TEXT UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        published TIMESTAMPTZ,
        ingested_at TIMESTAMPTZ NOT NULL,
        lead TEXT NOT NULL,
        image_url TEXT,
        article_json TEXT NOT NULL,
        analysis_json TEXT NOT NULL,
        assignment_json TEXT NOT NULL,
        analysis_version BIGINT NOT NULL DEFAULT 0,
        signature BYTEA
    );
    CREATE INDEX articles_story ON articles (story_id, published, id);
    CREATE INDEX articles_outlet ON articles (outlet_id, published DESC NULLS LAST, id DESC);
    CREATE INDEX articles_published ON articles (published);
    CREATE TABLE article_entities (
        article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        mentions BIGINT NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    );
    CREATE INDEX article_entities_entity ON article_entities (entity_id, article_id);
    CREATE INDEX article_entities_kind ON article_entities (kind, name);
    CREATE TABLE story_aliases (
        alias BIGINT PRIMARY KEY,
        story_id BIGINT NOT NULL REFERENCES stories (id),
        probability DOUBLE PRECISION NOT NULL,
        merged_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX story_aliases_story ON story_aliases (story_id);
    CREATE TABLE story_splits (
        story_id BIGINT PRIMARY KEY REFERENCES stories (id),
        split_from BIGINT NOT NULL,
        probability DOUBLE PRECISION NOT NULL,
        split_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX story_splits_from ON story_splits (split_from);
    CREATE TABLE feeds (
        id BIGSERIAL PRIMARY KEY,
        outlet_id BIGINT NOT NULL REFERENCES outlets (id),
        url TEXT NOT NULL UNIQUE,
        site_url TEXT,
        poll_seconds BIGINT NOT NULL,
        fetch_pages BOOLEAN NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_polled TIMESTAMPTZ,
        last_error TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        failures BIGINT NOT NULL DEFAULT 0,
        retry_at TIMESTAMPTZ
    );
    CREATE INDEX feeds_outlet ON feeds (outlet_id);
    CREATE TABLE jobs (
        id BIGSERIAL PRIMARY KEY,
        feed_id BIGINT REFERENCES feeds (id) ON DELETE SET NULL,
        key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        attempts BIGINT NOT NULL DEFAULT 0,
        not_before TIMESTAMPTZ NOT NULL,
        leased_until TIMESTAMPTZ,
        last_error TEXT,
        outcome TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        ended_at TIMESTAMPTZ
    );
    CREATE INDEX jobs_due ON jobs (state, not_before, id);
    CREATE TABLE article_copies (
        id BIGSERIAL PRIMARY KEY,
        article_id BIGINT NOT NULL REFERENCES articles (id),
        outlet_id BIGINT REFERENCES outlets (id),
        canonical_url TEXT UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        published TIMESTAMPTZ,
        similarity DOUBLE PRECISION NOT NULL,
        found_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX article_copies_article ON article_copies (article_id, id);
    -- Search reads text as SQLite's FTS5 index does (porter unicode61 remove_diacritics 2): English
    -- stems, no stop words (any word can be looked for), and accents folded where the server has
    -- the unaccent extension (a trusted one: the database's owner may create it); without it,
    -- accented words are found only as written.
    DO $$
    BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
            CREATE EXTENSION IF NOT EXISTS unaccent;
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'unaccent cannot be created here: search will not fold accents';
    END $$;
    CREATE TEXT SEARCH DICTIONARY parallax_stem (TEMPLATE = snowball, LANGUAGE = english);
    CREATE TEXT SEARCH CONFIGURATION parallax_search (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION parallax_search
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH parallax_stem;
    DO $$
    BEGIN
        IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent' AND pg_ts_dict_is_visible(oid)) THEN
            ALTER TEXT SEARCH CONFIGURATION parallax_search
                ALTER MAPPING FOR word, hword, hword_part WITH unaccent, parallax_stem;
        END IF;
    END $$;
    CREATE TABLE article_search (
        article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        document TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('parallax_search', title), 'A')
                || setweight(to_tsvector('parallax_search', body), 'D')
        ) STORED
    );
    CREATE INDEX article_search_document ON article_search USING GIN (document);
    CREATE TABLE article_stances (
        article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        sentences BIGINT NOT NULL,
        stated BIGINT NOT NULL,
        attributed BIGINT NOT NULL,
        hedged BIGINT NOT NULL,
        unnamed BIGINT NOT NULL,
        opinion BIGINT NOT NULL,
        question BIGINT NOT NULL
    );
    CREATE TABLE users (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('reader', 'moderator', 'admin')),
        created_at TIMESTAMPTZ NOT NULL,
        banned_at TIMESTAMPTZ,
        ban_reason TEXT
    );
    CREATE UNIQUE INDEX users_name ON users (lower(name));
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users (id),
        csrf TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE TABLE reset_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users (id),
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ
    );
    CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users (id),
        created_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE comments (
        id BIGSERIAL PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('story', 'article')),
        target_id BIGINT NOT NULL,
        parent_id BIGINT REFERENCES comments (id),
        author_id BIGINT NOT NULL REFERENCES users (id),
        post_key TEXT NOT NULL,
        source TEXT NOT NULL,
        html TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('visible', 'deleted', 'hidden', 'removed')),
        created_at TIMESTAMPTZ NOT NULL,
        edited_at TIMESTAMPTZ,
        up BIGINT NOT NULL DEFAULT 0,
        down BIGINT NOT NULL DEFAULT 0,
        UNIQUE (author_id, post_key)
    );
    CREATE INDEX comments_target ON comments (target_kind, target_id, id);
    CREATE TABLE comment_votes (
        comment_id BIGINT NOT NULL REFERENCES comments (id),
        user_id BIGINT NOT NULL REFERENCES users (id),
        value BIGINT NOT NULL CHECK (value IN (-1, 1)),
        PRIMARY KEY (comment_id, user_id)
    );
    CREATE TABLE comment_reports (
        comment_id BIGINT NOT NULL REFERENCES comments (id),
        user_id BIGINT NOT NULL REFERENCES users (id),
        reason TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        resolved_at TIMESTAMPTZ,
        PRIMARY KEY (comment_id, user_id)
    );
    CREATE INDEX comment_reports_open ON comment_reports (resolved_at, comment_id);
    CREATE TABLE story_ratings (
        story_id BIGINT NOT NULL,
        user_id BIGINT NOT NULL REFERENCES users (id),
        helpful BOOLEAN NOT NULL,
        PRIMARY KEY (story_id, user_id)
    );
    CREATE TABLE thread_locks (
        target_kind TEXT NOT NULL,
        target_id BIGINT NOT NULL,
        locked_by BIGINT REFERENCES users (id),
        locked_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (target_kind, target_id)
    );
    CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        actor_id BIGINT REFERENCES users (id),
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE rate_limits (
        key TEXT NOT NULL,
        window_start BIGINT NOT NULL,
        hits BIGINT NOT NULL,
        PRIMARY KEY (key, window_start)
    );",
];

/// The schema version this build reads and writes.
pub(super) fn supported() -> i64 {
    MIGRATIONS.len() as i64
}

/// Keys of the advisory locks Parallax takes, each serialising one kind of decision across every
/// process on the database.
pub(crate) mod locks {
    /// Migrations: two processes starting at once apply each migration once.
    pub const MIGRATE: i64 = 0x7061_7261_0001;
    /// Story assignment and maintenance: one decision at a time sees every article stored before it.
    pub const STORIES: i64 = 0x7061_7261_0002;
}

const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS parallax_schema (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version BIGINT NOT NULL
)";

/// The schema version the database is at (0 for an empty one).
pub(super) fn version(db: &impl Db) -> Result<i64, StoreError> {
    let exists: bool = db
        .row("SELECT to_regclass('parallax_schema') IS NOT NULL", &[], "reading the schema version")?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(db
        .opt("SELECT version FROM parallax_schema", &[], "reading the schema version")?
        .map(|r| r.get(0))
        .unwrap_or(0))
}

/// Brings the schema up to date in one transaction, under an advisory lock so that processes
/// starting together apply each migration once; refuses a database from a newer build. Returns
/// the version before and after.
pub(super) fn migrate(tx: &impl Db) -> Result<(i64, i64), StoreError> {
    tx.exec("SELECT pg_advisory_xact_lock($1)", &[&locks::MIGRATE], "waiting for other migrations")?;
    tx.batch(VERSION_TABLE, "creating the schema version table")?;
    let current = version(tx)?;
    if current > supported() {
        return Err(StoreError::TooNew { found: current, supported: supported() });
    }
    for sql in MIGRATIONS.iter().skip(current as usize) {
        tx.batch(sql, "applying a migration")?;
    }
    tx.exec(
        "INSERT INTO parallax_schema (version) VALUES ($1)
         ON CONFLICT (singleton) DO UPDATE SET version = excluded.version",
        &[&supported()],
        "recording the schema version",
    )?;
    Ok((current, supported()))
}
