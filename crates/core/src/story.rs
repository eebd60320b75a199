//! Stories (groups of reports of one event) and the summaries pages list.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{ArticleId, OutletId, StoryId};

/// A publication that reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlet {
    /// Its id.
    pub id: OutletId,
    /// Its display name ("People News", "bbc.co.uk").
    pub name: String,
}

/// What a list of reports shows of each one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// The article's id.
    pub id: ArticleId,
    /// Its headline.
    pub title: String,
    /// Its outlet, `None` when unattributed.
    pub outlet: Option<String>,
    /// When it was published, if known.
    pub published: Option<DateTime<Utc>>,
    /// Its first paragraph.
    pub lead: String,
    /// The lead image's address, if any.
    pub image_url: Option<String>,
    /// Its outlet's id, `None` when unattributed.
    #[serde(default)]
    pub outlet_id: Option<OutletId>,
    /// When it was stored: the time it goes by where it gives none of its own.
    #[serde(default)]
    pub ingested_at: DateTime<Utc>,
}

/// A story with its reports, as listed on the front page and in `parallax stories`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// Its id.
    pub id: StoryId,
    /// Its headline: that of its first report.
    pub title: String,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// Its reports, earliest first.
    pub articles: Vec<ArticleSummary>,
}

impl Story {
    /// The outlets known to cover the story: each named outlet once, and all the reports that name
    /// none as one more, since nothing says they come from different sources.
    pub fn outlet_count(&self) -> usize {
        self.outlet_names().len() + usize::from(self.articles.iter().any(|a| a.outlet.is_none()))
    }

    /// The names of the outlets covering the story, in order, each once; reports naming none are
    /// left out.
    pub fn outlet_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.articles.iter().filter_map(|a| a.outlet.as_deref()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The earliest and latest known publication times.
    pub fn time_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let mut times = self.articles.iter().filter_map(|a| a.published);
        let first = times.next()?;
        Some(times.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
    }
}

/// A story's headline facts without its reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorySummary {
    /// Its id.
    pub id: StoryId,
    /// Its headline.
    pub title: String,
    /// Number of reports.
    pub article_count: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: i64, outlet: Option<&str>) -> ArticleSummary {
        ArticleSummary {
            id: ArticleId(id),
            title: String::new(),
            outlet: outlet.map(str::to_owned),
            published: None,
            lead: String::new(),
            image_url: None,
            outlet_id: None,
            ingested_at: DateTime::default(),
        }
    }

    #[test]
    fn outlet_count_counts_unattributed_reports_as_one() {
        let story = Story {
            id: StoryId(1),
            title: "t".into(),
            created_at: Utc::now(),
            articles: vec![summary(1, Some("A")), summary(2, Some("A")), summary(3, None), summary(4, None)],
        };
        assert_eq!(story.outlet_count(), 2);
        assert_eq!(story.outlet_names(), ["A"]);
        assert_eq!(story.time_span(), None);
    }
}
