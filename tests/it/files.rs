//! Files and attachments through the running server (being written).
