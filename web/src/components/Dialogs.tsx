// Dialogs of the chat screen: browse and join public channels, create a channel, start a
// direct message, the Ctrl/Cmd+K channel switcher, and the team invite link.

import {useEffect, useMemo, useRef, useState, type FormEvent} from 'react';
import type {Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage} from '../api';
import {createChannel, joinChannel, openGroupChannel, receiveUsers} from '../actions';
import {navigate} from '../router';
import {getState, setState, useAppState} from '../store';
import {slugify} from '../lib/format';
import {GROUP_MAX, canAddMore, directTarget} from '../lib/groups';
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

/** "Direct messages" +: one person for a direct message, two to seven for a group message. */
export function NewDirectMessage({team}: {team: Team}) {
    const me = useAppState((s) => s.me)!;
    const known = useAppState((s) => s.users);
    const [term, setTerm] = useState('');
    const [users, setUsers] = useState<UserProfile[]>([]);
    const [selected, setSelected] = useState<string[]>([]);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
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
    const target = directTarget(selected, me.id);
    const more = canAddMore(selected, me.id);
    const search = useRef<HTMLInputElement>(null);
    const toggle = (u: UserProfile) => {
        setError('');
        const adding = !selected.includes(u.id);
        setSelected((list) => (list.includes(u.id) ? list.filter((id) => id !== u.id) : [...list, u.id]));
        if (adding && term) {
            // Ready for the next name, as in Mattermost.
            setTerm('');
            search.current?.focus();
        }
    };
    const go = async () => {
        setError('');
        if (target.kind === 'dm') {
            close();
            navigate(`/${team.name}/messages/@${(known[target.userId] ?? users.find((u) => u.id === target.userId))!.username}`);
        } else if (target.kind === 'gm') {
            setBusy(true);
            try {
                const channel = await openGroupChannel(target.userIds);
                close();
                navigate(`/${team.name}/messages/${channel.name}`);
            } catch (e) {
                setError(errorMessage(e));
                setBusy(false);
            }
        }
    };
    return (
        <Modal title='Direct messages' onClose={close}>
            <input ref={search} type='search' className='input-full' placeholder='Find people' aria-label='Find people' value={term} onChange={(e) => setTerm(e.target.value)}/>
            {selected.length > 0 && (
                <ul className='chips' aria-label='Chosen people'>
                    {selected.map((id) => {
                        const u = known[id];
                        return (
                            <li key={id}>
                                <button className='chip' aria-label={`Remove ${u?.username ?? id}`} onClick={() => setSelected(selected.filter((x) => x !== id))}>
                                    {u?.username ?? id} <span aria-hidden>✕</span>
                                </button>
                            </li>
                        );
                    })}
                </ul>
            )}
            <ul className='pick-list' aria-label='People'>
                {users.map((u) => {
                    const on = selected.includes(u.id);
                    return (
                        <li key={u.id}>
                            <button className={`pick-button${on ? ' picked' : ''}`} aria-pressed={on} disabled={!on && !more} onClick={() => toggle(u)}>
                                <Avatar user={u} size={28}/> <span className='pick-name'>{userLabel(u)}{u.id === me.id ? ' (you)' : ''}</span>
                                <span className='pick-check' aria-hidden>{on ? '✓' : ''}</span>
                            </button>
                        </li>
                    );
                })}
            </ul>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='actions actions-between'>
                <p className='muted small' aria-live='polite'>
                    {target.kind === 'gm' ? `Group message with ${target.userIds.length - 1} people.`
                        : target.kind === 'too_many' ? `A group message has at most ${target.max} other people.`
                            : !more ? `A group message has at most ${GROUP_MAX - 1} other people.`
                                : 'Choose one person for a direct message, or several for a group message.'}
                </p>
                <button className='btn btn-primary' disabled={busy || target.kind === 'none' || target.kind === 'too_many'} onClick={go}>Go</button>
            </div>
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
            <p>Share this link with the people you want on the team. Opening it, they create an account and join {team.display_name}
                (or join it with the account they have), even when sign-up is otherwise closed.</p>
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
