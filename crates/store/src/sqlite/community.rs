//! Readers' accounts, comments, votes, ratings, moderation and rate limits on SQLite. Every change
//! a moderator or admin makes is written to the audit log in the same transaction as the change.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parallax_core::{CommentId, StoryId, UserId};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{parse_time, timestamp};
use crate::community::{
    AuditEntry, AuthorChange, Ban, Comment, CommentState, Credentials, Moderation, NewComment, Posted,
    Ratings, ReportedComment, Role, Session, Target, User,
};
use crate::error::QueryContext;
use crate::{Page, StoreError};

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.created_at, u.banned_at, u.ban_reason";

fn user_row(r: &Row<'_>, at: usize) -> rusqlite::Result<User> {
    let role: String = r.get(at + 2)?;
    let banned_at = parse_time(r.get(at + 4)?);
    Ok(User {
        id: UserId(r.get(at)?),
        name: r.get(at + 1)?,
        role: Role::parse(&role).unwrap_or(Role::Reader),
        created_at: parse_time(r.get(at + 3)?).unwrap_or_default(),
        banned: banned_at
            .map(|at_time| Ban { at: at_time, reason: r.get(at + 5).ok().flatten().unwrap_or_default() }),
    })
}

/// Writes one line of the audit log.
fn audit(
    conn: &Connection,
    actor: Option<UserId>,
    action: &str,
    subject: &str,
    reason: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (actor_id, action, subject, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![actor.map(UserId::get), action, subject, reason, timestamp(Utc::now())],
    )
    .during("writing the audit log")?;
    Ok(())
}

pub(super) fn create_user(
    conn: &Connection,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<Option<User>, StoreError> {
    let now = timestamp(Utc::now());
    let inserted = conn
        .execute(
            "INSERT OR IGNORE INTO users (name, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, password_hash, role.as_str(), now],
        )
        .during("creating an account")?;
    if inserted == 0 {
        return Ok(None);
    }
    // Every account is on the record from its first moment, whoever opened it.
    let id = UserId(conn.last_insert_rowid());
    audit(conn, None, "create account", &format!("user {id}"), &format!("as {}", role.as_str()))?;
    user(conn, id)
}

pub(super) fn credentials(conn: &Connection, name: &str) -> Result<Option<Credentials>, StoreError> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = ?1"),
        [name],
        |r| Ok(Credentials { user: user_row(r, 0)?, password_hash: r.get(6)? }),
    )
    .optional()
    .during("reading an account")
}

pub(super) fn user(conn: &Connection, id: UserId) -> Result<Option<User>, StoreError> {
    conn.query_row(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"), [id.get()], |r| {
        user_row(r, 0)
    })
    .optional()
    .during("reading an account")
}

pub(super) fn set_password(conn: &Connection, id: UserId, password_hash: &str) -> Result<bool, StoreError> {
    let changed = conn
        .execute("UPDATE users SET password_hash = ?1 WHERE id = ?2", params![password_hash, id.get()])
        .during("changing a password")?;
    Ok(changed == 1)
}

pub(super) fn set_role(
    conn: &Connection,
    id: UserId,
    role: Role,
    actor: Option<UserId>,
) -> Result<bool, StoreError> {
    let changed = conn
        .execute("UPDATE users SET role = ?1 WHERE id = ?2", params![role.as_str(), id.get()])
        .during("changing a role")?;
    if changed == 1 {
        audit(conn, actor, "set role", &format!("user {id}"), role.as_str())?;
    }
    Ok(changed == 1)
}

pub(super) fn open_session(
    conn: &Connection,
    user: UserId,
    token_hash: &str,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = Utc::now();
    // Sessions past their time are cleared as new ones open, so the table holds only live ones.
    conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [timestamp(now)])
        .during("clearing sessions")?;
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, user.get(), csrf, timestamp(now), timestamp(expires_at)],
    )
    .during("opening a session")?;
    Ok(())
}

pub(super) fn session(conn: &Connection, token_hash: &str) -> Result<Option<Session>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.banned_at IS NULL"
        ),
        params![token_hash, timestamp(Utc::now())],
        |r| {
            Ok(Session {
                user: user_row(r, 0)?,
                csrf: r.get(6)?,
                expires_at: parse_time(r.get(7)?).unwrap_or_default(),
            })
        },
    )
    .optional()
    .during("reading a session")
}

pub(super) fn close_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash]).during("closing a session")?;
    Ok(())
}

pub(super) fn close_sessions(conn: &Connection, user: UserId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user.get()]).during("closing sessions")?;
    Ok(())
}

pub(super) fn add_reset_token(
    conn: &Connection,
    user: UserId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO reset_tokens (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash, user.get(), timestamp(expires_at)],
    )
    .during("issuing a reset token")?;
    audit(conn, None, "issue password reset", &format!("user {user}"), "")?;
    Ok(())
}

pub(super) fn use_reset_token(
    conn: &Connection,
    token_hash: &str,
    password_hash: &str,
) -> Result<Option<UserId>, StoreError> {
    let now = timestamp(Utc::now());
    let user: Option<i64> = conn
        .query_row(
            "UPDATE reset_tokens SET used_at = ?2
             WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING user_id",
            params![token_hash, now],
            |r| r.get(0),
        )
        .optional()
        .during("using a reset token")?;
    let Some(user) = user.map(UserId) else { return Ok(None) };
    set_password(conn, user, password_hash)?;
    close_sessions(conn, user)?;
    revoke_api_tokens(conn, user)?;
    audit(conn, Some(user), "use password reset", &format!("user {user}"), "")?;
    Ok(Some(user))
}

/// Ends every API token of an account (its password changed or was reset: what was given out under
/// the old one is withdrawn with it).
pub(super) fn revoke_api_tokens(conn: &Connection, user: UserId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM api_tokens WHERE user_id = ?1", [user.get()]).during("revoking API tokens")?;
    Ok(())
}

pub(super) fn add_api_token(conn: &Connection, user: UserId, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES (?1, ?2, ?3)",
        params![token_hash, user.get(), timestamp(Utc::now())],
    )
    .during("issuing an API token")?;
    audit(conn, Some(user), "issue API token", &format!("user {user}"), "")
}

pub(super) fn api_token_user(conn: &Connection, token_hash: &str) -> Result<Option<User>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1 AND u.banned_at IS NULL"
        ),
        [token_hash],
        |r| user_row(r, 0),
    )
    .optional()
    .during("reading an API token")
}

const COMMENT_COLUMNS: &str =
    "c.id, c.target_kind, c.target_id, c.parent_id, c.author_id, u.name, c.source, c.html,
    c.state, c.created_at, c.edited_at, c.up, c.down,
    (SELECT count(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL)";

fn comment_row(r: &Row<'_>) -> rusqlite::Result<Comment> {
    let kind: String = r.get(1)?;
    let target = Target::from_parts(&kind, r.get(2)?).unwrap_or(Target::Story(StoryId(0)));
    let state: String = r.get(8)?;
    let count = |i: usize| r.get::<_, i64>(i).map(|n| n.clamp(0, i64::from(u32::MAX)) as u32);
    Ok(Comment {
        id: CommentId(r.get(0)?),
        target,
        parent: r.get::<_, Option<i64>>(3)?.map(CommentId),
        author: UserId(r.get(4)?),
        author_name: r.get(5)?,
        source: r.get(6)?,
        html: r.get(7)?,
        state: CommentState::from_stored(&state),
        created_at: parse_time(r.get(9)?).unwrap_or_default(),
        edited_at: parse_time(r.get(10)?),
        up: count(11)?,
        down: count(12)?,
        reports: count(13)?,
    })
}

pub(super) fn comment(conn: &Connection, id: CommentId) -> Result<Option<Comment>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ?1"
        ),
        [id.get()],
        comment_row,
    )
    .optional()
    .during("reading a comment")
}

pub(super) fn comments(conn: &Connection, target: Target) -> Result<Vec<Comment>, StoreError> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id
             WHERE c.target_kind = ?1 AND c.target_id = ?2 ORDER BY c.id"
        ))
        .during("reading comments")?;
    stmt.query_map(params![target.kind(), target.id()], comment_row)
        .during("reading comments")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading comments")
}

pub(super) fn thread_locked(conn: &Connection, target: Target) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM thread_locks WHERE target_kind = ?1 AND target_id = ?2)",
        params![target.kind(), target.id()],
        |r| r.get(0),
    )
    .during("reading a thread lock")
}

pub(super) fn post_comment(conn: &Connection, new: &NewComment<'_>) -> Result<Posted, StoreError> {
    let repeated: Option<i64> = conn
        .query_row(
            "SELECT id FROM comments WHERE author_id = ?1 AND post_key = ?2",
            params![new.author.get(), new.key],
            |r| r.get(0),
        )
        .optional()
        .during("looking for a repeated comment")?;
    if let Some(id) = repeated {
        return Ok(Posted::Repeated(CommentId(id)));
    }
    match user(conn, new.author)? {
        Some(author) if author.banned.is_none() => {}
        _ => return Ok(Posted::Banned),
    }
    if thread_locked(conn, new.target)? {
        return Ok(Posted::Locked);
    }
    if let Some(parent) = new.parent {
        let state: Option<String> = conn
            .query_row(
                "SELECT state FROM comments WHERE id = ?1 AND target_kind = ?2 AND target_id = ?3",
                params![parent.get(), new.target.kind(), new.target.id()],
                |r| r.get(0),
            )
            .optional()
            .during("reading the comment answered")?;
        match state.as_deref().map(CommentState::from_stored) {
            None => return Ok(Posted::NoParent),
            Some(CommentState::Visible) => {}
            Some(_) => return Ok(Posted::ParentClosed),
        }
    }
    conn.execute(
        "INSERT INTO comments (target_kind, target_id, parent_id, author_id, post_key, source, html, state, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'visible', ?8)",
        params![
            new.target.kind(),
            new.target.id(),
            new.parent.map(CommentId::get),
            new.author.get(),
            new.key,
            new.source,
            new.html,
            timestamp(Utc::now())
        ],
    )
    .during("posting a comment")?;
    Ok(Posted::New(CommentId(conn.last_insert_rowid())))
}

/// The author's own comment, if it is theirs and still shown.
fn own_comment(
    conn: &Connection,
    id: CommentId,
    author: UserId,
) -> Result<Result<Comment, AuthorChange>, StoreError> {
    match comment(conn, id)? {
        Some(c) if c.author != author => Ok(Err(AuthorChange::NotYours)),
        None => Ok(Err(AuthorChange::NotYours)),
        Some(c) if c.state != CommentState::Visible => Ok(Err(AuthorChange::Closed)),
        Some(c) => Ok(Ok(c)),
    }
}

pub(super) fn edit_comment(
    conn: &Connection,
    id: CommentId,
    author: UserId,
    source: &str,
    html: &str,
    window: Duration,
) -> Result<AuthorChange, StoreError> {
    let c = match own_comment(conn, id, author)? {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    let now = Utc::now();
    let age = now.signed_duration_since(c.created_at).to_std().unwrap_or_default();
    if age > window {
        return Ok(AuthorChange::TooLate);
    }
    conn.execute(
        "UPDATE comments SET source = ?1, html = ?2, edited_at = ?3 WHERE id = ?4",
        params![source, html, timestamp(now), id.get()],
    )
    .during("editing a comment")?;
    Ok(AuthorChange::Done)
}

pub(super) fn delete_comment(
    conn: &Connection,
    id: CommentId,
    author: UserId,
) -> Result<AuthorChange, StoreError> {
    if let Err(refused) = own_comment(conn, id, author)? {
        return Ok(refused);
    }
    conn.execute("UPDATE comments SET state = 'deleted' WHERE id = ?1", [id.get()])
        .during("deleting a comment")?;
    Ok(AuthorChange::Done)
}

pub(super) fn vote(
    conn: &Connection,
    id: CommentId,
    user: UserId,
    value: i8,
) -> Result<Option<(u32, u32)>, StoreError> {
    let state: Option<String> = conn
        .query_row("SELECT state FROM comments WHERE id = ?1", [id.get()], |r| r.get(0))
        .optional()
        .during("reading a comment")?;
    if state.as_deref().map(CommentState::from_stored) != Some(CommentState::Visible) {
        return Ok(None);
    }
    match value.signum() {
        0 => conn.execute(
            "DELETE FROM comment_votes WHERE comment_id = ?1 AND user_id = ?2",
            params![id.get(), user.get()],
        ),
        v => conn.execute(
            "INSERT INTO comment_votes (comment_id, user_id, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (comment_id, user_id) DO UPDATE SET value = excluded.value",
            params![id.get(), user.get(), v],
        ),
    }
    .during("voting")?;
    // The counts are worked out again from the votes, so that they can never drift from them.
    conn.query_row(
        "UPDATE comments SET
             up = (SELECT count(*) FROM comment_votes WHERE comment_id = ?1 AND value = 1),
             down = (SELECT count(*) FROM comment_votes WHERE comment_id = ?1 AND value = -1)
         WHERE id = ?1 RETURNING up, down",
        [id.get()],
        |r| Ok((r.get::<_, u32>(0)?, r.get::<_, u32>(1)?)),
    )
    .map(Some)
    .during("counting votes")
}

pub(super) fn votes_by(
    conn: &Connection,
    user: UserId,
    target: Target,
) -> Result<HashMap<CommentId, i8>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT v.comment_id, v.value FROM comment_votes v JOIN comments c ON c.id = v.comment_id
             WHERE v.user_id = ?1 AND c.target_kind = ?2 AND c.target_id = ?3",
        )
        .during("reading votes")?;
    stmt.query_map(params![user.get(), target.kind(), target.id()], |r| Ok((CommentId(r.get(0)?), r.get(1)?)))
        .during("reading votes")?
        .collect::<Result<HashMap<_, _>, _>>()
        .during("reading votes")
}

pub(super) fn rate_story(
    conn: &Connection,
    story: StoryId,
    user: UserId,
    helpful: Option<bool>,
) -> Result<(), StoreError> {
    match helpful {
        None => conn.execute(
            "DELETE FROM story_ratings WHERE story_id = ?1 AND user_id = ?2",
            params![story.get(), user.get()],
        ),
        Some(helpful) => conn.execute(
            "INSERT INTO story_ratings (story_id, user_id, helpful) VALUES (?1, ?2, ?3)
             ON CONFLICT (story_id, user_id) DO UPDATE SET helpful = excluded.helpful",
            params![story.get(), user.get(), helpful],
        ),
    }
    .during("rating a story")?;
    Ok(())
}

pub(super) fn ratings(
    conn: &Connection,
    story: StoryId,
    user: Option<UserId>,
) -> Result<(Ratings, Option<bool>), StoreError> {
    conn.query_row(
        "SELECT coalesce(sum(helpful = 1), 0), coalesce(sum(helpful = 0), 0),
                max(CASE WHEN user_id = ?2 THEN helpful END)
         FROM story_ratings WHERE story_id = ?1",
        params![story.get(), user.map(UserId::get)],
        |r| Ok((Ratings { helpful: r.get(0)?, not_helpful: r.get(1)? }, r.get::<_, Option<bool>>(2)?)),
    )
    .during("reading ratings")
}

pub(super) fn report_comment(
    conn: &Connection,
    id: CommentId,
    user: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    // Only a comment that is shown can be reported: a withdrawn one's text stays withheld, and a
    // report a moderator settled is not reopened by sending it again.
    if !comment(conn, id)?.is_some_and(|c| c.state == CommentState::Visible) {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO comment_reports (comment_id, user_id, reason, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (comment_id, user_id) DO UPDATE SET reason = excluded.reason WHERE resolved_at IS NULL",
        params![id.get(), user.get(), reason, timestamp(Utc::now())],
    )
    .during("reporting a comment")?;
    Ok(true)
}

pub(super) fn reported_comments(conn: &Connection, limit: u32) -> Result<Vec<ReportedComment>, StoreError> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COMMENT_COLUMNS}, min(r.created_at) FROM comment_reports r
             JOIN comments c ON c.id = r.comment_id JOIN users u ON u.id = c.author_id
             WHERE r.resolved_at IS NULL GROUP BY c.id ORDER BY min(r.created_at), c.id LIMIT ?1"
        ))
        .during("reading the moderation queue")?;
    let heads = stmt
        .query_map([limit], |r| Ok((comment_row(r)?, parse_time(r.get(14)?).unwrap_or_default())))
        .during("reading the moderation queue")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading the moderation queue")?;
    // The reasons of every listed comment in one query, not one per comment.
    let mut reasons = conn
        .prepare(
            "SELECT r.comment_id, u.name, r.reason FROM comment_reports r JOIN users u ON u.id = r.user_id
             WHERE r.resolved_at IS NULL AND r.comment_id IN (SELECT value FROM json_each(?1))
             ORDER BY r.created_at",
        )
        .during("reading reports")?;
    let ids = format!("[{}]", heads.iter().map(|(c, _)| c.id.to_string()).collect::<Vec<_>>().join(","));
    let mut given: HashMap<CommentId, Vec<(String, String)>> = HashMap::new();
    for row in reasons
        .query_map([ids], |r| Ok((CommentId(r.get(0)?), r.get(1)?, r.get(2)?)))
        .during("reading reports")?
    {
        let (id, name, reason) = row.during("reading reports")?;
        given.entry(id).or_default().push((name, reason));
    }
    let queue = heads
        .into_iter()
        .map(|(comment, first_reported)| {
            let reasons = given.remove(&comment.id).unwrap_or_default();
            ReportedComment { comment, reasons, first_reported }
        })
        .collect();
    Ok(queue)
}

pub(super) fn moderate(
    conn: &Connection,
    id: CommentId,
    action: Moderation,
    actor: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    let state = match action {
        Moderation::Hide => CommentState::Hidden,
        Moderation::Restore => CommentState::Visible,
        Moderation::Remove => CommentState::Removed,
    };
    // What its author withdrew stays withdrawn: no moderator brings it back.
    let changed = conn
        .execute(
            "UPDATE comments SET state = ?1 WHERE id = ?2 AND state <> 'deleted'",
            params![state.stored(), id.get()],
        )
        .during("moderating a comment")?;
    if changed == 0 {
        return Ok(false);
    }
    conn.execute(
        "UPDATE comment_reports SET resolved_at = ?1 WHERE comment_id = ?2 AND resolved_at IS NULL",
        params![timestamp(Utc::now()), id.get()],
    )
    .during("resolving reports")?;
    let verb = match action {
        Moderation::Hide => "hide comment",
        Moderation::Restore => "restore comment",
        Moderation::Remove => "remove comment",
    };
    audit(conn, Some(actor), verb, &format!("comment {id}"), reason)?;
    Ok(true)
}

pub(super) fn lock_thread(
    conn: &Connection,
    target: Target,
    locked: bool,
    actor: UserId,
    reason: &str,
) -> Result<(), StoreError> {
    if locked {
        conn.execute(
            "INSERT OR IGNORE INTO thread_locks (target_kind, target_id, locked_by, locked_at) VALUES (?1, ?2, ?3, ?4)",
            params![target.kind(), target.id(), actor.get(), timestamp(Utc::now())],
        )
    } else {
        conn.execute(
            "DELETE FROM thread_locks WHERE target_kind = ?1 AND target_id = ?2",
            params![target.kind(), target.id()],
        )
    }
    .during("locking a thread")?;
    let action = if locked { "lock thread" } else { "unlock thread" };
    audit(conn, Some(actor), action, &format!("{} {}", target.kind(), target.id()), reason)
}

pub(super) fn ban_user(
    conn: &Connection,
    id: UserId,
    banned: bool,
    actor: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    let changed = if banned {
        conn.execute(
            "UPDATE users SET banned_at = ?1, ban_reason = ?2 WHERE id = ?3 AND banned_at IS NULL",
            params![timestamp(Utc::now()), reason, id.get()],
        )
    } else {
        conn.execute(
            "UPDATE users SET banned_at = NULL, ban_reason = NULL WHERE id = ?1 AND banned_at IS NOT NULL",
            [id.get()],
        )
    }
    .during("banning an account")?;
    if changed == 0 {
        return Ok(false);
    }
    if banned {
        close_sessions(conn, id)?;
    }
    audit(conn, Some(actor), if banned { "ban user" } else { "unban user" }, &format!("user {id}"), reason)?;
    Ok(true)
}

pub(super) fn purge_comment(
    conn: &Connection,
    id: CommentId,
    actor: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    let Some(purged) = comment(conn, id)? else { return Ok(false) };
    // Replies keep their place in the thread: they now answer what the purged comment answered.
    conn.execute(
        "UPDATE comments SET parent_id = ?1 WHERE parent_id = ?2",
        params![purged.parent.map(CommentId::get), id.get()],
    )
    .during("re-threading replies")?;
    conn.execute("DELETE FROM comment_votes WHERE comment_id = ?1", [id.get()]).during("purging votes")?;
    conn.execute("DELETE FROM comment_reports WHERE comment_id = ?1", [id.get()])
        .during("purging reports")?;
    conn.execute("DELETE FROM comments WHERE id = ?1", [id.get()]).during("purging a comment")?;
    audit(conn, Some(actor), "purge comment", &format!("comment {id}"), reason)?;
    Ok(true)
}

pub(super) fn audit_log(conn: &Connection, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT a.id, a.actor_id, u.name, a.action, a.subject, a.reason, a.at
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
             ORDER BY a.id DESC LIMIT ?1 OFFSET ?2",
        )
        .during("reading the audit log")?;
    stmt.query_map(params![i64::from(page.limit), i64::from(page.offset)], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            actor: r.get::<_, Option<i64>>(1)?.map(UserId),
            actor_name: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            reason: r.get(5)?,
            at: parse_time(r.get(6)?).unwrap_or_default(),
        })
    })
    .during("reading the audit log")?
    .collect::<Result<Vec<_>, _>>()
    .during("reading the audit log")
}

pub(super) fn rate_limit(
    conn: &Connection,
    key: &str,
    window: Duration,
    max: u32,
) -> Result<bool, StoreError> {
    let now = Utc::now().timestamp();
    let span = i64::try_from(window.as_secs().max(1)).unwrap_or(i64::MAX);
    let start = now - now.rem_euclid(span);
    // Counters of windows long gone are dropped as new ones start.
    conn.execute("DELETE FROM rate_limits WHERE window_start < ?1", [now - 86_400 - span])
        .during("clearing rate limits")?;
    let hits: i64 = conn
        .query_row(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES (?1, ?2, 1)
             ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits",
            params![key, start],
            |r| r.get(0),
        )
        .during("counting for a rate limit")?;
    Ok(hits <= i64::from(max))
}
