import {describe, expect, it, vi} from 'vitest';
import {resetDesktopForTests, tellDesktopAppReady, tellDesktopSignedIn, tellDesktopSignedOut} from './desktop';

describe('tellDesktopAppReady', () => {
    it('tells the desktop app once that the web app runs', () => {
        resetDesktopForTests();
        const reactAppInitialized = vi.fn();
        const win = {desktopAPI: {reactAppInitialized}};
        tellDesktopAppReady(win);
        tellDesktopAppReady(win);
        expect(reactAppInitialized).toHaveBeenCalledTimes(1);
    });

    it('does nothing in a plain browser or with another API', () => {
        resetDesktopForTests();
        expect(() => tellDesktopAppReady({})).not.toThrow();
        resetDesktopForTests();
        expect(() => tellDesktopAppReady({desktopAPI: {}})).not.toThrow();
        resetDesktopForTests();
        const throwing = {desktopAPI: {reactAppInitialized: () => { throw new Error('old app'); }}};
        expect(() => tellDesktopAppReady(throwing)).not.toThrow();
    });
});

describe('signing in and out inside the desktop app', () => {
    it('reports sign-in, sign-out and an ended session as the desktop app expects', () => {
        const calls: string[] = [];
        const win = {desktopAPI: {
            onLogin: () => calls.push('login'),
            onLogout: () => calls.push('logout'),
            setSessionExpired: (expired: boolean) => calls.push(`expired:${expired}`),
        }};
        tellDesktopSignedIn(win);
        tellDesktopSignedOut(false, win);
        tellDesktopSignedOut(true, win);
        expect(calls).toEqual(['login', 'expired:false', 'logout', 'expired:true']);
    });

    it('does nothing in a plain browser or with an older app', () => {
        expect(() => tellDesktopSignedIn({})).not.toThrow();
        expect(() => tellDesktopSignedOut(false, {desktopAPI: {}})).not.toThrow();
        const throwing = {desktopAPI: {onLogin: () => { throw new Error('old app'); }}};
        expect(() => tellDesktopSignedIn(throwing)).not.toThrow();
    });
});
