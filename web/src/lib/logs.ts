// Server log lines as GET /api/v4/logs sends them: each a JSON object shaped like
// Mattermost's log file (timestamp, level, msg, caller, then the event's own fields).

export interface LogEntry {
    /** Position in the server's order, oldest first within what was fetched. */
    key: string;
    timestamp: string;
    level: string;
    msg: string;
    caller: string;
    /** The other fields, as "name=value" text. */
    fields: [string, string][];
}

const KNOWN = new Set(['timestamp', 'level', 'msg', 'caller']);

export function parseLogLine(line: string, key: string): LogEntry {
    let obj: Record<string, unknown>;
    try {
        const parsed = JSON.parse(line) as unknown;
        obj = typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : {msg: String(parsed)};
    } catch {
        obj = {msg: line};
    }
    const fields = Object.entries(obj).filter(([k]) => !KNOWN.has(k))
        .map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    return {
        key,
        timestamp: String(obj.timestamp ?? ''),
        level: String(obj.level ?? '').toLowerCase(),
        msg: String(obj.msg ?? ''),
        caller: String(obj.caller ?? ''),
        fields,
    };
}

/** A page of lines (oldest first, as the server sends them) as entries newest first. */
export function newestFirst(lines: string[], page: number): LogEntry[] {
    return lines.map((l, i) => parseLogLine(l, `${page}:${i}`)).reverse();
}
