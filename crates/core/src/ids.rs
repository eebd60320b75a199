//! Typed identifiers for stored things.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An id string that is not a positive integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} id must be a positive integer, got {input:?}")]
pub struct ParseIdError {
    /// Which kind of id was being parsed ("article", "story", "outlet").
    pub kind: &'static str,
    /// The text that was given.
    pub input: String,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().parse::<i64>() {
                    Ok(n) if n > 0 => Ok($name(n)),
                    _ => Err(ParseIdError { kind: $kind, input: s.to_owned() }),
                }
            }
        }
    };
}

id_type!(
    /// Identifies a stored article.
    ArticleId,
    "article"
);
id_type!(
    /// Identifies a story, the group of reports about one event.
    StoryId,
    "story"
);
id_type!(
    /// Identifies an outlet, the publication a report comes from.
    OutletId,
    "outlet"
);
id_type!(
    /// Identifies a reader's account.
    UserId,
    "user"
);
id_type!(
    /// Identifies a reader's comment.
    CommentId,
    "comment"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_positive_integers() {
        assert_eq!("42".parse::<ArticleId>(), Ok(ArticleId(42)));
        assert!("0".parse::<StoryId>().is_err());
        let err = "abc".parse::<OutletId>().unwrap_err();
        assert_eq!(err.kind, "outlet");
        assert!(err.to_string().contains("\"abc\""));
    }

    #[test]
    fn ids_serialise_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&StoryId(7)).unwrap(), "7");
    }
}
