-- Hearth schema, version 3: teams, channels, memberships, posts (with edit history),
-- reactions and reply threads.

CREATE TABLE teams (
    id                TEXT    PRIMARY KEY,
    create_at         INTEGER NOT NULL,
    update_at         INTEGER NOT NULL,
    delete_at         INTEGER NOT NULL DEFAULT 0,
    display_name      TEXT    NOT NULL,
    name              TEXT    NOT NULL UNIQUE,
    description       TEXT    NOT NULL DEFAULT '',
    email             TEXT    NOT NULL DEFAULT '',
    type              TEXT    NOT NULL CHECK (type IN ('O', 'I')),
    company_name      TEXT    NOT NULL DEFAULT '',
    allowed_domains   TEXT    NOT NULL DEFAULT '',
    invite_id         TEXT    NOT NULL UNIQUE,
    allow_open_invite INTEGER NOT NULL DEFAULT 0,
    last_team_icon_update INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE team_members (
    team_id      TEXT    NOT NULL REFERENCES teams (id),
    user_id      TEXT    NOT NULL REFERENCES users (id),
    -- Explicit roles beyond the scheme roles below (rarely used).
    roles        TEXT    NOT NULL DEFAULT '',
    scheme_user  INTEGER NOT NULL DEFAULT 1,
    scheme_admin INTEGER NOT NULL DEFAULT 0,
    scheme_guest INTEGER NOT NULL DEFAULT 0,
    delete_at    INTEGER NOT NULL DEFAULT 0,
    create_at    INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE channels (
    id                   TEXT    PRIMARY KEY,
    create_at            INTEGER NOT NULL,
    update_at            INTEGER NOT NULL,
    delete_at            INTEGER NOT NULL DEFAULT 0,
    -- '' for direct and group channels.
    team_id              TEXT    NOT NULL,
    type                 TEXT    NOT NULL CHECK (type IN ('O', 'P', 'D', 'G')),
    display_name         TEXT    NOT NULL DEFAULT '',
    name                 TEXT    NOT NULL,
    header               TEXT    NOT NULL DEFAULT '',
    purpose              TEXT    NOT NULL DEFAULT '',
    last_post_at         INTEGER NOT NULL DEFAULT 0,
    last_root_post_at    INTEGER NOT NULL DEFAULT 0,
    total_msg_count      INTEGER NOT NULL DEFAULT 0,
    total_msg_count_root INTEGER NOT NULL DEFAULT 0,
    creator_id           TEXT    NOT NULL DEFAULT '',
    props                TEXT    NOT NULL DEFAULT '{}',
    extra_update_at      INTEGER NOT NULL DEFAULT 0,
    -- Direct and group channels have no team, so their names are unique globally.
    UNIQUE (team_id, name)
);

CREATE TABLE channel_members (
    channel_id           TEXT    NOT NULL REFERENCES channels (id),
    user_id              TEXT    NOT NULL REFERENCES users (id),
    roles                TEXT    NOT NULL DEFAULT '',
    scheme_user          INTEGER NOT NULL DEFAULT 1,
    scheme_admin         INTEGER NOT NULL DEFAULT 0,
    scheme_guest         INTEGER NOT NULL DEFAULT 0,
    last_viewed_at       INTEGER NOT NULL DEFAULT 0,
    msg_count            INTEGER NOT NULL DEFAULT 0,
    msg_count_root       INTEGER NOT NULL DEFAULT 0,
    mention_count        INTEGER NOT NULL DEFAULT 0,
    mention_count_root   INTEGER NOT NULL DEFAULT 0,
    urgent_mention_count INTEGER NOT NULL DEFAULT 0,
    notify_props         TEXT    NOT NULL DEFAULT '{}',
    last_update_at       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members (user_id);

CREATE TABLE posts (
    id              TEXT    PRIMARY KEY,
    create_at       INTEGER NOT NULL,
    update_at       INTEGER NOT NULL,
    edit_at         INTEGER NOT NULL DEFAULT 0,
    delete_at       INTEGER NOT NULL DEFAULT 0,
    is_pinned       INTEGER NOT NULL DEFAULT 0,
    user_id         TEXT    NOT NULL,
    channel_id      TEXT    NOT NULL REFERENCES channels (id),
    root_id         TEXT    NOT NULL DEFAULT '',
    -- For an old version kept as edit history: the id of the post it was edited from.
    original_id     TEXT    NOT NULL DEFAULT '',
    message         TEXT    NOT NULL DEFAULT '',
    type            TEXT    NOT NULL DEFAULT '',
    props           TEXT    NOT NULL DEFAULT '{}',
    hashtags        TEXT    NOT NULL DEFAULT '',
    file_ids        TEXT    NOT NULL DEFAULT '[]',
    pending_post_id TEXT    NOT NULL DEFAULT '',
    has_reactions   INTEGER NOT NULL DEFAULT 0,
    reply_count     INTEGER NOT NULL DEFAULT 0,
    last_reply_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX posts_channel_create ON posts (channel_id, create_at);
CREATE INDEX posts_channel_update ON posts (channel_id, update_at);
CREATE INDEX posts_root ON posts (root_id, create_at) WHERE root_id != '';
CREATE INDEX posts_original ON posts (original_id) WHERE original_id != '';
CREATE INDEX posts_pinned ON posts (channel_id) WHERE is_pinned = 1;
-- A retried send (same client-made pending id) must find the first post, never make a second.
CREATE UNIQUE INDEX posts_pending ON posts (user_id, pending_post_id) WHERE pending_post_id != '';

CREATE TABLE reactions (
    post_id    TEXT    NOT NULL REFERENCES posts (id),
    user_id    TEXT    NOT NULL,
    emoji_name TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    create_at  INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji_name)
);

-- Who follows which reply thread, and how far they have read it.
CREATE TABLE thread_members (
    post_id         TEXT    NOT NULL REFERENCES posts (id),
    user_id         TEXT    NOT NULL,
    following       INTEGER NOT NULL DEFAULT 1,
    last_viewed     INTEGER NOT NULL DEFAULT 0,
    unread_mentions INTEGER NOT NULL DEFAULT 0,
    last_updated    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX thread_members_user ON thread_members (user_id, last_updated);
