// A virtualised, bottom-anchored list for chat: only the rows on screen (plus a margin) are
// in the DOM. Row heights are measured as rows render (estimated before that). The list
// sticks to the bottom while the reader is there; otherwise it keeps the first visible row
// where it was when rows are added above (older history) or change height.

import {useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState, type ReactNode} from 'react';

const OVERSCAN_PX = 800;
const NEAR_EDGE_PX = 1000;
const BOTTOM_SLACK_PX = 40;

interface Props<T> {
    items: T[];
    itemKey: (item: T) => string;
    renderItem: (item: T) => ReactNode;
    estimateHeight: (item: T) => number;
    /** The reader is close to the oldest loaded row. */
    onNearTop?: () => void;
    /** The reader is close to the newest loaded row (and not stuck to the bottom). */
    onNearBottom?: () => void;
    onAtBottomChange?: (atBottom: boolean) => void;
    /** A row to scroll into view once (a permalink or search result). */
    focusKey?: string;
    ariaLabel: string;
    className?: string;
    /** Changing this scrolls to the bottom (e.g. after sending a message). */
    bottomSignal?: number;
}

interface Anchor {
    key: string;
    delta: number;
}

function Measured({itemKey, top, onSize, children}: {itemKey: string; top: number; onSize: (key: string, h: number, sync: boolean) => void; children: ReactNode}) {
    const ref = useRef<HTMLDivElement>(null);
    useLayoutEffect(() => {
        const el = ref.current!;
        onSize(itemKey, el.offsetHeight, true);
        const ro = new ResizeObserver(() => onSize(itemKey, el.offsetHeight, false));
        ro.observe(el);
        return () => ro.disconnect();
    }, [itemKey, onSize]);
    return <div ref={ref} className='vitem' role='listitem' style={{transform: `translateY(${top}px)`}}>{children}</div>;
}

/** The first index whose row ends below y. */
function firstEndingAfter(offsets: number[], y: number): number {
    let lo = 0;
    let hi = offsets.length - 1;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (offsets[mid + 1] > y) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

export function VirtualList<T>({items, itemKey, renderItem, estimateHeight, onNearTop, onNearBottom, onAtBottomChange, focusKey, ariaLabel, className, bottomSignal}: Props<T>) {
    const scrollRef = useRef<HTMLDivElement>(null);
    const heights = useRef(new Map<string, number>());
    const [, forceRender] = useReducer((x: number) => x + 1, 0);
    const [viewport, setViewport] = useState({top: 0, height: 0});
    const stick = useRef(true);
    const anchor = useRef<Anchor | null>(null);
    const focused = useRef('');
    const pendingFrame = useRef(0);

    const keys = items.map(itemKey);
    const offsets = new Array<number>(items.length + 1);
    offsets[0] = 0;
    for (let i = 0; i < items.length; i++) {
        offsets[i + 1] = offsets[i] + (heights.current.get(keys[i]) ?? estimateHeight(items[i]));
    }
    const total = offsets[items.length];
    const pad = Math.max(0, viewport.height - total);
    const layout = useRef({keys, offsets, pad});
    layout.current = {keys, offsets, pad};

    let start = 0;
    let end = items.length;
    if (viewport.height > 0 && items.length > 0) {
        start = firstEndingAfter(offsets, viewport.top - pad - OVERSCAN_PX);
        end = Math.min(items.length, firstEndingAfter(offsets, viewport.top - pad + viewport.height + OVERSCAN_PX) + 1);
    } else {
        // Before the first measurement: render the newest rows only.
        start = Math.max(0, items.length - 30);
    }

    const recordAnchor = useCallback(() => {
        const el = scrollRef.current;
        const {keys: k, offsets: o, pad: p} = layout.current;
        if (!el || k.length === 0) {
            anchor.current = null;
            return;
        }
        const i = firstEndingAfter(o, el.scrollTop - p);
        anchor.current = {key: k[i], delta: o[i] + p - el.scrollTop};
    }, []);

    const onSize = useCallback((key: string, h: number, sync: boolean) => {
        if (h === 0 || heights.current.get(key) === h) {
            return;
        }
        heights.current.set(key, h);
        if (sync) {
            forceRender();
        } else if (!pendingFrame.current) {
            pendingFrame.current = requestAnimationFrame(() => {
                pendingFrame.current = 0;
                forceRender();
            });
        }
    }, []);

    useEffect(() => () => cancelAnimationFrame(pendingFrame.current), []);

    // Keep the position: focus a row, stick to the bottom, or hold the anchor row still.
    useLayoutEffect(() => {
        const el = scrollRef.current;
        if (!el) {
            return;
        }
        const focusIndex = focusKey ? keys.indexOf(focusKey) : -1;
        if (focusKey && focused.current !== focusKey && focusIndex >= 0) {
            focused.current = focusKey;
            stick.current = false;
            el.scrollTop = Math.max(0, offsets[focusIndex] + pad - el.clientHeight / 3);
        } else if (stick.current) {
            el.scrollTop = el.scrollHeight;
        } else if (anchor.current) {
            const i = keys.indexOf(anchor.current.key);
            if (i >= 0) {
                const want = offsets[i] + pad - anchor.current.delta;
                if (Math.abs(el.scrollTop - want) > 1) {
                    el.scrollTop = want;
                }
            }
        }
        recordAnchor();
        if (viewport.height !== el.clientHeight || Math.abs(viewport.top - el.scrollTop) > 1) {
            setViewport({top: el.scrollTop, height: el.clientHeight});
        }
    });

    useEffect(() => {
        if (bottomSignal) {
            stick.current = true;
            forceRender();
        }
    }, [bottomSignal]);

    useEffect(() => {
        const el = scrollRef.current!;
        const ro = new ResizeObserver(() => setViewport({top: el.scrollTop, height: el.clientHeight}));
        ro.observe(el);
        return () => ro.disconnect();
    }, []);

    // Ask for more history when the loaded rows do not fill the screen or the top is near.
    useEffect(() => {
        const el = scrollRef.current;
        if (el && el.scrollTop < NEAR_EDGE_PX && viewport.height > 0) {
            onNearTop?.();
        }
    }, [items.length, viewport.height, onNearTop]); // eslint-disable-line react-hooks/exhaustive-deps

    const onScroll = () => {
        const el = scrollRef.current!;
        const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
        const atBottom = fromBottom < BOTTOM_SLACK_PX;
        if (atBottom !== stick.current) {
            onAtBottomChange?.(atBottom);
        }
        stick.current = atBottom;
        recordAnchor();
        setViewport({top: el.scrollTop, height: el.clientHeight});
        if (el.scrollTop < NEAR_EDGE_PX) {
            onNearTop?.();
        }
        if (!atBottom && fromBottom < NEAR_EDGE_PX) {
            onNearBottom?.();
        }
    };

    return (
        <div ref={scrollRef} className={`vlist ${className ?? ''}`} onScroll={onScroll} role='list' aria-label={ariaLabel} tabIndex={0}>
            <div className='vlist-inner' style={{height: total + pad}}>
                {items.slice(start, end).map((item, j) => {
                    const i = start + j;
                    return <Measured key={keys[i]} itemKey={keys[i]} top={offsets[i] + pad} onSize={onSize}>{renderItem(item)}</Measured>;
                })}
            </div>
        </div>
    );
}
