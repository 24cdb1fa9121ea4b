//! The search index: one tantivy index in `<data>/index` holding people, organizations, use
//! cases, topics and replies (`domain::search::SearchDoc`), analyzed for Arabic and English
//! (`analysis`). It is derived data: written only by the indexer from the store, opened at
//! start, and made anew — empty, for the caller to fill from the store — when it is missing,
//! unreadable or of another schema version. Its version file is written only once it is
//! filled (`mark_built`), so a process stopped halfway through a rebuild rebuilds again.

pub mod analysis;
mod expand;
mod facets;
pub mod query;

use std::{
    path::{Path, PathBuf},
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
    schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions},
};

use crate::domain::{ids::TopicId, search::SearchDoc};

/// Bumped whenever the schema or the analysis changes: an index of another version is
/// rebuilt at start.
pub const SCHEMA_VERSION: u32 = 3;
/// The file in the index directory that records its schema version.
const VERSION_FILE: &str = "p2p-schema-version";
/// The writer's memory budget (one indexing thread).
const WRITER_BYTES: usize = 50_000_000;

/// A failure of the search index.
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(String);

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        Self(e.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<tantivy::query::QueryParserError> for SearchError {
    fn from(e: tantivy::query::QueryParserError) -> Self {
        Self(e.to_string())
    }
}

pub type SearchResult<T> = Result<T, SearchError>;

/// The index's fields.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub key: Field,
    pub kind: Field,
    /// What a result shows as its title (a reply shows its topic's, which is not searched).
    pub label: Field,
    pub title: Field,
    pub title_exact: Field,
    pub body: Field,
    pub body_exact: Field,
    pub category: Field,
    pub industry: Field,
    pub city: Field,
    pub org: Field,
    /// The filter values, case-folded, as `category:…`, `industry:…`, `city:…` (the fields
    /// above keep them as written, for the facets).
    pub filters: Field,
    pub topic: Field,
    pub slug: Field,
    pub org_slug: Field,
    pub created: Field,
}

fn schema() -> (Schema, Fields) {
    let text = |analyzer: &str, stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED | FAST),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        label: b.add_text_field("label", STORED),
        title: b.add_text_field("title", text(analysis::STEMMED, false)),
        title_exact: b.add_text_field("title_exact", text(analysis::EXACT, false)),
        body: b.add_text_field("body", text(analysis::STEMMED, true)),
        body_exact: b.add_text_field("body_exact", text(analysis::EXACT, false)),
        category: b.add_text_field("category", STRING | STORED | FAST),
        industry: b.add_text_field("industry", STRING | STORED | FAST),
        city: b.add_text_field("city", STRING | STORED | FAST),
        org: b.add_text_field("org", STRING | STORED | FAST),
        filters: b.add_text_field("filters", text(analysis::KEYWORD, false)),
        topic: b.add_text_field("topic", STRING | STORED),
        slug: b.add_text_field("slug", STORED),
        org_slug: b.add_text_field("org_slug", STORED),
        created: b.add_i64_field("created", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// The index's writer and reader, its analyzers registered.
fn writer_and_reader(index: &Index) -> SearchResult<(IndexWriter, IndexReader)> {
    index.tokenizers().register(analysis::STEMMED, analysis::stemmed());
    index.tokenizers().register(analysis::EXACT, analysis::exact());
    index.tokenizers().register(analysis::KEYWORD, analysis::keyword());
    let writer = index.writer_with_num_threads(1, WRITER_BYTES)?;
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    Ok((writer, reader))
}

/// The index in `dir` if it opens whole with `schema`. Damaged segment files can make
/// tantivy panic while opening them rather than fail; that counts as unreadable too (the
/// index is derived, and is then rebuilt).
fn open_existing(dir: &Path, schema: &Schema) -> Option<(IndexWriter, IndexReader)> {
    std::panic::catch_unwind(|| {
        let index = Index::open_in_dir(dir).ok().filter(|i| i.schema() == *schema)?;
        let (writer, reader) = writer_and_reader(&index).ok()?;
        // Every segment's readers open with the searcher.
        let _ = reader.searcher().num_docs();
        Some((writer, reader))
    })
    .ok()
    .flatten()
}

/// A filter's value as the `filters` field holds it (its analyzer folds the case).
pub fn filter_value(name: &str, value: &str) -> String {
    format!("{name}:{}", value.trim())
}

/// What the indexer does to one document.
#[derive(Clone, Debug)]
pub enum Change {
    /// Adds or replaces the document with its key.
    Put(Box<SearchDoc>),
    /// Removes the document with this key.
    Delete(String),
    /// Removes a topic's replies (the topic is gone).
    DeleteRepliesOf(TopicId),
}

/// The open index.
pub struct SearchIndex {
    /// Made anew and not yet filled from the store.
    unbuilt: AtomicBool,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    dir: PathBuf,
}

impl SearchIndex {
    /// Opens the index in `dir`; when it is missing, unreadable or of another version, makes a
    /// new empty one there, which `unbuilt` then reports until `mark_built`.
    pub fn open(dir: &Path) -> SearchResult<Self> {
        let (schema, fields) = schema();
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).ok().and_then(|v| v.trim().parse().ok());
        let opened = match version {
            Some(SCHEMA_VERSION) => open_existing(dir, &schema),
            _ => None,
        };
        let ((writer, reader), fresh) = match opened {
            Some(parts) => (parts, false),
            None => {
                if dir.exists() {
                    tracing::warn!(dir = %dir.display(), found = ?version, want = SCHEMA_VERSION, "search index missing, unreadable or of another version: rebuilding");
                    std::fs::remove_dir_all(dir)?;
                }
                std::fs::create_dir_all(dir)?;
                let index = Index::create_in_dir(dir, schema)?;
                (writer_and_reader(&index)?, true)
            }
        };
        let unbuilt = AtomicBool::new(fresh);
        Ok(Self { unbuilt, reader, writer: Mutex::new(writer), fields, dir: dir.to_path_buf() })
    }

    /// Whether the index is new and not yet filled from the store.
    pub fn unbuilt(&self) -> bool {
        self.unbuilt.load(Ordering::Acquire)
    }

    /// Records that the index holds the whole store (after a rebuild's commit).
    pub fn mark_built(&self) -> SearchResult<()> {
        std::fs::write(self.dir.join(VERSION_FILE), SCHEMA_VERSION.to_string())?;
        self.unbuilt.store(false, Ordering::Release);
        Ok(())
    }

    /// The fields.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.key, &d.key);
        if let Some(kind) = d.kind {
            doc.add_text(f.kind, crate::domain::closed::ClosedSet::name(kind));
        }
        doc.add_text(f.label, &d.title);
        if d.title_searched() {
            doc.add_text(f.title, &d.title);
            doc.add_text(f.title_exact, &d.title);
        }
        doc.add_text(f.body, &d.body);
        doc.add_text(f.body_exact, &d.body);
        for (field, name, value) in
            [(f.category, "category", &d.category), (f.industry, "industry", &d.industry), (f.city, "city", &d.city)]
        {
            doc.add_text(field, value);
            doc.add_text(f.filters, filter_value(name, value));
        }
        doc.add_text(f.org, d.org.map(|o| o.to_string()).unwrap_or_default());
        if let Some(t) = d.topic {
            doc.add_text(f.topic, t.to_string());
        }
        doc.add_text(f.slug, &d.slug);
        doc.add_text(f.org_slug, &d.org_slug);
        doc.add_i64(f.created, d.created_at);
        doc
    }

    /// Applies `changes`, commits and makes them visible to searches.
    pub fn apply(&self, changes: &[Change]) -> SearchResult<()> {
        self.add(changes)?;
        self.commit()
    }

    /// Applies `changes` without committing (a rebuild commits once at the end).
    pub fn add(&self, changes: &[Change]) -> SearchResult<()> {
        let writer = self.writer.lock().map_err(|_| SearchError("writer lock poisoned".into()))?;
        for change in changes {
            match change {
                Change::Put(d) => {
                    writer.delete_term(Term::from_field_text(self.fields.key, &d.key));
                    writer.add_document(self.document(d))?;
                }
                Change::Delete(key) => {
                    writer.delete_term(Term::from_field_text(self.fields.key, key));
                }
                Change::DeleteRepliesOf(topic) => {
                    writer.delete_term(Term::from_field_text(self.fields.topic, &topic.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Commits what was added and makes it visible to searches.
    pub fn commit(&self) -> SearchResult<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError("writer lock poisoned".into()))?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild) and commits.
    pub fn clear(&self) -> SearchResult<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError("writer lock poisoned".into()))?;
        writer.delete_all_documents()?;
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the index takes on disk.
    pub fn size_bytes(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0)
    }

    /// A searcher on the latest commit.
    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }
}
