//! Moves documents into Parallax: read → extract → analyse → cluster → store.
//!
//! A [`Pipeline`] owns the clustering state (rebuilt from the store when it opens) and takes documents
//! from files, folders, JSON records or bytes. Each document ends as one [`Outcome`]: stored as a new
//! article, recognised as a duplicate, linked as a copy of a stored article (a syndicated wire story),
//! or rejected with the reason. Every stored article is written in one transaction, so a failure
//! part-way leaves nothing half-written.
//!
//! Followed feeds flow through the store's work queue: [`poll_feed`] queues a feed's items with the
//! record of the poll, and a [`Worker`] claims them under leases, fetches their pages and takes them
//! through the pipeline, so that a crash at any point loses and repeats nothing.
//!
//! [`parse_feed`] reads RSS, Atom and JSON feeds into [`FeedItem`]s to follow; [`read_opml`] and
//! [`write_opml`] exchange lists of outlets with feed readers. A [`Fetcher`] fetches them and their
//! pages within limits of size and time, conditionally when it can. [`AddressPolicy`]
//! decides which network addresses a fetch of a URL may reach: public ones, and ranges the operator
//! allows with `PARALLAX_ALLOW_PRIVATE`.
//!
//! ```
//! use parallax_ingest::{Outcome, Pipeline};
//! use parallax_extract::Hints;
//! use parallax_store::SqliteStore;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = SqliteStore::open_dir(dir.path()).unwrap();
//! let mut pipeline = Pipeline::open(&store).unwrap();
//! let text = b"Beijing: The ministers met on Sunday for talks on security.";
//! assert!(matches!(pipeline.ingest_bytes(text, &Hints::default()), Outcome::New { .. }));
//! assert!(matches!(pipeline.ingest_bytes(text, &Hints::default()), Outcome::Duplicate { .. }));
//! ```

mod address_policy;
mod discover;
mod error;
mod feeds;
mod fetch;
mod follow;
mod opml;
mod pipeline;
mod robots;
mod sources;
mod worker;

pub use address_policy::{ALLOW_PRIVATE_VAR, AddressError, AddressPolicy, AddressRange, non_public_kind};
pub use discover::{DiscoverError, Discovered, discover_feeds};
pub use error::IngestError;
pub use feeds::{Feed, FeedError, FeedFormat, FeedItem, MAX_FEED_BYTES, parse_feed};
pub use fetch::{Document, FetchConfig, FetchError, Fetched, Fetcher, ROBOTS_RETRY, Validators};
pub use follow::{PollReport, next_poll, poll_feed};
pub use opml::{MAX_OPML_BYTES, OpmlError, OpmlOutlet, read_opml, write_opml};
pub use pipeline::{Maintained, Outcome, Pipeline, content_hash};
pub use robots::Robots;
pub use sources::{DocumentReport, MAX_RECORDS_FILE_BYTES};
pub use worker::{BATCH, DEFAULT_LEASE, ItemOutcome, ItemReport, MAX_ATTEMPTS, Worker};
