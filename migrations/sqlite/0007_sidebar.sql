-- Hearth schema, version 7: sidebar categories (Mattermost's `SidebarCategories` and
-- `SidebarChannels`). A user's three default categories on a team get a row only once
-- changed; a channel placed in no category is in its default one.

CREATE TABLE sidebar_categories (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id),
    team_id      TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    sorting      TEXT    NOT NULL DEFAULT '',
    sort_order   INTEGER NOT NULL DEFAULT 0,
    muted        INTEGER NOT NULL DEFAULT 0,
    collapsed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sidebar_categories_user_team ON sidebar_categories (user_id, team_id);

-- Where the user put a channel on a team: one place per channel.
CREATE TABLE sidebar_channels (
    user_id     TEXT    NOT NULL,
    team_id     TEXT    NOT NULL,
    channel_id  TEXT    NOT NULL,
    category_id TEXT    NOT NULL,
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (user_id, team_id, channel_id)
);
CREATE INDEX sidebar_channels_category ON sidebar_channels (category_id, sort_order);
