// A minimal System Console for system admins: users (search, activate or deactivate,
// system role) and site statistics.

import {useCallback, useEffect, useState} from 'react';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage, isMissingEndpoint} from '../api';
import {navigate} from '../router';
import {useAppState} from '../store';
import {Avatar, Modal} from './common';

const SECTIONS = [['users', 'Users'], ['stats', 'Site statistics']] as const;

export function AdminConsole({section}: {section: string}) {
    const siteName = useAppState((s) => s.config.SiteName) || 'Hearth';
    return (
        <div className='admin'>
            <nav className='admin-nav' aria-label='System Console'>
                <div className='admin-brand'>System Console</div>
                <ul>
                    {SECTIONS.map(([id, label]) => (
                        <li key={id}>
                            <a href={`/admin_console/${id}`} aria-current={section === id ? 'page' : undefined} className={section === id ? 'active' : ''}
                                onClick={(e) => {
                                    e.preventDefault();
                                    navigate(`/admin_console/${id}`);
                                }}>{label}</a>
                        </li>
                    ))}
                </ul>
                <button className='btn btn-link admin-back' onClick={() => navigate('/')}>← Back to {siteName}</button>
            </nav>
            <main className='admin-main'>
                {section === 'stats' ? <Stats/> : <Users/>}
            </main>
        </div>
    );
}

function Users() {
    const me = useAppState((s) => s.me)!;
    const [term, setTerm] = useState('');
    const [users, setUsers] = useState<UserProfile[] | null>(null);
    const [error, setError] = useState('');
    const [confirm, setConfirm] = useState<UserProfile | null>(null);
    const load = useCallback(async (t: string) => {
        try {
            const list = t.trim() ? await client.searchUsers(t.trim(), {allow_inactive: true, limit: 100}) : await client.getProfiles(0, 100, {sort: ''});
            setUsers(list);
            setError('');
        } catch (e) {
            setError(errorMessage(e));
        }
    }, []);
    useEffect(() => {
        const t = setTimeout(() => load(term), 200);
        return () => clearTimeout(t);
    }, [term, load]);
    const replace = (u: UserProfile) => setUsers((list) => list?.map((x) => (x.id === u.id ? u : x)) ?? null);
    const setActive = async (u: UserProfile, active: boolean) => {
        try {
            await client.updateUserActive(u.id, active);
            replace({...u, delete_at: active ? 0 : Date.now()});
        } catch (e) {
            setError(errorMessage(e));
        }
    };
    const setRole = async (u: UserProfile, admin: boolean) => {
        const roles = admin ? 'system_user system_admin' : 'system_user';
        try {
            await client.updateUserRoles(u.id, roles);
            replace({...u, roles});
        } catch (e) {
            setError(errorMessage(e));
        }
    };
    return (
        <section aria-labelledby='users-title'>
            <h1 id='users-title'>Users</h1>
            <input type='search' className='input-full' placeholder='Search by name, username or e-mail' aria-label='Search users' value={term} onChange={(e) => setTerm(e.target.value)}/>
            {error && <p className='error' role='alert'>{error}</p>}
            <table className='admin-table'>
                <thead>
                    <tr><th scope='col'>User</th><th scope='col'>E-mail</th><th scope='col'>Role</th><th scope='col'>Status</th><th scope='col'><span className='visually-hidden'>Actions</span></th></tr>
                </thead>
                <tbody>
                    {(users ?? []).map((u) => {
                        const admin = u.roles.split(' ').includes('system_admin');
                        const active = u.delete_at === 0;
                        return (
                            <tr key={u.id} data-username={u.username}>
                                <td><span className='user-cell'><Avatar user={u} size={24}/> {u.username}{u.id === me.id && ' (you)'}</span></td>
                                <td>{u.email}</td>
                                <td>
                                    <select aria-label={`Role of ${u.username}`} value={admin ? 'admin' : 'member'} disabled={u.id === me.id}
                                        onChange={(e) => setRole(u, e.target.value === 'admin')}>
                                        <option value='member'>Member</option>
                                        <option value='admin'>System admin</option>
                                    </select>
                                </td>
                                <td><span className={`pill ${active ? 'pill-ok' : 'pill-off'}`}>{active ? 'Active' : 'Deactivated'}</span></td>
                                <td>
                                    {u.id !== me.id && (active
                                        ? <button className='btn btn-danger small' onClick={() => setConfirm(u)}>Deactivate</button>
                                        : <button className='btn small' onClick={() => setActive(u, true)}>Activate</button>)}
                                </td>
                            </tr>
                        );
                    })}
                    {users && users.length === 0 && <tr><td colSpan={5} className='muted'>No users found.</td></tr>}
                </tbody>
            </table>
            {confirm && (
                <Modal title={`Deactivate ${confirm.username}`} onClose={() => setConfirm(null)}>
                    <p>{confirm.username} will be signed out everywhere and cannot sign in until reactivated. Their messages stay.</p>
                    <div className='actions'>
                        <button className='btn' onClick={() => setConfirm(null)}>Cancel</button>
                        <button className='btn btn-danger' onClick={() => {
                            const u = confirm;
                            setConfirm(null);
                            setActive(u, false);
                        }}>Deactivate</button>
                    </div>
                </Modal>
            )}
        </section>
    );
}

const STAT_LABELS: Record<string, string> = {
    unique_user_count: 'Active users', inactive_user_count: 'Deactivated users', team_count: 'Teams',
    channel_open_count: 'Public channels', channel_private_count: 'Private channels', post_count: 'Posts',
    total_websocket_connections: 'WebSocket connections', daily_active_users: 'Daily active users', monthly_active_users: 'Monthly active users',
    bot_count: 'Bots', command_count: 'Slash commands', incoming_webhook_count: 'Incoming webhooks', outgoing_webhook_count: 'Outgoing webhooks',
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
