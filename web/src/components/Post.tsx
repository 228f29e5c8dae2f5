// One message: author and time (unless grouped with the previous one), the formatted text,
// attachments, reactions, the reply count, and the actions (react, reply, pin, save, copy
// link, edit, delete).

import {memo, useEffect, useMemo, useRef, useState, type MouseEvent} from 'react';
import type {FileInfo} from '@mattermost/types/files';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import {client, errorMessage} from '../api';
import {deletePost, editPost, openThread, toast, toggleFlag, togglePin, toggleReaction} from '../actions';
import {navigate} from '../router';
import {getState, isSystemAdmin, setState, useAppState} from '../store';
import {emojiChar} from '../lib/emoji';
import {formatSize, formatTime, formatDay} from '../lib/format';
import {renderMarkdown} from '../lib/markdown';
import {isSystemPost} from '../lib/postlist';
import {permalink} from '../links';
import {Avatar, Icon, Modal} from './common';
import {EmojiPicker} from './EmojiPicker';
import {openProfile} from './ProfilePopover';

const htmlCache = new Map<string, string>();

/** The message as sanitised HTML, cached by post, version and reader. */
export function messageHtml(post: Post, team: Team | undefined): string {
    const s = getState();
    const key = `${post.id}:${post.update_at}:${post.message.length}:${team?.id ?? ''}:${s.renderVersion}`;
    const hit = htmlCache.get(key);
    if (hit !== undefined) {
        return hit;
    }
    const html = renderMarkdown(post.message, {
        myUsername: s.me?.username,
        channel: (name) => {
            const c = Object.values(s.channels).find((ch) => ch.name === name && ch.team_id === team?.id);
            return c && team ? {displayName: c.display_name, url: `/${team.name}/channels/${c.name}`} : undefined;
        },
    });
    if (htmlCache.size > 3000) {
        htmlCache.clear();
    }
    htmlCache.set(key, html);
    return html;
}

/** Follows in-app links inside messages without reloading the page. */
export function onMessageClick(e: MouseEvent) {
    const a = (e.target as HTMLElement).closest('a');
    if (a && a.dataset.internal === 'true' && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        navigate(a.getAttribute('href')!);
    }
}

function systemText(post: Post): string {
    return post.message;
}

interface PostProps {
    post: Post;
    consecutive: boolean;
    team: Team;
    /** Shown in the thread panel: no reply button, no reply count. */
    inThread?: boolean;
    /** Shown in search results and saved lists: with the channel's name and a jump link. */
    compact?: boolean;
    highlighted?: boolean;
}

export const PostItem = memo(function PostItem({post, consecutive, team, inThread, compact, highlighted}: PostProps) {
    const user = useAppState((s) => s.users[post.user_id]);
    const me = useAppState((s) => s.me)!;
    const flagged = useAppState((s) => Boolean(s.flagged[post.id]));
    const editing = useAppState((s) => s.editingPostId === post.id);
    const [menu, setMenu] = useState(false);
    const [picker, setPicker] = useState<HTMLElement | null>(null);
    const [confirmDelete, setConfirmDelete] = useState(false);
    const pending = post.id === (post as Post & {pending_post_id?: string}).pending_post_id;
    const failed = Boolean((post as Post & {failed?: boolean}).failed);
    const mine = post.user_id === me.id;
    const system = isSystemPost(post);
    const renderVersion = useAppState((s) => s.renderVersion);
    const html = useMemo(() => messageHtml(post, team), [post, team, renderVersion]); // eslint-disable-line react-hooks/exhaustive-deps
    const mentioned = !mine && html.includes('mention--me');
    // "(edited)" goes at the end of the last paragraph, as in Mattermost.
    const shownHtml = post.edit_at > 0 && html.endsWith('</p>')
        ? html.slice(0, -4) + ' <span class="post-edited">(edited)</span></p>'
        : html;

    if (post.delete_at > 0) {
        return <div className='post post-deleted'><em>(message deleted)</em></div>;
    }
    const time = (
        <a className='post-time' href={permalink(team, post.id)} title={`${formatDay(post.create_at)} ${formatTime(post.create_at)}`} onClick={(e) => {
            e.preventDefault();
            navigate(permalink(team, post.id));
        }}>{formatTime(post.create_at)}</a>
    );
    const copyLink = async () => {
        const url = window.location.origin + permalink(team, post.id);
        try {
            await navigator.clipboard.writeText(url);
            toast('Link copied');
        } catch {
            toast(url);
        }
    };
    const run = (f: () => Promise<unknown>) => () => {
        f().catch((e) => toast(errorMessage(e)));
    };
    const classes = ['post', consecutive && !compact ? 'post-consecutive' : '', system ? 'post-system' : '', pending ? 'post-pending' : '',
        failed ? 'post-failed' : '', highlighted ? 'post-highlight' : '', mentioned ? 'post-mention' : '', post.is_pinned ? 'post-pinned' : ''].filter(Boolean).join(' ');
    return (
        <article className={classes} data-post-id={post.id} aria-label={`${user?.username ?? 'someone'} at ${formatTime(post.create_at)}`}>
            <div className='post-gutter'>
                {consecutive && !compact ? <span className='post-time-hover'>{time}</span> : (
                    <button className='avatar-link' tabIndex={-1} aria-hidden onClick={(e) => openProfile(post.user_id, e.currentTarget)}><Avatar user={user} size={36}/></button>
                )}
            </div>
            <div className='post-main'>
                {(!consecutive || compact) && (
                    <div className='post-header'>
                        <button className='post-author' aria-haspopup='dialog' onClick={(e) => openProfile(post.user_id, e.currentTarget)}>{user?.username ?? '…'}</button>
                        {time}
                        {post.is_pinned && <span className='post-flag' title='Pinned'><Icon name='pin' size={12}/> Pinned</span>}
                        {flagged && <span className='post-flag' title='Saved'><Icon name='bookmark' size={12}/> Saved</span>}
                    </div>
                )}
                {editing ? <EditBox post={post}/> : (
                    system ? <div className='post-body'><em>{systemText(post)}</em></div>
                        : <div className='post-body markdown' onClick={onMessageClick} dangerouslySetInnerHTML={{__html: shownHtml}}/>
                )}
                {post.edit_at > 0 && !editing && shownHtml === html && <span className='post-edited'>(edited)</span>}
                {consecutive && !compact && (post.is_pinned || flagged) && (
                    <div className='post-flags'>
                        {post.is_pinned && <span className='post-flag'><Icon name='pin' size={12}/> Pinned</span>}
                        {flagged && <span className='post-flag'><Icon name='bookmark' size={12}/> Saved</span>}
                    </div>
                )}
                {failed && <span className='error small'>Not sent.</span>}
                <Attachments post={post}/>
                <Reactions post={post} onAdd={(el) => setPicker(el)}/>
                {!inThread && !compact && (post.reply_count ?? 0) > 0 && (
                    <button className='reply-count' onClick={() => openThread(post.id)}>
                        <Icon name='reply' size={14}/> {post.reply_count} {post.reply_count === 1 ? 'reply' : 'replies'}
                    </button>
                )}
            </div>
            {!pending && !system && (
                <div className={`post-actions${menu || picker ? ' open' : ''}`} role='toolbar' aria-label='Message actions'>
                    <button className='icon-btn small' aria-label='Add reaction' title='Add reaction' onClick={(e) => setPicker(picker ? null : e.currentTarget)}><Icon name='smile' size={16}/></button>
                    {!inThread && <button className='icon-btn small' aria-label='Reply' title='Reply' onClick={() => openThread(post.root_id || post.id)}><Icon name='reply' size={16}/></button>}
                    <button className='icon-btn small' aria-label='More actions' title='More actions' aria-haspopup='menu' aria-expanded={menu} onClick={() => setMenu(!menu)}><Icon name='more' size={16}/></button>
                    {menu && (
                        <div className='menu menu-right' role='menu' onClick={() => setMenu(false)} onMouseLeave={() => setMenu(false)}>
                            <button role='menuitem' onClick={run(() => togglePin(post))}>{post.is_pinned ? 'Unpin from channel' : 'Pin to channel'}</button>
                            <button role='menuitem' onClick={run(() => toggleFlag(post.id))}>{flagged ? 'Remove from saved' : 'Save'}</button>
                            <button role='menuitem' onClick={copyLink}>Copy link</button>
                            {mine && <button role='menuitem' onClick={() => setState({editingPostId: post.id})}>Edit</button>}
                            {(mine || isSystemAdmin(me)) && <button role='menuitem' className='danger' onClick={() => setConfirmDelete(true)}>Delete</button>}
                        </div>
                    )}
                    {picker && <EmojiPicker anchor={picker} onPick={(name) => {
                        setPicker(null);
                        toggleReaction(post, name).catch((e) => toast(errorMessage(e)));
                    }} onClose={() => setPicker(null)}/>}
                </div>
            )}
            {confirmDelete && (
                <Modal title='Delete message' onClose={() => setConfirmDelete(false)}>
                    <p>Delete this message{(post.reply_count ?? 0) > 0 ? ' and its replies' : ''}? This cannot be undone.</p>
                    <div className='actions'>
                        <button className='btn' onClick={() => setConfirmDelete(false)}>Cancel</button>
                        <button className='btn btn-danger' onClick={() => {
                            setConfirmDelete(false);
                            deletePost(post.id).catch((e) => toast(errorMessage(e)));
                        }}>Delete</button>
                    </div>
                </Modal>
            )}
        </article>
    );
});

function EditBox({post}: {post: Post}) {
    const [text, setText] = useState(post.message);
    const ref = useRef<HTMLTextAreaElement>(null);
    useEffect(() => {
        const el = ref.current!;
        el.focus();
        el.setSelectionRange(el.value.length, el.value.length);
    }, []);
    const close = () => setState({editingPostId: ''});
    const save = async () => {
        if (text.trim() === '' || text === post.message) {
            close();
            return;
        }
        try {
            await editPost(post.id, text);
            close();
        } catch (e) {
            toast(errorMessage(e));
        }
    };
    return (
        <div className='edit-box'>
            <textarea ref={ref} value={text} aria-label='Edit message' rows={Math.min(10, text.split('\n').length + 1)} onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                        e.preventDefault();
                        close();
                    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                        e.preventDefault();
                        save();
                    }
                }}/>
            <div className='edit-hint'>Enter to save, Esc to cancel <button className='btn btn-link' onClick={save}>Save</button></div>
        </div>
    );
}

function Reactions({post, onAdd}: {post: Post; onAdd: (anchor: HTMLElement) => void}) {
    const me = useAppState((s) => s.me)!;
    const users = useAppState((s) => s.users);
    const reactions = post.metadata?.reactions ?? [];
    if (reactions.length === 0) {
        return null;
    }
    const groups = new Map<string, string[]>();
    for (const r of [...reactions].sort((a, b) => a.create_at - b.create_at)) {
        groups.set(r.emoji_name, [...(groups.get(r.emoji_name) ?? []), r.user_id]);
    }
    return (
        <div className='reactions' role='group' aria-label='Reactions'>
            {[...groups].map(([name, ids]) => {
                const mine = ids.includes(me.id);
                const who = ids.map((id) => (id === me.id ? 'you' : users[id]?.username ?? 'someone')).join(', ');
                return (
                    <button key={name} className={`reaction${mine ? ' mine' : ''}`} aria-pressed={mine} title={`${who} reacted with :${name}:`}
                        aria-label={`${name} reaction by ${who}`} onClick={() => toggleReaction(post, name).catch((e) => toast(errorMessage(e)))}>
                        <span className='reaction-emoji'>{emojiChar(name) ?? `:${name}:`}</span> <span className='reaction-count'>{ids.length}</span>
                    </button>
                );
            })}
            <button className='reaction reaction-add' aria-label='Add reaction' onClick={(e) => onAdd(e.currentTarget)}><Icon name='smile' size={14}/>+</button>
        </div>
    );
}

function isImage(f: FileInfo): boolean {
    return Boolean(f.mime_type?.startsWith('image/')) && f.has_preview_image !== false && (f.width ?? 1) > 0;
}

function Attachments({post}: {post: Post}) {
    const [infos, setInfos] = useState<FileInfo[] | null>((post.metadata?.files as FileInfo[] | undefined) ?? null);
    const [preview, setPreview] = useState<FileInfo | null>(null);
    const ids = post.file_ids ?? [];
    useEffect(() => {
        const fromMeta = post.metadata?.files as FileInfo[] | undefined;
        if (fromMeta?.length) {
            setInfos(fromMeta);
        } else if (ids.length > 0 && !post.id.includes(':')) {
            client.getFileInfosForPost(post.id).then(setInfos).catch(() => undefined);
        }
    }, [post.id, post.metadata?.files, ids.length]); // eslint-disable-line react-hooks/exhaustive-deps
    if (!infos || infos.length === 0) {
        return ids.length > 0 ? <div className='attachments muted small'>{ids.length} file(s)</div> : null;
    }
    return (
        <div className='attachments'>
            {infos.map((f) => isImage(f) ? (
                <button key={f.id} className='thumb' aria-label={`Open image ${f.name}`} onClick={() => setPreview(f)}>
                    <img src={client.getFileThumbnailUrl(f.id, 0)} alt={f.name} loading='lazy'/>
                </button>
            ) : (
                <a key={f.id} className='file-card' href={`${client.getFileUrl(f.id, 0)}?download=1`} download={f.name}>
                    <span className='file-ext' aria-hidden>{(f.extension || 'file').slice(0, 4).toUpperCase()}</span>
                    <span className='file-meta'><span className='file-name'>{f.name}</span><span className='muted small'>{formatSize(f.size)}</span></span>
                </a>
            ))}
            {preview && (
                <Modal title={preview.name} onClose={() => setPreview(null)} wide>
                    <div className='preview'>
                        <img src={client.getFilePreviewUrl(preview.id, 0)} alt={preview.name}/>
                    </div>
                    <div className='actions'>
                        <a className='btn' href={`${client.getFileUrl(preview.id, 0)}?download=1`} download={preview.name}>Download</a>
                    </div>
                </Modal>
            )}
        </div>
    );
}
