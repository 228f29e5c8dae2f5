// The Mattermost desktop app loads the server's own web page and waits (about 4 s) for
// it to say it is running, through the `window.desktopAPI` its preload script provides;
// without that call it keeps showing its loading screen. In a plain browser there is no
// `desktopAPI` and this does nothing.

interface DesktopAPI {
    reactAppInitialized?: () => void;
}

let told = false;

/** Tells the desktop app (if this page runs in it) that the web app has started; once. */
export function tellDesktopAppReady(win: {desktopAPI?: DesktopAPI} = window as never): void {
    if (told) {
        return;
    }
    told = true;
    try {
        win.desktopAPI?.reactAppInitialized?.();
    } catch {
        // An older desktop app with another API: nothing to tell it.
    }
}

/** For tests: forget that the desktop app was told. */
export function resetDesktopForTests(): void {
    told = false;
}
