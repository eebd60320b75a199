//! `parallax ingest`: files and folders into the store, one line per document.

use std::process::ExitCode;

use anyhow::{Result, bail};
use parallax_core::error_chain;
use parallax_extract::Hints;
use parallax_ingest::{DocumentReport, Outcome, Pipeline};
use parallax_store::Store;

use crate::cli::IngestArgs;

/// Counts of what became of the documents.
#[derive(Debug, Default)]
pub struct Tally {
    pub new: usize,
    pub duplicate: usize,
    pub copies: usize,
    pub rejected: usize,
}

impl Tally {
    /// Counts one report and prints its line.
    pub fn record(&mut self, report: &DocumentReport, print: bool) {
        let line = match &report.outcome {
            Outcome::New { id, story, opened_story, .. } => {
                self.new += 1;
                let story_note = if *opened_story { "new story" } else { "joined story" };
                format!("new        {}  → article {id}, {story_note} {story}", report.source)
            }
            Outcome::Duplicate { id } => {
                self.duplicate += 1;
                format!("duplicate  {}  → already stored as article {id}", report.source)
            }
            Outcome::Copy { original, similarity } => {
                self.copies += 1;
                format!(
                    "copy       {}  → a copy of article {original} ({:.0}% shared), linked to it",
                    report.source,
                    similarity * 100.0
                )
            }
            Outcome::Rejected(error) => {
                self.rejected += 1;
                format!("rejected   {}: {}", report.source, error_chain(error))
            }
        };
        if print {
            println!("{line}");
        }
    }

    /// "3 new, 1 duplicate, 1 copy, 0 rejected".
    pub fn summary(&self) -> String {
        let copies = if self.copies == 1 { "copy" } else { "copies" };
        format!(
            "{} new, {} duplicate, {} {copies}, {} rejected",
            self.new, self.duplicate, self.copies, self.rejected
        )
    }
}

pub fn run(store: &dyn Store, args: &IngestArgs) -> Result<ExitCode> {
    if args.url.is_some() && (args.paths.len() != 1 || args.paths[0].is_dir()) {
        bail!("--url names one report: give exactly one file with it");
    }
    let hints = Hints {
        outlet: args.outlet.clone(),
        published: args.published,
        url: args.url.clone(),
        ..Hints::default()
    };
    let mut pipeline = Pipeline::open(store)?;
    let mut tally = Tally::default();
    for path in &args.paths {
        pipeline.ingest_path(path, &hints, &mut |report| tally.record(&report, true));
    }
    let maintained = pipeline.maintain()?;
    if !maintained.merges.is_empty() {
        println!("{} stories merged into others that report the same event", maintained.merges.len());
    }
    if !maintained.splits.is_empty() {
        println!(
            "{} stories split off others whose reports had drifted to another event",
            maintained.splits.len()
        );
    }
    println!("{}", tally.summary());
    Ok(if tally.rejected > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
