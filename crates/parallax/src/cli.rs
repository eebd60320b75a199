//! The command line, parsed and validated before anything runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use clap::{Args, Parser, Subcommand};
use parallax_store::{DatabaseUrl, StoreError};

/// Parallax groups reports of the same event from many outlets into stories and shows them side by
/// side.
#[derive(Debug, Parser)]
#[command(name = "parallax", version, about)]
pub struct Cli {
    /// Data directory holding the database [default: ./parallax-data].
    #[arg(long, global = true, env = "PARALLAX_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// The database, instead of the data directory's: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "PARALLAX_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The data directory to use.
    pub fn data_dir(&self) -> PathBuf {
        self.data.clone().unwrap_or_else(|| PathBuf::from("parallax-data"))
    }

    /// The database to use: the one `--database-url` names, else the data directory's.
    pub fn database(&self) -> Result<DatabaseUrl, StoreError> {
        match self.database_url.as_deref().filter(|url| !url.trim().is_empty()) {
            Some(url) => DatabaseUrl::parse(url),
            None => Ok(DatabaseUrl::data_dir(&self.data_dir())),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest report files or folders (text, Markdown, JSON records, JSON Lines).
    Ingest(IngestArgs),
    /// List every story with its reports.
    Stories(StoriesArgs),
    /// Show one extracted article.
    Article(ArticleArgs),
    /// Compare how a story's reports cover it: shared and single-outlet statements, hedging, quotes.
    Compare(CompareArgs),
    /// Search the reports' titles and text, as the site's search does.
    Search(SearchArgs),
    /// Follow an outlet from its homepage or feed URL, finding its feeds.
    AddOutlet(AddOutletArgs),
    /// Follow the outlets an OPML file lists (each outline with a feed URL).
    ImportOpml(ImportOpmlArgs),
    /// Print the followed outlets as an OPML file.
    ExportOpml,
    /// Change a followed outlet's settings: its name, how often it is polled, pages or feed content.
    EditOutlet(EditOutletArgs),
    /// List the followed outlets and their feeds.
    Outlets(OutletsArgs),
    /// Poll the followed feeds once (or one outlet's) and store their new reports.
    FetchNow(FetchNowArgs),
    /// Poll each followed feed whenever it is due and store its new reports, until Ctrl-C or SIGTERM.
    Run,
    /// Serve the site.
    Serve(ServeArgs),
    /// Load the bundled demo stories into a fresh data directory and serve them.
    Demo(ServeArgs),
    /// Create the database's schema or bring it up to date (PostgreSQL databases need this before
    /// the first `serve` or `run`, and after each upgrade of Parallax).
    Migrate,
    /// Copy a whole deployment (articles, stories, outlets, feeds, queue, readers, comments, audit
    /// log) from one database to another, e.g. from SQLite to PostgreSQL; run again, it resumes.
    Copy(CopyArgs),
    /// Administer readers' accounts: create one, give a role, issue a password reset.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Open an account. The password is read from standard input (one line) with
    /// --password-stdin, else asked for on the terminal.
    CreateUser(CreateUserArgs),
    /// Give an account a role (reader, moderator or admin).
    SetRole(SetRoleArgs),
    /// Print a one-time password reset link for an account (valid for --hours, default 24).
    ResetPassword(ResetPasswordArgs),
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy from (sqlite://PATH or postgres://...).
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The database to copy to; its schema is created or brought up to date first.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Don't draw a progress bar (plain lines are printed instead).
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// The account's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Its role.
    #[arg(long, default_value = "reader", value_parser = ["reader", "moderator", "admin"])]
    pub role: String,
    /// Read the password from standard input instead of asking for it.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct SetRoleArgs {
    /// The account's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The role to give.
    #[arg(value_name = "ROLE", value_parser = ["reader", "moderator", "admin"])]
    pub role: String,
}

#[derive(Debug, Args)]
pub struct ResetPasswordArgs {
    /// The account's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// How long the link works, in hours.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=168))]
    pub hours: u32,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders to ingest; folders are walked for .txt, .md, .json and .jsonl files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Credit the reports to this outlet.
    #[arg(long, value_name = "NAME")]
    pub outlet: Option<String>,
    /// Publication time of the reports (RFC 3339, e.g. 2026-02-02T08:00:00Z).
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub published: Option<DateTime<FixedOffset>>,
    /// Address of the report (only with a single file).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find: all must occur; "quoted words" together; -word must not occur.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,
    /// Only reports of this outlet (by name).
    #[arg(long, value_name = "NAME")]
    pub outlet: Option<String>,
    /// Only reports naming this entity (its id, as `parallax article ID --json` lists it, e.g.
    /// person:sergei-shoigu).
    #[arg(long, value_name = "ID")]
    pub entity: Option<String>,
    /// Only reports published on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Only reports published on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// Newest first instead of best match first.
    #[arg(long)]
    pub newest: bool,
    /// Which page of results.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub page: u32,
    /// Results per page.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AddOutletArgs {
    /// The outlet's homepage, or one of its feeds.
    #[arg(value_name = "URL")]
    pub url: String,
    /// The outlet's name (default: the name its page or feed gives).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// How often to poll its feeds, in minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub poll_minutes: u32,
    /// Read reports from the feeds' content instead of fetching each page.
    #[arg(long)]
    pub trust_feed_content: bool,
}

#[derive(Debug, Args)]
pub struct EditOutletArgs {
    /// The outlet's name, as `parallax outlets` lists it.
    #[arg(value_name = "OUTLET")]
    pub outlet: String,
    /// A new name for it.
    #[arg(long, value_name = "NAME")]
    pub rename: Option<String>,
    /// How often to poll its feeds, in minutes.
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub poll_minutes: Option<u32>,
    /// Fetch each report's page.
    #[arg(long, conflicts_with = "trust_feed_content")]
    pub fetch_pages: bool,
    /// Read reports from the feeds' content instead of fetching each page.
    #[arg(long)]
    pub trust_feed_content: bool,
}

#[derive(Debug, Args)]
pub struct ImportOpmlArgs {
    /// The OPML file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// How often to poll each feed, in minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub poll_minutes: u32,
    /// Read reports from the feeds' content instead of fetching each page.
    #[arg(long)]
    pub trust_feed_content: bool,
}

#[derive(Debug, Args)]
pub struct FetchNowArgs {
    /// Only this outlet's feeds.
    #[arg(value_name = "OUTLET")]
    pub outlet: Option<String>,
}

#[derive(Debug, Args)]
pub struct OutletsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StoriesArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ArticleArgs {
    /// The article's id.
    pub id: parallax_core::ArticleId,
    /// Print JSON (article and analysis) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The story's id (a merged story's id leads to the story it joined).
    pub id: parallax_core::StoryId,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Also poll the followed feeds and store their reports in this process, as `parallax run` does.
    #[arg(long)]
    pub with_worker: bool,
}

fn parse_rfc3339(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("not an RFC 3339 time ({e}); example: 2026-02-02T08:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn data_is_accepted_before_or_after_the_subcommand() {
        let before = Cli::try_parse_from(["parallax", "--data", "d", "stories"]).unwrap();
        let after = Cli::try_parse_from(["parallax", "stories", "--data", "d"]).unwrap();
        assert_eq!(before.data, after.data);
    }

    #[test]
    fn published_must_be_rfc3339() {
        assert!(Cli::try_parse_from(["parallax", "ingest", "f", "--published", "yesterday"]).is_err());
        let ok =
            Cli::try_parse_from(["parallax", "ingest", "f", "--published", "2026-02-02T08:00:00Z"]).unwrap();
        let Command::Ingest(args) = ok.command else { panic!() };
        assert!(args.published.is_some());
    }
}
