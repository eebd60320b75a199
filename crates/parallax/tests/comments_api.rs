//! Comments and votes through the JSON API: an API token or a session with its form token acts for
//! a reader; the rules are the site's (one post per key, sanitised text, limits, closed threads).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Browser, Server, parallax, samples};

/// A JSON request with extra headers; the status, headers and body as JSON (`Null` when empty).
fn call(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[String],
    body: Option<&Value>,
) -> (u16, String, Value) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\n", server.addr);
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn the_api_posts_and_votes_for_a_reader_with_a_token_or_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [a, b] = samples();
    assert!(parallax(&data, &["ingest", a.to_str().unwrap(), b.to_str().unwrap()]).status.success());
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);

    // A reader signs up and makes an API token on the account page.
    let mut browser = Browser::new(&server.addr);
    let token = browser.get("/signup").field("token").unwrap();
    let pairs = [
        ("token", token.as_str()),
        ("name", "api-reader"),
        ("password", "a long enough secret"),
        ("again", "a long enough secret"),
    ];
    assert_eq!(browser.post("/signup", &pairs).status, 303);
    let csrf = browser.get("/account").field("csrf").unwrap();
    let refused = browser.post("/account/token", &[("csrf", &csrf), ("current", "not the password")]);
    assert_eq!(refused.status, 401, "a token is made only with the password");
    let made = browser.post("/account/token", &[("csrf", &csrf), ("current", "a long enough secret")]);
    let at = made.body.find("<code>").expect("the new token is shown") + 6;
    let api_token = made.body[at..at + 64].to_owned();
    let bearer = format!("Authorization: Bearer {api_token}");

    let new = json!({ "target_kind": "story", "target_id": 1, "source": "Via the API <script>alert(1)</script> [x](javascript:alert(1))", "key": "api-1" });
    let (status, head, created) =
        call(&server, "POST", "/api/comments", std::slice::from_ref(&bearer), Some(&new));
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["url"], format!("/story/1#c{id}"));
    assert!(head.contains("content-type: application/json"));
    let (status, _, again) =
        call(&server, "POST", "/api/comments", std::slice::from_ref(&bearer), Some(&new));
    assert_eq!((status, again["id"].as_i64()), (201, Some(id)), "the same key posts once");

    // No reader, a session without its form token, then with it.
    let (status, head, error) = call(&server, "POST", "/api/comments", &[], Some(&new));
    assert_eq!(status, 401);
    assert!(head.contains("www-authenticate: bearer") && error["error"].is_string());
    let session = format!("Cookie: parallax_session={}", browser.cookie("parallax_session").unwrap());
    let reply =
        json!({ "target_kind": "story", "target_id": 1, "parent": id, "source": "A reply", "key": "api-2" });
    let (status, _, _) = call(&server, "POST", "/api/comments", std::slice::from_ref(&session), Some(&reply));
    assert_eq!(status, 403, "a session needs its form token");
    let (status, _, _) = call(
        &server,
        "POST",
        "/api/comments",
        &[session.clone(), "X-CSRF-Token: wrong".to_owned()],
        Some(&reply),
    );
    assert_eq!(status, 403);
    let (status, _, replied) =
        call(&server, "POST", "/api/comments", &[session, format!("X-CSRF-Token: {csrf}")], Some(&reply));
    assert_eq!(status, 201, "{replied}");

    // What is wrong with a request is said.
    for (body, expected) in [
        (json!({ "target_kind": "poll", "target_id": 1, "source": "x", "key": "k" }), 400),
        (json!({ "target_kind": "story", "target_id": 99, "source": "x", "key": "k3" }), 404),
        (json!({ "target_kind": "story", "target_id": 1, "source": "   ", "key": "k4" }), 400),
        (json!({ "target_kind": "story", "target_id": 1, "source": "x", "key": "bad key!" }), 400),
        (json!({ "target_kind": "story", "target_id": 1, "parent": 999, "source": "x", "key": "k5" }), 404),
        (json!({ "target_kind": "story", "target_id": 1, "source": "x", "key": "k6", "admin": true }), 400),
    ] {
        let (status, _, error) =
            call(&server, "POST", "/api/comments", std::slice::from_ref(&bearer), Some(&body));
        assert_eq!(status, expected, "{body}: {error}");
        assert!(error["error"].is_string());
    }

    // The thread, with nothing executable in it.
    let (status, _, thread) =
        call(&server, "GET", "/api/comments?target_kind=story&target_id=1&sort=oldest", &[], None);
    assert_eq!(status, 200);
    let comments = thread["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!((comments[1]["parent"].as_i64(), comments[1]["depth"].as_u64()), (Some(id), Some(1)));
    let html = comments[0]["html"].as_str().unwrap();
    assert!(!html.contains("<script") && !html.contains("href=\"javascript"), "{html}");
    assert_eq!(comments[0]["author"], "api-reader");

    // Votes: one per reader, changeable; bad values and missing comments refused.
    let vote = |value: Value, comment: i64| {
        call(
            &server,
            "POST",
            &format!("/api/comments/{comment}/vote"),
            std::slice::from_ref(&bearer),
            Some(&json!({ "value": value })),
        )
    };
    let (status, _, counts) = vote(json!(1), id);
    assert_eq!((status, counts), (200, json!({ "up": 1, "down": 0 })));
    assert_eq!(vote(json!(-1), id).2, json!({ "up": 0, "down": 1 }));
    assert_eq!(vote(json!(0), id).2, json!({ "up": 0, "down": 0 }));
    assert_eq!(vote(json!(5), id).0, 400);
    assert_eq!(vote(json!(1), 999).0, 404);

    // A new password withdraws the tokens given out under the old one.
    let csrf = browser.get("/account").field("csrf").unwrap();
    let changed = browser.post(
        "/account/password",
        &[
            ("csrf", &csrf),
            ("current", "a long enough secret"),
            ("password", "a newer long secret"),
            ("again", "a newer long secret"),
        ],
    );
    assert_eq!(changed.status, 303);
    assert_eq!(vote(json!(1), id).0, 401, "the old token no longer works");
}
