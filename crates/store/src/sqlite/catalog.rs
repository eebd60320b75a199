//! The indexes listings read, kept beside the articles in the same transactions: the full-text
//! index (FTS5, BM25), each article's entities and stance counts, and each story's size and rank;
//! and the queries over them.

use std::collections::HashMap;

use parallax_core::{Article, ArticleId, ArticleSummary, OutletId, Story, StoryId};
use parallax_nlp::{Analysis, EntityKind, Stance};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{SUMMARY_COLUMNS, SUMMARY_WIDTH, from_json, load_stories, parse_time, summary_row, timestamp};
use crate::error::QueryContext;
use crate::{
    EntityMention, EntityRecord, OutletRecord, Page, SearchHit, SearchOrder, SearchQuery, SearchResults,
    Snippet, StanceCounts, StoreError, StoryHead, StoryMatch,
};

use crate::catalog::{
    BREADTH_SECONDS_PER_DOUBLING, MATCH_END, MATCH_START, MATCHING_STORIES, QueryTerms, SNIPPET_WORDS,
};

/// BM25 weights of the indexed columns: a word in the title counts as much as four in the body.
const RANKING: &str = "bm25(article_search, 4.0, 1.0)";

/// Indexes an article's text for search (replacing what was indexed before).
pub(super) fn write_text_index(
    conn: &Connection,
    id: ArticleId,
    article: &Article,
) -> Result<(), StoreError> {
    let clean = |text: &str| text.replace([MATCH_START, MATCH_END], " ");
    conn.execute("DELETE FROM article_search WHERE rowid = ?1", [id.get()])
        .during("updating the search index")?;
    conn.execute(
        "INSERT INTO article_search (rowid, title, body) VALUES (?1, ?2, ?3)",
        params![id.get(), clean(&article.title), clean(&article.plain_text())],
    )
    .during("updating the search index")?;
    Ok(())
}

/// Records what listings need of an article's analysis: the entities it names and how its body
/// sentences present what they say (replacing what was recorded before).
pub(super) fn write_analysis_index(
    conn: &Connection,
    id: ArticleId,
    analysis: &Analysis,
) -> Result<(), StoreError> {
    conn.execute("DELETE FROM article_entities WHERE article_id = ?1", [id.get()])
        .during("updating an article's entities")?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO article_entities (article_id, entity_id, name, kind, mentions)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .during("recording an article's entities")?;
    for entity in &analysis.entities {
        stmt.execute(params![
            id.get(),
            entity.id,
            entity.name,
            entity.kind.as_str(),
            entity.mentions.len() as i64
        ])
        .during("recording an article's entities")?;
    }
    let mut counts = StanceCounts::default();
    for sentence in analysis.sentences.iter().filter(|s| s.in_body()) {
        counts.sentences += 1;
        *match sentence.stance {
            Stance::Fact => &mut counts.stated,
            Stance::Attributed => &mut counts.attributed,
            Stance::Speculation => &mut counts.hedged,
            Stance::UnnamedSource => &mut counts.unnamed,
            Stance::Opinion => &mut counts.opinion,
            Stance::Question => &mut counts.question,
        } += 1;
    }
    let c = counts;
    conn.execute(
        "INSERT OR REPLACE INTO article_stances
             (article_id, sentences, stated, attributed, hedged, unnamed, opinion, question)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id.get(),
            c.sentences as i64,
            c.stated as i64,
            c.attributed as i64,
            c.hedged as i64,
            c.unnamed as i64,
            c.opinion as i64,
            c.question as i64
        ],
    )
    .during("recording an article's stances")?;
    Ok(())
}

/// Works out a story's size and rank again from its reports.
pub(super) fn refresh_story(conn: &Connection, story: StoryId) -> Result<(), StoreError> {
    // Breadth counts the outlets known to differ: reports that name no outlet count as one, since
    // nothing says they are not the same source.
    // A story's time is that of its latest dated report, a date never later than the report's
    // arrival (a wrong future date must not pin a story to the top); only a story none of whose
    // reports is dated goes by when they arrived.
    let (reports, outlets, latest): (i64, i64, Option<String>) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT outlet_id) + (coalesce(sum(outlet_id IS NULL), 0) > 0),
                    coalesce(max(min(published, ingested_at)), max(ingested_at))
             FROM articles WHERE story_id = ?1",
            [story.get()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .during("measuring a story")?;
    let latest = parse_time(latest);
    let rank = latest.map_or(0.0, |t| {
        t.timestamp() as f64 + BREADTH_SECONDS_PER_DOUBLING * (outlets.max(1) as f64).log2()
    });
    conn.execute(
        "UPDATE stories SET reports = ?1, outlets = ?2, latest = ?3, rank = ?4 WHERE id = ?5",
        params![reports, outlets, latest.map(timestamp), rank, story.get()],
    )
    .during("ranking a story")?;
    Ok(())
}

/// Builds every index from the stored articles (for a database from before they were kept).
pub(super) fn reindex_all(conn: &Connection) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare("SELECT id, article_json, analysis_json FROM articles")
        .during("reading articles to index")?;
    let rows = stmt
        .query_map([], |r| Ok((ArticleId(r.get(0)?), r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .during("reading articles to index")?;
    for row in rows {
        let (id, article, analysis) = row.during("reading an article to index")?;
        // One unreadable row must not keep the whole database from opening: it is left out of the
        // indexes (and reported) as reading it is refused elsewhere.
        match (from_json::<Article>(&article, "article"), from_json::<Analysis>(&analysis, "analysis")) {
            (Ok(article), Ok(analysis)) => {
                write_text_index(conn, id, &article)?;
                write_analysis_index(conn, id, &analysis)?;
            }
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(article = id.get(), error = %parallax_core::error_chain(&error), "Article left out of the indexes.");
            }
        }
    }
    let mut stmt = conn.prepare("SELECT id FROM stories").during("reading stories to rank")?;
    let ids = stmt
        .query_map([], |r| Ok(StoryId(r.get(0)?)))
        .during("reading stories to rank")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading stories to rank")?;
    for id in ids {
        refresh_story(conn, id)?;
    }
    Ok(())
}

/// The FTS5 expression for what a reader typed, or `None` when it holds no word to look for.
///
/// Every word and phrase is quoted, so that nothing a reader types is read as FTS5 syntax.
fn match_expression(text: &str) -> Option<String> {
    let terms = QueryTerms::read(text)?;
    let quote = |term: &String| format!("\"{}\"", term.replace('"', "\"\""));
    let wanted: Vec<String> = terms.wanted.iter().map(quote).collect();
    let unwanted: Vec<String> = terms.unwanted.iter().map(quote).collect();
    let mut expression = format!("({})", wanted.join(" AND "));
    if !unwanted.is_empty() {
        expression.push_str(&format!(" NOT ({})", unwanted.join(" OR ")));
    }
    Some(expression)
}

/// The filters every search query shares, as SQL over `a` (articles) with parameters ?2 to ?5.
const FILTERS: &str = "(?2 IS NULL OR a.outlet_id = ?2)
    AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_entities e WHERE e.article_id = a.id AND e.entity_id = ?3))
    AND (?4 IS NULL OR a.published >= ?4)
    AND (?5 IS NULL OR a.published < ?5)";

fn limit(page: Page) -> (i64, i64) {
    (i64::from(page.limit), i64::from(page.offset))
}

pub(super) fn search(conn: &Connection, query: &SearchQuery) -> Result<SearchResults, StoreError> {
    let expression = match_expression(&query.text);
    if expression.is_none() && query.is_empty() {
        return Ok(SearchResults::default());
    }
    if expression.is_none() && !query.text.trim().is_empty() {
        // Only punctuation or exclusions: nothing can be looked for.
        return Ok(SearchResults::default());
    }
    let filters = params![
        expression,
        query.outlet.map(OutletId::get),
        query.entity,
        query.since.map(timestamp),
        query.until.map(timestamp),
    ];
    let (limit, offset) = limit(query.page);
    let newest = "a.published IS NULL, a.published DESC, a.id DESC";
    let (from, order, title, snippet) = match (&expression, query.order) {
        (Some(_), order) => (
            "article_search JOIN articles a ON a.id = article_search.rowid",
            if order == SearchOrder::Relevance { RANKING } else { newest },
            "highlight(article_search, 0, char(1), char(2))",
            format!("snippet(article_search, 1, char(1), char(2), '…', {SNIPPET_WORDS})"),
        ),
        (None, _) => ("articles a", newest, "a.title", "a.lead".to_owned()),
    };
    let text_filter = if expression.is_some() { "article_search MATCH ?1" } else { "?1 IS NULL" };
    let total: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {from} WHERE {text_filter} AND {FILTERS}"), filters, |r| {
            r.get(0)
        })
        .during("counting search results")?;
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, s.title, {title}, {snippet}
         FROM {from} JOIN stories s ON s.id = a.story_id LEFT JOIN outlets o ON o.id = a.outlet_id
         WHERE {text_filter} AND {FILTERS}
         ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    let mut stmt = conn.prepare(&sql).during("searching")?;
    let hits = stmt
        .query_map(filters, |r| {
            let (story, article) = summary_row(r)?;
            Ok(SearchHit {
                article,
                story,
                story_title: r.get(SUMMARY_WIDTH)?,
                title: Snippet::parse_marked(&r.get::<_, String>(SUMMARY_WIDTH + 1)?, MATCH_START, MATCH_END),
                snippet: Snippet::parse_marked(
                    &r.get::<_, String>(SUMMARY_WIDTH + 2)?,
                    MATCH_START,
                    MATCH_END,
                ),
            })
        })
        .during("searching")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading search results")?;
    let stories = if query.page.offset == 0 && total > 0 {
        // Ranking functions cannot stand inside an aggregate: score each report first.
        let (score, best) = match expression {
            Some(_) => (RANKING, "min(m.score)"),
            None => ("a.published", "max(m.score) IS NULL, -max(julianday(m.score))"),
        };
        let sql = format!(
            "WITH m AS MATERIALIZED (SELECT a.story_id, {score} AS score FROM {from}
                                     WHERE {text_filter} AND {FILTERS})
             SELECT s.id, s.title, count(*), s.reports, s.outlets
             FROM m JOIN stories s ON s.id = m.story_id
             GROUP BY s.id ORDER BY {best}, s.id LIMIT {MATCHING_STORIES}"
        );
        let mut stmt = conn.prepare(&sql).during("finding matching stories")?;
        stmt.query_map(filters, |r| {
            Ok(StoryMatch {
                id: StoryId(r.get(0)?),
                title: r.get(1)?,
                matched: count(r, 2)?,
                reports: count(r, 3)?,
                outlets: count(r, 4)?,
            })
        })
        .during("finding matching stories")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading matching stories")?
    } else {
        Vec::new()
    };
    Ok(SearchResults { total: total.max(0) as u64, hits, stories })
}

fn count(r: &Row<'_>, index: usize) -> rusqlite::Result<u64> {
    Ok(r.get::<_, Option<i64>>(index)?.unwrap_or(0).max(0) as u64)
}

/// Story heads in the order a query gives (its first three columns: id, title, created_at).
fn story_heads_of(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(StoryId, String, String)>, StoreError> {
    let mut stmt = conn.prepare(sql).during("listing stories")?;
    stmt.query_map(params, |r| Ok((StoryId(r.get(0)?), r.get(1)?, r.get(2)?)))
        .during("listing stories")?
        .collect::<Result<Vec<_>, _>>()
        .during("listing stories")
}

pub(super) fn ranked_stories(conn: &Connection, page: Page) -> Result<Vec<Story>, StoreError> {
    let (limit, offset) = limit(page);
    let heads = story_heads_of(
        conn,
        "SELECT id, title, created_at FROM stories ORDER BY rank DESC, id DESC LIMIT ?1 OFFSET ?2",
        params![limit, offset],
    )?;
    load_stories(conn, heads)
}

pub(super) fn story_heads(conn: &Connection, page: Page) -> Result<Vec<StoryHead>, StoreError> {
    let (limit, offset) = limit(page);
    let mut stmt = conn
        .prepare(
            "SELECT id, title, updated_at, reports, outlets FROM stories
             ORDER BY updated_at DESC, id DESC LIMIT ?1 OFFSET ?2",
        )
        .during("listing stories")?;
    stmt.query_map(params![limit, offset], |r| {
        Ok(StoryHead {
            id: StoryId(r.get(0)?),
            title: r.get(1)?,
            updated_at: parse_time(r.get(2)?).unwrap_or_default(),
            reports: count(r, 3)?,
            outlets: count(r, 4)?,
        })
    })
    .during("listing stories")?
    .collect::<Result<Vec<_>, _>>()
    .during("listing stories")
}

fn entity_mention(r: &Row<'_>) -> rusqlite::Result<Option<EntityMention>> {
    let kind: String = r.get(2)?;
    Ok(EntityKind::parse(&kind).map(|kind| EntityMention {
        id: r.get(0).unwrap_or_default(),
        name: r.get(1).unwrap_or_default(),
        kind,
        articles: count(r, 3).unwrap_or(0),
        mentions: count(r, 4).unwrap_or(0),
    }))
}

pub(super) fn story_entities(
    conn: &Connection,
    stories: &[StoryId],
    limit: usize,
) -> Result<HashMap<StoryId, Vec<EntityMention>>, StoreError> {
    let mut out: HashMap<StoryId, Vec<EntityMention>> = HashMap::new();
    if stories.is_empty() || limit == 0 {
        return Ok(out);
    }
    let placeholders = vec!["?"; stories.len()].join(",");
    let sql = format!(
        "SELECT e.entity_id, max(e.name), e.kind, count(*) AS articles, sum(e.mentions) AS mentions, a.story_id
         FROM article_entities e JOIN articles a ON a.id = e.article_id
         WHERE a.story_id IN ({placeholders})
         GROUP BY a.story_id, e.entity_id
         ORDER BY a.story_id, articles DESC, mentions DESC, e.entity_id"
    );
    let mut stmt = conn.prepare(&sql).during("listing stories' entities")?;
    let rows = stmt
        .query_map(params_from_iter(stories.iter().map(|s| s.get())), |r| {
            Ok((StoryId(r.get(5)?), entity_mention(r)?))
        })
        .during("listing stories' entities")?;
    for row in rows {
        let (story, mention) = row.during("reading a story's entity")?;
        let list = out.entry(story).or_default();
        if let Some(mention) = mention
            && list.len() < limit
        {
            list.push(mention);
        }
    }
    Ok(out)
}

pub(super) fn entity(conn: &Connection, id: &str) -> Result<Option<EntityRecord>, StoreError> {
    // Ids carry their kind ("person:..."), so one id is one kind.
    let found: Option<(String, i64, i64)> = conn
        .query_row(
            "SELECT max(e.kind), count(*), count(DISTINCT a.story_id)
             FROM article_entities e JOIN articles a ON a.id = e.article_id
             WHERE e.entity_id = ?1 HAVING count(*) > 0",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .during("reading an entity")?;
    let Some((kind, articles, stories)) = found else { return Ok(None) };
    let Some(kind) = EntityKind::parse(&kind) else { return Ok(None) };
    let name: String = conn
        .query_row(
            "SELECT name FROM article_entities WHERE entity_id = ?1
             GROUP BY name ORDER BY count(*) DESC, length(name) DESC, name LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .during("reading an entity's name")?;
    Ok(Some(EntityRecord {
        id: id.to_owned(),
        name,
        kind,
        articles: articles.max(0) as u64,
        stories: stories.max(0) as u64,
    }))
}

pub(super) fn entity_stories(conn: &Connection, id: &str, page: Page) -> Result<Vec<Story>, StoreError> {
    let (limit, offset) = limit(page);
    let heads = story_heads_of(
        conn,
        "SELECT s.id, s.title, s.created_at FROM stories s
         WHERE s.id IN (SELECT a.story_id FROM article_entities e JOIN articles a ON a.id = e.article_id
                        WHERE e.entity_id = ?1)
         ORDER BY s.rank DESC, s.id DESC LIMIT ?2 OFFSET ?3",
        params![id, limit, offset],
    )?;
    load_stories(conn, heads)
}

fn entity_mentions(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<EntityMention>, StoreError> {
    let mut stmt = conn.prepare(sql).during("listing entities")?;
    let rows = stmt.query_map(params, entity_mention).during("listing entities")?;
    let mut out = Vec::new();
    for row in rows {
        out.extend(row.during("reading an entity")?);
    }
    Ok(out)
}

pub(super) fn related_entities(
    conn: &Connection,
    id: &str,
    limit: usize,
) -> Result<Vec<EntityMention>, StoreError> {
    entity_mentions(
        conn,
        "SELECT other.entity_id, max(other.name), other.kind, count(*) AS articles, sum(other.mentions) AS mentions
         FROM article_entities this JOIN article_entities other
           ON other.article_id = this.article_id AND other.entity_id <> this.entity_id
         WHERE this.entity_id = ?1
         GROUP BY other.entity_id ORDER BY articles DESC, mentions DESC, other.entity_id LIMIT ?2",
        params![id, i64::try_from(limit).unwrap_or(i64::MAX)],
    )
}

pub(super) fn top_entities(
    conn: &Connection,
    kind: Option<EntityKind>,
    page: Page,
) -> Result<Vec<EntityMention>, StoreError> {
    let (limit, offset) = limit(page);
    entity_mentions(
        conn,
        "SELECT entity_id, max(name), kind, count(*) AS articles, sum(mentions) AS mentions
         FROM article_entities WHERE ?1 IS NULL OR kind = ?1
         GROUP BY entity_id ORDER BY articles DESC, mentions DESC, entity_id LIMIT ?2 OFFSET ?3",
        params![kind.map(EntityKind::as_str), limit, offset],
    )
}

const OUTLET_COLUMNS: &str = "o.id, o.name,
    (SELECT f.site_url FROM feeds f WHERE f.outlet_id = o.id AND f.site_url IS NOT NULL ORDER BY f.id LIMIT 1),
    count(a.id), count(DISTINCT a.story_id), min(a.published), max(a.published),
    sum(st.sentences), sum(st.stated), sum(st.attributed), sum(st.hedged), sum(st.unnamed),
    sum(st.opinion), sum(st.question)";

const OUTLET_FROM: &str = "outlets o LEFT JOIN articles a ON a.outlet_id = o.id
    LEFT JOIN article_stances st ON st.article_id = a.id";

fn outlet_row(r: &Row<'_>) -> rusqlite::Result<OutletRecord> {
    Ok(OutletRecord {
        id: OutletId(r.get(0)?),
        name: r.get(1)?,
        site_url: r.get(2)?,
        articles: count(r, 3)?,
        stories: count(r, 4)?,
        first_published: parse_time(r.get(5)?),
        last_published: parse_time(r.get(6)?),
        stances: StanceCounts {
            sentences: count(r, 7)?,
            stated: count(r, 8)?,
            attributed: count(r, 9)?,
            hedged: count(r, 10)?,
            unnamed: count(r, 11)?,
            opinion: count(r, 12)?,
            question: count(r, 13)?,
        },
    })
}

pub(super) fn outlets(conn: &Connection) -> Result<Vec<OutletRecord>, StoreError> {
    let sql =
        format!("SELECT {OUTLET_COLUMNS} FROM {OUTLET_FROM} GROUP BY o.id ORDER BY count(a.id) DESC, o.name");
    let mut stmt = conn.prepare(&sql).during("listing outlets")?;
    stmt.query_map([], outlet_row)
        .during("listing outlets")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading outlets")
}

pub(super) fn outlet_names(conn: &Connection) -> Result<Vec<(OutletId, String)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, name FROM outlets ORDER BY name").during("listing outlet names")?;
    stmt.query_map([], |r| Ok((OutletId(r.get(0)?), r.get(1)?)))
        .during("listing outlet names")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading outlet names")
}

pub(super) fn outlet_ids(
    conn: &Connection,
    names: &[String],
) -> Result<HashMap<String, OutletId>, StoreError> {
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = vec!["?"; names.len()].join(",");
    let sql = format!("SELECT name, id FROM outlets WHERE name IN ({placeholders})");
    let mut stmt = conn.prepare(&sql).during("finding outlets by name")?;
    stmt.query_map(params_from_iter(names), |r| Ok((r.get(0)?, OutletId(r.get(1)?))))
        .during("finding outlets by name")?
        .collect::<Result<HashMap<_, _>, _>>()
        .during("reading outlets by name")
}

pub(super) fn outlet(conn: &Connection, id: OutletId) -> Result<Option<OutletRecord>, StoreError> {
    let sql = format!("SELECT {OUTLET_COLUMNS} FROM {OUTLET_FROM} WHERE o.id = ?1 GROUP BY o.id");
    conn.query_row(&sql, [id.get()], outlet_row).optional().during("reading an outlet")
}

pub(super) fn outlet_articles(
    conn: &Connection,
    id: OutletId,
    page: Page,
) -> Result<Vec<(ArticleSummary, StoryId)>, StoreError> {
    let (limit, offset) = limit(page);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
         WHERE a.outlet_id = ?1 ORDER BY a.published IS NULL, a.published DESC, a.id DESC LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare(&sql).during("listing an outlet's reports")?;
    stmt.query_map(params![id.get(), limit, offset], |r| summary_row(r).map(|(story, a)| (a, story)))
        .during("listing an outlet's reports")?
        .collect::<Result<Vec<_>, _>>()
        .during("reading an outlet's reports")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_quoted_terms() {
        assert_eq!(match_expression("Shoigu Beijing").as_deref(), Some(r#"("Shoigu" AND "Beijing")"#));
        assert_eq!(
            match_expression(r#""Wang Yi" talks -Moscow"#).as_deref(),
            Some(r#"("Wang Yi" AND "talks") NOT ("Moscow")"#)
        );
        assert_eq!(match_expression(r#"a"b OR NEAR("#).as_deref(), Some(r#"("a""b" AND "OR" AND "NEAR(")"#));
        assert_eq!(match_expression("  -only -exclusions "), None);
        assert_eq!(match_expression("?! ... --"), None);
        assert_eq!(match_expression("a -b -c").as_deref(), Some(r#"("a") NOT ("b" OR "c")"#));
        let long = format!("said {}", "-x ".repeat(300));
        assert_eq!(
            match_expression(&long).map(|e| e.matches("\"x\"").count()),
            Some(crate::catalog::MAX_TERMS)
        );
        assert_eq!(match_expression(r#""unclosed phrase"#).as_deref(), Some(r#"("unclosed phrase")"#));
    }
}
