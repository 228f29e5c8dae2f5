// A tiny History-API router: the app's routes mirror Mattermost's web app
// (/login, /{team}/channels/{name}, /{team}/messages/@{user}, /{team}/pl/{post},
// /{team}/threads[/{root}], /admin_console).

import {useSyncExternalStore} from 'react';

const EVENT = 'hearth:navigate';

function subscribe(cb: () => void): () => void {
    window.addEventListener('popstate', cb);
    window.addEventListener(EVENT, cb);
    return () => {
        window.removeEventListener('popstate', cb);
        window.removeEventListener(EVENT, cb);
    };
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, {replace = false} = {}): void {
    if (to === snapshot()) {
        return;
    }
    if (replace) {
        window.history.replaceState(null, '', to);
    } else {
        window.history.pushState(null, '', to);
    }
    window.dispatchEvent(new Event(EVENT));
}

/** The current path and query string; re-renders on navigation. */
export function useLocation(): {path: string; query: URLSearchParams} {
    const loc = useSyncExternalStore(subscribe, snapshot);
    const q = loc.indexOf('?');
    return {path: q < 0 ? loc : loc.slice(0, q), query: new URLSearchParams(q < 0 ? '' : loc.slice(q))};
}

export type Route =
    | {name: 'root'}
    | {name: 'setup'}
    | {name: 'login'}
    | {name: 'signup'}
    | {name: 'select_team'}
    | {name: 'admin'; section: string}
    | {name: 'channel'; team: string; channel: string}
    | {name: 'dm'; team: string; username: string}
    | {name: 'permalink'; team: string; postId: string}
    | {name: 'threads'; team: string; threadId: string}
    | {name: 'team'; team: string}
    | {name: 'not_found'};

/** Matches a path to a route. */
export function matchRoute(path: string): Route {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts.length === 0) {
        return {name: 'root'};
    }
    switch (parts[0]) {
    case 'setup':
        return {name: 'setup'};
    case 'login':
        return {name: 'login'};
    case 'signup_user_complete':
    case 'signup_email':
        return {name: 'signup'};
    case 'select_team':
        return {name: 'select_team'};
    case 'admin_console':
        return {name: 'admin', section: parts.slice(1).join('/') || 'users'};
    }
    const [team, kind, arg] = parts;
    if (parts.length === 1) {
        return {name: 'team', team};
    }
    if (kind === 'channels' && arg) {
        return {name: 'channel', team, channel: arg};
    }
    if (kind === 'messages' && arg?.startsWith('@')) {
        return {name: 'dm', team, username: arg.slice(1)};
    }
    if (kind === 'messages' && arg) {
        return {name: 'channel', team, channel: arg};
    }
    if (kind === 'threads' && parts.length <= 3) {
        return {name: 'threads', team, threadId: arg ?? ''};
    }
    if (kind === 'pl' && arg) {
        return {name: 'permalink', team, postId: arg};
    }
    return {name: 'not_found'};
}
