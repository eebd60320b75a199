//! Comments and votes through the JSON API, under the same rules as the site's forms: the same
//! limits, checks, markup and moderation. A client acts for a reader with an API token
//! (`Authorization: Bearer TOKEN`, made on the account page) or with the reader's session cookie and
//! the session's form token in `X-CSRF-Token`, which a page of another site cannot read.

use std::net::IpAddr;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use parallax_core::CommentId;
use parallax_store::{CommentState, Target, User};
use serde::{Deserialize, Serialize};

use super::comments::{Denied, Sort, cast_vote, flatten, parse_target, submit_comment, target_exists};
use super::{SESSION_COOKIE, constant_time_eq, cookie, token_hash};
use crate::AppState;
use crate::api::ApiError;
use crate::error::PageError;
use crate::pages::Segment;

/// The reader an API request acts for.
pub(crate) struct ApiReader {
    user: User,
    ip: Option<IpAddr>,
}

impl FromRequestParts<AppState> for ApiReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = super::client_ip(parts, state);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = if let Some(token) = bearer {
            let hash = token_hash(token);
            crate::read(state, move |s| s.api_token_user(&hash)).await?
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let hash = token_hash(token);
            let session = crate::read(state, move |s| s.session(&hash)).await?;
            let given = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            match session {
                Some(session) if constant_time_eq(session.csrf.as_bytes(), given.as_bytes()) => {
                    Some(session.user)
                }
                Some(_) => return Err(ApiError::Forbidden("a session needs its X-CSRF-Token".to_owned())),
                None => None,
            }
        } else {
            None
        };
        match user {
            Some(user) if user.banned.is_none() => Ok(ApiReader { user, ip }),
            Some(_) => Err(ApiError::Forbidden("the account is banned".to_owned())),
            None => Err(ApiError::Unauthorized),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Error(error) => error.into(),
            Denied::Refused(status, message) => ApiError::Refused(status, message),
        }
    }
}

/// The thread a query names: `target_kind` (story or article), `target_id`, `sort`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ThreadQuery {
    target_kind: Option<String>,
    target_id: Option<String>,
    sort: Option<String>,
}

#[derive(Serialize)]
struct Thread {
    target: Target,
    locked: bool,
    sort: &'static str,
    comments: Vec<CommentItem>,
}

/// A comment as the API gives it: text only while it is shown.
#[derive(Serialize)]
struct CommentItem {
    id: CommentId,
    parent: Option<CommentId>,
    depth: usize,
    author: String,
    state: CommentState,
    /// The sanitised HTML; `null` unless the comment is shown.
    html: Option<String>,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
    up: u32,
    down: u32,
}

fn target_of(kind: Option<&str>, id: Option<&str>) -> Result<Target, ApiError> {
    parse_target(kind.unwrap_or(""), id.unwrap_or("")).ok_or_else(|| {
        ApiError::BadRequest("target_kind must be story or article, and target_id an id".to_owned())
    })
}

pub(crate) async fn thread(
    State(state): State<AppState>,
    Query(query): Query<ThreadQuery>,
) -> Result<axum::response::Response, ApiError> {
    let target = target_of(query.target_kind.as_deref(), query.target_id.as_deref())?;
    let sort = Sort::parse(query.sort.as_deref()).map_err(ApiError::BadRequest)?;
    let found = crate::read(&state, move |s| {
        if !target_exists(s, target)? {
            return Ok(None);
        }
        Ok(Some((s.comments(target)?, s.thread_locked(target)?)))
    })
    .await?;
    let Some((comments, locked)) = found else { return Err(PageError::NotFound.into()) };
    let items = flatten(&comments, sort)
        .into_iter()
        .map(|place| {
            let c = &comments[place.index];
            CommentItem {
                id: c.id,
                parent: c.parent,
                depth: place.depth,
                author: c.author_name.clone(),
                state: c.state,
                html: (c.state == CommentState::Visible).then(|| c.html.clone()),
                created_at: c.created_at,
                edited_at: c.edited_at,
                up: c.up,
                down: c.down,
            }
        })
        .collect();
    let mut response = crate::api::json(&Thread { target, locked, sort: sort.as_str(), comments: items })?;
    // A discussion changes as readers and moderators act: clients ask again each time (an ETag
    // keeps that cheap) rather than keep a comment a moderator has since hidden.
    response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// A comment posted through the API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCommentBody {
    target_kind: String,
    target_id: i64,
    parent: Option<i64>,
    source: String,
    /// Chosen by the client: the same key posts once, so a retried request stores one comment.
    key: String,
}

fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not the JSON expected: {e}")))
}

#[derive(Serialize)]
struct Created {
    id: CommentId,
    url: String,
}

pub(crate) async fn post(
    State(state): State<AppState>,
    reader: ApiReader,
    bytes: Bytes,
) -> Result<axum::response::Response, ApiError> {
    let new: NewCommentBody = body(&bytes)?;
    let target = target_of(Some(&new.target_kind), Some(&new.target_id.to_string()))?;
    let parent = new.parent.map(CommentId);
    let id = submit_comment(&state, &reader.user, reader.ip, target, parent, &new.source, &new.key).await?;
    let url = format!("{}#c{id}", super::comments::page_of(target));
    let mut response = crate::api::json(&Created { id, url })?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// A vote through the API: 1, -1 or 0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoteBody {
    value: i8,
}

#[derive(Serialize)]
struct Counts {
    up: u32,
    down: u32,
}

pub(crate) async fn vote(
    State(state): State<AppState>,
    reader: ApiReader,
    Segment(id): Segment,
    bytes: Bytes,
) -> Result<axum::response::Response, ApiError> {
    let VoteBody { value } = body(&bytes)?;
    if !(-1..=1).contains(&value) {
        return Err(ApiError::BadRequest("value must be 1, -1 or 0".to_owned()));
    }
    let id: CommentId =
        id.parse().map_err(|_| ApiError::BadRequest("a comment id is a positive integer".to_owned()))?;
    let comment = crate::read(&state, move |s| s.comment(id))
        .await?
        .ok_or_else(|| ApiError::NotFound("no such comment".to_owned()))?;
    let (up, down) = cast_vote(&state, &reader.user, reader.ip, &comment, value).await?;
    crate::api::json(&Counts { up, down })
}
