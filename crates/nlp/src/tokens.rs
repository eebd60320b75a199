//! Word tokens.

/// The words of a text: runs of letters and digits, keeping inner apostrophes, hyphens and periods
/// ("don't", "Russia-Ukraine", "U.S."), with trailing punctuation removed.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '\'' | '’' | '-' | '.')))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_marks() {
        let got: Vec<&str> = words("“Don't,” said the U.S. envoy — Russia-Ukraine talks (2026).").collect();
        assert_eq!(got, ["Don't", "said", "the", "U.S", "envoy", "Russia-Ukraine", "talks", "2026"]);
    }
}
