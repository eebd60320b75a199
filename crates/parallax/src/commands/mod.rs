//! One module per subcommand; each takes its parsed arguments and the data directory.

mod admin;
mod compare;
mod database;
mod follow;
mod ingest;
mod outlets;
mod search;
mod serve;
mod show;

use std::process::ExitCode;

use anyhow::{Context, Result};
use std::sync::Arc;

use parallax_store::{DatabaseUrl, Store};

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let database = cli.database()?;
    let open = || open_store(&database);
    match cli.command {
        Command::Ingest(args) => ingest::run(open()?.as_ref(), &args),
        Command::Stories(args) => show::stories(open()?.as_ref(), &args),
        Command::Article(args) => show::article(open()?.as_ref(), &args),
        Command::Compare(args) => compare::run(open()?.as_ref(), &args),
        Command::Search(args) => search::run(open()?.as_ref(), &args),
        Command::AddOutlet(args) => outlets::add_outlet(open()?.as_ref(), &args),
        Command::ImportOpml(args) => outlets::import_opml(open()?.as_ref(), &args),
        Command::ExportOpml => outlets::export_opml(open()?.as_ref()),
        Command::Outlets(args) => outlets::list(open()?.as_ref(), &args),
        Command::EditOutlet(args) => outlets::edit_outlet(open()?.as_ref(), &args),
        Command::FetchNow(args) => follow::fetch_now(open()?.as_ref(), &args),
        Command::Run => follow::run(open()?.as_ref()),
        Command::Serve(args) => serve::serve(open()?, &database, &args),
        Command::Demo(args) => serve::demo(cli.data.as_deref(), &args),
        Command::Migrate => database::migrate(&database),
        Command::Copy(args) => database::copy(&args),
        Command::Admin(command) => admin::run(open()?.as_ref(), &command),
    }
}

fn open_store(database: &DatabaseUrl) -> Result<Arc<dyn Store>> {
    database.open().with_context(|| format!("opening the database {database}"))
}
