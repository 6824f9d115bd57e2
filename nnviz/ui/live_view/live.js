// nnviz live view (Streamlit components v2, no build step): plays a batch of frames per server
// tick on <canvas> at requestAnimationFrame pace. `data` is one binary blob made by
// nnviz.labs.playground.frames.pack: uint32 LE header length, JSON header, 8-aligned arrays.
// One element draws the metrics, the decision surface with the points, the loss and accuracy
// curves and, when the header has "network", the graph with every neuron's thumbnail.
// State lives per parentElement, so an update redraws in place (no remount, no flash).

const ORANGE = [245, 147, 34], MID = [232, 234, 235], BLUE = [8, 119, 189];
const LIGHT = [[249, 197, 140], [243, 244, 244], [127, 180, 220]];
const SERIES = ["#1f1f1f", "#d62728", "#2ca02c", "#9467bd"];
const TYPES = { u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i4: Int32Array, f4: Float32Array, f8: Float64Array };

function lut(stops) {
  const t = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const u = (i / 255) * (stops.length - 1), k = Math.min(Math.floor(u), stops.length - 2), f = u - k;
    for (let c = 0; c < 3; c++) t[i * 4 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
    t[i * 4 + 3] = 255;
  }
  return t;
}
const SURFACE_LUT = lut(LIGHT), NEURON_LUT = lut([ORANGE, MID, BLUE]);
const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

function decode(data) {
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

function schedule(h, n) {
  let s = CLOCK.schedules.get(h.batch);
  if (s) return s;
  const now = performance.now();
  if (!h.running) {
    s = { start: now, dur: 0, n };  // paused, a step or a reset: the true state, at once
    CLOCK.last = 0; CLOCK.end = now;
  } else {
    const tick = h.tick * 1000;
    const gap = CLOCK.last ? now - CLOCK.last : tick;
    CLOCK.interval = CLOCK.interval ? 0.7 * CLOCK.interval + 0.3 * Math.min(Math.max(gap, 0.5 * tick), 4 * tick) : tick;
    let start = Math.max(now, CLOCK.end);
    if (start - now > 0.5 * CLOCK.interval) start = now;  // fell behind: drop the rest of the old batch
    const dur = CLOCK.interval / n;
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

// ---- small drawing helpers ---------------------------------------------------------------------
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
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(+v.toPrecision(12));
  return out;
}

const fmt = (x, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : (100 * x).toFixed(1) + "%");
const tickText = (v) => (Math.abs(v) >= 1e4 ? v.toExponential(0) : +v.toPrecision(4) + "");

function lineChart(canvas, width, height, title, xs, series, { log = false, domain = null } = {}) {
  const ctx = sized(canvas, width, height, true);
  const L = 52, R = 10, T = 26, B = 30, w = width - L - R, h = height - T - B;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, height);
  ctx.font = "bold 13px sans-serif"; ctx.fillStyle = "#31333f"; ctx.textBaseline = "middle";
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
  if (!Number.isFinite(x0)) { x0 = 0; x1 = 1; }
  x1 = Math.max(x1, x0 + 1);
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
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(w / 80))).filter(Number.isInteger))  // whole steps
    ctx.fillText(tickText(t), X(t), T + h + 5);
  ctx.fillText("step", L + w / 2, T + h + 17);
  ctx.strokeStyle = "#999"; ctx.strokeRect(L, T, w, h);
  ctx.save(); ctx.beginPath(); ctx.rect(L, T, w, h); ctx.clip();
  ctx.lineWidth = 1.8; ctx.lineJoin = "round";
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.beginPath();
    let pen = false;
    const sx = s.xs || xs;
    for (let k = 0; k < sx.length; k++) {
      const v = s.values[k];
      if (!Number.isFinite(v) || (log && v <= 0)) { pen = false; continue; }
      const x = X(sx[k]), y = Y(v);
      if (pen) ctx.lineTo(x, y); else { ctx.moveTo(x, y); pen = true; }
    }
    ctx.stroke();
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

// ---- the main view: metrics, surface, curves ------------------------------------------------
const PLOT = 400, SL = 40, SB = 34, ST = 6, SR = 14, DOMAIN = [-1.5, 1.5];

function buildMain(root) {
  root.innerHTML = `
    <div class="nnv-metrics">
      <div class="nnv-metric"><div class="nnv-label">Step</div><div class="nnv-value" data-nnviz="step">0</div></div>
      <div class="nnv-metric"><div class="nnv-label">Epoch</div><div class="nnv-value" data-nnviz="epoch">0.0</div></div>
      <div class="nnv-metric"><div class="nnv-label">Train loss</div><div class="nnv-value" data-nnviz="train-loss">–</div></div>
      <div class="nnv-metric"><div class="nnv-label">Test loss</div><div class="nnv-value" data-nnviz="test-loss">–</div></div>
      <div class="nnv-metric"><div class="nnv-label" data-nnviz="last-label">Test accuracy</div><div class="nnv-value" data-nnviz="last">–</div></div>
    </div>
    <div class="nnv-row">
      <div class="nnv-surface" style="width:${SL + PLOT + SR}px;height:${ST + PLOT + SB}px">
        <canvas class="nnv-surface-img" data-nnviz="surface"
          style="left:${SL}px;top:${ST}px;width:${PLOT}px;height:${PLOT}px"></canvas>
        <canvas class="nnv-surface-points"></canvas>
        <div class="nnv-tip"></div>
      </div>
      <div class="nnv-curves"><canvas data-nnviz="loss"></canvas><canvas data-nnviz="accuracy"></canvas></div>
    </div>
    <div class="nnv-netwrap"></div>`;
  const q = (s) => root.querySelector(s);
  return {
    step: q("[data-nnviz=step]"), epoch: q("[data-nnviz=epoch]"), train: q("[data-nnviz=train-loss]"),
    test: q("[data-nnviz=test-loss]"), last: q("[data-nnviz=last]"), lastLabel: q("[data-nnviz=last-label]"),
    surface: q("[data-nnviz=surface]"), points: q(".nnv-surface-points"), curves: q(".nnv-curves"),
    tip: q(".nnv-surface .nnv-tip"),
    loss: q("[data-nnviz=loss]"), acc: q("[data-nnviz=accuracy]"), netwrap: q(".nnv-netwrap"),
  };
}

function pointTip(st, ev) {
  // Hover a data point: its coordinates and label (or target), like the tooltips of a chart.
  const b = st.pointsOf, tip = st.els.tip;
  if (!b) return;
  const { header: h, arrays: a } = b;
  const rect = st.els.points.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
  const X = (v) => SL + ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * PLOT;
  const Y = (v) => ST + PLOT - ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * PLOT;
  let best = 6, k = -1;
  for (let j = 0; j < a.px.length; j++) {
    const d = Math.hypot(X(a.px[j]) - x, Y(a.py[j]) - y);
    if (d < best) { best = d; k = j; }
  }
  tip.style.display = k >= 0 ? "block" : "none";
  if (k < 0) return;
  const what = h.task === "classification" ? `label ${a.pc[k] >= 0.5 ? "1 (blue)" : "0 (orange)"}` : `target ${a.pc[k].toFixed(3)}`;
  tip.textContent = `x1 ${a.px[k].toFixed(2)} · x2 ${a.py[k].toFixed(2)} · ${what}${a.pt[k] ? " · test" : ""}`;
  tip.style.left = x + 12 + "px"; tip.style.top = y + 12 + "px";
}

function drawPoints(st, b) {
  const { header: h, arrays: a } = b;
  const W = SL + PLOT + SR, H = ST + PLOT + SB;
  const ctx = sized(st.els.points, W, H);
  ctx.clearRect(0, 0, W, H);
  const X = (v) => SL + ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * PLOT;
  const Y = (v) => ST + PLOT - ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * PLOT;
  const cls = h.task === "classification";
  ctx.save(); ctx.beginPath(); ctx.rect(SL, ST, PLOT, PLOT); ctx.clip();
  for (let k = 0; k < a.px.length; k++) {
    const c = a.pc[k];
    const u = cls ? (c >= 0.5 ? 255 : 0) : Math.round((Math.min(Math.max(c, -1), 1) + 1) * 127.5);
    ctx.fillStyle = `rgb(${NEURON_LUT[u * 4]},${NEURON_LUT[u * 4 + 1]},${NEURON_LUT[u * 4 + 2]})`;
    ctx.beginPath(); ctx.arc(X(a.px[k]), Y(a.py[k]), 3.6, 0, 2 * Math.PI); ctx.fill();
    ctx.lineWidth = a.pt[k] ? 1.0 : 0.9; ctx.strokeStyle = a.pt[k] ? "#222" : "#fff"; ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.strokeRect(SL + 0.5, ST + 0.5, PLOT - 1, PLOT - 1);
  ctx.fillStyle = "#555"; ctx.font = "11px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (let t = -1.5; t <= 1.5001; t += 0.5) {
    ctx.fillText(t.toFixed(1), X(t), ST + PLOT + 5);
    ctx.beginPath(); ctx.moveTo(X(t), ST + PLOT); ctx.lineTo(X(t), ST + PLOT + 3); ctx.stroke();
  }
  ctx.fillText("x1", SL + PLOT / 2, ST + PLOT + 19);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (let t = -1.5; t <= 1.5001; t += 0.5) {
    ctx.fillText(t.toFixed(1), SL - 5, Y(t));
    ctx.beginPath(); ctx.moveTo(SL - 3, Y(t)); ctx.lineTo(SL, Y(t)); ctx.stroke();
  }
  ctx.save(); ctx.translate(10, ST + PLOT / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = "center";
  ctx.fillText("x2", 0, 0); ctx.restore();
}

function drawMain(st, b, i) {
  const { header: h, arrays: a } = b;
  const f = h.frames[i];
  const els = st.els;
  els.step.textContent = f.step.toLocaleString("en-US");
  els.epoch.textContent = f.epoch.toFixed(1);
  els.train.textContent = fmt(f.train_loss);
  els.test.textContent = fmt(f.test_loss);
  if (h.task === "classification") {
    const useTest = f.test_accuracy !== null;
    els.lastLabel.textContent = useTest ? "Test accuracy" : "Train accuracy";
    els.last.textContent = pct(useTest ? f.test_accuracy : f.train_accuracy);
  } else {
    els.lastLabel.textContent = "Parameters";
    els.last.textContent = h.n_params.toLocaleString("en-US");
  }
  // The surface: uint8 codes -> colours, rows flipped (x2 rises upwards), on a res x res canvas
  // that CSS scales up (smoothed, or crisp when discretized): few pixels to draw per frame.
  const [, res] = a.surfaces.shape;
  const small = els.surface;
  if (small.width !== res) { small.width = res; small.height = res; }
  small.style.imageRendering = h.discretize ? "pixelated" : "auto";
  const sctx = small.getContext("2d", { alpha: false });
  const img = st.img && st.img.width === res ? st.img : (st.img = sctx.createImageData(res, res));
  const px = img.data, off = i * res * res, cls = h.task === "classification";
  for (let r = 0; r < res; r++) {
    const src = off + (res - 1 - r) * res;
    for (let c = 0; c < res; c++) {
      let v = a.surfaces[src + c];
      if (h.discretize) v = cls ? (v >= 128 ? 255 : 0) : Math.round(Math.round((v / 255) * 8) * (255 / 8));
      const o = (r * res + c) * 4, l = v * 4;
      px[o] = SURFACE_LUT[l]; px[o + 1] = SURFACE_LUT[l + 1]; px[o + 2] = SURFACE_LUT[l + 2]; px[o + 3] = 255;
    }
  }
  sctx.putImageData(img, 0, 0);
  // The curves: everything up to the batch, then this batch's frames up to i.
  const n = a.curve_step.length, m = n + i + 1;
  const xs = new Float64Array(m);
  const col = (name, key) => {
    const v = new Float64Array(m);
    for (let k = 0; k < n; k++) { xs[k] = a.curve_step[k]; v[k] = a[name][k]; }
    for (let k = 0; k <= i; k++) { xs[n + k] = h.frames[k].step; const x = h.frames[k][key]; v[n + k] = x === null ? NaN : x; }
    return v;
  };
  const width = Math.max(280, Math.floor(els.curves.clientWidth || 420));
  const loss = [{ name: "train loss", color: SERIES[0], values: col("curve_train_loss", "train_loss") }];
  if (h.has_test) loss.push({ name: "test loss", color: SERIES[1], values: col("curve_test_loss", "test_loss") });
  lineChart(els.loss, width, 215, h.log ? "Loss (log scale)" : "Loss", xs, loss, { log: h.log });
  els.acc.style.display = h.task === "classification" ? "" : "none";
  if (h.task === "classification") {
    const acc = [{ name: "train accuracy", color: SERIES[0], values: col("curve_train_accuracy", "train_accuracy") }];
    if (h.has_test) acc.push({ name: "test accuracy", color: SERIES[1], values: col("curve_test_accuracy", "test_accuracy") });
    lineChart(els.acc, width, 215, "Accuracy", xs, acc, { domain: [0, 1] });
  }
}

// ---- the comparison view: overlaid training losses, one small surface per run ----------------
const COMPARE_COLORS = ["#4c78a8", "#54a24b", "#e45756", "#b279a2"];
const CMP = 200;

function buildCompare(root, n) {
  const runs = Array.from({ length: n }, (_, r) => `
    <div class="nnv-cmp-run">
      <div class="nnv-cmp-title" style="color:${COMPARE_COLORS[r % 4]}"></div>
      <div class="nnv-surface" style="width:${CMP}px;height:${CMP}px">
        <canvas class="nnv-cmp-img" style="left:0;top:0;width:${CMP}px;height:${CMP}px"></canvas>
        <canvas class="nnv-cmp-points"></canvas>
      </div>
      <div class="nnv-cmp-cap"><span>step </span><span data-nnviz="step">0</span><span class="nnv-cmp-rest"></span></div>
    </div>`).join("");
  root.innerHTML = `<canvas data-nnviz="compare-loss"></canvas><div class="nnv-cmp-row">${runs}</div>`;
  const q = (sel) => Array.from(root.querySelectorAll(sel));
  return { loss: root.querySelector("[data-nnviz=compare-loss]"), titles: q(".nnv-cmp-title"), imgs: q(".nnv-cmp-img"),
           points: q(".nnv-cmp-points"), steps: q("[data-nnviz=step]"), rests: q(".nnv-cmp-rest"), caps: q(".nnv-cmp-cap") };
}

function drawComparePoints(st, b) {
  const { header: h, arrays: a } = b;
  const X = (v) => ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * CMP, Y = (v) => CMP - X(v);
  const cls = h.task === "classification";
  for (const canvas of st.els.points) {
    const ctx = sized(canvas, CMP, CMP);
    ctx.clearRect(0, 0, CMP, CMP);
    for (let k = 0; k < a.px.length; k++) {
      const c = a.pc[k], u = cls ? (c >= 0.5 ? 255 : 0) : Math.round((Math.min(Math.max(c, -1), 1) + 1) * 127.5);
      ctx.fillStyle = `rgb(${NEURON_LUT[u * 4]},${NEURON_LUT[u * 4 + 1]},${NEURON_LUT[u * 4 + 2]})`;
      ctx.beginPath(); ctx.arc(X(a.px[k]), Y(a.py[k]), 2.2, 0, 2 * Math.PI); ctx.fill();
      ctx.lineWidth = 0.6; ctx.strokeStyle = "#fff"; ctx.stroke();
    }
    ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.strokeRect(0.5, 0.5, CMP - 1, CMP - 1);
  }
}

function drawCompare(st, b, i) {
  const { header: h, arrays: a } = b;
  const series = [];
  h.runs.forEach((run, r) => {
    const frames = run.frames, k = Math.min(i, frames.length - 1), f = frames[k];
    const surf = a[`s${r}`], [, res] = surf.shape, canvas = st.els.imgs[r];
    if (canvas.width !== res) { canvas.width = res; canvas.height = res; }
    const ctx = canvas.getContext("2d", { alpha: false });
    const img = ctx.createImageData(res, res), px = img.data, off = k * res * res;
    for (let y = 0; y < res; y++)
      for (let x = 0; x < res; x++) {
        const l = surf[off + (res - 1 - y) * res + x] * 4, o = (y * res + x) * 4;
        px[o] = SURFACE_LUT[l]; px[o + 1] = SURFACE_LUT[l + 1]; px[o + 2] = SURFACE_LUT[l + 2]; px[o + 3] = 255;
      }
    ctx.putImageData(img, 0, 0);
    st.els.titles[r].textContent = run.label;
    st.els.steps[r].textContent = f.step.toLocaleString("en-US");
    const over = run.diverged !== null && k === frames.length - 1;
    st.els.caps[r].classList.toggle("nnv-diverged", over);
    st.els.rests[r].textContent = over ? ` · diverged at step ${run.diverged}`
      : ` · train loss ${fmt(f.train_loss)}` + (h.has_test ? ` · test loss ${fmt(f.test_loss)}` : "");
    const cs = a[`c${r}_step`], cl = a[`c${r}_loss`], n = cs.length;
    const xs = new Float64Array(n + k + 1), v = new Float64Array(n + k + 1);
    xs.set(cs); for (let j = 0; j < n; j++) v[j] = cl[j];
    for (let j = 0; j <= k; j++) { xs[n + j] = frames[j].step; v[n + j] = frames[j].train_loss === null ? NaN : frames[j].train_loss; }
    series.push({ name: run.label, color: COMPARE_COLORS[r % 4], values: v, xs });
  });
  const width = Math.max(320, Math.floor(st.root.clientWidth || 700));
  lineChart(st.els.loss, width, 260, "Training loss of each run (log scale)", [], series, { log: true });
}

// ---- the network view ------------------------------------------------------------------------
function layout(rows, maxWidth) {
  const maxRows = Math.max(...rows);
  const box = maxRows <= 6 ? 48 : maxRows <= 10 ? 36 : 28;
  const pitch = box + (maxRows <= 10 ? 14 : 8);
  const left = 64, top = 26, right = 16, n = rows.length;
  const gap = n <= 1 ? 150 : Math.floor(Math.min(170, Math.max(box + 46, (maxWidth - left - right - box) / (n - 1))));
  const width = left + (n - 1) * gap + box + right, height = top + maxRows * pitch;
  const colX = rows.map((_, c) => left + c * gap), nx = [], ny = [];
  rows.forEach((k, c) => {
    const y0 = top + Math.floor(((maxRows - k) * pitch) / 2);
    for (let r = 0; r < k; r++) { nx.push(colX[c]); ny.push(y0 + r * pitch); }
  });
  return { box, width, height, colX, nx, ny, top };
}

function buildNetwork(root) {
  root.innerHTML = `<div class="nnv-network"><canvas data-nnviz="network"></canvas><div class="nnv-tip"></div></div>`;
  return { canvas: root.querySelector("canvas"), tip: root.querySelector(".nnv-tip"), atlas: document.createElement("canvas") };
}

function networkOf(b) {
  // The network part of a batch, as its own {header, arrays}.
  if (b.net === undefined) {
    const h = b.header.network, a = b.arrays;
    b.net = h ? { header: h, arrays: { thumbs: a.net_thumbs, w: a.net_w, b: a.net_b } } : null;
  }
  return b.net;
}

function edgesOf(sizes) {
  const starts = [0];
  for (const s of sizes) starts.push(starts[starts.length - 1] + s);
  const e = [];
  for (let l = 0; l + 1 < sizes.length; l++)
    for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) e.push([starts[l] + i, starts[l + 1] + j]);
  return { edges: e, starts };
}

function drawNetwork(st, b, t) {
  const { header: h, arrays: a } = b;
  const sizes = h.sizes, geo = layout(sizes, Math.min(980, st.net.root.clientWidth || 980));
  const [, nN, r] = a.thumbs.shape;
  const { edges, starts } = edgesOf(sizes);
  const w = a.w.subarray(t * a.w.length / a.w.shape[0], (t + 1) * a.w.length / a.w.shape[0]);
  const bias = a.b.subarray(t * a.b.length / a.b.shape[0], (t + 1) * a.b.length / a.b.shape[0]);
  st.net.shown = { geo, edges, starts, w, bias, labels: h.labels.flat(), sizes };
  const ctx = sized(st.net.els.canvas, geo.width, geo.height, true);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, geo.width, geo.height);
  const box = geo.box;
  ctx.globalAlpha = 0.7; ctx.lineCap = "round";
  edges.forEach(([p, q], k) => {
    const v = w[k];
    ctx.strokeStyle = v >= 0 ? rgb(BLUE) : rgb(ORANGE);
    ctx.lineWidth = 0.5 + 6.5 * Math.min(Math.abs(v) / 1.5, 1);
    ctx.beginPath(); ctx.moveTo(geo.nx[p] + box, geo.ny[p] + box / 2); ctx.lineTo(geo.nx[q], geo.ny[q] + box / 2); ctx.stroke();
  });
  ctx.globalAlpha = 1;
  // Every thumbnail into one atlas (r x nN*r), rows flipped, then one drawImage per neuron.
  const atlas = st.net.els.atlas;
  if (atlas.width !== r || atlas.height !== nN * r) { atlas.width = r; atlas.height = nN * r; st.net.atlasImg = null; }
  const actx = atlas.getContext("2d");
  const img = st.net.atlasImg || (st.net.atlasImg = actx.createImageData(r, nN * r));
  const px = img.data, off = t * nN * r * r;
  for (let n = 0; n < nN; n++)
    for (let y = 0; y < r; y++) {
      const src = off + n * r * r + (r - 1 - y) * r, dst = (n * r + y) * r;
      for (let x = 0; x < r; x++) {
        const l = a.thumbs[src + x] * 4, o = (dst + x) * 4;
        px[o] = NEURON_LUT[l]; px[o + 1] = NEURON_LUT[l + 1]; px[o + 2] = NEURON_LUT[l + 2]; px[o + 3] = 255;
      }
    }
  actx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.strokeStyle = "#777"; ctx.lineWidth = 1;
  for (let n = 0; n < nN; n++) {
    ctx.drawImage(atlas, 0, n * r, r, r, geo.nx[n], geo.ny[n], box, box);
    ctx.strokeRect(geo.nx[n] + 0.5, geo.ny[n] + 0.5, box - 1, box - 1);
  }
  ctx.fillStyle = "#333"; ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  h.titles.forEach((title, c) => ctx.fillText(title, geo.colX[c] + box / 2, geo.top - 14));
  ctx.font = "11px sans-serif"; ctx.textAlign = "right";
  for (let k = 0; k < sizes[0]; k++) ctx.fillText(h.labels[0][k], geo.colX[0] - 6, geo.ny[k] + box / 2);
}

function hover(st, ev) {
  const s = st.net.shown, tip = st.net.els.tip;
  if (!s) return;
  const rect = st.net.els.canvas.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
  const { geo } = s, box = geo.box;
  let text = null;
  for (let n = 0; n < geo.nx.length && text === null; n++)
    if (x >= geo.nx[n] && x <= geo.nx[n] + box && y >= geo.ny[n] && y <= geo.ny[n] + box)
      text = n < s.sizes[0] ? `${s.labels[n]} (input)` : `${s.labels[n]} · bias ${s.bias[n - s.sizes[0]].toFixed(4)}`;
  if (text === null) {
    let best = 5, k = -1;
    s.edges.forEach(([p, q], e) => {
      const ax = geo.nx[p] + box, ay = geo.ny[p] + box / 2, bx = geo.nx[q], by = geo.ny[q] + box / 2;
      const dx = bx - ax, dy = by - ay, u = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
      const d = Math.hypot(ax + u * dx - x, ay + u * dy - y);
      if (d < best) { best = d; k = e; }
    });
    if (k >= 0) text = `${s.labels[s.edges[k][0]]} → ${s.labels[s.edges[k][1]]} · weight ${s.w[k].toFixed(4)}`;
  }
  tip.style.display = text ? "block" : "none";
  if (text) { tip.textContent = text; tip.style.left = x + 12 + "px"; tip.style.top = y + 12 + "px"; }
}

// ---- playing ---------------------------------------------------------------------------------
const STATES = new WeakMap();

function loop(st) {
  st.raf = 0;
  if (!st.batches.length) return;
  const now = performance.now();
  const [b, due] = current(st.batches, now);
  // Show every frame: after a long task (a Streamlit rerun) step through the missed ones, one per
  // animation frame, until the playback is back on time (the next batch starts on schedule).
  const i = st.drawn === b ? Math.min(due, st.index + 1) : (b.header.running ? Math.min(due, 0) : due);
  if (st.kind === "compare") {
    if (st.drawn !== b || st.index !== i) {
      if (st.pointsOf !== b) { drawComparePoints(st, b); st.pointsOf = b; }
      drawCompare(st, b, i);
    }
  } else if (st.drawn !== b || st.index !== i) {
    if (st.pointsOf !== b) { drawPoints(st, b); st.pointsOf = b; }
    drawMain(st, b, i);
  }
  const net = st.kind === "compare" ? null : networkOf(b);
  if (st.els.netwrap) st.els.netwrap.style.display = net ? "" : "none";
  if (net) {
    if (!st.net) {
      const root = document.createElement("div");
      st.els.netwrap.appendChild(root);
      st.net = { root, els: buildNetwork(root) };
      st.net.els.canvas.addEventListener("mousemove", (ev) => hover(st, ev));
      st.net.els.canvas.addEventListener("mouseleave", () => { st.net.els.tip.style.display = "none"; });
    }
    // The newest thumbnail frame at or before i (the batch's last frame always has one).
    const tf = net.header.thumb_frames;
    let t = -1;
    for (let k = 0; k < tf.length; k++) if (tf[k] <= i) t = k;
    if (t >= 0 && (st.net.drawn !== b || st.net.thumb !== t)) { drawNetwork(st, net, t); st.net.drawn = b; st.net.thumb = t; }
  }
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

function wake(st) {
  if (st.timer) { clearTimeout(st.timer); st.timer = 0; }
  if (!st.raf) st.raf = requestAnimationFrame(() => loop(st));
}

export default function (component) {
  const { data, parentElement } = component;
  const batch = decode(data);
  if (!batch) return;
  let st = STATES.get(parentElement);
  const kind = batch.header.kind === "compare" ? `compare${batch.header.runs.length}` : "main";
  if (st && st.layout !== kind) { st.cleanup(); st.root.remove(); st = null; }  // another layout
  if (!st) {
    const root = document.createElement("div");
    root.className = "nnv-root";
    parentElement.appendChild(root);  // beside Streamlit's own <style> child
    st = { root, batches: [], raf: 0, timer: 0, net: null, layout: kind,
           kind: batch.header.kind === "compare" ? "compare" : "main" };
    st.els = st.kind === "compare" ? buildCompare(root, batch.header.runs.length) : buildMain(root);
    if (st.kind === "main") {
      st.els.points.addEventListener("mousemove", (ev) => pointTip(st, ev));
      st.els.points.addEventListener("mouseleave", () => { st.els.tip.style.display = "none"; });
    }
    st.cleanup = () => {
      if (st.raf) cancelAnimationFrame(st.raf);
      if (st.timer) clearTimeout(st.timer);
      st.raf = 0; st.timer = 0;
      STATES.delete(parentElement);
    };
    STATES.set(parentElement, st);
  }
  const h = batch.header;
  const n = h.kind === "compare" ? Math.max(...h.runs.map((r) => r.frames.length)) : h.frames.length;
  if (st.batches.some((x) => x.header.batch === h.batch)) return st.cleanup;  // the same batch again
  batch.sched = schedule(h, n);
  if (!h.running) st.batches = [];
  st.batches.push(batch);
  const now = performance.now();
  // Keep the newest batch that has started and any that start later.
  while (st.batches.length > 1 && st.batches[1].sched.start <= now) st.batches.shift();
  wake(st);
  return st.cleanup;  // Streamlit keeps only the last cleanup returned, and calls it on unmount
}
