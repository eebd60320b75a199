//! The two sample reports of the Shoigu–Wang Yi talks, extracted from the shared fixtures.

use parallax_core::Block;
use parallax_extract::{Hints, extract};

fn sample(name: &str) -> parallax_core::Article {
    let path = format!("{}/../../fixtures/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    extract(&bytes, &Hints::default()).unwrap()
}

#[test]
fn analysis_piece_with_caption_list_and_comment_thread() {
    let a = sample("004_b385d3fa735fe338.txt");
    assert_eq!(a.outlet.as_deref(), Some("People News"));
    let image = a.image.as_ref().expect("lead image");
    assert_eq!(image.caption.as_deref(), Some("Chinese Foreign Minister Wang Yi."));
    assert_eq!(image.credit.as_deref(), Some("Kevin Frayer/Getty Images"));
    assert!(a.lead().unwrap().starts_with("According to China’s Foreign Ministry, on February 1,"));
    let lists: Vec<&Vec<String>> = a
        .body
        .iter()
        .filter_map(|b| match b {
            Block::List { items, .. } => Some(items),
            _ => None,
        })
        .collect();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].len(), 5);
    assert!(lists[0][0].starts_with("After capturing Maduro alive"));
    let text = a.plain_text();
    assert!(text.trim_end().ends_with("consolidate his power."), "junk left: {text}");
    assert!(!text.contains("bootstrap") && !text.contains("Yes Sure"));
}

#[test]
fn wire_report_with_dateline_and_no_outlet() {
    let a = sample("000_499c8513cc3fdbef.txt");
    assert_eq!(a.dateline.as_deref(), Some("Beijing"));
    assert_eq!(a.outlet, None);
    assert!(a.lead().unwrap().starts_with("Russian Security Council Secretary Sergei Shoigu arrived"));
    assert!(
        a.title.starts_with("Russian Security Council Secretary Sergei Shoigu arrived in Beijing"),
        "{}",
        a.title
    );
    assert_eq!(a.body.len(), 6);
}
