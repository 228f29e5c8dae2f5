// Unsent messages kept per channel (and per thread) in localStorage, so switching channels
// or reloading the page loses nothing.

export interface DraftStorage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}

const PREFIX = 'hearth.draft.';

export class Drafts {
    constructor(private readonly storage: DraftStorage, private readonly userId: string) {}

    private key(channelId: string, rootId = ''): string {
        return `${PREFIX}${this.userId}.${channelId}${rootId ? '.' + rootId : ''}`;
    }

    get(channelId: string, rootId = ''): string {
        try {
            const raw = this.storage.getItem(this.key(channelId, rootId));
            return raw ? (JSON.parse(raw) as {message: string}).message ?? '' : '';
        } catch {
            return '';
        }
    }

    /** Saves the draft; an empty or blank one is removed. */
    set(channelId: string, message: string, rootId = ''): void {
        const key = this.key(channelId, rootId);
        try {
            if (message.trim() === '') {
                this.storage.removeItem(key);
            } else {
                this.storage.setItem(key, JSON.stringify({message, updateAt: Date.now()}));
            }
        } catch {
            // Storage full or disabled: drafts are a convenience, not worth an error.
        }
    }

    clear(channelId: string, rootId = ''): void {
        this.storage.removeItem(this.key(channelId, rootId));
    }
}
