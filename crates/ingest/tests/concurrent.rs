//! Several processes ingesting into one store at once, as `parallax run` workers do: each pipeline
//! here has a store connection of its own (a second `SqliteStore` on the same file, a second
//! `PostgresStore` on the same database) and clustering state of its own, and they store reports of
//! the same event at the same moment. The event must come out as one story, whichever pipeline
//! stores first: a decision made without knowing the other's article is made again.

use std::path::Path;
use std::sync::{Arc, Barrier};

use parallax_extract::Hints;
use parallax_ingest::{Outcome, Pipeline};
use parallax_store::{ScratchDatabase, SqliteStore, Store};

/// The two sample reports of one event (Sergei Shoigu meeting Wang Yi in Beijing), from two outlets.
fn samples() -> [Vec<u8>; 2] {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples");
    ["000_499c8513cc3fdbef.txt", "004_b385d3fa735fe338.txt"]
        .map(|name| std::fs::read(dir.join(name)).expect("the sample reports are in fixtures/samples"))
}

/// Opens one pipeline per report on stores `open` makes, then has them ingest at the same moment;
/// returns the stories the reports went to.
fn ingest_together(open: &(dyn Fn() -> Box<dyn Store> + Sync)) -> Vec<parallax_core::StoryId> {
    let reports = samples();
    let ready = Arc::new(Barrier::new(reports.len()));
    std::thread::scope(|scope| {
        let workers: Vec<_> = reports
            .iter()
            .map(|bytes| {
                let ready = Arc::clone(&ready);
                scope.spawn(move || {
                    let store = open();
                    let mut pipeline = Pipeline::open(store.as_ref()).expect("a pipeline opens");
                    ready.wait();
                    match pipeline.ingest_bytes(bytes, &Hints::default()) {
                        Outcome::New { story, .. } => story,
                        other => panic!("each report is new: {other:?}"),
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a pipeline thread")).collect()
    })
}

#[test]
fn two_sqlite_connections_storing_one_event_at_once_open_one_story() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_owned();
        let stories = ingest_together(&|| Box::new(SqliteStore::open_dir(&data).unwrap()));
        assert_eq!(stories[0], stories[1], "round {round}: one event, one story");
        let store = SqliteStore::open_dir(&data).unwrap();
        assert_eq!(store.counts().unwrap().stories, 1);
    }
}

#[test]
fn two_postgres_connections_storing_one_event_at_once_open_one_story() {
    for round in 0..5 {
        let scratch = ScratchDatabase::create("concurrent").expect("a PostgreSQL server answers");
        let stories = ingest_together(&|| Box::new(scratch.open().unwrap()));
        assert_eq!(stories[0], stories[1], "round {round}: one event, one story");
        assert_eq!(scratch.open().unwrap().counts().unwrap().stories, 1);
    }
}
