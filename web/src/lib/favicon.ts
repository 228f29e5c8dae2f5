// The tab's icon: Hearth's mark, with a dot while there are unread messages.

const MARK = '<rect width="64" height="64" rx="14" fill="#b7410e"/>'
    + '<path d="M32 12c6 9 14 14 14 25a14 14 0 0 1-28 0c0-6 3-10 6-13 0 5 2 8 5 9-2-8 0-14 3-21z" fill="#ffd7a8"/>';
const DOT = '<circle cx="50" cy="14" r="12" fill="#ff3b30" stroke="#fff" stroke-width="4"/>';

export const PLAIN_ICON = '/favicon.svg';
export const UNREAD_ICON = 'data:image/svg+xml,' + encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${MARK}${DOT}</svg>`);

/** Shows or hides the unread dot on the tab's icon. */
export function setFaviconDot(on: boolean, doc: Document = document): void {
    let link = doc.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (!link) {
        link = doc.createElement('link');
        link.rel = 'icon';
        link.type = 'image/svg+xml';
        doc.head.appendChild(link);
    }
    const href = on ? UNREAD_ICON : PLAIN_ICON;
    if (link.getAttribute('href') !== href) {
        link.setAttribute('href', href);
    }
}
