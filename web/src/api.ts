// The one Client4 and WebSocketClient of the app (from @mattermost/client), set up for a
// browser: same-origin URL, the session in Mattermost's cookies (MMAUTHTOKEN plus the
// MMCSRF token Client4 copies into X-CSRF-Token), and one place that notices a session that
// has ended (401) so the app can go back to the login page.

import {Client4, WebSocketClient} from '@mattermost/client';

type FetchWithResponse = (url: string, options: RequestInit) => Promise<unknown>;

export interface ApiError {
    message: string;
    server_error_id?: string;
    status_code?: number;
}

export const client = new Client4();
client.setUrl(window.location.origin);
client.setIncludeCookies(true);

let unauthorizedHandler: (() => void) | null = null;

/**
 * Whether a failed request means the session is over: a 401, except a failed sign-in and a
 * wrong current password or MFA code (changing one's e-mail or password answers 401 then).
 */
export function endsSession(err: ApiError, url: string): boolean {
    if (err?.status_code !== 401 || url.includes('/users/login')) {
        return false;
    }
    const id = err.server_error_id ?? '';
    return !id.startsWith('api.user.check_user_password') && !id.includes('mfa');
}

/** Called when a request answers 401 (other than a failed login). */
export function onUnauthorized(handler: () => void): void {
    unauthorizedHandler = handler;
}

// doFetchWithResponse is private in the typings but an instance property every request
// goes through; wrapping it is the one place to see every 401.
const wrapped = client as unknown as {doFetchWithResponse: FetchWithResponse};
const originalFetch = wrapped.doFetchWithResponse;
wrapped.doFetchWithResponse = (async (url: string, options: RequestInit) => {
    try {
        return await originalFetch(url, options);
    } catch (e) {
        const err = e as ApiError;
        if (endsSession(err, url) && unauthorizedHandler) {
            unauthorizedHandler();
        }
        throw e;
    }
}) as FetchWithResponse;

/** A request Client4 has no method for, through its fetch (headers, cookies, errors, 401s). */
export function apiRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
    const c = client as unknown as {doFetch: <R>(url: string, options: RequestInit) => Promise<R>};
    return c.doFetch<T>(`${client.getBaseRoute()}${path}`, {method, body: body === undefined ? undefined : JSON.stringify(body)});
}

export function errorMessage(e: unknown): string {
    const err = e as ApiError;
    return err?.message || 'Something went wrong. Please try again.';
}

export function errorId(e: unknown): string {
    return (e as ApiError)?.server_error_id ?? '';
}

export function statusOf(e: unknown): number {
    return (e as ApiError)?.status_code ?? 0;
}

/** True for an endpoint the server does not have (yet): 404 from the router or 501. */
export function isMissingEndpoint(e: unknown): boolean {
    const status = statusOf(e);
    return status === 501 || (status === 404 && errorId(e) === 'api.context.404.app_error');
}

/** Hearth's own: whether the first account has yet to be created. */
export async function getSetupNeeded(): Promise<boolean> {
    const res = await fetch('/api/v4/system/setup', {headers: {'X-Requested-With': 'XMLHttpRequest'}});
    if (!res.ok) {
        return false;
    }
    const body = (await res.json()) as {setup_needed?: boolean};
    return Boolean(body.setup_needed);
}

export const ws = new WebSocketClient({
    maxWebSocketRetryTime: 10000,
});

export function websocketUrl(): string {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${window.location.host}/api/v4/websocket`;
}

/** URL of a user's profile picture (Hearth generates initials avatars). */
export function avatarUrl(userId: string, lastPictureUpdate = 0): string {
    return `/api/v4/users/${userId}/image?_=${lastPictureUpdate}`;
}
