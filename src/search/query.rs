//! The Mattermost search syntax (see the issue text).
