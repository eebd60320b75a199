//! `parallax migrate` and `parallax copy`: the database's schema, and moving a deployment from
//! one database to another.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_store::transfer::{BATCH, TABLES, Table, Value};
use parallax_store::{DatabaseUrl, Store};

use crate::cli::CopyArgs;
use crate::progress::ProgressBar;

/// Creates the schema or brings it up to date.
pub fn migrate(database: &DatabaseUrl) -> Result<ExitCode> {
    let (before, after) = database.migrate().with_context(|| format!("migrating {database}"))?;
    match before {
        Some(before) if before == after => println!("{database}: schema up to date (version {after})"),
        Some(before) => println!("{database}: schema moved from version {before} to {after}"),
        None => println!("{database}: schema at version {after}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies every table, in an order where each row's references come first. Each table resumes
/// after the last row the target holds, and rows already there are left as they are, so a copy
/// that was stopped is finished by running it again.
pub fn copy(args: &CopyArgs) -> Result<ExitCode> {
    let from = DatabaseUrl::parse(&args.from)?;
    let to = DatabaseUrl::parse(&args.to)?;
    if from == to {
        bail!("--from and --to name the same database");
    }
    let source = from.open().with_context(|| format!("opening {from}"))?;
    to.migrate().with_context(|| format!("preparing {to}"))?;
    let target = to.open().with_context(|| format!("opening {to}"))?;

    let mut totals = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        totals.push(source.table_rows(table).with_context(|| format!("counting {}", table.name))?);
    }
    let total: u64 = totals.iter().sum();
    println!("copying {total} rows in {} tables from {from} to {to}", TABLES.len());
    let mut progress = if args.no_progress { None } else { Some(ProgressBar::new()) };
    let mut done = 0;
    let mut written = 0;
    for (table, &rows) in TABLES.iter().zip(&totals) {
        let copied = copy_table(source.as_ref(), target.as_ref(), table, |batch, new| {
            done += batch;
            written += new;
            if let Some(progress) = progress.as_mut() {
                progress.draw(done, total, format_args!("rows · {}", table.name));
            }
        })
        .with_context(|| format!("copying {}", table.name))?;
        if let Some(progress) = progress.as_mut() {
            progress.clear();
        }
        println!("  {:<18} {rows:>9} rows, {copied:>9} new", table.name);
    }
    target.finish_import().context("finishing the copy")?;

    let mut short = Vec::new();
    for (table, &rows) in TABLES.iter().zip(&totals) {
        let there = target.table_rows(table).with_context(|| format!("counting {}", table.name))?;
        if there < rows {
            short.push(format!("{} ({there} of {rows})", table.name));
        }
    }
    if !short.is_empty() {
        bail!("the copy is short of rows in {}: was the source written to meanwhile?", short.join(", "));
    }
    println!("done: {written} rows written, every table holds at least the source's rows");
    Ok(ExitCode::SUCCESS)
}

/// Copies one table in key order from where the target's rows end; `advance` hears of each batch
/// read and how many of its rows were new. Returns how many rows were written.
fn copy_table(
    source: &dyn Store,
    target: &dyn Store,
    table: &Table,
    mut advance: impl FnMut(u64, u64),
) -> Result<u64> {
    // Resume within the last key group: a table keyed by one id goes on after the last id the
    // target holds, one keyed by an id and more goes over that id's rows again (kept as they are).
    let mut after: Option<Vec<Value>> = target.last_key(table)?.map(|last| match table.key {
        1 => vec![Value::Int(last)],
        _ => vec![Value::Int(last - 1)],
    });
    if let Some(resumed) = &after {
        let skipped = target.table_rows(table)?;
        tracing::info!(table = table.name, ?resumed, skipped, "Resuming a copy.");
        advance(skipped, 0);
    }
    let mut written = 0;
    loop {
        let rows = source.export_rows(table, after.as_deref(), BATCH)?;
        let Some(last) = rows.last() else { break };
        let new = target.import_rows(table, &rows)? as u64;
        written += new;
        advance(rows.len() as u64, new);
        after = Some(last[..table.key].to_vec());
        if rows.len() < BATCH {
            break;
        }
    }
    Ok(written)
}
