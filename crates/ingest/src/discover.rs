//! Finding an outlet's feeds from a URL: the URL may be a feed itself; a page announces its feeds
//! in `<link rel="alternate">`; failing both, the paths sites commonly serve feeds from are tried.

use parallax_extract::{decode_with_label, feed_links};

use crate::feeds::parse_feed;
use crate::fetch::{Fetched, Fetcher, Validators};

/// Paths on a site where feeds commonly are, tried when its page announces none.
const COMMON_FEED_PATHS: &[&str] =
    &["/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json"];

/// An outlet as found from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Its name, as its page or feed gives it.
    pub name: Option<String>,
    /// Its site.
    pub site: String,
    /// Its feeds, each a feed that was fetched and read.
    pub feeds: Vec<String>,
}

/// Why no feed was found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// The URL could not be fetched.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// Neither the page nor the common paths hold a readable feed.
    #[error(
        "no feed found at {0} (not a feed, no <link rel=\"alternate\"> to one, none at the common paths)"
    )]
    NoFeed(String),
}

/// Finds the feeds of the outlet at `url`.
pub async fn discover_feeds(fetcher: &Fetcher, url: &str) -> Result<Discovered, DiscoverError> {
    let Fetched::Document(page) = fetcher.fetch(url, &Validators::default()).await? else {
        return Err(DiscoverError::NoFeed(url.to_owned()));
    };
    if let Ok(feed) = parse_feed(&page.bytes, page.charset.as_deref(), Some(&page.url)) {
        return Ok(Discovered {
            name: feed.title,
            site: feed.site.unwrap_or_else(|| page.url.clone()),
            feeds: vec![page.url],
        });
    }
    let html = decode_with_label(&page.bytes, page.charset.as_deref()).map(|d| d.text).unwrap_or_default();
    let links = feed_links(&html, &page.url);
    let guessing = links.feeds.is_empty();
    let candidates: Vec<String> = if guessing {
        let Ok(base) = url::Url::parse(&page.url) else { return Err(DiscoverError::NoFeed(url.to_owned())) };
        COMMON_FEED_PATHS.iter().filter_map(|path| base.join(path).ok()).map(|u| u.to_string()).collect()
    } else {
        links.feeds
    };
    let mut feeds = Vec::new();
    let mut name = links.site_name;
    for candidate in candidates {
        // Only feeds that are there and read count; a guessed path that 404s is skipped.
        if let Ok(Fetched::Document(document)) = fetcher.fetch(&candidate, &Validators::default()).await
            && let Ok(feed) = parse_feed(&document.bytes, document.charset.as_deref(), Some(&document.url))
        {
            name = name.or(feed.title);
            feeds.push(document.url);
            // Of guessed paths, the first feed is the site's; announced feeds are all its own.
            if guessing {
                break;
            }
        }
    }
    if feeds.is_empty() {
        return Err(DiscoverError::NoFeed(url.to_owned()));
    }
    Ok(Discovered { name, site: page.url, feeds })
}
