// Shows the drawing canvas's toolbar all the time: adds toolbar.css (data.css) to the shadow root of
// every streamlit-drawable-canvas in the block that holds this element. The canvas builds its shadow
// root when its own script has loaded, which may be after this runs: look again every 100 ms, for at
// most 30 s. Called again on every rerun; a root that has the style already is left alone. This
// element shows nothing: its container is taken out of the layout (no gap below the canvas).
const STYLE_ID = "nnviz-canvas-toolbar";

function pin(block, css) {
  let pinned = 0;
  for (const host of block.querySelectorAll("[data-testid=stBidiComponentIsolated]")) {
    const root = host.shadowRoot;
    if (!root || !root.querySelector(".canvas-root, .dc-root")) continue;
    if (!root.getElementById(STYLE_ID)) {
      const style = document.createElement("style");
      style.id = STYLE_ID;
      style.textContent = css;
      root.appendChild(style);
    }
    pinned++;
  }
  return pinned;
}

export default function ({ parentElement, data }) {
  const block = parentElement.closest("[data-testid=stVerticalBlock]") || document;
  const container = parentElement.closest("[data-testid=stElementContainer]");
  if (container) container.style.display = "none";
  let timer = null;
  let tries = 0;
  const attempt = () => {
    timer = null;
    const pinned = pin(block, data.css);
    parentElement.dataset.pinned = String(pinned);
    if (!pinned && ++tries < 300) timer = setTimeout(attempt, 100);
  };
  attempt();
  return () => { if (timer !== null) clearTimeout(timer); };
}
