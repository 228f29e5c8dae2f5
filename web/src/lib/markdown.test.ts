import {describe, expect, it} from 'vitest';
import {loadHighlighter, renderMarkdown} from './markdown';

const ctx = {
    myUsername: 'alice',
    channel: (name: string) => (name === 'town-square' ? {displayName: 'Town Square', url: '/acme/channels/town-square'} : undefined),
};

describe('renderMarkdown', () => {
    it('renders CommonMark emphasis, links and lists', () => {
        const html = renderMarkdown('**bold** _it_ [site](https://example.com)\n\n- one\n- two', ctx);
        expect(html).toContain('<strong>bold</strong>');
        expect(html).toContain('<em>it</em>');
        expect(html).toMatch(/<a href="https:\/\/example.com"[^>]*target="_blank"[^>]*>site<\/a>/);
        expect(html).toContain('rel="noopener noreferrer"');
        expect(html).toContain('<li>two</li>');
    });

    it('follows site-relative links in the app, others in a new tab', () => {
        expect(renderMarkdown('[x](/acme/pl/abc)', ctx)).toContain('data-internal="true"');
        const external = renderMarkdown('[x](//evil.example/a)', ctx);
        expect(external).not.toContain('data-internal');
        expect(external).toContain('target="_blank"');
    });

    it('renders GFM tables', () => {
        const html = renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |', ctx);
        expect(html).toContain('<table>');
        expect(html).toContain('<th>a</th>');
        expect(html).toContain('<td>2</td>');
    });

    it('shows raw HTML as text and drops dangerous links and images', () => {
        const parse = (md: string) => {
            const div = document.createElement('div');
            div.innerHTML = renderMarkdown(md, ctx);
            return div;
        };
        const raw = parse('<script>alert(1)</script><img src=x onerror=alert(1)>');
        expect(raw.querySelector('script, img')).toBeNull();
        expect(raw.textContent).toContain('<script>alert(1)</script>');
        const inline = parse('a <b onmouseover="x()">b</b> [x](javascript:alert(1)) ![i](https://evil.example/t.png)');
        expect(inline.querySelector('b, img, [onmouseover]')).toBeNull();
        const links = [...inline.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '');
        expect(links.some((h) => h.startsWith('javascript:'))).toBe(false);
        expect(inline.innerHTML).toContain('https://evil.example/t.png');
    });

    it('highlights fenced code once the highlighter has loaded, and escapes it before', async () => {
        const before = renderMarkdown('```js\nconst a = "<b>";\n```', ctx);
        expect(before).toContain('&lt;b&gt;');
        expect(before).toContain('class="hljs language-js"');
        await loadHighlighter();
        const after = renderMarkdown('```js\nconst a = 1;\n```', ctx);
        expect(after).toContain('<span class="hljs-keyword">const</span>');
        const unknown = renderMarkdown('```brainfuck\n<>+\n```', ctx);
        expect(unknown).toContain('&lt;&gt;+');
    });

    it('marks @mentions, the reader\'s own specially', () => {
        const html = renderMarkdown('hi @bob and @alice and @channel', ctx);
        expect(html).toContain('<span class="mention" data-mention="bob">@bob</span>');
        expect(html).toContain('<span class="mention mention--me" data-mention="alice">@alice</span>');
        expect(html).toContain('<span class="mention mention--me" data-mention="channel">@channel</span>');
    });

    it('does not take e-mail addresses or code for mentions', () => {
        const html = renderMarkdown('write to bob@example.com or `@alice`', ctx);
        expect(html).not.toContain('data-mention="example.com"');
        expect(html).toContain('<code>@alice</code>');
    });

    it('links ~channels that exist and leaves others as text', () => {
        const html = renderMarkdown('see ~town-square and ~nowhere', ctx);
        expect(html).toContain('<a class="channel-link" href="/acme/channels/town-square" data-internal="true">~Town Square</a>');
        expect(html).toContain('~nowhere');
    });

    it('turns known :emoji: shortcodes into Unicode, outside code only', () => {
        const html = renderMarkdown(':smile: :+1::tada: :not_an_emoji: `:smile:`', ctx);
        expect(html).toContain('😄');
        expect(html).toContain('👍');
        expect(html).toContain('🎉');
        expect(html).toContain(':not_an_emoji:');
        expect(html).toContain('<code>:smile:</code>');
    });

    it('keeps line breaks as in chat', () => {
        expect(renderMarkdown('one\ntwo', ctx)).toContain('one<br>two');
    });
});
