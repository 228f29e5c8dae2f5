// Starting a conversation from the "Direct messages" dialog: one other person makes a
// direct message, two to seven make a group message (3–8 people with oneself, as the
// server allows).

export const GROUP_MAX = 8;

export type DirectTarget =
    | {kind: 'none'}
    | {kind: 'dm'; userId: string}
    | {kind: 'gm'; userIds: string[]}
    | {kind: 'too_many'; max: number};

/** What the chosen people make: nothing yet, a direct message, a group message, or too many. */
export function directTarget(selected: string[], myId: string): DirectTarget {
    const others = [...new Set(selected)].filter((id) => id && id !== myId);
    if (others.length === 0) {
        return selected.includes(myId) ? {kind: 'dm', userId: myId} : {kind: 'none'};
    }
    if (others.length === 1) {
        return {kind: 'dm', userId: others[0]};
    }
    if (others.length + 1 > GROUP_MAX) {
        return {kind: 'too_many', max: GROUP_MAX - 1};
    }
    return {kind: 'gm', userIds: [myId, ...others]};
}

/** Whether another person can still be added to the selection. */
export function canAddMore(selected: string[], myId: string): boolean {
    return [...new Set(selected)].filter((id) => id !== myId).length < GROUP_MAX - 1;
}
