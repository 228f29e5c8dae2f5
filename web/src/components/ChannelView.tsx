// The centre: channel header, the message list, the composer and who is typing. Files
// dropped anywhere on it are attached to the message being written.

import {useCallback, useEffect, useMemo, useRef, useState, type DragEvent} from 'react';
import type {Team} from '@mattermost/types/teams';
import {errorMessage} from '../api';
import {leaveChannel, loadLatest, loadNewer, loadOlder, markViewed, showPinned, toast} from '../actions';
import {navigate} from '../router';
import {dmPartnerId, fullName, getState, setState, useAppState} from '../store';
import {channelUnread} from '../lib/unread';
import {formatDay} from '../lib/format';
import {buildRows, type Row} from '../lib/postlist';
import {channelLabel} from '../links';
import {Composer, TypingIndicator, type ComposerHandle} from './Composer';
import {Icon, StatusDot} from './common';
import {PostItem, messageHtml, onMessageClick} from './Post';
import {VirtualList} from './VirtualList';

export function ChannelView({channelId, team}: {channelId: string; team: Team}) {
    const channel = useAppState((s) => s.channels[channelId]);
    const member = useAppState((s) => s.members[channelId]);
    const composer = useRef<ComposerHandle>(null);
    const [dragging, setDragging] = useState(false);

    useEffect(() => {
        if (!getState().channelPosts[channelId]) {
            loadLatest(channelId).catch((e) => toast(errorMessage(e)));
        }
        markViewed(channelId);
        composer.current?.focus();
        const onVisible = () => {
            const s = getState();
            const m = s.members[channelId];
            if (document.visibilityState === 'visible' && m && channelUnread(s.channels[channelId], m).messages > 0) {
                markViewed(channelId);
            }
        };
        document.addEventListener('visibilitychange', onVisible);
        return () => {
            document.removeEventListener('visibilitychange', onVisible);
            setState({focusPostId: ''});
        };
    }, [channelId]);

    const archived = channel.delete_at > 0;
    const onDrop = (e: DragEvent) => {
        e.preventDefault();
        setDragging(false);
        const files = [...e.dataTransfer.files];
        if (files.length > 0 && !archived) {
            composer.current?.addFiles(files);
        }
    };
    const label = channelLabel(channel, getState().users, getState().me!.id);
    return (
        <div className='channel-view' onDragOver={(e) => {
            if (e.dataTransfer.types.includes('Files')) {
                e.preventDefault();
                setDragging(true);
            }
        }} onDragLeave={(e) => {
            if (e.currentTarget === e.target) {
                setDragging(false);
            }
        }} onDrop={onDrop}>
            <ChannelHeader channelId={channelId} team={team}/>
            <PostList channelId={channelId} team={team} initialLastViewedAt={member?.last_viewed_at}/>
            {archived ? (
                <div className='archived-note'>You are viewing an archived channel. New messages cannot be posted.</div>
            ) : (
                <>
                    <Composer ref={composer} channelId={channelId} teamId={team.id}
                        placeholder={channel.type === 'D' ? `Write to ${label}` : `Write to ${channel.type === 'G' ? label : '~' + label}`}/>
                    <TypingIndicator channelId={channelId}/>
                </>
            )}
            {dragging && <div className='drop-overlay' aria-hidden>Drop files to attach them</div>}
        </div>
    );
}

function ChannelHeader({channelId, team}: {channelId: string; team: Team}) {
    const channel = useAppState((s) => s.channels[channelId]);
    const me = useAppState((s) => s.me)!;
    const users = useAppState((s) => s.users);
    const statuses = useAppState((s) => s.statuses);
    const [menu, setMenu] = useState(false);
    const partner = channel.type === 'D' ? users[dmPartnerId(channel, me.id)] : undefined;
    const headerHtml = useMemo(() => channel.header ? messageHtml({id: 'header-' + channel.id, message: channel.header, update_at: channel.update_at} as never, team) : '',
        [channel.header, channel.id, channel.update_at, team]);
    return (
        <header className='channel-header'>
            <div className='channel-title'>
                <h1>
                    <span className='channel-icon' aria-hidden>
                        {channel.type === 'O' && <Icon name='globe' size={16}/>}
                        {channel.type === 'P' && <Icon name='lock' size={16}/>}
                        {partner && <StatusDot status={statuses[partner.id] ?? 'offline'}/>}
                    </span>
                    {channelLabel(channel, users, me.id)}
                </h1>
                {partner && fullName(partner) && <span className='muted'>{fullName(partner)}</span>}
                {headerHtml ? <div className='channel-header-text markdown' onClick={onMessageClick} dangerouslySetInnerHTML={{__html: headerHtml}}/>
                    : channel.purpose && <div className='channel-header-text muted'>{channel.purpose}</div>}
            </div>
            <div className='channel-header-buttons'>
                <button className='icon-btn' aria-label='Pinned messages' title='Pinned messages' onClick={() => showPinned(channel.id).catch((e) => toast(errorMessage(e)))}><Icon name='pin'/></button>
                {(channel.type === 'O' || channel.type === 'P') && (
                    <span className='menu-anchor'>
                        <button className='icon-btn' aria-label='Channel actions' aria-haspopup='menu' aria-expanded={menu} onClick={() => setMenu(!menu)}><Icon name='more'/></button>
                        {menu && (
                            <div className='menu menu-right' role='menu' onClick={() => setMenu(false)}>
                                {channel.name !== 'town-square' && (
                                    <button role='menuitem' onClick={() => leaveChannel(channel.id).then(() => navigate(`/${team.name}/channels/town-square`)).catch((e) => toast(errorMessage(e)))}>Leave channel</button>
                                )}
                                <button role='menuitem' onClick={() => setState({dialog: 'invite'})}>Invite people to the team</button>
                            </div>
                        )}
                    </span>
                )}
            </div>
        </header>
    );
}

type ListRow = Row | {kind: 'intro'; key: string} | {kind: 'loading'; key: string};

function PostList({channelId, team, initialLastViewedAt}: {channelId: string; team: Team; initialLastViewedAt?: number}) {
    const cp = useAppState((s) => s.channelPosts[channelId]);
    const posts = useAppState((s) => s.posts);
    const me = useAppState((s) => s.me)!;
    const focusPostId = useAppState((s) => s.focusPostId);
    const channel = useAppState((s) => s.channels[channelId]);
    const [lastViewedAt] = useState(initialLastViewedAt);
    // Fixed once the first page is there: the newest post the reader had not yet seen live.
    const [unreadUntil, setUnreadUntil] = useState<number | undefined>(undefined);
    const newestLoaded = cp && cp.order.length ? posts[cp.order[cp.order.length - 1]]?.create_at ?? 0 : 0;
    useEffect(() => {
        if (cp && unreadUntil === undefined) {
            setUnreadUntil(newestLoaded);
        }
    }, [cp, unreadUntil, newestLoaded]);
    const [atBottom, setAtBottom] = useState(true);
    const [bottomSignal, setBottomSignal] = useState(0);
    const users = useAppState((s) => s.users);

    const rows = useMemo<ListRow[]>(() => {
        if (!cp) {
            return [];
        }
        const list = cp.order.map((id) => posts[id]).filter((p) => p && p.delete_at === 0);
        const built: ListRow[] = buildRows(list, {myUserId: me.id, lastViewedAt, unreadUntil: unreadUntil ?? newestLoaded});
        if (cp.atOldest) {
            built.unshift({kind: 'intro', key: 'intro'});
        } else {
            built.unshift({kind: 'loading', key: 'loading'});
        }
        return built;
    }, [cp, posts, me.id, lastViewedAt, unreadUntil, newestLoaded]);

    // Own new messages scroll the list to the bottom.
    const lastId = cp?.order[cp.order.length - 1];
    const lastPost = lastId ? posts[lastId] : undefined;
    useEffect(() => {
        if (lastPost && lastPost.user_id === me.id && Date.now() - lastPost.create_at < 10000) {
            setBottomSignal((n) => n + 1);
        }
    }, [lastId]); // eslint-disable-line react-hooks/exhaustive-deps

    const onNearTop = useCallback(() => {
        loadOlder(channelId);
    }, [channelId]);
    const onNearBottom = useCallback(() => {
        loadNewer(channelId).catch(() => undefined);
    }, [channelId]);

    const renderRow = useCallback((row: ListRow) => {
        switch (row.kind) {
        case 'date':
            return <div className='date-separator' role='separator'><span>{formatDay(row.time)}</span></div>;
        case 'new':
            return <div className='new-messages-line' role='separator'><span>New messages</span></div>;
        case 'intro':
            return (
                <div className='channel-intro'>
                    <h2>{channelLabel(channel, users, me.id)}</h2>
                    <p className='muted'>This is the start of {channel.type === 'D' || channel.type === 'G' ? 'your conversation' : `the ${channel.display_name} channel`}.</p>
                </div>
            );
        case 'loading':
            return <div className='loading-row' role='status'><span className='spinner small' aria-hidden/> Loading older messages…</div>;
        default:
            return <PostItem post={row.post} consecutive={row.consecutive} team={team} highlighted={row.post.id === focusPostId}/>;
        }
    }, [channel, users, me.id, team, focusPostId]);

    if (!cp) {
        return <div className='post-list-empty'><div className='spinner' aria-hidden/></div>;
    }
    return (
        <div className='post-list-wrap'>
            <VirtualList items={rows} itemKey={(r) => r.key} renderItem={renderRow}
                estimateHeight={(r) => (r.kind === 'post' ? (r.consecutive ? 28 : 60) : r.kind === 'intro' ? 90 : 36)}
                onNearTop={onNearTop} onNearBottom={onNearBottom} onAtBottomChange={setAtBottom} focusKey={focusPostId || undefined}
                ariaLabel={`Messages in ${channelLabel(channel, users, me.id)}`} className='post-list' bottomSignal={bottomSignal}/>
            {(!atBottom || !cp.atLatest) && (
                <button className='jump-recent' onClick={() => {
                    setState({focusPostId: ''});
                    if (!cp.atLatest) {
                        loadLatest(channelId).then(() => setBottomSignal((n) => n + 1)).catch((e) => toast(errorMessage(e)));
                    } else {
                        setBottomSignal((n) => n + 1);
                    }
                }}>Jump to recent messages ↓</button>
            )}
        </div>
    );
}
