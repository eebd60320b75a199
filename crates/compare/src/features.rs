//! What a sentence says, as features comparison can match across outlets that word things
//! differently: the entities it names (by canonical id, so "Shoigu" matches "Sergei Shoigu"), its
//! content words reduced to a stem or to a class of words that report the same thing ("talks",
//! "discussions", "met"), and the slots its quantities and dates fill (a count of people, a day),
//! whatever their values, so that sentences giving different tolls still align and can conflict.

use std::collections::HashMap;
use std::sync::OnceLock;

use parallax_nlp::{Analysis, DateValue, Entity, EntityKind, ValueKind, is_stopword, words};

/// Words reporters use for the same thing; each group counts as one feature.
const PARAPHRASES: &[&[&str]] = &[
    &[
        "talk",
        "discussion",
        "discuss",
        "meet",
        "met",
        "meeting",
        "negotiation",
        "negotiate",
        "consultation",
        "dialogue",
        "conversation",
        "summit",
    ],
    &["war", "conflict", "hostility", "hostilities", "combat"],
    &["end", "resolution", "resolve", "settle", "settlement", "ceasefire", "truce"],
    &["kill", "dead", "die", "died", "death", "fatality", "fatalities", "toll"],
    &["injure", "injury", "wound", "wounded", "hurt", "injuries"],
    &["visit", "trip", "travel", "arrive", "arrival", "came", "tour"],
    &["agree", "agreement", "deal", "accord", "pact", "treaty"],
    &["resign", "resignation", "quit"],
    &["collapse", "fell", "crumble"],
    &["buy", "acquire", "acquisition", "purchase", "takeover", "pay", "sell", "sold", "sale"],
    &["start", "began", "begin", "started", "ignite", "ignited", "erupt", "erupted"],
    &["fight", "battle", "tackle"],
    &["share", "stock"],
    &["hospital", "clinic", "infirmary"],
    &["board", "aboard", "onboard", "carrying", "carried"],
    &["ship", "vessel", "boat"],
    &["port", "harbour", "harbor"],
    &["wait", "queue", "queued"],
    &["household", "family", "families"],
    &["rescue", "rescued", "save", "saved"],
    &["combine", "combined", "merge", "merged", "merger"],
    &["taken", "brought", "transported", "ferried", "airlifted", "flown"],
    &["study", "finding", "findings", "research", "paper"],
    &["hack", "hacker", "hackers", "cyberattack", "breach"],
    &["participate", "turnout"],
    &["inaugurate", "sworn"],
    &["reporter", "journalist"],
    &["company", "firm"],
    &["partner", "partnership", "ally", "alliance", "relationship", "relation", "tie", "ties"],
    &["fire", "blaze", "wildfire", "flame", "burn", "burned", "burnt"],
    &["evacuate", "evacuation", "flee", "fled", "evacuee"],
    &["arrest", "detain", "detention", "custody"],
    &["vote", "ballot", "election", "poll"],
    &["announce", "unveil", "reveal", "disclose", "declare"],
    &["strike", "walkout", "stoppage"],
    &["cancel", "cancelled", "canceled", "scrap", "scrapped"],
    &["rise", "increase", "grow", "climb", "surge", "jump"],
    &["fall", "drop", "decline", "plunge", "slump", "decrease"],
    &["mediation", "mediate", "mediator", "broker"],
    &["home", "house", "houses", "dwelling", "residence"],
    &["city", "town"],
    &["rule", "ruling", "verdict", "judgment", "judgement"],
    &["outbreak", "epidemic"],
    &["ill", "illness", "sick", "sickness", "disease", "infected", "infection"],
    &["sign", "signed", "signing"],
    &["support", "backing", "backed", "favour", "favor"],
];

/// Words common enough to be function words for clustering that still tell what a statement says
/// ("the first case", "the last visit", "did not").
const MEANINGFUL: &[&str] =
    &["first", "last", "new", "against", "before", "after", "under", "over", "down", "off"];

/// Each paraphrase word, and its stem, with its group.
fn paraphrase_groups() -> &'static HashMap<String, usize> {
    static GROUPS: OnceLock<HashMap<String, usize>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups = HashMap::new();
        for (group, words) in PARAPHRASES.iter().enumerate() {
            for word in *words {
                groups.entry((*word).to_owned()).or_insert(group);
                groups.entry(stem(word)).or_insert(group);
            }
        }
        groups
    })
}

/// Verbs of saying carry who speaks, not what is said: they do not count as content.
const SPEECH_WORDS: &[&str] =
    &["say", "said", "says", "tell", "told", "added", "stated", "according", "reported", "report", "noted"];

/// Interns feature strings as small ids.
#[derive(Debug, Default)]
pub(crate) struct Features {
    ids: HashMap<String, u32>,
    /// How many units have each feature.
    pub(crate) document_frequency: Vec<u32>,
    /// Whether the feature is a named entity (they tell statements apart more than words do).
    pub(crate) is_entity: Vec<bool>,
}

impl Features {
    fn id(&mut self, feature: String, entity: bool) -> u32 {
        let next = self.ids.len() as u32;
        let id = *self.ids.entry(feature).or_insert(next);
        if id == next {
            self.document_frequency.push(0);
            self.is_entity.push(entity);
        }
        id
    }

    /// Counts a unit's features for the document frequencies.
    pub(crate) fn count(&mut self, unit: &[u32]) {
        for &f in unit {
            self.document_frequency[f as usize] += 1;
        }
    }

    /// The features of sentence `index` of an analysis.
    pub(crate) fn of_sentence(&mut self, analysis: &Analysis, index: usize) -> SentenceFeatures {
        let text = &analysis.sentences[index].text;
        // Byte spans of entity mentions: their words are matched through the entity instead.
        let mut named: Vec<(usize, usize)> = Vec::new();
        let mut positioned: Vec<(usize, u32)> = Vec::new();
        let mut subject = None;
        for entity in &analysis.entities {
            for mention in entity.mentions.iter().filter(|m| m.sentence == index) {
                named.push((mention.start, mention.end));
                let id = self.id(format!("e:{}", entity.id), true);
                positioned.push((mention.start, id));
                if mention.start == 0 && entity.kind == EntityKind::Person {
                    subject = Some(id);
                }
            }
        }
        if subject.is_none()
            && let Some(person) = pronoun_person(analysis, index)
        {
            let id = self.id(format!("e:{}", person.id), true);
            positioned.push((0, id));
            subject = Some(id);
        }
        let words: Vec<(usize, &str)> =
            words(text).map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w)).collect();
        let mut k = 0;
        while k < words.len() {
            let (start, word) = words[k];
            k += 1;
            if named.iter().any(|&(s, e)| start >= s && start < e) {
                continue;
            }
            // A phrasal verb counts as the single word it means ("took over" is "takeover").
            // "lost their lives", "leave their homes": a possessive may stand between.
            let possessive =
                words.get(k).is_some_and(|&(_, w)| POSSESSIVES.contains(&w.to_lowercase().as_str()));
            let second = if possessive { k + 1 } else { k };
            let phrase = words.get(second).and_then(|&(_, next)| phrasal(word, next));
            let feature = match phrase {
                Some(meaning) => {
                    k = second + 1;
                    content_feature(meaning)
                }
                None => content_feature(word),
            };
            if let Some(feature) = feature {
                positioned.push((start, self.id(feature, false)));
            }
        }
        // In a sentence that is mostly quotation, what the speaker said is the statement; the words
        // introducing it ("the chief medical officer of Keld province said") would match every
        // other quotation of the same speaker.
        let quoted: Vec<(usize, usize)> =
            analysis.quotes.iter().filter(|q| q.sentence == index).map(|q| (q.start, q.end)).collect();
        let quoted_length: usize = quoted.iter().map(|(s, e)| e.saturating_sub(*s)).sum();
        if quoted_length * 2 > text.len() {
            let entities = &self.is_entity;
            positioned
                .retain(|&(at, f)| entities[f as usize] || quoted.iter().any(|&(s, e)| at >= s && at < e));
        }
        let words_end = positioned.len();
        for value in analysis.values.iter().filter(|v| v.sentence == index) {
            let slot = match (&value.kind, &value.unit) {
                (ValueKind::Number, Some(unit)) => format!("n:{}", counted_class(unit)),
                (ValueKind::Number, None) => continue,
                (ValueKind::Percent, _) => "n:percent".to_owned(),
                (ValueKind::Money { currency }, _) => format!("n:{currency}"),
            };
            positioned.push((value.start, self.id(slot, false)));
            // The same quantity, however written ("6,000", "six thousand"), is a strong match.
            positioned.push((value.start, self.id(format!("v:{}", value.value), false)));
        }
        for date in analysis.dates.iter().filter(|d| d.sentence == index) {
            positioned.push((date.start, self.id("d:date".to_owned(), false)));
            if let DateValue::Day { date: day } = date.value {
                positioned.push((date.start, self.id(format!("d:{day}"), false)));
            }
        }
        let mut words = positioned[..words_end].to_vec();
        words.sort_unstable();
        positioned.sort_unstable();
        let starts = clause_starts(text);
        let clauses = starts
            .windows(2)
            .map(|w| set(positioned.iter().filter(|(at, _)| *at >= w[0] && *at < w[1]).map(|&(_, f)| f)))
            .collect::<Vec<_>>();
        // Two content words or names in a row within a clause ("strategic partnership").
        let clause_of = |at: usize| starts.partition_point(|&s| s <= at);
        let phrases = words
            .windows(2)
            .filter(|w| w[0].1 != w[1].1 && clause_of(w[0].0) == clause_of(w[1].0))
            .map(|w| (u64::from(w[0].1) << 32) | u64::from(w[1].1));
        SentenceFeatures {
            set: set(positioned.iter().map(|&(_, f)| f)),
            clauses: merge_small(clauses),
            phrases: set(phrases),
            subject,
        }
    }
}

/// What one sentence says, as features.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentenceFeatures {
    /// The whole sentence's features, sorted.
    pub(crate) set: Vec<u32>,
    /// Each clause's features, sorted.
    pub(crate) clauses: Vec<Vec<u32>>,
    /// Pairs of features written next to each other, in order, sorted.
    pub(crate) phrases: Vec<u64>,
    /// The person the sentence opens with, who is most likely what it is about.
    pub(crate) subject: Option<u32>,
}

fn set<T: Ord>(features: impl Iterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = features.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Fewer features than this make a clause too thin to align on its own.
const MIN_CLAUSE_FEATURES: usize = 3;

/// Joins each thin clause to its neighbour, so that every clause says enough to be matched.
fn merge_small(clauses: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
    let mut merged: Vec<Vec<u32>> = Vec::new();
    for clause in clauses {
        match merged.last_mut() {
            Some(last) if last.len() < MIN_CLAUSE_FEATURES || clause.len() < MIN_CLAUSE_FEATURES => {
                last.extend(clause);
                last.sort_unstable();
                last.dedup();
            }
            _ => merged.push(clause),
        }
    }
    merged
}

/// Byte offsets where the sentence's clauses start, and its length: breaks at semicolons, colons and
/// dashes, and at commas before a conjunction, a relative word or a participle.
fn clause_starts(text: &str) -> Vec<usize> {
    const OPENERS: &[&str] = &[
        "and", "but", "while", "although", "though", "whereas", "which", "where", "who", "when", "as",
        "after", "before", "because", "saying", "adding",
    ];
    let mut starts = vec![0];
    for (i, c) in text.char_indices() {
        let after = i + c.len_utf8();
        let breaks = match c {
            ';' | ':' | '—' | '“' | '”' => true,
            ',' => {
                let next = text[after..].split_whitespace().next().unwrap_or("");
                let next = next.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                OPENERS.contains(&next.as_str()) || (next.len() > 5 && next.ends_with("ing"))
            }
            _ => false,
        };
        if breaks && after < text.len() {
            starts.push(after);
        }
    }
    starts.push(text.len());
    starts
}

/// What a count counts, in the singular ("homes" → "home"), so that counts of one thing meet.
pub(crate) fn counted(unit: &str) -> String {
    let unit = unit.to_lowercase();
    if let Some(base) = unit.strip_suffix("ies") {
        format!("{base}y")
    } else if unit.ends_with('s') && !unit.ends_with("ss") {
        unit[..unit.len() - 1].to_owned()
    } else {
        unit
    }
}

/// The person a sentence opening with "He", "She", "His" or "Her" is about: the one named last in
/// the two sentences before it.
pub(crate) fn pronoun_person(analysis: &Analysis, index: usize) -> Option<&Entity> {
    let text = &analysis.sentences.get(index)?.text;
    if !words(text).next().is_some_and(|w| ["He", "She", "His", "Her"].contains(&w)) {
        return None;
    }
    let named_last = |i: usize| {
        analysis
            .entities
            .iter()
            .filter(|e| e.kind == EntityKind::Person)
            .flat_map(|e| e.mentions.iter().filter(move |m| m.sentence == i).map(move |m| (m.start, e)))
            .max_by_key(|(start, _)| *start)
            .map(|(_, e)| e)
    };
    (index.saturating_sub(2)..index).rev().find_map(named_last)
}

/// Nouns for people, which count the same thing whichever a report uses ("six passengers", "six
/// people").
const PEOPLE: &[&str] = &[
    "people",
    "person",
    "persons",
    "passenger",
    "resident",
    "worker",
    "civilian",
    "victim",
    "child",
    "children",
    "men",
    "women",
    "patient",
    "student",
    "soldier",
    "troop",
    "miner",
    "staff",
    "crew",
    "survivor",
    "villager",
    "employee",
    "voter",
    "protester",
    "demonstrator",
    "traveller",
    "traveler",
    "customer",
    "fan",
    "spectator",
    "tourist",
    "visitor",
    "pilot",
    "family",
    "evacuee",
    "inmate",
    "prisoner",
    "climber",
    "hiker",
    "migrant",
    "refugee",
    "casualty",
    "sailor",
    "driver",
];

/// What a count counts, with every noun for people as "people".
pub(crate) fn counted_class(unit: &str) -> String {
    let unit = counted(unit);
    if PEOPLE.contains(&unit.as_str()) { "people".to_owned() } else { unit }
}

/// Two-word verbs and expressions and the single word each means.
const PHRASAL: &[(&str, &[&str], &str)] = &[
    ("over", &["take", "takes", "taking", "took", "taken"], "takeover"),
    ("down", &["step", "steps", "stepping", "stepped", "stand", "stood"], "resign"),
    ("way", &["give", "gives", "gave", "given"], "collapse"),
    ("out", &["break", "breaks", "broke", "broken"], "start"),
    ("board", &["on"], "aboard"),
    ("part", &["take", "takes", "took", "taken", "taking"], "participate"),
    ("lives", &["lost", "lose"], "died"),
    ("fire", &["caught", "catch"], "fire"),
    ("office", &["took", "take", "takes", "taking"], "inaugurate"),
    ("homes", &["leave", "left", "leaving", "flee", "fled", "abandon", "abandoned"], "evacuate"),
    ("off", &["call", "called", "calls", "calling"], "cancel"),
];

/// Words that may stand between the two words of an expression ("leave their homes").
const POSSESSIVES: &[&str] = &["their", "his", "her", "its", "our"];

/// The single word a two-word expression means, if it is one.
fn phrasal(word: &str, next: &str) -> Option<&'static str> {
    let next = next.to_lowercase();
    let word = word.to_lowercase();
    PHRASAL
        .iter()
        .find(|(second, firsts, _)| *second == next && firsts.contains(&word.as_str()))
        .map(|(_, _, meaning)| *meaning)
}

/// A content word's feature: its paraphrase group, else its stem; `None` for function words,
/// verbs of saying and short words.
fn content_feature(word: &str) -> Option<String> {
    let lower = word.trim_end_matches(['.', '\'', '’']).to_lowercase();
    let lower = lower.strip_suffix("'s").or_else(|| lower.strip_suffix("’s")).unwrap_or(&lower);
    let function_word = is_stopword(lower) && !MEANINGFUL.contains(&lower);
    if lower.len() < 3 || function_word || SPEECH_WORDS.contains(&lower) {
        return None;
    }
    if lower.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.')) {
        // Numbers are slots (see `of_sentence`), not words.
        return None;
    }
    let stemmed = stem(lower);
    let groups = paraphrase_groups();
    match groups.get(lower).or_else(|| groups.get(&stemmed)) {
        Some(group) => Some(format!("p:{group}")),
        None => Some(stemmed),
    }
}

/// A light English stemmer: strips inflections and a few derivational endings, keeping at least
/// four letters, so that "partnerships", "partners" and "partner" meet.
pub(crate) fn stem(word: &str) -> String {
    const ENDINGS: &[(&str, &str)] = &[
        ("ships", ""),
        ("ship", ""),
        ("ments", ""),
        ("ment", ""),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ions", ""),
        ("ion", ""),
        ("ings", ""),
        ("ing", ""),
        ("ied", "y"),
        ("ies", "y"),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ];
    let mut stemmed = word.to_owned();
    for (ending, replacement) in ENDINGS {
        if let Some(base) = word.strip_suffix(ending)
            && base.chars().count() >= 4
            && !(*ending == "s" && (base.ends_with('s') || base.ends_with('u') || base.ends_with('i')))
        {
            stemmed = format!("{base}{replacement}");
            break;
        }
    }
    // A final silent "e" goes, so that "undermine" meets "undermining".
    if stemmed.ends_with('e') && stemmed.chars().count() >= 5 {
        stemmed.pop();
    }
    stemmed
}

/// The content features of a piece of text without its analysis (a quotation): its words' stems and
/// paraphrase groups, names included as words.
pub(crate) fn word_features(text: &str) -> Vec<String> {
    let mut features: Vec<String> = words(text).filter_map(content_feature).collect();
    features.sort_unstable();
    features.dedup();
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(stem("partnerships"), stem("partners"));
        assert_eq!(stem("discussions"), stem("discussed"));
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("undermine"), stem("undermining"));
        assert_eq!(stem("accelerated"), stem("accelerating"));
        assert_eq!(stem("negotiations"), stem("negotiate"));
    }

    #[test]
    fn no_word_or_stem_belongs_to_two_groups() {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (group, words) in PARAPHRASES.iter().enumerate() {
            for word in *words {
                for key in [(*word).to_owned(), stem(word)] {
                    let first = *seen.entry(key.clone()).or_insert(group);
                    assert!(first == group, "{key} is in groups {first} and {group}");
                }
            }
        }
    }

    #[test]
    fn paraphrases_are_one_feature() {
        assert_eq!(content_feature("talks"), content_feature("discussions"));
        assert_eq!(content_feature("war"), content_feature("conflict"));
        assert_eq!(content_feature("the"), None);
        assert_eq!(content_feature("said"), None);
    }

    #[test]
    fn clauses_break_at_conjunctions_and_participles() {
        let text = "Shoigu arrived in Beijing, focusing on security, and Wang Yi met him; talks went on.";
        let starts = clause_starts(text);
        let clauses: Vec<&str> = starts.windows(2).map(|w| text[w[0]..w[1]].trim()).collect();
        assert_eq!(
            clauses,
            ["Shoigu arrived in Beijing,", "focusing on security,", "and Wang Yi met him;", "talks went on."]
        );
    }
}
