//! Entity pages: a person, organisation or place with the stories whose reports name it and the
//! entities named beside it; and the index of the most widely named ones.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use parallax_nlp::EntityKind;
use parallax_store::Page;

use super::{Meta, Segment, Site, pager, render};
use crate::error::PageError;
use crate::params::{PageParam, page_with_lookahead, path_segment, query_value};
use crate::view::{EntityLink, StoryCard, entity_href};
use crate::{AppState, read};

/// Stories per entity page.
const STORIES_PER_PAGE: u32 = 20;

/// Entities named beside this one, listed.
const RELATED: usize = 12;

/// Entities of each kind on the index.
const INDEX_PER_KIND: u32 = 30;

/// What readers call a kind.
fn kind_label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Organisation => "Organisation",
        EntityKind::Place => "Place",
    }
}

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityPage {
    meta: Meta,
    name: String,
    kind: &'static str,
    articles: u64,
    stories_count: u64,
    stories: Vec<StoryCard>,
    related: Vec<EntityLink>,
    search_href: String,
    feed_href: String,
    page: u32,
    prev: String,
    next: String,
}

pub(crate) async fn entity(
    State(state): State<AppState>,
    site: Site,
    Segment(id): Segment,
    Query(query): Query<PageParam>,
) -> Result<Response, PageError> {
    let page = query.number().map_err(PageError::BadRequest)?;
    let window = page_with_lookahead(page, STORIES_PER_PAGE);
    let key = id.clone();
    let (record, mut stories, related) = read(&state, move |s| {
        let Some(record) = s.entity(&key)? else { return Ok((None, Vec::new(), Vec::new())) };
        Ok((Some(record), s.entity_stories(&key, window)?, s.related_entities(&key, RELATED)?))
    })
    .await?;
    let record = record.ok_or(PageError::NotFound)?;
    let has_next = stories.len() > STORIES_PER_PAGE as usize;
    stories.truncate(STORIES_PER_PAGE as usize);
    if stories.is_empty() && page > 1 {
        return Err(PageError::NotFound);
    }
    let href = entity_href(&record.id);
    let (prev, next) = pager(&href, page, has_next);
    let feed_href = format!("/entity/{}/feed.atom", path_segment(&record.id));
    let here = if page == 1 { href.clone() } else { format!("{href}?page={page}") };
    let meta = Meta::page(&site, &here).with_feed(format!("Parallax: {}", record.name), feed_href.clone());
    render(&EntityPage {
        meta,
        kind: kind_label(record.kind),
        articles: record.articles,
        stories_count: record.stories,
        stories: stories.iter().map(StoryCard::new).collect(),
        related: related.iter().map(EntityLink::new).collect(),
        search_href: format!("/search?entity={}", query_value(&record.id)),
        feed_href,
        name: record.name,
        page,
        prev,
        next,
    })
}

#[derive(Template)]
#[template(path = "entities.html")]
struct EntitiesPage {
    meta: Meta,
    kinds: Vec<(&'static str, Vec<EntityLink>)>,
}

pub(crate) async fn entities(State(state): State<AppState>, site: Site) -> Result<Response, PageError> {
    let first = Page { offset: 0, limit: INDEX_PER_KIND };
    let lists = read(&state, move |s| {
        let mut lists = Vec::new();
        for kind in [EntityKind::Person, EntityKind::Organisation, EntityKind::Place] {
            lists.push((kind, s.top_entities(Some(kind), first)?));
        }
        Ok(lists)
    })
    .await?;
    let kinds = lists
        .into_iter()
        .map(|(kind, list)| {
            let title = match kind {
                EntityKind::Person => "People",
                EntityKind::Organisation => "Organisations",
                EntityKind::Place => "Places",
            };
            (title, list.iter().map(EntityLink::new).collect())
        })
        .collect();
    render(&EntitiesPage { meta: Meta::page(&site, "/entities"), kinds })
}
