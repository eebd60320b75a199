//! The front page: stories ranked by how many outlets cover them and how recent they are, the lead
//! story first; on the first page, the rest gathered into sections by the place they happen in, and
//! the people most in the news.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use parallax_core::StoryId;
use parallax_nlp::EntityKind;
use parallax_store::EntityMention;

use super::{Meta, Site, pager, render};
use crate::error::PageError;
use crate::params::{PageParam, page_with_lookahead};
use crate::view::{EntityLink, StoryCard, entity_href};
use crate::{AppState, read};

/// Stories per front page.
const STORIES_PER_PAGE: u32 = 24;

/// Stories shown as the top of the first page before the sections.
const TOP_STORIES: usize = 9;

/// At most this many place sections, each of at most [`SECTION_STORIES`].
const SECTIONS: usize = 4;
const SECTION_STORIES: usize = 4;

/// People listed as in the news.
const PEOPLE: usize = 10;

/// The entities read of each story on the first page, for its place and its people.
const ENTITIES_PER_STORY: usize = 10;

/// A group of stories that happen in one place.
pub(crate) struct Section {
    pub title: String,
    pub href: String,
    pub stories: Vec<StoryCard>,
}

#[derive(Template)]
#[template(path = "front.html")]
struct FrontPage {
    meta: Meta,
    lead: Option<StoryCard>,
    top: Vec<StoryCard>,
    sections: Vec<Section>,
    more: Vec<StoryCard>,
    people: Vec<EntityLink>,
    page: u32,
    prev: String,
    next: String,
}

pub(crate) async fn front(
    State(state): State<AppState>,
    site: Site,
    Query(query): Query<PageParam>,
) -> Result<Response, PageError> {
    let page = query.number().map_err(PageError::BadRequest)?;
    let window = page_with_lookahead(page, STORIES_PER_PAGE);
    let (mut stories, places, people) = read(&state, move |s| {
        let stories = s.ranked_stories(window)?;
        if page > 1 {
            return Ok((stories, HashMap::new(), Vec::new()));
        }
        let ids: Vec<StoryId> = stories.iter().map(|s| s.id).collect();
        let named = s.story_entities(&ids, ENTITIES_PER_STORY)?;
        let people = people_in_the_news(&named);
        Ok((stories, named, people))
    })
    .await?;
    let has_next = stories.len() > STORIES_PER_PAGE as usize;
    stories.truncate(STORIES_PER_PAGE as usize);
    if stories.is_empty() && page > 1 {
        return Err(PageError::NotFound);
    }
    let mut cards: Vec<(StoryId, StoryCard)> = stories.iter().map(|s| (s.id, StoryCard::new(s))).collect();
    let (prev, next) = pager("/", page, has_next);
    let path = if page == 1 { "/".to_owned() } else { format!("/?page={page}") };
    let meta = Meta::page(&site, &path).with_feed("Parallax: all stories", "/feed.atom");
    if page > 1 {
        let top = cards.into_iter().map(|(_, c)| c).collect();
        let (sections, more, people) = (Vec::new(), Vec::new(), Vec::new());
        return render(&FrontPage { meta, lead: None, top, sections, more, people, page, prev, next });
    }
    let rest = cards.split_off(TOP_STORIES.min(cards.len()));
    let mut top = cards.into_iter().map(|(_, c)| c);
    let lead = top.next();
    let top: Vec<StoryCard> = top.collect();
    let (sections, more) = sections_by_place(rest, &places);
    render(&FrontPage {
        meta,
        lead,
        top,
        sections,
        more,
        people: people.iter().map(EntityLink::new).collect(),
        page,
        prev,
        next,
    })
}

/// The people the first page's stories name, those named in the most stories first (then in the
/// most reports): who is in today's news, rather than in all the news ever stored.
fn people_in_the_news(named: &HashMap<StoryId, Vec<EntityMention>>) -> Vec<EntityMention> {
    let mut people: Vec<(EntityMention, usize)> = Vec::new();
    for mention in named.values().flatten().filter(|e| e.kind == EntityKind::Person) {
        match people.iter_mut().find(|(p, _)| p.id == mention.id) {
            Some((person, stories)) => {
                person.articles += mention.articles;
                *stories += 1;
            }
            None => people.push((mention.clone(), 1)),
        }
    }
    people.sort_by(|(a, sa), (b, sb)| sb.cmp(sa).then(b.articles.cmp(&a.articles)).then(a.name.cmp(&b.name)));
    people.into_iter().take(PEOPLE).map(|(p, _)| p).collect()
}

/// Gathers stories under the place their reports name most, for places that hold at least two of
/// them; the others stay in one list, in rank order.
fn sections_by_place(
    stories: Vec<(StoryId, StoryCard)>,
    named: &HashMap<StoryId, Vec<EntityMention>>,
) -> (Vec<Section>, Vec<StoryCard>) {
    let place_of =
        |id: &StoryId| named.get(id).and_then(|list| list.iter().find(|e| e.kind == EntityKind::Place));
    let mut counts: Vec<(&EntityMention, usize)> = Vec::new();
    for (id, _) in &stories {
        if let Some(place) = place_of(id) {
            match counts.iter_mut().find(|(p, _)| p.id == place.id) {
                Some((_, n)) => *n += 1,
                None => counts.push((place, 1)),
            }
        }
    }
    // Stable: among places with as many stories, the one whose story ranks higher comes first.
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let chosen: Vec<&EntityMention> =
        counts.into_iter().filter(|(_, n)| *n >= 2).take(SECTIONS).map(|(p, _)| p).collect();
    let mut sections: Vec<Section> = chosen
        .iter()
        .map(|p| Section { title: p.name.clone(), href: entity_href(&p.id), stories: Vec::new() })
        .collect();
    let mut more = Vec::new();
    for (id, card) in stories {
        let slot = place_of(&id).and_then(|p| chosen.iter().position(|c| c.id == p.id));
        match slot {
            Some(i) if sections[i].stories.len() < SECTION_STORIES => sections[i].stories.push(card),
            _ => more.push(card),
        }
    }
    (sections, more)
}
