//! The article reader view: sentences marked with how they present what they say, quotations with
//! their speakers, and a panel of what the analysis found.

use parallax_nlp::Analysis;

/// An article body as the reader view shows it: each sentence marked with how it presents what it
/// says, and each quotation with its speaker.
pub(crate) enum ReaderBlock {
    Paragraph { sentences: Vec<ReaderSentence> },
    Heading { level: u8, text: String },
    List { ordered: bool, items: Vec<Vec<ReaderSentence>> },
    Quote { sentences: Vec<ReaderSentence> },
}

/// One sentence of the reader view.
pub(crate) struct ReaderSentence {
    /// The fragment id other pages link the sentence by ("s12"); empty without an analysis.
    pub anchor: String,
    /// CSS class for hedged or attributed sentences; empty for plain fact.
    pub class: &'static str,
    /// Tooltip: the stance and the words that decided it.
    pub note: String,
    pub segments: Vec<Segment>,
}

/// A run of a sentence's text, quoted or not.
pub(crate) struct Segment {
    pub text: String,
    /// "Sergei Shoigu · via TASS" for quoted words; empty otherwise.
    pub speaker: String,
    pub quoted: bool,
}

impl ReaderBlock {
    /// Builds the reader body from an article and its analysis; without an analysis each block is
    /// one unmarked sentence.
    pub(crate) fn build(body: &[parallax_core::Block], analysis: Option<&Analysis>) -> Vec<ReaderBlock> {
        use parallax_core::Block;
        use std::collections::HashMap;
        let mut by_part: HashMap<(usize, usize), Vec<ReaderSentence>> = HashMap::new();
        if let Some(analysis) = analysis {
            for (index, s) in analysis.sentences.iter().enumerate() {
                if let parallax_nlp::Part::Body { block, item } = s.part {
                    by_part.entry((block, item)).or_default().push(reader_sentence(analysis, index, s));
                }
            }
        }
        let mut sentences_of = |block: usize, item: usize, text: &str| -> Vec<ReaderSentence> {
            by_part.remove(&(block, item)).unwrap_or_else(|| vec![plain_sentence(text)])
        };
        body.iter()
            .enumerate()
            .map(|(b, block)| match block {
                Block::Paragraph { text } => ReaderBlock::Paragraph { sentences: sentences_of(b, 0, text) },
                Block::Heading { level, text } => ReaderBlock::Heading { level: *level, text: text.clone() },
                Block::List { ordered, items } => ReaderBlock::List {
                    ordered: *ordered,
                    items: items.iter().enumerate().map(|(i, text)| sentences_of(b, i, text)).collect(),
                },
                Block::Quote { text } => ReaderBlock::Quote { sentences: sentences_of(b, 0, text) },
            })
            .collect()
    }
}

fn plain_sentence(text: &str) -> ReaderSentence {
    ReaderSentence {
        anchor: String::new(),
        class: "",
        note: String::new(),
        segments: vec![Segment { text: text.to_owned(), speaker: String::new(), quoted: false }],
    }
}

fn reader_sentence(analysis: &Analysis, index: usize, sentence: &parallax_nlp::Sentence) -> ReaderSentence {
    use parallax_nlp::Stance;
    let class = match sentence.stance {
        Stance::Fact => "",
        Stance::Attributed => "s-attributed",
        Stance::Speculation => "s-speculation",
        Stance::UnnamedSource => "s-unnamed",
        Stance::Opinion => "s-opinion",
        Stance::Question => "s-question",
    };
    let note = if sentence.stance.is_hedged() {
        let mut note = capitalise(sentence.stance.label());
        if !sentence.cues.is_empty() {
            note.push_str(": ");
            note.push_str(&sentence.cues.join(", "));
        }
        note
    } else {
        String::new()
    };
    let text = sentence.text.as_str();
    let mut segments = Vec::new();
    let mut at = 0;
    let mut quotes: Vec<&parallax_nlp::Quote> =
        analysis.quotes.iter().filter(|q| q.sentence == index).collect();
    quotes.sort_by_key(|q| q.start);
    for quote in quotes {
        let valid = quote.start >= at
            && quote.end <= text.len()
            && text.is_char_boundary(quote.start)
            && text.is_char_boundary(quote.end);
        if !valid {
            continue;
        }
        if quote.start > at {
            segments.push(Segment {
                text: text[at..quote.start].to_owned(),
                speaker: String::new(),
                quoted: false,
            });
        }
        let mut speaker =
            quote.speaker.as_ref().map_or_else(|| "Speaker not named".to_owned(), |s| s.name.clone());
        if let Some(channel) = &quote.channel {
            speaker.push_str(" · via ");
            speaker.push_str(channel);
        }
        segments.push(Segment { text: text[quote.start..quote.end].to_owned(), speaker, quoted: true });
        at = quote.end;
    }
    if at < text.len() {
        segments.push(Segment { text: text[at..].to_owned(), speaker: String::new(), quoted: false });
    }
    ReaderSentence { anchor: sentence_anchor(index), class, note, segments }
}

/// The fragment id of sentence `index` of an article's analysis, for links from the story page.
pub(crate) fn sentence_anchor(index: usize) -> String {
    format!("s{index}")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What the analysis found in an article, for the reader view's side panel.
pub(crate) struct Findings {
    pub people: Vec<EntityLine>,
    pub organisations: Vec<EntityLine>,
    pub places: Vec<EntityLine>,
    pub dates: Vec<(String, String)>,
    pub hedged: usize,
    pub quotes: usize,
}

pub(crate) struct EntityLine {
    /// The entity's page.
    pub href: String,
    pub name: String,
    pub roles: String,
    pub mentions: usize,
}

impl Findings {
    pub(crate) fn new(analysis: &Analysis) -> Self {
        use parallax_nlp::EntityKind;
        let of_kind = |kind: EntityKind| -> Vec<EntityLine> {
            let mut lines: Vec<EntityLine> = analysis
                .entities
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| EntityLine {
                    href: crate::view::entity_href(&e.id),
                    name: e.name.clone(),
                    roles: e.roles.join("; "),
                    mentions: e.mentions.len(),
                })
                .collect();
            lines.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.name.cmp(&b.name)));
            lines
        };
        let mut dates: Vec<(String, String)> = Vec::new();
        for d in &analysis.dates {
            let resolved = date_value(&d.value);
            if !dates.iter().any(|(t, _)| *t == d.text) {
                dates.push((d.text.clone(), resolved));
            }
        }
        Findings {
            people: of_kind(EntityKind::Person),
            organisations: of_kind(EntityKind::Organisation),
            places: of_kind(EntityKind::Place),
            dates,
            hedged: analysis.body_sentences().filter(|(_, s)| s.stance.is_hedged()).count(),
            quotes: analysis.quotes.len(),
        }
    }
}

/// A resolved date for people: "1 Feb 2026", "May 2024", "around 25 Jan 2026", "unresolved".
fn date_value(value: &parallax_nlp::DateValue) -> String {
    use parallax_nlp::DateValue;
    match value {
        DateValue::Day { date } => date.format("%-d %b %Y").to_string(),
        DateValue::Month { year, month } => chrono::NaiveDate::from_ymd_opt(*year, *month, 1)
            .map_or_else(String::new, |d| d.format("%B %Y").to_string()),
        DateValue::Year { year } => year.to_string(),
        DateValue::Around { date, within_days } => {
            format!("{} ± {within_days} days", date.format("%-d %b %Y"))
        }
        DateValue::Unresolved { reason } => format!("unresolved: {reason}"),
    }
}
