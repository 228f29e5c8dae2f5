//! Benchmark of the search index itself (in process, no HTTP): how fast posts are indexed,
//! and how long queries take over a large index.
//!
//! ```text
//! cargo bench --bench search                      # 1,000,000 posts, 300 queries per kind
//! cargo bench --bench search -- --posts 200000 --queries 500
//! ```
//!
//! The posts are synthetic but shaped like chat: 4–24 words each drawn from a 20,000-word
//! vocabulary with a Zipf-like skew (a few words very common, most rare), 500 channels,
//! 2,000 authors, a hashtag now and then, times spread over a year. Indexing goes through
//! `SearchIndex::add` in batches of 10,000 with a commit per batch (as a rebuild does).
//! Queries then run against that index with the same permission filter the server
//! applies — a searcher who belongs to 60 of the channels — for four kinds:
//! - `single-term`: one word of middling frequency;
//! - `phrase`: two words that follow each other in some posts;
//! - `filtered`: a word plus `from:` one of 50 authors and a 30-day window;
//! - `prefix`: the first four letters of a word, `word*`.
//!
//! Each kind prints p50/p95/p99/max latency and how many posts matched on average.
//! Results are recorded in docs/BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use hearth::search::index::{PostDoc, Resolved, SearchIndex};
use hearth::search::query::Term;

const VOCABULARY: usize = 20_000;
const CHANNELS: usize = 500;
const AUTHORS: usize = 2_000;
const MEMBER_OF: usize = 60;
const BATCH: usize = 10_000;
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
const START_MS: i64 = 1_750_000_000_000;

/// A small deterministic generator (no dependency; the same posts every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Word ranks skewed towards the common ones: rank ≈ N^u for uniform u.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
    }
}

/// Pronounceable, distinct pseudo-words: "word" number `i`.
fn word(i: usize) -> String {
    const CONSONANTS: &[u8] = b"bcdfghjklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    let mut n = i + 1;
    let mut out = String::new();
    while n > 0 {
        out.push(CONSONANTS[n % CONSONANTS.len()] as char);
        n /= CONSONANTS.len();
        out.push(VOWELS[n % VOWELS.len()] as char);
        n /= VOWELS.len();
    }
    out
}

fn id(prefix: char, n: usize) -> String {
    format!("{prefix}{n:025}")
}

struct Options {
    posts: usize,
    queries: usize,
}

fn options() -> Options {
    let mut options = Options {
        posts: 1_000_000,
        queries: 300,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse().ok());
        match (args[i].as_str(), value) {
            ("--posts", Some(n)) => options.posts = n,
            ("--queries", Some(n)) => options.queries = n,
            ("--bench", _) => {
                i += 1;
                continue;
            }
            ("-h" | "--help", _) => {
                println!("usage: cargo bench --bench search -- [--posts N] [--queries N]");
                std::process::exit(0);
            }
            (other, _) => {
                eprintln!("unknown option {other}; see --help");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    options
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn main() {
    let options = options();
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(&dir.path().join("index"), "en").unwrap();
    let words: Vec<String> = (0..VOCABULARY).map(word).collect();
    let mut rng = Lcg(42);

    println!(
        "search index benchmark: {} posts, {} queries per kind, vocabulary {VOCABULARY}, {CHANNELS} channels, {AUTHORS} authors",
        options.posts, options.queries
    );
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut bytes = 0usize;
    for n in 0..options.posts {
        let length = 4 + rng.below(21);
        let mut message = String::new();
        for i in 0..length {
            if i > 0 {
                message.push(' ');
            }
            message.push_str(&words[rng.zipf(VOCABULARY)]);
        }
        let hashtags = if rng.below(20) == 0 {
            let tag = format!("tag{}", rng.below(200));
            message.push_str(&format!(" #{tag}"));
            vec![tag]
        } else {
            Vec::new()
        };
        bytes += message.len();
        batch.push(PostDoc {
            id: id('p', n),
            channel_id: id('c', rng.below(CHANNELS)),
            user_id: id('u', rng.below(AUTHORS)),
            root_id: String::new(),
            create_at: START_MS + (n as i64 * YEAR_MS / options.posts.max(1) as i64),
            message,
            hashtags,
            file_names: Vec::new(),
        });
        if batch.len() == BATCH || n + 1 == options.posts {
            index.add(&batch).unwrap();
            index.commit_at(n as i64).unwrap();
            batch.clear();
        }
    }
    let took = started.elapsed();
    let on_disk: u64 = std::fs::read_dir(dir.path().join("index"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "indexed {} posts ({:.0} MB of text) in {:.1} s: {:.0} posts/s; index on disk {:.0} MB",
        options.posts,
        bytes as f64 / 1e6,
        took.as_secs_f64(),
        options.posts as f64 / took.as_secs_f64(),
        on_disk as f64 / 1e6
    );

    // The searcher belongs to MEMBER_OF channels.
    let channels: Vec<String> = (0..MEMBER_OF)
        .map(|i| id('c', i * (CHANNELS / MEMBER_OF)))
        .collect();
    let base = Resolved {
        channel_ids: channels,
        limit: 60,
        ..Resolved::default()
    };
    // Middling words: ranks 200–2,000 of the skewed vocabulary.
    let middling = |rng: &mut Lcg| words[200 + rng.below(1800)].clone();

    println!("| kind | p50 | p95 | p99 | max | matches (mean) |");
    println!("|---|---|---|---|---|---|");
    for kind in ["single-term", "phrase", "filtered", "prefix"] {
        let mut rng = Lcg(7);
        let mut times = Vec::with_capacity(options.queries);
        let mut matches = 0usize;
        for _ in 0..options.queries {
            let mut q = base.clone();
            match kind {
                "single-term" => q.terms = vec![Term::Word(middling(&mut rng))],
                "phrase" => {
                    // Two common words: they follow each other in many posts.
                    let a = words[rng.below(30)].clone();
                    let b = words[rng.below(30)].clone();
                    q.terms = vec![Term::Phrase(format!("{a} {b}"))];
                }
                "filtered" => {
                    q.terms = vec![Term::Word(words[rng.below(100)].clone())];
                    q.user_ids = (0..50).map(|_| id('u', rng.below(AUTHORS))).collect();
                    let from = START_MS + rng.below(330) as i64 * 24 * 3600 * 1000;
                    q.from = Some(from);
                    q.to = Some(from + 30 * 24 * 3600 * 1000);
                }
                _ => {
                    let w = middling(&mut rng);
                    let cut: String = w.chars().take(4).collect();
                    q.terms = vec![Term::Prefix(cut)];
                }
            }
            let t = Instant::now();
            let hits = index.search(&q).unwrap();
            times.push(t.elapsed());
            matches += hits.total;
        }
        times.sort();
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        println!(
            "| {kind} | {} | {} | {} | {} | {} |",
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.95)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap()),
            matches / options.queries.max(1)
        );
    }
}
