// System Console → Users: search, system role, activate or deactivate, set a new password,
// and sign a user out everywhere.

import {useCallback, useEffect, useState, type FormEvent} from 'react';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage} from '../api';
import {useAppState} from '../store';
import {Avatar, Field, Modal} from './common';

type Action = {kind: 'deactivate' | 'password' | 'revoke'; user: UserProfile};

export function AdminUsers() {
    const me = useAppState((s) => s.me)!;
    const [term, setTerm] = useState('');
    const [users, setUsers] = useState<UserProfile[] | null>(null);
    const [error, setError] = useState('');
    const [notice, setNotice] = useState('');
    const [action, setAction] = useState<Action | null>(null);
    const [menuFor, setMenuFor] = useState('');
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
    const run = async (f: () => Promise<unknown>, done: string) => {
        setNotice('');
        setError('');
        try {
            await f();
            setNotice(done);
        } catch (e) {
            setError(errorMessage(e));
        }
    };
    const setActive = (u: UserProfile, active: boolean) => run(async () => {
        await client.updateUserActive(u.id, active);
        replace({...u, delete_at: active ? 0 : Date.now()});
    }, `${u.username} was ${active ? 'activated' : 'deactivated'}.`);
    const setRole = (u: UserProfile, admin: boolean) => run(async () => {
        const roles = admin ? 'system_user system_admin' : 'system_user';
        await client.updateUserRoles(u.id, roles);
        replace({...u, roles});
    }, `${u.username} is now ${admin ? 'a system admin' : 'a member'}.`);
    const close = () => setAction(null);
    return (
        <section aria-labelledby='users-title'>
            <h1 id='users-title'>Users</h1>
            <input type='search' className='input-full' placeholder='Search by name, username or e-mail' aria-label='Search users' value={term} onChange={(e) => setTerm(e.target.value)}/>
            {error && <p className='error' role='alert'>{error}</p>}
            <p className='notice' role='status'>{notice}</p>
            <div className='table-scroll'>
                <table className='admin-table users-table'>
                    <thead>
                        <tr><th scope='col'>User</th><th scope='col'>E-mail</th><th scope='col'>Role</th><th scope='col'>Status</th><th scope='col'><span className='visually-hidden'>Actions</span></th></tr>
                    </thead>
                    <tbody>
                        {(users ?? []).map((u) => {
                            const admin = u.roles.split(' ').includes('system_admin');
                            const active = u.delete_at === 0;
                            const self = u.id === me.id;
                            return (
                                <tr key={u.id} data-username={u.username}>
                                    <td><span className='user-cell'><Avatar user={u} size={24}/> {u.username}{self && ' (you)'}</span></td>
                                    <td>{u.email}</td>
                                    <td>
                                        <select aria-label={`Role of ${u.username}`} value={admin ? 'admin' : 'member'} disabled={self}
                                            onChange={(e) => setRole(u, e.target.value === 'admin')}>
                                            <option value='member'>Member</option>
                                            <option value='admin'>System admin</option>
                                        </select>
                                    </td>
                                    <td><span className={`pill ${active ? 'pill-ok' : 'pill-off'}`}>{active ? 'Active' : 'Deactivated'}</span></td>
                                    <td className='row-actions'>
                                        <span className='menu-anchor'>
                                            <button className='btn small' aria-haspopup='menu' aria-expanded={menuFor === u.id} aria-label={`Actions for ${u.username}`}
                                                onClick={() => setMenuFor(menuFor === u.id ? '' : u.id)}>Actions ▾</button>
                                            {menuFor === u.id && (
                                                <div className='menu' role='menu' onClick={() => setMenuFor('')} onKeyDown={(e) => e.key === 'Escape' && setMenuFor('')}>
                                                    <button role='menuitem' onClick={() => setAction({kind: 'password', user: u})}>Reset password</button>
                                                    {!self && <button role='menuitem' onClick={() => setAction({kind: 'revoke', user: u})}>Revoke sessions</button>}
                                                    {!self && (active
                                                        ? <button role='menuitem' className='danger' onClick={() => setAction({kind: 'deactivate', user: u})}>Deactivate</button>
                                                        : <button role='menuitem' onClick={() => setActive(u, true)}>Activate</button>)}
                                                </div>
                                            )}
                                        </span>
                                    </td>
                                </tr>
                            );
                        })}
                        {users && users.length === 0 && <tr><td colSpan={5} className='muted'>No users found.</td></tr>}
                    </tbody>
                </table>
            </div>
            {action?.kind === 'deactivate' && (
                <Modal title={`Deactivate ${action.user.username}`} onClose={close}>
                    <p>{action.user.username} will be signed out everywhere and cannot sign in until reactivated. Their messages stay.</p>
                    <div className='actions'>
                        <button className='btn' onClick={close}>Cancel</button>
                        <button className='btn btn-danger' onClick={() => {
                            close();
                            setActive(action.user, false);
                        }}>Deactivate</button>
                    </div>
                </Modal>
            )}
            {action?.kind === 'revoke' && (
                <Modal title={`Revoke sessions of ${action.user.username}`} onClose={close}>
                    <p>{action.user.username} will be signed out on every device and browser, and must sign in again.</p>
                    <div className='actions'>
                        <button className='btn' onClick={close}>Cancel</button>
                        <button className='btn btn-danger' onClick={() => {
                            close();
                            run(() => client.revokeAllSessionsForUser(action.user.id), `${action.user.username} was signed out everywhere.`);
                        }}>Revoke sessions</button>
                    </div>
                </Modal>
            )}
            {action?.kind === 'password' && (
                <ResetPassword user={action.user} onClose={close} onDone={() => {
                    close();
                    setNotice(`The password of ${action.user.username} was changed.`);
                }}/>
            )}
        </section>
    );
}

function ResetPassword({user, onClose, onDone}: {user: UserProfile; onClose: () => void; onDone: () => void}) {
    const minLength = Number(useAppState((s) => s.config.PasswordMinimumLength) || 8);
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        try {
            // An admin sets another user's password without the current one (this also unlocks the account).
            await client.updateUserPassword(user.id, '', password);
            onDone();
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    };
    return (
        <Modal title={`Reset the password of ${user.username}`} onClose={onClose}>
            <form onSubmit={submit}>
                <Field label='New password' type='password' value={password} onChange={setPassword} autoComplete='new-password' required minLength={minLength}
                    hint={`At least ${minLength} characters. Tell ${user.username} the new password. To also sign them out everywhere, use Revoke sessions.`}/>
                {error && <p className='error' role='alert'>{error}</p>}
                <div className='actions'>
                    <button type='button' className='btn' onClick={onClose}>Cancel</button>
                    <button className='btn btn-primary' disabled={busy}>Reset password</button>
                </div>
            </form>
        </Modal>
    );
}
