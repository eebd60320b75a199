//! One report as extracted: metadata plus a body of blocks.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::{ArticleId, StoryId};

/// One report of an event, as extracted from a page, feed item or file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The headline, given or derived from the lead.
    pub title: String,
    /// The publication's name; `None` when the source names none (shown as unattributed).
    pub outlet: Option<String>,
    /// Authors, in the order given.
    #[serde(default)]
    pub byline: Vec<String>,
    /// The place the report was filed from ("Beijing").
    pub dateline: Option<String>,
    /// When the report was published, if known, with the offset the source gave.
    pub published: Option<DateTime<FixedOffset>>,
    /// When the report was last changed, if stated.
    #[serde(default)]
    pub modified: Option<DateTime<FixedOffset>>,
    /// The publisher's summary of the report.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the report lives, canonicalised when known.
    pub url: Option<String>,
    /// ISO 639-1 code of the report's language, when known.
    pub language: Option<String>,
    /// The lead image with its caption and credit.
    pub image: Option<Image>,
    /// The article text in reading order.
    #[serde(default)]
    pub body: Vec<Block>,
}

impl Article {
    /// An article with only a title; everything else empty.
    pub fn new(title: impl Into<String>) -> Self {
        Article {
            title: title.into(),
            outlet: None,
            byline: Vec::new(),
            dateline: None,
            published: None,
            modified: None,
            description: None,
            url: None,
            language: None,
            image: None,
            body: Vec::new(),
        }
    }

    /// The first paragraph, the report's lead.
    pub fn lead(&self) -> Option<&str> {
        self.body.iter().find_map(|block| match block {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
    }

    /// The body as plain text, one block per line, list items on their own lines.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for text in self.body.iter().flat_map(Block::texts) {
            out.push_str(text);
            out.push('\n');
        }
        out
    }

    /// Number of words in the body.
    pub fn word_count(&self) -> usize {
        self.plain_text().split_whitespace().count()
    }
}

/// A piece of an article body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of running text.
    Paragraph { text: String },
    /// A subheading inside the article; `level` 2 to 6.
    Heading { level: u8, text: String },
    /// A bulleted or numbered list.
    List { ordered: bool, items: Vec<String> },
    /// A block quotation.
    Quote { text: String },
}

impl Block {
    /// The block's pieces of text: its text, or each list item.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let (single, items): (Option<&str>, &[String]) = match self {
            Block::Paragraph { text } | Block::Heading { text, .. } | Block::Quote { text } => {
                (Some(text), &[])
            }
            Block::List { items, .. } => (None, items),
        };
        single.into_iter().chain(items.iter().map(String::as_str))
    }
}

/// An image with what is said about it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Image {
    /// Where the image is, when known.
    pub url: Option<String>,
    /// The caption ("Chinese Foreign Minister Wang Yi.").
    pub caption: Option<String>,
    /// Who made it ("Kevin Frayer/Getty Images").
    pub credit: Option<String>,
}

/// An article as kept in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredArticle {
    /// Its id.
    pub id: ArticleId,
    /// The story it belongs to.
    pub story: Option<StoryId>,
    /// When it was ingested.
    pub ingested_at: DateTime<Utc>,
    /// Hex SHA-256 of its normalised text, the key when no URL is known.
    pub content_hash: String,
    /// The extracted article itself.
    #[serde(flatten)]
    pub article: Article,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_list_items_on_their_own_lines() {
        let mut article = Article::new("t");
        article.body = vec![
            Block::Paragraph { text: "One.".into() },
            Block::List { ordered: false, items: vec!["a".into(), "b".into()] },
        ];
        assert_eq!(article.plain_text(), "One.\na\nb\n");
        assert_eq!(article.word_count(), 3);
    }

    #[test]
    fn blocks_serialise_with_a_kind_tag() {
        let json = serde_json::to_string(&Block::Quote { text: "x".into() }).unwrap();
        assert_eq!(json, r#"{"kind":"quote","text":"x"}"#);
    }
}
