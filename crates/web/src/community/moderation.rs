//! What moderators see and do: the queue of reported comments, hiding, restoring and removing a
//! comment, banning its author, closing and reopening a discussion, an admin's purge, and the audit
//! log every one of those actions is written to with the reason its moderator gave.
//!
//! Each page and action asks for a moderator (an admin for a purge); each action for a reason.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use parallax_core::{CommentId, UserId};
use parallax_store::{AuditEntry, CommentState, Moderation, ReportedComment, Role, User};

use super::Viewer;
use super::comments::{
    MAX_REASON_CHARS, Stop, checked_reason, local_back, page_of, parse_target, per_reader, placeholder,
    refused, target_exists,
};
use crate::error::PageError;
use crate::pages::{Meta, Segment, pager};
use crate::params::{PageParam, page_with_lookahead};
use crate::{AppState, read};

/// Reported comments listed at once; the rest wait for the next look.
const QUEUE_LENGTH: u32 = 100;

/// Audit log entries per page.
const LOG_PAGE: u32 = 50;

/// The moderator looking at a moderation page: signed in (else to the sign-in page) and moderating.
fn moderator_viewing(viewer: &Viewer, path: &str) -> Result<User, Stop> {
    let Some(user) = viewer.user() else { return Err(Stop::SignIn(path.to_owned())) };
    if !user.role.moderates() || user.banned.is_some() {
        return Err(PageError::Forbidden("Only moderators may see this page.".to_owned()).into());
    }
    Ok(user.clone())
}

/// The moderator a form acts for: as [`moderator_viewing`], the form from this site.
fn moderator_acting(viewer: &Viewer, csrf: &str, back: &str) -> Result<User, Stop> {
    let Some(user) = viewer.user() else { return Err(Stop::SignIn(back.to_owned())) };
    if !viewer.csrf_matches(csrf) {
        return Err(crate::community::foreign_form().into());
    }
    if !user.role.moderates() || user.banned.is_some() {
        return Err(refused(StatusCode::FORBIDDEN, "Only moderators may do this.", back));
    }
    Ok(user.clone())
}

/// Meta for a moderation page: not for search engines.
fn private_meta() -> Meta {
    Meta::error()
}

/// A reported comment as the queue shows it.
struct QueuedComment {
    id: i64,
    author: String,
    author_id: i64,
    /// "story 3".
    on: String,
    href: String,
    when: String,
    iso: String,
    state: &'static str,
    placeholder: &'static str,
    /// Moderators judge what was written, whatever its state.
    html: String,
    reported: String,
    reasons: Vec<(String, String)>,
}

impl QueuedComment {
    fn new(r: ReportedComment) -> Self {
        let c = r.comment;
        QueuedComment {
            id: c.id.get(),
            author: c.author_name,
            author_id: c.author.get(),
            on: format!("{} {}", c.target.kind(), c.target.id()),
            href: format!("{}#c{}", page_of(c.target), c.id),
            when: crate::view::when(Some(c.created_at.fixed_offset())),
            iso: c.created_at.to_rfc3339(),
            state: match c.state {
                CommentState::Visible => "shown",
                CommentState::Deleted => "deleted by its author",
                CommentState::Hidden => "hidden",
                CommentState::Removed => "removed",
            },
            placeholder: placeholder(c.state),
            html: c.html,
            reported: crate::view::when(Some(r.first_reported.fixed_offset())),
            reasons: r.reasons,
        }
    }
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    meta: Meta,
    items: Vec<QueuedComment>,
    csrf: String,
    admin: bool,
    max_reason: usize,
}

pub(crate) async fn queue(State(state): State<AppState>, viewer: Viewer) -> Result<Response, Stop> {
    let user = moderator_viewing(&viewer, "/moderation")?;
    let reported = read(&state, |s| s.reported_comments(QUEUE_LENGTH)).await?;
    let page = QueuePage {
        meta: private_meta(),
        items: reported.into_iter().map(QueuedComment::new).collect(),
        csrf: viewer.csrf().to_owned(),
        admin: user.role == Role::Admin,
        max_reason: MAX_REASON_CHARS,
    };
    let body = page.render().map_err(PageError::from)?;
    Ok(per_reader(Html(body).into_response(), &viewer))
}

/// An audit log line as shown.
struct LogLine {
    id: i64,
    when: String,
    iso: String,
    actor: String,
    action: String,
    subject: String,
    /// The subject's page, when it has one.
    href: String,
    reason: String,
    /// The account a ban line names, offered for lifting the ban.
    unban: Option<i64>,
}

impl LogLine {
    fn new(e: AuditEntry) -> Self {
        let (kind, id) = e.subject.split_once(' ').unwrap_or((e.subject.as_str(), ""));
        let href = match (kind, id.parse::<i64>()) {
            ("story" | "article", Ok(n)) if n > 0 => format!("/{kind}/{n}"),
            _ => String::new(),
        };
        let unban = match (e.action.as_str(), kind, id.parse::<UserId>()) {
            ("ban user", "user", Ok(user)) => Some(user.get()),
            _ => None,
        };
        LogLine {
            id: e.id,
            when: crate::view::when(Some(e.at.fixed_offset())),
            iso: e.at.to_rfc3339(),
            actor: e.actor_name.unwrap_or_else(|| "the command line".to_owned()),
            action: e.action,
            subject: e.subject,
            href,
            reason: e.reason,
            unban,
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct LogPage {
    meta: Meta,
    page: u32,
    entries: Vec<LogLine>,
    prev: String,
    next: String,
    csrf: String,
    max_reason: usize,
}

pub(crate) async fn log(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<PageParam>,
) -> Result<Response, Stop> {
    moderator_viewing(&viewer, "/moderation/log")?;
    let number = params.number().map_err(PageError::BadRequest)?;
    let page = page_with_lookahead(number, LOG_PAGE);
    let mut entries = read(&state, move |s| s.audit_log(page)).await?;
    let has_next = entries.len() > LOG_PAGE as usize;
    entries.truncate(LOG_PAGE as usize);
    let (prev, next) = pager("/moderation/log", number, has_next);
    let page = LogPage {
        meta: private_meta(),
        page: number,
        entries: entries.into_iter().map(LogLine::new).collect(),
        prev,
        next,
        csrf: viewer.csrf().to_owned(),
        max_reason: MAX_REASON_CHARS,
    };
    let body = page.render().map_err(PageError::from)?;
    Ok(per_reader(Html(body).into_response(), &viewer))
}

/// A moderator's action on a comment as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CommentAction {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    /// The page the form was on.
    #[serde(default)]
    back: String,
}

/// What a moderator does to a comment.
enum Act {
    Moderate(Moderation),
    Purge,
}

pub(crate) async fn comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<CommentAction>,
) -> Result<Response, Stop> {
    let id: CommentId = id.parse().map_err(|_| PageError::NotFound)?;
    let found = read(&state, move |s| s.comment(id)).await?;
    let Some(comment) = found else { return Err(PageError::NotFound.into()) };
    let back = local_back(&form.back, format!("{}#c{id}", page_of(comment.target)));
    let user = moderator_acting(&viewer, &form.csrf, &back)?;
    let act = match form.action.as_str() {
        "hide" => Act::Moderate(Moderation::Hide),
        "restore" => Act::Moderate(Moderation::Restore),
        "remove" => Act::Moderate(Moderation::Remove),
        "purge" => Act::Purge,
        _ => {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                "The action is hide, restore, remove or purge.",
                &back,
            ));
        }
    };
    let reason = checked_reason(&form.reason).map_err(|why| refused(StatusCode::BAD_REQUEST, why, &back))?;
    if matches!(act, Act::Purge) && user.role != Role::Admin {
        return Err(refused(StatusCode::FORBIDDEN, "Only an admin can purge a comment.", &back));
    }
    // An author's withdrawal is theirs: a moderator cannot put the comment back.
    if matches!(act, Act::Moderate(Moderation::Restore)) && comment.state == CommentState::Deleted {
        return Err(refused(
            StatusCode::CONFLICT,
            "Its author deleted this comment: it stays withdrawn.",
            &back,
        ));
    }
    let actor = user.id;
    let done = read(&state, move |s| match act {
        Act::Moderate(action) => s.moderate(id, action, actor, &reason),
        Act::Purge => s.purge_comment(id, actor, &reason),
    })
    .await?;
    if !done {
        return Err(PageError::NotFound.into());
    }
    Ok(Redirect::to(&back).into_response())
}

/// A ban or its lifting as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct BanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    banned: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

pub(crate) async fn ban(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<BanForm>,
) -> Result<Response, Stop> {
    let id: UserId = id.parse().map_err(|_| PageError::NotFound)?;
    let back = local_back(&form.back, "/moderation".to_owned());
    let user = moderator_acting(&viewer, &form.csrf, &back)?;
    let banned = match form.banned.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return Err(refused(StatusCode::BAD_REQUEST, "Say whether to ban (1) or lift a ban (0).", &back));
        }
    };
    let reason = checked_reason(&form.reason).map_err(|why| refused(StatusCode::BAD_REQUEST, why, &back))?;
    if id == user.id {
        return Err(refused(StatusCode::FORBIDDEN, "You cannot ban your own account.", &back));
    }
    let found = read(&state, move |s| s.user(id)).await?;
    let Some(account) = found else { return Err(PageError::NotFound.into()) };
    // Moderators answer to admins, not to each other.
    if account.role >= user.role {
        return Err(refused(StatusCode::FORBIDDEN, "Only a higher role can ban this account.", &back));
    }
    let actor = user.id;
    let changed = read(&state, move |s| s.ban_user(id, banned, actor, &reason)).await?;
    if !changed {
        let message = if banned { "This account is banned already." } else { "This account is not banned." };
        return Err(refused(StatusCode::CONFLICT, message, &back));
    }
    Ok(Redirect::to(&back).into_response())
}

/// Closing or reopening a discussion as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct LockForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    locked: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

pub(crate) async fn thread(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LockForm>,
) -> Result<Response, Stop> {
    let Some(target) = parse_target(&form.target_kind, &form.target_id) else {
        return Err(refused(StatusCode::BAD_REQUEST, "This form names no discussion.", "/moderation"));
    };
    let back = local_back(&form.back, format!("{}#comments", page_of(target)));
    let user = moderator_acting(&viewer, &form.csrf, &back)?;
    let locked = match form.locked.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(refused(StatusCode::BAD_REQUEST, "Say whether to close (1) or reopen (0).", &back)),
    };
    let reason = checked_reason(&form.reason).map_err(|why| refused(StatusCode::BAD_REQUEST, why, &back))?;
    let actor = user.id;
    let found = read(&state, move |s| {
        if !target_exists(s, target)? {
            return Ok(false);
        }
        s.lock_thread(target, locked, actor, &reason)?;
        Ok(true)
    })
    .await?;
    if !found {
        return Err(PageError::NotFound.into());
    }
    Ok(Redirect::to(&back).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn entry(action: &str, subject: &str) -> AuditEntry {
        AuditEntry {
            id: 1,
            actor: None,
            actor_name: None,
            action: action.to_owned(),
            subject: subject.to_owned(),
            reason: "why".to_owned(),
            at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn log_lines_link_their_subjects_and_offer_to_lift_bans() {
        let line = LogLine::new(entry("lock thread", "story 7"));
        assert_eq!((line.href.as_str(), line.unban), ("/story/7", None));
        assert_eq!(line.actor, "the command line");
        let line = LogLine::new(entry("ban user", "user 3"));
        assert_eq!((line.href.as_str(), line.unban), ("", Some(3)));
        let line = LogLine::new(entry("unban user", "user 3"));
        assert_eq!(line.unban, None);
        assert_eq!(LogLine::new(entry("hide comment", "comment x")).href, "");
    }
}
