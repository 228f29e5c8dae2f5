// Display choices kept as the user's preferences on the server, so they follow the user
// to other browsers: the 12/24-hour clock in Mattermost's own preference
// (display_settings / use_military_time) and Hearth's theme choice beside it.

export type ThemeChoice = 'system' | 'light' | 'dark';

export interface Pref {
    category: string;
    name: string;
    value: string;
}

export const DISPLAY = 'display_settings';
export const CLOCK = 'use_military_time';
/** Hearth's own name: Mattermost keeps full colour themes under the "theme" category. */
export const THEME = 'hearth_theme';

export interface DisplayPrefs {
    theme?: ThemeChoice;
    clock24?: boolean;
}

/** The display choices among a list of preferences (absent ones are left out). */
export function displayPrefs(prefs: Pref[]): DisplayPrefs {
    const out: DisplayPrefs = {};
    for (const p of prefs) {
        if (p.category !== DISPLAY) {
            continue;
        }
        if (p.name === THEME && (p.value === 'light' || p.value === 'dark' || p.value === 'system')) {
            out.theme = p.value;
        } else if (p.name === CLOCK) {
            out.clock24 = p.value === 'true';
        }
    }
    return out;
}
