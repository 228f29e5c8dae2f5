// The followed threads of a team (Mattermost's "Threads" view): the list, newest activity
// first, kept live from thread_updated / thread_read_changed / thread_follow_changed, and
// the unread totals the sidebar shows.

import type {Post} from '@mattermost/types/posts';
import type {UserThread} from '@mattermost/types/threads';

/** A followed thread as the list sends it: the root post embedded. */
export type ThreadItem = Omit<UserThread, 'post'> & {post: Post};

export interface TeamThreads {
    items: ThreadItem[];
    loaded: boolean;
    loading: boolean;
    /** No more pages on the server. */
    atEnd: boolean;
    /** Next page number (the server pages with `page`, not `before`). */
    page: number;
    error?: string;
    /**
     * The server's unread totals minus what the loaded items contributed when they came:
     * threads beyond the loaded pages. The totals shown add the loaded items' own counts.
     */
    baseUnreadThreads: number;
    baseUnreadMentions: number;
}

export const emptyThreads: TeamThreads = {items: [], loaded: false, loading: false, atEnd: false, page: 0, baseUnreadThreads: 0, baseUnreadMentions: 0};

const activity = (t: ThreadItem) => t.last_reply_at || t.post?.create_at || 0;

/** Newest activity first; ties by id so the order is stable. */
export function sortThreads(items: ThreadItem[]): ThreadItem[] {
    return [...items].sort((a, b) => activity(b) - activity(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function isUnread(t: ThreadItem): boolean {
    return t.is_following !== false && (t.unread_replies > 0 || t.unread_mentions > 0);
}

/** The server omits is_following in lists (every listed thread is followed): default it. */
export function normalizeThread(t: ThreadItem, previous?: ThreadItem): ThreadItem {
    return {
        ...t,
        is_following: t.is_following ?? previous?.is_following ?? true,
        unread_replies: t.unread_replies ?? 0,
        unread_mentions: t.unread_mentions ?? 0,
        participants: t.participants ?? previous?.participants ?? [],
    };
}

/** A page from GET …/threads: the first page replaces the list, later ones add to it. */
export function receivePage(
    current: TeamThreads,
    list: {threads: ThreadItem[] | null; total_unread_threads: number; total_unread_mentions: number},
    page: number,
    perPage: number,
): TeamThreads {
    const incoming = (list.threads ?? []).map((t) => normalizeThread(t));
    const kept = page === 0 ? [] : current.items.filter((t) => !incoming.some((n) => n.id === t.id));
    const items = sortThreads([...kept, ...incoming]);
    const loadedUnread = items.filter(isUnread);
    return {
        ...current,
        items,
        loaded: true,
        loading: false,
        error: undefined,
        atEnd: incoming.length < perPage,
        page: page + 1,
        baseUnreadThreads: Math.max(0, (list.total_unread_threads ?? 0) - loadedUnread.length),
        baseUnreadMentions: Math.max(0, (list.total_unread_mentions ?? 0) - loadedUnread.reduce((n, t) => n + t.unread_mentions, 0)),
    };
}

/**
 * A thread_updated event: replaces or inserts the thread, keeping the order. A thread not
 * in the list that was already unread (`previous_unread_*`) was counted in the base totals:
 * it moves from there into the list.
 */
export function upsertThread(current: TeamThreads, thread: ThreadItem, previous?: {replies?: number; mentions?: number}): TeamThreads {
    const old = current.items.find((t) => t.id === thread.id);
    const next = normalizeThread({...(old ?? {}), ...thread, post: thread.post ?? old?.post} as ThreadItem, old);
    let {baseUnreadThreads, baseUnreadMentions} = current;
    if (!old && current.loaded && (previous?.replies ?? 0) > 0) {
        baseUnreadThreads = Math.max(0, baseUnreadThreads - 1);
        baseUnreadMentions = Math.max(0, baseUnreadMentions - (previous?.mentions ?? 0));
    }
    const items = sortThreads([...current.items.filter((t) => t.id !== thread.id), next]);
    return {...current, items, baseUnreadThreads, baseUnreadMentions};
}

/** Read state changed (here or elsewhere): one thread, or all of them (no id). */
export function applyRead(current: TeamThreads, threadId: string | undefined, replies: number, mentions: number, viewedAt: number): TeamThreads {
    if (!threadId) {
        return {
            ...current,
            items: current.items.map((t) => ({...t, unread_replies: 0, unread_mentions: 0, last_viewed_at: Math.max(t.last_viewed_at, viewedAt)})),
            baseUnreadThreads: 0,
            baseUnreadMentions: 0,
        };
    }
    return {...current, items: current.items.map((t) => (t.id === threadId ? {...t, unread_replies: replies, unread_mentions: mentions, last_viewed_at: viewedAt || t.last_viewed_at} : t))};
}

/** Follow state changed: the item stays listed (as in Mattermost) with the new state. */
export function applyFollow(current: TeamThreads, threadId: string, following: boolean, replyCount?: number): TeamThreads {
    return {
        ...current,
        items: current.items.map((t) => (t.id === threadId ? {...t, is_following: following, reply_count: replyCount ?? t.reply_count} : t)),
    };
}

/** What the sidebar's "Threads" item shows: unread threads (bold) and mentions (badge). */
export function threadTotals(current: TeamThreads | undefined): {unreadThreads: number; mentions: number} {
    if (!current) {
        return {unreadThreads: 0, mentions: 0};
    }
    let unreadThreads = current.baseUnreadThreads;
    let mentions = current.baseUnreadMentions;
    for (const t of current.items) {
        if (isUnread(t)) {
            unreadThreads++;
            mentions += t.unread_mentions;
        }
    }
    return {unreadThreads, mentions};
}
