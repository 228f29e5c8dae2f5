-- Hearth schema, version 6: custom emoji (Mattermost's `Emoji`). The images live in the
-- file store at `emoji/{id}/image`; these rows name them.

CREATE TABLE custom_emoji (
    id         TEXT    PRIMARY KEY,
    create_at  INTEGER NOT NULL,
    update_at  INTEGER NOT NULL,
    -- Set when the emoji is deleted; the row (and the image) stay.
    delete_at  INTEGER NOT NULL DEFAULT 0,
    creator_id TEXT    NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64)
);
-- A name is taken only while its emoji is not deleted.
CREATE UNIQUE INDEX custom_emoji_name ON custom_emoji (name) WHERE delete_at = 0;
CREATE INDEX custom_emoji_created ON custom_emoji (create_at, id) WHERE delete_at = 0;
