// nnviz canvas chart (its module follows nnviz/ui/live_view/shared.js, which Python prepends: decode,
// sized, niceTicks, tickText). Draws one nnviz.figures.canvas_chart description: rules, bars, lines
// and points on a white plot with light grid lines, axis titles and ticks; the title and the legend
// are HTML above the plot (they wrap). Hover: the points' and bars' tips, else a vertical rule at
// the nearest x and every hover line's value there.
// State lives per parentElement: Streamlit calls the default export again with new data on the same
// element (same key), so a new description redraws in place. The width comes from a ResizeObserver
// (the chart stretches with its column); the canvases are sized for devicePixelRatio (crisp).

const CC_VIEWS = new WeakMap();
const CC_FONT = '"Source Sans", "Source Sans Pro", sans-serif';  // Streamlit's own font
const CC_INK = "#31333f", CC_TICK = "#5c5f6b", CC_GRID = "#ececf0", CC_AXIS = "#9a9ca5";
const CC_DASH = [5, 4];


function ccFormat(v, fmt) {
  // fmt: "d", "g<n>", "e<n>", "f<n>" (nnviz.figures.canvas_chart.Axis).
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const n = fmt.length > 1 ? +fmt.slice(1) : 0;
  switch (fmt[0]) {
    case "d": return Math.round(v).toLocaleString("en-US");
    case "e": return v.toExponential(Math.max(0, n - 1)).replace("e+", "e");
    case "f": return v.toFixed(n);
    default: {
      if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6)) return (+v.toExponential(n - 1)).toExponential().replace("e+", "e");
      return +v.toPrecision(n) + "";
    }
  }
}

// A decade's label: plain (0.01, 1, 100) when every tick of the axis is within 1e-3..1e4, else 1e-6.
const ccLogTick = (e, plain) => (plain ? +Math.pow(10, e).toPrecision(1) + "" : e === 0 ? "1" : `1e${e}`);

export default function (component) {
  const { data, parentElement } = component;
  const b = decode(data);
  if (!b) return undefined;
  let st = CC_VIEWS.get(parentElement);
  if (!st) { st = ccBuild(parentElement); CC_VIEWS.set(parentElement, st); }
  ccUpdate(st, b);
  if (document.fonts && document.fonts.status !== "loaded")  // drawn in a fallback font: again in Streamlit's
    document.fonts.ready.then(() => { if (st.b && st.width) ccDraw(st); });
  return st.cleanup;  // Streamlit keeps only the last cleanup returned, and calls it on unmount
}

function ccBuild(parentElement) {
  const root = document.createElement("div");
  root.className = "nnc-root";
  root.dataset.nnviz = "chart";
  root.dataset.ready = "0";
  root.innerHTML = `<div class="nnc-title"></div><div class="nnc-legend"></div>
    <div class="nnc-plot"><canvas class="nnc-base"></canvas><canvas class="nnc-over"></canvas><div class="nnc-tip"></div></div>`;
  parentElement.appendChild(root);  // beside Streamlit's own <style> child
  const q = (s) => root.querySelector(s);
  const st = { root, b: null, g: null, width: 0, hover: null,
               els: { title: q(".nnc-title"), legend: q(".nnc-legend"), plot: q(".nnc-plot"), base: q(".nnc-base"),
                      over: q(".nnc-over"), tip: q(".nnc-tip") } };
  st.els.over.addEventListener("mousemove", (ev) => ccHover(st, ev));
  st.els.over.addEventListener("mouseleave", () => ccUnhover(st));
  // Read the width from the observer (after the browser's layout), never clientWidth while Streamlit
  // builds the page: the first report draws the chart, later ones redraw it.
  const ro = observeWidth(root, (w) => { st.width = w; if (st.b) ccDraw(st); });
  st.cleanup = () => { ro.disconnect(); CC_VIEWS.delete(parentElement); root.remove(); };
  return st;
}

function ccUpdate(st, b) {
  const h = b.header;
  h.lines.forEach((s, i) => { b.arrays[`lx${i}`] = b.arrays[s.x]; });  // lines over the same x share it
  st.b = b;
  st.els.title.textContent = h.title || "";
  st.els.title.style.display = h.title ? "" : "none";
  ccLegend(st, h);
  st.els.plot.style.height = h.height + "px";
  st.els.plot.setAttribute("role", "img");
  st.els.plot.setAttribute("aria-label", [h.title, h.y.title && `${h.y.title} against ${h.x.title || "category"}`]
    .filter(Boolean).join(": ") || "chart");
  st.hover = null;
  st.els.tip.style.display = "none";
  if (st.width) ccDraw(st);
}

function ccLegend(st, h) {
  const items = [];
  for (const s of h.lines) {
    if (!s.legend) continue;
    const dot = s.markers ? `<span class="nnc-mk nnc-circle" style="background:${s.color}"></span>` : "";
    items.push(`<span class="nnc-item"><span class="nnc-line" style="border-top:${Math.max(2, s.width)}px ${
      s.dash ? "dashed" : "solid"} ${s.color}">${dot}</span>${escapeHtml(s.name)}</span>`);
  }
  for (const p of h.points) {
    if (!p.legend) continue;
    items.push(`<span class="nnc-item"><span class="nnc-mk nnc-${p.shape}" style="--c:${p.color}"></span>${escapeHtml(p.name)}</span>`);
  }
  st.els.legend.innerHTML = items.join("");
  st.els.legend.style.display = h.legend && items.length ? "" : "none";
}

// ---- scales ----------------------------------------------------------------------------------------
function ccExtent(values, log) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function ccDomain(ax, groups, count) {
  // The axis's [lo, hi] in its own units (log10 on a log axis) and its ticks [[value, text]].
  let lo, hi;
  const tf = (v) => (ax.log ? Math.log10(v) : v);
  if (ax.domain) [lo, hi] = ax.domain.map(tf);
  else {
    lo = Infinity; hi = -Infinity;
    for (const g of groups) { const [a, c] = ccExtent(g, ax.log); if (a < lo) lo = tf(a); if (c > hi) hi = tf(c); }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { const d = ax.log ? 0.5 : Math.max(Math.abs(hi) * 0.1, 0.5); lo -= d; hi += d; }
    const pad = ax.pad * (hi - lo); lo -= pad; hi += pad;
    if (ax.nice) {
      if (ax.log) { lo = Math.floor(lo + 1e-9); hi = Math.ceil(hi - 1e-9); }
      else {
        const t = niceTicks(lo, hi, count), step = t.length > 1 ? t[1] - t[0] : 0;
        if (step > 0) { lo = Math.floor(lo / step + 1e-9) * step; hi = Math.ceil(hi / step - 1e-9) * step; }
      }
    }
  }
  return [lo, hi];
}

function ccTicks(ax, lo, hi, count) {
  if (ax.log) {
    const a = Math.ceil(lo - 1e-9), c = Math.floor(hi + 1e-9), span = Math.max(1, c - a);
    const step = [1, 2, 3, 5, 10, 20, 25, 50, 100].find((s) => span / s <= count) || Math.ceil(span / count);
    const out = [];
    const plain = a >= -3 && c <= 4;
    for (let e = Math.ceil(a / step) * step; e <= c; e += step) out.push([e, ccLogTick(e, plain)]);
    if (!out.length) for (const t of niceTicks(lo, hi, count)) out.push([t, ccFormat(Math.pow(10, t), "g3")]);
    return out;
  }
  // niceTicks adds its step up from the first tick: snap the float dust at 0 (-5.55e-17) to 0.
  return niceTicks(lo, hi, count).map((v) => (Math.abs(v) < 1e-9 * (hi - lo) ? 0 : v)).filter((v) => v >= lo - 1e-9 * (hi - lo) && v <= hi + 1e-9 * (hi - lo))
    .filter((v) => !ax.whole || Number.isInteger(v)).map((v) => [v, tickText(v)]);
}

function ccLayout(st) {
  const { header: h, arrays: a } = st.b;
  const W = Math.max(200, st.width), H = h.height;
  const bars = h.bars;
  const xs = [], ys = [];
  h.lines.forEach((s, i) => { xs.push(a[`lx${i}`]); ys.push(a[`ly${i}`]); });
  h.points.forEach((p, i) => { xs.push(a[`px${i}`]); ys.push(a[`py${i}`]); });
  const rx = h.rules.filter((r) => r.axis === "x").map((r) => r.value), ry = h.rules.filter((r) => r.axis === "y").map((r) => r.value);
  xs.push(rx); ys.push(ry);
  if (bars) { ys.push(a.bars); if (bars.base !== null) ys.push([bars.base]); else if (!h.y.log) ys.push([0]); }
  const plotH = H - 8 - (h.x.title ? 40 : 24), yCount = Math.max(2, Math.min(8, Math.floor(plotH / 36)));
  const [ylo, yhi] = ccDomain(h.y, ys, yCount);
  const ctx = st.els.base.getContext("2d");
  ctx.font = `11.5px ${CC_FONT}`;
  const yt = ccTicks(h.y, ylo, yhi, yCount);
  let tw = 0;
  for (const [, t] of yt) tw = Math.max(tw, ctx.measureText(t).width);
  const L = Math.ceil(tw) + 10 + (h.y.title ? 20 : 0), R = 14, T = 8, B = h.x.title ? 40 : 24;
  const pw = Math.max(40, W - L - R), ph = Math.max(30, H - T - B);
  const g = { W, H, L, T, pw, ph, ylo, yhi, yt, bars: !!bars };
  const ty = (v) => (h.y.log ? Math.log10(v) : v);
  g.Y = (v) => T + ph - ((ty(v) - ylo) / (yhi - ylo)) * ph;
  g.Yt = (t) => T + ph - ((t - ylo) / (yhi - ylo)) * ph;
  if (bars) {
    const n = Math.max(1, bars.labels.length);
    g.band = pw / n;
    g.Xb = (i) => L + (i + 0.5) * g.band;
  } else {
    const xCount = Math.max(2, Math.min(10, Math.floor(pw / (h.x.log ? 50 : 62))));  // decades are short
    const [xlo, xhi] = ccDomain(h.x, xs, xCount);
    const tx = (v) => (h.x.log ? Math.log10(v) : v);
    g.xlo = xlo; g.xhi = xhi;
    g.X = (v) => L + ((tx(v) - xlo) / (xhi - xlo)) * pw;
    g.invX = (px) => { const t = xlo + ((px - L) / pw) * (xhi - xlo); return h.x.log ? Math.pow(10, t) : t; };
    g.xt = ccTicks(h.x, xlo, xhi, xCount);
    g.Xt = (t) => L + ((t - xlo) / (xhi - xlo)) * pw;
  }
  return g;
}

// ---- drawing ---------------------------------------------------------------------------------------
function ccDraw(st) {
  const g = (st.g = ccLayout(st));
  const { header: h, arrays: a } = st.b;
  const ctx = sized(st.els.base, g.W, g.H, true);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, g.W, g.H);
  const { L, T, pw, ph } = g;
  // Grid and y ticks.
  ctx.font = `11.5px ${CC_FONT}`; ctx.fillStyle = CC_TICK; ctx.textAlign = "right"; ctx.textBaseline = "middle";
  ctx.lineWidth = 1;
  for (const [t, text] of g.yt) {
    const y = Math.round(g.Yt(t)) + 0.5;
    ctx.strokeStyle = CC_GRID; ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(L + pw, y); ctx.stroke();
    ctx.fillText(text, L - 6, y);
  }
  // x ticks (numbers or the bars' labels) and the axis line.
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  ctx.strokeStyle = CC_AXIS;
  if (g.bars) {
    h.bars.labels.forEach((label, i) => {
      let text = label;
      while (text.length > 1 && ctx.measureText(text).width > g.band - 4) text = text.slice(0, -2) + "…";
      ctx.fillText(text, g.Xb(i), T + ph + 6);
    });
  } else {
    for (const [t, text] of g.xt) {
      const x = Math.round(g.Xt(t)) + 0.5;
      ctx.strokeStyle = CC_GRID; ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, T + ph); ctx.stroke();
      ctx.strokeStyle = CC_AXIS; ctx.beginPath(); ctx.moveTo(x, T + ph); ctx.lineTo(x, T + ph + 4); ctx.stroke();
      ctx.fillText(text, x, T + ph + 6);
    }
  }
  ctx.strokeStyle = CC_AXIS; ctx.beginPath(); ctx.moveTo(L, T + ph + 0.5); ctx.lineTo(L + pw, T + ph + 0.5); ctx.stroke();
  ctx.beginPath(); ctx.moveTo(L - 0.5, T); ctx.lineTo(L - 0.5, T + ph); ctx.stroke();
  // Axis titles.
  ctx.fillStyle = CC_INK; ctx.font = `12.5px ${CC_FONT}`;
  if (h.x.title) { ctx.textBaseline = "bottom"; ctx.fillText(h.x.title, L + pw / 2, g.H - 3); }
  if (h.y.title) {
    ctx.save(); ctx.translate(12, T + ph / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle"; ctx.fillText(h.y.title, 0, 0); ctx.restore();
  }
  // The marks, clipped to the plot (2 px more, so a line along the edge keeps its width).
  ctx.save(); ctx.beginPath(); ctx.rect(L - 2, T - 2, pw + 4, ph + 4); ctx.clip();
  for (const r of h.rules) ccRule(ctx, g, r);
  if (g.bars) ccBars(ctx, g, h, a.bars);
  ctx.lineJoin = "round"; ctx.lineCap = "round";
  h.lines.forEach((s, i) => ccLine(ctx, g, h, s, a[`lx${i}`], a[`ly${i}`]));
  h.points.forEach((p, i) => {
    const px = a[`px${i}`], py = a[`py${i}`];
    for (let k = 0; k < px.length; k++) if (ccFinite(h, px[k], py[k])) ccMarker(ctx, g.X(px[k]), g.Y(py[k]), p.shape, p.size, p.color);
  });
  ctx.restore();
  for (const r of h.rules) if (r.label && !(r.axis === "x" && g.bars)) ccRuleLabel(ctx, g, r);
  st.root.dataset.ready = "1";
  ccDrawOver(st);
}

function ccFinite(h, x, y) {
  return Number.isFinite(x) && Number.isFinite(y) && !(h.y.log && y <= 0) && !(h.x.log && x <= 0);
}

function ccRule(ctx, g, r) {
  if (r.axis === "x" && g.bars) return;  // a category axis has no numbers
  ctx.strokeStyle = r.color; ctx.lineWidth = r.width; ctx.setLineDash(r.dash ? [4, 3] : []);
  ctx.beginPath();
  if (r.axis === "x") { const x = g.X(r.value); ctx.moveTo(x, g.T); ctx.lineTo(x, g.T + g.ph); }
  else { const y = g.Y(r.value); ctx.moveTo(g.L, y); ctx.lineTo(g.L + g.pw, y); }
  ctx.stroke(); ctx.setLineDash([]);
}

function ccRuleLabel(ctx, g, r) {
  ctx.font = `12px ${CC_FONT}`; ctx.lineWidth = 4; ctx.strokeStyle = "rgba(255,255,255,0.92)"; ctx.lineJoin = "round";
  ctx.fillStyle = r.color === "#bbbbbb" ? CC_TICK : r.color;
  let x, y;
  if (r.axis === "x") { x = g.X(r.value) + 4; y = g.T + 2; ctx.textAlign = "left"; ctx.textBaseline = "top"; }
  else { x = g.L + g.pw - 2; y = g.Y(r.value) - 3; ctx.textAlign = "right"; ctx.textBaseline = "bottom"; }
  ctx.strokeText(r.label, x, y); ctx.fillText(r.label, x, y);
}

function ccLine(ctx, g, h, s, xs, ys) {
  ctx.strokeStyle = s.color; ctx.lineWidth = s.width; ctx.setLineDash(s.dash ? CC_DASH : []);
  ctx.beginPath();
  let pen = false;
  for (let k = 0; k < xs.length; k++) {
    if (!ccFinite(h, xs[k], ys[k])) { pen = false; continue; }
    const x = g.X(xs[k]), y = g.Y(ys[k]);
    if (pen) ctx.lineTo(x, y); else { ctx.moveTo(x, y); pen = true; }
  }
  ctx.stroke(); ctx.setLineDash([]);
  if (s.markers || xs.length === 1) {
    ctx.fillStyle = s.color;
    for (let k = 0; k < xs.length; k++) {
      if (!ccFinite(h, xs[k], ys[k])) continue;
      ctx.beginPath(); ctx.arc(g.X(xs[k]), g.Y(ys[k]), 2.8, 0, 2 * Math.PI); ctx.fill();
    }
  }
}

function ccMarker(ctx, x, y, shape, size, color, ring = "#fff") {
  const r = size;
  ctx.beginPath();
  if (shape === "diamond") { ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r * 1.2); ctx.lineTo(x - r, y); ctx.closePath(); }
  else if (shape === "cross") {
    ctx.lineCap = "round"; ctx.strokeStyle = ring; ctx.lineWidth = 5;
    ctx.moveTo(x - r * 0.7, y - r * 0.7); ctx.lineTo(x + r * 0.7, y + r * 0.7); ctx.moveTo(x - r * 0.7, y + r * 0.7); ctx.lineTo(x + r * 0.7, y - r * 0.7);
    ctx.stroke(); ctx.strokeStyle = color; ctx.lineWidth = 2.5; ctx.stroke();
    return;
  } else ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = color; ctx.fill();
  ctx.strokeStyle = ring; ctx.lineWidth = 1.5; ctx.stroke();
}

function ccBarBase(g, h) {
  return h.bars.base !== null ? h.bars.base : h.y.log ? Math.pow(10, g.ylo) : 0;
}

function ccBarRect(g, h, v, i) {
  // [x, top, width, height] of bar i with value v (at least 1 px tall unless v is the base).
  const base = ccBarBase(g, h), bw = Math.min(64, Math.max(4, g.band * 0.72)), y0 = g.Y(base), y = g.Y(v);
  return [g.Xb(i) - bw / 2, Math.min(y, y0), bw, Math.max(Math.abs(y0 - y), v === base ? 0 : 1), y < y0];
}

function ccBars(ctx, g, h, values) {
  const bars = h.bars, base = ccBarBase(g, h);
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || (h.y.log && v <= 0)) return;
    const [x, top, bw, ht, up] = ccBarRect(g, h, v, i);
    ctx.fillStyle = bars.colors[i];
    ctx.beginPath();
    if (ctx.roundRect) ctx.roundRect(x, top, bw, ht, up ? [2, 2, 0, 0] : [0, 0, 2, 2]); else ctx.rect(x, top, bw, ht);
    ctx.fill();
    if (bars.text.length) {
      ctx.font = `11.5px ${CC_FONT}`; ctx.fillStyle = CC_INK; ctx.textAlign = "center";
      const above = v >= base;
      ctx.textBaseline = above ? "bottom" : "top";
      ctx.fillText(bars.text[i], g.Xb(i), Math.min(Math.max(above ? top - 2 : top + ht + 2, g.T + 12), g.T + g.ph));
    }
  });
}

// ---- hover -----------------------------------------------------------------------------------------
function ccNearest(xs, x) {
  // Index of the sample nearest x in the ascending xs (binary search).
  let lo = 0, hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (xs[m] <= x) lo = m; else hi = m; }
  return Math.abs(xs[hi] - x) < Math.abs(xs[lo] - x) ? hi : lo;
}

function ccUnhover(st) {
  st.hover = null; st.els.tip.style.display = "none"; ccDrawOver(st);
}

function ccHover(st, ev) {
  if (!st.b || !st.g) return;
  const rect = st.els.over.getBoundingClientRect(), px = ev.clientX - rect.left, py = ev.clientY - rect.top;
  const g = st.g, { header: h, arrays: a } = st.b;
  if (px < g.L - 4 || px > g.L + g.pw + 4 || py < g.T - 4 || py > g.T + g.ph + 4) { ccUnhover(st); return; }
  let info = null;
  // A point under the pointer first.
  let bd = 10;
  h.points.forEach((p, i) => {
    const xs = a[`px${i}`], ys = a[`py${i}`];
    for (let k = 0; k < xs.length; k++) {
      if (!ccFinite(h, xs[k], ys[k])) continue;
      const d = Math.hypot(g.X(xs[k]) - px, g.Y(ys[k]) - py);
      if (d < bd) {
        bd = d;
        const tip = p.tips.length ? escapeHtml(p.tips[k]).replace(/\n/g, "<br>")
          : `${escapeHtml(h.x.short || h.x.title || "x")} = ${ccFormat(xs[k], h.x.fmt)}<br>${escapeHtml(h.y.short || h.y.title || "y")} = ${ccFormat(ys[k], h.y.fmt)}`;
        info = { mark: [g.X(xs[k]), g.Y(ys[k])], html: `<div class="nnc-tip-head" style="color:${p.color}">${escapeHtml(p.name)}</div>${tip}` };
      }
    }
  });
  if (!info && g.bars) {
    const i = Math.floor((px - g.L) / g.band), bars = h.bars;
    if (i >= 0 && i < bars.labels.length) {
      const body = bars.tips.length ? escapeHtml(bars.tips[i]).replace(/\n/g, "<br>")
        : `${escapeHtml(bars.labels[i])}: <b>${bars.text.length ? escapeHtml(bars.text[i]) : ccFormat(a.bars[i], h.y.fmt)}</b>`;
      info = { bar: i, html: body };
    }
  }
  if (!info && !g.bars) {
    // The nearest sample of the first hover line sets x; every hover line's value at that x.
    const lines = h.lines.map((s, i) => [s, a[`lx${i}`], a[`ly${i}`]]).filter(([s, xs]) => s.hover && xs.length);
    if (lines.length) {
      const xv = g.invX(px);
      let k = ccNearest(lines[0][1], xv);
      const xs0 = lines[0][1];
      if (k + 1 < xs0.length && Math.abs(g.X(xs0[k + 1]) - px) < Math.abs(g.X(xs0[k]) - px)) k += 1;
      if (k > 0 && Math.abs(g.X(xs0[k - 1]) - px) < Math.abs(g.X(xs0[k]) - px)) k -= 1;
      const x = xs0[k], rows = [], dots = [];
      for (const [s, xs, ys] of lines) {
        const j = ccNearest(xs, x);
        const spacing = xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) : 0;
        if (Math.abs(xs[j] - x) > 0.51 * spacing + 1e-12 * Math.max(1, Math.abs(x))) continue;
        const v = ys[j];
        rows.push(`<div class="nnc-row"><span class="nnc-sw" style="background:${s.color}"></span>${escapeHtml(s.name)}<b>${ccFormat(v, h.y.fmt)}</b></div>`);
        if (ccFinite(h, xs[j], v)) dots.push([g.X(xs[j]), g.Y(v), s.color]);
      }
      info = { rule: g.X(x), dots, html: `<div class="nnc-tip-head">${escapeHtml(h.x.short || h.x.title || "x")} = ${ccFormat(x, h.x.fmt)}</div>${rows.join("")}` };
    }
  }
  if (!info) { ccUnhover(st); return; }
  st.hover = info;
  const tip = st.els.tip;
  tip.innerHTML = info.html; tip.style.display = "block";
  const right = px > g.L + 0.55 * g.pw;
  tip.style.left = right ? "" : px + 14 + "px";
  tip.style.right = right ? (g.W - px + 14) + "px" : "";
  tip.style.top = Math.max(0, Math.min(py - 10, g.H - tip.offsetHeight - 2)) + "px";
  ccDrawOver(st);
}

function ccDrawOver(st) {
  const g = st.g;
  if (!g) return;
  const ctx = sized(st.els.over, g.W, g.H);
  ctx.clearRect(0, 0, g.W, g.H);
  const hv = st.hover;
  if (!hv) return;
  if (hv.rule !== undefined) {
    ctx.strokeStyle = "rgba(80,80,90,0.55)"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(Math.round(hv.rule) + 0.5, g.T); ctx.lineTo(Math.round(hv.rule) + 0.5, g.T + g.ph); ctx.stroke();
    for (const [x, y, c] of hv.dots) {
      if (y < g.T - 2 || y > g.T + g.ph + 2) continue;
      ccMarker(ctx, x, y, "circle", 4.5, c);
    }
  }
  if (hv.mark) {
    ctx.beginPath(); ctx.arc(hv.mark[0], hv.mark[1], 10, 0, 2 * Math.PI);
    ctx.strokeStyle = "rgba(20,20,30,0.6)"; ctx.lineWidth = 1.5; ctx.stroke();
  }
  if (hv.bar !== undefined) {
    const { header: h, arrays: a } = st.b, v = a.bars[hv.bar];
    if (Number.isFinite(v) && !(h.y.log && v <= 0)) {
      const [x, top, bw, ht] = ccBarRect(g, h, v, hv.bar);
      ctx.fillStyle = "rgba(255,255,255,0.25)"; ctx.fillRect(x, top, bw, ht);
      ctx.strokeStyle = "rgba(20,20,30,0.7)"; ctx.lineWidth = 1.5; ctx.strokeRect(x - 0.75, top - 0.75, bw + 1.5, ht + 1.5);
    }
  }
}
