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

/// How far after a quotation its verb of saying may come ("..., Tadzhigul Begmedova, director of the
/// Turkmenistan Helsinki Foundation, said").
const VERB_REACH: usize = 25;

/// How many sentences a quotation opened and not yet closed may run on.
const MAX_CONTINUED_SENTENCES: usize = 6;

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
    "radio",
    "fm",
    "channel",
    "network",
    "wire",
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

/// What attribution reads: the sentences with their places and the entities they mention.
struct Context<'c, 'a> {
    sentences: &'c [Prepared<'a>],
    parts: &'c [Part],
    mentions: MentionIndex,
    entities: &'c [Entity],
}

/// A part of a quotation within one sentence.
#[derive(Debug, Clone, Copy)]
struct Piece {
    sentence: usize,
    start: usize,
    end: usize,
}

/// Finds the quotations of an article's sentences.
pub(crate) fn find_quotes(sentences: &[Prepared<'_>], parts: &[Part], entities: &[Entity]) -> Vec<Quote> {
    let cx = Context { sentences, parts, mentions: MentionIndex::new(sentences.len(), entities), entities };
    let mut quotes: Vec<Quote> = Vec::new();
    // A quotation opened and not closed in its sentence ("“I voted for him. / He knows us,” she
    // said."): its pieces so far and where it opened.
    let mut pending: Vec<Piece> = Vec::new();
    let mut opened_at = (0, 0);
    for (index, sentence) in sentences.iter().enumerate() {
        let tokens = &sentence.tokens;
        let pairs = quote_pairs(tokens.iter().map(|t| (t.kind == TokenKind::Punct, t.text)));
        let (closing, opening) = unmatched_marks(tokens, &pairs);
        if !pending.is_empty() {
            let same_run = matches!(parts.get(index), Some(Part::Body { .. }))
                && pending.len() <= MAX_CONTINUED_SENTENCES;
            match closing.filter(|_| same_run) {
                Some(close) => {
                    pending.push(Piece { sentence: index, start: 0, end: tokens[close].start });
                    cx.emit_continued(&mut quotes, std::mem::take(&mut pending), opened_at, close);
                }
                None if same_run && opening.is_none() && pairs.is_empty() => {
                    pending.push(Piece { sentence: index, start: 0, end: sentence.text.len() });
                }
                None => pending.clear(),
            }
        }
        for (open, close) in pairs {
            let words = tokens[open + 1..close].iter().filter(|t| t.kind != TokenKind::Punct).count();
            let introduced = open > 0 && tokens[open - 1].is(':');
            let short = words < MIN_QUOTE_WORDS && !introduced && !followed_by_speech(tokens, close);
            if words == 0 || short || so_called(tokens, open) {
                continue;
            }
            let first_capital =
                tokens.get(open + 1).is_some_and(|t| t.is_capitalised() || t.kind == TokenKind::Number);
            let opens_clause = open == 0 || tokens[open - 1].is(':') || tokens[open - 1].is(',');
            let piece = Piece { sentence: index, start: tokens[open].end, end: tokens[close].start };
            let mut quote = cx.quote(piece, !(first_capital && opens_clause));
            cx.attribute(&mut quote, index, open, Some(close));
            if quote.speaker.is_none() && open == 0 {
                cx.introduced_before(&mut quote, index);
            }
            if quote.speaker.is_none() {
                continue_previous(&mut quote, &quotes, parts);
            }
            quotes.push(quote);
        }
        if let Some(open) = opening.filter(|&o| o + 1 < tokens.len()) {
            pending = vec![Piece { sentence: index, start: tokens[open].end, end: sentence.text.len() }];
            opened_at = (index, open);
        }
    }
    quotes
}

/// The quotation marks of a sentence that no pair explains: the first closing one (it closes a
/// quotation opened in an earlier sentence) and the last opening one (it opens a quotation that
/// goes on into later sentences).
fn unmatched_marks(tokens: &[Token<'_>], pairs: &[(usize, usize)]) -> (Option<usize>, Option<usize>) {
    let paired = |i: usize| pairs.iter().any(|&(o, c)| o == i || c == i);
    let mut closing = None;
    let mut opening = None;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != TokenKind::Punct || paired(i) {
            continue;
        }
        let word_before = i > 0 && tokens[i - 1].kind != TokenKind::Punct;
        let word_after = tokens.get(i + 1).is_some_and(|n| n.kind != TokenKind::Punct);
        let is_open = t.is('“') || (t.is('"') && word_after && !word_before && opening.is_none());
        let is_close = t.is('”') || (t.is('"') && !is_open);
        if is_close && opening.is_none() && closing.is_none() {
            closing = Some(i);
        } else if is_open {
            opening = Some(i);
        }
    }
    (closing, opening)
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
}

impl Context<'_, '_> {
    fn quote(&self, piece: Piece, partial: bool) -> Quote {
        let text = self.sentences[piece.sentence].text[piece.start..piece.end]
            .trim()
            .trim_end_matches(',')
            .trim_end()
            .to_owned();
        Quote {
            sentence: piece.sentence,
            start: piece.start,
            end: piece.end,
            text,
            partial,
            speaker: None,
            channel: None,
            cue: None,
        }
    }

    /// Emits a quotation that ran over several sentences, one quote per sentence, all attributed
    /// as the closing sentence (or, failing that, the opening one) says.
    fn emit_continued(
        &self,
        quotes: &mut Vec<Quote>,
        pieces: Vec<Piece>,
        opened_at: (usize, usize),
        close: usize,
    ) {
        let Some(last) = pieces.last() else { return };
        let mut probe = self.quote(*last, false);
        self.attribute(&mut probe, last.sentence, 0, Some(close));
        if probe.speaker.is_none() {
            let (sentence, open) = opened_at;
            self.attribute(&mut probe, sentence, open, None);
            if probe.speaker.is_none() && open == 0 {
                self.introduced_before(&mut probe, sentence);
            }
        }
        for piece in pieces {
            let mut quote = self.quote(piece, false);
            if quote.text.is_empty() {
                continue;
            }
            quote.speaker.clone_from(&probe.speaker);
            quote.channel.clone_from(&probe.channel);
            quote.cue.clone_from(&probe.cue);
            quotes.push(quote);
        }
    }

    /// "Pensioner Bayram-aga, a voter in Ashgabat, said:" ending the sentence before a quotation.
    fn introduced_before(&self, quote: &mut Quote, index: usize) {
        let Some(previous) = index.checked_sub(1) else { return };
        let tokens = &self.sentences[previous].tokens;
        if !tokens.last().is_some_and(|t| t.is(':')) || self.parts.get(previous) == Some(&Part::Title) {
            return;
        }
        if let Some(verb) = (0..tokens.len()).rev().find(|&k| !tokens[k].quoted && is_speech_verb(&tokens[k]))
            && let Some(speaker) = self.subject_before(previous, verb)
        {
            quote.speaker = Some(speaker);
            quote.cue = Some(tokens[verb].text.to_owned());
        }
    }

    /// Finds a quotation's speaker, cue and channel in its sentence; `open` and `close` are the
    /// token indices of its marks (`close` is `None` when the quotation runs past the sentence).
    fn attribute(&self, quote: &mut Quote, index: usize, open: usize, close: Option<usize>) {
        let tokens = &self.sentences[index].tokens;

        // "“...,” Shoigu said." / "“...,” said Shoigu." / "“...,” Begmedova, director of ..., said."
        if let Some(close) = close {
            let mut j = close + 1;
            while tokens.get(j).is_some_and(|t| t.is(',') || t.is('—')) {
                j += 1;
            }
            let verb = (j..(j + VERB_REACH).min(tokens.len()))
                .take_while(|&k| {
                    !(tokens[k].is('.') || tokens[k].is(';') || tokens[k].is('“') || tokens[k].is('"'))
                })
                .find(|&k| is_speech_verb(&tokens[k]));
            if let Some(verb) = verb {
                let speaker = if verb == j {
                    self.speaker_in(index, verb + 1, (verb + 7).min(tokens.len()))
                } else {
                    self.speaker_in(index, j, verb)
                };
                if let Some(speaker) = speaker {
                    quote.speaker = Some(speaker);
                    quote.cue = Some(tokens[verb].text.to_owned());
                    // "“...,” the mayor told Valley Radio."
                    if verb > j {
                        quote.channel = self.medium_told(index, verb, tokens.len());
                    }
                }
            }
        }

        // "Shoigu said: “...”", "TASS reported that Shoigu said ...", "saying that ... “...”".
        if quote.speaker.is_none()
            && let Some(verb) = (0..open).rev().find(|&k| !tokens[k].quoted && is_speech_verb(&tokens[k]))
            && let Some(speaker) = self.subject_before(index, verb)
        {
            quote.speaker = Some(speaker);
            quote.cue = Some(tokens[verb].text.to_owned());
            // "The mayor told Radio Velm: “...”"
            quote.channel = self.medium_told(index, verb, open);
        }

        // "According to the Russian Security Council, ... “...”".
        let according = (0..tokens.len().saturating_sub(1)).find(|&k| {
            tokens[k].is_any(&["according"]) && tokens[k + 1].is_any(&["to"]) && !tokens[k].quoted
        });
        if let Some(k) = according {
            let source = self.speaker_in(index, k + 2, (k + 8).min(tokens.len()));
            let is_medium = source.as_ref().is_some_and(|s| self.is_medium(s));
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
            && let Some(relay) =
                (0..open).rev().find(|&k| !tokens[k].quoted && RELAY_VERBS.has(tokens[k].lower))
            && let Some(channel) = self.subject_before(index, relay)
            && quote.speaker.as_ref().is_some_and(|s| s.name != channel.name)
        {
            quote.channel = Some(channel.name);
        }
    }

    /// The medium a speaker "told" the words to, named between the verb and `to`.
    fn medium_told(&self, index: usize, verb: usize, to: usize) -> Option<String> {
        let tokens = &self.sentences[index].tokens;
        if !tokens[verb].is_any(&["told"]) {
            return None;
        }
        let end = (verb + 6).min(to).min(tokens.len());
        let listener = self.speaker_in(index, verb + 1, end)?;
        self.is_medium(&listener).then_some(listener.name)
    }

    fn is_medium(&self, speaker: &Speaker) -> bool {
        // A name that says what it is: "Valley Radio", "Radio Velm", "the Harbour Wire agency".
        let named_medium = {
            let mut words = speaker.name.split_whitespace();
            let first = words.next();
            let last = words.last().or(first);
            [first, last].into_iter().flatten().any(|w| MEDIA_NOUNS.has(&w.to_ascii_lowercase()))
        };
        match &speaker.entity {
            Some(id) => self.entities.iter().any(|e| {
                &e.id == id
                    && e.kind == EntityKind::Organisation
                    && (named_medium
                        || crate::gazetteer::gazetteer()
                            .by_name(&e.name)
                            .is_some_and(|k| k.detail == "media"))
            }),
            None => named_medium,
        }
    }

    /// The first speaker named among tokens `from..to` of a sentence: an entity, a pronoun, a
    /// described speaker ("a spokesman"), or a capitalised name the entity pass left alone.
    fn speaker_in(&self, index: usize, from: usize, to: usize) -> Option<Speaker> {
        let tokens = &self.sentences[index].tokens;
        let range = from..to.min(tokens.len());
        let named: Vec<Speaker> =
            range.clone().filter(|&k| !tokens[k].quoted).filter_map(|k| self.speaker_at(index, k)).collect();
        // "Orbin chairman Piet Haverkamp said": the person speaks, not the company before the title.
        let is_person = |s: &Speaker| {
            s.entity
                .as_ref()
                .is_some_and(|id| self.entities.iter().any(|e| &e.id == id && e.kind == EntityKind::Person))
        };
        let person = named.iter().position(is_person);
        let first = person.or((!named.is_empty()).then_some(0));
        first.map(|at| named[at].clone()).or_else(|| {
            // A name the entity pass left alone ("Osman-aga"), only when nothing better is there.
            range
                .clone()
                .find(|&k| {
                    let t = &tokens[k];
                    !t.quoted && t.is_capitalised() && k > 0 && !crate::stopwords::is_stop_lower(t.lower)
                })
                .map(|k| Speaker { name: tokens[k].text.to_owned(), entity: None, via: SpeakerLink::Named })
        })
    }

    /// The speaker of a verb at `verb`: the nearest entity, pronoun or described speaker before it.
    fn subject_before(&self, index: usize, verb: usize) -> Option<Speaker> {
        let tokens = &self.sentences[index].tokens;
        // "Hanne Sorvik, who is the chief medical officer, said": the speaker stands before the
        // relative clause, whatever the clause names.
        let verb = match verb.checked_sub(1).filter(|&k| tokens[k].is(',')) {
            Some(comma) => (0..comma)
                .rev()
                .take(SUBJECT_REACH * 2)
                .find(|&k| {
                    tokens[k].is(',') && tokens.get(k + 1).is_some_and(|t| t.is_any(&["who", "which"]))
                })
                .unwrap_or(verb),
            None => verb,
        };
        for k in (verb.saturating_sub(SUBJECT_REACH)..verb).rev() {
            let t = &tokens[k];
            if t.is(';') {
                return None;
            }
            if t.quoted {
                continue;
            }
            if let Some(speaker) = self.speaker_at(index, k) {
                return Some(speaker);
            }
        }
        None
    }

    /// The speaker token `k` names, if it names one.
    fn speaker_at(&self, index: usize, k: usize) -> Option<Speaker> {
        let t = &self.sentences[index].tokens[k];
        if let Some(e) = self.mentions.at(index, t).filter(|&e| self.entities[e].kind != EntityKind::Place) {
            let entity = &self.entities[e];
            return Some(Speaker {
                name: entity.name.clone(),
                entity: Some(entity.id.clone()),
                via: SpeakerLink::Named,
            });
        }
        if t.is_any(&["he", "she"]) {
            let entity = &self.entities[self.last_person(index, t.start)?];
            return Some(Speaker {
                name: entity.name.clone(),
                entity: Some(entity.id.clone()),
                via: SpeakerLink::Pronoun,
            });
        }
        if SPEAKING_NOUNS.has(t.lower) || MEDIA_NOUNS.has(t.lower) {
            return Some(self.described(index, k));
        }
        None
    }

    /// The person named last before byte `before` of a sentence, looking back through the sentences
    /// of the same paragraph.
    fn last_person(&self, sentence: usize, before: usize) -> Option<usize> {
        let part = self.parts.get(sentence)?;
        let mut s = sentence;
        loop {
            let limit = if s == sentence { before } else { usize::MAX };
            let found = self.mentions.by_sentence[s]
                .iter()
                .rev()
                .find(|&&(start, _, e)| start < limit && self.entities[e].kind == EntityKind::Person)
                .map(|&(_, _, e)| e);
            if found.is_some() {
                return found;
            }
            if s == 0 || self.parts.get(s - 1) != Some(part) {
                return None;
            }
            s -= 1;
        }
    }

    /// A described speaker: the noun with the words that qualify it before ("Chinese state media",
    /// "a senior official").
    fn described(&self, index: usize, noun: usize) -> Speaker {
        let sentence = &self.sentences[index];
        let tokens = &sentence.tokens;
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

#[cfg(test)]
mod tests {
    use parallax_core::{Article, Block};

    fn quotes_of(paragraphs: &[&str]) -> Vec<(String, Option<String>)> {
        let mut article = Article::new("");
        article.body = paragraphs.iter().map(|p| Block::Paragraph { text: (*p).into() }).collect();
        crate::analyze(&article).quotes.into_iter().map(|q| (q.text, q.speaker.map(|s| s.name))).collect()
    }

    #[test]
    fn a_medium_told_the_words_is_their_channel() {
        let channels = |text: &str| {
            let mut article = Article::new("");
            article.body = vec![Block::Paragraph { text: text.into() }];
            crate::analyze(&article)
                .quotes
                .into_iter()
                .map(|q| (q.speaker.map(|s| s.name), q.channel))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            channels("“Nobody has seen a fire this close,” mayor Corin Tate told Valley Radio."),
            [(Some("Corin Tate".into()), Some("Valley Radio".into()))]
        );
        assert_eq!(
            channels("Odile Marchetti told Radio Velm: “This city has chosen to look forward.”"),
            [(Some("Odile Marchetti".into()), Some("Radio Velm".into()))]
        );
        assert_eq!(
            channels("“We will appeal,” Marta Lindow told her staff."),
            [(Some("Marta Lindow".into()), None)]
        );
        assert_eq!(
            channels("“We got a fair price,” Orbin chairman Piet Haverkamp said."),
            [(Some("Piet Haverkamp".into()), None)]
        );
        assert_eq!(
            channels(
                "Hanne Sorvik, who is the chief medical officer, said it was “serious but under control”."
            ),
            [(Some("Hanne Sorvik".into()), None)]
        );
    }

    #[test]
    fn speakers_after_an_appositive() {
        let got = quotes_of(&[
            "“There will be no real change,” Tadzhigul Begmedova, director of a rights group, said by telephone.",
        ]);
        assert_eq!(got, [("There will be no real change".into(), Some("Tadzhigul Begmedova".into()))]);
    }

    #[test]
    fn quotations_running_over_paragraphs() {
        let got = quotes_of(&[
            "“I voted for our neighbour.",
            "He knows village life well,” she said of Maria Ivanova.",
        ]);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(_, s)| s.is_none()), "“she” has no antecedent before: {got:?}");
        let got = quotes_of(&[
            "In Ashgabat, pensioner Bayram Aganov said:",
            "“I remember the elections from the Soviet days.",
            "Now it is much quieter.”",
        ]);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|(_, s)| s.as_deref() == Some("Bayram Aganov")), "{got:?}");
    }

    #[test]
    fn naming_is_not_saying() {
        let got = quotes_of(&["Police called the mechanic a hero who \"did a phenomenal job\" that night."]);
        assert_eq!(got, [("did a phenomenal job".into(), None)]);
    }
}
