//! One identity per entity across articles.
//!
//! Within an article a surname alone joins the full name written elsewhere in it. Across articles
//! the registry does the same: it learns the full names of people that articles write, and a report
//! that only ever says "Shoigu" gets the id of "Sergei Shoigu" when exactly one known full name ends
//! (or starts) with that word.

use std::collections::HashMap;

use crate::{Analysis, EntityKind, entity_id};

/// Full names seen so far, by the single words they can be called by.
#[derive(Debug, Default, Clone)]
pub struct EntityRegistry {
    /// Lower-cased word → the full name it stands for, or `None` once two full names share it.
    by_word: HashMap<String, Option<String>>,
}

impl EntityRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns the full names of people an analysis names.
    pub fn learn(&mut self, analysis: &Analysis) {
        for entity in analysis.entities.iter().filter(|e| e.kind == EntityKind::Person) {
            self.learn_name(&entity.name);
        }
    }

    /// Learns one person's name; a single word teaches nothing.
    pub fn learn_name(&mut self, name: &str) {
        let words: Vec<&str> = name.split_whitespace().collect();
        if words.len() < 2 {
            return;
        }
        for word in [words[0], words[words.len() - 1]] {
            let slot = self.by_word.entry(word.to_lowercase()).or_insert_with(|| Some(name.to_owned()));
            if slot.as_deref().is_some_and(|known| known != name) {
                *slot = None;
            }
        }
    }

    /// Gives people named by one word the identity of the one full name that word stands for,
    /// merging them with that entity when the article names it too.
    pub fn link(&self, analysis: &mut Analysis) {
        let mut i = 0;
        while i < analysis.entities.len() {
            let entity = &analysis.entities[i];
            let single = entity.kind == EntityKind::Person && !entity.name.contains(char::is_whitespace);
            let full =
                single.then(|| self.by_word.get(&entity.name.to_lowercase())).flatten().cloned().flatten();
            let Some(full) = full else {
                i += 1;
                continue;
            };
            let id = entity_id(EntityKind::Person, &full);
            if let Some(existing) = analysis.entities.iter().position(|e| e.id == id) {
                let merged = analysis.entities.remove(i);
                let target = if existing > i { existing - 1 } else { existing };
                let into = &mut analysis.entities[target];
                into.mentions.extend(merged.mentions);
                into.mentions.sort_by_key(|m| (m.sentence, m.start));
                for role in merged.roles {
                    if !into.roles.contains(&role) {
                        into.roles.push(role);
                    }
                }
                retarget_speakers(analysis, &merged.id, &id, &full);
                continue;
            }
            let old = std::mem::replace(&mut analysis.entities[i].id, id.clone());
            analysis.entities[i].name.clone_from(&full);
            retarget_speakers(analysis, &old, &id, &full);
            i += 1;
        }
    }
}

fn retarget_speakers(analysis: &mut Analysis, from: &str, to: &str, name: &str) {
    for speaker in analysis.quotes.iter_mut().filter_map(|q| q.speaker.as_mut()) {
        if speaker.entity.as_deref() == Some(from) {
            speaker.entity = Some(to.to_owned());
            speaker.name = name.to_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_core::{Article, Block};

    fn analysis_of(text: &str) -> Analysis {
        let mut article = Article::new("");
        article.body = vec![Block::Paragraph { text: text.into() }];
        crate::analyze(&article)
    }

    #[test]
    fn surnames_alone_take_the_full_name_from_other_articles() {
        let mut registry = EntityRegistry::new();
        registry.learn(&analysis_of("Defence chief Aleksandr Dvornikov visited the front on Monday."));
        let mut later = analysis_of("“We will hold,” Dvornikov said. Dvornikov left.");
        assert_eq!(later.entities[0].id, "person:dvornikov");
        registry.link(&mut later);
        assert_eq!(later.entities[0].id, "person:aleksandr-dvornikov");
        assert_eq!(later.entities[0].mentions.len(), 2);
        assert_eq!(
            later.quotes[0].speaker.as_ref().unwrap().entity.as_deref(),
            Some("person:aleksandr-dvornikov")
        );
    }

    #[test]
    fn shared_surnames_stay_unlinked() {
        let mut registry = EntityRegistry::new();
        registry.learn(&analysis_of("Aleksandr Dvornikov met Pavel Dvornikov in Minsk."));
        let mut later = analysis_of("“We will hold,” Dvornikov said.");
        registry.link(&mut later);
        assert_eq!(later.entities[0].id, "person:dvornikov");
    }
}
