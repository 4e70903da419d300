/*
 * xvenue.js: the dashboard's cross-venue pane follows the quote and xbest
 * lines exactly.  Run by tests/t-dashboard-cross-venue.sh with a private
 * redis (REDIS_PORT) and wsgate already up; quote and xbest lines with
 * hand-picked prices are published straight into Redis, the way redispub
 * publishes the deriver's lines (tickpipe(7)):
 *
 *   a row a venue quoting the symbol, with its best bid and ask and their
 *     sizes, as sent;
 *   from the quotes alone (no xbest line yet): a venue's bid above another
 *     venue's ask marks both cells and the pane "crossed";
 *   the consolidated row shows xbest's best bid and ask with the venue of
 *     each; state normal: nothing marked;
 *   xbest crossed: the pane, the consolidated row and the cells of the
 *     best bid and ask it names are marked crossed (screenshot
 *     dashboard-cross-venue.png);
 *   xbest locked (bid = ask, written differently): marked locked;
 *   a venue xbest leaves out is shown greyed with the reason.
 *
 *   node xvenue.js URL PROFILE_DIR ARTIFACT_DIR
 */
'use strict';

const path = require('path');
const { waitUntil, withPage, redisPage, subscribed, runMain } = require('./lib.js');

const { url, profile, artifacts, rcli } = redisPage('xvenue.js');
const MS = Number(process.env.DASH_TIMEOUT_MS) || 30000;
const S = 'ABC-XYZ';
const VENUES = ['sim', 'sim2', 'sim3'];
let seq = 100;

function quote(venue, bid, ask) {
	const now = Date.now() * 1e6;
	rcli('publish', `md.${venue}.${S}.quote`, JSON.stringify({ type: 'quote', venue,
	    symbol: S, seq: ++seq, src_seq: seq, ts: now, recv: now, bid, bid_qty: '1.5',
	    ask, ask_qty: '2.25' }));
}

function xbest(bid, bidVenue, ask, askVenue, state, excluded = []) {
	const now = Date.now() * 1e6;
	const out = new Set(excluded.map((e) => e.venue));
	rcli('publish', `md.all.${S}.xbest`, JSON.stringify({ type: 'xbest', venue: 'all',
	    symbol: S, seq: ++seq, src_seq: seq, ts: now, recv: now, bid, bid_qty: '1.5',
	    bid_venue: bidVenue, ask, ask_qty: '2.25', ask_venue: askVenue, state,
	    venues: VENUES.filter((v) => !out.has(v)), excluded }));
}

function probe() {
	const rows = {};
	for (const tr of document.querySelectorAll('#xv-rows tr')) {
		const c = tr.children;
		rows[tr.dataset.venue] = { bidQty: c[1].textContent, bid: c[2].textContent,
		    ask: c[3].textContent, askQty: c[4].textContent, note: c[5].textContent,
		    bidCls: c[2].className, askCls: c[3].className, cls: tr.className };
	}
	const best = Array.from(document.querySelectorAll('#xv-best td')).map((t) => t.textContent);
	const badge = document.getElementById('xv-state');
	return { rows, best, bestCls: document.getElementById('xv-best').className,
	    badge: badge.textContent, badgeCls: badge.className,
	    excluded: document.getElementById('xv-excluded').textContent };
}

/* problems unless each venue row shows QUOTES {venue: [bid, ask]} */
function quotesShown(quotes) {
	return (s) => {
		const p = [];
		for (const [v, [bid, ask]] of Object.entries(quotes)) {
			const r = s.rows[v];
			if (!r)
				p.push(`no row for ${v}`);
			else if (r.bid !== bid || r.ask !== ask || r.bidQty !== '1.5' || r.askQty !== '2.25')
				p.push(`${v} shows ${r.bidQty} ${r.bid} / ${r.ask} ${r.askQty}, want 1.5 ${bid} / ${ask} 2.25`);
		}
		return p;
	};
}

/* problems unless exactly the cells MARKS ("sim2.bid", ...) are marked WANT */
function marked(want, marks) {
	return (s) => {
		const p = [];
		for (const [v, r] of Object.entries(s.rows))
			for (const side of ['bid', 'ask']) {
				const has = /x-(crossed|locked)/.exec(r[side + 'Cls']);
				const should = marks.includes(`${v}.${side}`);
				if (should && (!has || has[1] !== want))
					p.push(`${v} ${side} cell "${r[side + 'Cls']}" not marked ${want}`);
				if (!should && has)
					p.push(`${v} ${side} cell marked ${has[1]}`);
			}
		return p;
	};
}

const all = (...fs) => (s) => fs.flatMap((f) => f(s));

async function main() {
	rcli('sadd', 'md.channels', ...VENUES.map((v) => `md.${v}.${S}.book`),
	    ...VENUES.map((v) => `md.${v}.${S}.quote`));
	await withPage(profile, `${url}?venue=sim&symbol=${S}`, MS, async (page) => {

		/* live once wsgate has acknowledged every quote channel and xbest */
		await subscribed(page, VENUES.map((v) => `md.${v}.${S}.quote`)
		    .concat(`md.all.${S}.xbest`), MS);

		quote('sim', '100.00', '100.10');
		quote('sim2', '100.02', '100.12');
		quote('sim3', '99.98', '100.08');
		let q = { sim: ['100.00', '100.10'], sim2: ['100.02', '100.12'], sim3: ['99.98', '100.08'] };
		await waitUntil(page, 'quotes', probe, all(quotesShown(q), marked('', []), (s) =>
		    (s.badge === 'normal (quotes)' ? [] : [`badge "${s.badge}"`])), MS);
		console.log('xvenue.js: a row a venue with its quote');

		quote('sim2', '100.20', '100.30');
		q.sim2 = ['100.20', '100.30'];
		await waitUntil(page, 'crossed from quotes', probe, all(quotesShown(q),
		    marked('crossed', ['sim2.bid', 'sim.ask', 'sim3.ask']), (s) =>
		    (/^CROSSED \(quotes\)/.test(s.badge) ? [] : [`badge "${s.badge}"`])), MS);
		console.log('xvenue.js: crossed from the quotes alone');

		quote('sim2', '100.02', '100.12');
		q.sim2 = ['100.02', '100.12'];
		xbest('100.02', 'sim2', '100.08', 'sim3', 'normal');
		await waitUntil(page, 'xbest normal', probe, all(quotesShown(q), marked('', []), (s) => {
			const p = [];
			if (s.best[2] !== '100.02 sim2' || s.best[3] !== '100.08 sim3')
				p.push(`best row ${JSON.stringify(s.best)}`);
			if (s.badge !== 'normal' || s.bestCls !== '')
				p.push(`badge "${s.badge}", best row class "${s.bestCls}"`);
			return p;
		}), MS);
		console.log('xvenue.js: consolidated best with the venue of each side');

		quote('sim2', '100.20', '100.30');
		q.sim2 = ['100.20', '100.30'];
		xbest('100.20', 'sim2', '100.08', 'sim3', 'crossed');
		await waitUntil(page, 'xbest crossed', probe, all(quotesShown(q),
		    marked('crossed', ['sim2.bid', 'sim3.ask']), (s) => {
			const p = [];
			if (!/^CROSSED: sim2 bid 100.20 > sim3 ask 100.08/.test(s.badge) ||
			    !/x-crossed/.test(s.badgeCls))
				p.push(`badge "${s.badge}" (${s.badgeCls})`);
			if (s.bestCls !== 'x-crossed')
				p.push(`best row "${s.bestCls}" ${JSON.stringify(s.best)}`);
			return p;
		}), MS);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-cross-venue.png') });
		console.log('xvenue.js: a crossed market is marked; ' +
		    path.join(artifacts, 'dashboard-cross-venue.png'));

		quote('sim2', '100.080', '100.18');
		q.sim2 = ['100.080', '100.18'];
		xbest('100.080', 'sim2', '100.08', 'sim3', 'locked');
		await waitUntil(page, 'xbest locked', probe, all(quotesShown(q),
		    marked('locked', ['sim2.bid', 'sim3.ask']), (s) =>
		    (/^LOCKED/.test(s.badge) && s.bestCls === 'x-locked' ? [] :
		    [`badge "${s.badge}", best row "${s.bestCls}"`])), MS);
		console.log('xvenue.js: a locked market is marked, prices compared as decimals');

		xbest('100.02', 'sim2', '100.10', 'sim', 'normal', [{ venue: 'sim3', why: 'resync' }]);
		quote('sim2', '100.02', '100.12');
		q.sim2 = ['100.02', '100.12'];
		await waitUntil(page, 'excluded', probe, all(quotesShown(q), marked('', []), (s) => {
			const p = [];
			if (!/excluded/.test(s.rows.sim3.cls) || s.rows.sim3.note !== 'excluded: resync')
				p.push(`sim3 row "${s.rows.sim3.cls}" note "${s.rows.sim3.note}"`);
			if (s.excluded !== 'excluded: sim3 (resync)')
				p.push(`excluded line "${s.excluded}"`);
			if (s.badge !== 'normal')
				p.push(`badge "${s.badge}"`);
			return p;
		}), MS);
		console.log('xvenue.js: an excluded venue is shown with its reason');
	});
}

runMain('xvenue.js', main);
