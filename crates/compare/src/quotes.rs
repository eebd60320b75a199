//! Each speaker's words as every report renders them: the quotations of a story grouped by who said
//! them, so that one outlet's rendition can be read beside another's.

use std::collections::HashMap;

use parallax_core::ArticleId;
use parallax_nlp::Quote;
use serde::{Deserialize, Serialize};

use crate::align::Report;
use crate::features::word_features;

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
    /// Pairs of renditions, from different reports or channels, of the same remarks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_remarks: Vec<SameRemarks>,
}

/// Two renditions of the same remarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SameRemarks {
    /// Indices into the speaker's renditions.
    pub renditions: [usize; 2],
    /// How closely the words match.
    pub kind: Match,
}

/// How closely two renditions of the same remarks match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The same words.
    Exact,
    /// One quotes part of the other, or both quote a run of the same words.
    Partial,
    /// Different words for the same remarks.
    Paraphrase,
}

impl Match {
    /// How a reader is told the renditions compare ("partly the same words").
    pub fn label(self) -> &'static str {
        match self {
            Match::Exact => "the same words",
            Match::Partial => "partly the same words",
            Match::Paraphrase => "paraphrased",
        }
    }
}

impl SpeakerQuotes {
    /// The renditions of each remark two or more renditions render, in order of first rendition.
    pub fn remarks(&self) -> Vec<Vec<usize>> {
        let remark = remark_of(self.renditions.len(), &self.same_remarks);
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, &group) in remark.iter().enumerate() {
            let members: Vec<usize> = (0..remark.len()).filter(|&k| remark[k] == group).collect();
            if members.len() > 1 && members[0] == i {
                groups.push(members);
            }
        }
        groups
    }

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
    quotes_with_statements(reports, |_, _| false)
}

/// [`quotes_by_speaker`], with `one_statement` telling which sentences alignment made one
/// statement: a speaker's renditions in sentences saying the same thing render the same remarks,
/// whatever words each outlet quotes.
pub(crate) fn quotes_with_statements(
    reports: &[Report<'_>],
    one_statement: impl Fn(&Rendition, &Rendition) -> bool,
) -> Vec<SpeakerQuotes> {
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
                    same_remarks: Vec::new(),
                });
                speakers.len() - 1
            });
            speakers[at].renditions.push(rendition(report.article, quote));
        }
    }
    for speaker in &mut speakers {
        speaker.same_remarks = same_remarks(&speaker.renditions, &one_statement);
    }
    // A stable sort keeps the order of first quotation among equals.
    speakers.sort_by_key(|s| std::cmp::Reverse(s.articles().len()));
    speakers
}

/// Words in a row both renditions quote that make them one remark.
const SHARED_RUN: usize = 5;
/// The fewest words of a short rendition found whole in a longer one for it to quote part of it.
const SHORTEST_PART: usize = 3;
/// Least share of the shorter rendition's content words the other must have for a paraphrase.
const PARAPHRASE_SHARE: f32 = 0.3;

/// The pairs of renditions that render the same remarks: from different reports, or from one
/// report through different channels. Sameness carries over: renditions each matching a third are
/// the same remarks too, and are paired as paraphrases when their own words do not match.
fn same_remarks(
    renditions: &[Rendition],
    one_statement: impl Fn(&Rendition, &Rendition) -> bool,
) -> Vec<SameRemarks> {
    let words: Vec<Vec<String>> = renditions.iter().map(|r| normalised_words(&r.text)).collect();
    let features: Vec<Vec<String>> = renditions.iter().map(|r| word_features(&r.text)).collect();
    let comparable = |i: usize, j: usize| {
        let (a, b) = (&renditions[i], &renditions[j]);
        a.article != b.article || a.channel != b.channel
    };
    let kind = |i: usize, j: usize| {
        if words[i] == words[j] {
            Some(Match::Exact)
        } else if shares_run(&words[i], &words[j]) {
            Some(Match::Partial)
        } else {
            let shared = features[i].iter().filter(|f| features[j].binary_search(f).is_ok()).count();
            let shorter = features[i].len().min(features[j].len()).max(1);
            let alike = shared >= 2 && shared as f32 / shorter as f32 >= PARAPHRASE_SHARE;
            (alike || one_statement(&renditions[i], &renditions[j])).then_some(Match::Paraphrase)
        }
    };
    let mut pairs = Vec::new();
    for i in 0..renditions.len() {
        for j in i + 1..renditions.len() {
            if comparable(i, j)
                && let Some(kind) = kind(i, j)
            {
                pairs.push(SameRemarks { renditions: [i, j], kind });
            }
        }
    }
    let remark = remark_of(renditions.len(), &pairs);
    let paired: std::collections::HashSet<[usize; 2]> = pairs.iter().map(|p| p.renditions).collect();
    for i in 0..renditions.len() {
        for j in i + 1..renditions.len() {
            if remark[i] == remark[j] && comparable(i, j) && !paired.contains(&[i, j]) {
                pairs.push(SameRemarks { renditions: [i, j], kind: Match::Paraphrase });
            }
        }
    }
    pairs.sort_by_key(|p| p.renditions);
    pairs
}

/// For each of `count` renditions, the remark it renders: renditions paired directly or through a
/// third share the first one's index.
fn remark_of(count: usize, pairs: &[SameRemarks]) -> Vec<usize> {
    let mut remark: Vec<usize> = (0..count).collect();
    for pair in pairs {
        let [a, b] = pair.renditions;
        let (from, to) = (remark[b], remark[a]);
        remark.iter_mut().filter(|r| **r == from).for_each(|r| *r = to);
    }
    remark
}

/// The words of a text, lower-cased, without punctuation.
fn normalised_words(text: &str) -> Vec<String> {
    parallax_nlp::words(text)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether two renditions share a run of [`SHARED_RUN`] words, or the whole of a shorter one of at
/// least [`SHORTEST_PART`] words ("not stop tonight"); a word or two in common is no partial quote.
fn shares_run(a: &[String], b: &[String]) -> bool {
    let run = SHARED_RUN.min(a.len()).min(b.len());
    run >= SHORTEST_PART && a.windows(run).any(|window| b.windows(run).any(|other| other == window))
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

    #[test]
    fn renditions_of_the_same_remarks_are_paired() {
        let rendition = |article: i64, text: &str, channel: Option<&str>| Rendition {
            article: ArticleId(article),
            sentence: 0,
            text: text.into(),
            partial: false,
            channel: channel.map(str::to_owned),
        };
        let renditions = [
            rendition(1, "Our city will rebuild the old bridge before next winter.", None),
            rendition(2, "Our city will rebuild the old bridge before next winter", Some("Radio Velm")),
            rendition(2, "rebuild the old bridge before next winter", None),
            rendition(3, "The old bridge will be rebuilt by the city before winter comes", None),
            rendition(3, "Nothing about the budget is settled", None),
        ];
        let pairs: Vec<([usize; 2], Match)> =
            same_remarks(&renditions, |_, _| false).into_iter().map(|p| (p.renditions, p.kind)).collect();
        assert!(pairs.contains(&([0, 1], Match::Exact)), "{pairs:?}");
        assert!(pairs.contains(&([0, 2], Match::Partial)), "{pairs:?}");
        assert!(pairs.contains(&([0, 3], Match::Paraphrase)), "{pairs:?}");
        assert!(!pairs.iter().any(|(p, _)| p.contains(&4)), "{pairs:?}");
        let speaker = SpeakerQuotes {
            speaker: "Mayor".into(),
            entity: None,
            renditions: renditions.to_vec(),
            same_remarks: same_remarks(&renditions, |_, _| false),
        };
        assert_eq!(speaker.remarks(), [vec![0, 1, 2, 3]]);
    }
}
