-- Hearth schema (PostgreSQL), version 1: the change feed and installation-wide values.

-- Every change that others must hear about, written in the same transaction as the
-- change itself. An identity column: a sequence number is never handed out twice. Writers insert
-- their feed rows while holding a transaction-level advisory lock (see
-- src/store/postgres/mod.rs), so rows also commit in seq order and a follower reading
-- "seq > last" never skips one that commits late.
CREATE TABLE change_feed (
    seq        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL DEFAULT '',
    team_id    TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL DEFAULT '',
    data       TEXT    NOT NULL DEFAULT '{}',
    create_at  BIGINT  NOT NULL
);

-- Mattermost's Systems table: DiagnosticId, FirstServerRunTimestamp and the like.
CREATE TABLE systems (
    name  TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    value TEXT NOT NULL
);
