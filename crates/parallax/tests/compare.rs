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
    let published = "2026-02-02T08:00:00Z";
    let out = parallax(
        &data,
        &["ingest", first.to_str().unwrap(), second.to_str().unwrap(), "--published", published],
    );
    assert!(out.status.success(), "{}", stdout(&out));

    let json: Value = serde_json::from_str(&stdout(&parallax(&data, &["compare", "1", "--json"]))).unwrap();
    assert_eq!(json["articles"].as_array().unwrap().len(), 2);
    let statements = json["statements"].as_array().unwrap();
    // What both reports say, each sentence from both: the talks in Beijing, what they were about,
    // and the efforts to end the war in Ukraine.
    let said_by_both = |words: &[&str]| {
        statements.iter().any(|s| {
            let sentences = s["sentences"].as_array().unwrap();
            let from_both = [1, 2].iter().all(|a| sentences.iter().any(|x| x["article"] == *a));
            s["status"] != "single"
                && from_both
                && words.iter().all(|w| sentences.iter().any(|x| x["text"].as_str().unwrap().contains(w)))
        })
    };
    assert!(said_by_both(&["discussions with Chinese Foreign Minister Wang Yi", "Wang Yi met in Beijing"]));
    assert!(said_by_both(&["international and regional security", "strategic communication"]));
    assert!(said_by_both(&["conflict in Ukraine", "Russia-Ukraine war"]), "{statements:#?}");
    // What only one says.
    let only = |article: i64, words: &str| {
        statements.iter().any(|s| {
            s["articles"] == serde_json::json!([article]) && s["text"].as_str().unwrap().contains(words)
        })
    };
    assert!(only(1, "energy cooperation"));
    assert!(only(2, "flying on to Myanmar") && only(2, "had just been arrested"));
    // The two accounts of Shoigu's previous visit do not match.
    let conflicts = json["conflicts"].as_array().unwrap();
    let earlier = conflicts
        .iter()
        .find(|c| c["about"].as_str().unwrap().contains("Shoigu"))
        .unwrap_or_else(|| panic!("{conflicts:#?}"));
    let values: Vec<&str> =
        earlier["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert!(values.iter().any(|v| v.contains("Moscow") && v.contains("December 2025")), "{values:?}");
    assert!(values.iter().any(|v| v.contains("February 28, 2025")), "{values:?}");
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
    // Chinese state media's words on the Taiwan Strait and Japan beside the fuller quotation.
    let renditions = shoigu["renditions"].as_array().unwrap();
    let paired = |a: &str, b: &str| {
        shoigu["same_remarks"].as_array().is_some_and(|pairs| {
            pairs.iter().any(|p| {
                let text = |i: usize| {
                    renditions[p["renditions"][i].as_u64().unwrap() as usize]["text"].as_str().unwrap()
                };
                text(0).contains(a) && text(1).contains(b) || text(0).contains(b) && text(1).contains(a)
            })
        })
    };
    assert!(paired("hostile forces undermining stability", "ill-intentioned actors"), "{shoigu:#}");
    assert!(paired("remilitarization", "accelerating militarization"), "{shoigu:#}");
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
    assert!(
        page.contains("The accounts of Sergei Shoigu") && page.contains("The same remarks: paraphrased"),
        "{page}"
    );
    // Every line links to its sentence in the reader view, where the sentence carries that anchor.
    let link = page.split(r#"href="/article/2#s"#).nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    let (_, article) = server.get("/article/2");
    assert!(article.contains(&format!(r#"id="s{link}""#)), "#s{link}");
    let names: Vec<&str> =
        page.split(r#"<td class="names">"#).skip(1).filter_map(|c| c.split("</td>").next()).collect();
    assert!(names.iter().any(|cell| cell.contains("Zhang Youxia")), "{names:?}");
}

/// Ingests one story of `fixtures/compare/dev` and returns its comparison.
fn compared_dev_story(name: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let story = fixtures().join("compare").join("dev").join(name);
    let mut reports: Vec<String> = std::fs::read_dir(&story)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    reports.sort();
    let mut args = vec!["ingest"];
    args.extend(reports.iter().map(String::as_str));
    let out = parallax(&data, &args);
    assert!(out.status.success(), "{}", stdout(&out));
    let json: Value = serde_json::from_str(&stdout(&parallax(&data, &["compare", "1", "--json"]))).unwrap();
    assert_eq!(
        json["articles"].as_array().unwrap().len(),
        reports.len(),
        "one story of every report: {json:#}"
    );
    json
}

/// The slots in conflict and the values given for each.
fn conflict_values(json: &Value) -> Vec<(String, Vec<String>)> {
    json["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let values =
                c["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap().to_owned());
            (c["slot"].as_str().unwrap().to_owned(), values.collect())
        })
        .collect()
}

#[test]
fn conflicts_of_each_kind_in_fictional_stories() {
    let has = |json: &Value, slot: &str, values: &[&str]| {
        let found = conflict_values(json);
        assert!(
            found.iter().any(|(s, v)| s == slot && values.iter().all(|x| v.iter().any(|y| y == x))),
            "{slot} {values:?} in {found:#?}"
        );
    };
    let election = compared_dev_story("tarrin-election-count");
    has(&election, "negation (conceded)", &["conceded", "not conceded"]);
    has(&election, "date", &["Thursday", "April 28"]);
    has(&election, "participants", &["Odile Marchetti, Ines Fallow", "Odile Marchetti, Jonas Brek"]);
    let merger = compared_dev_story("kessler-orbin-merger");
    has(&merger, "price (USD)", &["$400 million", "$40 million"]);
    let ferry = compared_dev_story("marrow-bay-ferry");
    has(&ferry, "people killed", &["11", "Nine"]);
    has(&ferry, "place", &["Port Ellery", "Skerrin Harbour"]);
    let strike = compared_dev_story("solbrook-dock-strike");
    has(&strike, "percent", &["6 percent", "4 percent"]);
    has(&strike, "negation (sign)", &["signed", "not sign"]);
    let fire = compared_dev_story("calder-ridge-wildfire");
    has(&fire, "hectare", &["3,000", "12,000"]);
    let outbreak = compared_dev_story("dunmere-fever-outbreak");
    has(&outbreak, "people", &["38", "More than 60"]);
    // The same count in a statement told apart from the first.
    has(&outbreak, "people ill", &["More than 60", "Thirty-eight"]);
    // Agreeing values are no conflict: "Nine" and "nine" died, 56 people and 56 passengers aboard.
    let ferry_values = conflict_values(&ferry);
    assert!(!ferry_values.iter().any(|(_, v)| v.iter().any(|x| x == "56")), "{ferry_values:#?}");
    let toll = ferry_values.iter().find(|(slot, _)| slot == "people killed").unwrap();
    assert!(!toll.1.iter().any(|x| x == "nine"), "nine and Nine are one value: {toll:?}");
}

#[test]
fn quotes_of_one_speaker_are_paired_across_outlets_with_their_channels() {
    let election = compared_dev_story("tarrin-election-count");
    let quotes = election["quotes"].as_array().unwrap();
    let marchetti =
        quotes.iter().find(|q| q["speaker"] == "Odile Marchetti").unwrap_or_else(|| panic!("{quotes:#?}"));
    let renditions = marchetti["renditions"].as_array().unwrap();
    assert!(renditions.iter().any(|r| r["channel"] == "Radio Velm"), "{marchetti:#}");
    let exact = marchetti["same_remarks"].as_array().unwrap().iter().any(|p| p["kind"] == "exact");
    assert!(exact, "{marchetti:#}");
    let fire = compared_dev_story("calder-ridge-wildfire");
    let chief =
        fire["quotes"].as_array().unwrap().iter().find(|q| q["speaker"] == "Rosalind Achterberg").unwrap();
    let kinds: Vec<&str> =
        chief["same_remarks"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"partial") && kinds.contains(&"paraphrase"), "{chief:#}");
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
