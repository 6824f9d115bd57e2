// nnviz descent map (its module follows nnviz/ui/live_view/shared.js, which Python prepends: decode,
// sized, niceTicks, tickText, lineChart). Three views, by the payload's header kind:
// - "descent-map" (nnviz.figures.descent.map_payload): the contour picture, the minima, every run's
//   faint path, the start, the diverged runs' exits, and per step the heads with their trails and the
//   overlays (-grad f, momentum, step-size cross); a legend, a colour bar, axes; hover readout; Play /
//   Pause and a step slider (requestAnimationFrame, no server round trip); a click on the plot sends
//   the trigger value "click" = {x, y} (the page starts the runs there).
// - "descent-curve" (curve_payload): the 1D view in the same frame: the curve, the minima, each run's
//   points, and per step the heads with their trails, the tangent and the step taken; no click.
// - "descent-curves" (loss_payload): per-run curves on a log scale, with a red x where a run diverged
//   and a dot where it converged.
// - "landscape-map" (nnviz.figures.landscape.path_map_payload, slice_payloads): the map of the loss
//   landscape, drawn as the descent map with what its header adds: a `title`, axis titles (`axes`), a
//   `frame` (axes to the same scale or not, height), hover names (`hover`), per-point readouts of the
//   paths (`readout`, `point_step`), snapshot dots (`dots`), marks in a run's colour (`marks`: stars,
//   crosses), training steps as the slider's labels (array `frame_step`), no controls (`controls`
//   false); no click.
// - "landscape-curves" (nnviz.figures.landscape.curves_payload): the per-run curves with what the
//   landscape adds: a faint second curve per run (`faint`: arrays bx{r}, by{r}, the mini-batch loss),
//   a dot on every point (`dots`), an x label, and a hover readout of the nearest point (`readout`).
// State lives per parentElement: Streamlit calls the default export again with new data on the same
// element (same key), so a new payload redraws in place; the step is kept while the race is the same.

const GD_VIEWS = new WeakMap();
const GD_RED = "#d62728";
const GD_PLAY_MS = 8000;  // a whole race plays in about this long (25 steps/s at most, 1.5 s at least)
const g3 = (v) => (Number.isFinite(v) ? +v.toPrecision(3) + "" : "–");
const g4 = (v) => (Number.isFinite(v) ? +v.toPrecision(4) + "" : "–");

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const b = decode(data);
  if (!b) return undefined;
  const kind = b.header.kind;
  let st = GD_VIEWS.get(parentElement);
  if (st && st.kind !== kind) { st.cleanup(); st = null; }
  if (!st) {
    st = kind === "descent-curves" || kind === "landscape-curves" ? gdBuildCurves(parentElement) : gdBuildMap(parentElement);
    st.kind = kind;
    GD_VIEWS.set(parentElement, st);
  }
  // The newest mount's setTriggerValue (a rerun passes a new one); only the 2D map takes clicks.
  st.send = kind === "descent-map" && typeof setTriggerValue === "function" ? (v) => setTriggerValue("click", v) : null;
  st.update(b);
  return st.cleanup;  // Streamlit keeps only the last cleanup returned, and calls it on unmount
}

function gdRoot(parentElement, cls, html) {
  const root = document.createElement("div");
  root.className = `gdm-root ${cls}`;
  root.innerHTML = html;
  parentElement.appendChild(root);  // beside Streamlit's own <style> child
  return root;
}

function gdObserve(st, redraw) {
  // The view's width (st.width) comes from a ResizeObserver, which reports it after the browser's own
  // layout: reading clientWidth while Streamlit builds the page would force a layout of the whole page.
  // The first report draws the view; later ones redraw it (a wider window, the sidebar folded).
  st.width = 0;
  return observeWidth(st.root, (w) => { st.width = w; if (st.b) redraw(); });
}

// ---- the map ---------------------------------------------------------------------------------------
const ML = 46, MT = 8, MB = 44, CBW = 92;  // left, top, bottom margins; colour-bar column

function gdBuildMap(parentElement) {
  const root = gdRoot(parentElement, "gdm-map", `
    <div class="gdm-legend"></div>
    <div class="gdm-plot">
      <canvas class="gdm-base"></canvas>
      <canvas class="gdm-over" data-nnviz="map-plot"></canvas>
      <div class="gdm-tip"></div>
    </div>
    <div class="gdm-controls">
      <button type="button" class="gdm-play" data-nnviz="play">&#9654; Play</button>
      <input type="range" class="gdm-slider" data-nnviz="step-slider" min="0" max="0" step="1" value="0"
             aria-label="step">
      <span class="gdm-step">step <b data-nnviz="step">0</b></span>
    </div>`);
  root.dataset.nnviz = "descent-map";  // the 2D map or the 1D curve (data-kind)
  const q = (s) => root.querySelector(s);
  const st = {
    root, b: null, step: 0, playing: false, raf: 0, race: null, bitmap: null, imageId: null, geo: null,
    hover: null, pending: null,
    els: { legend: q(".gdm-legend"), plot: q(".gdm-plot"), base: q(".gdm-base"), over: q(".gdm-over"),
           tip: q(".gdm-tip"), play: q(".gdm-play"), slider: q(".gdm-slider"), step: q("[data-nnviz=step]") },
  };
  const els = st.els;
  els.play.addEventListener("click", () => (st.playing ? gdPause(st) : gdPlay(st)));
  els.slider.addEventListener("input", () => { gdPause(st); gdSetStep(st, +els.slider.value); });
  els.over.addEventListener("mousemove", (ev) => gdHover(st, ev));
  els.over.addEventListener("mouseleave", () => { st.hover = null; els.tip.style.display = "none"; gdDrawOver(st); });
  els.over.addEventListener("click", (ev) => gdClick(st, ev));
  const ro = gdObserve(st, () => gdRedraw(st));
  st.update = (b) => gdUpdateMap(st, b);
  st.cleanup = () => {
    if (st.raf) cancelAnimationFrame(st.raf);
    st.raf = 0; ro.disconnect();
    GD_VIEWS.delete(parentElement); root.remove();
  };
  return st;
}

function gdUpdateMap(st, b) {
  const h = b.header, same = st.race === h.race;
  st.curve = h.kind === "descent-curve"; st.root.dataset.kind = h.kind;
  st.b = b; st.race = h.race; st.pending = null; st.hover = null;
  st.els.tip.style.display = "none";
  st.els.slider.max = String(h.steps);
  const c = st.els.controls || (st.els.controls = st.root.querySelector(".gdm-controls"));
  c.style.display = h.controls === false ? "none" : "";
  if (!same) { gdPause(st); st.step = h.steps; }  // a new race opens on its finished state, as before
  st.step = Math.min(st.step, h.steps);
  gdLegend(st, h);
  if (st.width) gdRedraw(st);  // else the ResizeObserver's first report draws it
  else gdSetStep(st, st.step, false);
  // The contour picture is a PNG: decode it off the main thread, then redraw the base under the paths.
  const id = h.image_id;
  if (!st.curve && id !== st.imageId) {
    st.imageId = id; st.root.dataset.ready = "0";  // the old picture stays until the new one is decoded
    createImageBitmap(new Blob([b.arrays.image], { type: "image/png" })).then((bm) => {
      if (st.imageId !== id) { bm.close(); return; }
      if (st.bitmap) st.bitmap.close();
      st.bitmap = bm; st.bitmapId = id;
      if (st.geo) gdDrawBase(st);
    });
  }
}

function gdRedraw(st) {
  if (st.curve) { gdLayoutCurve(st); gdBaseCurve(st); } else { gdLayout(st); gdDrawBase(st); }
  gdSetStep(st, st.step);
}

function gdLegend(st, h) {
  const item = (color, name, dash) => `<span class="gdm-item"><span class="gdm-swatch" style="border-top:3px ${
    dash ? "dotted" : "solid"} ${color}"></span>${escapeHtml(name)}</span>`;
  const title = h.title ? `<span class="gdm-title">${escapeHtml(h.title)}</span>` : "";
  st.els.legend.innerHTML = title + h.runs.map((r) => item(r.color, r.title, false)).join("") +
    h.overlays.map((o) => item(o.color, o.name, o.dash)).join("");
}

function gdLayout(st) {
  // The plot keeps x and y to the same scale (as the plotly map did), as large as the column allows;
  // a header's frame.equal false fills the column's width at frame.height (the landscape's PCA axes).
  const h = st.b.header, [[x0, x1], [y0, y1]] = h.domain, frame = h.frame || { equal: true };
  const W = Math.max(320, st.width);
  const aspect = (y1 - y0) / (x1 - x0);
  let pw = frame.equal === false ? Math.min(W - ML - CBW - 8, 980) : Math.min(W - ML - CBW - 8, 620, 620 / aspect);
  pw = Math.max(160, Math.floor(pw));
  const ph = frame.equal === false ? frame.height : Math.round(pw * aspect);
  const left = Math.max(0, Math.floor((W - (ML + pw + CBW)) / 2)) + ML;
  const H = MT + ph + MB;
  st.geo = { W, H, left, top: MT, pw, ph, x0, x1, y0, y1,
             X: (x) => left + ((x - x0) / (x1 - x0)) * pw, Y: (y) => MT + ph - ((y - y0) / (y1 - y0)) * ph,
             inv: (px, py) => [x0 + ((px - left) / pw) * (x1 - x0), y0 + ((MT + ph - py) / ph) * (y1 - y0)] };
  st.els.plot.style.height = H + "px";
  st.els.over.dataset.plot = `${left},${MT},${pw},${ph}`;
  const c = st.els.controls;
  c.style.marginLeft = left + "px"; c.style.width = pw + "px";
  st.els.legend.style.marginLeft = left + "px"; st.els.legend.style.maxWidth = (pw + CBW - 10) + "px";
}

function gdStar(ctx, x, y, r) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5, rr = k % 2 ? r * 0.45 : r;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
}

function gdCross(ctx, x, y, r, color) {
  ctx.lineCap = "round";
  ctx.strokeStyle = "#fff"; ctx.lineWidth = 5;
  ctx.beginPath(); ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r); ctx.stroke();
  ctx.strokeStyle = color; ctx.lineWidth = 3;
  ctx.stroke();
  ctx.lineCap = "butt";
}

function gdDrawBase(st) {
  const { header: h, arrays: a } = st.b, g = st.geo;
  const ctx = sized(st.els.base, g.W, g.H, true);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, g.W, g.H);
  ctx.save(); ctx.beginPath(); ctx.rect(g.left, g.top, g.pw, g.ph); ctx.clip();
  if (st.bitmap) {
    ctx.imageSmoothingEnabled = true; ctx.drawImage(st.bitmap, g.left, g.top, g.pw, g.ph);
    if (st.bitmapId === h.image_id) st.root.dataset.ready = "1";  // the map is drawn with its own picture
  }
  else { ctx.fillStyle = "#dfe6dd"; ctx.fillRect(g.left, g.top, g.pw, g.ph); }
  // Minima, then each run's whole path (faint), as the plotly map layered them.
  for (const [mx, my] of h.minima) {
    gdStar(ctx, g.X(mx), g.Y(my), 8); ctx.fillStyle = "#fff"; ctx.fill();
    ctx.strokeStyle = "#000"; ctx.lineWidth = 1.2; ctx.stroke();
  }
  ctx.lineJoin = "round"; ctx.lineWidth = 1.6; ctx.globalAlpha = 0.55;
  h.runs.forEach((r, i) => {
    const p = a[`path${i}`];
    ctx.strokeStyle = r.color; ctx.beginPath();
    let pen = false;
    for (let k = 0; k < p.length; k += 2) {
      const x = p[k], y = p[k + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
      if (pen) ctx.lineTo(g.X(x), g.Y(y)); else { ctx.moveTo(g.X(x), g.Y(y)); pen = true; }
    }
    ctx.stroke();
    if (h.dots) {  // a dot at every point (the landscape's snapshots)
      ctx.fillStyle = r.color;
      for (let k = 0; k + 1 < p.length; k += 2) {
        if (!Number.isFinite(p[k]) || !Number.isFinite(p[k + 1])) continue;
        ctx.beginPath(); ctx.arc(g.X(p[k]), g.Y(p[k + 1]), 2.2, 0, 2 * Math.PI); ctx.fill();
      }
    }
  });
  ctx.globalAlpha = 1;
  if (h.start) {
    ctx.beginPath(); ctx.arc(g.X(h.start[0]), g.Y(h.start[1]), 7.5, 0, 2 * Math.PI);
    ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.stroke();
  }
  for (const r of h.runs) if (r.exit && r.exit[0] !== null) gdCross(ctx, g.X(r.exit[0]), g.Y(r.exit[1]), 5.5, GD_RED);
  ctx.restore();
  // Frame, ticks, axis titles.
  ctx.strokeStyle = "#8c8c8c"; ctx.lineWidth = 1; ctx.strokeRect(g.left + 0.5, g.top + 0.5, g.pw - 1, g.ph - 1);
  ctx.fillStyle = "#444"; ctx.font = "12px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of niceTicks(g.x0, g.x1, Math.max(3, Math.floor(g.pw / 70)))) {
    const x = g.X(t);
    ctx.beginPath(); ctx.moveTo(x, g.top + g.ph); ctx.lineTo(x, g.top + g.ph + 4); ctx.stroke();
    ctx.fillText(tickText(t), x, g.top + g.ph + 7);
  }
  const [xTitle, yTitle] = h.axes || ["x", "y"];
  ctx.font = "13px sans-serif"; ctx.fillText(xTitle, g.left + g.pw / 2, g.top + g.ph + 25);
  ctx.font = "12px sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const t of niceTicks(g.y0, g.y1, Math.max(3, Math.floor(g.ph / 70)))) {
    const y = g.Y(t);
    ctx.beginPath(); ctx.moveTo(g.left - 4, y); ctx.lineTo(g.left, y); ctx.stroke();
    ctx.fillText(tickText(t), g.left - 7, y);
  }
  ctx.save(); ctx.translate(g.left - 36, g.top + g.ph / 2); ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center"; ctx.font = "13px sans-serif"; ctx.fillText(yTitle, 0, 0); ctx.restore();
  gdColorBar(ctx, g, h.color);
}

function gdColorBar(ctx, g, c) {
  // A continuous bar of the contour's colours, 80% of the plot's height, ticks on its right.
  const bx = g.left + g.pw + 16, bw = 12, bh = Math.round(0.8 * g.ph), by = g.top + Math.round((g.ph - bh) / 2);
  const [lo, hi] = c.range;
  const grad = ctx.createLinearGradient(0, by + bh, 0, by);
  c.stops.forEach((s, k) => grad.addColorStop(k / (c.stops.length - 1), s));
  ctx.fillStyle = grad; ctx.fillRect(bx, by, bw, bh);
  ctx.strokeStyle = "#8c8c8c"; ctx.lineWidth = 1; ctx.strokeRect(bx + 0.5, by + 0.5, bw - 1, bh - 1);
  const Yc = (v) => by + bh - ((v - lo) / (hi - lo || 1)) * bh;
  const tol = 0.01 * Math.abs(hi - lo);  // a tick just outside (f = 0 on a grid that misses the minimum) still shows
  const ticks = c.ticks || niceTicks(lo - tol, hi + tol, 6).map((v) => [v, tickText(v)]);
  ctx.fillStyle = "#444"; ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
  for (const [v, text] of ticks) {
    if (v < lo - tol || v > hi + tol) continue;
    const y = Yc(Math.min(Math.max(v, lo), hi));
    ctx.beginPath(); ctx.moveTo(bx + bw, y); ctx.lineTo(bx + bw + 3, y); ctx.stroke();
    ctx.fillText(text, bx + bw + 5, y);
  }
  let tw = 0;
  for (const [, text] of ticks) tw = Math.max(tw, ctx.measureText(text).width);
  ctx.save(); ctx.translate(bx + bw + 20 + Math.min(tw, 44), by + bh / 2); ctx.rotate(Math.PI / 2);
  ctx.textAlign = "center"; ctx.font = "12px sans-serif"; ctx.fillText(c.title, 0, 0); ctx.restore();
}

function gdArrow(ctx, x0, y0, x1, y1, color, headColor, dash) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (!(len > 0.5)) return;
  const ux = (x1 - x0) / len, uy = (y1 - y0) / len, s = Math.min(9, 0.6 * len);
  ctx.strokeStyle = color; ctx.lineWidth = 2.5; ctx.setLineDash(dash ? [2.5, 3.5] : []);
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1 - ux * s * 0.8, y1 - uy * s * 0.8); ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath(); ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * s * 1.5 - uy * s * 0.75, y1 - uy * s * 1.5 + ux * s * 0.75);
  ctx.lineTo(x1 - ux * s * 1.5 + uy * s * 0.75, y1 - uy * s * 1.5 - ux * s * 0.75);
  ctx.closePath(); ctx.fillStyle = headColor; ctx.fill();
  ctx.strokeStyle = color; ctx.lineWidth = 1; ctx.stroke();
}

function gdDrawOver(st) {
  // What moves: each run's head with its last `trail` steps, the overlays at the head; the hover mark.
  if (!st.b || !st.geo) return;
  if (st.curve) { gdOverCurve(st); return; }
  const { header: h, arrays: a } = st.b, g = st.geo, s = st.step, R = h.runs.length;
  const ctx = sized(st.els.over, g.W, g.H);
  ctx.clearRect(0, 0, g.W, g.H);
  ctx.save(); ctx.beginPath(); ctx.rect(g.left, g.top, g.pw, g.ph); ctx.clip();
  const head = a.head, at = (r) => [head[(s * R + r) * 2], head[(s * R + r) * 2 + 1]];
  ctx.lineJoin = "round"; ctx.lineCap = "round";
  h.runs.forEach((r, i) => {
    const p = a[`path${i}`], last = gdPointAt(a, s, R, i, r);
    ctx.strokeStyle = r.color; ctx.lineWidth = 3.5; ctx.beginPath();
    for (let k = Math.max(0, last - h.trail); k <= last; k++) {
      const x = g.X(p[2 * k]), y = g.Y(p[2 * k + 1]);
      if (k === Math.max(0, last - h.trail)) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
  });
  ctx.lineCap = "butt";
  for (const o of h.overlays) {
    const v = a[o.kind];
    h.runs.forEach((r, i) => {
      const [hx, hy] = at(i), dx = v[(s * R + i) * 2], dy = v[(s * R + i) * 2 + 1];
      if (!Number.isFinite(dx) || !Number.isFinite(dy)) return;
      const x = g.X(hx), y = g.Y(hy);
      if (o.kind === "scale") {
        const ax = (dx / (g.x1 - g.x0)) * g.pw, ay = (dy / (g.y1 - g.y0)) * g.ph;
        ctx.strokeStyle = o.color; ctx.lineWidth = 3; ctx.beginPath();
        ctx.moveTo(x - ax, y); ctx.lineTo(x + ax, y); ctx.moveTo(x, y - ay); ctx.lineTo(x, y + ay); ctx.stroke();
      } else gdArrow(ctx, x, y, g.X(hx + dx), g.Y(hy + dy), o.color, r.color, o.dash);
    });
  }
  h.runs.forEach((r, i) => {
    const [hx, hy] = at(i);
    if (!Number.isFinite(hx) || !Number.isFinite(hy)) return;
    if (h.marks && s === h.steps) return;  // the landscape's finished runs: their end marks, uncovered
    ctx.beginPath(); ctx.arc(g.X(hx), g.Y(hy), 6.5, 0, 2 * Math.PI);
    ctx.fillStyle = r.color; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke();
  });
  gdMarks(ctx, g, h);  // the landscape's marks, above the paths
  const mark = st.pending || (st.hover && st.hover.at);
  if (mark) {
    ctx.beginPath(); ctx.arc(mark[0], mark[1], st.pending ? 7.5 : 5, 0, 2 * Math.PI);
    ctx.strokeStyle = st.pending ? "rgba(0,0,0,0.75)" : "rgba(20,20,20,0.85)"; ctx.lineWidth = st.pending ? 2.5 : 1.5;
    ctx.setLineDash(st.pending ? [3, 3] : []); ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.restore();
}

function gdMarks(ctx, g, h) {
  // Marks in a run's colour ([x, y, "star" | "cross", colour, text]): ends, divergences, final weights.
  for (const [mx, my, shape, color] of h.marks || []) {
    if (mx === null || my === null) continue;
    if (shape === "cross") gdCross(ctx, g.X(mx), g.Y(my), 6, color);
    else {
      gdStar(ctx, g.X(mx), g.Y(my), 9); ctx.fillStyle = color; ctx.fill();
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke();
    }
  }
}

function gdPointAt(a, s, R, i, r) {
  // Run i's point shown at frame s: the step itself, or (the landscape's snapshots) the array `index`.
  return a.index ? a.index[s * R + i] : Math.min(s, r.last);
}

function gdSetStep(st, s, draw = true) {
  const h = st.b.header;
  st.step = Math.max(0, Math.min(h.steps, Math.round(s)));
  st.els.slider.value = String(st.step);
  const fs = st.b.arrays.frame_step;  // the landscape's frames are snapshots: show their training step
  st.els.step.textContent = String(fs ? fs[st.step] : st.step);
  st.root.dataset.step = String(st.step);
  if (draw && st.geo) gdDrawOver(st);
}

function gdPlay(st) {
  // Replay from step 0 when the race is over, else go on from the current step.
  const h = st.b.header;
  if (st.step >= h.steps) gdSetStep(st, 0);
  const per = Math.min(150, Math.max(GD_PLAY_MS / Math.max(h.steps, 1), 1500 / Math.max(h.steps, 1), 40));
  st.playing = true; st.root.dataset.playing = "1";
  st.els.play.innerHTML = "&#10074;&#10074; Pause";
  const t0 = performance.now(), s0 = st.step;
  const tick = (now) => {
    st.raf = 0;
    if (!st.playing) return;
    const s = Math.min(h.steps, s0 + Math.floor((now - t0) / per));
    if (s !== st.step) gdSetStep(st, s);
    if (s >= h.steps) { gdPause(st); return; }
    st.raf = requestAnimationFrame(tick);
  };
  st.raf = requestAnimationFrame(tick);
}

function gdPause(st) {
  st.playing = false; st.root.dataset.playing = "0";
  if (st.raf) cancelAnimationFrame(st.raf);
  st.raf = 0;
  st.els.play.innerHTML = "&#9654; Play";
}

function gdPointer(st, ev) {
  const rect = st.els.over.getBoundingClientRect();
  return [ev.clientX - rect.left, ev.clientY - rect.top];
}

function gdInside(g, px, py) {
  return px >= g.left && px <= g.left + g.pw && py >= g.top && py <= g.top + g.ph;
}

function gdFAt(st, x, y) {
  // f at (x, y): bilinear in the payload's grid (exact at its nodes).
  const f = st.b.arrays.fgrid, [ny, nx] = f.shape, g = st.geo;
  const u = ((x - g.x0) / (g.x1 - g.x0)) * (nx - 1), v = ((y - g.y0) / (g.y1 - g.y0)) * (ny - 1);
  const i = Math.min(Math.max(Math.floor(u), 0), nx - 2), j = Math.min(Math.max(Math.floor(v), 0), ny - 2);
  const du = Math.min(Math.max(u - i, 0), 1), dv = Math.min(Math.max(v - j, 0), 1);
  const z = (jj, ii) => f[jj * nx + ii];
  return (1 - dv) * ((1 - du) * z(j, i) + du * z(j, i + 1)) + dv * ((1 - du) * z(j + 1, i) + du * z(j + 1, i + 1));
}

function gdHover(st, ev) {
  if (!st.b || !st.geo) return;
  if (st.curve) { gdHoverCurve(st, ev); return; }
  const [px, py] = gdPointer(st, ev), g = st.geo, { header: h, arrays: a } = st.b, tip = st.els.tip;
  if (!gdInside(g, px, py)) { st.hover = null; tip.style.display = "none"; st.els.over.style.cursor = ""; gdDrawOver(st); return; }
  st.els.over.style.cursor = "crosshair";
  let best = null, bd = 7;
  const near = (x, y, r, make) => { const d = Math.hypot(g.X(x) - px, g.Y(y) - py); if (d < Math.min(bd, r)) { bd = d; best = make; } };
  const R = h.runs.length;
  h.runs.forEach((r, i) => {
    const p = a[`path${i}`], hx = a.head[(st.step * R + i) * 2], hy = a.head[(st.step * R + i) * 2 + 1];
    const k = gdPointAt(a, st.step, R, i, r);
    near(hx, hy, 10, () => ({ at: [g.X(p[2 * k]), g.Y(p[2 * k + 1])], html: h.readout ? gdReadout(h, a, r, i, k)
      : `<b style="color:${r.color}">${r.title}</b><br>step ${k}: (${g3(p[2 * k])}, ${g3(p[2 * k + 1])})  f = ${g4(a[`f${i}`][k])}` }));
  });
  for (const [mx, my, kind] of h.minima) near(mx, my, 9, () => ({ at: [g.X(mx), g.Y(my)], html: `${kind} (${g3(mx)}, ${g3(my)})` }));
  for (const r of h.runs) if (r.exit && r.exit[0] !== null) near(r.exit[0], r.exit[1], 8, () => ({ at: [g.X(r.exit[0]), g.Y(r.exit[1])], html: `<span style="color:${GD_RED}">${r.diverged}</span>` }));
  for (const [mx, my, , color, text] of h.marks || []) {
    if (mx !== null && my !== null) near(mx, my, 9, () => ({ at: [g.X(mx), g.Y(my)], html: `<b style="color:${color}">${escapeHtml(text)}</b>` }));
  }
  if (!best) {
    h.runs.forEach((r, i) => {
      const p = a[`path${i}`];
      for (let k = 0; k <= r.last; k++) {
        const d = Math.hypot(g.X(p[2 * k]) - px, g.Y(p[2 * k + 1]) - py);
        if (d < bd) {
          bd = d;
          best = () => ({ at: [g.X(p[2 * k]), g.Y(p[2 * k + 1])], html: h.readout ? gdReadout(h, a, r, i, k)
            : `<b style="color:${r.color}">${r.title}</b> · step ${k}: (${g3(p[2 * k])}, ${g3(p[2 * k + 1])})  f = ${g4(a[`f${i}`][k])}<br>${r.status}` });
        }
      }
    });
  }
  if (h.start && !best) near(h.start[0], h.start[1], 9, () => ({ at: [g.X(h.start[0]), g.Y(h.start[1])], html: h.start_text ? escapeHtml(h.start_text) : `start (${g3(h.start[0])}, ${g3(h.start[1])})` }));
  let info;
  if (best) info = best();
  else if (h.hover) {  // the landscape: the axes' names and the value's, no click
    const [x, y] = g.inv(px, py), n = h.hover;
    info = { at: null, html: `${escapeHtml(n.x)} ${g3(x)}, ${escapeHtml(n.y)} ${g3(y)}<br>${escapeHtml(n.value)} ${g4(gdFAt(st, x, y))}` };
  } else {
    const [x, y] = g.inv(px, py);
    info = { at: null, html: `(${x.toFixed(2)}, ${y.toFixed(2)})  f = ${g3(gdFAt(st, x, y))}<br><span class="gdm-dim">click: start here</span>` };
  }
  st.hover = info;
  tip.innerHTML = info.html; tip.style.display = "block";
  const right = px > g.left + 0.62 * g.pw;
  tip.style.left = right ? "" : px + 14 + "px";
  tip.style.right = right ? (g.W - px + 14) + "px" : "";
  tip.style.top = Math.max(0, py - 8) + "px";
  gdDrawOver(st);
}

function gdReadout(h, a, r, i, k) {
  // A landscape path point: the run, its training step and the header's readout fields at point k.
  const step = h.point_step ? a[`${h.point_step}${i}`][k] : k;
  const rows = h.readout.map(([label, name, digits]) => {
    const v = a[`${name}${i}`][k];
    return `${escapeHtml(label)} ${Number.isFinite(v) ? +v.toPrecision(digits) + "" : "–"}`;
  });
  return `<b style="color:${r.color}">${escapeHtml(r.title)}</b> step ${step}<br>${rows.join("<br>")}`;
}

function gdClick(st, ev) {
  const [px, py] = gdPointer(st, ev), g = st.geo;
  if (!st.b || !g || !gdInside(g, px, py) || !st.send) return;
  const [x, y] = g.inv(px, py);
  gdPause(st);
  st.pending = [px, py];  // a dashed ring until the new race arrives
  gdDrawOver(st);
  st.send({ x, y });
}

// ---- the 1D view: the curve f(x) ------------------------------------------------------------------
function gdLayoutCurve(st) {
  const h = st.b.header, [x0, x1] = h.domain, [y0, y1] = h.yrange;
  const W = Math.max(320, st.width), left = ML + 6, pw = W - left - 16, ph = 400, H = MT + ph + MB;
  st.geo = { W, H, left, top: MT, pw, ph, x0, x1, y0, y1,
             X: (x) => left + ((x - x0) / (x1 - x0)) * pw, Y: (y) => MT + ph - ((y - y0) / (y1 - y0)) * ph,
             inv: (px, py) => [x0 + ((px - left) / pw) * (x1 - x0), y0 + ((MT + ph - py) / ph) * (y1 - y0)] };
  st.els.plot.style.height = H + "px";
  st.els.over.dataset.plot = `${left},${MT},${pw},${ph}`;
  const c = st.els.controls || (st.els.controls = st.root.querySelector(".gdm-controls"));
  c.style.marginLeft = left + "px"; c.style.width = pw + "px";
  st.els.legend.style.marginLeft = left + "px"; st.els.legend.style.maxWidth = pw + "px";
}

function gdPolyline(ctx, g, xy, stride = 2) {
  // One path through the finite points of an interleaved (x, y) array; a gap at every other point.
  ctx.beginPath();
  let pen = false;
  for (let k = 0; k + 1 < xy.length; k += stride) {
    const x = xy[k], y = xy[k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
    if (pen) ctx.lineTo(g.X(x), g.Y(y)); else { ctx.moveTo(g.X(x), g.Y(y)); pen = true; }
  }
}

function gdBaseCurve(st) {
  const { header: h, arrays: a } = st.b, g = st.geo;
  const ctx = sized(st.els.base, g.W, g.H, true);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, g.W, g.H);
  ctx.fillStyle = "#fbfbfb"; ctx.fillRect(g.left, g.top, g.pw, g.ph);
  const xt = niceTicks(g.x0, g.x1, Math.max(3, Math.floor(g.pw / 90))), yt = niceTicks(g.y0, g.y1, 6);
  ctx.strokeStyle = "#ebebeb"; ctx.lineWidth = 1;
  for (const t of xt) { ctx.beginPath(); ctx.moveTo(g.X(t), g.top); ctx.lineTo(g.X(t), g.top + g.ph); ctx.stroke(); }
  for (const t of yt) { ctx.beginPath(); ctx.moveTo(g.left, g.Y(t)); ctx.lineTo(g.left + g.pw, g.Y(t)); ctx.stroke(); }
  ctx.save(); ctx.beginPath(); ctx.rect(g.left, g.top, g.pw, g.ph); ctx.clip();
  const cx = a.curve_x, cf = a.curve_f, xy = new Float32Array(2 * cx.length);
  for (let k = 0; k < cx.length; k++) { xy[2 * k] = cx[k]; xy[2 * k + 1] = cf[k]; }
  ctx.lineJoin = "round"; ctx.strokeStyle = "#333"; ctx.lineWidth = 2.5; gdPolyline(ctx, g, xy); ctx.stroke();
  for (const [mx, mf] of h.minima) {
    gdStar(ctx, g.X(mx), g.Y(mf), 7.5); ctx.fillStyle = "#fff"; ctx.fill();
    ctx.strokeStyle = "#000"; ctx.lineWidth = 1.2; ctx.stroke();
  }
  ctx.globalAlpha = 0.45;
  h.runs.forEach((r, i) => {
    const p = a[`path${i}`];
    ctx.strokeStyle = r.color; ctx.fillStyle = r.color; ctx.lineWidth = 1; gdPolyline(ctx, g, p); ctx.stroke();
    for (let k = 0; k + 1 < p.length; k += 2) {
      if (!Number.isFinite(p[k]) || !Number.isFinite(p[k + 1])) continue;
      ctx.beginPath(); ctx.arc(g.X(p[k]), g.Y(p[k + 1]), 2.5, 0, 2 * Math.PI); ctx.fill();
    }
  });
  ctx.globalAlpha = 1;
  if (h.start) {
    ctx.beginPath(); ctx.arc(g.X(h.start[0]), g.Y(h.start[1]), 8, 0, 2 * Math.PI);
    ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = "#8c8c8c"; ctx.lineWidth = 1; ctx.strokeRect(g.left + 0.5, g.top + 0.5, g.pw - 1, g.ph - 1);
  ctx.fillStyle = "#444"; ctx.font = "12px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const t of xt) ctx.fillText(tickText(t), g.X(t), g.top + g.ph + 7);
  ctx.font = "13px sans-serif"; ctx.fillText("x", g.left + g.pw / 2, g.top + g.ph + 25);
  ctx.font = "12px sans-serif"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const t of yt) ctx.fillText(tickText(t), g.left - 7, g.Y(t));
  ctx.save(); ctx.translate(g.left - 40, g.top + g.ph / 2); ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center"; ctx.font = "13px sans-serif"; ctx.fillText("f(x)", 0, 0); ctx.restore();
  st.root.dataset.ready = "1";
}

function gdOverCurve(st) {
  const { header: h, arrays: a } = st.b, g = st.geo, s = st.step, R = h.runs.length;
  const ctx = sized(st.els.over, g.W, g.H);
  ctx.clearRect(0, 0, g.W, g.H);
  ctx.save(); ctx.beginPath(); ctx.rect(g.left, g.top, g.pw, g.ph); ctx.clip();
  const v = (name, r) => [a[name][(s * R + r) * 2], a[name][(s * R + r) * 2 + 1]];
  ctx.lineJoin = "round"; ctx.lineCap = "round";
  h.runs.forEach((r, i) => {
    const p = a[`path${i}`], last = Math.min(s, r.last), first = Math.max(0, last - h.trail);
    ctx.strokeStyle = r.color; ctx.lineWidth = 3;
    gdPolyline(ctx, g, p.subarray(2 * first, 2 * last + 2)); ctx.stroke();
  });
  ctx.lineCap = "butt";
  h.runs.forEach((r, i) => {
    const [ax, ay] = v("tangent_a", i), [bx, by] = v("tangent_b", i);
    if ([ax, ay, bx, by].every(Number.isFinite)) {
      ctx.strokeStyle = "#555"; ctx.lineWidth = 1.5; ctx.setLineDash([6, 4]);
      ctx.beginPath(); ctx.moveTo(g.X(ax), g.Y(ay)); ctx.lineTo(g.X(bx), g.Y(by)); ctx.stroke(); ctx.setLineDash([]);
    }
    const [hx, hy] = v("head", i), [tx, ty] = v("step_to", i);
    if ([hx, hy, tx, ty].every(Number.isFinite)) gdArrow(ctx, g.X(hx), g.Y(hy), g.X(tx), g.Y(ty), "#111", r.color, false);
  });
  h.runs.forEach((r, i) => {
    const [hx, hy] = v("head", i);
    if (!Number.isFinite(hx) || !Number.isFinite(hy)) return;
    ctx.beginPath(); ctx.arc(g.X(hx), g.Y(hy), 7, 0, 2 * Math.PI);
    ctx.fillStyle = r.color; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke();
  });
  const mark = st.hover && st.hover.at;
  if (mark) {
    ctx.beginPath(); ctx.arc(mark[0], mark[1], 5, 0, 2 * Math.PI);
    ctx.strokeStyle = "rgba(20,20,20,0.85)"; ctx.lineWidth = 1.5; ctx.stroke();
  }
  ctx.restore();
}

function gdHoverCurve(st, ev) {
  const [px, py] = gdPointer(st, ev), g = st.geo, { header: h, arrays: a } = st.b, tip = st.els.tip;
  if (!gdInside(g, px, py)) { st.hover = null; tip.style.display = "none"; gdDrawOver(st); return; }
  let best = null, bd = 8;
  h.runs.forEach((r, i) => {
    const p = a[`path${i}`];
    for (let k = 0; k <= r.last; k++) {
      const d = Math.hypot(g.X(p[2 * k]) - px, g.Y(p[2 * k + 1]) - py);
      if (d < bd) {
        bd = d;
        best = () => ({ at: [g.X(p[2 * k]), g.Y(p[2 * k + 1])], html: `<b style="color:${r.color}">${r.title}</b><br>step ${k}: x = ${g4(p[2 * k])}, f = ${g4(p[2 * k + 1])}<br>${r.status}` });
      }
    }
  });
  for (const [mx, mf] of h.minima) {
    const d = Math.hypot(g.X(mx) - px, g.Y(mf) - py);
    if (d < Math.min(bd, 9)) { bd = d; best = () => ({ at: [g.X(mx), g.Y(mf)], html: `minimum x = ${g4(mx)}` }); }
  }
  let info;
  if (best) info = best();
  else {
    // The curve at the pointer's x (the nearest of its samples).
    const cx = a.curve_x, [x] = g.inv(px, py);
    const k = Math.min(cx.length - 1, Math.max(0, Math.round(((x - g.x0) / (g.x1 - g.x0)) * (cx.length - 1))));
    info = { at: [g.X(cx[k]), g.Y(a.curve_f[k])], html: `x = ${g3(cx[k])}<br>f = ${g4(a.curve_f[k])}` };
  }
  st.hover = info;
  tip.innerHTML = info.html; tip.style.display = "block";
  const right = px > g.left + 0.62 * g.pw;
  tip.style.left = right ? "" : px + 14 + "px";
  tip.style.right = right ? (g.W - px + 14) + "px" : "";
  tip.style.top = Math.max(0, py - 8) + "px";
  gdDrawOver(st);
}

// ---- the per-run curves (loss) --------------------------------------------------------------------
const GD_CHART_H = 330;

function gdBuildCurves(parentElement) {
  const root = gdRoot(parentElement, "gdm-curves", `<canvas data-nnviz="loss-chart"></canvas><div class="gdm-tip"></div>`);
  root.dataset.nnviz = "descent-curves";
  const st = { root, b: null, canvas: root.querySelector("canvas"), tip: root.querySelector(".gdm-tip"), geo: null };
  const draw = () => gdDrawCurves(st);
  const ro = gdObserve(st, draw);
  st.update = (b) => { st.b = b; root.dataset.kind = b.header.kind; st.tip.style.display = "none"; draw(); };
  st.canvas.addEventListener("mousemove", (ev) => gdCurvesHover(st, ev));
  st.canvas.addEventListener("mouseleave", () => { st.tip.style.display = "none"; });
  st.cleanup = () => { ro.disconnect(); GD_VIEWS.delete(parentElement); root.remove(); };
  return st;
}

function gdDrawCurves(st) {
  const { header: h, arrays: a } = st.b;
  if (!st.width) return;  // the ResizeObserver's first report draws it
  const width = Math.max(320, st.width);
  const series = h.runs.map((r, i) => ({ name: r.name, color: r.color, values: a[`y${i}`], xs: a[`x${i}`] }));
  const faint = h.faint ? h.runs.map((r, i) => ({ color: r.color, values: a[`by${i}`], xs: a[`bx${i}`] })) : [];
  // The y range is fixed here (lineChart then pads nothing), so the marks below land where its lines do.
  const tf = (v) => (h.log ? Math.log10(v) : v);
  let lo = Infinity, hi = -Infinity;
  for (const s of [...series, ...faint]) for (const v of s.values) if (Number.isFinite(v) && (!h.log || v > 0)) { lo = Math.min(lo, tf(v)); hi = Math.max(hi, tf(v)); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const pad = 0.05 * (hi - lo); lo -= pad; hi += pad;
  const xDomain = [0, Math.max(1, h.steps)];
  lineChart(st.canvas, width, GD_CHART_H, h.title, new Float64Array(0), series,
            { log: h.log, domain: [lo, hi], xDomain, wholeX: true, dots: !!h.dots, xLabel: h.x_label || "step" });
  st.root.dataset.ready = "1";
  // lineChart's plot rectangle (its margins L 52, R 10, T 26, B 30): the divergence and convergence marks.
  const L = 52, R = 10, T = 26, B = 30, w = width - L - R, ht = GD_CHART_H - T - B;
  const X = (v) => L + ((v - xDomain[0]) / (xDomain[1] - xDomain[0])) * w;
  const Y = (v) => T + ht - ((Math.min(Math.max(tf(v), lo), hi) - lo) / (hi - lo)) * ht;
  const ctx = st.canvas.getContext("2d");
  st.geo = { X, Y, L, T, w, ht, series, faint };
  if (faint.length) {  // the mini-batch loss: thin and faint, over the plot area only
    ctx.save(); ctx.beginPath(); ctx.rect(L, T, w, ht); ctx.clip();
    ctx.globalAlpha = 0.3; ctx.lineWidth = 1; ctx.lineJoin = "round";
    for (const f of faint) {
      ctx.strokeStyle = f.color; ctx.beginPath();
      let pen = false;
      for (let k = 0; k < f.values.length; k++) {
        const v = f.values[k];
        if (!Number.isFinite(v) || (h.log && v <= 0)) { pen = false; continue; }
        if (pen) ctx.lineTo(X(f.xs[k]), Y(v)); else { ctx.moveTo(X(f.xs[k]), Y(v)); pen = true; }
      }
      ctx.stroke();
    }
    ctx.restore();
  }
  h.runs.forEach((r) => {
    if (!r.mark) return;
    const [step, v, kind, text] = r.mark, x = X(step), y = Y(Math.max(v, h.log ? h.floor : v));
    if (kind === "diverged") {
      gdCross(ctx, x, y, 5.5, GD_RED);
      ctx.font = "12px sans-serif"; ctx.fillStyle = GD_RED; ctx.textBaseline = "middle";
      const left = step > 0.6 * xDomain[1];
      ctx.textAlign = left ? "right" : "left";
      ctx.fillText(text, x + (left ? -10 : 10), y);
    } else {
      ctx.beginPath(); ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = r.color; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke();
    }
  });
}

function gdCurvesHover(st, ev) {
  // The nearest point of any curve (bold first, then faint) within 10 px: the run, its step and value.
  const h = st.b && st.b.header, g = st.geo;
  if (!g || !h.readout) return;
  const rect = st.canvas.getBoundingClientRect(), px = ev.clientX - rect.left, py = ev.clientY - rect.top;
  let best = null, bd = 10;
  const scan = (list, label) => list.forEach((s, i) => {
    for (let k = 0; k < s.values.length; k++) {
      const v = s.values[k];
      if (!Number.isFinite(v) || (h.log && v <= 0)) continue;
      const d = Math.hypot(g.X(s.xs[k]) - px, g.Y(v) - py);
      if (d < bd) { bd = d; best = { run: h.runs[i], step: s.xs[k], v, label }; }
    }
  });
  scan(g.series, h.readout[0]);
  if (!best) scan(g.faint, h.readout[1]);
  if (!best) { st.tip.style.display = "none"; return; }
  st.tip.innerHTML = `<b style="color:${best.run.color}">${escapeHtml(best.run.name)}</b> step ${best.step}<br>` +
    `${escapeHtml(best.label)} ${g4(best.v)}`;
  st.tip.style.display = "block";
  const right = px > g.L + 0.62 * g.w;
  st.tip.style.left = right ? "" : px + 14 + "px";
  st.tip.style.right = right ? (rect.width - px + 14) + "px" : "";
  st.tip.style.top = Math.max(0, py - 8) + "px";
}
