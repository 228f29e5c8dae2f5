// The team rail (switch teams) and the channel sidebar: the user's sidebar categories
// (Favorites, custom ones, Channels, Direct Messages), channels bold when unread with a badge
// counting mentions, dimmed when muted; menus to arrange categories and move channels.

import {useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode} from 'react';
import type {Team} from '@mattermost/types/teams';
import {errorMessage} from '../api';
import {
    createCategory, deleteCategory, moveCategory, moveChannelToCategory, renameCategory, setCategoryCollapsed, setCategoryMuted,
    setCategorySorting, setChannelMuted, toast, toggleFavoriteChannel,
} from '../actions';
import {navigate} from '../router';
import {dmPartnerId, setState, useAppState} from '../store';
import {channelUnread, teamUnread} from '../lib/unread';
import {threadTotals} from '../lib/threads';
import {
    canHold, defaultCategories, shownChannelIds, sidebarSections, type Category, type Section, type SidebarChannel, type Sorting, type TeamCategories,
} from '../lib/categories';
import {useLocation} from '../router';
import {channelLabel, channelPath} from '../links';
import {Field, Icon, Modal, StatusDot} from './common';

export function TeamRail({currentTeamId}: {currentTeamId: string}) {
    const teams = useAppState((s) => s.teams);
    const myTeamIds = useAppState((s) => s.myTeamIds);
    const channels = useAppState((s) => s.channels);
    const members = useAppState((s) => s.members);
    return (
        <div className='team-rail'>
            <ul aria-label='Teams' className='team-list'>
                {myTeamIds.map((id) => {
                    const t = teams[id];
                    const u = teamUnread(Object.values(channels).filter((c) => c.team_id === id && members[c.id]).map((c) => channelUnread(c, members[c.id])));
                    const current = id === currentTeamId;
                    return (
                        <li key={id}>
                            <button className={`team-btn${current ? ' active' : ''}${u.unread && !current ? ' unread' : ''}`} aria-current={current ? 'page' : undefined}
                                aria-label={`${t.display_name} team${u.mentions ? `, ${u.mentions} mentions` : ''}`} title={t.display_name}
                                onClick={() => navigate(`/${t.name}`)}>
                                {t.display_name.slice(0, 2)}
                                {u.mentions > 0 && !current && <span className='badge'>{u.mentions}</span>}
                            </button>
                        </li>
                    );
                })}
            </ul>
            <button className='team-btn team-add' aria-label='Join or create a team' title='Join or create a team' onClick={() => navigate('/select_team')}><Icon name='plus'/></button>
        </div>
    );
}

/** A "…" button opening a menu beside it (fixed, so the sidebar's scrolling does not clip it). */
function PopupMenu({label, className, children}: {label: string; className?: string; children: ReactNode}) {
    const [open, setOpen] = useState(false);
    const [pos, setPos] = useState<{top: number; left: number} | null>(null);
    const button = useRef<HTMLButtonElement>(null);
    const menu = useRef<HTMLDivElement>(null);
    const close = (refocus: boolean) => {
        setOpen(false);
        setPos(null);
        if (refocus) {
            button.current?.focus();
        }
    };
    useLayoutEffect(() => {
        if (!open || !button.current || !menu.current) {
            return;
        }
        const b = button.current.getBoundingClientRect();
        const {offsetWidth: w, offsetHeight: h} = menu.current;
        const below = b.bottom + 4 + h <= window.innerHeight - 8;
        setPos({top: below ? b.bottom + 4 : Math.max(8, b.top - 4 - h), left: Math.max(8, Math.min(b.right - w, window.innerWidth - w - 8))});
    }, [open]);
    useEffect(() => {
        // Once placed (a hidden menu cannot take the focus): the first item, for the keyboard.
        if (pos) {
            menu.current?.querySelector<HTMLElement>('[role^=menuitem]:not(:disabled)')?.focus({preventScroll: true});
        }
    }, [pos]);
    useEffect(() => {
        if (!open) {
            return;
        }
        const outside = (e: MouseEvent) => {
            const t = e.target as Node;
            if (!menu.current?.contains(t) && !button.current?.contains(t)) {
                close(false);
            }
        };
        const away = () => close(false);
        const scroller = button.current?.closest('.sidebar-scroll');
        document.addEventListener('mousedown', outside);
        window.addEventListener('resize', away);
        scroller?.addEventListener('scroll', away);
        return () => {
            document.removeEventListener('mousedown', outside);
            window.removeEventListener('resize', away);
            scroller?.removeEventListener('scroll', away);
        };
    }, [open]);
    const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
        const items = [...menu.current!.querySelectorAll<HTMLElement>('[role^=menuitem]:not(:disabled)')];
        const i = items.indexOf(document.activeElement as HTMLElement);
        const go = (n: number) => {
            e.preventDefault();
            items[(n + items.length) % items.length]?.focus();
        };
        if (e.key === 'ArrowDown') {
            go(i + 1);
        } else if (e.key === 'ArrowUp') {
            go(i - 1);
        } else if (e.key === 'Home') {
            go(0);
        } else if (e.key === 'End') {
            go(items.length - 1);
        } else if (e.key === 'Escape') {
            e.stopPropagation();
            close(true);
        } else if (e.key === 'Tab') {
            close(false);
        }
    };
    return (
        <>
            <button ref={button} className={`icon-btn small ${className ?? ''}`} aria-label={label} title={label} aria-haspopup='menu' aria-expanded={open}
                onClick={() => (open ? close(false) : setOpen(true))}>
                <Icon name='more' size={14}/>
            </button>
            {open && (
                <div ref={menu} className='menu menu-fixed' role='menu' aria-label={label} style={pos ?? {visibility: 'hidden'}} onKeyDown={onKeyDown}
                    onClick={(e) => (e.target as HTMLElement).closest('[role^=menuitem]') && close(true)}>
                    {children}
                </div>
            )}
        </>
    );
}

type CategoryDialog =
    | null
    | {kind: 'create'; channelId?: string}
    | {kind: 'rename'; category: Category}
    | {kind: 'delete'; category: Category};

const SORTINGS: [Sorting, string][] = [['alpha', 'Sort alphabetically'], ['recent', 'Sort by recent activity'], ['manual', 'Sort manually']];

const run = (p: Promise<unknown>) => {
    p.catch((e) => toast(errorMessage(e)));
};

/**
 * The channel list: the user's sidebar categories in their order, each collapsible, with a
 * menu (rename, mute, sorting, order, delete); each channel with a menu to favourite it,
 * move it to another category or mute it. Until the server's categories arrive, the
 * default three.
 */
export function Sidebar({team}: {team: Team}) {
    const me = useAppState((s) => s.me)!;
    const channels = useAppState((s) => s.channels);
    const members = useAppState((s) => s.members);
    const users = useAppState((s) => s.users);
    const loaded = useAppState((s) => s.categories[team.id]);
    const currentChannelId = useAppState((s) => s.currentChannelId);
    const [dialog, setDialog] = useState<CategoryDialog>(null);
    const tc = useMemo(() => loaded ?? defaultCategories(me.id, team.id), [loaded, me.id, team.id]);
    const sections = useMemo(() => {
        const mine = Object.values(channels)
            .filter((c) => members[c.id] && c.delete_at === 0 && (c.team_id === team.id || c.type === 'D' || c.type === 'G'))
            .map((c): SidebarChannel => ({id: c.id, type: c.type, label: channelLabel(c, users, me.id), lastActivity: c.last_post_at || c.create_at}));
        return sidebarSections(tc, mine);
    }, [tc, channels, members, users, me.id, team.id]);
    const shownOrder = sections.map((s) => s.category.id);
    const keep = (id: string) => {
        const u = channelUnread(channels[id], members[id]);
        return id === currentChannelId || u.unread || u.mentions > 0;
    };

    return (
        <div className='sidebar'>
            <div className='sidebar-header'>
                <TeamMenu team={team}/>
            </div>
            <div className='sidebar-scroll'>
                <button className='sidebar-search' onClick={() => setState({dialog: 'switcher'})}>
                    <Icon name='search' size={14}/> Find channel <kbd>Ctrl K</kbd>
                </button>
                <ThreadsItem team={team}/>
                {sections.map((section, i) => (
                    <CategorySection key={section.category.id} team={team} tc={tc} section={section} shownIds={shownChannelIds(section, keep)}
                        editable={Boolean(loaded)} first={i === 0} last={i === sections.length - 1} shownOrder={shownOrder} onDialog={setDialog}/>
                ))}
            </div>
            {dialog?.kind === 'create' && <CategoryNameDialog title='Create new category' action='Create' onClose={() => setDialog(null)}
                onSave={(name) => createCategory(team.id, name, dialog.channelId ? [dialog.channelId] : [])}/>}
            {dialog?.kind === 'rename' && <CategoryNameDialog title='Rename category' action='Rename' initial={dialog.category.display_name} onClose={() => setDialog(null)}
                onSave={(name) => renameCategory(team.id, dialog.category.id, name)}/>}
            {dialog?.kind === 'delete' && <DeleteCategoryDialog team={team} category={dialog.category} onClose={() => setDialog(null)}/>}
        </div>
    );
}

interface SectionProps {
    team: Team;
    tc: TeamCategories;
    section: Section;
    /** The channels listed (a collapsed category keeps its unread and current ones). */
    shownIds: string[];
    /** The server's categories are loaded: the menus can change them. */
    editable: boolean;
    first: boolean;
    last: boolean;
    shownOrder: string[];
    onDialog: (d: CategoryDialog) => void;
}

function CategorySection({team, tc, section, shownIds, editable, first, last, shownOrder, onDialog}: SectionProps) {
    const {category} = section;
    const id = useId();
    const custom = category.type === 'custom';
    const name = category.display_name;
    return (
        <section className={`sidebar-category${category.muted ? ' category-muted' : ''}`} aria-labelledby={`${id}-h`} data-category-type={category.type}>
            <div className='sidebar-section-header'>
                <h3 id={`${id}-h`}>
                    <button className='category-toggle' aria-expanded={!category.collapsed} aria-controls={`${id}-l`}
                        onClick={() => run(setCategoryCollapsed(team.id, category.id, !category.collapsed))}>
                        <span className='category-caret' aria-hidden>{category.collapsed ? '▸' : '▾'}</span>{name}
                    </button>
                </h3>
                {editable && (
                    <PopupMenu label={`${name} category options`} className='category-options'>
                        {custom && <button role='menuitem' onClick={() => onDialog({kind: 'rename', category})}>Rename category</button>}
                        <button role='menuitem' onClick={() => run(setCategoryMuted(team.id, category.id, !category.muted))}>{category.muted ? 'Unmute category' : 'Mute category'}</button>
                        <div className='menu-separator' role='separator'/>
                        {SORTINGS.map(([sorting, label]) => (
                            <button key={sorting} role='menuitemradio' aria-checked={category.sorting === sorting || (sorting === 'manual' && category.sorting === '')}
                                onClick={() => run(setCategorySorting(team.id, category.id, sorting, section.channelIds))}>{label}</button>
                        ))}
                        <div className='menu-separator' role='separator'/>
                        <button role='menuitem' disabled={first} onClick={() => run(moveCategory(team.id, category.id, -1, shownOrder))}>Move up</button>
                        <button role='menuitem' disabled={last} onClick={() => run(moveCategory(team.id, category.id, 1, shownOrder))}>Move down</button>
                        <button role='menuitem' onClick={() => onDialog({kind: 'create'})}>Create new category</button>
                        {custom && <button role='menuitem' className='danger' onClick={() => onDialog({kind: 'delete', category})}>Delete category</button>}
                    </PopupMenu>
                )}
                {category.type === 'channels' && (
                    <>
                        <button className='icon-btn small' aria-label='Browse channels' title='Browse channels' onClick={() => setState({dialog: 'browse'})}><Icon name='search' size={14}/></button>
                        <button className='icon-btn small' aria-label='Create a channel' title='Create a channel' onClick={() => setState({dialog: 'create'})}><Icon name='plus' size={14}/></button>
                    </>
                )}
                {category.type === 'direct_messages' && (
                    <button className='icon-btn small' aria-label='Write a direct message' title='Write a direct message' onClick={() => setState({dialog: 'dm'})}><Icon name='plus' size={14}/></button>
                )}
            </div>
            <ul className='channel-list' id={`${id}-l`} aria-labelledby={`${id}-h`}>
                {shownIds.map((channelId) => <ChannelItem key={channelId} team={team} tc={tc} channelId={channelId} category={category} editable={editable} onDialog={onDialog}/>)}
            </ul>
        </section>
    );
}

function ChannelItem({team, tc, channelId, category, editable, onDialog}: {team: Team; tc: TeamCategories; channelId: string; category: Category; editable: boolean; onDialog: (d: CategoryDialog) => void}) {
    const me = useAppState((s) => s.me)!;
    const c = useAppState((s) => s.channels[channelId]);
    const member = useAppState((s) => s.members[channelId]);
    const users = useAppState((s) => s.users);
    const partnerStatus = useAppState((s) => (c?.type === 'D' ? s.statuses[dmPartnerId(c, me.id)] : undefined));
    const current = useAppState((s) => s.currentChannelId === channelId);
    if (!c) {
        return null;
    }
    const label = channelLabel(c, users, me.id);
    const u = channelUnread(c, member);
    const muted = member?.notify_props?.mark_unread === 'mention';
    const href = channelPath(team, c, users, me.id);
    const targets = tc.order.map((id) => tc.byId[id]).filter((t) => t && t.id !== category.id && canHold(t, c.type));
    return (
        <li className='channel-row'>
            <a href={href} className={`channel-item${current ? ' active' : ''}${u.unread && !current ? ' unread' : ''}${muted ? ' muted' : ''}`} aria-current={current ? 'page' : undefined}
                onClick={(e) => {
                    e.preventDefault();
                    navigate(href);
                }}>
                <span className='channel-icon' aria-hidden>
                    {c.type === 'O' && <Icon name='globe' size={15}/>}
                    {c.type === 'P' && <Icon name='lock' size={15}/>}
                    {c.type === 'D' && <StatusDot status={partnerStatus ?? 'offline'}/>}
                    {c.type === 'G' && <span className='gm-count'>{c.display_name.split(',').length}</span>}
                </span>
                <span className='channel-name'>{label}</span>
                {muted && <span className='visually-hidden'>, muted</span>}
                {u.unread && !current && <span className='visually-hidden'>, unread</span>}
                {u.mentions > 0 && !current && <span className='badge' aria-label={`${u.mentions} mentions`}>{u.mentions}</span>}
            </a>
            {editable && (
                <PopupMenu label={`Channel options for ${label}`} className='channel-options'>
                    <button role='menuitem' onClick={() => run(toggleFavoriteChannel(team.id, c.id))}>{category.type === 'favorites' ? 'Unfavorite' : 'Favorite'}</button>
                    <button role='menuitem' onClick={() => run(setChannelMuted(c.id, !muted))}>{muted ? 'Unmute channel' : 'Mute channel'}</button>
                    <div className='menu-separator' role='separator'/>
                    <div role='group' aria-labelledby={`move-${c.id}`}>
                        <div className='menu-label' id={`move-${c.id}`}>Move to…</div>
                        {targets.map((t) => <button key={t.id} role='menuitem' onClick={() => run(moveChannelToCategory(team.id, c.id, t.id))}>{t.display_name}</button>)}
                        <button role='menuitem' onClick={() => onDialog({kind: 'create', channelId: c.id})}>New category…</button>
                    </div>
                </PopupMenu>
            )}
        </li>
    );
}

/** The name of a new category, or a new name for a custom one. */
function CategoryNameDialog({title, action, initial = '', onSave, onClose}: {title: string; action: string; initial?: string; onSave: (name: string) => Promise<void>; onClose: () => void}) {
    const [name, setName] = useState(initial);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        try {
            await onSave(name.trim());
            onClose();
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    };
    return (
        <Modal title={title} onClose={onClose}>
            <form onSubmit={submit}>
                <Field label='Category name' value={name} onChange={setName} required maxLength={64}/>
                {error && <p className='error' role='alert'>{error}</p>}
                <div className='actions'>
                    <button type='button' className='btn' onClick={onClose}>Cancel</button>
                    <button className='btn btn-primary' disabled={busy || !name.trim() || name.trim() === initial}>{action}</button>
                </div>
            </form>
        </Modal>
    );
}

function DeleteCategoryDialog({team, category, onClose}: {team: Team; category: Category; onClose: () => void}) {
    const [error, setError] = useState('');
    const remove = async () => {
        try {
            await deleteCategory(team.id, category.id);
            onClose();
        } catch (e) {
            setError(errorMessage(e));
        }
    };
    return (
        <Modal title='Delete category' onClose={onClose}>
            <p>Delete the category “{category.display_name}”? Its channels go back to Channels and Direct Messages.</p>
            {error && <p className='error' role='alert'>{error}</p>}
            <div className='actions'>
                <button className='btn' onClick={onClose}>Cancel</button>
                <button className='btn btn-danger' onClick={remove}>Delete</button>
            </div>
        </Modal>
    );
}

/** "Threads" at the top: bold when followed threads have new replies, a badge for mentions. */
function ThreadsItem({team}: {team: Team}) {
    const threads = useAppState((s) => s.userThreads[team.id]);
    const {path} = useLocation();
    const current = path === `/${team.name}/threads` || path.startsWith(`/${team.name}/threads/`);
    const {unreadThreads, mentions} = threadTotals(threads);
    const href = `/${team.name}/threads`;
    return (
        <ul className='channel-list sidebar-threads' aria-label='Threads'>
            <li>
                <a href={href} className={`channel-item${current ? ' active' : ''}${unreadThreads && !current ? ' unread' : ''}`} aria-current={current ? 'page' : undefined}
                    onClick={(e) => {
                        e.preventDefault();
                        navigate(href);
                    }}>
                    <span className='channel-icon' aria-hidden><Icon name='reply' size={15}/></span>
                    <span className='channel-name'>Threads</span>
                    {unreadThreads > 0 && <span className='visually-hidden'>, {unreadThreads} unread</span>}
                    {mentions > 0 && <span className='badge' aria-label={`${mentions} mentions`}>{mentions}</span>}
                </a>
            </li>
        </ul>
    );
}

/** The team name, opening the team menu: invite people, join or create another team. */
function TeamMenu({team}: {team: Team}) {
    const [open, setOpen] = useState(false);
    return (
        <div className='menu-anchor team-menu'>
            <h2 className='team-name'>
                <button className='team-menu-btn' aria-haspopup='menu' aria-expanded={open} aria-label={`${team.display_name} team menu`}
                    onClick={() => setOpen(!open)}>
                    <span>{team.display_name}</span> <span aria-hidden className='caret'>▾</span>
                </button>
            </h2>
            {open && (
                <div className='menu menu-left' role='menu' onClick={() => setOpen(false)} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
                    <button role='menuitem' onClick={() => setState({dialog: 'invite'})}>Invite people</button>
                    <button role='menuitem' onClick={() => navigate('/select_team')}>Join or create a team</button>
                </div>
            )}
        </div>
    );
}
