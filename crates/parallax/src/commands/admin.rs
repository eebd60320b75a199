//! `parallax admin`: accounts made and mended from the command line, where no e-mail server is
//! assumed: the first admin, roles, and one-time password reset links.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use parallax_store::{Role, Store};
use parallax_web::community::{hash_password, name_problem, new_token, password_problem, token_hash};

use crate::cli::{AdminCommand, CreateUserArgs, ResetPasswordArgs, SetRoleArgs};

pub fn run(store: &dyn Store, command: &AdminCommand) -> Result<ExitCode> {
    match command {
        AdminCommand::CreateUser(args) => create_user(store, args),
        AdminCommand::SetRole(args) => set_role(store, args),
        AdminCommand::ResetPassword(args) => reset_password(store, args),
    }
}

fn role(name: &str) -> Result<Role> {
    Role::parse(name).with_context(|| format!("{name:?} is not a role (reader, moderator or admin)"))
}

/// Reads a password: one line of standard input, or typed twice at a terminal (echoed, since no
/// terminal library is taken on for this one prompt: use --password-stdin to pipe it instead).
fn read_password(from_stdin: bool) -> Result<String> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let ask = |prompt: &str| -> Result<String> {
        eprint!("{prompt}");
        std::io::stderr().flush().ok();
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    let first = ask("Password: ")?;
    if ask("Password again: ")? != first {
        bail!("the two passwords differ");
    }
    Ok(first)
}

fn create_user(store: &dyn Store, args: &CreateUserArgs) -> Result<ExitCode> {
    let name = args.name.trim();
    if let Some(problem) = name_problem(name) {
        bail!("{problem}");
    }
    let role = role(&args.role)?;
    let password = read_password(args.password_stdin)?;
    if let Some(problem) = password_problem(&password, name) {
        bail!("{problem}");
    }
    let hash = hash_password(&password)?;
    let Some(user) = store.create_user(name, &hash, role)? else {
        bail!("the name {name:?} is taken");
    };
    println!("created {} {} (user {})", user.role.as_str(), user.name, user.id);
    Ok(ExitCode::SUCCESS)
}

fn set_role(store: &dyn Store, args: &SetRoleArgs) -> Result<ExitCode> {
    let user = store
        .credentials(&args.name)?
        .with_context(|| format!("there is no account named {:?}", args.name))?
        .user;
    store.set_role(user.id, role(&args.role)?, None)?;
    println!("{} is now {}", user.name, args.role);
    Ok(ExitCode::SUCCESS)
}

fn reset_password(store: &dyn Store, args: &ResetPasswordArgs) -> Result<ExitCode> {
    let user = store
        .credentials(&args.name)?
        .with_context(|| format!("there is no account named {:?}", args.name))?
        .user;
    let token = new_token()?;
    let expires = chrono::Utc::now() + chrono::Duration::hours(i64::from(args.hours));
    store.add_reset_token(user.id, &token_hash(&token), expires)?;
    // The site's own address when it is configured, else the path to open on it.
    let site = std::env::var("PARALLAX_PUBLIC_URL").unwrap_or_default();
    println!("{}/reset?token={token}", site.trim().trim_end_matches('/'));
    eprintln!("A one-time link for {} to choose a new password, valid for {} hours.", user.name, args.hours);
    Ok(ExitCode::SUCCESS)
}
