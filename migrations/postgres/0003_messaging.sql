-- Hearth schema (PostgreSQL), version 3: teams, channels, memberships, posts (with edit history),
-- reactions and reply threads.

CREATE TABLE teams (
    id                TEXT    PRIMARY KEY,
    create_at         BIGINT  NOT NULL,
    update_at         BIGINT  NOT NULL,
    delete_at         BIGINT  NOT NULL DEFAULT 0,
    display_name      TEXT    NOT NULL,
    name              TEXT    NOT NULL UNIQUE,
    description       TEXT    NOT NULL DEFAULT '',
    email             TEXT    NOT NULL DEFAULT '',
    type              TEXT    NOT NULL CHECK (type IN ('O', 'I')),
    company_name      TEXT    NOT NULL DEFAULT '',
    allowed_domains   TEXT    NOT NULL DEFAULT '',
    invite_id         TEXT    NOT NULL UNIQUE,
    allow_open_invite BOOLEAN NOT NULL DEFAULT FALSE,
    last_team_icon_update BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE team_members (
    team_id      TEXT    NOT NULL REFERENCES teams (id),
    user_id      TEXT    NOT NULL REFERENCES users (id),
    -- Explicit roles beyond the scheme roles below (rarely used).
    roles        TEXT    NOT NULL DEFAULT '',
    scheme_user  BOOLEAN NOT NULL DEFAULT TRUE,
    scheme_admin BOOLEAN NOT NULL DEFAULT FALSE,
    scheme_guest BOOLEAN NOT NULL DEFAULT FALSE,
    delete_at    BIGINT  NOT NULL DEFAULT 0,
    create_at    BIGINT  NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE channels (
    id                   TEXT    PRIMARY KEY,
    create_at            BIGINT  NOT NULL,
    update_at            BIGINT  NOT NULL,
    delete_at            BIGINT  NOT NULL DEFAULT 0,
    -- '' for direct and group channels.
    team_id              TEXT    NOT NULL,
    type                 TEXT    NOT NULL CHECK (type IN ('O', 'P', 'D', 'G')),
    display_name         TEXT    NOT NULL DEFAULT '',
    name                 TEXT    NOT NULL,
    header               TEXT    NOT NULL DEFAULT '',
    purpose              TEXT    NOT NULL DEFAULT '',
    last_post_at         BIGINT  NOT NULL DEFAULT 0,
    last_root_post_at    BIGINT  NOT NULL DEFAULT 0,
    total_msg_count      BIGINT  NOT NULL DEFAULT 0,
    total_msg_count_root BIGINT  NOT NULL DEFAULT 0,
    creator_id           TEXT    NOT NULL DEFAULT '',
    props                TEXT    NOT NULL DEFAULT '{}',
    extra_update_at      BIGINT  NOT NULL DEFAULT 0,
    -- Direct and group channels have no team, so their names are unique globally.
    UNIQUE (team_id, name)
);

CREATE TABLE channel_members (
    channel_id           TEXT    NOT NULL REFERENCES channels (id),
    user_id              TEXT    NOT NULL REFERENCES users (id),
    roles                TEXT    NOT NULL DEFAULT '',
    scheme_user          BOOLEAN NOT NULL DEFAULT TRUE,
    scheme_admin         BOOLEAN NOT NULL DEFAULT FALSE,
    scheme_guest         BOOLEAN NOT NULL DEFAULT FALSE,
    last_viewed_at       BIGINT  NOT NULL DEFAULT 0,
    msg_count            BIGINT  NOT NULL DEFAULT 0,
    msg_count_root       BIGINT  NOT NULL DEFAULT 0,
    mention_count        BIGINT  NOT NULL DEFAULT 0,
    mention_count_root   BIGINT  NOT NULL DEFAULT 0,
    urgent_mention_count BIGINT  NOT NULL DEFAULT 0,
    notify_props         TEXT    NOT NULL DEFAULT '{}',
    last_update_at       BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members (user_id);

CREATE TABLE posts (
    id              TEXT    PRIMARY KEY,
    create_at       BIGINT  NOT NULL,
    update_at       BIGINT  NOT NULL,
    edit_at         BIGINT  NOT NULL DEFAULT 0,
    delete_at       BIGINT  NOT NULL DEFAULT 0,
    is_pinned       BOOLEAN NOT NULL DEFAULT FALSE,
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
    has_reactions   BOOLEAN NOT NULL DEFAULT FALSE,
    reply_count     BIGINT  NOT NULL DEFAULT 0,
    last_reply_at   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX posts_channel_create ON posts (channel_id, create_at);
CREATE INDEX posts_channel_update ON posts (channel_id, update_at);
CREATE INDEX posts_root ON posts (root_id, create_at) WHERE root_id != '';
CREATE INDEX posts_original ON posts (original_id) WHERE original_id != '';
CREATE INDEX posts_pinned ON posts (channel_id) WHERE is_pinned;
-- A retried send (same client-made pending id) must find the first post, never make a second.
CREATE UNIQUE INDEX posts_pending ON posts (user_id, pending_post_id) WHERE pending_post_id != '';

CREATE TABLE reactions (
    post_id    TEXT    NOT NULL REFERENCES posts (id),
    user_id    TEXT    NOT NULL,
    emoji_name TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    create_at  BIGINT  NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji_name)
);

-- Who follows which reply thread, and how far they have read it.
CREATE TABLE thread_members (
    post_id         TEXT    NOT NULL REFERENCES posts (id),
    user_id         TEXT    NOT NULL,
    following       BOOLEAN NOT NULL DEFAULT TRUE,
    last_viewed     BIGINT  NOT NULL DEFAULT 0,
    unread_mentions BIGINT  NOT NULL DEFAULT 0,
    last_updated    BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX thread_members_user ON thread_members (user_id, last_updated);
