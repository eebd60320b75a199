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

/// Attaches the operation to a SQLite error.
pub(crate) trait QueryContext<T> {
    fn during(self, operation: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, rusqlite::Error> {
    fn during(self, operation: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { operation, source })
    }
}
