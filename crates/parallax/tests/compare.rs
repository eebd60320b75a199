//! The sample story compared, by `parallax compare` and on the story page: what both reports say,
//! what only one says, what is hedged, and each speaker's words as each report renders them.

mod support;

use serde_json::Value;
use support::{Server, fixtures, parallax, samples, stdout};

#[test]
fn the_sample_story_is_compared_in_json_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [first, second] = samples();
    let out = parallax(&data, &["ingest", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));

    let json: Value = serde_json::from_str(&stdout(&parallax(&data, &["compare", "1", "--json"]))).unwrap();
    assert_eq!(json["articles"].as_array().unwrap().len(), 2);
    let statements = json["statements"].as_array().unwrap();
    let corroborated: Vec<&Value> = statements.iter().filter(|s| s["status"] == "corroborated").collect();
    assert!(
        corroborated.iter().any(|s| s["text"].as_str().unwrap().contains("Wang Yi")
            && s["articles"].as_array().unwrap().len() == 2),
        "{corroborated:#?}"
    );
    let hedged =
        statements.iter().find(|s| s["text"].as_str().unwrap().starts_with("Analysts suggest")).unwrap();
    assert_eq!(hedged["status"], "single");
    assert_eq!(hedged["hedged"], hedged["articles"]);
    let sentence = &hedged["sentences"][0];
    assert!(sentence["index"].is_u64() && sentence["text"] == hedged["text"]);

    let quotes = json["quotes"].as_array().unwrap();
    let shoigu = quotes.iter().find(|q| q["speaker"] == "Sergei Shoigu").unwrap();
    let channels: Vec<&str> =
        shoigu["renditions"].as_array().unwrap().iter().filter_map(|r| r["channel"].as_str()).collect();
    assert!(channels.contains(&"TASS") && channels.contains(&"Chinese state media"), "{shoigu:#}");
    assert!(quotes.iter().any(|q| q["speaker"] == "Wang Yi"), "{quotes:#?}");

    let framing = json["framing"].as_array().unwrap();
    assert_eq!(framing.len(), 2);
    let people = framing.iter().find(|f| f["outlet"] == "People News").unwrap();
    assert!(people["stances"]["opinion"].as_f64().unwrap() > 0.0, "{people:#}");
    assert!(people["own_entities"].as_array().unwrap().iter().any(|e| e == "Zhang Youxia"), "{people:#}");

    let text = stdout(&parallax(&data, &["compare", "1"]));
    assert!(text.contains("How each outlet tells it:"), "{text}");
    assert!(text.contains("Said by several outlets:") && text.contains("Quotes by speaker:"), "{text}");
    assert!(text.contains("as rendered by TASS"), "{text}");
    assert!(!parallax(&data, &["compare", "99"]).status.success());

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let (status, page) = server.get("/story/1");
    assert_eq!(status, 200);
    assert!(page.contains("Who said what, as each report renders it"), "{page}");
    assert!(page.contains("as rendered by TASS") && page.contains("Sergei Shoigu"), "{page}");
    assert!(page.contains(r#"<span class="hedged">hedged</span>"#), "{page}");
    let names: Vec<&str> =
        page.split(r#"<td class="names">"#).skip(1).filter_map(|c| c.split("</td>").next()).collect();
    assert!(names.iter().any(|cell| cell.contains("Zhang Youxia")), "{names:?}");
}

#[test]
fn outlets_that_give_different_tolls_are_shown_in_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (file, outlet) in [("corvale-herald.txt", "Corvale Herald"), ("river-gazette.txt", "River Gazette")] {
        let path = fixtures().join("compare").join(file);
        let out = parallax(&data, &["ingest", path.to_str().unwrap(), "--outlet", outlet]);
        assert!(out.status.success(), "{}", stdout(&out));
    }
    let json: Value = serde_json::from_str(&stdout(&parallax(&data, &["compare", "1", "--json"]))).unwrap();
    assert_eq!(json["articles"].as_array().unwrap().len(), 2, "one story of both reports: {json:#}");
    let conflicts = json["conflicts"].as_array().unwrap();
    let toll = conflicts.iter().find(|c| c["slot"] == "people").unwrap_or_else(|| panic!("{conflicts:#?}"));
    let values: Vec<&str> =
        toll["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["Four", "Six"]);
    let statement =
        json["statements"].as_array().unwrap().iter().find(|s| s["text"] == toll["about"]).unwrap();
    assert_eq!(statement["status"], "conflict");

    let text = stdout(&parallax(&data, &["compare", "1"]));
    assert!(text.contains("Where the reports disagree:"), "{text}");
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let (_, page) = server.get("/story/1");
    assert!(page.contains("Where the reports disagree") && page.contains("<strong>Six</strong>"), "{page}");
}
