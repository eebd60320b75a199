//! Readers' discussions over real HTTP on loopback: accounts signing up and in, comments and
//! replies nested three deep, what a hostile comment can and cannot put on the page, forged and
//! repeated forms, edits, deletions, reports, moderation with its audit log, locked threads, votes,
//! ratings, and a thousand comments posted at once by fifty readers.
//!
//! Each reader connects from an address of its own on 127.0.0.0/8, as separate readers would, so
//! that the per-address limits on signing up and commenting count each of them apart.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use support::{Browser, HttpResponse, Server, parallax, samples, stdout};

const PASSWORD: &str = "correct horse battery staple";

/// The comment a redirect leads to (`…#c12`).
fn comment_id(reply: &HttpResponse) -> i64 {
    let location = reply.location();
    let (_, id) = location.rsplit_once("#c").unwrap_or_else(|| panic!("no comment in {location}"));
    id.parse().unwrap_or_else(|_| panic!("no comment id in {location}"))
}

/// A reader in these tests: a browser from an address of its own, with the site's forms at hand.
struct Client(Browser);

impl std::ops::Deref for Client {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.0
    }
}

impl std::ops::DerefMut for Client {
    fn deref_mut(&mut self) -> &mut Browser {
        &mut self.0
    }
}

impl Client {
    fn new(server: &Server, source: [u8; 4]) -> Client {
        Client(Browser::from_address(&server.addr, source))
    }

    fn sign_up(&mut self, name: &str) {
        let page = self.get("/signup");
        let token = hidden(&page.body, "token");
        let reply = self.post(
            "/signup",
            &[
                ("name", name),
                ("password", PASSWORD),
                ("again", PASSWORD),
                ("token", &token),
                ("website", ""),
                ("next", "/"),
            ],
        );
        assert_eq!(reply.status, 303, "signing up {name}: {}", reply.body);
        assert!(self.cookie("parallax_session").is_some(), "{name} got no session");
    }

    fn sign_in(&mut self, name: &str) {
        let page = self.get("/signin");
        let token = hidden(&page.body, "token");
        let reply = self.post(
            "/signin",
            &[("name", name), ("password", PASSWORD), ("token", &token), ("website", ""), ("next", "/")],
        );
        assert_eq!(reply.status, 303, "signing in {name}: {}", reply.body);
    }

    /// The session's form token, as the account page carries it.
    fn csrf(&mut self) -> String {
        hidden(&self.get("/account").body, "csrf")
    }

    /// Posts a comment (a reply when `parent` is given) from the page's own form and key.
    fn comment(&mut self, page: &str, parent: Option<i64>, source: &str) -> HttpResponse {
        let body = self.get(page).body;
        let (kind, id) = page.trim_start_matches('/').split_once('/').expect("a story or article page");
        let parent = parent.map(|p| p.to_string()).unwrap_or_default();
        let (csrf, key) = (hidden(&body, "csrf"), hidden(&body, "key"));
        self.post(
            "/comments",
            &[
                ("target_kind", kind),
                ("target_id", id),
                ("parent", &parent),
                ("source", source),
                ("key", &key),
                ("csrf", &csrf),
                ("website", ""),
            ],
        )
    }
}

/// The value of the first hidden input with this name.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body.find(&marker).unwrap_or_else(|| panic!("no {name} field in the page"));
    let rest = &body[at + marker.len()..];
    rest[..rest.find('"').expect("end of value")].to_owned()
}

/// How deep a comment sits in the thread: 1 for a top-level one.
fn depth(body: &str, id: i64) -> usize {
    let start = body.find("<ol class=\"thread\">").expect("a thread");
    let at = body.find(&format!("id=\"c{id}\"")).unwrap_or_else(|| panic!("comment {id} not on the page"));
    let before = &body[start..at];
    before.matches("<ol").count() - before.matches("</ol>").count()
}

/// A comment's markup, up to the next comment.
fn comment_html(body: &str, id: i64) -> &str {
    let at = body.find(&format!("id=\"c{id}\"")).unwrap_or_else(|| panic!("comment {id} not on the page"));
    let rest = &body[at..];
    let end = rest[1..].find("<li id=\"c").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

/// "N up, M down" of a comment.
fn counts(body: &str, id: i64) -> (u32, u32) {
    let html = comment_html(body, id);
    let at = html.find(" up, ").expect("vote counts");
    let up = html[..at].rsplit(' ').next().and_then(|n| n.parse().ok()).expect("up count");
    let down = html[at + 5..].split(' ').next().and_then(|n| n.parse().ok()).expect("down count");
    (up, down)
}

/// Every tag on the page, as written between `<` and `>`.
fn tags(body: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let after = &rest[open..];
        let close = after.find('>').unwrap_or(after.len());
        found.push(&after[..close]);
        rest = &after[close..];
    }
    found
}

fn create_account(data: &Path, name: &str, role: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--data")
        .arg(data)
        .args(["admin", "create-user", name, "--role", role, "--password-stdin"])
        .env_remove("PARALLAX_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run parallax admin");
    child.stdin.take().expect("stdin").write_all(format!("{PASSWORD}\n").as_bytes()).expect("password");
    let out = child.wait_with_output().expect("parallax admin");
    assert!(out.status.success(), "creating {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A data directory holding the two sample reports, with the ids of their story and first report.
fn corpus(dir: &Path) -> (i64, i64) {
    let files = samples();
    let out = parallax(dir, &["ingest", files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    let stories: serde_json::Value =
        serde_json::from_str(&stdout(&parallax(dir, &["stories", "--json"]))).unwrap();
    let story = &stories[0];
    (story["id"].as_i64().expect("story id"), story["articles"][0]["id"].as_i64().expect("article id"))
}

#[test]
fn readers_discuss_and_moderators_moderate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (story, article) = corpus(&data);
    create_account(&data, "moira", "moderator");
    create_account(&data, "adam", "admin");
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let page = format!("/story/{story}");

    // Signed out: the discussion, no forms, a way to sign in; the page may be shared by caches.
    let mut anon = Client::new(&server, [127, 0, 0, 20]);
    let shown = anon.get(&page);
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains(&format!("<a href=\"/signin?next={page}\">Sign in to comment</a>")));
    assert!(!shown.body.contains("name=\"csrf\""));
    assert!(!shown.header("cache-control").unwrap_or_default().contains("private"));

    let mut ana = Client::new(&server, [127, 0, 0, 21]);
    let mut ben = Client::new(&server, [127, 0, 0, 22]);
    ana.sign_up("ana");
    ben.sign_up("ben");
    let mine = ana.get(&page);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"), "a reader's page is theirs alone");
    assert!(mine.body.contains("action=\"/comments\""));

    // A comment, a reply, a reply to the reply.
    let first = ana.comment(&page, None, "The harbour *really* matters here.");
    assert_eq!(first.status, 303, "{}", first.body);
    assert!(first.location().starts_with(&format!("{page}#c")));
    let c1 = comment_id(&first);
    let c2 = comment_id(&ben.comment(&page, Some(c1), "I disagree with that."));
    let c3 = comment_id(&ana.comment(&page, Some(c2), "Then say why."));
    let body = ben.get(&page).body;
    assert_eq!((depth(&body, c1), depth(&body, c2), depth(&body, c3)), (1, 2, 3));
    assert!(body.contains("<em>really</em>"));
    assert!(comment_html(&body, c1).contains("2 replies"));
    assert!(comment_html(&body, c1).contains("<details open>"), "each thread folds without script");

    // Hostile comments are text on the page, never markup that runs.
    let payloads = [
        "<script>alert('xss')</script>",
        "<img src=x onerror=alert(1)>",
        "[click me](javascript:alert(2))",
        "<svg onload=alert(3)><circle/></svg>",
        "<a href=\"javascript:alert(4)\">link</a>",
        "\"><iframe src=https://evil.example></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ];
    for payload in payloads {
        assert_eq!(ana.comment(&page, None, payload).status, 303, "{payload}");
    }
    let body = ben.get(&page).body;
    assert!(body.contains("&lt;script&gt;alert("), "the script is shown as text");
    let discussion = &body[body.find("<section class=\"comments\"").expect("the discussion")..];
    for tag in tags(discussion) {
        let lower = tag.to_ascii_lowercase();
        for bad in
            ["<script>", "<iframe", "<svg", "<img src=x", "onerror", "onload", "javascript:", "data:text"]
        {
            assert!(!lower.contains(bad), "executable markup {tag:?}");
        }
    }
    assert_eq!(body.matches("<script").count(), 1, "only the page's own structured data");

    // Forms from elsewhere change nothing.
    let csrf = ana.csrf();
    let forged = [
        ("target_kind", "story"),
        ("target_id", &story.to_string()),
        ("source", "forged words"),
        ("key", "k1"),
    ];
    assert_eq!(ana.post("/comments", &forged).status, 403);
    let mut wrong = forged.to_vec();
    wrong.push(("csrf", "0000"));
    assert_eq!(ana.post("/comments", &wrong).status, 403);
    assert_eq!(ana.post(&format!("/comments/{c1}/vote"), &[("value", "up")]).status, 403);
    assert!(!ben.get(&page).body.contains("forged words"));

    // The same form sent twice posts once.
    let story_id = story.to_string();
    let twice = [
        ("target_kind", "story"),
        ("target_id", story_id.as_str()),
        ("source", "Said only once."),
        ("key", "double-submit-key"),
        ("csrf", csrf.as_str()),
        ("website", ""),
    ];
    let (a, b) = (ana.post("/comments", &twice), ana.post("/comments", &twice));
    assert_eq!((a.status, b.status), (303, 303));
    assert_eq!(a.location(), b.location());
    assert_eq!(ben.get(&page).body.matches("Said only once.").count(), 1);

    // The honeypot, empty and overlong comments.
    let mut trapped = twice.to_vec();
    trapped[2] = ("source", "Buy things");
    trapped[3] = ("key", "trap-key");
    trapped[5] = ("website", "https://spam.example");
    assert_eq!(ana.post("/comments", &trapped).status, 400);
    let long = "x".repeat(10_001);
    let refused = ana.comment(&page, None, &long);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("at most 10000 characters"), "{}", refused.body);
    assert_eq!(ana.comment(&page, None, "   \n ").status, 400);
    let body = ben.get(&page).body;
    assert!(!body.contains("Buy things") && !body.contains(&long));

    // Edits: the author's own, within the window.
    let edit = ana.post(
        &format!("/comments/{c1}/edit"),
        &[("csrf", &csrf), ("source", "The harbour matters, edited.")],
    );
    assert_eq!(edit.status, 303, "{}", edit.body);
    let ben_csrf = ben.csrf();
    let not_yours = ben.post(&format!("/comments/{c1}/edit"), &[("csrf", &ben_csrf), ("source", "Hijacked")]);
    assert_eq!(not_yours.status, 403);
    let body = ben.get(&page).body;
    assert!(comment_html(&body, c1).contains("The harbour matters, edited."));
    assert!(comment_html(&body, c1).contains(" · edited"));
    assert!(
        ana.get(&page).body.contains("The harbour matters, edited.</textarea>"),
        "the edit form holds the source"
    );

    // Deletion needs its box ticked, withholds the text and keeps the replies.
    let unconfirmed = ben.post(&format!("/comments/{c2}/delete"), &[("csrf", &ben_csrf)]);
    assert_eq!(unconfirmed.status, 400);
    let deleted = ben.post(&format!("/comments/{c2}/delete"), &[("csrf", &ben_csrf), ("confirm", "1")]);
    assert_eq!(deleted.status, 303);
    let body = ana.get(&page).body;
    assert!(comment_html(&body, c2).contains("Comment deleted by its author"));
    assert!(!body.contains("I disagree with that."));
    assert_eq!(depth(&body, c3), 3, "the reply keeps its place");
    assert!(body.contains("Then say why."));
    let orphan = ana.comment(&page, Some(c2), "Answering the deleted one.");
    assert_eq!(orphan.status, 409);
    assert!(!ana.get(&page).body.contains("Answering the deleted one."));

    // Votes: up, changed, withdrawn; each reader once.
    let cv = comment_id(&ana.comment(&page, None, "Vote on me."));
    let vote = |client: &mut Client, csrf: &str, value: &str| {
        let reply = client.post(&format!("/comments/{cv}/vote"), &[("csrf", csrf), ("value", value)]);
        assert_eq!(reply.status, 303, "{}", reply.body);
        counts(&client.get(&page).body, cv)
    };
    assert_eq!(vote(&mut ben, &ben_csrf, "up"), (1, 0));
    assert_eq!(vote(&mut ben, &ben_csrf, "up"), (1, 0), "the same vote again counts once");
    assert_eq!(vote(&mut ana, &csrf, "up"), (2, 0));
    assert_eq!(vote(&mut ben, &ben_csrf, "down"), (1, 1));
    let body = ben.get(&page).body;
    assert!(comment_html(&body, cv).contains("name=\"value\" value=\"none\" aria-pressed=\"true\">Down"));
    assert_eq!(vote(&mut ben, &ben_csrf, "none"), (1, 0));
    assert_eq!(
        ben.post(&format!("/comments/{cv}/vote"), &[("csrf", &ben_csrf), ("value", "sideways")]).status,
        400
    );

    // The story's coverage rated, changed, withdrawn.
    let rate = |client: &mut Client, csrf: &str, value: &str| {
        let reply = client.post(&format!("/story/{story}/rating"), &[("csrf", csrf), ("value", value)]);
        assert_eq!(reply.status, 303);
        client.get(&page).body
    };
    assert!(rate(&mut ben, &ben_csrf, "helpful").contains("1 reader says yes, 0 no."));
    let body = rate(&mut ana, &csrf, "not");
    assert!(body.contains("1 reader says yes, 1 no."));
    assert!(body.contains("value=\"none\" aria-pressed=\"true\">Not helpful"));
    assert!(rate(&mut ben, &ben_csrf, "none").contains("0 readers say yes, 1 no."));

    // Reports reach the moderators, and only them.
    let report =
        ben.post(&format!("/comments/{c1}/report"), &[("csrf", &ben_csrf), ("reason", "Rude words here")]);
    assert_eq!(report.status, 303);
    assert!(report.location().contains("note=reported"));
    assert_eq!(
        ben.post(&format!("/comments/{c1}/report"), &[("csrf", &ben_csrf), ("reason", "")]).status,
        400
    );
    assert_eq!(ben.get("/moderation").status, 403);
    assert_eq!(anon.get("/moderation").location(), "/signin?next=/moderation");
    let mut moira = Client::new(&server, [127, 0, 0, 23]);
    moira.sign_in("moira");
    let queue = moira.get("/moderation");
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Rude words here") && queue.body.contains(&format!("id=\"c{c1}\"")));
    assert_eq!(queue.header("cache-control"), Some("private, no-store"));

    // Hiding takes a reason, shows a placeholder and is logged.
    let mod_csrf = moira.csrf();
    let action = format!("/moderation/comments/{c1}");
    assert_eq!(moira.post(&action, &[("csrf", &mod_csrf), ("action", "hide"), ("reason", " ")]).status, 400);
    assert_eq!(ben.post(&action, &[("csrf", &ben_csrf), ("action", "hide"), ("reason", "x")]).status, 403);
    let hidden_reply = moira.post(
        &action,
        &[("csrf", &mod_csrf), ("action", "hide"), ("reason", "Insulting"), ("back", "/moderation")],
    );
    assert_eq!((hidden_reply.status, hidden_reply.location()), (303, "/moderation"));
    let body = ben.get(&page).body;
    assert!(comment_html(&body, c1).contains("Comment hidden by a moderator"));
    assert!(!body.contains("The harbour matters, edited."));
    assert!(!moira.get("/moderation").body.contains("Rude words here"), "the report is settled");
    let log = moira.get("/moderation/log");
    assert_eq!(log.status, 200);
    assert!(
        log.body.contains("hide comment") && log.body.contains("Insulting") && log.body.contains("moira")
    );
    assert_eq!(ben.get("/moderation/log").status, 403);

    // A purge is an admin's.
    let purge = [("csrf", mod_csrf.as_str()), ("action", "purge"), ("reason", "Spam")];
    assert_eq!(moira.post(&format!("/moderation/comments/{cv}"), &purge).status, 403);
    let mut adam = Client::new(&server, [127, 0, 0, 24]);
    adam.sign_in("adam");
    let admin_csrf = adam.csrf();
    let purged = adam.post(
        &format!("/moderation/comments/{cv}"),
        &[("csrf", &admin_csrf), ("action", "purge"), ("reason", "Spam")],
    );
    assert_eq!(purged.status, 303);
    assert!(!ben.get(&page).body.contains(&format!("id=\"c{cv}\"")));

    // A closed discussion shows no forms and takes no comments or votes.
    let lock = |client: &mut Client, csrf: &str, locked: &str| {
        client.post(
            "/moderation/threads",
            &[
                ("csrf", csrf),
                ("target_kind", "story"),
                ("target_id", &story_id),
                ("locked", locked),
                ("reason", "Heated"),
            ],
        )
    };
    assert_eq!(lock(&mut ben, &ben_csrf, "1").status, 403);
    assert_eq!(lock(&mut moira, &mod_csrf, "1").status, 303);
    let body = ana.get(&page).body;
    assert!(body.contains("This discussion is closed."));
    assert!(!body.contains("action=\"/comments\"") && !body.contains("/vote\""));
    let mut closed = twice.to_vec();
    closed[2] = ("source", "Too late to say.");
    closed[3] = ("key", "closed-key");
    assert_eq!(ana.post("/comments", &closed).status, 403);
    assert_eq!(ana.post(&format!("/comments/{c3}/vote"), &[("csrf", &csrf), ("value", "up")]).status, 403);
    assert!(moira.get("/moderation/log").body.contains("lock thread"));
    assert_eq!(lock(&mut moira, &mod_csrf, "0").status, 303);
    assert_eq!(ana.post("/comments", &closed).status, 303);

    // Articles have discussions of their own.
    let on_article = format!("/article/{article}");
    let posted = ana.comment(&on_article, None, "About this one report.");
    assert_eq!(posted.status, 303);
    assert!(posted.location().starts_with(&format!("{on_article}#c")));
    assert!(ben.get(&on_article).body.contains("About this one report."));
    assert!(!ben.get(&page).body.contains("About this one report."));
    assert_eq!(ben.get(&format!("{page}?sort=newest")).status, 200);
    assert_eq!(ben.get(&format!("{page}?sort=sideways")).status, 400);

    // A ban ends the reader's sessions: their forms lead to signing in.
    let moderated = moira.get(&page).body;
    let ban_form = comment_html(&moderated, c2);
    let at = ban_form.find("action=\"/moderation/users/").expect("a ban form for ben") + 8;
    let ban = &ban_form[at..at + ban_form[at..].find('"').expect("end of action")];
    let banned = moira.post(ban, &[("csrf", &mod_csrf), ("banned", "1"), ("reason", "Trolling")]);
    assert_eq!(banned.status, 303);
    let after = ben.post(&format!("/comments/{c3}/vote"), &[("csrf", &ben_csrf), ("value", "up")]);
    assert_eq!((after.status, after.location()), (303, format!("/signin?next={page}").as_str()));
    assert!(moira.get("/moderation/log").body.contains("Trolling"));
}

#[test]
fn a_thousand_comments_posted_at_once_are_each_stored_once() {
    const READERS: u8 = 50;
    const EACH: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, article) = corpus(&data);
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let page = format!("/article/{article}");

    // Accounts open ten at a time: each sign-up hashes a password with 19 MiB of memory.
    let mut readers: Vec<(u8, Client)> = Vec::new();
    for batch in (1..=READERS).collect::<Vec<_>>().chunks(10) {
        let opened: Vec<(u8, Client)> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|&n| {
                    let server = &server;
                    scope.spawn(move || {
                        let mut client = Client::new(server, [127, 0, 1, n]);
                        client.sign_up(&format!("load{n}"));
                        (n, client)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("sign-up thread")).collect()
        });
        readers.extend(opened);
    }

    let locations: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = readers
            .iter_mut()
            .map(|(n, client)| {
                let (n, page) = (*n, page.clone());
                scope.spawn(move || {
                    let csrf = client.csrf();
                    let (kind, id) = ("article", page.rsplit('/').next().unwrap_or_default().to_owned());
                    let post = |client: &mut Client, i: usize| {
                        let (key, source) = (format!("load-{n}-{i}"), format!("load comment {n}-{i}."));
                        let fields = [
                            ("target_kind", kind),
                            ("target_id", id.as_str()),
                            ("source", source.as_str()),
                            ("key", key.as_str()),
                            ("csrf", csrf.as_str()),
                            ("website", ""),
                        ];
                        let reply = client.post("/comments", &fields);
                        assert_eq!(reply.status, 303, "reader {n}, comment {i}: {}", reply.body);
                        reply.location().to_owned()
                    };
                    let mut locations: Vec<String> = (0..EACH).map(|i| post(client, i)).collect();
                    // The first form sent again (a double click, a retry) lands on the same comment.
                    let again = post(client, 0);
                    assert_eq!(again, locations[0]);
                    locations.sort();
                    locations
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("posting thread")).collect()
    });
    let all: Vec<&String> = locations.iter().flatten().collect();
    let mut distinct = all.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((all.len(), distinct.len()), (1000, 1000), "every post its own comment");

    let mut reader = Client::new(&server, [127, 0, 1, 200]);
    let body = reader.get(&page).body;
    assert_eq!(body.matches("<li id=\"c").count(), 1000);
    for n in 1..=READERS {
        for i in 0..EACH {
            let text = format!("<p>load comment {n}-{i}.</p>");
            assert_eq!(body.matches(&text).count(), 1, "{text}");
        }
    }
}
