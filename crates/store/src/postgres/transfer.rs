//! Rows in and out of PostgreSQL for `parallax copy`: values bound in the column's own type, many
//! rows to a statement, and the sequences moved past the copied ids at the end.

use bytes::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::Db;
use crate::StoreError;
use crate::transfer::{Kind, Table, Value};

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Real(v) => v.to_sql(ty, out),
            Value::Text(v) => v.to_sql(ty, out),
            Value::Bool(v) => v.to_sql(ty, out),
            Value::Time(v) => v.to_sql(ty, out),
            Value::Bytes(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [Type::INT8, Type::FLOAT8, Type::TEXT, Type::BOOL, Type::TIMESTAMPTZ, Type::BYTEA].contains(ty)
    }

    to_sql_checked!();
}

fn read_value(row: &tokio_postgres::Row, index: usize, kind: Kind) -> Value {
    let value = match kind {
        Kind::Int => row.get::<_, Option<i64>>(index).map(Value::Int),
        Kind::Real => row.get::<_, Option<f64>>(index).map(Value::Real),
        Kind::Text => row.get::<_, Option<String>>(index).map(Value::Text),
        Kind::Bool => row.get::<_, Option<bool>>(index).map(Value::Bool),
        Kind::Time => row.get::<_, Option<chrono::DateTime<chrono::Utc>>>(index).map(Value::Time),
        Kind::Bytes => row.get::<_, Option<Vec<u8>>>(index).map(Value::Bytes),
    };
    value.unwrap_or(Value::Null)
}

/// The first `width` key columns, text ones in byte order (as SQLite orders them), whatever the
/// database's collation.
fn key_list(table: &Table, width: usize) -> String {
    table.columns[..width]
        .iter()
        .map(
            |(name, kind)| {
                if *kind == Kind::Text { format!("{name} COLLATE \"C\"") } else { (*name).to_owned() }
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn table_rows(db: &impl Db, table: &Table) -> Result<u64, StoreError> {
    let row = db.row(&format!("SELECT count(*) FROM {}", table.name), &[], "counting a table's rows")?;
    Ok(super::count(&row, 0))
}

pub(super) fn export_rows(
    db: &impl Db,
    table: &Table,
    after: Option<&[Value]>,
    limit: usize,
) -> Result<Vec<Vec<Value>>, StoreError> {
    let after = after.unwrap_or_default();
    let width = after.len().min(table.key);
    let filter = if width == 0 {
        String::new()
    } else {
        let marks = (1..=width).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        format!("WHERE ({}) > ({marks})", key_list(table, width))
    };
    let sql = format!(
        "SELECT {} FROM {} {filter} ORDER BY {} LIMIT {limit}",
        table.column_list(),
        table.name,
        key_list(table, table.key)
    );
    let params: Vec<&(dyn ToSql + Sync)> = after[..width].iter().map(|v| v as &(dyn ToSql + Sync)).collect();
    let rows = db.rows(&sql, &params, "reading rows to copy")?;
    Ok(rows
        .iter()
        .map(|row| table.columns.iter().enumerate().map(|(i, (_, kind))| read_value(row, i, *kind)).collect())
        .collect())
}

pub(super) fn last_key(db: &impl Db, table: &Table) -> Result<Option<i64>, StoreError> {
    if table.columns[0].1 != Kind::Int {
        return Ok(None);
    }
    let sql = format!("SELECT max({}) FROM {}", table.columns[0].0, table.name);
    Ok(db.row(&sql, &[], "finding where a copy left off")?.get(0))
}

pub(super) fn import_rows(tx: &impl Db, table: &Table, rows: &[Vec<Value>]) -> Result<usize, StoreError> {
    let width = table.columns.len();
    let mut written = 0;
    // PostgreSQL takes at most 65,535 parameters to a statement.
    for chunk in rows.chunks((u16::MAX as usize / width).max(1)) {
        let tuples = (0..chunk.len())
            .map(|r| {
                let marks = (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>();
                format!("({})", marks.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {tuples} ON CONFLICT DO NOTHING",
            table.name,
            table.column_list()
        );
        let params: Vec<&(dyn ToSql + Sync)> =
            chunk.iter().flat_map(|row| row.iter().map(|v| v as &(dyn ToSql + Sync))).collect();
        written += tx.exec(&sql, &params, "copying rows")?;
    }
    Ok(usize::try_from(written).unwrap_or(usize::MAX))
}

pub(super) fn finish_import(tx: &impl Db) -> Result<(), StoreError> {
    for table in crate::transfer::TABLES.iter().filter(|t| t.serial) {
        let key = table.columns[0].0;
        tx.exec(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{name}', '{key}'), coalesce(max({key}), 0) + 1, false) FROM {name}",
                name = table.name
            ),
            &[],
            "moving an id sequence past the copied rows",
        )?;
    }
    Ok(())
}
