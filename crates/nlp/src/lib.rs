//! Language analysis of an article, pure and without I/O.
//!
//! [`analyze`] turns an [`Article`](parallax_core::Article) into an [`Analysis`]: its language, its
//! sentences, and a [`TermProfile`] of content words and names that clustering and comparison weigh.
//! The pieces are usable on their own: [`split_sentences`] knows abbreviations such as "U.S." and
//! "Feb.", [`words`] yields word tokens, [`detect_language`] guesses the language from function words.
//!
//! ```
//! let sentences = parallax_nlp::split_sentences("Talks began in the U.S. on Feb. 1. They ended.");
//! assert_eq!(sentences, ["Talks began in the U.S. on Feb. 1.", "They ended."]);
//! ```

mod language;
mod sentences;
mod stopwords;
mod terms;
mod tokens;

pub use language::detect_language;
pub use sentences::split_sentences;
pub use stopwords::is_stopword;
pub use terms::{NAME_PREFIX, TermProfile};
pub use tokens::words;

use parallax_core::{Article, Block};
use serde::{Deserialize, Serialize};

/// What analysis finds in one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// ISO 639-1 code, when the text says enough to tell.
    pub language: Option<String>,
    /// The body's sentences in reading order (title excluded).
    pub sentences: Vec<String>,
    /// Content words and names with their weights.
    pub terms: TermProfile,
}

/// Analyses an article's title and body.
pub fn analyze(article: &Article) -> Analysis {
    let mut sentences = Vec::new();
    for text in article.body.iter().flat_map(Block::texts) {
        sentences.extend(split_sentences(text));
    }
    let body = article.plain_text();
    let language = article.language.clone().or_else(|| detect_language(&body).map(str::to_owned));
    let terms = TermProfile::from_text(&article.title, &sentences);
    Analysis { language, sentences, terms }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            analysis.sentences,
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
