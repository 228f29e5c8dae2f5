import {describe, expect, it, vi} from 'vitest';
import {resetDesktopForTests, tellDesktopAppReady} from './desktop';

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
