//! One module per subcommand; each takes its parsed arguments and the data directory.

mod admin;
mod compare;
mod follow;
mod ingest;
mod outlets;
mod search;
mod serve;
mod show;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use parallax_store::SqliteStore;

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let data = cli.data_dir();
    match cli.command {
        Command::Ingest(args) => ingest::run(&open_store(&data)?, &args),
        Command::Stories(args) => show::stories(&open_store(&data)?, &args),
        Command::Article(args) => show::article(&open_store(&data)?, &args),
        Command::Compare(args) => compare::run(&open_store(&data)?, &args),
        Command::Search(args) => search::run(&open_store(&data)?, &args),
        Command::AddOutlet(args) => outlets::add_outlet(&open_store(&data)?, &args),
        Command::ImportOpml(args) => outlets::import_opml(&open_store(&data)?, &args),
        Command::ExportOpml => outlets::export_opml(&open_store(&data)?),
        Command::Outlets(args) => outlets::list(&open_store(&data)?, &args),
        Command::EditOutlet(args) => outlets::edit_outlet(&open_store(&data)?, &args),
        Command::FetchNow(args) => follow::fetch_now(&open_store(&data)?, &args),
        Command::Run => follow::run(&open_store(&data)?),
        Command::Serve(args) => serve::serve(open_store(&data)?, &args),
        Command::Demo(args) => serve::demo(cli.data.as_deref(), &args),
        Command::Admin(command) => admin::run(&open_store(&data)?, &command),
    }
}

fn open_store(data: &Path) -> Result<SqliteStore> {
    SqliteStore::open_dir(data).with_context(|| format!("opening the data directory {}", data.display()))
}
