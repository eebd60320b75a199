//! Language analysis of an article, pure and without I/O.
//!
//! [`analyze`] turns an [`Article`](parallax_core::Article) into an [`Analysis`]: its language; its
//! sentences, each with its [`Stance`] (fact, attributed, speculation, unnamed source, opinion,
//! question) and the cue words that decided it; the people, organisations and places it names, each
//! resolved to one canonical [`Entity`] with its roles; its dates resolved against the publication
//! date; its quantities; its quotations with their speakers and the media that relay them; and a
//! [`TermProfile`] of content words and names that clustering and comparison weigh.
//! [`EntityRegistry`] then gives entities one identity across articles.
//!
//! The pieces are usable on their own: [`split_sentences`] knows abbreviations such as "U.S." and
//! "Feb." and keeps a quotation of several sentences whole, [`words`] yields word tokens,
//! [`detect_language`] guesses the language from function words.
//!
//! ```
//! let sentences = parallax_nlp::split_sentences("Talks began in the U.S. on Feb. 1. They ended.");
//! assert_eq!(sentences, ["Talks began in the U.S. on Feb. 1.", "They ended."]);
//! ```

mod dates;
mod entities;
mod gazetteer;
mod language;
mod lexicon;
mod quotes;
mod registry;
mod sentences;
mod stance;
mod stopwords;
mod terms;
mod tokens;
mod values;

pub use dates::{DateMention, DateValue};
pub use entities::{Entity, EntityKind, Mention, entity_id};
pub use language::detect_language;
pub use quotes::{Quote, Speaker, SpeakerLink};
pub use registry::EntityRegistry;
pub use sentences::split_sentences;
pub use stance::Stance;
pub use stopwords::is_stopword;
pub use terms::{LEAD_SENTENCES, NAME_PREFIX, TermProfile};
pub use tokens::words;

use std::collections::HashSet;

use parallax_core::Article;
use serde::{Deserialize, Serialize};

use crate::tokens::{Token, tokenize};

/// The version of the analysis this build produces. Stored analyses of an older version are
/// recomputed, so that improvements reach articles already ingested.
pub const ANALYSIS_VERSION: u32 = 5;

/// What analysis finds in one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The [`ANALYSIS_VERSION`] that produced it (0 for analyses from before versions were kept).
    #[serde(default)]
    pub version: u32,
    /// ISO 639-1 code, when the text says enough to tell.
    pub language: Option<String>,
    /// The title, the image caption and credit, then the body's sentences in reading order.
    pub sentences: Vec<Sentence>,
    /// Content words and names of the title and body, with their weights.
    pub terms: TermProfile,
    /// The same of the title and the first [`LEAD_SENTENCES`] of the body: what the report leads with.
    #[serde(default)]
    pub lead_terms: TermProfile,
    /// The people, organisations and places named, in order of first mention.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Date expressions, resolved where the publication date allows.
    #[serde(default)]
    pub dates: Vec<DateMention>,
    /// Numbers, sums of money and percentages.
    #[serde(default)]
    pub values: Vec<values::ValueMention>,
    /// Quotations with their speakers.
    #[serde(default)]
    pub quotes: Vec<Quote>,
}

pub use values::{ValueKind, ValueMention};

/// One sentence and how it presents what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SentenceRecord")]
pub struct Sentence {
    pub text: String,
    /// Where in the article the sentence stands.
    pub part: Part,
    pub stance: Stance,
    /// The words that decided the stance ("analysts suggest", "may").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<String>,
}

/// Where a sentence stands in its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Title,
    Caption,
    Credit,
    /// Block `block` of the body; `item` counts list items (0 for other blocks).
    Body {
        block: usize,
        item: usize,
    },
}

/// A stored sentence: a plain string in analyses from before sentences carried their stance.
#[derive(Deserialize)]
#[serde(untagged)]
enum SentenceRecord {
    Plain(String),
    Full {
        text: String,
        part: Part,
        #[serde(default)]
        stance: Stance,
        #[serde(default)]
        cues: Vec<String>,
    },
}

impl From<SentenceRecord> for Sentence {
    fn from(record: SentenceRecord) -> Self {
        match record {
            SentenceRecord::Plain(text) => Sentence {
                text,
                part: Part::Body { block: 0, item: 0 },
                stance: Stance::Fact,
                cues: Vec::new(),
            },
            SentenceRecord::Full { text, part, stance, cues } => Sentence { text, part, stance, cues },
        }
    }
}

impl Sentence {
    /// Whether the sentence belongs to the article's body.
    pub fn in_body(&self) -> bool {
        matches!(self.part, Part::Body { .. })
    }
}

impl Analysis {
    /// The body's sentences with their indices into [`Analysis::sentences`].
    pub fn body_sentences(&self) -> impl Iterator<Item = (usize, &Sentence)> {
        self.sentences.iter().enumerate().filter(|(_, s)| s.in_body())
    }

    /// The entity with an id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    /// A plain-text account of everything found, section by section, for people reading or
    /// reviewing the analysis.
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from("## entities\n");
        for e in &self.entities {
            let roles =
                if e.roles.is_empty() { String::new() } else { format!(" — {}", e.roles.join("; ")) };
            let _ = writeln!(out, "{} {} ({} mentions){roles}", e.kind.as_str(), e.name, e.mentions.len());
        }
        out.push_str("\n## dates\n");
        for d in &self.dates {
            let _ = writeln!(out, "{:?} → {}", d.text, serde_json::to_string(&d.value).unwrap_or_default());
        }
        out.push_str("\n## values\n");
        for v in &self.values {
            let _ = writeln!(
                out,
                "{:?} = {} {}",
                v.text,
                v.value,
                serde_json::to_string(&v.kind).unwrap_or_default()
            );
        }
        out.push_str("\n## quotes\n");
        for q in &self.quotes {
            let speaker = q.speaker.as_ref().map_or("?".to_owned(), |s| format!("{} [{:?}]", s.name, s.via));
            let channel = q.channel.as_deref().map(|c| format!(" via {c}")).unwrap_or_default();
            let kind = if q.partial { "partial" } else { "full" };
            let _ = writeln!(
                out,
                "{speaker}{channel} ({kind}, {}): {:?}",
                q.cue.as_deref().unwrap_or("-"),
                q.text
            );
        }
        out.push_str("\n## sentences\n");
        for s in &self.sentences {
            let cues = if s.cues.is_empty() { String::new() } else { format!(" [{}]", s.cues.join(", ")) };
            let _ = writeln!(out, "{:<14}{cues} {}", s.stance.label(), s.text);
        }
        out
    }

    /// Whether this analysis was made by an older build and should be recomputed.
    pub fn is_outdated(&self) -> bool {
        self.version < ANALYSIS_VERSION
    }
}

/// A sentence with its tokens, as every analysis step reads it.
pub(crate) struct Prepared<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token<'a>>,
}

/// Tokenises a sentence; `lower` is its text with ASCII letters lower-cased.
pub(crate) fn prepare<'a>(text: &'a str, lower: &'a str) -> Prepared<'a> {
    Prepared { text, tokens: tokenize(text, lower) }
}

/// Tokenises a sentence written in a test.
#[cfg(test)]
pub(crate) fn prepare_static(text: &str) -> Prepared<'static> {
    let tokens = tokens::tokenize_static(text);
    let text = tokens.first().map_or("", |_| Box::leak(text.to_owned().into_boxed_str()));
    Prepared { text, tokens }
}

/// The words an article writes in lower case somewhere, so that the same word capitalised at a
/// sentence start is known to be an ordinary word.
pub(crate) fn lower_case_words<'a>(sentences: &[Prepared<'a>]) -> HashSet<&'a str> {
    sentences
        .iter()
        .flat_map(|s| &s.tokens)
        .filter(|t| t.is_word() && t.text.chars().next().is_some_and(char::is_lowercase))
        .map(|t| t.lower)
        .collect()
}

/// Analyses an article's title, image caption and credit, and body.
pub fn analyze(article: &Article) -> Analysis {
    let mut texts: Vec<(String, Part)> = Vec::new();
    if !article.title.trim().is_empty() {
        texts.push((article.title.trim().to_owned(), Part::Title));
    }
    if let Some(image) = &article.image {
        for sentence in image.caption.iter().flat_map(|c| split_sentences(c)) {
            texts.push((sentence, Part::Caption));
        }
        if let Some(credit) = image.credit.as_deref().filter(|c| !c.trim().is_empty()) {
            texts.push((credit.trim().to_owned(), Part::Credit));
        }
    }
    for (block_index, block) in article.body.iter().enumerate() {
        for (item, text) in block.texts().enumerate() {
            for sentence in split_sentences(text) {
                texts.push((sentence, Part::Body { block: block_index, item }));
            }
        }
    }
    let lowered: Vec<String> = texts.iter().map(|(t, _)| t.to_ascii_lowercase()).collect();
    let prepared: Vec<Prepared<'_>> = texts.iter().zip(&lowered).map(|((t, _), l)| prepare(t, l)).collect();
    let parts: Vec<Part> = texts.iter().map(|(_, p)| *p).collect();
    let lower_words = lower_case_words(&prepared);

    let mut entities = entities::recognise(&prepared, &lower_words);
    for entity in &mut entities {
        let only_credited = entity.mentions.iter().all(|m| parts[m.sentence] == Part::Credit);
        if only_credited
            && entity.kind == EntityKind::Person
            && !entity.roles.iter().any(|r| r == "photo credit")
        {
            entity.roles.push("photo credit".into());
        }
    }
    let quotes = quotes::find_quotes(&prepared, &parts, &entities);

    let published = article.published.map(|p| p.date_naive());
    let mut dates = Vec::new();
    let mut values = Vec::new();
    let mut sentences = Vec::with_capacity(texts.len());
    for (index, (sentence, (text, part))) in prepared.iter().zip(&texts).enumerate() {
        if *part == Part::Credit {
            sentences.push(Sentence {
                text: text.clone(),
                part: *part,
                stance: Stance::Fact,
                cues: Vec::new(),
            });
            continue;
        }
        let first_date = dates.len();
        dates::find_dates(index, sentence, published, &mut dates);
        let taken: Vec<(usize, usize)> = dates[first_date..].iter().map(|d| (d.start, d.end)).collect();
        values::find_values(index, sentence, &taken, &mut values);
        let attributed = quotes.iter().any(|q| q.sentence == index && q.speaker.is_some())
            || is_attributed(index, sentence, &entities);
        let (stance, cues) = stance::classify(&sentence.tokens, attributed);
        sentences.push(Sentence { text: text.clone(), part: *part, stance, cues });
    }

    let body: Vec<String> = sentences.iter().filter(|s| s.in_body()).map(|s| s.text.clone()).collect();
    let (terms, lead_terms) = TermProfile::with_lead(&article.title, &body);
    let language =
        article.language.clone().or_else(|| detect_language(&article.plain_text()).map(str::to_owned));
    Analysis {
        version: ANALYSIS_VERSION,
        language,
        sentences,
        terms,
        lead_terms,
        entities,
        dates,
        values,
        quotes,
    }
}

/// Whether a sentence attributes what it says: "according to ...", or a verb of saying after a named
/// person or organisation.
fn is_attributed(index: usize, sentence: &Prepared<'_>, entities: &[Entity]) -> bool {
    let tokens = &sentence.tokens;
    // Where the sentence first finishes naming a person or organisation.
    let first_named = entities
        .iter()
        .filter(|e| e.kind != EntityKind::Place)
        .flat_map(|e| &e.mentions)
        .filter(|m| m.sentence == index)
        .map(|m| m.end)
        .min();
    tokens.iter().enumerate().any(|(i, t)| {
        !t.quoted
            && ((t.is_any(&["according"]) && tokens.get(i + 1).is_some_and(|n| n.is_any(&["to"])))
                || (lexicon::is_speech_verb(t) && first_named.is_some_and(|end| end <= t.start)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_core::Block;

    #[test]
    fn analysis_covers_every_block_kind() {
        let mut article = Article::new("Floods in Valencia");
        article.body = vec![
            Block::Paragraph {
                text: "Heavy rain fell on the city overnight. The rivers rose and the roads were closed."
                    .into(),
            },
            Block::List { ordered: false, items: vec!["Schools closed.".into()] },
        ];
        let analysis = analyze(&article);
        let texts: Vec<&str> = analysis.body_sentences().map(|(_, s)| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Heavy rain fell on the city overnight.",
                "The rivers rose and the roads were closed.",
                "Schools closed."
            ]
        );
        assert_eq!(analysis.language.as_deref(), Some("en"));
        assert!(analysis.terms.weight("n:valencia") > 0.0);
    }
}
