/*
 * app.js: the tickpipe live dashboard.  Plain JS, no framework; the price
 * chart is uPlot (vendored into build/www by wsgate/www/module.mk).
 *
 * It speaks wsgate's client protocol over /ws (tickpipe.7): asks for the
 * list of channels to fill the venue/symbol picker, subscribes to the
 * chosen symbol's PREFIX.VENUE.SYMBOL.book and .trade channels plus the
 * venue status, gap and redispub stats channels, and builds the order book
 * from book_snapshot + book_delta messages: a snapshot replaces the whole
 * book, a delta applies only when its seq is above the book's, qty "0"
 * removes a level.  After a gap, or while disconnected, the book is marked
 * stale and deltas are ignored until the next snapshot (wsgate sends the
 * latest one to every new subscriber, and the collector one every second).
 * A book whose best bid equals its best ask (locked) or is above it
 * (crossed), compared as exact decimals, is flagged in the spread row and
 * the badge: a real market can be locked for a moment, but a book that
 * stays so is usually wrong.
 *
 * Display rate: book, trade, quote and xbest channels are subscribed with
 * "max_hz" (10 a second by default), so wsgate conflates them (tickpipe(7)):
 * a book comes as a snapshot then merged deltas ("conflated":true), trades
 * in batches ({"type":"trades"}), quotes as the latest line.  A wsgate that
 * answers max_hz with an error frame gets the same channels again without
 * it (full streams), and the header says which the page is on.
 *
 * Candles: the selected venue and symbol's bar channel,
 * PREFIX.VENUE.SYMBOL.bar-1s (or bar-1m, picked in the pane), one candle a
 * bar line (open, high, low, close); an interval without trades is drawn
 * as a grey dash at the last close, never as a price.
 *
 * Cross-venue: for the selected symbol, every venue that quotes it
 * (PREFIX.VENUE.SYMBOL.quote: best bid and ask) and the consolidated best
 * (PREFIX.all.SYMBOL.xbest: best bid and ask across venues, the venue of
 * each, its state normal/locked/crossed and the venues left out and why).
 * When the xbest line says the market is locked or crossed, the pane's
 * badge, the consolidated row and the two venues' cells it names (best bid,
 * best ask) are marked so; with no xbest line yet, any venue's bid at or
 * above another venue's ask in the quotes (exact decimals) is.
 *
 * Messages are handled as they arrive; the DOM and the chart are redrawn
 * from the state at most 10 times a second, so a burst costs one redraw.
 *
 * URL parameters: ws=URL (default: same host, /ws), prefix=P (default md),
 * venue=V, symbol=S (initial selection), levels=N (15..50, default 20),
 * max_hz=H (default 10; 0 = full streams; wsgate takes 1 to 1000 and refuses
 * others, as above), bar=1s|1m (default 1s).
 */
'use strict';

(function () {
	const params = new URLSearchParams(location.search);
	const PREFIX = params.get('prefix') || 'md';
	const WS_URL = params.get('ws') ||
	    (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
	const LEVELS = Math.min(50, Math.max(15, parseInt(params.get('levels'), 10) || 20));
	const TAPE_ROWS = 60;
	const CHART_SECONDS = 300;
	const CHART_POINTS = 10000;
	const EVENTS_MAX = 200;
	const LAT_WINDOW_MS = 5000;
	const BACKOFF_MIN_MS = 500;
	const BACKOFF_MAX_MS = 10000;
	const hzParam = parseInt(params.get('max_hz'), 10);
	const MAX_HZ = hzParam >= 0 ? hzParam : 10;	/* wsgate checks the range */
	const BAR_INTERVALS = ['1s', '1m'];
	const CANDLES = 90;		/* at most this many candles drawn */

	const $ = (id) => document.getElementById(id);

	const st = {
		ws: null,
		conn: 'connecting',
		attempt: 0,		/* failed connects since the last good one */
		reconnects: 0,
		retryTimer: 0,
		lastRx: 0,
		pingSent: 0,
		channelsOp: 'unknown',	/* 'ok' once wsgate answered {"op":"channels"} */
		discovering: false,	/* subscribed to PREFIX.*.trade to find symbols */
		known: new Map(),	/* venue -> Set(symbol) */
		venue: params.get('venue') || '',
		symbol: params.get('symbol') || '',
		subs: new Map(),	/* channel -> max_hz asked on this connection */
		acked: new Set(),	/* channels wsgate said "subscribed" to */
		hzMode: MAX_HZ > 0 ? 'asked' : 'off',	/* 'asked', 'yes', 'no', 'off' */
		barInterval: BAR_INTERVALS.includes(params.get('bar')) ? params.get('bar') : '1s',
		bars: new Map(),	/* bar start (ns) -> bar line, the selected interval */
		quotes: new Map(),	/* venue -> latest quote line of the selected symbol */
		xbest: null,		/* latest xbest line of the selected symbol */
		book: newBook(),
		tapePending: [],
		chartX: [],
		chartY: [],
		lastTradeX: 0,
		rxBuckets: new Array(10).fill(0),	/* messages per 100 ms, last 1 s */
		rxBucketAt: 0,
		rate: 0,
		total: 0,
		lat: [],		/* [browser ms, latency ns] over LAT_WINDOW_MS */
		gaps: 0,
		venueStatus: new Map(),
		dirty: { book: false, picker: false, chart: false, candles: false, xv: false },
	};

	function newBook() {
		return {
			bids: new Map(),	/* Number(price) -> [price, qty, Number(qty)] */
			asks: new Map(),
			seq: 0,
			have: false,	/* a snapshot was applied since the last reset */
			stale: '',	/* why the shown book may be wrong ('' = exact) */
			updated: 0,
		};
	}

	/* ---------- exact decimals for spread and mid ---------- */

	function decScale(s) {
		const i = s.indexOf('.');
		return i < 0 ? 0 : s.length - i - 1;
	}

	function decToBig(s, scale) {
		const neg = s[0] === '-';
		if (neg)
			s = s.slice(1);
		let [ip, fp = ''] = s.split('.');
		fp = (fp + '0'.repeat(scale)).slice(0, scale);
		const v = BigInt((ip || '0') + fp);
		return neg ? -v : v;
	}

	function bigToDec(v, scale) {
		const neg = v < 0n;
		let s = (neg ? -v : v).toString().padStart(scale + 1, '0');
		if (scale > 0)
			s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
		return (neg ? '-' : '') + s;
	}

	/* decCmp("100.5", "100.50") -> 0; -1, 0 or 1 as a <, = or > b */
	function decCmp(a, b) {
		try {
			const sc = Math.max(decScale(a), decScale(b));
			const x = decToBig(a, sc), y = decToBig(b, sc);
			return x < y ? -1 : x > y ? 1 : 0;
		} catch (e) {
			return Math.sign(Number(a) - Number(b));
		}
	}

	/* spreadMid("100.49", "100.51") -> ["0.02", "100.500"] */
	function spreadMid(bid, ask) {
		try {
			const sc = Math.max(decScale(bid), decScale(ask));
			const b = decToBig(bid, sc), a = decToBig(ask, sc);
			return [bigToDec(a - b, sc), bigToDec((a + b) * 5n, sc + 1)];
		} catch (e) {
			return ['?', '?'];
		}
	}

	/* ---------- formatting ---------- */

	function fmtQty(n) {
		if (!isFinite(n))
			return '?';
		if (n >= 1e6)
			return (n / 1e6).toFixed(2) + 'M';
		if (n >= 1e4)
			return n.toFixed(0);
		if (n >= 100)
			return n.toFixed(2);
		return String(Number(n.toPrecision(6)));
	}

	function fmtNs(ns) {
		if (!isFinite(ns))
			return '-';
		const us = ns / 1000;
		if (Math.abs(us) < 1000)
			return us.toFixed(0) + ' µs';
		if (Math.abs(us) < 1e6)
			return (us / 1000).toFixed(2) + ' ms';
		return (us / 1e6).toFixed(2) + ' s';
	}

	function fmtTime(ns) {
		const d = new Date(ns / 1e6);
		const p = (v, n) => String(v).padStart(n, '0');
		return p(d.getHours(), 2) + ':' + p(d.getMinutes(), 2) + ':' +
		    p(d.getSeconds(), 2) + '.' + p(d.getMilliseconds(), 3);
	}

	function nowNs() {
		return (performance.timeOrigin + performance.now()) * 1e6;
	}

	/* ---------- events pane ---------- */

	function addEvent(kind, text) {
		const ol = $('events');
		const li = document.createElement('li');
		li.className = 'ev-' + kind;
		const t = document.createElement('time');
		t.textContent = fmtTime(Date.now() * 1e6).slice(0, 8);
		const k = document.createElement('b');
		k.textContent = kind;
		const s = document.createElement('span');
		s.textContent = text;
		li.append(t, k, s);
		ol.prepend(li);
		while (ol.childElementCount > EVENTS_MAX)
			ol.lastElementChild.remove();
	}

	/* ---------- channels and the picker ---------- */

	function bookChannel() { return PREFIX + '.' + st.venue + '.' + st.symbol + '.book'; }
	function tradeChannel() { return PREFIX + '.' + st.venue + '.' + st.symbol + '.trade'; }
	function barChannel() { return PREFIX + '.' + st.venue + '.' + st.symbol + '.bar-' + st.barInterval; }
	function quoteChannel(v) { return PREFIX + '.' + v + '.' + st.symbol + '.quote'; }
	function xbestChannel() { return PREFIX + '.all.' + st.symbol + '.xbest'; }

	/* the venues whose quotes the cross-venue pane shows */
	function xvVenues() {
		const vs = new Set();
		for (const [v, syms] of st.known)
			if (syms.has(st.symbol))
				vs.add(v);
		if (st.xbest) {
			for (const v of st.xbest.venues || [])
				vs.add(v);
			for (const e of st.xbest.excluded || [])
				if (e && e.venue)
					vs.add(e.venue);
		}
		for (const v of st.quotes.keys())
			vs.add(v);
		vs.delete('all');
		return Array.from(vs).sort();
	}

	/*
	 * wanted: channel -> max_hz for what the page shows now.  Status, gap
	 * and stats are rare and go unconflated; so do bars (a conflated bar
	 * channel would keep only the latest of two bars closed together).
	 */
	function wanted() {
		const w = new Map([[PREFIX + '.*.status', 0], [PREFIX + '.gap', 0],
		    [PREFIX + '.tickpipe.stats', 0]]);
		const hz = st.hzMode === 'no' || st.hzMode === 'off' ? 0 : MAX_HZ;
		if (st.venue && st.symbol) {
			w.set(bookChannel(), hz);
			w.set(tradeChannel(), hz);
			w.set(barChannel(), 0);
			w.set(xbestChannel(), hz);
			for (const v of xvVenues())
				w.set(quoteChannel(v), hz);
		}
		if (st.discovering)
			w.set(PREFIX + '.*.trade', 0);
		return w;
	}

	/*
	 * sync: makes this connection's subscriptions what wanted() says: one
	 * unsubscribe for what is no longer shown (or wanted at another rate),
	 * one subscribe per rate for what is new.
	 */
	function sync() {
		if (!st.ws || st.ws.readyState !== WebSocket.OPEN)
			return;
		const w = wanted();
		const gone = [];
		for (const [c, hz] of st.subs)
			if (w.get(c) !== hz) {
				gone.push(c);
				st.subs.delete(c);
			}
		if (gone.length)
			send({ op: 'unsubscribe', channels: gone });
		const add = new Map();	/* max_hz -> [channel] */
		for (const [c, hz] of w)
			if (!st.subs.has(c)) {
				st.subs.set(c, hz);
				if (!add.has(hz))
					add.set(hz, []);
				add.get(hz).push(c);
			}
		for (const [hz, chans] of add)
			send(hz > 0 ? { op: 'subscribe', channels: chans, max_hz: hz } :
			    { op: 'subscribe', channels: chans });
	}

	/* noteSymbol: remember VENUE/SYMBOL; true if it was new */
	function noteSymbol(venue, symbol) {
		if (typeof venue !== 'string' || typeof symbol !== 'string' || !venue ||
		    !symbol || venue === 'all')
			return false;
		let set = st.known.get(venue);
		if (!set)
			st.known.set(venue, set = new Set());
		if (set.has(symbol))
			return false;
		set.add(symbol);
		st.dirty.picker = true;
		if (symbol === st.symbol) {
			st.dirty.xv = true;
			sync();		/* its quote channel */
		}
		return true;
	}

	/* PREFIX.VENUE.SYMBOL.(book|trade|quote) -> [venue, symbol] or null */
	function parseChannel(c) {
		if (typeof c !== 'string' || !c.startsWith(PREFIX + '.'))
			return null;
		const parts = c.slice(PREFIX.length + 1).split('.');
		const kind = parts.pop();
		if ((kind !== 'book' && kind !== 'trade' && kind !== 'quote') || parts.length < 2)
			return null;
		return [parts[0], parts.slice(1).join('.')];
	}

	function fillSelect(sel, values, current) {
		const have = Array.from(sel.options).map((o) => o.value);
		if (values.length === 0)
			values = [''];
		if (have.join('\n') === values.join('\n')) {
			sel.value = current;
			return;
		}
		sel.textContent = '';
		for (const v of values) {
			const o = document.createElement('option');
			o.value = v;
			o.textContent = v || '(none yet)';
			sel.append(o);
		}
		sel.value = current;
	}

	function renderPicker() {
		const venues = Array.from(st.known.keys()).sort();
		if (st.venue && !venues.includes(st.venue))
			venues.push(st.venue);
		fillSelect($('venue'), venues, st.venue);
		const syms = Array.from(st.known.get(st.venue) || []).sort();
		if (st.symbol && !syms.includes(st.symbol))
			syms.push(st.symbol);
		fillSelect($('symbol'), syms, st.symbol);
	}

	/* pick a default once something is known: sim first, else the first */
	function autoSelect() {
		if (st.venue && st.symbol)
			return;
		const venues = Array.from(st.known.keys()).sort();
		if (venues.length === 0)
			return;
		const v = st.venue && st.known.has(st.venue) ? st.venue :
		    venues.includes('sim') ? 'sim' : venues[0];
		const syms = Array.from(st.known.get(v) || []).sort();
		if (syms.length === 0)
			return;
		select(v, syms.includes('BTC-USD') ? 'BTC-USD' : syms[0]);
	}

	function select(venue, symbol) {
		if (venue === st.venue && symbol === st.symbol)
			return;
		if (symbol !== st.symbol) {
			st.quotes = new Map();
			st.xbest = null;
			st.dirty.xv = true;
		}
		st.venue = venue;
		st.symbol = symbol;
		resetSymbolState();
		updateDiscovery();
		sync();
		const u = new URL(location.href);
		u.searchParams.set('venue', venue);
		u.searchParams.set('symbol', symbol);
		history.replaceState(null, '', u);
		st.dirty.picker = true;
	}

	function resetSymbolState() {
		st.book = newBook();
		st.tapePending = [];
		$('tape').textContent = '';
		$('last-price').textContent = '';
		st.chartX = [];
		st.chartY = [];
		st.lastTradeX = 0;
		st.bars = new Map();
		st.dirty.book = st.dirty.chart = st.dirty.candles = true;
	}

	/*
	 * Until something is selected (redispub may have published nothing
	 * yet), and for good if wsgate does not answer {"op":"channels"},
	 * symbols are also found from the trades themselves: PREFIX.*.trade.
	 */
	function updateDiscovery() {
		const want = !(st.venue && st.symbol) || st.channelsOp === 'error';
		if (want === st.discovering)
			return;
		st.discovering = want;
		sync();
	}

	/* ---------- WebSocket ---------- */

	function send(obj) {
		if (st.ws && st.ws.readyState === WebSocket.OPEN)
			st.ws.send(JSON.stringify(obj));
	}

	function askChannels() {
		if (st.channelsOp === 'unknown')
			st.channelsOp = 'asked';
		send({ op: 'channels' });
	}

	/* the stream rate shown in the header */
	function setHz(mode) {
		st.hzMode = mode;
		const el = $('hz');
		el.textContent = mode === 'yes' ? MAX_HZ + ' Hz conflated' :
		    mode === 'asked' ? 'asked ' + MAX_HZ + ' Hz' :
		    mode === 'no' ? 'full (no max_hz)' : 'full';
		el.className = 'hz-' + mode;
	}

	/*
	 * wsgate refused max_hz: everything asked at a rate is asked again at
	 * none (unsubscribed first, in case wsgate took the channels anyway).
	 */
	function noConflation(reason) {
		if (st.hzMode === 'no' || st.hzMode === 'off')
			return;
		addEvent('warn', 'wsgate refused max_hz (' + reason + '): full streams');
		setHz('no');
		const again = [];
		for (const [c, hz] of st.subs)
			if (hz > 0) {
				again.push(c);
				st.subs.delete(c);
			}
		if (again.length)
			send({ op: 'unsubscribe', channels: again });
		sync();
	}

	function setConn(state, detail) {
		st.conn = state;
		const el = $('conn');
		el.className = 'conn-' + state.split(' ')[0];
		el.textContent = detail ? state + ' ' + detail : state;
	}

	function connect() {
		st.retryTimer = 0;
		setConn('connecting');
		let ws;
		try {
			ws = new WebSocket(WS_URL);
		} catch (e) {
			addEvent('error', 'WebSocket ' + WS_URL + ': ' + e.message);
			scheduleReconnect();
			return;
		}
		st.ws = ws;
		st.subs = new Map();
		st.acked = new Set();
		ws.onopen = () => {
			if (st.ws !== ws)
				return;
			ws.tpOpened = true;
			setConn('open');
			addEvent('conn', 'connected to ' + WS_URL);
			st.lastRx = Date.now();
			st.pingSent = 0;
			askChannels();
			st.discovering = !(st.venue && st.symbol) || st.channelsOp === 'error';
			sync();
		};
		ws.onmessage = (ev) => {
			if (st.ws === ws)
				onFrame(ev.data);
		};
		ws.onclose = (ev) => {
			if (st.ws === ws)
				lost(ev.code + (ev.reason ? ' ' + ev.reason : ''));
		};
		ws.onerror = () => { /* onclose follows with the code */ };
	}

	/*
	 * markBreak: data was lost (disconnect, gap).  The chart gets a hole
	 * (a null point; uPlot does not bridge it) and the tape a marker row,
	 * so nobody reads a line drawn across the outage as trades.
	 */
	function markBreak(why) {
		if (st.chartX.length && st.chartY[st.chartY.length - 1] !== null) {
			st.chartX.push(st.lastTradeX);
			st.chartY.push(null);
			st.dirty.chart = true;
		}
		st.tapePending.push({ mark: why });
	}

	/* the connection is gone (or given up on): keep the view, retry */
	function lost(why) {
		const ws = st.ws;
		st.ws = null;
		if (ws) {
			ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
			try { ws.close(); } catch (e) { /* already closed */ }
		}
		if (ws && ws.tpOpened) {
			addEvent('conn', 'disconnected (' + why + ')');
			markBreak('disconnected');
		} else {
			addEvent('conn', 'connect failed (' + why + ')');
		}
		if (st.book.have || st.book.bids.size) {
			st.book.stale = 'disconnected';
			st.book.have = false;
			st.dirty.book = true;
		}
		scheduleReconnect();
	}

	function scheduleReconnect() {
		if (st.retryTimer)
			return;
		const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** st.attempt);
		const delay = Math.round(base * (0.75 + Math.random() * 0.5));
		st.attempt++;
		st.reconnects++;
		$('reconnects').textContent = st.reconnects;
		setConn('closed', '(retry in ' + (delay / 1000).toFixed(1) + ' s)');
		st.retryTimer = setTimeout(connect, delay);
	}

	/* liveness: a quiet connection is pinged; no answer in 10 s -> reconnect */
	setInterval(() => {
		if (!st.ws || st.ws.readyState !== WebSocket.OPEN)
			return;
		const now = Date.now();
		if (st.pingSent && st.lastRx < st.pingSent && now - st.pingSent > 10000) {
			lost('no answer to ping');
			return;
		}
		if (now - st.lastRx > 15000 && (!st.pingSent || st.lastRx >= st.pingSent)) {
			st.pingSent = now;
			send({ op: 'ping' });
		}
	}, 2500);

	/* ---------- messages ---------- */

	function onFrame(data) {
		const t = nowNs();
		st.lastRx = Date.now();
		st.attempt = 0;
		countRx();
		let m;
		try {
			m = JSON.parse(data);
		} catch (e) {
			addEvent('error', 'unparsable frame: ' + String(data).slice(0, 80));
			return;
		}
		if (m === null || typeof m !== 'object')
			return;
		if (typeof m.recv === 'number' && m.recv > 0 &&
		    (m.type === 'trade' || m.type === 'book_delta' || m.type === 'book_snapshot'))
			st.lat.push([st.lastRx, t - m.recv]);
		if (m.conflated === true && st.hzMode === 'asked')
			setHz('yes');
		switch (m.type) {
		case 'trade':
			onTrade(m);
			break;
		case 'trades':	/* a conflated batch, oldest first */
			if (st.hzMode === 'asked')
				setHz('yes');
			if (!Array.isArray(m.trades))
				break;
			for (const tr of m.trades)
				if (tr && typeof tr === 'object')
					onTrade(tr);
			if (m.trades.length && m.trades[m.trades.length - 1].recv > 0)
				st.lat.push([st.lastRx, t - m.trades[m.trades.length - 1].recv]);
			break;
		case 'quote':
			onQuote(m);
			break;
		case 'xbest':
			onXbest(m);
			break;
		case 'bar':
			onBar(m);
			break;
		case 'conflated':
			addEvent('warn', 'wsgate conflates ' + m.channel + ' at ' + m.max_hz +
			    ' Hz' + (m.reason ? ': ' + m.reason : ''));
			break;
		case 'book_snapshot':
		case 'book_delta':
			onBook(m);
			break;
		case 'status':
			onStatus(m);
			break;
		case 'gap':
			st.gaps++;
			$('gaps').textContent = st.gaps;
			addEvent('gap', 'ring lapped: seq ' + m.from + ', ' + m.lost + ' records lost');
			markBreak('gap: ' + m.lost + ' lost');
			if (st.book.have) {
				st.book.have = false;
				st.book.stale = 'gap: waiting for snapshot';
				st.dirty.book = true;
			}
			break;
		case 'book_invalid':
			/* tickpipe(7): drop the book; a snapshot comes next */
			addEvent('error', 'book invalid: ' + m.channel +
			    (m.reason ? ': ' + m.reason : ''));
			if (m.channel === bookChannel() && st.book.have) {
				st.book.have = false;
				st.book.stale = 'book invalid: waiting for snapshot';
				st.dirty.book = true;
			}
			break;
		case 'gateway':
			addEvent(m.status === 'redis_up' ? 'info' : 'error',
			    'gateway ' + m.status + (m.reason ? ': ' + m.reason : ''));
			$('pipeline').dataset.gateway = m.status;
			break;
		case 'stats':
			onStats(m);
			break;
		case 'channels':
			onChannels(m.channels);
			break;
		case 'error':
			if (/max_hz/.test(m.reason || ''))
				noConflation(m.reason);
			else if (st.channelsOp === 'asked' && /channels|\bop\b/i.test(m.reason || '')) {
				st.channelsOp = 'error';
				updateDiscovery();
			}
			addEvent('error', 'wsgate: ' + (m.reason || '?'));
			break;
		case 'subscribed':
			if (typeof m.max_hz === 'number' && m.max_hz > 0 && st.hzMode === 'asked')
				setHz('yes');
			if (Array.isArray(m.channels))
				m.channels.forEach((c) => st.acked.add(c));
			break;
		case 'unsubscribed':
			if (Array.isArray(m.channels))
				m.channels.forEach((c) => st.acked.delete(c));
			break;
		case 'pong':
			break;
		default:
			break;
		}
	}

	function onChannels(list) {
		if (!Array.isArray(list))
			return;
		st.channelsOp = 'ok';
		for (const c of list) {
			const vs = parseChannel(c);
			if (vs)
				noteSymbol(vs[0], vs[1]);
		}
		autoSelect();
		updateDiscovery();
	}

	function isSelected(m) {
		return m.venue === st.venue && m.symbol === st.symbol;
	}

	function onTrade(m) {
		if (noteSymbol(m.venue, m.symbol))
			autoSelect();
		if (!isSelected(m))
			return;
		const p = Number(m.price);
		if (!isFinite(p))
			return;
		st.tapePending.push(m);
		if (st.tapePending.length > TAPE_ROWS)
			st.tapePending.splice(0, st.tapePending.length - TAPE_ROWS);
		let x = (m.ts > 0 ? m.ts : m.recv) / 1e9;
		if (x < st.lastTradeX)
			x = st.lastTradeX;	/* uPlot wants x ascending */
		st.lastTradeX = x;
		st.chartX.push(x);
		st.chartY.push(p);
		st.dirty.chart = true;
	}

	function applyLevels(side, levels) {
		if (!Array.isArray(levels))
			return;
		for (const lv of levels) {
			if (!Array.isArray(lv) || lv.length < 2)
				continue;
			const key = Number(lv[0]), q = Number(lv[1]);
			if (!isFinite(key) || !isFinite(q))
				continue;
			if (q === 0)
				side.delete(key);
			else
				side.set(key, [String(lv[0]), String(lv[1]), q]);
		}
	}

	function onBook(m) {
		if (noteSymbol(m.venue, m.symbol))
			autoSelect();
		if (!isSelected(m))
			return;
		const b = st.book;
		if (m.type === 'book_snapshot') {
			b.bids.clear();
			b.asks.clear();
			applyLevels(b.bids, m.bids);
			applyLevels(b.asks, m.asks);
			b.seq = m.seq;
			b.have = true;
			b.stale = '';
		} else {
			if (!b.have || !(m.seq > b.seq))
				return;
			applyLevels(b.bids, m.bids);
			applyLevels(b.asks, m.asks);
			b.seq = m.seq;
		}
		b.updated = Date.now();
		st.dirty.book = true;
	}

	/*
	 * newer: is m a later line of the stream old came from?  A line no
	 * later than old by seq and by venue time is a repeat (the late-joiner
	 * copy, a duplicate); a lower seq with a later time is a restarted
	 * deriver's new ring, and is taken.
	 */
	function newer(m, old) {
		if (!old)
			return true;
		return m.seq > old.seq || m.ts > old.ts;
	}

	function onQuote(m) {
		if (noteSymbol(m.venue, m.symbol))
			autoSelect();
		if (m.symbol !== st.symbol || !newer(m, st.quotes.get(m.venue)))
			return;
		st.quotes.set(m.venue, m);
		st.dirty.xv = true;
	}

	function onXbest(m) {
		if (m.symbol !== st.symbol || !newer(m, st.xbest))
			return;
		const had = new Set(xvVenues());
		st.xbest = m;
		st.dirty.xv = true;
		if (xvVenues().some((v) => !had.has(v)))
			sync();		/* a venue we had not heard of: its quotes */
	}

	function onBar(m) {
		if (!isSelected(m) || m.interval !== st.barInterval || typeof m.start !== 'number')
			return;
		if (!newer(m, st.bars.get(m.start)))
			return;
		st.bars.set(m.start, m);
		if (st.bars.size > CANDLES * 2) {
			const keys = Array.from(st.bars.keys()).sort((a, b) => a - b);
			for (const k of keys.slice(0, keys.length - CANDLES))
				st.bars.delete(k);
		}
		st.dirty.candles = true;
	}

	function onStatus(m) {
		const where = m.venue + (m.symbol ? ' ' + m.symbol : '');
		st.venueStatus.set(m.venue, m.status);
		addEvent(m.status === 'connected' || m.status === 'info' ? 'status' : 'warn',
		    where + ' ' + m.status + (m.reason ? ': ' + m.reason : ''));
	}

	function onStats(m) {
		const keys = ['lines', 'published', 'malformed', 'dropped', 'buffered', 'reconnects'];
		$('pipeline').textContent = (m.prog || 'stats') + ': ' +
		    keys.filter((k) => k in m).map((k) => k + ' ' + m[k]).join(' · ');
	}

	/* ---------- rates and latency ---------- */

	function countRx() {
		const slot = Math.floor(performance.now() / 100);
		advanceBuckets(slot);
		st.rxBuckets[slot % 10]++;
		st.total++;
	}

	function advanceBuckets(slot) {
		if (slot - st.rxBucketAt >= 10)
			st.rxBuckets.fill(0);
		else
			for (let s = st.rxBucketAt + 1; s <= slot; s++)
				st.rxBuckets[s % 10] = 0;
		if (slot > st.rxBucketAt)
			st.rxBucketAt = slot;
	}

	function renderRates() {
		advanceBuckets(Math.floor(performance.now() / 100));
		st.rate = st.rxBuckets.reduce((a, b) => a + b, 0);
		$('rate').textContent = st.rate;
		const cut = Date.now() - LAT_WINDOW_MS;
		let i = 0;
		while (i < st.lat.length && st.lat[i][0] < cut)
			i++;
		if (i)
			st.lat.splice(0, i);
		if (st.lat.length > 5000)
			st.lat.splice(0, st.lat.length - 5000);
		if (st.lat.length === 0) {
			$('lat50').textContent = $('lat99').textContent = '-';
			return;
		}
		const v = st.lat.map((e) => e[1]).sort((a, b) => a - b);
		const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
		$('lat50').textContent = fmtNs(q(0.5));
		$('lat99').textContent = fmtNs(q(0.99));
	}

	/* ---------- ladder ---------- */

	function makeRows(el, side) {
		const rows = [];
		for (let i = 0; i < LEVELS; i++) {
			const r = document.createElement('div');
			r.className = 'row ' + side;
			const bar = document.createElement('span');
			bar.className = 'bar';
			const px = document.createElement('span');
			px.className = 'px';
			const sz = document.createElement('span');
			sz.className = 'sz';
			const tot = document.createElement('span');
			tot.className = 'tot';
			r.append(bar, px, sz, tot);
			el.append(r);
			rows.push({ r, bar, px, sz, tot });
		}
		return rows;
	}

	const askRows = makeRows($('asks'), 'ask').reverse();	/* [0] = best, nearest the spread */
	const bidRows = makeRows($('bids'), 'bid');

	function sideLevels(map, desc) {
		const keys = Array.from(map.keys()).sort(desc ? (a, b) => b - a : (a, b) => a - b);
		const out = [];
		let cum = 0;
		for (let i = 0; i < keys.length && i < LEVELS; i++) {
			const lv = map.get(keys[i]);
			cum += lv[2];
			out.push({ price: lv[0], qty: lv[1], cum });
		}
		return out;
	}

	/* sizes are shown exactly as sent; totals with as many decimals */
	function qtyScale(levels) {
		let sc = 0;
		for (const lv of levels)
			sc = Math.max(sc, decScale(lv.qty));
		return Math.min(sc, 8);
	}

	function fillRows(rows, levels, max, sc) {
		for (let i = 0; i < rows.length; i++) {
			const row = rows[i], lv = levels[i];
			if (!lv) {
				if (row.r.dataset.price !== '') {
					row.r.dataset.price = '';
					row.px.textContent = row.sz.textContent = row.tot.textContent = '';
					row.bar.style.transform = 'scaleX(0)';
				}
				continue;
			}
			row.r.dataset.price = lv.price;
			row.px.textContent = lv.price;
			row.sz.textContent = lv.qty;
			row.tot.textContent = lv.cum.toFixed(sc);
			/* a transform, not a width: no layout for the bars */
			row.bar.style.transform = 'scaleX(' + (max > 0 ? lv.cum / max : 0).toFixed(3) + ')';
		}
	}

	function renderBook() {
		const b = st.book;
		const bids = sideLevels(b.bids, true), asks = sideLevels(b.asks, false);
		const max = Math.max(bids.length ? bids[bids.length - 1].cum : 0,
		    asks.length ? asks[asks.length - 1].cum : 0);
		const sc = Math.max(qtyScale(bids), qtyScale(asks));
		fillRows(bidRows, bids, max, sc);
		fillRows(askRows, asks, max, sc);
		const badge = $('book-state');
		const cmp = bids.length && asks.length ? decCmp(bids[0].price, asks[0].price) : -1;
		const cross = cmp === 0 ? 'locked' : cmp > 0 ? 'crossed' : '';
		if (bids.length && asks.length) {
			const [spread, mid] = spreadMid(bids[0].price, asks[0].price);
			$('spread').textContent = spread;
			$('mid').textContent = mid;
		} else {
			$('spread').textContent = $('mid').textContent = '-';
		}
		$('spread-row').classList.toggle('locked', cmp === 0);
		$('spread-row').classList.toggle('crossed', cmp > 0);
		const flag = $('book-flag');
		flag.hidden = !cross;
		flag.textContent = cmp === 0 ? 'LOCKED: bid = ask' : cmp > 0 ? 'CROSSED: bid > ask' : '';
		if (b.stale) {
			badge.textContent = b.stale;
			badge.className = 'badge warn';
		} else if (!b.have) {
			badge.textContent = st.venue ? 'waiting for snapshot' : 'no symbol';
			badge.className = 'badge';
		} else if (cross) {
			badge.textContent = cross + ' book';
			badge.className = 'badge warn';
		} else {
			badge.textContent = st.venue + ' ' + st.symbol;
			badge.className = 'badge ok';
		}
		$('book-seq').textContent = b.seq || '-';
		$('book-levels').textContent = b.bids.size + ' / ' + b.asks.size;
	}

	/* ---------- tape ---------- */

	function renderTape() {
		if (st.tapePending.length === 0)
			return;
		const tape = $('tape');
		const frag = document.createDocumentFragment();
		for (let i = st.tapePending.length - 1; i >= 0; i--) {
			const m = st.tapePending[i];
			const r = document.createElement('div');
			if (m.mark) {
				r.className = 'trade mark';
				r.textContent = '— ' + m.mark + ' —';
				frag.append(r);
				continue;
			}
			r.className = 'trade ' + (m.side === 'buy' ? 'buy' : m.side === 'sell' ? 'sell' : 'unk');
			for (const text of [fmtTime(m.ts > 0 ? m.ts : m.recv), m.price,
			    m.qty, m.side || '?']) {
				const c = document.createElement('span');
				c.textContent = text;
				r.append(c);
			}
			frag.append(r);
		}
		const last = st.tapePending.filter((m) => !m.mark).pop();
		if (last) {
			$('last-price').textContent = last.price;
			$('last-price').className = last.side === 'sell' ? 'sell' : 'buy';
		}
		st.tapePending = [];
		tape.prepend(frag);
		while (tape.childElementCount > TAPE_ROWS)
			tape.lastElementChild.remove();
	}

	/* ---------- chart ---------- */

	let chart = null;

	function chartSize() {
		const el = $('chart');
		return { width: Math.max(200, el.clientWidth), height: Math.max(160, el.clientHeight || 260) };
	}

	/* the price axis is as wide as its longest label (uPlot's own recipe) */
	function yAxisSize(self, values, axisIdx, cycleNum) {
		const axis = self.axes[axisIdx];
		if (cycleNum > 1)
			return axis._size;
		let size = axis.ticks.size + axis.gap;
		const longest = (values || []).reduce((a, v) => (v.length > a.length ? v : a), '');
		if (longest) {
			self.ctx.font = axis.font[0];
			size += self.ctx.measureText(longest).width / devicePixelRatio;
		}
		return Math.ceil(size) + 4;
	}

	function makeChart() {
		if (typeof uPlot !== 'function') {
			addEvent('error', 'uPlot did not load: no chart');
			return;
		}
		const axis = { stroke: '#9aa4b2', grid: { stroke: '#252c38', width: 1 },
		    ticks: { stroke: '#252c38', width: 1 } };
		chart = new uPlot(Object.assign(chartSize(), {
			legend: { show: false },
			cursor: { drag: { x: false, y: false } },
			scales: { x: { time: true } },
			axes: [axis, Object.assign({ size: yAxisSize }, axis)],
			/* dots only while few trades are in view, else just the line */
			series: [{}, { label: 'price', stroke: '#4da3ff', width: 1.5,
			    points: { show: (u, si, i0, i1) => i1 - i0 < 150, size: 5,
			    fill: '#4da3ff' } }],
		}), [[], []], $('chart'));
		window.addEventListener('resize', () => chart.setSize(chartSize()));
	}

	function renderChart() {
		const n = st.chartX.length;
		if (n > CHART_POINTS || (n && st.chartX[n - 1] - st.chartX[0] > CHART_SECONDS)) {
			const cutX = st.chartX[n - 1] - CHART_SECONDS;
			let i = Math.max(0, n - CHART_POINTS);
			while (i < n && st.chartX[i] < cutX)
				i++;
			st.chartX.splice(0, i);
			st.chartY.splice(0, i);
		}
		if (chart)
			chart.setData([st.chartX.slice(), st.chartY.slice()]);
	}

	/* ---------- candles ---------- */

	const candleCanvas = $('candles');

	/* the last bar line, in the pane's heading */
	function candleInfo(bar) {
		if (!bar)
			return 'no bar yet';
		if (!(bar.trades > 0))
			return 'no trades in the last ' + bar.interval;
		return 'O ' + bar.open + ' H ' + bar.high + ' L ' + bar.low + ' C ' + bar.close +
		    ' · vol ' + bar.volume + ' · vwap ' + bar.vwap + ' · ' + bar.trades + ' trades';
	}

	/*
	 * renderCandles: the last CANDLES intervals, newest at the right, one
	 * slot an interval (a missing bar leaves its slot empty); the price
	 * scale spans the shown highs and lows.  Prices only position pixels
	 * here: the numbers shown are the bar's own strings.
	 */
	function renderCandles() {
		const bars = Array.from(st.bars.values()).sort((a, b) => a.start - b.start);
		const last = bars[bars.length - 1];
		$('candle-info').textContent = candleInfo(last);
		$('candle-count').textContent = bars.length;
		const cv = candleCanvas, dpr = window.devicePixelRatio || 1;
		const w = Math.max(200, cv.clientWidth), h = Math.max(120, cv.clientHeight);
		if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
			cv.width = Math.round(w * dpr);
			cv.height = Math.round(h * dpr);
		}
		const g = cv.getContext('2d');
		g.setTransform(dpr, 0, 0, dpr, 0, 0);
		g.clearRect(0, 0, w, h);
		if (!last)
			return;
		const span = last.end - last.start;
		const shown = bars.filter((b) => span > 0 && (last.start - b.start) / span < CANDLES);
		const traded = shown.filter((b) => b.trades > 0);
		let lo = Infinity, hi = -Infinity, loText = '', hiText = '';
		for (const b of traded) {
			if (Number(b.low) < lo) {
				lo = Number(b.low);
				loText = b.low;
			}
			if (Number(b.high) > hi) {
				hi = Number(b.high);
				hiText = b.high;
			}
		}
		const axisW = 78, padY = 10, plotW = w - axisW, plotH = h - 2 * padY - 14;
		g.font = '11px ' + getComputedStyle(document.body).getPropertyValue('--mono');
		g.fillStyle = '#8590a0';
		g.strokeStyle = '#252c38';
		g.beginPath();
		g.moveTo(plotW + 0.5, 0);
		g.lineTo(plotW + 0.5, h - 14);
		g.stroke();
		if (!traded.length) {
			g.fillText('no trades in ' + shown.length + ' bars', 8, h / 2);
			return;
		}
		if (hi === lo) {
			hi += 0.5;
			lo -= 0.5;
		}
		const y = (p) => padY + (hi - Number(p)) / (hi - lo) * plotH;
		const slot = plotW / CANDLES, bw = Math.max(1, Math.min(12, slot * 0.7));
		const x = (b) => plotW - ((last.start - b.start) / span + 0.5) * slot;
		let prevClose = null;
		for (const b of shown) {
			const cx = Math.round(x(b)) + 0.5;
			if (!(b.trades > 0)) {
				/* no trade: a grey dash where the price was, no candle */
				if (prevClose !== null) {
					g.fillStyle = '#5a6472';
					g.fillRect(cx - bw / 2, Math.round(y(prevClose)), bw, 1);
				}
				continue;
			}
			prevClose = b.close;
			const up = decCmp(b.close, b.open) >= 0;
			const col = up ? '#2fbf71' : '#f0525c';
			g.strokeStyle = g.fillStyle = col;
			g.beginPath();
			g.moveTo(cx, Math.round(y(b.high)));
			g.lineTo(cx, Math.round(y(b.low)) + 1);
			g.stroke();
			const top = y(up ? b.close : b.open), bot = y(up ? b.open : b.close);
			g.fillRect(Math.round(cx - bw / 2), Math.round(top), Math.round(bw),
			    Math.max(1, Math.round(bot - top)));
		}
		g.fillStyle = '#8590a0';
		g.fillText(hiText, plotW + 6, padY + 8);
		g.fillText(loText, plotW + 6, padY + plotH);
		const lastTraded = traded[traded.length - 1];
		g.fillStyle = '#d6dde6';
		g.fillText(lastTraded.close, plotW + 6, Math.min(padY + plotH - 12,
		    Math.max(padY + 20, y(lastTraded.close) + 4)));
		g.fillStyle = '#8590a0';
		g.fillText(fmtTime(shown[0].start).slice(0, 8), 4, h - 2);
		g.fillText(fmtTime(last.start).slice(0, 8), plotW - 60, h - 2);
	}

	/* ---------- cross-venue ---------- */

	/* 'crossed', 'locked' or '' for a bid against an ask (strings or null) */
	function crossState(bid, ask) {
		if (typeof bid !== 'string' || typeof ask !== 'string')
			return '';
		const c = decCmp(bid, ask);
		return c > 0 ? 'crossed' : c === 0 ? 'locked' : '';
	}

	const worse = (a, b) => (a === 'crossed' || b === 'crossed' ? 'crossed' :
	    a === 'locked' || b === 'locked' ? 'locked' : '');

	function cell(text, cls) {
		const td = document.createElement('td');
		td.textContent = text === null || text === undefined ? '-' : text;
		if (cls)
			td.className = cls;
		return td;
	}

	/*
	 * renderXv: one row a venue (best bid and ask from its quote channel;
	 * a bid locked or crossed with another venue's ask marked on both),
	 * then the consolidated best from xbest with the venue of each side,
	 * its state, and the venues it left out.
	 */
	function renderXv() {
		const venues = xvVenues();
		const xb = st.xbest;
		const excluded = new Map();
		if (xb && Array.isArray(xb.excluded))
			for (const e of xb.excluded)
				if (e && e.venue)
					excluded.set(e.venue, e.why || '?');
		/*
		 * Which bids and asks lock or cross: with an xbest line, the two
		 * it names (quotes and xbest are conflated apart, so they may be a
		 * tick out of step: one source for the marks); without one, every
		 * pair of venues' quotes.
		 */
		const bidMark = new Map(), askMark = new Map();
		let fromQuotes = '', pair = '';
		if (xb && (xb.state === 'crossed' || xb.state === 'locked')) {
			bidMark.set(xb.bid_venue, xb.state);
			askMark.set(xb.ask_venue, xb.state);
		}
		for (const a of xb ? [] : venues)
			for (const b of venues) {
				const qa = st.quotes.get(a), qb = st.quotes.get(b);
				if (a === b || !qa || !qb || excluded.has(a) || excluded.has(b))
					continue;
				const x = crossState(qa.bid, qb.ask);
				if (!x)
					continue;
				bidMark.set(a, worse(bidMark.get(a), x));
				askMark.set(b, worse(askMark.get(b), x));
				if (worse(fromQuotes, x) !== fromQuotes || !pair) {
					fromQuotes = worse(fromQuotes, x);
					pair = a + ' bid ' + qa.bid + (x === 'crossed' ? ' > ' : ' = ') +
					    b + ' ask ' + qb.ask;
				}
			}
		const tb = $('xv-rows');
		tb.textContent = '';
		for (const v of venues) {
			const q = st.quotes.get(v);
			const tr = document.createElement('tr');
			tr.dataset.venue = v;
			if (excluded.has(v))
				tr.className = 'excluded';
			const bm = bidMark.get(v) || '', am = askMark.get(v) || '';
			const isBest = (side) => xb && xb[side + '_venue'] === v ? ' best' : '';
			tr.append(cell(v, 'venue'),
			    cell(q ? q.bid_qty : null, 'qty'),
			    cell(q ? q.bid : null, 'bid' + (bm ? ' x-' + bm : '') + isBest('bid')),
			    cell(q ? q.ask : null, 'ask' + (am ? ' x-' + am : '') + isBest('ask')),
			    cell(q ? q.ask_qty : null, 'qty'),
			    cell(excluded.has(v) ? 'excluded: ' + excluded.get(v) :
			    !q ? 'no quote' : '', 'note'));
			tb.append(tr);
		}
		const state = xb ? (xb.state === 'crossed' || xb.state === 'locked' ? xb.state : '') :
		    fromQuotes;
		const best = $('xv-best');
		best.className = state ? 'x-' + state : '';
		best.textContent = '';
		best.append(cell('best', 'venue'),
		    cell(xb ? xb.bid_qty : null, 'qty'),
		    cell(xb && xb.bid ? xb.bid + ' ' + xb.bid_venue : null, 'bid'),
		    cell(xb && xb.ask ? xb.ask + ' ' + xb.ask_venue : null, 'ask'),
		    cell(xb ? xb.ask_qty : null, 'qty'),
		    cell(xb ? '' : 'no xbest', 'note'));
		const badge = $('xv-state');
		if (state) {
			badge.textContent = state.toUpperCase() + (xb ? ': ' + xb.bid_venue + ' bid ' +
			    xb.bid + (state === 'crossed' ? ' > ' : ' = ') + xb.ask_venue + ' ask ' +
			    xb.ask : ' (quotes): ' + pair);
			badge.className = 'badge warn x-' + state;
		} else if (xb || st.quotes.size) {
			badge.textContent = xb ? 'normal' : 'normal (quotes)';
			badge.className = 'badge ok';
		} else {
			badge.textContent = st.symbol ? 'waiting for quotes' : 'no symbol';
			badge.className = 'badge';
		}
		$('xv-excluded').textContent = excluded.size ? 'excluded: ' +
		    Array.from(excluded).map(([v, why]) => v + ' (' + why + ')').join(', ') : '';
		$('xv-symbol').textContent = st.symbol || '';
	}

	/* ---------- the render loop ---------- */

	let tick = 0;
	function render() {
		tick++;
		if (st.dirty.picker) {
			st.dirty.picker = false;
			renderPicker();
		}
		if (st.dirty.book) {
			st.dirty.book = false;
			renderBook();
		}
		renderTape();
		if (st.dirty.chart && tick % 3 === 0) {
			st.dirty.chart = false;
			renderChart();
		}
		if (st.dirty.candles && tick % 2 === 0) {
			st.dirty.candles = false;
			renderCandles();
		}
		if (st.dirty.xv) {
			st.dirty.xv = false;
			renderXv();
		}
		if (tick % 5 === 0)
			renderRates();
	}

	$('venue').addEventListener('change', (e) => {
		const syms = Array.from(st.known.get(e.target.value) || []).sort();
		if (syms.length)
			select(e.target.value, syms.includes(st.symbol) ? st.symbol : syms[0]);
	});
	$('symbol').addEventListener('change', (e) => {
		if (e.target.value)
			select(st.venue, e.target.value);
	});
	$('bar-interval').value = st.barInterval;
	$('bar-interval').addEventListener('change', (e) => {
		if (!BAR_INTERVALS.includes(e.target.value) || e.target.value === st.barInterval)
			return;
		st.barInterval = e.target.value;
		st.bars = new Map();
		st.dirty.candles = true;
		const u = new URL(location.href);
		u.searchParams.set('bar', st.barInterval);
		history.replaceState(null, '', u);
		sync();
	});
	window.addEventListener('resize', () => { st.dirty.candles = true; });

	/* the picker asks again now and then: new venues and symbols appear */
	setInterval(() => {
		if (st.channelsOp !== 'error')
			askChannels();
	}, 10000);

	if (st.venue && st.symbol)
		noteSymbol(st.venue, st.symbol);
	makeChart();
	setHz(st.hzMode);
	renderPicker();
	renderBook();
	renderXv();
	setInterval(render, 100);
	connect();

	/*
	 * For the browser tests and for poking at from the console.  inject()
	 * handles a frame as if wsgate had sent it: tests/browser/book.js uses
	 * it for frames wsgate itself would filter out (duplicate seqs).
	 */
	window.tickpipe = {
		state: st,
		inject: (text) => onFrame(text),
		chart: () => chart,
		chartPoints: () => (chart ? chart.data[0].length : 0),
		/* [channel, max_hz asked, acknowledged] of this connection */
		subscriptions: () => Array.from(st.subs, ([c, hz]) => [c, hz, st.acked.has(c)]),
		wsUrl: WS_URL,
	};
})();
