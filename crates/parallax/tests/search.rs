//! `parallax search` finds reports by their words on the command line, as the site's search does.

mod support;

use support::{parallax, samples, stdout};

#[test]
fn search_finds_marks_filters_and_explains_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [a, b] = samples();
    let ingested = parallax(&data, &["ingest", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(ingested.status.success(), "{ingested:?}");

    let found = parallax(&data, &["search", "Shoigu Beijing"]);
    assert!(found.status.success(), "{found:?}");
    let out = stdout(&found);
    assert!(out.starts_with("2 reports match"), "{out}");
    assert!(out.contains("[Shoigu]") && out.contains("[Beijing]"), "matched words are marked: {out}");
    assert!(out.contains("(2 of 2 reports match, 2 outlets)"), "the story is listed: {out}");

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&parallax(&data, &["search", "\"Foreign Ministry\"", "--json"])))
            .unwrap();
    assert_eq!(json["total"], 1, "{json}");
    assert_eq!(json["hits"][0]["article"]["outlet"], "People News");

    let narrowed = stdout(&parallax(&data, &["search", "Shoigu", "--outlet", "people news"]));
    assert!(narrowed.starts_with("1 report matches"), "outlet names ignore case: {narrowed}");
    let listed = stdout(&parallax(&data, &["search", "--entity", "person:wang-yi", "--limit", "1"]));
    assert!(listed.starts_with("2 reports match") && listed.contains("1 more: --page 2"), "{listed}");
    let none = stdout(&parallax(&data, &["search", "Shoigu -Beijing"]));
    assert!(none.starts_with("0 reports match"), "{none}");

    let unknown = parallax(&data, &["search", "Shoigu", "--outlet", "Nobody Times"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no outlet named \"Nobody Times\""));
    let empty = parallax(&data, &["search"]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("give words to search for"));
    let bad_date = parallax(&data, &["search", "x", "--from", "yesterday"]);
    assert_eq!(bad_date.status.code(), Some(2), "clap refuses it");
}
