//! An HTML news page through `parallax ingest`: main text without the page furniture, and its
//! metadata.

mod support;

use serde_json::Value;
use support::{fixtures, parallax, stdout};

#[test]
fn an_html_page_is_extracted_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let page = fixtures().join("html/harbour-fire.html");
    let out = parallax(&data, &["ingest", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));

    let shown: Value = serde_json::from_str(&stdout(&parallax(&data, &["article", "1", "--json"]))).unwrap();
    let a = &shown["article"];
    assert_eq!(a["title"], "Fire destroys warehouse at Port Ellis harbour");
    assert_eq!(a["outlet"], "The Coastal Courier");
    assert_eq!(a["byline"], serde_json::json!(["Maya Okafor"]));
    assert_eq!(a["published"], "2026-03-14T06:30:00Z");
    assert_eq!(a["url"], "https://courier.example/news/2026/03/14/harbour-fire");
    assert_eq!(a["language"], "en");
    assert_eq!(a["image"]["caption"], "Smoke over the harbour on Friday morning.");
    assert_eq!(a["image"]["credit"], "Lee Grant/Coastal Courier");

    let body = a["body"].to_string();
    assert!(body.contains("A fire destroyed a timber warehouse") && body.contains("built in 1889"));
    assert!(body.contains("The coast road reopened at 10am."), "the article's own list is kept");
    for furniture in
        ["Share on Facebook", "Related stories", "dredging", "landmark", "All rights reserved", "Sport"]
    {
        assert!(!body.contains(furniture), "{furniture:?} leaked into the body: {body}");
    }

    let again = parallax(
        &data,
        &[
            "ingest",
            page.to_str().unwrap(),
            "--url",
            "https://courier.example/news/2026/03/14/harbour-fire#top",
        ],
    );
    assert!(
        stdout(&again).contains("0 new, 1 duplicate"),
        "the same canonical URL is a duplicate: {}",
        stdout(&again)
    );
}
