//! Profile images: generated defaults and uploaded pictures (being written).
