-- Hearth schema (PostgreSQL), version 5: uploaded files (Mattermost's FileInfo) and resumable upload
-- sessions. The bytes live in the file store (`FileSettings.Directory`); these rows say
-- where, who uploaded them, and which post (if any) they are attached to.

CREATE TABLE file_infos (
    id                TEXT    PRIMARY KEY,
    -- The uploader (`user_id` in the API).
    creator_id        TEXT    NOT NULL,
    -- The channel the file was uploaded to; a post may only attach files of its channel.
    channel_id        TEXT    NOT NULL,
    -- '' until a post attaches the file; set once, in the post's own transaction.
    post_id           TEXT    NOT NULL DEFAULT '',
    create_at         BIGINT  NOT NULL,
    update_at         BIGINT  NOT NULL,
    -- Set when the post is deleted; the bytes stay in the file store.
    delete_at         BIGINT  NOT NULL DEFAULT 0,
    -- Paths inside the file store, never sent to clients.
    path              TEXT    NOT NULL,
    thumbnail_path    TEXT    NOT NULL DEFAULT '',
    preview_path      TEXT    NOT NULL DEFAULT '',
    name              TEXT    NOT NULL,
    extension         TEXT    NOT NULL DEFAULT '',
    size              BIGINT  NOT NULL,
    mime_type         TEXT    NOT NULL DEFAULT '',
    width             BIGINT  NOT NULL DEFAULT 0,
    height            BIGINT  NOT NULL DEFAULT 0,
    has_preview_image BOOLEAN NOT NULL DEFAULT FALSE,
    -- A 16x16 JPEG for clients to blur while the preview loads; NULL for non-images.
    mini_preview      BYTEA
);
CREATE INDEX file_infos_post ON file_infos (post_id) WHERE post_id != '';
CREATE INDEX file_infos_channel ON file_infos (channel_id, create_at);
CREATE INDEX file_infos_creator ON file_infos (creator_id, create_at);

-- Resumable uploads (`/api/v4/uploads`): the bytes received so far are in the file
-- store's staging folder under the session id.
CREATE TABLE upload_sessions (
    id          TEXT    PRIMARY KEY,
    type        TEXT    NOT NULL DEFAULT 'attachment',
    create_at   BIGINT  NOT NULL,
    user_id     TEXT    NOT NULL,
    channel_id  TEXT    NOT NULL,
    filename    TEXT    NOT NULL,
    file_size   BIGINT  NOT NULL,
    file_offset BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX upload_sessions_user ON upload_sessions (user_id, create_at);
