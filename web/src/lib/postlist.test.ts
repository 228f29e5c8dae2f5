import {describe, expect, it} from 'vitest';
import type {Post} from '@mattermost/types/posts';
import {buildRows, dayKey, mergeOrder, GROUP_WINDOW_MS} from './postlist';

let n = 0;
function post(user: string, time: number, extra: Partial<Post> = {}): Post {
    n++;
    return {id: `p${n}`, user_id: user, create_at: time, type: '', props: {}, message: `m${n}`, root_id: '', ...extra} as Post;
}

const day1 = new Date(2026, 0, 5, 10, 0).getTime();
const day2 = new Date(2026, 0, 6, 9, 0).getTime();

describe('buildRows', () => {
    it('puts a date separator before each day', () => {
        const rows = buildRows([post('a', day1), post('a', day2)], {myUserId: 'me'});
        expect(rows.map((r) => r.kind)).toEqual(['date', 'post', 'date', 'post']);
        expect(rows[0].kind === 'date' && rows[0].day).toBe(dayKey(day1));
    });

    it('groups posts by the same user within five minutes', () => {
        const rows = buildRows([
            post('a', day1),
            post('a', day1 + 60_000),
            post('a', day1 + 60_000 + GROUP_WINDOW_MS + 1),
            post('b', day1 + 60_000 + GROUP_WINDOW_MS + 2),
        ], {myUserId: 'me'});
        const consecutive = rows.filter((r) => r.kind === 'post').map((r) => r.kind === 'post' && r.consecutive);
        expect(consecutive).toEqual([false, true, false, false]);
    });

    it('does not group system messages', () => {
        const rows = buildRows([post('a', day1), post('a', day1 + 1000, {type: 'system_join_channel'})], {myUserId: 'me'});
        expect(rows.filter((r) => r.kind === 'post').map((r) => r.kind === 'post' && r.consecutive)).toEqual([false, false]);
    });

    it('draws the new-messages line before the first unread post by someone else', () => {
        const rows = buildRows([post('a', day1), post('me', day1 + 2000), post('b', day1 + 3000), post('a', day1 + 4000)],
            {myUserId: 'me', lastViewedAt: day1 + 1000});
        expect(rows.map((r) => r.kind)).toEqual(['date', 'post', 'post', 'new', 'post', 'post']);
        const after = rows[4];
        expect(after.kind === 'post' && after.consecutive).toBe(false);
    });

    it('draws no line for posts that arrive after the channel was opened', () => {
        const rows = buildRows([post('a', day1), post('b', day1 + 5000)], {myUserId: 'me', lastViewedAt: day1 + 1000, unreadUntil: day1 + 1000});
        expect(rows.some((r) => r.kind === 'new')).toBe(false);
    });

    it('draws no line without a last-viewed time or when all is read', () => {
        expect(buildRows([post('a', day1)], {myUserId: 'me'}).some((r) => r.kind === 'new')).toBe(false);
        expect(buildRows([post('a', day1)], {myUserId: 'me', lastViewedAt: day1}).some((r) => r.kind === 'new')).toBe(false);
    });
});

describe('mergeOrder', () => {
    it('merges pages in time order without duplicates', () => {
        const a = post('a', 100);
        const b = post('a', 200);
        const c = post('a', 300);
        const byId = {[a.id]: a, [b.id]: b, [c.id]: c};
        const first = mergeOrder([], [c, b], byId);
        expect(first).toEqual([b.id, c.id]);
        const second = mergeOrder(first, [a, b], byId);
        expect(second).toEqual([a.id, b.id, c.id]);
        expect(mergeOrder(second, [a], byId)).toBe(second);
    });
});
