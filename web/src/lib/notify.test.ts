import {describe, expect, it} from 'vitest';
import {notificationBody, shouldNotify, type NotifyInput} from './notify';
import {PLAIN_ICON, UNREAD_ICON, setFaviconDot} from './favicon';

const base: NotifyInput = {own: false, system: false, channelType: 'O', mentioned: false, muted: false, hidden: true, permission: 'granted'};

describe('shouldNotify', () => {
    it('notifies mentions and direct messages by default, not other messages', () => {
        expect(shouldNotify({...base, mentioned: true})).toBe(true);
        expect(shouldNotify({...base, channelType: 'D'})).toBe(true);
        expect(shouldNotify({...base, channelType: 'G'})).toBe(true);
        expect(shouldNotify(base)).toBe(false);
    });
    it('only while the page is hidden, with permission, for others\' messages', () => {
        expect(shouldNotify({...base, mentioned: true, hidden: false})).toBe(false);
        expect(shouldNotify({...base, mentioned: true, permission: 'default'})).toBe(false);
        expect(shouldNotify({...base, mentioned: true, own: true})).toBe(false);
        expect(shouldNotify({...base, channelType: 'D', system: true})).toBe(false);
    });
    it('follows the user\'s setting, and the channel\'s over it', () => {
        expect(shouldNotify({...base, userDesktop: 'all'})).toBe(true);
        expect(shouldNotify({...base, userDesktop: 'all', muted: true})).toBe(false);
        expect(shouldNotify({...base, userDesktop: 'none', mentioned: true})).toBe(false);
        expect(shouldNotify({...base, userDesktop: 'none', channelDesktop: 'mention', mentioned: true})).toBe(true);
        expect(shouldNotify({...base, userDesktop: 'all', channelDesktop: 'none'})).toBe(false);
        expect(shouldNotify({...base, userDesktop: 'mention', channelDesktop: 'default', mentioned: true})).toBe(true);
    });
});

describe('notificationBody', () => {
    it('names the sender outside direct messages and keeps one short line', () => {
        expect(notificationBody('bob', 'hello\n\nthere', false)).toBe('bob: hello there');
        expect(notificationBody('bob', 'hi', true)).toBe('hi');
        expect(notificationBody('bob', 'x'.repeat(300), true)).toHaveLength(140);
        expect(notificationBody('bob', '', true)).toBe('sent a file');
    });
});

describe('setFaviconDot', () => {
    it('swaps the icon between the plain mark and the one with a dot', () => {
        setFaviconDot(true);
        const link = document.querySelector('link[rel="icon"]')!;
        expect(link.getAttribute('href')).toBe(UNREAD_ICON);
        expect(decodeURIComponent(UNREAD_ICON)).toContain('<circle');
        setFaviconDot(false);
        expect(link.getAttribute('href')).toBe(PLAIN_ICON);
    });
});
