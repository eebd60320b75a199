//! The domain types every Parallax stage hands to the next.
//!
//! An [`Article`] is what extraction produces from one report: its metadata and its body as
//! [`Block`]s. Once stored it gets an [`ArticleId`] and becomes a [`StoredArticle`]; reports of one
//! event are grouped into a [`Story`]. Ids are newtypes so that an article id can never be passed
//! where a story id is expected.
//!
//! ```
//! use parallax_core::{Article, Block};
//!
//! let mut article = Article::new("Talks in Beijing");
//! article.body.push(Block::Paragraph { text: "The ministers met on Sunday.".into() });
//! assert_eq!(article.lead(), Some("The ministers met on Sunday."));
//! ```

mod article;
pub mod calendar;
mod errors;
mod ids;
mod story;

pub use article::{Article, Block, Image, StoredArticle};
pub use errors::error_chain;
pub use ids::{ArticleId, CommentId, OutletId, ParseIdError, StoryId, UserId};
pub use story::{ArticleSummary, Outlet, Story, StorySummary};
