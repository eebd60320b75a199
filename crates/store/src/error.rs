//! Why a store operation failed.

use std::path::PathBuf;

/// A failed store operation, with what was being done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database could not be opened or configured.
    #[error("cannot open database {path}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer Parallax.
    #[error(
        "database schema version {found} is newer than this build supports ({supported}); upgrade Parallax"
    )]
    TooNew {
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The PostgreSQL server could not be reached or refused the connection.
    #[error("cannot connect to {target}")]
    Connect {
        /// The database URL, without its password.
        target: String,
        /// Why.
        source: tokio_postgres::Error,
    },
    /// The database's schema is older than this build's: `parallax migrate` brings it up to date.
    #[error("database schema version {found} is older than this build's ({needed}); run `parallax migrate`")]
    SchemaBehind {
        /// The version found.
        found: i64,
        /// The version this build needs.
        needed: i64,
    },
    /// A database URL names no store Parallax has.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    /// The runtime that drives database connections could not be started or stopped.
    #[error("database runtime failed")]
    Runtime(#[source] std::io::Error),
    /// An article's story was decided again and again while other processes kept storing articles
    /// first; it is left to be tried later.
    #[error("the story assignment was outdated {tries} times in a row by other processes' articles")]
    Contended {
        /// Decisions made.
        tries: usize,
    },
    /// A PostgreSQL query failed.
    #[error("database error while {operation}")]
    Postgres {
        /// What was being done.
        operation: &'static str,
        /// The server's or the connection's error.
        source: tokio_postgres::Error,
    },
    /// A query failed.
    #[error("database error while {operation}")]
    Query {
        /// What was being done ("inserting an article").
        operation: &'static str,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A split named no article of the story it splits.
    #[error("none of the articles to split off belong to story {story}")]
    NothingToSplit {
        /// The story.
        story: parallax_core::StoryId,
    },
    /// No article has this id.
    #[error("no article {id} is stored")]
    NoSuchArticle {
        /// The id.
        id: parallax_core::ArticleId,
    },
    /// A stored value could not be read back.
    #[error("stored {what} is unreadable")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why.
        source: serde_json::Error,
    },
}

impl StoreError {
    /// Whether the change lost a deadlock or a serialisation conflict to another process, and may
    /// simply be tried again.
    pub fn is_conflict(&self) -> bool {
        use tokio_postgres::error::SqlState;
        match self {
            StoreError::Postgres { source, .. } => matches!(
                source.code(),
                Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
            ),
            _ => false,
        }
    }
}

/// Attaches the operation to a database error.
pub(crate) trait QueryContext<T> {
    fn during(self, operation: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, rusqlite::Error> {
    fn during(self, operation: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { operation, source })
    }
}

impl<T> QueryContext<T> for Result<T, tokio_postgres::Error> {
    fn during(self, operation: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Postgres { operation, source })
    }
}
