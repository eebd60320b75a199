//! How a sentence presents what it says: as reported fact, as a claim attributed to someone, as
//! speculation, as a claim of unnamed sources, as the writer's opinion, or as a rhetorical question.
//! Words inside quotations are the speaker's and do not count; the cue words found are kept.

use serde::{Deserialize, Serialize};

use crate::lexicon::{WordSet, is_speech_verb};
use crate::tokens::{Token, TokenKind};

/// The voice of a sentence, from plain fact to the writer's own opinion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Stated as fact.
    #[default]
    Fact,
    /// Attributed to a named source ("Shoigu said", "according to TASS").
    Attributed,
    /// Hedged: "may", "likely", "reportedly", "must have".
    Speculation,
    /// Attributed to unnamed sources ("analysts suggest", "observers note").
    UnnamedSource,
    /// The writer's own judgement ("the author speculates", "needless to say").
    Opinion,
    /// A question the writer asks.
    Question,
}

impl Stance {
    /// Whether the sentence is not presented as plain or attributed fact.
    pub fn is_hedged(self) -> bool {
        self >= Stance::Speculation
    }

    /// A short label for people ("speculation").
    pub fn label(self) -> &'static str {
        match self {
            Stance::Fact => "fact",
            Stance::Attributed => "attributed",
            Stance::Speculation => "speculation",
            Stance::UnnamedSource => "unnamed source",
            Stance::Opinion => "opinion",
            Stance::Question => "question",
        }
    }
}

/// Single words that hedge a claim.
static HEDGE_WORDS: WordSet = WordSet::new(&[
    "may",
    "might",
    "could",
    "likely",
    "unlikely",
    "possibly",
    "perhaps",
    "probably",
    "reportedly",
    "allegedly",
    "apparently",
    "seemingly",
    "presumably",
    "supposedly",
    "purportedly",
    "rumored",
    "rumoured",
    "speculated",
    "speculation",
    "conceivably",
    "arguably",
]);

/// Verbs of seeming that hedge when followed by "to" or "that" ("appears to", "seems that").
static SEEMING: WordSet = WordSet::new(&["appears", "appear", "appeared", "seems", "seem", "seemed"]);

/// Participles that hedge after "is/are/was/were" and before "to" ("is expected to", "are believed to").
static EXPECTATION: WordSet =
    WordSet::new(&["expected", "believed", "thought", "said", "rumored", "rumoured", "understood", "set"]);

/// Groups of unnamed people whose claims a sentence relays.
static UNNAMED_GROUPS: WordSet = WordSet::new(&[
    "analysts",
    "observers",
    "experts",
    "sources",
    "insiders",
    "commentators",
    "critics",
    "pundits",
    "diplomats",
    "economists",
    "traders",
    "some",
    "many",
    "others",
    "officials",
]);

/// Verbs an unnamed group does when it makes a claim.
static CLAIMING: WordSet = WordSet::new(&[
    "say",
    "said",
    "says",
    "suggest",
    "suggested",
    "suggests",
    "note",
    "noted",
    "believe",
    "believed",
    "expect",
    "expected",
    "warn",
    "warned",
    "argue",
    "argued",
    "speculate",
    "speculated",
    "predict",
    "predicted",
    "think",
    "thought",
    "told",
    "will",
    "fear",
    "feared",
    "caution",
    "cautioned",
    "estimate",
    "estimated",
    "contend",
    "claim",
    "claimed",
    "see",
    "point",
    "agree",
    "doubt",
    "question",
    "familiar",
    "close",
    "speaking",
    "who",
    "watching",
]);

/// Phrases in which the writer speaks in person or judges.
const OPINION_PHRASES: &[&[&str]] = &[
    &["the", "author"],
    &["this", "writer"],
    &["i", "think"],
    &["i", "believe"],
    &["in", "my", "view"],
    &["in", "our", "view"],
    &["needless", "to", "say"],
    &["it", "is", "clear", "that"],
    &["it", "is", "obvious", "that"],
    &["of", "course"],
    &["so-called"],
    &["we", "believe"],
    &["it", "is", "time"],
    &["there", "is", "no", "excuse"],
    &["it", "is", "hard", "to", "see"],
];

/// Sentence adverbs of certainty that mark the writer's judgement when they open a sentence.
static OPINION_OPENERS: WordSet = WordSet::new(&[
    "clearly",
    "obviously",
    "undoubtedly",
    "surely",
    "evidently",
    "frankly",
    "ironically",
    "sadly",
    "unfortunately",
    "fortunately",
]);

/// Evaluative adjectives that carry the writer's judgement outside quotations.
static EVALUATIVE: WordSet = WordSet::new(&[
    "disastrous",
    "shameful",
    "outrageous",
    "absurd",
    "ridiculous",
    "reckless",
    "foolish",
    "disgraceful",
    "appalling",
    "brilliant",
    "shocking",
    "pathetic",
    "laughable",
    "scandalous",
    "deplorable",
    "admirable",
    "incompetent",
    "hypocritical",
    "cynical",
    "blatant",
    "shameless",
    "disgrace",
    "unforgivable",
    "inexcusable",
    "indefensible",
    "irresponsible",
    "farce",
    "fiasco",
    "shambles",
    "travesty",
    "callous",
    "heartless",
]);

/// People a report does not name, when what follows says how they know ("people familiar with the
/// talks", "a person close to the minister", "an official briefed on the case").
static UNNAMED_PEOPLE: WordSet =
    WordSet::new(&["people", "person", "official", "officials", "aide", "aides", "source", "insider"]);

/// Words after [`UNNAMED_PEOPLE`] that tell a source kept unnamed.
static HOW_THEY_KNOW: WordSet = WordSet::new(&["familiar", "close", "briefed", "knowledgeable"]);

/// Classifies one sentence's tokens; returns the stance and its cue words.
pub(crate) fn classify(tokens: &[Token<'_>], attributed: bool) -> (Stance, Vec<String>) {
    let words: Vec<(usize, &Token<'_>)> =
        tokens.iter().enumerate().filter(|(_, t)| !t.quoted && t.kind != TokenKind::Punct).collect();
    let mut cues: Vec<String> = Vec::new();
    let mut stance = if attributed { Stance::Attributed } else { Stance::Fact };
    let raise = |s: Stance, cue: String, cues: &mut Vec<String>, stance: &mut Stance| {
        if !cues.contains(&cue) {
            cues.push(cue);
        }
        *stance = (*stance).max(s);
    };

    let last = tokens.iter().rev().find(|t| t.kind != TokenKind::Punct || t.is('?'));
    if last.is_some_and(|t| t.is('?') && !t.quoted) {
        raise(Stance::Question, "?".into(), &mut cues, &mut stance);
    }

    for (n, &(i, t)) in words.iter().enumerate() {
        let lower = t.lower;
        let next = |k: usize| words.get(n + k).map(|(_, t)| *t);
        // Modal "may" is written in lower case; "May" is the month.
        if HEDGE_WORDS.has(lower) && !(lower == "may" && t.is_capitalised()) {
            raise(Stance::Speculation, lower.to_owned(), &mut cues, &mut stance);
        }
        if lower == "must" && next(1).is_some_and(|w| w.is_any(&["have", "be"])) {
            raise(
                Stance::Speculation,
                format!("must {}", next(1).map_or("", |w| w.text)),
                &mut cues,
                &mut stance,
            );
        }
        if SEEMING.has(lower) && next(1).is_some_and(|w| w.is_any(&["to", "that"])) {
            raise(Stance::Speculation, lower.to_owned(), &mut cues, &mut stance);
        }
        if t.is_any(&["is", "are", "was", "were"])
            && let (Some(p), Some(to)) = (next(1), next(2))
            && EXPECTATION.has(p.lower)
            && to.is_any(&["to"])
        {
            raise(Stance::Speculation, format!("{lower} {} to", p.text), &mut cues, &mut stance);
        }
        if UNNAMED_GROUPS.has(lower) {
            let plain_group = !matches!(lower, "some" | "many" | "others" | "officials");
            let claims = next(1).is_some_and(|v| CLAIMING.has(v.lower));
            if (plain_group && claims) || is_vague_group(&words, n) {
                let verb = next(1).map_or("", |v| v.text);
                raise(Stance::UnnamedSource, format!("{lower} {verb}"), &mut cues, &mut stance);
            }
        }
        if UNNAMED_PEOPLE.has(lower) && next(1).is_some_and(|w| HOW_THEY_KNOW.has(w.lower)) {
            let how = next(1).map_or("", |w| w.text);
            raise(Stance::UnnamedSource, format!("{lower} {how}"), &mut cues, &mut stance);
        }
        // "who asked not to be named", "on condition of anonymity"
        if lower == "asked"
            && next(1).is_some_and(|w| w.is_any(&["not"]))
            && next(4).is_some_and(|w| w.is_any(&["named", "identified"]))
            || lower == "anonymity"
        {
            raise(Stance::UnnamedSource, lower.to_owned(), &mut cues, &mut stance);
        }
        // "two council officials said": officials counted, not named.
        if lower == "officials"
            && next(1).is_some_and(|v| CLAIMING.has(v.lower))
            && words[n.saturating_sub(3)..n].iter().any(|(_, w)| {
                w.kind == TokenKind::Number || w.is_any(&["two", "three", "four", "several", "senior"])
            })
        {
            raise(
                Stance::UnnamedSource,
                format!("officials {}", next(1).map_or("", |w| w.text)),
                &mut cues,
                &mut stance,
            );
        }
        if n == 0 && OPINION_OPENERS.has(lower) && tokens.get(i + 1).is_some_and(|t| t.is(',')) {
            raise(Stance::Opinion, lower.to_owned(), &mut cues, &mut stance);
        }
        if EVALUATIVE.has(lower) {
            raise(Stance::Opinion, lower.to_owned(), &mut cues, &mut stance);
        }
        for phrase in OPINION_PHRASES {
            if phrase.iter().enumerate().all(|(k, p)| next(k).is_some_and(|w| w.text.eq_ignore_ascii_case(p)))
            {
                let author_verb = matches!(phrase.get(1), Some(&"author" | &"writer"));
                if !author_verb || next(2).is_some_and(|w| w.is_word() && !w.is_any(&["of", "and"])) {
                    raise(Stance::Opinion, phrase.join(" "), &mut cues, &mut stance);
                }
            }
        }
    }
    (stance, cues)
}

/// "some analysts say", "many observers believe", "officials who spoke on condition of anonymity":
/// a group qualified as vague, followed by a claiming verb.
fn is_vague_group(words: &[(usize, &Token<'_>)], n: usize) -> bool {
    let t = words[n].1;
    let next = words.get(n + 1).map(|(_, t)| *t);
    match t.lower {
        "officials" => {
            next.is_some_and(|w| w.is_any(&["who", "speaking"]))
                || words.iter().any(|(_, w)| w.is_any(&["anonymity", "anonymous", "unnamed"]))
        }
        "some" | "many" | "others" => {
            next.is_some_and(|w| UNNAMED_GROUPS.has(w.lower) || is_speech_verb(w) && !w.is_any(&["told"]))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stance(text: &str) -> (Stance, Vec<String>) {
        classify(&crate::tokens::tokenize_static(text), false)
    }

    #[test]
    fn sources_kept_unnamed_and_judgements() {
        for text in [
            "People familiar with the talks said the deal was close.",
            "The minister will resign, a person close to her said.",
            "Two council officials said the budget was cut.",
            "The cause was a faulty valve, according to an engineer who asked not to be named.",
            "Economists expect a further cut in June.",
        ] {
            assert_eq!(stance(text).0, Stance::UnnamedSource, "{text}");
        }
        assert_eq!(stance("The delay in paying victims was a disgrace.").0, Stance::Opinion);
        assert_eq!(stance("Council officials said the budget was cut.").0, Stance::Fact);
    }

    #[test]
    fn hedges_sources_opinion_and_questions() {
        assert_eq!(
            stance("Analysts suggest that topics may include the war."),
            (Stance::UnnamedSource, vec!["analysts suggest".into(), "may".into()])
        );
        assert_eq!(stance("Observers note that this visit reinforces it.").0, Stance::UnnamedSource);
        assert_eq!(stance("Experts will be closely watching for signals.").0, Stance::UnnamedSource);
        assert_eq!(stance("The outcome could influence future diplomatic maneuvers.").0, Stance::Speculation);
        assert_eq!(stance("The trip must have involved important matters.").1, ["must have"]);
        assert_eq!(stance("This likely represents Xi Jinping’s position.").0, Stance::Speculation);
        assert_eq!(stance("The author speculates that he received new assurances.").0, Stance::Opinion);
        assert_eq!(stance("Does his statement imply that Russia would support China?").0, Stance::Question);
        assert_eq!(stance("He served until he was replaced in May 2024.").0, Stance::Fact);
        assert_eq!(
            stance("Shoigu said: “We may well act.”").0,
            Stance::Fact,
            "the quote's hedge is the speaker's"
        );
        assert_eq!(stance("Some analysts say the talks failed.").0, Stance::UnnamedSource);
        assert_eq!(stance("Officials from both countries have underscored a commitment.").0, Stance::Fact);
    }
}
