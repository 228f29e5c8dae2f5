// Dialogs of the chat screen: browse and join public channels, create a channel, start a
// direct message, the Ctrl/Cmd+K channel switcher, and the team invite link.

import {useEffect, useMemo, useState, type FormEvent} from 'react';
import type {Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage} from '../api';
import {createChannel, joinChannel, receiveUsers} from '../actions';
import {navigate} from '../router';
import {getState, setState, useAppState} from '../store';
import {slugify} from '../lib/format';
import {channelLabel, channelPath, userLabel} from '../links';
import {Avatar, Field, Icon, Modal} from './common';

const close = () => setState({dialog: ''});

export function BrowseChannels({team}: {team: Team}) {
    const members = useAppState((s) => s.members);
    const [channels, setChannels] = useState<Channel[] | null>(null);
    const [filter, setFilter] = useState('');
    const [error, setError] = useState('');
    useEffect(() => {
        client.getChannels(team.id, 0, 200).then((list) => setChannels(list)).catch((e) => setError(errorMessage(e)));
    }, [team.id]);
    const shown = (channels ?? []).filter((c) => c.delete_at === 0 && (c.display_name + ' ' + c.name + ' ' + c.purpose).toLowerCase().includes(filter.toLowerCase()))
        .sort((a, b) => a.display_name.localeCompare(b.display_name));
    const open = async (c: Channel) => {
        try {
            if (!members[c.id]) {
                await joinChannel(c);
            }
            close();
            navigate(`/${team.name}/channels/${c.name}`);
        } catch (e) {
            setError(errorMessage(e));
        }
    };
    return (
        <Modal title='Browse channels' onClose={close}>
            <input type='search' className='input-full' placeholder='Search channels' aria-label='Search channels' value={filter} onChange={(e) => setFilter(e.target.value)}/>
            {error && <p className='error' role='alert'>{error}</p>}
            <ul className='pick-list' aria-label='Public channels'>
                {shown.map((c) => (
                    <li key={c.id}>
                        <div className='pick-main'>
                            <strong><Icon name='globe' size={14}/> {c.display_name}</strong>
                            {c.purpose && <span className='muted small'>{c.purpose}</span>}
                        </div>
                        <button className={`btn${members[c.id] ? '' : ' btn-primary'}`} onClick={() => open(c)}>{members[c.id] ? 'View' : 'Join'}</button>
                    </li>
                ))}
                {channels && shown.length === 0 && <li className='muted'>No channels found.</li>}
            </ul>
            <div className='actions'><button className='btn' onClick={() => setState({dialog: 'create'})}>Create a channel</button></div>
        </Modal>
    );
}

export function CreateChannel({team}: {team: Team}) {
    const [displayName, setDisplayName] = useState('');
    const [purpose, setPurpose] = useState('');
    const [type, setType] = useState<'O' | 'P'>('O');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const name = slugify(displayName);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        try {
            const c = await createChannel(team.id, displayName.trim(), name, type, purpose.trim());
            close();
            navigate(`/${team.name}/channels/${c.name}`);
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    };
    return (
        <Modal title='Create a channel' onClose={close}>
            <form onSubmit={submit}>
                <Field label='Name' value={displayName} onChange={setDisplayName} required maxLength={64} hint={name ? `URL: /${team.name}/channels/${name}` : undefined}/>
                <Field label='Purpose (optional)' value={purpose} onChange={setPurpose} maxLength={250}/>
                <fieldset className='radio-group'>
                    <legend>Who can join</legend>
                    <label className='check'><input type='radio' name='ctype' checked={type === 'O'} onChange={() => setType('O')}/> Public: anyone on the team</label>
                    <label className='check'><input type='radio' name='ctype' checked={type === 'P'} onChange={() => setType('P')}/> Private: only people who are added</label>
                </fieldset>
                {error && <p className='error' role='alert'>{error}</p>}
                <div className='actions'>
                    <button type='button' className='btn' onClick={close}>Cancel</button>
                    <button className='btn btn-primary' disabled={busy || !name}>Create channel</button>
                </div>
            </form>
        </Modal>
    );
}

export function NewDirectMessage({team}: {team: Team}) {
    const me = useAppState((s) => s.me)!;
    const [term, setTerm] = useState('');
    const [users, setUsers] = useState<UserProfile[]>([]);
    const [error, setError] = useState('');
    useEffect(() => {
        let live = true;
        const t = setTimeout(() => {
            const req = term.trim()
                ? client.autocompleteUsers(term.trim(), team.id, '', {limit: 20}).then((r) => (r as {users: UserProfile[]}).users)
                : client.getProfilesInTeam(team.id, 0, 50, '', {active: true});
            req.then((list) => {
                if (live) {
                    receiveUsers(list);
                    setUsers(list.filter((u) => u.delete_at === 0));
                }
            }).catch((e) => setError(errorMessage(e)));
        }, 150);
        return () => {
            live = false;
            clearTimeout(t);
        };
    }, [term, team.id]);
    return (
        <Modal title='Direct message' onClose={close}>
            <input type='search' className='input-full' placeholder='Find people' aria-label='Find people' value={term} onChange={(e) => setTerm(e.target.value)}/>
            {error && <p className='error' role='alert'>{error}</p>}
            <ul className='pick-list' aria-label='People'>
                {users.map((u) => (
                    <li key={u.id}>
                        <button className='pick-button' onClick={() => {
                            close();
                            navigate(`/${team.name}/messages/@${u.username}`);
                        }}>
                            <Avatar user={u} size={28}/> <span>{userLabel(u)}{u.id === me.id ? ' (you)' : ''}</span>
                        </button>
                    </li>
                ))}
            </ul>
        </Modal>
    );
}

export function QuickSwitcher({team}: {team: Team}) {
    const channels = useAppState((s) => s.channels);
    const members = useAppState((s) => s.members);
    const users = useAppState((s) => s.users);
    const me = useAppState((s) => s.me)!;
    const [term, setTerm] = useState('');
    const [index, setIndex] = useState(0);
    const matches = useMemo(() => {
        const t = term.toLowerCase().replace(/^[~@]/, '');
        return Object.values(channels)
            .filter((c) => members[c.id] && c.delete_at === 0 && (c.team_id === team.id || c.team_id === ''))
            .map((c) => ({c, label: channelLabel(c, users, me.id)}))
            .filter(({c, label}) => !t || label.toLowerCase().includes(t) || c.name.includes(t))
            .sort((a, b) => {
                const ap = a.label.toLowerCase().startsWith(t) ? 0 : 1;
                const bp = b.label.toLowerCase().startsWith(t) ? 0 : 1;
                return ap - bp || (b.c.last_post_at - a.c.last_post_at);
            })
            .slice(0, 20);
    }, [channels, members, users, me.id, team.id, term]);
    const go = (c: Channel) => {
        close();
        navigate(channelPath(team, c, getState().users, me.id));
    };
    return (
        <Modal title='Switch channels' onClose={close}>
            <input type='text' className='input-full' placeholder='Type a channel or person' aria-label='Channel or person' value={term}
                role='combobox' aria-expanded='true' aria-controls='switcher-list'
                onChange={(e) => {
                    setTerm(e.target.value);
                    setIndex(0);
                }}
                onKeyDown={(e) => {
                    if (e.key === 'ArrowDown') {
                        e.preventDefault();
                        setIndex((i) => Math.min(i + 1, matches.length - 1));
                    } else if (e.key === 'ArrowUp') {
                        e.preventDefault();
                        setIndex((i) => Math.max(i - 1, 0));
                    } else if (e.key === 'Enter' && matches[index]) {
                        e.preventDefault();
                        go(matches[index].c);
                    }
                }}/>
            <ul className='pick-list' role='listbox' id='switcher-list' aria-label='Channels'>
                {matches.map(({c, label}, i) => (
                    <li key={c.id} role='option' aria-selected={i === index} className={i === index ? 'selected' : ''} onMouseDown={() => go(c)}>
                        <span>{c.type === 'P' ? '🔒' : c.type === 'O' ? '#' : '@'} {label}</span>
                    </li>
                ))}
                {matches.length === 0 && <li className='muted'>No matches.</li>}
            </ul>
            <p className='muted small'>↑↓ to move, Enter to open, Esc to close</p>
        </Modal>
    );
}

export function InviteDialog({team}: {team: Team}) {
    const [inviteId, setInviteId] = useState(team.invite_id);
    const [error, setError] = useState('');
    useEffect(() => {
        if (!inviteId) {
            client.getTeam(team.id).then((t) => setInviteId(t.invite_id)).catch((e) => setError(errorMessage(e)));
        }
    }, [inviteId, team.id]);
    const link = inviteId ? `${window.location.origin}/signup_user_complete/?id=${inviteId}` : '';
    return (
        <Modal title={`Invite people to ${team.display_name}`} onClose={close}>
            <p>Share this link. People who open it can create an account (if the server allows it) and join the team.</p>
            {error && <p className='error' role='alert'>{error}</p>}
            {link ? (
                <div className='copy-row'>
                    <input className='input-full' readOnly value={link} aria-label='Invite link' onFocus={(e) => e.target.select()}/>
                    <button className='btn btn-primary' onClick={() => navigator.clipboard?.writeText(link)}>Copy</button>
                </div>
            ) : !error && <p className='muted'>Only team admins can see the invite link.</p>}
        </Modal>
    );
}
