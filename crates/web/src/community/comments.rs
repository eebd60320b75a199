//! Readers' discussions under stories and articles: the thread as a page shows it (replies nested to
//! any depth, flattened with their depth so that a template can render them without recursion,
//! top-level comments sorted as the reader asks, withheld text replaced by a note saying why), the
//! forms a signed-in reader acts with, and the handlers those forms post to: comment, reply, edit,
//! delete, report, vote, and rate a story's coverage.
//!
//! Every form carries its session's token against requests forged on other sites; a comment form
//! also carries a key of its own, so that a form sent twice posts once. What a form handler refuses
//! is answered with a page saying why and leading back to the discussion.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use parallax_core::{ArticleId, CommentId, StoryId};
use parallax_store::{AuthorChange, Comment, CommentState, NewComment, Posted, Ratings, Store, Target, User};

use super::{
    COMMENT_PER_IP, COMMENT_PER_USER, Limit, VOTE_PER_IP, VOTE_PER_USER, Viewer, ip_key, new_token,
    within_limits,
};
use crate::error::PageError;
use crate::markup::{self, MAX_SOURCE_CHARS};
use crate::pages::{Meta, Segment};
use crate::{AppState, read};

/// How long after posting its author may still edit a comment: long enough to fix a slip, too
/// short to change what replies answered.
pub(crate) const EDIT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The longest reason a report or a moderator's action may give.
pub(crate) const MAX_REASON_CHARS: usize = 500;

/// Reply levels indented on the page; deeper replies line up with their parent's, so that a long
/// exchange stays readable on a phone.
const MAX_INDENT: usize = 8;

/// The longest key a comment form may carry (a fresh one is 64 hex digits).
const MAX_KEY_CHARS: usize = 128;

/// What a refusal says when the thread is locked.
pub(crate) const CLOSED: &str = "This discussion is closed.";

/// The order of top-level comments; replies are always oldest first, so that an exchange reads in
/// the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Sort {
    /// Most up-votes net of down-votes first, then newest.
    #[default]
    Best,
    Newest,
    Oldest,
}

impl Sort {
    const ALL: [Sort; 3] = [Sort::Best, Sort::Newest, Sort::Oldest];

    /// The order `?sort=` names (none is [`Sort::Best`]), or why it names none.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(str::trim).unwrap_or_default() {
            "" | "best" => Ok(Sort::Best),
            "newest" => Ok(Sort::Newest),
            "oldest" => Ok(Sort::Oldest),
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(format!("sort must be best, newest or oldest, not {shown:?}"))
            }
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Sort::Best => "best",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Sort::Best => "Best",
            Sort::Newest => "Newest",
            Sort::Oldest => "Oldest",
        }
    }

    /// Whether `a` comes before `b`. Ties fall to the id, so that the order never depends on how the
    /// store happened to list them.
    fn order(self, a: &Comment, b: &Comment) -> Ordering {
        let oldest = (a.created_at, a.id).cmp(&(b.created_at, b.id));
        match self {
            Sort::Best => score(b).cmp(&score(a)).then(oldest.reverse()),
            Sort::Newest => oldest.reverse(),
            Sort::Oldest => oldest,
        }
    }
}

fn score(c: &Comment) -> i64 {
    i64::from(c.up) - i64::from(c.down)
}

/// A comment's place in the thread as shown: its depth and what list markup opens or closes after
/// it. In order, the places describe nested lists: after a comment with replies its list of replies
/// opens; after the last comment of a list, `closes` lists end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// Which of the comments given.
    pub index: usize,
    /// 0 for a top-level comment.
    pub depth: usize,
    /// Every comment below it, replies to replies included.
    pub replies: usize,
    /// Its replies follow.
    pub opens: bool,
    /// How many enclosing reply lists end after it.
    pub closes: usize,
}

/// The thread in the order it is shown: each top-level comment (in `sort` order) followed by its
/// replies, each of them followed by theirs (oldest first). Walked with a stack of its own, so that
/// however deep a thread goes it costs no recursion. A reply whose parent is missing is shown at the
/// top level rather than lost, and every comment appears exactly once.
pub(crate) fn flatten(comments: &[Comment], sort: Sort) -> Vec<Place> {
    let index: HashMap<CommentId, usize> = comments.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, c) in comments.iter().enumerate() {
        let parent = c.parent.and_then(|p| index.get(&p).copied()).filter(|&p| p != i);
        children.entry(parent).or_default().push(i);
    }
    for (parent, list) in &mut children {
        let order = if parent.is_some() { Sort::Oldest } else { sort };
        list.sort_by(|&a, &b| order.order(&comments[a], &comments[b]));
    }
    let mut roots = children.get(&None).cloned().unwrap_or_default();
    // Comments that only reach each other (which the store never makes) would otherwise vanish.
    let mut rest: Vec<usize> = (0..comments.len()).collect();
    rest.sort_by(|&a, &b| sort.order(&comments[a], &comments[b]));
    roots.extend(rest);

    let mut seen = vec![false; comments.len()];
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(comments.len());
    for root in roots {
        let mut stack = vec![(root, 0usize)];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            order.push((i, depth));
            if let Some(replies) = children.get(&Some(i)) {
                stack.extend(replies.iter().rev().filter(|&&r| !seen[r]).map(|&r| (r, depth + 1)));
            }
        }
    }

    let mut places: Vec<Place> = order
        .iter()
        .enumerate()
        .map(|(k, &(index, depth))| {
            let next = order.get(k + 1).map_or(0, |&(_, d)| d);
            let opens = next > depth;
            Place { index, depth, replies: 0, opens, closes: if opens { 0 } else { depth - next } }
        })
        .collect();
    // A comment's replies are the places after it, up to the next one no deeper than it.
    let mut open: Vec<usize> = Vec::new();
    for k in 0..places.len() {
        while let Some(&top) = open.last() {
            if places[top].depth < places[k].depth {
                break;
            }
            places[top].replies = k - top - 1;
            open.pop();
        }
        open.push(k);
    }
    let total = places.len();
    for top in open {
        places[top].replies = total - top - 1;
    }
    places
}

/// What stands in for the text of a comment not shown; empty for one that is.
pub(crate) fn placeholder(state: CommentState) -> &'static str {
    match state {
        CommentState::Visible => "",
        CommentState::Deleted => "Comment deleted by its author",
        CommentState::Hidden => "Comment hidden by a moderator",
        CommentState::Removed => "Comment removed by a moderator",
    }
}

/// The page a target's discussion is on.
pub(crate) fn page_of(target: Target) -> String {
    format!("/{}/{}", target.kind(), target.id())
}

/// The target a form names, if it names one.
pub(crate) fn parse_target(kind: &str, id: &str) -> Option<Target> {
    match kind.trim() {
        "story" => id.parse::<StoryId>().ok().map(Target::Story),
        "article" => id.parse::<ArticleId>().ok().map(Target::Article),
        _ => None,
    }
}

/// Whether the story or article exists (a story merged into another no longer does).
pub(crate) fn target_exists(s: &dyn Store, target: Target) -> Result<bool, parallax_store::StoreError> {
    Ok(match target {
        Target::Story(id) => s.story(id)?.is_some(),
        Target::Article(id) => s.article(id)?.is_some(),
    })
}

/// One comment as the page shows it.
#[derive(Debug, Clone)]
pub(crate) struct CommentView {
    pub id: i64,
    pub author: String,
    pub author_id: i64,
    pub when: String,
    pub iso: String,
    pub edited: bool,
    pub up: u32,
    pub down: u32,
    /// Shown, or withheld with a placeholder.
    pub visible: bool,
    /// "visible", "deleted", "hidden" or "removed".
    pub state: &'static str,
    pub placeholder: &'static str,
    /// The sanitised text: for a shown comment, and for moderators that of one they hid or removed;
    /// else empty.
    pub html: String,
    /// The text as written, for its author's edit form; else empty.
    pub source: String,
    pub replies: usize,
    pub opens: bool,
    /// Its replies are past the indented levels.
    pub deep: bool,
    pub closes: usize,
    /// Written by the reader.
    pub mine: bool,
    /// The reader's vote: 1, -1 or 0.
    pub vote: i8,
    pub can_edit: bool,
    /// The key of its reply form; empty when it has none.
    pub key: String,
    /// Open reports, shown to moderators.
    pub reports: u32,
}

/// A link switching the order of top-level comments.
#[derive(Debug, Clone)]
pub(crate) struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// A story's "helpful coverage" ratings with the reader's own.
#[derive(Debug, Clone)]
pub(crate) struct RatingView {
    pub story: i64,
    pub helpful: u32,
    pub not_helpful: u32,
    pub mine_helpful: bool,
    pub mine_not: bool,
}

/// The discussion section of a story or article page.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub target_kind: &'static str,
    pub target_id: i64,
    /// The page's path ("/story/3").
    pub path: String,
    /// Comments shown with their text.
    pub count: usize,
    pub items: Vec<CommentView>,
    pub sorts: Vec<SortLink>,
    pub locked: bool,
    /// Signed in and not banned: sees the forms.
    pub reader: bool,
    pub moderator: bool,
    pub admin: bool,
    pub csrf: String,
    /// The key of the new-comment form; empty when there is none.
    pub key: String,
    /// Where signing in leads, coming back here.
    pub signin: String,
    pub rating: Option<RatingView>,
    /// A confirmation of what the reader just did; empty when none.
    pub note: &'static str,
    pub max_chars: usize,
    pub max_reason: usize,
}

/// What a section is built from, as read from the store.
pub(crate) struct Loaded {
    pub comments: Vec<Comment>,
    pub locked: bool,
    pub votes: HashMap<CommentId, i8>,
    pub ratings: Option<(Ratings, Option<bool>)>,
}

/// `?sort=` and `?note=` on story and article pages.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct ThreadParams {
    pub sort: Option<String>,
    pub note: Option<String>,
}

impl ThreadParams {
    /// The order asked for, or why the request names none.
    pub(crate) fn sort(&self) -> Result<Sort, PageError> {
        Sort::parse(self.sort.as_deref()).map_err(PageError::BadRequest)
    }

    fn note(&self) -> &'static str {
        match self.note.as_deref() {
            Some("reported") => "Thank you: your report went to the moderators.",
            _ => "",
        }
    }
}

impl Section {
    /// The section for `user` (if signed in) at `now`, taking form keys from `keys`.
    pub(crate) fn build(
        target: Target,
        loaded: Loaded,
        sort: Sort,
        user: Option<&User>,
        csrf: &str,
        now: DateTime<Utc>,
        keys: &mut dyn Iterator<Item = String>,
    ) -> Self {
        let Loaded { comments, locked, votes, ratings } = loaded;
        let reader = user.is_some_and(|u| u.banned.is_none());
        let moderator = reader && user.is_some_and(|u| u.role.moderates());
        let admin = reader && user.is_some_and(|u| u.role == parallax_store::Role::Admin);
        let me = user.map(|u| u.id);
        let forms = reader && !locked;
        let path = page_of(target);
        let items: Vec<CommentView> = flatten(&comments, sort)
            .into_iter()
            .map(|place| {
                let c = &comments[place.index];
                let visible = c.state == CommentState::Visible;
                let mine = me == Some(c.author);
                let withheld_for_moderators =
                    moderator && matches!(c.state, CommentState::Hidden | CommentState::Removed);
                let age = now.signed_duration_since(c.created_at).to_std().unwrap_or_default();
                let can_edit = forms && mine && visible && age < EDIT_WINDOW;
                CommentView {
                    id: c.id.get(),
                    author: c.author_name.clone(),
                    author_id: c.author.get(),
                    when: crate::view::when(Some(c.created_at.fixed_offset())),
                    iso: c.created_at.to_rfc3339(),
                    edited: c.edited_at.is_some(),
                    up: c.up,
                    down: c.down,
                    visible,
                    state: state_name(c.state),
                    placeholder: placeholder(c.state),
                    html: if visible || withheld_for_moderators { c.html.clone() } else { String::new() },
                    source: if can_edit { c.source.clone() } else { String::new() },
                    replies: place.replies,
                    opens: place.opens,
                    deep: place.depth + 1 > MAX_INDENT,
                    closes: place.closes,
                    mine,
                    vote: votes.get(&c.id).copied().unwrap_or(0),
                    can_edit,
                    key: if forms && visible { keys.next().unwrap_or_default() } else { String::new() },
                    reports: c.reports,
                }
            })
            .collect();
        let rating = match (target, ratings) {
            (Target::Story(id), Some((counts, mine))) => Some(RatingView {
                story: id.get(),
                helpful: counts.helpful,
                not_helpful: counts.not_helpful,
                mine_helpful: mine == Some(true),
                mine_not: mine == Some(false),
            }),
            _ => None,
        };
        Section {
            target_kind: target.kind(),
            target_id: target.id(),
            count: items.iter().filter(|c| c.visible).count(),
            items,
            sorts: Sort::ALL
                .iter()
                .map(|&s| SortLink {
                    label: s.label(),
                    href: format!("{path}?sort={}#comments", s.as_str()),
                    current: s == sort,
                })
                .collect(),
            locked,
            reader,
            moderator,
            admin,
            csrf: if reader { csrf.to_owned() } else { String::new() },
            key: if forms { keys.next().unwrap_or_default() } else { String::new() },
            signin: format!("/signin?next={}", encode_component(&path)),
            path,
            rating,
            note: "",
            max_chars: MAX_SOURCE_CHARS,
            max_reason: MAX_REASON_CHARS,
        }
    }
}

fn state_name(state: CommentState) -> &'static str {
    match state {
        CommentState::Visible => "visible",
        CommentState::Deleted => "deleted",
        CommentState::Hidden => "hidden",
        CommentState::Removed => "removed",
    }
}

/// The discussion of a target as the viewer sees it.
pub(crate) async fn section(
    state: &AppState,
    viewer: &Viewer,
    target: Target,
    params: &ThreadParams,
) -> Result<Section, PageError> {
    let sort = params.sort()?;
    let user = viewer.user().cloned();
    let id = user.as_ref().map(|u| u.id);
    let loaded = read(state, move |s| {
        let comments = s.comments(target)?;
        let locked = s.thread_locked(target)?;
        let votes = match id {
            Some(id) => s.votes_by(id, target)?,
            None => HashMap::new(),
        };
        let ratings = match target {
            Target::Story(story) => Some(s.ratings(story, id)?),
            Target::Article(_) => None,
        };
        Ok(Loaded { comments, locked, votes, ratings })
    })
    .await?;
    // Each rendered form gets a key of its own: one form per shown comment and one for a new thread.
    let forms = if user.as_ref().is_some_and(|u| u.banned.is_none()) && !loaded.locked {
        loaded.comments.iter().filter(|c| c.state == CommentState::Visible).count() + 1
    } else {
        0
    };
    let keys = (0..forms).map(|_| new_token()).collect::<Result<Vec<_>, _>>()?;
    let mut section =
        Section::build(target, loaded, sort, user.as_ref(), viewer.csrf(), Utc::now(), &mut keys.into_iter());
    section.note = params.note();
    Ok(section)
}

/// A page with per-reader content (their forms and tokens) is kept by no cache on the way.
pub(crate) fn per_reader(mut response: Response, viewer: &Viewer) -> Response {
    if viewer.user().is_some() {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}

/// Percent-encodes a value for a query string.
pub(crate) fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A path on this site to go back to, never another site's address; `fallback` otherwise.
pub(crate) fn local_back(back: &str, fallback: String) -> String {
    let back = back.trim();
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && back.len() <= 300
        && !back.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if local { back.to_owned() } else { fallback }
}

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    meta: Meta,
    status: u16,
    heading: &'static str,
    message: String,
    back: String,
}

/// What a form handler answers instead of going ahead.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Signed out: to the sign-in page, coming back to this path afterwards.
    SignIn(String),
    /// Refused, with why and the page to go back to.
    Refused {
        status: StatusCode,
        message: String,
        back: String,
    },
    Error(PageError),
}

impl From<PageError> for Stop {
    fn from(error: PageError) -> Self {
        Stop::Error(error)
    }
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response {
        match self {
            Stop::SignIn(back) => {
                Redirect::to(&format!("/signin?next={}", encode_component(&back))).into_response()
            }
            Stop::Refused { status, message, back } => {
                let heading = match status {
                    StatusCode::BAD_REQUEST => "This cannot be done as asked",
                    StatusCode::FORBIDDEN => "This is not allowed",
                    StatusCode::NOT_FOUND => "This is not here",
                    StatusCode::CONFLICT => "This can no longer be done",
                    _ => "This cannot be done",
                };
                let page =
                    RefusedPage { meta: Meta::error(), status: status.as_u16(), heading, message, back };
                match page.render() {
                    Ok(body) => (status, Html(body)).into_response(),
                    Err(error) => PageError::from(error).into_response(),
                }
            }
            Stop::Error(error) => error.into_response(),
        }
    }
}

/// A refusal with its status, why, and the page to go back to.
pub(crate) fn refused(status: StatusCode, message: impl Into<String>, back: &str) -> Stop {
    Stop::Refused { status, message: message.into(), back: back.to_owned() }
}

/// The reader a form acts for: signed in (else to the sign-in page), the form from this site, the
/// account not banned.
fn acting_reader(viewer: &Viewer, csrf: &str, back: &str) -> Result<User, Stop> {
    let Some(user) = viewer.user() else { return Err(Stop::SignIn(back.to_owned())) };
    if !viewer.csrf_matches(csrf) {
        return Err(super::foreign_form().into());
    }
    if let Some(ban) = &user.banned {
        return Err(refused(StatusCode::FORBIDDEN, format!("Your account is banned: {}", ban.reason), back));
    }
    Ok(user.clone())
}

fn comment_limits(user: &User, ip: Option<IpAddr>) -> [(Limit, String); 2] {
    [(COMMENT_PER_USER, user.id.to_string()), (COMMENT_PER_IP, ip_key(ip))]
}

fn vote_limits(user: &User, ip: Option<IpAddr>) -> [(Limit, String); 2] {
    [(VOTE_PER_USER, user.id.to_string()), (VOTE_PER_IP, ip_key(ip))]
}

/// Why a reader's comment or vote was not taken, whoever asked (a form or the JSON API).
#[derive(Debug)]
pub(crate) enum Denied {
    /// Refused, with the status that says why and the reason in words.
    Refused(StatusCode, String),
    Error(PageError),
}

impl From<PageError> for Denied {
    fn from(error: PageError) -> Self {
        Denied::Error(error)
    }
}

impl Denied {
    /// As a form's answer, with the page to go back to.
    fn at(self, back: &str) -> Stop {
        match self {
            Denied::Refused(status, message) => refused(status, message, back),
            Denied::Error(error) => Stop::Error(error),
        }
    }
}

/// Posts a reader's comment or reply: within the rate limits, the form's key valid (the same key
/// posts once), the text checked, rendered and sanitised, the target and the comment answered in
/// place. The stored comment's id.
pub(crate) async fn submit_comment(
    state: &AppState,
    user: &User,
    ip: Option<IpAddr>,
    target: Target,
    parent: Option<CommentId>,
    raw_source: &str,
    key: &str,
) -> Result<CommentId, Denied> {
    within_limits(state, &comment_limits(user, ip)).await?;
    let key = key.trim().to_owned();
    if !valid_key(&key) {
        return Err(Denied::Refused(
            StatusCode::BAD_REQUEST,
            "This form is incomplete. Please reload the page.".to_owned(),
        ));
    }
    let source = checked_source(raw_source).map_err(|why| Denied::Refused(StatusCode::BAD_REQUEST, why))?;
    let html = markup::render(&source);
    let author = user.id;
    let posted = read(state, move |s| {
        if !target_exists(s, target)? {
            return Ok(None);
        }
        let new = NewComment { target, parent, author, source: &source, html: &html, key: &key };
        s.post_comment(&new).map(Some)
    })
    .await?;
    let refuse = |status, message: &str| Err(Denied::Refused(status, message.to_owned()));
    match posted {
        None => Err(PageError::NotFound.into()),
        Some(Posted::New(id) | Posted::Repeated(id)) => Ok(id),
        Some(Posted::NoParent) => {
            refuse(StatusCode::NOT_FOUND, "The comment you answered is not in this discussion.")
        }
        Some(Posted::ParentClosed) => refuse(
            StatusCode::CONFLICT,
            "The comment you answered was deleted or hidden: it takes no replies.",
        ),
        Some(Posted::Locked) => refuse(StatusCode::FORBIDDEN, CLOSED),
        Some(Posted::Banned) => refuse(StatusCode::FORBIDDEN, "Your account is banned."),
    }
}

/// A reader's vote on a comment (1 up, -1 down, 0 withdrawn), within the rate limits, unless its
/// thread is locked or it is not shown. The comment's counts after it.
pub(crate) async fn cast_vote(
    state: &AppState,
    user: &User,
    ip: Option<IpAddr>,
    comment: &Comment,
    value: i8,
) -> Result<(u32, u32), Denied> {
    within_limits(state, &vote_limits(user, ip)).await?;
    let (id, target, voter) = (comment.id, comment.target, user.id);
    let counted = read(state, move |s| {
        if s.thread_locked(target)? {
            return Ok(None);
        }
        s.vote(id, voter, value).map(Some)
    })
    .await?;
    match counted {
        None => Err(Denied::Refused(StatusCode::FORBIDDEN, CLOSED.to_owned())),
        Some(None) => {
            Err(Denied::Refused(StatusCode::CONFLICT, "Only a comment that is shown takes votes.".to_owned()))
        }
        Some(Some(counts)) => Ok(counts),
    }
}

/// A comment's text trimmed, or why it cannot be posted.
pub(crate) fn checked_source(raw: &str) -> Result<String, String> {
    let source = raw.trim();
    let chars = source.chars().count();
    if chars == 0 {
        return Err("A comment needs some text.".to_owned());
    }
    if chars > MAX_SOURCE_CHARS {
        return Err(format!(
            "A comment may have at most {MAX_SOURCE_CHARS} characters; this one has {chars}."
        ));
    }
    Ok(source.to_owned())
}

/// A reason (for a report or a moderator's action) trimmed, or why it cannot be taken.
pub(crate) fn checked_reason(raw: &str) -> Result<String, String> {
    let reason = raw.trim();
    let chars = reason.chars().count();
    if chars == 0 {
        return Err("Please give a reason.".to_owned());
    }
    if chars > MAX_REASON_CHARS {
        return Err(format!(
            "A reason may have at most {MAX_REASON_CHARS} characters; this one has {chars}."
        ));
    }
    Ok(reason.to_owned())
}

/// Whether a comment form's key is one a page could have given: letters, digits, `-` and `_`.
fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_CHARS).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Back to the comment on its page.
fn to_comment(back: &str, id: CommentId) -> Response {
    Redirect::to(&format!("{back}#c{id}")).into_response()
}

/// The comment a path names.
async fn find(state: &AppState, raw: &str) -> Result<Comment, Stop> {
    let id: CommentId = raw.parse().map_err(|_| PageError::NotFound)?;
    read(state, move |s| s.comment(id)).await?.ok_or(Stop::Error(PageError::NotFound))
}

/// A new comment or reply as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct PostForm {
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    csrf: String,
    /// Hidden from people; a bot filling every field fills it.
    #[serde(default)]
    website: String,
}

pub(crate) async fn post(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PostForm>,
) -> Result<Response, Stop> {
    let Some(target) = parse_target(&form.target_kind, &form.target_id) else {
        return Err(refused(StatusCode::BAD_REQUEST, "This form names nothing to comment on.", "/"));
    };
    let back = page_of(target);
    let user = acting_reader(&viewer, &form.csrf, &back)?;
    if !form.website.is_empty() {
        return Err(refused(StatusCode::BAD_REQUEST, "This form was filled in by a program.", &back));
    }
    let parent = match form.parent.trim() {
        "" => None,
        raw => match raw.parse::<CommentId>() {
            Ok(id) => Some(id),
            Err(_) => return Err(refused(StatusCode::BAD_REQUEST, "This form answers no comment.", &back)),
        },
    };
    let id = submit_comment(&state, &user, viewer.ip, target, parent, &form.source, &form.key)
        .await
        .map_err(|denied| denied.at(&back))?;
    Ok(to_comment(&back, id))
}

/// What an author's edit or deletion came to.
fn author_change(outcome: Option<AuthorChange>, back: &str, id: CommentId) -> Result<Response, Stop> {
    match outcome {
        None => Err(refused(StatusCode::FORBIDDEN, CLOSED, back)),
        Some(AuthorChange::Done) => Ok(to_comment(back, id)),
        Some(AuthorChange::NotYours) => {
            Err(refused(StatusCode::FORBIDDEN, "Only its author can change a comment.", back))
        }
        Some(AuthorChange::TooLate) => Err(refused(
            StatusCode::CONFLICT,
            format!("A comment can be edited for {} minutes after it is posted.", EDIT_WINDOW.as_secs() / 60),
            back,
        )),
        Some(AuthorChange::Closed) => Err(refused(
            StatusCode::CONFLICT,
            "This comment was deleted or hidden: it can no longer be changed.",
            back,
        )),
    }
}

/// An edit as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    source: String,
}

pub(crate) async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<EditForm>,
) -> Result<Response, Stop> {
    let comment = find(&state, &id).await?;
    let back = page_of(comment.target);
    let user = acting_reader(&viewer, &form.csrf, &back)?;
    within_limits(&state, &comment_limits(&user, viewer.ip)).await?;
    let source = checked_source(&form.source).map_err(|why| refused(StatusCode::BAD_REQUEST, why, &back))?;
    let html = markup::render(&source);
    let (id, target, author) = (comment.id, comment.target, user.id);
    let outcome = read(&state, move |s| {
        if s.thread_locked(target)? {
            return Ok(None);
        }
        s.edit_comment(id, author, &source, &html, EDIT_WINDOW).map(Some)
    })
    .await?;
    author_change(outcome, &back, id)
}

/// A deletion as posted: the box confirming it must be ticked.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<DeleteForm>,
) -> Result<Response, Stop> {
    let comment = find(&state, &id).await?;
    let back = page_of(comment.target);
    let user = acting_reader(&viewer, &form.csrf, &back)?;
    if !matches!(form.confirm.as_str(), "1" | "on" | "yes") {
        return Err(refused(StatusCode::BAD_REQUEST, "Tick the box to confirm the deletion.", &back));
    }
    let (id, target, author) = (comment.id, comment.target, user.id);
    let outcome = read(&state, move |s| {
        if s.thread_locked(target)? {
            return Ok(None);
        }
        s.delete_comment(id, author).map(Some)
    })
    .await?;
    author_change(outcome, &back, id)
}

/// A report as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<ReportForm>,
) -> Result<Response, Stop> {
    let comment = find(&state, &id).await?;
    let back = page_of(comment.target);
    let user = acting_reader(&viewer, &form.csrf, &back)?;
    within_limits(&state, &comment_limits(&user, viewer.ip)).await?;
    let reason = checked_reason(&form.reason).map_err(|why| refused(StatusCode::BAD_REQUEST, why, &back))?;
    let (id, target, reporter) = (comment.id, comment.target, user.id);
    let reported = read(&state, move |s| {
        if s.thread_locked(target)? {
            return Ok(None);
        }
        s.report_comment(id, reporter, &reason).map(Some)
    })
    .await?;
    match reported {
        None => Err(refused(StatusCode::FORBIDDEN, CLOSED, &back)),
        Some(false) => Err(PageError::NotFound.into()),
        Some(true) => Ok(Redirect::to(&format!("{back}?note=reported#c{id}")).into_response()),
    }
}

/// A vote or a rating as posted.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ChoiceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
}

pub(crate) async fn vote(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<ChoiceForm>,
) -> Result<Response, Stop> {
    let comment = find(&state, &id).await?;
    let back = page_of(comment.target);
    let user = acting_reader(&viewer, &form.csrf, &back)?;
    let value: i8 = match form.value.as_str() {
        "up" => 1,
        "down" => -1,
        "none" => 0,
        _ => return Err(refused(StatusCode::BAD_REQUEST, "A vote is up, down or none.", &back)),
    };
    cast_vote(&state, &user, viewer.ip, &comment, value).await.map_err(|denied| denied.at(&back))?;
    Ok(to_comment(&back, comment.id))
}

pub(crate) async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Segment(id): Segment,
    Form(form): Form<ChoiceForm>,
) -> Result<Response, Stop> {
    let story: StoryId = id.parse().map_err(|_| PageError::NotFound)?;
    let back = format!("/story/{story}");
    let user = acting_reader(&viewer, &form.csrf, &back)?;
    within_limits(&state, &vote_limits(&user, viewer.ip)).await?;
    let helpful = match form.value.as_str() {
        "helpful" => Some(true),
        "not" => Some(false),
        "none" => None,
        _ => return Err(refused(StatusCode::BAD_REQUEST, "A rating is helpful, not or none.", &back)),
    };
    let rater = user.id;
    let rated = read(&state, move |s| {
        if s.story(story)?.is_none() {
            return Ok(false);
        }
        s.rate_story(story, rater, helpful)?;
        Ok(true)
    })
    .await?;
    if !rated {
        return Err(PageError::NotFound.into());
    }
    Ok(Redirect::to(&format!("{back}#rating")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_core::UserId;
    use parallax_store::Role;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + minute * 60, 0).unwrap()
    }

    fn comment(id: i64, parent: Option<i64>, minute: i64, up: u32, down: u32) -> Comment {
        Comment {
            id: CommentId(id),
            target: Target::Story(StoryId(1)),
            parent: parent.map(CommentId),
            author: UserId(id % 3 + 1),
            author_name: format!("reader{}", id % 3 + 1),
            source: format!("comment {id}"),
            html: format!("<p>comment {id}</p>"),
            state: CommentState::Visible,
            created_at: at(minute),
            edited_at: None,
            up,
            down,
            reports: 0,
        }
    }

    fn shape(comments: &[Comment], sort: Sort) -> Vec<(i64, usize)> {
        flatten(comments, sort).iter().map(|p| (comments[p.index].id.get(), p.depth)).collect()
    }

    /// Renders places as nested lists the way the template does, to check that they balance.
    fn markup(places: &[Place]) -> String {
        let mut out = String::from("<ol>");
        for p in places {
            out.push_str("<li>");
            if p.opens {
                out.push_str("<ol>");
            } else {
                out.push_str("</li>");
            }
            for _ in 0..p.closes {
                out.push_str("</ol></li>");
            }
        }
        out.push_str("</ol>");
        out
    }

    #[test]
    fn replies_nest_under_their_parents_oldest_first() {
        let comments = vec![
            comment(1, None, 0, 0, 0),
            comment(2, Some(1), 1, 0, 0),
            comment(3, Some(2), 2, 0, 0),
            comment(4, None, 3, 0, 0),
            comment(5, Some(1), 4, 0, 0),
            comment(6, Some(3), 5, 0, 0),
        ];
        assert_eq!(shape(&comments, Sort::Oldest), vec![(1, 0), (2, 1), (3, 2), (6, 3), (5, 1), (4, 0)]);
        let places = flatten(&comments, Sort::Oldest);
        let replies: Vec<usize> = places.iter().map(|p| p.replies).collect();
        assert_eq!(replies, vec![4, 2, 1, 0, 0, 0]);
        let opens: Vec<bool> = places.iter().map(|p| p.opens).collect();
        assert_eq!(opens, vec![true, true, true, false, false, false]);
        let closes: Vec<usize> = places.iter().map(|p| p.closes).collect();
        assert_eq!(closes, vec![0, 0, 0, 2, 1, 0]);
        assert_eq!(
            markup(&places),
            "<ol><li><ol><li><ol><li><ol><li></li></ol></li></ol></li><li></li></ol></li><li></li></ol>"
        );
    }

    #[test]
    fn top_level_comments_sort_as_asked() {
        let comments = vec![
            comment(1, None, 0, 5, 1),
            comment(2, None, 1, 1, 0),
            comment(3, None, 2, 4, 0),
            comment(4, None, 3, 0, 3),
            comment(5, Some(4), 4, 9, 0),
            comment(6, None, 5, 1, 0),
        ];
        let top = |sort| {
            shape(&comments, sort).into_iter().filter(|&(_, d)| d == 0).map(|(id, _)| id).collect::<Vec<_>>()
        };
        // Best: net score 4, 4, 1, 1, -3; ties go to the newest.
        assert_eq!(top(Sort::Best), vec![3, 1, 6, 2, 4]);
        assert_eq!(top(Sort::Newest), vec![6, 4, 3, 2, 1]);
        assert_eq!(top(Sort::Oldest), vec![1, 2, 3, 4, 6]);
        // A reply follows its parent whatever its own score.
        assert_eq!(shape(&comments, Sort::Best).last(), Some(&(5, 1)));
    }

    #[test]
    fn sort_is_read_from_the_query() {
        assert_eq!(Sort::parse(None), Ok(Sort::Best));
        assert_eq!(Sort::parse(Some("newest")), Ok(Sort::Newest));
        assert_eq!(Sort::parse(Some(" oldest ")), Ok(Sort::Oldest));
        assert!(Sort::parse(Some("random")).is_err());
    }

    #[test]
    fn every_comment_appears_once_even_when_its_parent_is_missing() {
        let comments =
            vec![comment(1, None, 0, 0, 0), comment(2, Some(99), 1, 0, 0), comment(3, Some(2), 2, 0, 0)];
        assert_eq!(shape(&comments, Sort::Oldest), vec![(1, 0), (2, 0), (3, 1)]);
        // A loop the store never makes still shows both comments, once each.
        let looped = vec![comment(7, Some(8), 0, 0, 0), comment(8, Some(7), 1, 0, 0)];
        let shown = shape(&looped, Sort::Oldest);
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert_eq!(markup(&flatten(&looped, Sort::Oldest)).matches("<li>").count(), 2);
    }

    #[test]
    fn deep_threads_need_no_recursion_and_stay_balanced() {
        let mut comments = vec![comment(1, None, 0, 0, 0)];
        for id in 2..=20_000 {
            comments.push(comment(id, Some(id - 1), id, 0, 0));
        }
        let places = flatten(&comments, Sort::Best);
        assert_eq!(places.len(), 20_000);
        assert_eq!(places[0].replies, 19_999);
        assert_eq!(places[19_999].depth, 19_999);
        assert_eq!(places[19_999].closes, 19_999);
        let html = markup(&places);
        assert_eq!(html.matches("<ol>").count(), html.matches("</ol>").count());
        assert_eq!(html.matches("<li>").count(), html.matches("</li>").count());
    }

    fn reader(id: i64, role: Role) -> User {
        User { id: UserId(id), name: format!("reader{id}"), role, created_at: at(0), banned: None }
    }

    fn loaded(comments: Vec<Comment>) -> Loaded {
        Loaded { comments, locked: false, votes: HashMap::new(), ratings: None }
    }

    fn keys() -> impl Iterator<Item = String> {
        (0..).map(|n| format!("key{n}"))
    }

    #[test]
    fn withheld_comments_show_why_and_keep_their_replies() {
        let mut comments = vec![
            comment(1, None, 0, 0, 0),
            comment(2, Some(1), 1, 0, 0),
            comment(3, None, 2, 0, 0),
            comment(4, None, 3, 0, 0),
        ];
        comments[0].state = CommentState::Deleted;
        comments[2].state = CommentState::Hidden;
        comments[3].state = CommentState::Removed;
        let target = Target::Story(StoryId(1));
        let section =
            Section::build(target, loaded(comments.clone()), Sort::Oldest, None, "", at(5), &mut keys());
        let by_id = |s: &Section, id: i64| s.items.iter().find(|c| c.id == id).cloned().unwrap();
        assert_eq!(by_id(&section, 1).placeholder, "Comment deleted by its author");
        assert_eq!(by_id(&section, 3).placeholder, "Comment hidden by a moderator");
        assert_eq!(by_id(&section, 4).placeholder, "Comment removed by a moderator");
        for id in [1, 3, 4] {
            assert!(by_id(&section, id).html.is_empty(), "the text of {id} is withheld");
        }
        assert_eq!(by_id(&section, 2).html, "<p>comment 2</p>");
        assert_eq!(section.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(by_id(&section, 1).replies, 1);
        assert_eq!(section.count, 1);
        assert!(!section.reader && section.key.is_empty() && section.csrf.is_empty());
        assert_eq!(section.signin, "/signin?next=/story/1");

        // Moderators see what moderators withheld, not what an author withdrew.
        let moderator = reader(9, Role::Moderator);
        let section = Section::build(
            target,
            loaded(comments),
            Sort::Oldest,
            Some(&moderator),
            "tok",
            at(5),
            &mut keys(),
        );
        assert!(by_id(&section, 1).html.is_empty());
        assert_eq!(by_id(&section, 3).html, "<p>comment 3</p>");
        assert!(section.moderator && !section.admin);
    }

    #[test]
    fn readers_get_forms_with_keys_of_their_own() {
        let comments =
            vec![comment(1, None, 0, 0, 0), comment(2, Some(1), 1, 0, 0), comment(3, None, 20, 0, 0)];
        let target = Target::Article(ArticleId(4));
        let me = reader(2, Role::Reader); // the author of comment 1 (and of 4, 7, …)
        let section = Section::build(
            target,
            loaded(comments.clone()),
            Sort::Oldest,
            Some(&me),
            "tok",
            at(21),
            &mut keys(),
        );
        let given: Vec<&str> = section.items.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(given, vec!["key0", "key1", "key2"]);
        assert_eq!(section.key, "key3");
        assert_eq!(section.csrf, "tok");
        let first = &section.items[0];
        assert!(first.mine && !first.can_edit, "past the edit window");
        assert!(first.source.is_empty());
        let section = Section::build(
            target,
            loaded(comments.clone()),
            Sort::Oldest,
            Some(&me),
            "tok",
            at(5),
            &mut keys(),
        );
        assert!(section.items[0].can_edit && section.items[0].source == "comment 1");
        assert!(!section.items[1].can_edit, "not theirs");

        // A locked thread has no forms; a banned reader gets none either.
        let mut locked = loaded(comments.clone());
        locked.locked = true;
        let section = Section::build(target, locked, Sort::Oldest, Some(&me), "tok", at(5), &mut keys());
        assert!(section.key.is_empty() && section.items.iter().all(|c| c.key.is_empty() && !c.can_edit));
        let mut banned = me.clone();
        banned.banned = Some(parallax_store::Ban { at: at(0), reason: "spam".to_owned() });
        let section =
            Section::build(target, loaded(comments), Sort::Oldest, Some(&banned), "tok", at(5), &mut keys());
        assert!(!section.reader && section.key.is_empty() && section.csrf.is_empty());
    }

    #[test]
    fn votes_and_ratings_mark_the_readers_choice() {
        let comments = vec![comment(1, None, 0, 3, 1)];
        let me = reader(5, Role::Reader);
        let mut data = loaded(comments);
        data.votes.insert(CommentId(1), -1);
        data.ratings = Some((Ratings { helpful: 4, not_helpful: 2 }, Some(false)));
        let section =
            Section::build(Target::Story(StoryId(7)), data, Sort::Best, Some(&me), "t", at(1), &mut keys());
        assert_eq!(section.items[0].vote, -1);
        let rating = section.rating.unwrap();
        assert_eq!((rating.story, rating.helpful, rating.not_helpful), (7, 4, 2));
        assert!(rating.mine_not && !rating.mine_helpful);
        let current: Vec<&str> = section.sorts.iter().filter(|s| s.current).map(|s| s.label).collect();
        assert_eq!(current, vec!["Best"]);
        assert_eq!(section.sorts[1].href, "/story/7?sort=newest#comments");
    }

    /// The section alone, as a page includes it.
    #[derive(Template)]
    #[template(path = "comments.html")]
    struct SectionOnly {
        comments: Section,
    }

    #[test]
    fn the_thread_renders_as_balanced_nested_lists_with_only_sanitised_text() {
        let mut comments = vec![
            comment(1, None, 0, 2, 0),
            comment(2, Some(1), 1, 0, 0),
            comment(3, Some(2), 2, 0, 0),
            comment(4, None, 3, 0, 0),
        ];
        comments[1].html = markup::render("<script>alert(1)</script> [x](javascript:alert(2))");
        comments[3].state = CommentState::Hidden;
        comments[3].html = "<p>withheld words</p>".to_owned();
        let me = reader(3, Role::Moderator);
        let target = Target::Story(StoryId(1));
        let mut data = loaded(comments);
        data.ratings = Some((Ratings::default(), None));
        let section = Section::build(target, data, Sort::Best, Some(&me), "tok", at(4), &mut keys());
        let html = SectionOnly { comments: section }.render().unwrap();
        for (open, close) in
            [("<ol", "</ol>"), ("<li", "</li>"), ("<details", "</details>"), ("<form", "</form>")]
        {
            assert_eq!(html.matches(open).count(), html.matches(close).count(), "{open} in {html}");
        }
        assert!(!html.contains("<script") && !html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("Comment hidden by a moderator"));
        assert!(html.contains("withheld words"), "moderators see what they withheld");
        assert!(html.contains("name=\"parent\" value=\"3\""), "a reply to a reply has its form");
        assert!(html.contains("action=\"/moderation/threads\""));
        assert!(html.contains("/story/1/rating"));

        let section = Section::build(
            target,
            loaded(vec![comment(1, None, 0, 0, 0)]),
            Sort::Best,
            None,
            "",
            at(4),
            &mut keys(),
        );
        let html = SectionOnly { comments: section }.render().unwrap();
        assert!(html.contains("href=\"/signin?next=/story/1\">Sign in to comment"));
        assert!(!html.contains("<form"), "{html}");
    }

    #[test]
    fn sources_and_reasons_are_checked() {
        assert_eq!(checked_source("  hello \n"), Ok("hello".to_owned()));
        assert!(checked_source(" \n\t ").is_err());
        assert!(checked_source(&"é".repeat(MAX_SOURCE_CHARS)).is_ok());
        assert!(checked_source(&"é".repeat(MAX_SOURCE_CHARS + 1)).unwrap_err().contains("at most"));
        assert!(checked_reason("").is_err());
        assert!(checked_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(
            valid_key("abc-DEF_09") && !valid_key("") && !valid_key("a b") && !valid_key(&"a".repeat(129))
        );
    }

    #[test]
    fn only_local_paths_are_gone_back_to() {
        assert_eq!(local_back("/story/3#c4", "/".to_owned()), "/story/3#c4");
        for outside in ["//evil.example", "https://evil.example", "/\\evil", "", "/a b"] {
            assert_eq!(local_back(outside, "/moderation".to_owned()), "/moderation", "{outside}");
        }
        assert_eq!(encode_component("/story/3?x=1#c"), "/story/3%3Fx%3D1%23c");
    }
}
