import {describe, expect, it} from 'vitest';
import {channelUnread, documentTitle, teamUnread} from './unread';

describe('channelUnread', () => {
    it('is unread when the channel has root posts the member has not read', () => {
        const u = channelUnread({total_msg_count: 10, total_msg_count_root: 6}, {msg_count: 8, msg_count_root: 4, mention_count: 1});
        expect(u).toEqual({unread: true, mentions: 1, messages: 2});
    });

    it('is read when only replies are new (threads are read in the panel)', () => {
        const u = channelUnread({total_msg_count: 10, total_msg_count_root: 6}, {msg_count: 8, msg_count_root: 6, mention_count: 0});
        expect(u.unread).toBe(false);
    });

    it('falls back to all-post counts when root counts are missing', () => {
        expect(channelUnread({total_msg_count: 3}, {msg_count: 1, mention_count: 0}).messages).toBe(2);
    });

    it('shows muted channels (mark_unread=mention) as read but keeps mentions', () => {
        const u = channelUnread({total_msg_count: 5}, {msg_count: 1, mention_count: 2, notify_props: {mark_unread: 'mention'}});
        expect(u).toEqual({unread: false, mentions: 2, messages: 4});
    });

    it('is read without a membership', () => {
        expect(channelUnread({total_msg_count: 5}, undefined).unread).toBe(false);
    });
});

describe('teamUnread and documentTitle', () => {
    it('adds up a team', () => {
        expect(teamUnread([{unread: false, mentions: 1, messages: 0}, {unread: true, mentions: 2, messages: 3}])).toEqual({unread: true, mentions: 3});
    });

    it('prefixes mentions, or a star for unread channels', () => {
        expect(documentTitle(2, 3, ['Town Square', 'Acme', 'Hearth'])).toBe('(3) Town Square - Acme - Hearth');
        expect(documentTitle(2, 0, ['Town Square', '', 'Hearth'])).toBe('* Town Square - Hearth');
        expect(documentTitle(0, 0, ['Hearth'])).toBe('Hearth');
    });
});
