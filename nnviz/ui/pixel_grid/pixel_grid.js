// nnviz pixel grids: small images drawn cell by cell on <canvas>, side by side, each with an optional
// outlined box (a convolution's window) and zero-padding margin; hover shows a cell's value, a click
// sets the trigger value "click" = {image, row, col}. data: {images: [{title, h, w, values (h*w, row
// major), lo, hi, cmap ("gray" | "diverging"), margin (cells of padding drawn around), box: [top,
// left, bottom, right] (inclusive, image coordinates; may reach into the margin), note}], cell (px)}.

const STATES = new WeakMap();

function color(v, lo, hi, cmap) {
  if (!Number.isFinite(v)) return "rgb(255,0,255)";
  if (cmap === "diverging") {  // orange (negative) - white (0) - blue (positive), |v| / max(|lo|, |hi|)
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    const u = Math.max(-1, Math.min(1, v / m));
    const [r, g, b] = u >= 0 ? [255 - 224 * u, 255 - 136 * u, 255 - 75 * u] : [255 + 10 * u, 255 + 108 * u, 255 + 230 * u];
    return `rgb(${r | 0},${g | 0},${b | 0})`;
  }
  const u = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
  const c = (u * 255) | 0;
  return `rgb(${c},${c},${c})`;
}

function drawImage(canvas, img, cell, hover) {
  const m = img.margin || 0;
  const W = (img.w + 2 * m) * cell, H = (img.h + 2 * m) * cell;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(W * dpr)) { canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr); }
  canvas.style.width = W + "px";  // the height follows the width (CSS height: auto): it may shrink to fit
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#e8e8ee"; ctx.fillRect(0, 0, W, H);  // the padding: zeros, drawn apart from the image
  for (let r = 0; r < img.h; r++) for (let c = 0; c < img.w; c++) {
    ctx.fillStyle = color(img.values[r * img.w + c], img.lo, img.hi, img.cmap);
    ctx.fillRect((c + m) * cell, (r + m) * cell, cell, cell);
  }
  if (m) { ctx.strokeStyle = "#9aa"; ctx.setLineDash([3, 3]); ctx.strokeRect(m * cell + 0.5, m * cell + 0.5, img.w * cell - 1, img.h * cell - 1); ctx.setLineDash([]); }
  if (img.box) {
    const [t, l, b, rt] = img.box;
    ctx.strokeStyle = "#ff2b2b"; ctx.lineWidth = 2;
    ctx.strokeRect((l + m) * cell + 1, (t + m) * cell + 1, (rt - l + 1) * cell - 2, (b - t + 1) * cell - 2);
    ctx.lineWidth = 1;
  }
  if (hover) { ctx.strokeStyle = "#ffb000"; ctx.strokeRect((hover[1] + m) * cell + 0.5, (hover[0] + m) * cell + 0.5, cell - 1, cell - 1); }
}

function cellAt(ev, canvas, img) {
  const rect = canvas.getBoundingClientRect();  // as drawn: CSS may have shrunk the canvas to its column
  const m = img.margin || 0;
  const c = Math.floor(((ev.clientX - rect.left) / rect.width) * (img.w + 2 * m)) - m;
  const r = Math.floor(((ev.clientY - rect.top) / rect.height) * (img.h + 2 * m)) - m;
  return r >= 0 && r < img.h && c >= 0 && c < img.w ? [r, c] : null;
}

const fmt = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : (+v.toFixed(4)).toString());

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let st = STATES.get(parentElement);
  if (!st) {
    st = { root: document.createElement("div") };
    st.root.className = "nnviz-pixel-grids";
    st.root.dataset.nnviz = "pixel-grids";
    parentElement.appendChild(st.root);
    STATES.set(parentElement, st);
  }
  st.send = typeof setTriggerValue === "function" ? (v) => setTriggerValue("click", v) : null;
  const images = (data && data.images) || [];
  const cell = (data && data.cell) || 8;
  st.root.replaceChildren();
  images.forEach((img, index) => {
    const fig = document.createElement("figure");
    fig.className = "nnviz-pixel-grid";
    const title = document.createElement("figcaption");
    title.textContent = img.title || "";
    const canvas = document.createElement("canvas");
    canvas.dataset.nnviz = "pixel-grid";
    canvas.dataset.index = String(index);
    const readout = document.createElement("div");
    readout.className = "nnviz-pixel-readout";
    readout.textContent = img.note || "\u00a0";
    fig.append(title, canvas, readout);
    st.root.appendChild(fig);
    drawImage(canvas, img, cell, null);
    canvas.addEventListener("mousemove", (ev) => {
      const at = cellAt(ev, canvas, img);
      drawImage(canvas, img, cell, at);
      readout.textContent = at ? `${img.rows || "row"} ${at[0]}, ${img.cols || "column"} ${at[1]}: ${fmt(img.values[at[0] * img.w + at[1]])}` : img.note || "\u00a0";
    });
    canvas.addEventListener("mouseleave", () => { drawImage(canvas, img, cell, null); readout.textContent = img.note || "\u00a0"; });
    canvas.addEventListener("click", (ev) => {
      const at = cellAt(ev, canvas, img);
      if (at && st.send) st.send({ image: index, row: at[0], col: at[1] });
    });
  });
  st.root.dataset.ready = "1";
}
