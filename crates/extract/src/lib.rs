//! Turns a raw document into a clean [`Article`](parallax_core::Article).
//!
//! Extraction is a pure function over bytes: [`extract`] takes the document and the [`Hints`] the caller
//! knows (a URL, an outlet, a publication time) and returns the article or an [`ExtractError`] saying
//! why the document was refused. It decodes the bytes ([`decode`]), reads YAML front matter, splits the
//! text into blocks, lifts the lead metadata (image caption and credit, an `[Outlet]` tag, a
//! `City:` dateline, a headline or date line) and drops trailing page junk such as a demo comment
//! thread.
//!
//! ```
//! use parallax_extract::{extract, Hints};
//!
//! let doc = "Beijing: The two ministers met on Sunday.\nThey spoke for two hours.";
//! let article = extract(doc.as_bytes(), &Hints::default()).unwrap();
//! assert_eq!(article.dateline.as_deref(), Some("Beijing"));
//! assert_eq!(article.lead(), Some("The two ministers met on Sunday."));
//! ```

mod canonical;
mod credit;
mod dates;
mod decode;
mod error;
mod front_matter;
mod html;
mod junk;
mod lead;
mod record;
mod text;

pub use canonical::canonical_url;
pub use credit::split_caption_credit;
pub use dates::{WrittenDate, find_written_date, parse_date_line, parse_datetime};
pub use decode::{Decoded, decode, decode_with_label};
pub use error::ExtractError;
pub use html::{FeedLinks, extract_html, feed_links};
pub use record::{Record, outlet_from_url};
pub use text::{Format, extract_text};

use chrono::{DateTime, FixedOffset};
use parallax_core::Article;

/// Documents larger than this are refused rather than read.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// What the caller already knows about a document; each field wins over what the document says.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// The outlet to credit.
    pub outlet: Option<String>,
    /// The publication time.
    pub published: Option<DateTime<FixedOffset>>,
    /// The document's address.
    pub url: Option<String>,
    /// The title, when the source gives one separately (a feed item, a JSON record).
    pub title: Option<String>,
    /// How to read the text; `None` guesses from the content.
    pub format: Option<Format>,
    /// The charset the transport named (HTTP `Content-Type`), if any.
    pub charset: Option<String>,
}

/// Extracts an article from a document's bytes.
///
/// HTML is recognised by its content and read by [`extract_html`]; plain text and Markdown by
/// [`extract_text`]. The bytes are decoded first: byte-order mark, then the charset in `hints`, then
/// valid UTF-8, a page's declared charset, or detection.
pub fn extract(bytes: &[u8], hints: &Hints) -> Result<Article, ExtractError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ExtractError::TooLarge { size: bytes.len(), limit: MAX_DOCUMENT_BYTES });
    }
    let decoded = decode_with_label(bytes, hints.charset.as_deref())?;
    if looks_like_html(&decoded.text) {
        return html::extract_html(&decoded.text, hints);
    }
    extract_text(&decoded.text, hints)
}

/// Whether a document is an HTML page rather than text that happens to mention a tag.
fn looks_like_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(512).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<') && (head.contains("<head") || head.contains("<body")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_pages_are_recognised_by_content() {
        let page =
            extract(b"  <!DOCTYPE html><html><body><p>A page of text.</p></body></html>", &Hints::default())
                .unwrap();
        assert_eq!(page.lead(), Some("A page of text."));
        let text = extract(b"The <b> tag makes text bold.\nIt is old.", &Hints::default()).unwrap();
        assert_eq!(text.lead(), Some("The <b> tag makes text bold."));
    }

    #[test]
    fn no_input_makes_extraction_panic() {
        // A fixed pseudo-random stream of HTML-ish fragments: every combination must come back as an
        // article or an error, never a panic.
        const PIECES: [&str; 16] = [
            "<p>",
            "</p>",
            "<div class=\"x\">",
            "</div>",
            "<a href='",
            "'>",
            "&amp;",
            "&#x1F600;",
            "<!--",
            "-->",
            "<script>",
            "</script>",
            "<table><tr><td>",
            "text, words. ",
            "<h1>Title</h1>",
            "<meta charset=\"",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..300 {
            let mut page = String::from("<!doctype html><html><body>");
            for _ in 0..60 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                page.push_str(PIECES[(state % 16) as usize]);
            }
            let _ = extract(page.as_bytes(), &Hints::default());
            let _ = extract(&page.as_bytes()[..page.len() / 2], &Hints::default());
        }
    }

    #[test]
    fn oversized_documents_are_refused() {
        let big = vec![b'a'; MAX_DOCUMENT_BYTES + 1];
        assert!(matches!(extract(&big, &Hints::default()), Err(ExtractError::TooLarge { .. })));
    }
}
