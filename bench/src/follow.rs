//! `follow N M [FILE.jsonl]`: N outlets of M reports each, served from a loopback server as RSS
//! feeds and article pages, followed end to end (fetch → extract → analyse → store → cluster)
//! through the same fetcher and pipeline as `parallax fetch-now`, in this process. Pages carry the
//! texts of the documents of FILE (ECB+ by default), each made unique to its outlet and item (see
//! [`crate::farm`]).

use std::time::{Duration, Instant};

use anyhow::Result;
use parallax_ingest::{AddressPolicy, DEFAULT_LEASE, FetchConfig, Fetcher, ItemOutcome, Worker, poll_feed};
use parallax_store::{NewFeed, SqliteStore, Store};

use crate::farm::{self, Farm, Layout};

/// Runs the benchmark and prints the figures.
pub fn run(outlets: usize, items: usize, file: &str) -> Result<()> {
    let texts = farm::texts(file)?;
    let corpus = texts.len();
    let farm = Farm::start(outlets, items, texts, Layout::Single)?;
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open_dir(dir.path())?;
    for outlet in 0..outlets {
        store.add_feed(&NewFeed {
            outlet: &Farm::outlet_name(outlet),
            url: &farm.feed_url(outlet),
            site_url: None,
            poll_seconds: 1800,
            fetch_pages: true,
        })?;
    }
    let fetcher = Fetcher::new(FetchConfig {
        policy: AddressPolicy::allowing("127.0.0.0/8")?,
        // Every outlet is one loopback host here: the per-host delay would measure only itself.
        host_delay: Duration::ZERO,
        ..FetchConfig::default()
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let started = Instant::now();
    let mut worker = Worker::new(&store, fetcher.clone(), DEFAULT_LEASE)?;
    let (mut stored, mut copies, mut failed) = (0, 0, 0);
    runtime.block_on(async {
        for feed in store.feeds()? {
            let report = poll_feed(&store, &fetcher, &feed).await;
            failed += usize::from(report.error.is_some());
        }
        loop {
            let reports = worker.work_batch().await?;
            if reports.is_empty() {
                return anyhow::Ok(());
            }
            for report in reports {
                match report.outcome {
                    ItemOutcome::Stored { .. } => stored += 1,
                    ItemOutcome::Copy { .. } => copies += 1,
                    ItemOutcome::Known(_) => {}
                    ItemOutcome::Retry { .. } | ItemOutcome::Failed(_) => failed += 1,
                }
            }
        }
    })?;
    worker.maintain()?;
    let elapsed = started.elapsed().as_secs_f64();
    let counts = store.counts()?;
    let taken = stored + copies;
    println!(
        "follow: {outlets} outlets × {items} items: {taken} items taken in {elapsed:.1} s = {:.0} items/s end to end \
         (poll → queue → fetch → extract → analyse → store → cluster; pages fetched {batch} at a time, stored on one \
         thread); {stored} new reports, {copies} linked as copies of stored ones (the corpus has {texts} texts, \
         reused across outlets reworded); {} stories; {failed} failures; peak memory {}",
        taken as f64 / elapsed,
        counts.stories,
        crate::peak_memory(),
        batch = parallax_ingest::BATCH,
        texts = corpus,
    );
    Ok(())
}
