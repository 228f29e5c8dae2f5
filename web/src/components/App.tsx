import {lazy, Suspense, useEffect} from 'react';
import {bootstrap} from '../actions';
import {tellDesktopAppReady} from '../lib/desktop';
import {matchRoute, navigate, useLocation} from '../router';
import {getState, isSystemAdmin, useAppState} from '../store';
import {Login, Signup} from './Auth';
import {ChatView} from './ChatView';
import {SelectTeam} from './SelectTeam';
import {SetupWizard} from './Setup';

let booted = false;

// The System Console is for admins only: loaded when first opened.
const AdminConsole = lazy(() => import('./AdminConsole').then((m) => ({default: m.AdminConsole})));

/** Applies the theme choice (or the system's) to the document, following changes. */
function useTheme(): void {
    const choice = useAppState((s) => s.theme);
    useEffect(() => {
        const media = window.matchMedia('(prefers-color-scheme: dark)');
        const apply = () => {
            const dark = choice === 'dark' || (choice === 'system' && media.matches);
            document.documentElement.dataset.theme = dark ? 'dark' : 'light';
        };
        apply();
        media.addEventListener('change', apply);
        return () => media.removeEventListener('change', apply);
    }, [choice]);
}

export function Loading() {
    return <div className='center-screen' role='status' aria-live='polite'><div className='spinner' aria-hidden/>Loading…</div>;
}

/** Where "/" leads: the setup wizard, the login page, or the last team's channel. */
export function homePath(): string {
    const s = getState();
    if (s.setupNeeded) {
        return '/setup';
    }
    if (!s.me) {
        return '/login';
    }
    const last = localStorage.getItem('hearth.lastTeam');
    const team = s.myTeamIds.map((id) => s.teams[id]).find((t) => t.name === last) ?? s.teams[s.myTeamIds[0]];
    if (!team) {
        return '/select_team';
    }
    const lastChannel = localStorage.getItem(`hearth.lastChannel.${team.id}`) || 'channels/town-square';
    return `/${team.name}/${lastChannel}`;
}

function Redirect({to}: {to: string}) {
    useEffect(() => navigate(to, {replace: true}), [to]);
    return null;
}

export function App() {
    useTheme();
    const {path, query} = useLocation();
    const ready = useAppState((s) => s.ready);
    const me = useAppState((s) => s.me);
    const setupNeeded = useAppState((s) => s.setupNeeded);
    useEffect(() => {
        if (!booted) {
            booted = true;
            bootstrap();
        }
    }, []);
    useEffect(() => {
        if (ready) {
            tellDesktopAppReady();
        }
    }, [ready]);
    if (!ready) {
        return <Loading/>;
    }
    const route = matchRoute(path);
    if (setupNeeded && route.name !== 'setup') {
        return <Redirect to='/setup'/>;
    }
    switch (route.name) {
    case 'setup':
        return <SetupWizard/>;
    case 'login':
        return me ? <Redirect to={query.get('redirect_to') || homePath()}/> : <Login/>;
    case 'signup':
        return <Signup/>;
    case 'root':
        return <Redirect to={homePath()}/>;
    }
    if (!me) {
        return <Redirect to={`/login?redirect_to=${encodeURIComponent(path)}`}/>;
    }
    switch (route.name) {
    case 'select_team':
        return <SelectTeam/>;
    case 'admin':
        return isSystemAdmin(me) ? <Suspense fallback={<Loading/>}><AdminConsole section={route.section}/></Suspense> : <Redirect to='/'/>;
    case 'not_found':
        return <div className='center-screen'><h1>Page not found</h1><a href='/' onClick={(e) => {
            e.preventDefault();
            navigate('/');
        }}>Back to Hearth</a></div>;
    default:
        return <ChatView route={route}/>;
    }
}
