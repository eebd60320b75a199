//! `parallax compare`: how a story's reports cover it — what several outlets say, what only one
//! says, which of it they hedge, each speaker's words as each report renders them, and how each
//! outlet tells it.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_compare::{Comparison, ComparisonDocument, Rendition, Report, Scope, Status, compare};
use parallax_core::{ArticleId, Story};
use parallax_store::Store;

use crate::cli::CompareArgs;

pub fn run(store: &dyn Store, args: &CompareArgs) -> Result<ExitCode> {
    let id = match store.story(args.id)? {
        Some(_) => args.id,
        None => match store.story_alias(args.id)? {
            Some(kept) => kept,
            None => bail!("there is no story {}", args.id),
        },
    };
    let story = store.story(id)?.with_context(|| format!("there is no story {id}"))?;
    let analyses = store.story_analyses(id)?;
    let comparison = compare(&Report::of_story(&story, &analyses));
    if args.json {
        // Through a JSON value, whose keys are sorted, so that the printed document keeps the key
        // order it has always had and saved outputs can be diffed.
        let document = serde_json::to_value(ComparisonDocument::new(&story, &comparison))?;
        println!("{}", serde_json::to_string_pretty(&document)?);
    } else {
        print_comparison(&story, &comparison);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_comparison(story: &Story, comparison: &Comparison) {
    let outlet = |article: ArticleId| {
        story
            .articles
            .iter()
            .find(|a| a.id == article)
            .and_then(|a| a.outlet.clone())
            .unwrap_or_else(|| format!("unattributed report {article}"))
    };
    let outlets = |articles: &[ArticleId]| {
        let mut names: Vec<String> = articles.iter().map(|&a| outlet(a)).collect();
        names.sort();
        names.dedup();
        names.join(", ")
    };
    let hedged = |hedged: &[ArticleId]| {
        if hedged.is_empty() { String::new() } else { format!(" [hedged by {}]", outlets(hedged)) }
    };
    println!("story {}: {} ({} reports)", story.id, story.title, story.articles.len());
    println!("\nSaid by several outlets:");
    for statement in comparison.corroborated() {
        println!("- {} ({}){}", statement.text, outlets(&statement.articles), hedged(&statement.hedged));
        // The statement's other sentences: how the other reports word it, and a second sentence of
        // the first report when it takes two to say it.
        for sentence in statement.sentences.iter().skip(1) {
            println!("    {} [{}]: {}", outlet(sentence.article), sentence.index, sentence.text);
        }
    }
    if !comparison.conflicts.is_empty() {
        println!("\nWhere the reports disagree:");
        for conflict in &comparison.conflicts {
            match conflict.scope {
                Scope::Statement | Scope::Story => println!("- {} ({}):", conflict.about, conflict.slot),
                Scope::Event => {
                    println!("- the accounts of {} do not match ({}):", conflict.about, conflict.slot)
                }
            }
            for value in &conflict.values {
                println!("    {} — {}", value.value, outlets(&value.articles));
            }
        }
    }
    for article in &story.articles {
        let own: Vec<_> = comparison.only_in(article.id).collect();
        if own.is_empty() {
            continue;
        }
        println!("\nOnly in {}:", outlet(article.id));
        for statement in own {
            println!("- {}{}", statement.text, hedged(&statement.hedged));
        }
    }
    let single_outlet =
        comparison.statements.iter().filter(|s| s.status == Status::Single && s.articles.len() > 1);
    for statement in single_outlet {
        println!("\nSeveral reports of {} only: {}", outlets(&statement.articles), statement.text);
    }
    println!("\nHow each outlet tells it:");
    for framing in &comparison.framing {
        let name = framing.outlet.clone().unwrap_or_else(|| outlet(framing.articles[0]));
        let s = framing.stances;
        let percent = |share: f32| (share * 100.0).round();
        println!(
            "- {name}: {} sentences; {}% stated, {}% attributed, {}% hedged, {}% unnamed sources, {}% opinion, {}% questions",
            framing.sentences,
            percent(s.fact),
            percent(s.attributed),
            percent(s.speculation),
            percent(s.unnamed_source),
            percent(s.opinion),
            percent(s.question)
        );
        if !framing.own_entities.is_empty() {
            println!("    names no other outlet does: {}", framing.own_entities.join(", "));
        }
        if !framing.own_terms.is_empty() {
            println!("    words no other outlet uses: {}", framing.own_terms.join(", "));
        }
    }
    if !comparison.quotes.is_empty() {
        println!("\nQuotes by speaker:");
        for speaker in &comparison.quotes {
            println!("- {}", speaker.speaker);
            let by = |r: &Rendition| {
                let channel = r.channel.as_ref().map(|c| format!(", as rendered by {c}")).unwrap_or_default();
                format!("{}{}", outlet(r.article), channel)
            };
            for (i, rendition) in speaker.renditions.iter().enumerate() {
                println!("    [{}] {}: “{}”", i + 1, by(rendition), rendition.text);
            }
            for pair in &speaker.same_remarks {
                let kind = pair.kind.label();
                let [a, b] = pair.renditions;
                println!("    [{}] and [{}] render the same remarks: {kind}", a + 1, b + 1);
            }
        }
    }
}
