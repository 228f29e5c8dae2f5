// Everything that talks to the server: loading data into the state, user actions, and the
// WebSocket events that keep the state live.

import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {Post, PostList} from '@mattermost/types/posts';
import type {Reaction} from '@mattermost/types/reactions';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {UserProfile} from '@mattermost/types/users';
import type {WebSocketMessage} from '@mattermost/client/lib/websocket_message';
import {apiRequest, client, getSetupNeeded, onUnauthorized, ws, websocketUrl, errorMessage} from './api';
import {getState, initialState, setState, withEntries, dmPartnerId, type ChannelPosts, type HChannel} from './store';
import {navigate} from './router';
import {mergeOrder} from './lib/postlist';
import {onHighlighterReady} from './lib/markdown';
import {setClock24} from './lib/format';
import {tellDesktopSignedIn, tellDesktopSignedOut} from './lib/desktop';
import {notificationBody, notificationPermission, shouldNotify, showNotification} from './lib/notify';
import {isSystemPost} from './lib/postlist';
import {channelLabel, channelPath} from './links';
import {CLOCK, DISPLAY, THEME, displayPrefs, type Pref, type ThemeChoice} from './lib/prefs';
import {applyFollow, applyRead, emptyThreads, receivePage, upsertThread, type TeamThreads, type ThreadItem} from './lib/threads';
import {
    applyOrder, applyUpdated, fromServer, moveChannel, moveInOrder, removeCategory, toggleFavorite, withSorting,
    type Category, type Sorting, type TeamCategories,
} from './lib/categories';

export const PAGE_SIZE = 60;
const TYPING_MS = 5000;

// ---------------------------------------------------------------- session

export async function bootstrap(): Promise<void> {
    onUnauthorized(sessionEnded);
    onHighlighterReady(() => setState((s) => ({renderVersion: s.renderVersion + 1})));
    const [setupNeeded, config] = await Promise.all([
        getSetupNeeded().catch(() => false),
        client.getClientConfig().catch(() => ({})),
    ]);
    setState({setupNeeded, config: config as unknown as Record<string, string>});
    try {
        const me = await client.getMe();
        await startSession(me);
    } catch {
        // Not signed in: the routes send the user to the login page.
    }
    setState({ready: true});
}

/** Loads what every screen needs once signed in, and connects the WebSocket. */
export async function startSession(me: UserProfile): Promise<void> {
    client.setUserId(me.id);
    client.setUserRoles(me.roles);
    setState((s) => ({me, users: withEntries(s.users, [[me.id, me]])}));
    client.getStatus(me.id).then((st) => setState((s) => ({statuses: {...s.statuses, [me.id]: st.status}}))).catch(() => undefined);
    const [config, teams, teamMembers, prefs] = await Promise.all([
        client.getClientConfig(),
        client.getMyTeams(),
        client.getMyTeamMembers(),
        client.getMyPreferences().then((p) => p as unknown as PreferenceType[]).catch(() => [] as PreferenceType[]),
    ]);
    const flagged: Record<string, true> = {};
    for (const p of prefs) {
        if (p.category === 'flagged_post' && p.value === 'true') {
            flagged[p.name] = true;
        }
    }
    applyDisplayPrefs(prefs);
    const active = teams.filter((t) => t.delete_at === 0).sort((a, b) => a.display_name.localeCompare(b.display_name));
    setState({
        config: config as unknown as Record<string, string>,
        teams: Object.fromEntries(active.map((t) => [t.id, t])),
        myTeamIds: active.map((t) => t.id),
        teamMembers: Object.fromEntries(teamMembers.map((m) => [m.team_id, m])),
        flagged,
        setupNeeded: false,
    });
    connectWebSocket();
    // Every team's channels, so the team rail and the title count unreads everywhere (the
    // WebSocket then keeps them live). The team on screen loads its own first.
    for (const t of active.slice(0, 20)) {
        loadTeam(t.id).catch(() => undefined);
    }
}

export async function login(loginId: string, password: string, token = ''): Promise<void> {
    const me = await client.login(loginId, password, token);
    await startSession(me);
    tellDesktopSignedIn();
}

function resetState(): void {
    const {config, theme} = getState();
    setState({...initialState, ready: true, config, theme});
    setClock24(undefined);
}

// ---------------------------------------------------------------- display preferences

function applyDisplayPrefs(prefs: Pref[]): void {
    const d = displayPrefs(prefs);
    if (d.theme && d.theme !== getState().theme) {
        localStorage.setItem('hearth.theme', d.theme);
        setState({theme: d.theme});
    }
    if (d.clock24 !== undefined && d.clock24 !== getState().clock24) {
        setClock24(d.clock24);
        setState((s) => ({clock24: d.clock24, renderVersion: s.renderVersion + 1}));
    }
}

async function savePreference(name: string, value: string): Promise<void> {
    const me = getState().me;
    if (me) {
        await client.savePreferences(me.id, [{user_id: me.id, category: DISPLAY, name, value}]);
    }
}

/** Light, dark or the system's theme: applied at once, kept in this browser and on the server. */
export function setTheme(theme: ThemeChoice): void {
    localStorage.setItem('hearth.theme', theme);
    setState({theme});
    savePreference(THEME, theme).catch(() => undefined);
}

export async function setClock(clock24: boolean): Promise<void> {
    setClock24(clock24);
    setState((s) => ({clock24, renderVersion: s.renderVersion + 1}));
    await savePreference(CLOCK, String(clock24));
}

/** The server ended the session (deactivation, revoked, expired): back to the login page. */
export function sessionEnded(): void {
    if (!getState().me) {
        return;
    }
    ws.close();
    resetState();
    tellDesktopSignedOut(true);
    navigate('/login?extra=expired', {replace: true});
}

export async function logout(): Promise<void> {
    try {
        await client.logout();
    } catch {
        // Ending the session locally is what matters.
    }
    ws.close();
    resetState();
    tellDesktopSignedOut(false);
    navigate('/login', {replace: true});
}

// ---------------------------------------------------------------- teams and channels

export async function loadTeam(teamId: string): Promise<void> {
    const [channels, members] = await Promise.all([client.getMyChannels(teamId), client.getMyChannelMembers(teamId)]);
    receiveChannels(channels, members);
    const me = getState().me!;
    const dmUsers = channels.filter((c) => c.type === 'D').map((c) => dmPartnerId(c, me.id));
    ensureUsers(dmUsers);
    for (const gm of channels.filter((c) => c.type === 'G')) {
        client.getProfilesInChannel(gm.id, 0, 10).then((users) => receiveUsers(users)).catch(() => undefined);
    }
}

function receiveChannels(channels: Channel[], members: ChannelMembership[] = []): void {
    setState((s) => ({
        channels: withEntries(s.channels, channels.map((c) => [c.id, c as HChannel])),
        members: withEntries(s.members, members.map((m) => [m.channel_id, m])),
    }));
}

export function receiveUsers(users: UserProfile[]): void {
    if (users.length) {
        setState((s) => ({users: withEntries(s.users, users.map((u) => [u.id, u]))}));
    }
}

let pendingUserIds = new Set<string>();
let userTimer: ReturnType<typeof setTimeout> | null = null;

/** Fetches the profiles (and statuses) of users not yet known, batched. */
export function ensureUsers(ids: string[]): void {
    const {users} = getState();
    for (const id of ids) {
        if (id && !users[id]) {
            pendingUserIds.add(id);
        }
    }
    if (pendingUserIds.size === 0 || userTimer) {
        return;
    }
    userTimer = setTimeout(async () => {
        const batch = [...pendingUserIds];
        pendingUserIds = new Set();
        userTimer = null;
        try {
            receiveUsers(await client.getProfilesByIds(batch));
            const statuses = await client.getStatusesByIds(batch);
            setState((s) => ({statuses: withEntries(s.statuses, statuses.map((st) => [st.user_id, st.status]))}));
        } catch {
            // Unknown users show as "someone"; not worth an error.
        }
    }, 20);
}

/** Finds (or joins) a channel of a team by name. */
export async function resolveChannel(teamId: string, teamName: string, name: string): Promise<Channel> {
    const s = getState();
    const known = Object.values(s.channels).find((c) => c.name === name && (c.team_id === teamId || c.team_id === '') && s.members[c.id]);
    if (known) {
        return known;
    }
    const channel = await client.getChannelByNameAndTeamName(teamName, name);
    if (!s.members[channel.id]) {
        const member = await client.addToChannel(s.me!.id, channel.id);
        receiveChannels([channel], [member]);
    } else {
        receiveChannels([channel]);
    }
    return channel;
}

/** The direct channel with a user, created if needed. */
export async function openDirectChannel(username: string): Promise<Channel> {
    const me = getState().me!;
    const user = Object.values(getState().users).find((u) => u.username === username) ?? await client.getUserByUsername(username);
    receiveUsers([user]);
    const channel = await client.createDirectChannel([me.id, user.id]);
    if (!getState().members[channel.id]) {
        const member = await client.getMyChannelMember(channel.id);
        receiveChannels([channel], [member]);
    }
    return channel;
}

/** The group message of these users (3–8, oneself included), created if needed. */
export async function openGroupChannel(userIds: string[]): Promise<Channel> {
    const channel = await client.createGroupChannel(userIds);
    const member = await client.getMyChannelMember(channel.id);
    receiveChannels([channel], [member]);
    ensureUsers(userIds);
    return channel;
}

export async function createChannel(teamId: string, displayName: string, name: string, type: 'O' | 'P', purpose: string): Promise<Channel> {
    const channel = await client.createChannel({team_id: teamId, display_name: displayName, name, type, purpose} as Channel);
    const member = await client.getMyChannelMember(channel.id);
    receiveChannels([channel], [member]);
    return channel;
}

export async function joinChannel(channel: Channel): Promise<void> {
    const member = await client.addToChannel(getState().me!.id, channel.id);
    receiveChannels([channel], [member]);
}

export async function leaveChannel(channelId: string): Promise<void> {
    await client.removeFromChannel(getState().me!.id, channelId);
    setState((s) => {
        const members = {...s.members};
        delete members[channelId];
        return {members};
    });
}

// ---------------------------------------------------------------- sidebar categories

// Changes applied to each team's categories (events, saves): an answer to GET that was on
// its way meanwhile may be older than them, so it is asked for again.
const categoryChanges = new Map<string, number>();

/** Changes the categories of a team, if loaded (those of other teams load when shown). */
function setCategories(teamId: string, update: (tc: TeamCategories) => TeamCategories): void {
    if (!getState().categories[teamId]) {
        return;
    }
    categoryChanges.set(teamId, (categoryChanges.get(teamId) ?? 0) + 1);
    setState((s) => ({categories: {...s.categories, [teamId]: update(s.categories[teamId])}}));
}

/** The user's categories of a team: on showing the team, after a lossy reconnect, on created/deleted events. */
export async function loadCategories(teamId: string, attempts = 3): Promise<void> {
    const me = getState().me;
    if (!me) {
        return;
    }
    const before = categoryChanges.get(teamId) ?? 0;
    const list = await client.getChannelCategories(me.id, teamId);
    if ((categoryChanges.get(teamId) ?? 0) !== before && attempts > 1) {
        return loadCategories(teamId, attempts - 1);
    }
    setState((s) => ({categories: {...s.categories, [teamId]: fromServer(list as unknown as {categories: Category[]; order: string[]})}}));
}

function categoriesOf(teamId: string): TeamCategories | undefined {
    return getState().categories[teamId];
}

const asWire = (c: Category) => c as unknown as ChannelCategory;
const fromWire = (c: ChannelCategory) => c as unknown as Category;

/** Saves changed categories: shown at once; the server's answer (or, failing, a reload) settles them. */
async function saveCategories(teamId: string, changed: Category[]): Promise<void> {
    if (changed.length === 0) {
        return;
    }
    setCategories(teamId, (tc) => applyUpdated(tc, changed));
    try {
        const saved = changed.length === 1
            ? [await client.updateChannelCategory(getState().me!.id, teamId, asWire(changed[0]))]
            : await client.updateChannelCategories(getState().me!.id, teamId, changed.map(asWire));
        setCategories(teamId, (tc) => applyUpdated(tc, saved.map(fromWire)));
    } catch (e) {
        toast(errorMessage(e));
        loadCategories(teamId).catch(() => undefined);
    }
}

function patchCategory(teamId: string, categoryId: string, patch: Partial<Category>): Promise<void> {
    const category = categoriesOf(teamId)?.byId[categoryId];
    return category ? saveCategories(teamId, [{...category, ...patch}]) : Promise.resolve();
}

export function setCategoryCollapsed(teamId: string, categoryId: string, collapsed: boolean): Promise<void> {
    return patchCategory(teamId, categoryId, {collapsed});
}

/** Mutes or unmutes a category; the server mutes its channels (channel_member_updated follows). */
export function setCategoryMuted(teamId: string, categoryId: string, muted: boolean): Promise<void> {
    return patchCategory(teamId, categoryId, {muted});
}

/** A new sorting; `shownIds` is the order on screen, which manual sorting keeps. */
export function setCategorySorting(teamId: string, categoryId: string, sorting: Sorting, shownIds: string[]): Promise<void> {
    const category = categoriesOf(teamId)?.byId[categoryId];
    return category ? saveCategories(teamId, [withSorting(category, sorting, shownIds)]) : Promise.resolve();
}

/** Renames a custom category; fails (for the dialog to show) if the server refuses. */
export async function renameCategory(teamId: string, categoryId: string, displayName: string): Promise<void> {
    const category = categoriesOf(teamId)?.byId[categoryId];
    if (!category) {
        return;
    }
    const saved = await client.updateChannelCategory(getState().me!.id, teamId, asWire({...category, display_name: displayName}));
    setCategories(teamId, (tc) => applyUpdated(tc, [fromWire(saved)]));
}

/** A new custom category (on top), optionally taking channels out of their categories. */
export async function createCategory(teamId: string, displayName: string, channelIds: string[] = []): Promise<void> {
    const me = getState().me!;
    const created = await client.createChannelCategory(me.id, teamId, {user_id: me.id, team_id: teamId, type: 'custom', display_name: displayName, channel_ids: channelIds});
    setCategories(teamId, (tc) => applyUpdated(tc, [fromWire(created)]));
}

/** Deletes a custom category; its channels go back to their default categories. */
export async function deleteCategory(teamId: string, categoryId: string): Promise<void> {
    await client.deleteChannelCategory(getState().me!.id, teamId, categoryId);
    setCategories(teamId, (tc) => removeCategory(tc, categoryId, (id) => getState().channels[id]?.type ?? 'O'));
    loadCategories(teamId).catch(() => undefined);
}

/** Moves a category one place up or down among those shown. */
export async function moveCategory(teamId: string, categoryId: string, delta: -1 | 1, shown: string[]): Promise<void> {
    const tc = categoriesOf(teamId);
    if (!tc) {
        return;
    }
    const order = moveInOrder(tc.order, categoryId, delta, shown);
    if (order === tc.order) {
        return;
    }
    setCategories(teamId, (c) => applyOrder(c, order));
    try {
        const saved = await client.updateChannelCategoryOrder(getState().me!.id, teamId, order);
        setCategories(teamId, (c) => applyOrder(c, saved));
    } catch (e) {
        toast(errorMessage(e));
        loadCategories(teamId).catch(() => undefined);
    }
}

function channelType(channelId: string): string {
    return getState().channels[channelId]?.type ?? 'O';
}

/** Moves a channel to the top of a category (out of the one that held it). */
export function moveChannelToCategory(teamId: string, channelId: string, categoryId: string): Promise<void> {
    const tc = categoriesOf(teamId);
    return tc ? saveCategories(teamId, moveChannel(tc, channelId, channelType(channelId), categoryId)) : Promise.resolve();
}

/** Into Favorites or back out of it; the server keeps the favorite_channel preference in step. */
export function toggleFavoriteChannel(teamId: string, channelId: string): Promise<void> {
    const tc = categoriesOf(teamId);
    return tc ? saveCategories(teamId, toggleFavorite(tc, channelId, channelType(channelId))) : Promise.resolve();
}

/** A muted channel is not shown unread (mentions still count): mark_unread "mention". */
export async function setChannelMuted(channelId: string, muted: boolean): Promise<void> {
    const me = getState().me!;
    const markUnread = muted ? 'mention' : 'all';
    await client.updateChannelNotifyProps({channel_id: channelId, user_id: me.id, mark_unread: markUnread});
    receiveMemberNotifyProps(channelId, {mark_unread: markUnread});
}

function receiveMemberNotifyProps(channelId: string, props: Partial<ChannelMembership['notify_props']>): void {
    setState((s) => {
        const member = s.members[channelId];
        return member ? {members: {...s.members, [channelId]: {...member, notify_props: {...member.notify_props, ...props}}}} : {};
    });
}

// ---------------------------------------------------------------- posts

function receivePosts(list: PostList | Post[]): Post[] {
    const posts = Array.isArray(list) ? list : Object.values(list.posts);
    if (posts.length === 0) {
        return posts;
    }
    setState((s) => ({posts: withEntries(s.posts, posts.map((p) => [p.id, p]))}));
    ensureUsers(posts.map((p) => p.user_id));
    return posts;
}

function setChannelPosts(channelId: string, update: (cp: ChannelPosts | undefined) => ChannelPosts): void {
    setState((s) => ({channelPosts: {...s.channelPosts, [channelId]: update(s.channelPosts[channelId])}}));
}

function rootsOf(posts: Post[]): Post[] {
    return posts.filter((p) => !p.root_id && p.delete_at === 0);
}

const emptyWindow: ChannelPosts = {order: [], atOldest: false, atLatest: true, loadingOlder: false, oldestId: '', newestId: ''};

/** Loads the newest page of a channel, replacing the window. */
export async function loadLatest(channelId: string): Promise<void> {
    const list = await client.getPosts(channelId, 0, PAGE_SIZE);
    const posts = receivePosts(list);
    const order = list.order;
    // Posts that arrived while the page was on its way (sent from here, or by the
    // WebSocket) are newer than the page: keep them after it.
    const newest = posts.reduce((max, p) => Math.max(max, p.create_at), 0);
    const arrived = Object.values(getState().posts).filter((p) => p.channel_id === channelId && p.create_at > newest);
    setChannelPosts(channelId, () => ({
        ...emptyWindow,
        order: mergeOrder([], [...rootsOf(posts), ...rootsOf(arrived)], getState().posts),
        atOldest: order.length < PAGE_SIZE || list.prev_post_id === '',
        atLatest: true,
        oldestId: order[order.length - 1] ?? '',
        newestId: order[0] ?? '',
    }));
}

/** Loads the page before the oldest loaded post. */
export async function loadOlder(channelId: string): Promise<void> {
    const cp = getState().channelPosts[channelId];
    if (!cp || cp.atOldest || cp.loadingOlder || !cp.oldestId) {
        return;
    }
    setChannelPosts(channelId, (c) => ({...c!, loadingOlder: true}));
    try {
        const list = await client.getPostsBefore(channelId, cp.oldestId, 0, PAGE_SIZE);
        const posts = receivePosts(list);
        setChannelPosts(channelId, (c) => ({
            ...c!,
            order: mergeOrder(c!.order, rootsOf(posts), getState().posts),
            atOldest: list.order.length < PAGE_SIZE || list.prev_post_id === '',
            oldestId: list.order[list.order.length - 1] ?? c!.oldestId,
            loadingOlder: false,
        }));
    } catch (e) {
        setChannelPosts(channelId, (c) => ({...c!, loadingOlder: false}));
        toast(errorMessage(e));
    }
}

/** Loads the page after the newest loaded post (when the window was opened around an old post). */
export async function loadNewer(channelId: string): Promise<void> {
    const cp = getState().channelPosts[channelId];
    if (!cp || cp.atLatest || cp.loadingOlder || !cp.newestId) {
        return;
    }
    setChannelPosts(channelId, (c) => ({...c!, loadingOlder: true}));
    const list = await client.getPostsAfter(channelId, cp.newestId, 0, PAGE_SIZE);
    const posts = receivePosts(list);
    setChannelPosts(channelId, (c) => ({
        ...c!,
        order: mergeOrder(c!.order, rootsOf(posts), getState().posts),
        atLatest: list.order.length < PAGE_SIZE || !list.next_post_id,
        newestId: list.order[0] ?? c!.newestId,
        loadingOlder: false,
    }));
}

/** Opens a channel's history around a post (a permalink or search result) and focuses it. */
export async function focusPost(postId: string): Promise<Post> {
    const post = getState().posts[postId] ?? await client.getPost(postId);
    receivePosts([post]);
    const rootId = post.root_id || post.id;
    const cp = getState().channelPosts[post.channel_id];
    if (!cp || !cp.order.includes(rootId)) {
        const [before, after] = await Promise.all([
            client.getPostsBefore(post.channel_id, rootId, 0, PAGE_SIZE / 2),
            client.getPostsAfter(post.channel_id, rootId, 0, PAGE_SIZE / 2),
        ]);
        const root = rootId === post.id ? post : await client.getPost(rootId);
        const all = [...receivePosts(before), ...receivePosts(after), ...receivePosts([root])];
        setChannelPosts(post.channel_id, () => ({
            ...emptyWindow,
            order: mergeOrder([], rootsOf(all), getState().posts),
            atOldest: before.order.length < PAGE_SIZE / 2,
            atLatest: after.order.length < PAGE_SIZE / 2,
            oldestId: before.order[before.order.length - 1] ?? rootId,
            newestId: after.order[0] ?? rootId,
        }));
    }
    setState({focusPostId: rootId});
    if (post.root_id) {
        openThread(post.root_id);
    }
    return post;
}

const lastViewCall = new Map<string, number>();
const viewTimers = new Map<string, ReturnType<typeof setTimeout>>();

/** Marks a channel read, on the server and locally. */
export function markViewed(channelId: string): void {
    const s = getState();
    const channel = s.channels[channelId];
    const member = s.members[channelId];
    if (!channel || !member) {
        return;
    }
    const ch = channel as HChannel;
    setState((st) => ({
        members: {...st.members, [channelId]: {
            ...member,
            msg_count: ch.total_msg_count,
            msg_count_root: ch.total_msg_count_root ?? member.msg_count_root,
            mention_count: 0,
            mention_count_root: 0,
            last_viewed_at: Math.max(Date.now(), channel.last_post_at),
        }},
    }));
    // Tell the server at once (a reload right after must not lose it), but at most twice a
    // second per channel while messages stream in: the last call then comes a little later.
    const call = () => {
        lastViewCall.set(channelId, Date.now());
        viewTimers.delete(channelId);
        client.viewMyChannel(channelId).catch(() => undefined);
    };
    const since = Date.now() - (lastViewCall.get(channelId) ?? 0);
    if (since >= 500) {
        call();
    } else if (!viewTimers.has(channelId)) {
        viewTimers.set(channelId, setTimeout(call, 500 - since));
    }
}

let pendingSeq = 0;

/** Sends a message, shown at once as pending, replaced by the server's post when it answers. */
export async function sendPost(channelId: string, message: string, rootId = '', fileIds: string[] = []): Promise<void> {
    const me = getState().me!;
    const now = Date.now();
    const pendingId = `${me.id}:${now}${pendingSeq++}`;
    const pending = {
        id: pendingId, pending_post_id: pendingId, channel_id: channelId, root_id: rootId, message, user_id: me.id,
        create_at: now, update_at: now, edit_at: 0, delete_at: 0, is_pinned: false, type: '', props: {},
        hashtags: '', original_id: '', reply_count: 0, file_ids: fileIds, metadata: {},
    } as unknown as Post;
    addPost(pending);
    try {
        const post = await client.createPost({channel_id: channelId, message, root_id: rootId, file_ids: fileIds, pending_post_id: pendingId} as unknown as Post);
        replacePending(pendingId, post);
    } catch (e) {
        setState((s) => ({posts: {...s.posts, [pendingId]: {...pending, failed: true} as Post}}));
        toast(errorMessage(e));
        throw e;
    }
}

function replacePending(pendingId: string, post: Post): void {
    const s = getState();
    if (!s.posts[pendingId]) {
        addPost(post);
        return;
    }
    const posts = {...s.posts};
    delete posts[pendingId];
    posts[post.id] = {...(s.posts[post.id] ?? {}), ...post};
    const swap = (ids: string[]) => {
        const out = ids.filter((id) => id !== post.id).map((id) => (id === pendingId ? post.id : id));
        return out;
    };
    const cp = s.channelPosts[post.channel_id];
    const patch: Partial<typeof s> = {posts};
    if (cp) {
        patch.channelPosts = {...s.channelPosts, [post.channel_id]: {...cp, order: swap(cp.order), newestId: post.id}};
    }
    if (post.root_id && s.threads[post.root_id]) {
        patch.threads = {...s.threads, [post.root_id]: swap(s.threads[post.root_id])};
    }
    setState(patch);
}

/** Adds a new post (own or from the WebSocket) to its channel or thread. */
function addPost(post: Post): void {
    const s = getState();
    if (post.pending_post_id && post.pending_post_id !== post.id && s.posts[post.pending_post_id]) {
        replacePending(post.pending_post_id, post);
        return;
    }
    const known = Boolean(s.posts[post.id]);
    const patch: Partial<typeof s> = {posts: {...s.posts, [post.id]: post}};
    if (post.root_id) {
        const thread = s.threads[post.root_id];
        if (thread && !thread.includes(post.id)) {
            patch.threads = {...s.threads, [post.root_id]: [...thread, post.id]};
        }
        const root = s.posts[post.root_id];
        if (root && !known) {
            const participants = root.participants ?? [];
            (patch.posts as Record<string, Post>)[root.id] = {
                ...root,
                reply_count: (root.reply_count ?? 0) + 1,
                last_reply_at: post.create_at,
                participants: participants.some((u: UserProfile) => u.id === post.user_id) ? participants : [...participants, {id: post.user_id} as UserProfile],
            };
        }
    } else {
        const cp = s.channelPosts[post.channel_id];
        if (cp && cp.atLatest && !cp.order.includes(post.id)) {
            patch.channelPosts = {...s.channelPosts, [post.channel_id]: {...cp, order: [...cp.order, post.id], newestId: post.id}};
        }
    }
    setState(patch);
    ensureUsers([post.user_id]);
}

function updatePost(post: Post): void {
    const s = getState();
    const old = s.posts[post.id];
    // Edits arrive without the reply counts the list computed; keep them.
    const merged = old ? {...old, ...post, reply_count: post.reply_count || old.reply_count, participants: post.participants ?? old.participants} : post;
    setState({posts: {...s.posts, [post.id]: merged}});
}

function removePost(post: Post): void {
    const s = getState();
    const patch: Partial<typeof s> = {posts: {...s.posts, [post.id]: {...(s.posts[post.id] ?? post), delete_at: post.delete_at || Date.now()}}};
    const cp = s.channelPosts[post.channel_id];
    if (cp && cp.order.includes(post.id)) {
        patch.channelPosts = {...s.channelPosts, [post.channel_id]: {...cp, order: cp.order.filter((id) => id !== post.id)}};
    }
    if (post.root_id && s.threads[post.root_id]) {
        patch.threads = {...s.threads, [post.root_id]: s.threads[post.root_id].filter((id) => id !== post.id)};
        const root = s.posts[post.root_id];
        if (root) {
            (patch.posts as Record<string, Post>)[root.id] = {...root, reply_count: Math.max(0, (root.reply_count ?? 1) - 1)};
        }
    }
    if (!post.root_id && s.rhs?.kind === 'thread' && s.rhs.rootId === post.id) {
        patch.rhs = null;
    }
    setState(patch);
}

export async function editPost(postId: string, message: string): Promise<void> {
    const post = await client.patchPost({id: postId, message} as Post);
    updatePost(post);
}

export async function deletePost(postId: string): Promise<void> {
    const post = getState().posts[postId];
    await client.deletePost(postId);
    if (post) {
        removePost(post);
    }
}

export async function togglePin(post: Post): Promise<void> {
    const next = post.is_pinned ? await client.unpinPost(post.id) : await client.pinPost(post.id);
    void next;
    updatePost({...getState().posts[post.id], is_pinned: !post.is_pinned});
}

export async function toggleFlag(postId: string): Promise<void> {
    const me = getState().me!;
    const pref = {user_id: me.id, category: 'flagged_post', name: postId, value: 'true'};
    const flagged = {...getState().flagged};
    if (flagged[postId]) {
        await client.deletePreferences(me.id, [pref]);
        delete flagged[postId];
    } else {
        await client.savePreferences(me.id, [pref]);
        flagged[postId] = true;
    }
    setState({flagged});
}

export async function toggleReaction(post: Post, emojiName: string): Promise<void> {
    const me = getState().me!;
    const mine = (post.metadata?.reactions ?? []).some((r) => r.user_id === me.id && r.emoji_name === emojiName);
    if (mine) {
        await client.removeReaction(me.id, post.id, emojiName);
        applyReaction({user_id: me.id, post_id: post.id, emoji_name: emojiName, create_at: Date.now()} as Reaction, false);
    } else {
        const r = await client.addReaction(me.id, post.id, emojiName);
        applyReaction(r, true);
    }
}

function applyReaction(reaction: Reaction, added: boolean): void {
    const s = getState();
    const post = s.posts[reaction.post_id];
    if (!post) {
        return;
    }
    const others = (post.metadata?.reactions ?? []).filter((r) => !(r.user_id === reaction.user_id && r.emoji_name === reaction.emoji_name));
    const reactions = added ? [...others, reaction] : others;
    setState({posts: {...s.posts, [post.id]: {...post, metadata: {...post.metadata, reactions}}}});
}

export async function openThread(rootId: string): Promise<void> {
    setState({rhs: {kind: 'thread', rootId}});
    markThreadReadIfUnread(rootId);
    try {
        const before = getState().posts[rootId]?.reply_count ?? 0;
        const list = await client.getPostThread(rootId, true);
        receivePosts(list);
        // Replies that arrived on the WebSocket while the thread was loading are kept, and
        // the root's count never goes below what is known: the answer may be older than
        // an event already applied.
        setState((s) => {
            const replies = Object.values(s.posts).
                filter((p) => p.root_id === rootId && p.delete_at === 0).
                sort((a, b) => a.create_at - b.create_at);
            const root = s.posts[rootId];
            const posts = root ? {...s.posts, [rootId]: {...root, reply_count: Math.max(root.reply_count ?? 0, before, replies.length)}} : s.posts;
            return {posts, threads: {...s.threads, [rootId]: replies.map((p) => p.id)}};
        });
    } catch (e) {
        toast(errorMessage(e));
    }
}

// ---------------------------------------------------------------- followed threads

export const THREADS_PAGE = 25;

function setTeamThreads(teamId: string, update: (t: TeamThreads) => TeamThreads): void {
    setState((s) => ({userThreads: {...s.userThreads, [teamId]: update(s.userThreads[teamId] ?? emptyThreads)}}));
}

function receiveThreadUsers(items: ThreadItem[]): void {
    const full = items.flatMap((t) => t.participants).filter((u): u is UserProfile => 'username' in u);
    const known = getState().users;
    receiveUsers(full.filter((u) => !known[u.id]));
    ensureUsers(items.flatMap((t) => [t.post?.user_id, ...t.participants.map((u) => u.id)]).filter(Boolean) as string[]);
    receivePosts(items.map((t) => t.post).filter(Boolean));
}

/**
 * The first page (more=false) or the next page of the threads the user follows in a team.
 * Hearth pages the list with `page` (`before` is ignored), so the request is made here.
 */
export async function loadThreads(teamId: string, more = false): Promise<void> {
    const current = getState().userThreads[teamId] ?? emptyThreads;
    if (current.loading || (more && current.atEnd)) {
        return;
    }
    const page = more ? current.page : 0;
    setTeamThreads(teamId, (t) => ({...t, loading: true}));
    try {
        const list = await apiRequest<{threads: ThreadItem[] | null; total: number; total_unread_threads: number; total_unread_mentions: number}>(
            'GET', `/users/me/teams/${teamId}/threads?page=${page}&per_page=${THREADS_PAGE}`);
        receiveThreadUsers(list.threads ?? []);
        setTeamThreads(teamId, (t) => receivePage(t, list, page, THREADS_PAGE));
    } catch (e) {
        setTeamThreads(teamId, (t) => ({...t, loading: false, error: errorMessage(e)}));
    }
}

function teamOfThread(threadId: string): string {
    const s = getState();
    for (const [teamId, t] of Object.entries(s.userThreads)) {
        if (t.items.some((i) => i.id === threadId)) {
            return teamId;
        }
    }
    const post = s.posts[threadId];
    return (post && s.channels[post.channel_id]?.team_id) || s.currentTeamId;
}

/** Marks a thread read now (on the server, and here at once). */
export function markThreadRead(threadId: string, teamId = teamOfThread(threadId)): void {
    const now = Date.now();
    setTeamThreads(teamId, (t) => applyRead(t, threadId, 0, 0, now));
    client.updateThreadReadForUser('me', teamId, threadId, now).catch(() => undefined);
}

function markThreadReadIfUnread(threadId: string): void {
    const teamId = teamOfThread(threadId);
    const item = getState().userThreads[teamId]?.items.find((t) => t.id === threadId);
    if (item && (item.unread_replies > 0 || item.unread_mentions > 0)) {
        markThreadRead(threadId, teamId);
    }
}

export async function setThreadFollow(teamId: string, threadId: string, following: boolean): Promise<void> {
    setTeamThreads(teamId, (t) => applyFollow(t, threadId, following));
    try {
        await client.updateThreadFollowForUser('me', teamId, threadId, following);
    } catch (e) {
        setTeamThreads(teamId, (t) => applyFollow(t, threadId, !following));
        toast(errorMessage(e));
    }
}

function handleThreadEvent(event: string, data: Record<string, unknown>, teamIdHint: string): void {
    const s = getState();
    if (event === 'thread_updated') {
        const thread = parse<ThreadItem>(data.thread);
        if (!thread?.id) {
            return;
        }
        const post = thread.post ?? s.posts[thread.id];
        const teamId = teamIdHint || (post && s.channels[post.channel_id]?.team_id) || s.currentTeamId;
        receiveThreadUsers([thread]);
        const previous = data.previous_unread_replies === undefined ? undefined : {replies: Number(data.previous_unread_replies), mentions: Number(data.previous_unread_mentions ?? 0)};
        setTeamThreads(teamId, (t) => upsertThread(t, thread, previous));
        // A reply to the thread open in the panel, while the tab is seen: it is read.
        if (s.rhs?.kind === 'thread' && s.rhs.rootId === thread.id && isVisible() && (thread.unread_replies > 0 || thread.unread_mentions > 0)) {
            markThreadRead(thread.id, teamId);
        }
        return;
    }
    const threadId = data.thread_id ? String(data.thread_id) : '';
    const teamId = teamIdHint || (threadId ? teamOfThread(threadId) : s.currentTeamId);
    if (event === 'thread_read_changed') {
        setTeamThreads(teamId, (t) => applyRead(t, threadId || undefined, Number(data.unread_replies ?? 0), Number(data.unread_mentions ?? 0), Number(data.timestamp ?? Date.now())));
    } else if (event === 'thread_follow_changed' && threadId) {
        const following = data.state === true || data.state === 'true';
        const known = getState().userThreads[teamId]?.items.some((t) => t.id === threadId);
        if (known) {
            setTeamThreads(teamId, (t) => applyFollow(t, threadId, following, data.reply_count === undefined ? undefined : Number(data.reply_count)));
        } else if (following) {
            client.getUserThread('me', teamId, threadId).then((t) => {
                const item = t as unknown as ThreadItem;
                receiveThreadUsers([item]);
                setTeamThreads(teamId, (c) => upsertThread(c, item));
            }).catch(() => undefined);
        }
    }
}

export async function search(teamId: string, terms: string): Promise<void> {
    setState({rhs: {kind: 'search', terms, ids: [], loading: true}});
    try {
        const list = await client.searchPostsWithParams(teamId, {terms, is_or_search: false, page: 0, per_page: 60} as never) as PostList & {matches?: Record<string, string[]>};
        receivePosts(list);
        setState({rhs: {kind: 'search', terms, ids: list.order, loading: false, matches: list.matches ?? undefined}});
    } catch (e) {
        setState({rhs: {kind: 'search', terms, ids: [], loading: false, error: errorMessage(e)}});
    }
}

export async function showPinned(channelId: string): Promise<void> {
    setState({rhs: {kind: 'pinned', channelId, ids: [], loading: true}});
    try {
        const list = await client.getPinnedPosts(channelId);
        receivePosts(list);
        const ids = Object.values(list.posts).sort((a, b) => b.create_at - a.create_at).map((p) => p.id);
        setState({rhs: {kind: 'pinned', channelId, ids, loading: false}});
    } catch (e) {
        setState({rhs: {kind: 'pinned', channelId, ids: [], loading: false, error: errorMessage(e)}});
    }
}

/**
 * Saved messages are the user's flagged_post preferences; the posts come from
 * POST /posts/ids. (Client4.getFlaggedPosts sends empty channel_id/team_id parameters,
 * which Hearth refuses with 400: reported.)
 */
export async function showSaved(): Promise<void> {
    setState({rhs: {kind: 'saved', ids: [], loading: true}});
    try {
        const ids = Object.keys(getState().flagged);
        const posts = ids.length ? await client.getPostsByIds(ids) : [];
        receivePosts(posts);
        const shown = posts.filter((p) => p.delete_at === 0).sort((a, b) => b.create_at - a.create_at).map((p) => p.id);
        setState({rhs: {kind: 'saved', ids: shown, loading: false}});
    } catch (e) {
        setState({rhs: {kind: 'saved', ids: [], loading: false, error: errorMessage(e)}});
    }
}

let lastTyping = 0;

/** Tells the channel we are typing, at most every few seconds. */
export function sendTyping(channelId: string, rootId = ''): void {
    const now = Date.now();
    const every = Number(getState().config.TimeBetweenUserTypingUpdatesMilliseconds || 3000);
    if (now - lastTyping < every) {
        return;
    }
    lastTyping = now;
    ws.userTyping(channelId, rootId);
}

let toastTimer: ReturnType<typeof setTimeout> | null = null;

export function toast(message: string): void {
    setState({toast: message});
    if (toastTimer) {
        clearTimeout(toastTimer);
    }
    toastTimer = setTimeout(() => setState({toast: ''}), 5000);
}

// ---------------------------------------------------------------- WebSocket

let wsInitialised = false;

export function connectWebSocket(): void {
    if (!wsInitialised) {
        ws.addMessageListener(handleEvent);
        ws.addFirstConnectListener(() => {
            setState({wsConnected: true, wsEverConnected: true});
            // What changed between the first loads and the socket opening reached no one:
            // load the team and the channel on screen again.
            resync();
        });
        ws.addReconnectListener(() => {
            setState({wsConnected: true, wsEverConnected: true});
            resync();
        });
        ws.addMissedMessageListener(() => resync());
        ws.addCloseListener(() => {
            setState({wsConnected: false});
            // A closed socket may mean the session ended (deactivated, revoked): ask.
            if (getState().me) {
                client.getMe().catch(() => undefined);
            }
        });
        wsInitialised = true;
    }
    ws.initialize(websocketUrl());
}

/** After a lossy reconnect: reload the current team's counts and categories, and the open channel. */
function resync(): void {
    const s = getState();
    if (!s.me) {
        return;
    }
    if (s.currentTeamId) {
        loadTeam(s.currentTeamId).catch(() => undefined);
        loadCategories(s.currentTeamId).catch(() => undefined);
    }
    if (s.currentChannelId) {
        loadLatest(s.currentChannelId).catch(() => undefined);
    }
    if (s.currentTeamId && s.userThreads[s.currentTeamId]?.loaded) {
        loadThreads(s.currentTeamId).catch(() => undefined);
    }
}

function parse<T>(value: unknown): T {
    return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function bumpTyping(key: string, userId: string, until: number): void {
    setState((s) => {
        const forKey = {...(s.typing[key] ?? {})};
        if (until > 0) {
            forKey[userId] = until;
        } else {
            delete forKey[userId];
        }
        return {typing: {...s.typing, [key]: forKey}};
    });
}

function isVisible(): boolean {
    return document.visibilityState === 'visible';
}

export function handleEvent(msg: WebSocketMessage): void {
    const s = getState();
    const me = s.me;
    if (!me) {
        return;
    }
    const data = msg.data as Record<string, unknown>;
    const broadcast = msg.broadcast as unknown as {channel_id?: string; user_id?: string; team_id?: string};
    switch (msg.event as string) {
    case 'posted': {
        const post = parse<Post>(data.post);
        addPost(post);
        bumpTyping(`${post.channel_id}:${post.root_id}`, post.user_id, 0);
        notifyPost(post, data);
        const channel = getState().channels[post.channel_id] as HChannel | undefined;
        if (!channel) {
            // A new DM or GM, or a channel we were added to elsewhere: load it.
            client.getChannel(post.channel_id).then(async (c) => {
                const m = await client.getMyChannelMember(c.id);
                receiveChannels([c], [m]);
                if (c.type === 'D') {
                    ensureUsers([dmPartnerId(c, me.id)]);
                }
            }).catch(() => undefined);
            break;
        }
        const isRoot = !post.root_id;
        setState((st) => ({channels: {...st.channels, [channel.id]: {
            ...channel,
            total_msg_count: channel.total_msg_count + 1,
            total_msg_count_root: (channel.total_msg_count_root ?? 0) + (isRoot ? 1 : 0),
            last_post_at: post.create_at,
        } as HChannel}}));
        const member = getState().members[post.channel_id];
        if (!member) {
            break;
        }
        const mentions = data.mentions ? parse<string[]>(data.mentions) : [];
        const reading = post.channel_id === getState().currentChannelId && isVisible();
        if (post.user_id === me.id || reading) {
            markViewedLocally(post.channel_id);
            if (reading && post.user_id !== me.id) {
                markViewed(post.channel_id);
            }
        } else if (mentions.includes(me.id)) {
            setState((st) => ({members: {...st.members, [post.channel_id]: {
                ...member,
                mention_count: member.mention_count + 1,
                mention_count_root: (member.mention_count_root ?? 0) + (isRoot ? 1 : 0),
            }}}));
        }
        break;
    }
    case 'post_edited':
        updatePost(parse<Post>(data.post));
        break;
    case 'post_deleted':
        removePost(parse<Post>(data.post));
        break;
    case 'reaction_added':
    case 'reaction_removed':
        applyReaction(parse<Reaction>(data.reaction), msg.event === 'reaction_added');
        break;
    case 'typing': {
        const userId = String(data.user_id ?? '');
        if (userId && userId !== me.id) {
            const key = `${broadcast.channel_id}:${data.parent_id ?? ''}`;
            bumpTyping(key, userId, Date.now() + TYPING_MS);
            ensureUsers([userId]);
            setTimeout(() => {
                if ((getState().typing[key]?.[userId] ?? 0) <= Date.now()) {
                    bumpTyping(key, userId, 0);
                }
            }, TYPING_MS + 50);
        }
        break;
    }
    case 'channel_viewed':
        markViewedLocally(String(data.channel_id));
        break;
    case 'multiple_channels_viewed':
        for (const id of Object.keys(parse<Record<string, number>>(data.channel_times) ?? {})) {
            markViewedLocally(id);
        }
        break;
    case 'post_unread': {
        const channelId = broadcast.channel_id || String(data.channel_id ?? '');
        const member = s.members[channelId];
        if (member) {
            setState((st) => ({members: {...st.members, [channelId]: {
                ...member,
                msg_count: Number(data.msg_count), msg_count_root: Number(data.msg_count_root),
                mention_count: Number(data.mention_count), mention_count_root: Number(data.mention_count_root),
                last_viewed_at: Number(data.last_viewed_at),
            }}}));
        }
        break;
    }
    case 'status_change':
        setState((st) => ({statuses: {...st.statuses, [String(data.user_id)]: String(data.status)}}));
        break;
    case 'user_added': {
        const channelId = broadcast.channel_id ?? '';
        if (data.user_id === me.id && channelId) {
            Promise.all([client.getChannel(channelId), client.getMyChannelMember(channelId)])
                .then(([c, m]) => receiveChannels([c], [m])).catch(() => undefined);
        }
        break;
    }
    case 'user_removed': {
        const channelId = String(data.channel_id ?? '');
        if (broadcast.user_id === me.id && channelId) {
            setState((st) => {
                const members = {...st.members};
                delete members[channelId];
                return {members};
            });
            if (getState().currentChannelId === channelId) {
                const team = getState().teams[getState().currentTeamId];
                if (team) {
                    navigate(`/${team.name}/channels/town-square`, {replace: true});
                }
            }
        }
        break;
    }
    case 'channel_created': {
        const channelId = String(data.channel_id ?? '');
        Promise.all([client.getChannel(channelId), client.getMyChannelMember(channelId).catch(() => null)])
            .then(([c, m]) => receiveChannels([c], m ? [m] : [])).catch(() => undefined);
        break;
    }
    case 'channel_updated': {
        const c = parse<Channel>(data.channel);
        const old = s.channels[c.id];
        receiveChannels([old ? {...old, ...c} : c]);
        break;
    }
    case 'channel_deleted': {
        const c = s.channels[String(data.channel_id)];
        if (c) {
            receiveChannels([{...c, delete_at: Number(data.delete_at) || Date.now()}]);
        }
        break;
    }
    case 'direct_added':
    case 'group_added': {
        const channelId = broadcast.channel_id ?? '';
        if (channelId) {
            Promise.all([client.getChannel(channelId), client.getMyChannelMember(channelId)]).then(([c, m]) => {
                // A first message may have come meanwhile and loaded the channel with its
                // counts after it; this answer would be older: keep that one.
                const known = getState();
                if (!(known.channels[c.id] && known.members[c.id])) {
                    receiveChannels([c], [m]);
                }
                if (c.type === 'D') {
                    ensureUsers([dmPartnerId(c, me.id)]);
                } else {
                    client.getProfilesInChannel(c.id, 0, 10).then(receiveUsers).catch(() => undefined);
                }
            }).catch(() => undefined);
        }
        break;
    }
    case 'user_updated': {
        const u = parse<UserProfile>(data.user);
        receiveUsers([{...(s.users[u.id] ?? {}), ...u}]);
        if (u.id === me.id) {
            // The copy sent to others is sanitised: keep what only we may see.
            setState({me: {...me, ...u, email: u.email || me.email, notify_props: {...me.notify_props, ...(u.notify_props ?? {})}}});
        }
        break;
    }
    case 'preferences_changed':
    case 'preferences_deleted': {
        const prefs = parse<PreferenceType[]>(data.preferences) ?? [];
        if (msg.event === 'preferences_changed') {
            applyDisplayPrefs(prefs);
        }
        const flagged = {...s.flagged};
        for (const p of prefs.filter((x) => x.category === 'flagged_post')) {
            if (msg.event === 'preferences_changed' && p.value === 'true') {
                flagged[p.name] = true;
            } else {
                delete flagged[p.name];
            }
        }
        setState({flagged});
        break;
    }
    case 'added_to_team':
    case 'leave_team':
    case 'update_team':
    case 'delete_team':
        if (data.user_id === undefined || data.user_id === me.id) {
            client.getMyTeams().then((teams) => {
                const active = teams.filter((t) => t.delete_at === 0).sort((a, b) => a.display_name.localeCompare(b.display_name));
                setState({teams: Object.fromEntries(active.map((t) => [t.id, t])), myTeamIds: active.map((t) => t.id)});
            }).catch(() => undefined);
        }
        break;
    case 'config_changed': {
        // The client configuration after an admin's save: site name, switches, limits.
        const config = parse<Record<string, string>>(data.config);
        if (config && typeof config === 'object') {
            setState({config: {...s.config, ...config}});
        }
        break;
    }
    case 'thread_updated':
    case 'thread_read_changed':
    case 'thread_follow_changed':
        handleThreadEvent(msg.event as string, data, broadcast.team_id ?? '');
        break;
    case 'sidebar_category_created':
    case 'sidebar_category_updated':
    case 'sidebar_category_order_updated':
    case 'sidebar_category_deleted':
        handleCategoryEvent(msg.event as string, data, String(data.team_id ?? broadcast.team_id ?? ''));
        break;
    case 'channel_member_updated': {
        // Muting (a channel, or its category) here or on another device.
        const m = parse<ChannelMembership>(data.channelMember);
        if (m?.channel_id && m.user_id === me.id && m.notify_props) {
            receiveMemberNotifyProps(m.channel_id, m.notify_props);
        }
        break;
    }
    case 'user_role_updated':
        if (data.user_id === me.id) {
            client.getMe().then((u) => setState({me: u})).catch(() => undefined);
        }
        break;
    }
}

/** The user's categories changed (here or on another device): updates apply as sent, others reload. */
function handleCategoryEvent(event: string, data: Record<string, unknown>, teamId: string): void {
    if (!teamId || !getState().categories[teamId]) {
        return;
    }
    if (event === 'sidebar_category_updated') {
        const updated = parse<Category[]>(data.updatedCategories) ?? [];
        setCategories(teamId, (tc) => applyUpdated(tc, updated));
        return;
    }
    if (event === 'sidebar_category_order_updated') {
        const order = parse<string[]>(data.order) ?? [];
        setCategories(teamId, (tc) => applyOrder(tc, order));
        return;
    }
    if (event === 'sidebar_category_deleted') {
        const id = String(data.category_id ?? '');
        setCategories(teamId, (tc) => removeCategory(tc, id, channelType));
    }
    loadCategories(teamId).catch(() => undefined);
}

/** A desktop notification for a new message, when the user's settings ask for one. */
function notifyPost(post: Post, data: Record<string, unknown>): void {
    const s = getState();
    const me = s.me!;
    const channel = s.channels[post.channel_id];
    const member = s.members[post.channel_id];
    const channelType = channel?.type ?? String(data.channel_type ?? '');
    const memberProps = (member?.notify_props ?? {}) as Record<string, string | undefined>;
    const mentions = data.mentions ? parse<string[]>(data.mentions) : [];
    const notify = shouldNotify({
        own: post.user_id === me.id,
        system: isSystemPost(post),
        channelType,
        mentioned: mentions.includes(me.id),
        userDesktop: (me.notify_props as unknown as Record<string, string> | undefined)?.desktop,
        channelDesktop: memberProps.desktop,
        muted: memberProps.mark_unread === 'mention',
        hidden: document.visibilityState !== 'visible',
        permission: notificationPermission(),
    });
    if (!notify) {
        return;
    }
    const sender = s.users[post.user_id]?.username ?? String(data.sender_name ?? 'Someone').replace(/^@/, '');
    const direct = channelType === 'D';
    const title = direct ? sender : channel ? channelLabel(channel, s.users, me.id) : String(data.channel_display_name ?? 'New message');
    showNotification(title, notificationBody(sender, post.message, direct), post.channel_id, () => {
        const st = getState();
        const c = st.channels[post.channel_id];
        const team = st.teams[c?.team_id || st.currentTeamId] ?? st.teams[st.myTeamIds[0]];
        if (c && team) {
            navigate(channelPath(team, c, st.users, me.id));
        }
    });
}

function markViewedLocally(channelId: string): void {
    const s = getState();
    const channel = s.channels[channelId] as HChannel | undefined;
    const member = s.members[channelId];
    if (!channel || !member) {
        return;
    }
    setState((st) => ({members: {...st.members, [channelId]: {
        ...member,
        msg_count: channel.total_msg_count,
        msg_count_root: channel.total_msg_count_root ?? member.msg_count_root,
        mention_count: 0,
        mention_count_root: 0,
        last_viewed_at: Date.now(),
    }}}));
}
