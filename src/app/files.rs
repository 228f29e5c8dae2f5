//! Files and attachments: upload rules, permissions, thumbnails (being written).
