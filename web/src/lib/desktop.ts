// The Mattermost desktop app loads the server's own web page and waits (about 4 s) for
// it to say it is running, through the `window.desktopAPI` its preload script provides;
// without that call it keeps showing its loading screen. In a plain browser there is no
// `desktopAPI` and this does nothing.

interface DesktopAPI {
    reactAppInitialized?: () => void;
    onLogin?: () => void;
    onLogout?: () => void;
    setSessionExpired?: (expired: boolean) => void;
}

type DesktopWindow = {desktopAPI?: DesktopAPI};

/** Calls the desktop app, if there is one; an older app with another API is ignored. */
function tell(win: DesktopWindow, call: (api: DesktopAPI) => void): void {
    const api = win.desktopAPI;
    if (!api) {
        return;
    }
    try {
        call(api);
    } catch {
        // An older desktop app with another API: nothing to tell it.
    }
}

let told = false;

/** Tells the desktop app (if this page runs in it) that the web app has started; once. */
export function tellDesktopAppReady(win: DesktopWindow = window as never): void {
    if (told) {
        return;
    }
    told = true;
    tell(win, (api) => api.reactAppInitialized?.());
}

/** After signing in: the desktop app shows the server as signed in, not expired. */
export function tellDesktopSignedIn(win: DesktopWindow = window as never): void {
    tell(win, (api) => {
        api.onLogin?.();
        api.setSessionExpired?.(false);
    });
}

/** After signing out (the user chose to) or when the server ended the session
 * (`expired`: the desktop app then marks the server as needing a new sign-in). */
export function tellDesktopSignedOut(expired: boolean, win: DesktopWindow = window as never): void {
    tell(win, (api) => {
        if (expired) {
            api.setSessionExpired?.(true);
        } else {
            api.onLogout?.();
        }
    });
}

/** For tests: forget that the desktop app was told. */
export function resetDesktopForTests(): void {
    told = false;
}
