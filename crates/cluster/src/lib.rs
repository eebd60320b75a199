//! Online story clustering: each article, as it arrives and in any order, joins the story whose
//! reports it most probably shares an event with, or opens a new story; a periodic pass merges
//! stories that converged and splits those that drifted.
//!
//! The flow: [`Evidence`] gathers what an article brings (terms, lead, names, counts, years and
//! weekdays of its lead) from its analysis; a [`Clusterer`] keeps the articles inside the time window
//! in an inverted index, takes candidates from shared telling terms (never a scan of everything),
//! measures [`PairFeatures`] against each and weighs them with a [`PairModel`]. [`Clusterer::assign`]
//! proposes a story with the reasons for it (an [`Assignment`]); the caller stores the article, gives a
//! new story its id and reports back with [`Clusterer::add_assigned`]. [`Clusterer::maintain`] returns
//! the [`Maintenance`] it did (merges) and proposes (splits, applied with [`Clusterer::split`] once
//! the caller has an id for the new story). Pure: no I/O, the caller persists.
//!
//! Telling similar events apart is the hard part: two earthquakes, two title fights of one boxer. Beyond
//! shared words, the model weighs names one lead gives that the other never mentions (a new opponent,
//! another town), counts that disagree, years and weekdays that do not meet.
//!
//! ```
//! use parallax_cluster::{Clusterer, ClusterConfig, Evidence};
//! use parallax_core::{Article, ArticleId, Block, StoryId};
//!
//! let evidence = |title: &str, text: &str| {
//!     let mut article = Article::new(title);
//!     article.body = vec![Block::Paragraph { text: text.into() }];
//!     Evidence::new(&parallax_nlp::analyze(&article), None)
//! };
//! let mut clusterer = Clusterer::new(ClusterConfig::default());
//! let first = evidence("Earthquake shakes Lima", "A strong earthquake struck Lima on Monday, toppling buildings.");
//! assert!(clusterer.assign(&first).story.is_none());
//! clusterer.add(ArticleId(1), StoryId(1), &first);
//! let second = evidence("Lima earthquake topples buildings", "Buildings fell in Lima on Monday as a strong earthquake struck.");
//! assert_eq!(clusterer.assign(&second).story, Some(StoryId(1)));
//! ```

mod clusterer;
mod evidence;
mod maintenance;
mod model;
pub mod near_duplicate;
mod vocabulary;

pub use clusterer::{Assignment, ClusterConfig, Clusterer, SharedTerm};
pub use evidence::{Evidence, Terms};
pub use maintenance::{Maintenance, Merge, Split};
pub use model::{PairFeatures, PairModel};
pub use near_duplicate::{NearDuplicates, Signature};
