/*
 * candles.js: the dashboard's candle pane draws the bar lines of the
 * selected venue and symbol.  Run by tests/t-dashboard-candles.sh with a
 * private redis (REDIS_PORT) and wsgate already up; bar lines with chosen
 * prices are published straight into Redis on md.VENUE.SYMBOL.bar-1s, the
 * way redispub publishes the deriver's lines (tickpipe(7)):
 *
 *   one candle a bar: the pane counts them and its heading shows the last
 *     bar's open, high, low, close, volume and VWAP as sent;
 *   rising bars are drawn green and falling ones red on the canvas;
 *   an interval without trades (open..close null) is said so, not drawn
 *     as a price;
 *   picking bar-1m subscribes md.VENUE.SYMBOL.bar-1m instead of bar-1s
 *     and shows its bars only (screenshot dashboard-candles.png).
 *
 *   node candles.js URL PROFILE_DIR ARTIFACT_DIR
 */
'use strict';

const path = require('path');
const { waitUntil, withPage, redisPage, subscribed, runMain } = require('./lib.js');

const { url, profile, artifacts, rcli } = redisPage('candles.js');
const MS = Number(process.env.DASH_TIMEOUT_MS) || 30000;
const V = 'sim', S = 'ABC-XYZ';
const CH = (i) => `md.${V}.${S}.bar-${i}`;
const T0 = 1796000000000000000;	/* a whole second, in ns */
let seq = 0;


/* bar(INTERVAL, I, [open, high, low, close] or null): the I-th bar */
function bar(interval, i, ohlc) {
	const len = interval === '1m' ? 60e9 : 1e9;
	const start = T0 + i * len;
	const [open, high, low, close] = ohlc || [null, null, null, null];
	const m = { type: 'bar', venue: V, symbol: S, seq: ++seq, src_seq: seq,
	    ts: start + len, recv: start + len, interval, start, end: start + len,
	    trades: ohlc ? 3 : 0, open, high, low, close,
	    volume: ohlc ? '1.2500' : '0', buy_volume: ohlc ? '1.0000' : '0',
	    sell_volume: ohlc ? '0.2500' : '0', vwap: ohlc ? close : null };
	rcli('publish', CH(interval), JSON.stringify(m));
}

function probe() {
	const cv = document.getElementById('candles');
	const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
	let green = 0, red = 0;
	for (let i = 0; i < px.length; i += 4) {
		if (px[i + 3] < 100)
			continue;
		if (Math.abs(px[i] - 47) < 30 && Math.abs(px[i + 1] - 191) < 30 && Math.abs(px[i + 2] - 113) < 30)
			green++;
		if (Math.abs(px[i] - 240) < 30 && Math.abs(px[i + 1] - 82) < 30 && Math.abs(px[i + 2] - 92) < 30)
			red++;
	}
	return { count: Number(document.getElementById('candle-count').textContent),
	    info: document.getElementById('candle-info').textContent, green, red };
}

async function main() {
	rcli('sadd', 'md.channels', `md.${V}.${S}.book`, `md.${V}.${S}.trade`);
	await withPage(profile, `${url}?venue=${V}&symbol=${S}`, MS, async (page) => {
		await subscribed(page, [CH('1s')], MS);

		/* five rising bars, then five falling ones */
		let p = 100;
		for (let i = 0; i < 10; i++) {
			const up = i < 5, o = p, c = up ? p + 2 : p - 2;
			bar('1s', i, [o.toFixed(2), (Math.max(o, c) + 0.5).toFixed(2),
			    (Math.min(o, c) - 0.5).toFixed(2), c.toFixed(2)]);
			p = c;
		}
		await waitUntil(page, 'ten candles', probe, (s) => {
			const q = [];
			if (s.count !== 10)
				q.push(`${s.count} bars counted, want 10`);
			if (s.info !== 'O 102.00 H 102.50 L 99.50 C 100.00 · vol 1.2500 · vwap 100.00 · 3 trades')
				q.push(`heading "${s.info}"`);
			if (s.green < 50 || s.red < 50)
				q.push(`${s.green} green and ${s.red} red pixels, want >= 50 of each`);
			return q;
		}, MS);
		console.log('candles.js: one candle a bar, rising green, falling red, the last bar in the heading');

		bar('1s', 10, null);
		await waitUntil(page, 'an interval without trades', probe, (s) =>
		    (s.count === 11 && s.info === 'no trades in the last 1s' ? [] :
		    [`${s.count} bars, heading "${s.info}"`]), MS);
		console.log('candles.js: an interval without trades is said so');

		await page.selectOption('#bar-interval', '1m');
		await subscribed(page, [CH('1m')], MS);
		await subscribed(page, [CH('1s')], MS, false);
		bar('1s', 11, ['100.00', '101.00', '99.00', '100.50']);
		bar('1m', 0, ['100.00', '104.00', '98.00', '103.00']);
		bar('1m', 1, ['103.00', '103.50', '97.00', '98.00']);
		await waitUntil(page, 'bar-1m', probe, (s) => {
			const q = [];
			if (s.count !== 2)
				q.push(`${s.count} bars counted, want the 2 of bar-1m`);
			if (!/^O 103.00 H 103.50 L 97.00 C 98.00/.test(s.info))
				q.push(`heading "${s.info}"`);
			if (s.green < 50 || s.red < 50)
				q.push(`${s.green} green and ${s.red} red pixels`);
			return q;
		}, MS);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-candles.png') });
		console.log('candles.js: bar-1m picked: its channel, its bars only; ' +
		    path.join(artifacts, 'dashboard-candles.png'));
	});
}

runMain('candles.js', main);
