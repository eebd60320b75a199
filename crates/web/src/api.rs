//! The site's read-only JSON API, mounted under [`ROOT`]: ranked stories, one story with the
//! entities its reports name, its comparison, articles with their analysis and copies, outlets,
//! entities and search, and the OpenAPI document that describes them (`static/openapi.json`).
//!
//! Every answer is `application/json; charset=utf-8` and may be read from any origin: the data is
//! public and nothing here writes. Mistakes in a request are answered `400` and unknown things `404`,
//! both as `{"error": "..."}`; a story merged into another answers `301` to the story kept. Each
//! request makes a fixed number of store reads, whatever the length of the listing.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use parallax_compare::{ComparisonDocument, Report, compare};
use parallax_core::{ArticleId, ArticleSummary, Block, OutletId, Story, StoryId};
use parallax_nlp::{Analysis, EntityKind, Part, Stance};
use parallax_store::{
    CopyRecord, EntityMention, EntityRecord, OutletRecord, Page, SearchHit, SearchResults, Snippet, Store,
    StoreError, StoryMatch,
};
use serde::{Deserialize, Serialize};

use crate::error::PageError;
use crate::params::{MAX_PAGE, PageParam, SearchParams, page_with_lookahead};
use crate::{AppState, read};

/// Where the API is mounted; redirects name it, as a nested router cannot see its own prefix.
pub(crate) const ROOT: &str = "/api";

/// Items per page of every listing.
const PER_PAGE: u32 = 20;

/// Entities listed with one story, most widely named first.
const STORY_ENTITIES: usize = 30;

/// Entities listed as named beside another.
const RELATED_ENTITIES: usize = 10;

const JSON: &str = "application/json; charset=utf-8";

/// The API's description, kept by hand beside the code it describes; a test holds the two together.
const OPENAPI: &str = include_str!("../static/openapi.json");

/// The API's routes, relative to [`ROOT`].
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/stories", get(stories))
        .route("/stories/{id}", get(story))
        .route("/stories/{id}/comparison", get(comparison))
        .route("/articles/{id}", get(article))
        .route("/outlets", get(outlets))
        .route("/outlets/{id}", get(outlet))
        .route("/entities", get(entities))
        .route("/entities/{id}", get(entity))
        .route("/search", get(search))
        .route("/comments", get(crate::community::api::thread).post(crate::community::api::post))
        .route("/comments/{id}/vote", post(crate::community::api::vote))
        .route("/openapi.json", get(openapi))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(map_response(any_origin))
}

/// Why a request is not answered with what it asked for.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// The request cannot be read: a bad id, page, date or sort.
    BadRequest(String),
    /// Nothing has this id or path.
    NotFound(String),
    /// No reader is named: the request needs an API token or a session.
    Unauthorized,
    /// Not allowed for this client.
    Forbidden(String),
    /// Refused for a reason of its own, with its status.
    Refused(StatusCode, String),
    /// Too many requests; try again after this long.
    TooMany(std::time::Duration),
    /// Something broke; logged, and the client is told no more than that.
    Internal(String),
}

impl From<PageError> for ApiError {
    fn from(error: PageError) -> Self {
        match error {
            PageError::NotFound => ApiError::NotFound("not found".to_owned()),
            PageError::BadRequest(message) => ApiError::BadRequest(message),
            PageError::Forbidden(message) => ApiError::Forbidden(message),
            PageError::TooMany(window) => ApiError::TooMany(window),
            PageError::Internal(message) => ApiError::Internal(message),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        ApiError::Internal(parallax_core::error_chain(&error))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, message.as_str()),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, message.as_str()),
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "sign in: send an API token as Authorization: Bearer TOKEN")
            }
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, message.as_str()),
            ApiError::Refused(status, message) => (*status, message.as_str()),
            ApiError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "too many requests"),
            ApiError::Internal(message) => {
                tracing::error!(error = %message, "API request failed.");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        };
        let retry = match &self {
            ApiError::TooMany(window) => Some(window.as_secs()),
            _ => None,
        };
        match serde_json::to_vec(&ErrorBody { error: message }) {
            Ok(body) => {
                let mut response = json_bytes(status, body);
                if let Some(seconds) = retry {
                    response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
                }
                if status == StatusCode::UNAUTHORIZED {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            // A string always serialises; this only keeps the error path free of panics.
            Err(_) => json_bytes(StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":"internal error"}"#),
        }
    }
}

type ApiResult = Result<Response, ApiError>;

fn json_bytes(status: StatusCode, body: impl Into<Body>) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON))], body.into()).into_response()
}

pub(crate) fn json(body: &impl Serialize) -> ApiResult {
    Ok(json_bytes(StatusCode::OK, serde_json::to_vec(body)?))
}

/// Public, read-only data: any page may read it.
async fn any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

async fn not_found() -> Response {
    ApiError::NotFound(format!("there is nothing at this address; see {ROOT}/openapi.json")).into_response()
}

async fn method_not_allowed() -> Response {
    let mut response =
        json_bytes(StatusCode::METHOD_NOT_ALLOWED, r#"{"error":"the API only answers GET and HEAD"}"#);
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

async fn openapi() -> Response {
    json_bytes(StatusCode::OK, OPENAPI)
}

fn path_id<T: std::str::FromStr<Err = parallax_core::ParseIdError>>(
    path: Result<Path<String>, PathRejection>,
) -> Result<T, ApiError> {
    let Path(raw) = path?;
    raw.parse().map_err(|e: parallax_core::ParseIdError| ApiError::BadRequest(e.to_string()))
}

fn page(query: Result<Query<PageParam>, QueryRejection>) -> Result<u32, ApiError> {
    let Query(query) = query?;
    query.number().map_err(ApiError::BadRequest)
}

/// The items of a page fetched with one more than it shows, and the next page's number when that
/// extra item says there is one.
fn paged<T>(mut items: Vec<T>, page: u32) -> (Vec<T>, Option<u32>) {
    let more = items.len() > PER_PAGE as usize;
    items.truncate(PER_PAGE as usize);
    (items, (more && page < MAX_PAGE).then_some(page + 1))
}

/// Only web addresses are given out as links; anything else a source wrote is not one.
fn web_url(url: Option<&str>) -> Option<&str> {
    url.filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

fn story_url(id: StoryId) -> String {
    format!("/story/{id}")
}

fn article_url(id: ArticleId) -> String {
    format!("/article/{id}")
}

fn outlet_url(id: OutletId) -> String {
    format!("/outlet/{id}")
}

/// A report as listings show it.
#[derive(Serialize)]
struct ReportItem<'a> {
    id: ArticleId,
    title: &'a str,
    outlet: Option<&'a str>,
    published: Option<DateTime<Utc>>,
    url: String,
}

impl<'a> ReportItem<'a> {
    fn new(a: &'a ArticleSummary) -> Self {
        ReportItem {
            id: a.id,
            title: &a.title,
            outlet: a.outlet.as_deref(),
            published: a.published,
            url: article_url(a.id),
        }
    }
}

/// A report as a story shows it: with its lead and image.
#[derive(Serialize)]
struct ReportDetail<'a> {
    #[serde(flatten)]
    item: ReportItem<'a>,
    lead: &'a str,
    image_url: Option<&'a str>,
}

/// A story with its figures and its reports (as `R`).
#[derive(Serialize)]
struct StoryBody<'a, R> {
    id: StoryId,
    title: &'a str,
    url: String,
    report_count: usize,
    outlet_count: usize,
    first_published: Option<DateTime<Utc>>,
    last_published: Option<DateTime<Utc>>,
    image_url: Option<&'a str>,
    reports: Vec<R>,
}

impl<'a, R> StoryBody<'a, R> {
    fn new(story: &'a Story, report: impl Fn(&'a ArticleSummary) -> R) -> Self {
        let span = story.time_span();
        StoryBody {
            id: story.id,
            title: &story.title,
            url: story_url(story.id),
            report_count: story.articles.len(),
            outlet_count: story.outlet_count(),
            first_published: span.map(|(first, _)| first),
            last_published: span.map(|(_, last)| last),
            image_url: story.articles.iter().find_map(|a| web_url(a.image_url.as_deref())),
            reports: story.articles.iter().map(report).collect(),
        }
    }
}

fn story_item(story: &Story) -> StoryBody<'_, ReportItem<'_>> {
    StoryBody::new(story, ReportItem::new)
}

/// A page of a listing.
#[derive(Serialize)]
struct Listing<T> {
    page: u32,
    next: Option<u32>,
    #[serde(flatten)]
    items: T,
}

#[derive(Serialize)]
struct Stories<'a> {
    stories: Vec<StoryBody<'a, ReportItem<'a>>>,
}

async fn stories(
    State(state): State<AppState>,
    query: Result<Query<PageParam>, QueryRejection>,
) -> ApiResult {
    let page = page(query)?;
    let window = page_with_lookahead(page, PER_PAGE);
    let (stories, next) = paged(read(&state, move |s| s.ranked_stories(window)).await?, page);
    json(&Listing { page, next, items: Stories { stories: stories.iter().map(story_item).collect() } })
}

/// A story looked up by an id that may have been merged away.
enum Lookup<T> {
    Found(T),
    /// Merged into this story.
    Moved(StoryId),
    Missing,
}

impl<T> Lookup<T> {
    /// Reads the story, or where its id leads now, then `then` with the story found.
    fn story(
        s: &dyn Store,
        id: StoryId,
        then: impl FnOnce(Story) -> Result<T, StoreError>,
    ) -> Result<Lookup<T>, StoreError> {
        match s.story(id)? {
            Some(story) => then(story).map(Lookup::Found),
            None => Ok(s.story_alias(id)?.map_or(Lookup::Missing, Lookup::Moved)),
        }
    }
}

/// The answer for a story id merged into `kept`: a permanent redirect to the kept story's `suffix`
/// address.
fn moved_story(kept: StoryId, suffix: &str) -> ApiResult {
    let location = format!("{ROOT}/stories/{kept}{suffix}");
    let mut response = json(&Moved { story: kept, location: location.clone() })?;
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    let location = HeaderValue::try_from(location).map_err(|e| ApiError::Internal(e.to_string()))?;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

fn missing_story(id: StoryId) -> ApiError {
    ApiError::NotFound(format!("there is no story {id}"))
}

/// Where a merged story's id leads.
#[derive(Serialize)]
struct Moved {
    story: StoryId,
    location: String,
}

#[derive(Serialize)]
struct StoryPage<'a> {
    #[serde(flatten)]
    story: StoryBody<'a, ReportDetail<'a>>,
    created_at: DateTime<Utc>,
    comparison_url: String,
    entities: Vec<EntityItem<'a>>,
}

/// An entity named in some reports, with its page.
#[derive(Serialize)]
struct EntityItem<'a> {
    #[serde(flatten)]
    entity: &'a EntityMention,
    url: String,
}

impl<'a> EntityItem<'a> {
    fn new(entity: &'a EntityMention) -> Self {
        EntityItem { entity, url: crate::view::entity_href(&entity.id) }
    }
}

async fn story(State(state): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id: StoryId = path_id(path)?;
    let found = read(&state, move |s| {
        Lookup::story(s, id, |story| {
            let entities = s.story_entities(&[id], STORY_ENTITIES)?.remove(&id).unwrap_or_default();
            Ok((story, entities))
        })
    })
    .await?;
    let (story, entities) = match found {
        Lookup::Found(found) => found,
        Lookup::Moved(kept) => return moved_story(kept, ""),
        Lookup::Missing => return Err(missing_story(id)),
    };
    json(&StoryPage {
        story: StoryBody::new(&story, |a| ReportDetail {
            item: ReportItem::new(a),
            lead: &a.lead,
            image_url: web_url(a.image_url.as_deref()),
        }),
        created_at: story.created_at,
        comparison_url: format!("{ROOT}/stories/{id}/comparison"),
        entities: entities.iter().map(EntityItem::new).collect(),
    })
}

async fn comparison(State(state): State<AppState>, path: Result<Path<String>, PathRejection>) -> ApiResult {
    let id: StoryId = path_id(path)?;
    // Comparing is the slow part, so it runs with the reads on the blocking pool, and so does
    // writing the document, which borrows from what was read there.
    let found = read(&state, move |s| {
        Lookup::story(s, id, |story| {
            let analyses = s.story_analyses(id)?;
            let comparison = compare(&Report::of_story(&story, &analyses));
            Ok(serde_json::to_vec(&ComparisonDocument::new(&story, &comparison)))
        })
    })
    .await?;
    match found {
        Lookup::Found(document) => Ok(json_bytes(StatusCode::OK, document?)),
        Lookup::Moved(kept) => moved_story(kept, "/comparison"),
        Lookup::Missing => Err(missing_story(id)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ArticleParams {
    analysis: Option<String>,
}

#[derive(Serialize)]
struct ArticlePage<'a> {
    article: ArticleBody<'a>,
    story: Option<StoryId>,
    story_url: Option<String>,
    copies: Vec<CopyItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<AnalysisBody<'a>>,
}

/// An article as extracted, with its times in UTC.
#[derive(Serialize)]
struct ArticleBody<'a> {
    id: ArticleId,
    url: String,
    title: &'a str,
    outlet: Option<&'a str>,
    byline: &'a [String],
    dateline: Option<&'a str>,
    published: Option<DateTime<Utc>>,
    modified: Option<DateTime<Utc>>,
    description: Option<&'a str>,
    source_url: Option<&'a str>,
    language: Option<&'a str>,
    image: Option<ImageBody<'a>>,
    body: &'a [Block],
    word_count: usize,
    ingested_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct ImageBody<'a> {
    url: Option<&'a str>,
    caption: Option<&'a str>,
    credit: Option<&'a str>,
}

/// A copy of the article another outlet ran.
#[derive(Serialize)]
struct CopyItem<'a> {
    outlet: Option<&'a str>,
    url: Option<&'a str>,
    title: &'a str,
    published: Option<DateTime<Utc>>,
    similarity: f32,
}

impl<'a> CopyItem<'a> {
    fn new(copy: &'a CopyRecord) -> Self {
        CopyItem {
            outlet: copy.outlet.as_deref(),
            url: web_url(copy.url.as_deref()),
            title: &copy.title,
            published: copy.published,
            similarity: copy.similarity,
        }
    }
}

/// What analysis found that a reader can use: the sentences with their stance, the entities and
/// where they are named, and the quotations with their speakers. Term weights and the values
/// behind comparison stay internal.
#[derive(Serialize)]
struct AnalysisBody<'a> {
    version: u32,
    language: Option<&'a str>,
    sentences: Vec<SentenceBody<'a>>,
    entities: Vec<AnalysedEntity<'a>>,
    quotes: Vec<QuoteBody<'a>>,
}

#[derive(Serialize)]
struct SentenceBody<'a> {
    index: usize,
    text: &'a str,
    /// "title", "caption", "credit" or "body".
    part: &'static str,
    /// The body block the sentence is in.
    block: Option<usize>,
    stance: Stance,
    cues: &'a [String],
}

#[derive(Serialize)]
struct AnalysedEntity<'a> {
    id: &'a str,
    name: &'a str,
    kind: EntityKind,
    roles: &'a [String],
    mentions: usize,
    /// The sentences naming it, each once.
    sentences: Vec<usize>,
    url: String,
}

#[derive(Serialize)]
struct QuoteBody<'a> {
    sentence: usize,
    text: &'a str,
    partial: bool,
    speaker: Option<&'a str>,
    entity: Option<&'a str>,
    channel: Option<&'a str>,
    cue: Option<&'a str>,
}

impl<'a> AnalysisBody<'a> {
    fn new(analysis: &'a Analysis) -> Self {
        let sentences = analysis
            .sentences
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let (part, block) = match s.part {
                    Part::Title => ("title", None),
                    Part::Caption => ("caption", None),
                    Part::Credit => ("credit", None),
                    Part::Body { block, .. } => ("body", Some(block)),
                };
                SentenceBody { index, text: &s.text, part, block, stance: s.stance, cues: &s.cues }
            })
            .collect();
        let entities = analysis
            .entities
            .iter()
            .map(|e| {
                let mut sentences: Vec<usize> = e.mentions.iter().map(|m| m.sentence).collect();
                sentences.dedup();
                AnalysedEntity {
                    id: &e.id,
                    name: &e.name,
                    kind: e.kind,
                    roles: &e.roles,
                    mentions: e.mentions.len(),
                    sentences,
                    url: crate::view::entity_href(&e.id),
                }
            })
            .collect();
        let quotes = analysis
            .quotes
            .iter()
            .map(|q| QuoteBody {
                sentence: q.sentence,
                text: &q.text,
                partial: q.partial,
                speaker: q.speaker.as_ref().map(|s| s.name.as_str()),
                entity: q.speaker.as_ref().and_then(|s| s.entity.as_deref()),
                channel: q.channel.as_deref(),
                cue: q.cue.as_deref(),
            })
            .collect();
        AnalysisBody {
            version: analysis.version,
            language: analysis.language.as_deref(),
            sentences,
            entities,
            quotes,
        }
    }
}

/// `true` or `false`; absent or empty is `false`.
fn flag(name: &str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw.map(str::trim).unwrap_or("") {
        "" | "false" => Ok(false),
        "true" => Ok(true),
        other => Err(ApiError::BadRequest(format!("{name} must be true or false, not {other:?}"))),
    }
}

async fn article(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<ArticleParams>, QueryRejection>,
) -> ApiResult {
    let id: ArticleId = path_id(path)?;
    let Query(query) = query?;
    let with_analysis = flag("analysis", query.analysis.as_deref())?;
    let (stored, copies, analysis) = read(&state, move |s| {
        let Some(stored) = s.article(id)? else { return Ok((None, Vec::new(), None)) };
        let copies = s.copies(id)?;
        let analysis = if with_analysis { s.analysis(id)? } else { None };
        Ok((Some(stored), copies, analysis))
    })
    .await?;
    let stored = stored.ok_or_else(|| ApiError::NotFound(format!("there is no article {id}")))?;
    let a = &stored.article;
    let utc = |t: Option<DateTime<chrono::FixedOffset>>| t.map(|t| t.with_timezone(&Utc));
    json(&ArticlePage {
        article: ArticleBody {
            id,
            url: article_url(id),
            title: &a.title,
            outlet: a.outlet.as_deref(),
            byline: &a.byline,
            dateline: a.dateline.as_deref(),
            published: utc(a.published),
            modified: utc(a.modified),
            description: a.description.as_deref(),
            source_url: web_url(a.url.as_deref()),
            language: a.language.as_deref(),
            image: a.image.as_ref().map(|i| ImageBody {
                url: web_url(i.url.as_deref()),
                caption: i.caption.as_deref(),
                credit: i.credit.as_deref(),
            }),
            body: &a.body,
            word_count: a.word_count(),
            ingested_at: stored.ingested_at,
        },
        story: stored.story,
        story_url: stored.story.map(story_url),
        copies: copies.iter().map(CopyItem::new).collect(),
        analysis: analysis.as_ref().map(AnalysisBody::new),
    })
}

/// An outlet with its figures, the shares of its sentences by stance as whole percentages beside
/// the counts.
#[derive(Serialize)]
struct OutletBody<'a> {
    #[serde(flatten)]
    outlet: &'a OutletRecord,
    stance_percentages: StancePercentages,
    url: String,
}

#[derive(Serialize)]
struct StancePercentages {
    stated: u32,
    attributed: u32,
    hedged: u32,
    unnamed: u32,
    opinion: u32,
    question: u32,
}

impl<'a> OutletBody<'a> {
    fn new(outlet: &'a OutletRecord) -> Self {
        let [stated, attributed, hedged, unnamed, opinion, question] = outlet.stances.percentages();
        OutletBody {
            outlet,
            stance_percentages: StancePercentages { stated, attributed, hedged, unnamed, opinion, question },
            url: outlet_url(outlet.id),
        }
    }
}

#[derive(Serialize)]
struct Outlets<'a> {
    outlets: Vec<OutletBody<'a>>,
}

async fn outlets(State(state): State<AppState>) -> ApiResult {
    let outlets = read(&state, |s| s.outlets()).await?;
    json(&Outlets { outlets: outlets.iter().map(OutletBody::new).collect() })
}

#[derive(Serialize)]
struct OutletPage<'a> {
    outlet: OutletBody<'a>,
    reports: Vec<OutletReport<'a>>,
}

/// One of an outlet's reports, with its story.
#[derive(Serialize)]
struct OutletReport<'a> {
    #[serde(flatten)]
    item: ReportItem<'a>,
    story: StoryId,
    story_url: String,
}

async fn outlet(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageParam>, QueryRejection>,
) -> ApiResult {
    let id: OutletId = path_id(path)?;
    let page = page(query)?;
    let window = page_with_lookahead(page, PER_PAGE);
    let (outlet, reports) = read(&state, move |s| {
        let Some(outlet) = s.outlet(id)? else { return Ok((None, Vec::new())) };
        Ok((Some(outlet), s.outlet_articles(id, window)?))
    })
    .await?;
    let outlet = outlet.ok_or_else(|| ApiError::NotFound(format!("there is no outlet {id}")))?;
    let (reports, next) = paged(reports, page);
    json(&Listing {
        page,
        next,
        items: OutletPage {
            outlet: OutletBody::new(&outlet),
            reports: reports
                .iter()
                .map(|(a, story)| OutletReport {
                    item: ReportItem::new(a),
                    story: *story,
                    story_url: story_url(*story),
                })
                .collect(),
        },
    })
}

#[derive(Debug, Default, Deserialize)]
struct EntitiesParams {
    kind: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct Entities<'a> {
    kind: Option<EntityKind>,
    entities: Vec<EntityItem<'a>>,
}

fn entity_kind(raw: Option<&str>) -> Result<Option<EntityKind>, ApiError> {
    match raw.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(name) => EntityKind::parse(name).map(Some).ok_or_else(|| {
            ApiError::BadRequest(format!("kind must be person, organisation or place, not {name:?}"))
        }),
    }
}

async fn entities(
    State(state): State<AppState>,
    query: Result<Query<EntitiesParams>, QueryRejection>,
) -> ApiResult {
    let Query(query) = query?;
    let kind = entity_kind(query.kind.as_deref())?;
    let page = PageParam { page: query.page }.number().map_err(ApiError::BadRequest)?;
    let window = page_with_lookahead(page, PER_PAGE);
    let (entities, next) = paged(read(&state, move |s| s.top_entities(kind, window)).await?, page);
    json(&Listing {
        page,
        next,
        items: Entities { kind, entities: entities.iter().map(EntityItem::new).collect() },
    })
}

#[derive(Serialize)]
struct EntityPage<'a> {
    entity: EntityBody<'a>,
    stories: Vec<StoryBody<'a, ReportItem<'a>>>,
    related: Vec<EntityItem<'a>>,
}

#[derive(Serialize)]
struct EntityBody<'a> {
    #[serde(flatten)]
    entity: &'a EntityRecord,
    url: String,
}

async fn entity(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageParam>, QueryRejection>,
) -> ApiResult {
    let Path(id) = path?;
    let page = page(query)?;
    let window = page_with_lookahead(page, PER_PAGE);
    let key = id.clone();
    let (entity, stories, related) = read(&state, move |s| {
        let Some(entity) = s.entity(&key)? else { return Ok((None, Vec::new(), Vec::new())) };
        Ok((Some(entity), s.entity_stories(&key, window)?, s.related_entities(&key, RELATED_ENTITIES)?))
    })
    .await?;
    let entity = entity.ok_or_else(|| ApiError::NotFound(format!("there is no entity {id:?}")))?;
    let (stories, next) = paged(stories, page);
    json(&Listing {
        page,
        next,
        items: EntityPage {
            entity: EntityBody { url: crate::view::entity_href(&entity.id), entity: &entity },
            stories: stories.iter().map(story_item).collect(),
            related: related.iter().map(EntityItem::new).collect(),
        },
    })
}

#[derive(Serialize)]
struct SearchPage<'a> {
    total: u64,
    hits: Vec<HitBody<'a>>,
    stories: Vec<StoryMatchBody<'a>>,
}

/// A report a search found, its title and a passage as runs of text, matched or not.
#[derive(Serialize)]
struct HitBody<'a> {
    #[serde(flatten)]
    item: ReportItem<'a>,
    highlighted_title: &'a Snippet,
    snippet: &'a Snippet,
    story: StoryId,
    story_title: &'a str,
    story_url: String,
}

impl<'a> HitBody<'a> {
    fn new(hit: &'a SearchHit) -> Self {
        HitBody {
            item: ReportItem::new(&hit.article),
            highlighted_title: &hit.title,
            snippet: &hit.snippet,
            story: hit.story,
            story_title: &hit.story_title,
            story_url: story_url(hit.story),
        }
    }
}

#[derive(Serialize)]
struct StoryMatchBody<'a> {
    #[serde(flatten)]
    story: &'a StoryMatch,
    url: String,
}

async fn search(
    State(state): State<AppState>,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult {
    let Query(params) = query?;
    let query = params.query(Some(PER_PAGE)).map_err(ApiError::BadRequest)?;
    let Page { offset, limit } = query.page;
    let page = offset / limit.max(1) + 1;
    let results: SearchResults = read(&state, move |s| s.search(&query)).await?;
    let shown = u64::from(offset) + results.hits.len() as u64;
    let next = (shown < results.total && page < MAX_PAGE).then_some(page + 1);
    json(&Listing {
        page,
        next,
        items: SearchPage {
            total: results.total,
            hits: results.hits.iter().map(HitBody::new).collect(),
            stories: results
                .stories
                .iter()
                .map(|story| StoryMatchBody { story, url: story_url(story.id) })
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    fn openapi_document() -> Value {
        serde_json::from_str(OPENAPI).expect("the OpenAPI document is JSON")
    }

    #[test]
    fn the_openapi_document_is_3_1_and_lists_exactly_the_routes() {
        let doc = openapi_document();
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "{}", doc["openapi"]);
        assert_eq!(doc["servers"][0]["url"], ROOT);
        let documented: BTreeSet<&str> =
            doc["paths"].as_object().expect("paths").keys().map(String::as_str).collect();
        let routed: BTreeSet<&str> = [
            "/stories",
            "/stories/{id}",
            "/stories/{id}/comparison",
            "/articles/{id}",
            "/outlets",
            "/outlets/{id}",
            "/entities",
            "/entities/{id}",
            "/search",
            "/comments",
            "/comments/{id}/vote",
            "/openapi.json",
        ]
        .into();
        assert_eq!(documented, routed);
    }

    #[test]
    fn every_reference_in_the_openapi_document_resolves() {
        fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        out.push(target);
                    }
                    map.values().for_each(|v| refs(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let doc = openapi_document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is not local"));
            assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
        }
        // Every operation documents its errors.
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let responses = operation["responses"].as_object().expect("responses");
                assert!(responses.contains_key("200") || responses.contains_key("201"), "{method} {path}");
                if path.contains('{') {
                    assert!(
                        responses.contains_key("400") && responses.contains_key("404"),
                        "{method} {path}"
                    );
                }
                if method == "post" {
                    assert!(
                        responses.contains_key("401") && responses.contains_key("429"),
                        "{method} {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn pages_past_the_last_have_no_next() {
        let (items, next) = paged((0..21).collect::<Vec<_>>(), 3);
        assert_eq!((items.len(), next), (20, Some(4)));
        assert_eq!(paged(vec![1, 2], 1), (vec![1, 2], None));
        assert_eq!(paged((0..21).collect::<Vec<_>>(), MAX_PAGE).1, None);
    }

    #[test]
    fn parameters_are_read_strictly() {
        assert_eq!(entity_kind(Some("place")).ok(), Some(Some(EntityKind::Place)));
        assert_eq!(entity_kind(Some(" ")).ok(), Some(None));
        assert!(matches!(entity_kind(Some("people")), Err(ApiError::BadRequest(m)) if m.contains("people")));
        assert!(flag("analysis", Some("true")).is_ok_and(|f| f));
        assert!(flag("analysis", None).is_ok_and(|f| !f));
        assert!(matches!(flag("analysis", Some("yes")), Err(ApiError::BadRequest(_))));
        let story: Result<StoryId, _> = path_id(Ok(Path("0".to_owned())));
        assert!(matches!(story, Err(ApiError::BadRequest(m)) if m.contains("positive integer")));
    }

    #[test]
    fn only_web_addresses_are_given_out() {
        assert_eq!(web_url(Some("https://example.org/a.jpg")), Some("https://example.org/a.jpg"));
        assert_eq!(web_url(Some("javascript:alert(1)")), None);
        assert_eq!(crate::view::entity_href("person:wang yi"), "/entity/person:wang%20yi");
    }

    async fn body_of(response: Response) -> (StatusCode, Option<String>, Value) {
        let status = response.status();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("the body");
        (status, content_type, serde_json::from_slice(&body).expect("a JSON body"))
    }

    #[tokio::test]
    async fn errors_are_json_with_their_status() {
        for (error, status) in [
            (ApiError::BadRequest("page must be a number".into()), StatusCode::BAD_REQUEST),
            (ApiError::NotFound("there is no story 9".into()), StatusCode::NOT_FOUND),
            (ApiError::Internal("disk on fire".into()), StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let (got, content_type, body) = body_of(error.into_response()).await;
            assert_eq!(got, status);
            assert_eq!(content_type.as_deref(), Some(JSON));
            let message = body["error"].as_str().expect("an error message");
            assert!(!message.contains("disk"), "internal details stay in the log: {message}");
        }
    }

    #[tokio::test]
    async fn a_merged_story_answers_with_a_redirect_to_the_kept_one() {
        let response = moved_story(StoryId(3), "/comparison").expect("a redirect");
        assert_eq!(response.headers()[header::LOCATION], "/api/stories/3/comparison");
        let (status, content_type, body) = body_of(response).await;
        assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(content_type.as_deref(), Some(JSON));
        assert_eq!(body["story"], 3);
        assert_eq!(body["location"], "/api/stories/3/comparison");
    }
}
