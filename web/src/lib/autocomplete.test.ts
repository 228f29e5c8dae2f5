import {describe, expect, it} from 'vitest';
import {applyCompletion, pendingAt} from './autocomplete';

describe('pendingAt', () => {
    it('finds @, ~ and : words at the caret', () => {
        expect(pendingAt('hi @al', 6)).toEqual({trigger: '@', term: 'al', start: 3, end: 6});
        expect(pendingAt('~to', 3)).toEqual({trigger: '~', term: 'to', start: 0, end: 3});
        expect(pendingAt('nice :sm', 8)).toEqual({trigger: ':', term: 'sm', start: 5, end: 8});
        expect(pendingAt('@', 1)).toEqual({trigger: '@', term: '', start: 0, end: 1});
    });

    it('ignores e-mail addresses, times, short emoji words and finished words', () => {
        expect(pendingAt('bob@exa', 7)).toBeNull();
        expect(pendingAt('at 10:3', 7)).toBeNull();
        expect(pendingAt(':s', 2)).toBeNull();
        expect(pendingAt('@alice ', 7)).toBeNull();
    });

    it('looks only before the caret', () => {
        expect(pendingAt('@al and more', 3)).toEqual({trigger: '@', term: 'al', start: 0, end: 3});
    });
});

describe('applyCompletion', () => {
    it('replaces the word and adds one space', () => {
        const p = pendingAt('hi @al', 6)!;
        expect(applyCompletion('hi @al', p, '@alice')).toEqual({text: 'hi @alice ', caret: 10});
    });

    it('replaces the rest of a word the caret is inside', () => {
        const p = pendingAt('x @alxx rest', 5)!;
        expect(applyCompletion('x @alxx rest', p, '@alice').text).toBe('x @alice rest');
    });
});
