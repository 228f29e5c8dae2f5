import {describe, expect, it} from 'vitest';
import {buildPatch, fromEnvironment, keyInMessage, labelFor, pageFields, pagesFor, restartSettings, toDraft, PAGES, type Config} from './config';

const config: Config = {
    TeamSettings: {SiteName: 'Hearth', MaxUsersPerTeam: 50, EnableOpenServer: false, BrandNewKey: 'x'},
    ServiceSettings: {SiteURL: '', PostEditTimeLimit: -1, ListenAddress: ':8065'},
    SqlSettings: {DriverName: 'sqlite3', DataSource: 'hearth.db', DataSourceReplicas: []},
    FutureSettings: {Enable: true},
};

describe('pages', () => {
    it('show the named keys the server has, and skip the ones it does not', () => {
        const site = PAGES.find((p) => p.id === 'site')!;
        const paths = pageFields(site, config).map((f) => f.path);
        expect(paths).toEqual(['TeamSettings.SiteName', 'ServiceSettings.SiteURL']);
    });
    it('put a section\'s unnamed keys on its page, labelled from the key', () => {
        const users = PAGES.find((p) => p.id === 'users_and_teams')!;
        const extra = pageFields(users, config).find((f) => f.path === 'TeamSettings.BrandNewKey');
        expect(extra?.label).toBe('Brand new key');
    });
    it('make a page for a section no page covers, and drop empty pages', () => {
        const pages = pagesFor(config);
        expect(pages.map((p) => p.id)).toContain('future_settings');
        expect(pages.find((p) => p.id === 'future_settings')?.title).toBe('Future');
        expect(pages.map((p) => p.id)).not.toContain('privacy');
    });
    it('mark every field of a read-only page read-only', () => {
        const db = PAGES.find((p) => p.id === 'database')!;
        expect(pageFields(db, config).every((f) => f.readOnly)).toBe(true);
    });
});

describe('labelFor', () => {
    it('splits PascalCase and keeps acronyms', () => {
        expect(labelFor('MaxUsersPerTeam')).toBe('Max users per team');
        expect(labelFor('EnableSMTPAuth')).toBe('Enable SMTP auth');
        expect(labelFor('SiteURL')).toBe('Site URL');
    });
});

describe('buildPatch', () => {
    it('sends only the keys that changed, as the server\'s types', () => {
        const drafts = {
            'TeamSettings.SiteName': 'Acme Chat',
            'TeamSettings.MaxUsersPerTeam': '50',
            'TeamSettings.EnableOpenServer': false,
            'ServiceSettings.PostEditTimeLimit': ' 300 ',
        };
        const r = buildPatch(config, drafts);
        expect(r.patch).toEqual({TeamSettings: {SiteName: 'Acme Chat'}, ServiceSettings: {PostEditTimeLimit: 300}});
        expect(r.changed).toEqual(['TeamSettings.SiteName', 'ServiceSettings.PostEditTimeLimit']);
        expect(r.errors).toEqual({});
    });
    it('sends nothing when the form matches the server', () => {
        const drafts = Object.fromEntries(['TeamSettings.SiteName', 'TeamSettings.MaxUsersPerTeam', 'SqlSettings.DataSourceReplicas']
            .map((p) => [p, toDraft(p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config))]));
        expect(buildPatch(config, drafts)).toEqual({patch: {}, changed: [], errors: {}});
    });
    it('refuses a number field that is not a number, and keeps the other changes', () => {
        const r = buildPatch(config, {'TeamSettings.MaxUsersPerTeam': 'lots', 'TeamSettings.EnableOpenServer': true});
        expect(r.errors).toEqual({'TeamSettings.MaxUsersPerTeam': 'Enter a number.'});
        expect(r.patch).toEqual({TeamSettings: {EnableOpenServer: true}});
        expect(buildPatch(config, {'TeamSettings.MaxUsersPerTeam': ''}).errors['TeamSettings.MaxUsersPerTeam']).toBeTruthy();
    });
    it('sends lists as arrays of trimmed items', () => {
        const r = buildPatch(config, {'SqlSettings.DataSourceReplicas': ' a, b ,, '});
        expect(r.patch).toEqual({SqlSettings: {DataSourceReplicas: ['a', 'b']}});
    });
    it('sends zero (the server decides whether it is valid)', () => {
        expect(buildPatch(config, {'TeamSettings.MaxUsersPerTeam': '0'}).patch).toEqual({TeamSettings: {MaxUsersPerTeam: 0}});
    });
});

describe('server messages', () => {
    it('name the key to mark', () => {
        const paths = ['TeamSettings.MaxUsersPerTeam', 'TeamSettings.MaxUsers', 'TeamSettings.SiteName'];
        expect(keyInMessage('Invalid configuration: TeamSettings.MaxUsersPerTeam: 0 must be greater than 0', paths)).toBe('TeamSettings.MaxUsersPerTeam');
        expect(keyInMessage('Invalid configuration: PasswordSettings.MinimumLength: 2 is not between 5 and 72', paths)).toBeUndefined();
    });
    it('environment overrides are the keys set to true', () => {
        const env = {TeamSettings: {EnableOpenServer: true}};
        expect(fromEnvironment(env, 'TeamSettings.EnableOpenServer')).toBe(true);
        expect(fromEnvironment(env, 'TeamSettings.SiteName')).toBe(false);
        expect(fromEnvironment(null, 'TeamSettings.SiteName')).toBe(false);
    });
});

describe('restartSettings', () => {
    const line = (o: Record<string, unknown>) => JSON.stringify(o);
    it('reads the restart warning that follows the last save', () => {
        const lines = [
            line({msg: 'configuration changed', action: 'patchConfig'}),
            line({msg: 'configuration saved; these settings take effect when Hearth restarts', settings: 'SqlSettings.MaxOpenConns'}),
            line({msg: 'request', path: '/api/v4/config/patch'}),
            line({msg: 'configuration changed', action: 'patchConfig'}),
            line({msg: 'configuration saved; these settings take effect when Hearth restarts', settings: 'RateLimitSettings.PerSec, RateLimitSettings.MaxBurst'}),
            'not json',
        ];
        expect(restartSettings(lines)).toEqual(['RateLimitSettings.PerSec', 'RateLimitSettings.MaxBurst']);
    });
    it('is empty when the last save needed no restart, null when there was none', () => {
        expect(restartSettings([
            line({msg: 'configuration saved; these settings take effect when Hearth restarts', settings: 'X.Y'}),
            line({msg: 'configuration changed'}),
            line({msg: 'request'}),
        ])).toEqual([]);
        expect(restartSettings([line({msg: 'request'})])).toBeNull();
    });
});
