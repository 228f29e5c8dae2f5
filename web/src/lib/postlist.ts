// Turns a channel's posts into the rows the message list shows: date separators, the
// "new messages" line at the first unread post, and grouping of consecutive posts.

import type {Post} from '@mattermost/types/posts';

/** Posts by the same user within this time of the previous one are shown without a header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export type Row =
    | {kind: 'date'; key: string; day: string; time: number}
    | {kind: 'new'; key: string}
    | {kind: 'post'; key: string; post: Post; consecutive: boolean};

/** The local calendar day of a timestamp as YYYY-MM-DD. */
export function dayKey(time: number): string {
    const d = new Date(time);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function isSystemPost(post: Post): boolean {
    return post.type.startsWith('system_');
}

export interface RowOptions {
    /** The current user: their own posts never start the "new messages" line. */
    myUserId: string;
    /** The member's last_viewed_at when the channel was opened; undefined hides the line. */
    lastViewedAt?: number;
    /**
     * The newest post's time when the channel was opened: posts arriving while the reader
     * watches are not "new messages" (no line before them).
     */
    unreadUntil?: number;
}

/** Builds the rows for posts sorted oldest first. */
export function buildRows(posts: Post[], {myUserId, lastViewedAt, unreadUntil = Infinity}: RowOptions): Row[] {
    const rows: Row[] = [];
    let prev: Post | undefined;
    let prevDay = '';
    let newLineShown = lastViewedAt === undefined;
    for (const post of posts) {
        const day = dayKey(post.create_at);
        let separated = false;
        if (day !== prevDay) {
            rows.push({kind: 'date', key: `date-${day}`, day, time: post.create_at});
            prevDay = day;
            separated = true;
        }
        if (!newLineShown && post.create_at > lastViewedAt! && post.user_id !== myUserId && post.create_at <= unreadUntil) {
            rows.push({kind: 'new', key: 'new-messages'});
            newLineShown = true;
            separated = true;
        }
        const consecutive = !separated && prev !== undefined &&
            prev.user_id === post.user_id &&
            !isSystemPost(prev) && !isSystemPost(post) &&
            post.create_at - prev.create_at <= GROUP_WINDOW_MS &&
            (prev.props?.from_webhook ?? '') === (post.props?.from_webhook ?? '');
        rows.push({kind: 'post', key: post.id, post, consecutive});
        prev = post;
    }
    return rows;
}

/**
 * Merges a page of posts into a channel's ordered id list (oldest first), without
 * duplicates, keeping the list sorted by creation time.
 */
export function mergeOrder(order: string[], incoming: Post[], byId: Record<string, Post>): string[] {
    const seen = new Set(order);
    const fresh = incoming.filter((p) => !seen.has(p.id));
    if (fresh.length === 0) {
        return order;
    }
    const time = (id: string) => byId[id]?.create_at ?? incoming.find((p) => p.id === id)?.create_at ?? 0;
    const all = [...order, ...fresh.map((p) => p.id)];
    const times = new Map(all.map((id) => [id, time(id)]));
    return all.sort((a, b) => times.get(a)! - times.get(b)! || (a < b ? -1 : 1));
}
