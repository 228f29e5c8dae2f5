// End-to-end tests: a fresh Hearth server, Debian's Chromium, and the stories the web
// client must support, each checked by what a user sees. Screenshots go to
// docs/screenshots/. Run with `npm run e2e` (see README.md for the environment variables).

import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {tmpdir} from 'node:os';
import {Api, assert, launchBrowser, makePng, runTests, screenshotDir, startClient, startServer, totp} from './harness.mjs';

const VIEWPORT = {width: 1280, height: 800};
const PASSWORD = 'correct-horse-42';
const T = 15000;

mkdirSync(screenshotDir, {recursive: true});
const server = await startServer({
    HEARTH_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION: 'true',
    // A closed server: people join through invitation links.
    HEARTH_TEAMSETTINGS_ENABLEOPENSERVER: 'false',
});
const client = await startClient(server.url);
const browser = await launchBrowser();
console.log(`Hearth at ${server.url}, client at ${client.url}`);

const base = client.url;
const pages = {};
/** What Chromium reported as blocked by the server's Content-Security-Policy, on any page. */
const cspViolations = [];
let team = null;
let admin = null;

async function newUserPage(name, options = {}) {
    const context = await browser.newContext({viewport: VIEWPORT, ...options});
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: base}).catch(() => undefined);
    const page = await context.newPage();
    page.setDefaultTimeout(T);
    page.on('pageerror', (e) => console.log(`    [${name} page error] ${e.message}`));
    page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) {
            cspViolations.push(`${name}: ${message.text()}`);
        }
    });
    pages[name] = page;
    return page;
}

async function signIn(page, loginId) {
    await page.goto(`${base}/login`);
    await page.getByLabel('Username or e-mail').fill(loginId);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', {name: 'Sign in'}).click();
    await page.locator('.channel-header h1').waitFor();
}

async function send(page, text) {
    const box = page.locator('.main-col textarea[aria-label^="Write to"]');
    await box.click();
    await box.fill(text);
    await box.press('Enter');
}

function post(page, text) {
    return page.locator('.main-col article.post', {hasText: text});
}

/** Retries a check for a few seconds (for what the client saves in the background). */
async function eventually(check, ms = 5000) {
    const until = Date.now() + ms;
    for (;;) {
        try {
            return await check();
        } catch (e) {
            if (Date.now() > until) {
                throw e;
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}

async function shot(page, name) {
    await page.waitForTimeout(300);
    await page.screenshot({path: join(screenshotDir, name)});
}

const tests = [
    ['setup wizard on an empty server ends in the new team\'s town-square', async () => {
        const page = await newUserPage('admin');
        await page.goto(`${base}/`);
        await page.waitForURL('**/setup');
        await page.getByRole('heading', {name: 'Create the administrator account'}).waitFor();
        await page.getByLabel('Username').fill('alice');
        await page.getByLabel('E-mail').fill('alice@example.com');
        await page.getByLabel('Password').fill(PASSWORD);
        await shot(page, 'setup-wizard.png');
        await page.getByRole('button', {name: 'Create account'}).click();

        await page.getByRole('heading', {name: 'Name your site'}).waitFor();
        assert(await page.getByLabel('Site URL').inputValue() === base, 'Site URL is prefilled with the origin');
        await page.getByLabel('Site name').fill('Acme Chat');
        await page.getByRole('button', {name: 'Save and continue'}).click();
        // The config patch endpoint may not exist yet: then a gentle note, and Continue.
        const https = page.getByRole('heading', {name: 'Secure connections (HTTPS)'});
        const note = page.getByText('can be set later in the System Console');
        await Promise.race([https.waitFor(), note.waitFor()]);
        if (await note.isVisible()) {
            console.log('    (PUT /api/v4/config/patch is not available: the wizard showed its note)');
            await page.getByRole('button', {name: 'Continue'}).click();
        }
        await https.waitFor();
        assert(await page.getByLabel('Domain name').isDisabled(), 'HTTPS fields are disabled');
        await page.getByRole('button', {name: 'Continue'}).click();
        await page.getByRole('heading', {name: 'E-mail'}).waitFor();
        assert(await page.getByLabel('SMTP server').isDisabled(), 'SMTP fields are disabled');
        await page.getByRole('button', {name: 'Continue'}).click();
        await page.getByLabel('Team name').fill('Acme Team');
        assert(await page.getByLabel('Team URL').inputValue() === 'acme-team', 'team URL derived from its name');
        await page.getByRole('button', {name: 'Create team'}).click();
        await page.waitForURL('**/acme-team/channels/town-square');
        await page.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();

        admin = new Api(server.url);
        await admin.login('alice', PASSWORD);
        team = await admin.get('/teams/name/acme-team');
        assert(admin.me.roles.includes('system_admin'), 'first account is system admin');
    }],

    ['two users exchange messages in real time, with typing indicator', async () => {
        const bob = await admin.post('/users', {username: 'bob', email: 'bob@example.com', password: PASSWORD, first_name: 'Bob', last_name: 'Builder'});
        await admin.post(`/teams/${team.id}/members`, {team_id: team.id, user_id: bob.id});
        const a = pages.admin;
        const b = await newUserPage('bob');
        await signIn(b, 'bob');
        await b.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();
        await a.waitForTimeout(500);

        await send(a, 'Hello @bob, welcome to **Acme** :tada:');
        await post(b, 'Hello @bob, welcome to Acme').waitFor();
        assert(await post(b, 'Hello @bob').locator('strong', {hasText: 'Acme'}).count() === 1, 'markdown bold rendered');
        assert(await post(b, 'Hello @bob').locator('.mention--me').count() === 1, 'mention of bob highlighted for bob');
        assert((await post(b, 'Hello @bob').innerText()).includes('🎉'), 'emoji shortcode shown as Unicode');

        const box = b.locator('.main-col textarea[aria-label^="Write to"]');
        await box.click();
        await box.pressSequentially('Thanks', {delay: 30});
        await a.getByText('bob is typing…').waitFor();
        await box.press('Enter');
        await post(a, 'Thanks').waitFor();

        await send(a, 'Here is the deploy script:\n```bash\necho "deploying"\n```');
        await post(b, 'Here is the deploy script').waitFor();
        await b.locator('.main-col pre code.language-bash').waitFor();
        await send(b, '| service | state |\n|---|---|\n| api | up :white_check_mark: |');
        await post(a, 'service').locator('table').waitFor();
        await a.waitForTimeout(400);
        await shot(a, 'chat-light.png');
    }],

    ['a thread reply shows in the panel and as a reply count', async () => {
        const a = pages.admin;
        const b = pages.bob;
        const root = post(a, 'Here is the deploy script');
        await root.hover();
        await root.getByRole('button', {name: 'Reply'}).click();
        await a.locator('.rhs').getByRole('heading', {name: /Thread/}).waitFor();
        const reply = a.locator('.rhs textarea[aria-label="Reply to thread"]');
        await reply.fill('Ran it on staging, all good');
        await reply.press('Enter');
        await a.locator('.rhs article.post', {hasText: 'Ran it on staging'}).waitFor();
        await post(b, 'Here is the deploy script').getByRole('button', {name: '1 reply'}).waitFor();
        await post(b, 'Here is the deploy script').getByRole('button', {name: '1 reply'}).click();
        await b.locator('.rhs article.post', {hasText: 'Ran it on staging'}).waitFor();
        const breply = b.locator('.rhs textarea[aria-label="Reply to thread"]');
        await breply.fill('Great, shipping to production');
        await breply.press('Enter');
        await a.locator('.rhs article.post', {hasText: 'shipping to production'}).waitFor();
        await post(a, 'Here is the deploy script').getByRole('button', {name: '2 replies'}).waitFor();
        await shot(a, 'thread.png');
        await b.getByRole('button', {name: 'Close panel'}).click();
    }],

    ['a reaction added by one user appears for the other, and can be removed', async () => {
        const a = pages.admin;
        const b = pages.bob;
        const target = post(b, 'Hello @bob');
        await target.hover();
        await target.getByRole('button', {name: 'Add reaction'}).first().click();
        await b.getByRole('dialog', {name: 'Choose an emoji'}).getByLabel('Search emoji').fill('thumbsup');
        await b.getByRole('dialog', {name: 'Choose an emoji'}).getByRole('button', {name: 'thumbsup'}).click();
        const reaction = post(a, 'Hello @bob').locator('.reaction', {hasText: '👍'});
        await reaction.waitFor();
        assert((await reaction.innerText()).includes('1'), 'reaction count 1');
        await reaction.click();
        await post(b, 'Hello @bob').locator('.reaction', {hasText: '2'}).waitFor();
        await post(b, 'Hello @bob').locator('.reaction.mine').click();
        await post(a, 'Hello @bob').locator('.reaction', {hasText: '1'}).waitFor();
    }],

    ['a file upload shows a thumbnail and opens a preview', async () => {
        const a = pages.admin;
        const b = pages.bob;
        const file = join(tmpdir(), 'hearth-e2e-gradient.png');
        writeFileSync(file, makePng(320, 200));
        await a.locator('.main-col input[type=file]').setInputFiles(file);
        await a.locator('.upload-done', {hasText: 'hearth-e2e-gradient.png'}).waitFor();
        await send(a, 'The new banner');
        const thumb = post(b, 'The new banner').locator('.thumb img');
        await thumb.waitFor();
        await b.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
        await thumb.click();
        const preview = b.getByRole('dialog', {name: 'hearth-e2e-gradient.png'}).locator('img');
        await preview.waitFor();
        await b.waitForFunction((el) => el.complete && el.naturalWidth >= 320, await preview.elementHandle());
        await b.keyboard.press('Escape');
    }],

    ['search finds a message and jumps to it', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await send(b, 'The quarterly zeppelin report is ready');
        await post(a, 'quarterly zeppelin').waitFor();
        // Push the message up with some more traffic.
        for (let i = 0; i < 12; i++) {
            await admin.post('/posts', {channel_id: (await admin.get(`/teams/${team.id}/channels/name/town-square`)).id, message: `filler message ${i}`});
        }
        await a.getByRole('searchbox', {name: 'Search messages'}).fill('zeppelin');
        const result = a.locator('.rhs .result', {hasText: 'quarterly zeppelin'});
        // The search index follows the database a moment behind: search again, as a person would.
        for (let i = 0; ; i++) {
            await a.getByRole('searchbox', {name: 'Search messages'}).press('Enter');
            try {
                await result.waitFor({timeout: 1500});
                break;
            } catch (e) {
                if (i === 12) {
                    throw e;
                }
            }
        }
        await result.locator('mark', {hasText: 'zeppelin'}).waitFor();
        await result.getByRole('button', {name: 'Jump'}).click();
        await a.locator('.main-col article.post.post-highlight', {hasText: 'quarterly zeppelin'}).waitFor();
        await shot(a, 'search.png');
        await a.waitForURL('**/acme-team/channels/town-square');
    }],

    ['an unread badge appears live and clears when the channel is read', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await b.goto(`${base}/acme-team/channels/off-topic`);
        await b.locator('.channel-header h1', {hasText: 'Off-Topic'}).waitFor();
        const offTopic = a.locator('.sidebar a.channel-item', {hasText: 'Off-Topic'});
        assert(!(await offTopic.getAttribute('class')).includes('unread'), 'off-topic starts read');
        await send(b, '@alice can you look at the budget?');
        await a.locator('.sidebar a.channel-item.unread', {hasText: 'Off-Topic'}).waitFor();
        await offTopic.locator('.badge', {hasText: '1'}).waitFor();
        await a.waitForFunction(() => document.title.startsWith('(1)'));
        await offTopic.click();
        await post(a, 'can you look at the budget').waitFor();
        await a.locator('.main-col .new-messages-line').waitFor();
        await a.waitForFunction(() => !document.querySelector('.sidebar a.channel-item.unread'));
        assert(await offTopic.locator('.badge').count() === 0, 'badge cleared');
        await a.waitForFunction(() => !document.title.startsWith('('));
    }],

    ['followed threads: a mention in a reply badges "Threads", the view lists it, opening it reads it', async () => {
        const a = pages.admin;
        const bob = new Api(server.url);
        await bob.login('bob', PASSWORD);
        const townSquare = await admin.get(`/teams/${team.id}/channels/name/town-square`);
        await a.goto(`${base}/${team.name}/channels/town-square`);
        await a.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();
        const threadsLink = a.locator('.sidebar').getByRole('link', {name: /^Threads/});
        await threadsLink.waitFor();
        await a.waitForTimeout(500);
        const root = await bob.post('/posts', {channel_id: townSquare.id, message: 'Who can review the **release notes**?'});
        await admin.post('/posts', {channel_id: townSquare.id, root_id: root.id, message: 'I can take a look tonight'});
        await bob.post('/posts', {channel_id: townSquare.id, root_id: root.id, message: 'Thanks @alice, the draft is in the wiki'});
        await threadsLink.locator('.badge', {hasText: '1'}).waitFor();
        assert(await threadsLink.evaluate((el) => el.classList.contains('unread')), 'Threads is bold');

        await threadsLink.click();
        await a.waitForURL(`**/${team.name}/threads`);
        const item = a.getByRole('list', {name: 'Followed threads'}).locator('li', {hasText: 'release notes'});
        await item.waitFor();
        assert(await item.locator('strong', {hasText: 'release notes'}).count() === 1, 'the root excerpt is rendered Markdown');
        await item.getByText('1 new reply').waitFor();
        await item.getByText('2 replies').waitFor();
        assert(await item.getByText('Town Square').count() === 1, 'the channel is named');
        assert(await item.locator('.thread-participants .avatar').count() === 2, 'both participants shown');
        await shot(a, 'threads.png');

        await item.getByRole('link', {name: /Thread by bob/}).click();
        await a.waitForURL(`**/${team.name}/threads/${root.id}`);
        await a.locator('.rhs article.post', {hasText: 'the draft is in the wiki'}).waitFor();
        await eventually(async () => assert(await threadsLink.locator('.badge').count() === 0, 'the badge clears'));
        await eventually(async () => assert(!(await item.evaluate((el) => el.classList.contains('unread'))), 'the thread is no longer unread'));
        // The client clears its marks at once and tells the server in the background.
        await eventually(async () => {
            const after = await admin.get(`/users/me/teams/${team.id}/threads`);
            assert(after.total_unread_mentions === 0 && after.total_unread_threads === 0, `read on the server: ${JSON.stringify({t: after.total_unread_threads, m: after.total_unread_mentions})}`);
        });

        // Unfollow and follow again from the list.
        await item.getByRole('button', {name: /^Unfollow thread/}).click();
        await item.getByRole('button', {name: /^Follow thread/}).click();
        await item.getByRole('button', {name: /^Unfollow thread/}).waitFor();
        await a.getByRole('button', {name: 'Close panel'}).click();
        await a.waitForURL(`**/${team.name}/threads`);
        await a.locator('.sidebar a.channel-item', {hasText: 'Town Square'}).click();
        await a.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();
    }],

    ['dark theme follows the system and the toggle', async () => {
        const a = pages.admin;
        await a.emulateMedia({colorScheme: 'dark'});
        await a.goto(`${base}/acme-team/channels/town-square`);
        await post(a, 'quarterly zeppelin').waitFor();
        assert(await a.evaluate(() => document.documentElement.dataset.theme) === 'dark', 'dark theme applied');
        await shot(a, 'chat-dark.png');
        await a.getByRole('button', {name: /Switch theme/}).click();
        await a.getByRole('button', {name: /Switch theme/}).click();
        assert(await a.evaluate(() => document.documentElement.dataset.theme) === 'light', 'toggle switches to light');
        await a.getByRole('button', {name: /Switch theme/}).click();
        await a.emulateMedia({colorScheme: 'light'});
    }],

    ['composer: autocomplete, drafts per channel, Up arrow edits the last message', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await a.goto(`${base}/acme-team/channels/town-square`);
        await b.goto(`${base}/acme-team/channels/town-square`);
        const box = a.locator('.main-col textarea[aria-label^="Write to"]');
        await box.click();
        await box.pressSequentially('@bo', {delay: 20});
        await a.getByRole('option', {name: /@bob/}).waitFor();
        await box.press('Enter');
        assert(await box.inputValue() === '@bob ', 'mention completed');
        await box.pressSequentially('~off', {delay: 20});
        await a.getByRole('option', {name: /~off-topic/}).waitFor();
        await box.press('Tab');
        await box.pressSequentially(':tad', {delay: 20});
        await a.getByRole('option', {name: /:tada:/}).waitFor();
        await box.press('Enter');
        assert(await box.inputValue() === '@bob ~off-topic :tada: ', `completions applied: ${await box.inputValue()}`);
        await box.pressSequentially('draft in progress');
        await a.locator('.sidebar a.channel-item', {hasText: 'Off-Topic'}).click();
        await a.locator('.channel-header h1', {hasText: 'Off-Topic'}).waitFor();
        assert(await a.locator('.main-col textarea[aria-label^="Write to"]').inputValue() === '', 'other channel has its own (empty) draft');
        await a.locator('.sidebar a.channel-item', {hasText: 'Town Square'}).click();
        await a.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();
        assert((await box.inputValue()).endsWith('draft in progress'), 'draft restored');
        await a.reload();
        await a.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();
        assert((await box.inputValue()).endsWith('draft in progress'), 'draft survives a reload');
        await box.fill('');
        await send(a, 'this has a tpyo');
        await post(b, 'this has a tpyo').waitFor();
        await box.press('ArrowUp');
        const edit = a.getByLabel('Edit message');
        await edit.waitFor();
        await edit.fill('this had a typo');
        await edit.press('Enter');
        await post(b, 'this had a typo').getByText('(edited)').waitFor();
        // Shift+Enter makes a new line rather than sending.
        await box.click();
        await box.pressSequentially('line one');
        await box.press('Shift+Enter');
        await box.pressSequentially('line two');
        await box.press('Enter');
        await post(b, 'line one').locator('br').waitFor({state: 'attached'});
    }],

    ['channels: create, browse and join, direct message, Ctrl+K switcher', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await a.getByRole('button', {name: 'Create a channel'}).click();
        await a.getByRole('dialog').getByLabel('Name').fill('Release Planning');
        await a.getByRole('dialog').getByRole('button', {name: 'Create channel'}).click();
        await a.waitForURL('**/acme-team/channels/release-planning');
        await a.locator('.channel-header h1', {hasText: 'Release Planning'}).waitFor();

        await b.getByRole('button', {name: 'Browse channels'}).click();
        const item = b.getByRole('dialog').locator('li', {hasText: 'Release Planning'});
        await item.getByRole('button', {name: 'Join'}).click();
        await b.locator('.channel-header h1', {hasText: 'Release Planning'}).waitFor();
        await b.locator('.sidebar a.channel-item', {hasText: 'Release Planning'}).waitFor();

        await b.locator('.sidebar a.channel-item', {hasText: 'Town Square'}).click();
        await a.getByRole('button', {name: 'Write a direct message'}).click();
        await a.getByRole('dialog').getByLabel('Find people').fill('bob');
        await a.getByRole('dialog').getByRole('list', {name: 'People'}).getByRole('button', {name: /bob/}).click();
        await a.getByRole('dialog').getByRole('button', {name: 'Go'}).click();
        await a.waitForURL('**/acme-team/messages/@bob');
        // As a person would: type once the conversation is open, not just its address.
        await a.locator('.channel-header h1', {hasText: 'bob'}).waitFor();
        await send(a, 'psst, a direct message');
        await post(a, 'psst, a direct message').waitFor();
        const dm = b.locator('.sidebar a.channel-item', {hasText: 'alice'});
        await dm.waitFor();
        await dm.locator('.badge', {hasText: '1'}).waitFor();

        await b.locator('body').press('Control+k');
        await b.getByRole('dialog', {name: 'Switch channels'}).getByLabel('Channel or person').fill('alice');
        await b.keyboard.press('Enter');
        await b.waitForURL('**/acme-team/messages/@alice');
        await post(b, 'psst, a direct message').waitFor();
        await dm.locator('.badge').waitFor({state: 'detached'});
    }],

    ['pin, save and delete a message', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await a.goto(`${base}/acme-team/channels/town-square`);
        await b.goto(`${base}/acme-team/channels/town-square`);
        await send(a, 'Remember: retro on Friday');
        const mine = post(a, 'retro on Friday');
        await mine.hover();
        await mine.getByRole('button', {name: 'More actions'}).click();
        await a.getByRole('menuitem', {name: 'Pin to channel'}).click();
        await mine.getByText('Pinned').waitFor();
        await post(b, 'retro on Friday').getByText('Pinned').waitFor();
        await b.getByRole('button', {name: 'Pinned messages'}).click();
        await b.locator('.rhs .result', {hasText: 'retro on Friday'}).waitFor();

        await mine.hover();
        await mine.getByRole('button', {name: 'More actions'}).click();
        await a.getByRole('menuitem', {name: 'Save'}).click();
        await mine.getByText('Saved').waitFor();
        await a.getByRole('button', {name: 'Saved messages'}).click();
        await a.locator('.rhs .result', {hasText: 'retro on Friday'}).waitFor();
        await a.getByRole('button', {name: 'Close panel'}).click();

        await send(a, 'oops, wrong channel');
        const oops = post(a, 'oops, wrong channel');
        await post(b, 'oops, wrong channel').waitFor();
        await oops.hover();
        await oops.getByRole('button', {name: 'More actions'}).click();
        await a.getByRole('menuitem', {name: 'Delete'}).click();
        await a.getByRole('dialog', {name: 'Delete message'}).getByRole('button', {name: 'Delete'}).click();
        await post(b, 'oops, wrong channel').waitFor({state: 'detached'});
        await b.getByRole('button', {name: 'Close panel'}).click();
    }],

    ['an invite link from the team menu signs a new person up on a closed server', async () => {
        const config = await new Api(server.url).get('/config/client?format=old');
        assert(config.EnableOpenServer === 'false', 'open sign-up is off');
        const a = pages.admin;
        await a.goto(`${base}/acme-team/channels/town-square`);
        await a.getByRole('button', {name: 'Acme Team team menu'}).click();
        await a.getByRole('menuitem', {name: 'Invite people'}).click();
        const dialog = a.getByRole('dialog', {name: 'Invite people to Acme Team'});
        const link = await dialog.getByLabel('Invite link').inputValue();
        assert(link === `${base}/signup_user_complete/?id=${team.invite_id}`, `invite link: ${link}`);
        await dialog.getByRole('button', {name: 'Copy'}).click();
        await a.keyboard.press('Escape');
        await dialog.waitFor({state: 'detached'});

        const page = await newUserPage('carol');
        await page.goto(`${base}/login`);
        await page.getByLabel('Password').waitFor();
        assert(await page.getByRole('link', {name: 'Create one'}).count() === 0, 'no open sign-up link on the login page');
        await page.goto(link);
        await page.getByRole('heading', {name: 'Join Acme Team'}).waitFor();
        await page.getByLabel('E-mail').fill('carol@example.com');
        await page.getByLabel('Username').fill('carol');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', {name: 'Create account'}).click();
        await page.waitForURL('**/acme-team/channels/town-square');
        await post(page, 'retro on Friday').waitFor();
        await page.getByRole('button', {name: 'Account menu'}).click();
        await page.getByRole('menuitem', {name: 'Sign out'}).click();
        await page.waitForURL('**/login');
        // Without an invitation the server stays closed.
        await page.goto(`${base}/signup_user_complete`);
        await page.getByText('This server does not allow creating accounts').waitFor();
        await page.goto(`${base}/signup_user_complete/?id=nosuchinviteid00000000000a`);
        await page.getByText('This invitation link is not valid').waitFor();
    }],

    ['a group message with two others, started from the Direct messages dialog', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await a.goto(`${base}/acme-team/channels/town-square`);
        await b.goto(`${base}/acme-team/channels/town-square`);
        await a.getByRole('button', {name: 'Write a direct message'}).click();
        const dialog = a.getByRole('dialog', {name: 'Direct messages'});
        const people = dialog.getByRole('list', {name: 'People'});
        await dialog.getByLabel('Find people').fill('bob');
        await people.getByRole('button', {name: /bob/}).click();
        await dialog.getByLabel('Find people').fill('carol');
        await people.getByRole('button', {name: /carol/}).click();
        await dialog.getByRole('button', {name: 'Remove bob'}).waitFor();
        await dialog.getByText('Group message with 2 people.').waitFor();
        await dialog.getByRole('button', {name: 'Go'}).click();
        await a.waitForURL(/\/acme-team\/messages\/[0-9a-f]{40}$/);
        await a.locator('.channel-header h1', {hasText: 'bob, carol'}).waitFor();
        await send(a, 'Hello both of you, welcome to the group');
        const gm = b.locator('.sidebar a.channel-item', {hasText: 'alice, carol'});
        await gm.waitFor();
        await gm.click();
        await post(b, 'welcome to the group').waitFor();
        // The same people again lead to the same conversation.
        const url = a.url();
        await a.getByRole('button', {name: 'Write a direct message'}).click();
        await people.getByRole('button', {name: /bob/}).click();
        await people.getByRole('button', {name: /carol/}).click();
        await dialog.getByRole('button', {name: 'Go'}).click();
        await a.waitForURL(url);
    }],

    ['a mention in a hidden tab raises a desktop notification, and the tab icon shows a dot', async () => {
        const page = await newUserPage('bob-notify');
        await page.addInitScript(() => {
            window.__notes = [];
            window.__hidden = false;
            class FakeNotification {
                static permission = 'granted';
                static requestPermission() {
                    return Promise.resolve('granted');
                }
                constructor(title, options) {
                    window.__notes.push({title, body: options?.body ?? ''});
                }
                close() {}
            }
            window.Notification = FakeNotification;
            Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible')});
        });
        await signIn(page, 'bob');
        await page.goto(`${base}/acme-team/channels/off-topic`);
        await page.locator('.channel-header h1', {hasText: 'Off-Topic'}).waitFor();
        await page.waitForFunction(() => document.querySelector('link[rel="icon"]')?.getAttribute('href') === '/favicon.svg');
        await page.evaluate(() => {
            window.__hidden = true;
        });
        const townSquare = (await admin.get(`/teams/${team.id}/channels/name/town-square`)).id;
        await admin.post('/posts', {channel_id: townSquare, message: 'no mention here, just chatting'});
        await admin.post('/posts', {channel_id: townSquare, message: '@bob could you review the release notes?'});
        await page.waitForFunction(() => window.__notes.length > 0);
        const notes = await page.evaluate(() => window.__notes);
        assert(notes.length === 1, `one notification (for the mention only): ${JSON.stringify(notes)}`);
        assert(notes[0].title === 'Town Square' && notes[0].body === 'alice: @bob could you review the release notes?', JSON.stringify(notes[0]));
        await page.waitForFunction(() => document.querySelector('link[rel="icon"]')?.getAttribute('href')?.startsWith('data:image/svg+xml'));
        await page.evaluate(() => {
            window.__hidden = false;
        });
        await page.locator('.sidebar a.channel-item', {hasText: 'Town Square'}).click();
        await post(page, 'could you review the release notes').waitFor();
        await page.waitForFunction(() => document.querySelector('link[rel="icon"]')?.getAttribute('href') === '/favicon.svg');
        await page.context().close();
        delete pages['bob-notify'];
    }],

    ['sign-in asks for the MFA code when the account has one', async () => {
        const dave = await admin.post('/users', {username: 'dave', email: 'dave@example.com', password: PASSWORD});
        await admin.post(`/teams/${team.id}/members`, {team_id: team.id, user_id: dave.id});
        const api = new Api(server.url);
        await api.login('dave', PASSWORD);
        const {secret} = await api.post(`/users/${dave.id}/mfa/generate`);
        await api.put(`/users/${dave.id}/mfa`, {activate: true, code: await totp(secret)});
        const page = await newUserPage('dave');
        await page.goto(`${base}/login`);
        await page.getByLabel('Username or e-mail').fill('dave');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', {name: 'Sign in'}).click();
        const code = page.getByLabel('Multi-factor authentication code');
        await code.waitFor();
        // The next period's code: the current one was used to activate and cannot be replayed.
        await code.fill(await totp(secret, Date.now() + 30_000));
        await page.getByRole('button', {name: 'Sign in'}).click();
        await page.locator('.channel-header h1', {hasText: 'Town Square'}).waitFor();
        await page.context().close();
    }],

    ['account settings: profile, clock and theme, and a password change to sign in with', async () => {
        const erin = await admin.post('/users', {username: 'erin', email: 'erin@example.com', password: PASSWORD});
        await admin.post(`/teams/${team.id}/members`, {team_id: team.id, user_id: erin.id});
        const page = await newUserPage('erin');
        await signIn(page, 'erin');
        await page.getByRole('button', {name: 'Account menu'}).click();
        await page.getByRole('menuitem', {name: 'Account settings'}).click();
        const dialog = page.getByRole('dialog', {name: 'Account settings'});
        await dialog.getByLabel('First name').fill('Erin');
        await dialog.getByLabel('Last name').fill('Example');
        await dialog.getByLabel('Position').fill('Product designer');
        await shot(page, 'account-settings.png');
        await dialog.getByRole('button', {name: 'Save'}).click();
        await dialog.getByRole('status').filter({hasText: 'Saved'}).waitFor();
        let me = await admin.get(`/users/${erin.id}`);
        assert(me.first_name === 'Erin' && me.position === 'Product designer', 'profile saved');

        // A new e-mail address needs the current password.
        await dialog.getByLabel('E-mail').fill('erin@example.org');
        await dialog.getByLabel('Current password').fill('not-my-password');
        await dialog.getByRole('button', {name: 'Save'}).click();
        await dialog.getByRole('alert').waitFor();
        assert(page.url().includes('/acme-team/'), 'a wrong password does not end the session');
        await dialog.getByLabel('Current password').fill(PASSWORD);
        await dialog.getByRole('button', {name: 'Save'}).click();
        await dialog.getByRole('status').filter({hasText: 'Saved'}).waitFor();
        assert((await admin.get(`/users/${erin.id}`)).email === 'erin@example.org', 'e-mail changed');

        await dialog.getByRole('tab', {name: 'Display'}).click();
        await dialog.getByLabel('24-hour (13:30)').check();
        await dialog.getByLabel('Dark').check();
        assert(await page.evaluate(() => document.documentElement.dataset.theme) === 'dark', 'dark theme applied');
        await dialog.getByLabel('Light').check();
        await eventually(async () => {
            const prefs = await admin.get(`/users/${erin.id}/preferences/display_settings`);
            const pref = (name) => prefs.find((p) => p.name === name)?.value;
            assert(pref('use_military_time') === 'true' && pref('hearth_theme') === 'light', `display preferences saved: ${JSON.stringify(prefs)}`);
        });

        await dialog.getByRole('tab', {name: 'Notifications'}).click();
        await dialog.getByLabel('For all activity').check();
        await dialog.getByLabel('Other words (comma-separated)').fill('design, mockups');
        await dialog.getByRole('button', {name: 'Save'}).click();
        await dialog.getByRole('status').filter({hasText: 'Saved'}).waitFor();
        me = await admin.get(`/users/${erin.id}`);
        assert(me.notify_props.desktop === 'all' && me.notify_props.mention_keys === 'design,mockups', `notify props: ${JSON.stringify(me.notify_props)}`);

        await dialog.getByRole('tab', {name: 'Security'}).click();
        await dialog.getByLabel('Current password').fill(PASSWORD);
        await dialog.getByLabel('New password', {exact: true}).fill('erins-new-password-9');
        await dialog.getByLabel('Confirm new password').fill('erins-new-password-9');
        await dialog.getByRole('button', {name: 'Change password'}).click();
        await dialog.getByRole('status').filter({hasText: 'Your password was changed.'}).waitFor();
        await dialog.getByRole('button', {name: 'Set up multi-factor authentication'}).click();
        await dialog.getByRole('img', {name: 'QR code for your authenticator app'}).waitFor();
        await dialog.getByRole('button', {name: 'Cancel'}).click();
        await page.keyboard.press('Escape');
        await dialog.waitFor({state: 'detached'});

        await send(page, 'Mockups for the new onboarding are ready');
        const mine = post(page, 'Mockups for the new onboarding');
        await mine.waitFor();
        assert(/^\d{1,2}:\d{2}$/.test(await mine.locator('.post-time').first().innerText()), '24-hour clock in the post time');

        await page.getByRole('button', {name: 'Account menu'}).click();
        await page.getByRole('menuitem', {name: 'Sign out'}).click();
        await page.waitForURL('**/login');
        await page.getByLabel('Username or e-mail').fill('erin');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', {name: 'Sign in'}).click();
        await page.getByRole('alert').waitFor();
        await page.getByLabel('Password').fill('erins-new-password-9');
        await page.getByRole('button', {name: 'Sign in'}).click();
        await page.locator('.channel-header h1').waitFor();
    }],

    ['clicking a name shows the profile card, whose Message button opens a direct message', async () => {
        const a = pages.admin;
        await a.goto(`${base}/acme-team/channels/town-square`);
        const target = post(a, 'Mockups for the new onboarding');
        await target.waitFor();
        await target.getByRole('button', {name: 'erin'}).click();
        const card = a.getByRole('dialog', {name: 'Profile of erin'});
        await card.getByText('Erin Example').waitFor();
        await card.getByText('Product designer').waitFor();
        await card.getByText(/Online|Away|Offline/).waitFor();
        await a.keyboard.press('Escape');
        await card.waitFor({state: 'detached'});
        await target.getByRole('button', {name: 'erin'}).click();
        await card.getByRole('button', {name: 'Message'}).click();
        await a.waitForURL('**/acme-team/messages/@erin');
    }],

    ['System Console: a saved setting applies; an invalid value is refused and changes nothing', async () => {
        const a = pages.admin;
        await a.goto(`${base}/acme-team/channels/town-square`);
        await a.getByRole('button', {name: 'Account menu'}).click();
        await a.getByRole('menuitem', {name: 'System Console'}).click();
        await a.waitForURL('**/admin_console/users');
        await a.getByRole('link', {name: 'Site', exact: true}).click();
        const siteName = a.getByLabel('Site name');
        assert(await siteName.inputValue() === 'Acme Chat', 'site name from GET /config');
        await siteName.fill('Acme HQ');
        await a.getByRole('button', {name: 'Save'}).click();
        await a.getByRole('status').filter({hasText: 'Saved'}).waitFor();
        assert((await admin.get('/config')).TeamSettings.SiteName === 'Acme HQ', 'saved on the server');

        // A key an environment variable sets is shown, but cannot be changed here.
        await a.getByRole('link', {name: 'Users and teams'}).click();
        const openServer = a.getByRole('switch', {name: 'Enable open server'});
        assert(await openServer.isDisabled(), 'EnableOpenServer (set by the environment) is disabled');
        await a.locator('[data-key="TeamSettings.EnableOpenServer"]').getByText('Set by an environment variable').waitFor();

        // The server refuses a bad value, names the key, and nothing changes.
        const maxUsers = a.getByLabel('Max users per team');
        await maxUsers.fill('0');
        await a.getByRole('switch', {name: 'Allow viewing archived channels'}).click();
        await a.getByRole('button', {name: 'Save'}).click();
        await a.getByRole('alert').filter({hasText: 'TeamSettings.MaxUsersPerTeam'}).waitFor();
        assert(await maxUsers.getAttribute('aria-invalid') === 'true', 'the field the server named is marked');
        await shot(a, 'system-console-config.png');
        let cfg = await admin.get('/config');
        assert(cfg.TeamSettings.MaxUsersPerTeam === 50 && cfg.TeamSettings.ExperimentalViewArchivedChannels === true, 'nothing changed');

        await a.getByRole('link', {name: 'Authentication'}).click();
        await a.getByLabel('Minimum password length').fill('2');
        await a.getByRole('button', {name: 'Save'}).click();
        await a.getByRole('alert').filter({hasText: 'PasswordSettings.MinimumLength'}).waitFor();
        cfg = await admin.get('/config');
        assert(cfg.PasswordSettings.MinimumLength === 8, 'minimum length unchanged');
        await a.reload();
        assert(await a.getByLabel('Minimum password length').inputValue() === '8', 'the page shows the server\'s value after a reload');

        // A setting read at start says so.
        await a.getByRole('link', {name: 'Rate limiting'}).click();
        await a.getByLabel('Requests per second').fill('25');
        await a.getByRole('button', {name: 'Save'}).click();
        await a.getByRole('status').filter({hasText: 'takes effect when the server restarts'}).waitFor();

        // The new site name is in the header (live, and after a reload).
        await a.getByRole('button', {name: /Back to Acme HQ/}).click();
        await a.locator('.topbar-site', {hasText: 'Acme HQ'}).waitFor();
        await a.reload();
        await a.locator('.topbar-site', {hasText: 'Acme HQ'}).waitFor();
        await admin.put('/config/patch', {TeamSettings: {SiteName: 'Acme Chat'}, RateLimitSettings: {PerSec: 10}});

        await a.goto(`${base}/admin_console/logs`);
        await a.locator('.log-table tr', {hasText: 'configuration changed'}).first().waitFor();
        await a.getByRole('button', {name: 'Refresh'}).click();
        await a.locator('.log-table tr', {hasText: 'configuration changed'}).first().waitFor();
    }],

    ['System Console: teams with member counts, channels with archived ones, password reset and revoked sessions', async () => {
        const a = pages.admin;
        const planning = await admin.get(`/teams/${team.id}/channels/name/release-planning`);
        const old = await admin.post('/channels', {team_id: team.id, name: 'old-project', display_name: 'Old Project', type: 'O'});
        await admin.req('DELETE', `/channels/${old.id}`);
        await a.goto(`${base}/admin_console/teams`);
        const row = a.locator('tr[data-team="acme-team"]');
        await row.waitFor();
        const members = (await admin.get(`/teams/${team.id}/stats`)).active_member_count;
        await row.locator('.members', {hasText: String(members)}).waitFor();
        await a.getByRole('link', {name: 'Channels', exact: true}).click();
        await a.locator('tr[data-channel="town-square"]').waitFor();
        await a.locator(`tr[data-channel="${planning.name}"]`).waitFor();
        await a.locator('tr[data-channel="old-project"]').getByText('Archived').waitFor();
        // A private channel the admin is not in is listed too.
        const bobApi = new Api(server.url);
        await bobApi.login('bob', PASSWORD);
        await bobApi.post('/channels', {team_id: team.id, name: 'bobs-secret', display_name: 'Bob\'s Secret', type: 'P'});
        await a.reload();
        await a.locator('tr[data-channel="bobs-secret"]').getByText('Private').waitFor();

        await a.getByRole('link', {name: 'Users', exact: true}).click();
        await a.getByRole('searchbox', {name: 'Search users'}).fill('dave');
        const dave = a.locator('tr[data-username="dave"]');
        await dave.getByRole('button', {name: 'Actions for dave'}).click();
        await a.getByRole('menuitem', {name: 'Reset password'}).click();
        await a.getByRole('dialog').getByLabel('New password').fill('a-brand-new-one-7');
        await a.getByRole('dialog').getByRole('button', {name: 'Reset password'}).click();
        await a.getByRole('status').filter({hasText: 'The password of dave was changed.'}).waitFor();
        const daveApi = new Api(server.url);
        const loginRes = await fetch(`${server.url}/api/v4/users/login`, {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({login_id: 'dave', password: 'a-brand-new-one-7'})});
        // dave has MFA: the right password gets as far as asking for the code.
        assert(loginRes.status === 401 && (await loginRes.json()).id.includes('mfa'), `new password accepted (then MFA): ${loginRes.status}`);
        void daveApi;

        const carol = new Api(server.url);
        await carol.login('carol', PASSWORD);
        await a.getByRole('searchbox', {name: 'Search users'}).fill('carol');
        await a.locator('tr[data-username="carol"]').getByRole('button', {name: 'Actions for carol'}).click();
        await a.getByRole('menuitem', {name: 'Revoke sessions'}).click();
        await a.getByRole('dialog').getByRole('button', {name: 'Revoke sessions'}).click();
        await a.getByRole('status').filter({hasText: 'carol was signed out everywhere.'}).waitFor();
        let revoked = false;
        try {
            await carol.get('/users/me');
        } catch (e) {
            revoked = e.status === 401;
        }
        assert(revoked, 'carol\'s session ended');
    }],

    ['admin deactivates a user in the System Console and that user is signed out', async () => {
        const a = pages.admin;
        const b = pages.bob;
        await b.goto(`${base}/acme-team/channels/town-square`);
        await b.locator('.channel-header h1').waitFor();
        await a.goto(`${base}/admin_console/users`);
        await a.getByRole('searchbox', {name: 'Search users'}).fill('bob');
        const row = a.locator('tr[data-username="bob"]');
        await row.waitFor();
        await a.locator('tr[data-username="alice"]').waitFor({state: 'detached'});
        await a.getByRole('searchbox', {name: 'Search users'}).fill('');
        await a.locator('tr[data-username="alice"]').waitFor();
        await shot(a, 'system-console.png');
        await row.getByRole('button', {name: 'Actions for bob'}).click();
        await a.getByRole('menuitem', {name: 'Deactivate'}).click();
        await a.getByRole('dialog').getByRole('button', {name: 'Deactivate'}).click();
        await row.getByText('Deactivated').waitFor();
        await b.waitForURL('**/login**', {timeout: 20000});
        await b.getByText('Your session has ended').waitFor();
        await a.getByRole('link', {name: 'Site statistics'}).click();
        await Promise.race([
            a.locator('.stat', {hasText: 'Posts'}).waitFor(),
            a.getByText('Site statistics are not available on this server yet.').waitFor(),
        ]);
    }],

    ['sidebar categories: create, move, favourite, collapse, mute, reorder, rename, delete; another device follows live', async () => {
        const frank = await admin.post('/users', {username: 'frank', email: 'frank@example.com', password: PASSWORD});
        await admin.post(`/teams/${team.id}/members`, {team_id: team.id, user_id: frank.id});
        const planning = await admin.get(`/teams/${team.id}/channels/name/release-planning`);
        const crit = await admin.post('/channels', {team_id: team.id, name: 'design-crit', display_name: 'Design Crit', type: 'O'});
        for (const c of [planning, crit]) {
            await admin.post(`/channels/${c.id}/members`, {user_id: frank.id});
        }
        const dm = await admin.post('/channels/direct', [admin.me.id, frank.id]);
        await admin.post('/posts', {channel_id: dm.id, message: 'Welcome aboard, Frank'});
        const offTopic = await admin.get(`/teams/${team.id}/channels/name/off-topic`);

        // Two devices of the same person.
        const f1 = await newUserPage('frank');
        const f2 = await newUserPage('frank-2');
        await signIn(f1, 'frank');
        await signIn(f2, 'frank');
        const item = (p, name) => p.locator('.sidebar a.channel-item', {hasText: name});
        const category = (p, name) => p.locator('.sidebar').getByRole('list', {name, exact: true});
        const headings = (p) => p.locator('.sidebar .sidebar-category h3').evaluateAll((els) => els.map((e) => e.textContent.replace(/[▾▸]/g, '').trim()));
        const expectHeadings = (p, want) => eventually(async () => {
            const got = await headings(p);
            assert(JSON.stringify(got) === JSON.stringify(want), `categories in order ${JSON.stringify(want)}: ${JSON.stringify(got)}`);
        });
        const categoryMenu = async (p, name) => {
            await p.getByRole('button', {name: `${name} category options`}).click();
            return p.getByRole('menu', {name: `${name} category options`});
        };
        const channelMenu = async (p, name) => {
            const row = p.locator('.sidebar li.channel-row', {has: p.locator('a.channel-item', {hasText: name})});
            await row.hover();
            await row.getByRole('button', {name: `Channel options for ${name}`}).click();
            return p.getByRole('menu', {name: `Channel options for ${name}`});
        };
        for (const p of [f1, f2]) {
            await expectHeadings(p, ['Channels', 'Direct Messages']);
            await category(p, 'Direct Messages').locator('a.channel-item', {hasText: 'alice'}).waitFor();
            await category(p, 'Channels').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor();
        }
        // Read everything, so that a collapsed category hides all but the current channel.
        for (const name of ['Release Planning', 'Design Crit', 'Off-Topic', 'alice', 'Town Square']) {
            await item(f1, name).click();
            await f1.locator('.channel-header h1', {hasText: name}).waitFor();
        }
        await f2.waitForTimeout(500);

        // A new category goes on top, on both devices.
        await (await categoryMenu(f1, 'Channels')).getByRole('menuitem', {name: 'Create new category'}).click();
        const create = f1.getByRole('dialog', {name: 'Create new category'});
        await create.getByLabel('Category name').fill('Projects');
        await create.getByRole('button', {name: 'Create'}).click();
        await create.waitFor({state: 'detached'});
        for (const p of [f1, f2]) {
            await expectHeadings(p, ['Projects', 'Channels', 'Direct Messages']);
        }

        // A channel moved into it by its menu leaves Channels.
        await (await channelMenu(f1, 'Release Planning')).getByRole('menuitem', {name: 'Projects', exact: true}).click();
        for (const p of [f1, f2]) {
            await category(p, 'Projects').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor();
            await category(p, 'Channels').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor({state: 'detached'});
        }

        // A favourite appears under Favorites (and the server keeps the preference in step).
        await (await channelMenu(f1, 'Town Square')).getByRole('menuitem', {name: 'Favorite', exact: true}).click();
        for (const p of [f1, f2]) {
            await category(p, 'Favorites').locator('a.channel-item', {hasText: 'Town Square'}).waitFor();
            await category(p, 'Channels').locator('a.channel-item', {hasText: 'Town Square'}).waitFor({state: 'detached'});
            await expectHeadings(p, ['Projects', 'Favorites', 'Channels', 'Direct Messages']);
        }
        const frankApi = new Api(server.url);
        await frankApi.login('frank', PASSWORD);
        await eventually(async () => {
            const favs = await frankApi.get(`/users/${frank.id}/preferences/favorite_channel`).catch(() => []);
            const townSquare = await frankApi.get(`/teams/${team.id}/channels/name/town-square`);
            assert(favs.some((p) => p.name === townSquare.id && p.value === 'true'), `favorite_channel preference saved: ${JSON.stringify(favs)}`);
        });

        // Alphabetical sorting of Channels.
        const channelsMenu = await categoryMenu(f1, 'Channels');
        await channelsMenu.getByRole('menuitemradio', {name: 'Sort alphabetically'}).click();
        for (const p of [f1, f2]) {
            await eventually(async () => {
                const names = await category(p, 'Channels').locator('.channel-name').allTextContents();
                assert(JSON.stringify(names) === JSON.stringify(['Design Crit', 'Off-Topic']), `Channels sorted by name: ${JSON.stringify(names)}`);
            });
        }
        assert(await (await categoryMenu(f1, 'Channels')).getByRole('menuitemradio', {name: 'Sort alphabetically'}).getAttribute('aria-checked') === 'true', 'the sorting is checked');
        await f1.keyboard.press('Escape');

        // Collapsing hides the channels (the current one stays); the other device collapses too.
        await f1.getByRole('button', {name: 'Projects', exact: true}).click();
        for (const p of [f1, f2]) {
            await p.getByRole('button', {name: 'Projects', exact: true, expanded: false}).waitFor();
            await item(p, 'Release Planning').waitFor({state: 'detached'});
        }

        // Muting a category dims its channels; they are not bold when unread, a mention still badges.
        await (await categoryMenu(f1, 'Channels')).getByRole('menuitem', {name: 'Mute category'}).click();
        for (const p of [f1, f2]) {
            await p.locator('.sidebar a.channel-item.muted', {hasText: 'Off-Topic'}).waitFor();
            await p.locator('.sidebar a.channel-item.muted', {hasText: 'Design Crit'}).waitFor();
        }
        assert(!(await item(f1, 'Town Square').getAttribute('class')).includes('muted'), 'a channel outside the category is not muted');
        await admin.post('/posts', {channel_id: offTopic.id, message: 'just chatting about lunch'});
        await admin.post('/posts', {channel_id: offTopic.id, message: '@frank are you joining?'});
        await item(f1, 'Off-Topic').locator('.badge', {hasText: '1'}).waitFor();
        assert(!(await item(f1, 'Off-Topic').getAttribute('class')).includes('unread'), 'a muted channel is not bold');
        assert(await (await categoryMenu(f2, 'Channels')).getByRole('menuitem', {name: 'Unmute category'}).count() === 1, 'the other device offers to unmute');
        await f2.keyboard.press('Escape');

        // Reordering: Projects one place down.
        await (await categoryMenu(f1, 'Projects')).getByRole('menuitem', {name: 'Move down'}).click();
        for (const p of [f1, f2]) {
            await expectHeadings(p, ['Favorites', 'Projects', 'Channels', 'Direct Messages']);
        }
        // Expanded again, and all of it kept by the server: a reload shows the same.
        await f1.getByRole('button', {name: 'Projects', exact: true}).click();
        await category(f1, 'Projects').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor();
        await category(f2, 'Projects').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor();
        await f2.reload();
        await f2.locator('.channel-header h1').waitFor();
        await expectHeadings(f2, ['Favorites', 'Projects', 'Channels', 'Direct Messages']);
        await category(f2, 'Projects').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor();
        await f2.locator('.sidebar a.channel-item.muted', {hasText: 'Design Crit'}).waitFor();
        await f1.locator('.main-col textarea[aria-label^="Write to"]').focus();
        await f1.mouse.move(700, 70);
        await shot(f1, 'sidebar-categories.png');

        // Renaming and deleting a custom category; its channel goes back to Channels.
        await (await categoryMenu(f1, 'Projects')).getByRole('menuitem', {name: 'Rename category'}).click();
        const rename = f1.getByRole('dialog', {name: 'Rename category'});
        await rename.getByLabel('Category name').fill('Launches');
        await rename.getByRole('button', {name: 'Rename'}).click();
        for (const p of [f1, f2]) {
            await expectHeadings(p, ['Favorites', 'Launches', 'Channels', 'Direct Messages']);
        }
        assert(await (await categoryMenu(f1, 'Channels')).getByRole('menuitem', {name: 'Rename category'}).count() === 0, 'default categories cannot be renamed');
        await f1.keyboard.press('Escape');
        await (await categoryMenu(f1, 'Launches')).getByRole('menuitem', {name: 'Delete category'}).click();
        await f1.getByRole('dialog', {name: 'Delete category'}).getByRole('button', {name: 'Delete'}).click();
        for (const p of [f1, f2]) {
            await expectHeadings(p, ['Favorites', 'Channels', 'Direct Messages']);
            await category(p, 'Channels').locator('a.channel-item', {hasText: 'Release Planning'}).waitFor();
        }

        // Muting one channel, on both devices, and unmuting it.
        await (await channelMenu(f1, 'alice')).getByRole('menuitem', {name: 'Mute channel'}).click();
        for (const p of [f1, f2]) {
            await p.locator('.sidebar a.channel-item.muted', {hasText: 'alice'}).waitFor();
        }
        await (await channelMenu(f1, 'alice')).getByRole('menuitem', {name: 'Unmute channel'}).click();
        for (const p of [f1, f2]) {
            await p.locator('.sidebar a.channel-item:not(.muted)', {hasText: 'alice'}).waitFor();
        }

        // By keyboard: the channel menu's last item makes a new category holding the channel.
        await f1.locator('.sidebar li.channel-row', {has: f1.locator('a.channel-item', {hasText: 'Design Crit'})})
            .getByRole('button', {name: 'Channel options for Design Crit'}).focus();
        await f1.keyboard.press('Enter');
        await f1.getByRole('menu', {name: 'Channel options for Design Crit'}).waitFor();
        await f1.keyboard.press('End');
        const focused = await f1.evaluate(() => document.activeElement?.outerHTML);
        assert(focused.includes('New category…'), `End reaches "New category…": ${focused}`);
        await f1.keyboard.press('Enter');
        await f1.getByRole('dialog', {name: 'Create new category'}).getByLabel('Category name').waitFor();
        await f1.keyboard.type('Critique');
        await f1.keyboard.press('Enter');
        for (const p of [f1, f2]) {
            await category(p, 'Critique').locator('a.channel-item', {hasText: 'Design Crit'}).waitFor();
            await expectHeadings(p, ['Critique', 'Favorites', 'Channels', 'Direct Messages']);
        }

        // Unfavourite: back to Channels, and the empty Favorites is not shown.
        await (await channelMenu(f1, 'Town Square')).getByRole('menuitem', {name: 'Unfavorite'}).click();
        for (const p of [f1, f2]) {
            await category(p, 'Channels').locator('a.channel-item', {hasText: 'Town Square'}).waitFor();
            await expectHeadings(p, ['Critique', 'Channels', 'Direct Messages']);
        }
        for (const p of [f1, f2]) {
            await p.context().close();
        }
        delete pages.frank;
        delete pages['frank-2'];
    }],

    ['narrow screens: the channel list is a drawer', async () => {
        const page = await newUserPage('mobile', {viewport: {width: 390, height: 844}});
        await signIn(page, 'alice');
        assert(!(await page.locator('.sidebar').isVisible()) || (await page.locator('.sidebar').boundingBox()).x < 0, 'sidebar hidden');
        await page.getByRole('button', {name: 'Open channel list'}).click();
        await page.locator('.sidebar').waitFor();
        await page.waitForTimeout(300);
        await page.screenshot({path: join(screenshotDir, 'chat-mobile-drawer.png')});
        await page.locator('.sidebar a.channel-item', {hasText: 'Off-Topic'}).click();
        await page.locator('.channel-header h1', {hasText: 'Off-Topic'}).waitFor();
        await page.waitForFunction(() => {
            const r = document.querySelector('.sidebar')?.getBoundingClientRect();
            return !r || r.right <= 1;
        }, null, {timeout: 3000}).catch(() => {
            throw new Error('drawer closes after choosing a channel');
        });
        await shot(page, 'chat-mobile.png');
        const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

        await page.getByRole('button', {name: 'Account menu'}).click();
        await page.getByRole('menuitem', {name: 'Account settings'}).click();
        const settings = page.getByRole('dialog', {name: 'Account settings'});
        await settings.getByRole('tab', {name: 'Notifications'}).click();
        await settings.getByRole('button', {name: 'Save'}).waitFor();
        assert(await fits(), 'account settings fit a 390 px screen');
        const box = await settings.boundingBox();
        assert(box.x >= 0 && box.x + box.width <= 390, `the settings dialog is within the screen: ${JSON.stringify(box)}`);
        await page.keyboard.press('Escape');

        await page.goto(`${base}/admin_console/config/authentication`);
        await page.getByLabel('Minimum password length').waitFor();
        assert(await fits(), 'the System Console fits a 390 px screen');
        await page.getByRole('navigation', {name: 'System Console'}).getByRole('link', {name: 'Server logs'}).click();
        await page.getByRole('heading', {name: 'Server logs'}).waitFor();
        assert(await fits(), 'the server logs fit a 390 px screen');

        await page.goto(`${base}/${team.name}/threads`);
        await page.getByRole('list', {name: 'Followed threads'}).locator('li').first().waitFor();
        assert(await fits(), 'the Threads view fits a 390 px screen');
    }],

    ['inside the desktop app, the page tells it that it has started, and of sign-in and sign-out', async () => {
        const gina = await admin.post('/users', {username: 'gina', email: 'gina@example.com', password: PASSWORD});
        await admin.post(`/teams/${team.id}/members`, {team_id: team.id, user_id: gina.id});
        const context = await browser.newContext({viewport: VIEWPORT});
        await context.addInitScript(() => {
            const told = (what) => { window.hearthToldDesktop = [...(window.hearthToldDesktop || []), what]; };
            window.desktopAPI = {
                reactAppInitialized: () => told('ready'),
                onLogin: () => told('login'),
                onLogout: () => told('logout'),
                setSessionExpired: (expired) => told(`expired:${expired}`),
            };
        });
        const page = await context.newPage();
        await page.goto(`${base}/login`);
        await page.getByLabel('Username or e-mail').waitFor();
        // The desktop app waits about 4 s for this before giving up on the page.
        await page.waitForFunction(() => (window.hearthToldDesktop || []).join() === 'ready', null, {timeout: 4000});
        await signIn(page, 'gina');
        await page.waitForFunction(() => (window.hearthToldDesktop || []).join() === 'ready,login,expired:false');
        await page.getByRole('button', {name: 'Account menu'}).click();
        await page.getByRole('menuitem', {name: 'Sign out'}).click();
        await page.waitForURL('**/login');
        await page.waitForFunction(() => (window.hearthToldDesktop || []).join() === 'ready,login,expired:false,logout');
        await context.close();
    }],

    // Last, so it covers every page the stories above opened.
    ['every story ran under the server\'s Content-Security-Policy without a violation', async () => {
        if (base === server.url) {
            const response = await fetch(`${base}/`);
            const csp = response.headers.get('content-security-policy') || '';
            assert(csp.includes("script-src 'self'"), `the page has a CSP: ${csp}`);
            assert(response.headers.get('x-frame-options') === 'SAMEORIGIN', 'the page may not be framed by other sites');
        }
        assert(cspViolations.length === 0, `CSP violations:\n${cspViolations.join('\n')}`);
    }],
];

let failed = 1;
try {
    failed = await runTests(tests, {
        onFailure: async (name) => {
            const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
            for (const [who, page] of Object.entries(pages)) {
                await page.screenshot({path: join(tmpdir(), `hearth-e2e-failure-${slug}-${who}.png`)}).catch(() => undefined);
            }
            console.log(`    (screenshots: ${tmpdir()}/hearth-e2e-failure-${slug}-*.png)`);
            // The server's warnings (a dropped WebSocket consumer, say) explain many failures.
            const warnings = server.log().split('\n').filter((l) => /WARN|ERROR/.test(l)).slice(-15);
            for (const line of warnings) {
                console.log(`    server: ${line}`);
            }
        },
    });
} finally {
    await browser.close();
    await client.stop();
    await server.stop();
}
process.exit(failed ? 1 : 0);
