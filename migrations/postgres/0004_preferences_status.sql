-- Hearth schema (PostgreSQL), version 4: user preferences, presence statuses and custom statuses.

CREATE TABLE preferences (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    -- May be empty (e.g. the theme for all teams).
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (user_id, category, name),
    CHECK (length(category) BETWEEN 1 AND 32),
    CHECK (length(name) <= 32)
);

-- One row per user seen since this schema; users without a row are offline.
CREATE TABLE statuses (
    user_id          TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL CHECK (status IN ('online', 'away', 'dnd', 'offline', 'ooo')),
    -- 1 when the user (or an admin) chose the status; activity does not change it then.
    manual           BOOLEAN NOT NULL DEFAULT FALSE,
    last_activity_at BIGINT  NOT NULL DEFAULT 0,
    -- When DND ends, in Unix seconds as in Mattermost (not milliseconds); 0: no end.
    dnd_end_time     BIGINT  NOT NULL DEFAULT 0
);

-- Mattermost keeps this as JSON in the user's props (`customStatus`); here it has its own
-- table. expires_at is RFC 3339 text as the client sent it, or Go's zero time for none.
CREATE TABLE custom_statuses (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    emoji      TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    duration   TEXT    NOT NULL DEFAULT '',
    expires_at TEXT    NOT NULL,
    update_at  BIGINT  NOT NULL
);
