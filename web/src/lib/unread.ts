// Unread state of channels, from the channel's totals and the member's read counts, as
// Mattermost's clients compute it. The channel list shows root posts (collapsed threads),
// so a channel is unread when it has root posts the member has not read; the mention badge
// counts every mention, replies included.

import type {ChannelMembership} from '@mattermost/types/channels';

export interface Unread {
    /** The channel has messages the member has not read (shown bold). */
    unread: boolean;
    /** Mentions of the member (the badge). */
    mentions: number;
    /** How many messages are unread. */
    messages: number;
}

type ChannelCounts = {total_msg_count: number; total_msg_count_root?: number};
type MemberCounts = Pick<ChannelMembership, 'msg_count' | 'mention_count'> & {
    msg_count_root?: number;
    mention_count_root?: number;
    notify_props?: Partial<ChannelMembership['notify_props']>;
};

export function channelUnread(channel: ChannelCounts, member: MemberCounts | undefined): Unread {
    if (!member) {
        return {unread: false, mentions: 0, messages: 0};
    }
    const total = channel.total_msg_count_root ?? channel.total_msg_count;
    const read = member.msg_count_root ?? member.msg_count;
    const messages = Math.max(0, total - read);
    const muted = member.notify_props?.mark_unread === 'mention';
    return {unread: messages > 0 && !muted, mentions: member.mention_count, messages};
}

/** Sums a team's channels: whether any is unread and how many mentions there are. */
export function teamUnread(unreads: Unread[]): {unread: boolean; mentions: number} {
    let unread = false;
    let mentions = 0;
    for (const u of unreads) {
        unread ||= u.unread;
        mentions += u.mentions;
    }
    return {unread, mentions};
}

/** The document title: "(unread channels) Channel - Team - Site". */
export function documentTitle(unreadChannels: number, mentions: number, parts: string[]): string {
    const prefix = mentions > 0 ? `(${mentions}) ` : unreadChannels > 0 ? `* ` : '';
    return prefix + parts.filter(Boolean).join(' - ');
}
