//! The client configuration (`GET /api/v4/config/client?format=old`): a flat map of
//! strings that the official web, desktop and mobile clients read at start.

use crate::model::StringMap;
use crate::version;

use super::Config;

/// Builds the map. Anonymous callers (the login page) get the subset needed to sign in;
/// signed-in users get the rest too. `no_accounts`: no user exists yet (the first one to
/// sign up becomes the system admin).
pub fn client_config(
    config: &Config,
    diagnostic_id: &str,
    signed_in: bool,
    no_accounts: bool,
) -> StringMap {
    let s = &config.service_settings;
    let t = &config.team_settings;
    let e = &config.email_settings;
    let p = &config.password_settings;
    let f = &config.file_settings;
    let u = &config.support_settings;
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();

    let mut map = StringMap::new();
    let mut put = |key: &str, value: String| {
        map.insert(key.to_string(), value);
    };
    put("Version", version::MATTERMOST_VERSION.into());
    put("BuildNumber", version::build_number());
    put("BuildDate", String::new());
    put("BuildHash", version::HEARTH_VERSION.into());
    put("BuildHashEnterprise", "none".into());
    put("BuildEnterpriseReady", "false".into());
    put("SiteURL", s.site_url.clone());
    put("SiteName", t.site_name.clone());
    put("DiagnosticId", diagnostic_id.into());
    put("TelemetryId", diagnostic_id.into());
    put("DiagnosticsEnabled", "false".into());
    put(
        "DefaultClientLocale",
        config.localization_settings.default_client_locale.clone(),
    );
    put(
        "AvailableLocales",
        config.localization_settings.available_locales.clone(),
    );
    put("EnableSignUpWithEmail", flag(e.enable_sign_up_with_email));
    put("EnableSignInWithEmail", flag(e.enable_sign_in_with_email));
    put(
        "EnableSignInWithUsername",
        flag(e.enable_sign_in_with_username),
    );
    put("EnableOpenServer", flag(t.enable_open_server));
    put("EnableUserCreation", flag(t.enable_user_creation));
    put("EnableLdap", "false".into());
    put("EnableSaml", "false".into());
    put("EnableSignUpWithGitLab", "false".into());
    put("EnableSignUpWithGoogle", "false".into());
    put("EnableSignUpWithOffice365", "false".into());
    put("EnableSignUpWithOpenId", "false".into());
    put(
        "EnableMultifactorAuthentication",
        flag(s.enable_multifactor_authentication),
    );
    put(
        "EnforceMultifactorAuthentication",
        flag(s.enforce_multifactor_authentication),
    );
    put("PasswordMinimumLength", p.minimum_length.to_string());
    put("PasswordRequireLowercase", flag(p.lowercase));
    put("PasswordRequireUppercase", flag(p.uppercase));
    put("PasswordRequireNumber", flag(p.number));
    put("PasswordRequireSymbol", flag(p.symbol));
    put("TermsOfServiceLink", u.terms_of_service_link.clone());
    put("PrivacyPolicyLink", u.privacy_policy_link.clone());
    put("AboutLink", u.about_link.clone());
    put("HelpLink", u.help_link.clone());
    put("ReportAProblemLink", u.report_a_problem_link.clone());
    put("SupportEmail", u.support_email.clone());
    put("EnableCustomBrand", "false".into());
    put("CustomBrandText", String::new());
    put("CustomDescriptionText", String::new());
    put("EnableBanner", "false".into());
    put("NoAccounts", flag(no_accounts));
    put("WebsocketURL", s.websocket_url.clone());
    put("WebsocketPort", "80".into());
    put("WebsocketSecurePort", "443".into());
    put("EnableDeveloper", flag(s.enable_developer));
    put("AndroidMinVersion", String::new());
    put("IosMinVersion", String::new());
    put("AndroidLatestVersion", String::new());
    put("IosLatestVersion", String::new());

    if signed_in {
        put("EnableCustomEmoji", flag(s.enable_custom_emoji));
        put("EnableEmojiPicker", flag(s.enable_emoji_picker));
        put("EnableGifPicker", "false".into());
        put("EnableFileAttachments", flag(f.enable_file_attachments));
        put("EnableMobileFileUpload", flag(f.enable_mobile_upload));
        put("EnableMobileFileDownload", flag(f.enable_mobile_download));
        put("MaxFileSize", f.max_file_size.to_string());
        put("EnablePublicLink", flag(f.enable_public_link));
        put("EnableIncomingWebhooks", flag(s.enable_incoming_webhooks));
        put("EnableOutgoingWebhooks", flag(s.enable_outgoing_webhooks));
        put("EnableCommands", flag(s.enable_commands));
        put(
            "EnablePostUsernameOverride",
            flag(s.enable_post_username_override),
        );
        put("EnablePostIconOverride", flag(s.enable_post_icon_override));
        put("EnableUserAccessTokens", flag(s.enable_user_access_tokens));
        put(
            "EnableBotAccountCreation",
            flag(s.enable_bot_account_creation),
        );
        put("EnableLinkPreviews", flag(s.enable_link_previews));
        put("EnablePermalinkPreviews", "true".into());
        put(
            "EnableUserTypingMessages",
            flag(s.enable_user_typing_messages),
        );
        put(
            "TimeBetweenUserTypingUpdatesMilliseconds",
            s.time_between_user_typing_updates_milliseconds.to_string(),
        );
        put("EnableUserStatuses", "true".into());
        put(
            "EnableCustomUserStatuses",
            flag(t.enable_custom_user_statuses),
        );
        put("EnableLastActiveTime", flag(t.enable_last_active_time));
        put("EnableChannelViewedMessages", "true".into());
        put("ExperimentalEnablePostMetadata", "true".into());
        put("CollapsedThreads", s.collapsed_threads.clone());
        put("TeammateNameDisplay", t.teammate_name_display.clone());
        put(
            "LockTeammateNameDisplay",
            flag(t.lock_teammate_name_display),
        );
        put(
            "ShowEmailAddress",
            flag(config.privacy_settings.show_email_address),
        );
        put("ShowFullName", flag(config.privacy_settings.show_full_name));
        put("RestrictDirectMessage", t.restrict_direct_message.clone());
        put(
            "EnableConfirmNotificationsToChannel",
            flag(t.enable_confirm_notifications_to_channel),
        );
        put("SendEmailNotifications", flag(e.send_email_notifications));
        put("SendPushNotifications", flag(e.send_push_notifications));
        put(
            "RequireEmailVerification",
            flag(e.require_email_verification),
        );
        put("EnableEmailBatching", flag(e.enable_email_batching));
        put(
            "EmailNotificationContentsType",
            e.email_notification_contents_type.clone(),
        );
        put("PostEditTimeLimit", s.post_edit_time_limit.to_string());
        put(
            "MaxNotificationsPerChannel",
            t.max_notifications_per_channel.to_string(),
        );
        put("EnableTutorial", flag(s.enable_tutorial));
        put("EnableOnboardingFlow", flag(s.enable_onboarding_flow));
        put(
            "ExperimentalViewArchivedChannels",
            flag(t.experimental_view_archived_channels),
        );
        put("EnableCrossTeamSearch", "true".into());
        put("EnableGuestAccounts", "false".into());
        put("EnableCompliance", "false".into());
        put("EnableCluster", "false".into());
        put("EnableMetrics", "false".into());
        put("PluginsEnabled", "false".into());
        put("EnableMarketplace", "false".into());
        put("SQLDriverName", config.sql_settings.driver_name.clone());
        put("MinimumHashtagLength", "3".into());
        put("AllowCustomThemes", "true".into());
        put("EnableThemeSelection", "true".into());
        put(
            "ExtendSessionLengthWithActivity",
            flag(s.extend_session_length_with_activity),
        );
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_callers_get_the_sign_in_subset() {
        let config = Config::default();
        let anonymous = client_config(&config, "diag", false, true);
        let signed_in = client_config(&config, "diag", true, false);
        assert_eq!(anonymous["NoAccounts"], "true");
        assert_eq!(signed_in["NoAccounts"], "false");
        assert_eq!(anonymous["SiteName"], "Hearth");
        assert_eq!(anonymous["EnableSignInWithUsername"], "true");
        assert!(!anonymous.contains_key("MaxFileSize"));
        assert_eq!(signed_in["MaxFileSize"], "104857600");
        assert_eq!(signed_in["CollapsedThreads"], "always_on");
        assert!(signed_in.len() > anonymous.len());
    }
}
