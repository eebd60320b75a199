//! The indexes listings read, kept beside the articles in the same transactions: the full-text
//! index (a weighted `tsvector` under a GIN index), each article's entities and stance counts, and
//! each story's size and rank; the queries over them (search, entities, outlets, ranked stories);
//! and the article summaries and story loading every listing shares.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use parallax_core::{Article, ArticleId, ArticleSummary, OutletId, Story, StoryId};
use parallax_nlp::{Analysis, EntityKind, Stance};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{Db, PostgresStore, count, limit};
use crate::{
    EntityMention, EntityRecord, OutletRecord, Page, SearchHit, SearchOrder, SearchQuery, SearchResults,
    Snippet, StanceCounts, StoreError, StoryHead, StoryMatch,
};

use crate::catalog::{
    BREADTH_SECONDS_PER_DOUBLING, MATCH_END, MATCH_START, MATCHING_STORIES, QueryTerms, SNIPPET_WORDS,
};

/// The text search configuration the index is built with (migration 1): English stems, no stop
/// words, accents folded.
const CONFIG: &str = "'parallax_search'";

/// How well an article matches: the title (weight A) counts four times the body (weight D), as in
/// SQLite's BM25 weights; divided by the log of the document's length, as BM25 discounts long ones.
const RANKING: &str = "ts_rank('{0.25, 0.25, 0.25, 1.0}', x.document, q.query, 1)";

/// The columns of an [`ArticleSummary`] and its story, over `a` (articles) and `o` (outlets, left
/// joined); [`summary_row`] reads them.
pub(super) const SUMMARY_COLUMNS: &str =
    "a.id, a.title, o.name, a.published, a.lead, a.image_url, a.story_id, a.outlet_id, a.ingested_at";

/// How many columns [`SUMMARY_COLUMNS`] takes: a query's own columns follow.
const SUMMARY_WIDTH: usize = 9;

/// Reads the [`SUMMARY_COLUMNS`] starting at column `at`: the article's story and its summary.
pub(super) fn summary_row(row: &Row, at: usize) -> (StoryId, ArticleSummary) {
    (
        StoryId(row.get(at + 6)),
        ArticleSummary {
            id: ArticleId(row.get(at)),
            title: row.get(at + 1),
            outlet: row.get(at + 2),
            published: row.get(at + 3),
            lead: row.get(at + 4),
            image_url: row.get(at + 5),
            outlet_id: row.get::<_, Option<i64>>(at + 7).map(OutletId),
            ingested_at: row.get(at + 8),
        },
    )
}

/// Stories with their reports (earliest first), in the order of `heads`, in one more query.
pub(super) fn load_stories(
    db: &impl Db,
    heads: Vec<(StoryId, String, DateTime<Utc>)>,
) -> Result<Vec<Story>, StoreError> {
    if heads.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = heads.iter().map(|(id, _, _)| id.get()).collect();
    let rows = db.rows(
        &format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
             WHERE a.story_id = ANY($1) ORDER BY a.published NULLS LAST, a.id"
        ),
        &[&ids],
        "listing stories' articles",
    )?;
    let mut by_story: HashMap<StoryId, Vec<ArticleSummary>> = HashMap::new();
    for row in &rows {
        let (story, summary) = summary_row(row, 0);
        by_story.entry(story).or_default().push(summary);
    }
    Ok(heads
        .into_iter()
        .map(|(id, title, created_at)| Story {
            id,
            title,
            created_at,
            articles: by_story.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// A count or size as the database's integer (which holds every one Parallax meets).
fn int(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// Indexes an article's text for search (replacing what was indexed before).
pub(super) fn write_text_index(tx: &impl Db, id: ArticleId, article: &Article) -> Result<(), StoreError> {
    // The marks must stay unambiguous in highlighted text, and PostgreSQL text cannot hold NUL.
    let clean = |text: &str| text.replace([MATCH_START, MATCH_END, '\0'], " ");
    tx.exec(
        "INSERT INTO article_search (article_id, title, body) VALUES ($1, $2, $3)
         ON CONFLICT (article_id) DO UPDATE SET title = excluded.title, body = excluded.body",
        &[&id.get(), &clean(&article.title), &clean(&article.plain_text())],
        "updating the search index",
    )?;
    Ok(())
}

/// Records what listings need of an article's analysis: the entities it names and how its body
/// sentences present what they say (replacing what was recorded before).
pub(super) fn write_analysis_index(
    tx: &impl Db,
    id: ArticleId,
    analysis: &Analysis,
) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM article_entities WHERE article_id = $1",
        &[&id.get()],
        "updating an article's entities",
    )?;
    // An entity listed twice is recorded as listed last (as SQLite's INSERT OR REPLACE does); one
    // statement may not write a row twice, so the list is made unique first.
    let last: HashMap<&str, usize> =
        analysis.entities.iter().enumerate().map(|(at, entity)| (entity.id.as_str(), at)).collect();
    let entities = analysis.entities.iter().enumerate().filter(|(at, e)| last.get(e.id.as_str()) == Some(at));
    let (mut ids, mut names, mut kinds, mut mentions) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (_, entity) in entities {
        ids.push(entity.id.as_str());
        names.push(entity.name.as_str());
        kinds.push(entity.kind.as_str());
        mentions.push(int(entity.mentions.len()));
    }
    if !ids.is_empty() {
        // Another transaction replacing the same analysis may have written the rows since the
        // delete: the later one wins rather than failing.
        tx.exec(
            "INSERT INTO article_entities (article_id, entity_id, name, kind, mentions)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])
             ON CONFLICT (article_id, entity_id)
             DO UPDATE SET name = excluded.name, kind = excluded.kind, mentions = excluded.mentions",
            &[&id.get(), &ids, &names, &kinds, &mentions],
            "recording an article's entities",
        )?;
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
    tx.exec(
        "INSERT INTO article_stances
             (article_id, sentences, stated, attributed, hedged, unnamed, opinion, question)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (article_id) DO UPDATE SET
             sentences = excluded.sentences, stated = excluded.stated, attributed = excluded.attributed,
             hedged = excluded.hedged, unnamed = excluded.unnamed, opinion = excluded.opinion,
             question = excluded.question",
        &[
            &id.get(),
            &int(c.sentences),
            &int(c.stated),
            &int(c.attributed),
            &int(c.hedged),
            &int(c.unnamed),
            &int(c.opinion),
            &int(c.question),
        ],
        "recording an article's stances",
    )?;
    Ok(())
}

/// Works out a story's size and rank again from its reports.
pub(super) fn refresh_story(tx: &impl Db, story: StoryId) -> Result<(), StoreError> {
    // Breadth counts the outlets known to differ: reports that name no outlet count as one, since
    // nothing says they are not the same source.
    // A story's time is that of its latest dated report, a date never later than the report's
    // arrival (a wrong future date must not pin a story to the top); only a story none of whose
    // reports is dated goes by when they arrived. (`least` skips nulls, hence the filter.)
    // The rank goes by whole seconds, as SQLite's stored times do, so that stories of the same
    // second and breadth tie and fall back on their ids alike.
    tx.exec(
        "UPDATE stories SET reports = m.reports, outlets = m.outlets, latest = m.latest,
             rank = coalesce(
                 floor(extract(epoch FROM m.latest))::float8
                     + $2 * ln(greatest(m.outlets, 1)::float8) / ln(2.0::float8),
                 0)
         FROM (SELECT count(*) AS reports,
                      count(DISTINCT outlet_id) + CASE WHEN bool_or(outlet_id IS NULL) THEN 1 ELSE 0 END
                          AS outlets,
                      coalesce(max(least(published, ingested_at)) FILTER (WHERE published IS NOT NULL),
                               max(ingested_at)) AS latest
               FROM articles WHERE story_id = $1) m
         WHERE stories.id = $1",
        &[&story.get(), &BREADTH_SECONDS_PER_DOUBLING],
        "ranking a story",
    )?;
    Ok(())
}

impl QueryTerms {
    /// The `tsquery` of the terms as SQL over parameters `$first` on, bound to [`QueryTerms::params`].
    ///
    /// Each term is a phrase (a word the parser splits, "e-mail", is one as in FTS5), parsed by
    /// `phraseto_tsquery` from a parameter: nothing a reader types is read as query syntax.
    fn tsquery(&self, first: usize) -> String {
        let mut next = first;
        let mut phrases = |terms: &[String], operator: &str| {
            let sql: Vec<String> = terms
                .iter()
                .map(|_| {
                    next += 1;
                    format!("phraseto_tsquery({CONFIG}, ${})", next - 1)
                })
                .collect();
            sql.join(operator)
        };
        let wanted = phrases(&self.wanted, " && ");
        let unwanted = phrases(&self.unwanted, " || ");
        if unwanted.is_empty() { format!("({wanted})") } else { format!("({wanted}) && !!({unwanted})") }
    }

    /// The parameters [`QueryTerms::tsquery`] reads, in order.
    fn params(&self) -> impl Iterator<Item = &(dyn ToSql + Sync)> {
        self.wanted.iter().chain(&self.unwanted).map(|term| term as &(dyn ToSql + Sync))
    }
}

/// The filters every search query shares, as SQL over `a` (articles) with parameters $1 to $4.
const FILTERS: &str = "($1::bigint IS NULL OR a.outlet_id = $1)
    AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM article_entities e WHERE e.article_id = a.id AND e.entity_id = $2))
    AND ($3::timestamptz IS NULL OR a.published >= $3)
    AND ($4::timestamptz IS NULL OR a.published < $4)";

/// Options of `ts_headline` marking matches as [`Snippet::parse_marked`] reads them, as SQL.
fn headline_options(rest: &str) -> String {
    format!(
        "'StartSel=' || chr({}) || ', StopSel=' || chr({}) || ', {rest}'",
        u32::from(MATCH_START),
        u32::from(MATCH_END)
    )
}

/// A passage of about [`SNIPPET_WORDS`] words of the body around its best match, with the matches
/// marked, as SQL over `x` (the search index) and `h`, `p` (what [`snippet_from`] joins).
///
/// Like FTS5's `snippet`, it begins with "…" when words come before it, and ends with "…" when
/// words come after it or else with the rest of the text (the last word's full stop).
const SNIPPET: &str =
    "CASE WHEN p.at > 1 AND left(x.body, p.at - 1) ~ '[^[:space:][:punct:]]' THEN '…' ELSE '' END
    || h.marked
    || CASE WHEN p.at = 0 THEN ''
            WHEN substr(x.body, p.at + p.len) ~ '[^[:space:][:punct:]]' THEN '…'
            ELSE substr(x.body, p.at + p.len) END";

/// The passage `ts_headline` picks and where it lies in the body (`at`, 0 when it cannot be told).
fn snippet_from() -> String {
    // One fragment, so that the passage is a piece of the text as it stands; MinWords only sizes
    // the passage shown when the body holds no match (the title did), the body's beginning, which
    // FTS5 shows at full length.
    let options = headline_options(&format!(
        "MaxFragments=1, ShortWord=0, MaxWords={SNIPPET_WORDS}, MinWords={}",
        SNIPPET_WORDS - 1
    ));
    let plain =
        format!("translate(h.marked, chr({}) || chr({}), '')", u32::from(MATCH_START), u32::from(MATCH_END));
    format!(
        "CROSS JOIN LATERAL (SELECT ts_headline({CONFIG}, x.body, q.query, {options}) AS marked) h
         CROSS JOIN LATERAL (SELECT strpos(x.body, {plain}) AS at, length({plain}) AS len) p"
    )
}

/// The parts of the search's queries that differ between looking for words and listing what the
/// filters allow.
struct Shape {
    /// The articles that may match, as `a` (with `x`, the search index, and `q`, the query).
    from: &'static str,
    /// What a match must meet besides the filters, ending in `AND`.
    matches: &'static str,
    /// The order of the hits: over the page's query, and over the page's rows.
    order: (&'static str, &'static str),
    /// What the page's query orders by, as `score`.
    score: &'static str,
    /// The marked title and snippet of a hit, and what they need joined to the page's rows.
    title: String,
    snippet: &'static str,
    joins: String,
    /// What ranks matching stories, the highest value of their reports first.
    best: &'static str,
}

impl Shape {
    /// Newest first (undated last), the latest stored first among those of one time.
    const NEWEST: (&str, &str) =
        ("a.published DESC NULLS LAST, a.id DESC", "page.published DESC NULLS LAST, page.id DESC");

    fn words(order: SearchOrder) -> Shape {
        let ranked = order == SearchOrder::Relevance;
        Shape {
            from: "article_search x JOIN articles a ON a.id = x.article_id CROSS JOIN q",
            matches: "x.document @@ q.query AND",
            order: if ranked {
                ("score DESC, a.id DESC", "page.score DESC, page.id DESC")
            } else {
                Self::NEWEST
            },
            score: if ranked { RANKING } else { "NULL::real" },
            title: format!(
                "ts_headline({CONFIG}, x.title, q.query, {})",
                headline_options("HighlightAll=true")
            ),
            snippet: SNIPPET,
            joins: format!("JOIN article_search x ON x.article_id = a.id CROSS JOIN q {}", snippet_from()),
            best: RANKING,
        }
    }

    fn listing() -> Shape {
        Shape {
            from: "articles a",
            matches: "",
            order: Self::NEWEST,
            score: "NULL::real",
            title: "a.title".to_owned(),
            snippet: "a.lead",
            joins: String::new(),
            best: "a.published",
        }
    }
}

pub(super) fn search(store: &PostgresStore, query: &SearchQuery) -> Result<SearchResults, StoreError> {
    let terms = QueryTerms::read(&query.text);
    if terms.is_none() && query.is_empty() {
        return Ok(SearchResults::default());
    }
    if terms.is_none() && !query.text.trim().is_empty() {
        // Only punctuation or exclusions: nothing can be looked for.
        return Ok(SearchResults::default());
    }
    let outlet = query.outlet.map(OutletId::get);
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&outlet, &query.entity, &query.since, &query.until];
    // What each query starts with: the words' `tsquery` as `q`, when there are words; inlined where
    // it is used, so that the planner sees it and reads the GIN index.
    let mut common = Vec::new();
    if let Some(terms) = &terms {
        common.push(format!("q AS NOT MATERIALIZED (SELECT {} AS query)", terms.tsquery(params.len() + 1)));
        params.extend(terms.params());
    }
    let with = |more: Option<String>| {
        let all: Vec<&str> = common.iter().map(String::as_str).chain(more.as_deref()).collect();
        if all.is_empty() { String::new() } else { format!("WITH {}", all.join(", ")) }
    };
    let (limit, offset) = limit(query.page);
    let shape = if terms.is_some() { Shape::words(query.order) } else { Shape::listing() };
    let Shape { from, matches, order, score, title, snippet, joins, best } = shape;
    let count_sql = format!("{} SELECT count(*) FROM {from} WHERE {matches} {FILTERS}", with(None));
    let page_sql = format!(
        "{}
         SELECT {SUMMARY_COLUMNS}, s.title, {title}, {snippet}
         FROM page JOIN articles a ON a.id = page.id JOIN stories s ON s.id = a.story_id
             LEFT JOIN outlets o ON o.id = a.outlet_id {joins}
         ORDER BY {}",
        with(Some(format!(
            "page AS (SELECT a.id, {score} AS score, a.published FROM {from} WHERE {matches} {FILTERS}
                      ORDER BY {} LIMIT {limit} OFFSET {offset})",
            order.0
        ))),
        order.1
    );
    let stories_sql = format!(
        "{} SELECT s.id, s.title, count(*), s.reports, s.outlets
         FROM {from} JOIN stories s ON s.id = a.story_id WHERE {matches} {FILTERS}
         GROUP BY s.id ORDER BY max({best}) DESC NULLS LAST, s.id LIMIT {MATCHING_STORIES}",
        with(None)
    );
    store.read(|db| {
        let total = count(&db.row(&count_sql, &params, "counting search results")?, 0);
        let hits = db
            .rows(&page_sql, &params, "searching")?
            .iter()
            .map(|r| {
                let (story, article) = summary_row(r, 0);
                SearchHit {
                    article,
                    story,
                    story_title: r.get(SUMMARY_WIDTH),
                    title: Snippet::parse_marked(r.get(SUMMARY_WIDTH + 1), MATCH_START, MATCH_END),
                    snippet: Snippet::parse_marked(r.get(SUMMARY_WIDTH + 2), MATCH_START, MATCH_END),
                }
            })
            .collect();
        let stories = if query.page.offset == 0 && total > 0 {
            db.rows(&stories_sql, &params, "finding matching stories")?
                .iter()
                .map(|r| StoryMatch {
                    id: StoryId(r.get(0)),
                    title: r.get(1),
                    matched: count(r, 2),
                    reports: count(r, 3),
                    outlets: count(r, 4),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(SearchResults { total, hits, stories })
    })
}

/// Story heads in the order a query gives (its first three columns: id, title, created_at).
fn story_heads_of(
    db: &impl Db,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<(StoryId, String, DateTime<Utc>)>, StoreError> {
    Ok(db
        .rows(sql, params, "listing stories")?
        .iter()
        .map(|r| (StoryId(r.get(0)), r.get(1), r.get(2)))
        .collect())
}

pub(super) fn ranked_stories(store: &PostgresStore, page: Page) -> Result<Vec<Story>, StoreError> {
    let (limit, offset) = limit(page);
    store.read(|db| {
        let heads = story_heads_of(
            db,
            "SELECT id, title, created_at FROM stories ORDER BY rank DESC, id DESC LIMIT $1 OFFSET $2",
            &[&limit, &offset],
        )?;
        load_stories(db, heads)
    })
}

pub(super) fn story_heads(store: &PostgresStore, page: Page) -> Result<Vec<StoryHead>, StoreError> {
    let (limit, offset) = limit(page);
    store.read(|db| {
        Ok(db
            .rows(
                "SELECT id, title, updated_at, reports, outlets FROM stories
                 ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2",
                &[&limit, &offset],
                "listing stories",
            )?
            .iter()
            .map(|r| StoryHead {
                id: StoryId(r.get(0)),
                title: r.get(1),
                updated_at: r.get(2),
                reports: count(r, 3),
                outlets: count(r, 4),
            })
            .collect())
    })
}

/// An entity of a listing (columns: id, name, kind, articles, mentions), or `None` when its kind is
/// not one this build knows.
fn entity_mention(r: &Row) -> Option<EntityMention> {
    EntityKind::parse(r.get(2)).map(|kind| EntityMention {
        id: r.get(0),
        name: r.get(1),
        kind,
        articles: count(r, 3),
        mentions: count(r, 4),
    })
}

// Entity ids carry their kind ("person:..."), so `max(kind)` of one id is its only kind; names and
// ids compare byte by byte (`COLLATE "C"`), as SQLite's do, so that ties break alike.

pub(super) fn story_entities(
    store: &PostgresStore,
    stories: &[StoryId],
    limit: usize,
) -> Result<HashMap<StoryId, Vec<EntityMention>>, StoreError> {
    let mut out: HashMap<StoryId, Vec<EntityMention>> = HashMap::new();
    if stories.is_empty() || limit == 0 {
        return Ok(out);
    }
    let ids: Vec<i64> = stories.iter().map(|s| s.get()).collect();
    let rows = store.read(|db| {
        db.rows(
            r#"SELECT e.entity_id, max(e.name COLLATE "C"), max(e.kind), count(*), sum(e.mentions)::bigint,
                      a.story_id
               FROM article_entities e JOIN articles a ON a.id = e.article_id
               WHERE a.story_id = ANY($1)
               GROUP BY a.story_id, e.entity_id
               ORDER BY a.story_id, count(*) DESC, sum(e.mentions) DESC, e.entity_id COLLATE "C""#,
            &[&ids],
            "listing stories' entities",
        )
    })?;
    for row in &rows {
        let list = out.entry(StoryId(row.get(5))).or_default();
        if let Some(mention) = entity_mention(row)
            && list.len() < limit
        {
            list.push(mention);
        }
    }
    Ok(out)
}

pub(super) fn entity(store: &PostgresStore, id: &str) -> Result<Option<EntityRecord>, StoreError> {
    store.read(|db| {
        let Some(found) = db.opt(
            "SELECT max(e.kind), count(*), count(DISTINCT a.story_id)
             FROM article_entities e JOIN articles a ON a.id = e.article_id
             WHERE e.entity_id = $1 HAVING count(*) > 0",
            &[&id],
            "reading an entity",
        )?
        else {
            return Ok(None);
        };
        let Some(kind) = EntityKind::parse(found.get(0)) else { return Ok(None) };
        let name = db
            .row(
                r#"SELECT name FROM article_entities WHERE entity_id = $1
                   GROUP BY name ORDER BY count(*) DESC, length(name) DESC, name COLLATE "C" LIMIT 1"#,
                &[&id],
                "reading an entity's name",
            )?
            .get(0);
        Ok(Some(EntityRecord {
            id: id.to_owned(),
            name,
            kind,
            articles: count(&found, 1),
            stories: count(&found, 2),
        }))
    })
}

pub(super) fn entity_stories(store: &PostgresStore, id: &str, page: Page) -> Result<Vec<Story>, StoreError> {
    let (limit, offset) = limit(page);
    store.read(|db| {
        let heads = story_heads_of(
            db,
            "SELECT s.id, s.title, s.created_at FROM stories s
             WHERE s.id IN (SELECT a.story_id FROM article_entities e JOIN articles a ON a.id = e.article_id
                            WHERE e.entity_id = $1)
             ORDER BY s.rank DESC, s.id DESC LIMIT $2 OFFSET $3",
            &[&id, &limit, &offset],
        )?;
        load_stories(db, heads)
    })
}

fn entity_mentions(
    store: &PostgresStore,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<EntityMention>, StoreError> {
    let rows = store.read(|db| db.rows(sql, params, "listing entities"))?;
    Ok(rows.iter().filter_map(entity_mention).collect())
}

pub(super) fn related_entities(
    store: &PostgresStore,
    id: &str,
    limit: usize,
) -> Result<Vec<EntityMention>, StoreError> {
    entity_mentions(
        store,
        r#"SELECT other.entity_id, max(other.name COLLATE "C"), max(other.kind), count(*),
                  sum(other.mentions)::bigint
           FROM article_entities this JOIN article_entities other
             ON other.article_id = this.article_id AND other.entity_id <> this.entity_id
           WHERE this.entity_id = $1
           GROUP BY other.entity_id
           ORDER BY count(*) DESC, sum(other.mentions) DESC, other.entity_id COLLATE "C" LIMIT $2"#,
        &[&id, &int(limit)],
    )
}

pub(super) fn top_entities(
    store: &PostgresStore,
    kind: Option<EntityKind>,
    page: Page,
) -> Result<Vec<EntityMention>, StoreError> {
    let (limit, offset) = limit(page);
    entity_mentions(
        store,
        r#"SELECT entity_id, max(name COLLATE "C"), max(kind), count(*), sum(mentions)::bigint
           FROM article_entities WHERE $1::text IS NULL OR kind = $1
           GROUP BY entity_id
           ORDER BY count(*) DESC, sum(mentions) DESC, entity_id COLLATE "C" LIMIT $2 OFFSET $3"#,
        &[&kind.map(EntityKind::as_str), &limit, &offset],
    )
}

const OUTLET_COLUMNS: &str = "o.id, o.name,
    (SELECT f.site_url FROM feeds f WHERE f.outlet_id = o.id AND f.site_url IS NOT NULL ORDER BY f.id LIMIT 1),
    count(a.id), count(DISTINCT a.story_id), min(a.published), max(a.published),
    coalesce(sum(st.sentences), 0)::bigint, coalesce(sum(st.stated), 0)::bigint,
    coalesce(sum(st.attributed), 0)::bigint, coalesce(sum(st.hedged), 0)::bigint,
    coalesce(sum(st.unnamed), 0)::bigint, coalesce(sum(st.opinion), 0)::bigint,
    coalesce(sum(st.question), 0)::bigint";

const OUTLET_FROM: &str = "outlets o LEFT JOIN articles a ON a.outlet_id = o.id
    LEFT JOIN article_stances st ON st.article_id = a.id";

/// Outlet names in SQLite's order for them (`COLLATE NOCASE`: ASCII letters folded, the rest byte
/// by byte), which `lower` under the "C" collation gives.
const BY_NAME: &str = r#"lower(o.name COLLATE "C"), o.name COLLATE "C""#;

fn outlet_row(r: &Row) -> OutletRecord {
    OutletRecord {
        id: OutletId(r.get(0)),
        name: r.get(1),
        site_url: r.get(2),
        articles: count(r, 3),
        stories: count(r, 4),
        first_published: r.get(5),
        last_published: r.get(6),
        stances: StanceCounts {
            sentences: count(r, 7),
            stated: count(r, 8),
            attributed: count(r, 9),
            hedged: count(r, 10),
            unnamed: count(r, 11),
            opinion: count(r, 12),
            question: count(r, 13),
        },
    }
}

pub(super) fn outlets(store: &PostgresStore) -> Result<Vec<OutletRecord>, StoreError> {
    let sql = format!(
        "SELECT {OUTLET_COLUMNS} FROM {OUTLET_FROM} GROUP BY o.id ORDER BY count(a.id) DESC, {BY_NAME}"
    );
    let rows = store.read(|db| db.rows(&sql, &[], "listing outlets"))?;
    Ok(rows.iter().map(outlet_row).collect())
}

pub(super) fn outlet_names(store: &PostgresStore) -> Result<Vec<(OutletId, String)>, StoreError> {
    let sql = format!("SELECT o.id, o.name FROM outlets o ORDER BY {BY_NAME}");
    let rows = store.read(|db| db.rows(&sql, &[], "listing outlet names"))?;
    Ok(rows.iter().map(|r| (OutletId(r.get(0)), r.get(1))).collect())
}

pub(super) fn outlet_ids(
    store: &PostgresStore,
    names: &[String],
) -> Result<HashMap<String, OutletId>, StoreError> {
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    // Names match in any case, as outlets are told apart (the unique index on `lower(name)`).
    let rows = store.read(|db| {
        db.rows(
            "SELECT name, id FROM outlets WHERE lower(name) IN (SELECT lower(n) FROM unnest($1::text[]) n)",
            &[&names],
            "finding outlets by name",
        )
    })?;
    Ok(rows.iter().map(|r| (r.get(0), OutletId(r.get(1)))).collect())
}

pub(super) fn outlet(store: &PostgresStore, id: OutletId) -> Result<Option<OutletRecord>, StoreError> {
    let sql = format!("SELECT {OUTLET_COLUMNS} FROM {OUTLET_FROM} WHERE o.id = $1 GROUP BY o.id");
    let row = store.read(|db| db.opt(&sql, &[&id.get()], "reading an outlet"))?;
    Ok(row.as_ref().map(outlet_row))
}

pub(super) fn outlet_articles(
    store: &PostgresStore,
    id: OutletId,
    page: Page,
) -> Result<Vec<(ArticleSummary, StoryId)>, StoreError> {
    let (limit, offset) = limit(page);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
         WHERE a.outlet_id = $1 ORDER BY a.published DESC NULLS LAST, a.id DESC LIMIT $2 OFFSET $3"
    );
    let rows =
        store.read(|db| db.rows(&sql, &[&id.get(), &limit, &offset], "listing an outlet's reports"))?;
    Ok(rows
        .iter()
        .map(|r| {
            let (story, article) = summary_row(r, 0);
            (article, story)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Inserted, NewArticle, ScratchDatabase, Store};
    use chrono::TimeZone;
    use parallax_core::Block;

    fn store() -> (ScratchDatabase, PostgresStore) {
        let scratch =
            ScratchDatabase::create("catalog").expect("a PostgreSQL server must answer for these tests");
        let store = scratch.open().unwrap();
        (scratch, store)
    }

    fn insert(store: &PostgresStore, title: &str, body: &str, key: &str) -> ArticleId {
        let mut article = Article::new(title);
        article.published = Some(Utc.with_ymd_and_hms(2026, 2, 2, 8, 0, 0).unwrap().fixed_offset());
        article.body = vec![Block::Paragraph { text: body.to_owned() }];
        let analysis = parallax_nlp::analyze(&article);
        let new = NewArticle {
            article: &article,
            content_hash: key,
            analysis: &analysis,
            assignment: &parallax_cluster::Assignment::default(),
            signature: None,
            decided_after: None,
        };
        match store.insert_article(&new).unwrap() {
            Inserted::New { id, .. } => id,
            other => panic!("{other:?}"),
        }
    }

    fn marked(snippet: &Snippet) -> String {
        snippet.0.iter().map(|p| if p.matched { format!("[{}]", p.text) } else { p.text.clone() }).collect()
    }

    #[test]
    fn every_word_is_found_and_snippets_are_cut_as_fts5_cuts_them() {
        let (_scratch, store) = store();
        let words: Vec<String> = (1..=60).map(|n| format!("w{n}")).collect();
        let body = format!("{} Zürich {}.", words[..30].join(" "), words[30..].join(" "));
        insert(&store, "The Who play Zürich", &body, "a");
        insert(&store, "Short one", "Only a few words here, about the Who.", "b");
        let search = |text: &str| store.search(&SearchQuery::words(text)).unwrap();
        let snippets = |text: &str| search(text).hits.iter().map(|h| marked(&h.snippet)).collect::<Vec<_>>();
        let run = |from: usize, to: usize| words[from - 1..to].join(" ");

        assert_eq!(search("\"the who\"").total, 2, "no word is a stop word");
        assert_eq!(marked(&search("\"the who\"").hits[0].title), "[The] [Who] play Zürich");
        assert_eq!(
            snippets("\"w30 Zürich w31\""),
            [format!("…{} [w30] [Zürich] [w31] {}…", run(18, 29), run(32, 44))],
            "a passage around the match, marked, with \"…\" where words are left out"
        );
        assert_eq!(snippets("w60"), [format!("…{} [w60].\n", run(47, 59))], "the text's own end");
        assert_eq!(snippets("few"), ["Only a [few] words here, about the Who.\n"], "all of a short text");
        assert_eq!(
            snippets("play"),
            [format!("{}…", run(1, 27))],
            "a title match shows the body's beginning"
        );

        assert_eq!(search("few\0words").total, 1, "a NUL byte is a space, not an error");
        assert_eq!(search("½").total, 0, "a term the parser finds no word in matches nothing");

        let folds: bool = store
            .read(|db| {
                db.row(
                    &format!("SELECT to_tsvector({CONFIG}, 'Zürich') = to_tsvector({CONFIG}, 'Zurich')"),
                    &[],
                    "testing",
                )
            })
            .unwrap()
            .get(0);
        if folds {
            assert_eq!(marked(&search("zurich").hits[0].title), "The Who play [Zürich]", "accents fold");
        }
    }

    fn terms(wanted: &[&str], unwanted: &[&str]) -> Option<QueryTerms> {
        let owned = |list: &[&str]| list.iter().map(|t| (*t).to_owned()).collect();
        Some(QueryTerms { wanted: owned(wanted), unwanted: owned(unwanted) })
    }

    #[test]
    fn typed_text_becomes_terms() {
        assert_eq!(QueryTerms::read("Shoigu Beijing"), terms(&["Shoigu", "Beijing"], &[]));
        assert_eq!(QueryTerms::read(r#""Wang Yi" talks -Moscow"#), terms(&["Wang Yi", "talks"], &["Moscow"]));
        assert_eq!(QueryTerms::read(r#"a"b OR NEAR("#), terms(&[r#"a"b"#, "OR", "NEAR("], &[]));
        assert_eq!(QueryTerms::read("  -only -exclusions "), None);
        assert_eq!(QueryTerms::read("?! ... --"), None);
        assert_eq!(QueryTerms::read("a -b -c"), terms(&["a"], &["b", "c"]));
        let long = format!("said {}", "-x ".repeat(300));
        assert_eq!(QueryTerms::read(&long).map(|t| t.unwanted.len()), Some(crate::catalog::MAX_TERMS));
        assert_eq!(QueryTerms::read(r#""unclosed phrase"#), terms(&["unclosed phrase"], &[]));
        assert_eq!(QueryTerms::read("nul\0here \u{1}x\u{2}"), terms(&["nul here", " x "], &[]));
    }

    #[test]
    fn terms_become_parameters_never_query_text() {
        let t = QueryTerms::read(r#"it's "a | b" -c:* -'!'"#).unwrap();
        assert_eq!(
            t.tsquery(5),
            "(phraseto_tsquery('parallax_search', $5) && phraseto_tsquery('parallax_search', $6)) \
             && !!(phraseto_tsquery('parallax_search', $7))"
        );
        assert_eq!(t.params().count(), 3);
    }
}
