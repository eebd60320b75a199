//! Readers' accounts end to end: the admin command line, sign up, sign in and out, the forms'
//! protection against forged requests, the brute-force limit, password change and reset, and the
//! security headers every page carries.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{Browser, Server, parallax, samples};

fn admin(data: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parallax"))
        .arg("--data")
        .arg(data)
        .arg("admin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start parallax admin");
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Signs a new reader up through the form; returns the browser holding their session.
fn sign_up(server: &Server, name: &str, password: &str) -> Browser {
    let mut browser = Browser::new(&server.addr);
    let form = browser.get("/signup");
    assert_eq!(form.status, 200);
    let token = form.field("token").expect("a form token");
    let done = browser.post(
        "/signup",
        &[
            ("token", &token),
            ("name", name),
            ("password", password),
            ("again", password),
            ("website", ""),
            ("next", "/account"),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/account"));
    assert!(browser.cookie("parallax_session").is_some());
    browser
}

#[test]
fn accounts_sign_up_in_and_out_and_resist_forgery_and_guessing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [a, b] = samples();
    assert!(parallax(&data, &["ingest", a.to_str().unwrap(), b.to_str().unwrap()]).status.success());

    // The first admin comes from the command line.
    let made = admin(
        &data,
        &["create-user", "Editor", "--role", "admin", "--password-stdin"],
        "a long admin secret",
    );
    assert!(made.status.success(), "{made:?}");
    assert!(String::from_utf8_lossy(&made.stdout).contains("created admin Editor"));
    let again = admin(&data, &["create-user", "editor", "--password-stdin"], "another long secret");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"), "names ignore case");
    let weak = admin(&data, &["create-user", "Weakling", "--password-stdin"], "short");
    assert_eq!(weak.status.code(), Some(2));

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let mut ana = sign_up(&server, "ana", "correct horse battery");
    let account = ana.get("/account");
    assert_eq!(account.status, 200);
    assert!(account.body.contains("<h1>ana</h1>") && account.body.contains("reader since"));
    assert_eq!(account.header("cache-control"), Some("private, no-store"), "a reader's pages are their own");
    assert!(ana.get("/").body.contains(">ana</a>"), "the masthead names the signed-in reader");
    let signin = Browser::new(&server.addr).get("/signin");
    assert_eq!(signin.header("cache-control"), Some("no-store"), "a form's token is never shared");

    // Every page carries the security headers.
    let front = ana.get("/");
    let csp = front.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("script-src")
    );
    assert_eq!(front.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(front.header("referrer-policy"), Some("strict-origin-when-cross-origin"));

    // Forged forms: a sign-up without the form cookie's token, a password change without the
    // session's token.
    let mut stranger = Browser::new(&server.addr);
    let forged = stranger.post(
        "/signup",
        &[("token", "0"), ("name", "bob"), ("password", "long enough pw"), ("again", "long enough pw")],
    );
    assert_eq!(forged.status, 403);
    let forged = ana.post(
        "/account/password",
        &[
            ("current", "correct horse battery"),
            ("password", "a new long secret"),
            ("again", "a new long secret"),
        ],
    );
    assert_eq!(forged.status, 403, "no token");
    let forged = ana.post(
        "/account/password",
        &[
            ("csrf", "wrong"),
            ("current", "correct horse battery"),
            ("password", "a new long secret"),
            ("again", "a new long secret"),
        ],
    );
    assert_eq!(forged.status, 403, "a wrong token");

    // A bot fills the hidden field; a taken name is refused.
    let mut bot = Browser::new(&server.addr);
    let token = bot.get("/signup").field("token").unwrap();
    let trapped = bot.post(
        "/signup",
        &[
            ("token", &token),
            ("name", "botty"),
            ("password", "long enough pw"),
            ("again", "long enough pw"),
            ("website", "http://spam.example"),
        ],
    );
    assert_eq!(trapped.status, 400);
    assert!(bot.cookie("parallax_session").is_none());
    // (Sign-up allows five tries an hour from one address: two hostile names leave room for the rest.)
    for hostile in ["<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>"] {
        let refused = bot.post(
            "/signup",
            &[
                ("token", &token),
                ("name", hostile),
                ("password", "long enough pw"),
                ("again", "long enough pw"),
            ],
        );
        assert_eq!(refused.status, 400, "{hostile}");
        assert!(
            !refused.body.contains(hostile) || !hostile.contains('<'),
            "the name is shown escaped: {hostile}"
        );
        assert!(!refused.body.contains("<img src=x") && !refused.body.contains("<svg onload"));
    }
    let taken = bot.post(
        "/signup",
        &[("token", &token), ("name", "ANA"), ("password", "long enough pw"), ("again", "long enough pw")],
    );
    assert_eq!(taken.status, 409);

    // Sign out, then in again; a wrong password is refused alike for known and unknown names.
    let csrf = ana.get("/account").field("csrf").expect("the session's token");
    let out = ana.post("/signout", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303);
    assert!(ana.cookie("parallax_session").is_none());
    assert_eq!(ana.get("/account").status, 303, "signed out: sent to sign in");
    let token = ana.get("/signin").field("token").unwrap();
    let wrong = ana.post("/signin", &[("token", &token), ("name", "ana"), ("password", "not the password")]);
    let unknown =
        ana.post("/signin", &[("token", &token), ("name", "nobody"), ("password", "not the password")]);
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert!(
        wrong.body.contains("The name or the password is wrong.")
            && unknown.body.contains("The name or the password is wrong.")
    );
    let right = ana.post(
        "/signin",
        &[
            ("token", &token),
            ("name", "Ana"),
            ("password", "correct horse battery"),
            ("next", "//evil.example"),
        ],
    );
    assert_eq!(right.status, 303);
    assert_eq!(right.header("location"), Some("/"), "never sent to another site");

    // Guessing a password hits the limit: eight tries per name in ten minutes.
    let mut guesser = Browser::new(&server.addr);
    let token = guesser.get("/signin").field("token").unwrap();
    let statuses: Vec<u16> = (0..10)
        .map(|i| {
            guesser
                .post(
                    "/signin",
                    &[("token", &token), ("name", "editor"), ("password", &format!("guess number {i}"))],
                )
                .status
        })
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 8, "{statuses:?}");
    let limited = guesser
        .post("/signin", &[("token", &token), ("name", "editor"), ("password", "a long admin secret")]);
    assert_eq!(limited.status, 429, "even the right password waits out the limit");
    assert!(limited.header("retry-after").is_some());

    // A password change ends the other sessions; the changing browser stays signed in.
    let mut other = Browser::new(&server.addr);
    let token = other.get("/signin").field("token").unwrap();
    assert_eq!(
        other
            .post("/signin", &[("token", &token), ("name", "ana"), ("password", "correct horse battery")])
            .status,
        303
    );
    let csrf = ana.get("/account").field("csrf").unwrap();
    let changed = ana.post(
        "/account/password",
        &[
            ("csrf", &csrf),
            ("current", "correct horse battery"),
            ("password", "a brand new secret"),
            ("again", "a brand new secret"),
        ],
    );
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(ana.get("/account").status, 200);
    assert_eq!(other.get("/account").status, 303, "the other session ended");

    // A reset link from the command line works once.
    let reset = parallax(&data, &["admin", "reset-password", "ana"]);
    assert!(reset.status.success(), "{reset:?}");
    let link = String::from_utf8_lossy(&reset.stdout).trim().to_owned();
    assert!(link.starts_with("/reset?token="), "{link}");
    let mut forgetful = Browser::new(&server.addr);
    let page = forgetful.get(&link);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let (token, form_token) = (page.field("token").unwrap(), page.field("form_token").unwrap());
    let set = forgetful.post(
        "/reset",
        &[
            ("token", &token),
            ("form_token", &form_token),
            ("password", "after the reset"),
            ("again", "after the reset"),
        ],
    );
    assert_eq!(set.status, 200);
    assert!(set.body.contains("Your password is changed"));
    let reused = forgetful.post(
        "/reset",
        &[
            ("token", &token),
            ("form_token", &form_token),
            ("password", "another reset"),
            ("again", "another reset"),
        ],
    );
    assert_eq!(reused.status, 400, "a reset link works once");
    assert_eq!(ana.get("/account").status, 303, "a reset ends every session");
}
