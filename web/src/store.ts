// The app's state: one immutable object replaced on every change, read by components
// through useAppState(selector). Selectors must return values already in the state (not
// new arrays) so that React can compare them.

import {useSyncExternalStore} from 'react';
import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team, TeamMembership} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

/** A channel as the server sends it: with the message totals the unread state needs. */
export type HChannel = Channel & {total_msg_count: number; total_msg_count_root?: number; last_root_post_at?: number};

export interface ChannelPosts {
    /** Root post ids, oldest first: a contiguous window of the channel's history. */
    order: string[];
    /** The window reaches the channel's first post. */
    atOldest: boolean;
    /** The window reaches the newest post (new posts are appended live). */
    atLatest: boolean;
    loadingOlder: boolean;
    /** The oldest and newest post (replies included) fetched: the paging cursors. */
    oldestId: string;
    newestId: string;
}

export type Rhs =
    | null
    | {kind: 'thread'; rootId: string}
    | {kind: 'search'; terms: string; ids: string[]; loading: boolean; error?: string; matches?: Record<string, string[]>}
    | {kind: 'pinned'; channelId: string; ids: string[]; loading: boolean; error?: string}
    | {kind: 'saved'; ids: string[]; loading: boolean; error?: string};

import type {ThemeChoice} from './lib/prefs';
import type {TeamThreads} from './lib/threads';
import type {TeamCategories} from './lib/categories';

export type {ThemeChoice};

export interface AppState {
    ready: boolean;
    setupNeeded: boolean;
    config: Record<string, string>;
    me: UserProfile | null;
    teams: Record<string, Team>;
    myTeamIds: string[];
    teamMembers: Record<string, TeamMembership>;
    channels: Record<string, HChannel>;
    /** Channel ids per team (DMs and GMs are under the empty team id). */
    teamChannelIds: Record<string, string[]>;
    members: Record<string, ChannelMembership>;
    users: Record<string, UserProfile>;
    statuses: Record<string, string>;
    posts: Record<string, Post>;
    channelPosts: Record<string, ChannelPosts>;
    /** Reply ids per root post, oldest first, once the thread was loaded. */
    threads: Record<string, string[]>;
    /** The followed threads per team (the Threads view and its sidebar badge). */
    userThreads: Record<string, TeamThreads>;
    /** The user's sidebar categories per team, once loaded. */
    categories: Record<string, TeamCategories>;
    /** "channelId:rootId" → user id → time the indicator expires. */
    typing: Record<string, Record<string, number>>;
    flagged: Record<string, true>;
    rhs: Rhs;
    /** A post to scroll to and highlight in the centre. */
    focusPostId: string;
    /** The post being edited in place (Up arrow or "Edit"). */
    editingPostId: string;
    currentTeamId: string;
    currentChannelId: string;
    theme: ThemeChoice;
    /** 24-hour clock (true), 12-hour (false), or the locale's (undefined). */
    clock24: boolean | undefined;
    wsConnected: boolean;
    /** The WebSocket was connected once this session (so a lost connection is worth showing). */
    wsEverConnected: boolean;
    /** A short message shown at the bottom of the screen. */
    toast: string;
    /** The open dialog, if any. */
    dialog: '' | 'browse' | 'create' | 'dm' | 'switcher' | 'invite' | 'settings';
    /** The user whose profile card is open, and the element it is beside. */
    profile: {userId: string; anchor: HTMLElement} | null;
    /** The channel list drawer on narrow screens. */
    drawerOpen: boolean;
    /** Bumped when messages must be formatted again (the code highlighter arrived). */
    renderVersion: number;
}

export const initialState: AppState = {
    ready: false,
    setupNeeded: false,
    config: {},
    me: null,
    teams: {},
    myTeamIds: [],
    teamMembers: {},
    channels: {},
    teamChannelIds: {},
    members: {},
    users: {},
    statuses: {},
    posts: {},
    channelPosts: {},
    threads: {},
    userThreads: {},
    categories: {},
    typing: {},
    flagged: {},
    rhs: null,
    focusPostId: '',
    editingPostId: '',
    currentTeamId: '',
    currentChannelId: '',
    theme: (localStorage.getItem('hearth.theme') as ThemeChoice | null) ?? 'system',
    clock24: undefined,
    wsConnected: false,
    wsEverConnected: false,
    toast: '',
    dialog: '',
    profile: null,
    drawerOpen: false,
    renderVersion: 0,
};

let state: AppState = initialState;
const listeners = new Set<() => void>();

export function getState(): AppState {
    return state;
}

export function setState(update: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
    const patch = typeof update === 'function' ? update(state) : update;
    state = {...state, ...patch};
    for (const l of listeners) {
        l();
    }
}

function subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
}

export function useAppState<T>(selector: (s: AppState) => T): T {
    return useSyncExternalStore(subscribe, () => selector(state));
}

/** Returns a copy of a record with some entries added or replaced. */
export function withEntries<T>(record: Record<string, T>, entries: Iterable<[string, T]>): Record<string, T> {
    const next = {...record};
    for (const [k, v] of entries) {
        next[k] = v;
    }
    return next;
}

export function isSystemAdmin(user: UserProfile | null): boolean {
    return Boolean(user?.roles.split(' ').includes('system_admin'));
}

/** The other user of a DM channel (named "<id>__<id>"). */
export function dmPartnerId(channel: Channel, myId: string): string {
    const [a, b] = channel.name.split('__');
    return a === myId ? b : a;
}

export function fullName(user: UserProfile | undefined): string {
    if (!user) {
        return '';
    }
    return [user.first_name, user.last_name].filter(Boolean).join(' ');
}
