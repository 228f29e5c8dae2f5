// Account settings (loaded on demand, from the avatar menu): profile, security (password
// and multi-factor authentication), notifications and display.

import {useRef, useState, type FormEvent, type KeyboardEvent} from 'react';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage} from '../api';
import {receiveUsers, setClock, setTheme} from '../actions';
import {setState, useAppState} from '../store';
import type {ThemeChoice} from '../lib/prefs';
import {notificationPermission, requestNotificationPermission} from '../lib/notify';
import {Field, Modal} from './common';

const TABS = [['profile', 'Profile'], ['security', 'Security'], ['notifications', 'Notifications'], ['display', 'Display']] as const;
type Tab = typeof TABS[number][0];

const close = () => setState({dialog: ''});

function updateMe(user: UserProfile): void {
    setState((s) => ({me: {...s.me!, ...user}}));
    receiveUsers([user]);
}

export function AccountSettings() {
    const [tab, setTab] = useState<Tab>('profile');
    const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
    const onKey = (e: KeyboardEvent) => {
        const i = TABS.findIndex(([id]) => id === tab);
        const next = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? i - 1 : -2;
        if (next === -2) {
            return;
        }
        e.preventDefault();
        const id = TABS[(next + TABS.length) % TABS.length][0];
        setTab(id);
        tabRefs.current[id]?.focus();
    };
    return (
        <Modal title='Account settings' onClose={close} wide>
            <div className='settings'>
                <div className='settings-tabs' role='tablist' aria-label='Settings' aria-orientation='vertical' onKeyDown={onKey}>
                    {TABS.map(([id, label]) => (
                        <button key={id} ref={(el) => {
                            tabRefs.current[id] = el;
                        }} role='tab' id={`settings-tab-${id}`} aria-selected={tab === id} aria-controls={`settings-panel-${id}`}
                        tabIndex={tab === id ? 0 : -1} className={tab === id ? 'active' : ''} onClick={() => setTab(id)}>{label}</button>
                    ))}
                </div>
                <div className='settings-panel' role='tabpanel' id={`settings-panel-${tab}`} aria-labelledby={`settings-tab-${tab}`}>
                    {tab === 'profile' && <Profile/>}
                    {tab === 'security' && <Security/>}
                    {tab === 'notifications' && <Notifications/>}
                    {tab === 'display' && <Display/>}
                </div>
            </div>
        </Modal>
    );
}

function Status({error, done}: {error: string; done: string}) {
    return (
        <>
            {error && <p className='error' role='alert'>{error}</p>}
            <p className='saved' role='status'>{done}</p>
        </>
    );
}

const PROFILE_FIELDS = [
    ['first_name', 'First name', 'given-name'],
    ['last_name', 'Last name', 'family-name'],
    ['nickname', 'Nickname', 'nickname'],
    ['position', 'Position', 'organization-title'],
    ['username', 'Username', 'username'],
    ['email', 'E-mail', 'email'],
] as const;
type ProfileKey = typeof PROFILE_FIELDS[number][0];

function Profile() {
    const me = useAppState((s) => s.me)!;
    const initial = () => Object.fromEntries(PROFILE_FIELDS.map(([k]) => [k, me[k] ?? ''])) as Record<ProfileKey, string>;
    const [values, setValues] = useState(initial);
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [done, setDone] = useState('');
    const [busy, setBusy] = useState(false);
    const changed = PROFILE_FIELDS.map(([k]) => k).filter((k) => values[k].trim() !== (me[k] ?? ''));
    const emailChanged = changed.includes('email');
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        setDone('');
        try {
            const patch: Record<string, string> = Object.fromEntries(changed.map((k) => [k, values[k].trim()]));
            if (emailChanged) {
                // Changing one's e-mail address needs the current password.
                patch.password = password;
            }
            updateMe(await client.patchMe(patch as Partial<UserProfile>));
            setPassword('');
            setDone('Saved');
        } catch (err) {
            setError(errorMessage(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit}>
            <h3>Profile</h3>
            <div className='field-grid'>
                {PROFILE_FIELDS.map(([k, label, auto]) => (
                    <Field key={k} label={label} value={values[k]} type={k === 'email' ? 'email' : 'text'} autoComplete={auto}
                        required={k === 'username' || k === 'email'} maxLength={k === 'position' ? 128 : 64}
                        onChange={(v) => {
                            setDone('');
                            setValues({...values, [k]: v});
                        }}/>
                ))}
            </div>
            {emailChanged && (
                <Field label='Current password' type='password' value={password} onChange={setPassword} autoComplete='current-password' required
                    hint='Enter your password to change your e-mail address.'/>
            )}
            <Status error={error} done={done}/>
            <div className='actions'>
                <button type='button' className='btn' disabled={busy || changed.length === 0} onClick={() => setValues(initial())}>Cancel</button>
                <button className='btn btn-primary' disabled={busy || changed.length === 0}>Save</button>
            </div>
        </form>
    );
}

function Security() {
    const config = useAppState((s) => s.config);
    return (
        <div>
            <ChangePassword minLength={Number(config.PasswordMinimumLength || 8)}/>
            {config.EnableMultifactorAuthentication === 'true' && <Mfa enforced={config.EnforceMultifactorAuthentication === 'true'}/>}
        </div>
    );
}

function ChangePassword({minLength}: {minLength: number}) {
    const me = useAppState((s) => s.me)!;
    const [current, setCurrent] = useState('');
    const [next, setNext] = useState('');
    const [confirm, setConfirm] = useState('');
    const [error, setError] = useState('');
    const [done, setDone] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setError('');
        setDone('');
        if (next !== confirm) {
            setError('The new passwords do not match.');
            return;
        }
        setBusy(true);
        try {
            await client.updateUserPassword(me.id, current, next);
            setCurrent('');
            setNext('');
            setConfirm('');
            setDone('Your password was changed.');
        } catch (err) {
            setError(errorMessage(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit} aria-labelledby='pw-title'>
            <h3 id='pw-title'>Password</h3>
            <Field label='Current password' type='password' value={current} onChange={setCurrent} autoComplete='current-password' required/>
            <Field label='New password' type='password' value={next} onChange={setNext} autoComplete='new-password' required minLength={minLength}
                hint={`At least ${minLength} characters.`}/>
            <Field label='Confirm new password' type='password' value={confirm} onChange={setConfirm} autoComplete='new-password' required/>
            <Status error={error} done={done}/>
            <div className='actions'><button className='btn btn-primary' disabled={busy}>Change password</button></div>
        </form>
    );
}

function Mfa({enforced}: {enforced: boolean}) {
    const me = useAppState((s) => s.me)!;
    const active = Boolean((me as UserProfile & {mfa_active?: boolean}).mfa_active);
    const [secret, setSecret] = useState<{secret: string; qr_code: string} | null>(null);
    const [code, setCode] = useState('');
    const [error, setError] = useState('');
    const [done, setDone] = useState('');
    const [busy, setBusy] = useState(false);
    const run = async (f: () => Promise<void>) => {
        setBusy(true);
        setError('');
        setDone('');
        try {
            await f();
        } catch (err) {
            setError(errorMessage(err));
        } finally {
            setBusy(false);
        }
    };
    const refresh = async () => updateMe(await client.getMe());
    return (
        <section aria-labelledby='mfa-title' className='settings-section'>
            <h3 id='mfa-title'>Multi-factor authentication</h3>
            {active ? (
                <>
                    <p>Multi-factor authentication is <strong>on</strong>: signing in asks for a code from your authenticator app.</p>
                    {enforced && <p className='muted'>This server requires it, so it cannot be turned off.</p>}
                    {!enforced && <button className='btn' disabled={busy} onClick={() => run(async () => {
                        await client.updateUserMfa(me.id, false, '');
                        await refresh();
                        setDone('Multi-factor authentication is off.');
                    })}>Turn off</button>}
                </>
            ) : secret ? (
                <form onSubmit={(e) => {
                    e.preventDefault();
                    run(async () => {
                        await client.updateUserMfa(me.id, true, code.trim());
                        setSecret(null);
                        setCode('');
                        await refresh();
                        setDone('Multi-factor authentication is on.');
                    });
                }}>
                    <p>Scan this QR code with an authenticator app (Google Authenticator, Aegis, 1Password…), or enter the secret by hand. Then type the code it shows.</p>
                    <div className='mfa-setup'>
                        <img src={`data:image/png;base64,${secret.qr_code}`} alt='QR code for your authenticator app' width={176} height={176}/>
                        <div>
                            <div className='muted small'>Secret</div>
                            <code className='mfa-secret' aria-label='Secret'>{secret.secret}</code>
                        </div>
                    </div>
                    <Field label='Code from your app' value={code} onChange={setCode} autoComplete='one-time-code' required pattern='[0-9]{6}' autoFocus/>
                    <div className='actions'>
                        <button type='button' className='btn' onClick={() => setSecret(null)}>Cancel</button>
                        <button className='btn btn-primary' disabled={busy}>Turn on</button>
                    </div>
                </form>
            ) : (
                <>
                    <p>Add a second step to signing in: a code from an app on your phone.</p>
                    <button className='btn' disabled={busy} onClick={() => run(async () => {
                        setSecret(await client.generateMfaSecret(me.id) as {secret: string; qr_code: string});
                    })}>Set up multi-factor authentication</button>
                </>
            )}
            <Status error={error} done={done}/>
        </section>
    );
}

type Desktop = 'all' | 'mention' | 'none';

function Notifications() {
    const me = useAppState((s) => s.me)!;
    const props = (me.notify_props ?? {}) as unknown as Record<string, string>;
    const [desktop, setDesktop] = useState<Desktop>((props.desktop as Desktop) || 'mention');
    const [keys, setKeys] = useState(props.mention_keys ?? '');
    const [firstName, setFirstName] = useState(props.first_name === 'true');
    const [channel, setChannel] = useState(props.channel !== 'false');
    const [permission, setPermission] = useState(notificationPermission());
    const [error, setError] = useState('');
    const [done, setDone] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        setDone('');
        try {
            // The server replaces notify_props as a whole: send every key, changed or not.
            const notify_props = {
                ...props, desktop, first_name: String(firstName), channel: String(channel),
                mention_keys: keys.split(',').map((k) => k.trim()).filter(Boolean).join(','),
            };
            updateMe(await client.patchMe({notify_props} as unknown as Partial<UserProfile>));
            setDone('Saved');
        } catch (err) {
            setError(errorMessage(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit}>
            <h3>Notifications</h3>
            <fieldset className='radio-group'>
                <legend>Desktop notifications</legend>
                <label className='check'><input type='radio' name='desktop' checked={desktop === 'all'} onChange={() => setDesktop('all')}/> For all activity</label>
                <label className='check'><input type='radio' name='desktop' checked={desktop === 'mention'} onChange={() => setDesktop('mention')}/> For mentions and direct messages</label>
                <label className='check'><input type='radio' name='desktop' checked={desktop === 'none'} onChange={() => setDesktop('none')}/> Never</label>
                <div className='browser-permission'>
                    {permission === 'granted' && <p className='muted small'>This browser shows notifications while Hearth is in the background.</p>}
                    {permission === 'denied' && <p className='muted small'>This browser blocks notifications from this site: allow them in the browser's site settings.</p>}
                    {permission === 'unsupported' && <p className='muted small'>This browser cannot show notifications.</p>}
                    {permission === 'default' && (
                        <button type='button' className='btn' onClick={async () => setPermission(await requestNotificationPermission())}>Allow notifications in this browser</button>
                    )}
                </div>
            </fieldset>
            <fieldset className='radio-group'>
                <legend>Words that mention you</legend>
                <p className='muted small'>Your username (@{me.username}) always mentions you.</p>
                <label className='check'>
                    <input type='checkbox' checked={firstName} disabled={!me.first_name} onChange={(e) => setFirstName(e.target.checked)}/>
                    Your first name{me.first_name ? ` (“${me.first_name}”)` : ' (set one in your profile)'}
                </label>
                <label className='check'>
                    <input type='checkbox' checked={channel} onChange={(e) => setChannel(e.target.checked)}/> Channel-wide mentions (@channel, @all, @here)
                </label>
                <Field label='Other words (comma-separated)' value={keys} onChange={setKeys} hint='Not case-sensitive, e.g. “deploy, oncall”.'/>
            </fieldset>
            <Status error={error} done={done}/>
            <div className='actions'><button className='btn btn-primary' disabled={busy}>Save</button></div>
        </form>
    );
}

function Display() {
    const theme = useAppState((s) => s.theme);
    const clock24 = useAppState((s) => s.clock24);
    const [error, setError] = useState('');
    const choose = (t: ThemeChoice) => setTheme(t);
    return (
        <div>
            <h3>Display</h3>
            <fieldset className='radio-group'>
                <legend>Theme</legend>
                <label className='check'><input type='radio' name='theme' checked={theme === 'light'} onChange={() => choose('light')}/> Light</label>
                <label className='check'><input type='radio' name='theme' checked={theme === 'dark'} onChange={() => choose('dark')}/> Dark</label>
                <label className='check'><input type='radio' name='theme' checked={theme === 'system'} onChange={() => choose('system')}/> Same as the system</label>
            </fieldset>
            <fieldset className='radio-group'>
                <legend>Clock</legend>
                <label className='check'><input type='radio' name='clock' checked={clock24 === false} onChange={() => setClock(false).catch((e) => setError(errorMessage(e)))}/> 12-hour (1:30 PM)</label>
                <label className='check'><input type='radio' name='clock' checked={clock24 === true} onChange={() => setClock(true).catch((e) => setError(errorMessage(e)))}/> 24-hour (13:30)</label>
            </fieldset>
            <p className='muted small'>Changes apply at once and follow you to your other browsers.</p>
            {error && <p className='error' role='alert'>{error}</p>}
        </div>
    );
}
