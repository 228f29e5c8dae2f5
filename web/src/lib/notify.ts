// Desktop notifications (the browser's Notification API): whether a new message deserves
// one, by the user's and the channel's desktop setting, and showing it.

export type Permission = NotificationPermission | 'unsupported';

export function notificationPermission(): Permission {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export async function requestNotificationPermission(): Promise<Permission> {
    if (typeof Notification === 'undefined') {
        return 'unsupported';
    }
    return Notification.requestPermission();
}

export interface NotifyInput {
    /** The author is the user themself. */
    own: boolean;
    /** A system message (joins, header changes). */
    system: boolean;
    channelType: string;
    /** The server counted the message as a mention of the user. */
    mentioned: boolean;
    /** The user's setting (notify_props.desktop): all, mention or none. */
    userDesktop?: string;
    /** The channel's own setting for the user (channel member notify_props.desktop); "default" follows the user's. */
    channelDesktop?: string;
    /** The channel is muted for the user. */
    muted: boolean;
    /** The page is not visible (another tab, minimised). */
    hidden: boolean;
    permission: Permission;
}

/** Whether a new message should raise a desktop notification. */
export function shouldNotify(n: NotifyInput): boolean {
    if (n.own || n.system || !n.hidden || n.permission !== 'granted') {
        return false;
    }
    const level = n.channelDesktop && n.channelDesktop !== 'default' ? n.channelDesktop : (n.userDesktop || 'mention');
    const direct = n.channelType === 'D' || n.channelType === 'G';
    switch (level) {
    case 'all':
        return !n.muted || n.mentioned || direct;
    case 'mention':
        return n.mentioned || direct;
    default:
        return false;
    }
}

/** The text of a notification: the message on one line, cut to a readable length. */
export function notificationBody(sender: string, message: string, direct: boolean): string {
    const text = message.replace(/\s+/g, ' ').trim() || 'sent a file';
    const cut = text.length > 140 ? text.slice(0, 139) + '…' : text;
    return direct ? cut : `${sender}: ${cut}`;
}

export function showNotification(title: string, body: string, tag: string, onClick: () => void): void {
    if (notificationPermission() !== 'granted') {
        return;
    }
    try {
        const n = new Notification(title, {body, tag, icon: '/favicon.svg'});
        n.onclick = () => {
            window.focus();
            onClick();
            n.close();
        };
    } catch {
        // Some browsers allow notifications only from a service worker: nothing to show then.
    }
}
