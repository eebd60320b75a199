//! The sample story's two reports, analysed: every entity, date, quotation with its speaker and hedge
//! that `fixtures/samples/README.md` lists is found, nothing absurd is, and the full analysis matches
//! a reviewed snapshot (`fixtures/analysis/samples.txt`; set `UPDATE_SNAPSHOTS=1` to rewrite it after
//! reviewing the difference).

use std::path::PathBuf;

use parallax_core::Article;
use parallax_extract::{Hints, extract};
use parallax_nlp::{Analysis, DateValue, EntityKind, Stance, analyze};

const WIRE: &str = "000_499c8513cc3fdbef.txt";
const ANALYSIS: &str = "004_b385d3fa735fe338.txt";
const PUBLISHED: &str = "2026-02-02T08:00:00Z";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn analysed(file: &str, published: Option<&str>) -> (Article, Analysis) {
    let bytes = std::fs::read(fixtures().join("samples").join(file)).expect("sample file");
    let hints = Hints {
        published: published.map(|p| chrono::DateTime::parse_from_rfc3339(p).expect("date")),
        ..Hints::default()
    };
    let article = extract(&bytes, &hints).expect("sample extracts");
    let analysis = analyze(&article);
    (article, analysis)
}

fn names(analysis: &Analysis, kind: EntityKind) -> Vec<&str> {
    analysis.entities.iter().filter(|e| e.kind == kind).map(|e| e.name.as_str()).collect()
}

#[test]
fn samples_match_the_reviewed_snapshot() {
    let mut got = String::new();
    for file in [WIRE, ANALYSIS] {
        got.push_str(&format!("# {file}\n\n{}", analysed(file, Some(PUBLISHED)).1.summary()));
        got.push('\n');
    }
    let path = fixtures().join("analysis/samples.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &got).expect("write snapshot");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "analysis differs from {}; review and rerun with UPDATE_SNAPSHOTS=1:\n{got}",
        path.display()
    );
}

fn has_entity(analysis: &Analysis, kind: EntityKind, name: &str) -> bool {
    analysis.entities.iter().any(|e| e.kind == kind && e.name == name)
}

#[test]
fn entities_of_both_reports_resolve_to_canonical_names() {
    let (_, wire) = analysed(WIRE, Some(PUBLISHED));
    let (_, report) = analysed(ANALYSIS, Some(PUBLISHED));
    let people = [
        "Sergei Shoigu",
        "Wang Yi",
        "Xi Jinping",
        "Vladimir Putin",
        "Zhang Youxia",
        "Donald Trump",
        "Nicolás Maduro",
    ];
    for name in people {
        assert!(
            has_entity(&report, EntityKind::Person, name),
            "004 person {name}: {:?}",
            names(&report, EntityKind::Person)
        );
    }
    let organisations = [
        "Russian Security Council",
        "Chinese Foreign Ministry",
        "Central Foreign Affairs Office",
        "Politburo",
        "Central Military Commission",
        "Chinese Communist Party",
        "TASS",
        "United Nations",
        "UN Security Council",
        "Shanghai Cooperation Organization",
        "BRICS",
        "Getty Images",
    ];
    for name in organisations {
        assert!(
            has_entity(&report, EntityKind::Organisation, name),
            "004 organisation {name}: {:?}",
            names(&report, EntityKind::Organisation)
        );
    }
    let places_004 = [
        "Beijing",
        "Moscow",
        "Myanmar",
        "China",
        "Russia",
        "Ukraine",
        "United States",
        "Taiwan",
        "Taiwan Strait",
        "Japan",
        "Siberia",
        "Venezuela",
        "Iran",
        "Cuba",
        "Greenland",
        "Arctic",
    ];
    for name in places_004 {
        assert!(
            has_entity(&report, EntityKind::Place, name),
            "004 place {name}: {:?}",
            names(&report, EntityKind::Place)
        );
    }
    for name in [
        "Beijing",
        "Moscow",
        "China",
        "Russia",
        "Ukraine",
        "United States",
        "Europe",
        "Asia",
        "Central Asia",
        "East Asia",
    ] {
        assert!(
            has_entity(&wire, EntityKind::Place, name),
            "000 place {name}: {:?}",
            names(&wire, EntityKind::Place)
        );
    }
    for name in ["Sergei Shoigu", "Wang Yi"] {
        assert!(has_entity(&wire, EntityKind::Person, name), "000 person {name}");
    }
    assert!(has_entity(&wire, EntityKind::Organisation, "Russian Security Council"));

    // One identity per person in both reports, and every short mention joins it.
    let id = |a: &Analysis, name: &str| a.entities.iter().find(|e| e.name == name).map(|e| e.id.clone());
    assert_eq!(id(&wire, "Sergei Shoigu"), id(&report, "Sergei Shoigu"));
    let shoigu = report.entities.iter().find(|e| e.name == "Sergei Shoigu").expect("Shoigu");
    assert!(shoigu.mentions.len() >= 10, "“Shoigu” alone joins the full name: {}", shoigu.mentions.len());
    assert!(shoigu.roles.iter().any(|r| r == "Russian Security Council Secretary"), "{:?}", shoigu.roles);
    let wang = report.entities.iter().find(|e| e.name == "Wang Yi").expect("Wang Yi");
    assert!(wang.roles.iter().any(|r| r == "Chinese Foreign Minister"), "{:?}", wang.roles);
    let trump = report.entities.iter().find(|e| e.name == "Donald Trump").expect("Trump");
    assert!(trump.mentions.len() >= 5, "Trump, Trump’s: {}", trump.mentions.len());

    // Kevin Frayer is named only as the photographer.
    let frayer = report.entities.iter().find(|e| e.name == "Kevin Frayer").expect("Kevin Frayer");
    assert_eq!(frayer.roles, ["photo credit"]);
}

#[test]
fn nothing_absurd_is_named() {
    for file in [WIRE, ANALYSIS] {
        let (_, analysis) = analysed(file, Some(PUBLISHED));
        for e in &analysis.entities {
            let first = e.name.split_whitespace().next().unwrap_or_default().to_lowercase();
            let ordinary = [
                "analysts",
                "observers",
                "experts",
                "the",
                "however",
                "clearly",
                "meanwhile",
                "according",
                "reports",
                "speaking",
                "beyond",
                "somewhat",
                "this",
                "from",
                "does",
                "what",
                "party",
                "president",
            ];
            assert!(!ordinary.contains(&first.as_str()), "{file}: {} is not a name", e.name);
            assert!(
                !(e.kind == EntityKind::Person
                    && ["United Nations", "Getty Images", "East Asia", "Peace Committee"]
                        .contains(&e.name.as_str())),
                "{file}: {} is no person",
                e.name
            );
        }
        let hedged_facts =
            ["Shoigu stayed in Beijing for only one day", "China and Russia characterize their relationship"];
        for s in &analysis.sentences {
            if hedged_facts.iter().any(|h| s.text.starts_with(h)) {
                assert_eq!(s.stance, Stance::Fact, "{}", s.text);
            }
        }
    }
}

#[test]
fn dates_resolve_against_the_publication_date() {
    let value = |a: &Analysis, text: &str| a.dates.iter().find(|d| d.text == text).map(|d| d.value.clone());
    let day = |s: &str| DateValue::Day { date: s.parse().expect("date") };
    let (_, report) = analysed(ANALYSIS, Some(PUBLISHED));
    assert_eq!(value(&report, "February 1"), Some(day("2026-02-01")));
    assert_eq!(value(&report, "February 28, 2025"), Some(day("2025-02-28")));
    assert_eq!(value(&report, "May 2024"), Some(DateValue::Month { year: 2024, month: 5 }));
    assert_eq!(value(&report, "2012"), Some(DateValue::Year { year: 2012 }));
    let (_, wire) = analysed(WIRE, Some(PUBLISHED));
    assert_eq!(
        value(&wire, "Sunday"),
        Some(day("2026-02-01")),
        "1 Feb 2026 was a Sunday: both reports agree"
    );
    assert_eq!(value(&wire, "December 2025"), Some(DateValue::Month { year: 2025, month: 12 }));

    // Without a publication date, relative and year-less dates stay unresolved.
    let (_, wire) = analysed(WIRE, None);
    assert!(matches!(value(&wire, "Sunday"), Some(DateValue::Unresolved { .. })));
    let (_, report) = analysed(ANALYSIS, None);
    assert!(matches!(value(&report, "February 1"), Some(DateValue::Unresolved { .. })));
    assert_eq!(value(&report, "May 2024"), Some(DateValue::Month { year: 2024, month: 5 }));
}

#[test]
fn quotations_have_their_speakers_and_channels() {
    let (_, report) = analysed(ANALYSIS, Some(PUBLISHED));
    let quote = |start: &str| {
        report
            .quotes
            .iter()
            .find(|q| q.text.starts_with(start))
            .unwrap_or_else(|| panic!("quotation {start:?}"))
    };
    let speaker = |start: &str| quote(start).speaker.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let tass = quote("On the instructions of the Russian president, we will discuss");
    assert_eq!(speaker(&tass.text), "Sergei Shoigu");
    assert_eq!(tass.channel.as_deref(), Some("TASS"));
    assert!(
        quote("We see that certain ill-intentioned actors").text.ends_with("on the Taiwan issue."),
        "one quotation of two sentences"
    );
    assert_eq!(speaker("We see that certain ill-intentioned actors"), "Sergei Shoigu");
    for partial in [
        "closely follow hostile forces undermining stability in the Taiwan Strait",
        "firmly oppose Japan’s accelerated ‘remilitarization",
    ] {
        let q = quote(partial);
        assert!(q.partial);
        assert_eq!(speaker(partial), "Sergei Shoigu");
        assert_eq!(q.channel.as_deref(), Some("Chinese state media"));
    }
    assert_eq!(speaker("safeguard the international system with the United Nations at its core"), "Wang Yi");
    assert_eq!(
        speaker("The guidance of the two heads of state is the greatest advantage"),
        "Wang Yi",
        "“He said” is Wang"
    );
    assert_eq!(speaker("closely monitoring Japan’s policy"), "Sergei Shoigu", "“He also said” is Shoigu");
    assert!(
        report.quotes.iter().all(|q| q.text != "Peace Committee" && q.text != "ill-intentioned actors"),
        "terms in quotes are not quotations"
    );

    let (_, wire) = analysed(WIRE, Some(PUBLISHED));
    let council = wire
        .quotes
        .iter()
        .find(|q| q.text.starts_with("the changing situation in the sphere"))
        .expect("council quote");
    assert_eq!(council.speaker.as_ref().map(|s| s.name.as_str()), Some("Russian Security Council"));
}

#[test]
fn hedged_and_opinion_sentences_are_marked() {
    let stance_of = |a: &Analysis, start: &str| {
        a.sentences
            .iter()
            .find(|s| s.text.starts_with(start))
            .map(|s| s.stance)
            .unwrap_or_else(|| panic!("sentence {start:?}"))
    };
    let (_, wire) = analysed(WIRE, Some(PUBLISHED));
    assert_eq!(stance_of(&wire, "Analysts suggest that topics may include"), Stance::UnnamedSource);
    assert_eq!(stance_of(&wire, "Observers note"), Stance::UnnamedSource);
    assert_eq!(stance_of(&wire, "The outcome of the Shoigu-Wang talks could influence"), Stance::Speculation);
    assert_eq!(stance_of(&wire, "Experts will be closely watching"), Stance::UnnamedSource);
    let (_, report) = analysed(ANALYSIS, Some(PUBLISHED));
    assert_eq!(
        stance_of(&report, "From this perspective, Shoigu’s trip to Beijing must have involved"),
        Stance::Speculation
    );
    assert_eq!(stance_of(&report, "This likely represents Xi Jinping’s position"), Stance::Speculation);
    assert_eq!(stance_of(&report, "The author speculates that"), Stance::Opinion);
    assert_eq!(stance_of(&report, "Does Shoigu’s statement imply"), Stance::Question);
    assert_eq!(stance_of(&report, "What secret understandings might exist"), Stance::Question);
    let cues = &report
        .sentences
        .iter()
        .find(|s| s.text.starts_with("This likely represents"))
        .expect("sentence")
        .cues;
    assert_eq!(cues, &["likely"]);
}
