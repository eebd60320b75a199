//! `parallax stories` and `parallax article`: what the store holds, as text or JSON.

use std::process::ExitCode;

use anyhow::{Context, Result};
use parallax_core::{Block, Story, StoryId};
use parallax_store::{Page, Store};

use crate::cli::{ArticleArgs, StoriesArgs};

const UNATTRIBUTED: &str = "(unattributed)";

pub fn stories(store: &dyn Store, args: &StoriesArgs) -> Result<ExitCode> {
    let stories = store.stories(Page::ALL)?;
    if args.json {
        let mut listed = Vec::with_capacity(stories.len());
        for story in &stories {
            listed.push(story_json(store, story)?);
        }
        println!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(ExitCode::SUCCESS);
    }
    for story in &stories {
        println!(
            "story {}: {} ({} reports, {} outlets)",
            story.id,
            story.title,
            story.articles.len(),
            story.outlet_count()
        );
        for a in &story.articles {
            let published = a.published.map_or_else(|| "date unknown".to_owned(), |t| t.to_rfc3339());
            println!(
                "  article {:>5}  {:<24}  {:<25}  {}",
                a.id,
                a.outlet.as_deref().unwrap_or(UNATTRIBUTED),
                published,
                a.title
            );
        }
    }
    println!("{} stories", stories.len());
    Ok(ExitCode::SUCCESS)
}

/// A story with, for each report, why it was grouped there, and the stories merged into it.
fn story_json(store: &dyn Store, story: &Story) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(story)?;
    let mut assignments = store.story_assignments(story.id)?;
    if let Some(articles) = value.get_mut("articles").and_then(|a| a.as_array_mut()) {
        for (json, summary) in articles.iter_mut().zip(&story.articles) {
            let assignment = assignments.remove(&summary.id);
            if let Some(object) = json.as_object_mut() {
                object.insert("grouped_because".into(), assignment.as_ref().map(|a| a.reason()).into());
                object.insert("assignment".into(), serde_json::to_value(&assignment)?);
            }
        }
    }
    let link =
        |(id, probability): (StoryId, f32)| serde_json::json!({ "story": id, "probability": probability });
    let merged: Vec<serde_json::Value> = store.merged_into(story.id)?.into_iter().map(link).collect();
    let splits = store.splits(story.id)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("merged_stories".into(), merged.into());
        object.insert("split_from".into(), splits.from.map(link).into());
        object.insert("split_stories".into(), splits.into.into_iter().map(link).collect::<Vec<_>>().into());
    }
    Ok(value)
}

pub fn article(store: &dyn Store, args: &ArticleArgs) -> Result<ExitCode> {
    let stored = store.article(args.id)?.with_context(|| format!("there is no article {}", args.id))?;
    if args.json {
        let analysis = store.analysis(args.id)?;
        let assignment = store.assignment(args.id)?;
        let value = serde_json::json!({ "article": stored, "analysis": analysis, "assignment": assignment });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let a = &stored.article;
    println!("{}", a.title);
    println!("outlet:    {}", a.outlet.as_deref().unwrap_or(UNATTRIBUTED));
    if !a.byline.is_empty() {
        println!("byline:    {}", a.byline.join(", "));
    }
    if let Some(dateline) = &a.dateline {
        println!("dateline:  {dateline}");
    }
    println!("published: {}", a.published.map_or_else(|| "unknown".to_owned(), |t| t.to_rfc3339()));
    if let Some(url) = &a.url {
        println!("url:       {url}");
    }
    if let Some(story) = stored.story {
        println!("story:     {story}");
    }
    if let Some(image) = &a.image {
        println!(
            "image:     {} (credit: {})",
            image.caption.as_deref().unwrap_or("-"),
            image.credit.as_deref().unwrap_or("-")
        );
    }
    println!();
    for block in &a.body {
        match block {
            Block::Paragraph { text } => println!("{text}\n"),
            Block::Heading { text, .. } => println!("## {text}\n"),
            Block::Quote { text } => println!("> {text}\n"),
            Block::List { ordered, items } => {
                for (n, item) in items.iter().enumerate() {
                    if *ordered {
                        println!("{}. {item}", n + 1);
                    } else {
                        println!("- {item}");
                    }
                }
                println!();
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
