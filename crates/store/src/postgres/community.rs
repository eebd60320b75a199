//! Readers' accounts, sessions and tokens, comments, votes, ratings, reports, moderation and rate
//! limits on PostgreSQL. Every change a moderator or admin makes is written to the audit log in the
//! same transaction as the change.
//!
//! Many web processes write these tables at once, so where SQLite relies on its single writer this
//! relies on the database: a comment's key is unique (a double submit loses at the index and reads
//! the winner back), a change to a comment first locks the comment's row (so votes, moderation and
//! the author's own changes happen one after another), and a rate limit is one atomic upsert.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parallax_core::{CommentId, StoryId, UserId};
use tokio_postgres::Row;

use super::{Db, PostgresStore, limit};
use crate::community::{
    AuditEntry, AuthorChange, Ban, Comment, CommentState, Credentials, Moderation, NewComment, Posted,
    Ratings, ReportedComment, Role, Session, Target, User,
};
use crate::{Page, StoreError};

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.created_at, u.banned_at, u.ban_reason";

/// The account whose [`USER_COLUMNS`] start at column `at`.
fn user_row(r: &Row, at: usize) -> User {
    let banned_at: Option<DateTime<Utc>> = r.get(at + 4);
    User {
        id: UserId(r.get(at)),
        name: r.get(at + 1),
        role: Role::parse(r.get(at + 2)).unwrap_or(Role::Reader),
        created_at: r.get(at + 3),
        banned: banned_at.map(|banned_at| Ban {
            at: banned_at,
            reason: r.get::<_, Option<String>>(at + 5).unwrap_or_default(),
        }),
    }
}

/// A stored count, as the `u32` the community types hold.
fn small(r: &Row, at: usize) -> u32 {
    u32::try_from(r.get::<_, i64>(at).max(0)).unwrap_or(u32::MAX)
}

/// Writes one line of the audit log.
fn audit(
    tx: &impl Db,
    actor: Option<UserId>,
    action: &str,
    subject: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO audit_log (actor_id, action, subject, reason, at) VALUES ($1, $2, $3, $4, $5)",
        &[&actor.map(UserId::get), &action, &subject, &reason, &Utc::now()],
        "writing the audit log",
    )?;
    Ok(())
}

pub(super) fn create_user(
    store: &PostgresStore,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<Option<User>, StoreError> {
    store.write("creating an account", |tx| {
        // The unique index on `lower(name)` settles two sign-ups for one name at once: the later
        // waits for the earlier and then inserts nothing.
        let created = tx.opt(
            "INSERT INTO users AS u (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING u.id, u.name, u.role, u.created_at, u.banned_at, u.ban_reason",
            &[&name, &password_hash, &role.as_str(), &Utc::now()],
            "creating an account",
        )?;
        let Some(user) = created.map(|r| user_row(&r, 0)) else { return Ok(None) };
        // Every account is on the record from its first moment, whoever opened it.
        audit(tx, None, "create account", &format!("user {}", user.id), &format!("as {}", role.as_str()))?;
        Ok(Some(user))
    })
}

pub(super) fn credentials(store: &PostgresStore, name: &str) -> Result<Option<Credentials>, StoreError> {
    store.read(|db| {
        // `lower(name)` is what the unique index holds, so the lookup uses it.
        let found = db.opt(
            &format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.name) = lower($1)"),
            &[&name],
            "reading an account",
        )?;
        Ok(found.map(|r| Credentials { user: user_row(&r, 0), password_hash: r.get(6) }))
    })
}

fn load_user(db: &impl Db, id: UserId) -> Result<Option<User>, StoreError> {
    let found = db.opt(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"),
        &[&id.get()],
        "reading an account",
    )?;
    Ok(found.map(|r| user_row(&r, 0)))
}

pub(super) fn user(store: &PostgresStore, id: UserId) -> Result<Option<User>, StoreError> {
    store.read(|db| load_user(db, id))
}

fn change_password(tx: &impl Db, id: UserId, password_hash: &str) -> Result<bool, StoreError> {
    let changed = tx.exec(
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        &[&password_hash, &id.get()],
        "changing a password",
    )?;
    Ok(changed == 1)
}

pub(super) fn set_password(
    store: &PostgresStore,
    id: UserId,
    password_hash: &str,
) -> Result<bool, StoreError> {
    store.write("changing a password", |tx| change_password(tx, id, password_hash))
}

pub(super) fn set_role(
    store: &PostgresStore,
    id: UserId,
    role: Role,
    actor: Option<UserId>,
) -> Result<bool, StoreError> {
    store.write("changing a role", |tx| {
        let changed = tx.exec(
            "UPDATE users SET role = $1 WHERE id = $2",
            &[&role.as_str(), &id.get()],
            "changing a role",
        )?;
        if changed == 1 {
            audit(tx, actor, "set role", &format!("user {id}"), role.as_str())?;
        }
        Ok(changed == 1)
    })
}

pub(super) fn open_session(
    store: &PostgresStore,
    user: UserId,
    token_hash: &str,
    csrf: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    store.write("opening a session", |tx| {
        let now = Utc::now();
        // Sessions past their time are cleared as new ones open, so the table holds only live ones.
        // Rows another sign-in is clearing at the same moment are left to it rather than waited for.
        tx.exec(
            "DELETE FROM sessions WHERE token_hash IN
                 (SELECT token_hash FROM sessions WHERE expires_at < $1 FOR UPDATE SKIP LOCKED)",
            &[&now],
            "clearing sessions",
        )?;
        tx.exec(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&token_hash, &user.get(), &csrf, &now, &expires_at],
            "opening a session",
        )?;
        Ok(())
    })
}

pub(super) fn session(store: &PostgresStore, token_hash: &str) -> Result<Option<Session>, StoreError> {
    store.read(|db| {
        let found = db.opt(
            &format!(
                "SELECT {USER_COLUMNS}, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.banned_at IS NULL"
            ),
            &[&token_hash, &Utc::now()],
            "reading a session",
        )?;
        Ok(found.map(|r| Session { user: user_row(&r, 0), csrf: r.get(6), expires_at: r.get(7) }))
    })
}

pub(super) fn close_session(store: &PostgresStore, token_hash: &str) -> Result<(), StoreError> {
    store.write("closing a session", |tx| {
        tx.exec("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash], "closing a session")?;
        Ok(())
    })
}

fn end_sessions(tx: &impl Db, user: UserId) -> Result<(), StoreError> {
    tx.exec("DELETE FROM sessions WHERE user_id = $1", &[&user.get()], "closing sessions")?;
    Ok(())
}

pub(super) fn close_sessions(store: &PostgresStore, user: UserId) -> Result<(), StoreError> {
    store.write("closing sessions", |tx| end_sessions(tx, user))
}

pub(super) fn add_reset_token(
    store: &PostgresStore,
    user: UserId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    store.write("issuing a reset token", |tx| {
        tx.exec(
            "INSERT INTO reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            &[&token_hash, &user.get(), &expires_at],
            "issuing a reset token",
        )?;
        audit(tx, None, "issue password reset", &format!("user {user}"), "")
    })
}

pub(super) fn use_reset_token(
    store: &PostgresStore,
    token_hash: &str,
    password_hash: &str,
) -> Result<Option<UserId>, StoreError> {
    store.write("using a reset token", |tx| {
        // The row lock the update takes makes a token work once even when it is sent twice at once:
        // the second update waits, then finds it used.
        let used = tx.opt(
            "UPDATE reset_tokens SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
            &[&token_hash, &Utc::now()],
            "using a reset token",
        )?;
        let Some(user) = used.map(|r| UserId(r.get(0))) else { return Ok(None) };
        change_password(tx, user, password_hash)?;
        end_sessions(tx, user)?;
        drop_api_tokens(tx, user)?;
        audit(tx, Some(user), "use password reset", &format!("user {user}"), "")?;
        Ok(Some(user))
    })
}

fn drop_api_tokens(tx: &impl Db, user: UserId) -> Result<(), StoreError> {
    tx.exec("DELETE FROM api_tokens WHERE user_id = $1", &[&user.get()], "revoking API tokens")?;
    Ok(())
}

/// Ends every API token of an account (its password changed or was reset: what was given out under
/// the old one is withdrawn with it).
pub(super) fn revoke_api_tokens(store: &PostgresStore, user: UserId) -> Result<(), StoreError> {
    store.write("revoking API tokens", |tx| drop_api_tokens(tx, user))
}

pub(super) fn add_api_token(store: &PostgresStore, user: UserId, token_hash: &str) -> Result<(), StoreError> {
    store.write("issuing an API token", |tx| {
        tx.exec(
            "INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)",
            &[&token_hash, &user.get(), &Utc::now()],
            "issuing an API token",
        )?;
        audit(tx, Some(user), "issue API token", &format!("user {user}"), "")
    })
}

pub(super) fn api_token_user(store: &PostgresStore, token_hash: &str) -> Result<Option<User>, StoreError> {
    store.read(|db| {
        let found = db.opt(
            &format!(
                "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND u.banned_at IS NULL"
            ),
            &[&token_hash],
            "reading an API token",
        )?;
        Ok(found.map(|r| user_row(&r, 0)))
    })
}

const COMMENT_COLUMNS: &str =
    "c.id, c.target_kind, c.target_id, c.parent_id, c.author_id, u.name, c.source, c.html,
    c.state, c.created_at, c.edited_at, c.up, c.down,
    (SELECT count(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL)";

fn comment_row(r: &Row) -> Comment {
    let target = Target::from_parts(r.get(1), r.get(2)).unwrap_or(Target::Story(StoryId(0)));
    Comment {
        id: CommentId(r.get(0)),
        target,
        parent: r.get::<_, Option<i64>>(3).map(CommentId),
        author: UserId(r.get(4)),
        author_name: r.get(5),
        source: r.get(6),
        html: r.get(7),
        state: CommentState::from_stored(r.get(8)),
        created_at: r.get(9),
        edited_at: r.get(10),
        up: small(r, 11),
        down: small(r, 12),
        reports: small(r, 13),
    }
}

pub(super) fn comment(store: &PostgresStore, id: CommentId) -> Result<Option<Comment>, StoreError> {
    store.read(|db| {
        let found = db.opt(
            &format!(
                "SELECT {COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = $1"
            ),
            &[&id.get()],
            "reading a comment",
        )?;
        Ok(found.as_ref().map(comment_row))
    })
}

pub(super) fn comments(store: &PostgresStore, target: Target) -> Result<Vec<Comment>, StoreError> {
    store.read(|db| {
        let rows = db.rows(
            &format!(
                "SELECT {COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id
                 WHERE c.target_kind = $1 AND c.target_id = $2 ORDER BY c.id"
            ),
            &[&target.kind(), &target.id()],
            "reading comments",
        )?;
        Ok(rows.iter().map(comment_row).collect())
    })
}

fn is_locked(db: &impl Db, target: Target) -> Result<bool, StoreError> {
    Ok(db
        .row(
            "SELECT EXISTS (SELECT 1 FROM thread_locks WHERE target_kind = $1 AND target_id = $2)",
            &[&target.kind(), &target.id()],
            "reading a thread lock",
        )?
        .get(0))
}

pub(super) fn thread_locked(store: &PostgresStore, target: Target) -> Result<bool, StoreError> {
    store.read(|db| is_locked(db, target))
}

/// The comment an author posted under a key, if any.
fn posted_under(tx: &impl Db, author: UserId, key: &str) -> Result<Option<CommentId>, StoreError> {
    Ok(tx
        .opt(
            "SELECT id FROM comments WHERE author_id = $1 AND post_key = $2",
            &[&author.get(), &key],
            "looking for a repeated comment",
        )?
        .map(|r| CommentId(r.get(0))))
}

pub(super) fn post_comment(store: &PostgresStore, new: &NewComment<'_>) -> Result<Posted, StoreError> {
    store.write("posting a comment", |tx| {
        if let Some(id) = posted_under(tx, new.author, new.key)? {
            return Ok(Posted::Repeated(id));
        }
        // The share lock makes a ban given meanwhile either wait for this post or be seen by it.
        let allowed: Option<bool> = tx
            .opt(
                "SELECT banned_at IS NULL FROM users WHERE id = $1 FOR SHARE",
                &[&new.author.get()],
                "reading the author",
            )?
            .map(|r| r.get(0));
        if allowed != Some(true) {
            return Ok(Posted::Banned);
        }
        if is_locked(tx, new.target)? {
            return Ok(Posted::Locked);
        }
        if let Some(parent) = new.parent {
            // Likewise the parent: hiding, deleting or purging it waits for this reply, or is seen.
            let state = tx.opt(
                "SELECT state FROM comments WHERE id = $1 AND target_kind = $2 AND target_id = $3 FOR SHARE",
                &[&parent.get(), &new.target.kind(), &new.target.id()],
                "reading the comment answered",
            )?;
            match state.map(|r| CommentState::from_stored(r.get(0))) {
                None => return Ok(Posted::NoParent),
                Some(CommentState::Visible) => {}
                Some(_) => return Ok(Posted::ParentClosed),
            }
        }
        let parent = new.parent.map(CommentId::get);
        let now = Utc::now();
        loop {
            let inserted = tx.opt(
                "INSERT INTO comments
                     (target_kind, target_id, parent_id, author_id, post_key, source, html, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'visible', $8)
                 ON CONFLICT (author_id, post_key) DO NOTHING RETURNING id",
                &[
                    &new.target.kind(),
                    &new.target.id(),
                    &parent,
                    &new.author.get(),
                    &new.key,
                    &new.source,
                    &new.html,
                    &now,
                ],
                "posting a comment",
            )?;
            if let Some(r) = inserted {
                return Ok(Posted::New(CommentId(r.get(0))));
            }
            // A double submit got there first: the insert waited for it to commit, so this
            // statement, with a snapshot taken after, sees its row. Only if that row was purged in
            // between is nothing found, and then the key is free to post under again.
            if let Some(id) = posted_under(tx, new.author, new.key)? {
                return Ok(Posted::Repeated(id));
            }
        }
    })
}

/// When the author's own comment was posted, if it is theirs and still shown; its row stays locked
/// until the change commits, so that a moderator's action and the author's cannot cross.
fn own_comment(
    tx: &impl Db,
    id: CommentId,
    author: UserId,
) -> Result<Result<DateTime<Utc>, AuthorChange>, StoreError> {
    let found = tx.opt(
        "SELECT author_id, state, created_at FROM comments WHERE id = $1 FOR NO KEY UPDATE",
        &[&id.get()],
        "reading a comment",
    )?;
    let Some(r) = found else { return Ok(Err(AuthorChange::NotYours)) };
    if UserId(r.get(0)) != author {
        return Ok(Err(AuthorChange::NotYours));
    }
    if CommentState::from_stored(r.get(1)) != CommentState::Visible {
        return Ok(Err(AuthorChange::Closed));
    }
    Ok(Ok(r.get(2)))
}

pub(super) fn edit_comment(
    store: &PostgresStore,
    id: CommentId,
    author: UserId,
    source: &str,
    html: &str,
    window: Duration,
) -> Result<AuthorChange, StoreError> {
    store.write("editing a comment", |tx| {
        let created_at = match own_comment(tx, id, author)? {
            Ok(created_at) => created_at,
            Err(refused) => return Ok(refused),
        };
        let now = Utc::now();
        let age = now.signed_duration_since(created_at).to_std().unwrap_or_default();
        if age > window {
            return Ok(AuthorChange::TooLate);
        }
        tx.exec(
            "UPDATE comments SET source = $1, html = $2, edited_at = $3 WHERE id = $4",
            &[&source, &html, &now, &id.get()],
            "editing a comment",
        )?;
        Ok(AuthorChange::Done)
    })
}

pub(super) fn delete_comment(
    store: &PostgresStore,
    id: CommentId,
    author: UserId,
) -> Result<AuthorChange, StoreError> {
    store.write("deleting a comment", |tx| {
        if let Err(refused) = own_comment(tx, id, author)? {
            return Ok(refused);
        }
        tx.exec("UPDATE comments SET state = 'deleted' WHERE id = $1", &[&id.get()], "deleting a comment")?;
        Ok(AuthorChange::Done)
    })
}

pub(super) fn vote(
    store: &PostgresStore,
    id: CommentId,
    user: UserId,
    value: i8,
) -> Result<Option<(u32, u32)>, StoreError> {
    store.write("voting", |tx| {
        // Votes on one comment take its row lock in turn, so each recount below starts after the
        // votes before it committed and sees them all: counts cannot drift under concurrent votes.
        let state = tx.opt(
            "SELECT state FROM comments WHERE id = $1 FOR NO KEY UPDATE",
            &[&id.get()],
            "reading a comment",
        )?;
        if state.map(|r| CommentState::from_stored(r.get(0))) != Some(CommentState::Visible) {
            return Ok(None);
        }
        match value.signum() {
            0 => tx.exec(
                "DELETE FROM comment_votes WHERE comment_id = $1 AND user_id = $2",
                &[&id.get(), &user.get()],
                "voting",
            ),
            v => tx.exec(
                "INSERT INTO comment_votes (comment_id, user_id, value) VALUES ($1, $2, $3)
                 ON CONFLICT (comment_id, user_id) DO UPDATE SET value = excluded.value",
                &[&id.get(), &user.get(), &i64::from(v)],
                "voting",
            ),
        }?;
        // The counts are worked out again from the votes, so that they can never drift from them.
        let counts = tx.row(
            "UPDATE comments SET
                 up = (SELECT count(*) FROM comment_votes WHERE comment_id = $1 AND value = 1),
                 down = (SELECT count(*) FROM comment_votes WHERE comment_id = $1 AND value = -1)
             WHERE id = $1 RETURNING up, down",
            &[&id.get()],
            "counting votes",
        )?;
        Ok(Some((small(&counts, 0), small(&counts, 1))))
    })
}

pub(super) fn votes_by(
    store: &PostgresStore,
    user: UserId,
    target: Target,
) -> Result<HashMap<CommentId, i8>, StoreError> {
    store.read(|db| {
        let rows = db.rows(
            "SELECT v.comment_id, v.value FROM comment_votes v JOIN comments c ON c.id = v.comment_id
             WHERE v.user_id = $1 AND c.target_kind = $2 AND c.target_id = $3",
            &[&user.get(), &target.kind(), &target.id()],
            "reading votes",
        )?;
        // A stored vote is 1 or -1 (the table checks it); its sign is all there is to it.
        Ok(rows.iter().map(|r| (CommentId(r.get(0)), if r.get::<_, i64>(1) > 0 { 1 } else { -1 })).collect())
    })
}

pub(super) fn rate_story(
    store: &PostgresStore,
    story: StoryId,
    user: UserId,
    helpful: Option<bool>,
) -> Result<(), StoreError> {
    store.write("rating a story", |tx| {
        match helpful {
            None => tx.exec(
                "DELETE FROM story_ratings WHERE story_id = $1 AND user_id = $2",
                &[&story.get(), &user.get()],
                "rating a story",
            ),
            Some(helpful) => tx.exec(
                "INSERT INTO story_ratings (story_id, user_id, helpful) VALUES ($1, $2, $3)
                 ON CONFLICT (story_id, user_id) DO UPDATE SET helpful = excluded.helpful",
                &[&story.get(), &user.get(), &helpful],
                "rating a story",
            ),
        }?;
        Ok(())
    })
}

pub(super) fn ratings(
    store: &PostgresStore,
    story: StoryId,
    user: Option<UserId>,
) -> Result<(Ratings, Option<bool>), StoreError> {
    store.read(|db| {
        let r = db.row(
            "SELECT count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful),
                    bool_or(helpful) FILTER (WHERE user_id = $2)
             FROM story_ratings WHERE story_id = $1",
            &[&story.get(), &user.map(UserId::get)],
            "reading ratings",
        )?;
        Ok((Ratings { helpful: small(&r, 0), not_helpful: small(&r, 1) }, r.get(2)))
    })
}

pub(super) fn report_comment(
    store: &PostgresStore,
    id: CommentId,
    user: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    store.write("reporting a comment", |tx| {
        // Only a comment that is shown can be reported: a withdrawn one's text stays withheld, and a
        // report a moderator settled is not reopened by sending it again. The share lock orders this
        // with a moderator's action on the comment, so a report is never left open behind one.
        let state =
            tx.opt("SELECT state FROM comments WHERE id = $1 FOR SHARE", &[&id.get()], "reading a comment")?;
        if state.map(|r| CommentState::from_stored(r.get(0))) != Some(CommentState::Visible) {
            return Ok(false);
        }
        tx.exec(
            "INSERT INTO comment_reports (comment_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (comment_id, user_id) DO UPDATE SET reason = excluded.reason
             WHERE comment_reports.resolved_at IS NULL",
            &[&id.get(), &user.get(), &reason, &Utc::now()],
            "reporting a comment",
        )?;
        Ok(true)
    })
}

pub(super) fn reported_comments(
    store: &PostgresStore,
    limit: u32,
) -> Result<Vec<ReportedComment>, StoreError> {
    store.read(|db| {
        let heads = db.rows(
            &format!(
                "SELECT {COMMENT_COLUMNS}, f.first_reported
                 FROM (SELECT comment_id, min(created_at) AS first_reported FROM comment_reports
                       WHERE resolved_at IS NULL GROUP BY comment_id
                       ORDER BY first_reported, comment_id LIMIT $1) f
                 JOIN comments c ON c.id = f.comment_id JOIN users u ON u.id = c.author_id
                 ORDER BY f.first_reported, c.id"
            ),
            &[&i64::from(limit)],
            "reading the moderation queue",
        )?;
        let ids: Vec<i64> = heads.iter().map(|r| r.get(0)).collect();
        // The reasons of every listed comment in one query, not one per comment.
        let mut given: HashMap<CommentId, Vec<(String, String)>> = HashMap::new();
        for r in db.rows(
            "SELECT r.comment_id, u.name, r.reason FROM comment_reports r JOIN users u ON u.id = r.user_id
             WHERE r.resolved_at IS NULL AND r.comment_id = ANY($1)
             ORDER BY r.created_at, r.user_id",
            &[&ids],
            "reading reports",
        )? {
            given.entry(CommentId(r.get(0))).or_default().push((r.get(1), r.get(2)));
        }
        Ok(heads
            .iter()
            .map(|r| {
                let comment = comment_row(r);
                let reasons = given.remove(&comment.id).unwrap_or_default();
                ReportedComment { comment, reasons, first_reported: r.get(14) }
            })
            .collect())
    })
}

pub(super) fn moderate(
    store: &PostgresStore,
    id: CommentId,
    action: Moderation,
    actor: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    let (state, verb) = match action {
        Moderation::Hide => (CommentState::Hidden, "hide comment"),
        Moderation::Restore => (CommentState::Visible, "restore comment"),
        Moderation::Remove => (CommentState::Removed, "remove comment"),
    };
    store.write("moderating a comment", |tx| {
        // What its author withdrew stays withdrawn: no moderator brings it back. An author's
        // deletion committed meanwhile is seen here, as the update re-reads the row it waited for.
        let changed = tx.exec(
            "UPDATE comments SET state = $1 WHERE id = $2 AND state <> 'deleted'",
            &[&state.stored(), &id.get()],
            "moderating a comment",
        )?;
        if changed == 0 {
            return Ok(false);
        }
        tx.exec(
            "UPDATE comment_reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL",
            &[&Utc::now(), &id.get()],
            "resolving reports",
        )?;
        audit(tx, Some(actor), verb, &format!("comment {id}"), reason)?;
        Ok(true)
    })
}

pub(super) fn lock_thread(
    store: &PostgresStore,
    target: Target,
    locked: bool,
    actor: UserId,
    reason: &str,
) -> Result<(), StoreError> {
    store.write("locking a thread", |tx| {
        if locked {
            tx.exec(
                "INSERT INTO thread_locks (target_kind, target_id, locked_by, locked_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (target_kind, target_id) DO NOTHING",
                &[&target.kind(), &target.id(), &actor.get(), &Utc::now()],
                "locking a thread",
            )
        } else {
            tx.exec(
                "DELETE FROM thread_locks WHERE target_kind = $1 AND target_id = $2",
                &[&target.kind(), &target.id()],
                "unlocking a thread",
            )
        }?;
        let action = if locked { "lock thread" } else { "unlock thread" };
        audit(tx, Some(actor), action, &format!("{} {}", target.kind(), target.id()), reason)
    })
}

pub(super) fn ban_user(
    store: &PostgresStore,
    id: UserId,
    banned: bool,
    actor: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    store.write("banning an account", |tx| {
        let changed = if banned {
            tx.exec(
                "UPDATE users SET banned_at = $1, ban_reason = $2 WHERE id = $3 AND banned_at IS NULL",
                &[&Utc::now(), &reason, &id.get()],
                "banning an account",
            )
        } else {
            tx.exec(
                "UPDATE users SET banned_at = NULL, ban_reason = NULL WHERE id = $1 AND banned_at IS NOT NULL",
                &[&id.get()],
                "unbanning an account",
            )
        }?;
        if changed == 0 {
            return Ok(false);
        }
        if banned {
            end_sessions(tx, id)?;
        }
        audit(tx, Some(actor), if banned { "ban user" } else { "unban user" }, &format!("user {id}"), reason)?;
        Ok(true)
    })
}

pub(super) fn purge_comment(
    store: &PostgresStore,
    id: CommentId,
    actor: UserId,
    reason: &str,
) -> Result<bool, StoreError> {
    store.write("purging a comment", |tx| {
        // Locked first, so that a reply being posted to it either commits before the replies are
        // re-threaded below (and is moved with them) or waits and finds it gone.
        let found = tx.opt(
            "SELECT parent_id FROM comments WHERE id = $1 FOR UPDATE",
            &[&id.get()],
            "reading a comment",
        )?;
        let Some(parent) = found.map(|r| r.get::<_, Option<i64>>(0)) else { return Ok(false) };
        // Replies keep their place in the thread: they now answer what the purged comment answered.
        tx.exec(
            "UPDATE comments SET parent_id = $1 WHERE parent_id = $2",
            &[&parent, &id.get()],
            "re-threading replies",
        )?;
        tx.exec("DELETE FROM comment_votes WHERE comment_id = $1", &[&id.get()], "purging votes")?;
        tx.exec("DELETE FROM comment_reports WHERE comment_id = $1", &[&id.get()], "purging reports")?;
        tx.exec("DELETE FROM comments WHERE id = $1", &[&id.get()], "purging a comment")?;
        audit(tx, Some(actor), "purge comment", &format!("comment {id}"), reason)?;
        Ok(true)
    })
}

pub(super) fn audit_log(store: &PostgresStore, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
    let (count, offset) = limit(page);
    store.read(|db| {
        let rows = db.rows(
            "SELECT a.id, a.actor_id, u.name, a.action, a.subject, a.reason, a.at
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
             ORDER BY a.id DESC LIMIT $1 OFFSET $2",
            &[&count, &offset],
            "reading the audit log",
        )?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                actor: r.get::<_, Option<i64>>(1).map(UserId),
                actor_name: r.get(2),
                action: r.get(3),
                subject: r.get(4),
                reason: r.get(5),
                at: r.get(6),
            })
            .collect())
    })
}

/// How long a rate limit's counter is kept past its window.
const RATE_LIMIT_KEPT: i64 = 86_400;

pub(super) fn rate_limit(
    store: &PostgresStore,
    key: &str,
    window: Duration,
    max: u32,
) -> Result<bool, StoreError> {
    store.write("counting for a rate limit", |tx| {
        let now = Utc::now().timestamp();
        let span = i64::try_from(window.as_secs().max(1)).unwrap_or(i64::MAX);
        let start = now - now.rem_euclid(span);
        // One statement counts the hit and reads the count, so hits at the same moment from any
        // number of processes are each counted once.
        let hits: i64 = tx
            .row(
                "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
                 ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
                &[&key, &start],
                "counting for a rate limit",
            )?
            .get(0);
        // Counters of windows long gone are dropped as new ones start (the first hit of a key's
        // window), rather than on every hit; rows another process is dropping are left to it.
        if hits == 1 {
            tx.exec(
                "DELETE FROM rate_limits WHERE (key, window_start) IN
                     (SELECT key, window_start FROM rate_limits WHERE window_start < $1 FOR UPDATE SKIP LOCKED)",
                &[&now.saturating_sub(RATE_LIMIT_KEPT).saturating_sub(span)],
                "clearing rate limits",
            )?;
        }
        Ok(hits <= i64::from(max))
    })
}
