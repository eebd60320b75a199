//! What the site's listings read beyond single stories and articles: full-text search, the people,
//! organisations and places reports name, the outlets that publish them, and how stories rank.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use parallax_core::{ArticleSummary, OutletId, StoryId};
use parallax_nlp::EntityKind;
use serde::Serialize;

use crate::Page;

/// How search results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchOrder {
    /// Best match first (BM25, a title match counting more than one in the body).
    #[default]
    Relevance,
    /// Most recently published first.
    Newest,
}

/// A search: words to find, narrowed by outlet, entity and publication time.
///
/// The text is read as a reader types it: words must all occur (in any form the stemmer folds
/// together: "meeting" finds "meetings"), `"quoted words"` must occur together, and `-word` must not
/// occur. Punctuation is ignored. An empty text with a filter lists what the filter allows, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the reader typed.
    pub text: String,
    /// Only reports of this outlet.
    pub outlet: Option<OutletId>,
    /// Only reports naming this entity (its canonical id, "person:sergei-shoigu").
    pub entity: Option<String>,
    /// Only reports published at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only reports published before this time.
    pub until: Option<DateTime<Utc>>,
    /// The order of the results.
    pub order: SearchOrder,
    /// Which results.
    pub page: Page,
}

/// Results per page unless asked otherwise.
pub const SEARCH_PAGE: u32 = 20;

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            outlet: None,
            entity: None,
            since: None,
            until: None,
            order: SearchOrder::default(),
            page: Page { offset: 0, limit: SEARCH_PAGE },
        }
    }
}

impl SearchQuery {
    /// A search for these words, first page.
    pub fn words(text: impl Into<String>) -> Self {
        SearchQuery { text: text.into(), ..SearchQuery::default() }
    }

    /// Narrowed to reports published from the day `first` to the day `last`, both included (either
    /// end open when `None`); refused when the range is empty or a day lies outside the years 1 to
    /// 9999, which stored times cannot hold.
    pub fn on_days(mut self, first: Option<NaiveDate>, last: Option<NaiveDate>) -> Result<Self, String> {
        for day in [first, last].into_iter().flatten() {
            if !(1..=9999).contains(&day.year()) {
                return Err(format!("{day} is not a day between the years 1 and 9999"));
            }
        }
        if let (Some(first), Some(last)) = (first, last)
            && first > last
        {
            return Err("the date range ends before it starts".to_owned());
        }
        let start = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
        self.since = first.map(start);
        self.until = last.map(|day| day.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, start));
        Ok(self)
    }

    /// Whether the query asks for nothing at all (no words, no filter).
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.outlet.is_none()
            && self.entity.is_none()
            && self.since.is_none()
            && self.until.is_none()
    }
}

/// A piece of text with the words that matched marked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Snippet(pub Vec<SnippetPart>);

/// A run of a snippet: matched or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnippetPart {
    /// The text.
    pub text: String,
    /// Whether these are words the query found.
    pub matched: bool,
}

impl Snippet {
    /// The text without marks.
    pub fn text(&self) -> String {
        self.0.iter().map(|p| p.text.as_str()).collect()
    }

    /// Reads text in which each matched run is wrapped in `start` and `end`.
    pub fn parse_marked(marked: &str, start: char, end: char) -> Self {
        let mut parts = Vec::new();
        let mut rest = marked;
        while let Some(at) = rest.find(start) {
            if at > 0 {
                parts.push(SnippetPart { text: rest[..at].to_owned(), matched: false });
            }
            let inside = &rest[at + start.len_utf8()..];
            let (matched, after) = match inside.find(end) {
                Some(close) => (&inside[..close], &inside[close + end.len_utf8()..]),
                None => (inside, ""),
            };
            if !matched.is_empty() {
                parts.push(SnippetPart { text: matched.to_owned(), matched: true });
            }
            rest = after;
        }
        if !rest.is_empty() {
            parts.push(SnippetPart { text: rest.to_owned(), matched: false });
        }
        Snippet(parts)
    }
}

/// One report a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The report.
    pub article: ArticleSummary,
    /// Its title with the matched words marked.
    pub title: Snippet,
    /// A passage of its body around the matched words (its lead when the search had no words).
    pub snippet: Snippet,
    /// Its story.
    pub story: StoryId,
    /// The story's headline.
    pub story_title: String,
}

/// A story with reports a search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryMatch {
    /// The story.
    pub id: StoryId,
    /// Its headline.
    pub title: String,
    /// How many of its reports matched.
    pub matched: u64,
    /// How many reports it has.
    pub reports: u64,
    /// How many outlets cover it (reports naming none counting as one).
    pub outlets: u64,
}

/// One page of search results.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many reports match in all.
    pub total: u64,
    /// The reports on this page.
    pub hits: Vec<SearchHit>,
    /// The stories with the best-matching reports (on the first page only).
    pub stories: Vec<StoryMatch>,
}

/// A person, organisation or place, as reports name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRecord {
    /// Its canonical id ("person:sergei-shoigu").
    pub id: String,
    /// The name reports most often give it.
    pub name: String,
    /// What it is.
    pub kind: EntityKind,
    /// How many reports name it.
    pub articles: u64,
    /// How many stories those reports belong to.
    pub stories: u64,
}

/// An entity named in some reports, with how much they name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityMention {
    /// Its canonical id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: EntityKind,
    /// How many of the reports name it.
    pub articles: u64,
    /// How many times they name it in all.
    pub mentions: u64,
}

/// Body sentences of some reports counted by how they present what they say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StanceCounts {
    /// Body sentences in all.
    pub sentences: u64,
    /// Stated as fact.
    pub stated: u64,
    /// Attributed to a named source.
    pub attributed: u64,
    /// Hedged ("may", "likely").
    pub hedged: u64,
    /// Put to unnamed sources ("analysts suggest").
    pub unnamed: u64,
    /// The writer's own judgement.
    pub opinion: u64,
    /// Questions the writer asks.
    pub question: u64,
}

impl StanceCounts {
    /// The six counts in order (stated, attributed, hedged, unnamed, opinion, question) as whole
    /// percentages of the sentences.
    pub fn percentages(&self) -> [u32; 6] {
        let share = |n: u64| {
            if self.sentences == 0 { 0 } else { ((n as f64 * 100.0) / self.sentences as f64).round() as u32 }
        };
        [self.stated, self.attributed, self.hedged, self.unnamed, self.opinion, self.question].map(share)
    }
}

/// An outlet and what Parallax holds of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutletRecord {
    /// Its id.
    pub id: OutletId,
    /// Its name.
    pub name: String,
    /// Its site, when a followed feed gave one.
    pub site_url: Option<String>,
    /// Reports stored from it.
    pub articles: u64,
    /// Stories those reports belong to.
    pub stories: u64,
    /// The earliest and latest publication times of its reports.
    pub first_published: Option<DateTime<Utc>>,
    pub last_published: Option<DateTime<Utc>>,
    /// How its reports present what they say.
    pub stances: StanceCounts,
}

/// A story's place in listings: enough to link it and say when it last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryHead {
    /// Its id.
    pub id: StoryId,
    /// Its headline.
    pub title: String,
    /// When a report last joined it (or it last merged or split).
    pub updated_at: DateTime<Utc>,
    /// How many reports it has.
    pub reports: u64,
    /// How many outlets cover it (reports naming none counting as one).
    pub outlets: u64,
}

// What both stores' listings and search share.

/// How far ahead of its latest report a story ranks for each doubling of the outlets covering it:
/// a story two outlets cover ranks as if it were a day newer than one only one outlet covers, one
/// eight outlets cover as if three days newer.
pub(crate) const BREADTH_SECONDS_PER_DOUBLING: f64 = 24.0 * 3600.0;

/// Marks around matched words in snippets; control characters, which article text never holds
/// (they are removed before indexing), so that the marks cannot be confused with the text.
pub(crate) const MATCH_START: char = '\u{1}';
pub(crate) const MATCH_END: char = '\u{2}';

/// Words of context a snippet shows.
pub(crate) const SNIPPET_WORDS: u32 = 28;

/// Stories listed beside the first page of search results.
pub(crate) const MATCHING_STORIES: u32 = 5;

/// Words and phrases read of a query, wanted and unwanted each: a reader never types more, and
/// every one is a clause of the query the database plans.
pub(crate) const MAX_TERMS: usize = 32;

/// What a reader typed, read as words and phrases that must occur and ones that must not.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct QueryTerms {
    /// What must occur.
    pub(crate) wanted: Vec<String>,
    /// What must not.
    pub(crate) unwanted: Vec<String>,
}

impl QueryTerms {
    /// Reads the text as SQLite's search does, or `None` when it holds no word to look for: words
    /// split at spaces, `"quoted words"` kept together, a leading `-` excluding what follows, and
    /// terms without a letter or digit dropped.
    pub(crate) fn read(text: &str) -> Option<QueryTerms> {
        let mut terms = QueryTerms { wanted: Vec::new(), unwanted: Vec::new() };
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let negated = rest.starts_with('-');
            if negated {
                rest = &rest[1..];
            }
            let term;
            if let Some(phrase) = rest.strip_prefix('"') {
                let end = phrase.find('"').unwrap_or(phrase.len());
                term = &phrase[..end];
                rest = phrase.get(end + 1..).unwrap_or("");
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                term = &rest[..end];
                rest = &rest[end..];
            }
            rest = rest.trim_start();
            if !term.chars().any(char::is_alphanumeric) {
                continue;
            }
            // Control characters are never indexed, and PostgreSQL refuses NUL in text.
            let term = term.replace(char::is_control, " ");
            if negated { terms.unwanted.push(term) } else { terms.wanted.push(term) }
        }
        if terms.wanted.is_empty() {
            return None;
        }
        terms.wanted.truncate(MAX_TERMS);
        terms.unwanted.truncate(MAX_TERMS);
        Some(terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_snippets_split_into_runs() {
        let s = Snippet::parse_marked("…the \u{1}talks\u{2} in \u{1}Beijing\u{2}", '\u{1}', '\u{2}');
        let runs: Vec<(&str, bool)> = s.0.iter().map(|p| (p.text.as_str(), p.matched)).collect();
        assert_eq!(runs, [("…the ", false), ("talks", true), (" in ", false), ("Beijing", true)]);
        assert_eq!(s.text(), "…the talks in Beijing");
        let unclosed = Snippet::parse_marked("a \u{1}b", '\u{1}', '\u{2}');
        assert_eq!(unclosed.0.last().map(|p| p.matched), Some(true));
    }

    #[test]
    fn day_ranges_include_both_days_and_refuse_what_cannot_be() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let q = SearchQuery::default().on_days(Some(day("2026-02-01")), Some(day("2026-02-01"))).unwrap();
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-02-01T00:00:00+00:00");
        assert_eq!(q.until.unwrap().to_rfc3339(), "2026-02-02T00:00:00+00:00");
        assert!(SearchQuery::default().on_days(Some(day("2026-02-03")), Some(day("2026-02-01"))).is_err());
        let far = NaiveDate::from_ymd_opt(10000, 1, 1).unwrap();
        assert!(SearchQuery::default().on_days(Some(far), None).unwrap_err().contains("9999"));
        assert!(SearchQuery::default().on_days(None, Some(day("9999-12-31"))).is_ok());
    }

    #[test]
    fn percentages_round_and_survive_no_sentences() {
        let counts = StanceCounts { sentences: 3, stated: 2, question: 1, ..Default::default() };
        assert_eq!(counts.percentages(), [67, 0, 0, 0, 0, 33]);
        assert_eq!(StanceCounts::default().percentages(), [0; 6]);
    }
}
