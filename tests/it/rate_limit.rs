//! Rate limiting, through the running server (being written).
