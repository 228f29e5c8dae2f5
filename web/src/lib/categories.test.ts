import {describe, expect, it} from 'vitest';
import {
    applyOrder, applyUpdated, categoryOf, defaultCategories, fromServer, isFavorite, moveChannel, moveInOrder, removeCategory,
    shownChannelIds, sidebarSections, sortChannels, toggleFavorite, withSorting, type Category, type SidebarChannel, type TeamCategories,
} from './categories';

function cat(id: string, type: Category['type'], channelIds: string[], extra: Partial<Category> = {}): Category {
    return {id, user_id: 'u', team_id: 't', type, display_name: id, sorting: '', muted: false, collapsed: false, channel_ids: channelIds, ...extra};
}

const ch = (id: string, type: string, label: string, lastActivity = 0): SidebarChannel => ({id, type, label, lastActivity});

function team(...categories: Category[]): TeamCategories {
    return fromServer({categories, order: categories.map((c) => c.id)});
}

const town = ch('town', 'O', 'Town Square', 10);
const off = ch('off', 'O', 'off-topic', 30);
const plan = ch('plan', 'P', 'Planning', 20);
const dmBob = ch('dm-bob', 'D', 'bob', 50);
const gm = ch('gm', 'G', 'bob, carol', 40);
const all = [town, off, plan, dmBob, gm];

const base = () => team(
    cat('fav', 'favorites', []),
    cat('chan', 'channels', ['town', 'off', 'plan']),
    cat('dms', 'direct_messages', ['dm-bob', 'gm'], {sorting: 'recent'}),
);

const sectionIds = (tc: TeamCategories, channels = all) => sidebarSections(tc, channels).map((s) => [s.category.id, s.channelIds]);

describe('sorting a category', () => {
    it('sorts by name, case-insensitively', () => {
        expect(sortChannels(cat('c', 'channels', [], {sorting: 'alpha'}), [town, off, plan]).map((c) => c.label)).toEqual(['off-topic', 'Planning', 'Town Square']);
    });
    it('sorts by recent activity, newest first', () => {
        expect(sortChannels(cat('c', 'channels', [], {sorting: 'recent'}), [town, off, plan]).map((c) => c.id)).toEqual(['off', 'plan', 'town']);
    });
    it('keeps the listed order for manual and "", with unlisted channels on top', () => {
        for (const sorting of ['manual', ''] as const) {
            const c = cat('c', 'channels', ['plan', 'town'], {sorting});
            expect(sortChannels(c, [town, off, plan]).map((x) => x.id)).toEqual(['off', 'plan', 'town']);
        }
    });
});

describe('sidebar sections', () => {
    it('follows the category order and hides an empty Favorites', () => {
        expect(sectionIds(base())).toEqual([['chan', ['town', 'off', 'plan']], ['dms', ['dm-bob', 'gm']]]);
        const reordered = applyOrder(base(), ['dms', 'fav', 'chan']);
        expect(sectionIds(reordered).map(([id]) => id)).toEqual(['dms', 'chan']);
    });

    it('puts channels no category lists into their default one, and skips channels the user is not in', () => {
        const tc = team(cat('fav', 'favorites', ['gone']), cat('chan', 'channels', ['town']), cat('dms', 'direct_messages', []));
        expect(sectionIds(tc, [town, off, dmBob])).toEqual([['chan', ['off', 'town']], ['dms', ['dm-bob']]]);
    });

    it('lists each channel once, in the first category that holds it', () => {
        const tc = team(cat('fav', 'favorites', ['town']), cat('chan', 'channels', ['town', 'off']), cat('dms', 'direct_messages', []));
        expect(sectionIds(tc, [town, off])).toEqual([['fav', ['town']], ['chan', ['off']], ['dms', []]]);
    });

    it('shows empty custom categories', () => {
        const tc = applyUpdated(base(), [cat('new', 'custom', [])]);
        expect(sectionIds(tc)[0]).toEqual(['new', []]);
    });

    it('before the server answers: Channels by name, Direct Messages by recency', () => {
        const tc = defaultCategories('u', 't');
        expect(tc.order).toEqual(['favorites_u_t', 'channels_u_t', 'direct_messages_u_t']);
        expect(sectionIds(tc)).toEqual([['channels_u_t', ['off', 'plan', 'town']], ['direct_messages_u_t', ['dm-bob', 'gm']]]);
    });

    it('a collapsed category shows only the channels to keep; Direct Messages is limited', () => {
        const [chan, dms] = sidebarSections(applyUpdated(base(), [cat('chan', 'channels', ['town', 'off', 'plan'], {collapsed: true})]), all);
        expect(shownChannelIds(chan, (id) => id === 'plan')).toEqual(['plan']);
        expect(shownChannelIds(dms, () => false, 1)).toEqual(['dm-bob']);
        expect(shownChannelIds(dms, (id) => id === 'gm', 1)).toEqual(['dm-bob', 'gm']);
    });
});

describe('moving channels', () => {
    it('moves a channel to the top of another category and out of the one that held it', () => {
        const tc = applyUpdated(base(), [cat('proj', 'custom', ['x'])]);
        const changed = moveChannel(tc, 'off', 'O', 'proj');
        expect(changed.map((c) => [c.id, c.channel_ids])).toEqual([['chan', ['town', 'plan']], ['proj', ['off', 'x']]]);
        const after = applyUpdated(tc, changed);
        expect(categoryOf(after, 'off')?.id).toBe('proj');
        expect(sectionIds(after)[0]).toEqual(['proj', ['off']]);
    });

    it('moves a channel no category lists yet', () => {
        const changed = moveChannel(base(), 'new', 'O', 'fav');
        expect(changed.map((c) => [c.id, c.channel_ids])).toEqual([['fav', ['new']]]);
    });

    it('refuses what the server refuses, and a move to where the channel is', () => {
        expect(moveChannel(base(), 'off', 'O', 'dms')).toEqual([]);
        expect(moveChannel(base(), 'dm-bob', 'D', 'chan')).toEqual([]);
        expect(moveChannel(base(), 'off', 'O', 'chan')).toEqual([]);
        expect(moveChannel(base(), 'off', 'O', 'nope')).toEqual([]);
    });

    it('favourites and unfavourites: into Favorites, and back to the default category', () => {
        let tc = base();
        tc = applyUpdated(tc, toggleFavorite(tc, 'plan', 'P'));
        expect(isFavorite(tc, 'plan')).toBe(true);
        expect(sectionIds(tc)[0]).toEqual(['fav', ['plan']]);
        tc = applyUpdated(tc, toggleFavorite(tc, 'gm', 'G'));
        expect(tc.byId.fav.channel_ids).toEqual(['gm', 'plan']);
        tc = applyUpdated(tc, toggleFavorite(tc, 'gm', 'G'));
        expect(categoryOf(tc, 'gm')?.id).toBe('dms');
        tc = applyUpdated(tc, toggleFavorite(tc, 'plan', 'P'));
        expect(categoryOf(tc, 'plan')?.id).toBe('chan');
        expect(sectionIds(tc).map(([id]) => id)).toEqual(['chan', 'dms']);
    });

    it('a favourite from a custom category goes back to Channels when unfavourited', () => {
        let tc = applyUpdated(base(), [cat('proj', 'custom', ['off'])]);
        tc = applyUpdated(tc, toggleFavorite(tc, 'off', 'O'));
        expect(tc.byId.proj.channel_ids).toEqual([]);
        tc = applyUpdated(tc, toggleFavorite(tc, 'off', 'O'));
        expect(categoryOf(tc, 'off')?.id).toBe('chan');
    });
});

describe('events and answers from the server', () => {
    it('sidebar_category_updated replaces categories; a channel they list leaves the others', () => {
        const tc = applyUpdated(base(), [cat('fav', 'favorites', ['town'], {muted: true})]);
        expect(tc.byId.fav.muted).toBe(true);
        expect(tc.byId.chan.channel_ids).toEqual(['off', 'plan']);
        expect(tc.order).toEqual(['fav', 'chan', 'dms']);
    });

    it('a category not held yet goes on top', () => {
        expect(applyUpdated(base(), [cat('new', 'custom', [])]).order).toEqual(['new', 'fav', 'chan', 'dms']);
    });

    it('sidebar_category_order_updated reorders, ignoring unknown ids and keeping unnamed ones', () => {
        expect(applyOrder(base(), ['dms', 'ghost', 'chan']).order).toEqual(['dms', 'chan', 'fav']);
    });

    it('reads a partial answer: categories missing from the order go last', () => {
        const tc = fromServer({categories: [cat('a', 'channels', []), cat('b', 'custom', null as unknown as string[])], order: ['b']});
        expect(tc.order).toEqual(['b', 'a']);
        expect(tc.byId.b.channel_ids).toEqual([]);
        expect(fromServer({categories: null, order: null})).toEqual({byId: {}, order: []});
    });

    it('a deleted custom category gives its channels back to their default categories', () => {
        const tc = applyUpdated(base(), [cat('proj', 'custom', ['off', 'gm'])]);
        const after = removeCategory(tc, 'proj', (id) => (id === 'gm' ? 'G' : 'O'));
        expect(after.order).toEqual(['fav', 'chan', 'dms']);
        expect(categoryOf(after, 'off')?.id).toBe('chan');
        expect(categoryOf(after, 'gm')?.id).toBe('dms');
        expect(removeCategory(after, 'proj', () => 'O')).toBe(after);
    });
});

describe('category order and sorting', () => {
    it('moves a category past its shown neighbour, stopping at the ends', () => {
        const order = ['fav', 'chan', 'proj', 'dms'];
        expect(moveInOrder(order, 'proj', -1)).toEqual(['fav', 'proj', 'chan', 'dms']);
        expect(moveInOrder(order, 'proj', 1)).toEqual(['fav', 'chan', 'dms', 'proj']);
        expect(moveInOrder(order, 'fav', -1)).toBe(order);
        expect(moveInOrder(order, 'dms', 1)).toBe(order);
        // With Favorites hidden, Channels is first: moving it up does nothing, moving Projects up passes Channels.
        const shown = ['chan', 'proj', 'dms'];
        expect(moveInOrder(order, 'chan', -1, shown)).toBe(order);
        expect(moveInOrder(order, 'proj', -1, shown)).toEqual(['fav', 'proj', 'chan', 'dms']);
    });

    it('turning to manual keeps what is on screen', () => {
        const c = cat('chan', 'channels', ['town', 'gone'], {sorting: 'alpha'});
        expect(withSorting(c, 'manual', ['off', 'plan', 'town'])).toMatchObject({sorting: 'manual', channel_ids: ['off', 'plan', 'town', 'gone']});
        expect(withSorting(c, 'recent', ['off'])).toMatchObject({sorting: 'recent', channel_ids: ['town', 'gone']});
    });
});
