//! The shipped gazetteer: well-known places, organisations, people and demonyms, read once from the
//! data files in `data/` (see its README for sources and licences).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::entities::EntityKind;
use crate::lexicon::WordHasher;
use crate::tokens::{Token, tokenize_static};

type Map<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;

/// One known entity.
#[derive(Debug)]
pub(crate) struct Known {
    pub name: String,
    pub kind: EntityKind,
    /// The data file's finer kind ("country", "media", ...) or a person's description.
    pub detail: String,
}

/// The loaded gazetteer with its alias index.
pub(crate) struct Gazetteer {
    pub entries: Vec<Known>,
    /// Normalised name or alias → entry index, and whether that spelling is an acronym that only
    /// matches in capitals ("WHO", not "Who").
    by_key: Map<String, (u32, bool)>,
    /// Lower-cased first word of any name or alias → the most tokens a name starting with it has.
    first_words: Map<String, usize>,
    /// Lower-cased demonym → place entry index.
    demonyms: Map<String, u32>,
    /// Canonical name → entry index.
    by_name: Map<String, u32>,
    /// The most tokens any name or alias has.
    pub longest: usize,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    let mut g = Gazetteer {
        entries: Vec::new(),
        by_key: Map::default(),
        first_words: Map::default(),
        demonyms: Map::default(),
        by_name: Map::default(),
        longest: 1,
    };
    // Earlier files win a shared alias: a place name is likelier than a company or a person.
    g.load(include_str!("../data/places.tsv"), EntityKind::Place, Columns { detail: 1, aliases: 3 });
    g.load(
        include_str!("../data/organisations.tsv"),
        EntityKind::Organisation,
        Columns { detail: 1, aliases: 3 },
    );
    g.load(include_str!("../data/people.tsv"), EntityKind::Person, Columns { detail: 2, aliases: 1 });
    for line in data_lines(include_str!("../data/demonyms.tsv")) {
        let mut fields = line.split('\t');
        if let (Some(adjective), Some(place)) = (fields.next(), fields.next())
            && let Some(&index) = g.by_key.get(&key_of_text(place))
        {
            g.demonyms.insert(adjective.trim().to_lowercase(), index.0);
        }
    }
    g
});

struct Columns {
    detail: usize,
    aliases: usize,
}

/// The shipped gazetteer.
pub(crate) fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

impl Gazetteer {
    fn load(&mut self, text: &str, kind: EntityKind, columns: Columns) {
        for line in data_lines(text) {
            let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
            let Some(&name) = fields.first().filter(|n| !n.is_empty()) else { continue };
            let index = self.entries.len() as u32;
            let detail = fields.get(columns.detail).copied().unwrap_or_default();
            self.entries.push(Known { name: name.to_owned(), kind, detail: detail.to_owned() });
            self.by_name.entry(name.to_owned()).or_insert(index);
            let aliases = fields.get(columns.aliases).copied().unwrap_or_default();
            for alias in std::iter::once(name).chain(aliases.split('|')).filter(|a| !a.trim().is_empty()) {
                let tokens = tokenize_static(alias.trim());
                let Some(first) = tokens.first() else { continue };
                self.longest = self.longest.max(tokens.len());
                let most = self.first_words.entry(first.lower.to_owned()).or_default();
                *most = (*most).max(tokens.len());
                let acronym = tokens.len() == 1 && is_acronym(tokens[0].text);
                self.by_key.entry(key_of(&tokens)).or_insert((index, acronym));
            }
        }
    }

    /// The entry a run of tokens names exactly, if any. An acronym matches only when written in
    /// capitals.
    pub fn lookup(&self, tokens: &[Token<'_>]) -> Option<u32> {
        let &(index, acronym) = self.by_key.get(&key_of(tokens))?;
        (!acronym || tokens.iter().all(|t| is_acronym(t.text))).then_some(index)
    }

    /// The entry a ready-made key names ("central asia").
    pub fn lookup_key(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).filter(|(_, acronym)| !acronym).map(|&(index, _)| index)
    }

    /// The most tokens a name starting with this token can have; 0 when none starts with it.
    pub fn longest_from(&self, token: &Token<'_>) -> usize {
        self.first_words.get(token.lower).copied().unwrap_or(0)
    }

    /// The entry one lower-cased word names exactly, if any.
    pub fn lookup_word(&self, word: &str, lower: &str) -> Option<u32> {
        let &(index, acronym) = self.by_key.get(lower)?;
        (!acronym || is_acronym(word)).then_some(index)
    }

    /// The entry with this canonical name.
    pub fn by_name(&self, name: &str) -> Option<&Known> {
        self.entries.get(*self.by_name.get(name)? as usize)
    }

    /// The place a demonym ("chinese", "russian", given in lower case) refers to.
    pub fn demonym(&self, lower: &str) -> Option<&Known> {
        let index = *self.demonyms.get(lower)?;
        self.entries.get(index as usize)
    }
}

/// The lookup key of a run of tokens: lower-cased words joined by spaces, inner possessives kept
/// ("china's foreign ministry") and a final one dropped ("Trump's" is "trump"), so that every spelling
/// of an alias in the data and in text meets in one key.
pub(crate) fn key_of(tokens: &[Token<'_>]) -> String {
    let mut key = String::new();
    let last = tokens.len().saturating_sub(1);
    for (i, token) in tokens.iter().enumerate() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(token.lower);
        if token.possessive && i < last {
            key.push_str("'s");
        }
    }
    key
}

/// Two or more letters, all capitals ("WHO", "U.S.").
fn is_acronym(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !word.chars().any(char::is_lowercase)
}

fn key_of_text(text: &str) -> String {
    key_of(&tokenize_static(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(name: &str) -> Option<&'static Known> {
        let tokens = tokenize_static(name);
        gazetteer().lookup(&tokens).map(|i| &gazetteer().entries[i as usize])
    }

    #[test]
    fn names_and_aliases_resolve() {
        assert_eq!(find("Beijing").map(|k| k.kind), Some(EntityKind::Place));
        assert_eq!(find("U.S.").map(|k| k.name.as_str()), Some("United States"));
        assert_eq!(find("CCP").map(|k| k.name.as_str()), Some("Chinese Communist Party"));
        assert_eq!(find("Putin").map(|k| k.name.as_str()), Some("Vladimir Putin"));
        assert_eq!(find("TASS").map(|k| k.kind), Some(EntityKind::Organisation));
        assert!(find("Yesterday").is_none());
        assert!(find("Who").is_none() && find("WHO").is_some(), "acronyms match in capitals only");
        assert_eq!(gazetteer().demonym("chinese").map(|k| k.name.as_str()), Some("China"));
    }

    #[test]
    fn every_data_line_has_its_columns() {
        for (file, text, columns) in [
            ("places", include_str!("../data/places.tsv"), 4),
            ("organisations", include_str!("../data/organisations.tsv"), 4),
            ("people", include_str!("../data/people.tsv"), 3),
            ("demonyms", include_str!("../data/demonyms.tsv"), 2),
        ] {
            for line in data_lines(text) {
                assert_eq!(line.split('\t').count(), columns, "{file}: {line:?}");
            }
        }
    }
}
