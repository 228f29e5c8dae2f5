import {describe, expect, it} from 'vitest';
import {canAddMore, directTarget} from './groups';

const me = 'me';

describe('directTarget', () => {
    it('is nothing until someone is chosen', () => {
        expect(directTarget([], me)).toEqual({kind: 'none'});
    });
    it('makes a direct message with one person, or with oneself', () => {
        expect(directTarget(['bob'], me)).toEqual({kind: 'dm', userId: 'bob'});
        expect(directTarget(['bob', me], me)).toEqual({kind: 'dm', userId: 'bob'});
        expect(directTarget([me], me)).toEqual({kind: 'dm', userId: me});
    });
    it('makes a group message with two to seven others, oneself included', () => {
        expect(directTarget(['bob', 'carol'], me)).toEqual({kind: 'gm', userIds: [me, 'bob', 'carol']});
        const seven = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
        expect(directTarget(seven, me)).toEqual({kind: 'gm', userIds: [me, ...seven]});
        expect(directTarget([...seven, 'a', 'b'], me)).toEqual({kind: 'gm', userIds: [me, ...seven]});
    });
    it('refuses more than eight people in all', () => {
        expect(directTarget(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], me)).toEqual({kind: 'too_many', max: 7});
    });
});

describe('canAddMore', () => {
    it('stops at seven others', () => {
        expect(canAddMore(['a', 'b', 'c', 'd', 'e', 'f'], me)).toBe(true);
        expect(canAddMore(['a', 'b', 'c', 'd', 'e', 'f', 'g'], me)).toBe(false);
        expect(canAddMore(['a', 'b', 'c', 'd', 'e', 'f', me], me)).toBe(true);
    });
});
