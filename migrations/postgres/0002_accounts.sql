-- Hearth schema (PostgreSQL), version 2: accounts, sessions, personal access tokens, audit log.

CREATE TABLE users (
    id                   TEXT    PRIMARY KEY,
    create_at            BIGINT  NOT NULL,
    update_at            BIGINT  NOT NULL,
    delete_at            BIGINT  NOT NULL DEFAULT 0,
    username             TEXT    NOT NULL UNIQUE,
    -- Stored lower-cased by the application; unique regardless of case.
    email                TEXT    NOT NULL UNIQUE,
    email_verified       BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash        TEXT    NOT NULL DEFAULT '',
    auth_service         TEXT    NOT NULL DEFAULT '',
    auth_data            TEXT,
    nickname             TEXT    NOT NULL DEFAULT '',
    first_name           TEXT    NOT NULL DEFAULT '',
    last_name            TEXT    NOT NULL DEFAULT '',
    position             TEXT    NOT NULL DEFAULT '',
    roles                TEXT    NOT NULL DEFAULT 'system_user',
    allow_marketing      BOOLEAN NOT NULL DEFAULT FALSE,
    props                TEXT    NOT NULL DEFAULT '{}',
    notify_props         TEXT    NOT NULL DEFAULT '{}',
    timezone             TEXT    NOT NULL DEFAULT '{}',
    locale               TEXT    NOT NULL DEFAULT 'en',
    last_password_update BIGINT  NOT NULL DEFAULT 0,
    last_picture_update  BIGINT  NOT NULL DEFAULT 0,
    failed_attempts      BIGINT  NOT NULL DEFAULT 0,
    mfa_active           BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_secret           TEXT    NOT NULL DEFAULT '',
    -- The TOTP time step of the last code accepted, so a code cannot be used twice.
    mfa_last_step        BIGINT  NOT NULL DEFAULT 0,
    last_activity_at     BIGINT  NOT NULL DEFAULT 0,
    last_login           BIGINT  NOT NULL DEFAULT 0,
    is_bot               BOOLEAN NOT NULL DEFAULT FALSE,
    bot_description      TEXT    NOT NULL DEFAULT '',
    disable_welcome_email BOOLEAN NOT NULL DEFAULT FALSE,
    -- A custom profile picture (PNG, 128x128), or NULL for the generated default.
    picture              BYTEA,
    CHECK (length(username) BETWEEN 1 AND 64),
    CHECK (length(email) BETWEEN 1 AND 128)
);
CREATE INDEX users_delete_at ON users (delete_at);
CREATE INDEX users_first_name ON users (first_name);
CREATE INDEX users_last_name ON users (last_name);

CREATE TABLE sessions (
    id               TEXT    PRIMARY KEY,
    token            TEXT    NOT NULL UNIQUE,
    create_at        BIGINT  NOT NULL,
    expires_at       BIGINT  NOT NULL,
    last_activity_at BIGINT  NOT NULL,
    user_id          TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id        TEXT    NOT NULL DEFAULT '',
    roles            TEXT    NOT NULL DEFAULT '',
    is_oauth         BOOLEAN NOT NULL DEFAULT FALSE,
    props            TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE user_access_tokens (
    id          TEXT    PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    description TEXT    NOT NULL DEFAULT '',
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    create_at   BIGINT  NOT NULL
);
CREATE INDEX user_access_tokens_user ON user_access_tokens (user_id);

CREATE TABLE audits (
    id         TEXT    PRIMARY KEY,
    create_at  BIGINT  NOT NULL,
    user_id    TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    extra_info TEXT    NOT NULL DEFAULT '',
    ip_address TEXT    NOT NULL DEFAULT '',
    session_id TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audits_user ON audits (user_id, create_at);
CREATE INDEX audits_create_at ON audits (create_at);
