// The System Console's configuration pages: which settings each page shows, how a value
// from `GET /api/v4/config` becomes a form value and back, and the patch of only the changed
// keys that `PUT /api/v4/config/patch` receives. Pages are generated from the configuration
// the server sends: a key a page names is shown only when the server has it, a section's keys
// no page names are shown on that section's page, and a section no page covers gets its own.

export type Config = Record<string, Record<string, unknown>>;

/** A form value: booleans stay booleans, everything else is edited as text. */
export type Draft = string | boolean;

export interface FieldDef {
    /** "Section.Key" */
    path: string;
    label?: string;
    hint?: string;
    /** A fixed set of values, shown as a menu: [value, label]. */
    options?: [string, string][];
    /** Hidden as typed (a password). */
    secret?: boolean;
    readOnly?: boolean;
}

export interface PageDef {
    id: string;
    title: string;
    /** A note shown above the settings. */
    note?: string;
    fields: FieldDef[];
    /** Sections whose keys no page names are shown here too. */
    rest?: string[];
    /** Shown, never edited. */
    readOnly?: boolean;
}

const LEVELS: [string, string][] = [['DEBUG', 'Debug'], ['INFO', 'Info'], ['WARN', 'Warning'], ['ERROR', 'Error']];

export const PAGES: PageDef[] = [
    {
        id: 'site', title: 'Site', fields: [
            {path: 'TeamSettings.SiteName', label: 'Site name', hint: 'Shown on the sign-in page, in the header and in the browser tab (at most 30 characters).'},
            {path: 'TeamSettings.CustomDescriptionText', label: 'Site description', hint: 'Shown under the site name on the sign-in page.'},
            {path: 'ServiceSettings.SiteURL', label: 'Site URL', hint: 'The address people use to reach the server, e.g. https://chat.example.com. Links use it.'},
            {path: 'LocalizationSettings.DefaultServerLocale', label: 'Default server language'},
            {path: 'LocalizationSettings.DefaultClientLocale', label: 'Default client language'},
            {path: 'LocalizationSettings.AvailableLocales', label: 'Available languages', hint: 'Comma-separated; empty: all.'},
        ], rest: ['LocalizationSettings'],
    },
    {
        id: 'users_and_teams', title: 'Users and teams', fields: [
            {path: 'TeamSettings.EnableUserCreation', label: 'Enable account creation', hint: 'Off: no new accounts, except those administrators create.'},
            {path: 'TeamSettings.EnableOpenServer', label: 'Enable open server', hint: 'Let anyone sign up without an invitation link.'},
            {path: 'TeamSettings.RestrictCreationToDomains', label: 'Restrict sign-up to e-mail domains', hint: 'Comma-separated, e.g. example.com; empty: any.'},
            {path: 'TeamSettings.MaxUsersPerTeam', label: 'Max users per team'},
            {path: 'TeamSettings.MaxChannelsPerTeam', label: 'Max channels per team'},
            {path: 'TeamSettings.RestrictDirectMessage', label: 'Enable direct messages with', options: [['any', 'Anyone on the server'], ['team', 'Members of the same team']]},
            {path: 'TeamSettings.TeammateNameDisplay', label: 'Teammate name display', options: [['username', 'Username'], ['nickname_full_name', 'Nickname, else full name'], ['full_name', 'Full name']]},
            {path: 'TeamSettings.LockTeammateNameDisplay', label: 'Lock teammate name display', hint: 'Users cannot choose how names are shown.'},
            {path: 'TeamSettings.ExperimentalViewArchivedChannels', label: 'Allow viewing archived channels', hint: 'Users can read and search archived channels.'},
            {path: 'TeamSettings.EnableCustomUserStatuses', label: 'Enable custom statuses'},
            {path: 'TeamSettings.EnableLastActiveTime', label: 'Show last active time'},
            {path: 'TeamSettings.MaxNotificationsPerChannel', label: 'Max notifications per channel', hint: 'Above this many members, @all and @channel do not notify.'},
            {path: 'TeamSettings.EnableConfirmNotificationsToChannel', label: 'Confirm @all and @channel in large channels'},
            {path: 'ServiceSettings.EnableTutorial', label: 'Enable the tutorial'},
            {path: 'ServiceSettings.EnableOnboardingFlow', label: 'Enable onboarding'},
        ], rest: ['TeamSettings'],
    },
    {
        id: 'authentication', title: 'Authentication', fields: [
            {path: 'EmailSettings.EnableSignUpWithEmail', label: 'Enable sign-up with e-mail'},
            {path: 'EmailSettings.EnableSignInWithEmail', label: 'Enable sign-in with e-mail'},
            {path: 'EmailSettings.EnableSignInWithUsername', label: 'Enable sign-in with username'},
            {path: 'PasswordSettings.MinimumLength', label: 'Minimum password length', hint: 'Between 5 and 72.'},
            {path: 'PasswordSettings.Lowercase', label: 'Require a lowercase letter'},
            {path: 'PasswordSettings.Uppercase', label: 'Require an uppercase letter'},
            {path: 'PasswordSettings.Number', label: 'Require a number'},
            {path: 'PasswordSettings.Symbol', label: 'Require a symbol'},
            {path: 'ServiceSettings.MaximumLoginAttempts', label: 'Maximum sign-in attempts', hint: 'Failed attempts before the account is locked; an administrator unlocks it by setting a new password.'},
            {path: 'ServiceSettings.EnableMultifactorAuthentication', label: 'Enable multi-factor authentication'},
            {path: 'ServiceSettings.EnforceMultifactorAuthentication', label: 'Enforce multi-factor authentication', hint: 'Everyone must set it up before using the site.'},
            {path: 'ServiceSettings.SessionLengthWebInHours', label: 'Session length for browsers (hours)'},
            {path: 'ServiceSettings.SessionLengthWebInDays', label: 'Session length for browsers (days)'},
            {path: 'ServiceSettings.SessionLengthMobileInHours', label: 'Session length for mobile apps (hours)'},
            {path: 'ServiceSettings.SessionLengthMobileInDays', label: 'Session length for mobile apps (days)'},
            {path: 'ServiceSettings.SessionIdleTimeoutInMinutes', label: 'Session idle timeout (minutes)', hint: '0: never.'},
            {path: 'ServiceSettings.ExtendSessionLengthWithActivity', label: 'Extend sessions with activity'},
            {path: 'ServiceSettings.EnableUserAccessTokens', label: 'Enable personal access tokens'},
        ], rest: ['PasswordSettings'],
    },
    {
        id: 'posts', title: 'Posts', fields: [
            {path: 'ServiceSettings.AllowEditPost', label: 'Allow editing posts'},
            {path: 'ServiceSettings.PostEditTimeLimit', label: 'Post edit time limit (seconds)', hint: '-1: no limit.'},
            {path: 'ServiceSettings.AllowDeletePost', label: 'Allow deleting posts'},
            {path: 'ServiceSettings.EnableUserTypingMessages', label: 'Show typing indicators'},
            {path: 'ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds', label: 'Time between typing updates (ms)'},
            {path: 'ServiceSettings.CollapsedThreads', label: 'Collapsed reply threads', options: [['disabled', 'Disabled'], ['default_off', 'Off by default'], ['default_on', 'On by default'], ['always_on', 'Always on']]},
            {path: 'ServiceSettings.EnableLinkPreviews', label: 'Enable link previews'},
            {path: 'ServiceSettings.EnableEmojiPicker', label: 'Enable the emoji picker'},
            {path: 'ServiceSettings.EnableCustomEmoji', label: 'Enable custom emoji'},
        ],
    },
    {
        id: 'files', title: 'Files', fields: [
            {path: 'FileSettings.EnableFileAttachments', label: 'Allow file sharing'},
            {path: 'FileSettings.MaxFileSize', label: 'Maximum file size (bytes)'},
            {path: 'FileSettings.EnablePublicLink', label: 'Enable public file links'},
            {path: 'FileSettings.EnableMobileUpload', label: 'Allow uploads from mobile apps'},
            {path: 'FileSettings.EnableMobileDownload', label: 'Allow downloads to mobile apps'},
            {path: 'FileSettings.AllowedExtensions', label: 'Allowed extensions', hint: 'Comma-separated, e.g. pdf,png,jpg; empty: any.'},
            {path: 'FileSettings.DeniedExtensions', label: 'Denied extensions', hint: 'Comma-separated, e.g. exe,bat.'},
            {path: 'FileSettings.MaxImageResolution', label: 'Largest image (pixels)'},
            {path: 'FileSettings.MaxImageDecoderConcurrency', label: 'Images decoded at once', hint: '-1: one per CPU core.'},
            {path: 'FileSettings.DriverName', label: 'File storage', readOnly: true},
            {path: 'FileSettings.Directory', label: 'Storage folder'},
        ], rest: ['FileSettings'],
    },
    {
        id: 'email', title: 'E-mail',
        note: 'Hearth does not send e-mail yet: sending (invitations, password resets, notifications) arrives in a later release. These settings are kept for then.',
        fields: [
            {path: 'EmailSettings.SendEmailNotifications', label: 'Send e-mail notifications'},
            {path: 'EmailSettings.RequireEmailVerification', label: 'Require e-mail verification'},
            {path: 'EmailSettings.FeedbackName', label: 'Notification display name'},
            {path: 'EmailSettings.FeedbackEmail', label: 'Notification from address'},
            {path: 'EmailSettings.SMTPServer', label: 'SMTP server'},
            {path: 'EmailSettings.SMTPPort', label: 'SMTP port'},
            {path: 'EmailSettings.ConnectionSecurity', label: 'Connection security', options: [['', 'None'], ['TLS', 'TLS'], ['STARTTLS', 'STARTTLS']]},
            {path: 'EmailSettings.EnableSMTPAuth', label: 'Enable SMTP authentication'},
            {path: 'EmailSettings.SMTPUsername', label: 'SMTP username'},
            {path: 'EmailSettings.SMTPPassword', label: 'SMTP password', secret: true},
            {path: 'EmailSettings.EnableEmailBatching', label: 'Enable e-mail batching'},
            {path: 'EmailSettings.EmailNotificationContentsType', label: 'Notification contents', options: [['full', 'Full message'], ['generic', 'Generic description only']]},
            {path: 'EmailSettings.SendPushNotifications', label: 'Send push notifications'},
            {path: 'EmailSettings.PushNotificationServer', label: 'Push notification server'},
        ], rest: ['EmailSettings'],
    },
    {
        id: 'rate_limiting', title: 'Rate limiting', fields: [
            {path: 'RateLimitSettings.Enable', label: 'Enable rate limiting'},
            {path: 'RateLimitSettings.PerSec', label: 'Requests per second'},
            {path: 'RateLimitSettings.MaxBurst', label: 'Maximum burst size'},
            {path: 'RateLimitSettings.MemoryStoreSize', label: 'Clients tracked'},
            {path: 'RateLimitSettings.VaryByRemoteAddr', label: 'Vary by remote address'},
            {path: 'RateLimitSettings.VaryByUser', label: 'Vary by user'},
            {path: 'RateLimitSettings.VaryByHeader', label: 'Vary by HTTP header', hint: 'E.g. X-Real-IP; empty: off.'},
        ], rest: ['RateLimitSettings'],
    },
    {
        id: 'legal_and_support', title: 'Legal and support', fields: [
            {path: 'SupportSettings.TermsOfServiceLink', label: 'Terms of service link'},
            {path: 'SupportSettings.PrivacyPolicyLink', label: 'Privacy policy link'},
            {path: 'SupportSettings.AboutLink', label: 'About link'},
            {path: 'SupportSettings.HelpLink', label: 'Help link'},
            {path: 'SupportSettings.ReportAProblemLink', label: 'Report a problem link'},
            {path: 'SupportSettings.SupportEmail', label: 'Support e-mail'},
        ], rest: ['SupportSettings'],
    },
    {
        id: 'privacy', title: 'Privacy', fields: [
            {path: 'PrivacySettings.ShowEmailAddress', label: 'Show e-mail addresses'},
            {path: 'PrivacySettings.ShowFullName', label: 'Show full names'},
        ], rest: ['PrivacySettings'],
    },
    {
        id: 'integrations', title: 'Integrations', fields: [
            {path: 'ServiceSettings.EnableIncomingWebhooks', label: 'Enable incoming webhooks'},
            {path: 'ServiceSettings.EnableOutgoingWebhooks', label: 'Enable outgoing webhooks'},
            {path: 'ServiceSettings.EnableCommands', label: 'Enable custom slash commands'},
            {path: 'ServiceSettings.EnablePostUsernameOverride', label: 'Let integrations override usernames'},
            {path: 'ServiceSettings.EnablePostIconOverride', label: 'Let integrations override profile pictures'},
            {path: 'ServiceSettings.EnableBotAccountCreation', label: 'Enable bot account creation'},
        ],
    },
    {
        id: 'web_server', title: 'Web server', fields: [
            {path: 'ServiceSettings.ListenAddress', label: 'Listen address'},
            {path: 'ServiceSettings.WebsocketURL', label: 'WebSocket URL', hint: 'Empty: the site URL.'},
            {path: 'ServiceSettings.ReadTimeout', label: 'Read timeout (seconds)'},
            {path: 'ServiceSettings.IdleTimeout', label: 'Idle timeout (seconds)'},
            {path: 'ServiceSettings.MaximumPayloadSizeBytes', label: 'Maximum request size (bytes)'},
            {path: 'ServiceSettings.MaximumURLLength', label: 'Maximum URL length'},
            {path: 'ServiceSettings.ExperimentalStrictCSRFEnforcement', label: 'Strict CSRF enforcement'},
            {path: 'ServiceSettings.EnableDeveloper', label: 'Developer mode'},
        ], rest: ['ServiceSettings'],
    },
    {
        id: 'logging', title: 'Logging', fields: [
            {path: 'LogSettings.EnableConsole', label: 'Log to the console'},
            {path: 'LogSettings.ConsoleLevel', label: 'Console log level', options: LEVELS},
            {path: 'LogSettings.ConsoleJson', label: 'Write console logs as JSON'},
        ], rest: ['LogSettings'],
    },
    {
        id: 'search', title: 'Search', fields: [
            {path: 'SearchSettings.Language', label: 'Language', hint: 'Word endings folded for matching (en, de, fr, es…), or none. Changing it rebuilds the index at the next start.'},
            {path: 'SearchSettings.IndexDir', label: 'Index folder'},
        ], rest: ['SearchSettings'],
    },
    {
        id: 'database', title: 'Database', readOnly: true,
        note: 'Database settings are shown here only; change them in config.json or the environment, then restart.',
        fields: [
            {path: 'SqlSettings.DriverName', label: 'Driver'},
            {path: 'SqlSettings.DataSource', label: 'Data source'},
            {path: 'SqlSettings.DataSourceReplicas', label: 'Read replicas'},
            {path: 'SqlSettings.MaxOpenConns', label: 'Maximum open connections'},
            {path: 'SqlSettings.QueryTimeout', label: 'Query timeout (seconds)'},
        ], rest: ['SqlSettings'],
    },
];

/** "MaxUsersPerTeam" → "Max users per team". */
export function labelFor(key: string): string {
    const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ');
    return words.map((w, i) => (i === 0 || /^[A-Z0-9]{2,}$/.test(w) ? w : w.toLowerCase())).join(' ');
}

export function getPath(config: Config, path: string): unknown {
    const [section, key] = splitPath(path);
    return config[section]?.[key];
}

function splitPath(path: string): [string, string] {
    const dot = path.indexOf('.');
    return [path.slice(0, dot), path.slice(dot + 1)];
}

function has(config: Config, path: string): boolean {
    const [section, key] = splitPath(path);
    return Boolean(config[section]) && Object.prototype.hasOwnProperty.call(config[section], key);
}

/** The pages for a configuration: the known ones with settings to show, then one per section no page covers. */
export function pagesFor(config: Config, pages: PageDef[] = PAGES): PageDef[] {
    const covered = new Set<string>();
    for (const p of pages) {
        for (const f of p.fields) {
            covered.add(splitPath(f.path)[0]);
        }
        for (const s of p.rest ?? []) {
            covered.add(s);
        }
    }
    const extra: PageDef[] = Object.keys(config).filter((s) => !covered.has(s) && isSection(config[s])).sort().map((s) => ({
        id: s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), title: labelFor(s.replace(/Settings$/, '')) || s, fields: [], rest: [s],
    }));
    return [...pages, ...extra].filter((p) => pageFields(p, config, [...pages, ...extra]).length > 0);
}

function isSection(v: unknown): boolean {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The settings a page shows: its named keys the server has, then the keys of its `rest` sections no page names. */
export function pageFields(page: PageDef, config: Config, pages: PageDef[] = PAGES): FieldDef[] {
    const named = new Set(pages.flatMap((p) => p.fields.map((f) => f.path)));
    const fields = page.fields.filter((f) => has(config, f.path));
    for (const section of page.rest ?? []) {
        for (const key of Object.keys(config[section] ?? {}).sort()) {
            const path = `${section}.${key}`;
            if (!named.has(path)) {
                fields.push({path, label: labelFor(key)});
            }
        }
    }
    return fields.map((f) => (page.readOnly ? {...f, readOnly: true} : f));
}

export type Kind = 'boolean' | 'number' | 'list' | 'string' | 'other';

export function kindOf(value: unknown): Kind {
    if (typeof value === 'boolean') {
        return 'boolean';
    }
    if (typeof value === 'number') {
        return 'number';
    }
    if (typeof value === 'string') {
        return 'string';
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        return 'list';
    }
    return 'other';
}

/** A server value as the form edits it. */
export function toDraft(value: unknown): Draft {
    switch (kindOf(value)) {
    case 'boolean':
        return value as boolean;
    case 'number':
    case 'string':
        return String(value);
    case 'list':
        return (value as string[]).join(', ');
    default:
        return JSON.stringify(value ?? null);
    }
}

/** A form value back as the server's type, or an error message. */
export function fromDraft(original: unknown, draft: Draft): {value: unknown} | {error: string} {
    switch (kindOf(original)) {
    case 'boolean':
        return {value: Boolean(draft)};
    case 'number': {
        const text = String(draft).trim();
        const n = Number(text);
        if (text === '' || !Number.isFinite(n)) {
            return {error: 'Enter a number.'};
        }
        return {value: n};
    }
    case 'list':
        return {value: String(draft).split(',').map((s) => s.trim()).filter(Boolean)};
    case 'string':
        return {value: String(draft)};
    default:
        try {
            return {value: JSON.parse(String(draft))};
        } catch {
            return {error: 'Enter valid JSON.'};
        }
    }
}

function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

export interface PatchResult {
    /** Only the changed keys, by section: the body of PUT /config/patch. */
    patch: Config;
    /** The changed keys ("Section.Key"). */
    changed: string[];
    /** Form values that cannot be sent, by key. */
    errors: Record<string, string>;
}

/** The patch that takes the configuration to the form's values (edited keys only). */
export function buildPatch(config: Config, drafts: Record<string, Draft>): PatchResult {
    const patch: Config = {};
    const changed: string[] = [];
    const errors: Record<string, string> = {};
    for (const [path, draft] of Object.entries(drafts)) {
        const original = getPath(config, path);
        const parsed = fromDraft(original, draft);
        if ('error' in parsed) {
            errors[path] = parsed.error;
            continue;
        }
        if (sameValue(parsed.value, original)) {
            continue;
        }
        const [section, key] = splitPath(path);
        patch[section] = {...(patch[section] ?? {}), [key]: parsed.value};
        changed.push(path);
    }
    return {patch, changed, errors};
}

/** The first of the keys an error message names ("… TeamSettings.MaxUsersPerTeam: 0 must be …"). */
export function keyInMessage(message: string, paths: string[]): string | undefined {
    let best: {path: string; at: number} | undefined;
    for (const path of paths) {
        const re = new RegExp(`(^|[^A-Za-z.])${path.replace(/\./g, '\\.')}(?![A-Za-z])`);
        const m = re.exec(message);
        if (m && (!best || m.index < best.at)) {
            best = {path, at: m.index};
        }
    }
    return best?.path;
}

/** Whether a key is set by an environment variable, from GET /config/environment. */
export function fromEnvironment(env: Config | null, path: string): boolean {
    return env ? getPath(env, path) === true : false;
}

const RESTART_MESSAGE = /take effect when .* restarts/i;

/**
 * The settings the last configuration save said need a restart, from the server log
 * (GET /logs, oldest line first): the warning Hearth logs right after "configuration
 * changed". An empty list when the last save needed none; null when the log shows no save.
 */
export function restartSettings(lines: string[]): string[] | null {
    const entries = lines.map((l) => {
        try {
            return JSON.parse(l) as Record<string, unknown>;
        } catch {
            return null;
        }
    });
    let last = -1;
    entries.forEach((e, i) => {
        if (e && e.msg === 'configuration changed') {
            last = i;
        }
    });
    if (last < 0) {
        return null;
    }
    for (const e of entries.slice(last + 1)) {
        if (e && typeof e.msg === 'string' && RESTART_MESSAGE.test(e.msg)) {
            return String(e.settings ?? '').split(/[\s,]+/).filter(Boolean);
        }
    }
    return [];
}
