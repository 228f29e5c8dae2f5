import {describe, expect, it} from 'vitest';
import {newestFirst, parseLogLine} from './logs';

describe('server log lines', () => {
    it('split the known fields from the event\'s own', () => {
        const e = parseLogLine(JSON.stringify({timestamp: '2026-05-01 10:00:00.123 Z', level: 'WARN', msg: 'configuration saved', caller: 'src/app/config.rs:145',
            settings: 'RateLimitSettings.PerSec', status: 400}), 'k');
        expect(e).toEqual({key: 'k', timestamp: '2026-05-01 10:00:00.123 Z', level: 'warn', msg: 'configuration saved', caller: 'src/app/config.rs:145',
            fields: [['settings', 'RateLimitSettings.PerSec'], ['status', '400']]});
    });
    it('keep a line that is not JSON as its message', () => {
        expect(parseLogLine('plain text', 'k').msg).toBe('plain text');
    });
    it('come newest first', () => {
        const lines = [JSON.stringify({msg: 'old'}), JSON.stringify({msg: 'new'})];
        expect(newestFirst(lines, 0).map((e) => e.msg)).toEqual(['new', 'old']);
    });
});
