/*
 * lib.js: what the browser tests share: launching Debian chromium through
 * playwright-core with a fresh profile, a polling wait that reports what
 * the page showed when it gives up, the arguments and redis-cli of the
 * tests that publish into Redis themselves, waiting for wsgate to
 * acknowledge the page's subscriptions, and the exit status.
 */
'use strict';

const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/* launch(PROFILE_DIR) -> persistent context on an empty profile directory */
async function launch(profile) {
	return chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
		viewport: { width: 1440, height: 900 },
	});
}

/*
 * waitUntil(page, WHAT, PROBE, CHECK, MS): evaluates PROBE in the page
 * every 250 ms until CHECK(result) returns no problems (an empty array);
 * returns that result, or throws with the last problems and DESCRIBE'd
 * result once MS have passed.
 */
async function waitUntil(page, what, probe, check, ms, describe = JSON.stringify) {
	const end = Date.now() + ms;
	for (;;) {
		const s = await page.evaluate(probe);
		const problems = check(s);
		if (problems.length === 0)
			return s;
		if (Date.now() > end)
			throw new Error(`${what}: ${problems.join('; ')}\n  page: ${describe(s)}`);
		await page.waitForTimeout(250);
	}
}

/*
 * redisPage(NAME): the command line of a test that publishes into a
 * private redis itself, `REDIS_PORT=N node NAME URL PROFILE_DIR
 * ARTIFACT_DIR`, as { url, profile, artifacts, rcli }; rcli(ARGS...) runs
 * redis-cli on that port and returns its output, trimmed.  Exits 64 with
 * the usage if anything is missing.
 */
function redisPage(name) {
	const [url, profile, artifacts] = process.argv.slice(2);
	const port = process.env.REDIS_PORT;
	if (!url || !profile || !artifacts || !port) {
		console.error(`usage: REDIS_PORT=N node ${name} URL PROFILE_DIR ARTIFACT_DIR`);
		process.exit(64);
	}
	const rcli = (...args) => execFileSync('redis-cli', ['-p', port, ...args],
	    { encoding: 'utf8' }).trim();
	return { url, profile, artifacts, rcli };
}

/*
 * subscribed(page, CHANNELS, MS, WANT = true): waits until wsgate has
 * acknowledged the page's subscription to every one of CHANNELS (WANT),
 * or until the page holds none of them any more (!WANT).
 */
async function subscribed(page, chans, ms, want = true) {
	await waitUntil(page, `${want ? '' : 'un'}subscribed ${chans.join(' ')}`,
	    () => window.tickpipe.subscriptions(), (subs) => chans.filter((ch) => {
		const e = subs.find(([c]) => c === ch);
		return want ? !e || !e[2] : e !== undefined;
	}).map((ch) => `${ch} ${want ? 'not acknowledged' : 'still held'}`), ms);
}

/*
 * withPage(PROFILE, URL, MS, FN): opens URL in a fresh chromium, awaits
 * FN(page), and throws if the page raised an error meanwhile; the
 * browser is closed however it ends.
 */
async function withPage(profile, url, ms, fn) {
	const ctx = await launch(profile);
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		const errors = [];
		page.on('pageerror', (e) => errors.push(String(e)));
		await page.goto(url, { timeout: ms });
		await fn(page);
		if (errors.length)
			throw new Error(`page errors: ${errors.join('; ')}`);
	} finally {
		await ctx.close();
	}
}

/* runMain(NAME, MAIN): exit 0 once MAIN() resolves, 1 saying why if not */
function runMain(name, main) {
	main().then(() => process.exit(0), (e) => {
		console.error(`${name}: FAIL: ${e.message}`);
		process.exit(1);
	});
}

module.exports = { launch, waitUntil, redisPage, subscribed, withPage, runMain };
