// The Threads view (collapsed reply threads): the threads the user follows in the team,
// newest activity first, with unread marks; a click opens the thread in the right-hand
// panel and marks it read. Loaded on demand.

import {useEffect, type MouseEvent} from 'react';
import type {Team} from '@mattermost/types/teams';
import {loadThreads, markThreadRead, openThread, setThreadFollow} from '../actions';
import {navigate} from '../router';
import {getState, useAppState} from '../store';
import {formatDay, formatTime} from '../lib/format';
import {emptyThreads, type ThreadItem} from '../lib/threads';
import {channelLabel, userLabel} from '../links';
import {Avatar} from './common';
import {messageHtml, onMessageClick} from './Post';

export function ThreadsView({team, threadId}: {team: Team; threadId: string}) {
    const threads = useAppState((s) => s.userThreads[team.id]) ?? emptyThreads;
    const rhs = useAppState((s) => s.rhs);

    useEffect(() => {
        loadThreads(team.id).catch(() => undefined);
    }, [team.id]);

    // The thread in the address is open in the panel; closing the panel goes back to the list.
    useEffect(() => {
        if (!threadId) {
            return;
        }
        markThreadRead(threadId, team.id);
        const open = getState().rhs;
        if (!(open?.kind === 'thread' && open.rootId === threadId)) {
            openThread(threadId).catch(() => undefined);
        }
    }, [threadId, team.id]);
    const openId = rhs?.kind === 'thread' ? rhs.rootId : '';
    useEffect(() => {
        if (threadId && openId !== threadId) {
            navigate(`/${team.name}/threads${openId ? `/${openId}` : ''}`, {replace: true});
        }
    }, [openId]); // eslint-disable-line react-hooks/exhaustive-deps

    return (
        <div className='threads-view'>
            <header className='channel-header threads-header'>
                <h1>Followed threads</h1>
            </header>
            <div className='threads-scroll'>
                {threads.error && <p className='error rhs-empty' role='alert'>{threads.error}</p>}
                {!threads.loaded && threads.loading && <div className='loading-row' role='status'><span className='spinner small' aria-hidden/> Loading…</div>}
                {threads.loaded && threads.items.length === 0 && (
                    <div className='threads-empty'>
                        <h2>No followed threads yet</h2>
                        <p className='muted'>Threads you start, reply to or are mentioned in appear here.</p>
                    </div>
                )}
                <ul className='thread-list' aria-label='Followed threads'>
                    {threads.items.map((t) => <ThreadRow key={t.id} thread={t} team={team} selected={t.id === openId}/>)}
                </ul>
                {threads.loaded && !threads.atEnd && (
                    <button className='btn btn-link threads-more' disabled={threads.loading} onClick={() => loadThreads(team.id, true)}>Load more threads</button>
                )}
            </div>
        </div>
    );
}

function ThreadRow({thread, team, selected}: {thread: ThreadItem; team: Team; selected: boolean}) {
    const me = useAppState((s) => s.me)!;
    const users = useAppState((s) => s.users);
    const post = useAppState((s) => s.posts[thread.id]) ?? thread.post;
    const channel = useAppState((s) => (post ? s.channels[post.channel_id] : undefined));
    useAppState((s) => s.renderVersion);
    if (!post) {
        return null;
    }
    const author = users[post.user_id];
    const unread = thread.is_following !== false && (thread.unread_replies > 0 || thread.unread_mentions > 0);
    const href = `/${team.name}/threads/${thread.id}`;
    const open = (e: MouseEvent) => {
        const target = e.target as HTMLElement;
        if (target.closest('button') || (target.closest('a') && !target.closest('.thread-open'))) {
            return;
        }
        e.preventDefault();
        navigate(href);
    };
    const when = thread.last_reply_at || post.create_at;
    const name = author ? author.username : 'Someone';
    const participants = thread.participants.slice(0, 5).map((p) => users[p.id] ?? ('username' in p ? p : undefined));
    return (
        <li className={`thread-item${unread ? ' unread' : ''}${selected ? ' selected' : ''}`} onClick={open}>
            <div className='thread-item-head'>
                <a href={href} className='thread-open' aria-current={selected ? 'true' : undefined}
                    aria-label={`Thread by ${name}${channel ? ` in ${channelLabel(channel, users, me.id)}` : ''}${unread ? `, ${thread.unread_replies} new replies` : ''}${thread.unread_mentions ? `, ${thread.unread_mentions} mentions` : ''}`}>
                    <span className='thread-author' title={userLabel(author)}>{name}</span>
                </a>
                {channel && <span className='thread-channel muted small'>{channelLabel(channel, users, me.id)}</span>}
                <time className='muted small' dateTime={new Date(when).toISOString()} title={new Date(when).toLocaleString()}>{formatDay(when)} {formatTime(when)}</time>
                {thread.unread_mentions > 0 && <span className='badge' aria-hidden>{thread.unread_mentions}</span>}
            </div>
            <div className='thread-excerpt post-body' onClick={onMessageClick} dangerouslySetInnerHTML={{__html: post.delete_at ? '<p><em>(message deleted)</em></p>' : messageHtml(post, team)}}/>
            <div className='thread-item-foot'>
                <span className='thread-participants' aria-hidden>{participants.map((u, i) => <Avatar key={u?.id ?? i} user={u} size={20}/>)}</span>
                <span className='small'>{thread.reply_count} {thread.reply_count === 1 ? 'reply' : 'replies'}</span>
                {unread && thread.unread_replies > 0 && <span className='small thread-new'>{thread.unread_replies} new {thread.unread_replies === 1 ? 'reply' : 'replies'}</span>}
                <button className='btn btn-link small thread-follow' aria-label={`${thread.is_following === false ? 'Follow' : 'Unfollow'} thread by ${name}`}
                    onClick={() => setThreadFollow(team.id, thread.id, thread.is_following === false)}>
                    {thread.is_following === false ? 'Follow' : 'Unfollow'}
                </button>
            </div>
        </li>
    );
}
