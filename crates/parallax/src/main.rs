//! The `parallax` command: ingest reports, list stories, serve the site.
//!
//! `main` parses the command line, sets up logging, and hands the parsed arguments to the command;
//! errors are reported with their chain of causes and a non-zero exit status.

mod cli;
mod commands;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PARALLAX_LOG")
                .unwrap_or_else(|_| "warn,parallax=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
