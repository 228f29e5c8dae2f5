//! The posts index: its schema, opening (or rebuilding when the schema or language
//! changed), applying batches of changes with the change-feed position they reach, and
//! running a resolved query.
//!
//! Everything here is blocking (tantivy does file I/O and fsyncs on commit): callers run
//! it on tokio's blocking pool.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, RegexQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use super::analyzer;
use super::query::Term as QueryTerm;

/// Bumped whenever the schema or the analysis changes: an index made by another version
/// is rebuilt from the database.
const SCHEMA_VERSION: u32 = 1;
/// Memory the single indexing thread may use before it flushes a segment.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// The position a commit records while a rebuild is under way: an index opened with it
/// is rebuilt again.
pub const INCOMPLETE: i64 = -1;
/// Tokenizer for hashtags: whole words, lower-cased.
const TAGS: &str = "hearth_tags";

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index is in use by another process (is the server running?)")]
    Busy,
    #[error("search index: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        match error {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => SearchError::Index(other.to_string()),
        }
    }
}

/// What a commit records besides the documents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    /// The change-feed `seq` the index reflects.
    seq: i64,
    schema: u32,
    language: String,
}

/// One post as the index sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostDoc {
    pub id: String,
    pub channel_id: String,
    pub user_id: String,
    pub root_id: String,
    pub create_at: i64,
    pub message: String,
    /// Without `#`.
    pub hashtags: Vec<String>,
    pub file_names: Vec<String>,
}

/// A change to the index.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Add or replace the post.
    Upsert(PostDoc),
    /// Remove a post, and the replies of a thread root.
    Delete(String),
}

/// Everything a search needs, already resolved by `app` (permissions, names, dates).
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub terms: Vec<QueryTerm>,
    pub excluded: Vec<QueryTerm>,
    pub hashtags: Vec<String>,
    pub excluded_hashtags: Vec<String>,
    /// The only channels results may come from (never empty: an empty set means no
    /// results, and `app` answers that without asking the index).
    pub channel_ids: Vec<String>,
    pub excluded_channel_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub excluded_user_ids: Vec<String>,
    /// `create_at` range, milliseconds, `from` inclusive, `to` exclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub or: bool,
    pub offset: usize,
    pub limit: usize,
}

/// A page of results, newest first, and how many matched in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hits {
    pub post_ids: Vec<String>,
    pub total: usize,
}

/// Index figures for the status endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub documents: u64,
    pub seq: i64,
    pub language: String,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    channel_id: Field,
    user_id: Field,
    root_id: Field,
    create_at: Field,
    message: Field,
    message_plain: Field,
    hashtags: Field,
    files: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        channel_id: builder.add_text_field("channel_id", STRING),
        user_id: builder.add_text_field("user_id", STRING),
        root_id: builder.add_text_field("root_id", STRING),
        create_at: builder.add_i64_field("create_at", INDEXED | FAST),
        message: builder.add_text_field("message", text(analyzer::STEMMED)),
        message_plain: builder.add_text_field("message_plain", text(analyzer::PLAIN)),
        hashtags: builder.add_text_field("hashtags", text(TAGS)),
        files: builder.add_text_field("files", text(analyzer::STEMMED)),
    };
    (builder.build(), fields)
}

/// The posts index in one folder.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    language: String,
    seq: AtomicI64,
    dir: PathBuf,
}

/// Whether an opened index can carry on from the feed or must be built from scratch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// Reflects the feed up to this `seq`.
    Resumed(i64),
    /// New, or made by another version or language: empty now, to be rebuilt.
    Empty,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it, or emptying it when it was made with another
    /// schema version or language.
    pub fn open(dir: &Path, language: &str) -> Result<(SearchIndex, Opened), SearchError> {
        let io = |e: std::io::Error| SearchError::Index(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema();
        let existing = Index::open_in_dir(dir).ok();
        let payload = existing
            .as_ref()
            .and_then(|index| index.load_metas().ok())
            .and_then(|metas| metas.payload)
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok());
        let usable = existing.is_some()
            && payload.as_ref().is_some_and(|p| {
                p.schema == SCHEMA_VERSION && p.language == language && p.seq != INCOMPLETE
            });
        let (index, opened) = match (existing, payload) {
            (Some(index), Some(payload)) if usable => (index, Opened::Resumed(payload.seq)),
            _ => {
                // Start over: remove whatever is there (only our files live here).
                for entry in std::fs::read_dir(dir).map_err(io)? {
                    let path = entry.map_err(io)?.path();
                    if path.is_dir() {
                        std::fs::remove_dir_all(&path).map_err(io)?;
                    } else {
                        std::fs::remove_file(&path).map_err(io)?;
                    }
                }
                (Index::create_in_dir(dir, schema)?, Opened::Empty)
            }
        };
        analyzer::register(&index, language);
        index.tokenizers().register(
            TAGS,
            TextAnalyzer::builder(tantivy::tokenizer::WhitespaceTokenizer::default())
                .filter(tantivy::tokenizer::LowerCaser)
                .build(),
        );
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let seq = match opened {
            Opened::Resumed(seq) => seq,
            Opened::Empty => 0,
        };
        Ok((
            SearchIndex {
                reader,
                writer: Mutex::new(writer),
                fields,
                language: language.to_string(),
                seq: AtomicI64::new(seq),
                dir: dir.to_path_buf(),
            },
            opened,
        ))
    }

    /// The feed position the committed index reflects.
    pub fn seq(&self) -> i64 {
        self.seq.load(Ordering::Acquire)
    }

    /// Moves the position past changes that do not touch the index, without a commit.
    pub fn pass(&self, seq: i64) {
        self.seq.fetch_max(seq, Ordering::AcqRel);
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies `ops` in order and commits them with `seq` (the feed position they bring
    /// the index to). Atomic: after a crash the index is at the previous commit.
    pub fn apply(&self, ops: &[Op], seq: i64) -> Result<(), SearchError> {
        let mut writer = self.writer();
        for op in ops {
            match op {
                Op::Upsert(post) => {
                    writer.delete_term(Term::from_field_text(self.fields.id, &post.id));
                    writer.add_document(self.document(post))?;
                }
                Op::Delete(id) => {
                    writer.delete_term(Term::from_field_text(self.fields.id, id));
                    writer.delete_term(Term::from_field_text(self.fields.root_id, id));
                }
            }
        }
        self.commit(&mut writer, seq)
    }

    /// Empties the index (the first step of a rebuild; committed with `apply`).
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Adds documents without committing (a rebuild adds many, then commits once per
    /// batch with [`SearchIndex::commit_at`]).
    pub fn add(&self, posts: &[PostDoc]) -> Result<(), SearchError> {
        let writer = self.writer();
        for post in posts {
            writer.add_document(self.document(post))?;
        }
        Ok(())
    }

    /// Commits what was added, recording `seq`.
    pub fn commit_at(&self, seq: i64) -> Result<(), SearchError> {
        let mut writer = self.writer();
        self.commit(&mut writer, seq)
    }

    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&Payload {
            seq,
            schema: SCHEMA_VERSION,
            language: self.language.clone(),
        })
        .map_err(|e| SearchError::Index(e.to_string()))?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.seq.store(seq, Ordering::Release);
        Ok(())
    }

    fn document(&self, post: &PostDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &post.id);
        doc.add_text(f.channel_id, &post.channel_id);
        doc.add_text(f.user_id, &post.user_id);
        doc.add_text(f.root_id, &post.root_id);
        doc.add_i64(f.create_at, post.create_at);
        doc.add_text(f.message, &post.message);
        doc.add_text(f.message_plain, &post.message);
        doc.add_text(f.hashtags, post.hashtags.join(" "));
        for name in &post.file_names {
            doc.add_text(f.files, name);
        }
        doc
    }

    pub fn stats(&self) -> Stats {
        Stats {
            documents: self.reader.searcher().num_docs(),
            seq: self.seq(),
            language: self.language.clone(),
        }
    }

    /// The ids of every document, sorted (for checking an index against another).
    pub fn all_ids(&self) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let total = searcher.num_docs() as usize;
        let found = searcher.search(
            &AllQuery,
            &TopDocs::with_limit(total.max(1)).order_by_score(),
        )?;
        let mut ids = Vec::with_capacity(found.len());
        for (_, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Runs a search: the matching posts' ids, newest first, one page.
    pub fn search(&self, q: &Resolved) -> Result<Hits, SearchError> {
        let query = self.build(q)?;
        let searcher = self.reader.searcher();
        let collector = (
            TopDocs::with_limit(q.limit.max(1))
                .and_offset(q.offset)
                .order_by_fast_field::<i64>("create_at", Order::Desc),
            Count,
        );
        let (found, total) = searcher.search(&query, &collector)?;
        let mut post_ids = Vec::with_capacity(found.len());
        for (_, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                post_ids.push(id.to_string());
            }
        }
        if q.limit == 0 {
            post_ids.clear();
        }
        Ok(Hits { post_ids, total })
    }

    fn build(&self, q: &Resolved) -> Result<Box<dyn Query>, SearchError> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();

        // The text: terms and hashtags, all required (or any, for an OR search).
        let mut text: Vec<Box<dyn Query>> = Vec::new();
        for term in &q.terms {
            if let Some(query) = self.term_query(term)? {
                text.push(query);
            }
        }
        for tag in &q.hashtags {
            text.push(Box::new(TermQuery::new(
                Term::from_field_text(f.hashtags, &tag.to_lowercase()),
                IndexRecordOption::Basic,
            )));
        }
        let had_text = !q.terms.is_empty() || !q.hashtags.is_empty();
        if had_text && text.is_empty() {
            // Only words the analyzer drops (punctuation, say): nothing can match.
            return Ok(Box::new(tantivy::query::EmptyQuery));
        }
        if q.or && text.len() > 1 {
            let any = text.into_iter().map(|t| (Occur::Should, t)).collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        } else {
            clauses.extend(text.into_iter().map(|t| (Occur::Must, t)));
        }
        for term in &q.excluded {
            if let Some(query) = self.term_query(term)? {
                clauses.push((Occur::MustNot, query));
            }
        }
        for tag in &q.excluded_hashtags {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.hashtags, &tag.to_lowercase()),
                    IndexRecordOption::Basic,
                )),
            ));
        }

        // Filters: where from, by whom, when.
        let set = |field: Field, values: &[String]| -> Box<dyn Query> {
            Box::new(TermSetQuery::new(
                values.iter().map(|v| Term::from_field_text(field, v)),
            ))
        };
        clauses.push((Occur::Must, set(f.channel_id, &q.channel_ids)));
        if !q.excluded_channel_ids.is_empty() {
            clauses.push((Occur::MustNot, set(f.channel_id, &q.excluded_channel_ids)));
        }
        if !q.user_ids.is_empty() {
            clauses.push((Occur::Must, set(f.user_id, &q.user_ids)));
        }
        if !q.excluded_user_ids.is_empty() {
            clauses.push((Occur::MustNot, set(f.user_id, &q.excluded_user_ids)));
        }
        if q.from.is_some() || q.to.is_some() {
            let lower = q.from.map_or(Bound::Unbounded, |t| {
                Bound::Included(Term::from_field_i64(f.create_at, t))
            });
            let upper = q.to.map_or(Bound::Unbounded, |t| {
                Bound::Excluded(Term::from_field_i64(f.create_at, t))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// One text term as a query over the message and the file names; `None` when the
    /// analyzer leaves nothing of it.
    fn term_query(&self, term: &QueryTerm) -> Result<Option<Box<dyn Query>>, SearchError> {
        let f = self.fields;
        let mut stemmed = analyzer::stemmed(&self.language);
        let query: Box<dyn Query> = match term {
            QueryTerm::Word(text) | QueryTerm::Phrase(text) => {
                // Positions keep the gap a dropped (over-long) word leaves.
                let tokens = analyzer::positioned_tokens(&mut stemmed, text);
                let on = |field: Field| -> Option<Box<dyn Query>> {
                    match tokens.len() {
                        0 => None,
                        1 => Some(Box::new(TermQuery::new(
                            Term::from_field_text(field, &tokens[0].1),
                            IndexRecordOption::WithFreqsAndPositions,
                        ))),
                        _ => Some(Box::new(PhraseQuery::new_with_offset(
                            tokens
                                .iter()
                                .map(|(at, t)| (*at, Term::from_field_text(field, t)))
                                .collect(),
                        ))),
                    }
                };
                let (Some(message), Some(files)) = (on(f.message), on(f.files)) else {
                    return Ok(None);
                };
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, message),
                    (Occur::Should, files),
                ]))
            }
            QueryTerm::Prefix(text) => {
                let mut plain = analyzer::plain();
                let tokens = analyzer::tokens(&mut plain, text);
                match tokens.len() {
                    0 => return Ok(None),
                    1 => Box::new(RegexQuery::from_pattern(
                        &format!("{}.*", regex_escape(&tokens[0])),
                        f.message_plain,
                    )?),
                    _ => Box::new(PhrasePrefixQuery::new(
                        tokens
                            .iter()
                            .map(|t| Term::from_field_text(f.message_plain, t))
                            .collect(),
                    )),
                }
            }
        };
        Ok(Some(query))
    }

    /// The words of `message` that a search for `terms` matched, as they appear in the
    /// message (for the `matches` the clients highlight).
    pub fn matched_words(&self, terms: &[QueryTerm], message: &str) -> Vec<String> {
        let mut stemmed = analyzer::stemmed(&self.language);
        let mut plain = analyzer::plain();
        let mut wanted = std::collections::HashSet::new();
        let mut prefixes = Vec::new();
        for term in terms {
            match term {
                QueryTerm::Word(t) | QueryTerm::Phrase(t) => {
                    wanted.extend(analyzer::tokens(&mut stemmed, t));
                }
                QueryTerm::Prefix(t) => {
                    if let Some(last) = analyzer::tokens(&mut plain, t).pop() {
                        prefixes.push(last);
                    }
                }
            }
        }
        let mut words = Vec::new();
        let mut stream_stemmed = stemmed.token_stream(message);
        while let Some(token) = stream_stemmed.next() {
            if wanted.contains(&token.text)
                && let Some(word) = message.get(token.offset_from..token.offset_to)
            {
                words.push(word.to_string());
            }
        }
        let mut stream_plain = plain.token_stream(message);
        while let Some(token) = stream_plain.next() {
            if prefixes.iter().any(|p| token.text.starts_with(p.as_str()))
                && let Some(word) = message.get(token.offset_from..token.offset_to)
            {
                words.push(word.to_string());
            }
        }
        words.sort();
        words.dedup();
        words
    }
}

/// Escapes regex syntax in a token used as a prefix pattern.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~\"<>@".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str, message: &str) -> PostDoc {
        PostDoc {
            id: id.into(),
            channel_id: "c".into(),
            user_id: "u".into(),
            create_at: id.len() as i64,
            message: message.into(),
            ..PostDoc::default()
        }
    }

    /// An excluded phrase over several segments, in either order (the layout in which
    /// tantivy's phrase scorer runs out in one segment before the others).
    #[test]
    fn excluded_phrases_work_across_segments() {
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2]] {
            let dir = tempfile::tempdir().unwrap();
            let (index, opened) = SearchIndex::open(dir.path(), "en").unwrap();
            assert_eq!(opened, Opened::Empty);
            let posts = [
                post("a", "press the green button to start"),
                post("bb", "the button is green now"),
                post("ccc", "another button here"),
            ];
            for (seq, &i) in order.iter().enumerate() {
                index
                    .apply(&[Op::Upsert(posts[i].clone())], seq as i64 + 1)
                    .unwrap();
            }
            let query = Resolved {
                terms: vec![QueryTerm::Word("button".into())],
                excluded: vec![QueryTerm::Phrase("green button".into())],
                channel_ids: vec!["c".into()],
                limit: 10,
                ..Resolved::default()
            };
            let hits = index.search(&query).unwrap();
            assert_eq!(hits.post_ids, ["ccc", "bb"], "order {order:?}");
            assert_eq!(index.stats().documents, 3);
            // Reopened, the index resumes at the last committed position.
            drop(index);
            let (index, opened) = SearchIndex::open(dir.path(), "en").unwrap();
            assert_eq!(opened, Opened::Resumed(3));
            assert_eq!(index.search(&query).unwrap().post_ids, ["ccc", "bb"]);
            // Another language means starting over.
            drop(index);
            let (_, opened) = SearchIndex::open(dir.path(), "de").unwrap();
            assert_eq!(opened, Opened::Empty);
        }
    }
}
