// The user's sidebar categories (Mattermost's): per team, categories in display order, each
// holding channel ids. The rules without React or the network live here: which channels a
// category shows and in what order, what a WebSocket event changes, and which categories a
// move or a (un)favourite rewrites. The server keeps every channel in exactly one category;
// the client keeps it so between the server's answers.

/** How a category orders its channels: "" and "manual" keep `channel_ids` order. */
export type Sorting = '' | 'alpha' | 'recent' | 'manual';

export type CategoryType = 'favorites' | 'channels' | 'direct_messages' | 'custom';

/** A category as the server sends it (`@mattermost/types`' ChannelCategory, with our sorting type). */
export interface Category {
    id: string;
    user_id: string;
    team_id: string;
    type: CategoryType;
    display_name: string;
    sorting: Sorting;
    sort_order?: number;
    muted: boolean;
    collapsed: boolean;
    channel_ids: string[];
}

/** One team's categories: by id, and their display order. */
export interface TeamCategories {
    byId: Record<string, Category>;
    order: string[];
}

/** What the sidebar needs to know of a channel to place and sort it. */
export interface SidebarChannel {
    id: string;
    /** O, P, D or G. */
    type: string;
    /** The name shown (a DM's partner, a GM's members). */
    label: string;
    /** Time of the last post, or of creation: "recent" sorting, newest first. */
    lastActivity: number;
}

export interface Section {
    category: Category;
    /** The category's channels (those the user is in), sorted per its sorting. */
    channelIds: string[];
}

/** Direct and group messages shown at most in the Direct Messages category (plus unread and current ones). */
export const DM_LIMIT = 40;

const isDirect = (type: string) => type === 'D' || type === 'G';

/** GET …/categories: tolerates a missing or partial order (categories left out go last). */
export function fromServer(list: {categories: Category[] | null; order: string[] | null}): TeamCategories {
    const categories = list.categories ?? [];
    const byId = Object.fromEntries(categories.map((c) => [c.id, {...c, channel_ids: c.channel_ids ?? []}]));
    const order = (list.order ?? []).filter((id) => byId[id]);
    for (const c of categories) {
        if (!order.includes(c.id)) {
            order.push(c.id);
        }
    }
    return {byId, order: [...new Set(order)]};
}

/** What the sidebar shows before the server's categories have arrived (or if it has none). */
export function defaultCategories(userId: string, teamId: string): TeamCategories {
    const make = (type: CategoryType, display_name: string, sorting: Sorting): Category => ({
        id: `${type}_${userId}_${teamId}`, user_id: userId, team_id: teamId, type, display_name, sorting,
        muted: false, collapsed: false, channel_ids: [],
    });
    const list = [make('favorites', 'Favorites', ''), make('channels', 'Channels', 'alpha'), make('direct_messages', 'Direct Messages', 'recent')];
    return {byId: Object.fromEntries(list.map((c) => [c.id, c])), order: list.map((c) => c.id)};
}

/** The category a channel is listed in, if any lists it. */
export function categoryOf(tc: TeamCategories, channelId: string): Category | undefined {
    return tc.order.map((id) => tc.byId[id]).find((c) => c?.channel_ids.includes(channelId));
}

/** Where a channel goes when no category holds it: Channels, or Direct Messages for DMs and GMs. */
export function defaultCategory(tc: TeamCategories, channelType: string): Category | undefined {
    const type: CategoryType = isDirect(channelType) ? 'direct_messages' : 'channels';
    return Object.values(tc.byId).find((c) => c.type === type);
}

/** Public and private channels never go under Direct Messages; DMs and GMs never under Channels. */
export function canHold(category: Category, channelType: string): boolean {
    if (category.type === 'direct_messages') {
        return isDirect(channelType);
    }
    if (category.type === 'channels') {
        return !isDirect(channelType);
    }
    return true;
}

function compareLabels(a: SidebarChannel, b: SidebarChannel): number {
    return a.label.localeCompare(b.label, undefined, {sensitivity: 'base'}) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A category's channels in display order: by name ("alpha"), newest activity first
 * ("recent"), else as listed, with channels the category does not list yet (joined since
 * the server answered) on top, newest first.
 */
export function sortChannels(category: Category, channels: SidebarChannel[]): SidebarChannel[] {
    const list = [...channels];
    if (category.sorting === 'alpha') {
        return list.sort(compareLabels);
    }
    if (category.sorting === 'recent') {
        return list.sort((a, b) => b.lastActivity - a.lastActivity || compareLabels(a, b));
    }
    const index = new Map(category.channel_ids.map((id, i) => [id, i]));
    return list.sort((a, b) => {
        const ia = index.get(a.id);
        const ib = index.get(b.id);
        if (ia === undefined || ib === undefined) {
            return ia === ib ? b.lastActivity - a.lastActivity : ia === undefined ? -1 : 1;
        }
        return ia - ib;
    });
}

/**
 * The sidebar's sections in category order. Each of the user's channels is in exactly one:
 * the first category listing it, else its default category. Ids of channels the user is not
 * in (left, archived, another team's) are skipped. An empty Favorites is not shown.
 */
export function sidebarSections(tc: TeamCategories, channels: SidebarChannel[]): Section[] {
    const placed = new Map<string, string>();
    for (const id of tc.order) {
        for (const channelId of tc.byId[id]?.channel_ids ?? []) {
            if (!placed.has(channelId)) {
                placed.set(channelId, id);
            }
        }
    }
    const members = new Map<string, SidebarChannel[]>();
    for (const c of channels) {
        let categoryId = placed.get(c.id);
        if (!categoryId || !canHold(tc.byId[categoryId], c.type)) {
            categoryId = defaultCategory(tc, c.type)?.id;
        }
        if (categoryId) {
            members.set(categoryId, [...(members.get(categoryId) ?? []), c]);
        }
    }
    return tc.order
        .map((id) => tc.byId[id])
        .filter((category): category is Category => Boolean(category))
        .map((category) => ({category, channelIds: sortChannels(category, members.get(category.id) ?? []).map((c) => c.id)}))
        .filter((s) => s.category.type !== 'favorites' || s.channelIds.length > 0);
}

/**
 * The channels of a section actually listed: a collapsed category keeps only those to
 * keep (unread, the current one); the Direct Messages category shows at most `limit`
 * (plus any to keep beyond it).
 */
export function shownChannelIds(section: Section, keep: (channelId: string) => boolean, limit = DM_LIMIT): string[] {
    if (section.category.collapsed) {
        return section.channelIds.filter(keep);
    }
    if (section.category.type === 'direct_messages') {
        return section.channelIds.filter((id, i) => i < limit || keep(id));
    }
    return section.channelIds;
}

/**
 * Moves a channel to the top of another category: the categories to save (the target, and
 * the one that listed it). Nothing when it is already there or the target cannot hold it.
 */
export function moveChannel(tc: TeamCategories, channelId: string, channelType: string, targetId: string, index = 0): Category[] {
    const target = tc.byId[targetId];
    const source = categoryOf(tc, channelId);
    if (!target || !canHold(target, channelType) || source?.id === targetId) {
        return [];
    }
    const ids = target.channel_ids.filter((id) => id !== channelId);
    ids.splice(Math.max(0, Math.min(index, ids.length)), 0, channelId);
    const changed: Category[] = [{...target, channel_ids: ids}];
    if (source) {
        changed.unshift({...source, channel_ids: source.channel_ids.filter((id) => id !== channelId)});
    }
    return changed;
}

export function isFavorite(tc: TeamCategories, channelId: string): boolean {
    return categoryOf(tc, channelId)?.type === 'favorites';
}

/** Into Favorites, or out of it back to the channel's default category. */
export function toggleFavorite(tc: TeamCategories, channelId: string, channelType: string): Category[] {
    const target = isFavorite(tc, channelId)
        ? defaultCategory(tc, channelType)
        : Object.values(tc.byId).find((c) => c.type === 'favorites');
    return target ? moveChannel(tc, channelId, channelType, target.id) : [];
}

/**
 * Categories from the server (sidebar_category_updated, or a PUT's answer) replace those
 * held; a channel they list leaves any other category. One not yet in the order goes on top.
 */
export function applyUpdated(tc: TeamCategories, updated: Category[]): TeamCategories {
    const claimed = new Set(updated.flatMap((c) => c.channel_ids ?? []));
    const updatedIds = new Set(updated.map((c) => c.id));
    const byId: Record<string, Category> = {};
    for (const [id, c] of Object.entries(tc.byId)) {
        byId[id] = updatedIds.has(id) ? c : {...c, channel_ids: c.channel_ids.filter((ch) => !claimed.has(ch))};
    }
    for (const c of updated) {
        byId[c.id] = {...c, channel_ids: c.channel_ids ?? []};
    }
    const fresh = updated.map((c) => c.id).filter((id) => !tc.order.includes(id));
    return {byId, order: [...fresh, ...tc.order]};
}

/** sidebar_category_order_updated, or the answer of PUT …/order: ids not held are ignored. */
export function applyOrder(tc: TeamCategories, order: string[]): TeamCategories {
    const known = order.filter((id) => tc.byId[id]);
    const rest = tc.order.filter((id) => !known.includes(id));
    return {...tc, order: [...known, ...rest]};
}

/** A deleted custom category: its channels go back to their default categories. */
export function removeCategory(tc: TeamCategories, categoryId: string, channelType: (channelId: string) => string): TeamCategories {
    const gone = tc.byId[categoryId];
    if (!gone) {
        return tc;
    }
    const byId = {...tc.byId};
    delete byId[categoryId];
    const rest = {byId, order: tc.order.filter((id) => id !== categoryId)};
    for (const channelId of gone.channel_ids) {
        const home = defaultCategory(rest, channelType(channelId));
        if (home) {
            byId[home.id] = {...byId[home.id], channel_ids: [channelId, ...byId[home.id].channel_ids.filter((id) => id !== channelId)]};
        }
    }
    return rest;
}

/**
 * The order with one category moved one place up (-1) or down (1) past its neighbour among
 * those shown (an empty Favorites is hidden); unchanged at either end.
 */
export function moveInOrder(order: string[], categoryId: string, delta: -1 | 1, shown: string[] = order): string[] {
    const at = shown.indexOf(categoryId);
    const neighbour = shown[at + delta];
    if (at < 0 || !neighbour || !order.includes(neighbour)) {
        return order;
    }
    const next = order.filter((id) => id !== categoryId);
    const n = next.indexOf(neighbour);
    next.splice(delta < 0 ? n : n + 1, 0, categoryId);
    return next;
}

/**
 * A new sorting. Turning to manual keeps what is on screen: the shown order becomes the
 * listed order (ids not shown keep their place after them).
 */
export function withSorting(category: Category, sorting: Sorting, shownIds: string[]): Category {
    if (sorting !== 'manual') {
        return {...category, sorting};
    }
    const rest = category.channel_ids.filter((id) => !shownIds.includes(id));
    return {...category, sorting, channel_ids: [...shownIds, ...rest]};
}
