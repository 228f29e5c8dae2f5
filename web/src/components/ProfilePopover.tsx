// The card shown when clicking a person's name or picture: name, username, position,
// status, and a button to message them.

import {useEffect, useLayoutEffect, useRef, useState, type CSSProperties} from 'react';
import {createPortal} from 'react-dom';
import type {Team} from '@mattermost/types/teams';
import {ensureUsers} from '../actions';
import {navigate} from '../router';
import {fullName, setState, useAppState} from '../store';
import {Avatar} from './common';

const WIDTH = 280;
const STATUS_TEXT: Record<string, string> = {online: 'Online', away: 'Away', dnd: 'Do not disturb', offline: 'Offline'};

function placement(anchor: HTMLElement, height: number): CSSProperties {
    const r = anchor.getBoundingClientRect();
    const left = Math.max(8, Math.min(window.innerWidth - WIDTH - 8, r.left));
    const below = window.innerHeight - r.bottom;
    const top = below >= height + 8 ? r.bottom + 4 : Math.max(8, r.top - height - 4);
    return {left, top, width: WIDTH};
}

export function ProfilePopover({team}: {team: Team}) {
    const profile = useAppState((s) => s.profile);
    const user = useAppState((s) => (profile ? s.users[profile.userId] : undefined));
    const status = useAppState((s) => (profile ? s.statuses[profile.userId] : undefined));
    const me = useAppState((s) => s.me)!;
    const ref = useRef<HTMLDivElement>(null);
    const [style, setStyle] = useState<CSSProperties>({visibility: 'hidden'});
    const channelId = useAppState((s) => s.currentChannelId);
    const anchor = profile?.anchor;
    useEffect(() => setState({profile: null}), [channelId]);
    useLayoutEffect(() => {
        if (anchor && ref.current) {
            setStyle(placement(anchor, ref.current.offsetHeight));
        }
    }, [anchor, user]);
    useEffect(() => {
        if (!profile) {
            return;
        }
        ensureUsers([profile.userId]);
        const close = (restoreFocus: boolean) => {
            setState({profile: null});
            if (restoreFocus && profile.anchor.isConnected && profile.anchor.tabIndex >= 0) {
                profile.anchor.focus();
            }
        };
        const onDown = (e: MouseEvent) => {
            if (ref.current && !ref.current.contains(e.target as Node) && !profile.anchor.contains(e.target as Node)) {
                close(false);
            }
        };
        const onKey = (e: KeyboardEvent) => {
            if (e.key === 'Escape') {
                e.stopPropagation();
                close(true);
            }
        };
        document.addEventListener('mousedown', onDown);
        document.addEventListener('keydown', onKey, true);
        return () => {
            document.removeEventListener('mousedown', onDown);
            document.removeEventListener('keydown', onKey, true);
        };
    }, [profile]);
    useEffect(() => {
        ref.current?.querySelector<HTMLElement>('button')?.focus();
    }, [profile?.userId]);
    if (!profile) {
        return null;
    }
    const name = fullName(user);
    const self = profile.userId === me.id;
    return createPortal(
        <div className='profile-popover' ref={ref} role='dialog' aria-label={`Profile of ${user?.username ?? 'someone'}`} style={style}>
            <div className='profile-top'>
                <Avatar user={user} size={64}/>
                <div className='profile-names'>
                    {name && <div className='profile-name'>{name}</div>}
                    <div className={name ? 'muted' : 'profile-name'}>@{user?.username ?? '…'}</div>
                    {user?.nickname && <div className='muted small'>“{user.nickname}”</div>}
                </div>
            </div>
            {user?.position && <div className='profile-position'>{user.position}</div>}
            <div className='profile-status'><span className={`status-dot status-${status ?? 'offline'}`} aria-hidden/> {STATUS_TEXT[status ?? 'offline'] ?? status}</div>
            <div className='actions'>
                {self ? (
                    <button className='btn' onClick={() => setState({profile: null, dialog: 'settings'})}>Edit profile</button>
                ) : (
                    <button className='btn btn-primary' disabled={!user} onClick={() => {
                        setState({profile: null, rhs: null});
                        navigate(`/${team.name}/messages/@${user!.username}`);
                    }}>Message</button>
                )}
            </div>
        </div>,
        document.body,
    );
}

/** Opens the profile card of a user beside the element clicked. */
export function openProfile(userId: string, anchor: HTMLElement): void {
    setState({profile: {userId, anchor}});
}
