// nnviz digits training view (its module follows shared.js, which Python prepends): plays a batch
// of frames per server tick. `data` is nnviz.labs.digits.live.payload: per frame the step, epoch
// and the evaluations done by then; the arrays are the evaluation curves (epoch, train/val loss
// and accuracy). Draws a progress line ("Training: epoch 0.53 of 3, step 37 of 213, validation
// accuracy 91.2%", drawn on canvases, the step in [data-nnviz=step]) with a bar, and the loss and
// accuracy curves. A frame redraws only the texts that changed; the two charts only when what they show
// changed (a new evaluation, another batch's curves, the width): a few times a second, not 30.

const DG_COLORS = ["#4c78a8", "#f58518"];
const STATUS = { training: "Training", paused: "Paused", finished: "Finished" };

function buildDigits(root) {
  root.innerHTML = `
    <div class="nnv-dg-progress">
      <div class="nnv-dg-text" data-nnviz="progress"><canvas class="nnv-dg-before"> </canvas><canvas
        data-nnviz="step">0</canvas><canvas class="nnv-dg-after"> </canvas></div>
      <div class="nnv-dg-bar"><div class="nnv-dg-fill"></div></div>
    </div>
    <div class="nnv-dg-charts"><canvas data-nnviz="loss"></canvas><canvas data-nnviz="accuracy"></canvas></div>`;
  const q = (s) => root.querySelector(s);
  return { before: q(".nnv-dg-before"), step: q("[data-nnviz=step]"), after: q(".nnv-dg-after"),
           fill: q(".nnv-dg-fill"), charts: q(".nnv-dg-charts"), loss: q("[data-nnviz=loss]"),
           acc: q("[data-nnviz=accuracy]") };
}

function drawDigits(st, b, i) {
  const { header: h, arrays: a } = b;
  const f = h.frames[i], els = st.els, e = f.evals;
  // Every frame of a running batch is "training"; the batch's status is its last frame's.
  // The line is three canvases (text before the step, the step, text after), so a frame changes no
  // DOM text: "Training: epoch 0.53 of 3, step | 37 | of 213, validation accuracy 91.2%".
  const status = STATUS[h.running || i < h.frames.length - 1 ? "training" : h.status] || h.status;
  setCanvasText(st.before, `${status}: epoch ${f.epoch.toFixed(2)} of ${+h.target_epochs.toPrecision(6)}, step\u00a0`);
  setCanvasText(st.stepText, thousands(f.step));
  const val = e ? a.val_accuracy[e - 1] : NaN;
  setCanvasText(st.after, `\u00a0of ${thousands(h.total)}` + (Number.isFinite(val) ? `, validation accuracy ${pct(val)}` : ""));
  // The bar grows by a transform (the compositor's work), not by its width (a layout).
  setStyle(els.fill, "transform", `scaleX(${Math.min(1, f.step / Math.max(h.total, 1)).toFixed(4)})`);
  const width = Math.max(260, Math.floor(((st.chartsWidth.w || 700) - 16) / 2));
  const key = `${h.batch} ${e} ${width}`;
  if (st.charted === key) return;
  st.charted = key;
  const xs = a.epoch.subarray(0, e);
  const cut = (name) => a[name].subarray(0, e);
  const opts = { xDomain: [0, h.target_epochs], xLabel: "epoch", wholeX: false, dots: true };
  lineChart(els.loss, width, 230, "Loss (cross-entropy)", xs, [
    { name: "training loss", color: DG_COLORS[0], values: cut("train_loss") },
    { name: "validation loss", color: DG_COLORS[1], values: cut("val_loss") },
  ], opts);
  lineChart(els.acc, width, 230, "Accuracy", xs, [
    { name: "training accuracy", color: DG_COLORS[0], values: cut("train_accuracy") },
    { name: "validation accuracy", color: DG_COLORS[1], values: cut("val_accuracy") },
  ], { ...opts, domain: [0, 1] });
}

export default function (component) {
  return mountView(component, {
    layout: () => "digits",
    frames: (h) => h.frames.length,
    build(st) {
      st.els = buildDigits(st.root);
      st.chartsWidth = trackWidth(st, st.els.charts, () => redrawShown(st));
      const inline = (el) => textCanvas(st, el, () => redrawShown(st), { fit: true });
      st.before = inline(st.els.before); st.stepText = inline(st.els.step); st.after = inline(st.els.after);
      st.render = (b, i, changed) => { if (changed) drawDigits(st, b, i); };
    },
  });
}
