//! `parallax fetch-now` and `parallax run`, and the worker `parallax serve --with-worker` runs: feeds
//! polled into the work queue, the queue worked through the pipeline, progress shown.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use parallax_ingest::{
    AddressPolicy, DEFAULT_LEASE, FetchConfig, Fetcher, ItemOutcome, ItemReport, PollReport, Worker,
    next_poll, poll_feed,
};
use parallax_store::{FeedRecord, Store};
use tokio::sync::watch;

use crate::cli::FetchNowArgs;
use crate::progress::ProgressBar;

/// A fetcher under the address policy the environment sets.
pub(crate) fn fetcher() -> Result<Fetcher> {
    let policy = AddressPolicy::from_env()?;
    Ok(Fetcher::new(FetchConfig { policy, ..FetchConfig::default() })?)
}

/// How long a claimed job stays its worker's: `PARALLAX_JOB_LEASE_SECONDS`, else the default.
fn lease() -> Result<Duration> {
    match std::env::var("PARALLAX_JOB_LEASE_SECONDS") {
        Ok(raw) => match raw.trim().parse::<u64>() {
            Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
            _ => bail!("PARALLAX_JOB_LEASE_SECONDS must be a whole number of seconds above 0, not {raw:?}"),
        },
        Err(_) => Ok(DEFAULT_LEASE),
    }
}

/// What became of the items worked, counted.
#[derive(Debug, Default)]
struct Tally {
    stored: usize,
    known: usize,
    copies: usize,
    retried: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, report: &ItemReport) {
        match report.outcome {
            ItemOutcome::Stored { .. } => self.stored += 1,
            ItemOutcome::Known(_) => self.known += 1,
            ItemOutcome::Copy { .. } => self.copies += 1,
            ItemOutcome::Retry { .. } => self.retried += 1,
            ItemOutcome::Failed(_) => self.failed += 1,
        }
    }

    fn done(&self) -> usize {
        self.stored + self.known + self.copies + self.retried + self.failed
    }

    fn summary(&self) -> String {
        format!(
            "{} new reports, {} copies of stored ones, {} already stored, {} to retry later, {} failed",
            self.stored, self.copies, self.known, self.retried, self.failed
        )
    }
}

/// Prints a line on standard output, or drops it when nobody reads it any more: a long-running
/// poller must not die with the terminal that started it.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// As [`say!`], on standard error.
macro_rules! complain {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// One line for a polled feed.
fn print_poll(feed: &FeedRecord, report: &PollReport) {
    match (&report.error, report.not_modified) {
        (Some(error), _) => complain!("failed     {}  {}: {error}", feed.outlet, feed.url),
        (None, true) => say!("unchanged  {}  {}", feed.outlet, feed.url),
        (None, false) => say!(
            "read       {}  {}: {} items, {} new to the queue",
            feed.outlet,
            feed.url,
            report.items,
            report.queued
        ),
    }
}

/// One line for an item that did not simply end up stored.
fn print_item(report: &ItemReport) {
    if let Some(why) = &report.read_from_feed {
        say!("    read from the feed: {} ({why})", report.key);
    }
    match &report.outcome {
        ItemOutcome::Retry { error, at } => {
            say!("    retry at {}: {}: {error}", at.format("%H:%M"), report.key)
        }
        ItemOutcome::Failed(error) => say!("    not stored: {}: {error}", report.key),
        ItemOutcome::Copy { original, similarity } => {
            say!("    a copy of article {original} ({:.0}% shared): {}", similarity * 100.0, report.key)
        }
        _ => {}
    }
}

/// Works through the due jobs until none is due or `stop` is set; a batch under way is finished.
async fn work_queue(
    worker: &mut Worker<'_>,
    store: &dyn Store,
    stop: &watch::Receiver<bool>,
    tally: &mut Tally,
    progress: &mut ProgressBar,
) -> Result<()> {
    let started = tally.done();
    let mut total = started + usize::try_from(store.queue_counts()?.pending()).unwrap_or(usize::MAX);
    draw(progress, tally, total);
    while !*stop.borrow() {
        let reports = worker.work_batch().await?;
        if reports.is_empty() {
            break;
        }
        for report in &reports {
            tally.record(report);
            if !matches!(report.outcome, ItemOutcome::Stored { .. } | ItemOutcome::Known(_))
                || report.read_from_feed.is_some()
            {
                progress.clear();
                print_item(report);
            }
        }
        total = total.max(tally.done());
        draw(progress, tally, total);
    }
    progress.clear();
    if tally.stored > 0 {
        worker.maintain()?;
    }
    Ok(())
}

/// Polls the followed feeds once (or one outlet's), then works the queue through; exits with status
/// 1 when a feed could not be read or an item failed for good.
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
                "no outlets are followed yet: parallax add-outlet URL or parallax import-opml FILE follows some"
            ),
        }
    }
    let fetcher = fetcher()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut worker = Worker::new(store, fetcher.clone(), lease()?)?;
    let mut failed_feeds = 0;
    let mut tally = Tally::default();
    let (_keep, stop) = watch::channel(false);
    runtime.block_on(async {
        for feed in &feeds {
            let report = poll_feed(store, &fetcher, feed).await;
            failed_feeds += usize::from(report.error.is_some());
            print_poll(feed, &report);
        }
        work_queue(&mut worker, store, &stop, &mut tally, &mut ProgressBar::new()).await
    })?;
    println!("{} from {} feeds ({failed_feeds} failed)", tally.summary(), feeds.len());
    let still = store.queue_counts()?;
    if still.pending() > 0 {
        println!("{} items wait in the queue (retries, or held by another worker)", still.pending());
    }
    Ok(if failed_feeds > 0 || tally.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Longest sleep between two looks at the feeds and the queue, so that newly followed feeds and
/// retries coming due are seen.
const LONGEST_SLEEP: Duration = Duration::from_secs(60);

/// How long done jobs are remembered.
const KEEP_DONE_JOBS: chrono::Duration = chrono::Duration::days(30);

/// Polls each followed feed whenever it is due (its interval, backing off while it fails, not before
/// its server asked) and works the queue through, until `stop` is set; a batch under way is
/// finished first. A store failure is reported and tried again after a pause.
pub(crate) async fn follow(
    store: &dyn Store,
    fetcher: Fetcher,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    let lease = lease()?;
    let mut worker = Worker::new(store, fetcher.clone(), lease)?;
    let mut progress = ProgressBar::new();
    // A worker that dies leaves its jobs leased: the others look again once a lease could have run out.
    let longest_sleep = LONGEST_SLEEP.min(lease).max(Duration::from_millis(200));
    // Other processes' polls queue work too: their notice cuts the wait short.
    let wakeups = store.job_wakeups()?;
    loop {
        let wait = match follow_round(store, &fetcher, &mut worker, &stop, &mut progress).await {
            Ok(()) => {
                let next = store.feeds().ok().and_then(|feeds| feeds.iter().filter_map(next_poll).min());
                next.and_then(|at| (at - chrono::Utc::now()).to_std().ok())
                    .unwrap_or(Duration::ZERO)
                    .clamp(Duration::from_millis(200), longest_sleep)
            }
            // The store failing (a full disk, a lock held too long) is waited out, not hammered.
            Err(error) => {
                progress.clear();
                complain!("error: {error:#}");
                LONGEST_SLEEP
            }
        };
        if *stop.borrow() {
            return Ok(());
        }
        tokio::select! {
            _ = stop.changed() => return Ok(()),
            () = tokio::time::sleep(wait) => {}
            () = wakeups.notified() => {}
        }
    }
}

/// Polls the feeds that are due, then works the queue through.
async fn follow_round(
    store: &dyn Store,
    fetcher: &Fetcher,
    worker: &mut Worker<'_>,
    stop: &watch::Receiver<bool>,
    progress: &mut ProgressBar,
) -> Result<()> {
    let now = chrono::Utc::now();
    let feeds = store.feeds()?;
    for feed in feeds.iter().filter(|f| next_poll(f).is_none_or(|at| at <= now)) {
        if *stop.borrow() {
            return Ok(());
        }
        // Another process following the same database polled it first.
        if !store.take_poll(feed.id, feed.last_polled)? {
            continue;
        }
        let report = poll_feed(store, fetcher, feed).await;
        print_poll(feed, &report);
    }
    let mut tally = Tally::default();
    work_queue(worker, store, stop, &mut tally, progress).await?;
    if tally.done() > 0 {
        say!("worked {} queued items: {}", tally.done(), tally.summary());
    }
    store.prune_jobs(now - KEEP_DONE_JOBS)?;
    Ok(())
}

/// `parallax run`: the poller and its worker until Ctrl-C or SIGTERM.
pub fn run(store: &dyn Store) -> Result<ExitCode> {
    let fetcher = fetcher()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    println!("following {} feeds; Ctrl-C stops", store.feeds()?.len());
    runtime.block_on(async {
        let (stop_sender, stop) = watch::channel(false);
        let followed = follow(store, fetcher, stop);
        tokio::pin!(followed);
        tokio::select! {
            result = &mut followed => result,
            () = super::serve::shutdown_signal() => {
                let _ = stop_sender.send(true);
                followed.await
            }
        }
    })?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The queue's progress: items done of those known, and what became of them.
fn draw(progress: &mut ProgressBar, tally: &Tally, total: usize) {
    progress.draw(
        tally.done() as u64,
        total as u64,
        format_args!(
            "items · {} new · {} copies · {} known · {} failed",
            tally.stored,
            tally.copies,
            tally.known,
            tally.failed + tally.retried
        ),
    );
}
