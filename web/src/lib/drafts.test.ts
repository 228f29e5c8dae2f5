import {describe, expect, it} from 'vitest';
import {Drafts} from './drafts';

function memory() {
    const m = new Map<string, string>();
    return {
        getItem: (k: string) => m.get(k) ?? null,
        setItem: (k: string, v: string) => void m.set(k, v),
        removeItem: (k: string) => void m.delete(k),
        size: () => m.size,
    };
}

describe('Drafts', () => {
    it('keeps a draft per channel and per thread', () => {
        const s = memory();
        const d = new Drafts(s, 'u1');
        d.set('c1', 'hello');
        d.set('c1', 'in a thread', 'root1');
        d.set('c2', 'other');
        expect(d.get('c1')).toBe('hello');
        expect(d.get('c1', 'root1')).toBe('in a thread');
        expect(d.get('c2')).toBe('other');
        expect(d.get('c3')).toBe('');
    });

    it('separates users', () => {
        const s = memory();
        new Drafts(s, 'u1').set('c1', 'mine');
        expect(new Drafts(s, 'u2').get('c1')).toBe('');
    });

    it('removes blank drafts and cleared ones', () => {
        const s = memory();
        const d = new Drafts(s, 'u1');
        d.set('c1', 'x');
        d.set('c1', '   ');
        expect(s.size()).toBe(0);
        d.set('c1', 'y');
        d.clear('c1');
        expect(d.get('c1')).toBe('');
    });

    it('survives broken or failing storage', () => {
        const broken = {getItem: () => '{not json', setItem: () => {
            throw new Error('quota');
        }, removeItem: () => undefined};
        const d = new Drafts(broken, 'u1');
        expect(d.get('c1')).toBe('');
        expect(() => d.set('c1', 'x')).not.toThrow();
    });
});
