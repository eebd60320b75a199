//! `parallax serve` and `parallax demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use parallax_extract::Hints;
use parallax_ingest::{DocumentReport, Pipeline};
use parallax_store::{DatabaseUrl, SqliteStore, Store};
use parallax_web::{AppState, PageCache};

use super::ingest::Tally;
use crate::cli::ServeArgs;

/// The demo corpus, embedded so that the binary alone can show it.
const DEMO_RECORDS: &[u8] = include_bytes!("../../../../fixtures/demo/ecbplus-dev.jsonl");
const DEMO_SAMPLES: [(&str, &[u8]); 2] = [
    (
        "samples/000_499c8513cc3fdbef.txt",
        include_bytes!("../../../../fixtures/samples/000_499c8513cc3fdbef.txt"),
    ),
    (
        "samples/004_b385d3fa735fe338.txt",
        include_bytes!("../../../../fixtures/samples/004_b385d3fa735fe338.txt"),
    ),
];

pub fn serve(store: Arc<dyn Store>, database: &DatabaseUrl, args: &ServeArgs) -> Result<ExitCode> {
    let database = database.to_string();
    run_server(store, args, move |addr| println!("Parallax is serving {database} on http://{addr}/"))
}

pub fn demo(data: Option<&Path>, args: &ServeArgs) -> Result<ExitCode> {
    // Without --data the demo gets a fresh directory of its own, removed when it stops.
    let temporary;
    let dir: PathBuf = match data {
        Some(dir) => dir.to_owned(),
        None => {
            temporary = tempfile::Builder::new()
                .prefix("parallax-demo-")
                .tempdir()
                .context("creating a demo directory")?;
            temporary.path().to_owned()
        }
    };
    let store = SqliteStore::open_dir(&dir).with_context(|| format!("opening {}", dir.display()))?;
    let tally = load_demo(&store)?;
    println!("Demo corpus loaded into {}: {}", dir.display(), tally.summary());
    run_server(Arc::new(store), args, |addr| println!("Parallax demo: http://{addr}/"))
}

/// Ingests the embedded corpus: the news documents first, then the two sample reports.
pub fn load_demo(store: &dyn Store) -> Result<Tally> {
    let mut pipeline = Pipeline::open(store)?;
    let mut tally = Tally::default();
    pipeline.ingest_json_lines(
        Path::new("demo/ecbplus-dev.jsonl"),
        DEMO_RECORDS,
        &Hints::default(),
        &mut |report| tally.record(&report, false),
    )?;
    for (name, bytes) in DEMO_SAMPLES {
        let outcome = pipeline.ingest_bytes(bytes, &Hints::default());
        tally.record(&DocumentReport { source: name.to_owned(), outcome }, false);
    }
    pipeline.maintain()?;
    Ok(tally)
}

fn run_server(
    store: Arc<dyn Store>,
    args: &ServeArgs,
    on_ready: impl FnOnce(std::net::SocketAddr) + Send + 'static,
) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let state = site_state(store.clone())?;
    let fetcher = if args.with_worker { Some(super::follow::fetcher()?) } else { None };
    runtime.block_on(async {
        let (stop_sender, stop) = tokio::sync::watch::channel(false);
        let mut web_stop = stop.clone();
        // The server runs as a task of its own, so that the worker's work on this thread never holds
        // up accepting connections.
        let web = tokio::spawn(parallax_web::serve(state, args.addr, on_ready, async move {
            let _ = web_stop.changed().await;
        }));
        let worker = async {
            match fetcher {
                Some(fetcher) => super::follow::follow(store.as_ref(), fetcher, stop).await,
                None => {
                    let mut stop = stop;
                    let _ = stop.changed().await;
                    Ok(())
                }
            }
        };
        let signal = async {
            shutdown_signal().await;
            let _ = stop_sender.send(true);
        };
        tokio::pin!(web, worker, signal);
        let (mut web_result, mut worker_result, mut signalled) = (None, None, false);
        while web_result.is_none() || worker_result.is_none() {
            tokio::select! {
                result = &mut web, if web_result.is_none() => {
                    web_result = Some(result.map_err(anyhow::Error::from).and_then(|r| r.map_err(anyhow::Error::from)));
                    let _ = stop_sender.send(true);
                }
                result = &mut worker, if worker_result.is_none() => {
                    worker_result = Some(result);
                    let _ = stop_sender.send(true);
                }
                () = &mut signal, if !signalled => signalled = true,
            }
        }
        web_result.unwrap_or(Ok(())).context("serving the site")?;
        worker_result.unwrap_or(Ok(()))
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The site's settings from the environment: its public address and how long pages are kept.
fn site_state(store: Arc<dyn Store>) -> Result<AppState> {
    let mut state = AppState::new(store);
    if let Some(url) = std::env::var("PARALLAX_PUBLIC_URL").ok().filter(|u| !u.trim().is_empty()) {
        let url = url.trim().trim_end_matches('/').to_owned();
        let valid = (url.starts_with("http://") || url.starts_with("https://"))
            && url.chars().all(|c| c.is_ascii_graphic() && !"<>\"'`".contains(c));
        anyhow::ensure!(
            valid,
            "PARALLAX_PUBLIC_URL must be an http(s) address such as https://news.example.org, not {url:?}"
        );
        state.public_url = Some(url);
    }
    if let Some(list) = std::env::var("PARALLAX_TRUSTED_PROXIES").ok().filter(|l| !l.trim().is_empty()) {
        let proxies = list
            .split(',')
            .map(|p| p.trim().parse::<std::net::IpAddr>())
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| {
                format!("PARALLAX_TRUSTED_PROXIES must be addresses separated by commas, not {list:?}")
            })?;
        state.trusted_proxies = Arc::from(proxies);
    }
    if let Ok(seconds) = std::env::var("PARALLAX_PAGE_CACHE_SECONDS") {
        let seconds: u64 = seconds.trim().parse().ok().filter(|s| *s <= 3600).with_context(|| {
            format!("PARALLAX_PAGE_CACHE_SECONDS must be a number of seconds up to 3600, not {seconds:?}")
        })?;
        state.cache = Arc::new(PageCache::new(std::time::Duration::from_secs(seconds)));
    }
    Ok(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
