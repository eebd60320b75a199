//! `parallax search`: the site's full-text search on the command line.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_store::{Page, SearchOrder, SearchQuery, Snippet, Store};

use crate::cli::SearchArgs;

pub fn run(store: &dyn Store, args: &SearchArgs) -> Result<ExitCode> {
    let outlet = match &args.outlet {
        None => None,
        Some(name) => {
            let ids = store.outlet_ids(std::slice::from_ref(name))?;
            let id = match ids.get(name) {
                Some(id) => *id,
                None => store
                    .outlets()?
                    .into_iter()
                    .find(|o| o.name.eq_ignore_ascii_case(name))
                    .map(|o| o.id)
                    .with_context(|| format!("there is no outlet named {name:?} (see `parallax outlets`)"))?,
            };
            Some(id)
        }
    };
    if args.query.trim().is_empty() && outlet.is_none() && args.entity.is_none() {
        bail!("give words to search for, or a filter (--outlet, --entity)");
    }
    let query = SearchQuery {
        text: args.query.clone(),
        outlet,
        entity: args.entity.clone(),
        order: if args.newest { SearchOrder::Newest } else { SearchOrder::Relevance },
        page: Page { offset: (args.page - 1).saturating_mul(args.limit), limit: args.limit },
        ..SearchQuery::default()
    }
    .on_days(args.from, args.to)
    .map_err(anyhow::Error::msg)?;
    let results = store.search(&query)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    let bold = std::io::stdout().is_terminal();
    let marked = |snippet: &Snippet| -> String {
        snippet
            .0
            .iter()
            .map(|p| match (p.matched, bold) {
                (false, _) => {
                    p.text.split_whitespace().collect::<Vec<_>>().join(" ")
                        + if p.text.ends_with(char::is_whitespace) { " " } else { "" }
                }
                (true, true) => format!("\x1b[1m{}\x1b[0m", p.text),
                (true, false) => format!("[{}]", p.text),
            })
            .collect()
    };
    match results.total {
        1 => println!("1 report matches"),
        n => println!("{n} reports match"),
    }
    for story in &results.stories {
        println!(
            "  story {:>5}  {} ({} of {} reports match, {} outlets)",
            story.id, story.title, story.matched, story.reports, story.outlets
        );
    }
    let first = u64::from(query.page.offset) + 1;
    for (n, hit) in results.hits.iter().enumerate() {
        let published = hit.article.published.map_or_else(|| "date unknown".to_owned(), |t| t.to_rfc3339());
        println!(
            "\n{:>3}. article {}  {}  {}  (story {})",
            first + n as u64,
            hit.article.id,
            hit.article.outlet.as_deref().unwrap_or("(unattributed)"),
            published,
            hit.story
        );
        println!("     {}", marked(&hit.title));
        println!("     {}", marked(&hit.snippet).trim());
    }
    let shown = u64::from(query.page.offset) + results.hits.len() as u64;
    if shown < results.total {
        println!("\n{} more: --page {}", results.total - shown, args.page + 1);
    }
    Ok(ExitCode::SUCCESS)
}
