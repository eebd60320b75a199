//! Coverage comparison inside a story: which statements several outlets make, which only one, where
//! they disagree, which of them an outlet hedges, and how each report renders each speaker's words.
//!
//! [`compare`] turns each report's body sentences into features (`features`): canonical entities,
//! content words through a stemmer and groups of words reporters use for the same thing, the slots
//! and values of quantities and days. It aligns them across outlets (`align`) by weighted cosine,
//! whole or clause by clause, and grows [`Statement`]s from the closest pairs: [`Status::Corroborated`]
//! when reports from two or more outlets make one, [`Status::Single`] otherwise. Every statement keeps
//! the exact sentences it stands on and the reports that hedge it. `conflicts` finds where outlets
//! give different values — counts and ranges, sums, percentages, days, places, who met whom, whether
//! something happened — within a statement or across the story, each a [`Conflict`] with every value
//! and who gives it, and marks those statements [`Status::Conflict`]. [`quotes_by_speaker`] groups
//! the reports' quotations by speaker and pairs renditions of the same remarks, and [`framing`]
//! measures how each outlet presents the story. [`ComparisonDocument`] is the comparison as it is
//! published: with the story's reports and their time span, serialisable.
//!
//! ```
//! use parallax_compare::{compare, Report, Status};
//! use parallax_core::{Article, ArticleId, Block};
//!
//! let analysed = |text: &str| {
//!     let mut article = Article::new("");
//!     article.body = vec![Block::Paragraph { text: text.into() }];
//!     parallax_nlp::analyze(&article)
//! };
//! let a = analysed("Sergei Shoigu met Wang Yi in Beijing on Sunday. Shoigu then flew to Myanmar.");
//! let b = analysed("Wang Yi met Sergei Shoigu in Beijing.");
//! let reports = [
//!     Report { article: ArticleId(1), outlet: Some("A".into()), analysis: &a },
//!     Report { article: ArticleId(2), outlet: Some("B".into()), analysis: &b },
//! ];
//! let comparison = compare(&reports);
//! assert_eq!(comparison.statements[0].status, Status::Corroborated);
//! assert_eq!(comparison.statements[1].status, Status::Single);
//! ```

mod align;
mod conflicts;
mod document;
mod features;
mod framing;
mod quotes;

pub use align::{Comparison, Report, SentenceRef, Statement, Status, compare};
pub use conflicts::{Conflict, ConflictValue, Scope};
pub use document::{ComparisonDocument, DocumentArticle, DocumentStory, Timeline};
pub use framing::{Framing, StanceShares, framing};
pub use quotes::{Match, Rendition, SameRemarks, SpeakerQuotes, quotes_by_speaker};

#[cfg(test)]
mod test_support {
    use parallax_core::{Article, ArticleId, Block};
    use parallax_nlp::Analysis;

    use crate::Report;

    /// The analysis of one paragraph of text.
    pub(crate) fn analysed(text: &str) -> Analysis {
        let mut article = Article::new("");
        article.body = vec![Block::Paragraph { text: text.into() }];
        parallax_nlp::analyze(&article)
    }

    /// A report of an outlet (`None`: unattributed).
    pub(crate) fn report<'a>(article: i64, outlet: Option<&str>, analysis: &'a Analysis) -> Report<'a> {
        Report { article: ArticleId(article), outlet: outlet.map(str::to_owned), analysis }
    }
}
