//! The command on PostgreSQL: `serve` refuses a database `migrate` has not prepared, `copy` moves a
//! deployment from SQLite row for row and resumes where it was stopped, and the site serves the
//! copied stories, searches and comments as it served them from SQLite.

mod support;

use std::process::{Command, Output};

use parallax_core::{ArticleId, StoryId};
use parallax_store::{NewComment, Role, ScratchDatabase, SqliteStore, Store, Target};
use support::{Server, parallax, samples, stdout};

/// Runs `parallax --database-url URL ARGS...` to completion.
fn parallax_on(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("PARALLAX_DATA")
        .env_remove("PARALLAX_DATABASE_URL")
        .output()
        .expect("run parallax")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A PostgreSQL database with no schema yet, dropped at the end.
fn empty_database() -> ScratchDatabase {
    let scratch = ScratchDatabase::create("cli").expect("a PostgreSQL server answers");
    // Back to nothing, as a freshly created database is.
    let store = scratch.open().unwrap();
    drop(store);
    let out = Command::new("psql")
        .arg(scratch.url())
        .args(["-XqAtc", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "{}", stderr(&out));
    scratch
}

#[test]
fn serve_refuses_an_unprepared_database_until_migrate_prepares_it() {
    let scratch = empty_database();
    let out = parallax_on(scratch.url(), &["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("run `parallax migrate`"), "{}", stderr(&out));

    let out = parallax_on(scratch.url(), &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("schema moved from version 0 to"), "{}", stdout(&out));
    let out = parallax_on(scratch.url(), &["migrate"]);
    assert!(stdout(&out).contains("schema up to date"), "{}", stdout(&out));
    let out = parallax_on(scratch.url(), &["stories"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_deployment_copied_from_sqlite_serves_the_same_and_a_stopped_copy_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [first, second] = samples();
    let out = parallax(&data, &["ingest", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    // Readers and their discussion come along too.
    {
        let store = SqliteStore::open_dir(&data).unwrap();
        let user = store.create_user("Ines", "hash-of-a-password", Role::Moderator).unwrap().unwrap();
        let target = Target::Story(StoryId(1));
        let comment = NewComment {
            target,
            parent: None,
            author: user.id,
            source: "Which outlet was first?",
            html: "<p>Which outlet was first?</p>",
            key: "k1",
        };
        store.post_comment(&comment).unwrap();
        store.lock_thread(target, true, user.id, "settled").unwrap();
    }
    let scratch = empty_database();
    let from = format!("sqlite://{}", data.display());
    let out = parallax_on(scratch.url(), &["copy", "--from", &from, "--to", scratch.url(), "--no-progress"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("every table holds"), "{}", stdout(&out));

    let listed = |out: Output| stdout(&out);
    assert_eq!(
        listed(parallax(&data, &["stories", "--json"])),
        listed(parallax_on(scratch.url(), &["stories", "--json"])),
        "the same stories with the same reports"
    );
    let copied = scratch.open().unwrap();
    assert_eq!(copied.comments(Target::Story(StoryId(1))).unwrap().len(), 1);
    assert!(copied.thread_locked(Target::Story(StoryId(1))).unwrap());
    let logged = SqliteStore::open_dir(&data).unwrap().audit_log(parallax_store::Page::ALL).unwrap();
    assert_eq!(copied.audit_log(parallax_store::Page::ALL).unwrap(), logged);
    assert_eq!(
        copied.article(ArticleId(2)).unwrap().unwrap().article,
        SqliteStore::open_dir(&data).unwrap().article(ArticleId(2)).unwrap().unwrap().article
    );

    // A copy stopped part-way: rows of the later tables missing from the target.
    let out = Command::new("psql")
        .arg(scratch.url())
        .args([
            "-XqAtc",
            "DELETE FROM comments; DELETE FROM audit_log; DELETE FROM article_search WHERE article_id = 2;",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = parallax_on(scratch.url(), &["copy", "--from", &from, "--to", scratch.url(), "--no-progress"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let missing = 1 + logged.len() + 1;
    assert!(stdout(&out).contains(&format!("done: {missing} rows written")), "{}", stdout(&out));
    assert_eq!(copied.comments(Target::Story(StoryId(1))).unwrap().len(), 1);

    // Ids go on after the copied ones.
    let user = copied.credentials("ines").unwrap().unwrap().user;
    let reply = NewComment {
        target: Target::Story(StoryId(1)),
        parent: None,
        author: user.id,
        source: "And which was last?",
        html: "<p>And which was last?</p>",
        key: "k2",
    };
    copied.lock_thread(Target::Story(StoryId(1)), false, user.id, "reopened").unwrap();
    assert!(matches!(copied.post_comment(&reply).unwrap(), parallax_store::Posted::New(id) if id.get() == 2));

    let server = Server::start_with_env(
        None,
        &["--database-url", scratch.url(), "serve", "--addr", "127.0.0.1:0"],
        &[],
    );
    let (status, page) = server.get("/story/1");
    assert_eq!(status, 200);
    assert!(page.contains("Which outlet was first?"), "the copied comment is shown");
    let (status, page) = server.get("/search?q=Shoigu");
    assert_eq!(status, 200);
    assert!(page.contains("Shoigu"));
}
