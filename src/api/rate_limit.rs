//! Rate limiting (being written).
