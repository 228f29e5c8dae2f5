// The right-hand panel: a thread with its reply box, search results, pinned or saved
// messages. Results jump to the message in its channel.

import {useEffect, useRef} from 'react';
import type {Team} from '@mattermost/types/teams';
import {navigate} from '../router';
import {setState, useAppState} from '../store';
import {channelLabel, permalink} from '../links';
import {Composer, TypingIndicator} from './Composer';
import {Icon} from './common';
import {PostItem} from './Post';
import {buildRows} from '../lib/postlist';

export function Rhs({team}: {team: Team}) {
    const rhs = useAppState((s) => s.rhs);
    if (!rhs) {
        return null;
    }
    const close = <button className='icon-btn' aria-label='Close panel' onClick={() => setState({rhs: null})}><Icon name='close'/></button>;
    if (rhs.kind === 'thread') {
        return <Thread rootId={rhs.rootId} team={team} close={close}/>;
    }
    const title = rhs.kind === 'search' ? `Search results for “${rhs.terms}”` : rhs.kind === 'pinned' ? 'Pinned messages' : 'Saved messages';
    const empty = rhs.kind === 'search' ? 'No messages match your search.' : rhs.kind === 'pinned' ? 'No pinned messages in this channel yet.' : 'You have not saved any messages yet.';
    return (
        <div className='rhs-panel'>
            <header className='rhs-header'><h2>{title}</h2>{close}</header>
            <div className='rhs-scroll'>
                {rhs.loading && <div className='loading-row' role='status'><span className='spinner small' aria-hidden/> {rhs.kind === 'search' ? 'Searching…' : 'Loading…'}</div>}
                {rhs.error && <p className='error rhs-empty' role='alert'>{rhs.error}</p>}
                {!rhs.loading && rhs.ids.length === 0 && !rhs.error && <p className='muted rhs-empty'>{empty}</p>}
                <ul className='result-list' aria-label={title}>
                    {rhs.ids.map((id) => <ResultItem key={id} postId={id} team={team} words={rhs.kind === 'search' ? rhs.matches?.[id] : undefined}/>)}
                </ul>
            </div>
        </div>
    );
}

/** Marks the words the search matched inside a rendered message (text outside code only). */
function markWords(root: HTMLElement, words: string[]): void {
    const wanted = words.map((w) => w.replace(/[*"]/g, '').trim()).filter(Boolean);
    if (wanted.length === 0) {
        return;
    }
    const escaped = wanted.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const re = new RegExp(`(${escaped.join('|')})`, 'gi');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!(n.parentElement?.closest('code, pre, mark'))) {
            texts.push(n as Text);
        }
    }
    for (const t of texts) {
        const parts = t.data.split(re);
        if (parts.length < 2) {
            continue;
        }
        const frag = document.createDocumentFragment();
        parts.forEach((part, i) => {
            if (i % 2 === 1) {
                const mark = document.createElement('mark');
                mark.textContent = part;
                frag.append(mark);
            } else if (part) {
                frag.append(part);
            }
        });
        t.replaceWith(frag);
    }
}

function ResultItem({postId, team, words}: {postId: string; team: Team; words?: string[]}) {
    const ref = useRef<HTMLLIElement>(null);
    const post = useAppState((s) => s.posts[postId]);
    useEffect(() => {
        const body = ref.current?.querySelector<HTMLElement>('.post-body');
        if (body && words?.length) {
            markWords(body, words);
        }
    }, [post, words]);
    const channel = useAppState((s) => (post ? s.channels[post.channel_id] : undefined));
    const users = useAppState((s) => s.users);
    const me = useAppState((s) => s.me)!;
    if (!post) {
        return null;
    }
    return (
        <li className='result' ref={ref}>
            <div className='result-meta'>
                <span className='muted small'>{channel ? channelLabel(channel, users, me.id) : ''}</span>
                <button className='btn btn-link small' onClick={() => navigate(permalink(team, post.id))}>Jump</button>
            </div>
            <PostItem post={post} consecutive={false} team={team} compact/>
        </li>
    );
}

function Thread({rootId, team, close}: {rootId: string; team: Team; close: React.ReactNode}) {
    const root = useAppState((s) => s.posts[rootId]);
    const replyIds = useAppState((s) => s.threads[rootId]);
    const posts = useAppState((s) => s.posts);
    const me = useAppState((s) => s.me)!;
    const channel = useAppState((s) => (root ? s.channels[root.channel_id] : undefined));
    const users = useAppState((s) => s.users);
    if (!root) {
        return <div className='rhs-panel'><header className='rhs-header'><h2>Thread</h2>{close}</header><div className='loading-row'><span className='spinner small'/></div></div>;
    }
    const replies = (replyIds ?? []).map((id) => posts[id]).filter((p) => p && p.delete_at === 0);
    const rows = buildRows(replies, {myUserId: me.id});
    return (
        <div className='rhs-panel'>
            <header className='rhs-header'>
                <h2>Thread {channel && <span className='muted small'>{channelLabel(channel, users, me.id)}</span>}</h2>
                {close}
            </header>
            <div className='rhs-scroll thread' role='list' aria-label='Thread'>
                <div role='listitem'><PostItem post={root} consecutive={false} team={team} inThread/></div>
                <div className='thread-divider'>{replies.length} {replies.length === 1 ? 'reply' : 'replies'}</div>
                {replyIds === undefined && <div className='loading-row'><span className='spinner small' aria-hidden/></div>}
                {rows.map((r) => r.kind === 'post' && (
                    <div role='listitem' key={r.key}><PostItem post={r.post} consecutive={r.consecutive} team={team} inThread/></div>
                ))}
            </div>
            {root.delete_at === 0 && channel && channel.delete_at === 0 && (
                <div className='rhs-composer'>
                    <Composer key={rootId} channelId={root.channel_id} teamId={team.id} rootId={rootId} placeholder='Reply to thread'/>
                    <TypingIndicator channelId={root.channel_id} rootId={rootId}/>
                </div>
            )}
        </div>
    );
}
