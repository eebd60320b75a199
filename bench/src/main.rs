//! Benchmark harnesses: each subcommand prints the figures an area of Parallax is measured by.
//!
//! - `extract DIR > pred.json`: extracts every `DIR/html/*.html.gz` page (decompressed into memory first),
//!   prints `{id: {"articleBody", "title", "published", "authors", "image"}}`; pages/s (one thread) and
//!   peak memory on stderr.
//! - `metadata DIR LABELS.json`: extracts the same pages and compares title, publication date and
//!   authors with hand-made labels; prints how many are right and lists the misses.
//! - `analyze FILE.jsonl [--rounds N]`: extracts one JSON document per line, then times the analysis
//!   alone (sentences, entities, dates, values, quotes, stances, terms) over all of them on one thread,
//!   best of N rounds; prints articles/s, words/s, peak memory and what was found.
//! - `understand DOCS.jsonl LABELS.json`: analyses hand-labelled documents and scores entities,
//!   quotations with their speakers, hedged sentences and dates against the labels.
//! - `show FILE.jsonl [ID...]`: prints the full analysis of those documents, for reviewing it.
//! - `dump FILE.jsonl`: prints one JSON line per document with its publication time, title and full
//!   analysis, for studying the clustering evidence outside the code.
//! - `cluster FILE.jsonl > pred.json`: extracts, analyses and clusters one JSON document per line in
//!   file order with the same code as ingest, running the maintenance pass every 50 documents (and
//!   after the last), prints `{id: story}`; docs/s and peak memory on stderr. Options: `--threshold X`,
//!   `--merge-threshold X`, `--model MODEL.json` (weights printed by `cluster-fit`), `--maintain-every N`,
//!   `--topics odd|even` (only documents whose numeric `topic` is odd or even: for scoring on topics
//!   held out of a fit), `--rounds N` (extraction with analysis and the clustering step are each
//!   timed best of N rounds, 3 by default), `--explain FILE` (each document's assignment as ingest
//!   records it, with the article it was linked to by position in the file, one JSON line each).
//! - `cluster-fit FILE.jsonl... [--topics odd|even]`: fits the clustering pair model on files labelled
//!   with `story` (and `topic`, whose pairs it learns from), prints the model as JSON on stdout and
//!   the weights on stderr.
//! - `cluster-scale FILE.jsonl N...`: replays the file's stories as a synthetic stream of N documents
//!   (each replay a new event) and prints time, documents/s, peak memory and BCubed F1 per size.
//! - `web [--seconds N] [--connections N] [--build]`: serves the demo corpus with the release `parallax`
//!   binary and loads its front page, a story page and a search page with `wrk` over loopback, next to
//!   nginx serving the same front page as a file; prints requests/s, p50 and p99 latency and bytes per
//!   response, the ratio to nginx and whether the targets are met. Needs `wrk` and `nginx` installed.
//! - `scale [--outlets N] [--items M] [--seconds S] [--connections C] [--page-hosts K] [--kill-at F]
//!   [--build]`: follows a loopback farm of N × M reports (20 × 25 by default) with the release
//!   `parallax` binary on scratch PostgreSQL databases, first with one `run` worker and one `serve`
//!   process, then with three workers (one killed with SIGKILL once a share F of the reports, 0.3 by
//!   default, is stored) and two web processes; prints items stored per second, requests/s with p50
//!   and p99 on the front page and a story page (loaded with `wrk`), and checks that every report was
//!   stored once into consistent stories, PASS or FAIL (exits non-zero when one fails). Needs
//!   PostgreSQL (`PARALLAX_TEST_POSTGRES`) and `wrk`.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Instant;

mod farm;
mod follow;
mod scale;
mod scale_out;
mod site;
mod understand;
mod web;

use anyhow::{Context, Result, bail};
use parallax_cluster::{ClusterConfig, Clusterer, Evidence, PairFeatures, PairModel};
use parallax_core::{Article, ArticleId, StoryId};
use parallax_extract::{Hints, Record, extract};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["extract", dir] => extract_pages(dir),
        ["metadata", dir, labels] => metadata(dir, labels),
        ["analyze", file] => analyze(file, 3),
        ["analyze", file, "--rounds", n] => analyze(file, n.parse().context("--rounds")?),
        ["understand", docs, labels] => understand::score(docs, labels),
        ["follow", n, m, rest @ ..] => {
            let file = rest.first().copied().unwrap_or("fixtures/demo/ecbplus-dev.jsonl");
            follow::run(n.parse().context("N outlets")?, m.parse().context("M items")?, file)
        }
        ["show", file, ids @ ..] => show(file, ids),
        ["dump", file] => dump(file),
        ["cluster", file, options @ ..] => cluster(file, &ClusterOptions::parse(options)?),
        ["cluster-fit", rest @ ..] if !rest.is_empty() => {
            let (files, topics) = match rest {
                [files @ .., "--topics", parity] => (files, Some(TopicParity::parse(parity)?)),
                files => (files, None),
            };
            cluster_fit(files, topics)
        }
        ["cluster-scale", file, rest @ ..] => {
            let (config, sizes) = match rest {
                ["--model", model, sizes @ ..] => (ClusterOptions::parse(&["--model", model])?.config, sizes),
                sizes => (ClusterConfig::default(), sizes),
            };
            let sizes = sizes
                .iter()
                .map(|n| n.parse().context("sizes are document counts"))
                .collect::<Result<Vec<usize>>>()?;
            scale::run(file, &sizes, &config)
        }
        ["web", options @ ..] => web::run(options),
        ["scale", options @ ..] => scale_out::run(options),
        _ => bail!(
            "usage: parallax-bench extract DIR > pred.json | metadata DIR LABELS.json | analyze FILE.jsonl [--rounds N] | understand DOCS.jsonl LABELS.json | cluster FILE.jsonl [--threshold X] [--merge-threshold X] [--model MODEL.json] [--maintain-every N] [--topics odd|even] [--rounds N] [--explain FILE.jsonl] > pred.json | cluster-fit FILE.jsonl... [--topics odd|even] > MODEL.json | cluster-scale FILE.jsonl [--model MODEL.json] N... | follow N M [FILE.jsonl] | web [--seconds N] [--connections N] [--build] | scale [--outlets N] [--items M] [--seconds S] [--connections C] [--page-hosts K] [--kill-at F] [--build]"
        ),
    }
}

/// Reads and decompresses every `DIR/html/*.html.gz`, sorted by id.
fn load_pages(dir: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let html_dir = std::path::Path::new(dir).join("html");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&html_dir).with_context(|| format!("reading {}", html_dir.display()))? {
        let path = entry?.path();
        let Some(id) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".html.gz"))
        else {
            continue;
        };
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path)?)
            .read_to_end(&mut bytes)
            .with_context(|| format!("decompressing {}", path.display()))?;
        pages.push((id.to_owned(), bytes));
    }
    pages.sort();
    Ok(pages)
}

fn extract_pages(dir: &str) -> Result<()> {
    let pages = load_pages(dir)?;
    let start = Instant::now();
    let mut results = Vec::with_capacity(pages.len());
    for (_, bytes) in &pages {
        results.push(extract(bytes, &Hints::default()));
    }
    let elapsed = start.elapsed().as_secs_f64();

    let mut out = serde_json::Map::new();
    for ((id, _), result) in pages.iter().zip(results) {
        let value = match result {
            Ok(a) => serde_json::json!({
                "articleBody": a.plain_text(),
                "title": a.title,
                "published": a.published.map(|t| t.to_rfc3339()),
                "authors": a.byline,
                "image": a.image,
            }),
            Err(error) => serde_json::json!({ "articleBody": "", "error": error.to_string() }),
        };
        out.insert(id.clone(), value);
    }
    println!("{}", serde_json::to_string(&out)?);
    let megabytes = pages.iter().map(|(_, b)| b.len()).sum::<usize>() as f64 / 1e6;
    eprintln!(
        "extract: {} pages ({megabytes:.1} MB) in {elapsed:.3} s = {:.0} pages/s, single thread; peak memory {}",
        pages.len(),
        pages.len() as f64 / elapsed,
        peak_memory()
    );
    Ok(())
}

/// A hand-made label of one page.
#[derive(serde::Deserialize)]
struct Label {
    title: String,
    published: Option<String>,
    authors: Vec<String>,
}

fn metadata(dir: &str, labels: &str) -> Result<()> {
    let labels: BTreeMap<String, Label> =
        serde_json::from_str(&std::fs::read_to_string(labels).with_context(|| format!("reading {labels}"))?)?;
    let pages = load_pages(dir)?;
    let fold =
        |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let (mut titles, mut dates, mut dated, mut authors, mut labelled) = (0, 0, 0, 0, 0);
    for (id, bytes) in &pages {
        let Some(label) = labels.get(id) else { continue };
        labelled += 1;
        let article = extract(bytes, &Hints::default()).ok();
        let title = article.as_ref().map(|a| a.title.clone()).unwrap_or_default();
        if fold(&title) == fold(&label.title) {
            titles += 1;
        } else {
            eprintln!("title     {id:.10}: got {title:?}, want {:?}", label.title);
        }
        if let Some(want) = &label.published {
            dated += 1;
            let got = article.as_ref().and_then(|a| a.published).map(|t| t.date_naive().to_string());
            if got.as_deref() == Some(want.as_str()) {
                dates += 1;
            } else {
                eprintln!("published {id:.10}: got {got:?}, want {want}");
            }
        }
        let mut got: Vec<String> =
            article.as_ref().map(|a| a.byline.iter().map(|n| fold(n)).collect()).unwrap_or_default();
        let mut want: Vec<String> = label.authors.iter().map(|n| fold(n)).collect();
        got.sort();
        want.sort();
        if got == want {
            authors += 1;
        } else {
            eprintln!(
                "authors   {id:.10}: got {:?}, want {:?}",
                article.map(|a| a.byline).unwrap_or_default(),
                label.authors
            );
        }
    }
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    println!(
        "metadata: title {titles}/{labelled} ({:.1}%), published {dates}/{dated} ({:.1}%), authors {authors}/{labelled} ({:.1}%)",
        pct(titles, labelled),
        pct(dates, dated),
        pct(authors, labelled)
    );
    Ok(())
}

/// Reads one JSON document per line, with its id (the line number when it has none).
fn load_records(file: &str) -> Result<Vec<(String, Record)>> {
    let input = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let mut records = Vec::new();
    for (n, line) in input.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let record = Record::from_json(line).with_context(|| format!("{file}:{}", n + 1))?;
        let id = record.id_text().unwrap_or_else(|| (n + 1).to_string());
        records.push((id, record));
    }
    Ok(records)
}

/// Extracts every record of a JSON-lines file into an article.
fn load_articles(file: &str) -> Result<Vec<(String, Article)>> {
    load_records(file)?
        .into_iter()
        .map(|(id, record)| {
            let hints = record.hints(&Hints::default())?;
            let article =
                extract(record.text.as_bytes(), &hints).with_context(|| format!("document {id}"))?;
            Ok((id, article))
        })
        .collect()
}

fn analyze(file: &str, rounds: usize) -> Result<()> {
    let articles = load_articles(file)?;
    let words: usize = articles.iter().map(|(_, a)| a.word_count()).sum();
    let mut best = f64::INFINITY;
    let mut analyses = Vec::new();
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        analyses = articles.iter().map(|(_, a)| parallax_nlp::analyze(a)).collect::<Vec<_>>();
        best = best.min(start.elapsed().as_secs_f64());
    }
    let n = articles.len() as f64;
    let count = |f: &dyn Fn(&parallax_nlp::Analysis) -> usize| analyses.iter().map(f).sum::<usize>();
    eprintln!(
        "analyze: {} articles, {} words; best of {} rounds {:.3} s: {:.0} articles/s, {:.0} words/s, {:.0} µs/article (one thread); peak memory {}",
        articles.len(),
        words,
        rounds.max(1),
        best,
        n / best,
        words as f64 / best,
        best / n * 1e6,
        peak_memory()
    );
    eprintln!(
        "found: {} sentences, {} entities, {} dates, {} values, {} quotations ({} with a speaker), {} hedged sentences",
        count(&|a| a.sentences.len()),
        count(&|a| a.entities.len()),
        count(&|a| a.dates.len()),
        count(&|a| a.values.len()),
        count(&|a| a.quotes.len()),
        count(&|a| a.quotes.iter().filter(|q| q.speaker.is_some()).count()),
        count(&|a| a.sentences.iter().filter(|s| s.stance.is_hedged()).count()),
    );
    Ok(())
}

/// Prints the analysis of the documents with these ids (all when none are given).
fn show(file: &str, ids: &[&str]) -> Result<()> {
    for (id, article) in load_articles(file)? {
        if ids.is_empty() || ids.contains(&id.as_str()) {
            println!("# {id}: {}\n\n{}", article.title, parallax_nlp::analyze(&article).summary());
        }
    }
    Ok(())
}

fn dump(file: &str) -> Result<()> {
    for (id, article) in load_articles(file)? {
        let line = serde_json::json!({
            "id": id,
            "published": article.published,
            "title": article.title,
            "analysis": parallax_nlp::analyze(&article),
        });
        println!("{line}");
    }
    Ok(())
}

/// Settings of the `cluster` command.
struct ClusterOptions {
    config: ClusterConfig,
    maintain_every: usize,
    topics: Option<TopicParity>,
    rounds: usize,
    /// Where to write each document's assignment with its reasons, one JSON line each.
    explain: Option<String>,
}

impl ClusterOptions {
    fn parse(options: &[&str]) -> Result<Self> {
        let mut parsed = ClusterOptions {
            config: ClusterConfig::default(),
            maintain_every: 50,
            topics: None,
            rounds: 3,
            explain: None,
        };
        for pair in options.chunks(2) {
            match pair {
                ["--threshold", t] => parsed.config.threshold = t.parse().context("--threshold")?,
                ["--model", file] => {
                    let json = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
                    parsed.config.model = serde_json::from_str(&json).with_context(|| file.to_string())?;
                }
                ["--merge-threshold", t] => {
                    parsed.config.merge_threshold = t.parse().context("--merge-threshold")?
                }
                ["--maintain-every", n] => parsed.maintain_every = n.parse().context("--maintain-every")?,
                ["--topics", parity] => parsed.topics = Some(TopicParity::parse(parity)?),
                ["--rounds", n] => parsed.rounds = n.parse().context("--rounds")?,
                ["--explain", file] => parsed.explain = Some((*file).to_owned()),
                _ => bail!("unknown cluster options {pair:?}"),
            }
        }
        Ok(parsed)
    }
}

/// Half of a file's topics, by the parity of their number: fitted on one half, scored on the other.
#[derive(Clone, Copy)]
enum TopicParity {
    Odd,
    Even,
}

impl TopicParity {
    fn parse(text: &str) -> Result<Self> {
        match text {
            "odd" => Ok(TopicParity::Odd),
            "even" => Ok(TopicParity::Even),
            _ => bail!("--topics takes odd or even, not {text}"),
        }
    }

    /// Whether a topic label ("7", 7 or "t7") is in this half; unnumbered topics are in neither.
    fn holds(self, topic: &serde_json::Value) -> bool {
        let text = match topic {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits.parse::<u64>().is_ok_and(|n| (n % 2 == 1) == matches!(self, TopicParity::Odd))
    }
}

/// The gold fields of a labelled document line.
#[derive(serde::Deserialize)]
struct GoldLabel {
    #[serde(default)]
    story: serde_json::Value,
    #[serde(default)]
    topic: serde_json::Value,
}

fn load_labels(file: &str) -> Result<Vec<GoldLabel>> {
    let input = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| serde_json::from_str(line).with_context(|| format!("{file}:{}", n + 1)))
        .collect()
}

fn cluster(file: &str, options: &ClusterOptions) -> Result<()> {
    let mut records = load_records(file)?;
    if let Some(parity) = options.topics {
        let labels = load_labels(file)?;
        let mut labels = labels.iter();
        records.retain(|_| labels.next().is_some_and(|l| parity.holds(&l.topic)));
    }

    // Each article's clustering evidence is gathered right after its analysis, as ingest does, and
    // timed as part of the clustering step; both are timed best of the rounds.
    let (mut evidence, mut analyse_time, mut evidence_time) = (Vec::new(), f64::MAX, f64::MAX);
    for _ in 0..options.rounds.max(1) {
        evidence = Vec::with_capacity(records.len());
        let (mut analysing, mut gathering) = (0.0, 0.0);
        for (id, record) in &records {
            let started = Instant::now();
            let hints = record.hints(&Hints::default())?;
            let article =
                extract(record.text.as_bytes(), &hints).with_context(|| format!("document {id}"))?;
            let analysis = parallax_nlp::analyze(&article);
            let analysed = Instant::now();
            evidence.push(Evidence::new(&analysis, article.published.map(|t| t.to_utc())));
            analysing += (analysed - started).as_secs_f64();
            gathering += analysed.elapsed().as_secs_f64();
        }
        analyse_time = analyse_time.min(analysing);
        evidence_time = evidence_time.min(gathering);
    }

    // The clustering step is timed apart from the analysis, best of the rounds, as each round
    // starts from an empty clusterer and gives the same stories.
    let mut best: Option<ClusterRun> = None;
    for round in 0..options.rounds.max(1) {
        let mut explained = Vec::new();
        let explain = (round == 0 && options.explain.is_some()).then_some(&mut explained);
        let run = cluster_once(&evidence, options, explain);
        if let Some(file) = options.explain.as_deref().filter(|_| round == 0) {
            let mut lines = String::new();
            for ((id, _), (story, assignment)) in records.iter().zip(&explained) {
                let line = serde_json::json!({"id": id, "story": story, "assignment": assignment});
                lines.push_str(&line.to_string());
                lines.push('\n');
            }
            std::fs::write(file, lines).with_context(|| format!("writing {file}"))?;
        }
        if best.as_ref().is_none_or(|b| run.total() < b.total()) {
            best = Some(run);
        }
    }
    let Some(run) = best else { bail!("no rounds") };
    let predictions: BTreeMap<&str, i64> =
        records.iter().map(|(id, _)| id.as_str()).zip(run.stories.iter().copied()).collect();
    println!("{}", serde_json::to_string(&predictions)?);
    let n = records.len() as f64;
    let stories = run.stories.iter().collect::<std::collections::HashSet<_>>().len();
    eprintln!(
        "cluster: {} documents, {stories} stories ({} merged and {} split by maintenance); end to end {:.0} docs/s; extract+analyse {:.0} docs/s; clustering step {:.0} docs/s (evidence {:.0} docs/s, assign+add {:.0} docs/s, maintenance {:.1} ms in all; best of {} rounds); peak memory {}",
        records.len(),
        run.merges,
        run.splits,
        n / (analyse_time + evidence_time + run.total()),
        n / analyse_time,
        n / (evidence_time + run.total()),
        n / evidence_time,
        n / run.assign,
        run.maintain * 1e3,
        options.rounds.max(1),
        peak_memory()
    );
    Ok(())
}

/// One pass of the clustering step over analysed documents, in order, as ingest runs it.
struct ClusterRun {
    /// Each document's story once the last maintenance pass has run.
    stories: Vec<i64>,
    merges: usize,
    splits: usize,
    /// Seconds spent in each part.
    assign: f64,
    maintain: f64,
}

impl ClusterRun {
    fn total(&self) -> f64 {
        self.assign + self.maintain
    }
}

/// `explain` receives each document's first story and assignment when given.
fn cluster_once(
    evidence: &[Evidence],
    options: &ClusterOptions,
    mut explain: Option<&mut Vec<(i64, parallax_cluster::Assignment)>>,
) -> ClusterRun {
    let mut clusterer = Clusterer::new(options.config.clone());
    let mut run = ClusterRun { stories: Vec::new(), merges: 0, splits: 0, assign: 0.0, maintain: 0.0 };
    let mut next_story = 1;
    for (n, report) in evidence.iter().enumerate() {
        let t1 = Instant::now();
        let assignment = clusterer.assign(report);
        let story = assignment.story.unwrap_or_else(|| {
            next_story += 1;
            StoryId(next_story - 1)
        });
        clusterer.add_assigned(ArticleId(n as i64 + 1), story, report, &assignment);
        run.stories.push(story.get());
        if let Some(explained) = explain.as_deref_mut() {
            explained.push((story.get(), assignment));
        }
        let t2 = Instant::now();
        if (n + 1) % options.maintain_every.max(1) == 0 || n + 1 == evidence.len() {
            let maintenance = clusterer.maintain();
            for merge in maintenance.merges {
                run.merges += 1;
                for story in run.stories.iter_mut().filter(|s| **s == merge.absorbed.get()) {
                    *story = merge.kept.get();
                }
            }
            for split in maintenance.splits {
                run.splits += 1;
                next_story += 1;
                clusterer.split(&split, StoryId(next_story - 1));
                for article in &split.articles {
                    run.stories[article.get() as usize - 1] = next_story - 1;
                }
            }
        }
        run.assign += (t2 - t1).as_secs_f64();
        run.maintain += t2.elapsed().as_secs_f64();
    }
    run
}

/// Fits the pair model on labelled files: every pair of documents within one `topic` (all pairs
/// when there is no topic field) that the clusterer's window would compare, and as many pairs across
/// topics, labelled by `story`.
fn cluster_fit(files: &[&str], parity: Option<TopicParity>) -> Result<()> {
    let window = ClusterConfig::default().window_days * 86_400;
    let mut examples = Vec::new();
    for file in files {
        let labels = load_labels(file)?;
        let articles = load_articles(file)?;
        let mut clusterer = Clusterer::new(ClusterConfig {
            max_live_articles: usize::MAX,
            window_days: 1_000_000,
            ..ClusterConfig::default()
        });
        let mut members = Vec::new();
        for (n, ((_, article), label)) in articles.iter().zip(&labels).enumerate() {
            if parity.is_some_and(|p| !p.holds(&label.topic)) {
                continue;
            }
            let evidence =
                Evidence::new(&parallax_nlp::analyze(article), article.published.map(|t| t.to_utc()));
            clusterer.add(ArticleId(n as i64 + 1), StoryId(1), &evidence);
            members.push((ArticleId(n as i64 + 1), evidence, label));
        }
        let features = |a: usize, b: usize| {
            let (ea, eb) = (&members[a].1, &members[b].1);
            let apart = match (ea.published, eb.published) {
                (Some(x), Some(y)) => (x - y).num_seconds().abs() > window,
                _ => false,
            };
            if apart { None } else { clusterer.pair_features(ea, members[b].0) }
        };
        let mut file_examples = Vec::new();
        for a in 0..members.len() {
            for b in a + 1..members.len() {
                if members[a].2.topic == members[b].2.topic {
                    let same = members[a].2.story == members[b].2.story;
                    file_examples.extend(features(a, b).map(|f| (f, same)));
                }
            }
        }
        // A fixed sequence picks the pairs across topics, so runs agree.
        let mut sequence = scale::Sequence(0x2545_f491_4f6c_dd1d);
        let mut next = |bound: usize| sequence.below(bound as u64) as usize;
        let within = file_examples.len();
        let mut tries = 0;
        while file_examples.len() < 2 * within && members.len() > 1 && tries < 100 * within {
            tries += 1;
            let (a, b) = (next(members.len()), next(members.len()));
            if members[a].2.topic != members[b].2.topic {
                let same = members[a].2.story == members[b].2.story;
                file_examples.extend(features(a, b).map(|f| (f, same)));
            }
        }
        let positives = file_examples.iter().filter(|(_, same)| *same).count();
        eprintln!("cluster-fit: {file}: {} pairs ({positives} same story)", file_examples.len());
        examples.extend(file_examples);
    }
    let model = PairModel::fit(&examples, 1.0 / examples.len().max(1) as f64);
    for (name, weight) in PairFeatures::NAMES.iter().zip(model.weights) {
        eprintln!("{name:>18} {weight:8.3}");
    }
    eprintln!("{:>18} {:8.3}", "bias", model.bias);
    println!("{}", serde_json::to_string(&model)?);
    Ok(())
}

/// Peak resident memory of this process, from the kernel's accounting.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
