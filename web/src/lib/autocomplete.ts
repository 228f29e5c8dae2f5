// Finds what the user is typing at the caret: "@name", "~channel" or ":emoji", and applies
// the chosen suggestion.

export type Trigger = '@' | '~' | ':';

export interface Pending {
    trigger: Trigger;
    /** The text typed after the trigger character. */
    term: string;
    /** Where the trigger character is in the text. */
    start: number;
    /** The caret position. */
    end: number;
}

/** The pending autocompletion at the caret, or null. ":emoji" needs two characters. */
export function pendingAt(text: string, caret: number): Pending | null {
    const before = text.slice(0, caret);
    const m = /(^|[\s([{])([@~:])([\w.+-]*)$/.exec(before);
    if (!m) {
        return null;
    }
    const trigger = m[2] as Trigger;
    const term = m[3];
    if (trigger === ':' && term.length < 2) {
        return null;
    }
    return {trigger, term, start: caret - term.length - 1, end: caret};
}

/** Replaces the pending word by the replacement and a space; returns text and new caret. */
export function applyCompletion(text: string, p: Pending, replacement: string): {text: string; caret: number} {
    const after = text.slice(p.end).replace(/^[\w.+-]*/, '');
    const insert = replacement + ' ';
    const next = text.slice(0, p.start) + insert + after.replace(/^ /, '');
    return {text: next, caret: p.start + insert.length};
}
