import {describe, expect, it} from 'vitest';
import {EMOJI, emojiChar, replaceShortcodes, searchEmoji, QUICK_REACTIONS} from './emoji';

describe('emoji', () => {
    it('has a table of common shortcodes', () => {
        expect(EMOJI.length).toBeGreaterThan(200);
        expect(emojiChar('smile')).toBe('😄');
        expect(emojiChar('+1')).toBe('👍');
        expect(emojiChar('THUMBSUP')).toBe('👍');
        expect(emojiChar('nope')).toBeUndefined();
        for (const name of QUICK_REACTIONS) {
            expect(emojiChar(name)).toBeTruthy();
        }
    });

    it('names are unique', () => {
        expect(new Set(EMOJI.map((e) => e.name)).size).toBe(EMOJI.length);
    });

    it('replaces shortcodes in text', () => {
        expect(replaceShortcodes('ship it :rocket: :unknown:')).toBe('ship it 🚀 :unknown:');
    });

    it('searches by prefix first, then by substring, without duplicate characters', () => {
        const found = searchEmoji('heart');
        expect(found[0].name).toBe('heart');
        expect(found.map((e) => e.name)).toContain('heart_eyes');
        expect(searchEmoji('thumbs').map((e) => e.char)).toEqual(['👍', '👎']);
        expect(searchEmoji('eyes').map((e) => e.name)).toContain('heart_eyes');
    });
});
