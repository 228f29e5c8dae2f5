// The first-run wizard: shown while the server has no account. It creates the first
// account (which the server makes system admin), names the site, sets its URL, explains
// HTTPS and e-mail, and creates the first team, ending in its town-square.

import {useState, type FormEvent, type ReactNode} from 'react';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage, isMissingEndpoint} from '../api';
import {login, startSession} from '../actions';
import {navigate} from '../router';
import {getState, isSystemAdmin, useAppState} from '../store';
import {slugify} from '../lib/format';
import {Field, Logo} from './common';

const STEPS = [
    ['account', 'Admin account'],
    ['site', 'Site'],
    ['https', 'HTTPS'],
    ['email', 'E-mail'],
    ['team', 'First team'],
] as const;
type Step = typeof STEPS[number][0];

const LATER_NOTE = 'This can be set later in the System Console.';

export function SetupWizard() {
    const me = useAppState((s) => s.me);
    const setupNeeded = useAppState((s) => s.setupNeeded);
    const [step, setStep] = useState<Step>(me ? 'site' : 'account');
    if (!setupNeeded && !(me && isSystemAdmin(me))) {
        return (
            <Shell step={null}>
                <h2>Hearth is already set up</h2>
                <p>Sign in to continue.</p>
                <button className='btn btn-primary' onClick={() => navigate('/login')}>Go to sign in</button>
            </Shell>
        );
    }
    return (
        <Shell step={step}>
            {step === 'account' && <AccountStep onDone={() => setStep('site')}/>}
            {step === 'site' && <SiteStep onDone={() => setStep('https')}/>}
            {step === 'https' && <HttpsStep onDone={() => setStep('email')} onBack={() => setStep('site')}/>}
            {step === 'email' && <EmailStep onDone={() => setStep('team')} onBack={() => setStep('https')}/>}
            {step === 'team' && <TeamStep/>}
        </Shell>
    );
}

function Shell({step, children}: {step: Step | null; children: ReactNode}) {
    const index = STEPS.findIndex(([id]) => id === step);
    return (
        <div className='auth-page'>
            <main className='card wizard' aria-labelledby='wizard-title'>
                <h1 id='wizard-title' className='brand'><Logo/> Set up Hearth</h1>
                {step && (
                    <ol className='steps' aria-label='Setup steps'>
                        {STEPS.map(([id, label], i) => (
                            <li key={id} className={i < index ? 'done' : i === index ? 'current' : ''} aria-current={i === index ? 'step' : undefined}>
                                <span className='step-num' aria-hidden>{i < index ? '✓' : i + 1}</span> {label}
                            </li>
                        ))}
                    </ol>
                )}
                {children}
            </main>
        </div>
    );
}

function AccountStep({onDone}: {onDone: () => void}) {
    const [username, setUsername] = useState('');
    const [email, setEmail] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const minLength = Number(useAppState((s) => s.config.PasswordMinimumLength) || 8);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.createUser({username: username.trim(), email: email.trim(), password} as UserProfile, '', '');
            await login(username.trim(), password);
            onDone();
        } catch (err) {
            setError(errorMessage(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit}>
            <h2>Create the administrator account</h2>
            <p className='muted'>The first account manages this site: its settings, teams and users.</p>
            <Field label='Username' value={username} onChange={setUsername} autoComplete='username' required autoFocus/>
            <Field label='E-mail' type='email' value={email} onChange={setEmail} autoComplete='email' required/>
            <Field label='Password' type='password' value={password} onChange={setPassword} autoComplete='new-password' required minLength={minLength}
                hint={`At least ${minLength} characters.`}/>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='actions'><button className='btn btn-primary' disabled={busy}>Create account</button></div>
        </form>
    );
}

function SiteStep({onDone}: {onDone: () => void}) {
    const config = useAppState((s) => s.config);
    const [siteName, setSiteName] = useState(config.SiteName || 'Hearth');
    const [siteUrl, setSiteUrl] = useState(config.SiteURL || window.location.origin);
    const [error, setError] = useState('');
    const [note, setNote] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        if (note) {
            onDone();
            return;
        }
        setBusy(true);
        setError('');
        try {
            await client.patchConfig({
                TeamSettings: {SiteName: siteName.trim()},
                ServiceSettings: {SiteURL: siteUrl.trim().replace(/\/+$/, '')},
            } as never);
            onDone();
        } catch (err) {
            if (isMissingEndpoint(err)) {
                setNote(`This server cannot change its settings from the web yet. ${LATER_NOTE}`);
            } else {
                setError(errorMessage(err));
            }
        } finally {
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit}>
            <h2>Name your site</h2>
            <Field label='Site name' value={siteName} onChange={setSiteName} required maxLength={30}
                hint='Shown on the sign-in page and in the browser tab.'/>
            <Field label='Site URL' type='url' value={siteUrl} onChange={setSiteUrl} required
                hint='The address people use to reach this server. Links in notifications use it.'/>
            {error && <p className='error' role='alert'>{error}</p>}
            {note && <p className='note' role='status'>{note}</p>}
            <div className='actions'><button className='btn btn-primary' disabled={busy}>{note ? 'Continue' : 'Save and continue'}</button></div>
        </form>
    );
}

function HttpsStep({onDone, onBack}: {onDone: () => void; onBack: () => void}) {
    return (
        <div>
            <h2>Secure connections (HTTPS)</h2>
            <p className='note' role='note'>
                HTTPS with an automatic certificate arrives in a later release of Hearth. Until then, run Hearth
                behind a reverse proxy that terminates TLS (nginx, Caddy), or keep it on a trusted network.
            </p>
            <fieldset disabled className='disabled-fields'>
                <legend>Automatic certificate</legend>
                <Field label='Domain name' value='' onChange={() => undefined} placeholder='chat.example.com'/>
                <label className='check'><input type='checkbox'/> Get a certificate automatically and redirect HTTP to HTTPS</label>
            </fieldset>
            <div className='actions'>
                <button type='button' className='btn' onClick={onBack}>Back</button>
                <button type='button' className='btn btn-primary' onClick={onDone}>Continue</button>
            </div>
        </div>
    );
}

function EmailStep({onDone, onBack}: {onDone: () => void; onBack: () => void}) {
    return (
        <div>
            <h2>E-mail</h2>
            <p className='note' role='note'>
                Sending e-mail (invitations, password resets, mention notifications) arrives in a later release of
                Hearth. Meanwhile, invite people with the team's invite link.
            </p>
            <fieldset disabled className='disabled-fields'>
                <legend>SMTP server</legend>
                <Field label='SMTP server' value='' onChange={() => undefined} placeholder='smtp.example.com'/>
                <Field label='Port' value='' onChange={() => undefined} placeholder='587'/>
                <Field label='Username' value='' onChange={() => undefined}/>
                <Field label='Password' type='password' value='' onChange={() => undefined}/>
                <Field label='From address' value='' onChange={() => undefined} placeholder='chat@example.com'/>
            </fieldset>
            <div className='actions'>
                <button type='button' className='btn' onClick={onBack}>Back</button>
                <button type='button' className='btn btn-primary' onClick={onDone}>Continue</button>
            </div>
        </div>
    );
}

export function TeamStep({title = 'Create your first team'}: {title?: string}) {
    const [displayName, setDisplayName] = useState('');
    const [name, setName] = useState('');
    const [nameEdited, setNameEdited] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const urlName = nameEdited ? name : slugify(displayName);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            const team = await client.createTeam({display_name: displayName.trim(), name: urlName, type: 'O'} as Team);
            await startSession(getState().me!);
            navigate(`/${team.name}/channels/town-square`, {replace: true});
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    };
    return (
        <form onSubmit={submit}>
            <h2>{title}</h2>
            <p className='muted'>A team is a group of people and their channels. You can add more teams later.</p>
            <Field label='Team name' value={displayName} onChange={setDisplayName} required maxLength={64} autoFocus/>
            <Field label='Team URL' value={urlName} onChange={(v) => {
                setNameEdited(true);
                setName(v.toLowerCase());
            }} required pattern='[a-z0-9][a-z0-9-]*[a-z0-9]' hint={`${window.location.origin}/${urlName || 'team-name'}`}/>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='actions'><button className='btn btn-primary' disabled={busy || !urlName}>Create team</button></div>
        </form>
    );
}
