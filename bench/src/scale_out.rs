//! `scale [--outlets N] [--items M] [--seconds S] [--connections C] [--page-hosts K] [--kill-at F]
//! [--build]`: how Parallax scales out over processes sharing one PostgreSQL database, and whether it
//! stays whole when a worker dies.
//!
//! Two deployments of the release `parallax` binary (see [`crate::site::parallax_binary`]) follow
//! the same loopback outlet farm ([`crate::farm`], N outlets × M items, 20 × 25 by default), each on
//! a scratch database of its own ([`parallax_store::ScratchDatabase`], on the server
//! `PARALLAX_TEST_POSTGRES` names, by default `postgres://postgres@127.0.0.1:5432/postgres`):
//!
//! - the baseline: one `parallax run` worker and one `parallax serve` web process;
//! - the scale-out: three workers and two web processes. Once a share F of the farm's items is stored
//!   (`--kill-at`, 0.3 by default), the first worker is killed with SIGKILL, mid-batch; its jobs are
//!   leased for 5 s only (`PARALLAX_JOB_LEASE_SECONDS`), so the other two take them over and finish.
//!
//! The feeds are followed with `parallax import-opml`; every child gets `PARALLAX_ALLOW_PRIVATE` for
//! the loopback range so that its fetcher may reach the farm. Ingest is timed from starting the
//! workers until every item of the farm is stored (as an article, or as a copy of one), polling the
//! database's counts: items stored per second up to the kill's share (in both deployments), for
//! the rest, and for all of them.
//!
//! A `parallax` fetcher sends one request a second at most to each host, and reads each site's
//! `robots.txt` before its first page, once per process; neither can be changed from the command
//! line. On one address the figures would be that delay's, so the farm deals its pages out over K
//! loopback addresses (64 by default). That caps a worker at K pages a second, and costs each new
//! worker about K/8 seconds of cold start ([`parallax_ingest::BATCH`] pages fetched at a time, each
//! a second after its host's `robots.txt`), which is most of the "to 30 %" row; the rest of the
//! run is bound by the pipeline and the database, or by those K pages a second. The farm counts the
//! requests it answered: the `robots.txt` reads, the feed polls, and the most requests one address
//! got within 0.9 s (above one, processes do not share their delay).
//!
//! The workers are then stopped (SIGTERM) and the web processes loaded with `wrk` over loopback
//! (which must be installed): the front page and the first story it links, each two seconds of
//! warm-up then S seconds (10 by default), always by two wrk processes of one thread and C/2
//! connections each (C = 32 by default), both against the one web process of the baseline, one
//! against each of the two of the scale-out. Requests/s are summed; p50 is the mean of the two
//! runs' and p99 the larger.
//!
//! Checks, on both deployments, each PASS or FAIL (the harness exits non-zero when one fails):
//! every farm item stored exactly once (by canonical URL, among articles and copies together), no
//! job left undone, each feed polled once whatever the number of workers (by the farm's count of
//! requests), every article's story and every copy's original there, each story's report
//! count equal to its articles, no story empty, every story alias pointing at a story that exists
//! (and no alias that is a story itself), the workers stopping cleanly, and the web processes
//! staying up and listing the same stories on their front pages. Also printed: how many jobs were
//! handed out again, warnings of jobs that outlived their lease, the number of stories, the
//! agreement of the scale-out's stories with the baseline's (BCubed precision, recall and F1,
//! matching articles by URL; a figure, not a check, as assignments depend on the order reports
//! arrive in), and the warnings and errors the processes logged, counted by message.
//!
//! Every child's output goes to log files in a temporary directory, shown when something fails and
//! kept (its path printed) when a check fails; children are killed when the harness ends.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use parallax_ingest::{OpmlOutlet, write_opml};
use parallax_store::ScratchDatabase;

use crate::farm::{self, Farm, Layout, Traffic};
use crate::site::{self, Load, Process, fetch, find_tool, parallax_binary, story_links, text};

/// How long a worker's claim on a job lasts: a killed worker's jobs are handed out again after it.
const LEASE_SECONDS: u32 = 5;
/// Requests to one farm address closer together than this break the fetcher's one-a-second rule.
const POLITENESS_WINDOW: Duration = Duration::from_millis(900);
/// How long ingest may go without storing anything before the harness gives up.
const STALL_LIMIT: Duration = Duration::from_secs(120);
/// How long a process may take to start serving.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);
/// How long a stopped worker may take to finish its batch.
const STOP_GRACE: Duration = Duration::from_secs(60);
/// Warm-up before each measured wrk run.
const WARM_UP_SECONDS: u32 = 2;
/// The wrk processes loading the web processes at once.
const WRK_PROCESSES: usize = 2;

struct Options {
    outlets: usize,
    items: usize,
    seconds: u32,
    connections: u32,
    page_hosts: usize,
    /// The share of the farm stored when a worker of the scale-out is killed.
    kill_at: f64,
    build: bool,
}

impl Options {
    fn parse(args: &[&str]) -> Result<Self> {
        let mut options = Options {
            outlets: 20,
            items: 25,
            seconds: 10,
            connections: 32,
            page_hosts: 64,
            kill_at: 0.3,
            build: false,
        };
        let mut args = args.iter();
        while let Some(&arg) = args.next() {
            let mut value = |name: &str| -> Result<usize> {
                args.next()
                    .with_context(|| format!("{name} needs a number"))?
                    .parse()
                    .context(name.to_owned())
            };
            match arg {
                "--outlets" => options.outlets = value(arg)?,
                "--items" => options.items = value(arg)?,
                "--seconds" => options.seconds = u32::try_from(value(arg)?).context("--seconds")?,
                "--connections" => {
                    options.connections = u32::try_from(value(arg)?).context("--connections")?
                }
                "--page-hosts" => options.page_hosts = value(arg)?,
                "--kill-at" => {
                    let share = args.next().context("--kill-at needs a share such as 0.3")?;
                    options.kill_at = share.parse().context("--kill-at")?;
                }
                "--build" => options.build = true,
                other => bail!(
                    "scale: unknown option {other:?} (expected --outlets N, --items M, --seconds S, \
                     --connections C, --page-hosts K, --kill-at F, --build)"
                ),
            }
        }
        if options.outlets == 0 || options.items == 0 || options.seconds == 0 || options.page_hosts == 0 {
            bail!("scale: --outlets, --items, --seconds and --page-hosts must be at least 1");
        }
        if options.outlets > 254 * 250 || options.page_hosts > 254 * 250 {
            bail!("scale: at most {} outlets and page hosts", 254 * 250);
        }
        if !(options.kill_at > 0.0 && options.kill_at < 1.0) {
            bail!("scale: --kill-at must be a share between 0 and 1, such as 0.3");
        }
        if options.connections < WRK_PROCESSES as u32 {
            bail!("scale: --connections must be at least {WRK_PROCESSES}");
        }
        Ok(options)
    }
}

/// What one deployment runs.
struct Plan {
    name: &'static str,
    workers: usize,
    webs: usize,
    /// Whether to kill the first worker once `--kill-at` of the farm is stored.
    kill: bool,
}

const BASELINE: Plan = Plan { name: "baseline", workers: 1, webs: 1, kill: false };
const SCALED: Plan = Plan { name: "scale-out", workers: 3, webs: 2, kill: true };

pub fn run(args: &[&str]) -> Result<()> {
    let options = Options::parse(args)?;
    let started = Instant::now();
    let wrk = find_tool("wrk").context(
        "wrk is not installed: the scale benchmark loads the web processes with it \
         (Debian: `apt-get install wrk`)",
    )?;
    let binary = parallax_binary("scale", options.build)?;
    let texts = farm::texts("fixtures/demo/ecbplus-dev.jsonl")?;
    let farm = Farm::start(
        options.outlets,
        options.items,
        texts,
        Layout::Spread { page_hosts: options.page_hosts },
    )?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    eprintln!(
        "scale: {cores} cores; farm of {} outlets × {} items on {} loopback addresses",
        farm.outlets(),
        farm.items(),
        farm.hosts()
    );

    let baseline = Deployment::run(&binary, &wrk, &farm, &options, &BASELINE)?;
    let scaled = Deployment::run(&binary, &wrk, &farm, &options, &SCALED)?;
    let failed = report(&options, &farm, cores, &baseline, &scaled);
    eprintln!("scale: done in {:.0} s", started.elapsed().as_secs_f64());
    if failed > 0 {
        for (deployment, logs) in [(&baseline, &baseline.logs), (&scaled, &scaled.logs)] {
            if deployment.checks.iter().any(|c| !c.passed) {
                eprintln!(
                    "scale: the {} processes' logs are kept in {}",
                    deployment.plan.name,
                    logs.display()
                );
            }
        }
        bail!("{failed} checks failed");
    }
    for logs in [&baseline.logs, &scaled.logs] {
        let _ = std::fs::remove_dir_all(logs);
    }
    Ok(())
}

/// A connection to a deployment's database for the harness's own queries.
struct Sql {
    client: tokio_postgres::Client,
    runtime: tokio::runtime::Runtime,
}

impl Sql {
    fn connect(url: &str) -> Result<Sql> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (client, connection) = runtime
            .block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))
            .context("connecting to the scratch database")?;
        // Driven whenever a query is waited for on this runtime.
        runtime.spawn(connection);
        Ok(Sql { client, runtime })
    }

    fn rows(&self, sql: &str) -> Result<Vec<tokio_postgres::Row>> {
        self.runtime.block_on(self.client.query(sql, &[])).with_context(|| format!("running {sql}"))
    }

    /// The first column of the one row a query returns, as a count.
    fn count(&self, sql: &str) -> Result<u64> {
        let rows = self.rows(sql)?;
        let value: i64 = rows.first().context("no row")?.get(0);
        Ok(u64::try_from(value).unwrap_or(0))
    }
}

/// What one deployment measured and found.
struct Deployment {
    plan: &'static Plan,
    ingest: Ingest,
    /// Each measured page's name and path, and the load on it.
    web: Vec<(String, String, WebLoad)>,
    checks: Vec<Check>,
    /// Each farm URL's story.
    stories_by_url: HashMap<String, i64>,
    stories: u64,
    /// Jobs handed out more than once.
    reclaimed: u64,
    /// Warnings of jobs that outlived their lease, in the workers' logs.
    lease_warnings: usize,
    /// The warnings and errors in the processes' logs, digits masked, each with how often it came.
    log_notes: BTreeMap<String, usize>,
    /// Where the processes' logs are.
    logs: PathBuf,
}

/// How ingest went.
struct Ingest {
    /// Items stored when `--kill-at` of the farm was (the kill, in the scale-out), and when.
    early: (u64, Duration),
    /// When every item was stored.
    all: Duration,
    /// The kill: which worker, and how many items were stored then.
    killed: Option<(String, u64)>,
    /// What the farm answered meanwhile.
    traffic: Traffic,
}

/// Load on one page, summed over the wrk processes.
struct WebLoad {
    requests_per_second: f64,
    /// The mean of the runs' medians.
    p50_ms: f64,
    /// The largest of the runs' 99th percentiles.
    p99_ms: f64,
    failures: String,
}

impl WebLoad {
    fn of(loads: &[Load]) -> WebLoad {
        let failures: Vec<&str> =
            loads.iter().map(|l| l.failures.as_str()).filter(|f| !f.is_empty()).collect();
        WebLoad {
            requests_per_second: loads.iter().map(|l| l.requests_per_second).sum(),
            p50_ms: loads.iter().map(|l| l.p50_ms).sum::<f64>() / loads.len().max(1) as f64,
            p99_ms: loads.iter().map(|l| l.p99_ms).fold(0.0, f64::max),
            failures: failures.join("; "),
        }
    }
}

/// One check's verdict.
struct Check {
    name: &'static str,
    passed: bool,
    detail: String,
}

impl Check {
    fn new(name: &'static str, passed: bool, detail: impl Into<String>) -> Check {
        Check { name, passed, detail: detail.into() }
    }
}

impl Deployment {
    fn run(
        binary: &Path,
        wrk: &Path,
        farm: &Farm,
        options: &Options,
        plan: &'static Plan,
    ) -> Result<Deployment> {
        let tag = format!("scale: {}", plan.name);
        let database = ScratchDatabase::create(&format!("bench_scale_{}", plan.workers)).context(
            "creating a scratch database (is PostgreSQL running? PARALLAX_TEST_POSTGRES names it)",
        )?;
        let logs = tempfile::Builder::new().prefix("parallax-bench-scale-").tempdir()?.keep();
        // The name only: the server's URL may hold a password.
        let name = database.url().rsplit('/').next().unwrap_or_default();
        eprintln!("{tag}: scratch database {name}; logs in {}", logs.display());
        let parallax = |args: &[&str]| {
            let mut command = Command::new(binary);
            command
                .arg("--database-url")
                .arg(database.url())
                .args(args)
                .env_remove("PARALLAX_DATA")
                .env_remove("PARALLAX_DATABASE_URL")
                .env("PARALLAX_ALLOW_PRIVATE", "127.0.0.0/8")
                .env("NO_COLOR", "1")
                .env("PARALLAX_JOB_LEASE_SECONDS", LEASE_SECONDS.to_string());
            command
        };

        // The farm's outlets, followed through the command line.
        let opml_path = logs.join("farm.opml");
        let outlets: Vec<OpmlOutlet> = (0..farm.outlets())
            .map(|o| OpmlOutlet { name: Farm::outlet_name(o), feed_url: farm.feed_url(o), site_url: None })
            .collect();
        std::fs::write(&opml_path, write_opml("The outlet farm", &outlets))?;
        let opml_arg = opml_path.to_string_lossy().into_owned();
        let output = parallax(&["import-opml", &opml_arg, "--poll-minutes", "60"])
            .output()
            .context("running parallax import-opml")?;
        if !output.status.success() {
            bail!(
                "parallax import-opml failed ({}):\n{}{}",
                output.status,
                text(&output.stdout),
                text(&output.stderr)
            );
        }
        eprintln!("{tag}: import-opml: {}", text(&output.stdout).lines().last().unwrap_or_default());

        // Web processes first: idle until the load, they take nothing from ingest.
        let mut webs: Vec<(Process, SocketAddr)> = Vec::new();
        for i in 0..plan.webs {
            let command = parallax(&["serve", "--addr", "127.0.0.1:0"]);
            let mut process = Process::spawn(&format!("web{}", i + 1), command, &logs)?;
            let addr = process.served_address(&tag, STARTUP_LIMIT)?;
            webs.push((process, addr));
        }

        let sql = Sql::connect(database.url())?;
        let mut workers: Vec<Process> = Vec::new();
        let started = Instant::now();
        for i in 0..plan.workers {
            workers.push(Process::spawn(&format!("worker{}", i + 1), parallax(&["run"]), &logs)?);
        }
        let ingest = watch_ingest(&sql, farm, &mut workers, &webs, plan, options.kill_at, started)?;

        // Stopped as an operator would, once the queue is empty: each finishes its batch and its
        // maintenance pass first.
        wait_for_idle_queue(&sql)?;
        let mut unclean = Vec::new();
        for worker in &mut workers {
            let killed = ingest.killed.as_ref().is_some_and(|(name, _)| name == worker.name());
            let status = worker.stop(STOP_GRACE)?;
            if !killed && !status.success() {
                unclean.push(format!("{} ended with {status}", worker.name()));
            }
        }

        let (stories_by_url, mut checks) = check_database(&sql, farm)?;
        let polls = ingest.traffic.feeds;
        let detail = format!("{polls} polls of {} feeds", farm.outlets());
        checks.push(Check::new("each feed polled once across the workers", polls == farm.outlets(), detail));
        let stopped = plan.workers - usize::from(ingest.killed.is_some());
        let detail = if unclean.is_empty() { format!("{stopped} of {stopped}") } else { unclean.join("; ") };
        checks.push(Check::new("workers stop cleanly on SIGTERM", unclean.is_empty(), detail));
        let web = load_webs(&tag, wrk, &webs, options, &mut checks)?;
        let down: Vec<String> = webs
            .iter_mut()
            .filter_map(|(process, _)| {
                process.exited().map(|status| format!("{} ended: {status}", process.name()))
            })
            .collect();
        let detail =
            if down.is_empty() { format!("{} of {}", webs.len(), webs.len()) } else { down.join("; ") };
        checks.push(Check::new("web processes stay up", down.is_empty(), detail));
        let stories = sql.count("SELECT count(*) FROM stories")?;
        let reclaimed = sql.count("SELECT count(*) FROM jobs WHERE attempts > 1")?;
        let lease_warnings = workers.iter().map(|w| w.stderr().matches("outlived its lease").count()).sum();
        let mut log_notes = BTreeMap::new();
        for process in workers.iter().chain(webs.iter().map(|(p, _)| p)) {
            for note in notes(&process.stderr()) {
                *log_notes
                    .entry(format!("{}: {note}", process.name().trim_end_matches(char::is_numeric)))
                    .or_default() += 1;
            }
        }
        if checks.iter().any(|c| !c.passed) {
            for process in workers.iter().chain(webs.iter().map(|(p, _)| p)) {
                eprintln!("{}", process.logs());
            }
        }
        drop(webs);
        drop(workers);
        drop(sql);
        drop(database);
        Ok(Deployment {
            plan,
            ingest,
            web,
            checks,
            stories_by_url,
            stories,
            reclaimed,
            lease_warnings,
            log_notes,
            logs,
        })
    }
}

/// Polls the database's counts until every item of the farm is stored, killing a worker on the way
/// when the plan says so; fails (with the processes' logs) when ingest stalls or a process dies.
fn watch_ingest(
    sql: &Sql,
    farm: &Farm,
    workers: &mut [Process],
    webs: &[(Process, SocketAddr)],
    plan: &Plan,
    kill_at: f64,
    started: Instant,
) -> Result<Ingest> {
    const STORED: &str = "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM article_copies)";
    let tag = format!("scale: {}", plan.name);
    let total = (farm.outlets() * farm.items()) as u64;
    let early_at = ((total as f64 * kill_at).ceil() as u64).max(1);
    let (mut early, mut killed) = (None, None);
    let (mut last, mut last_change, mut last_shown) = (0, Instant::now(), Instant::now());
    loop {
        let stored = sql.count(STORED)?;
        let elapsed = started.elapsed();
        if stored != last {
            last = stored;
            last_change = Instant::now();
        }
        if early.is_none() && stored >= early_at {
            early = Some((stored, elapsed));
            if plan.kill {
                let victim = &mut workers[0];
                let pid = victim.id();
                victim.kill()?;
                eprintln!("\n{tag}: SIGKILLed {} (pid {pid}) with {stored} of {total} stored", victim.name());
                killed = Some((victim.name().to_owned(), stored));
            }
        }
        if stored >= total {
            eprintln!("\r{tag}: {stored} of {total} stored in {:.1} s", elapsed.as_secs_f64());
            let early = early.unwrap_or((stored, elapsed));
            let traffic = farm.traffic(started, POLITENESS_WINDOW);
            return Ok(Ingest { early, all: elapsed, killed, traffic });
        }
        let dead = workers
            .iter_mut()
            .filter(|w| killed.as_ref().is_none_or(|(name, _)| name != w.name()))
            .find_map(|w| w.exited().map(|status| (w.name().to_owned(), status)));
        let stalled = last_change.elapsed() > STALL_LIMIT;
        if dead.is_some() || stalled {
            let why = match dead {
                Some((name, status)) => format!("{name} ended ({status})"),
                None => format!("nothing was stored for {} s", STALL_LIMIT.as_secs()),
            };
            let jobs: Vec<String> = sql
                .rows("SELECT state, count(*) FROM jobs GROUP BY state ORDER BY state")?
                .iter()
                .map(|r| format!("{} {}", r.get::<_, String>(0), r.get::<_, i64>(1)))
                .collect();
            let failures: Vec<String> = sql
                .rows("SELECT key, coalesce(last_error, '') FROM jobs WHERE last_error IS NOT NULL LIMIT 10")?
                .iter()
                .map(|r| format!("  {}: {}", r.get::<_, String>(0), r.get::<_, String>(1)))
                .collect();
            let logs: Vec<String> =
                workers.iter().map(Process::logs).chain(webs.iter().map(|(p, _)| p.logs())).collect();
            bail!(
                "ingest stopped at {stored} of {total} after {:.0} s: {why}; jobs: {}\n{}\n{}",
                elapsed.as_secs_f64(),
                jobs.join(", "),
                failures.join("\n"),
                logs.join("\n")
            );
        }
        if last_shown.elapsed() >= Duration::from_secs(1) {
            last_shown = Instant::now();
            eprint!(
                "\r{tag}: {stored} of {total} stored after {:.0} s ({:.1}/s)   ",
                elapsed.as_secs_f64(),
                stored as f64 / elapsed.as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits (a while) until no job is queued or running: the last batches end after their items are
/// counted stored.
fn wait_for_idle_queue(sql: &Sql) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if sql.count("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")? == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Checks that every web process serves the front page and the same stories on it, then loads the
/// front page and the first story it links.
fn load_webs(
    tag: &str,
    wrk: &Path,
    webs: &[(Process, SocketAddr)],
    options: &Options,
    checks: &mut Vec<Check>,
) -> Result<Vec<(String, String, WebLoad)>> {
    let mut fronts = Vec::new();
    for (process, addr) in webs {
        let front = fetch(*addr, "/", None)?.expect_ok(&format!("{} /", process.name()))?;
        let links: Vec<String> = story_links(&text(&front.body)).into_iter().map(|(path, _)| path).collect();
        fronts.push((process.name().to_owned(), links));
    }
    let (_, first) = &fronts[0];
    let differ: Vec<&str> =
        fronts.iter().filter(|(_, links)| links != first).map(|(name, _)| name.as_str()).collect();
    let detail = if differ.is_empty() {
        format!("{} stories linked from / by each of {}", first.len(), webs.len())
    } else {
        format!("{} list other stories than {}", differ.join(", "), fronts[0].0)
    };
    checks.push(Check::new(
        "web processes show the same front page",
        differ.is_empty() && !first.is_empty(),
        detail,
    ));
    let story = first.first().context("the front page links no story")?.clone();
    let per_wrk = options.connections / WRK_PROCESSES as u32;
    let mut measured = Vec::new();
    for (name, path) in [("front", "/".to_owned()), ("story", story)] {
        for (process, addr) in webs {
            fetch(*addr, &path, Some(site::ACCEPT_ENCODING))?
                .expect_ok(&format!("{} {path}", process.name()))?;
        }
        let urls: Vec<String> =
            (0..WRK_PROCESSES).map(|i| format!("http://{}{path}", webs[i % webs.len()].1)).collect();
        eprintln!(
            "{tag}: wrk {path} on {} web processes: {WARM_UP_SECONDS} s warm-up, {} s measured",
            webs.len(),
            options.seconds
        );
        site::wrk(wrk, &urls, per_wrk, WARM_UP_SECONDS)?;
        let loads = site::wrk(wrk, &urls, per_wrk, options.seconds)?;
        measured.push((name.to_owned(), path, WebLoad::of(&loads)));
    }
    Ok(measured)
}

/// Checks the stored articles, copies, stories, aliases and jobs against the farm; returns each farm
/// URL's story with the checks.
fn check_database(sql: &Sql, farm: &Farm) -> Result<(HashMap<String, i64>, Vec<Check>)> {
    let mut checks = Vec::new();
    // Every farm item once, as an article or as a copy of one.
    let mut found: HashMap<String, Vec<i64>> = HashMap::new();
    let kept = sql.rows(
        "SELECT canonical_url, story_id FROM articles WHERE canonical_url IS NOT NULL
         UNION ALL
         SELECT c.canonical_url, a.story_id FROM article_copies c JOIN articles a ON a.id = c.article_id
         WHERE c.canonical_url IS NOT NULL",
    )?;
    for row in &kept {
        found.entry(row.get(0)).or_default().push(row.get(1));
    }
    let urls = farm.page_urls();
    let wanted: HashSet<&str> = urls.iter().map(String::as_str).collect();
    let missing: Vec<&str> = urls.iter().map(String::as_str).filter(|u| !found.contains_key(*u)).collect();
    let twice: Vec<&str> =
        urls.iter().map(String::as_str).filter(|u| found.get(*u).is_some_and(|s| s.len() > 1)).collect();
    let others = found.keys().filter(|u| !wanted.contains(u.as_str())).count();
    let copies = sql.count("SELECT count(*) FROM article_copies")?;
    let without_url = sql.count(
        "SELECT (SELECT count(*) FROM articles WHERE canonical_url IS NULL)
              + (SELECT count(*) FROM article_copies WHERE canonical_url IS NULL)",
    )?;
    let mut detail = format!(
        "{} of {}; {} missing, {} twice, {copies} kept as copies, {others} other URLs, \
         {without_url} without URL",
        urls.len() - missing.len(),
        urls.len(),
        missing.len(),
        twice.len()
    );
    for (what, list) in [("missing", &missing), ("twice", &twice)] {
        if !list.is_empty() {
            let _ =
                write!(detail, "; {what}: {}", list.iter().take(3).copied().collect::<Vec<_>>().join(" "));
        }
    }
    checks.push(Check::new(
        "every farm item stored exactly once",
        missing.is_empty() && twice.is_empty() && others == 0 && without_url == 0,
        detail,
    ));

    let jobs: BTreeMap<String, i64> = sql
        .rows("SELECT state, count(*) FROM jobs GROUP BY state")?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let done = jobs.get("done").copied().unwrap_or(0);
    let undone: i64 = jobs.iter().filter(|(state, _)| *state != "done").map(|(_, n)| n).sum();
    let states: Vec<String> = jobs.iter().map(|(state, n)| format!("{n} {state}")).collect();
    checks.push(Check::new(
        "every job done",
        undone == 0 && done == urls.len() as i64,
        format!("{} jobs: {}", done + undone, states.join(", ")),
    ));

    let orphans = sql.count(
        "SELECT (SELECT count(*) FROM articles a
                 WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = a.story_id))
              + (SELECT count(*) FROM article_copies c
                 WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id))",
    )?;
    checks.push(Check::new(
        "every article's story and copy's original exist",
        orphans == 0,
        format!("{orphans} without"),
    ));
    let miscounted = sql.count(
        "SELECT count(*) FROM stories s
         WHERE s.reports <> (SELECT count(*) FROM articles a WHERE a.story_id = s.id)",
    )?;
    checks.push(Check::new(
        "each story's report count equals its articles",
        miscounted == 0,
        format!("{miscounted} stories miscounted"),
    ));
    let empty = sql.count(
        "SELECT count(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id)",
    )?;
    checks.push(Check::new("no story empty", empty == 0, format!("{empty} empty")));
    let aliases = sql.count("SELECT count(*) FROM story_aliases")?;
    let dangling = sql.count(
        "SELECT count(*) FROM story_aliases al
         WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = al.story_id)
            OR EXISTS (SELECT 1 FROM stories s WHERE s.id = al.alias)",
    )?;
    checks.push(Check::new(
        "story aliases point at existing stories",
        dangling == 0,
        format!("{dangling} of {aliases} aliases dangle or name a live story"),
    ));
    let stories_by_url =
        found.into_iter().filter_map(|(url, stories)| Some((url, *stories.first()?))).collect();
    Ok((stories_by_url, checks))
}

/// The warnings, errors and panics in a log, each without its time and with its digits masked (so
/// that the same message about different rows counts as one).
fn notes(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            line.contains(" WARN ")
                || line.contains(" ERROR ")
                || line.starts_with("error")
                || line.contains("panicked")
        })
        .map(|line| {
            // A tracing line starts with its time.
            let line = match line.split_once(' ') {
                Some((time, rest)) if time.starts_with(|c: char| c.is_ascii_digit()) => rest,
                _ => line,
            };
            let mut masked = String::with_capacity(line.len());
            for c in line.trim().chars() {
                if !(c.is_ascii_digit() && masked.ends_with('N')) {
                    masked.push(if c.is_ascii_digit() { 'N' } else { c });
                }
            }
            masked
        })
        .collect()
}

/// BCubed precision, recall and F1 of one partition of items against another, over the items both
/// hold.
fn bcubed(predicted: &HashMap<String, i64>, reference: &HashMap<String, i64>) -> (f64, f64, f64, usize) {
    let items: Vec<&String> = predicted.keys().filter(|k| reference.contains_key(*k)).collect();
    let members = |partition: &HashMap<String, i64>| {
        let mut clusters: HashMap<i64, HashSet<&String>> = HashMap::new();
        for item in &items {
            clusters.entry(partition[*item]).or_default().insert(item);
        }
        clusters
    };
    let (p_clusters, r_clusters) = (members(predicted), members(reference));
    let (mut precision, mut recall) = (0.0, 0.0);
    for item in &items {
        let p = &p_clusters[&predicted[*item]];
        let r = &r_clusters[&reference[*item]];
        let shared = p.intersection(r).count() as f64;
        precision += shared / p.len() as f64;
        recall += shared / r.len() as f64;
    }
    let n = items.len().max(1) as f64;
    let (precision, recall) = (precision / n, recall / n);
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    (precision, recall, f1, items.len())
}

/// Prints the figures and the checks; returns how many checks failed.
fn report(options: &Options, farm: &Farm, cores: usize, baseline: &Deployment, scaled: &Deployment) -> usize {
    let total = farm.outlets() * farm.items();
    let rate = |n: u64, t: Duration| n as f64 / t.as_secs_f64().max(1e-9);
    let ratio = |a: f64, b: f64| if a > 0.0 { format!("{:.2}×", b / a) } else { "-".to_owned() };
    let (b, s) = (&baseline.ingest, &scaled.ingest);
    println!(
        "scale: {} outlets × {} items = {total} reports from a loopback farm on {} addresses; {cores} cores; \
         PostgreSQL shared by every process; job lease {LEASE_SECONDS} s",
        farm.outlets(),
        farm.items(),
        farm.hosts()
    );
    println!();
    println!("ingest: items stored per second, from starting the workers");
    println!("{:<34} {:>12} {:>12} {:>8}", "", "1 worker", "3 workers", "ratio");
    let (b_early, s_early) = (rate(b.early.0, b.early.1), rate(s.early.0, s.early.1));
    println!(
        "{:<34} {:>12.1} {:>12.1} {:>8}",
        format!("  to {:.0} % ({} / {} items)", options.kill_at * 100.0, b.early.0, s.early.0),
        b_early,
        s_early,
        ratio(b_early, s_early)
    );
    let rest = |i: &Ingest| rate(total as u64 - i.early.0, i.all.saturating_sub(i.early.1));
    let (b_rest, s_rest) = (rest(b), rest(s));
    println!(
        "{:<34} {:>12.1} {:>12.1} {:>8}",
        format!("  {:.0} % to all (3 workers: 2 after)", options.kill_at * 100.0),
        b_rest,
        s_rest,
        ratio(b_rest, s_rest)
    );
    let (b_all, s_all) = (rate(total as u64, b.all), rate(total as u64, s.all));
    println!(
        "{:<34} {:>12.1} {:>12.1} {:>8}",
        format!("  all {total} items"),
        b_all,
        s_all,
        ratio(b_all, s_all)
    );
    println!("{:<34} {:>11.1}s {:>11.1}s", "  time to store all", b.all.as_secs_f64(), s.all.as_secs_f64());
    if let Some((name, at)) = &s.killed {
        println!("  (3 workers: {name} SIGKILLed with {at} stored; the other two finished)");
    }
    println!(
        "  farm: {} / {} requests, of which robots.txt {} / {}; most requests to one address within \
         {} ms: {} / {}",
        b.traffic.requests,
        s.traffic.requests,
        b.traffic.robots,
        s.traffic.robots,
        POLITENESS_WINDOW.as_millis(),
        b.traffic.busiest,
        s.traffic.busiest
    );
    println!(
        "  (a worker starts cold: a page host's robots.txt, then a second's wait before its first page \
         there, {} pages at a time: about {} s for the {} page hosts)",
        parallax_ingest::BATCH,
        options.page_hosts.div_ceil(parallax_ingest::BATCH),
        options.page_hosts
    );
    println!();
    println!(
        "web: requests/s summed over {WRK_PROCESSES} wrk processes (-t1 -c{} each, {} s); \
         p50 the mean, p99 the worst",
        options.connections / WRK_PROCESSES as u32,
        options.seconds
    );
    println!(
        "{:<30} {:>10} {:>8} {:>8}   {:>10} {:>8} {:>8}   {:>7}",
        "", "1 process", "p50 ms", "p99 ms", "2 procs", "p50 ms", "p99 ms", "ratio"
    );
    for ((name, path, one), (_, scaled_path, two)) in baseline.web.iter().zip(&scaled.web) {
        let label = if name == "story" {
            format!("  story {path} | {scaled_path}")
        } else {
            format!("  {name} {path}")
        };
        println!(
            "{:<30} {:>10.0} {:>8.3} {:>8.3}   {:>10.0} {:>8.3} {:>8.3}   {:>7}",
            label,
            one.requests_per_second,
            one.p50_ms,
            one.p99_ms,
            two.requests_per_second,
            two.p50_ms,
            two.p99_ms,
            ratio(one.requests_per_second, two.requests_per_second)
        );
        for (who, load) in [("1 process", one), ("2 processes", two)] {
            if !load.failures.is_empty() {
                println!("    {who}: {}", load.failures);
            }
        }
    }
    println!();
    println!("checks{:<45} {:<10} {:<10}", "", "1 worker", "3 workers, 1 killed");
    let mut failed = 0;
    for (one, three) in baseline.checks.iter().zip(&scaled.checks) {
        let verdict = |c: &Check| if c.passed { "PASS" } else { "FAIL" };
        failed += usize::from(!one.passed) + usize::from(!three.passed);
        println!("  {:<49} {:<10} {:<10} {}", one.name, verdict(one), verdict(three), three.detail);
        if !one.passed {
            println!("  {:<49} (1 worker: {})", "", one.detail);
        }
    }
    println!();
    let (precision, recall, f1, matched) = bcubed(&scaled.stories_by_url, &baseline.stories_by_url);
    println!(
        "stories: {} with 1 worker, {} with 3; the 3-worker stories against the 1-worker ones over {matched} \
         reports: BCubed precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}",
        baseline.stories, scaled.stories
    );
    println!(
        "kill: jobs handed out more than once: {} (1 worker: {}); warnings of jobs that outlived \
         their lease: {} (1 worker: {})",
        scaled.reclaimed, baseline.reclaimed, scaled.lease_warnings, baseline.lease_warnings
    );
    for deployment in [baseline, scaled] {
        for (note, count) in deployment.log_notes.iter().take(10) {
            println!("{} logs: {count}× {note}", deployment.plan.name);
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn bcubed_scores_partitions() {
        let reference = partition(&[("a", 1), ("b", 1), ("c", 2), ("d", 3)]);
        let (p, r, f1, n) = bcubed(&partition(&[("a", 7), ("b", 7), ("c", 8), ("d", 9)]), &reference);
        assert_eq!((p, r, f1, n), (1.0, 1.0, 1.0, 4));
        // Everything in one story: recall stays whole, precision drops.
        let (p, r, _, _) = bcubed(&partition(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)]), &reference);
        assert!((p - (2.0 / 4.0 * 2.0 + 1.0 / 4.0 * 2.0) / 4.0).abs() < 1e-9);
        assert_eq!(r, 1.0);
        // Only shared items count.
        assert_eq!(bcubed(&partition(&[("a", 1), ("z", 1)]), &reference).3, 1);
    }

    #[test]
    fn log_notes_are_counted_as_one_whatever_their_numbers() {
        let log = "2026-11-27T00:38:05.024398Z  WARN parallax_ingest::pipeline: Skipped. error=story 41\n\
                   2026-11-27T00:38:06.000000Z  INFO parallax: worked 8 items\n\
                   error: the store failed\n";
        assert_eq!(
            notes(log),
            ["WARN parallax_ingest::pipeline: Skipped. error=story N", "error: the store failed"]
        );
    }

    #[test]
    fn options_are_read() {
        let options = Options::parse(&["--outlets", "3", "--items", "4", "--seconds", "2"]).unwrap();
        assert_eq!((options.outlets, options.items, options.seconds, options.page_hosts), (3, 4, 2, 64));
        assert!(Options::parse(&["--outlets", "0"]).is_err());
        assert!(Options::parse(&["--nope"]).is_err());
    }
}
