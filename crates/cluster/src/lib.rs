//! Online story clustering: each article, as it arrives, joins the most similar open story or opens a
//! new one.
//!
//! A [`Clusterer`] holds the state: document frequencies for TF-IDF weighting, each story's term profile
//! (the sum of its articles' terms) and its time span, and an inverted index from terms to stories so
//! that candidates come from shared terms, never from a scan of every story. [`Clusterer::assign`]
//! proposes a story with the reasons for it (an [`Assignment`]); the caller stores the article, gives a
//! new story its id and reports back with [`Clusterer::add`]. Pure: no I/O, the caller persists.
//!
//! ```
//! use parallax_cluster::{Clusterer, ClusterConfig, Document};
//! use parallax_core::StoryId;
//! use parallax_nlp::TermProfile;
//!
//! let mut clusterer = Clusterer::new(ClusterConfig::default());
//! let quake = |place: &str| TermProfile::from_text(
//!     &format!("Earthquake shakes {place}"),
//!     &[format!("A strong earthquake struck {place} on Monday, toppling buildings.")],
//! );
//! let first = quake("Lima");
//! assert!(clusterer.assign(&Document { terms: &first, published: None }).story.is_none());
//! clusterer.add(StoryId(1), &Document { terms: &first, published: None });
//! let second = quake("Lima");
//! assert_eq!(clusterer.assign(&Document { terms: &second, published: None }).story, Some(StoryId(1)));
//! ```

mod clusterer;

pub use clusterer::{Assignment, ClusterConfig, Clusterer, Document, SharedTerm};
