// Shared pieces of the end-to-end tests and benchmarks: a fresh Hearth server on a
// temporary data folder, optionally `vite preview` in front of it, Debian's Chromium, a
// tiny API client, and a minimal test runner.

import {spawn} from 'node:child_process';
import {request} from 'node:http';
import {mkdtempSync, rmSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {deflateSync} from 'node:zlib';
import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const webDir = resolve(here, '..');
/** Where screenshots go: HEARTH_SCREENSHOTS (a folder), else the documentation's. */
export const screenshotDir = process.env.HEARTH_SCREENSHOTS
    ? resolve(process.env.HEARTH_SCREENSHOTS)
    : resolve(webDir, '../docs/screenshots');

/** Starts `hearth serve` on a fresh data folder; resolves once it prints its URL. */
export async function startServer(extraEnv = {}) {
    const bin = resolve(webDir, process.env.HEARTH_BIN || '../target/release/hearth');
    if (!existsSync(bin)) {
        throw new Error(`Hearth binary not found at ${bin} (set HEARTH_BIN)`);
    }
    const data = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
    const listen = process.env.HEARTH_E2E_LISTEN || '127.0.0.1:0';
    const proc = spawn(bin, ['serve', '--data', data, '--listen', listen], {
        env: {...process.env, HEARTH_RATELIMITSETTINGS_ENABLE: 'false', ...extraEnv},
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    proc.stderr.on('data', (d) => {
        log += d;
    });
    const url = await new Promise((resolveUrl, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`Hearth did not start in 20 s:\n${out}\n${log}`)), 20000);
        proc.stdout.on('data', (d) => {
            out += d;
            const m = / is running at (\S+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolveUrl(m[1].replace(/\/$/, ''));
            }
        });
        proc.on('exit', (code) => reject(new Error(`Hearth exited with ${code}:\n${out}\n${log}`)));
    });
    const stop = async () => {
        if (proc.exitCode === null) {
            proc.kill('SIGTERM');
            await new Promise((r) => {
                const t = setTimeout(() => {
                    proc.kill('SIGKILL');
                    r();
                }, 5000);
                proc.on('exit', () => {
                    clearTimeout(t);
                    r();
                });
            });
        }
        rmSync(data, {recursive: true, force: true});
    };
    return {url, data, stop, log: () => log};
}

/**
 * Where the browser goes: HEARTH_E2E_CLIENT_URL if set (e.g. a Vite dev server whose proxy
 * targets HEARTH_E2E_LISTEN), `vite preview` of the built client in front of the server
 * with HEARTH_E2E_PREVIEW=1, else the Hearth server itself (which serves the embedded build).
 */
export async function startClient(serverUrl) {
    if (process.env.HEARTH_E2E_CLIENT_URL) {
        return {url: process.env.HEARTH_E2E_CLIENT_URL.replace(/\/$/, ''), stop: async () => undefined};
    }
    if (process.env.HEARTH_E2E_PREVIEW === '1') {
        const {preview} = await import('vite');
        const server = await preview({
            root: webDir,
            configFile: resolve(webDir, 'vite.config.ts'),
            logLevel: 'silent',
            preview: {host: '127.0.0.1', port: 0, strictPort: false, proxy: {'/api': {target: serverUrl, ws: true}}},
        });
        const addr = server.httpServer.address();
        return {url: `http://127.0.0.1:${addr.port}`, stop: () => new Promise((r) => server.httpServer.close(() => r()))};
    }
    return {url: serverUrl, stop: async () => undefined};
}

export async function launchBrowser() {
    const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    return chromium.launch({executablePath, args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage']});
}

/**
 * Each API client sends from a loopback address of its own (Linux routes all of
 * 127.0.0.0/8 to the loopback interface). The server's login limit counts per client
 * address and cannot be switched off, so set-up logins must not use up the browser's
 * (127.0.0.1) budget, nor each other's.
 */
let nextLocalAddress = 2;

/** A small REST client for setting up data. */
export class Api {
    constructor(base, token = '') {
        this.base = base;
        this.token = token;
        this.localAddress = `127.0.0.${nextLocalAddress}`;
        nextLocalAddress = nextLocalAddress >= 250 ? 2 : nextLocalAddress + 1;
    }

    req(method, path, body) {
        const url = new URL(`${this.base}/api/v4${path}`);
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const headers = {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
        if (this.token) {
            headers.Authorization = `Bearer ${this.token}`;
        }
        if (payload) {
            headers['Content-Length'] = String(payload.length);
        }
        return new Promise((resolveReq, rejectReq) => {
            const req = request({
                host: url.hostname,
                port: url.port,
                path: url.pathname + url.search,
                method,
                headers,
                localAddress: this.localAddress,
            }, (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    let json;
                    try {
                        json = text ? JSON.parse(text) : null;
                    } catch {
                        json = text;
                    }
                    if (res.statusCode < 200 || res.statusCode >= 300) {
                        const err = new Error(`${method} ${path} → ${res.statusCode}: ${text}`);
                        err.status = res.statusCode;
                        err.body = json;
                        rejectReq(err);
                        return;
                    }
                    resolveReq({json, headers: {get: (name) => res.headers[name.toLowerCase()] ?? null}});
                });
            });
            req.on('error', rejectReq);
            if (payload) {
                req.write(payload);
            }
            req.end();
        });
    }

    async login(loginId, password) {
        const {json, headers} = await this.req('POST', '/users/login', {login_id: loginId, password});
        this.token = headers.get('token');
        this.me = json;
        return json;
    }

    get(path) {
        return this.req('GET', path).then((r) => r.json);
    }

    post(path, body) {
        return this.req('POST', path, body).then((r) => r.json);
    }

    put(path, body) {
        return this.req('PUT', path, body).then((r) => r.json);
    }
}

/** A PNG image (a colour gradient) made without any image library. */
export function makePng(width = 160, height = 120) {
    const crcTable = Array.from({length: 256}, (_, n) => {
        let c = n;
        for (let k = 0; k < 8; k++) {
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        }
        return c >>> 0;
    });
    const crc = (buf) => {
        let c = 0xffffffff;
        for (const b of buf) {
            c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
        }
        return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type, data) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(data.length);
        const td = Buffer.concat([Buffer.from(type), data]);
        const c = Buffer.alloc(4);
        c.writeUInt32BE(crc(td));
        return Buffer.concat([len, td, c]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const raw = Buffer.alloc((width * 3 + 1) * height);
    for (let y = 0; y < height; y++) {
        const row = y * (width * 3 + 1);
        for (let x = 0; x < width; x++) {
            raw[row + 1 + x * 3] = Math.round((x / width) * 255);
            raw[row + 2 + x * 3] = Math.round((y / height) * 255);
            raw[row + 3 + x * 3] = 180;
        }
    }
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Runs named async tests in order, printing one line each and "N passed, N failed". */
export async function runTests(tests, {onFailure} = {}) {
    let passed = 0;
    let failed = 0;
    const only = process.env.HEARTH_E2E_ONLY;
    for (const [name, fn] of tests) {
        if (only && !new RegExp(only).test(name)) {
            continue;
        }
        const t0 = Date.now();
        try {
            await fn();
            passed++;
            console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
        } catch (e) {
            failed++;
            console.log(`  ✗ ${name} (${Date.now() - t0} ms)\n    ${String(e?.stack || e).split('\n').slice(0, 6).join('\n    ')}`);
            await onFailure?.(name);
        }
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed;
}

export function assert(cond, message) {
    if (!cond) {
        throw new Error(`assertion failed: ${message}`);
    }
}

/** The TOTP code (RFC 6238, SHA-1, 6 digits, 30 s) of a base32 secret at a time. */
export async function totp(secret, time = Date.now()) {
    const {createHmac} = await import('node:crypto');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const c of secret.replace(/=+$/, '').toUpperCase()) {
        bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
    }
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(time / 1000 / 30)));
    const h = createHmac('sha1', key).update(counter).digest();
    const o = h[h.length - 1] & 0xf;
    const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
    return String(n % 1_000_000).padStart(6, '0');
}
