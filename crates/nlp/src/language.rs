//! Language identification from function words and scripts.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use crate::lexicon::WordHasher;
use crate::stopwords::LANGUAGE_MARKERS;
use crate::tokens::with_lowercase;
use crate::words;

/// Guesses a text's language (ISO 639-1). Cyrillic, Greek, Arabic, Hebrew, CJK and other scripts are
/// told by their letters; Latin-script languages by how many of their commonest function words occur.
/// Returns `None` when the text is too short or the evidence too thin.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let end = text.char_indices().nth(20_000).map_or(text.len(), |(i, _)| i);
    let sample = &text[..end];
    if let Some(script_language) = by_script(sample) {
        return Some(script_language);
    }
    let mut tokens = 0usize;
    let mut hits = [0usize; LANGUAGE_MARKERS.len()];
    for word in words(sample) {
        tokens += 1;
        let languages = with_lowercase(word, |lower| marker_languages().get(lower).copied().unwrap_or(0));
        for (language, count) in hits.iter_mut().enumerate() {
            *count += usize::from(languages & (1 << language) != 0);
        }
    }
    if tokens < 3 {
        return None;
    }
    let mut best: Option<(&'static str, usize)> = None;
    for (&(code, _), &count) in LANGUAGE_MARKERS.iter().zip(&hits) {
        if best.is_none_or(|(_, b)| count > b) {
            best = Some((code, count));
        }
    }
    let (code, hits) = best?;
    (hits * 20 >= tokens || hits >= 3).then_some(code)
}

/// Each marker word with the languages it marks, as a bit set in [`LANGUAGE_MARKERS`] order.
fn marker_languages() -> &'static HashMap<&'static str, u16, BuildHasherDefault<WordHasher>> {
    static MARKERS: OnceLock<HashMap<&'static str, u16, BuildHasherDefault<WordHasher>>> = OnceLock::new();
    MARKERS.get_or_init(|| {
        let mut markers = HashMap::default();
        for (language, (_, words)) in LANGUAGE_MARKERS.iter().enumerate() {
            for word in *words {
                *markers.entry(*word).or_default() |= 1 << language;
            }
        }
        markers
    })
}

fn by_script(text: &str) -> Option<&'static str> {
    let mut counts = [0usize; 7];
    let mut letters = 0usize;
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        let slot = match c as u32 {
            0x0400..=0x04FF => 0,
            0x0370..=0x03FF => 1,
            0x0600..=0x06FF => 2,
            0x0590..=0x05FF => 3,
            0x3040..=0x30FF => 4,
            0x4E00..=0x9FFF => 5,
            0xAC00..=0xD7AF => 6,
            _ => continue,
        };
        counts[slot] += 1;
    }
    let (slot, &count) = counts.iter().enumerate().max_by_key(|&(_, c)| *c)?;
    if letters == 0 || count * 2 < letters {
        return None;
    }
    // Japanese text mixes kana with kanji; kana alone decides it.
    if counts[4] > 0 && slot == 5 {
        return Some("ja");
    }
    Some(["ru", "el", "ar", "he", "ja", "zh", "ko"][slot])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_languages() {
        assert_eq!(detect_language("The minister said that the talks were held in the capital."), Some("en"));
        assert_eq!(
            detect_language("Le ministre a dit que les discussions et la paix sont dans le pays."),
            Some("fr")
        );
        assert_eq!(
            detect_language("Der Minister sagte, dass die Gespräche und das Treffen nicht stattfinden."),
            Some("de")
        );
    }

    #[test]
    fn scripts_and_thin_evidence() {
        assert_eq!(detect_language("Шойгу прибыл в Пекин"), Some("ru"));
        assert_eq!(detect_language("王毅会见绍伊古"), Some("zh"));
        assert_eq!(detect_language("Hi"), None);
    }
}
