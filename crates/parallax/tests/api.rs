//! The JSON API over real HTTP: every endpoint on the sample story (reports from People News and
//! one unattributed report of Sergei Shoigu meeting Wang Yi in Beijing), its errors, the redirect
//! from a merged story, and the OpenAPI document checked against what the server answers.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use parallax_core::StoryId;
use parallax_store::{SqliteStore, Store};
use serde_json::{Map, Value};
use support::{HttpResponse, Server, fixtures, parallax, samples, stdout};

const PUBLISHED: &str = "2026-02-02T08:00:00Z";

/// The two sample reports ingested into `data`, one story between them.
fn ingest_samples(data: &Path, extra: &[&Path]) {
    let [first, second] = samples();
    let mut args = vec!["ingest", first.to_str().unwrap(), second.to_str().unwrap()];
    args.extend(extra.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--published", PUBLISHED]);
    let out = parallax(data, &args);
    assert!(out.status.success(), "{}", stdout(&out));
}

/// A server over the sample story.
fn served() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ingest_samples(&data, &[]);
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    (dir, server)
}

/// GETs an API path; checks the headers every API answer carries and reads the body.
fn fetch(server: &Server, path: &str) -> (u16, Value) {
    let response = server.request("GET", path);
    (response.status, json_of(path, &response))
}

fn json_of(path: &str, response: &HttpResponse) -> Value {
    assert_eq!(response.header("content-type"), Some("application/json; charset=utf-8"), "{path}");
    assert_eq!(response.header("access-control-allow-origin"), Some("*"), "{path}");
    serde_json::from_str(&response.body).unwrap_or_else(|e| panic!("{path}: {e}: {}", response.body))
}

/// GETs an API path that must answer 200.
fn ok(server: &Server, path: &str) -> Value {
    let (status, body) = fetch(server, path);
    assert_eq!(status, 200, "{path}: {body:#}");
    body
}

fn strings<'a>(values: &'a Value, field: &str) -> Vec<&'a str> {
    values.as_array().unwrap().iter().filter_map(|v| v[field].as_str()).collect()
}

#[test]
fn stories_are_listed_ranked_with_their_reports() {
    let (_dir, server) = served();
    let listing = ok(&server, "/api/stories");
    assert_eq!((listing["page"].as_u64(), listing["next"].is_null()), (Some(1), true), "{listing:#}");
    let stories = listing["stories"].as_array().unwrap();
    assert_eq!(stories.len(), 1, "{listing:#}");
    let story = &stories[0];
    assert_eq!(story["id"], 1);
    assert_eq!(story["url"], "/story/1");
    assert!(story["title"].as_str().unwrap().contains("Shoigu"), "{story:#}");
    assert_eq!((story["report_count"].as_u64(), story["outlet_count"].as_u64()), (Some(2), Some(2)));
    assert_eq!(
        (story["first_published"].as_str(), story["last_published"].as_str()),
        (Some(PUBLISHED), Some(PUBLISHED))
    );
    let reports = story["reports"].as_array().unwrap();
    let outlets: BTreeSet<Option<&str>> = reports.iter().map(|r| r["outlet"].as_str()).collect();
    assert_eq!(outlets, [None, Some("People News")].into());
    for report in reports {
        assert_eq!(report["url"], format!("/article/{}", report["id"]));
        assert_eq!(report["published"], PUBLISHED);
    }

    let beyond = ok(&server, "/api/stories?page=2");
    assert_eq!(beyond["stories"], serde_json::json!([]));
    assert_eq!(beyond["page"], 2);
}

#[test]
fn a_story_names_its_entities_and_compares_its_reports_as_the_command_line_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ingest_samples(&data, &[]);
    let printed: Value =
        serde_json::from_str(&stdout(&parallax(&data, &["compare", "1", "--json"]))).unwrap();
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);

    let story = ok(&server, "/api/stories/1");
    assert_eq!(story["id"], 1);
    assert_eq!(story["comparison_url"], "/api/stories/1/comparison");
    assert!(story["created_at"].as_str().unwrap().ends_with('Z'), "{story:#}");
    let reports = story["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| !r["lead"].as_str().unwrap().is_empty()), "{story:#}");
    let entities = strings(&story["entities"], "id");
    for id in ["person:sergei-shoigu", "person:wang-yi", "place:beijing"] {
        assert!(entities.contains(&id), "{id} in {entities:?}");
    }
    let shoigu = story["entities"].as_array().unwrap().iter().find(|e| e["id"] == "person:sergei-shoigu");
    assert_eq!(shoigu.unwrap()["articles"], 2, "both reports name him");

    let comparison = ok(&server, "/api/stories/1/comparison");
    assert!(
        same_document(&comparison, &printed),
        "the API answers the document the command line prints:\n{comparison:#}\n{printed:#}"
    );
    assert_eq!(comparison["timeline"]["first"], PUBLISHED);
    let speakers = strings(&comparison["quotes"], "speaker");
    assert!(speakers.contains(&"Sergei Shoigu") && speakers.contains(&"Wang Yi"), "{speakers:?}");
}

/// Whether two JSON documents hold the same values, fractions compared at the single precision
/// they are computed in (the command line prints them widened to double precision).
fn same_document(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            x.as_f64().map(|x| x as f32) == y.as_f64().map(|y| y as f32)
        }
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_document(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(k, x)| ys.get(k).is_some_and(|y| same_document(x, y)))
        }
        _ => a == b,
    }
}

#[test]
fn an_article_comes_with_its_story_copies_and_on_request_its_analysis() {
    let (_dir, server) = served();
    let page = ok(&server, "/api/articles/2");
    let article = &page["article"];
    assert_eq!(article["outlet"], "People News");
    assert_eq!(article["url"], "/article/2");
    assert_eq!(article["published"], PUBLISHED);
    assert!(article["title"].as_str().unwrap().contains("Wang Yi"), "{article:#}");
    assert_eq!(article["image"]["credit"], "Kevin Frayer/Getty Images");
    let body = article["body"].as_array().unwrap();
    assert!(body.len() > 5 && body.iter().any(|b| b["kind"] == "paragraph"), "{article:#}");
    assert!(article["word_count"].as_u64().unwrap() > 500);
    assert_eq!((&page["story"], &page["story_url"]), (&Value::from(1), &Value::from("/story/1")));
    assert_eq!(page["copies"], serde_json::json!([]));
    assert!(page.get("analysis").is_none(), "analysis only when asked for");

    let analysed = ok(&server, "/api/articles/2?analysis=true");
    let analysis = &analysed["analysis"];
    let sentences = analysis["sentences"].as_array().unwrap();
    assert_eq!(sentences[0]["part"], "title");
    assert!(sentences.iter().any(|s| s["stance"] == "opinion"), "People News gives its own judgement");
    let shoigu = analysis["entities"].as_array().unwrap().iter().find(|e| e["id"] == "person:sergei-shoigu");
    let shoigu = shoigu.unwrap_or_else(|| panic!("{analysis:#}"));
    assert!(shoigu["mentions"].as_u64().unwrap() > 5, "{shoigu:#}");
    let mentioned = shoigu["sentences"][0].as_u64().unwrap() as usize;
    assert!(sentences[mentioned]["text"].as_str().unwrap().contains("Shoigu"));
    let channels = strings(&analysis["quotes"], "channel");
    assert!(channels.contains(&"TASS"), "{channels:?}");
    assert_eq!(analysed["article"], page["article"]);
}

#[test]
fn outlets_and_entities_are_listed_and_shown() {
    let (_dir, server) = served();
    let outlets = ok(&server, "/api/outlets");
    assert_eq!(strings(&outlets["outlets"], "name"), ["People News"], "the unattributed report has none");
    let people = &outlets["outlets"][0];
    assert_eq!((people["articles"].as_u64(), people["stories"].as_u64()), (Some(1), Some(1)));
    let shares: Vec<u64> =
        people["stance_percentages"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).collect();
    let total: u64 = shares.iter().sum();
    assert!((98..=102).contains(&total), "percentages of one whole: {people:#}");
    assert!(people["stances"]["opinion"].as_u64().unwrap() > 0, "{people:#}");

    let id = &people["id"];
    let outlet = ok(&server, &format!("/api/outlets/{id}"));
    assert_eq!(outlet["outlet"]["name"], "People News");
    assert_eq!(outlet["outlet"]["url"], format!("/outlet/{id}"));
    let reports = outlet["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!((&reports[0]["id"], &reports[0]["story"]), (&Value::from(2), &Value::from(1)));
    assert!(outlet["next"].is_null());

    let persons = ok(&server, "/api/entities?kind=person");
    assert_eq!(persons["kind"], "person");
    let entities = persons["entities"].as_array().unwrap();
    assert!(entities.iter().all(|e| e["kind"] == "person"), "{persons:#}");
    assert_eq!(entities[0]["id"], "person:sergei-shoigu", "the most named first");
    let places = ok(&server, "/api/entities?kind=place");
    assert!(strings(&places["entities"], "name").contains(&"Beijing"), "{places:#}");
    let all = ok(&server, "/api/entities");
    assert!(all["kind"].is_null());
    let kinds: BTreeSet<&str> = strings(&all["entities"], "kind").into_iter().collect();
    assert!(kinds.len() > 1, "{all:#}");

    let shoigu = ok(&server, "/api/entities/person:sergei-shoigu");
    assert_eq!(shoigu["entity"]["name"], "Sergei Shoigu");
    assert_eq!(
        (shoigu["entity"]["articles"].as_u64(), shoigu["entity"]["stories"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(shoigu["stories"][0]["id"], 1);
    assert!(strings(&shoigu["related"], "id").contains(&"person:wang-yi"), "{shoigu:#}");
    assert!(shoigu["related"].as_array().unwrap().len() <= 10);
}

#[test]
fn search_answers_marked_runs_and_the_stories_found() {
    let (_dir, server) = served();
    let found = ok(&server, "/api/search?q=Shoigu");
    assert_eq!((found["total"].as_u64(), found["page"].as_u64()), (Some(2), Some(1)));
    assert!(found["next"].is_null());
    let hits = found["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    for hit in hits {
        assert_eq!(hit["story"], 1);
        let runs = hit["snippet"].as_array().unwrap();
        assert!(runs.iter().any(|r| r["matched"] == true && r["text"] == "Shoigu"), "{hit:#}");
        let marked: String = hit["highlighted_title"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap())
            .collect();
        assert_eq!(marked, hit["title"].as_str().unwrap());
    }
    assert_eq!(found["stories"][0]["id"], 1);
    assert_eq!(found["stories"][0]["matched"], 2);

    let outlets = ok(&server, "/api/outlets");
    let people = &outlets["outlets"][0]["id"];
    let narrowed = ok(&server, &format!("/api/search?q=Shoigu&outlet={people}&sort=newest"));
    assert_eq!(strings(&narrowed["hits"], "outlet"), ["People News"]);
    let none = ok(&server, "/api/search?q=Shoigu&from=2026-02-03");
    assert_eq!(none["total"], 0);
    let filtered = ok(&server, "/api/search?entity=person:wang-yi");
    assert_eq!(filtered["total"], 2, "a filter alone lists what it allows");
}

#[test]
fn mistakes_are_400_and_unknown_things_404_in_json() {
    let (_dir, server) = served();
    for (path, status, says) in [
        ("/api/stories/abc", 400, "positive integer"),
        ("/api/stories/0", 400, "positive integer"),
        ("/api/stories/1/comparison/", 404, "nothing"),
        ("/api/stories/-3/comparison", 400, "positive integer"),
        ("/api/articles/x", 400, "positive integer"),
        ("/api/outlets/1.5", 400, "positive integer"),
        ("/api/stories?page=0", 400, "page"),
        ("/api/stories?page=lots", 400, "page"),
        ("/api/outlets/1?page=501", 400, "page"),
        ("/api/entities?kind=animal", 400, "kind"),
        ("/api/articles/1?analysis=maybe", 400, "analysis"),
        ("/api/search?q=a&from=yesterday", 400, "from"),
        ("/api/search?q=a&sort=best", 400, "sort"),
        ("/api/search?outlet=people", 400, "outlet"),
        ("/api/stories/99", 404, "story 99"),
        ("/api/stories/99/comparison", 404, "story 99"),
        ("/api/articles/99", 404, "article 99"),
        ("/api/outlets/99", 404, "outlet 99"),
        ("/api/entities/person:nobody", 404, "person:nobody"),
        ("/api/nowhere", 404, "nothing"),
        ("/api", 404, "openapi.json"),
    ] {
        let (got, body) = fetch(&server, path);
        assert_eq!(got, status, "{path}: {body}");
        let message = body["error"].as_str().unwrap_or_else(|| panic!("{path}: {body}"));
        assert!(message.contains(says), "{path}: {message}");
    }
    let posted = server.request("POST", "/api/stories");
    assert_eq!(posted.status, 405);
    assert!(json_of("POST /api/stories", &posted)["error"].is_string());
    // The site's own pages are untouched.
    assert_eq!(server.get("/story/1").0, 200);
    assert_eq!(server.get("/nowhere").0, 404);
}

#[test]
fn a_merged_story_answers_301_to_the_story_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ingest_samples(&data, &[&fixtures().join("html/harbour-fire.html")]);
    let store = SqliteStore::open_dir(&data).unwrap();
    let mut ids: Vec<i64> =
        store.story_heads(parallax_store::Page::ALL).unwrap().iter().map(|s| s.id.get()).collect();
    ids.sort_unstable();
    let [kept, merged] = ids[..] else { panic!("two stories expected: {ids:?}") };
    store.merge_stories(StoryId(kept), StoryId(merged), 0.5).unwrap();
    drop(store);

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    for suffix in ["", "/comparison"] {
        let path = format!("/api/stories/{merged}{suffix}");
        let response = server.request("GET", &path);
        assert_eq!(response.status, 301, "{path}");
        let location = format!("/api/stories/{kept}{suffix}");
        assert_eq!(response.header("location"), Some(location.as_str()));
        let body = json_of(&path, &response);
        assert_eq!((&body["story"], &body["location"]), (&Value::from(kept), &Value::from(location.clone())));
        assert_eq!(fetch(&server, &location).0, 200);
    }
    assert_eq!(ok(&server, &format!("/api/stories/{kept}"))["report_count"], 3);
}

/// The OpenAPI document, with what it takes to check answers against its schemas.
struct OpenApi(Value);

impl OpenApi {
    /// Follows a local `$ref`.
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => {
                let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is not local"));
                self.resolve(self.0.pointer(pointer).unwrap_or_else(|| panic!("{target} does not resolve")))
            }
            None => schema,
        }
    }

    /// The properties and required names of an object schema, its `allOf` parts' included.
    fn object_parts<'a>(
        &'a self,
        schema: &'a Value,
        properties: &mut Map<String, Value>,
        required: &mut Vec<String>,
    ) {
        let schema = self.resolve(schema);
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.object_parts(part, properties, required);
        }
        if let Some(own) = schema["properties"].as_object() {
            properties.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let names = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str);
        required.extend(names.map(str::to_owned));
    }

    /// Whether `value` is what `schema` describes; objects must have every required property and
    /// no undocumented one.
    fn check(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let schema = self.resolve(schema);
        if let Some(options) = schema["oneOf"].as_array() {
            let fits = options.iter().filter(|o| self.check(o, value, at).is_ok()).count();
            if fits != 1 {
                return Err(format!("{at}: {fits} of the oneOf alternatives fit {value}"));
            }
        }
        if let Some(constant) = schema.get("const")
            && constant != value
        {
            return Err(format!("{at}: {value} is not {constant}"));
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let typed = types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
        if !types.is_empty() && !typed {
            return Err(format!("{at}: {value} is not {types:?}"));
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time")
            && let Some(text) = value.as_str()
            && !(chrono::DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with('Z'))
        {
            return Err(format!("{at}: {text} is not an RFC 3339 time in UTC"));
        }
        if let Value::Array(items) = value
            && let Some(item) = schema.get("items")
        {
            for (i, v) in items.iter().enumerate() {
                self.check(item, v, &format!("{at}[{i}]"))?;
            }
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            if !value.is_object() {
                self.check(part, value, at)?;
            }
        }
        if let Value::Object(fields) = value {
            let (mut properties, mut required) = (Map::new(), Vec::new());
            self.object_parts(schema, &mut properties, &mut required);
            if let Some(name) = required.iter().find(|name| !fields.contains_key(*name)) {
                return Err(format!("{at}: {name} is required"));
            }
            if !properties.is_empty() {
                for (name, v) in fields {
                    let property =
                        properties.get(name).ok_or_else(|| format!("{at}.{name} is not documented"))?;
                    self.check(property, v, &format!("{at}.{name}"))?;
                }
            }
        }
        Ok(())
    }

    /// Checks an answer against what the document says `path` (as listed) answers with its status.
    fn check_answer(&self, listed: &str, asked: &str, status: u16, body: &Value) {
        let responses = &self.0["paths"][listed]["get"]["responses"];
        let response = responses
            .get(status.to_string())
            .unwrap_or_else(|| panic!("{asked} answered {status}, which {listed} does not document"));
        let schema = &self.resolve(response)["content"]["application/json"]["schema"];
        if let Err(error) = self.check(schema, body, asked) {
            panic!("{asked} ({status}) does not fit its schema: {error}");
        }
    }
}

#[test]
fn the_openapi_document_describes_what_every_path_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ingest_samples(&data, &[&fixtures().join("html/harbour-fire.html")]);
    let store = SqliteStore::open_dir(&data).unwrap();
    store.merge_stories(StoryId(1), StoryId(2), 0.5).unwrap();
    drop(store);
    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);

    let doc = OpenApi(ok(&server, "/api/openapi.json"));
    let version = doc.0["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(doc.0["servers"][0]["url"], "/api");
    let outlet = ok(&server, "/api/outlets")["outlets"][0]["id"].clone();
    let paths = doc.0["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 12, "{:?}", paths.keys());
    // What can be read: every path with a GET (posting is tested with accounts, in comments.rs).
    for listed in paths.keys().filter(|p| paths[p.as_str()].get("get").is_some()) {
        // Real ids, then the ones that must be refused or not found, and a merged story's.
        let mut asked: Vec<String> = match listed.split('/').nth(1) {
            Some("stories") => ["1", "0", "99", "2"].iter().map(|id| listed.replace("{id}", id)).collect(),
            Some("articles") => vec![
                listed.replace("{id}", "2"),
                format!("{}?analysis=true", listed.replace("{id}", "1")),
                listed.replace("{id}", "abc"),
                listed.replace("{id}", "99"),
            ],
            Some("outlets") => {
                vec![listed.replace("{id}", &outlet.to_string()), listed.replace("{id}", "99")]
            }
            Some("entities") => {
                vec![listed.replace("{id}", "person:sergei-shoigu"), listed.replace("{id}", "place:atlantis")]
            }
            Some("comments") => vec![
                format!("{listed}?target_kind=story&target_id=1"),
                format!("{listed}?target_kind=article&target_id=2&sort=newest"),
                format!("{listed}?target_kind=story&target_id=99"),
                format!("{listed}?target_kind=poll&target_id=1"),
                format!("{listed}?target_kind=story&target_id=1&sort=worst"),
            ],
            _ => vec![listed.clone()],
        };
        asked.dedup();
        let parameters: Vec<&str> = doc.0["paths"][listed]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| doc.resolve(p)["name"].as_str().unwrap())
            .collect();
        if parameters.contains(&"page") {
            asked.push(format!("{}?page=0", asked[0]));
        }
        if parameters.contains(&"kind") {
            asked.push(format!("{listed}?kind=place"));
        }
        if parameters.contains(&"q") {
            asked.push(format!("{listed}?q=Shoigu+Beijing"));
            asked.push(format!("{listed}?q=fire&sort=newest&from=2026-01-01&to=2026-12-31"));
        }
        for path in asked {
            let response = server.request("GET", &format!("/api{path}"));
            let body = json_of(&path, &response);
            doc.check_answer(listed, &path, response.status, &body);
        }
    }
}
