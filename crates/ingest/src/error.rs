//! Why a document was not ingested.

use std::path::PathBuf;

use parallax_extract::ExtractError;
use parallax_store::StoreError;

/// A document that could not be ingested, or a store that could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is over the size limit.
    #[error("{path} is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The path names neither a file nor a folder.
    #[error("{path} is not a file or folder")]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The document is not an article.
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
