//! Scores the analysis against hand-labelled documents: entities, quotations with their speakers,
//! hedged sentences and date expressions, each as precision, recall and F1.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, Result};
use parallax_nlp::{Analysis, EntityKind, analyze, entity_id};
use serde::Deserialize;

#[derive(Deserialize)]
struct Labels {
    documents: BTreeMap<String, DocumentLabels>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DocumentLabels {
    entities: Vec<EntityLabel>,
    quotes: Vec<QuoteLabel>,
    hedged: Vec<HedgeLabel>,
    dates: Vec<DateLabel>,
}

#[derive(Deserialize)]
struct EntityLabel {
    name: String,
    kind: String,
}

#[derive(Deserialize)]
struct QuoteLabel {
    text: String,
    speaker: Option<String>,
}

#[derive(Deserialize)]
struct HedgeLabel {
    sentence_start: String,
}

#[derive(Deserialize)]
struct DateLabel {
    text: String,
}

/// Matches found against labels: true positives, predictions, labels.
#[derive(Default)]
struct Tally {
    hit_predicted: usize,
    hit_gold: usize,
    predicted: usize,
    gold: usize,
}

impl Tally {
    fn line(&self, name: &str) -> String {
        let p = ratio(self.hit_predicted, self.predicted);
        let r = ratio(self.hit_gold, self.gold);
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        format!(
            "{name:<22} P {p:.3} ({}/{})  R {r:.3} ({}/{})  F1 {f:.3}",
            self.hit_predicted, self.predicted, self.hit_gold, self.gold
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub fn score(docs: &str, labels: &str) -> Result<()> {
    let labels: Labels = serde_json::from_str(&std::fs::read_to_string(labels).context("reading labels")?)
        .context("parsing labels")?;
    let articles = super::load_articles(docs)?;
    let mut entities = Tally::default();
    let mut entity_names = Tally::default();
    let mut quotes = Tally::default();
    let (mut speakers_right, mut speakers_labelled) = (0, 0);
    let mut hedges = Tally::default();
    let mut dates = Tally::default();
    let mut misses: Vec<String> = Vec::new();
    for (id, article) in &articles {
        let Some(gold) = labels.documents.get(id) else { continue };
        let analysis = analyze(article);
        score_entities(id, &analysis, gold, &mut entities, &mut entity_names, &mut misses);
        score_quotes(
            id,
            &analysis,
            gold,
            &mut quotes,
            (&mut speakers_right, &mut speakers_labelled),
            &mut misses,
        );
        score_hedges(id, &analysis, gold, &mut hedges, &mut misses);
        score_dates(&analysis, gold, &mut dates);
    }
    println!("documents: {}", labels.documents.len());
    println!("{}", entities.line("entities (kind+name)"));
    println!("{}", entity_names.line("entities (name)"));
    println!("{}", quotes.line("quotations"));
    println!(
        "{:<22} {:.3} ({speakers_right}/{speakers_labelled} of found quotations with a labelled speaker)",
        "speaker accuracy",
        ratio(speakers_right, speakers_labelled)
    );
    println!("{}", hedges.line("hedged sentences"));
    println!("{}", dates.line("date expressions"));
    if std::env::var_os("SHOW_MISSES").is_some() {
        for miss in misses {
            println!("  {miss}");
        }
    }
    Ok(())
}

fn kind_of(label: &str) -> Option<EntityKind> {
    match label {
        "person" => Some(EntityKind::Person),
        "organisation" | "organization" => Some(EntityKind::Organisation),
        "place" => Some(EntityKind::Place),
        _ => None,
    }
}

fn score_entities(
    id: &str,
    analysis: &Analysis,
    gold: &DocumentLabels,
    strict: &mut Tally,
    names: &mut Tally,
    misses: &mut Vec<String>,
) {
    let predicted: HashSet<String> = analysis.entities.iter().map(|e| e.id.clone()).collect();
    let gold_ids: HashSet<String> =
        gold.entities.iter().filter_map(|e| Some(entity_id(kind_of(&e.kind)?, &e.name))).collect();
    let name_only = |id: &String| id.split_once(':').map_or(id.clone(), |(_, n)| n.to_owned());
    let predicted_names: HashSet<String> = predicted.iter().map(name_only).collect();
    let gold_names: HashSet<String> = gold_ids.iter().map(name_only).collect();
    for (tally, p, g) in [(&mut *strict, &predicted, &gold_ids), (&mut *names, &predicted_names, &gold_names)]
    {
        let hits = p.intersection(g).count();
        tally.hit_predicted += hits;
        tally.hit_gold += hits;
        tally.predicted += p.len();
        tally.gold += g.len();
    }
    for missing in gold_ids.difference(&predicted) {
        misses.push(format!("{id}: entity missed {missing}"));
    }
    for extra in predicted.difference(&gold_ids) {
        misses.push(format!("{id}: entity extra {extra}"));
    }
}

/// Lower-cased words, for comparing quotations however their marks and spaces were rebuilt.
fn word_list(text: &str) -> Vec<String> {
    parallax_nlp::words(text).map(str::to_lowercase).collect()
}

fn same_quote(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return false;
    }
    long.windows(short.len()).any(|w| w == short) && short.len() * 2 >= long.len()
}

fn same_speaker(predicted: &str, gold: &str) -> bool {
    // The same name, or the same surname: "Clark" said it, labelled "James Clark".
    let last = |name: &str| entity_id(EntityKind::Person, name).rsplit(['-', ':']).next().map(str::to_owned);
    entity_id(EntityKind::Person, predicted) == entity_id(EntityKind::Person, gold)
        || last(predicted) == last(gold)
}

fn score_quotes(
    id: &str,
    analysis: &Analysis,
    gold: &DocumentLabels,
    tally: &mut Tally,
    speakers: (&mut usize, &mut usize),
    misses: &mut Vec<String>,
) {
    let predicted: Vec<Vec<String>> = analysis.quotes.iter().map(|q| word_list(&q.text)).collect();
    tally.predicted += predicted.len();
    tally.gold += gold.quotes.len();
    tally.hit_predicted +=
        predicted.iter().filter(|p| gold.quotes.iter().any(|g| same_quote(p, &word_list(&g.text)))).count();
    for label in &gold.quotes {
        let words = word_list(&label.text);
        let Some(found) = predicted.iter().position(|p| same_quote(p, &words)) else {
            misses.push(format!("{id}: quotation missed {:?}", label.text));
            continue;
        };
        tally.hit_gold += 1;
        if let Some(speaker) = &label.speaker {
            *speakers.1 += 1;
            let got = analysis.quotes[found].speaker.as_ref().map(|s| s.name.as_str());
            if got.is_some_and(|g| same_speaker(g, speaker)) {
                *speakers.0 += 1;
            } else {
                misses.push(format!("{id}: speaker of {:?}: {got:?}, labelled {speaker:?}", label.text));
            }
        }
    }
}

fn score_hedges(
    id: &str,
    analysis: &Analysis,
    gold: &DocumentLabels,
    tally: &mut Tally,
    misses: &mut Vec<String>,
) {
    let normal = |s: &str| word_list(s).join(" ");
    let hedged: Vec<String> = analysis
        .body_sentences()
        .filter(|(_, s)| s.stance.is_hedged())
        .map(|(_, s)| normal(&s.text))
        .collect();
    let labelled: Vec<String> = gold.hedged.iter().map(|h| normal(&h.sentence_start)).collect();
    tally.predicted += hedged.len();
    tally.gold += labelled.len();
    tally.hit_predicted += hedged.iter().filter(|s| labelled.iter().any(|l| s.contains(l.as_str()))).count();
    for label in &labelled {
        if hedged.iter().any(|s| s.contains(label.as_str())) {
            tally.hit_gold += 1;
        } else {
            misses.push(format!("{id}: hedge missed {label:?}"));
        }
    }
    for s in hedged.iter().filter(|s| !labelled.iter().any(|l| s.contains(l.as_str()))) {
        misses.push(format!("{id}: hedge extra {s:?}"));
    }
}

fn score_dates(analysis: &Analysis, gold: &DocumentLabels, tally: &mut Tally) {
    let normal = |s: &str| word_list(s).join(" ");
    let predicted: Vec<String> = analysis.dates.iter().map(|d| normal(&d.text)).collect();
    let labelled: Vec<String> = gold.dates.iter().map(|d| normal(&d.text)).collect();
    let overlaps = |a: &String, b: &String| a.contains(b.as_str()) || b.contains(a.as_str());
    tally.predicted += predicted.len();
    tally.gold += labelled.len();
    tally.hit_predicted += predicted.iter().filter(|p| labelled.iter().any(|l| overlaps(p, l))).count();
    tally.hit_gold += labelled.iter().filter(|l| predicted.iter().any(|p| overlaps(p, l))).count();
}
