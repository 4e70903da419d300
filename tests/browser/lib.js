/*
 * lib.js: what the browser tests share: launching Debian chromium through
 * playwright-core with a fresh profile, and a polling wait that reports
 * what the page showed when it gives up.
 */
'use strict';

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

module.exports = { launch, waitUntil };
