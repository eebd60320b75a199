//! Each speaker's words as every report renders them: the quotations of a story grouped by who said
//! them, so that one outlet's rendition can be read beside another's.

use std::collections::HashMap;

use parallax_core::ArticleId;
use parallax_nlp::Quote;
use serde::{Deserialize, Serialize};

use crate::align::Report;

/// One speaker's quotations across a story's reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerQuotes {
    /// The speaker's canonical name.
    pub speaker: String,
    /// The entity id, when the speaker is a named entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Every quotation, report by report in the order given, each in reading order.
    pub renditions: Vec<Rendition>,
}

impl SpeakerQuotes {
    /// The articles that quote the speaker.
    pub fn articles(&self) -> Vec<ArticleId> {
        let mut articles: Vec<ArticleId> = self.renditions.iter().map(|r| r.article).collect();
        articles.dedup();
        articles
    }
}

/// One report's rendition of a speaker's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendition {
    /// The article.
    pub article: ArticleId,
    /// The sentence's index in the article's analysis.
    pub sentence: usize,
    /// The quoted words.
    pub text: String,
    /// Whether only part of a sentence is quoted.
    pub partial: bool,
    /// The medium the report says relays the words ("TASS", "Chinese state media").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// Groups the reports' attributed quotations by speaker. Named entities are one speaker across
/// reports; a speaker described but not named ("a spokesman") is only the same within one report.
/// Speakers quoted by the most reports come first, then in order of first quotation.
pub fn quotes_by_speaker(reports: &[Report<'_>]) -> Vec<SpeakerQuotes> {
    let mut speakers: Vec<SpeakerQuotes> = Vec::new();
    let mut index: HashMap<(Option<ArticleId>, String), usize> = HashMap::new();
    for report in reports {
        for quote in &report.analysis.quotes {
            let Some(speaker) = &quote.speaker else { continue };
            let key = match &speaker.entity {
                Some(entity) => (None, entity.clone()),
                None => (Some(report.article), speaker.name.clone()),
            };
            let at = *index.entry(key).or_insert_with(|| {
                speakers.push(SpeakerQuotes {
                    speaker: speaker.name.clone(),
                    entity: speaker.entity.clone(),
                    renditions: Vec::new(),
                });
                speakers.len() - 1
            });
            speakers[at].renditions.push(rendition(report.article, quote));
        }
    }
    // A stable sort keeps the order of first quotation among equals.
    speakers.sort_by_key(|s| std::cmp::Reverse(s.articles().len()));
    speakers
}

fn rendition(article: ArticleId, quote: &Quote) -> Rendition {
    Rendition {
        article,
        sentence: quote.sentence,
        text: quote.text.clone(),
        partial: quote.partial,
        channel: quote.channel.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analysed, report};

    #[test]
    fn one_speaker_across_reports_and_unnamed_speakers_apart() {
        let a = analysed(
            "“We will firmly support Beijing on the Taiwan issue,” Sergei Shoigu said, according to TASS. \
             “Nothing was signed,” a spokesman said.",
        );
        let mut b = analysed(
            "“Russia will firmly support Beijing on Taiwan,” Shoigu told reporters. \
             “Talks went well,” a spokesman said.",
        );
        // As ingest does: names learnt from one report resolve those of the next.
        let mut registry = parallax_nlp::EntityRegistry::new();
        registry.learn(&a);
        registry.link(&mut b);
        let speakers = quotes_by_speaker(&[report(1, Some("outlet 1"), &a), report(2, Some("outlet 2"), &b)]);
        let shoigu = &speakers[0];
        assert!(shoigu.speaker.contains("Shoigu"), "{speakers:#?}");
        assert_eq!(shoigu.articles(), [ArticleId(1), ArticleId(2)], "{speakers:#?}");
        assert_eq!(shoigu.renditions[0].channel.as_deref(), Some("TASS"));
        let spokesmen: Vec<&SpeakerQuotes> = speakers.iter().filter(|s| s.entity.is_none()).collect();
        assert_eq!(spokesmen.len(), 2, "{speakers:#?}");
        assert!(spokesmen.iter().all(|s| s.articles().len() == 1));
    }
}
