//! The `hearth` binary: parse the command line and hand off.

use clap::Parser;

/// jemalloc rather than the system allocator: glibc's keeps memory freed by short-lived
/// large allocations (argon2's 19 MiB per login, the search index's per-commit arenas) in
/// per-thread arenas, so 20,000 posts left 290 MB resident for a 42 MB heap; jemalloc
/// returns it within seconds (about 40 MB after the same load). mimalloc was tried too:
/// it returned the memory but doubled the idle size. jemalloc's background thread (the
/// `background_threads` feature) does the returning, so an idle server also drops back
/// to its working set instead of keeping what the last burst touched.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    hearth::cli::run(hearth::cli::Cli::parse())
}
