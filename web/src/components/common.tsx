// Small shared pieces: form fields, avatars, presence dots, modal dialogs, icons.

import {useEffect, useId, useRef, type ReactNode} from 'react';
import type {UserProfile} from '@mattermost/types/users';
import {avatarUrl} from '../api';
import {useAppState} from '../store';

interface FieldProps {
    label: string;
    value: string;
    onChange: (value: string) => void;
    type?: string;
    hint?: string;
    required?: boolean;
    autoFocus?: boolean;
    autoComplete?: string;
    placeholder?: string;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    name?: string;
}

export function Field({label, value, onChange, hint, type = 'text', ...rest}: FieldProps) {
    const id = useId();
    return (
        <div className='field'>
            <label htmlFor={id}>{label}</label>
            <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? id + '-hint' : undefined} {...rest}/>
            {hint && <small id={id + '-hint'} className='hint'>{hint}</small>}
        </div>
    );
}

export function Avatar({user, size = 32}: {user?: UserProfile; size?: number}) {
    const status = useAppState((s) => (user ? s.statuses[user.id] : undefined));
    return (
        <span className='avatar' style={{width: size, height: size}}>
            {user ? <img src={avatarUrl(user.id, user.last_picture_update)} alt='' width={size} height={size} loading='lazy'/> : <span className='avatar-blank'/>}
            {status && <StatusDot status={status}/>}
        </span>
    );
}

export function StatusDot({status}: {status: string}) {
    return <span className={`status-dot status-${status}`} role='img' aria-label={status}/>;
}

export function Modal({title, onClose, children, wide}: {title: string; onClose: () => void; children: ReactNode; wide?: boolean}) {
    const ref = useRef<HTMLDivElement>(null);
    const id = useId();
    useEffect(() => {
        const previous = document.activeElement as HTMLElement | null;
        const el = ref.current;
        const first = el?.querySelector<HTMLElement>('input, textarea, select, button:not(.modal-close)');
        first?.focus();
        const onKey = (e: KeyboardEvent) => {
            if (e.key === 'Escape') {
                e.stopPropagation();
                onClose();
            }
        };
        window.addEventListener('keydown', onKey);
        return () => {
            window.removeEventListener('keydown', onKey);
            previous?.focus?.();
        };
    }, [onClose]);
    return (
        <div className='modal-backdrop' onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
            <div className={`modal${wide ? ' modal-wide' : ''}`} role='dialog' aria-modal='true' aria-labelledby={id} ref={ref}>
                <header className='modal-header'>
                    <h2 id={id}>{title}</h2>
                    <button className='icon-btn modal-close' aria-label='Close' onClick={onClose}>✕</button>
                </header>
                <div className='modal-body'>{children}</div>
            </div>
        </div>
    );
}

/** Inline SVG icons (stroke icons, 20px). */
const PATHS: Record<string, string> = {
    search: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-4.3-4.3',
    menu: 'M4 6h16M4 12h16M4 18h16',
    plus: 'M12 5v14M5 12h14',
    reply: 'M9 14L4 9l5-5M4 9h10a6 6 0 0 1 6 6v4',
    smile: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM8.5 14.5s1.3 2 3.5 2 3.5-2 3.5-2M9 9.5h.01M15 9.5h.01',
    more: 'M5 12h.01M12 12h.01M19 12h.01',
    pin: 'M9 4h6l-1 6 3 3H7l3-3zM12 13v7',
    bookmark: 'M6 4h12v17l-6-4-6 4z',
    attach: 'M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7',
    send: 'M4 12l16-8-6 16-3-7z',
    sun: 'M12 4V2M12 22v-2M4 12H2M22 12h-2M5.6 5.6L4.2 4.2M19.8 19.8l-1.4-1.4M5.6 18.4l-1.4 1.4M19.8 4.2l-1.4 1.4M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10z',
    moon: 'M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z',
    close: 'M6 6l12 12M18 6L6 18',
    hash: 'M5 9h14M5 15h14M10 4L8 20M16 4l-2 16',
    lock: 'M6 11h12v9H6zM8 11V8a4 4 0 0 1 8 0v3',
    globe: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18',
    edit: 'M4 20h4L19 9l-4-4L4 16zM14 6l4 4',
    trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
    link: 'M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1',
    info: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v6M12 7.5h.01',
    users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a7 7 0 0 1 14 0v1M16 3.5a4 4 0 0 1 0 7.5M22 21v-1a7 7 0 0 0-4-6.3',
};

export function Icon({name, size = 18}: {name: keyof typeof PATHS | string; size?: number}) {
    return (
        <svg className='icon' width={size} height={size} viewBox='0 0 24 24' fill='none' stroke='currentColor' strokeWidth='2'
            strokeLinecap='round' strokeLinejoin='round' aria-hidden='true' focusable='false'>
            <path d={PATHS[name] ?? ''}/>
        </svg>
    );
}

/** Hearth's mark: a flame in a rounded square. */
export function Logo({size = 28}: {size?: number}) {
    return (
        <svg className='logo' width={size} height={size} viewBox='0 0 64 64' aria-hidden='true' focusable='false'>
            <rect width='64' height='64' rx='14' fill='#b7410e'/>
            <path d='M32 12c6 9 14 14 14 25a14 14 0 0 1-28 0c0-6 3-10 6-13 0 5 2 8 5 9-2-8 0-14 3-21z' fill='#ffd7a8'/>
        </svg>
    );
}
