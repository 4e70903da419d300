/*
 * book.js: the dashboard's order book, trades tape and event list follow
 * the messages exactly.  Run by tests/t-dashboard-book.sh with a private
 * redis (REDIS_PORT) and wsgate already up; messages with hand-picked seqs
 * are written straight into Redis (redis-cli), the way redispub would, so
 * every rule is exercised deterministically:
 *
 *   late joiner: the page opens after the snapshot and one delta are in
 *     the late-joiner keys and shows the book with the delta applied;
 *   qty "0" removes a level, other deltas add or change one;
 *   a delta with seq <= the book's seq is ignored (duplicate, stale):
 *     published through wsgate, which may drop them itself, and also fed
 *     to the page directly (window.tickpipe.inject) so the page's own
 *     rule is what is tested;
 *   a new snapshot replaces the whole book, even with a lower seq;
 *   after a gap the book is marked stale and deltas are ignored until the
 *     next snapshot;
 *   trades go on the tape newest first, coloured by side;
 *   status and gap messages show in the event list;
 *   a locked book (best bid = best ask, however the prices are written)
 *     and a crossed one (bid > ask) are flagged, a normal one is not.
 *
 *   node book.js URL PROFILE_DIR ARTIFACT_DIR
 */
'use strict';

const path = require('path');
const { waitUntil, withPage, redisPage, runMain } = require('./lib.js');

const { url, profile, artifacts, rcli } = redisPage('book.js');
const MS = Number(process.env.DASH_TIMEOUT_MS) || 30000;
const V = 'test', S = 'ABC-XYZ';
const BOOK = `md.${V}.${S}.book`, TRADE = `md.${V}.${S}.trade`;

function msg(type, seq, extra) {
	const now = Date.now() * 1e6;
	return JSON.stringify(Object.assign({ type, venue: V, symbol: S, seq, vseq: seq,
	    ts: now, recv: now }, extra));
}

/* levels(from, step, n, sign): n levels from FROM, FROM+sign*step, ... */
function levels(from, step, n, sign, qty = (i) => `${i + 1}.5`) {
	const out = [];
	for (let i = 0; i < n; i++)
		out.push([(from + sign * i * step).toFixed(2), qty(i)]);
	return out;
}

function ladderProbe() {
	const rows = (sel) => Array.from(document.querySelectorAll(sel))
	    .filter((r) => r.dataset.price)
	    .map((r) => [r.dataset.price, r.querySelector('.sz').textContent]);
	const trades = Array.from(document.querySelectorAll('#tape .trade:not(.mark)'))
	    .map((r) => [r.className, r.children[1].textContent, r.children[3].textContent]);
	return {
		bids: rows('#bids .row'),
		asks: rows('#asks .row').reverse(),
		badge: document.getElementById('book-state').textContent,
		badgeOk: document.getElementById('book-state').classList.contains('ok'),
		spread: document.getElementById('spread').textContent,
		mid: document.getElementById('mid').textContent,
		trades,
		events: Array.from(document.querySelectorAll('#events li')).map((l) => l.textContent),
		venues: Array.from(document.getElementById('venue').options).map((o) => o.value),
		conn: document.getElementById('conn').textContent,
	};
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/* problems if the ladder is not exactly BIDS/ASKS (best first) */
function bookIs(bids, asks, ok = true) {
	return (s) => {
		const p = [];
		if (!same(s.bids, bids.slice(0, 20)))
			p.push(`bids ${JSON.stringify(s.bids)} != ${JSON.stringify(bids.slice(0, 20))}`);
		if (!same(s.asks, asks.slice(0, 20)))
			p.push(`asks ${JSON.stringify(s.asks)} != ${JSON.stringify(asks.slice(0, 20))}`);
		if (s.badgeOk !== ok)
			p.push(`badge "${s.badge}" ${ok ? 'not ok' : 'ok'}`);
		return p;
	};
}

function publish(ch, line) {
	rcli('publish', ch, line);
}

function flagProbe() {
	const f = document.getElementById('book-flag');
	return {
		flag: !f ? 'no #book-flag' : f.hidden ? '' : f.textContent,
		badge: document.getElementById('book-state').textContent,
		row: document.getElementById('spread-row').className,
	};
}

/* problems unless the book is flagged WANT ('locked', 'crossed') in the
 * flag, the badge and the spread row, or (WANT '') not flagged at all */
function flagIs(want) {
	return (s) => {
		const all = `${s.flag} ${s.badge} ${s.row}`.toLowerCase();
		if (want === '')
			return /locked|crossed/.test(all) ? [`a normal book is flagged: ${all}`] : [];
		const p = [];
		for (const [what, text] of [['flag', s.flag], ['badge', s.badge], ['spread row', s.row]])
			if (!text.toLowerCase().includes(want))
				p.push(`${what} "${text}" does not say ${want}`);
		return p;
	};
}

/* feeds the page one book message and waits for the flag to be WANT */
async function flagAfter(page, what, m, want) {
	await page.evaluate((line) => window.tickpipe.inject(line), m);
	await waitUntil(page, what, flagProbe, flagIs(want), MS);
}

async function main() {
	/* the late-joiner keys, as redispub leaves them */
	let bids = levels(100, 0.5, 12, -1), asks = levels(100.5, 0.5, 12, 1);
	rcli('del', `${BOOK}.snapshot`, `${BOOK}.deltas`);
	rcli('set', `${BOOK}.snapshot`, msg('book_snapshot', 10, { bids, asks }));
	rcli('append', `${BOOK}.deltas`, msg('book_delta', 11,
	    { bids: [['100.00', '0']], asks: [['100.50', '7']] }) + '\n');
	rcli('sadd', 'md.channels', BOOK, TRADE, `md.${V}.status`);
	bids = bids.slice(1);
	asks = [['100.50', '7']].concat(asks.slice(1));

	await withPage(profile, `${url}?venue=${V}&symbol=${S}`, MS, async (page) => {
		await waitUntil(page, 'late joiner', ladderProbe, bookIs(bids, asks), MS);
		console.log('book.js: late joiner: snapshot + delta shown');

		/* the page's wsgate subscription is live once Redis counts it:
		 * the channel's own, or wsgate's pattern md.* that carries it */
		const end = Date.now() + MS;
		while (Number(rcli('pubsub', 'numsub', BOOK).split('\n')[1]) < 1 &&
		    Number(rcli('pubsub', 'numpat')) < 1) {
			if (Date.now() > end)
				throw new Error(`wsgate never subscribed to ${BOOK}`);
			await page.waitForTimeout(100);
		}

		publish(BOOK, msg('book_delta', 12, { bids: [['99.75', '1.5']], asks: [] }));
		/* duplicate and stale: through wsgate (which may drop them itself) ... */
		const dup = msg('book_delta', 12, { bids: [['99.75', '9']], asks: [] });
		const stale = msg('book_delta', 8, { bids: [], asks: [['100.50', '0']] });
		publish(BOOK, dup);
		publish(BOOK, stale);
		/* ... and straight into the page, once the seq-12 delta is in */
		await waitUntil(page, 'delta 12', ladderProbe, (s) =>
		    (s.bids[0] && s.bids[0][0] === '99.75' ? [] : ['99.75 not shown']), MS);
		await page.evaluate(([a, b]) => { window.tickpipe.inject(a); window.tickpipe.inject(b); },
		    [dup, stale]);
		publish(BOOK, msg('book_delta', 13, { bids: [['99.00', '0']], asks: [['101.00', '2.25']] }));
		publish(TRADE, msg('trade', 14, { price: '100.50', qty: '0.10', side: 'buy', tid: '1' }));
		publish(TRADE, msg('trade', 15, { price: '99.75', qty: '0.20', side: 'sell', tid: '2' }));
		bids = [['99.75', '1.5'], ['99.50', '2.5']].concat(bids.slice(2).filter((l) => l[0] !== '99.00'));
		asks = asks.map((l) => (l[0] === '101.00' ? ['101.00', '2.25'] : l));
		let s = await waitUntil(page, 'deltas', ladderProbe, (s) => {
			const p = bookIs(bids, asks)(s);
			if (s.trades.length !== 2)
				p.push(`${s.trades.length} trades on the tape, want 2`);
			return p;
		}, MS);
		const want = [['trade sell', '99.75', 'sell'], ['trade buy', '100.50', 'buy']];
		if (!same(s.trades, want))
			throw new Error(`tape ${JSON.stringify(s.trades)} != ${JSON.stringify(want)}`);
		if (s.spread !== '0.75' || s.mid !== '100.125')
			throw new Error(`spread/mid ${s.spread}/${s.mid}, want 0.75/100.125`);
		console.log('book.js: deltas (remove, add, change; duplicate and stale ignored), tape, spread, mid');

		/* a new snapshot replaces everything, even with a lower seq (a
		 * restarted collector); then one from wsgate */
		bids = levels(40, 0.5, 5, -1);
		asks = levels(40.5, 0.5, 5, 1);
		await page.evaluate((m) => window.tickpipe.inject(m),
		    msg('book_snapshot', 3, { bids, asks }));
		await waitUntil(page, 'lower-seq snapshot', ladderProbe, bookIs(bids, asks), MS);
		bids = levels(50, 0.25, 25, -1, (i) => `0.${i + 1}`);
		asks = levels(50.25, 0.25, 25, 1, (i) => `${i + 2}`);
		publish(BOOK, msg('book_snapshot', 16, { bids, asks }));
		await waitUntil(page, 'new snapshot', ladderProbe, bookIs(bids, asks), MS);
		console.log('book.js: a new snapshot replaces the book');

		/* a gap: stale until the next snapshot, deltas meanwhile ignored;
		 * the trade published after the delta shows the delta has arrived */
		publish('md.gap', JSON.stringify({ type: 'gap', from: 6, lost: 3 }));
		publish(BOOK, msg('book_delta', 17, { bids: [['50.00', '0']], asks: [] }));
		publish(TRADE, msg('trade', 18, { price: '50.00', qty: '1', side: 'sell', tid: '3' }));
		s = await waitUntil(page, 'gap', ladderProbe, (s) => {
			const p = bookIs(bids, asks, false)(s);
			if (!/gap/.test(s.badge))
				p.push(`badge "${s.badge}" does not say gap`);
			if (!s.events.some((e) => /gap/.test(e) && /3 records lost/.test(e)))
				p.push('no gap event');
			if (s.trades.length < 3)
				p.push('trade 18 not on the tape yet');
			return p;
		}, MS);
		bids = levels(60, 0.5, 15, -1);
		asks = levels(60.5, 0.5, 15, 1);
		publish(BOOK, msg('book_snapshot', 19, { bids, asks }));
		await waitUntil(page, 'resnapshot', ladderProbe, bookIs(bids, asks), MS);
		console.log('book.js: gap marks the book stale until the next snapshot');

		/* book_invalid (sent by wsgate itself when it loses Redis):
		 * the book is dropped until the next snapshot, as after a gap */
		await page.evaluate((m) => window.tickpipe.inject(m), JSON.stringify({
		    type: 'book_invalid', channel: BOOK, reason: 'redis connection lost' }));
		await page.evaluate((m) => window.tickpipe.inject(m),
		    msg('book_delta', 21, { bids: [['60.00', '0']], asks: [] }));
		s = await waitUntil(page, 'book_invalid', ladderProbe, (s) => {
			const p = bookIs(bids, asks, false)(s);
			if (!/invalid/.test(s.badge))
				p.push(`badge "${s.badge}" does not say invalid`);
			if (!s.events.some((e) => /book invalid/.test(e) && /redis connection lost/.test(e)))
				p.push('no book_invalid event');
			return p;
		}, MS);
		publish(BOOK, msg('book_snapshot', 22, { bids, asks }));
		await waitUntil(page, 'snapshot after book_invalid', ladderProbe, bookIs(bids, asks), MS);
		console.log('book.js: book_invalid drops the book until the next snapshot');

		publish(`md.${V}.status`, JSON.stringify({ type: 'status', venue: V, seq: 20,
		    vseq: 0, ts: 1, recv: 1, status: 'resync', reason: 'sequence gap 5 -> 7' }));
		s = await waitUntil(page, 'status', ladderProbe, (s) =>
		    (s.events.some((e) => /test resync: sequence gap 5 -> 7/.test(e)) ? [] :
		    ['no status event']), MS);
		if (!s.venues.includes(V))
			throw new Error(`venue picker ${JSON.stringify(s.venues)} lacks ${V}`);
		console.log('book.js: status event shown; picker lists the venue');

		await flagAfter(page, 'normal book', msg('book_snapshot', 100,
		    { bids: [['100.00', '1']], asks: [['100.50', '1']] }), '');
		await flagAfter(page, 'locked book', msg('book_snapshot', 101,
		    { bids: [['100.50', '1'], ['100.00', '2']], asks: [['100.50', '3']] }), 'locked');
		await page.screenshot({ path: path.join(artifacts, 'dashboard-locked.png') });
		await flagAfter(page, 'locked, written differently', msg('book_snapshot', 102,
		    { bids: [['100.5', '1']], asks: [['100.50', '1'], ['100.75', '1']] }), 'locked');
		await flagAfter(page, 'crossed book', msg('book_snapshot', 103,
		    { bids: [['100.75', '1'], ['100.5', '1']], asks: [['100.50', '1']] }), 'crossed');
		await flagAfter(page, 'a hair apart', msg('book_snapshot', 104,
		    { bids: [['100.49999999', '1']], asks: [['100.5', '1']] }), '');
		await flagAfter(page, 'locked by a delta', msg('book_delta', 105,
		    { bids: [['100.5', '2']], asks: [] }), 'locked');
		await flagAfter(page, 'unlocked by a delta', msg('book_delta', 106,
		    { bids: [['100.5', '0']], asks: [] }), '');
		publish(BOOK, msg('book_snapshot', 107,
		    { bids: [['100.50', '1']], asks: [['100.50', '1']] }));
		await waitUntil(page, 'locked book from wsgate', flagProbe, flagIs('locked'), MS);
		console.log('book.js: locked and crossed books flagged, normal ones not');
		await page.screenshot({ path: path.join(artifacts, 'dashboard-book.png') });
	});
}

runMain('book.js', main);
