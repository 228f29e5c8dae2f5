import {describe, expect, it} from 'vitest';
import type {Post} from '@mattermost/types/posts';
import {applyFollow, applyRead, emptyThreads, receivePage, sortThreads, threadTotals, upsertThread, type ThreadItem} from './threads';

function thread(id: string, lastReplyAt: number, replies = 0, mentions = 0, extra: Partial<ThreadItem> = {}): ThreadItem {
    return {
        id, reply_count: 2, last_reply_at: lastReplyAt, last_viewed_at: 0, participants: [{id: 'u1'}],
        unread_replies: replies, unread_mentions: mentions, is_following: undefined as unknown as boolean,
        post: {id, channel_id: 'c1', user_id: 'u1', create_at: 1, message: 'root'} as Post, ...extra,
    };
}

const list = (threads: ThreadItem[], unreadThreads: number, mentions: number) => ({threads, total_unread_threads: unreadThreads, total_unread_mentions: mentions});

describe('followed threads', () => {
    it('sorts newest activity first, falling back to the root time', () => {
        const a = thread('a', 10);
        const b = thread('b', 30);
        const c = thread('c', 0, 0, 0, {post: {id: 'c', create_at: 20} as Post});
        expect(sortThreads([a, b, c]).map((t) => t.id)).toEqual(['b', 'c', 'a']);
    });

    it('takes the server totals, counting threads beyond the loaded page', () => {
        const t = receivePage(emptyThreads, list([thread('a', 10, 2, 1), thread('b', 5)], 3, 4), 0, 2);
        expect(t.items.every((i) => i.is_following)).toBe(true);
        expect(t.atEnd).toBe(false);
        expect(t.page).toBe(1);
        expect(threadTotals(t)).toEqual({unreadThreads: 3, mentions: 4});
        const read = applyRead(t, 'a', 0, 0, 50);
        expect(threadTotals(read)).toEqual({unreadThreads: 2, mentions: 3});
    });

    it('adds a later page and keeps one order', () => {
        const first = receivePage(emptyThreads, list([thread('a', 30), thread('b', 20)], 0, 0), 0, 2);
        const second = receivePage(first, list([thread('c', 10)], 0, 0), 1, 2);
        expect(second.items.map((t) => t.id)).toEqual(['a', 'b', 'c']);
        expect(second.atEnd).toBe(true);
    });

    it('moves an updated thread to the top and updates its unread marks', () => {
        const t = receivePage(emptyThreads, list([thread('a', 30), thread('b', 20)], 0, 0), 0, 25);
        const next = upsertThread(t, {...thread('b', 40, 1, 1), post: undefined as unknown as Post});
        expect(next.items.map((i) => i.id)).toEqual(['b', 'a']);
        expect(next.items[0].post.id).toBe('b');
        expect(next.items[0].is_following).toBe(true);
        expect(threadTotals(next)).toEqual({unreadThreads: 1, mentions: 1});
    });

    it('inserts a new thread; an already-counted one leaves the base totals', () => {
        const t = receivePage(emptyThreads, list([thread('a', 30)], 2, 3), 0, 1);
        expect(threadTotals(t)).toEqual({unreadThreads: 2, mentions: 3});
        // "z" was unread beyond the loaded page (1 mention) and gets another reply and mention.
        const next = upsertThread(t, thread('z', 50, 2, 2), {replies: 1, mentions: 1});
        expect(next.items.map((i) => i.id)).toEqual(['z', 'a']);
        expect(threadTotals(next)).toEqual({unreadThreads: 2, mentions: 4});
        const fresh = upsertThread(t, thread('n', 60, 1, 0));
        expect(threadTotals(fresh)).toEqual({unreadThreads: 3, mentions: 3});
    });

    it('marks all read, and an unfollowed thread stops counting', () => {
        const t = receivePage(emptyThreads, list([thread('a', 30, 1, 1), thread('b', 20, 1)], 5, 6), 0, 25);
        expect(threadTotals(applyRead(t, undefined, 0, 0, 99))).toEqual({unreadThreads: 0, mentions: 0});
        const unfollowed = applyFollow(t, 'a', false);
        expect(unfollowed.items.find((i) => i.id === 'a')?.is_following).toBe(false);
        expect(threadTotals(unfollowed).unreadThreads).toBe(threadTotals(t).unreadThreads - 1);
        expect(applyFollow(unfollowed, 'a', true, 7).items.find((i) => i.id === 'a')?.reply_count).toBe(7);
    });
});
