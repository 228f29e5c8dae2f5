//! The permission engine: Mattermost's built-in roles, the permissions each grants, and
//! the one question every endpoint asks — may this caller do this? Scoped checks (team,
//! channel) take the member's roles in that scope; a system admin may do everything.

use serde::Serialize;

/// A permission, by Mattermost's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permission(pub &'static str);

impl Permission {
    pub fn name(self) -> &'static str {
        self.0
    }
}

macro_rules! permissions {
    ($($constant:ident = $name:literal,)*) => {
        $(pub const $constant: Permission = Permission($name);)*
        /// Every permission Hearth knows, for the system admin role.
        pub const ALL: &[Permission] = &[$($constant),*];
    };
}

/// Permission names, as Mattermost spells them.
pub mod perm {
    use super::Permission;

    permissions! {
        MANAGE_SYSTEM = "manage_system",
        MANAGE_ROLES = "manage_roles",
        EDIT_OTHER_USERS = "edit_other_users",
        MANAGE_OTHER_USERS = "sysconsole_write_user_management_users",
        READ_OTHER_USERS = "sysconsole_read_user_management_users",
        READ_AUDITS = "read_audits",
        RELOAD_CONFIG = "reload_config",
        GET_LOGS = "get_logs",
        READ_SITE_STATISTICS = "sysconsole_read_reporting_site_statistics",
        READ_TEAM_STATISTICS = "sysconsole_read_reporting_team_statistics",
        READ_SERVER_LOGS = "sysconsole_read_reporting_server_logs",
        READ_COMPLIANCE_DATA_RETENTION = "sysconsole_read_compliance_data_retention",
        LIST_USERS_WITHOUT_TEAM = "list_users_without_team",
        VIEW_MEMBERS = "view_members",
        CREATE_USER_ACCESS_TOKEN = "create_user_access_token",
        READ_USER_ACCESS_TOKEN = "read_user_access_token",
        REVOKE_USER_ACCESS_TOKEN = "revoke_user_access_token",
        CREATE_TEAM = "create_team",
        LIST_PUBLIC_TEAMS = "list_public_teams",
        JOIN_PUBLIC_TEAMS = "join_public_teams",
        LIST_PRIVATE_TEAMS = "list_private_teams",
        JOIN_PRIVATE_TEAMS = "join_private_teams",
        CREATE_DIRECT_CHANNEL = "create_direct_channel",
        CREATE_GROUP_CHANNEL = "create_group_channel",
        CREATE_EMOJIS = "create_emojis",
        DELETE_EMOJIS = "delete_emojis",
        DELETE_OTHERS_EMOJIS = "delete_others_emojis",
        VIEW_TEAM = "view_team",
        MANAGE_TEAM = "manage_team",
        MANAGE_TEAM_ROLES = "manage_team_roles",
        INVITE_USER = "invite_user",
        ADD_USER_TO_TEAM = "add_user_to_team",
        REMOVE_USER_FROM_TEAM = "remove_user_from_team",
        LIST_TEAM_CHANNELS = "list_team_channels",
        JOIN_PUBLIC_CHANNELS = "join_public_channels",
        READ_PUBLIC_CHANNEL = "read_public_channel",
        CREATE_PUBLIC_CHANNEL = "create_public_channel",
        CREATE_PRIVATE_CHANNEL = "create_private_channel",
        MANAGE_PUBLIC_CHANNEL_PROPERTIES = "manage_public_channel_properties",
        MANAGE_PRIVATE_CHANNEL_PROPERTIES = "manage_private_channel_properties",
        MANAGE_PUBLIC_CHANNEL_MEMBERS = "manage_public_channel_members",
        MANAGE_PRIVATE_CHANNEL_MEMBERS = "manage_private_channel_members",
        DELETE_PUBLIC_CHANNEL = "delete_public_channel",
        DELETE_PRIVATE_CHANNEL = "delete_private_channel",
        CONVERT_PUBLIC_CHANNEL_TO_PRIVATE = "convert_public_channel_to_private",
        MANAGE_CHANNEL_ROLES = "manage_channel_roles",
        READ_CHANNEL = "read_channel",
        READ_CHANNEL_CONTENT = "read_channel_content",
        CREATE_POST = "create_post",
        EDIT_POST = "edit_post",
        EDIT_OTHERS_POSTS = "edit_others_posts",
        DELETE_POST = "delete_post",
        DELETE_OTHERS_POSTS = "delete_others_posts",
        ADD_REACTION = "add_reaction",
        REMOVE_REACTION = "remove_reaction",
        REMOVE_OTHERS_REACTIONS = "remove_others_reactions",
        UPLOAD_FILE = "upload_file",
        USE_CHANNEL_MENTIONS = "use_channel_mentions",
        CREATE_POST_PUBLIC = "create_post_public",
        MANAGE_INCOMING_WEBHOOKS = "manage_incoming_webhooks",
        MANAGE_OUTGOING_WEBHOOKS = "manage_outgoing_webhooks",
        MANAGE_SLASH_COMMANDS = "manage_slash_commands",
        CREATE_BOT = "create_bot",
        GET_PUBLIC_LINK = "get_public_link",
    }
}

/// A built-in role (`model.Role`).
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub id: &'static str,
    pub name: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub permissions: Vec<&'static str>,
    pub scheme_managed: bool,
    pub built_in: bool,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
}

use perm::*;

const SYSTEM_USER: &[Permission] = &[
    CREATE_TEAM,
    LIST_PUBLIC_TEAMS,
    JOIN_PUBLIC_TEAMS,
    CREATE_DIRECT_CHANNEL,
    CREATE_GROUP_CHANNEL,
    VIEW_MEMBERS,
    CREATE_EMOJIS,
    DELETE_EMOJIS,
];
const SYSTEM_GUEST: &[Permission] = &[CREATE_DIRECT_CHANNEL, CREATE_GROUP_CHANNEL];
const SYSTEM_USER_MANAGER: &[Permission] = &[
    READ_OTHER_USERS,
    MANAGE_OTHER_USERS,
    LIST_USERS_WITHOUT_TEAM,
    READ_AUDITS,
    LIST_PRIVATE_TEAMS,
    JOIN_PRIVATE_TEAMS,
    MANAGE_TEAM_ROLES,
    MANAGE_CHANNEL_ROLES,
];
const SYSTEM_USER_ACCESS_TOKEN: &[Permission] = &[
    CREATE_USER_ACCESS_TOKEN,
    READ_USER_ACCESS_TOKEN,
    REVOKE_USER_ACCESS_TOKEN,
];
const SYSTEM_POST_ALL: &[Permission] = &[perm::CREATE_POST];
const SYSTEM_POST_ALL_PUBLIC: &[Permission] = &[CREATE_POST_PUBLIC];
const TEAM_USER: &[Permission] = &[
    VIEW_TEAM,
    LIST_TEAM_CHANNELS,
    JOIN_PUBLIC_CHANNELS,
    READ_PUBLIC_CHANNEL,
    CREATE_PUBLIC_CHANNEL,
    CREATE_PRIVATE_CHANNEL,
    INVITE_USER,
    ADD_USER_TO_TEAM,
];
const TEAM_ADMIN: &[Permission] = &[
    CREATE_POST,
    ADD_REACTION,
    MANAGE_TEAM,
    MANAGE_TEAM_ROLES,
    REMOVE_USER_FROM_TEAM,
    MANAGE_CHANNEL_ROLES,
    MANAGE_PUBLIC_CHANNEL_MEMBERS,
    MANAGE_PRIVATE_CHANNEL_MEMBERS,
    DELETE_OTHERS_POSTS,
    EDIT_OTHERS_POSTS,
    REMOVE_OTHERS_REACTIONS,
    CONVERT_PUBLIC_CHANNEL_TO_PRIVATE,
    MANAGE_INCOMING_WEBHOOKS,
    MANAGE_OUTGOING_WEBHOOKS,
    MANAGE_SLASH_COMMANDS,
];
const TEAM_GUEST: &[Permission] = &[VIEW_TEAM];
const CHANNEL_USER: &[Permission] = &[
    READ_CHANNEL,
    READ_CHANNEL_CONTENT,
    CREATE_POST,
    EDIT_POST,
    DELETE_POST,
    ADD_REACTION,
    REMOVE_REACTION,
    UPLOAD_FILE,
    GET_PUBLIC_LINK,
    USE_CHANNEL_MENTIONS,
    MANAGE_PUBLIC_CHANNEL_PROPERTIES,
    MANAGE_PRIVATE_CHANNEL_PROPERTIES,
    MANAGE_PUBLIC_CHANNEL_MEMBERS,
    MANAGE_PRIVATE_CHANNEL_MEMBERS,
    DELETE_PUBLIC_CHANNEL,
    DELETE_PRIVATE_CHANNEL,
];
const CHANNEL_ADMIN: &[Permission] = &[MANAGE_CHANNEL_ROLES];
const CHANNEL_GUEST: &[Permission] = &[
    READ_CHANNEL,
    READ_CHANNEL_CONTENT,
    CREATE_POST,
    EDIT_POST,
    ADD_REACTION,
    REMOVE_REACTION,
    UPLOAD_FILE,
    USE_CHANNEL_MENTIONS,
];

struct RoleDef {
    id: &'static str,
    name: &'static str,
    display_name: &'static str,
    description: &'static str,
    scheme_managed: bool,
    /// Permissions of this role, plus those of the roles it builds on.
    grants: &'static [&'static [Permission]],
}

const ROLES: &[RoleDef] = &[
    RoleDef {
        id: "wj3drgzdpnf54rxf5d8qd3dqne",
        name: "system_admin",
        display_name: "authentication.roles.global_admin.name",
        description: "authentication.roles.global_admin.description",
        scheme_managed: true,
        grants: &[ALL],
    },
    RoleDef {
        id: "14j8umgczgrdp95w77zuxmxfu9",
        name: "system_user",
        display_name: "authentication.roles.global_user.name",
        description: "authentication.roles.global_user.description",
        scheme_managed: true,
        grants: &[SYSTEM_USER],
    },
    RoleDef {
        id: "ih1r84kij94nrwis97rft6rduh",
        name: "system_guest",
        display_name: "authentication.roles.global_guest.name",
        description: "authentication.roles.global_guest.description",
        scheme_managed: true,
        grants: &[SYSTEM_GUEST],
    },
    RoleDef {
        id: "1asb7sk89dp1ex339fkh3te5t4",
        name: "system_user_manager",
        display_name: "authentication.roles.system_user_manager.name",
        description: "authentication.roles.system_user_manager.description",
        scheme_managed: false,
        grants: &[SYSTEM_USER_MANAGER],
    },
    RoleDef {
        id: "hmyjmj68dw6gdxctnghbrhwcth",
        name: "system_user_access_token",
        display_name: "authentication.roles.system_user_access_token.name",
        description: "authentication.roles.system_user_access_token.description",
        scheme_managed: false,
        grants: &[SYSTEM_USER_ACCESS_TOKEN],
    },
    RoleDef {
        id: "6xoche483hwrx5rpu8jzjoe7qg",
        name: "system_post_all",
        display_name: "authentication.roles.system_post_all.name",
        description: "authentication.roles.system_post_all.description",
        scheme_managed: false,
        grants: &[SYSTEM_POST_ALL],
    },
    RoleDef {
        id: "39kqk53i4cswfzbi7hbai1r8qg",
        name: "system_post_all_public",
        display_name: "authentication.roles.system_post_all_public.name",
        description: "authentication.roles.system_post_all_public.description",
        scheme_managed: false,
        grants: &[SYSTEM_POST_ALL_PUBLIC],
    },
    RoleDef {
        id: "saqjfmjqqy9mo1yj4zwed73333",
        name: "team_admin",
        display_name: "authentication.roles.team_admin.name",
        description: "authentication.roles.team_admin.description",
        scheme_managed: true,
        grants: &[TEAM_USER, TEAM_ADMIN],
    },
    RoleDef {
        id: "g63dcrphk8idgyjgzbrpajosz6",
        name: "team_user",
        display_name: "authentication.roles.team_user.name",
        description: "authentication.roles.team_user.description",
        scheme_managed: true,
        grants: &[TEAM_USER],
    },
    RoleDef {
        id: "889766ufjgio6kbpzjbufozksq",
        name: "team_guest",
        display_name: "authentication.roles.team_guest.name",
        description: "authentication.roles.team_guest.description",
        scheme_managed: true,
        grants: &[TEAM_GUEST],
    },
    RoleDef {
        id: "iqcx3qc9sbbt6ocshszfqgq6ci",
        name: "channel_admin",
        display_name: "authentication.roles.channel_admin.name",
        description: "authentication.roles.channel_admin.description",
        scheme_managed: true,
        grants: &[CHANNEL_USER, CHANNEL_ADMIN],
    },
    RoleDef {
        id: "p6y6sf8ac6m5if373fkkebj7j6",
        name: "channel_user",
        display_name: "authentication.roles.channel_user.name",
        description: "authentication.roles.channel_user.description",
        scheme_managed: true,
        grants: &[CHANNEL_USER],
    },
    RoleDef {
        id: "sjebyge5cpbop1xwo4eds74ejb",
        name: "channel_guest",
        display_name: "authentication.roles.channel_guest.name",
        description: "authentication.roles.channel_guest.description",
        scheme_managed: true,
        grants: &[CHANNEL_GUEST],
    },
];

impl RoleDef {
    fn grants(&self, permission: Permission) -> bool {
        self.grants.iter().any(|set| set.contains(&permission))
    }

    fn to_role(&self) -> Role {
        let mut permissions: Vec<&'static str> = self
            .grants
            .iter()
            .flat_map(|set| set.iter().map(|p| p.name()))
            .collect();
        permissions.sort_unstable();
        permissions.dedup();
        Role {
            id: self.id,
            name: self.name,
            display_name: self.display_name,
            description: self.description,
            permissions,
            scheme_managed: self.scheme_managed,
            built_in: true,
            create_at: 0,
            update_at: 0,
            delete_at: 0,
        }
    }
}

/// The built-in role named `name`.
pub fn role_by_name(name: &str) -> Option<Role> {
    ROLES.iter().find(|r| r.name == name).map(RoleDef::to_role)
}

/// Every built-in role.
pub fn all_roles() -> Vec<Role> {
    ROLES.iter().map(RoleDef::to_role).collect()
}

/// The built-in role with id `id`.
pub fn role_by_id(id: &str) -> Option<Role> {
    ROLES.iter().find(|r| r.id == id).map(RoleDef::to_role)
}

/// Whether `name` is a known role.
pub fn is_role(name: &str) -> bool {
    ROLES.iter().any(|r| r.name == name)
}

/// Whether any of the space-separated `roles` grants `permission`.
pub fn roles_grant(roles: &str, permission: Permission) -> bool {
    roles
        .split_whitespace()
        .filter_map(|name| ROLES.iter().find(|r| r.name == name))
        .any(|role| role.grants(permission))
}

/// Whether `roles` (space-separated) include `role`.
pub fn has_role(roles: &str, role: &str) -> bool {
    roles.split_whitespace().any(|r| r == role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_admin_may_do_everything_users_less() {
        assert!(roles_grant("system_admin system_user", MANAGE_SYSTEM));
        assert!(roles_grant("system_user", CREATE_TEAM));
        assert!(!roles_grant("system_user", MANAGE_SYSTEM));
        assert!(!roles_grant("system_guest", CREATE_TEAM));
        assert!(
            roles_grant("team_admin", VIEW_TEAM),
            "team admins are team users too"
        );
        assert!(!roles_grant("nonsense", VIEW_TEAM));
    }

    #[test]
    fn roles_serialise_with_ids_and_sorted_permissions() {
        let role = role_by_name("channel_guest").unwrap();
        assert_eq!(role.id.len(), 26);
        assert!(role.permissions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(role_by_id(role.id).unwrap().name, "channel_guest");
        let ids: std::collections::HashSet<_> = ROLES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), ROLES.len());
    }
}
