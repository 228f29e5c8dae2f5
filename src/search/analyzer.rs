//! Text analysis for the search index (see the issue text).
