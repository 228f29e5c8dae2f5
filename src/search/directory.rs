//! The directory: an in-memory index of who and what can be found by name — users
//! (username, first and last name, nickname) and team channels (name and display name) —
//! for user search, @-mention and ~channel autocomplete.
//!
//! It is small (a few fields per account or channel) and cheap to build, so it lives in
//! RAM and is rebuilt from the database at every start, then kept current by the indexer
//! from the change feed. It answers one question, "whose names match these words?", with
//! ids in ranked order; who may see them is decided afterwards by `app` with the usual
//! rules and SQL filters, so a stale entry can widen or narrow a candidate list for a
//! moment but never shows anything the caller may not see.
//!
//! # Matching
//!
//! The term is cut into words by the [`analyzer::PLAIN`] analyzer (lower-cased, accents
//! folded, CJK as bigrams), after dropping Mattermost's leading `@` or `~`. A name
//! matches when **every word is the start of one of its words**, in any of its fields:
//! `ali lid` finds Alice Liddell, `tow squar` finds Town Square. Names that match that way
//! come first ([`Hit::typo`] false): ranked by how well (a whole word beats a prefix, the
//! username or channel names beat first/last/nick names), then alphabetically. Then, to
//! forgive one typo, names where a word of three or more characters is one edit away
//! (an insertion, deletion, substitution or swap of neighbours) from the start of a word
//! (four or more characters) or from a whole word (three): `alcie` finds alice.
//!
//! Direct and group channels are not here: their names are made of user ids, and clients
//! find them through the users.
//!
//! Everything here is blocking (tantivy): callers run it on tokio's blocking pool.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use tantivy::collector::TopDocs;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByString};
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use super::analyzer;
use super::index::SearchError;
use crate::model::{Channel, ChannelType, User};

/// Memory each table's indexing thread may use before it flushes (tantivy's minimum).
const WRITER_MEMORY: usize = 15_000_000;
/// Longest term looked at (characters); the rest is ignored.
const MAX_TERM_CHARS: usize = 128;
/// Most words of a term used; the rest are ignored.
const MAX_WORDS: usize = 8;
/// Words at least this long (characters) may have a typo.
const TYPO_MIN_CHARS: usize = 3;
/// Words at least this long may have a typo and still be the start of a longer word;
/// shorter ones must be one edit from a whole word (`tow` would otherwise match
/// everything starting with `to`, `ow` or `tw`).
const TYPO_PREFIX_MIN_CHARS: usize = 4;
/// Score of a word matching a primary name (username; channel name or display name), and
/// of matching a secondary one (first, last and nickname). A whole-word match scores
/// again on top of the prefix match; a typo match scores half.
const PRIMARY: f32 = 2.0;
const SECONDARY: f32 = 1.0;

/// One name found: its id, and whether it took forgiving a typo to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: String,
    pub typo: bool,
}

/// The users and channels by name. Written by one task (the indexer), read by many.
pub struct Directory {
    users: Table,
    channels: Table,
}

/// Which team channels to look among.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChannelScope<'a> {
    /// Only this team's channels (all teams' when `None`).
    pub team_id: Option<&'a str>,
    /// Archived channels too.
    pub archived: bool,
    /// Which of them a caller may be shown.
    pub visible: Visible<'a>,
}

/// A visibility filter for channels, applied in the query (not to a capped list of
/// results, which many invisible matches could fill).
#[derive(Debug, Clone, Copy, Default)]
pub enum Visible<'a> {
    #[default]
    All,
    /// Public channels, and these (the caller's own).
    PublicAnd(&'a [String]),
    /// Only these.
    Only(&'a [String]),
}

impl Directory {
    /// An empty directory.
    pub fn new() -> Result<Directory, SearchError> {
        Ok(Directory {
            users: Table::new()?,
            channels: Table::new()?,
        })
    }

    /// Replaces everything with `users` and `channels`.
    pub fn rebuild(&self, users: &[User], channels: &[Channel]) -> Result<(), SearchError> {
        self.begin_rebuild()?;
        self.add(users, channels)?;
        self.commit()
    }

    /// Starts replacing everything: until [`Directory::commit`], searches still see the
    /// old contents, and [`Directory::add`] adds (rebuilding from a database a batch at a
    /// time).
    pub fn begin_rebuild(&self) -> Result<(), SearchError> {
        self.users.with_writer(|w| Ok(w.delete_all_documents()?))?;
        self.channels
            .with_writer(|w| Ok(w.delete_all_documents()?))?;
        Ok(())
    }

    /// Adds or replaces users and channels, visible at the next commit.
    pub fn add(&self, users: &[User], channels: &[Channel]) -> Result<(), SearchError> {
        if !users.is_empty() {
            self.users.with_writer(|writer| {
                for user in users {
                    self.users
                        .replace(writer, &user.id, Some(user_entry(user)))?;
                }
                Ok(())
            })?;
        }
        if !channels.is_empty() {
            self.channels.with_writer(|writer| {
                for channel in channels {
                    self.channels
                        .replace(writer, &channel.id, channel_entry(channel))?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Makes what was added visible.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.users.commit()?;
        self.channels.commit()
    }

    /// Adds or replaces users and channels and makes them visible at once.
    pub fn update(&self, users: &[User], channels: &[Channel]) -> Result<(), SearchError> {
        self.add(users, channels)?;
        if !users.is_empty() {
            self.users.commit()?;
        }
        if !channels.is_empty() {
            self.channels.commit()?;
        }
        Ok(())
    }

    pub fn upsert_user(&self, user: &User) -> Result<(), SearchError> {
        self.update(std::slice::from_ref(user), &[])
    }

    /// Adds or replaces a public or private channel (a direct or group channel is left
    /// out).
    pub fn upsert_channel(&self, channel: &Channel) -> Result<(), SearchError> {
        self.update(&[], std::slice::from_ref(channel))
    }

    /// Users (deactivated ones too) whose names match `term`, best first, at most
    /// `limit`.
    pub fn find_users(&self, term: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let term = term.trim_start().trim_start_matches('@');
        self.users.find(term, Vec::new(), limit)
    }

    /// Public and private channels in `scope` whose names match `term`, best first, at
    /// most `limit`.
    pub fn find_channels(
        &self,
        scope: ChannelScope<'_>,
        term: &str,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let f = self.channels.fields;
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(team_id) = scope.team_id {
            filters.push((Occur::Must, exact(f.scope, team_id)));
        }
        if !scope.archived {
            filters.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_bool(f.archived, true),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let among = |ids: &[String]| -> Box<dyn Query> {
            Box::new(TermSetQuery::new(
                ids.iter().map(|id| Term::from_field_text(f.id, id)),
            ))
        };
        match scope.visible {
            Visible::All => {}
            Visible::PublicAnd(ids) => filters.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, exact(f.kind, "O")),
                    (Occur::Should, among(ids)),
                ])),
            )),
            Visible::Only(ids) => filters.push((Occur::Must, among(ids))),
        }
        let term = term.trim_start().trim_start_matches('~');
        self.channels.find(term, filters, limit)
    }

    /// Whether any channel of `team_id` is in the directory (a team just created is not:
    /// its default channels come without channel changes of their own).
    pub fn knows_team(&self, team_id: &str) -> Result<bool, SearchError> {
        let searcher = self.channels.reader.searcher();
        let query = exact(self.channels.fields.scope, team_id);
        Ok(searcher.search(&*query, &tantivy::collector::Count)? > 0)
    }

    /// Drops what was added or removed since the last commit (a rebuild that failed half
    /// way): the directory stays as it was.
    pub fn rollback(&self) -> Result<(), SearchError> {
        self.users.rollback();
        self.channels.rollback();
        Ok(())
    }

    /// How many users and channels are in the directory.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.users.reader.searcher().num_docs(),
            self.channels.reader.searcher().num_docs(),
        )
    }
}

/// What the directory keeps of a user or channel.
struct Entry {
    scope: String,
    kind: &'static str,
    archived: bool,
    primary: Vec<String>,
    secondary: Vec<String>,
    sort: String,
}

fn user_entry(user: &User) -> Entry {
    Entry {
        scope: String::new(),
        kind: "user",
        archived: user.delete_at != 0,
        primary: vec![user.username.clone()],
        secondary: vec![
            user.first_name.clone(),
            user.last_name.clone(),
            user.nickname.clone(),
        ],
        sort: user.username.to_lowercase(),
    }
}

/// `None` for direct and group channels, which the directory leaves out.
fn channel_entry(channel: &Channel) -> Option<Entry> {
    let kind = match channel.channel_type {
        ChannelType::Open => "O",
        ChannelType::Private => "P",
        ChannelType::Direct | ChannelType::Group => return None,
    };
    Some(Entry {
        scope: channel.team_id.clone(),
        kind,
        archived: channel.delete_at != 0,
        primary: vec![channel.display_name.clone(), channel.name.clone()],
        secondary: Vec::new(),
        sort: format!(
            "{}\u{0}{}",
            channel.display_name.to_lowercase(),
            channel.name
        ),
    })
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    /// The channel's team.
    scope: Field,
    /// `user`, or the channel type (`O`, `P`).
    kind: Field,
    /// Deactivated user, archived channel.
    archived: Field,
    primary: Field,
    secondary: Field,
    /// Lower-cased name for ordering equally good matches.
    sort: Field,
}

/// One in-memory index with the directory's schema.
struct Table {
    index: Index,
    reader: IndexReader,
    /// Made when a change comes and dropped at its commit: names change seldom, and a
    /// tantivy writer holds megabytes (its hash table) and two threads while it lives.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let names = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::PLAIN)
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        scope: builder.add_text_field("scope", STRING),
        kind: builder.add_text_field("kind", STRING | STORED),
        archived: builder.add_bool_field("archived", INDEXED),
        primary: builder.add_text_field("primary", names.clone()),
        secondary: builder.add_text_field("secondary", names),
        sort: builder.add_text_field("sort", STRING | FAST),
    };
    (builder.build(), fields)
}

/// A query for documents whose `field` is exactly `value`.
fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn scored(query: impl Query, score: f32) -> (Occur, Box<dyn Query>) {
    (
        Occur::Should,
        Box::new(ConstScoreQuery::new(Box::new(query), score)),
    )
}

impl Table {
    fn new() -> Result<Table, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        // Only PLAIN is used; the language matters for STEMMED alone.
        analyzer::register(&index, "none");
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Table {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
        })
    }

    /// Runs `work` with the table's writer, made if there is none.
    fn with_writer<T>(
        &self,
        work: impl FnOnce(&IndexWriter) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut slot = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let writer = match slot.take() {
            Some(writer) => writer,
            // One indexing and one merging thread: the tables are small, and the server
            // has enough threads already.
            None => self.index.writer_with_options(
                IndexWriterOptions::builder()
                    .memory_budget_per_thread(WRITER_MEMORY)
                    .num_worker_threads(1)
                    .num_merge_threads(1)
                    .build(),
            )?,
        };
        let writer = slot.insert(writer);
        work(writer)
    }

    /// Forgets what was changed since the last commit, with the writer.
    fn rollback(&self) {
        self.writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Removes the document `id` and, given an entry, adds it anew.
    fn replace(
        &self,
        writer: &IndexWriter,
        id: &str,
        entry: Option<Entry>,
    ) -> Result<(), SearchError> {
        let f = self.fields;
        writer.delete_term(Term::from_field_text(f.id, id));
        let Some(entry) = entry else {
            return Ok(());
        };
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, id);
        doc.add_text(f.scope, &entry.scope);
        doc.add_text(f.kind, entry.kind);
        doc.add_bool(f.archived, entry.archived);
        for name in &entry.primary {
            doc.add_text(f.primary, name);
        }
        for name in &entry.secondary {
            doc.add_text(f.secondary, name);
        }
        doc.add_text(f.sort, &entry.sort);
        writer.add_document(doc)?;
        Ok(())
    }

    /// Makes the changes visible and lets the writer go.
    fn commit(&self) -> Result<(), SearchError> {
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut writer) = writer {
            writer.commit()?;
            drop(writer);
            self.reader.reload()?;
        }
        Ok(())
    }

    /// The documents matching every word of `term` and `filters`: those matching as
    /// prefixes first, then those that need a typo forgiven.
    fn find(
        &self,
        term: &str,
        filters: Vec<(Occur, Box<dyn Query>)>,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let term: String = term.chars().take(MAX_TERM_CHARS).collect();
        let mut plain = analyzer::plain();
        let mut words = analyzer::tokens(&mut plain, &term);
        words.truncate(MAX_WORDS);
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let query = |typos: bool, excluded: &[Hit]| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|word| (Occur::Must, self.word_query(word, typos)))
                .collect();
            clauses.extend(filters.iter().map(|(occur, q)| (*occur, q.box_clone())));
            if !excluded.is_empty() {
                clauses.push((
                    Occur::MustNot,
                    Box::new(TermSetQuery::new(
                        excluded
                            .iter()
                            .map(|hit| Term::from_field_text(self.fields.id, &hit.id)),
                    )),
                ));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        let mut hits = self.top(&*query(false, &[]), limit, false)?;
        let typo_possible = words.iter().any(|w| w.chars().count() >= TYPO_MIN_CHARS);
        if hits.len() < limit && typo_possible {
            let more = self.top(&*query(true, &hits), limit - hits.len(), true)?;
            hits.extend(more);
        }
        Ok(hits)
    }

    /// Matches documents with a word starting with `word` in a name field (or, with
    /// `typos`, one edit away from that), scored by how well and where.
    fn word_query(&self, word: &str, typos: bool) -> Box<dyn Query> {
        let f = self.fields;
        let chars = word.chars().count();
        let mut any = Vec::new();
        for (field, weight) in [(f.primary, PRIMARY), (f.secondary, SECONDARY)] {
            let term = Term::from_field_text(field, word);
            // Distance 0 on a prefix automaton: the words that start with `word`.
            any.push(scored(
                FuzzyTermQuery::new_prefix(term.clone(), 0, true),
                weight,
            ));
            any.push(scored(
                TermQuery::new(term.clone(), IndexRecordOption::Basic),
                weight,
            ));
            if typos && chars >= TYPO_PREFIX_MIN_CHARS {
                any.push(scored(
                    FuzzyTermQuery::new_prefix(term, 1, true),
                    weight / 2.0,
                ));
            } else if typos && chars >= TYPO_MIN_CHARS {
                any.push(scored(FuzzyTermQuery::new(term, 1, true), weight / 2.0));
            }
        }
        Box::new(BooleanQuery::new(any))
    }

    /// The best `limit` matches of `query`: highest score, then by name.
    fn top(&self, query: &dyn Query, limit: usize, typo: bool) -> Result<Vec<Hit>, SearchError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let collector = TopDocs::with_limit(limit).order_by((
            (SortBySimilarityScore, Order::Desc),
            (SortByString::for_field("sort"), Order::Asc),
        ));
        let found = searcher.search(query, &collector)?;
        let mut hits = Vec::with_capacity(found.len());
        let mut seen = HashSet::new();
        for (_, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str())
                && seen.insert(id.to_string())
            {
                hits.push(Hit {
                    id: id.to_string(),
                    typo,
                });
            }
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, username: &str, first: &str, last: &str, nickname: &str) -> User {
        User {
            id: id.into(),
            username: username.into(),
            first_name: first.into(),
            last_name: last.into(),
            nickname: nickname.into(),
            ..User::default()
        }
    }

    fn channel(id: &str, team: &str, name: &str, display: &str, kind: ChannelType) -> Channel {
        Channel {
            id: id.into(),
            team_id: team.into(),
            name: name.into(),
            display_name: display.into(),
            channel_type: kind,
            ..Channel::default()
        }
    }

    fn directory() -> Directory {
        let directory = Directory::new().unwrap();
        let users = [
            user("alice", "alice", "Alice", "Liddell", "wonder"),
            user("bob", "bob", "Robert", "Smith", "bobby"),
            user("rob", "rob", "Rob", "Jones", ""),
            user("carol", "carol.king", "Carol", "King", "Tapestry"),
            user("emile", "emile", "Émile", "Zola", ""),
            user("tanaka", "tanaka", "太郎", "田中", "東京タワー"),
            user("alfred", "alfred", "Alfred", "Pennyworth", ""),
        ];
        let open = ChannelType::Open;
        let channels = [
            channel("town", "t1", "town-square", "Town Square", open),
            channel("off", "t1", "off-topic", "Off-Topic", open),
            channel(
                "secret",
                "t1",
                "secret-plans",
                "Secret Plans",
                ChannelType::Private,
            ),
            channel("town2", "t2", "town-square", "Town Square", open),
            channel("tokyo", "t1", "tokyo", "東京タワー", open),
            channel("dm", "", "alice__bob", "", ChannelType::Direct),
            channel("gm", "", "abc", "alice, bob, carol", ChannelType::Group),
        ];
        directory.rebuild(&users, &channels).unwrap();
        directory
    }

    fn users(d: &Directory, term: &str) -> Vec<String> {
        d.find_users(term, 50)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    fn channels(d: &Directory, team: Option<&str>, term: &str) -> Vec<String> {
        d.find_channels(
            ChannelScope {
                team_id: team,
                ..ChannelScope::default()
            },
            term,
            50,
        )
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
    }

    #[test]
    fn users_by_prefix_of_any_name() {
        let d = directory();
        assert_eq!(users(&d, "ali"), ["alice"]);
        assert_eq!(users(&d, "@ali"), ["alice"]);
        assert_eq!(users(&d, "  ALI"), ["alice"]);
        assert_eq!(users(&d, "lidd"), ["alice"]);
        assert_eq!(users(&d, "robert smi"), ["bob"]);
        assert_eq!(users(&d, "smith robert"), ["bob"], "words in any order");
        assert_eq!(users(&d, "carol.k"), ["carol"], "the parts of a username");
        assert_eq!(users(&d, "emi"), ["emile"]);
        assert_eq!(users(&d, "Émi"), ["emile"], "accents folded");
        assert_eq!(users(&d, "zol"), ["emile"]);
    }

    #[test]
    fn users_by_nickname() {
        let d = directory();
        assert_eq!(users(&d, "wond"), ["alice"]);
        assert_eq!(users(&d, "tapestry"), ["carol"]);
        // "bobby" is bob's nickname, and one letter from nobody else's name.
        assert_eq!(users(&d, "bobby"), ["bob"]);
    }

    #[test]
    fn best_matches_first() {
        let d = directory();
        // rob: a whole username; bob: a prefix of his first name (Robert).
        let hits = d.find_users("rob", 10).unwrap();
        assert_eq!(
            hits,
            [
                Hit {
                    id: "rob".into(),
                    typo: false
                },
                Hit {
                    id: "bob".into(),
                    typo: false
                },
            ]
        );
        // Equally good: by username.
        assert_eq!(users(&d, "al"), ["alfred", "alice"]);
        // bob exactly, then rob one letter away.
        let hits = d.find_users("bob", 10).unwrap();
        assert_eq!(hits[0].id, "bob");
        assert!(!hits[0].typo);
        assert!(hits[1..].iter().all(|h| h.typo));
        assert!(hits.iter().any(|h| h.id == "rob"));
    }

    #[test]
    fn one_typo_is_forgiven() {
        let d = directory();
        let hits = d.find_users("alcie", 10).unwrap();
        assert_eq!(
            hits,
            [Hit {
                id: "alice".into(),
                typo: true
            }]
        );
        assert_eq!(users(&d, "smiht"), ["bob"], "swapped neighbours");
        assert_eq!(users(&d, "lidell"), ["alice"], "a letter missing");
        assert_eq!(users(&d, "lidxdell"), ["alice"], "a letter too many");
        assert_eq!(
            users(&d, "alice liddxll"),
            ["alice"],
            "in one word of several"
        );
        // A typo in the start of a longer word.
        assert_eq!(users(&d, "pennyq"), ["alfred"]);
        assert_eq!(users(&d, "pennt"), ["alfred"]);
    }

    #[test]
    fn two_typos_are_too_many() {
        let d = directory();
        assert!(users(&d, "elicc").is_empty());
        assert!(users(&d, "smhti").is_empty());
        assert!(users(&d, "alice lxddxll").is_empty());
        // Short words must match exactly.
        assert!(users(&d, "xo").is_empty());
        assert!(users(&d, "bb").is_empty());
    }

    #[test]
    fn cjk_names() {
        let d = directory();
        assert_eq!(users(&d, "田中"), ["tanaka"]);
        assert_eq!(users(&d, "田"), ["tanaka"], "one character: a prefix");
        assert_eq!(users(&d, "太郎"), ["tanaka"]);
        assert_eq!(users(&d, "東京"), ["tanaka"]);
        assert_eq!(users(&d, "タワー"), ["tanaka"]);
        assert_eq!(channels(&d, Some("t1"), "東京タワ"), ["tokyo"]);
        assert!(users(&d, "大阪").is_empty());
    }

    #[test]
    fn channels_by_name_or_display_name() {
        let d = directory();
        assert_eq!(channels(&d, Some("t1"), "tow squar"), ["town"]);
        assert_eq!(channels(&d, Some("t1"), "Town Square"), ["town"]);
        assert_eq!(channels(&d, Some("t1"), "town-square"), ["town"]);
        assert_eq!(channels(&d, Some("t1"), "~off"), ["off"]);
        assert_eq!(channels(&d, Some("t1"), "plans"), ["secret"]);
        assert_eq!(channels(&d, Some("t1"), "squre"), ["town"], "one typo");
        assert_eq!(channels(&d, Some("t1"), "tonw"), ["town"], "one typo");
        assert!(channels(&d, Some("t1"), "sqxxre").is_empty());
        // Another team's channel only without a team.
        assert_eq!(channels(&d, Some("t2"), "town"), ["town2"]);
        let mut everywhere = channels(&d, None, "town");
        everywhere.sort();
        assert_eq!(everywhere, ["town", "town2"]);
        // Direct and group channels are not in the directory.
        assert!(channels(&d, None, "alice").is_empty());
        assert!(channels(&d, Some(""), "alice").is_empty());
    }

    #[test]
    fn channels_a_caller_may_see() {
        let d = directory();
        let find = |visible: Visible<'_>, term: &str| -> Vec<String> {
            let scope = ChannelScope {
                team_id: Some("t1"),
                visible,
                ..ChannelScope::default()
            };
            let mut ids: Vec<String> = d
                .find_channels(scope, term, 50)
                .unwrap()
                .into_iter()
                .map(|h| h.id)
                .collect();
            ids.sort();
            ids
        };
        let secret = ["secret".to_string()];
        let town = ["town".to_string()];
        // "s" starts square (town) and secret (private).
        assert_eq!(find(Visible::All, "s"), ["secret", "town"]);
        assert_eq!(find(Visible::PublicAnd(&[]), "s"), ["town"]);
        assert_eq!(find(Visible::PublicAnd(&secret), "s"), ["secret", "town"]);
        assert_eq!(find(Visible::Only(&secret), "s"), ["secret"]);
        assert_eq!(find(Visible::Only(&town), "secret"), Vec::<String>::new());
        assert_eq!(find(Visible::Only(&[]), "s"), Vec::<String>::new());
        // Typo matches obey it too.
        assert_eq!(
            find(Visible::PublicAnd(&[]), "secert"),
            Vec::<String>::new()
        );
        assert_eq!(find(Visible::PublicAnd(&secret), "secert"), ["secret"]);
    }

    #[test]
    fn updates_replace_entries() {
        let d = directory();
        let mut town = channel(
            "town",
            "t1",
            "town-square",
            "Town Square",
            ChannelType::Open,
        );
        town.display_name = "Village Green".into();
        d.upsert_channel(&town).unwrap();
        assert_eq!(channels(&d, Some("t1"), "village"), ["town"]);
        assert_eq!(
            channels(&d, Some("t1"), "square"),
            ["town"],
            "the URL name stayed"
        );
        town.name = "village-green".into();
        d.upsert_channel(&town).unwrap();
        assert!(channels(&d, Some("t1"), "square").is_empty());

        // Archived channels only when asked for.
        town.delete_at = 5;
        d.upsert_channel(&town).unwrap();
        assert!(channels(&d, Some("t1"), "village").is_empty());
        let archived = d
            .find_channels(
                ChannelScope {
                    team_id: Some("t1"),
                    archived: true,
                    ..ChannelScope::default()
                },
                "village",
                10,
            )
            .unwrap();
        assert_eq!(archived.len(), 1);

        // Renamed users; deactivated ones are still found (the caller filters).
        let mut alice = user("alice", "alice", "Alice", "Liddell", "wonder");
        alice.nickname = "queen".into();
        alice.delete_at = 9;
        d.upsert_user(&alice).unwrap();
        assert_eq!(users(&d, "queen"), ["alice"]);
        assert!(users(&d, "wonder").is_empty());
        assert_eq!(d.counts(), (7, 5));

        // A rebuild replaces everything.
        d.rebuild(&[user("zed", "zed", "", "", "")], &[]).unwrap();
        assert!(users(&d, "alice").is_empty());
        assert_eq!(users(&d, "zed"), ["zed"]);
        assert_eq!(d.counts(), (1, 0));
    }

    #[test]
    fn limits_and_empty_terms() {
        let d = directory();
        assert_eq!(d.find_users("a", 1).unwrap().len(), 1);
        assert!(d.find_users("a", 0).unwrap().is_empty());
        assert!(d.find_users("", 10).unwrap().is_empty());
        assert!(d.find_users("@", 10).unwrap().is_empty());
        assert!(d.find_users("?!", 10).unwrap().is_empty());
        // Only the first eight words count.
        let long = format!("alice {}", "x ".repeat(50));
        assert!(d.find_users(&long, 10).unwrap().is_empty());
        let many = format!("{}wonder", "alice ".repeat(20));
        assert_eq!(users(&d, &many), ["alice"]);
        // Regex syntax is plain text.
        assert!(d.find_users(".*", 10).unwrap().is_empty());
        assert_eq!(users(&d, "ali*"), ["alice"]);
    }
}
