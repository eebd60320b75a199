//! `parallax stories` and `parallax article`: what the store holds, as text or JSON.

use std::process::ExitCode;

use anyhow::{Context, Result};
use parallax_core::Block;
use parallax_store::{Page, Store};

use crate::cli::{ArticleArgs, StoriesArgs};

const UNATTRIBUTED: &str = "(unattributed)";

pub fn stories(store: &dyn Store, args: &StoriesArgs) -> Result<ExitCode> {
    let stories = store.stories(Page::ALL)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stories)?);
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
