//! Named entities: people, organisations and places, each resolved to one canonical entity per article.
//!
//! Recognition works on capitalised runs of words. Known names and aliases come from the shipped
//! [gazetteer](crate::gazetteer); a title before a name ("Foreign Minister Wang Yi") marks a person and
//! is kept as a role; an organisation or place head word ("... Council", "... Province") marks those;
//! other runs of two to four capitalised words are taken as people's names. Within an article a
//! surname or given name alone ("Shoigu", "Wang") joins the full name written elsewhere in it.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::Prepared;
use crate::gazetteer::{Known, gazetteer};
use crate::lexicon::{HONORIFICS, ORGANISATION_HEADS, PLACE_HEADS, ROLE_HEADS, WordSet, is_speech_verb};
use crate::stopwords::is_stop_lower;
use crate::tokens::{Token, TokenKind};
use parallax_core::calendar::{month_number, weekday};

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organisation,
    Place,
}

impl EntityKind {
    /// The kind's name as used in entity ids ("person").
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organisation => "organisation",
            EntityKind::Place => "place",
        }
    }

    /// The kind [`as_str`](Self::as_str) names.
    pub fn parse(name: &str) -> Option<Self> {
        [EntityKind::Person, EntityKind::Organisation, EntityKind::Place]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// One person, organisation or place named in an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable identity across articles: kind and folded canonical name ("person:sergei-shoigu").
    pub id: String,
    /// Canonical name ("Sergei Shoigu").
    pub name: String,
    pub kind: EntityKind,
    /// Whether the shipped gazetteer knows the entity.
    #[serde(default)]
    pub known: bool,
    /// Titles and roles written with the name ("Russian Security Council Secretary").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Where the article names it.
    pub mentions: Vec<Mention>,
}

/// A span of one sentence that names an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Index into [`Analysis::sentences`](crate::Analysis::sentences).
    pub sentence: usize,
    /// Byte span within the sentence's text.
    pub start: usize,
    pub end: usize,
}

/// Builds the entity id for a kind and canonical name.
pub fn entity_id(kind: EntityKind, name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(fold_accent(c));
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("{}:{slug}", kind.as_str())
}

/// Common Latin letters with diacritics folded to their base, so "Nicolás" and "Nicolas" meet.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' | 'ć' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' | 'ś' | 'ş' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ğ' => 'g',
        'ř' => 'r',
        'ł' => 'l',
        other => other,
    }
}

/// A recognised span before entities are merged.
#[derive(Debug, Clone)]
struct Candidate {
    mention: Mention,
    /// Token range within the sentence.
    tokens: (usize, usize),
    /// The words of the name as written, possessive removed.
    words: Vec<String>,
    kind: Option<EntityKind>,
    known: Option<u32>,
    role: Option<String>,
}

/// Finds and resolves the entities of an article's sentences.
pub(crate) fn recognise(sentences: &[Prepared<'_>], lower_words: &HashSet<&str>) -> Vec<Entity> {
    let mut candidates = Vec::new();
    for (index, sentence) in sentences.iter().enumerate() {
        find_candidates(index, sentence, lower_words, &mut candidates);
    }
    let mut entities = resolve(candidates, sentences);
    for entity in entities.iter_mut().filter(|e| e.kind == EntityKind::Person) {
        let found: Vec<String> =
            entity.mentions.iter().filter_map(|m| appositive_role(&sentences[m.sentence], m.end)).collect();
        for role in found {
            if !entity.roles.contains(&role) {
                entity.roles.push(role);
            }
        }
    }
    entities
}

/// A role written after a name between commas: "Zhang Youxia, a vice chairman of China's Central
/// Military Commission, ...".
fn appositive_role(sentence: &Prepared<'_>, after: usize) -> Option<String> {
    let tokens = &sentence.tokens;
    let comma = tokens.iter().position(|t| t.start >= after)?;
    if !tokens[comma].is(',') {
        return None;
    }
    let mut from = comma + 1;
    if tokens.get(from).is_some_and(|t| t.is_any(&["a", "an", "the"])) {
        from += 1;
    }
    let end = tokens[from..]
        .iter()
        .position(|t| {
            t.kind == TokenKind::Punct || t.is_any(&["who", "which", "that", "and", "said", "says"])
        })
        .map_or(tokens.len(), |p| from + p);
    if end <= from || end - from > 10 {
        return None;
    }
    // The role word must come early: "a vice chairman of ...", not "a town where the mayor ...".
    tokens[from..end].iter().take(4).any(|t| ROLE_HEADS.has(t.lower)).then(|| span_text(sentence, from, end))
}

/// One unit of a capitalised chain.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Known { index: u32, from: usize, to: usize },
    Word(usize),
    Connector(usize),
}

impl Unit {
    fn first(&self) -> usize {
        match *self {
            Unit::Known { from, .. } => from,
            Unit::Word(i) | Unit::Connector(i) => i,
        }
    }

    fn last(&self) -> usize {
        match *self {
            Unit::Known { to, .. } => to - 1,
            Unit::Word(i) | Unit::Connector(i) => i,
        }
    }
}

static CONNECTORS: WordSet = WordSet::new(&[
    "of", "for", "the", "de", "del", "da", "di", "von", "van", "der", "al", "bin", "and", "on", "&",
]);

fn find_candidates(
    sentence_index: usize,
    sentence: &Prepared<'_>,
    lower_words: &HashSet<&str>,
    out: &mut Vec<Candidate>,
) {
    let tokens = &sentence.tokens;
    let mut i = 0;
    while i < tokens.len() {
        if !starts_name(tokens, i, lower_words) {
            i += 1;
            continue;
        }
        // Gather the chain: known names, capitalised words, and connectors between capitals.
        let mut units: Vec<Unit> = Vec::new();
        let mut j = i;
        while j < tokens.len() {
            let t = &tokens[j];
            if let Some((index, mut len)) = longest_known(tokens, j) {
                // "Sichuan Province" is Sichuan.
                let place = gazetteer().entries[index as usize].kind == EntityKind::Place;
                if place
                    && !tokens[j + len - 1].possessive
                    && tokens.get(j + len).is_some_and(|n| n.is_capitalised() && PLACE_HEADS.has(n.lower))
                {
                    len += 1;
                }
                units.push(Unit::Known { index, from: j, to: j + len });
                j += len;
                if tokens[j - 1].possessive {
                    break;
                }
                continue;
            }
            if t.is_capitalised() && !splits_into_names(t) {
                units.push(Unit::Word(j));
                j += 1;
                if t.possessive {
                    break;
                }
                continue;
            }
            // "Jonas Brek on Monday" is a name and a date, not one name.
            let calendar = |n: &Token<'_>| month_number(n.lower).is_some() || weekday(n.lower).is_some();
            let joins = t.is_word()
                && CONNECTORS.has(t.lower)
                && !units.is_empty()
                && tokens
                    .get(j + 1)
                    .is_some_and(|n| (n.is_capitalised() && !calendar(n)) || CONNECTORS.has(n.lower));
            if joins {
                units.push(Unit::Connector(j));
                j += 1;
                continue;
            }
            break;
        }
        while matches!(units.last(), Some(Unit::Connector(_))) {
            units.pop();
        }
        if units.is_empty() {
            // A hyphenated compound such as "Russia-Ukraine" names each part.
            hyphenated_parts(sentence_index, sentence, i, out);
            i += 1;
            continue;
        }
        i = units.last().map_or(i + 1, |u| u.last() + 1);
        interpret_chain(sentence_index, sentence, &units, out);
    }
}

/// Whether a name may start at token `i`: a capitalised word that, at a sentence start, is not an
/// ordinary word that happens to be capitalised there.
fn starts_name(tokens: &[Token<'_>], i: usize, lower_words: &HashSet<&str>) -> bool {
    let t = &tokens[i];
    if !t.is_capitalised() {
        return t.is_word() && t.text.contains('-');
    }
    if !is_sentence_start(tokens, i) {
        return true;
    }
    if longest_known(tokens, i).is_some() {
        return true;
    }
    let lower = t.lower;
    let followed_by_comma = tokens.get(i + 1).is_some_and(|n| n.is(','));
    !(is_stop_lower(lower) || lower_words.contains(lower) || followed_by_comma || lower.ends_with("ly"))
}

/// Whether token `i` opens its sentence or a quotation, after a colon or a dash.
fn is_sentence_start(tokens: &[Token<'_>], i: usize) -> bool {
    let before = tokens[..i].iter().rev().find(|t| !t.is('(') && !t.is('['));
    match before {
        None => true,
        Some(t) => t.kind == TokenKind::Punct && matches!(t.text, "“" | "\"" | "‘" | ":" | "—" | "–" | "-"),
    }
}

/// The longest gazetteer name starting at token `i`: its entry and token count. Names must start and
/// end with a capitalised word.
fn longest_known(tokens: &[Token<'_>], i: usize) -> Option<(u32, usize)> {
    if !tokens[i].is_capitalised() {
        return None;
    }
    let max = gazetteer().longest_from(&tokens[i]).min(tokens.len() - i);
    for len in (1..=max).rev() {
        let run = &tokens[i..i + len];
        let last = &run[len - 1];
        if !last.is_capitalised() || run.iter().any(|t| !t.is_word()) {
            continue;
        }
        if let Some(index) = gazetteer().lookup(run) {
            return Some((index, len));
        }
    }
    None
}

/// Whether a hyphenated word joins names that are known on their own ("Russia-Ukraine",
/// "Sino-Russian") rather than being one name ("Jean-Pierre").
fn splits_into_names(t: &Token<'_>) -> bool {
    t.text.contains('-')
        && t.text.split('-').zip(t.lower.split('-')).any(|(part, lower)| {
            gazetteer().lookup_word(part, lower).is_some() || gazetteer().demonym(lower).is_some()
        })
}

fn hyphenated_parts(sentence_index: usize, sentence: &Prepared<'_>, i: usize, out: &mut Vec<Candidate>) {
    let t = &sentence.tokens[i];
    if !splits_into_names(t) {
        return;
    }
    let mut offset = t.start;
    for (part, lower) in t.text.split('-').zip(t.lower.split('-')) {
        let start = offset;
        offset += part.len() + 1;
        if !part.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        let known = gazetteer().lookup_word(part, lower);
        let kind = known.map(|k| gazetteer().entries[k as usize].kind);
        if known.is_none() && gazetteer().demonym(lower).is_some() {
            continue;
        }
        out.push(Candidate {
            mention: Mention { sentence: sentence_index, start, end: start + part.len() },
            tokens: (i, i + 1),
            words: vec![part.to_owned()],
            kind,
            known,
            role: None,
        });
    }
}

/// Turns a chain of units into candidates: a role and the name after it, known names, organisations
/// and places by their head word, and the remaining runs as names of people.
fn interpret_chain(sentence_index: usize, sentence: &Prepared<'_>, units: &[Unit], out: &mut Vec<Candidate>) {
    let tokens = &sentence.tokens;
    let gazetteer = gazetteer();
    let is_role_word = |u: &Unit| matches!(u, Unit::Word(i) if ROLE_HEADS.has(tokens[*i].lower));
    let is_honorific = |u: &Unit| matches!(u, Unit::Word(i) if HONORIFICS.has(tokens[*i].lower));

    // "Central and East Asia": the first word shares the known name's last words.
    for w in units.windows(3) {
        if let [Unit::Word(first), Unit::Connector(and), Unit::Known { from, to, .. }] = *w
            && tokens[and].is_any(&["and", "or"])
            && to - from >= 2
        {
            let rest: Vec<&str> = tokens[from + 1..to].iter().map(|t| t.lower).collect();
            let key = format!("{} {}", tokens[first].lower, rest.join(" "));
            if let Some(index) = gazetteer.lookup_key(&key) {
                let known = &gazetteer.entries[index as usize];
                out.push(candidate(
                    sentence_index,
                    sentence,
                    first,
                    first + 1,
                    Some(known.kind),
                    Some(index),
                    None,
                ));
            }
        }
    }

    // Known names always count, wherever they stand in the chain.
    for unit in units {
        if let Unit::Known { index, from, to } = *unit {
            let known = &gazetteer.entries[index as usize];
            out.push(candidate(sentence_index, sentence, from, to, Some(known.kind), Some(index), None));
        }
    }

    // A title splits the chain: the role up to it (and any "of the ..." after it), the name after.
    let role_end = units.iter().rposition(|u| is_role_word(u) || is_honorific(u));
    let mut name_start = 0;
    let mut role = None;
    if let Some(r) = role_end {
        let mut k = r + 1;
        // "Director of the Central Foreign Affairs Office Wang Yi": the role runs on through
        // connectors and the organisation they lead to.
        while k < units.len() && matches!(units[k], Unit::Connector(_)) {
            let mut m = k;
            while m < units.len() && matches!(units[m], Unit::Connector(_)) {
                m += 1;
            }
            match units.get(m) {
                Some(Unit::Known { .. }) => k = m + 1,
                Some(Unit::Word(_)) => {
                    // An unknown organisation named after the connector, up to its head word.
                    let head = (m..units.len()).find(
                        |&h| matches!(units[h], Unit::Word(w) if ORGANISATION_HEADS.has(tokens[w].lower)),
                    );
                    match head {
                        Some(h) => {
                            let from = units[m].first();
                            let to = units[h].last() + 1;
                            out.push(candidate(
                                sentence_index,
                                sentence,
                                from,
                                to,
                                Some(EntityKind::Organisation),
                                None,
                                None,
                            ));
                            k = h + 1;
                        }
                        None => break,
                    }
                }
                _ => break,
            }
        }
        let honorific_only = is_honorific(&units[r]) && !units[..r].iter().any(is_role_word);
        if !honorific_only {
            let from = units[0].first();
            let to = units[k - 1].last() + 1;
            role = Some(span_text(sentence, from, to));
        }
        name_start = k;
    }

    // What follows the role (or the whole chain) in runs of plain words between known names.
    let mut run: Vec<usize> = Vec::new();
    let flush = |run: &mut Vec<usize>, role: Option<String>, out: &mut Vec<Candidate>| {
        if run.is_empty() {
            return;
        }
        let (from, to) = (run[0], run[run.len() - 1] + 1);
        if let Some(c) = classify_run(sentence_index, sentence, from, to, role) {
            out.push(c);
        }
        run.clear();
    };
    let mut role_for_name = role;
    for unit in &units[name_start..] {
        match *unit {
            Unit::Word(i) => run.push(i),
            Unit::Connector(i) if !run.is_empty() && !tokens[i].is_any(&["and", "&"]) => run.push(i),
            _ if !run.is_empty() => flush(&mut run, role_for_name.take(), out),
            _ => {}
        }
    }
    // A name right after its role takes the role; a known person after a role takes it too.
    if run.is_empty() {
        if let (Some(role), Some(Unit::Known { index, .. })) = (role_for_name.take(), units.get(name_start))
            && gazetteer.entries[*index as usize].kind == EntityKind::Person
            && let Some(c) = out.iter_mut().rev().find(|c| c.known == Some(*index))
        {
            c.role = Some(role);
        }
    } else {
        flush(&mut run, role_for_name.take(), out);
    }
}

fn candidate(
    sentence_index: usize,
    sentence: &Prepared<'_>,
    from: usize,
    to: usize,
    kind: Option<EntityKind>,
    known: Option<u32>,
    role: Option<String>,
) -> Candidate {
    let tokens = &sentence.tokens;
    Candidate {
        mention: Mention { sentence: sentence_index, start: tokens[from].start, end: tokens[to - 1].end },
        tokens: (from, to),
        words: tokens[from..to].iter().map(|t| t.text.to_owned()).collect(),
        kind,
        known,
        role,
    }
}

fn span_text(sentence: &Prepared<'_>, from: usize, to: usize) -> String {
    let tokens = &sentence.tokens;
    let text = &sentence.text[tokens[from].start..tokens[to - 1].end];
    let text = text.strip_suffix("'s").or_else(|| text.strip_suffix("’s")).unwrap_or(text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Classifies a run of capitalised words that is not a known name.
fn classify_run(
    sentence_index: usize,
    sentence: &Prepared<'_>,
    from: usize,
    to: usize,
    role: Option<String>,
) -> Option<Candidate> {
    let tokens = &sentence.tokens[from..to];
    let last = tokens.last()?;
    let words = tokens.iter().filter(|t| t.is_capitalised()).count();
    // A run made only of demonyms and function words ("Chinese", "The") names nothing.
    if tokens.iter().all(|t| gazetteer().demonym(t.lower).is_some() || is_stop_lower(t.lower)) {
        return None;
    }
    let organisation_head = ORGANISATION_HEADS.has(last.lower)
        || tokens.iter().any(|t| ORGANISATION_HEADS.has(t.lower)) && role.is_none();
    let kind = if words == 1 && role.is_none() {
        // Decided once the article's full names are known.
        None
    } else if organisation_head {
        Some(EntityKind::Organisation)
    } else if PLACE_HEADS.has(last.lower) && words >= 2 {
        Some(EntityKind::Place)
    } else if (role.is_some() && words <= 4)
        || ((2..=4).contains(&words) && tokens.iter().all(|t| t.is_capitalised()))
    {
        Some(EntityKind::Person)
    } else if words == 1 {
        // Decided once the article's full names are known.
        None
    } else {
        return None;
    };
    if kind == Some(EntityKind::Person) && tokens.iter().any(|t| ROLE_HEADS.has(t.lower)) {
        return None;
    }
    Some(candidate(sentence_index, sentence, from, to, kind, None, role))
}

/// Merges candidates into entities: known names by their gazetteer entry, full names of people by
/// their words, and single words by the full name they belong to.
fn resolve(candidates: Vec<Candidate>, sentences: &[Prepared<'_>]) -> Vec<Entity> {
    let gazetteer = gazetteer();
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut add = |entities: &mut Vec<Entity>, kind: EntityKind, name: &str, known: bool, c: &Candidate| {
        let id = entity_id(kind, name);
        let at = *by_id.entry(id.clone()).or_insert_with(|| {
            entities.push(Entity {
                id,
                name: name.to_owned(),
                kind,
                known,
                roles: Vec::new(),
                mentions: Vec::new(),
            });
            entities.len() - 1
        });
        let entity = &mut entities[at];
        if !entity.mentions.contains(&c.mention) {
            entity.mentions.push(c.mention);
        }
        if let Some(role) = &c.role
            && !entity.roles.contains(role)
        {
            entity.roles.push(role.clone());
        }
    };

    // Full names of people seen in the article, longest first, for single words to join.
    let mut full_names: Vec<(Vec<String>, String, bool)> = Vec::new();
    for c in &candidates {
        let (kind, name, known) = match c.known {
            Some(k) => {
                let entry: &Known = &gazetteer.entries[k as usize];
                (entry.kind, entry.name.clone(), true)
            }
            None => match c.kind {
                Some(kind) => (kind, c.words.join(" "), false),
                None => continue,
            },
        };
        if kind == EntityKind::Person {
            let words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
            if words.len() >= 2 && !full_names.iter().any(|(_, n, _)| *n == name) {
                full_names.push((words, name, known));
            }
        }
    }
    let is_known = |name: &str| full_names.iter().any(|(_, n, known)| *known && n == name);
    // Names first, then lone words, which may join a name written later in the article.
    let (lone, named): (Vec<Candidate>, Vec<Candidate>) =
        candidates.into_iter().partition(|c| c.known.is_none() && c.kind.is_none());
    for c in &named {
        match c.known {
            Some(k) => {
                let entry = &gazetteer.entries[k as usize];
                add(&mut entities, entry.kind, &entry.name, true, c);
            }
            None => {
                let kind = c.kind.unwrap_or(EntityKind::Person);
                let written = c.words.join(" ");
                let name = match kind {
                    EntityKind::Person => full_name_for(&c.words, &full_names).unwrap_or(written),
                    _ => written,
                };
                add(&mut entities, kind, &name, is_known(&name), c);
            }
        }
    }
    let mut undecided = Vec::new();
    for c in &lone {
        if let Some(name) = full_name_for(&c.words, &full_names) {
            add(&mut entities, EntityKind::Person, &name, is_known(&name), c);
        } else if let Some(kind) = lone_word_kind(c, sentences) {
            add(&mut entities, kind, &c.words.join(" "), false, c);
        } else {
            undecided.push(c);
        }
    }
    // A lone word that elsewhere in the article speaks is the same person ("Ketsoyan left"); a lone
    // organisation head is the organisation last named with it ("the Party").
    for c in undecided {
        let name = c.words.join(" ");
        if entities.iter().any(|e| e.kind == EntityKind::Person && e.name == name) {
            add(&mut entities, EntityKind::Person, &name, false, c);
        } else if ORGANISATION_HEADS.has(&name.to_ascii_lowercase())
            && let Some(org) = entities
                .iter()
                .filter(|e| {
                    e.kind == EntityKind::Organisation
                        && e.mentions.iter().any(|m| m.sentence <= c.mention.sentence)
                })
                .rfind(|e| e.name.split_whitespace().last().is_some_and(|w| w.eq_ignore_ascii_case(&name)))
        {
            let (kind, org_name, known) = (org.kind, org.name.clone(), org.known);
            add(&mut entities, kind, &org_name, known, c);
        }
    }
    for entity in &mut entities {
        entity.mentions.sort_by_key(|m| (m.sentence, m.start));
    }
    entities
}

/// The full name a person's partial name belongs to: the one whose words include all of the partial
/// name's words, if exactly one does.
fn full_name_for(words: &[String], full_names: &[(Vec<String>, String, bool)]) -> Option<String> {
    let matching: Vec<&String> = full_names
        .iter()
        .filter(|(full, name, _)| {
            full.len() > words.len() && words.iter().all(|w| full.iter().any(|f| f.eq_ignore_ascii_case(w)))
                || (full.len() == words.len() && name.eq_ignore_ascii_case(&words.join(" ")))
        })
        .map(|(_, name, _)| name)
        .collect();
    match matching.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// What a lone capitalised word that no full name explains is: a person when a verb of saying
/// follows it ("Ketsoyan would not say", "Reid said"), an organisation when written as an acronym.
fn lone_word_kind(c: &Candidate, sentences: &[Prepared<'_>]) -> Option<EntityKind> {
    let word = c.words.first()?;
    if ORGANISATION_HEADS.has(&word.to_ascii_lowercase()) || ROLE_HEADS.has(&word.to_ascii_lowercase()) {
        return None;
    }
    let tokens = &sentences[c.mention.sentence].tokens;
    let acronym = word.chars().count() >= 2 && word.chars().all(|ch| ch.is_uppercase() || ch == '.');
    if acronym {
        return Some(EntityKind::Organisation);
    }
    let next = tokens.get(c.tokens.1);
    let after_next = tokens.get(c.tokens.1 + 1);
    let speaks = next.is_some_and(|t| is_speech_verb(t))
        || next.is_some_and(|t| t.is_any(&["has", "had", "would", "will", "also"]))
            && after_next.is_some_and(|t| is_speech_verb(t));
    let said_before = c.tokens.0 >= 1
        && tokens[c.tokens.0 - 1].is_any(&["said", "says", "added"])
        && tokens.get(c.tokens.1).is_none_or(|t| t.kind == TokenKind::Punct);
    (speaks || said_before).then_some(EntityKind::Person)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities_of(text: &str) -> Vec<Entity> {
        let sentences: Vec<String> = crate::split_sentences(text);
        let prepared: Vec<Prepared<'_>> = sentences.iter().map(|s| crate::prepare_static(s)).collect();
        recognise(&prepared, &crate::lower_case_words(&prepared))
    }

    fn names(entities: &[Entity], kind: EntityKind) -> Vec<&str> {
        entities.iter().filter(|e| e.kind == kind).map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn roles_split_from_names() {
        let e = entities_of(
            "Russian Security Council Secretary Sergei Shoigu met Chinese Foreign Minister Wang Yi. \
             Shoigu and Wang talked.",
        );
        assert_eq!(names(&e, EntityKind::Person), ["Sergei Shoigu", "Wang Yi"]);
        assert_eq!(names(&e, EntityKind::Organisation), ["Russian Security Council"]);
        let shoigu = e.iter().find(|e| e.name == "Sergei Shoigu").unwrap();
        assert_eq!(shoigu.roles, ["Russian Security Council Secretary"]);
        assert_eq!(shoigu.mentions.len(), 2);
        let wang = e.iter().find(|e| e.name == "Wang Yi").unwrap();
        assert_eq!(wang.roles, ["Chinese Foreign Minister"]);
        assert_eq!(wang.mentions.len(), 2);
        assert_eq!(shoigu.id, "person:sergei-shoigu");
    }

    #[test]
    fn known_aliases_and_possessives() {
        let e = entities_of("Trump’s envoy met the CCP in the U.S. after Maduro fell. Putin said no.");
        assert_eq!(names(&e, EntityKind::Person), ["Donald Trump", "Nicolás Maduro", "Vladimir Putin"]);
        assert_eq!(names(&e, EntityKind::Organisation), ["Chinese Communist Party"]);
        assert_eq!(names(&e, EntityKind::Place), ["United States"]);
    }

    #[test]
    fn sentence_starts_are_not_names() {
        let e = entities_of("Analysts suggest talks. However, analysts differ. Clearly, Beijing waits.");
        assert_eq!(names(&e, EntityKind::Place), ["Beijing"]);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn unknown_organisations_places_and_people() {
        let e = entities_of(
            "Tara Reid checked into Promises Treatment Center in Malibu, her rep Jack Ketsoyan said. \
             Ketsoyan declined to comment on Sichuan Province or Kerlin County.",
        );
        assert_eq!(names(&e, EntityKind::Person), ["Tara Reid", "Jack Ketsoyan"]);
        assert!(names(&e, EntityKind::Organisation).contains(&"Promises Treatment Center"));
        assert!(names(&e, EntityKind::Place).contains(&"Sichuan"), "a known place with its head word");
        assert!(names(&e, EntityKind::Place).contains(&"Kerlin County"));
        assert_eq!(e.iter().find(|e| e.name == "Jack Ketsoyan").unwrap().mentions.len(), 2);
    }

    #[test]
    fn hyphenated_places_name_each_part() {
        let e = entities_of("The Russia-Ukraine war and Sino-Russian ties.");
        assert_eq!(names(&e, EntityKind::Place), ["Russia", "Ukraine"]);
        let e = entities_of("Security in Central and East Asia.");
        assert_eq!(names(&e, EntityKind::Place), ["Central Asia", "East Asia"]);
    }

    #[test]
    fn ids_fold_accents_and_punctuation() {
        assert_eq!(entity_id(EntityKind::Person, "Nicolás Maduro"), "person:nicolas-maduro");
        assert_eq!(entity_id(EntityKind::Organisation, "U.S. Congress"), "organisation:u-s-congress");
    }
}
