// Small formatting helpers for times, days and sizes.

let clock24: boolean | undefined;

/** The user's clock: 24-hour (true), 12-hour (false), or the locale's (undefined). */
export function setClock24(on: boolean | undefined): void {
    clock24 = on;
}

export function formatTime(time: number): string {
    return new Date(time).toLocaleTimeString(undefined, {hour: 'numeric', minute: '2-digit', ...(clock24 === undefined ? {} : {hourCycle: clock24 ? 'h23' : 'h12'})});
}

/** "Today", "Yesterday", or a date, relative to now. */
export function formatDay(time: number, now = Date.now()): string {
    const d = new Date(time);
    const today = new Date(now);
    const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
    const startOfDay = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    const days = Math.round((startOfToday - startOfDay) / 86400000);
    if (days === 0) {
        return 'Today';
    }
    if (days === 1) {
        return 'Yesterday';
    }
    const sameYear = d.getFullYear() === today.getFullYear();
    return d.toLocaleDateString(undefined, {weekday: 'short', month: 'long', day: 'numeric', ...(sameYear ? {} : {year: 'numeric'})});
}

export function formatSize(bytes: number): string {
    if (bytes < 1024) {
        return `${bytes} B`;
    }
    const units = ['KB', 'MB', 'GB'];
    let v = bytes / 1024;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A team or channel URL name from a display name: lower case, dashes, 2–64 characters. */
export function slugify(display: string): string {
    const s = display.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
    return s.length >= 2 ? s : s ? s + '-1' : '';
}
