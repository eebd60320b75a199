//! A story's comparison as one serialisable document: the story, its reports and their time span
//! beside the statements, conflicts, quotations and framing that [`compare`](crate::compare) found.
//! The command line prints it and the site's JSON API answers with it, so both give one shape.

use chrono::{DateTime, Utc};
use parallax_core::{ArticleId, Story, StoryId};
use serde::Serialize;

use crate::{Comparison, Conflict, Framing, SpeakerQuotes, Statement};

/// A story's comparison with what a reader needs to read it: which report each article id is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonDocument<'a> {
    /// The story compared.
    pub story: DocumentStory<'a>,
    /// The story's reports, in the story's order.
    pub articles: Vec<DocumentArticle<'a>>,
    /// When its reports were published.
    pub timeline: Timeline,
    /// Every statement.
    pub statements: &'a [Statement],
    /// Where outlets give different values.
    pub conflicts: &'a [Conflict],
    /// Each speaker's quotations across the reports.
    pub quotes: &'a [SpeakerQuotes],
    /// How each outlet presents the story.
    pub framing: &'a [Framing],
}

/// The story a [`ComparisonDocument`] compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentStory<'a> {
    /// Its id.
    pub id: StoryId,
    /// Its headline.
    pub title: &'a str,
}

/// One report of the story compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentArticle<'a> {
    /// The article's id, as statements and quotations name it.
    pub id: ArticleId,
    /// Its outlet, `None` when unattributed.
    pub outlet: Option<&'a str>,
    /// When it was published, if known.
    pub published: Option<DateTime<Utc>>,
    /// Its headline.
    pub title: &'a str,
}

/// The earliest and latest known publication times of a story's reports; both `None` when no
/// report gives one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Timeline {
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

impl<'a> ComparisonDocument<'a> {
    /// The document of `comparison`, the comparison of `story`'s reports.
    pub fn new(story: &'a Story, comparison: &'a Comparison) -> Self {
        let articles = story
            .articles
            .iter()
            .map(|a| DocumentArticle {
                id: a.id,
                outlet: a.outlet.as_deref(),
                published: a.published,
                title: &a.title,
            })
            .collect();
        let span = story.time_span();
        ComparisonDocument {
            story: DocumentStory { id: story.id, title: &story.title },
            articles,
            timeline: Timeline { first: span.map(|(first, _)| first), last: span.map(|(_, last)| last) },
            statements: &comparison.statements,
            conflicts: &comparison.conflicts,
            quotes: &comparison.quotes,
            framing: &comparison.framing,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use parallax_core::ArticleSummary;

    use super::*;
    use crate::test_support::{analysed, report};

    fn summary(id: i64, outlet: Option<&str>, published: Option<DateTime<Utc>>) -> ArticleSummary {
        ArticleSummary {
            id: ArticleId(id),
            title: format!("Report {id}"),
            outlet: outlet.map(str::to_owned),
            published,
            lead: String::new(),
            image_url: None,
            outlet_id: None,
            ingested_at: DateTime::default(),
        }
    }

    #[test]
    fn the_document_lists_the_reports_and_their_span_beside_the_comparison() {
        let day = |d| Utc.with_ymd_and_hms(2026, 2, d, 8, 0, 0).single();
        let story = Story {
            id: StoryId(4),
            title: "Talks in Beijing".into(),
            created_at: Utc::now(),
            articles: vec![
                summary(1, Some("A"), day(2)),
                summary(2, None, None),
                summary(3, Some("B"), day(1)),
            ],
        };
        let a = analysed("Sergei Shoigu met Wang Yi in Beijing on Sunday.");
        let b = analysed("Wang Yi met Sergei Shoigu in Beijing.");
        let comparison = crate::compare(&[report(1, Some("A"), &a), report(3, Some("B"), &b)]);
        let document = ComparisonDocument::new(&story, &comparison);
        assert_eq!(document.story, DocumentStory { id: StoryId(4), title: "Talks in Beijing" });
        let ids: Vec<i64> = document.articles.iter().map(|a| a.id.get()).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(document.articles[1].outlet, None);
        assert_eq!(document.timeline, Timeline { first: day(1), last: day(2) });
        assert_eq!(document.statements, comparison.statements.as_slice());
    }

    #[test]
    fn a_story_without_dates_has_an_empty_timeline() {
        let story = Story {
            id: StoryId(1),
            title: String::new(),
            created_at: Utc::now(),
            articles: vec![summary(1, None, None)],
        };
        let comparison = Comparison::default();
        let document = ComparisonDocument::new(&story, &comparison);
        assert_eq!(document.timeline, Timeline { first: None, last: None });
    }
}
