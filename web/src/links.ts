// URLs of channels and posts, as Mattermost's web app spells them.

import type {Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {dmPartnerId, fullName} from './store';

export function channelPath(team: Team, channel: Channel, users: Record<string, UserProfile>, myId: string): string {
    if (channel.type === 'D') {
        const other = users[dmPartnerId(channel, myId)];
        if (other) {
            return `/${team.name}/messages/@${other.username}`;
        }
    }
    if (channel.type === 'D' || channel.type === 'G') {
        return `/${team.name}/messages/${channel.name}`;
    }
    return `/${team.name}/channels/${channel.name}`;
}

export function permalink(team: Team, postId: string): string {
    return `/${team.name}/pl/${postId}`;
}

/** How a channel is named in lists: DMs by the other user, GMs by their members. */
export function channelLabel(channel: Channel, users: Record<string, UserProfile>, myId: string): string {
    if (channel.type === 'D') {
        const id = dmPartnerId(channel, myId);
        const u = users[id];
        return u ? u.username + (id === myId ? ' (you)' : '') : 'Direct message';
    }
    if (channel.type === 'G') {
        const names = channel.display_name.split(',').map((s) => s.trim()).filter(Boolean);
        const me = users[myId]?.username;
        return names.filter((n) => n !== me).join(', ') || channel.display_name;
    }
    return channel.display_name || channel.name;
}

export function userLabel(user: UserProfile | undefined): string {
    if (!user) {
        return 'Someone';
    }
    const name = fullName(user);
    return name ? `${user.username} (${name})` : user.username;
}
