// Sign-in (username or e-mail, password, and an MFA code when the server asks for one),
// sign-up (when the server allows it, or through a team invite link), and joining a team
// from an invite link when already signed in.

import {useEffect, useState, type FormEvent} from 'react';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorId, errorMessage, statusOf} from '../api';
import {login, startSession} from '../actions';
import {navigate, useLocation} from '../router';
import {getState, useAppState} from '../store';
import {homePath} from './App';
import {Field, Logo} from './common';

function isMfaError(e: unknown): boolean {
    const id = errorId(e);
    return id.startsWith('mfa.') || id.includes('mfa');
}

export function Login() {
    const {query} = useLocation();
    const config = useAppState((s) => s.config);
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    const [token, setToken] = useState('');
    const [needMfa, setNeedMfa] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const expired = query.get('extra') === 'expired';
    const canSignUp = config.EnableOpenServer === 'true' && config.EnableUserCreation === 'true';
    const byEmail = config.EnableSignInWithEmail !== 'false';
    const byUsername = config.EnableSignInWithUsername !== 'false';
    const idLabel = byEmail && byUsername ? 'Username or e-mail' : byEmail ? 'E-mail' : 'Username';

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await login(loginId.trim(), password, token.trim());
            navigate(query.get('redirect_to') || homePath(), {replace: true});
        } catch (err) {
            if (isMfaError(err)) {
                if (needMfa && token) {
                    setError('That code is not right. Enter the current code from your authenticator app.');
                }
                setNeedMfa(true);
            } else {
                setError(errorMessage(err));
            }
            setBusy(false);
        }
    };
    return (
        <div className='auth-page'>
            <main className='card' aria-labelledby='login-title'>
                <h1 id='login-title' className='brand'><Logo/> {config.SiteName || 'Hearth'}</h1>
                {config.CustomDescriptionText && <p className='muted'>{config.CustomDescriptionText}</p>}
                {expired && <p className='note' role='status'>Your session has ended. Please sign in again.</p>}
                <form onSubmit={submit}>
                    <Field label={idLabel} value={loginId} onChange={setLoginId} autoComplete='username' required autoFocus name='login_id'/>
                    <Field label='Password' type='password' value={password} onChange={setPassword} autoComplete='current-password' required name='password'/>
                    {needMfa && (
                        <Field label='Multi-factor authentication code' value={token} onChange={setToken} autoComplete='one-time-code'
                            required autoFocus name='token' hint='Enter the 6-digit code from your authenticator app.'/>
                    )}
                    {error && <p className='error' role='alert'>{error}</p>}
                    <div className='actions'><button className='btn btn-primary btn-block' disabled={busy}>Sign in</button></div>
                </form>
                {canSignUp && (
                    <p className='center'>Don't have an account? <a href='/signup_user_complete' onClick={(e) => {
                        e.preventDefault();
                        navigate('/signup_user_complete');
                    }}>Create one</a></p>
                )}
            </main>
        </div>
    );
}

async function joinFromInvite(inviteId: string): Promise<void> {
    const member = await client.addToTeamFromInvite('', inviteId);
    await startSession(getState().me!);
    const team = getState().teams[member.team_id] ?? await client.getTeam(member.team_id);
    navigate(`/${team.name}/channels/town-square`, {replace: true});
}

interface InviteInfo {
    id: string;
    name: string;
    display_name: string;
    description?: string;
}

/**
 * Sign-up: open sign-up when the server allows it, or through a team's invitation link
 * (`?id=<invite id>`), which works on a closed server too: the invite id goes with the new
 * account (`POST /users?iid=`) and the server puts the account in that team.
 */
export function Signup() {
    const {query} = useLocation();
    const inviteId = query.get('id') ?? '';
    const me = useAppState((s) => s.me);
    const config = useAppState((s) => s.config);
    const [email, setEmail] = useState('');
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const [invite, setInvite] = useState<InviteInfo | null>(null);
    const [inviteError, setInviteError] = useState('');
    const minLength = Number(config.PasswordMinimumLength || 8);
    const creation = config.EnableUserCreation !== 'false';
    const open = creation && (config.EnableOpenServer === 'true' || Boolean(invite));

    useEffect(() => {
        if (!inviteId) {
            return;
        }
        client.getTeamInviteInfo(inviteId).then((t) => setInvite(t as InviteInfo)).catch((e) => {
            setInviteError(statusOf(e) === 404 || statusOf(e) === 400
                ? 'This invitation link is not valid. Ask for a new one.'
                : errorMessage(e));
        });
    }, [inviteId]);

    const teamName = invite?.display_name ?? '';
    if (me && inviteId) {
        return (
            <div className='auth-page'>
                <main className='card' aria-labelledby='join-title'>
                    <h1 id='join-title' className='brand'>Join {teamName || 'the team'}</h1>
                    <p>You are signed in as @{me.username}.</p>
                    {(error || inviteError) && <p className='error' role='alert'>{error || inviteError}</p>}
                    <button className='btn btn-primary' disabled={busy || !invite} onClick={async () => {
                        setBusy(true);
                        try {
                            await joinFromInvite(inviteId);
                        } catch (err) {
                            setError(errorMessage(err));
                            setBusy(false);
                        }
                    }}>Join team</button>
                </main>
            </div>
        );
    }

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.createUser({email: email.trim(), username: username.trim(), password} as UserProfile, '', invite ? inviteId : '');
            await login(username.trim(), password);
            const team = invite ? getState().teams[invite.id] : undefined;
            navigate(team ? `/${team.name}/channels/town-square` : homePath(), {replace: true});
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    };
    const loading = Boolean(inviteId) && !invite && !inviteError;
    return (
        <div className='auth-page'>
            <main className='card' aria-labelledby='signup-title'>
                <p className='brand'><Logo/> {config.SiteName || 'Hearth'}</p>
                <h1 id='signup-title'>{teamName ? `Join ${teamName}` : 'Create your account'}</h1>
                {invite?.description && <p className='muted'>{invite.description}</p>}
                {teamName && <p className='muted'>Create an account to join the team.</p>}
                {inviteError && <p className='error' role='alert'>{inviteError}</p>}
                {loading ? <div className='spinner' role='status' aria-label='Loading'/> : !open ? (
                    !inviteError && <p className='note' role='status'>This server does not allow creating accounts. Ask your administrator for an invitation.</p>
                ) : (
                    <form onSubmit={submit}>
                        <Field label='E-mail' type='email' value={email} onChange={setEmail} autoComplete='email' required autoFocus/>
                        <Field label='Username' value={username} onChange={setUsername} autoComplete='username' required
                            hint='Lowercase letters, numbers, ".", "-" and "_".'/>
                        <Field label='Password' type='password' value={password} onChange={setPassword} autoComplete='new-password' required
                            minLength={minLength} hint={`At least ${minLength} characters.`}/>
                        {error && <p className='error' role='alert'>{error}</p>}
                        <div className='actions'><button className='btn btn-primary btn-block' disabled={busy}>Create account</button></div>
                    </form>
                )}
                <p className='center'>Already have an account? <a href='/login' onClick={(e) => {
                    e.preventDefault();
                    navigate(inviteId ? `/login?redirect_to=${encodeURIComponent('/signup_user_complete/?id=' + inviteId)}` : '/login');
                }}>Sign in</a></p>
            </main>
        </div>
    );
}
