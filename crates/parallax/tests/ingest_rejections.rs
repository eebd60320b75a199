//! Bad input gets a clear message, a non-zero exit, and writes nothing.

mod support;

use support::{parallax, stdout};

#[test]
fn empty_binary_and_latin1_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let empty = dir.path().join("empty.txt");
    let binary = dir.path().join("photo.txt");
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&empty, "").unwrap();
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0").unwrap();
    std::fs::write(
        &latin1,
        b"Paris: Le ministre fran\xe7ais a d\xe9clar\xe9 lundi que les n\xe9gociations reprendraient \xe0 Gen\xe8ve la semaine prochaine.",
    )
    .unwrap();

    let out = parallax(
        &data,
        &["ingest", empty.to_str().unwrap(), binary.to_str().unwrap(), latin1.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "a rejected file makes the run fail");
    let text = stdout(&out);
    assert!(text.contains("rejected") && text.contains("empty.txt: the document is empty"), "{text}");
    assert!(text.contains("photo.txt: the document is binary, not text"), "{text}");
    assert!(text.contains("1 new, 0 duplicate, 0 copies, 2 rejected"), "{text}");

    let stories = stdout(&parallax(&data, &["stories", "--json"]));
    assert!(stories.contains("Le ministre français a déclaré lundi"), "Latin-1 decoded: {stories}");
    assert!(stories.contains("\"title\""));
}

#[test]
fn a_missing_file_and_a_bad_url_option() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = parallax(&data, &["ingest", dir.path().join("nope.txt").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("cannot read"), "{}", stdout(&out));

    let [a, b] = support::samples();
    let out = parallax(
        &data,
        &["ingest", a.to_str().unwrap(), b.to_str().unwrap(), "--url", "https://example.org/x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url names one report"));
    assert_eq!(stdout(&parallax(&data, &["stories"])).trim(), "0 stories");
}

#[test]
fn article_for_an_unknown_id_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = parallax(&dir.path().join("data"), &["article", "42"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no article 42"));
}
