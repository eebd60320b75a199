use super::*;
use crate::conformance;

conformance::conformance_tests!(store);

fn store() -> (ScratchDatabase, PostgresStore) {
    let scratch = ScratchDatabase::create("store").expect(
        "a PostgreSQL server must answer for these tests (PARALLAX_TEST_POSTGRES, or postgres@127.0.0.1:5432)",
    );
    let store = scratch.open().unwrap();
    (scratch, store)
}

#[test]
fn migrations_apply_once_and_are_checked_at_open() {
    let (scratch, _store) = store();
    let (_, before, after) = PostgresStore::migrate(scratch.url()).unwrap();
    assert_eq!((before, after), (migrations::supported(), migrations::supported()));
    let store = scratch.open().unwrap();
    store.read(|db| db.exec("UPDATE parallax_schema SET version = 0", &[], "test")).unwrap();
    assert!(matches!(PostgresStore::open(scratch.url()), Err(StoreError::SchemaBehind { found: 0, .. })));
    store.read(|db| db.exec("UPDATE parallax_schema SET version = 99", &[], "test")).unwrap();
    assert!(matches!(PostgresStore::open(scratch.url()), Err(StoreError::TooNew { found: 99, .. })));
}

/// Queues `n` jobs without a feed, straight into the queue.
fn queue_jobs(store: &PostgresStore, n: usize) {
    let keys: Vec<String> = (0..n).map(|i| format!("job-{i}")).collect();
    let jobs: Vec<NewJob<'_>> = keys.iter().map(|key| NewJob { key, payload: "{}" }).collect();
    let queued = store.write("queueing test jobs", |tx| queue::enqueue(tx, None, &jobs)).unwrap();
    assert_eq!(queued, n);
}

/// Claims and ends jobs on `threads` threads per store until none is left; the ids handed out.
fn drain(stores: &[&PostgresStore], threads: usize) -> Vec<i64> {
    let lease = std::time::Duration::from_secs(600);
    std::thread::scope(|scope| {
        let workers: Vec<_> = stores
            .iter()
            .flat_map(|store| std::iter::repeat_n(*store, threads))
            .map(|store| {
                scope.spawn(move || {
                    let mut claimed = Vec::new();
                    while let Some(job) = store.claim_job(lease).unwrap() {
                        assert_eq!(job.attempts, 1, "job {} handed out again", job.id);
                        assert!(store.end_job(&job, &JobEnd::Done("done".into())).unwrap());
                        claimed.push(job.id);
                    }
                    claimed
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap()).collect()
    })
}

fn assert_each_once(mut claimed: Vec<i64>, n: usize) {
    let handed_out = claimed.len();
    claimed.sort_unstable();
    claimed.dedup();
    assert_eq!((handed_out, claimed.len()), (n, n), "every job handed out exactly once");
}

#[test]
fn concurrent_workers_claim_each_job_once() {
    const JOBS: usize = 300;
    let (scratch, store) = store();
    queue_jobs(&store, JOBS);
    assert_each_once(drain(&[&store], 4), JOBS);
    assert_eq!(store.queue_counts().unwrap(), QueueCounts { done: JOBS as u64, ..QueueCounts::default() });

    // Two stores stand for two processes, each with its own pool.
    let other = scratch.open().unwrap();
    store.prune_jobs(chrono::Utc::now() + chrono::Duration::hours(1)).unwrap();
    queue_jobs(&store, JOBS);
    assert_each_once(drain(&[&store, &other], 3), JOBS);
    assert_eq!(other.queue_counts().unwrap(), QueueCounts { done: JOBS as u64, ..QueueCounts::default() });
}

#[test]
fn concurrent_rate_limit_hits_count_exactly() {
    const THREADS: usize = 8;
    const HITS: usize = 40;
    const MAX: u32 = 100;
    let (scratch, store) = store();
    let other = scratch.open().unwrap();
    // A window far longer than the test, so that no hit falls into the next one.
    let window = std::time::Duration::from_secs(10 * 365 * 86_400);
    let allowed: usize = std::thread::scope(|scope| {
        let hitters: Vec<_> = (0..THREADS)
            .map(|i| {
                let store = if i % 2 == 0 { &store } else { &other };
                scope.spawn(move || {
                    (0..HITS).filter(|_| store.rate_limit("burst", window, MAX).unwrap()).count()
                })
            })
            .collect();
        hitters.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(allowed, MAX as usize, "exactly the first {MAX} hits are allowed");
    let hits: i64 = store
        .read(|db| db.row("SELECT sum(hits)::bigint FROM rate_limits WHERE key = 'burst'", &[], "test"))
        .unwrap()
        .get(0);
    assert_eq!(hits, (THREADS * HITS) as i64);
}

#[test]
fn concurrent_double_submits_post_once_and_votes_count_exactly() {
    use crate::{NewComment, Posted, Role, Target};
    use parallax_core::StoryId;
    const THREADS: usize = 6;
    let (_scratch, store) = store();
    let readers: Vec<_> = (0..THREADS)
        .map(|i| store.create_user(&format!("reader{i}"), "h", Role::Reader).unwrap().unwrap())
        .collect();
    let new = NewComment {
        target: Target::Story(StoryId(1)),
        parent: None,
        author: readers[0].id,
        source: "Once",
        html: "<p>Once</p>",
        key: "form-1",
    };
    let posted: Vec<Posted> = std::thread::scope(|scope| {
        let posters: Vec<_> =
            (0..THREADS).map(|_| scope.spawn(|| store.post_comment(&new).unwrap())).collect();
        posters.into_iter().map(|p| p.join().unwrap()).collect()
    });
    let ids: Vec<_> =
        posted.iter().filter_map(|p| if let Posted::New(id) = p { Some(*id) } else { None }).collect();
    let [id] = ids[..] else { panic!("posted once: {posted:?}") };
    assert!(
        posted.iter().all(|p| matches!(p, Posted::New(i) | Posted::Repeated(i) if *i == id)),
        "{posted:?}"
    );
    assert_eq!(store.comments(new.target).unwrap().len(), 1);

    // Every reader votes up, then half of them change to down, all at once.
    std::thread::scope(|scope| {
        for reader in &readers {
            scope.spawn(|| {
                store.vote(id, reader.id, 1).unwrap();
            });
        }
    });
    assert_eq!(store.comment(id).unwrap().map(|c| (c.up, c.down)), Some((THREADS as u32, 0)));
    std::thread::scope(|scope| {
        for reader in readers.iter().step_by(2) {
            scope.spawn(|| {
                store.vote(id, reader.id, -1).unwrap();
            });
        }
    });
    let down = THREADS.div_ceil(2) as u32;
    assert_eq!(store.comment(id).unwrap().map(|c| (c.up, c.down)), Some((THREADS as u32 - down, down)));
}
