// The team rail (switch teams) and the channel sidebar: public and private channels, then
// direct and group messages, bold when unread, with a badge counting mentions.

import {useState, useMemo} from 'react';
import type {Team} from '@mattermost/types/teams';
import {navigate} from '../router';
import {dmPartnerId, setState, useAppState, type HChannel} from '../store';
import {channelUnread, teamUnread} from '../lib/unread';
import {threadTotals} from '../lib/threads';
import {useLocation} from '../router';
import {channelLabel, channelPath} from '../links';
import {Icon, StatusDot} from './common';

export function TeamRail({currentTeamId}: {currentTeamId: string}) {
    const teams = useAppState((s) => s.teams);
    const myTeamIds = useAppState((s) => s.myTeamIds);
    const channels = useAppState((s) => s.channels);
    const members = useAppState((s) => s.members);
    return (
        <div className='team-rail'>
            <ul aria-label='Teams' className='team-list'>
                {myTeamIds.map((id) => {
                    const t = teams[id];
                    const u = teamUnread(Object.values(channels).filter((c) => c.team_id === id && members[c.id]).map((c) => channelUnread(c, members[c.id])));
                    const current = id === currentTeamId;
                    return (
                        <li key={id}>
                            <button className={`team-btn${current ? ' active' : ''}${u.unread && !current ? ' unread' : ''}`} aria-current={current ? 'page' : undefined}
                                aria-label={`${t.display_name} team${u.mentions ? `, ${u.mentions} mentions` : ''}`} title={t.display_name}
                                onClick={() => navigate(`/${t.name}`)}>
                                {t.display_name.slice(0, 2)}
                                {u.mentions > 0 && !current && <span className='badge'>{u.mentions}</span>}
                            </button>
                        </li>
                    );
                })}
            </ul>
            <button className='team-btn team-add' aria-label='Join or create a team' title='Join or create a team' onClick={() => navigate('/select_team')}><Icon name='plus'/></button>
        </div>
    );
}

function sortByLabel(list: {c: HChannel; label: string}[]) {
    return list.sort((a, b) => a.label.localeCompare(b.label, undefined, {sensitivity: 'base'}));
}

export function Sidebar({team}: {team: Team}) {
    const me = useAppState((s) => s.me)!;
    const channels = useAppState((s) => s.channels);
    const members = useAppState((s) => s.members);
    const users = useAppState((s) => s.users);
    const statuses = useAppState((s) => s.statuses);
    const currentChannelId = useAppState((s) => s.currentChannelId);
    const {publicAndPrivate, direct} = useMemo(() => {
        const mine = Object.values(channels).filter((c) => members[c.id] && c.delete_at === 0);
        const label = (c: HChannel) => ({c, label: channelLabel(c, users, me.id)});
        return {
            publicAndPrivate: sortByLabel(mine.filter((c) => c.team_id === team.id && (c.type === 'O' || c.type === 'P')).map(label)),
            direct: mine.filter((c) => c.type === 'D' || c.type === 'G').map(label)
                .sort((a, b) => (b.c.last_post_at || b.c.create_at) - (a.c.last_post_at || a.c.create_at)).slice(0, 40),
        };
    }, [channels, members, users, me.id, team.id]);

    const item = ({c, label}: {c: HChannel; label: string}) => {
        const u = channelUnread(c, members[c.id]);
        const current = c.id === currentChannelId;
        const href = channelPath(team, c, users, me.id);
        const partner = c.type === 'D' ? dmPartnerId(c, me.id) : '';
        return (
            <li key={c.id}>
                <a href={href} className={`channel-item${current ? ' active' : ''}${u.unread && !current ? ' unread' : ''}`} aria-current={current ? 'page' : undefined}
                    onClick={(e) => {
                        e.preventDefault();
                        navigate(href);
                    }}>
                    <span className='channel-icon' aria-hidden>
                        {c.type === 'O' && <Icon name='globe' size={15}/>}
                        {c.type === 'P' && <Icon name='lock' size={15}/>}
                        {c.type === 'D' && <StatusDot status={statuses[partner] ?? 'offline'}/>}
                        {c.type === 'G' && <span className='gm-count'>{c.display_name.split(',').length}</span>}
                    </span>
                    <span className='channel-name'>{label}</span>
                    {u.unread && !current && <span className='visually-hidden'>, unread</span>}
                    {u.mentions > 0 && !current && <span className='badge' aria-label={`${u.mentions} mentions`}>{u.mentions}</span>}
                </a>
            </li>
        );
    };

    return (
        <div className='sidebar'>
            <div className='sidebar-header'>
                <TeamMenu team={team}/>
            </div>
            <div className='sidebar-scroll'>
                <button className='sidebar-search' onClick={() => setState({dialog: 'switcher'})}>
                    <Icon name='search' size={14}/> Find channel <kbd>Ctrl K</kbd>
                </button>
                <ThreadsItem team={team}/>
                <section aria-labelledby='sb-channels'>
                    <div className='sidebar-section-header'>
                        <h3 id='sb-channels'>Channels</h3>
                        <button className='icon-btn small' aria-label='Browse channels' title='Browse channels' onClick={() => setState({dialog: 'browse'})}><Icon name='search' size={14}/></button>
                        <button className='icon-btn small' aria-label='Create a channel' title='Create a channel' onClick={() => setState({dialog: 'create'})}><Icon name='plus' size={14}/></button>
                    </div>
                    <ul className='channel-list' aria-labelledby='sb-channels'>{publicAndPrivate.map(item)}</ul>
                </section>
                <section aria-labelledby='sb-direct'>
                    <div className='sidebar-section-header'>
                        <h3 id='sb-direct'>Direct messages</h3>
                        <button className='icon-btn small' aria-label='Write a direct message' title='Write a direct message' onClick={() => setState({dialog: 'dm'})}><Icon name='plus' size={14}/></button>
                    </div>
                    <ul className='channel-list' aria-labelledby='sb-direct'>{direct.map(item)}</ul>
                </section>
            </div>
        </div>
    );
}

/** "Threads" at the top: bold when followed threads have new replies, a badge for mentions. */
function ThreadsItem({team}: {team: Team}) {
    const threads = useAppState((s) => s.userThreads[team.id]);
    const {path} = useLocation();
    const current = path === `/${team.name}/threads` || path.startsWith(`/${team.name}/threads/`);
    const {unreadThreads, mentions} = threadTotals(threads);
    const href = `/${team.name}/threads`;
    return (
        <ul className='channel-list sidebar-threads' aria-label='Threads'>
            <li>
                <a href={href} className={`channel-item${current ? ' active' : ''}${unreadThreads && !current ? ' unread' : ''}`} aria-current={current ? 'page' : undefined}
                    onClick={(e) => {
                        e.preventDefault();
                        navigate(href);
                    }}>
                    <span className='channel-icon' aria-hidden><Icon name='reply' size={15}/></span>
                    <span className='channel-name'>Threads</span>
                    {unreadThreads > 0 && <span className='visually-hidden'>, {unreadThreads} unread</span>}
                    {mentions > 0 && <span className='badge' aria-label={`${mentions} mentions`}>{mentions}</span>}
                </a>
            </li>
        </ul>
    );
}

/** The team name, opening the team menu: invite people, join or create another team. */
function TeamMenu({team}: {team: Team}) {
    const [open, setOpen] = useState(false);
    return (
        <div className='menu-anchor team-menu'>
            <h2 className='team-name'>
                <button className='team-menu-btn' aria-haspopup='menu' aria-expanded={open} aria-label={`${team.display_name} team menu`}
                    onClick={() => setOpen(!open)}>
                    <span>{team.display_name}</span> <span aria-hidden className='caret'>▾</span>
                </button>
            </h2>
            {open && (
                <div className='menu menu-left' role='menu' onClick={() => setOpen(false)} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
                    <button role='menuitem' onClick={() => setState({dialog: 'invite'})}>Invite people</button>
                    <button role='menuitem' onClick={() => navigate('/select_team')}>Join or create a team</button>
                </div>
            )}
        </div>
    );
}
