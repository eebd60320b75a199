//! `parallax add-outlet`, `import-opml`, `export-opml`, `outlets`, `fetch-now` and `run`: the outlets
//! Parallax follows, their feeds, a one-off poll of them, and the poller.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_ingest::{
    AddressPolicy, FetchConfig, Fetcher, OpmlOutlet, Pipeline, PollReport, discover_feeds, next_poll,
    poll_feed, read_opml, write_opml,
};
use parallax_store::{FeedAdded, FeedRecord, NewFeed, Store};

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

/// One line for a polled feed, and one for each item read from the feed or not stored.
fn print_report(feed: &FeedRecord, report: &PollReport) {
    match (&report.error, report.not_modified) {
        (Some(error), _) => eprintln!("failed     {}  {}: {error}", feed.outlet, feed.url),
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

/// Longest sleep between two looks at the feeds, so that newly followed ones are seen.
const LONGEST_SLEEP: std::time::Duration = std::time::Duration::from_secs(60);

/// Polls each followed feed whenever it is due (its interval, backing off while it fails), until
/// Ctrl-C or SIGTERM; a poll under way is finished first.
pub fn run(store: &dyn Store) -> Result<ExitCode> {
    let fetcher = fetcher()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut pipeline = Pipeline::open(store)?;
    println!("following {} feeds; Ctrl-C stops", store.feeds()?.len());
    runtime.block_on(async {
        let shutdown = super::serve::shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            let now = chrono::Utc::now();
            let feeds = store.feeds()?;
            let due: Vec<&FeedRecord> =
                feeds.iter().filter(|f| next_poll(f).is_none_or(|at| at <= now)).collect();
            for feed in &due {
                let report = poll_feed(&mut pipeline, store, &fetcher, feed).await;
                print_report(feed, &report);
            }
            if !due.is_empty() {
                pipeline.maintain()?;
            }
            let feeds = store.feeds()?;
            let next = feeds.iter().filter_map(next_poll).min();
            let wait = next
                .and_then(|at| (at - chrono::Utc::now()).to_std().ok())
                .unwrap_or(std::time::Duration::ZERO)
                .min(LONGEST_SLEEP)
                .max(std::time::Duration::from_millis(200));
            tokio::select! {
                () = &mut shutdown => {
                    println!("stopped");
                    return Ok::<_, anyhow::Error>(());
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
    })?;
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
        failed_feeds += usize::from(report.error.is_some());
        print_report(feed, &report);
    }
    pipeline.maintain()?;
    println!("{new} new reports from {} feeds, {failed_feeds} failed", feeds.len());
    Ok(if failed_feeds > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
