/*
 * maxhz.js: the dashboard asks wsgate for display-rate streams and falls
 * back to full ones when wsgate refuses.  Run by tests/t-dashboard-max-hz.sh
 * with a private redis (REDIS_PORT) and a conflating wsgate already up:
 *
 *   the selected symbol's book, trade, quote and xbest channels are
 *     subscribed with "max_hz":10, the status, gap, stats and bar
 *     channels without it, and wsgate acknowledges them all; once wsgate
 *     sends a conflated book delta the header says "10 Hz conflated";
 *   a rate wsgate refuses (max_hz=5000 in the URL: wsgate answers with an
 *     error frame) makes the page subscribe the same channels again
 *     without max_hz, say so in the header and the event list, and the
 *     book still follows the messages published afterwards.
 *
 *   REDIS_PORT=N node maxhz.js URL PROFILE_DIR ARTIFACT_DIR
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

/* a book line of the page's symbol, now */
function book(type, seq, bids, asks) {
	const now = Date.now() * 1e6;
	rcli('publish', `${P}.book`, JSON.stringify({ type, venue: V, symbol: S, seq,
	    vseq: seq, ts: now, recv: now, bids, asks }));
}

async function main() {
	rcli('sadd', 'md.channels', `${P}.book`, `${P}.trade`);
	await withPage(profile, `${url}?venue=${V}&symbol=${S}`, MS, async (page) => {
		await waitUntil(page, 'max_hz 10', probe, subscribedAt(10), MS);
		book('book_snapshot', 1, [['10.5', '1']], [['11', '1']]);
		await waitUntil(page, 'snapshot', probe, (s) =>
		    (s.bid === '10.5' ? [] : [`best bid "${s.bid}"`]), MS);
		book('book_delta', 2, [['10.75', '2']], []);
		await waitUntil(page, 'conflated', probe, (s) =>
		    (s.bid === '10.75' && s.hz === '10 Hz conflated' ? [] :
		    [`best bid "${s.bid}", header "${s.hz}"`]), MS);
		console.log('maxhz.js: book, trade, quote and xbest at max_hz 10, conflated; the rest full');
	});

	await withPage(profile, `${url}?venue=${V}&symbol=${S}&max_hz=5000`, MS, async (page) => {
		await waitUntil(page, 'fallback', probe, (s) => {
			const p = subscribedAt(0)(s);
			if (s.hz !== 'full (no max_hz)')
				p.push(`header says "${s.hz}"`);
			if (!s.events.some((e) => /refused max_hz/.test(e)))
				p.push('no event about it');
			return p;
		}, MS);
		book('book_snapshot', 5, [['20.5', '1']], [['21', '1']]);
		await waitUntil(page, 'book after the fallback', probe, (s) =>
		    (s.bid === '20.5' ? [] : [`best bid "${s.bid}"`]), MS);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-max-hz.png') });
		console.log('maxhz.js: refused max_hz: the same channels again at full rate, said so, data flows');
	});
}

runMain('maxhz.js', main);
