//! Direct quotations and who said them.
//!
//! A quotation is the text between matched quotation marks (curly or straight, nested marks kept
//! inside). Its speaker comes from the sentence: a verb of saying after the quotation ("..., Shoigu
//! said", "said Shoigu") or before it ("Shoigu said: ...", "He also said Russia is ..."), or an
//! "according to" source. A pronoun speaker is the person last named in the paragraph. When a medium
//! relays the words ("TASS reported that Shoigu said ...", "state media reported Shoigu saying ...")
//! the medium is kept as the channel. Short quoted terms that nobody is said to say (scare quotes,
//! titles) are not quotations.

use serde::{Deserialize, Serialize};

use crate::entities::{Entity, EntityKind};
use crate::lexicon::{RELAY_VERBS, WordSet, is_speech_verb};
use crate::tokens::{Token, TokenKind, quote_pairs};
use crate::{Part, Prepared};

/// A quotation and its attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Index into [`Analysis::sentences`](crate::Analysis::sentences).
    pub sentence: usize,
    /// Byte span of the quoted words within the sentence, marks excluded.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Whether only part of a sentence is quoted ("... should “safeguard the international system”").
    pub partial: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Speaker>,
    /// The medium that relays the words ("TASS", "Chinese state media").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The verb or phrase that attributes the words ("said", "according to").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
}

/// Who a quotation is attributed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    /// The canonical name, or the words that describe an unnamed speaker ("a spokesman").
    pub name: String,
    /// The entity id when the speaker is a named entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    pub via: SpeakerLink,
}

/// How the speaker was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerLink {
    /// Named with a verb of saying in the sentence.
    Named,
    /// A pronoun ("he said") resolved to the person last named in the paragraph.
    Pronoun,
    /// An "according to" source.
    According,
    /// The speaker of the quotation just before, continued.
    Continued,
}

/// Quotations of fewer words than this are terms, unless a verb of saying introduces them.
const MIN_QUOTE_WORDS: usize = 4;

/// How far back from a verb a speaker is looked for.
const SUBJECT_REACH: usize = 30;

/// Nouns that speak for an unnamed source or an institution ("a spokesman said").
pub(crate) static SPEAKING_NOUNS: WordSet = WordSet::new(&[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "officials",
    "source",
    "sources",
    "analyst",
    "analysts",
    "expert",
    "experts",
    "observer",
    "observers",
    "witness",
    "witnesses",
    "resident",
    "residents",
    "diplomat",
    "diplomats",
    "insider",
    "insiders",
    "aide",
    "aides",
    "statement",
    "ministry",
    "police",
    "authorities",
    "lawyer",
    "attorney",
    "rep",
    "representative",
    "friend",
    "friends",
    "relative",
    "relatives",
    "family",
    "prosecutors",
    "investigators",
    "officer",
    "officers",
    "agency",
    "report",
    "reports",
]);

/// Nouns for media that relay what others say.
static MEDIA_NOUNS: WordSet = WordSet::new(&[
    "media",
    "agency",
    "outlet",
    "outlets",
    "newspaper",
    "television",
    "tv",
    "press",
    "broadcaster",
    "daily",
]);

/// Words that may stand before a media noun in its phrase ("Chinese state media", "official media").
static MEDIA_MODIFIERS: WordSet = WordSet::new(&[
    "state",
    "official",
    "local",
    "government",
    "news",
    "state-run",
    "state-owned",
    "national",
    "foreign",
    "western",
]);

/// Finds the quotations of an article's sentences.
pub(crate) fn find_quotes(sentences: &[Prepared<'_>], parts: &[Part], entities: &[Entity]) -> Vec<Quote> {
    let mentions = MentionIndex::new(sentences.len(), entities);
    let mut quotes: Vec<Quote> = Vec::new();
    for (index, sentence) in sentences.iter().enumerate() {
        let tokens = &sentence.tokens;
        let pairs = quote_pairs(tokens.iter().map(|t| (t.kind == TokenKind::Punct, t.text)));
        for (open, close) in pairs {
            let words = tokens[open + 1..close].iter().filter(|t| t.kind != TokenKind::Punct).count();
            let introduced = open > 0 && tokens[open - 1].is(':');
            let short = words < MIN_QUOTE_WORDS && !introduced && !followed_by_speech(tokens, close);
            if words == 0 || short || so_called(tokens, open) {
                continue;
            }
            let start = tokens[open].end;
            let end = tokens[close].start;
            let text = sentence.text[start..end].trim().trim_end_matches(',').trim_end().to_owned();
            let first_capital =
                tokens.get(open + 1).is_some_and(|t| t.is_capitalised() || t.kind == TokenKind::Number);
            let opens_clause = open == 0 || tokens[open - 1].is(':') || tokens[open - 1].is(',');
            let partial = !(first_capital && opens_clause);
            let mut quote =
                Quote { sentence: index, start, end, text, partial, speaker: None, channel: None, cue: None };
            attribute(&mut quote, sentence, open, close, index, parts, &mentions, entities);
            if quote.speaker.is_none() {
                continue_previous(&mut quote, &quotes, parts);
            }
            quotes.push(quote);
        }
    }
    quotes
}

/// Whether a verb of saying follows a quotation closely ("..., he said", "..., said Shoigu").
fn followed_by_speech(tokens: &[Token<'_>], close: usize) -> bool {
    tokens[close + 1..]
        .iter()
        .skip_while(|t| t.is(','))
        .take(4)
        .take_while(|t| t.kind != TokenKind::Punct)
        .any(|t| is_speech_verb(t))
}

/// Whether a quotation is a "so-called" term.
fn so_called(tokens: &[Token<'_>], open: usize) -> bool {
    open >= 1 && tokens[open - 1].is_any(&["so-called", "dubbed", "titled", "entitled", "named", "called"])
}

/// Entity mentions by sentence, for finding speakers among the words.
struct MentionIndex {
    /// Per sentence: (start, end, entity index).
    by_sentence: Vec<Vec<(usize, usize, usize)>>,
}

impl MentionIndex {
    fn new(sentences: usize, entities: &[Entity]) -> Self {
        let mut by_sentence = vec![Vec::new(); sentences];
        for (e, entity) in entities.iter().enumerate() {
            for m in &entity.mentions {
                if let Some(list) = by_sentence.get_mut(m.sentence) {
                    list.push((m.start, m.end, e));
                }
            }
        }
        for list in &mut by_sentence {
            list.sort_unstable();
        }
        MentionIndex { by_sentence }
    }

    fn at(&self, sentence: usize, token: &Token<'_>) -> Option<usize> {
        self.by_sentence
            .get(sentence)?
            .iter()
            .find(|&&(s, e, _)| token.start >= s && token.start < e)
            .map(|&(_, _, entity)| entity)
    }

    /// The person named last before byte `before` of sentence `sentence`, looking back through the
    /// sentences of the same paragraph.
    fn last_person(
        &self,
        sentence: usize,
        before: usize,
        parts: &[Part],
        entities: &[Entity],
    ) -> Option<usize> {
        let part = parts.get(sentence)?;
        let mut s = sentence;
        loop {
            let limit = if s == sentence { before } else { usize::MAX };
            let found = self.by_sentence[s]
                .iter()
                .rev()
                .find(|&&(start, _, e)| start < limit && entities[e].kind == EntityKind::Person)
                .map(|&(_, _, e)| e);
            if found.is_some() {
                return found;
            }
            if s == 0 || parts.get(s - 1) != Some(part) {
                return None;
            }
            s -= 1;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn attribute(
    quote: &mut Quote,
    sentence: &Prepared<'_>,
    open: usize,
    close: usize,
    index: usize,
    parts: &[Part],
    mentions: &MentionIndex,
    entities: &[Entity],
) {
    let tokens = &sentence.tokens;
    let find = |from: usize| subject_before(tokens, from, index, parts, mentions, entities, sentence);

    // "“...,” Shoigu said." / "“...,” said Shoigu." / "“...,” he told reporters."
    let mut j = close + 1;
    while tokens.get(j).is_some_and(|t| t.is(',') || t.is('—')) {
        j += 1;
    }
    if let Some(t) = tokens.get(j).filter(|t| !t.quoted) {
        if is_speech_verb(t) {
            if let Some(speaker) = subject_after(tokens, j + 1, index, parts, mentions, entities, sentence) {
                quote.speaker = Some(speaker);
                quote.cue = Some(t.text.to_owned());
            }
        } else if let Some(verb) = (j + 1..(j + 6).min(tokens.len()))
            .take_while(|&k| !tokens[k].is(',') && !tokens[k].is('.'))
            .find(|&k| is_speech_verb(&tokens[k]))
            && let Some(speaker) = find(verb)
        {
            quote.speaker = Some(speaker);
            quote.cue = Some(tokens[verb].text.to_owned());
        }
    }

    // "Shoigu said: “...”", "TASS reported that Shoigu said ...", "saying that ... “...”".
    if quote.speaker.is_none()
        && let Some(verb) = (0..open).rev().find(|&k| !tokens[k].quoted && is_speech_verb(&tokens[k]))
        && let Some(speaker) = find(verb)
    {
        quote.speaker = Some(speaker);
        quote.cue = Some(tokens[verb].text.to_owned());
    }

    // "According to the Russian Security Council, ... “...”".
    let according = (0..tokens.len().saturating_sub(1))
        .find(|&k| tokens[k].is_any(&["according"]) && tokens[k + 1].is_any(&["to"]) && !tokens[k].quoted);
    if let Some(k) = according {
        let source = subject_after(tokens, k + 2, index, parts, mentions, entities, sentence);
        let is_medium = source.as_ref().is_some_and(|s| is_medium_name(s, entities));
        match source {
            Some(source) if is_medium && quote.speaker.is_some() => quote.channel = Some(source.name),
            Some(mut source) if quote.speaker.is_none() => {
                source.via = SpeakerLink::According;
                quote.speaker = Some(source);
                quote.cue = Some("according to".into());
            }
            _ => {}
        }
    }

    // A medium relaying the speaker's words: "TASS reported that ...", "media, which reported ...".
    if quote.channel.is_none()
        && let Some(relay) = (0..open).rev().find(|&k| !tokens[k].quoted && RELAY_VERBS.has(tokens[k].lower))
        && let Some(channel) = find(relay)
        && quote.speaker.as_ref().is_some_and(|s| s.name != channel.name)
    {
        quote.channel = Some(channel.name);
    }
}

fn is_medium_name(speaker: &Speaker, entities: &[Entity]) -> bool {
    match &speaker.entity {
        Some(id) => {
            entities.iter().any(|e| &e.id == id && e.kind == EntityKind::Organisation && is_medium_entity(e))
        }
        None => speaker.name.split_whitespace().last().is_some_and(|w| MEDIA_NOUNS.has(w)),
    }
}

fn is_medium_entity(entity: &Entity) -> bool {
    crate::gazetteer::gazetteer().entries.iter().any(|k| k.name == entity.name && k.detail == "media")
}

/// The speaker named at or after token `from`: an entity, a pronoun, or a described speaker ("the
/// ministry", "a spokesman for the council").
fn subject_after(
    tokens: &[Token<'_>],
    from: usize,
    index: usize,
    parts: &[Part],
    mentions: &MentionIndex,
    entities: &[Entity],
    sentence: &Prepared<'_>,
) -> Option<Speaker> {
    for k in from..(from + 6).min(tokens.len()) {
        let t = &tokens[k];
        if t.kind == TokenKind::Punct && !t.is('’') {
            return None;
        }
        if let Some(e) = mentions.at(index, t).filter(|&e| entities[e].kind != EntityKind::Place) {
            return Some(named(&entities[e]));
        }
        if let Some(s) = pronoun(t, index, parts, mentions, entities) {
            return Some(s);
        }
        if SPEAKING_NOUNS.has(t.lower) || MEDIA_NOUNS.has(t.lower) {
            return Some(described(sentence, tokens, k));
        }
    }
    None
}

/// The speaker of a verb at `verb`: the nearest entity, pronoun or described speaker before it.
fn subject_before(
    tokens: &[Token<'_>],
    verb: usize,
    index: usize,
    parts: &[Part],
    mentions: &MentionIndex,
    entities: &[Entity],
    sentence: &Prepared<'_>,
) -> Option<Speaker> {
    let reach = verb.saturating_sub(SUBJECT_REACH);
    for k in (reach..verb).rev() {
        let t = &tokens[k];
        if t.quoted || t.is(';') {
            if t.is(';') {
                return None;
            }
            continue;
        }
        if let Some(e) = mentions.at(index, t).filter(|&e| entities[e].kind != EntityKind::Place) {
            return Some(named(&entities[e]));
        }
        if let Some(s) = pronoun(t, index, parts, mentions, entities) {
            return Some(s);
        }
        if SPEAKING_NOUNS.has(t.lower) || MEDIA_NOUNS.has(t.lower) {
            return Some(described(sentence, tokens, k));
        }
    }
    None
}

fn named(entity: &Entity) -> Speaker {
    Speaker { name: entity.name.clone(), entity: Some(entity.id.clone()), via: SpeakerLink::Named }
}

fn pronoun(
    t: &Token<'_>,
    index: usize,
    parts: &[Part],
    mentions: &MentionIndex,
    entities: &[Entity],
) -> Option<Speaker> {
    if !t.is_any(&["he", "she"]) {
        return None;
    }
    let person = mentions.last_person(index, t.start, parts, entities)?;
    let entity = &entities[person];
    Some(Speaker { name: entity.name.clone(), entity: Some(entity.id.clone()), via: SpeakerLink::Pronoun })
}

/// A described speaker: the noun with the words that qualify it before ("Chinese state media", "a
/// senior official").
fn described(sentence: &Prepared<'_>, tokens: &[Token<'_>], noun: usize) -> Speaker {
    let mut from = noun;
    while from > 0 {
        let p = &tokens[from - 1];
        let qualifies = p.is_word()
            && !p.quoted
            && (MEDIA_MODIFIERS.has(p.lower)
                || p.is_capitalised()
                || p.is_any(&[
                    "a",
                    "an",
                    "the",
                    "one",
                    "two",
                    "some",
                    "several",
                    "senior",
                    "unnamed",
                    "anonymous",
                ]));
        if !qualifies {
            break;
        }
        from -= 1;
    }
    let mut start = tokens[from].start;
    if tokens[from].is_any(&["a", "an", "the"]) && from < noun {
        start = tokens[from + 1].start;
    }
    let name = sentence.text[start..tokens[noun].end].split_whitespace().collect::<Vec<_>>().join(" ");
    Speaker { name, entity: None, via: SpeakerLink::Named }
}

/// A quotation with no speaker of its own, right after one with a speaker in the same paragraph,
/// continues it.
fn continue_previous(quote: &mut Quote, previous: &[Quote], parts: &[Part]) {
    let Some(last) = previous.last() else { return };
    let same_paragraph = parts.get(last.sentence) == parts.get(quote.sentence);
    let adjacent = quote.sentence == last.sentence || quote.sentence == last.sentence + 1;
    if !quote.partial
        && same_paragraph
        && adjacent
        && let Some(speaker) = &last.speaker
    {
        quote.speaker = Some(Speaker { via: SpeakerLink::Continued, ..speaker.clone() });
        quote.channel.clone_from(&last.channel);
    }
}
