//! `parallax add-outlet`, `edit-outlet`, `import-opml`, `export-opml` and `outlets`: the outlets
//! Parallax follows, their feeds and their settings.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_ingest::{OpmlOutlet, discover_feeds, next_poll, read_opml, write_opml};
use parallax_store::{FeedAdded, FeedRecord, FeedSettings, NewFeed, Store};

use super::follow::fetcher;
use crate::cli::{AddOutletArgs, EditOutletArgs, ImportOpmlArgs, OutletsArgs};

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

/// Item failures listed for each feed at most.
const FAILURES_SHOWN: u32 = 200;

/// Lists the followed outlets and their feeds, each with its last error and its items that failed.
pub fn list(store: &dyn Store, args: &OutletsArgs) -> Result<ExitCode> {
    let feeds = store.feeds()?;
    let failures = store.job_failures(FAILURES_SHOWN)?;
    let failures_of = |feed: i64| failures.iter().filter(move |f| f.feed == Some(feed));
    if args.json {
        let json: Vec<serde_json::Value> = feeds
            .iter()
            .map(|f| {
                let failed: Vec<serde_json::Value> = failures_of(f.id)
                    .map(|j| {
                        serde_json::json!({
                            "item": j.key, "error": j.error, "attempts": j.attempts, "will_retry": j.will_retry,
                        })
                    })
                    .collect();
                serde_json::json!({
                    "outlet": f.outlet,
                    "feed": f.url,
                    "site": f.site_url,
                    "poll_minutes": f.poll_seconds / 60,
                    "fetch_pages": f.fetch_pages,
                    "last_polled": f.last_polled,
                    "next_poll": next_poll(f),
                    "last_error": f.last_error,
                    "failures_in_a_row": f.failures,
                    "failed_items": failed,
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
            let next = next_poll(feed).map(|t| t.format(" (next try %Y-%m-%d %H:%M UTC)").to_string());
            println!("    last error: {error}{}", next.unwrap_or_default());
        }
        for failed in failures_of(feed.id) {
            let when = if failed.will_retry { "to retry" } else { "failed" };
            println!("    item {when} after {} tries: {}: {}", failed.attempts, failed.key, failed.error);
        }
    }
    let queue = store.queue_counts()?;
    if queue.pending() > 0 {
        println!("{} items wait in the queue", queue.pending());
    }
    Ok(ExitCode::SUCCESS)
}

/// Changes a followed outlet's settings, for each of its feeds.
pub fn edit_outlet(store: &dyn Store, args: &EditOutletArgs) -> Result<ExitCode> {
    let feeds: Vec<FeedRecord> =
        store.feeds()?.into_iter().filter(|f| f.outlet.eq_ignore_ascii_case(&args.outlet)).collect();
    if feeds.is_empty() {
        bail!("no followed outlet is called {:?}", args.outlet);
    }
    let fetch_pages = match (args.fetch_pages, args.trust_feed_content) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let settings = FeedSettings {
        outlet: args.rename.clone(),
        poll_seconds: args.poll_minutes.map(|m| m * 60),
        fetch_pages,
    };
    if settings == FeedSettings::default() {
        bail!("nothing to change: give --rename, --poll-minutes, --fetch-pages or --trust-feed-content");
    }
    for feed in &feeds {
        store.update_feed(feed.id, &settings)?;
    }
    let name = args.rename.as_deref().unwrap_or(&feeds[0].outlet);
    for feed in store.feeds()?.iter().filter(|f| feeds.iter().any(|old| old.id == f.id)) {
        let how = if feed.fetch_pages { "pages fetched" } else { "feed content trusted" };
        println!("updated    {name}  {}  every {} min, {how}", feed.url, feed.poll_seconds / 60);
    }
    Ok(ExitCode::SUCCESS)
}
