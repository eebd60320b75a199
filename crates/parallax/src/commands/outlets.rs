//! `parallax import-opml`, `export-opml`, `outlets` and `fetch-now`: the outlets Parallax follows,
//! their feeds, and a one-off poll of them.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_ingest::{
    AddressPolicy, FetchConfig, Fetcher, OpmlOutlet, Pipeline, discover_feeds, poll_feed, read_opml,
    write_opml,
};
use parallax_store::{FeedAdded, NewFeed, Store};

use crate::cli::{AddOutletArgs, FetchNowArgs, ImportOpmlArgs, OutletsArgs};

/// A fetcher under the address policy the environment sets.
fn fetcher() -> Result<Fetcher> {
    let policy = AddressPolicy::from_env()?;
    Ok(Fetcher::new(FetchConfig { policy, ..FetchConfig::default() })?)
}

/// Follows the outlet at a URL: its feeds, found from its page or the URL itself.
pub fn add_outlet(store: &dyn Store, args: &AddOutletArgs) -> Result<ExitCode> {
    let fetcher = fetcher()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let found = runtime
        .block_on(discover_feeds(&fetcher, &args.url))
        .with_context(|| format!("following {}", args.url))?;
    let name = args.name.clone().or(found.name).unwrap_or_else(|| found.site.clone());
    for feed in &found.feeds {
        let added = store.add_feed(&NewFeed {
            outlet: &name,
            url: feed,
            site_url: Some(&found.site),
            poll_seconds: args.poll_minutes * 60,
            fetch_pages: !args.trust_feed_content,
        })?;
        let word = if matches!(added, FeedAdded::New(_)) { "followed" } else { "known" };
        println!("{word:<10} {name}  {feed}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Follows every feed an OPML file lists; prints one line per feed and a summary.
pub fn import_opml(store: &dyn Store, args: &ImportOpmlArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let outlets = read_opml(&bytes).with_context(|| format!("reading {}", args.file.display()))?;
    let (mut added, mut known) = (0, 0);
    for outlet in &outlets {
        let feed = NewFeed {
            outlet: &outlet.name,
            url: &outlet.feed_url,
            site_url: outlet.site_url.as_deref(),
            poll_seconds: args.poll_minutes * 60,
            fetch_pages: !args.trust_feed_content,
        };
        match store.add_feed(&feed).with_context(|| format!("following {}", outlet.feed_url))? {
            FeedAdded::New(_) => {
                added += 1;
                println!("followed   {}  {}", outlet.name, outlet.feed_url);
            }
            FeedAdded::Known(_) => {
                known += 1;
                println!("known      {}  {}", outlet.name, outlet.feed_url);
            }
        }
    }
    println!("{added} followed, {known} already followed");
    Ok(ExitCode::SUCCESS)
}

/// Prints the followed feeds as OPML 2.0.
pub fn export_opml(store: &dyn Store) -> Result<ExitCode> {
    let outlets: Vec<OpmlOutlet> = store
        .feeds()?
        .into_iter()
        .map(|f| OpmlOutlet { name: f.outlet, feed_url: f.url, site_url: f.site_url })
        .collect();
    print!("{}", write_opml("Outlets followed by Parallax", &outlets));
    Ok(ExitCode::SUCCESS)
}

/// Lists the followed outlets and their feeds.
pub fn list(store: &dyn Store, args: &OutletsArgs) -> Result<ExitCode> {
    let feeds = store.feeds()?;
    if args.json {
        let json: Vec<serde_json::Value> = feeds
            .iter()
            .map(|f| {
                serde_json::json!({
                    "outlet": f.outlet,
                    "feed": f.url,
                    "site": f.site_url,
                    "poll_minutes": f.poll_seconds / 60,
                    "fetch_pages": f.fetch_pages,
                    "last_polled": f.last_polled,
                    "last_error": f.last_error,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    if feeds.is_empty() {
        println!("No outlets are followed yet: parallax import-opml FILE follows those an OPML file lists.");
    }
    for feed in &feeds {
        let how = if feed.fetch_pages { "pages fetched" } else { "feed content trusted" };
        println!("{}  {}  every {} min, {how}", feed.outlet, feed.url, feed.poll_seconds / 60);
        if let Some(error) = &feed.last_error {
            println!("    last error: {error}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Polls the followed feeds once, one after another, storing their new reports; exits with status 1
/// when a feed could not be read.
pub fn fetch_now(store: &dyn Store, args: &FetchNowArgs) -> Result<ExitCode> {
    let feeds: Vec<_> = store
        .feeds()?
        .into_iter()
        .filter(|f| args.outlet.as_ref().is_none_or(|o| f.outlet.eq_ignore_ascii_case(o)))
        .collect();
    if feeds.is_empty() {
        match &args.outlet {
            Some(outlet) => bail!("no followed outlet is called {outlet:?}"),
            None => bail!(
                "no outlets are followed yet: parallax import-opml FILE follows those an OPML file lists"
            ),
        }
    }
    let fetcher = fetcher()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut pipeline = Pipeline::open(store)?;
    let (mut new, mut failed_feeds) = (0, 0);
    for feed in &feeds {
        let report = runtime.block_on(poll_feed(&mut pipeline, store, &fetcher, feed));
        new += report.new;
        match (&report.error, report.not_modified) {
            (Some(error), _) => {
                failed_feeds += 1;
                eprintln!("failed     {}  {}: {error}", feed.outlet, feed.url);
            }
            (None, true) => println!("unchanged  {}  {}", feed.outlet, feed.url),
            (None, false) => println!(
                "read       {}  {}: {} items, {} new, {} already stored",
                feed.outlet, feed.url, report.items, report.new, report.known
            ),
        }
        for (page, why) in &report.from_feed {
            println!("    read from the feed: {page} ({why})");
        }
        for (item, why) in &report.failed {
            println!("    not stored: {item}: {why}");
        }
    }
    pipeline.maintain()?;
    println!("{new} new reports from {} feeds, {failed_feeds} failed", feeds.len());
    Ok(if failed_feeds > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
