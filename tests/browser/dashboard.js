/*
 * dashboard.js: drives the tickpipe dashboard in headless Debian chromium
 * (playwright-core, executablePath /usr/bin/chromium) against a running
 * pipeline.  Run by tests/t-dashboard-browser.sh, which owns the pipeline.
 *
 *   node dashboard.js URL ARTIFACT_DIR SYNC_DIR PROFILE_DIR
 *
 * Phase 1, live data: the streams are conflated at 10 Hz (the header says
 * so once wsgate sent conflated deltas), the ladder shows >= 10 levels a
 * side with best bid below best ask, trades are on the tape, messages/s
 * is above zero, the chart holds points and has drawn them (price-coloured pixels on its
 * canvas).  Saves ARTIFACT_DIR/dashboard.png; the symbol picker lists
 * the simulator's symbols and switching to another shows its book and
 * trades.  Then it creates
 * SYNC_DIR/phase1.done: the shell script kills wsgate and restarts it.
 * Phase 2, reconnect: the page notices the loss on its own, reconnects,
 * and data flows again (new frames, a fresh book, new trades, more chart
 * points) without a reload.  Saves ARTIFACT_DIR/dashboard-reconnected.png.
 *
 * The page may fetch nothing from any other host (no CDN).
 * Every check reads what a user sees (the DOM, the canvas) except the
 * chart's point count and the reconnect counter, which come from
 * window.tickpipe.  Exit 0 if all hold, 1 with the reason otherwise.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { launch, waitUntil: pollUntil, runMain } = require('./lib.js');

const [url, artifacts, syncDir, profile] = process.argv.slice(2);
if (!url || !artifacts || !syncDir || !profile) {
	console.error('usage: node dashboard.js URL ARTIFACT_DIR SYNC_DIR PROFILE_DIR');
	process.exit(64);
}
const PHASE_MS = Number(process.env.DASH_TIMEOUT_MS) || 60000;

function log(msg) {
	console.log(`dashboard.js: ${msg}`);
}

/* what the page shows, as plain data */
function snapshotPage() {
	const prices = (sel) => Array.from(document.querySelectorAll(sel))
	    .map((r) => r.dataset.price).filter((p) => p);
	const bids = prices('#bids .row');		/* best first */
	const asks = prices('#asks .row').reverse();	/* shown worst first */
	const num = (id) => Number(document.getElementById(id).textContent);
	const canvas = document.querySelector('#chart canvas');
	let inked = 0;
	if (canvas && canvas.width > 0) {
		/* the price line is #4da3ff; count pixels close to it */
		const px = canvas.getContext('2d')
		    .getImageData(0, 0, canvas.width, canvas.height).data;
		for (let i = 0; i < px.length; i += 4)
			if (px[i + 3] > 100 && Math.abs(px[i] - 77) < 40 &&
			    Math.abs(px[i + 1] - 163) < 40 && Math.abs(px[i + 2] - 255) < 40)
				inked++;
	}
	const tp = window.tickpipe;
	const first = document.querySelector('#tape .trade:not(.mark)');
	return {
		conn: document.getElementById('conn').textContent,
		hz: document.getElementById('hz').textContent,
		venue: document.getElementById('venue').value,
		symbol: document.getElementById('symbol').value,
		bids, asks,
		bookState: document.getElementById('book-state').textContent,
		bookOk: document.getElementById('book-state').classList.contains('ok'),
		spread: document.getElementById('spread').textContent,
		mid: document.getElementById('mid').textContent,
		trades: document.querySelectorAll('#tape .trade:not(.mark)').length,
		firstTrade: first ? first.textContent : '',
		rate: num('rate'),
		lat50: document.getElementById('lat50').textContent,
		points: tp ? tp.chartPoints() : -1,
		lastX: tp && tp.chart() ? tp.chart().data[0].slice(-1)[0] || 0 : 0,
		total: tp ? tp.state.total : -1,
		reconnects: tp ? tp.state.reconnects : -1,
		inked,
	};
}

function describe(s) {
	return `conn=${s.conn} hz=${s.hz} sel=${s.venue}/${s.symbol} bids=${s.bids.length} ` +
	    `asks=${s.asks.length} best=${s.bids[0]}/${s.asks[0]} ` +
	    `spread=${s.spread} mid=${s.mid} book="${s.bookState}" ` +
	    `trades=${s.trades} rate=${s.rate} lat50=${s.lat50} ` +
	    `points=${s.points} inked=${s.inked} frames=${s.total} ` +
	    `reconnects=${s.reconnects}`;
}

/* problems with the live view; [] when it looks right */
function liveProblems(s) {
	const p = [];
	if (s.conn !== 'open')
		p.push(`connection state is "${s.conn}"`);
	if (s.hz !== '10 Hz conflated')
		p.push(`stream is "${s.hz}", not conflated at 10 Hz`);
	if (s.bids.length < 10 || s.asks.length < 10)
		p.push(`ladder has ${s.bids.length} bids / ${s.asks.length} asks, want >= 10 each`);
	else if (!(Number(s.bids[0]) < Number(s.asks[0])))
		p.push(`best bid ${s.bids[0]} not below best ask ${s.asks[0]}`);
	if (s.trades < 1)
		p.push('no trades on the tape');
	if (!(s.rate > 0))
		p.push(`messages/s is ${s.rate}`);
	if (!(s.points > 1))
		p.push(`chart holds ${s.points} points`);
	if (s.inked < 20)
		p.push(`chart canvas has ${s.inked} price-coloured pixels`);
	return p;
}

async function waitUntil(page, what, ok, ms) {
	const s = await pollUntil(page, what, snapshotPage, ok, ms, describe);
	log(`${what}: ${describe(s)}`);
	return s;
}

async function main() {
	fs.mkdirSync(artifacts, { recursive: true });
	const ctx = await launch(profile);
	const pageErrors = [];
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		page.on('pageerror', (e) => pageErrors.push(String(e)));
		/* offline once built: nothing but the gateway itself is fetched */
		const origin = new URL(url).host;
		page.on('request', (r) => {
			const u = new URL(r.url());
			if (u.protocol !== 'data:' && u.host !== origin)
				pageErrors.push(`request to another host: ${r.url()}`);
		});
		page.on('console', (m) => {
			if (m.type() === 'error' || m.type() === 'warning')
				log(`console.${m.type()}: ${m.text()}`);
		});
		const resp = await page.goto(url, { waitUntil: 'load', timeout: PHASE_MS });
		if (!resp || !resp.ok())
			throw new Error(`GET ${url}: ${resp ? resp.status() : 'no response'}`);

		const live = await waitUntil(page, 'live', liveProblems, PHASE_MS);
		if (pageErrors.length)
			throw new Error(`page errors: ${pageErrors.join('; ')}`);
		/* let the chart gather a little more history for the picture */
		await page.waitForTimeout(1500);
		await page.screenshot({ path: path.join(artifacts, 'dashboard.png') });
		log(`screenshot ${path.join(artifacts, 'dashboard.png')}`);

		/* the picker lists the simulator's symbols; switching shows the
		 * other symbol's book and trades */
		const syms = await page.$$eval('#symbol option', (os) => os.map((o) => o.value));
		for (const want of ['BTC-USD', 'ETH-USD', 'SOL-USD'])
			if (!syms.includes(want))
				throw new Error(`symbol picker ${JSON.stringify(syms)} lacks ${want}`);
		await page.selectOption('#symbol', 'ETH-USD');
		await waitUntil(page, 'switched to ETH-USD', (s) => {
			const p = liveProblems(s);
			if (s.symbol !== 'ETH-USD' || s.bookState !== 'sim ETH-USD')
				p.push(`shows "${s.bookState}", not sim ETH-USD`);
			if (s.bids[0] === live.bids[0])
				p.push('best bid unchanged after the switch');
			return p;
		}, PHASE_MS);

		fs.writeFileSync(path.join(syncDir, 'phase1.done'), '');
		const before = await page.evaluate(snapshotPage);
		await waitUntil(page, 'noticed the loss', (s) =>
		    s.reconnects > before.reconnects || s.conn !== 'open' ? [] :
		    ['still "open" after wsgate was killed'], PHASE_MS);

		const lost = await page.evaluate(snapshotPage);
		await waitUntil(page, 'reconnected', (s) => {
			const p = liveProblems(s);
			if (s.total <= lost.total + 50)
				p.push(`only ${s.total - lost.total} frames since the loss`);
			if (s.firstTrade === lost.firstTrade)
				p.push('no new trade since the loss');
			if (!(s.lastX > lost.lastX))
				p.push('no new chart points since the loss');
			if (!s.bookOk)
				p.push(`book not fresh: "${s.bookState}"`);
			return p;
		}, PHASE_MS);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-reconnected.png') });
		if (pageErrors.length)
			throw new Error(`page errors: ${pageErrors.join('; ')}`);
	} finally {
		await ctx.close();
	}
}

runMain('dashboard.js', main);
