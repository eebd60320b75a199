//! Why a document was refused.

/// A document that cannot become an article.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The document has no bytes, or only white space.
    #[error("the document is empty")]
    Empty,
    /// The document is binary data, not text.
    #[error("the document is binary, not text (control byte {byte:#04x} at offset {offset})")]
    Binary {
        /// Offset of the first byte that gave it away.
        offset: usize,
        /// That byte.
        byte: u8,
    },
    /// The document exceeds the size limit.
    #[error("the document is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The front matter is malformed.
    #[error("front matter line {line}: {message}")]
    FrontMatter {
        /// 1-based line number in the document.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A JSON record is malformed or lacks its text.
    #[error("bad JSON record: {message}")]
    Record {
        /// What the JSON parser or field check said.
        message: String,
    },
    /// After removing metadata and page junk nothing of an article is left.
    #[error("the document has no article text")]
    NoText,
}
