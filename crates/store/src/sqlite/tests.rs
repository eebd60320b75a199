use super::*;
use crate::conformance;

conformance::conformance_tests!(store);

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(&dir.path().join("data")).unwrap();
    (dir, store)
}

#[test]
fn reopening_keeps_the_data_and_uses_wal() {
    let (dir, store) = store();
    conformance::check_cluster_members(&store);
    drop(store);
    let reopened = SqliteStore::open_dir(&dir.path().join("data")).unwrap();
    assert_eq!(reopened.counts().unwrap().articles, 4);
    let mode: String =
        reopened.writer.lock().unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_corrupt_row_is_reported_not_panicked_on() {
    let (_dir, store) = store();
    conformance::check_cluster_members(&store);
    store.writer.lock().unwrap().execute("UPDATE articles SET article_json = '{' WHERE id = 1", []).unwrap();
    let err = store.article(ArticleId(1)).unwrap_err();
    assert_eq!(err.to_string(), "stored article is unreadable");
}

#[test]
fn a_database_from_before_the_listing_indexes_gets_them_built() {
    let (dir, store) = store();
    conformance::check_search(&store);
    let ranked = store.ranked_stories(crate::Page::ALL).unwrap();
    drop(store);
    // Take the file back to schema 7, with one article no longer readable.
    let conn = Connection::open(dir.path().join("data").join(DATABASE_FILE)).unwrap();
    conn.execute_batch(
        "DROP TABLE rate_limits; DROP TABLE audit_log; DROP TABLE thread_locks; DROP TABLE story_ratings;
         DROP TABLE comment_reports; DROP TABLE comment_votes; DROP TABLE comments; DROP TABLE api_tokens;
         DROP TABLE reset_tokens; DROP TABLE sessions; DROP TABLE users;
         DROP TABLE article_search; DROP TABLE article_stances;
         DROP INDEX stories_rank; DROP INDEX articles_outlet;
         ALTER TABLE stories DROP COLUMN reports; ALTER TABLE stories DROP COLUMN outlets;
         ALTER TABLE stories DROP COLUMN latest; ALTER TABLE stories DROP COLUMN rank;
         UPDATE articles SET article_json = '{' WHERE id = 3;
         PRAGMA user_version = 7;",
    )
    .unwrap();
    drop(conn);

    let reopened =
        SqliteStore::open_dir(&dir.path().join("data")).expect("one bad row does not stop the upgrade");
    let found = reopened.search(&crate::SearchQuery::words("Shoigu")).unwrap();
    assert_eq!(found.total, 2, "the readable articles are indexed");
    assert_eq!(
        reopened.search(&crate::SearchQuery::words("Valencia")).unwrap().total,
        0,
        "the unreadable one is not"
    );
    let again = reopened.ranked_stories(crate::Page::ALL).unwrap();
    assert_eq!(
        again.iter().map(|s| s.id).collect::<Vec<_>>(),
        ranked.iter().map(|s| s.id).collect::<Vec<_>>()
    );
    let people = reopened.outlets().unwrap().into_iter().find(|o| o.name == "People News").unwrap();
    assert!(people.stances.sentences > 0, "stance counts are rebuilt");
}
