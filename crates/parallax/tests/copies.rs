//! A syndicated copy of a stored report: linked to it, not stored as a report of its own, and shown
//! under the original.

mod support;

use support::{Server, listed_reports, parallax, stdout};

const WIRE: &str = "Rescue crews pulled 43 survivors from the water after the ferry Saltwren capsized in a sudden \
storm in Marrow Bay on Tuesday evening, the coast guard said.\n\nNine people were confirmed dead and four were \
still missing on Wednesday morning, a coast guard spokeswoman told reporters in Port Ellery. The vessel was \
crossing from Port Ellery to Skerrin Island with 56 passengers and crew on board when it was struck by gusts of \
more than 100 kilometres an hour.\n\nSurvivors described a wave breaking over the stern minutes after the \
captain turned back towards the mainland. \"The deck tilted and then everyone was in the sea,\" said one \
passenger, a teacher from Skerrin who was travelling home with her son.\n\nThe ferry operator, Bay Lines, said \
it would cooperate fully with the investigation and suspended all crossings until further notice. The Saltwren \
was built in 1987 and passed its last safety inspection in March, according to the maritime authority.";

#[test]
fn a_syndicated_copy_is_linked_to_its_original() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let wire = dir.path().join("wire.txt");
    std::fs::write(&wire, format!("Ferry capsizes in Marrow Bay storm\n\n{WIRE}")).unwrap();
    let copy = dir.path().join("herald.txt");
    std::fs::write(
        &copy,
        format!("Nine dead as Saltwren ferry sinks off Port Ellery\n\n{WIRE}\n\nThe Herald will follow the inquiry."),
    )
    .unwrap();
    let stored = parallax(&data, &["ingest", "--outlet", "Aldmark Wire", wire.to_str().unwrap()]);
    assert!(stdout(&stored).contains("1 new"), "{}", stdout(&stored));
    let copied = parallax(&data, &["ingest", "--outlet", "Corvale Herald", copy.to_str().unwrap()]);
    let text = stdout(&copied);
    assert!(text.contains("0 new, 0 duplicate, 1 copy"), "{text}");
    assert!(text.contains("a copy of article 1"), "{text}");

    let reports = listed_reports(&data, "outlet");
    assert_eq!(reports, ["Aldmark Wire"], "the copy is not a report of its own");

    let server = Server::start(Some(&data), &["serve", "--addr", "127.0.0.1:0"]);
    let (status, page) = server.get("/article/1");
    assert_eq!(status, 200);
    assert!(page.contains("The same text elsewhere"), "{page}");
    assert!(page.contains("Corvale Herald") && page.contains("Nine dead as Saltwren ferry sinks"), "{page}");
}
