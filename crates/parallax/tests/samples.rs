//! The first story end to end: the two sample reports are ingested from files, form one story, keep
//! their extracted details, and are served as front, story and article pages.

mod support;

use serde_json::Value;
use support::{Server, parallax, samples, stdout};

const PUBLISHED: &str = "2026-02-02T08:00:00Z";

fn ingest_samples(data: &std::path::Path) -> std::process::Output {
    let [a, b] = samples();
    parallax(data, &["ingest", a.to_str().unwrap(), b.to_str().unwrap(), "--published", PUBLISHED])
}

#[test]
fn samples_form_one_story_and_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let first = ingest_samples(&data);
    assert!(first.status.success(), "{first:?}");
    let out = stdout(&first);
    assert_eq!(out.matches("\nnew ").count() + usize::from(out.starts_with("new ")), 2, "{out}");
    assert!(out.contains("2 new, 0 duplicate, 0 copies, 0 rejected"), "{out}");

    let second = ingest_samples(&data);
    assert!(second.status.success());
    assert!(stdout(&second).contains("0 new, 2 duplicate, 0 copies, 0 rejected"), "{}", stdout(&second));

    let stories: Value = serde_json::from_str(&stdout(&parallax(&data, &["stories", "--json"]))).unwrap();
    let stories = stories.as_array().unwrap();
    assert_eq!(stories.len(), 1, "both reports form one story: {stories:#?}");
    let articles = stories[0]["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 2);
    let outlets: Vec<&Value> = articles.iter().map(|a| &a["outlet"]).collect();
    assert!(outlets.contains(&&Value::Null), "the wire report stays unattributed");
    assert!(outlets.contains(&&Value::from("People News")));
    let reasons: Vec<&str> = articles.iter().filter_map(|a| a["grouped_because"].as_str()).collect();
    assert_eq!(reasons.len(), 2, "every report says why it is in the story: {articles:#?}");
    assert!(
        reasons.iter().any(|r| r.contains("same-event probability") && r.to_lowercase().contains("shoigu")),
        "the second report names its evidence: {reasons:?}"
    );

    let analysis_id = articles.iter().find(|a| a["outlet"] == "People News").unwrap()["id"].to_string();
    let shown: Value =
        serde_json::from_str(&stdout(&parallax(&data, &["article", &analysis_id, "--json"]))).unwrap();
    let article = &shown["article"];
    let entities = shown["analysis"]["entities"].as_array().expect("the analysis is included");
    assert!(entities.iter().any(|e| e["id"] == "person:sergei-shoigu" && e["name"] == "Sergei Shoigu"));
    let quotes = shown["analysis"]["quotes"].as_array().unwrap();
    assert!(quotes.iter().any(|q| q["speaker"]["name"] == "Wang Yi"), "{quotes:?}");
    assert_eq!(article["image"]["caption"], "Chinese Foreign Minister Wang Yi.");
    assert_eq!(article["image"]["credit"], "Kevin Frayer/Getty Images");
    assert_eq!(article["published"], PUBLISHED);
    let lists: Vec<&Value> =
        article["body"].as_array().unwrap().iter().filter(|b| b["kind"] == "list").collect();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0]["items"].as_array().unwrap().len(), 5);
    let body = article["body"].to_string();
    assert!(
        body.starts_with(
            r#"[{"kind":"paragraph","text":"According to China’s Foreign Ministry, on February 1,"#
        ),
        "{body}"
    );
    for junk in ["News magazine", "bootstrap", "Thank you Carlos", "Yes Sure"] {
        assert!(!body.contains(junk), "junk {junk:?} left in the body");
    }
    assert!(shown["analysis"]["sentences"].as_array().unwrap().len() > 20);

    let wire_id = articles.iter().find(|a| a["outlet"].is_null()).unwrap()["id"].to_string();
    let wire: Value =
        serde_json::from_str(&stdout(&parallax(&data, &["article", &wire_id, "--json"]))).unwrap();
    assert_eq!(wire["article"]["dateline"], "Beijing");

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let story_id = stories[0]["id"].to_string();
    let (status, front) = server.get("/");
    assert_eq!(status, 200);
    assert!(front.contains(&format!("/story/{story_id}")), "{front}");
    assert!(front.contains("People News") && front.contains("Unattributed"));

    let (status, story) = server.get(&format!("/story/{story_id}"));
    assert_eq!(status, 200);
    assert!(
        story.contains(&format!("/article/{analysis_id}")) && story.contains(&format!("/article/{wire_id}"))
    );
    assert!(story.contains("What more than one outlet reports"), "the comparison is shown");
    assert!(story.contains("Grouped with <a href=\"/article/"), "the page says why the reports are together");
    assert!(story.contains("flying on to Myanmar"), "a claim only People News makes is listed");

    let (status, page) = server.get(&format!("/article/{analysis_id}"));
    assert_eq!(status, 200);
    assert!(page.contains("Chinese Foreign Minister Wang Yi.") && page.contains("Kevin Frayer/Getty Images"));
    let body = page.split(r#"<div class="body">"#).nth(1).and_then(|b| b.split("</div>").next()).unwrap();
    assert_eq!(body.matches("<li>").count(), 5, "the five list items");
    assert!(!page.contains("Yes Sure"));
    // The reader view marks quotations with their speakers and hedged sentences with their cues.
    assert!(
        body.contains(r#"<mark class="quote" title="Sergei Shoigu · via TASS">On the instructions"#),
        "{body}"
    );
    assert!(body.contains(r#"class="s s-speculation" id="s30" title="Speculation: likely""#), "{body}");
    assert!(body.contains(r#"class="s s-opinion""#) && body.contains(r#"class="s s-question""#));
    assert!(page.contains("<strong>Nicolás Maduro</strong>"), "the findings list canonical names");
    assert!(page.contains("<dt>February 28, 2025</dt><dd>28 Feb 2025</dd>"));

    let (status, wire_page) = server.get(&format!("/article/{wire_id}"));
    assert_eq!(status, 200);
    assert!(wire_page.contains(r#"<span class="dateline">Beijing — </span>"#));

    assert_eq!(server.get("/story/999999").0, 404);
    assert_eq!(server.get("/article/not-a-number").0, 404);
    let (status, missing) = server.get("/no/such/page");
    assert_eq!(status, 404);
    assert!(missing.contains("Page not found"), "the 404 is the styled page");
    let (status, css) = server.get("/static/style.css");
    assert_eq!(status, 200);
    assert!(css.contains("prefers-color-scheme: dark"));
}
