// A small emoji picker: the common reactions first, a filter box, and the built-in table.

import {useEffect, useLayoutEffect, useRef, useState, type CSSProperties} from 'react';
import {createPortal} from 'react-dom';
import {EMOJI, QUICK_REACTIONS, emojiChar, searchEmoji} from '../lib/emoji';

const WIDTH = 300;
const HEIGHT = 320;

/** Where the picker goes: beside its button, above it unless there is more room below. */
function placement(anchor: HTMLElement | null): CSSProperties {
    if (!anchor) {
        return {left: 8, top: 8};
    }
    const r = anchor.getBoundingClientRect();
    const left = Math.max(8, Math.min(window.innerWidth - WIDTH - 8, r.right - WIDTH));
    const below = window.innerHeight - r.bottom;
    const top = below >= HEIGHT + 8 || r.top < HEIGHT + 8 ? Math.min(r.bottom + 4, window.innerHeight - HEIGHT - 8) : r.top - HEIGHT - 4;
    return {left, top: Math.max(8, top)};
}

export function EmojiPicker({onPick, onClose, anchor}: {onPick: (name: string) => void; onClose: () => void; anchor: HTMLElement | null}) {
    const [filter, setFilter] = useState('');
    const ref = useRef<HTMLDivElement>(null);
    const [style, setStyle] = useState<CSSProperties>({visibility: 'hidden'});
    useLayoutEffect(() => setStyle(placement(anchor)), [anchor]);
    useEffect(() => {
        ref.current?.querySelector('input')?.focus();
        const onDown = (e: MouseEvent) => {
            if (ref.current && !ref.current.contains(e.target as Node) && !anchor?.contains(e.target as Node)) {
                onClose();
            }
        };
        const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
        document.addEventListener('mousedown', onDown);
        document.addEventListener('keydown', onKey);
        return () => {
            document.removeEventListener('mousedown', onDown);
            document.removeEventListener('keydown', onKey);
        };
    }, [onClose, anchor]);
    const seen = new Set<string>();
    const list = (filter ? searchEmoji(filter, 80) : EMOJI).filter((e) => !seen.has(e.char) && seen.add(e.char));
    return createPortal(
        <div className='emoji-picker' ref={ref} role='dialog' aria-label='Choose an emoji' style={style}>
            <input type='search' placeholder='Search emoji' aria-label='Search emoji' value={filter} onChange={(e) => setFilter(e.target.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Enter' && list[0]) {
                        e.preventDefault();
                        onPick(list[0].name);
                    }
                }}/>
            {!filter && (
                <div className='emoji-row' aria-label='Frequently used'>
                    {QUICK_REACTIONS.map((name) => (
                        <button key={name} className='emoji-btn' aria-label={name} title={`:${name}:`} onClick={() => onPick(name)}>{emojiChar(name)}</button>
                    ))}
                </div>
            )}
            <div className='emoji-grid'>
                {list.map((e) => (
                    <button key={e.name} className='emoji-btn' aria-label={e.name} title={`:${e.name}:`} onClick={() => onPick(e.name)}>{e.char}</button>
                ))}
                {list.length === 0 && <p className='muted small'>No emoji found.</p>}
            </div>
        </div>,
        document.body,
    );
}
