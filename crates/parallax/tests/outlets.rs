//! Following outlets from OPML: `import-opml`, `outlets` and `export-opml`.

mod support;

use serde_json::Value;
use support::{fixtures, parallax, stdout};

#[test]
fn outlets_are_imported_once_listed_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let opml = fixtures().join("feeds").join("outlets.opml");
    let opml = opml.to_str().unwrap();

    let out = parallax(&data, &["import-opml", opml, "--poll-minutes", "15"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("2 followed, 0 already followed"), "{}", stdout(&out));
    let again = parallax(&data, &["import-opml", opml]);
    assert!(stdout(&again).contains("0 followed, 2 already followed"), "{}", stdout(&again));

    let json: Value = serde_json::from_str(&stdout(&parallax(&data, &["outlets", "--json"]))).unwrap();
    let listed: Vec<(&str, &str, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["outlet"].as_str().unwrap(), f["feed"].as_str().unwrap(), f["poll_minutes"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Corvale Herald", "http://127.0.0.1:9/herald/rss.xml", 15),
            ("River Gazette", "http://127.0.0.1:9/gazette/atom.xml", 15)
        ]
    );

    let exported = stdout(&parallax(&data, &["export-opml"]));
    assert!(exported.starts_with("<?xml") && exported.contains("<opml version=\"2.0\">"), "{exported}");
    assert!(
        exported
            .contains(r#"xmlUrl="http://127.0.0.1:9/herald/rss.xml" htmlUrl="http://127.0.0.1:9/herald/""#)
    );

    // What is not OPML is refused with the reason, and nothing is followed.
    let bad = dir.path().join("bad.opml");
    std::fs::write(&bad, "<rss version=\"2.0\"></rss>").unwrap();
    let refused = parallax(&data, &["import-opml", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a readable OPML file"));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&parallax(&data, &["outlets", "--json"])))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
