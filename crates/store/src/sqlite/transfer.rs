//! Rows in and out of SQLite for `parallax copy`: times kept as RFC 3339 text, flags as integers,
//! and the search index's key as the FTS table's `rowid`.

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

use super::{parse_time, timestamp};
use crate::StoreError;
use crate::error::QueryContext;
use crate::transfer::{Kind, Table, Value};

/// A column's name in SQLite: the full-text table keeps its key as `rowid`.
fn column(table: &Table, name: &'static str) -> &'static str {
    if table.name == "article_search" && name == "article_id" { "rowid" } else { name }
}

fn columns(table: &Table) -> String {
    table.columns.iter().map(|(name, _)| column(table, name)).collect::<Vec<_>>().join(", ")
}

fn key_list(table: &Table, width: usize) -> String {
    table.columns[..width].iter().map(|(name, _)| column(table, name)).collect::<Vec<_>>().join(", ")
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(SqlValue::Null),
            Value::Int(v) => ToSqlOutput::Owned(SqlValue::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Owned(SqlValue::Real(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Bool(v) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*v))),
            Value::Time(v) => ToSqlOutput::Owned(SqlValue::Text(timestamp(*v))),
            Value::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

fn read_value(raw: ValueRef<'_>, kind: Kind) -> Value {
    match (raw, kind) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(v), Kind::Bool) => Value::Bool(v != 0),
        (ValueRef::Integer(v), Kind::Real) => Value::Real(v as f64),
        (ValueRef::Integer(v), _) => Value::Int(v),
        (ValueRef::Real(v), _) => Value::Real(v),
        (ValueRef::Text(v), Kind::Time) => {
            let text = String::from_utf8_lossy(v).into_owned();
            match parse_time(Some(text.clone())) {
                Some(time) => Value::Time(time),
                None => Value::Text(text),
            }
        }
        (ValueRef::Text(v), _) => Value::Text(String::from_utf8_lossy(v).into_owned()),
        (ValueRef::Blob(v), _) => Value::Bytes(v.to_vec()),
    }
}

pub(super) fn table_rows(conn: &Connection, table: &Table) -> Result<u64, StoreError> {
    let n: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| r.get(0))
        .during("counting a table's rows")?;
    Ok(u64::try_from(n).unwrap_or_default())
}

pub(super) fn export_rows(
    conn: &Connection,
    table: &Table,
    after: Option<&[Value]>,
    limit: usize,
) -> Result<Vec<Vec<Value>>, StoreError> {
    let filter = match after {
        Some(after) => {
            let width = after.len().min(table.key);
            let marks = (1..=width).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
            format!("WHERE ({}) > ({marks})", key_list(table, width))
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT {} FROM {} {filter} ORDER BY {} LIMIT {limit}",
        columns(table),
        table.name,
        key_list(table, table.key)
    );
    let mut stmt = conn.prepare(&sql).during("reading rows to copy")?;
    let after = after.unwrap_or_default();
    let mut rows =
        stmt.query(params_from_iter(after.iter().take(table.key))).during("reading rows to copy")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().during("reading rows to copy")? {
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, (_, kind)) in table.columns.iter().enumerate() {
            values.push(read_value(row.get_ref(i).during("reading rows to copy")?, *kind));
        }
        out.push(values);
    }
    Ok(out)
}

pub(super) fn last_key(conn: &Connection, table: &Table) -> Result<Option<i64>, StoreError> {
    if table.columns[0].1 != Kind::Int {
        return Ok(None);
    }
    conn.query_row(
        &format!("SELECT max({}) FROM {}", column(table, table.columns[0].0), table.name),
        [],
        |r| r.get(0),
    )
    .during("finding where a copy left off")
}

pub(super) fn import_rows(
    tx: &rusqlite::Transaction<'_>,
    table: &Table,
    rows: &[Vec<Value>],
) -> Result<usize, StoreError> {
    let marks = (1..=table.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let fts = table.name == "article_search";
    // The full-text table takes no conflict clause: a row already there is replaced instead.
    let verb = if fts { "INSERT" } else { "INSERT OR IGNORE" };
    let mut insert = tx
        .prepare(&format!("{verb} INTO {} ({}) VALUES ({marks})", table.name, columns(table)))
        .during("copying rows")?;
    let mut remove =
        tx.prepare("DELETE FROM article_search WHERE rowid = ?1").during("copying the search index")?;
    let mut written = 0;
    for row in rows {
        if fts {
            remove.execute([&row[0]]).during("copying the search index")?;
        }
        written += insert.execute(params_from_iter(row.iter())).during("copying rows")?;
    }
    Ok(written)
}
