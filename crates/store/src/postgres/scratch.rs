//! Throwaway databases on a PostgreSQL server, for tests and benchmarks: each is created empty,
//! migrated, and dropped (with whatever connections remain) when its handle drops.

use std::sync::atomic::{AtomicU32, Ordering};

use super::{Db, PostgresStore};
use crate::StoreError;

/// The server tests and benchmarks use unless `PARALLAX_TEST_POSTGRES` names another (a URL of a
/// database to connect to for creating and dropping the scratch ones).
pub const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A scratch database; dropped when this is.
#[derive(Debug)]
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates an empty database with a name of its own on the server `PARALLAX_TEST_POSTGRES` (or
    /// [`DEFAULT_SERVER`]) names, and migrates it.
    pub fn create(prefix: &str) -> Result<ScratchDatabase, StoreError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin_url = std::env::var("PARALLAX_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_owned());
        let clean: String =
            prefix.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(24).collect();
        let name = format!(
            "parallax_{clean}_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_subsec_micros()
        );
        let admin = PostgresStore::connect(&admin_url)?;
        admin.read(|db| db.batch(&format!("CREATE DATABASE {name}"), "creating a scratch database"))?;
        let mut url =
            url::Url::parse(&admin_url).map_err(|_| StoreError::UnsupportedUrl(admin_url.clone()))?;
        url.set_path(&name);
        let scratch = ScratchDatabase { admin_url, name, url: url.to_string() };
        PostgresStore::migrate(&scratch.url)?;
        Ok(scratch)
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Opens a store on it.
    pub fn open(&self) -> Result<PostgresStore, StoreError> {
        PostgresStore::open(&self.url)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let dropped = PostgresStore::connect(&self.admin_url).and_then(|admin| {
            admin.read(|db| {
                db.batch(
                    &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
                    "dropping a scratch database",
                )
            })
        });
        if let Err(error) = dropped {
            tracing::warn!(%error, database = %self.name, "A scratch database was left behind.");
        }
    }
}
