/*
 * live.js: the dashboard on the whole pipeline with three simulated
 * venues and the deriver.  Run by tests/t-dashboard-live-derived.sh, which
 * owns the pipeline.
 *
 *   node live.js URL ARTIFACT_DIR PROFILE_DIR
 *
 * On BTC-USD of venue sim: the header says the streams are conflated at
 * 10 Hz (wsgate sent conflated book deltas); the ladder is live; the
 * candle pane has drawn candles from bar-1s lines; the cross-venue pane
 * has a quote row for each of sim, sim2 and sim3 and the consolidated best
 * with the venue of each side.  Screenshot ARTIFACT_DIR/dashboard-live.png.
 * Then, within the wait, the simulator dislocates a venue and the pane
 * shows the crossed market: the badge, the consolidated row and a bid and
 * an ask cell marked crossed.  Screenshot dashboard-live-crossed.png.
 * Exit 0 if all hold, 1 with the reason otherwise.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { launch, waitUntil, runMain } = require('./lib.js');

const [url, artifacts, profile] = process.argv.slice(2);
if (!url || !artifacts || !profile) {
	console.error('usage: node live.js URL ARTIFACT_DIR PROFILE_DIR');
	process.exit(64);
}
const MS = Number(process.env.DASH_TIMEOUT_MS) || 60000;
const CROSS_MS = Number(process.env.DASH_CROSS_MS) || 120000;

function probe() {
	const rows = {};
	for (const tr of document.querySelectorAll('#xv-rows tr')) {
		const c = tr.children;
		rows[tr.dataset.venue] = [c[2].textContent, c[3].textContent, c[2].className, c[3].className];
	}
	const cv = document.getElementById('candles');
	const px = cv.getContext('2d', { willReadFrequently: true })
	    .getImageData(0, 0, cv.width, cv.height).data;
	let inked = 0;
	for (let i = 0; i < px.length; i += 4)
		if (px[i + 3] > 100 && (Math.abs(px[i] - 47) < 30 && Math.abs(px[i + 1] - 191) < 30 ||
		    Math.abs(px[i] - 240) < 30 && Math.abs(px[i + 1] - 82) < 30))
			inked++;
	return {
		hz: document.getElementById('hz').textContent,
		bids: document.querySelectorAll('#bids .row[data-price]:not([data-price=""])').length,
		bars: Number(document.getElementById('candle-count').textContent),
		info: document.getElementById('candle-info').textContent,
		inked, rows,
		best: Array.from(document.querySelectorAll('#xv-best td')).map((t) => t.textContent),
		bestCls: document.getElementById('xv-best').className,
		badge: document.getElementById('xv-state').textContent,
	};
}

const num = /^[0-9]+(\.[0-9]+)?$/;

function liveProblems(s) {
	const p = [];
	if (s.hz !== '10 Hz conflated')
		p.push(`stream "${s.hz}"`);
	if (s.bids < 10)
		p.push(`${s.bids} bids on the ladder`);
	if (s.bars < 3 || !/^O [0-9.]+ H /.test(s.info) || s.inked < 20)
		p.push(`${s.bars} bars, heading "${s.info}", ${s.inked} candle pixels`);
	for (const v of ['sim', 'sim2', 'sim3']) {
		const r = s.rows[v];
		if (!r || !num.test(r[0]) || !num.test(r[1]))
			p.push(`${v} quote row ${JSON.stringify(r)}`);
	}
	if (!/^[0-9.]+ sim[23]?$/.test(s.best[2] || '') || !/^[0-9.]+ sim[23]?$/.test(s.best[3] || ''))
		p.push(`best row ${JSON.stringify(s.best)}`);
	return p;
}

function describe(s) {
	return JSON.stringify(s);
}

async function main() {
	fs.mkdirSync(artifacts, { recursive: true });
	const ctx = await launch(profile);
	const errors = [];
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		page.on('pageerror', (e) => errors.push(String(e)));
		await page.goto(`${url}?venue=sim&symbol=BTC-USD`, { timeout: MS });
		let s = await waitUntil(page, 'live', probe, liveProblems, MS, describe);
		console.log(`live.js: live: ${describe(s)}`);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-live.png') });

		s = await waitUntil(page, 'crossed market', probe, (s) => {
			const p = liveProblems(s);
			if (!/^CROSSED: sim[23]? bid [0-9.]+ > sim[23]? ask [0-9.]+$/.test(s.badge))
				p.push(`badge "${s.badge}"`);
			if (s.bestCls !== 'x-crossed')
				p.push(`best row "${s.bestCls}"`);
			const cells = Object.values(s.rows);
			if (!cells.some((r) => /x-crossed/.test(r[2])) || !cells.some((r) => /x-crossed/.test(r[3])))
				p.push('no bid and ask cell marked crossed');
			return p;
		}, CROSS_MS, describe);
		await page.screenshot({ path: path.join(artifacts, 'dashboard-live-crossed.png') });
		console.log(`live.js: crossed: ${s.badge}; screenshots ` +
		    `${path.join(artifacts, 'dashboard-live.png')} dashboard-live-crossed.png`);
		if (errors.length)
			throw new Error(`page errors: ${errors.join('; ')}`);
	} finally {
		await ctx.close();
	}
}

runMain('live.js', main);
