-- Hearth schema, version 1: the change feed and installation-wide values.

-- Every change that others must hear about, written in the same transaction as the
-- change itself. AUTOINCREMENT keeps seq strictly increasing: a sequence number is never
-- handed out again once a row holding it has committed.
CREATE TABLE change_feed (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL DEFAULT '',
    team_id    TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL DEFAULT '',
    data       TEXT    NOT NULL DEFAULT '{}',
    create_at  INTEGER NOT NULL
);

-- Mattermost's Systems table: DiagnosticId, FirstServerRunTimestamp and the like.
CREATE TABLE systems (
    name  TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    value TEXT NOT NULL
);
