// The message box: Enter sends, Shift+Enter adds a line, Up edits your last message,
// @/~/: autocomplete, files by button, drag-and-drop or paste, and a draft kept per
// channel (and thread) in localStorage.

import {forwardRef, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent} from 'react';
import type {Channel} from '@mattermost/types/channels';
import type {FileInfo, FileUploadResponse} from '@mattermost/types/files';
import type {UserProfile} from '@mattermost/types/users';
import {client, errorMessage} from '../api';
import {sendPost, sendTyping, toast} from '../actions';
import {getState, setState, useAppState} from '../store';
import {applyCompletion, pendingAt, type Pending} from '../lib/autocomplete';
import {Drafts} from '../lib/drafts';
import {searchEmoji} from '../lib/emoji';
import {fullName} from '../store';
import {Icon} from './common';
import {EmojiPicker} from './EmojiPicker';

interface Suggestion {
    key: string;
    label: string;
    detail?: string;
    replacement: string;
}

interface Upload {
    clientId: string;
    name: string;
    status: 'uploading' | 'done' | 'error';
    info?: FileInfo;
}

export interface ComposerHandle {
    addFiles: (files: File[]) => void;
    focus: () => void;
}

const SPECIAL = [
    {name: 'here', detail: 'Notifies everyone online in this channel'},
    {name: 'channel', detail: 'Notifies everyone in this channel'},
    {name: 'all', detail: 'Notifies everyone in this channel'},
];

async function suggestionsFor(p: Pending, teamId: string, channelId: string): Promise<Suggestion[]> {
    if (p.trigger === ':') {
        return searchEmoji(p.term, 8).map((e) => ({key: e.name, label: `${e.char} :${e.name}:`, replacement: `:${e.name}:`}));
    }
    if (p.trigger === '@') {
        const res = await client.autocompleteUsers(p.term, teamId, channelId, {limit: 8}) as {users: UserProfile[]; out_of_channel?: UserProfile[]};
        const users = [...(res.users ?? []), ...(res.out_of_channel ?? [])].slice(0, 8);
        const special = SPECIAL.filter((s) => s.name.startsWith(p.term.toLowerCase()));
        return [
            ...users.map((u) => ({key: u.id, label: `@${u.username}`, detail: fullName(u) || u.nickname, replacement: `@${u.username}`})),
            ...special.map((s) => ({key: s.name, label: `@${s.name}`, detail: s.detail, replacement: `@${s.name}`})),
        ];
    }
    const channels = await client.autocompleteChannels(teamId, p.term) as Channel[];
    return channels.slice(0, 8).map((c) => ({key: c.id, label: `~${c.name}`, detail: c.display_name, replacement: `~${c.name}`}));
}

interface Props {
    channelId: string;
    teamId: string;
    rootId?: string;
    placeholder: string;
    disabled?: boolean;
}

export const Composer = forwardRef<ComposerHandle, Props>(function Composer({channelId, teamId, rootId = '', placeholder, disabled}, ref) {
    const me = useAppState((s) => s.me)!;
    const drafts = useMemo(() => new Drafts(localStorage, me.id), [me.id]);
    const [text, setText] = useState(() => drafts.get(channelId, rootId));
    const [uploads, setUploads] = useState<Upload[]>([]);
    const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
    const [pending, setPending] = useState<Pending | null>(null);
    const [index, setIndex] = useState(0);
    const [picker, setPicker] = useState<HTMLElement | null>(null);
    const textarea = useRef<HTMLTextAreaElement>(null);
    const fileInput = useRef<HTMLInputElement>(null);
    const request = useRef(0);
    // Where the caret goes once a completion is in the text (set before the next key press).
    const pendingCaret = useRef<number | null>(null);

    useLayoutEffect(() => {
        if (pendingCaret.current !== null && textarea.current) {
            textarea.current.focus();
            textarea.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
            pendingCaret.current = null;
        }
    }, [text]);

    useEffect(() => {
        drafts.set(channelId, text, rootId);
    }, [text, channelId, rootId, drafts]);

    useEffect(() => {
        const el = textarea.current;
        if (el) {
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
        }
    }, [text]);

    const upload = (files: File[]) => {
        for (const file of files) {
            const clientId = Math.random().toString(36).slice(2);
            setUploads((u) => [...u, {clientId, name: file.name || 'pasted-image.png', status: 'uploading'}]);
            const form = new FormData();
            form.append('channel_id', channelId);
            form.append('client_ids', clientId);
            form.append('files', file, file.name || 'pasted-image.png');
            client.uploadFile(form).then((res: FileUploadResponse) => {
                setUploads((u) => u.map((x) => (x.clientId === clientId ? {...x, status: 'done', info: res.file_infos[0]} : x)));
            }).catch((e) => {
                setUploads((u) => u.filter((x) => x.clientId !== clientId));
                toast(`${file.name}: ${errorMessage(e)}`);
            });
        }
    };

    useImperativeHandle(ref, () => ({
        addFiles: upload,
        focus: () => textarea.current?.focus(),
    }));

    const refreshSuggestions = (value: string, caret: number) => {
        const p = pendingAt(value, caret);
        setPending(p);
        if (!p) {
            setSuggestions([]);
            return;
        }
        const id = ++request.current;
        suggestionsFor(p, teamId, channelId).then((list) => {
            if (id === request.current) {
                setSuggestions(list);
                setIndex(0);
            }
        }).catch(() => setSuggestions([]));
    };

    const choose = (s: Suggestion) => {
        if (!pending) {
            return;
        }
        const next = applyCompletion(text, pending, s.replacement);
        pendingCaret.current = next.caret;
        request.current++;
        setText(next.text);
        setSuggestions([]);
        setPending(null);
    };

    const submit = async () => {
        const message = text.trim();
        const ready = uploads.filter((u) => u.status === 'done' && u.info).map((u) => u.info!.id);
        if (uploads.some((u) => u.status === 'uploading')) {
            toast('Wait for the files to finish uploading.');
            return;
        }
        if (!message && ready.length === 0) {
            return;
        }
        setText('');
        setUploads([]);
        drafts.clear(channelId, rootId);
        try {
            await sendPost(channelId, message, rootId, ready);
        } catch {
            // sendPost shows the error and marks the post as not sent.
        }
    };

    const editLast = () => {
        const s = getState();
        const ids = rootId ? [rootId, ...(s.threads[rootId] ?? [])] : s.channelPosts[channelId]?.order ?? [];
        for (let i = ids.length - 1; i >= 0; i--) {
            const p = s.posts[ids[i]];
            if (p && p.user_id === me.id && p.delete_at === 0 && !p.type) {
                setState({editingPostId: p.id});
                return true;
            }
        }
        return false;
    };

    const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
        if (suggestions.length > 0) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                setIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
                return;
            }
            if (e.key === 'Enter' || e.key === 'Tab') {
                e.preventDefault();
                choose(suggestions[index]);
                return;
            }
            if (e.key === 'Escape') {
                e.preventDefault();
                setSuggestions([]);
                return;
            }
        }
        if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
        } else if (e.key === 'ArrowUp' && text === '' && !e.shiftKey) {
            if (editLast()) {
                e.preventDefault();
            }
        }
    };

    const listId = `ac-${channelId}-${rootId}`;
    return (
        <div className='composer'>
            {suggestions.length > 0 && (
                <ul className='autocomplete' role='listbox' id={listId} aria-label='Suggestions'>
                    {suggestions.map((s, i) => (
                        <li key={s.key} role='option' aria-selected={i === index} className={i === index ? 'selected' : ''}
                            onMouseDown={(e) => {
                                e.preventDefault();
                                choose(s);
                            }}>
                            <span className='ac-label'>{s.label}</span>{s.detail && <span className='ac-detail'>{s.detail}</span>}
                        </li>
                    ))}
                </ul>
            )}
            {uploads.length > 0 && (
                <ul className='upload-list' aria-label='Attached files'>
                    {uploads.map((u) => (
                        <li key={u.clientId} className={`upload upload-${u.status}`}>
                            {u.info?.mime_type?.startsWith('image/') && u.info.has_preview_image !== false
                                ? <img src={client.getFileThumbnailUrl(u.info.id, 0)} alt='' width={32} height={32}/>
                                : <Icon name='attach' size={14}/>}
                            <span className='upload-name'>{u.name}</span>
                            {u.status === 'uploading' && <span className='muted small'>uploading…</span>}
                            <button className='icon-btn small' aria-label={`Remove ${u.name}`} onClick={() => setUploads((list) => list.filter((x) => x.clientId !== u.clientId))}><Icon name='close' size={12}/></button>
                        </li>
                    ))}
                </ul>
            )}
            <div className='composer-box'>
                <textarea ref={textarea} value={text} rows={1} placeholder={placeholder} aria-label={placeholder} disabled={disabled}
                    role='combobox' aria-expanded={suggestions.length > 0} aria-controls={listId} aria-autocomplete='list'
                    onChange={(e) => {
                        setText(e.target.value);
                        refreshSuggestions(e.target.value, e.target.selectionStart);
                        if (e.target.value) {
                            sendTyping(channelId, rootId);
                        }
                    }}
                    onKeyDown={onKeyDown}
                    onBlur={() => setTimeout(() => setSuggestions([]), 150)}
                    onPaste={(e) => {
                        const files = [...e.clipboardData.files];
                        if (files.length > 0) {
                            e.preventDefault();
                            upload(files);
                        }
                    }}/>
                <div className='composer-buttons'>
                    <input ref={fileInput} type='file' multiple hidden aria-hidden tabIndex={-1} onChange={(e) => {
                        upload([...(e.target.files ?? [])]);
                        e.target.value = '';
                    }}/>
                    <button className='icon-btn' aria-label='Attach files' title='Attach files' disabled={disabled} onClick={() => fileInput.current?.click()}><Icon name='attach'/></button>
                    <span className='menu-anchor'>
                        <button className='icon-btn' aria-label='Insert emoji' title='Insert emoji' disabled={disabled} onClick={(e) => setPicker(picker ? null : e.currentTarget)}><Icon name='smile'/></button>
                        {picker && <EmojiPicker anchor={picker} onClose={() => setPicker(null)} onPick={(name) => {
                            setPicker(null);
                            setText((t) => `${t}${t && !t.endsWith(' ') ? ' ' : ''}:${name}: `);
                            textarea.current?.focus();
                        }}/>}
                    </span>
                    <button className='icon-btn send-btn' aria-label='Send' title='Send' disabled={disabled} onClick={submit}><Icon name='send'/></button>
                </div>
            </div>
        </div>
    );
});

/** "alice is typing…" under the box. */
export function TypingIndicator({channelId, rootId = ''}: {channelId: string; rootId?: string}) {
    const typing = useAppState((s) => s.typing[`${channelId}:${rootId}`]);
    const users = useAppState((s) => s.users);
    const names = Object.keys(typing ?? {}).map((id) => users[id]?.username ?? 'Someone');
    let text = '';
    if (names.length === 1) {
        text = `${names[0]} is typing…`;
    } else if (names.length === 2) {
        text = `${names[0]} and ${names[1]} are typing…`;
    } else if (names.length > 2) {
        text = 'Several people are typing…';
    }
    return <div className='typing' aria-live='polite'>{text}</div>;
}
