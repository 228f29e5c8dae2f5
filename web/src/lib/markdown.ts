// Message formatting: Markdown (CommonMark + GFM tables) through `marked`, code highlighted
// by a few highlight.js languages, the result sanitised by DOMPurify, and then, in text
// outside code and links only, @mentions, ~channel links and :emoji: shortcodes.

import {Marked, type Tokens} from 'marked';
import DOMPurify from 'dompurify';
import {emojiChar} from './emoji';

function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]!));
}

// The highlighter is loaded on first use (most messages have no code), keeping it out of
// the initial bundle. Until it is there, code shows plain; then listeners re-render.
type Highlighter = (code: string, lang: string) => string | null;
let highlighter: Highlighter | null = null;
let loading: Promise<void> | null = null;
const readyListeners = new Set<() => void>();

export function loadHighlighter(): Promise<void> {
    if (!loading) {
        loading = import('./highlight').then((m) => {
            highlighter = m.highlight;
            for (const l of readyListeners) {
                l();
            }
        });
    }
    return loading;
}

/** Calls back once the highlighter has loaded (to re-render code blocks). */
export function onHighlighterReady(listener: () => void): () => void {
    readyListeners.add(listener);
    return () => readyListeners.delete(listener);
}

/** Highlights code in a known language, or escapes it (loading the highlighter for next time). */
export function highlight(code: string, lang: string): string {
    if (lang && highlighter) {
        return highlighter(code, lang) ?? escapeHtml(code);
    }
    if (lang) {
        void loadHighlighter();
    }
    return escapeHtml(code);
}

const marked = new Marked({gfm: true, breaks: true});
marked.use({
    renderer: {
        code({text, lang}: Tokens.Code): string {
            const language = (lang ?? '').trim().split(/\s+/)[0] ?? '';
            const cls = language ? ` class="hljs language-${escapeHtml(language)}"` : ' class="hljs"';
            return `<pre><code${cls}>${highlight(text, language)}</code></pre>\n`;
        },
        // Raw HTML in a message is shown as text, as Mattermost does.
        html({text}: Tokens.HTML | Tokens.Tag): string {
            return escapeHtml(text);
        },
        image({href, text}: Tokens.Image): string {
            // No remote images: they would leak who reads a message. Show a link instead.
            return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
        },
    },
});

/** What the text decorations need to know: who "me" is and which names exist. */
export interface RenderContext {
    myUsername?: string;
    /** Mention keys of the current user besides the username (lower case). */
    mentionKeys?: string[];
    /** Usernames known to exist; others are still shown as mentions but not as real ones. */
    isUser?: (username: string) => boolean;
    /** Resolves a channel name of the current team to its display name and URL. */
    channel?: (name: string) => {displayName: string; url: string} | undefined;
}

const SPECIAL_MENTIONS = new Set(['channel', 'all', 'here']);
const TOKEN_RE = /(^|[^\w@.~/-])(@([a-z0-9][a-z0-9._-]*[a-z0-9_]|[a-z0-9])|~([a-z0-9][a-z0-9_-]*)|:([a-z0-9_+-]+):)/gi;

let purifyConfigured = false;
function purifier(): typeof DOMPurify {
    if (!purifyConfigured) {
        DOMPurify.addHook('afterSanitizeAttributes', (node) => {
            if (node.tagName === 'A') {
                const href = node.getAttribute('href') ?? '';
                if (href.startsWith('/') && !href.startsWith('//')) {
                    node.setAttribute('data-internal', 'true');
                } else {
                    node.setAttribute('target', '_blank');
                    node.setAttribute('rel', 'noopener noreferrer');
                }
            }
        });
        purifyConfigured = true;
    }
    return DOMPurify;
}

function decorateText(text: string, ctx: RenderContext, doc: Document): DocumentFragment | null {
    TOKEN_RE.lastIndex = 0;
    let match: RegExpExecArray | null;
    let last = 0;
    const frag = doc.createDocumentFragment();
    let changed = false;
    while ((match = TOKEN_RE.exec(text)) !== null) {
        const [, prefix, token, username, channelName, emojiName] = match;
        const start = match.index + prefix.length;
        let node: Node | null = null;
        if (username !== undefined) {
            const lower = username.toLowerCase();
            const span = doc.createElement('span');
            span.className = 'mention';
            const isMe = lower === ctx.myUsername?.toLowerCase() || SPECIAL_MENTIONS.has(lower) ||
                (ctx.mentionKeys ?? []).includes('@' + lower);
            if (isMe) {
                span.className += ' mention--me';
            }
            if (!SPECIAL_MENTIONS.has(lower) && ctx.isUser && !ctx.isUser(lower)) {
                node = null;
            } else {
                span.setAttribute('data-mention', lower);
                span.textContent = token;
                node = span;
            }
        } else if (channelName !== undefined) {
            const ch = ctx.channel?.(channelName.toLowerCase());
            if (ch) {
                const a = doc.createElement('a');
                a.className = 'channel-link';
                a.setAttribute('href', ch.url);
                a.setAttribute('data-internal', 'true');
                a.textContent = '~' + ch.displayName;
                node = a;
            }
        } else if (emojiName !== undefined) {
            const ch = emojiChar(emojiName);
            if (ch) {
                const span = doc.createElement('span');
                span.className = 'emoji';
                span.setAttribute('title', `:${emojiName}:`);
                span.textContent = ch;
                node = span;
            }
        }
        if (node) {
            frag.append(text.slice(last, start), node);
            last = start + token.length;
            changed = true;
        }
        // Let the last character of a token be the next one's prefix (":+1::tada:").
        TOKEN_RE.lastIndex = start + token.length - 1;
    }
    if (!changed) {
        return null;
    }
    frag.append(text.slice(last));
    return frag;
}

/** Renders a message to sanitised HTML. */
export function renderMarkdown(message: string, ctx: RenderContext = {}): string {
    const raw = marked.parse(message, {async: false}) as string;
    const purify = purifier();
    const body = purify.sanitize(raw, {
        RETURN_DOM: true,
        FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'img', 'iframe'],
        FORBID_ATTR: ['style'],
    }) as HTMLElement;
    const doc = body.ownerDocument;
    const walker = doc.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const texts: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const parent = (n as Text).parentElement;
        if (parent && !parent.closest('code, pre, a')) {
            texts.push(n as Text);
        }
    }
    for (const t of texts) {
        const frag = decorateText(t.data, ctx, doc);
        if (frag) {
            t.replaceWith(frag);
        }
    }
    return body.innerHTML;
}
