// The signed-in screen: top bar with search, team rail, channel sidebar, the channel in
// the centre, and the right-hand panel (thread, search results, pinned or saved messages).

import {lazy, Suspense, useEffect, useMemo, useState, type FormEvent} from 'react';
import type {Channel} from '@mattermost/types/channels';
import {client, errorMessage, statusOf} from '../api';
import {focusPost, loadCategories, loadTeam, loadThreads, logout, openDirectChannel, resolveChannel, search, setTheme, showSaved, toast} from '../actions';
import {navigate, type Route} from '../router';
import {getState, isSystemAdmin, setState, useAppState, type ThemeChoice} from '../store';
import {channelUnread, documentTitle} from '../lib/unread';
import {setFaviconDot} from '../lib/favicon';
import {channelLabel, channelPath} from '../links';
import {ChannelView} from './ChannelView';
import {Avatar, Icon, Logo} from './common';
import {BrowseChannels, CreateChannel, InviteDialog, NewDirectMessage, QuickSwitcher} from './Dialogs';
import {ProfilePopover} from './ProfilePopover';
import {Rhs} from './Rhs';
import {Sidebar, TeamRail} from './Sidebar';

type TeamRoute = Extract<Route, {team: string}>;

// Account settings are opened now and then: loaded when first opened.
const AccountSettings = lazy(() => import('./AccountSettings').then((m) => ({default: m.AccountSettings})));
// The Threads view, likewise.
const ThreadsView = lazy(() => import('./ThreadsView').then((m) => ({default: m.ThreadsView})));

export function ChatView({route}: {route: TeamRoute}) {
    const me = useAppState((s) => s.me)!;
    const teams = useAppState((s) => s.teams);
    const myTeamIds = useAppState((s) => s.myTeamIds);
    const currentChannelId = useAppState((s) => s.currentChannelId);
    const rhs = useAppState((s) => s.rhs);
    const dialog = useAppState((s) => s.dialog);
    const drawerOpen = useAppState((s) => s.drawerOpen);
    const toastText = useAppState((s) => s.toast);
    const connectionLost = useAppState((s) => s.wsEverConnected && !s.wsConnected);
    const team = myTeamIds.map((id) => teams[id]).find((t) => t.name === route.team);
    const [loadedTeam, setLoadedTeam] = useState('');
    const [teamError, setTeamError] = useState('');

    useEffect(() => {
        if (!team) {
            return;
        }
        setState({currentTeamId: team.id});
        localStorage.setItem('hearth.lastTeam', team.name);
        loadTeam(team.id).then(() => setLoadedTeam(team.id)).catch((e) => setTeamError(errorMessage(e)));
        // The followed threads: the sidebar's "Threads" badge needs their unread totals.
        loadThreads(team.id).catch(() => undefined);
        // The user's sidebar categories (until they come, the sidebar shows the default three).
        loadCategories(team.id).catch(() => undefined);
    }, [team?.id]); // eslint-disable-line react-hooks/exhaustive-deps

    const routeKey = route.name === 'channel' ? route.channel : route.name === 'dm' ? '@' + route.username : route.name === 'permalink' ? route.postId : route.name === 'threads' ? 'threads' : '';
    useEffect(() => {
        if (!team || loadedTeam !== team.id) {
            return;
        }
        let cancelled = false;
        const go = async () => {
            let channel: Channel;
            if (route.name === 'channel') {
                channel = await resolveChannel(team.id, team.name, route.channel);
            } else if (route.name === 'dm') {
                channel = await openDirectChannel(route.username);
            } else if (route.name === 'threads') {
                setState({currentChannelId: '', drawerOpen: false});
                return;
            } else if (route.name === 'permalink') {
                const post = await focusPost(route.postId);
                const ch = getState().channels[post.channel_id] ?? await client.getChannel(post.channel_id);
                const s = getState();
                navigate(channelPath(team, ch, s.users, me.id), {replace: true});
                return;
            } else {
                navigate(`/${team.name}/channels/town-square`, {replace: true});
                return;
            }
            if (!cancelled) {
                setState({currentChannelId: channel.id, drawerOpen: false});
                const path = channelPath(team, channel, getState().users, me.id);
                localStorage.setItem(`hearth.lastChannel.${team.id}`, path.split('/').slice(2).join('/'));
            }
        };
        go().catch((e) => {
            if (cancelled) {
                return;
            }
            toast(statusOf(e) === 404 || statusOf(e) === 403 ? 'That channel or message was not found, or you cannot see it.' : errorMessage(e));
            localStorage.removeItem(`hearth.lastChannel.${team.id}`);
            if (route.name !== 'channel' || route.channel !== 'town-square') {
                navigate(`/${team.name}/channels/town-square`, {replace: true});
            }
        });
        return () => {
            cancelled = true;
        };
    }, [team?.id, loadedTeam, route.name, routeKey]); // eslint-disable-line react-hooks/exhaustive-deps

    useDocumentTitle(team?.display_name ?? '');
    useShortcuts();

    if (!team) {
        return (
            <div className='center-screen'>
                <h1>Team not found</h1>
                <p>The team “{route.team}” does not exist, or you are not a member.</p>
                <button className='btn btn-primary' onClick={() => navigate('/select_team')}>See your teams</button>
            </div>
        );
    }
    return (
        <div className={`app${rhs ? ' has-rhs' : ''}${drawerOpen ? ' drawer-open' : ''}`}>
            <TopBar teamId={team.id} isAdmin={isSystemAdmin(me)}/>
            {connectionLost && <div className='connection-banner' role='status'>Connection lost. Reconnecting…</div>}
            <div className='workspace'>
                <div className='drawer-scrim' onClick={() => setState({drawerOpen: false})} aria-hidden/>
                <nav className='drawer' aria-label='Teams and channels'>
                    <TeamRail currentTeamId={team.id}/>
                    <Sidebar team={team}/>
                </nav>
                <main className='main-col' aria-label={route.name === 'threads' ? 'Threads' : 'Channel'}>
                    {teamError && <p className='error' role='alert'>{teamError}</p>}
                    {route.name === 'threads' ? <Suspense fallback={null}><ThreadsView team={team} threadId={route.threadId}/></Suspense>
                        : currentChannelId && getState().channels[currentChannelId] ? <ChannelView key={currentChannelId} channelId={currentChannelId} team={team}/>
                        : <div className='center-screen'><div className='spinner' aria-hidden/></div>}
                </main>
                {rhs && <aside className='rhs' aria-label='Side panel'><Rhs team={team}/></aside>}
            </div>
            {dialog === 'browse' && <BrowseChannels team={team}/>}
            {dialog === 'create' && <CreateChannel team={team}/>}
            {dialog === 'dm' && <NewDirectMessage team={team}/>}
            {dialog === 'switcher' && <QuickSwitcher team={team}/>}
            {dialog === 'invite' && <InviteDialog team={team}/>}
            {dialog === 'settings' && <Suspense fallback={null}><AccountSettings/></Suspense>}
            <ProfilePopover team={team}/>
            {toastText && <div className='toast' role='status' aria-live='polite'>{toastText}</div>}
        </div>
    );
}

function useDocumentTitle(teamName: string): void {
    useEffect(() => () => setFaviconDot(false), []);
    const channels = useAppState((s) => s.channels);
    const members = useAppState((s) => s.members);
    const currentChannelId = useAppState((s) => s.currentChannelId);
    const users = useAppState((s) => s.users);
    const me = useAppState((s) => s.me)!;
    const siteName = useAppState((s) => s.config.SiteName) || 'Hearth';
    useEffect(() => {
        let unread = 0;
        let mentions = 0;
        for (const [id, member] of Object.entries(members)) {
            const c = channels[id];
            if (!c || c.delete_at) {
                continue;
            }
            const u = channelUnread(c, member);
            unread += u.unread ? 1 : 0;
            mentions += u.mentions;
        }
        const current = channels[currentChannelId];
        setFaviconDot(unread > 0 || mentions > 0);
        document.title = documentTitle(unread, mentions, [current ? channelLabel(current, users, me.id) : '', teamName, siteName]);
    }, [channels, members, currentChannelId, users, me.id, teamName, siteName]);
}

function useShortcuts(): void {
    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
                e.preventDefault();
                setState({dialog: getState().dialog === 'switcher' ? '' : 'switcher'});
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, []);
}

const THEME_NEXT: Record<ThemeChoice, ThemeChoice> = {system: 'dark', dark: 'light', light: 'system'};

function TopBar({teamId, isAdmin}: {teamId: string; isAdmin: boolean}) {
    const me = useAppState((s) => s.me)!;
    const theme = useAppState((s) => s.theme);
    const siteName = useAppState((s) => s.config.SiteName) || 'Hearth';
    const [terms, setTerms] = useState('');
    const [menu, setMenu] = useState(false);
    const submit = (e: FormEvent) => {
        e.preventDefault();
        if (terms.trim()) {
            search(teamId, terms.trim());
        }
    };
    const dark = useMemo(() => theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches), [theme]);
    return (
        <header className='topbar'>
            <button className='icon-btn drawer-toggle' aria-label='Open channel list' onClick={() => setState({drawerOpen: !getState().drawerOpen})}><Icon name='menu'/></button>
            <span className='topbar-site'><Logo size={22}/> {siteName}</span>
            <form className='search-form' role='search' onSubmit={submit}>
                <Icon name='search' size={16}/>
                <input type='search' placeholder='Search messages' aria-label='Search messages' value={terms} onChange={(e) => setTerms(e.target.value)}/>
            </form>
            <div className='topbar-right'>
                <button className='icon-btn' aria-label='Saved messages' title='Saved messages' onClick={() => showSaved()}><Icon name='bookmark'/></button>
                <button className='icon-btn' aria-label={`Theme: ${theme}. Switch theme`} title={`Theme: ${theme}`} onClick={() => setTheme(THEME_NEXT[theme])}>
                    <Icon name={dark ? 'moon' : 'sun'}/>
                </button>
                <div className='menu-anchor'>
                    <button className='icon-btn avatar-btn' aria-label='Account menu' aria-haspopup='menu' aria-expanded={menu} onClick={() => setMenu(!menu)}>
                        <Avatar user={me} size={28}/>
                    </button>
                    {menu && (
                        <div className='menu' role='menu' onClick={() => setMenu(false)}>
                            <div className='menu-header'>@{me.username}</div>
                            <button role='menuitem' onClick={() => setState({dialog: 'settings'})}>Account settings</button>
                            {isAdmin && <button role='menuitem' onClick={() => navigate('/admin_console/users')}>System Console</button>}
                            <button role='menuitem' onClick={() => logout()}>Sign out</button>
                        </div>
                    )}
                </div>
            </div>
        </header>
    );
}
