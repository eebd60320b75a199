//! Moving a whole deployment between stores (`parallax copy`): every table described once, in an
//! order where each row's references are copied before it, with its key for paging and resuming,
//! and rows as plain values each store reads and writes in its own types.

use chrono::{DateTime, Utc};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A 64-bit integer.
    Int,
    /// A floating-point number.
    Real,
    /// Text.
    Text,
    /// A flag.
    Bool,
    /// A point in time.
    Time,
    /// Bytes.
    Bytes,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// An integer.
    Int(i64),
    /// A number.
    Real(f64),
    /// Text.
    Text(String),
    /// A flag.
    Bool(bool),
    /// A point in time.
    Time(DateTime<Utc>),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// A table as copied: its columns, the first `key` of them its primary key.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Its name, the same in every store.
    pub name: &'static str,
    /// Its columns and what they hold; the key's columns first.
    pub columns: &'static [(&'static str, Kind)],
    /// How many of the first columns make its primary key.
    pub key: usize,
    /// Whether its key is an id a sequence hands out (set past the copied rows afterwards).
    pub serial: bool,
}

impl Table {
    /// The key's columns.
    pub fn key_columns(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns[..self.key].iter().map(|(name, _)| *name)
    }

    /// Every column's name, comma-separated.
    pub fn column_list(&self) -> String {
        self.columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    }
}

use Kind::{Bool, Bytes, Int, Real, Text, Time};

const fn table(
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    key: usize,
    serial: bool,
) -> Table {
    Table { name, columns, key, serial }
}

/// Every table of a deployment, each after the tables it refers to.
pub const TABLES: &[Table] = &[
    table("outlets", &[("id", Int), ("name", Text), ("created_at", Time)], 1, true),
    table(
        "stories",
        &[
            ("id", Int),
            ("title", Text),
            ("created_at", Time),
            ("updated_at", Time),
            ("reports", Int),
            ("outlets", Int),
            ("latest", Time),
            ("rank", Real),
        ],
        1,
        true,
    ),
    table(
        "articles",
        &[
            ("id", Int),
            ("story_id", Int),
            ("outlet_id", Int),
            ("canonical_url", Text),
            ("content_hash", Text),
            ("title", Text),
            ("published", Time),
            ("ingested_at", Time),
            ("lead", Text),
            ("image_url", Text),
            ("article_json", Text),
            ("analysis_json", Text),
            ("assignment_json", Text),
            ("analysis_version", Int),
            ("signature", Bytes),
        ],
        1,
        true,
    ),
    table(
        "article_entities",
        &[("article_id", Int), ("entity_id", Text), ("name", Text), ("kind", Text), ("mentions", Int)],
        2,
        false,
    ),
    table(
        "story_aliases",
        &[("alias", Int), ("story_id", Int), ("probability", Real), ("merged_at", Time)],
        1,
        false,
    ),
    table(
        "story_splits",
        &[("story_id", Int), ("split_from", Int), ("probability", Real), ("split_at", Time)],
        1,
        false,
    ),
    table(
        "feeds",
        &[
            ("id", Int),
            ("outlet_id", Int),
            ("url", Text),
            ("site_url", Text),
            ("poll_seconds", Int),
            ("fetch_pages", Bool),
            ("etag", Text),
            ("last_modified", Text),
            ("last_polled", Time),
            ("last_error", Text),
            ("created_at", Time),
            ("failures", Int),
            ("retry_at", Time),
        ],
        1,
        true,
    ),
    table(
        "jobs",
        &[
            ("id", Int),
            ("feed_id", Int),
            ("key", Text),
            ("payload", Text),
            ("state", Text),
            ("attempts", Int),
            ("not_before", Time),
            ("leased_until", Time),
            ("last_error", Text),
            ("outcome", Text),
            ("created_at", Time),
            ("ended_at", Time),
        ],
        1,
        true,
    ),
    table(
        "article_copies",
        &[
            ("id", Int),
            ("article_id", Int),
            ("outlet_id", Int),
            ("canonical_url", Text),
            ("content_hash", Text),
            ("title", Text),
            ("published", Time),
            ("similarity", Real),
            ("found_at", Time),
        ],
        1,
        true,
    ),
    table("article_search", &[("article_id", Int), ("title", Text), ("body", Text)], 1, false),
    table(
        "article_stances",
        &[
            ("article_id", Int),
            ("sentences", Int),
            ("stated", Int),
            ("attributed", Int),
            ("hedged", Int),
            ("unnamed", Int),
            ("opinion", Int),
            ("question", Int),
        ],
        1,
        false,
    ),
    table(
        "users",
        &[
            ("id", Int),
            ("name", Text),
            ("password_hash", Text),
            ("role", Text),
            ("created_at", Time),
            ("banned_at", Time),
            ("ban_reason", Text),
        ],
        1,
        true,
    ),
    table(
        "sessions",
        &[("token_hash", Text), ("user_id", Int), ("csrf", Text), ("created_at", Time), ("expires_at", Time)],
        1,
        false,
    ),
    table(
        "reset_tokens",
        &[("token_hash", Text), ("user_id", Int), ("expires_at", Time), ("used_at", Time)],
        1,
        false,
    ),
    table("api_tokens", &[("token_hash", Text), ("user_id", Int), ("created_at", Time)], 1, false),
    table(
        "comments",
        &[
            ("id", Int),
            ("target_kind", Text),
            ("target_id", Int),
            ("parent_id", Int),
            ("author_id", Int),
            ("post_key", Text),
            ("source", Text),
            ("html", Text),
            ("state", Text),
            ("created_at", Time),
            ("edited_at", Time),
            ("up", Int),
            ("down", Int),
        ],
        1,
        true,
    ),
    table("comment_votes", &[("comment_id", Int), ("user_id", Int), ("value", Int)], 2, false),
    table(
        "comment_reports",
        &[
            ("comment_id", Int),
            ("user_id", Int),
            ("reason", Text),
            ("created_at", Time),
            ("resolved_at", Time),
        ],
        2,
        false,
    ),
    table("story_ratings", &[("story_id", Int), ("user_id", Int), ("helpful", Bool)], 2, false),
    table(
        "thread_locks",
        &[("target_kind", Text), ("target_id", Int), ("locked_by", Int), ("locked_at", Time)],
        2,
        false,
    ),
    table(
        "audit_log",
        &[
            ("id", Int),
            ("actor_id", Int),
            ("action", Text),
            ("subject", Text),
            ("reason", Text),
            ("at", Time),
        ],
        1,
        true,
    ),
    table("rate_limits", &[("key", Text), ("window_start", Int), ("hits", Int)], 2, false),
];

/// Rows read or written at once.
pub const BATCH: usize = 500;
