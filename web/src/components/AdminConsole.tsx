// The System Console for system admins (loaded on demand): a left navigation of sections —
// reporting (site statistics, server logs), user management (users, teams, channels) and
// the configuration pages generated from GET /api/v4/config.

import {useCallback, useEffect, useMemo, useState} from 'react';
import type {Channel} from '@mattermost/types/channels';
import type {Team, TeamStats} from '@mattermost/types/teams';
import {apiRequest, client, errorMessage, isMissingEndpoint} from '../api';
import {navigate} from '../router';
import {useAppState} from '../store';
import {PAGES, pagesFor, type Config} from '../lib/config';
import {newestFirst, type LogEntry} from '../lib/logs';
import {ConfigPage} from './AdminConfig';
import {AdminUsers} from './AdminUsers';

const REPORTING: [string, string][] = [['stats', 'Site statistics'], ['logs', 'Server logs']];
const USER_MANAGEMENT: [string, string][] = [['users', 'Users'], ['teams', 'Teams'], ['channels', 'Channels']];

export function AdminConsole({section}: {section: string}) {
    const siteName = useAppState((s) => s.config.SiteName) || 'Hearth';
    const [config, setConfig] = useState<Config | null>(null);
    const [env, setEnv] = useState<Config | null>(null);
    const [configError, setConfigError] = useState('');
    const loadConfig = useCallback(() => {
        Promise.all([client.getConfig(), client.getEnvironmentConfig().catch(() => ({}))]).then(([c, e]) => {
            setConfig(c as unknown as Config);
            setEnv(e as unknown as Config);
            setConfigError('');
        }).catch((e) => setConfigError(errorMessage(e)));
    }, []);
    useEffect(loadConfig, [loadConfig]);
    const pages = useMemo(() => (config ? pagesFor(config) : PAGES), [config]);
    const configPages: [string, string][] = pages.map((p) => [`config/${p.id}`, p.title]);
    const groups: [string, [string, string][]][] = [['Reporting', REPORTING], ['User management', USER_MANAGEMENT], ['Configuration', configPages]];
    const all = groups.flatMap(([, items]) => items);
    const title = all.find(([id]) => id === section)?.[1] ?? 'System Console';
    useEffect(() => {
        document.title = `${title} - System Console - ${siteName}`;
    }, [title, siteName]);

    let body;
    if (section.startsWith('config/')) {
        const page = pages.find((p) => `config/${p.id}` === section);
        body = configError ? <p className='error' role='alert'>{configError}</p>
            : !config ? <div className='spinner' role='status' aria-label='Loading'/>
                : page ? <ConfigPage key={page.id} page={page} pages={pages} config={config} env={env} onSaved={setConfig}/>
                    : <p>There is no such page.</p>;
    } else {
        switch (section) {
        case 'stats':
            body = <Stats/>;
            break;
        case 'logs':
            body = <Logs/>;
            break;
        case 'teams':
            body = <Teams/>;
            break;
        case 'channels':
            body = <Channels/>;
            break;
        default:
            body = <AdminUsers/>;
        }
    }
    return (
        <div className='admin'>
            <nav className='admin-nav' aria-label='System Console'>
                <div className='admin-brand'>System Console</div>
                <div className='admin-nav-scroll'>
                    {groups.map(([group, items]) => (
                        <div key={group} className='admin-nav-group'>
                            <h2 className='admin-nav-heading'>{group}</h2>
                            <ul>
                                {items.map(([id, label]) => (
                                    <li key={id}>
                                        <a href={`/admin_console/${id}`} aria-current={section === id ? 'page' : undefined} className={section === id ? 'active' : ''}
                                            onClick={(e) => {
                                                e.preventDefault();
                                                navigate(`/admin_console/${id}`);
                                            }}>{label}</a>
                                    </li>
                                ))}
                            </ul>
                        </div>
                    ))}
                </div>
                <button className='btn btn-link admin-back' onClick={() => navigate('/')}>← Back to {siteName}</button>
            </nav>
            <main className='admin-main'>{body}</main>
        </div>
    );
}

const STAT_LABELS: Record<string, string> = {
    unique_user_count: 'Active users', inactive_user_count: 'Deactivated users', team_count: 'Teams',
    channel_open_count: 'Public channels', channel_private_count: 'Private channels', post_count: 'Posts',
    total_websocket_connections: 'WebSocket connections', daily_active_users: 'Daily active users', monthly_active_users: 'Monthly active users',
    bot_count: 'Bots', command_count: 'Slash commands', incoming_webhook_count: 'Incoming webhooks', outgoing_webhook_count: 'Outgoing webhooks',
    total_master_db_connections: 'Database connections', total_read_db_connections: 'Read replica connections',
};

function Stats() {
    const [rows, setRows] = useState<{name: string; value: number}[] | null>(null);
    const [note, setNote] = useState('');
    useEffect(() => {
        client.getAnalytics('standard').then((r) => setRows(r as {name: string; value: number}[])).catch((e) => {
            setNote(isMissingEndpoint(e) ? 'Site statistics are not available on this server yet.' : errorMessage(e));
        });
    }, []);
    return (
        <section aria-labelledby='stats-title'>
            <h1 id='stats-title'>Site statistics</h1>
            {note && <p className='note' role='status'>{note}</p>}
            {rows && (
                <div className='stat-grid'>
                    {rows.map((r) => (
                        <div className='stat' key={r.name}>
                            <div className='stat-value'>{r.value}</div>
                            <div className='stat-name'>{STAT_LABELS[r.name] ?? r.name.replace(/_/g, ' ')}</div>
                        </div>
                    ))}
                </div>
            )}
        </section>
    );
}

const LOG_PAGE = 200;

function Logs() {
    const [entries, setEntries] = useState<LogEntry[] | null>(null);
    const [page, setPage] = useState(0);
    const [more, setMore] = useState(false);
    const [level, setLevel] = useState('');
    const [filter, setFilter] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const load = useCallback(async (p: number) => {
        setBusy(true);
        try {
            const lines = await client.getPlainLogs(p, LOG_PAGE);
            const fresh = newestFirst(lines, p);
            setEntries((old) => (p === 0 ? fresh : [...(old ?? []), ...fresh]));
            setPage(p);
            setMore(lines.length === LOG_PAGE);
            setError('');
        } catch (e) {
            setError(errorMessage(e));
        } finally {
            setBusy(false);
        }
    }, []);
    useEffect(() => {
        load(0);
    }, [load]);
    const f = filter.trim().toLowerCase();
    const shown = (entries ?? []).filter((e) => (!level || e.level === level)
        && (!f || `${e.msg} ${e.caller} ${e.fields.map(([k, v]) => `${k}=${v}`).join(' ')}`.toLowerCase().includes(f)));
    return (
        <section aria-labelledby='logs-title'>
            <div className='row-between'>
                <h1 id='logs-title'>Server logs</h1>
                <button className='btn' onClick={() => load(0)} disabled={busy}>Refresh</button>
            </div>
            <p className='muted'>The server's most recent log lines, newest first. They are kept in memory and start afresh when the server restarts.</p>
            <div className='toolbar'>
                <select aria-label='Level' value={level} onChange={(e) => setLevel(e.target.value)}>
                    <option value=''>All levels</option>
                    <option value='error'>Errors</option>
                    <option value='warn'>Warnings</option>
                    <option value='info'>Info</option>
                    <option value='debug'>Debug</option>
                </select>
                <input type='search' className='input-full' placeholder='Filter' aria-label='Filter log lines' value={filter} onChange={(e) => setFilter(e.target.value)}/>
            </div>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='table-scroll'>
                <table className='admin-table log-table'>
                    <thead><tr><th scope='col'>Time</th><th scope='col'>Level</th><th scope='col'>Message</th><th scope='col'>Details</th></tr></thead>
                    <tbody>
                        {shown.map((e) => (
                            <tr key={e.key} className={`log-${e.level}`}>
                                <td className='nowrap'>{e.timestamp}</td>
                                <td><span className={`pill log-level log-level-${e.level}`}>{e.level}</span></td>
                                <td>{e.msg}</td>
                                <td className='log-fields'>{e.caller && <code>{e.caller}</code>} {e.fields.map(([k, v]) => <span key={k}><span className='muted'>{k}=</span>{v} </span>)}</td>
                            </tr>
                        ))}
                        {entries && shown.length === 0 && <tr><td colSpan={4} className='muted'>No log lines.</td></tr>}
                    </tbody>
                </table>
            </div>
            {more && <div className='actions'><button className='btn' disabled={busy} onClick={() => load(page + 1)}>Load older lines</button></div>}
        </section>
    );
}

function Teams() {
    const [teams, setTeams] = useState<Team[] | null>(null);
    const [stats, setStats] = useState<Record<string, TeamStats>>({});
    const [error, setError] = useState('');
    useEffect(() => {
        client.getTeams(0, 200).then(async (list) => {
            const all = (list as Team[]).sort((a, b) => a.display_name.localeCompare(b.display_name));
            setTeams(all);
            const got = await Promise.all(all.map((t) => client.getTeamStats(t.id).catch(() => null)));
            setStats(Object.fromEntries(got.filter((s): s is TeamStats => Boolean(s)).map((s) => [s.team_id, s])));
        }).catch((e) => setError(errorMessage(e)));
    }, []);
    return (
        <section aria-labelledby='teams-title'>
            <h1 id='teams-title'>Teams</h1>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='table-scroll'>
                <table className='admin-table'>
                    <thead><tr><th scope='col'>Team</th><th scope='col'>URL</th><th scope='col'>Who can join</th><th scope='col'>Members</th><th scope='col'>Status</th></tr></thead>
                    <tbody>
                        {(teams ?? []).map((t) => {
                            const s = stats[t.id];
                            return (
                                <tr key={t.id} data-team={t.name}>
                                    <td><strong>{t.display_name}</strong>{t.description && <div className='muted small'>{t.description}</div>}</td>
                                    <td>/{t.name}</td>
                                    <td>{t.allow_open_invite ? 'Anyone on the server' : 'Invited people'}</td>
                                    <td className='members'>{s ? <>{s.active_member_count}{s.total_member_count !== s.active_member_count && <span className='muted'> ({s.total_member_count} in all)</span>}</> : '…'}</td>
                                    <td><span className={`pill ${t.delete_at ? 'pill-off' : 'pill-ok'}`}>{t.delete_at ? 'Archived' : 'Active'}</span></td>
                                </tr>
                            );
                        })}
                        {teams && teams.length === 0 && <tr><td colSpan={5} className='muted'>No teams yet.</td></tr>}
                    </tbody>
                </table>
            </div>
        </section>
    );
}

function Channels() {
    const [teams, setTeams] = useState<Team[]>([]);
    const [teamId, setTeamId] = useState('');
    const [channels, setChannels] = useState<Channel[] | null>(null);
    const [stats, setStats] = useState<Record<string, number>>({});
    const [error, setError] = useState('');
    useEffect(() => {
        client.getTeams(0, 200).then((list) => {
            const all = (list as Team[]).sort((a, b) => a.display_name.localeCompare(b.display_name));
            setTeams(all);
            setTeamId((id) => id || all[0]?.id || '');
        }).catch((e) => setError(errorMessage(e)));
    }, []);
    useEffect(() => {
        if (!teamId) {
            return;
        }
        let live = true;
        setChannels(null);
        (async () => {
            const [open, archived] = await Promise.all([client.getChannels(teamId, 0, 200), client.getArchivedChannels(teamId, 0, 200)]);
            const priv = await apiRequest<Channel[]>('get', `/teams/${teamId}/channels/private?page=0&per_page=200`);
            const byId = new Map<string, Channel>();
            for (const c of [...open, ...priv, ...archived]) {
                byId.set(c.id, c);
            }
            const list = [...byId.values()].sort((a, b) => (a.delete_at ? 1 : 0) - (b.delete_at ? 1 : 0) || a.display_name.localeCompare(b.display_name));
            if (!live) {
                return;
            }
            setChannels(list);
            const counts = await Promise.all(list.slice(0, 100).map((c) => client.getChannelStats(c.id).then((s) => [c.id, s.member_count] as const).catch(() => null)));
            if (live) {
                setStats(Object.fromEntries(counts.filter((x): x is readonly [string, number] => Boolean(x))));
            }
        })().catch((e) => live && setError(errorMessage(e)));
        return () => {
            live = false;
        };
    }, [teamId]);
    return (
        <section aria-labelledby='channels-title'>
            <h1 id='channels-title'>Channels</h1>
            <div className='toolbar'>
                <label htmlFor='channels-team'>Team</label>
                <select id='channels-team' value={teamId} onChange={(e) => setTeamId(e.target.value)}>
                    {teams.map((t) => <option key={t.id} value={t.id}>{t.display_name}</option>)}
                </select>
            </div>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='table-scroll'>
                <table className='admin-table'>
                    <thead><tr><th scope='col'>Channel</th><th scope='col'>URL</th><th scope='col'>Type</th><th scope='col'>Members</th><th scope='col'>Status</th></tr></thead>
                    <tbody>
                        {(channels ?? []).map((c) => (
                            <tr key={c.id} data-channel={c.name}>
                                <td><strong>{c.display_name}</strong>{c.purpose && <div className='muted small'>{c.purpose}</div>}</td>
                                <td>~{c.name}</td>
                                <td>{c.type === 'P' ? 'Private' : 'Public'}</td>
                                <td>{stats[c.id] ?? '…'}</td>
                                <td><span className={`pill ${c.delete_at ? 'pill-off' : 'pill-ok'}`}>{c.delete_at ? 'Archived' : 'Active'}</span></td>
                            </tr>
                        ))}
                        {channels && channels.length === 0 && <tr><td colSpan={5} className='muted'>No channels.</td></tr>}
                    </tbody>
                </table>
            </div>
        </section>
    );
}
