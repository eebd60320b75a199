//! Page handlers: each reads the store off the async runtime and renders one template.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use parallax_core::{ArticleId, StoryId};
use parallax_store::{Page, Store};

use crate::AppState;
use crate::error::PageError;
use crate::reader::{Findings, ReaderBlock};
use crate::view::{self, Coverage, Grouping, ReportCard, StoryCard, UNATTRIBUTED};

/// Stories per front page.
const STORIES_PER_PAGE: u32 = 24;

const STYLESHEET: &str = include_str!("../static/style.css");

/// `?page=N` on listings; pages count from 1.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PageQuery {
    page: Option<u32>,
}

/// Runs a store read on the blocking pool.
async fn read<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, parallax_store::StoreError> + Send + 'static,
) -> Result<T, PageError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref())).await?.map_err(PageError::from)
}

fn render(template: &impl Template) -> Result<Response, PageError> {
    Ok(Html(template.render()?).into_response())
}

#[derive(Template)]
#[template(path = "front.html")]
struct FrontPage {
    stories: Vec<StoryCard>,
    page: u32,
    has_next: bool,
}

pub(crate) async fn front(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(STORIES_PER_PAGE);
    // One extra story tells whether there is a next page.
    let mut stories = read(&state, move |s| s.stories(Page { offset, limit: STORIES_PER_PAGE + 1 })).await?;
    let has_next = stories.len() > STORIES_PER_PAGE as usize;
    stories.truncate(STORIES_PER_PAGE as usize);
    if stories.is_empty() && page > 1 {
        return Err(PageError::NotFound);
    }
    render(&FrontPage { stories: stories.iter().map(StoryCard::new).collect(), page, has_next })
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    card: StoryCard,
    reports: Vec<ReportCard>,
    coverage: Coverage,
    /// Stories merged into this one, with the mean probability they matched at.
    merged: Vec<(i64, String)>,
    /// The story this one split from, with the mean probability of one event the split was made at.
    split_from: Option<(i64, String)>,
    /// Stories split off this one, likewise.
    split_into: Vec<(i64, String)>,
}

/// What a story id leads to.
enum Found<T> {
    Story(Box<T>),
    /// Merged into this story.
    Moved(StoryId),
    Missing,
}

pub(crate) async fn story(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: StoryId = id.parse().map_err(|_| PageError::NotFound)?;
    let found = read(&state, move |s| {
        let Some(story) = s.story(id)? else {
            return Ok(match s.story_alias(id)? {
                Some(kept) => Found::Moved(kept),
                None => Found::Missing,
            });
        };
        let analyses = s.story_analyses(id)?;
        let coverage = Coverage::new(&story, &analyses);
        let mut assignments = s.story_assignments(id)?;
        let assignments: Vec<_> = story.articles.iter().map(|a| assignments.remove(&a.id)).collect();
        let merged = s.merged_into(id)?;
        let splits = s.splits(id)?;
        Ok(Found::Story(Box::new((story, coverage, assignments, merged, splits))))
    })
    .await?;
    let (story, coverage, assignments, merged, splits) = match found {
        Found::Story(found) => *found,
        Found::Moved(kept) => return Ok(Redirect::permanent(&format!("/story/{kept}")).into_response()),
        Found::Missing => return Err(PageError::NotFound),
    };
    let reports = story
        .articles
        .iter()
        .zip(&assignments)
        .map(|(a, assignment)| ReportCard::new(a, Grouping::new(assignment.as_ref(), &story)))
        .collect();
    render(&StoryPage {
        card: StoryCard::new(&story),
        reports,
        coverage,
        merged: merged.into_iter().map(shown_link).collect(),
        split_from: splits.from.map(shown_link),
        split_into: splits.into.into_iter().map(shown_link).collect(),
    })
}

/// A story link with its probability as shown.
fn shown_link((id, probability): (StoryId, f32)) -> (i64, String) {
    (id.get(), format!("{probability:.2}"))
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    story: Option<i64>,
    title: String,
    outlet: String,
    attributed: bool,
    byline: String,
    dateline: String,
    when: String,
    iso: String,
    url: String,
    caption: String,
    credit: String,
    image_url: String,
    has_image: bool,
    body: Vec<ReaderBlock>,
    findings: Option<Findings>,
    words: usize,
    copies: Vec<CopyView>,
}

/// Another outlet's run of the same text, as listed under the article.
struct CopyView {
    outlet: String,
    title: String,
    url: String,
    when: String,
    shared: String,
}

impl CopyView {
    fn new(copy: parallax_store::CopyRecord) -> Self {
        CopyView {
            outlet: copy.outlet.unwrap_or_else(|| UNATTRIBUTED.to_owned()),
            title: copy.title,
            url: copy
                .url
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .unwrap_or_default(),
            when: view::when(copy.published.map(|t| t.fixed_offset())),
            shared: format!("{:.0}%", copy.similarity * 100.0),
        }
    }
}

pub(crate) async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ArticleId = id.parse().map_err(|_| PageError::NotFound)?;
    let (stored, analysis, copies) =
        read(&state, move |s| Ok((s.article(id)?, s.analysis(id)?, s.copies(id)?))).await?;
    let stored = stored.ok_or(PageError::NotFound)?;
    let a = &stored.article;
    let image = a.image.clone().unwrap_or_default();
    render(&ArticlePage {
        story: stored.story.map(StoryId::get),
        title: a.title.clone(),
        outlet: a.outlet.clone().unwrap_or_else(|| UNATTRIBUTED.to_owned()),
        attributed: a.outlet.is_some(),
        byline: a.byline.join(", "),
        dateline: a.dateline.clone().unwrap_or_default(),
        when: view::when(a.published),
        iso: view::iso(a.published),
        url: a
            .url
            .clone()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .unwrap_or_default(),
        has_image: a.image.is_some(),
        caption: image.caption.unwrap_or_default(),
        credit: image.credit.unwrap_or_default(),
        image_url: image
            .url
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .unwrap_or_default(),
        body: ReaderBlock::build(&a.body, analysis.as_ref()),
        findings: analysis.as_ref().map(Findings::new),
        words: a.word_count(),
        copies: copies.into_iter().map(CopyView::new).collect(),
    })
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage;

pub(crate) async fn about() -> Result<Response, PageError> {
    render(&AboutPage)
}

pub(crate) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        STYLESHEET,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage;

pub(crate) async fn not_found() -> Response {
    not_found_response()
}

pub(crate) fn not_found_response() -> Response {
    match NotFoundPage.render() {
        Ok(body) => (StatusCode::NOT_FOUND, Html(body)).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}
