//! What readers bring: accounts and their sessions, comments on stories and articles with replies
//! to any depth, votes and ratings, reports of comments, moderation with its audit log, and the
//! counters rate limits are kept in.
//!
//! Nothing a reader or moderator does removes a row: a comment deleted by its author or a
//! moderator keeps its place in the thread (its text withheld), and only an admin's purge, itself
//! logged, deletes one.

use chrono::{DateTime, Utc};
use parallax_core::{ArticleId, CommentId, StoryId, UserId};
use serde::Serialize;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Comments, votes, rates and reports.
    Reader,
    /// Also hides, restores and deletes comments, locks threads and bans readers.
    Moderator,
    /// Also purges comments for good and gives roles.
    Admin,
}

impl Role {
    /// The role's name ("reader").
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// The role [`as_str`](Self::as_str) names.
    pub fn parse(name: &str) -> Option<Self> {
        [Role::Reader, Role::Moderator, Role::Admin].into_iter().find(|r| r.as_str() == name)
    }

    /// Whether the role moderates (moderators and admins).
    pub fn moderates(self) -> bool {
        self >= Role::Moderator
    }
}

/// An account as others see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    /// The name it signs in with and is shown by.
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Why and when it was banned, if it is.
    pub banned: Option<Ban>,
}

/// A ban on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ban {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// An account with its password hash, for signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: User,
    /// The PHC-format hash.
    pub password_hash: String,
}

/// A signed-in session, found by the hash of the token its cookie holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    /// The token forms of this session carry against cross-site requests.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// What a comment is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Target {
    Story(StoryId),
    Article(ArticleId),
}

impl Target {
    /// The kind as stored ("story").
    pub fn kind(self) -> &'static str {
        match self {
            Target::Story(_) => "story",
            Target::Article(_) => "article",
        }
    }

    /// The id of the story or article.
    pub fn id(self) -> i64 {
        match self {
            Target::Story(id) => id.get(),
            Target::Article(id) => id.get(),
        }
    }

    /// The target a stored kind and id name.
    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "story" => Some(Target::Story(StoryId(id))),
            "article" => Some(Target::Article(ArticleId(id))),
            _ => None,
        }
    }
}

/// A comment as posted.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub target: Target,
    /// The comment it answers.
    pub parent: Option<CommentId>,
    pub author: UserId,
    /// What the reader wrote.
    pub source: &'a str,
    /// The source rendered and sanitised.
    pub html: &'a str,
    /// The key of the form or request it came from: the same key posts once.
    pub key: &'a str,
}

/// The outcome of posting a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// Stored under this id.
    New(CommentId),
    /// The same key was posted before, under this id; nothing was written.
    Repeated(CommentId),
    /// The comment answered does not exist on this target.
    NoParent,
    /// The answered comment was deleted or hidden: it takes no replies.
    ParentClosed,
    /// The thread is locked.
    Locked,
    /// The author is banned.
    Banned,
}

/// Where a comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentState {
    Visible,
    /// Deleted by its author.
    Deleted,
    /// Hidden by a moderator.
    Hidden,
    /// Deleted by a moderator.
    Removed,
}

impl CommentState {
    fn as_str(self) -> &'static str {
        match self {
            CommentState::Visible => "visible",
            CommentState::Deleted => "deleted",
            CommentState::Hidden => "hidden",
            CommentState::Removed => "removed",
        }
    }

    pub(crate) fn stored(self) -> &'static str {
        self.as_str()
    }

    pub(crate) fn from_stored(state: &str) -> Self {
        match state {
            "deleted" => CommentState::Deleted,
            "hidden" => CommentState::Hidden,
            "removed" => CommentState::Removed,
            _ => CommentState::Visible,
        }
    }
}

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub id: CommentId,
    pub target: Target,
    pub parent: Option<CommentId>,
    pub author: UserId,
    pub author_name: String,
    pub source: String,
    pub html: String,
    pub state: CommentState,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub up: u32,
    pub down: u32,
    /// Open reports against it.
    pub reports: u32,
}

/// A moderator's action on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    Hide,
    Restore,
    Remove,
}

/// The outcome of an edit or deletion by a comment's author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorChange {
    Done,
    /// No such comment, or not the author's.
    NotYours,
    /// Past the time a comment may be edited.
    TooLate,
    /// Deleted, hidden or removed already.
    Closed,
}

/// A report of a comment, for the moderators' queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportedComment {
    pub comment: Comment,
    /// The reasons given, with who gave them.
    pub reasons: Vec<(String, String)>,
    pub first_reported: DateTime<Utc>,
}

/// One line of the audit log: who did what to what, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: String,
    /// "comment 12", "user 3", "story 7".
    pub subject: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A story's "helpful coverage" ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ratings {
    pub helpful: u32,
    pub not_helpful: u32,
}
