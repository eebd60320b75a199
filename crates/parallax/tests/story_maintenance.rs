//! Stories changed by the maintenance pass: a merged story's id keeps leading readers to the story it
//! became part of, a split story and the story it left link to each other, and both are listed.

mod support;

use parallax_core::{ArticleId, StoryId};
use parallax_store::{SqliteStore, Store};
use serde_json::Value;
use support::{Server, fixtures, parallax, samples, stdout};

#[test]
fn a_merged_story_redirects_and_is_listed_with_the_older() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [first, second] = samples();
    let fire = fixtures().join("html/harbour-fire.html");
    let out = parallax(
        &data,
        &["ingest", first.to_str().unwrap(), second.to_str().unwrap(), fire.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let stories: Value = serde_json::from_str(&stdout(&parallax(&data, &["stories", "--json"]))).unwrap();
    let mut ids: Vec<i64> = stories.as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    let [older, newer] = ids[..] else { panic!("two stories expected: {stories:#}") };

    let store = SqliteStore::open_dir(&data).unwrap();
    store.merge_stories(StoryId(older), StoryId(newer), 0.42).unwrap();
    drop(store);

    let stories: Value = serde_json::from_str(&stdout(&parallax(&data, &["stories", "--json"]))).unwrap();
    let stories = stories.as_array().unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0]["articles"].as_array().unwrap().len(), 3);
    assert_eq!(stories[0]["merged_stories"][0]["story"], newer);

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(server.get(&format!("/story/{newer}")).0, 308, "the old id leads on to the story");
    let (status, page) = server.get(&format!("/story/{older}"));
    assert_eq!(status, 200);
    assert!(page.contains(&format!("Story {newer} was merged into this one")), "{page}");
}

#[test]
fn a_split_story_and_the_story_it_left_link_to_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let [first, second] = samples();
    let out = parallax(&data, &["ingest", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    let stories: Value = serde_json::from_str(&stdout(&parallax(&data, &["stories", "--json"]))).unwrap();
    let [story] = &stories.as_array().unwrap()[..] else { panic!("one story expected: {stories:#}") };
    let origin = story["id"].as_i64().unwrap();
    let moved = story["articles"][1]["id"].as_i64().unwrap();

    let store = SqliteStore::open_dir(&data).unwrap();
    let split = store.split_story(StoryId(origin), &[ArticleId(moved)], 0.12).unwrap().get();
    drop(store);

    let stories: Value = serde_json::from_str(&stdout(&parallax(&data, &["stories", "--json"]))).unwrap();
    let by_id = |id: i64| stories.as_array().unwrap().iter().find(|s| s["id"] == id).cloned().unwrap();
    assert_eq!(by_id(split)["split_from"]["story"], origin);
    assert_eq!(by_id(origin)["split_stories"][0]["story"], split);
    assert_eq!(by_id(split)["articles"][0]["id"], moved);

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let (status, page) = server.get(&format!("/story/{split}"));
    assert_eq!(status, 200);
    assert!(page.contains(&format!("split off <a href=\"/story/{origin}\">story {origin}</a>")), "{page}");
    let (_, page) = server.get(&format!("/story/{origin}"));
    assert!(page.contains(&format!("split off into <a href=\"/story/{split}\">story {split}</a>")), "{page}");
}
