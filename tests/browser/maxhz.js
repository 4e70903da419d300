/*
 * maxhz.js: the dashboard asks wsgate for display-rate streams and falls
 * back to full ones when wsgate refuses.  Run by tests/t-dashboard-max-hz.sh
 * with a private redis (REDIS_PORT) and wsgate already up:
 *
 *   the selected symbol's book, trade, quote and xbest channels are
 *     subscribed with "max_hz":10, the status, gap, stats and bar
 *     channels without it, and wsgate acknowledges them all;
 *   an error frame about max_hz (what a wsgate without conflation may
 *     answer; fed to the page directly, as wsgate would send it) makes the
 *     page subscribe the same channels again without max_hz, say so in
 *     the header and the event list, and the book still follows the
 *     messages published afterwards.
 *
 *   node maxhz.js URL PROFILE_DIR ARTIFACT_DIR
 */
'use strict';

const path = require('path');
const { waitUntil, withPage, redisPage, runMain } = require('./lib.js');

const { url, profile, artifacts, rcli } = redisPage('maxhz.js');
const MS = Number(process.env.DASH_TIMEOUT_MS) || 30000;
const V = 'sim', S = 'ABC-XYZ', P = `md.${V}.${S}`;
const RATED = [`${P}.book`, `${P}.trade`, `${P}.quote`, `md.all.${S}.xbest`];
const FULL = ['md.*.status', 'md.gap', 'md.tickpipe.stats', `${P}.bar-1s`];

function probe() {
	return { subs: window.tickpipe.subscriptions(),
	    hz: document.getElementById('hz').textContent,
	    events: Array.from(document.querySelectorAll('#events li')).map((l) => l.textContent),
	    bid: (document.querySelector('#bids .row') || { dataset: {} }).dataset.price || '' };
}

/* problems unless every channel of RATED is acknowledged at HZ, FULL at 0 */
function subscribedAt(hz) {
	return (s) => {
		const p = [];
		for (const [list, want] of [[RATED, hz], [FULL, 0]])
			for (const ch of list) {
				const e = s.subs.find(([c]) => c === ch);
				if (!e)
					p.push(`${ch} not asked for`);
				else if (e[1] !== want || !e[2])
					p.push(`${ch} at max_hz ${e[1]} (want ${want}), ${e[2] ? '' : 'not '}acknowledged`);
			}
		return p;
	};
}

async function main() {
	rcli('sadd', 'md.channels', `${P}.book`, `${P}.trade`);
	await withPage(profile, `${url}?venue=${V}&symbol=${S}`, MS, async (page) => {
		await waitUntil(page, 'max_hz 10', probe, subscribedAt(10), MS);
		console.log('maxhz.js: book, trade, quote and xbest at max_hz 10; the rest full');

		await page.evaluate(() => window.tickpipe.inject(JSON.stringify({ type: 'error',
		    reason: '"max_hz" is not a known field' })));
		await waitUntil(page, 'fallback', probe, (s) => {
			const p = subscribedAt(0)(s);
			if (s.hz !== 'full (no max_hz)')
				p.push(`header says "${s.hz}"`);
			if (!s.events.some((e) => /refused max_hz/.test(e)))
				p.push('no event about it');
			return p;
		}, MS);
		const now = Date.now() * 1e6;
		rcli('publish', `${P}.book`, JSON.stringify({ type: 'book_snapshot', venue: V,
		    symbol: S, seq: 5, vseq: 5, ts: now, recv: now, bids: [['10.5', '1']],
		    asks: [['11', '1']] }));
		await waitUntil(page, 'book after the fallback', probe, (s) =>
		    (s.bid === '10.5' ? [] : [`best bid "${s.bid}"`]), MS);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-max-hz.png') });
		console.log('maxhz.js: refused max_hz: the same channels again at full rate, said so, data flows');
	});
}

runMain('maxhz.js', main);
