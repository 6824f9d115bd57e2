// nnviz live views, shared part (Streamlit components v2, no build step). nnviz/ui/live_view.py
// prepends this file to each view's own module (live.js, digits.js): decoding a batch, the one
// clock that paces every view, the playing loop, mounting per parentElement, drawing helpers.
//
// `data` is one binary blob made by nnviz.labs.packing.pack: uint32 LE header length, JSON header
// (with an `arrays` index), 8-aligned arrays. Each view's header has `batch` (an id), `running`
// (false: a paused state, shown at once), `tick` (seconds between server ticks) and its frames.

const TYPES = { u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i4: Int32Array, f4: Float32Array, f8: Float64Array };

function decode(data) {
  // {header, arrays: name -> typed array (with .shape)}, or null for no data.
  let u8 = null;
  if (data instanceof Uint8Array) u8 = data;
  else if (data instanceof ArrayBuffer) u8 = new Uint8Array(data);
  else if (data && data.buffer instanceof ArrayBuffer) u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!u8 || u8.byteLength < 4) return null;
  const buf = u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);
  const n = new DataView(buf).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
  const arrays = {};
  for (const e of header.arrays) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const a = new TYPES[e.dtype](buf, 4 + n + e.offset, count);
    a.shape = e.shape;
    arrays[e.name] = a;
  }
  return { header, arrays };
}

// ---- one clock for every live view on the page ----------------------------------------------
const CLOCK = (window.__nnvizLiveClock = window.__nnvizLiveClock || { schedules: new Map(), last: 0, interval: 0, end: 0 });

// The part of a tick the playback keeps in hand: a running batch ends this much (of the measured
// interval between ticks) after the next batch is due, so a tick that comes late by less plays
// on without a pause (the server's ticks vary by a few hundred ms when it trains fast).
const LEAD = 0.15;

function schedule(h, n) {
  // When batch h's n frames play: {start, dur (ms per frame, 0: all at once), n}. A running batch
  // plays after the previous one and ends one measured interval plus LEAD from now: the frame
  // rate follows the ticks' (n frames per interval), a little slower while a late tick's lead is
  // made up, a little faster after an early one. A paused one (the true state) shows at once, or,
  // with h.follows (nothing was trained since the last batch), after the previous batch has played.
  let s = CLOCK.schedules.get(h.batch);
  if (s) return s;
  const now = performance.now();
  if (!h.running) {
    s = { start: h.follows ? Math.max(now, CLOCK.end) : now, dur: 0, n };
    CLOCK.last = 0; CLOCK.end = s.start;
  } else {
    const tick = h.tick * 1000;
    const gap = CLOCK.last ? now - CLOCK.last : tick;
    CLOCK.interval = CLOCK.interval ? 0.7 * CLOCK.interval + 0.3 * Math.min(Math.max(gap, 0.5 * tick), 4 * tick) : tick;
    let start = Math.max(now, CLOCK.end);
    if (start - now > 0.5 * CLOCK.interval) start = now;  // fell behind: drop the rest of the old batch
    const span = Math.max(now + (1 + LEAD) * CLOCK.interval - start, 0.5 * CLOCK.interval);
    const dur = span / n;
    s = { start, dur, n };
    CLOCK.last = now; CLOCK.end = start + dur * n;
  }
  CLOCK.schedules.set(h.batch, s);
  if (CLOCK.schedules.size > 16) CLOCK.schedules.delete(CLOCK.schedules.keys().next().value);
  return s;
}

function current(batches, now) {
  // The newest batch that has started, and its frame index at `now`.
  let b = batches[0];
  for (const x of batches) if (x.sched.start <= now) b = x;
  const s = b.sched;
  const i = s.dur ? Math.min(s.n - 1, Math.max(0, Math.floor((now - s.start) / s.dur))) : s.n - 1;
  return [b, i];
}

// ---- playing ---------------------------------------------------------------------------------
function loop(st) {
  st.raf = 0;
  if (!st.batches.length) return;
  const now = performance.now();
  const [b, due] = current(st.batches, now);
  // Show every frame: after a long task (a Streamlit rerun) step through the missed ones, one per
  // animation frame, until the playback is back on time (the next batch starts on schedule).
  const i = st.drawn === b ? Math.min(due, st.index + 1) : (b.header.running ? Math.min(due, 0) : due);
  st.render(b, i, st.drawn !== b || st.index !== i);
  st.drawn = b; st.index = i;
  // Sleep until the next frame is due (a timer, then one animation frame to draw it), rather
  // than spinning requestAnimationFrame at the display's 60 Hz for 30 frames a second.
  let next = i < due ? now : Infinity;
  for (const x of st.batches) {
    const s = x.sched;
    if (x === b && i + 1 < s.n && s.dur) next = Math.min(next, s.start + (i + 1) * s.dur);
    if (s.start > now) next = Math.min(next, s.start);
  }
  if (next <= now) wake(st);
  else if (next < Infinity) st.timer = setTimeout(() => { st.timer = 0; wake(st); }, Math.max(0, next - performance.now() - 8));
}

function redrawShown(st) {
  // Draw the shown frame again (a width changed): same batch and index, nothing replayed.
  if (st.drawn) st.render(st.drawn, st.index, true);
}

function wake(st) {
  if (st.timer) { clearTimeout(st.timer); st.timer = 0; }
  if (!st.raf) st.raf = requestAnimationFrame(() => loop(st));
}

const STATES = new WeakMap();

function mountView(component, { layout, build, frames }) {
  // The module's default export calls this with Streamlit's `component`. The view's state lives
  // per parentElement: `layout(header)` names the layout (another one rebuilds the view),
  // `build(st, batch)` makes st.els and st.render(batch, index, changed), `frames(header)` counts
  // a batch's frames. The page's visibility goes to the server as the trigger "visibility"
  // ("hidden" / "visible"), which pauses training while the page is hidden.
  const { data, parentElement } = component;
  const batch = decode(data);
  if (!batch) return undefined;
  const h = batch.header, kind = layout(h);
  let st = STATES.get(parentElement);
  if (st && st.layout !== kind) { st.cleanup(); st.root.remove(); st = null; }
  if (!st) {
    const root = document.createElement("div");
    root.className = "nnv-root";
    parentElement.appendChild(root);  // beside Streamlit's own <style> child
    st = { root, batches: [], raf: 0, timer: 0, layout: kind, drawn: null, index: -1, report: null, observers: [],
           disposers: [] };  // disposers: a view's own timers and listeners, undone on unmount
    build(st, batch);
    const onVisibility = () => { if (st.report) st.report(document.visibilityState === "hidden" ? "hidden" : "visible"); };
    document.addEventListener("visibilitychange", onVisibility);
    st.cleanup = () => {
      if (st.raf) cancelAnimationFrame(st.raf);
      if (st.timer) clearTimeout(st.timer);
      st.raf = 0; st.timer = 0;
      for (const ro of st.observers) ro.disconnect();
      for (const dispose of st.disposers) dispose();
      document.removeEventListener("visibilitychange", onVisibility);
      STATES.delete(parentElement);
    };
    STATES.set(parentElement, st);
  }
  const { setTriggerValue } = component;  // the newest mount's (a rerun passes a new one)
  st.report = typeof setTriggerValue === "function" ? (v) => setTriggerValue("visibility", v) : null;
  st.trigger = typeof setTriggerValue === "function" ? setTriggerValue : null;  // a view's own events
  if (st.batches.some((x) => x.header.batch === h.batch)) return st.cleanup;  // the same batch again
  batch.sched = schedule(h, frames(h));
  if (!h.running && !h.follows) st.batches = [];
  st.batches.push(batch);
  const now = performance.now();
  // Keep the newest batch that has started and any that start later.
  while (st.batches.length > 1 && st.batches[1].sched.start <= now) st.batches.shift();
  wake(st);
  return st.cleanup;  // Streamlit keeps only the last cleanup returned, and calls it on unmount
}

// ---- widths without forced layouts ----------------------------------------------------------
function observeWidth(el, onWidth) {
  // Call onWidth(w) with el's content width whenever a ResizeObserver reports a new one (after the
  // browser's own layout, so nothing is forced); returns the observer, to disconnect on cleanup.
  let last = 0;
  const ro = new ResizeObserver((entries) => {
    const w = Math.floor(entries[entries.length - 1].contentRect.width);
    if (w && w !== last) { last = w; onWidth(w); }
  });
  ro.observe(el);
  return ro;
}

function trackWidth(st, el, redraw) {
  // A live width for el: read once now (one layout, when the view is built), then kept up to date
  // by a ResizeObserver, so drawing a frame never reads clientWidth. A text change earlier in the
  // same frame would make that read a forced layout of the whole page, 30 times a second.
  const box = { w: Math.floor(el.clientWidth) };
  st.observers.push(observeWidth(el, (w) => { if (w !== box.w) { box.w = w; redraw(); } }));
  return box;
}

function setText(el, text) {
  // Write only what changed: an unchanged text costs no style or layout work.
  if (el.textContent !== text) el.textContent = text;
}

// ---- text drawn on canvas -------------------------------------------------------------------
function textCanvas(st, el, redraw, { fit = false } = {}) {
  // A <canvas> that shows one line of text in the font its CSS gives it, fitted to its parent's
  // width, and holds the same text as its content (what screen readers, tests and benchmarks
  // read). Setting it repaints the canvas only: a changing DOM text lays out the page and
  // hit-tests it under the mouse on every frame, ~0.1 core at 30 frames/s.
  // fit: the canvas is as wide as its text (inline pieces of a line), not its parent's width.
  const box = { el, text: null, font: "", size: 0, color: "", h: 0, width: null, fit };
  const restyle = () => {
    const cs = getComputedStyle(el);
    box.size = parseFloat(cs.fontSize) || 16;
    box.font = [cs.fontStyle, cs.fontWeight, "{size}px", cs.fontFamily].join(" ");
    box.color = cs.color;
    box.h = Math.ceil(parseFloat(cs.lineHeight) || box.size * 1.25);
  };
  restyle();
  box.restyle = () => { restyle(); box.text = null; };  // after a class change (the next set draws)
  box.width = fit ? { w: 0 } : trackWidth(st, el.parentElement, () => { restyle(); box.text = null; redraw(); });
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(() => { box.text = null; redraw(); });
  return box;
}

function setCanvasText(box, text) {
  if (box.text === text) return;
  box.text = text;
  // Change the text node's data, not the children: no node is replaced, so no style is invalidated.
  const node = box.el.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) node.data = text;
  else box.el.textContent = text;
  let size = box.size;
  if (box.fit) {  // as wide as the text: a new width (and a layout) only when the text's width changes
    const probe = box.el.getContext("2d");
    probe.font = box.font.replace("{size}", size);
    box.width.w = Math.ceil(probe.measureText(text).width) + 1;
  }
  const w = Math.max(1, box.width.w), ctx = sized(box.el, w, box.h);
  ctx.clearRect(0, 0, w, box.h);
  ctx.font = box.font.replace("{size}", size);
  const need = ctx.measureText(text).width;
  if (need > w) { size = Math.max(8, Math.floor((size * w) / need)); ctx.font = box.font.replace("{size}", size); }
  ctx.fillStyle = box.color; ctx.textAlign = "left"; ctx.textBaseline = "middle";
  ctx.fillText(text, 0, box.h / 2);
}

function setStyle(el, prop, value) {
  if (el.style[prop] !== value) el.style[prop] = value;
}

// ---- drawing helpers -------------------------------------------------------------------------
function sized(canvas, w, h, opaque = false) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    canvas.style.width = w + "px"; canvas.style.height = h + "px";
  }
  // Opaque canvases (white background) are cheaper to composite than transparent ones.
  const ctx = canvas.getContext("2d", { alpha: !opaque });
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

function niceTicks(lo, hi, count) {
  // About `count` round values (1, 2 or 5 times a power of ten apart) in [lo, hi]. Each is its
  // index times the step, not a running sum (-0.6 + 3 * 0.2 is 5.55e-17, not 0), and one within a
  // billionth of a step of 0 is 0.
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
  const out = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + 1e-9 * step; k++) {
    const v = k * step;
    out.push(Math.abs(v) < 1e-9 * step ? 0 : +v.toPrecision(12));
  }
  return out;
}

const missing = (x) => x === null || x === undefined || Number.isNaN(x);
const fmt = (x, d = 4) => (missing(x) ? "–" : x.toFixed(d));
const pct = (x) => (missing(x) ? "–" : (100 * x).toFixed(1) + "%");
const tickText = (v) => (Math.abs(v) >= 1e4 ? v.toExponential(0) : +v.toPrecision(4) + "");
const thousands = (n) => n.toLocaleString("en-US");
// Text (a user's label, a run's name) made safe to put into innerHTML.
const escapeHtml = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function lineChart(canvas, width, height, title, xs, series,
                   { log = false, domain = null, xDomain = null, xLabel = "step", wholeX = true, dots = false } = {}) {
  // Lines on an opaque canvas: series [{name, color, values, xs?}] (NaN: a gap), y on a log scale
  // or within `domain`, x within `xDomain` (else the data's), x ticks whole numbers if `wholeX`,
  // a dot on every point if `dots` (sparse series: a single point still shows).
  const ctx = sized(canvas, width, height, true);
  const L = 52, R = 10, T = 26, B = 30, w = width - L - R, h = height - T - B;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, height);
  ctx.font = "bold 13px sans-serif"; ctx.fillStyle = "#31333f"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
  ctx.fillText(title, L, 11);
  const tf = (v) => (log ? Math.log10(v) : v);
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (const v of s.values) if (Number.isFinite(v) && (!log || v > 0)) { lo = Math.min(lo, tf(v)); hi = Math.max(hi, tf(v)); }
  if (domain) [lo, hi] = domain;
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const pad = domain ? 0 : 0.05 * (hi - lo);
  lo -= pad; hi += pad;
  let x0 = Infinity, x1 = -Infinity;
  for (const s of series) { const sx = s.xs || xs; if (sx.length) { x0 = Math.min(x0, sx[0]); x1 = Math.max(x1, sx[sx.length - 1]); } }
  if (xDomain) [x0, x1] = xDomain;
  if (!Number.isFinite(x0)) { x0 = 0; x1 = 1; }
  if (!xDomain) x1 = Math.max(x1, x0 + 1);
  else if (!(x1 > x0)) x1 = x0 + 1;
  const X = (v) => L + ((v - x0) / (x1 - x0)) * w, Y = (v) => T + h - ((tf(v) - lo) / (hi - lo)) * h;
  ctx.font = "11px sans-serif"; ctx.fillStyle = "#555"; ctx.strokeStyle = "#e6e6e6"; ctx.lineWidth = 1;
  const yt = log ? niceTicks(Math.floor(lo), Math.ceil(hi), 5).filter((v) => v >= lo && v <= hi) : niceTicks(lo, hi, 5);
  ctx.textAlign = "right";
  for (const t of yt) {
    const y = T + h - ((t - lo) / (hi - lo)) * h;
    ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(L + w, y); ctx.stroke();
    ctx.fillText(log ? tickText(Math.pow(10, t)) : tickText(t), L - 5, y);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(w / 80))).filter((v) => !wholeX || Number.isInteger(v)))
    ctx.fillText(tickText(t), X(t), T + h + 5);
  ctx.fillText(xLabel, L + w / 2, T + h + 17);
  ctx.strokeStyle = "#999"; ctx.strokeRect(L, T, w, h);
  ctx.save(); ctx.beginPath(); ctx.rect(L, T, w, h); ctx.clip();
  ctx.lineWidth = 1.8; ctx.lineJoin = "round";
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.beginPath();
    let pen = false, left = Infinity, right = -Infinity, lone = null;
    const sx = s.xs || xs;
    const n = Math.min(sx.length, s.values.length);
    for (let k = 0; k < n; k++) {
      const v = s.values[k];
      if (!Number.isFinite(v) || (log && v <= 0)) { pen = false; continue; }
      const x = X(sx[k]), y = Y(v);
      if (pen) ctx.lineTo(x, y); else { ctx.moveTo(x, y); pen = true; }
      left = Math.min(left, x); right = Math.max(right, x); lone = [x, y];
    }
    ctx.stroke();
    if (lone && right - left < 1 && !dots) {  // all at one step so far (step 0): a dot, not an empty chart
      ctx.fillStyle = s.color; ctx.beginPath(); ctx.arc(lone[0], lone[1], 3, 0, 2 * Math.PI); ctx.fill();
    }
    if (dots) {
      ctx.fillStyle = s.color;
      for (let k = 0; k < n; k++) {
        const v = s.values[k];
        if (!Number.isFinite(v) || (log && v <= 0)) continue;
        ctx.beginPath(); ctx.arc(X(sx[k]), Y(v), 2.6, 0, 2 * Math.PI); ctx.fill();
      }
    }
  }
  ctx.restore();
  ctx.font = "11px sans-serif"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
  let lx = L + w;
  for (const s of [...series].reverse()) {
    const tw = ctx.measureText(s.name).width;
    lx -= tw + 24;
    ctx.fillStyle = s.color; ctx.fillRect(lx, 8, 12, 3);
    ctx.fillStyle = "#31333f"; ctx.fillText(s.name, lx + 15, 10);
  }
}
