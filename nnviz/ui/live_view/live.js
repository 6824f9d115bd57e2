// nnviz live view, the playground's (its module follows shared.js, which Python prepends): plays
// a batch of frames per server tick on <canvas>. `data` is nnviz.labs.playground.frames' payload.
// One element draws the metrics, the decision surface with the points, the loss and accuracy
// curves and, when the header has "network", the graph with every neuron's thumbnail; or, for
// header kind "compare", the comparison runs. State lives per parentElement (mountView), so an
// update redraws in place (no remount, no flash).
//
// Editing points: while the header's `edit` has a mode ("add" or "erase"), a click on the plot adds
// (erases around) one point, a drag paints (erases along) a stroke, one point per EDIT_PX of
// movement. Each stroke is an edit {seq, mode, label, xy: [[x1, x2], ...]} in data coordinates;
// every edit not yet applied goes to the server as the trigger value "points" = {client, edits}
// (client: this view's random id). The server applies the edits it has not seen and says which it
// has in `edit.acks` = {client: seq, ...}, per view (an element redrawn in a new parent is a new
// view whose old self may still resend); until then the view draws the stroke itself (a preview).
// So a stroke sent while a rerun is on its way, whose trigger Streamlit may merge with the next, is
// never lost: the next message carries it again.

const ORANGE = [245, 147, 34], MID = [232, 234, 235], BLUE = [8, 119, 189];
const LIGHT = [[249, 197, 140], [243, 244, 244], [127, 180, 220]];
const SERIES = ["#1f1f1f", "#d62728", "#2ca02c", "#9467bd"];

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

// More than two classes (header n_classes > 2): orange and blue as above, then Okabe and Ito's
// colour-blind-safe colours; nnviz.labs.playground.views.CLASS_COLORS names them in the same order.
const CLASS_RGB = [ORANGE, BLUE, [0, 158, 115], [204, 121, 167], [240, 228, 66], [213, 94, 0], [86, 180, 233], [0, 0, 0]];
const CLASS_NAMES = ["orange", "blue", "green", "pink", "yellow", "vermillion", "sky blue", "black"];
const classRgb = (k) => CLASS_RGB[k % CLASS_RGB.length];
const manyClasses = (h) => h.task === "classification" && h.n_classes > 2;
const LUTS = new Map();

function classLut(K, crisp) {
  // A surface code of frames.class_codes -> colour: class k = floor(code / L) and certainty
  // u = (code % L) / (L - 1), L = floor(256 / K), from the unsure grey (u = 0) to the class's
  // light colour (u = 1, as light as the two-class surface's ends; always 1 when discretized).
  const key = `s${K}${crisp}`;
  if (LUTS.has(key)) return LUTS.get(key);
  const L = Math.floor(256 / K), t = new Uint8ClampedArray(256 * 4), grey = LIGHT[1];
  for (let i = 0; i < 256; i++) {
    const k = Math.floor(i / L), u = k < K ? (crisp ? 1 : (i % L) / (L - 1)) : 0, c = classRgb(Math.min(k, K - 1));
    for (let j = 0; j < 3; j++) t[i * 4 + j] = Math.round(grey[j] * (1 - u) + (255 + 0.53 * (c[j] - 255)) * u);
    t[i * 4 + 3] = 255;
  }
  LUTS.set(key, t);
  return t;
}

function probabilityLut(k) {
  // An output neuron's thumbnail, P(class k) on 0..255: from the neutral grey to class k's colour.
  const key = `p${k}`;
  if (!LUTS.has(key)) LUTS.set(key, lut([MID, classRgb(k)]));
  return LUTS.get(key);
}

function pointColor(h, c) {
  // A data point: its class's colour (orange/blue for two classes), or its target on the diverging scale.
  if (manyClasses(h)) return rgb(classRgb(c));
  const u = h.task === "classification" ? (c >= 0.5 ? 255 : 0) : Math.round((Math.min(Math.max(c, -1), 1) + 1) * 127.5);
  return `rgb(${NEURON_LUT[u * 4]},${NEURON_LUT[u * 4 + 1]},${NEURON_LUT[u * 4 + 2]})`;
}

function confusionChart(canvas, width, counts, K, of) {
  // The confusion matrix of one frame (counts: K*K, row-major): rows the true class, columns the
  // predicted one; each cell its count, filled with the predicted class's colour by its share of
  // the row (a perfect model fills the diagonal).
  const L = 74, T = 56, cell = Math.max(22, Math.min(34, Math.floor((width - L - 10) / K))), H = T + K * cell + 8;
  const ctx = sized(canvas, width, H, true);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, H);
  ctx.font = "bold 13px sans-serif"; ctx.fillStyle = "#31333f"; ctx.textBaseline = "middle"; ctx.textAlign = "left";
  ctx.fillText(`Confusion matrix (${of} points)`, 52, 11);
  ctx.font = "11px sans-serif"; ctx.fillStyle = "#555"; ctx.textAlign = "center";
  ctx.textAlign = "left"; ctx.fillText("predicted class →", L, 27);
  ctx.textAlign = "right"; ctx.fillText("true class ↓", L - 6, T - 13);
  for (let r = 0; r < K; r++) {
    let total = 0;
    for (let c = 0; c < K; c++) total += counts[r * K + c];
    const y = T + r * cell;
    ctx.fillStyle = rgb(classRgb(r)); ctx.fillRect(L - 20, y + cell / 2 - 5, 10, 10);
    ctx.fillStyle = "#31333f"; ctx.textAlign = "right"; ctx.fillText(String(r), L - 26, y + cell / 2);
    for (let c = 0; c < K; c++) {
      const n = counts[r * K + c], share = total ? n / total : 0, col = classRgb(c), x = L + c * cell;
      ctx.fillStyle = `rgb(${col.map((v) => Math.round(255 + share * 0.85 * (v - 255))).join(",")})`;
      ctx.fillRect(x, y, cell, cell);
      ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
      ctx.fillStyle = share > 0.6 ? "#fff" : "#31333f"; ctx.textAlign = "center";
      ctx.fillText(String(n), x + cell / 2, y + cell / 2);
    }
  }
  for (let c = 0; c < K; c++) {
    ctx.fillStyle = "#31333f"; ctx.textAlign = "center"; ctx.fillText(String(c), L + c * cell + cell / 2, T - 17);
    ctx.fillStyle = rgb(classRgb(c)); ctx.fillRect(L + c * cell + cell / 2 - 5, T - 9, 10, 6);
  }
}

// ---- the main view: metrics, surface, curves ------------------------------------------------
const SL = 40, SB = 34, ST = 6, SR = 14, DOMAIN = [-1.5, 1.5];
// The surface's side: 400 px, or what a narrow container (a phone) leaves, set when the view is built.
let PLOT = 400;

function buildMain(root) {
  PLOT = Math.max(200, Math.min(400, Math.floor((root.clientWidth || SL + 400 + SR) - SL - SR)));
  root.innerHTML = `
    <div class="nnv-metrics">
      <div class="nnv-metric"><div class="nnv-label">Step</div><canvas class="nnv-value" data-nnviz="step">0</canvas></div>
      <div class="nnv-metric"><div class="nnv-label">Epoch</div><canvas class="nnv-value" data-nnviz="epoch">0.0</canvas></div>
      <div class="nnv-metric"><div class="nnv-label">Train loss</div><canvas class="nnv-value" data-nnviz="train-loss">–</canvas></div>
      <div class="nnv-metric"><div class="nnv-label">Test loss</div><canvas class="nnv-value" data-nnviz="test-loss">–</canvas></div>
      <div class="nnv-metric"><div class="nnv-label" data-nnviz="last-label">Test accuracy</div><canvas class="nnv-value" data-nnviz="last">–</canvas></div>
    </div>
    <div class="nnv-row">
      <div class="nnv-surface-col">
      <div class="nnv-surface" style="width:${SL + PLOT + SR}px;height:${ST + PLOT + SB}px">
        <canvas class="nnv-surface-img" data-nnviz="surface"
          style="left:${SL}px;top:${ST}px;width:${PLOT}px;height:${PLOT}px"></canvas>
        <canvas class="nnv-surface-points" data-nnviz="points"></canvas>
        <canvas class="nnv-surface-edit" data-nnviz="edit-preview"></canvas>
        <div class="nnv-tip"></div>
      </div>
      <div class="nnv-points-count" data-nnviz="points-count"></div>
      </div>
      <div class="nnv-curves"><canvas data-nnviz="loss"></canvas><canvas data-nnviz="accuracy"></canvas><canvas
        data-nnviz="confusion" style="display:none"></canvas></div>
    </div>
    <div class="nnv-netwrap"></div>`;
  const q = (s) => root.querySelector(s);
  return {
    step: q("[data-nnviz=step]"), epoch: q("[data-nnviz=epoch]"), train: q("[data-nnviz=train-loss]"),
    test: q("[data-nnviz=test-loss]"), last: q("[data-nnviz=last]"), lastLabel: q("[data-nnviz=last-label]"),
    surface: q("[data-nnviz=surface]"), points: q(".nnv-surface-points"), curves: q(".nnv-curves"),
    tip: q(".nnv-surface .nnv-tip"), edit: q(".nnv-surface-edit"), box: q(".nnv-surface"),
    count: q("[data-nnviz=points-count]"),
    loss: q("[data-nnviz=loss]"), acc: q("[data-nnviz=accuracy]"), confusion: q("[data-nnviz=confusion]"),
    netwrap: q(".nnv-netwrap"),
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
  const what = manyClasses(h) ? `class ${a.pc[k]} (${CLASS_NAMES[a.pc[k] % CLASS_NAMES.length]})`
    : h.task === "classification" ? `label ${a.pc[k] >= 0.5 ? "1 (blue)" : "0 (orange)"}` : `target ${a.pc[k].toFixed(3)}`;
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
  ctx.save(); ctx.beginPath(); ctx.rect(SL, ST, PLOT, PLOT); ctx.clip();
  for (let k = 0; k < a.px.length; k++) {
    ctx.fillStyle = pointColor(h, a.pc[k]);
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

// ---- editing points ---------------------------------------------------------------------------
const EDIT_PX = 8;
const toData = (px) => DOMAIN[0] + (px / PLOT) * (DOMAIN[1] - DOMAIN[0]);

function editOf(st) {
  // What a click does now: the newest batch's `edit` (null: nothing, the plot only shows).
  const b = st.batches[st.batches.length - 1];
  const e = b && b.header.edit;
  return e && (e.mode === "add" || e.mode === "erase") ? e : null;
}

function pendingEdits(st) {
  // Edits the server has not applied yet (its acks name the last it applied, per client).
  const b = st.batches[st.batches.length - 1], e = b && b.header.edit, done = e && e.acks && e.acks[st.client];
  if (done !== undefined) st.pending = st.pending.filter((x) => x.seq > done);
  return st.pending;
}

function plotXY(st, ev) {
  // The pointer in data coordinates, or null outside the plot square.
  const rect = st.els.box.getBoundingClientRect(), x = ev.clientX - rect.left - SL, y = ev.clientY - rect.top - ST;
  if (x < 0 || y < 0 || x > PLOT || y > PLOT) return null;
  return { px: x, py: y, x1: toData(x), x2: toData(PLOT - y) };
}

function drawEdit(st) {
  // The strokes not yet applied (added points; the eraser's path) and the eraser's ring.
  const W = SL + PLOT + SR, H = ST + PLOT + SB, ctx = sized(st.els.edit, W, H);
  ctx.clearRect(0, 0, W, H);
  const b = st.batches[st.batches.length - 1];
  if (!b) return;
  const X = (v) => SL + ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * PLOT;
  const Y = (v) => ST + PLOT - ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * PLOT;
  const strokes = pendingEdits(st).slice();
  if (st.stroke) strokes.push(st.stroke);
  ctx.save(); ctx.beginPath(); ctx.rect(SL, ST, PLOT, PLOT); ctx.clip();
  for (const e of strokes) {
    for (const [x1, x2] of e.xy) {
      ctx.beginPath();
      if (e.mode === "add") {
        ctx.fillStyle = pointColor(b.header, e.label);
        ctx.arc(X(x1), Y(x2), 3.6, 0, 2 * Math.PI); ctx.fill();
        ctx.lineWidth = 0.9; ctx.strokeStyle = "#fff"; ctx.stroke();
      } else {
        ctx.fillStyle = "rgba(255,255,255,0.55)";
        ctx.arc(X(x1), Y(x2), (e.radius / (DOMAIN[1] - DOMAIN[0])) * PLOT, 0, 2 * Math.PI); ctx.fill();
      }
    }
  }
  const edit = editOf(st);
  if (edit && edit.mode === "erase" && st.hoverAt) {
    ctx.beginPath(); ctx.lineWidth = 1.5; ctx.strokeStyle = "#333";
    ctx.arc(st.hoverAt.px + SL, st.hoverAt.py + ST, (edit.radius / (DOMAIN[1] - DOMAIN[0])) * PLOT, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.restore();
}

function sendEdits(st) {
  const edits = pendingEdits(st);
  if (!st.trigger || !edits.length) return;
  st.trigger("points", { client: st.client, edits: edits.map(({ seq, mode, label, xy }) => ({ seq, mode, label, xy })) });
  // Not applied in a while (the message was lost): send what is still pending again.
  clearTimeout(st.resendTimer);
  st.resendTimer = setTimeout(() => { if (pendingEdits(st).length) sendEdits(st); }, 3000);
}

function setupEditing(st) {
  st.client = Math.random().toString(36).slice(2, 10);
  st.seq = 0; st.pending = []; st.stroke = null; st.hoverAt = null;
  st.disposers.push(() => clearTimeout(st.resendTimer));  // an unmounted view resends nothing
  const box = st.els.box;
  box.addEventListener("pointerdown", (ev) => {
    const edit = editOf(st), at = plotXY(st, ev);
    if (!edit || !at || ev.button !== 0) return;
    ev.preventDefault();
    box.setPointerCapture(ev.pointerId);
    st.stroke = { seq: ++st.seq, mode: edit.mode, label: edit.label, radius: edit.radius, xy: [[at.x1, at.x2]], last: at };
    drawEdit(st);
  });
  box.addEventListener("pointermove", (ev) => {
    const edit = editOf(st);
    if (!edit) { if (st.hoverAt) { st.hoverAt = null; drawEdit(st); } return; }
    const at = plotXY(st, ev);
    st.hoverAt = at;
    const s = st.stroke;
    if (s && at && Math.hypot(at.px - s.last.px, at.py - s.last.py) >= EDIT_PX) {
      s.xy.push([at.x1, at.x2]); s.last = at;
    }
    drawEdit(st);
  });
  const finish = () => {
    const s = st.stroke;
    if (!s) return;
    st.stroke = null;
    st.pending.push(s);
    sendEdits(st);
    drawEdit(st);
  };
  box.addEventListener("pointerup", finish);
  box.addEventListener("pointercancel", finish);
  box.addEventListener("pointerleave", () => { if (st.hoverAt && !st.stroke) { st.hoverAt = null; drawEdit(st); } });
}

function updateEditing(st, b) {
  // A new batch: the cursor for its mode, the point count, the previews it has applied gone.
  const { header: h } = b, edit = editOf(st), p = h.points;
  setStyle(st.els.box, "cursor", edit ? (edit.mode === "add" ? "crosshair" : "cell") : "");
  setStyle(st.els.box, "touchAction", edit ? "none" : "");
  if (p) {
    const words = `${thousands(p.n_train)} training point${p.n_train === 1 ? "" : "s"} · ${thousands(p.n_test)} test`
      + (p.custom ? " · your own points" : " · generated") + (p.n_train ? "" : " · add points to train");
    setText(st.els.count, words);
    st.els.count.dataset.train = String(p.n_train);
    st.els.count.dataset.test = String(p.n_test);
  }
  st.els.count.dataset.edit = edit ? `${edit.mode}:${edit.label === null ? "" : edit.label}` : "";
  drawEdit(st);
}

const NUMBERS_MS = 100;

function drawMain(st, b, i) {
  const { header: h, arrays: a } = b;
  const f = h.frames[i];
  const els = st.els;
  setCanvasText(st.values.step, thousands(f.step));
  // The other numbers change ten times a second while playing (four decimals at 30 frames/s are
  // a blur, and each changed canvas costs the compositor), every frame of a paused state.
  const now = performance.now(), settled = !h.running || i === h.frames.length - 1;
  if (settled || !(now - st.numbersAt < NUMBERS_MS)) {
    st.numbersAt = now;
    setCanvasText(st.values.epoch, f.epoch.toFixed(1));
    setCanvasText(st.values.train, fmt(f.train_loss));
    setCanvasText(st.values.test, fmt(f.test_loss));
    if (h.task === "classification") {
      const useTest = f.test_accuracy !== null;
      setText(els.lastLabel, useTest ? "Test accuracy" : "Train accuracy");
      setCanvasText(st.values.last, pct(useTest ? f.test_accuracy : f.train_accuracy));
    } else {
      setText(els.lastLabel, "Parameters");
      setCanvasText(st.values.last, thousands(h.n_params));
    }
    if (manyClasses(h)) {
      const K = h.n_classes;
      confusionChart(els.confusion, Math.max(280, Math.floor(st.curvesWidth.w || 420)), a.confusion.subarray(i * K * K, (i + 1) * K * K),
                     K, h.confusion_of);
    }
  }
  setStyle(els.confusion, "display", manyClasses(h) ? "" : "none");
  // The surface: uint8 codes -> colours, rows flipped (x2 rises upwards), on a res x res canvas
  // that CSS scales up (smoothed, or crisp when discretized): few pixels to draw per frame.
  const [, res] = a.surfaces.shape;
  const small = els.surface;
  if (small.width !== res) { small.width = res; small.height = res; }
  setStyle(small, "imageRendering", h.discretize ? "pixelated" : "auto");
  const sctx = small.getContext("2d", { alpha: false });
  const img = st.img && st.img.width === res ? st.img : (st.img = sctx.createImageData(res, res));
  const px = img.data, off = i * res * res, cls = h.task === "classification";
  // More than two classes: each code is a class and a certainty (frames.class_codes), its own LUT.
  const many = manyClasses(h), LUT = many ? classLut(h.n_classes, h.discretize) : SURFACE_LUT;
  for (let r = 0; r < res; r++) {
    const src = off + (res - 1 - r) * res;
    for (let c = 0; c < res; c++) {
      let v = a.surfaces[src + c];
      if (h.discretize && !many) v = cls ? (v >= 128 ? 255 : 0) : Math.round(Math.round((v / 255) * 8) * (255 / 8));
      const o = (r * res + c) * 4, l = v * 4;
      px[o] = LUT[l]; px[o + 1] = LUT[l + 1]; px[o + 2] = LUT[l + 2]; px[o + 3] = 255;
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
  const width = Math.max(280, Math.floor(st.curvesWidth.w || 420));
  const loss = [{ name: "train loss", color: SERIES[0], values: col("curve_train_loss", "train_loss") }];
  if (h.has_test) loss.push({ name: "test loss", color: SERIES[1], values: col("curve_test_loss", "test_loss") });
  lineChart(els.loss, width, 215, h.log ? "Loss (log scale)" : "Loss", xs, loss, { log: h.log });
  setStyle(els.acc, "display", h.task === "classification" ? "" : "none");
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
      <div class="nnv-cmp-cap"><div class="nnv-cmp-line"><span>step&nbsp;</span><span class="nnv-cmp-num"><canvas
        data-nnviz="step">0</canvas></span></div><div class="nnv-cmp-more"><canvas class="nnv-cmp-rest"> </canvas></div></div>
    </div>`).join("");
  root.innerHTML = `<canvas data-nnviz="compare-loss"></canvas><div class="nnv-cmp-row">${runs}</div>`;
  const q = (sel) => Array.from(root.querySelectorAll(sel));
  return { loss: root.querySelector("[data-nnviz=compare-loss]"), titles: q(".nnv-cmp-title"), imgs: q(".nnv-cmp-img"),
           points: q(".nnv-cmp-points"), steps: q("[data-nnviz=step]"), rests: q(".nnv-cmp-rest"), caps: q(".nnv-cmp-cap") };
}

function drawComparePoints(st, b) {
  const { header: h, arrays: a } = b;
  const X = (v) => ((v - DOMAIN[0]) / (DOMAIN[1] - DOMAIN[0])) * CMP, Y = (v) => CMP - X(v);
  for (const canvas of st.els.points) {
    const ctx = sized(canvas, CMP, CMP);
    ctx.clearRect(0, 0, CMP, CMP);
    for (let k = 0; k < a.px.length; k++) {
      ctx.fillStyle = pointColor(h, a.pc[k]);
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
    const LUT = manyClasses(h) ? classLut(h.n_classes, false) : SURFACE_LUT;
    for (let y = 0; y < res; y++)
      for (let x = 0; x < res; x++) {
        const l = surf[off + (res - 1 - y) * res + x] * 4, o = (y * res + x) * 4;
        px[o] = LUT[l]; px[o + 1] = LUT[l + 1]; px[o + 2] = LUT[l + 2]; px[o + 3] = 255;
      }
    ctx.putImageData(img, 0, 0);
    setText(st.els.titles[r], run.label);
    const over = run.diverged !== null && k === frames.length - 1, cap = st.els.caps[r];
    if (cap.classList.contains("nnv-diverged") !== over) {
      cap.classList.toggle("nnv-diverged", over);
      st.steps[r].restyle(); st.rests[r].restyle();
    }
    setCanvasText(st.steps[r], thousands(f.step));
    setCanvasText(st.rests[r], over ? `diverged at step ${run.diverged}`
      : `train loss ${fmt(f.train_loss)}` + (h.has_test ? ` · test loss ${fmt(f.test_loss)}` : ""));
    const cs = a[`c${r}_step`], cl = a[`c${r}_loss`], n = cs.length;
    const xs = new Float64Array(n + k + 1), v = new Float64Array(n + k + 1);
    xs.set(cs); for (let j = 0; j < n; j++) v[j] = cl[j];
    for (let j = 0; j <= k; j++) { xs[n + j] = frames[j].step; v[n + j] = frames[j].train_loss === null ? NaN : frames[j].train_loss; }
    series.push({ name: run.label, color: COMPARE_COLORS[r % 4], values: v, xs });
  });
  const width = Math.max(320, Math.floor(st.rootWidth.w || 700));
  lineChart(st.els.loss, width, 260, "Training loss of each run (log scale)", [], series, { log: true });
}

// ---- the network view ------------------------------------------------------------------------
function layout(rows, maxWidth) {
  const maxRows = Math.max(...rows);
  const left = 64, top = 26, right = 16, n = rows.length;
  // Boxes shrink (48 -> 36 -> 28 px) where the columns would not fit the width (a phone).
  const fits = (b) => n <= 1 || left + (n - 1) * (b + 24) + b + right <= maxWidth;
  let box = maxRows <= 6 ? 48 : maxRows <= 10 ? 36 : 28;
  while (box > 28 && !fits(box)) box -= box > 36 ? 12 : 8;
  const pitch = box + (maxRows <= 10 ? 14 : 8);
  const wide = left + (n - 1) * (box + 46) + box + right <= maxWidth;
  const gap = n <= 1 ? 150 : Math.floor(Math.min(170, Math.max(wide ? box + 46 : box + 24, (maxWidth - left - right - box) / (n - 1))));
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
  const sizes = h.sizes, geo = layout(sizes, Math.min(980, st.net.width.w || 980));
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
  // With more than two classes each output neuron (the last K) shows P(its class) in its class's colour.
  const firstOut = manyClasses(h) ? nN - h.n_classes : nN;
  for (let n = 0; n < nN; n++) {
    const LUT = n >= firstOut ? probabilityLut(n - firstOut) : NEURON_LUT;
    for (let y = 0; y < r; y++) {
      const src = off + n * r * r + (r - 1 - y) * r, dst = (n * r + y) * r;
      for (let x = 0; x < r; x++) {
        const l = a.thumbs[src + x] * 4, o = (dst + x) * 4;
        px[o] = LUT[l]; px[o + 1] = LUT[l + 1]; px[o + 2] = LUT[l + 2]; px[o + 3] = 255;
      }
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
  // A title wider than its column ("Hidden 2 · Leaky ReLU · BN") goes on two lines: "Hidden 2" above the rest.
  const room = sizes.length > 1 ? geo.colX[1] - geo.colX[0] - 6 : geo.width;
  h.titles.forEach((title, c) => {
    const x = geo.colX[c] + box / 2, cut = title.indexOf(" · ");
    if (cut < 0 || ctx.measureText(title).width <= room) { ctx.fillText(title, x, geo.top - 14); return; }
    ctx.fillText(title.slice(0, cut), x, geo.top - 20);
    ctx.font = "10px sans-serif"; ctx.fillText(title.slice(cut + 3), x, geo.top - 8); ctx.font = "bold 11px sans-serif";
  });
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
function renderMain(st, b, i, changed) {
  if (changed) {
    if (st.pointsOf !== b) { drawPoints(st, b); st.pointsOf = b; updateEditing(st, b); }
    drawMain(st, b, i);
  }
  const net = networkOf(b);
  setStyle(st.els.netwrap, "display", net ? "" : "none");
  if (!net) return;
  if (!st.net) {
    const root = document.createElement("div");
    st.els.netwrap.appendChild(root);
    st.net = { root, els: buildNetwork(root) };
    st.net.width = trackWidth(st, root, () => { st.net.drawn = null; redrawShown(st); });
    st.net.els.canvas.addEventListener("mousemove", (ev) => hover(st, ev));
    st.net.els.canvas.addEventListener("mouseleave", () => { st.net.els.tip.style.display = "none"; });
  }
  // The newest thumbnail frame at or before i (the batch's last frame always has one).
  const tf = net.header.thumb_frames;
  let t = -1;
  for (let k = 0; k < tf.length; k++) if (tf[k] <= i) t = k;
  if (t >= 0 && (st.net.drawn !== b || st.net.thumb !== t)) { drawNetwork(st, net, t); st.net.drawn = b; st.net.thumb = t; }
}

function renderCompare(st, b, i, changed) {
  if (!changed) return;
  if (st.pointsOf !== b) { drawComparePoints(st, b); st.pointsOf = b; }
  drawCompare(st, b, i);
}

const compares = (h) => h.kind === "compare";

export default function (component) {
  return mountView(component, {
    layout: (h) => (compares(h) ? `compare${h.runs.length}` : "main"),
    frames: (h) => (compares(h) ? Math.max(...h.runs.map((r) => r.frames.length)) : h.frames.length),
    build(st, batch) {
      const h = batch.header;
      st.net = null;
      if (compares(h)) {
        st.els = buildCompare(st.root, h.runs.length);
        st.rootWidth = trackWidth(st, st.root, () => redrawShown(st));
        const text = (el) => textCanvas(st, el, () => redrawShown(st));
        st.steps = st.els.steps.map(text);
        st.rests = st.els.rests.map(text);
        st.render = (b, i, changed) => renderCompare(st, b, i, changed);
      } else {
        st.els = buildMain(st.root);
        st.curvesWidth = trackWidth(st, st.els.curves, () => redrawShown(st));
        const value = (el) => textCanvas(st, el, () => redrawShown(st));
        st.values = { step: value(st.els.step), epoch: value(st.els.epoch), train: value(st.els.train),
                      test: value(st.els.test), last: value(st.els.last) };
        st.els.points.addEventListener("mousemove", (ev) => pointTip(st, ev));
        st.els.points.addEventListener("mouseleave", () => { st.els.tip.style.display = "none"; });
        setupEditing(st);
        st.render = (b, i, changed) => renderMain(st, b, i, changed);
      }
    },
  });
}
