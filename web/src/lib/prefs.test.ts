import {describe, expect, it} from 'vitest';
import {displayPrefs} from './prefs';
import {formatTime, setClock24} from './format';

describe('displayPrefs', () => {
    it('reads the theme and the clock from display_settings', () => {
        expect(displayPrefs([
            {category: 'display_settings', name: 'hearth_theme', value: 'dark'},
            {category: 'display_settings', name: 'use_military_time', value: 'true'},
            {category: 'flagged_post', name: 'abc', value: 'true'},
        ])).toEqual({theme: 'dark', clock24: true});
    });
    it('ignores unknown values and other categories', () => {
        expect(displayPrefs([
            {category: 'display_settings', name: 'hearth_theme', value: 'purple'},
            {category: 'theme', name: '', value: '{"type":"Onyx"}'},
        ])).toEqual({});
    });
});

describe('formatTime', () => {
    it('follows the chosen clock', () => {
        const t = new Date(2026, 0, 5, 13, 5).getTime();
        setClock24(true);
        expect(formatTime(t)).toMatch(/13.05/);
        setClock24(false);
        expect(formatTime(t)).toMatch(/1.05/);
        expect(formatTime(t)).not.toMatch(/13/);
        setClock24(undefined);
    });
});
