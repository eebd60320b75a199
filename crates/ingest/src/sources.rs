//! Where documents come from: files, folders, and JSON records (one object, an array, or JSON Lines).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use parallax_extract::{Hints, MAX_DOCUMENT_BYTES, Record};

use crate::{IngestError, Outcome, Pipeline};

/// Files of JSON records larger than this are refused.
pub const MAX_RECORDS_FILE_BYTES: u64 = 1024 * 1024 * 1024;

/// Extensions a folder walk picks up; other files in a folder are passed over.
const DOCUMENT_EXTENSIONS: [&str; 9] =
    ["txt", "text", "md", "markdown", "json", "jsonl", "ndjson", "html", "htm"];

/// One document's outcome with where it came from ("a/b.txt", "feed.jsonl:3 (1_10ecb)").
#[derive(Debug)]
pub struct DocumentReport {
    /// The document's name.
    pub source: String,
    /// What became of it.
    pub outcome: Outcome,
}

impl Pipeline<'_> {
    /// Ingests a file or, recursively, a folder's documents in name order, reporting each document.
    pub fn ingest_path(&mut self, path: &Path, hints: &Hints, report: &mut dyn FnMut(DocumentReport)) {
        if path.is_dir() {
            match documents_in(path) {
                Ok(files) => files.iter().for_each(|file| self.ingest_file(file, hints, report)),
                Err(error) => report(DocumentReport {
                    source: path.display().to_string(),
                    outcome: Outcome::Rejected(error),
                }),
            }
        } else {
            self.ingest_file(path, hints, report);
        }
    }

    fn ingest_file(&mut self, path: &Path, hints: &Hints, report: &mut dyn FnMut(DocumentReport)) {
        let source = path.display().to_string();
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let result = match extension.as_deref() {
            Some("jsonl" | "ndjson") => open_limited(path, MAX_RECORDS_FILE_BYTES)
                .and_then(|file| self.ingest_json_lines(path, BufReader::new(file), hints, report)),
            Some("json") => self.ingest_json(path, hints, report),
            _ => read_limited(path, MAX_DOCUMENT_BYTES as u64).map(|bytes| {
                let outcome = self.ingest_bytes(&bytes, hints);
                report(DocumentReport { source: source.clone(), outcome });
            }),
        };
        if let Err(error) = result {
            report(DocumentReport { source, outcome: Outcome::Rejected(error) });
        }
    }

    /// Ingests JSON Lines, one record per line, naming each document after `path` and its line.
    pub fn ingest_json_lines(
        &mut self,
        path: &Path,
        mut reader: impl BufRead,
        hints: &Hints,
        report: &mut dyn FnMut(DocumentReport),
    ) -> Result<(), IngestError> {
        let read_error = |source| IngestError::Read { path: path.to_owned(), source };
        let mut line = String::new();
        let mut number = 0;
        loop {
            line.clear();
            // Bound each line so that one runaway record cannot exhaust memory.
            let read =
                (&mut reader).take(MAX_DOCUMENT_BYTES as u64 * 2).read_line(&mut line).map_err(read_error)?;
            if read == 0 {
                return Ok(());
            }
            number += 1;
            if line.trim().is_empty() {
                continue;
            }
            let record = Record::from_json(line.trim());
            let source = record_source(path, number, record.as_ref().ok());
            let outcome = self.ingest_record(record, hints);
            report(DocumentReport { source, outcome });
        }
    }

    fn ingest_json(
        &mut self,
        path: &Path,
        hints: &Hints,
        report: &mut dyn FnMut(DocumentReport),
    ) -> Result<(), IngestError> {
        let bytes = read_limited(path, MAX_RECORDS_FILE_BYTES)?;
        let text = String::from_utf8_lossy(&bytes);
        let values: Vec<serde_json::Value> = match serde_json::from_str(&text) {
            Ok(serde_json::Value::Array(items)) => items,
            Ok(single) => vec![single],
            Err(e) => {
                return Err(parallax_extract::ExtractError::Record { message: e.to_string() }.into());
            }
        };
        for (index, value) in values.into_iter().enumerate() {
            let record: Result<Record, _> = serde_json::from_value(value)
                .map_err(|e| parallax_extract::ExtractError::Record { message: e.to_string() });
            let source = record_source(path, index + 1, record.as_ref().ok());
            let outcome = self.ingest_record(record, hints);
            report(DocumentReport { source, outcome });
        }
        Ok(())
    }

    fn ingest_record(
        &mut self,
        record: Result<Record, parallax_extract::ExtractError>,
        hints: &Hints,
    ) -> Outcome {
        let prepared = record.and_then(|r| r.hints(hints).map(|h| (r, h)));
        match prepared {
            Ok((record, record_hints)) => self.ingest_bytes(record.text.as_bytes(), &record_hints),
            Err(error) => Outcome::Rejected(error.into()),
        }
    }
}

fn record_source(path: &Path, number: usize, record: Option<&Record>) -> String {
    match record.and_then(Record::id_text) {
        Some(id) => format!("{}:{number} ({id})", path.display()),
        None => format!("{}:{number}", path.display()),
    }
}

fn open_limited(path: &Path, limit: u64) -> Result<std::fs::File, IngestError> {
    let read_error = |source| IngestError::Read { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    if !meta.is_file() {
        return Err(IngestError::NotAFile { path: path.to_owned() });
    }
    if meta.len() > limit {
        return Err(IngestError::TooLarge { path: path.to_owned(), size: meta.len(), limit });
    }
    Ok(file)
}

/// Reads a whole file, refusing it when over the limit (checked before reading, and again while
/// reading in case it grows).
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    let file = open_limited(path, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| IngestError::Read { path: path.to_owned(), source })?;
    if bytes.len() as u64 > limit {
        return Err(IngestError::TooLarge { path: path.to_owned(), size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// The documents under a folder, in name order, hidden files and unknown extensions passed over.
fn documents_in(dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|source| IngestError::Read { path: current.clone(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| IngestError::Read { path: current.clone(), source })?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_store::{SqliteStore, Store};

    fn run(pipeline: &mut Pipeline<'_>, path: &Path) -> Vec<DocumentReport> {
        let mut reports = Vec::new();
        pipeline.ingest_path(path, &Hints::default(), &mut |r| reports.push(r));
        reports
    }

    #[test]
    fn folders_json_lines_and_bad_records() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir_all(docs.join("nested")).unwrap();
        std::fs::write(
            docs.join("a.txt"),
            "A storm hit the northern coast of Norway overnight, cutting power.",
        )
        .unwrap();
        std::fs::write(
            docs.join("nested/b.md"),
            "# Storm\n\nPower was cut on the coast of Norway by the storm.",
        )
        .unwrap();
        std::fs::write(docs.join("picture.png"), [0x89, b'P', b'N', b'G', 0]).unwrap();
        std::fs::write(docs.join(".hidden.txt"), "secret").unwrap();
        std::fs::write(
            docs.join("c.jsonl"),
            "{\"id\": \"r1\", \"text\": \"Rescuers searched the rubble in Lima after the quake.\", \"url\": \"http://www.example.com/q\"}\n\nnot json\n",
        )
        .unwrap();
        let store = SqliteStore::open_dir(&dir.path().join("data")).unwrap();
        let mut pipeline = Pipeline::open(&store).unwrap();
        let reports = run(&mut pipeline, &docs);
        let sources: Vec<String> =
            reports.iter().map(|r| r.source.rsplit('/').next().unwrap().to_owned()).collect();
        assert_eq!(sources, ["a.txt", "c.jsonl:1 (r1)", "c.jsonl:3", "b.md"]);
        assert!(matches!(reports[2].outcome, Outcome::Rejected(IngestError::Extract(_))));
        let stored = store.counts().unwrap();
        assert_eq!(stored.articles, 3);
        assert_eq!(stored.outlets, 1, "the record's outlet comes from its URL host");

        let again = run(&mut pipeline, &docs);
        assert_eq!(again.iter().filter(|r| matches!(r.outcome, Outcome::Duplicate { .. })).count(), 3);
    }

    #[test]
    fn oversized_and_missing_files_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_dir(&dir.path().join("data")).unwrap();
        let mut pipeline = Pipeline::open(&store).unwrap();
        let big = dir.path().join("big.txt");
        std::fs::write(&big, vec![b'a'; MAX_DOCUMENT_BYTES + 1]).unwrap();
        let reports = run(&mut pipeline, &big);
        assert!(matches!(reports[0].outcome, Outcome::Rejected(IngestError::TooLarge { .. })));
        let reports = run(&mut pipeline, &dir.path().join("missing.txt"));
        assert!(matches!(reports[0].outcome, Outcome::Rejected(IngestError::Read { .. })));
    }
}
