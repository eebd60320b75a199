//! The schema, as an ordered list of migrations tracked by SQLite's `user_version`.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;
use crate::error::QueryContext;

/// Each entry moves the schema one version up; never edit one that has shipped, append instead.
const MIGRATIONS: &[&str] = &[
    // 1: outlets, stories, articles.
    "CREATE TABLE outlets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_updated ON stories (updated_at DESC, id DESC);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL REFERENCES stories (id),
        outlet_id INTEGER REFERENCES outlets (id),
        canonical_url TEXT UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        published TEXT,
        ingested_at TEXT NOT NULL,
        lead TEXT NOT NULL,
        image_url TEXT,
        article_json TEXT NOT NULL,
        analysis_json TEXT NOT NULL,
        assignment_json TEXT NOT NULL
    );
    CREATE INDEX articles_story ON articles (story_id, published, id);",
    // 2: the analysis version of each article, and the entities each article names.
    "ALTER TABLE articles ADD COLUMN analysis_version INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE article_entities (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        entity_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    ) WITHOUT ROWID;
    CREATE INDEX article_entities_entity ON article_entities (entity_id, article_id);",
    // 3: ids of stories merged into others, so that their links keep working.
    "CREATE TABLE story_aliases (
        alias INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL REFERENCES stories (id),
        probability REAL NOT NULL,
        merged_at TEXT NOT NULL
    );
    CREATE INDEX story_aliases_story ON story_aliases (story_id);",
    // 4: stories split off others because their reports told another event.
    "CREATE TABLE story_splits (
        story_id INTEGER PRIMARY KEY REFERENCES stories (id),
        split_from INTEGER NOT NULL,
        probability REAL NOT NULL,
        split_at TEXT NOT NULL
    );
    CREATE INDEX story_splits_from ON story_splits (split_from);",
    // 5: the feeds Parallax follows, each an outlet's, with how often to poll it and what the last
    // poll left (validators for conditional requests, the last error).
    "CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        outlet_id INTEGER NOT NULL REFERENCES outlets (id),
        url TEXT NOT NULL UNIQUE,
        site_url TEXT,
        poll_seconds INTEGER NOT NULL,
        fetch_pages INTEGER NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_polled TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX feeds_outlet ON feeds (outlet_id);",
    // 6: how many polls of a feed have failed in a row, to back off.
    "ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;",
    // 7: the work queue, each job keyed so it is queued once and leased to the worker doing it; the
    // copies of stored articles other outlets ran, each linked to its original; the signatures that
    // find them; and the time a feed's server asked to be left alone until.
    "CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
        key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        leased_until TEXT,
        last_error TEXT,
        outcome TEXT,
        created_at TEXT NOT NULL,
        ended_at TEXT
    );
    CREATE INDEX jobs_due ON jobs (state, not_before, id);
    CREATE TABLE article_copies (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id),
        outlet_id INTEGER REFERENCES outlets (id),
        canonical_url TEXT UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        published TEXT,
        similarity REAL NOT NULL,
        found_at TEXT NOT NULL
    );
    CREATE INDEX article_copies_article ON article_copies (article_id, id);
    ALTER TABLE articles ADD COLUMN signature BLOB;
    ALTER TABLE feeds ADD COLUMN retry_at TEXT;",
    // 8: what listings read: the full-text index of titles and bodies, each article's body sentences
    // counted by stance, each story's size and rank; filled from the stored articles.
    "CREATE VIRTUAL TABLE article_search USING fts5 (
        title, body, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TABLE article_stances (
        article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        sentences INTEGER NOT NULL,
        stated INTEGER NOT NULL,
        attributed INTEGER NOT NULL,
        hedged INTEGER NOT NULL,
        unnamed INTEGER NOT NULL,
        opinion INTEGER NOT NULL,
        question INTEGER NOT NULL
    );
    ALTER TABLE stories ADD COLUMN reports INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN outlets INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN latest TEXT;
    ALTER TABLE stories ADD COLUMN rank REAL NOT NULL DEFAULT 0;
    CREATE INDEX stories_rank ON stories (rank DESC, id DESC);
    CREATE INDEX articles_outlet ON articles (outlet_id, published DESC, id DESC);",
    // 9: readers: accounts, sessions, password reset and API tokens; comments with their votes and
    // reports; story ratings; locked threads; the audit log; rate-limit counters.
    "CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('reader', 'moderator', 'admin')),
        created_at TEXT NOT NULL,
        banned_at TEXT,
        ban_reason TEXT
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE TABLE reset_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    CREATE TABLE api_tokens (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        created_at TEXT NOT NULL
    );
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('story', 'article')),
        target_id INTEGER NOT NULL,
        parent_id INTEGER REFERENCES comments (id),
        author_id INTEGER NOT NULL REFERENCES users (id),
        post_key TEXT NOT NULL,
        source TEXT NOT NULL,
        html TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('visible', 'deleted', 'hidden', 'removed')),
        created_at TEXT NOT NULL,
        edited_at TEXT,
        up INTEGER NOT NULL DEFAULT 0,
        down INTEGER NOT NULL DEFAULT 0,
        UNIQUE (author_id, post_key)
    );
    CREATE INDEX comments_target ON comments (target_kind, target_id, id);
    CREATE TABLE comment_votes (
        comment_id INTEGER NOT NULL REFERENCES comments (id),
        user_id INTEGER NOT NULL REFERENCES users (id),
        value INTEGER NOT NULL CHECK (value IN (-1, 1)),
        PRIMARY KEY (comment_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE comment_reports (
        comment_id INTEGER NOT NULL REFERENCES comments (id),
        user_id INTEGER NOT NULL REFERENCES users (id),
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        resolved_at TEXT,
        PRIMARY KEY (comment_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX comment_reports_open ON comment_reports (resolved_at, comment_id);
    CREATE TABLE story_ratings (
        story_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users (id),
        helpful INTEGER NOT NULL,
        PRIMARY KEY (story_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE thread_locks (
        target_kind TEXT NOT NULL,
        target_id INTEGER NOT NULL,
        locked_by INTEGER REFERENCES users (id),
        locked_at TEXT NOT NULL,
        PRIMARY KEY (target_kind, target_id)
    ) WITHOUT ROWID;
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        actor_id INTEGER REFERENCES users (id),
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE rate_limits (
        key TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        hits INTEGER NOT NULL,
        PRIMARY KEY (key, window_start)
    ) WITHOUT ROWID;",
];

/// Work a migration needs done in code after its SQL, in the same transaction.
fn after(version: usize, tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    match version {
        8 => super::catalog::reindex_all(tx),
        _ => Ok(()),
    }
}

/// Brings the schema up to date; refuses a database from a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 =
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).during("reading the schema version")?;
    let supported = MIGRATIONS.len() as i64;
    if current > supported {
        return Err(StoreError::TooNew { found: current, supported });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).during("starting a migration")?;
        // Another process opening the file at the same moment may have applied it first.
        let now: i64 =
            tx.query_row("PRAGMA user_version", [], |r| r.get(0)).during("reading the schema version")?;
        if now > index as i64 {
            continue;
        }
        tx.execute_batch(sql).during("applying a migration")?;
        after(index + 1, &tx)?;
        tx.pragma_update(None, "user_version", index as i64 + 1).during("recording the schema version")?;
        tx.commit().during("committing a migration")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_refuse_newer_databases() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { found: 99, .. })));
    }
}
