//! Behaviour every [`Store`] implementation must show, written once against the trait and run by
//! each implementation's tests.

use chrono::{TimeZone, Utc};
use parallax_cluster::Assignment;
use parallax_core::{Article, ArticleId, Block, CommentId, StoryId};
use parallax_nlp::analyze;

use parallax_nlp::EntityKind;

use crate::{
    AuthorChange, CommentState, Inserted, Moderation, NewArticle, NewComment, Page, Posted, Ratings, Role,
    SearchOrder, SearchQuery, Splits, Store, StoreError, Target, User,
};

/// One `#[test]` per check above, each on a fresh store that `$open()` returns (with whatever must
/// live as long as it, a temporary directory or a scratch database, first).
macro_rules! conformance_tests {
    ($open:path) => {
        #[test]
        fn assignment_freshness() {
            let (_guard, store) = $open();
            $crate::conformance::check_assignment_freshness(&store);
        }

        #[test]
        fn poll_taking() {
            let (_guard, store) = $open();
            $crate::conformance::check_poll_taking(&store);
        }

        #[test]
        fn insert_and_read() {
            let (_guard, store) = $open();
            $crate::conformance::check_insert_and_read(&store);
        }

        #[test]
        fn duplicates() {
            let (_guard, store) = $open();
            $crate::conformance::check_duplicates(&store);
        }

        #[test]
        fn missing() {
            let (_guard, store) = $open();
            $crate::conformance::check_missing(&store);
        }

        #[test]
        fn cluster_members() {
            let (_guard, store) = $open();
            $crate::conformance::check_cluster_members(&store);
        }

        #[test]
        fn analysis_refresh() {
            let (_guard, store) = $open();
            $crate::conformance::check_analysis_refresh(&store);
        }

        #[test]
        fn story_merges() {
            let (_guard, store) = $open();
            $crate::conformance::check_story_merges(&store);
        }

        #[test]
        fn story_splits() {
            let (_guard, store) = $open();
            $crate::conformance::check_story_splits(&store);
        }

        #[test]
        fn feeds() {
            let (_guard, store) = $open();
            $crate::conformance::check_feeds(&store);
        }

        #[test]
        fn queue() {
            let (_guard, store) = $open();
            $crate::conformance::check_queue(&store);
        }

        #[test]
        fn copies() {
            let (_guard, store) = $open();
            $crate::conformance::check_copies(&store);
        }

        #[test]
        fn search() {
            let (_guard, store) = $open();
            $crate::conformance::check_search(&store);
        }

        #[test]
        fn entities_outlets_and_rank() {
            let (_guard, store) = $open();
            $crate::conformance::check_entities_outlets_and_rank(&store);
        }

        #[test]
        fn accounts() {
            let (_guard, store) = $open();
            $crate::conformance::check_accounts(&store);
        }

        #[test]
        fn comments() {
            let (_guard, store) = $open();
            $crate::conformance::check_comments(&store);
        }

        #[test]
        fn rate_limits() {
            let (_guard, store) = $open();
            $crate::conformance::check_rate_limits(&store);
        }
    };
}
pub(crate) use conformance_tests;

fn article(title: &str, outlet: Option<&str>, url: Option<&str>) -> Article {
    let mut a = Article::new(title);
    a.outlet = outlet.map(str::to_owned);
    a.url = url.map(str::to_owned);
    a.published = Some(Utc.with_ymd_and_hms(2026, 2, 2, 8, 0, 0).unwrap().fixed_offset());
    a.body = vec![Block::Paragraph { text: format!("{title} happened today in the capital.") }];
    a
}

fn assignment(story: Option<StoryId>) -> Assignment {
    Assignment { story, probability: 0.5, threshold: 0.3, ..Assignment::default() }
}

fn insert(store: &dyn Store, a: &Article, hash: &str, story: Option<StoryId>) -> Inserted {
    insert_decided(store, a, hash, story, None)
}

fn insert_decided(
    store: &dyn Store,
    a: &Article,
    hash: &str,
    story: Option<StoryId>,
    decided_after: Option<ArticleId>,
) -> Inserted {
    let analysis = analyze(a);
    let assignment = assignment(story);
    store
        .insert_article(&NewArticle {
            article: a,
            content_hash: hash,
            analysis: &analysis,
            assignment: &assignment,
            signature: Some(hash.as_bytes()),
            decided_after,
        })
        .unwrap()
}

/// An assignment decided before the newest stored article is refused (another process stored it
/// meanwhile), one decided knowing it goes through, and one naming a story merged away since lands
/// in the story it was merged into; clusterers catch up with what was stored after what they know.
pub(crate) fn check_assignment_freshness(store: &dyn Store) {
    let Inserted::New { id: first, story: dam, .. } =
        insert_decided(store, &article("Dam opens on the river", None, None), "f1", None, None)
    else {
        panic!("first insert")
    };
    let late = article("Dam opening draws crowds", None, None);
    assert_eq!(
        insert_decided(store, &late, "f2", None, Some(ArticleId(0))),
        Inserted::Stale { newest: first },
        "decided before the first article was stored"
    );
    assert_eq!(store.counts().unwrap().articles, 1, "a stale decision writes nothing");
    let Inserted::New { id: second, story, opened_story: false } =
        insert_decided(store, &late, "f2", Some(dam), Some(first))
    else {
        panic!("a decision knowing the newest article goes through")
    };
    assert_eq!(story, dam);

    let Inserted::New { story: bridge, .. } =
        insert(store, &article("Bridge closes for repairs", None, None), "f3", None)
    else {
        panic!("third insert")
    };
    store.merge_stories(bridge, dam, 0.9).unwrap();
    let Inserted::New { story, opened_story: false, .. } =
        insert(store, &article("Dam and bridge reopen", None, None), "f4", Some(dam))
    else {
        panic!("an assignment to a merged story")
    };
    assert_eq!(story, bridge, "goes to the story it was merged into");
    // Another process's maintenance deciding the same merge, or its reverse, later changes nothing.
    store.merge_stories(bridge, dam, 0.9).unwrap();
    store.merge_stories(dam, bridge, 0.9).unwrap();
    assert_eq!(store.story(bridge).unwrap().unwrap().articles.len(), 4);
    assert_eq!(store.story_alias(dam).unwrap(), Some(bridge));

    let caught_up: Vec<ArticleId> =
        store.cluster_members_after(first).unwrap().into_iter().map(|m| m.article).collect();
    assert_eq!(caught_up.len(), 3);
    assert_eq!(caught_up[0], second);
    assert!(caught_up.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert!(store.cluster_members_after(caught_up[2]).unwrap().is_empty());
}

/// Articles round-trip, open and join stories, and list newest story first.
pub(crate) fn check_insert_and_read(store: &dyn Store) {
    let first = article("Talks in Beijing", Some("People News"), None);
    let Inserted::New { id: a1, story: s1, opened_story: true } = insert(store, &first, "h1", None) else {
        panic!("first insert must open a story")
    };
    let second = article("Beijing talks end", None, Some("https://example.org/a"));
    let Inserted::New { story: joined, opened_story: false, .. } = insert(store, &second, "h2", Some(s1))
    else {
        panic!("second insert must join the story")
    };
    assert_eq!(joined, s1);
    let other = article("Floods in Valencia", Some("people news"), None);
    let Inserted::New { story: s2, .. } = insert(store, &other, "h3", None) else { panic!("third insert") };

    let stored = store.article(a1).unwrap().unwrap();
    assert_eq!(stored.article, first);
    assert_eq!(stored.story, Some(s1));
    assert_eq!(store.analysis(a1).unwrap().unwrap().body_sentences().count(), 1);
    assert_eq!(store.assignment(a1).unwrap().unwrap().threshold, 0.3);

    let stories = store.stories(Page::ALL).unwrap();
    assert_eq!(stories.iter().map(|s| s.id).collect::<Vec<_>>(), [s2, s1]);
    let story = store.story(s1).unwrap().unwrap();
    assert_eq!(story.articles.len(), 2);
    assert_eq!(story.title, "Talks in Beijing");
    assert_eq!(story.outlet_count(), 2);
    let analyses = store.story_analyses(s1).unwrap();
    assert_eq!(
        analyses.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        story.articles.iter().map(|a| a.id).collect::<Vec<_>>()
    );
    let counts = store.counts().unwrap();
    assert_eq!((counts.articles, counts.stories, counts.outlets), (3, 2, 1), "outlet names ignore case");
    assert_eq!(store.stories(Page { offset: 1, limit: 1 }).unwrap()[0].id, s1);
}

/// The same URL or the same content is a duplicate, and nothing is written for it.
pub(crate) fn check_duplicates(store: &dyn Store) {
    let a = article("Same report", None, Some("https://example.org/same"));
    let Inserted::New { id, .. } = insert(store, &a, "hash-a", None) else { panic!("first insert") };
    assert_eq!(insert(store, &a, "hash-other", None), Inserted::Duplicate { id }, "same URL");
    let b = article("Same report", None, None);
    assert_eq!(insert(store, &b, "hash-a", None), Inserted::Duplicate { id }, "same content");
    assert_eq!(store.find_duplicate(None, "hash-a").unwrap(), Some(id));
    assert_eq!(store.find_duplicate(None, "unknown").unwrap(), None);
    let counts = store.counts().unwrap();
    assert_eq!((counts.articles, counts.stories), (1, 1));
}

/// Missing ids read as `None`, and joining a story that does not exist opens a new one.
pub(crate) fn check_missing(store: &dyn Store) {
    assert!(store.article(parallax_core::ArticleId(999)).unwrap().is_none());
    assert!(store.story(StoryId(999)).unwrap().is_none());
    let a = article("Orphan", None, None);
    let Inserted::New { story, opened_story, .. } = insert(store, &a, "orphan", Some(StoryId(999))) else {
        panic!("insert")
    };
    assert!(opened_story);
    assert_ne!(story, StoryId(999));
}

/// Clustering state comes back in insertion order with each article's evidence, within the span
/// and the limit asked for.
pub(crate) fn check_cluster_members(store: &dyn Store) {
    let all = (chrono::Duration::days(10_000), usize::MAX);
    let before = store.cluster_members(all.0, all.1).unwrap().len();
    insert(store, &article("Quake in Lima", None, None), "q1", None);
    insert(store, &article("Storm in Oslo", None, None), "q2", None);
    let members = store.cluster_members(all.0, all.1).unwrap();
    assert_eq!(members.len(), before + 2);
    let members = &members[before..];
    assert!(members[0].evidence.terms.weight("n:lima") > 0.0);
    assert!(members[0].evidence.lead_names.contains(&"lima".to_owned()));
    assert!(members[0].evidence.published.is_some());
    assert!(members[0].article < members[1].article);

    let mut old = article("Flood in Porto", None, None);
    old.published = Some(Utc.with_ymd_and_hms(2025, 12, 1, 8, 0, 0).unwrap().fixed_offset());
    insert(store, &old, "q3", None);
    let mut undated = article("Fire in Turku", None, None);
    undated.published = None;
    insert(store, &undated, "q4", None);
    let recent = store.cluster_members(chrono::Duration::days(14), usize::MAX).unwrap();
    let titles: Vec<f32> = recent.iter().map(|m| m.evidence.terms.weight("n:porto")).collect();
    assert!(titles.iter().all(|&w| w == 0.0), "an article older than the span is left out");
    assert!(recent.last().is_some_and(|m| m.evidence.terms.weight("n:turku") > 0.0), "undated ones stay");
    let latest = store.cluster_members(all.0, 2).unwrap();
    assert_eq!(latest.len(), 2);
    assert!(
        latest[1].evidence.terms.weight("n:turku") > 0.0 && latest[0].evidence.terms.weight("n:porto") > 0.0
    );
}

/// Outdated analyses are found and replaced, and the entities they name are recorded.
pub(crate) fn check_analysis_refresh(store: &dyn Store) {
    let mut a = article("Talks in Beijing", None, None);
    a.body = vec![Block::Paragraph { text: "Sergei Shoigu met Wang Yi in Beijing on Sunday.".into() }];
    let Inserted::New { id, .. } = insert(store, &a, "h-refresh", None) else { panic!("insert") };
    assert!(store.outdated_analyses(parallax_nlp::ANALYSIS_VERSION).unwrap().is_empty());
    assert_eq!(store.outdated_analyses(parallax_nlp::ANALYSIS_VERSION + 1).unwrap(), [id]);
    let people = store.entity_names(parallax_nlp::EntityKind::Person).unwrap();
    assert_eq!(people, ["Sergei Shoigu", "Wang Yi"]);

    let mut changed = analyze(&a);
    changed.entities.retain(|e| e.name != "Wang Yi");
    changed.version = parallax_nlp::ANALYSIS_VERSION + 1;
    store.replace_analysis(id, &changed).unwrap();
    assert!(store.outdated_analyses(parallax_nlp::ANALYSIS_VERSION + 1).unwrap().is_empty());
    assert_eq!(store.analysis(id).unwrap().unwrap(), changed);
    assert_eq!(store.entity_names(parallax_nlp::EntityKind::Person).unwrap(), ["Sergei Shoigu"]);
}

/// Merging moves the articles, keeps the older id and leaves the other as an alias, also for
/// stories merged into it before.
pub(crate) fn check_story_merges(store: &dyn Store) {
    let Inserted::New { story: first, .. } = insert(store, &article("Quake in Lima", None, None), "m1", None)
    else {
        panic!("insert")
    };
    let Inserted::New { story: second, .. } =
        insert(store, &article("Lima quake toll rises", None, None), "m2", None)
    else {
        panic!("insert")
    };
    let Inserted::New { story: third, .. } =
        insert(store, &article("Lima rebuilds after quake", None, None), "m3", None)
    else {
        panic!("insert")
    };
    store.merge_stories(second, third, 0.4).unwrap();
    store.merge_stories(first, second, 0.6).unwrap();
    let merged = store.story(first).unwrap().unwrap();
    assert_eq!(merged.articles.len(), 3);
    assert!(store.story(second).unwrap().is_none());
    assert_eq!(store.story_alias(second).unwrap(), Some(first));
    assert_eq!(store.story_alias(third).unwrap(), Some(first));
    assert_eq!(store.story_alias(first).unwrap(), None);
    assert_eq!(store.merged_into(first).unwrap(), [(second, 0.6), (third, 0.4)]);
    assert_eq!(store.counts().unwrap().stories, 1);
    let members = store.cluster_members(chrono::Duration::days(14), usize::MAX).unwrap();
    assert!(members.iter().all(|m| m.story == first));
    let assignments = store.story_assignments(first).unwrap();
    assert_eq!(assignments.len(), 3);
    assert!(members.iter().all(|m| assignments[&m.article] == store.assignment(m.article).unwrap().unwrap()));
}

/// A split moves the named articles of a story to a new one and is recorded on both sides; a merge
/// of the split story's origin keeps the record pointing at the story that remains.
pub(crate) fn check_story_splits(store: &dyn Store) {
    let story = |title: &str, key: &str, joined: Option<StoryId>| match insert(
        store,
        &article(title, None, None),
        key,
        joined,
    ) {
        Inserted::New { story, id, .. } => (story, id),
        other => panic!("insert: {other:?}"),
    };
    let (talks, _) = story("Shoigu meets Wang Yi", "s1", None);
    let (_, flood) = story("Valencia floods", "s2", Some(talks));
    let (_, flood_again) = story("Valencia under water", "s3", Some(talks));
    let (elsewhere, stranger) = story("Lima quake", "s4", None);

    let split = store.split_story(talks, &[flood, flood_again, stranger], 0.05).unwrap();
    let moved = store.story(split).unwrap().unwrap();
    assert_eq!(moved.title, "Valencia floods");
    assert_eq!(moved.articles.iter().map(|a| a.id).collect::<Vec<_>>(), [flood, flood_again]);
    assert_eq!(store.story(talks).unwrap().unwrap().articles.len(), 1);
    assert_eq!(store.story(elsewhere).unwrap().unwrap().articles.len(), 1, "only the story's articles move");
    assert_eq!(store.splits(split).unwrap(), Splits { from: Some((talks, 0.05)), into: vec![] });
    assert_eq!(store.splits(talks).unwrap(), Splits { from: None, into: vec![(split, 0.05)] });
    assert!(matches!(store.split_story(talks, &[stranger], 0.0), Err(StoreError::NothingToSplit { .. })));

    store.merge_stories(elsewhere, talks, 0.5).unwrap();
    assert_eq!(store.splits(split).unwrap().from, Some((elsewhere, 0.05)));
}

/// Feeds are followed once, under outlets shared with articles, and listed by outlet.
/// A due poll is taken by one process: the first to mark the feed polled since it read the feed.
pub(crate) fn check_poll_taking(store: &dyn Store) {
    use crate::{FeedAdded, NewFeed};
    let feed = NewFeed {
        outlet: "Corvale Herald",
        url: "https://herald.example/rss",
        site_url: None,
        poll_seconds: 900,
        fetch_pages: true,
    };
    let FeedAdded::New(id) = store.add_feed(&feed).unwrap() else { panic!("a new feed") };
    let read = store.feeds().unwrap().remove(0);
    assert_eq!(read.last_polled, None);
    assert!(store.take_poll(id, read.last_polled).unwrap(), "the first process takes the poll");
    assert!(!store.take_poll(id, read.last_polled).unwrap(), "a second one, having read the same, does not");
    let again = store.feeds().unwrap().remove(0);
    assert!(again.last_polled.is_some());
    assert!(store.take_poll(id, again.last_polled).unwrap(), "the next due poll is taken afresh");
}

pub(crate) fn check_feeds(store: &dyn Store) {
    use crate::{FeedAdded, NewFeed};
    let herald = NewFeed {
        outlet: "Corvale Herald",
        url: "https://herald.example/rss",
        site_url: Some("https://herald.example/"),
        poll_seconds: 900,
        fetch_pages: true,
    };
    let FeedAdded::New(id) = store.add_feed(&herald).unwrap() else { panic!("a new feed") };
    assert_eq!(store.add_feed(&herald).unwrap(), FeedAdded::Known(id), "the same URL is one feed");
    let atom =
        NewFeed { url: "https://herald.example/atom", site_url: None, fetch_pages: false, ..herald.clone() };
    assert!(matches!(store.add_feed(&atom).unwrap(), FeedAdded::New(_)));
    let wire = NewFeed { outlet: "Aldmark Wire", url: "https://wire.example/feed", ..herald.clone() };
    store.add_feed(&wire).unwrap();
    let feeds = store.feeds().unwrap();
    let listed: Vec<(&str, &str, bool)> =
        feeds.iter().map(|f| (f.outlet.as_str(), f.url.as_str(), f.fetch_pages)).collect();
    assert_eq!(
        listed,
        [
            ("Aldmark Wire", "https://wire.example/feed", true),
            ("Corvale Herald", "https://herald.example/atom", false),
            ("Corvale Herald", "https://herald.example/rss", true),
        ]
    );
    assert_eq!(feeds[2].site_url.as_deref(), Some("https://herald.example/"));
    assert_eq!(
        (feeds[2].poll_seconds, feeds[2].last_polled, feeds[2].last_error.as_deref()),
        (900, None, None)
    );
    // A poll leaves its validators and error, and the time.
    let poll = crate::PollRecord {
        etag: Some("\"v1\"".into()),
        last_modified: None,
        error: Some("timed out".into()),
        retry_at: None,
    };
    assert_eq!(store.record_poll(feeds[2].id, &poll, &[]).unwrap(), 0);
    let polled = store.feeds().unwrap().into_iter().find(|f| f.id == feeds[2].id).unwrap();
    assert_eq!((polled.etag.as_deref(), polled.last_error.as_deref()), (Some("\"v1\""), Some("timed out")));
    assert!(polled.last_polled.is_some());
    assert_eq!(polled.failures, 1);
    store.record_poll(feeds[2].id, &poll, &[]).unwrap();
    let asked = Utc.with_ymd_and_hms(2026, 2, 2, 9, 0, 0).unwrap();
    let good = crate::PollRecord { retry_at: Some(asked), ..crate::PollRecord::default() };
    store.record_poll(feeds[2].id, &good, &[]).unwrap();
    let recovered = store.feeds().unwrap().into_iter().find(|f| f.id == feeds[2].id).unwrap();
    assert_eq!((recovered.failures, recovered.last_error), (0, None), "a good poll ends the run of failures");
    assert_eq!(recovered.retry_at, Some(asked));
    // Settings change one at a time; moving a feed to another outlet creates it.
    let settings = crate::FeedSettings { poll_seconds: Some(3600), ..Default::default() };
    assert!(store.update_feed(recovered.id, &settings).unwrap());
    let moved = crate::FeedSettings {
        outlet: Some("Herald Weekly".into()),
        fetch_pages: Some(false),
        ..Default::default()
    };
    assert!(store.update_feed(recovered.id, &moved).unwrap());
    let updated = store.feeds().unwrap().into_iter().find(|f| f.id == recovered.id).unwrap();
    assert_eq!(
        (updated.outlet.as_str(), updated.poll_seconds, updated.fetch_pages, updated.etag.as_deref()),
        ("Herald Weekly", 3600, false, None)
    );
    assert!(!store.update_feed(-1, &settings).unwrap(), "no such feed");
    // An article of the outlet joins the same outlet.
    insert(store, &article("Footbridge gives way", Some("Corvale Herald"), None), "feeds-h1", None);
    assert_eq!(store.counts().unwrap().outlets, 3);
}

/// Jobs are queued once per key with the poll that found them, handed out one at a time under a
/// lease, handed out again when the lease runs out, retried when asked and kept when they fail.
pub(crate) fn check_queue(store: &dyn Store) {
    use crate::{FeedAdded, JobEnd, NewFeed, NewJob, QueueCounts};
    use std::time::Duration;
    let feed = NewFeed {
        outlet: "Corvale Herald",
        url: "https://herald.example/rss",
        site_url: None,
        poll_seconds: 900,
        fetch_pages: true,
    };
    let FeedAdded::New(feed) = store.add_feed(&feed).unwrap() else { panic!("a new feed") };
    let jobs = [
        NewJob { key: "https://herald.example/a", payload: "{\"n\":1}" },
        NewJob { key: "https://herald.example/b", payload: "{\"n\":2}" },
        NewJob { key: "https://herald.example/a", payload: "{\"n\":3}" },
    ];
    assert_eq!(
        store.record_poll(feed, &crate::PollRecord::default(), &jobs).unwrap(),
        2,
        "a key is queued once"
    );
    assert_eq!(store.record_poll(feed, &crate::PollRecord::default(), &jobs[..1]).unwrap(), 0);
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { queued: 2, ..QueueCounts::default() });

    let lease = Duration::from_secs(600);
    let first = store.claim_job(lease).unwrap().expect("a due job");
    assert_eq!(
        (first.feed, first.key.as_str(), first.payload.as_str(), first.attempts),
        (Some(feed), "https://herald.example/a", "{\"n\":1}", 1)
    );
    let second = store.claim_job(lease).unwrap().expect("another due job");
    assert_eq!(second.key, "https://herald.example/b");
    assert_eq!(store.claim_job(lease).unwrap(), None, "leased jobs are not handed out twice");
    assert_eq!(store.queue_counts().unwrap().running, 2);

    // A retry waits until its time; a failure is kept with its reason.
    let later = Utc::now() + chrono::Duration::hours(1);
    assert!(
        store.end_job(&first, &JobEnd::Retry { error: "503 from the server".into(), at: later }).unwrap()
    );
    assert_eq!(store.claim_job(lease).unwrap(), None, "not due before its retry time");
    assert!(store.end_job(&second, &JobEnd::Failed("the page is gone (404)".into())).unwrap());
    assert!(!store.end_job(&second, &JobEnd::Done("late".into())).unwrap(), "ended already");
    let failures = store.job_failures(10).unwrap();
    assert_eq!(
        failures.iter().map(|f| (f.key.as_str(), f.error.as_str(), f.will_retry)).collect::<Vec<_>>(),
        [
            ("https://herald.example/b", "the page is gone (404)", false),
            ("https://herald.example/a", "503 from the server", true)
        ]
    );
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { queued: 1, failed: 1, ..QueueCounts::default() });

    // A worker that dies leaves its job leased; once the lease runs out it is handed out again.
    store.record_poll(feed, &crate::PollRecord::default(), &[NewJob { key: "c", payload: "{}" }]).unwrap();
    let orphan = store.claim_job(Duration::ZERO).unwrap().expect("the new job");
    assert_eq!(orphan.key, "c");
    let again = store.claim_job(lease).unwrap().expect("the orphaned job again");
    assert_eq!((again.id, again.attempts), (orphan.id, 2));
    assert!(
        !store.end_job(&orphan, &JobEnd::Failed("the first worker, late".into())).unwrap(),
        "a job taken over is no longer the first worker's to end"
    );
    assert!(store.end_job(&again, &JobEnd::Done("stored as article 1".into())).unwrap());
    assert_eq!(store.queue_counts().unwrap().done, 1);
    assert_eq!(store.prune_jobs(Utc::now() - chrono::Duration::hours(1)).unwrap(), 0, "done just now");

    // A job whose workers die on it every time is given up, not handed out for ever.
    store
        .record_poll(feed, &crate::PollRecord::default(), &[NewJob { key: "poison", payload: "{}" }])
        .unwrap();
    let mut claims = 0;
    while let Some(job) = store.claim_job(Duration::ZERO).unwrap() {
        assert_eq!(job.key, "poison");
        claims += 1;
        assert!(claims <= crate::MAX_CLAIMS, "handed out for ever");
    }
    assert_eq!(claims, crate::MAX_CLAIMS);
    let given_up = store.job_failures(1).unwrap();
    assert_eq!((given_up[0].key.as_str(), given_up[0].will_retry), ("poison", false));
    assert!(given_up[0].error.contains("never ended"), "{}", given_up[0].error);
    assert_eq!(store.prune_jobs(Utc::now() + chrono::Duration::hours(1)).unwrap(), 1);
    assert_eq!(store.queue_counts().unwrap().done, 0);
    assert_eq!(store.queue_counts().unwrap().failed, 2);
}

/// A copy is kept as a link to its original, known by its URL and text from then on, and refused
/// when it is already known.
pub(crate) fn check_copies(store: &dyn Store) {
    use crate::NewCopy;
    let original = article("Dam holds after storm", Some("Aldmark Wire"), Some("https://wire.example/dam"));
    let Inserted::New { id, .. } = insert(store, &original, "wire-dam", None) else { panic!("the original") };
    let ran = article("Dam holds after storm", Some("Corvale Herald"), Some("https://herald.example/dam"));
    let copy = NewCopy { original: id, article: &ran, content_hash: "herald-dam", similarity: 0.93 };
    assert_eq!(store.insert_copy(&copy).unwrap(), None);
    assert_eq!(store.insert_copy(&copy).unwrap(), Some(id), "kept once");
    let copies = store.copies(id).unwrap();
    assert_eq!(
        copies.iter().map(|c| (c.outlet.as_deref(), c.url.as_deref(), c.similarity)).collect::<Vec<_>>(),
        [(Some("Corvale Herald"), Some("https://herald.example/dam"), 0.93)]
    );
    assert_eq!(store.find_duplicate(Some("https://herald.example/dam"), "").unwrap(), Some(id));
    assert_eq!(store.find_duplicate(None, "herald-dam").unwrap(), Some(id));
    assert_eq!(store.counts().unwrap().articles, 1, "a copy is not a report");
    let orphan = NewCopy { original: parallax_core::ArticleId(999), content_hash: "other", ..copy.clone() };
    let orphan_article = article("Elsewhere", None, Some("https://elsewhere.example/x"));
    assert!(matches!(
        store.insert_copy(&NewCopy { article: &orphan_article, ..orphan }),
        Err(StoreError::NoSuchArticle { .. })
    ));

    // Signatures are stored with articles and can be set later.
    assert_eq!(store.signatures(10).unwrap(), [(id, Some(b"wire-dam".to_vec()))]);
    store.set_signature(id, b"renewed").unwrap();
    assert_eq!(store.signatures(1).unwrap(), [(id, Some(b"renewed".to_vec()))]);
}

fn report(title: &str, outlet: &str, body: &str, day: u32) -> Article {
    let mut a = Article::new(title);
    a.outlet = Some(outlet.to_owned());
    a.published = Some(Utc.with_ymd_and_hms(2026, 2, day, 8, 0, 0).unwrap().fixed_offset());
    a.body = vec![Block::Paragraph { text: body.to_owned() }];
    a
}

/// Search finds words in any form the stemmer folds, marks them, honours phrases, exclusions and
/// filters, ranks title matches first, pages, and reads hostile input as words.
pub(crate) fn check_search(store: &dyn Store) {
    let beijing = report(
        "Shoigu meets Wang Yi in Beijing",
        "People News",
        "Sergei Shoigu held talks with Wang Yi in Beijing on Sunday. The meeting covered security.",
        1,
    );
    let Inserted::New { id: a1, story: s1, .. } = insert(store, &beijing, "s1", None) else {
        panic!("insert")
    };
    let tass = report(
        "Russian official visits China",
        "TASS",
        "Security Council Secretary Sergei Shoigu met Chinese Foreign Minister Wang Yi for talks.",
        2,
    );
    let Inserted::New { id: a2, .. } = insert(store, &tass, "s2", Some(s1)) else { panic!("insert") };
    let floods = report("Floods in Valencia", "TASS", "Rivers burst their banks near Valencia on Monday.", 3);
    let Inserted::New { id: a3, story: s3, .. } = insert(store, &floods, "s3", None) else {
        panic!("insert")
    };

    let found = store.search(&SearchQuery::words("meeting")).unwrap();
    assert_eq!(found.total, 1, "{found:?}");
    assert!(found.hits[0].title.0.iter().any(|p| p.matched && p.text == "meets"), "stems fold: {found:?}");
    let found = store.search(&SearchQuery::words("Shoigu")).unwrap();
    assert_eq!(found.hits.iter().map(|h| h.article.id).collect::<Vec<_>>(), [a1, a2], "title match first");
    assert_eq!(found.hits[0].story, s1);
    assert!(found.hits[0].title.0.iter().any(|p| p.matched && p.text == "Shoigu"), "{:?}", found.hits[0]);
    assert!(found.hits[1].snippet.0.iter().any(|p| p.matched && p.text == "Shoigu"));
    assert_eq!(found.stories.len(), 1);
    assert_eq!((found.stories[0].id, found.stories[0].matched, found.stories[0].outlets), (s1, 2, 2));

    let phrase = store.search(&SearchQuery::words("\"Foreign Minister Wang\"")).unwrap();
    assert_eq!(phrase.hits.iter().map(|h| h.article.id).collect::<Vec<_>>(), [a2]);
    let without = store.search(&SearchQuery::words("Shoigu -Chinese")).unwrap();
    assert_eq!(without.hits.iter().map(|h| h.article.id).collect::<Vec<_>>(), [a1]);
    for hostile in
        ["\"", "NEAR(a b", "*", "a OR", "title:x", "-", "'; DROP TABLE articles; --", "\u{1}x\u{2}"]
    {
        store.search(&SearchQuery::words(hostile)).unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
    }
    assert_eq!(store.search(&SearchQuery::words("")).unwrap().total, 0);

    let tass_id = store.outlets().unwrap().into_iter().find(|o| o.name == "TASS").unwrap().id;
    let by_outlet = SearchQuery { outlet: Some(tass_id), ..SearchQuery::words("Shoigu") };
    assert_eq!(store.search(&by_outlet).unwrap().hits.iter().map(|h| h.article.id).collect::<Vec<_>>(), [a2]);
    let all_of_outlet = SearchQuery { outlet: Some(tass_id), ..SearchQuery::default() };
    let listed = store.search(&all_of_outlet).unwrap();
    assert_eq!(listed.hits.iter().map(|h| h.article.id).collect::<Vec<_>>(), [a3, a2], "newest first");
    let since = SearchQuery {
        since: Some(Utc.with_ymd_and_hms(2026, 2, 2, 0, 0, 0).unwrap()),
        until: Some(Utc.with_ymd_and_hms(2026, 2, 3, 0, 0, 0).unwrap()),
        ..SearchQuery::words("Shoigu")
    };
    assert_eq!(store.search(&since).unwrap().hits.iter().map(|h| h.article.id).collect::<Vec<_>>(), [a2]);
    let second_page = SearchQuery {
        page: Page { offset: 1, limit: 1 },
        order: SearchOrder::Newest,
        ..SearchQuery::words("Shoigu")
    };
    let page = store.search(&second_page).unwrap();
    assert_eq!((page.total, page.hits.len(), page.stories.len()), (2, 1, 0));
    assert_eq!(page.hits[0].article.id, a1, "newest first, second page");

    let shoigu = "person:sergei-shoigu";
    let by_entity = SearchQuery { entity: Some(shoigu.to_owned()), ..SearchQuery::default() };
    assert_eq!(store.search(&by_entity).unwrap().total, 2);
    let _ = s3;
}

/// Entities are found by id with the stories naming them; outlets carry their counts and stances;
/// stories rank by breadth and recency.
pub(crate) fn check_entities_outlets_and_rank(store: &dyn Store) {
    let shoigu = "person:sergei-shoigu";
    assert_eq!(store.entity(shoigu).unwrap(), None);
    let a = report("Shoigu in Beijing", "People News", "Sergei Shoigu arrived in Beijing. Will he stay?", 1);
    let Inserted::New { story: wide, .. } = insert(store, &a, "e1", None) else { panic!("insert") };
    let b = report("Shoigu holds talks", "TASS", "Sergei Shoigu held talks in Beijing, TASS said.", 1);
    insert(store, &b, "e2", Some(wide));
    let mut c = report("Floods in Valencia", "TASS", "Rivers burst their banks in Valencia.", 2);
    c.published = Some(Utc.with_ymd_and_hms(2026, 2, 2, 6, 0, 0).unwrap().fixed_offset());
    let Inserted::New { story: narrow, .. } = insert(store, &c, "e3", None) else { panic!("insert") };

    let entity = store.entity(shoigu).unwrap().expect("Shoigu is named");
    assert_eq!(
        (entity.name.as_str(), entity.kind, entity.articles, entity.stories),
        ("Sergei Shoigu", EntityKind::Person, 2, 1)
    );
    let stories = store.entity_stories(shoigu, Page::ALL).unwrap();
    assert_eq!(stories.iter().map(|s| s.id).collect::<Vec<_>>(), [wide]);
    let related = store.related_entities(shoigu, 5).unwrap();
    assert!(related.iter().any(|e| e.id == "place:beijing" && e.articles == 2), "{related:?}");
    let named = store.story_entities(&[wide, narrow], 3).unwrap();
    assert_eq!(named[&wide][0].id, shoigu, "{named:?}");
    assert!(named[&narrow].iter().any(|e| e.name == "Valencia"), "{named:?}");
    let places = store.top_entities(Some(EntityKind::Place), Page::ALL).unwrap();
    assert_eq!(places.first().map(|e| e.id.as_str()), Some("place:beijing"), "{places:?}");

    // Two outlets outrank one outlet 22 hours later.
    let ranked = store.ranked_stories(Page::ALL).unwrap();
    assert_eq!(ranked.iter().map(|s| s.id).collect::<Vec<_>>(), [wide, narrow]);
    let heads = store.story_heads(Page::ALL).unwrap();
    let head = heads.iter().find(|h| h.id == wide).unwrap();
    assert_eq!((head.reports, head.outlets), (2, 2));

    let outlets = store.outlets().unwrap();
    assert_eq!(
        outlets.iter().map(|o| (o.name.as_str(), o.articles)).collect::<Vec<_>>(),
        [("TASS", 2), ("People News", 1)]
    );
    let people = store.outlet(outlets[1].id).unwrap().unwrap();
    assert_eq!(people.stances.sentences, 2);
    assert_eq!(people.stances.question, 1, "{:?}", people.stances);
    assert_eq!(people.stories, 1);
    let reports = store.outlet_articles(outlets[0].id, Page::ALL).unwrap();
    assert_eq!(
        reports.iter().map(|(a, _)| a.title.as_str()).collect::<Vec<_>>(),
        ["Floods in Valencia", "Shoigu holds talks"]
    );
    assert_eq!(store.outlet(parallax_core::OutletId(999)).unwrap(), None);
    let names: Vec<String> = store.outlet_names().unwrap().into_iter().map(|(_, name)| name).collect();
    assert_eq!(names, ["People News", "TASS"], "by name");
    let ids = store.outlet_ids(&["TASS".to_owned(), "Nobody".to_owned()]).unwrap();
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), [("TASS".to_owned(), outlets[0].id)]);

    // A merge moves the absorbed story's reports and ranks the kept story again.
    store.merge_stories(narrow, wide, 0.9).unwrap();
    let head = store.story_heads(Page::ALL).unwrap().into_iter().find(|h| h.id == narrow).unwrap();
    assert_eq!((head.reports, head.outlets), (3, 2));
}

/// Accounts open once per name in any case, sessions and reset tokens work once and end, API tokens
/// name their account, and a ban ends sessions and is logged.
pub(crate) fn check_accounts(store: &dyn Store) {
    let ana = store.create_user("Ana", "hash-1", Role::Reader).unwrap().expect("a new account");
    assert_eq!(store.create_user("ANA", "hash-2", Role::Reader).unwrap(), None, "names ignore case");
    let found = store.credentials("ana").unwrap().expect("found in any case");
    assert_eq!((found.user.id, found.password_hash.as_str()), (ana.id, "hash-1"));
    let admin = store.create_user("Root", "hash-r", Role::Admin).unwrap().unwrap();
    assert!(admin.role.moderates());

    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    store.open_session(ana.id, "session-a", "csrf-a", later).unwrap();
    let session = store.session("session-a").unwrap().expect("a live session");
    assert_eq!((session.user.name.as_str(), session.csrf.as_str()), ("Ana", "csrf-a"));
    store
        .open_session(ana.id, "session-old", "csrf-o", chrono::Utc::now() - chrono::Duration::seconds(1))
        .unwrap();
    assert_eq!(store.session("session-old").unwrap(), None, "an expired session is no session");
    store.close_session("session-a").unwrap();
    assert_eq!(store.session("session-a").unwrap(), None);

    store.open_session(ana.id, "session-b", "csrf-b", later).unwrap();
    store.add_reset_token(ana.id, "reset-1", later).unwrap();
    assert_eq!(store.use_reset_token("reset-1", "hash-new").unwrap(), Some(ana.id));
    assert_eq!(store.use_reset_token("reset-1", "hash-again").unwrap(), None, "a reset token works once");
    assert_eq!(store.credentials("Ana").unwrap().unwrap().password_hash, "hash-new");
    assert_eq!(store.session("session-b").unwrap(), None, "a reset ends the sessions");
    store.add_reset_token(ana.id, "reset-old", chrono::Utc::now() - chrono::Duration::seconds(1)).unwrap();
    assert_eq!(store.use_reset_token("reset-old", "x").unwrap(), None, "an expired token is refused");

    store.add_api_token(ana.id, "api-0").unwrap();
    store.add_reset_token(ana.id, "reset-2", later).unwrap();
    assert!(store.use_reset_token("reset-2", "hash-newer").unwrap().is_some());
    assert_eq!(store.api_token_user("api-0").unwrap(), None, "a reset withdraws the API tokens");
    store.add_api_token(ana.id, "api-1").unwrap();
    assert_eq!(store.api_token_user("api-1").unwrap().map(|u| u.id), Some(ana.id));
    store.open_session(ana.id, "session-c", "csrf-c", later).unwrap();
    assert!(store.ban_user(ana.id, true, admin.id, "spam").unwrap());
    assert!(!store.ban_user(ana.id, true, admin.id, "again").unwrap(), "already banned");
    assert_eq!(store.session("session-c").unwrap(), None, "a ban ends the sessions");
    assert_eq!(store.api_token_user("api-1").unwrap(), None, "a banned account's tokens stop working");
    assert_eq!(store.user(ana.id).unwrap().unwrap().banned.map(|b| b.reason), Some("spam".to_owned()));
    assert!(store.set_role(ana.id, Role::Moderator, Some(admin.id)).unwrap());
    let log = store.audit_log(Page::ALL).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[..2], ["set role", "ban user"], "newest first: {actions:?}");
    assert_eq!(log[1].actor_name.as_deref(), Some("Root"));
    assert_eq!(
        (log[1].subject.as_str(), log[1].reason.as_str()),
        (format!("user {}", ana.id).as_str(), "spam")
    );
}

/// Comments thread, post once per key, respect locks, bans and closed parents; authors edit within
/// the window and delete softly; votes are one per reader and changeable; reports reach the queue
/// and moderation closes them; purges re-thread replies; everything a moderator does is logged.
pub(crate) fn check_comments(store: &dyn Store) {
    let a = article("Talks in Beijing", Some("People News"), None);
    let Inserted::New { id: article_id, story, .. } = insert(store, &a, "c1", None) else { panic!("insert") };
    let ana = store.create_user("Ana", "h", Role::Reader).unwrap().unwrap();
    let ben = store.create_user("Ben", "h", Role::Reader).unwrap().unwrap();
    let moderator = store.create_user("Mo", "h", Role::Moderator).unwrap().unwrap();
    let on_story = Target::Story(story);
    let post = |author: &User, parent: Option<CommentId>, key: &str, text: &str| {
        store
            .post_comment(&NewComment {
                target: on_story,
                parent,
                author: author.id,
                source: text,
                html: &format!("<p>{text}</p>"),
                key,
            })
            .unwrap()
    };
    let Posted::New(first) = post(&ana, None, "k1", "First") else { panic!("posted") };
    assert_eq!(post(&ana, None, "k1", "First"), Posted::Repeated(first), "the same key posts once");
    let Posted::New(reply) = post(&ben, Some(first), "k2", "Reply") else { panic!("reply") };
    let Posted::New(deeper) = post(&ana, Some(reply), "k3", "Deeper") else { panic!("deeper") };
    assert_eq!(post(&ben, Some(CommentId(9999)), "k4", "Lost"), Posted::NoParent);
    let on_article = NewComment {
        target: Target::Article(article_id),
        parent: Some(first),
        author: ben.id,
        source: "x",
        html: "x",
        key: "k5",
    };
    assert_eq!(store.post_comment(&on_article).unwrap(), Posted::NoParent, "a parent on another target");
    let thread = store.comments(on_story).unwrap();
    assert_eq!(
        thread.iter().map(|c| (c.id, c.parent)).collect::<Vec<_>>(),
        [(first, None), (reply, Some(first)), (deeper, Some(reply))]
    );
    assert_eq!(thread[1].author_name, "Ben");

    // Authors edit within the window and delete softly; a deleted comment takes no replies.
    let minute = std::time::Duration::from_secs(60);
    assert_eq!(store.edit_comment(first, ben.id, "x", "x", minute).unwrap(), AuthorChange::NotYours);
    assert_eq!(
        store.edit_comment(first, ana.id, "First!", "<p>First!</p>", minute).unwrap(),
        AuthorChange::Done
    );
    assert_eq!(
        store.edit_comment(first, ana.id, "late", "late", std::time::Duration::ZERO).unwrap(),
        AuthorChange::TooLate
    );
    let edited = store.comment(first).unwrap().unwrap();
    assert_eq!((edited.source.as_str(), edited.edited_at.is_some()), ("First!", true));
    assert_eq!(store.delete_comment(deeper, ana.id).unwrap(), AuthorChange::Done);
    assert_eq!(store.delete_comment(deeper, ana.id).unwrap(), AuthorChange::Closed);
    for action in [Moderation::Restore, Moderation::Hide, Moderation::Remove] {
        assert!(
            !store.moderate(deeper, action, moderator.id, "x").unwrap(),
            "what its author withdrew stays so"
        );
    }
    assert!(!store.report_comment(deeper, ben.id, "?").unwrap(), "a withdrawn comment is not reported");
    assert_eq!(store.comment(deeper).unwrap().unwrap().state, CommentState::Deleted, "kept, withheld");
    assert_eq!(post(&ben, Some(deeper), "k6", "To the deleted"), Posted::ParentClosed);

    // One vote per reader, changeable and withdrawable.
    assert_eq!(store.vote(first, ben.id, 1).unwrap(), Some((1, 0)));
    assert_eq!(store.vote(first, ben.id, 1).unwrap(), Some((1, 0)), "a second up vote is the same vote");
    assert_eq!(store.vote(first, ben.id, -1).unwrap(), Some((0, 1)), "changed");
    assert_eq!(store.vote(first, moderator.id, 1).unwrap(), Some((1, 1)));
    assert_eq!(store.vote(first, ben.id, 0).unwrap(), Some((1, 0)), "withdrawn");
    assert_eq!(store.vote(deeper, ben.id, 1).unwrap(), None, "a deleted comment takes no votes");
    assert_eq!(store.votes_by(moderator.id, on_story).unwrap().get(&first), Some(&1));

    // Ratings of the story's coverage.
    store.rate_story(story, ana.id, Some(true)).unwrap();
    store.rate_story(story, ben.id, Some(false)).unwrap();
    store.rate_story(story, ben.id, Some(true)).unwrap();
    assert_eq!(
        store.ratings(story, Some(ben.id)).unwrap(),
        (Ratings { helpful: 2, not_helpful: 0 }, Some(true))
    );
    store.rate_story(story, ben.id, None).unwrap();
    assert_eq!(store.ratings(story, None).unwrap(), (Ratings { helpful: 1, not_helpful: 0 }, None));

    // Reports reach the queue; moderation closes them and is logged.
    assert!(store.report_comment(reply, ana.id, "rude").unwrap());
    assert!(store.report_comment(reply, moderator.id, "off topic").unwrap());
    assert!(!store.report_comment(CommentId(9999), ana.id, "?").unwrap());
    let queue = store.reported_comments(10).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].comment.id, queue[0].reasons.len(), queue[0].comment.reports), (reply, 2, 2));
    assert!(store.moderate(reply, Moderation::Hide, moderator.id, "rude").unwrap());
    assert!(store.reported_comments(10).unwrap().is_empty(), "handled reports leave the queue");

    assert_eq!(store.comment(reply).unwrap().unwrap().state, CommentState::Hidden);
    assert!(store.moderate(reply, Moderation::Restore, moderator.id, "on second thought").unwrap());
    assert_eq!(store.comment(reply).unwrap().unwrap().state, CommentState::Visible);
    assert!(store.report_comment(reply, ana.id, "rude!").unwrap());
    assert!(store.reported_comments(10).unwrap().is_empty(), "a settled report is not reopened");

    // A locked thread takes nothing new; a banned author posts nothing.
    store.lock_thread(on_story, true, moderator.id, "heated").unwrap();
    assert!(store.thread_locked(on_story).unwrap());
    assert_eq!(post(&ben, None, "k7", "Locked out"), Posted::Locked);
    store.lock_thread(on_story, false, moderator.id, "calm").unwrap();
    assert!(store.ban_user(ben.id, true, moderator.id, "spam").unwrap());
    assert_eq!(post(&ben, None, "k8", "Banned"), Posted::Banned);

    // A story merged into another brings its discussion along.
    let other = article("Beijing talks, day two", Some("TASS"), None);
    let Inserted::New { story: absorbed, .. } = insert(store, &other, "c2", None) else { panic!("insert") };
    let on_absorbed = NewComment {
        target: Target::Story(absorbed),
        parent: None,
        author: ana.id,
        source: "x",
        html: "x",
        key: "k9",
    };
    let Posted::New(moved) = store.post_comment(&on_absorbed).unwrap() else { panic!("posted") };
    store.merge_stories(story, absorbed, 0.9).unwrap();
    assert!(store.comments(on_story).unwrap().iter().any(|c| c.id == moved), "comments move with a merge");

    // A purge removes the row for good and moves its replies up.
    assert!(store.purge_comment(reply, moderator.id, "illegal content").unwrap());
    assert_eq!(store.comment(reply).unwrap(), None);
    assert_eq!(store.comment(deeper).unwrap().unwrap().parent, Some(first), "re-threaded");
    let actions: Vec<String> = store.audit_log(Page::ALL).unwrap().into_iter().map(|e| e.action).collect();
    for action in
        ["hide comment", "restore comment", "lock thread", "unlock thread", "ban user", "purge comment"]
    {
        assert!(actions.iter().any(|a| a == action), "{action} is logged: {actions:?}");
    }
}

/// Rate limits count hits per key and window, shared by everyone using the store.
pub(crate) fn check_rate_limits(store: &dyn Store) {
    let minute = std::time::Duration::from_secs(60);
    for _ in 0..3 {
        assert!(store.rate_limit("sign-in:1.2.3.4", minute, 3).unwrap());
    }
    assert!(!store.rate_limit("sign-in:1.2.3.4", minute, 3).unwrap(), "the fourth hit is over");
    assert!(store.rate_limit("sign-in:5.6.7.8", minute, 3).unwrap(), "keys count apart");
}
