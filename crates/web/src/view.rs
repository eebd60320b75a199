//! What templates show: display-ready values made from domain types.

use chrono::{DateTime, FixedOffset};
use parallax_cluster::Assignment;
use parallax_compare::{Report, Scope, compare};
use parallax_core::{ArticleId, ArticleSummary, Story};
use parallax_nlp::Analysis;

/// Name shown for a report whose source names no outlet.
pub(crate) const UNATTRIBUTED: &str = "Unattributed";

/// "2 Feb 2026, 08:00 UTC" or "1 Feb 2026, 20:00 UTC−05:00" in the offset the time carries; "Date
/// unknown" when not known.
pub(crate) fn when(t: Option<DateTime<FixedOffset>>) -> String {
    let Some(t) = t else { return "Date unknown".to_owned() };
    let offset = t.offset().local_minus_utc();
    if offset == 0 {
        return t.format("%-d %b %Y, %H:%M UTC").to_string();
    }
    let sign = if offset < 0 { '−' } else { '+' };
    let (hours, minutes) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
    format!("{} UTC{sign}{hours:02}:{minutes:02}", t.format("%-d %b %Y, %H:%M"))
}

/// Machine-readable time for `<time datetime>`.
pub(crate) fn iso(t: Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// Shortens text to about `max` characters at a word boundary.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

/// An entity as a link.
pub(crate) struct EntityLink {
    pub name: String,
    pub href: String,
    pub count: u64,
}

impl EntityLink {
    pub(crate) fn new(e: &parallax_store::EntityMention) -> Self {
        EntityLink { name: e.name.clone(), href: entity_href(&e.id), count: e.articles }
    }
}

/// The address of an entity's page.
pub(crate) fn entity_href(id: &str) -> String {
    format!("/entity/{}", crate::params::path_segment(id))
}

/// A story as a card on the front page.
pub(crate) struct StoryCard {
    pub id: i64,
    pub title: String,
    pub lead: String,
    pub reports: usize,
    pub outlets: usize,
    pub outlet_names: String,
    pub when: String,
    /// The first report's lead image with a web address; empty when none.
    pub image: String,
    /// Publication time of the latest report, for `<time datetime>`; empty when unknown.
    pub iso: String,
}

/// The outlets covering a story as readers see them: each named one, then "Unattributed" when some
/// report names none.
pub(crate) fn outlets_shown(story: &Story) -> Vec<&str> {
    let mut names = story.outlet_names();
    if story.articles.iter().any(|a| a.outlet.is_none()) {
        names.push(UNATTRIBUTED);
    }
    names
}

impl StoryCard {
    pub(crate) fn new(story: &Story) -> Self {
        let names = outlets_shown(story);
        let when = match story.time_span() {
            Some((first, last)) if first.date_naive() != last.date_naive() => {
                format!("{} – {}", first.format("%-d %b %Y"), last.format("%-d %b %Y"))
            }
            Some((first, _)) => first.format("%-d %b %Y").to_string(),
            None => String::new(),
        };
        StoryCard {
            id: story.id.get(),
            title: story.title.clone(),
            lead: story.articles.first().map(|a| excerpt(&a.lead, 260)).unwrap_or_default(),
            reports: story.articles.len(),
            outlets: story.outlet_count(),
            outlet_names: names.join(" · "),
            when,
            image: story
                .articles
                .iter()
                .map(|a| crate::pages::web_url(a.image_url.as_deref()))
                .find(|url| !url.is_empty())
                .unwrap_or_default(),
            iso: story.time_span().map(|(_, last)| last.to_rfc3339()).unwrap_or_default(),
        }
    }
}

/// A report as a column on the story page.
pub(crate) struct ReportCard {
    pub id: i64,
    pub outlet: String,
    /// The outlet's page; empty when unattributed or not known.
    pub outlet_href: String,
    pub attributed: bool,
    pub when: String,
    pub iso: String,
    pub title: String,
    pub lead: String,
    pub grouping: Grouping,
}

/// Why a report is in its story, as the story page says it.
pub(crate) struct Grouping {
    /// The report it was grouped with (id and title), when it joined the story.
    pub linked: Option<(i64, String)>,
    /// The reason in words; empty when the story holds no record of it.
    pub reason: String,
}

impl Grouping {
    /// Reads an assignment against the story's reports, for the titles of linked ones.
    pub(crate) fn new(assignment: Option<&Assignment>, story: &Story) -> Self {
        let Some(assignment) = assignment else { return Grouping { linked: None, reason: String::new() } };
        let linked = assignment.story.and(assignment.linked).map(|id| {
            let title = story.articles.iter().find(|a| a.id == id).map(|a| a.title.clone());
            (id.get(), title.unwrap_or_else(|| format!("report {id}")))
        });
        Grouping { linked, reason: assignment.reason() }
    }
}

impl ReportCard {
    pub(crate) fn new(a: &ArticleSummary, grouping: Grouping) -> Self {
        ReportCard {
            id: a.id.get(),
            outlet: a.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
            outlet_href: String::new(),
            attributed: a.outlet.is_some(),
            when: when(a.published.map(|t| t.fixed_offset())),
            iso: iso(a.published.map(|t| t.fixed_offset())),
            title: a.title.clone(),
            lead: excerpt(&a.lead, 420),
            grouping,
        }
    }
}

/// Statements shown per outlet before "and N more".
const SINGLE_STATEMENTS_SHOWN: usize = 6;

/// The story page's comparison: what several outlets say, then what each says alone, then each
/// speaker's words as each report renders them.
pub(crate) struct Coverage {
    pub shared: Vec<SharedStatement>,
    pub own: Vec<OwnClaims>,
    pub conflicts: Vec<ConflictLine>,
    pub quotes: Vec<SpeakerLine>,
    pub framing: Vec<FramingLine>,
}

/// A statement whose outlets give different values.
pub(crate) struct ConflictLine {
    pub about: String,
    pub slot: String,
    /// Whether the values come from two accounts of one kind of earlier event rather than one
    /// statement.
    pub event: bool,
    /// Each value with the outlets giving it and the link to its sentence.
    pub values: Vec<(String, String, String)>,
}

/// How one outlet tells the story, as shown.
pub(crate) struct FramingLine {
    pub outlet: String,
    pub sentences: usize,
    /// Whole percentages: stated, attributed, hedged, unnamed sources, opinion, questions.
    pub shares: [u32; 6],
    pub own_entities: String,
}

/// A statement made by several outlets.
pub(crate) struct SharedStatement {
    pub text: String,
    /// The outlets that hedge it (empty when all state it).
    pub hedged_by: String,
    /// Each outlet's sentence: (outlet, link to the sentence).
    pub sources: Vec<(String, String)>,
}

/// A statement as one outlet alone makes it.
pub(crate) struct OwnStatement {
    pub text: String,
    /// The link to the sentence in the article.
    pub href: String,
    /// Whether the report hedges it, gives it as opinion or to unnamed sources, or asks it.
    pub hedged: bool,
}

/// One speaker's quotations across the reports.
pub(crate) struct SpeakerLine {
    pub speaker: String,
    /// Renditions of one remark, side by side, and how closely they match.
    pub remarks: Vec<(Vec<RenditionLine>, String)>,
    /// The renditions of remarks no other report renders.
    pub renditions: Vec<RenditionLine>,
}

/// One report's rendition of a speaker's words.
pub(crate) struct RenditionLine {
    pub text: String,
    pub outlet: String,
    /// The medium the report says relays the words (empty when none).
    pub channel: String,
    /// The link to the sentence in the article.
    pub href: String,
}

/// What one report says that no other outlet does.
pub(crate) struct OwnClaims {
    pub outlet: String,
    pub attributed: bool,
    pub article: i64,
    pub statements: Vec<OwnStatement>,
    pub more: usize,
}

impl Coverage {
    pub(crate) fn new(story: &Story, analyses: &[(ArticleId, Analysis)]) -> Self {
        let outlet_of =
            |id: ArticleId| story.articles.iter().find(|a| a.id == id).and_then(|a| a.outlet.clone());
        let comparison = compare(&Report::of_story(story, analyses));
        let outlets = |articles: &[ArticleId]| {
            let mut names: Vec<String> =
                articles.iter().map(|&a| outlet_of(a).unwrap_or_else(|| UNATTRIBUTED.to_owned())).collect();
            names.sort();
            names.dedup();
            names.join(" · ")
        };
        let shared = comparison
            .corroborated()
            .map(|s| {
                let mut sources: Vec<(String, String)> = Vec::new();
                for sentence in &s.sentences {
                    let outlet = outlets(&[sentence.article]);
                    if !sources.iter().any(|(o, _)| *o == outlet) {
                        sources.push((outlet, sentence_href(sentence.article, sentence.index)));
                    }
                }
                SharedStatement { text: s.text.clone(), hedged_by: outlets(&s.hedged), sources }
            })
            .collect();
        let quotes = comparison
            .quotes
            .iter()
            .map(|speaker| {
                let line = |i: usize| {
                    let r = &speaker.renditions[i];
                    RenditionLine {
                        text: r.text.clone(),
                        outlet: outlets(&[r.article]),
                        channel: r.channel.clone().unwrap_or_default(),
                        href: sentence_href(r.article, r.sentence),
                    }
                };
                let groups = speaker.remarks();
                let remarks = groups
                    .iter()
                    .map(|members| {
                        let mut how: Vec<&str> = Vec::new();
                        for pair in speaker.same_remarks.iter().filter(|p| members.contains(&p.renditions[0]))
                        {
                            if !how.contains(&pair.kind.label()) {
                                how.push(pair.kind.label());
                            }
                        }
                        (members.iter().map(|&i| line(i)).collect(), how.join(", "))
                    })
                    .collect();
                let alone = (0..speaker.renditions.len())
                    .filter(|i| !groups.iter().any(|g| g.contains(i)))
                    .map(line)
                    .collect();
                SpeakerLine { speaker: speaker.speaker.clone(), remarks, renditions: alone }
            })
            .collect();
        let own = if story.articles.len() < 2 {
            Vec::new()
        } else {
            story
                .articles
                .iter()
                .map(|a| {
                    let all: Vec<OwnStatement> = comparison
                        .only_in(a.id)
                        .map(|s| OwnStatement {
                            text: s.text.clone(),
                            href: sentence_href(a.id, s.sentences[0].index),
                            hedged: !s.hedged.is_empty(),
                        })
                        .collect();
                    OwnClaims {
                        outlet: a.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
                        attributed: a.outlet.is_some(),
                        article: a.id.get(),
                        more: all.len().saturating_sub(SINGLE_STATEMENTS_SHOWN),
                        statements: all.into_iter().take(SINGLE_STATEMENTS_SHOWN).collect(),
                    }
                })
                .filter(|o| !o.statements.is_empty())
                .collect()
        };
        let framing = if story.articles.len() < 2 {
            Vec::new()
        } else {
            comparison
                .framing
                .iter()
                .map(|f| {
                    let s = f.stances;
                    let percent = |share: f32| (share * 100.0).round() as u32;
                    FramingLine {
                        outlet: f.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
                        sentences: f.sentences,
                        shares: [
                            s.fact,
                            s.attributed,
                            s.speculation,
                            s.unnamed_source,
                            s.opinion,
                            s.question,
                        ]
                        .map(percent),
                        own_entities: f.own_entities.join(", "),
                    }
                })
                .collect()
        };
        let conflicts = comparison
            .conflicts
            .iter()
            .map(|c| ConflictLine {
                about: c.about.clone(),
                slot: c.slot.clone(),
                event: c.scope == Scope::Event,
                values: c
                    .values
                    .iter()
                    .map(|v| {
                        (
                            v.value.clone(),
                            outlets(&v.articles),
                            sentence_href(v.sentence.article, v.sentence.index),
                        )
                    })
                    .collect(),
            })
            .collect();
        Coverage { shared, own, conflicts, quotes, framing }
    }
}

/// The link to a sentence in an article's reader view.
fn sentence_href(article: ArticleId, index: usize) -> String {
    format!("/article/{article}#{}", crate::reader::sentence_anchor(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("one two three four", 10), "one two…");
    }

    #[test]
    fn unknown_times_say_so() {
        assert_eq!(when(None), "Date unknown");
        let t = chrono::DateTime::parse_from_rfc3339("2026-02-02T08:00:00Z").unwrap();
        assert_eq!(when(Some(t)), "2 Feb 2026, 08:00 UTC");
        let t = chrono::DateTime::parse_from_rfc3339("2026-02-01T20:00:00-05:00").unwrap();
        assert_eq!(when(Some(t)), "1 Feb 2026, 20:00 UTC−05:00");
    }
}
