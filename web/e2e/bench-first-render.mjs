// Measures how long the client takes to show a long channel: a fresh Hearth server gets a
// channel with 10,000 posts (through the API, several requests at a time), then Chromium
// opens the channel three times; the figure is the time from navigation to the newest post
// being visible, median of the three loads. Run with `npm run bench:first-render`.

import {Api, launchBrowser, startClient, startServer} from './harness.mjs';

const POSTS = Number(process.env.HEARTH_BENCH_POSTS || 10000);
const CONCURRENCY = 8;
const LOADS = 3;
const PASSWORD = 'bench-password-1';

const server = await startServer();
const client = await startClient(server.url);
const browser = await launchBrowser();
try {
    const api = new Api(server.url);
    await api.post('/users', {username: 'bench', email: 'bench@example.com', password: PASSWORD});
    await api.login('bench', PASSWORD);
    const team = await api.post('/teams', {name: 'bench', display_name: 'Bench', type: 'O'});
    const channel = await api.post('/channels', {team_id: team.id, name: 'long-channel', display_name: 'Long channel', type: 'O'});

    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
        while (next < POSTS) {
            const i = next++;
            await api.post('/posts', {channel_id: channel.id, message: `bench message ${i} — some text so that the row has a realistic length, with **markdown** :smile:`});
        }
    };
    await Promise.all(Array.from({length: CONCURRENCY}, worker));
    const seconds = (Date.now() - t0) / 1000;
    console.log(`created ${POSTS} posts in ${seconds.toFixed(1)} s (${Math.round(POSTS / seconds)} posts/s, ${CONCURRENCY} at a time)`);

    const context = await browser.newContext({viewport: {width: 1280, height: 800}});
    const page = await context.newPage();
    await page.goto(`${client.url}/login`);
    await page.getByLabel('Username or e-mail').fill('bench');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', {name: 'Sign in'}).click();
    await page.locator('.channel-header h1').waitFor();

    const last = `bench message ${POSTS - 1} `;
    const url = `${client.url}/bench/channels/long-channel`;
    const times = [];
    for (let i = 0; i < LOADS; i++) {
        await page.goto('about:blank');
        const start = Date.now();
        await page.goto(url);
        await page.locator('article.post', {hasText: last}).waitFor({state: 'visible', timeout: 30000});
        const wall = Date.now() - start;
        const inPage = await page.evaluate(() => performance.now());
        const rendered = await page.locator('article.post').count();
        times.push(wall);
        console.log(`load ${i + 1}: ${wall} ms from navigation to the last post visible (${Math.round(inPage)} ms by the page's clock; ${rendered} posts in the DOM)`);
    }
    // Scroll back through history: more pages load, but the DOM keeps only what is on screen.
    const list = page.locator('.post-list');
    for (let i = 0; i < 12; i++) {
        await list.evaluate((el) => {
            el.scrollTop = 0;
        });
        await page.waitForTimeout(250);
    }
    const loaded = await page.evaluate(() => document.querySelector('.post-list .vlist-inner')?.getBoundingClientRect().height ?? 0);
    const inDom = await page.locator('article.post').count();
    console.log(`after scrolling back: list ${Math.round(loaded)} px tall, ${inDom} posts in the DOM`);
    times.sort((a, b) => a - b);
    console.log(`first render of a ${POSTS}-post channel: median ${times[Math.floor(times.length / 2)]} ms over ${LOADS} loads`);
} finally {
    await browser.close();
    await client.stop();
    await server.stop();
}
