"""nnviz entry point: page config, navigation over pages/, and the home page.

Streamlit runs this file as the app's script (``main()``, on every rerun of every session). ``streamlit
run app.py`` also imports it to serve it (``app``, an ASGI app: Streamlit's server with the
pages' HTML telling the browser where the server is and carrying the app's style and history rule,
nnviz/ui/index_page.py, its frontend's files
sent compressed, nnviz/ui/compressed_assets.py, and its connections without Nagle's delay,
nnviz/ui/tcp_nodelay.py)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from nnviz.ui import compressed_assets, frontend_warmup, history, home, index_page, lessons, page_link, tcp_nodelay
from nnviz.ui.common import APP_STYLE, ICON, PAGES


def main() -> None:
    """One run of the app's script: the page config, the navigation and the page it opens."""
    st.set_page_config(page_title="nnviz: see how a neural network learns", page_icon=str(ICON), layout="wide")
    here = Path(__file__).parent
    # The home page is served at / (the default page's url_path is ignored); /home is a hidden page that
    # sends the visitor there (nnviz/ui/home.py): no second entry in the sidebar, no "Page not found".
    navigation = [home.page(),
                  st.Page(str(here / "pages" / "home.py"), title=home.TITLE, url_path="home", visibility="hidden")]
    navigation += [
        st.Page(str(here / "pages" / f"{page.slug}.py"), title=page.title, icon=page.icon, url_path=page.slug)
        for page in PAGES
        if (here / "pages" / f"{page.slug}.py").exists()
    ]
    page = st.navigation(navigation)
    page_link.note_page(page.url_path)  # whether this run enters the page (it then reads its link)
    lessons.banner(page.url_path)  # a lesson's text above the page it opened
    page.run()
    # While the student reads this page, the browser loads the code of the others' elements (a head
    # start for the first click on each; nnviz/ui/frontend_warmup.py).
    frontend_warmup.warm_frontend()


if __name__ == "__main__":  # Streamlit runs the script (its module is always __main__)
    main()
else:  # `streamlit run app.py` (or uvicorn app:app) imports it to serve it
    from starlette.middleware import Middleware

    # The pages' HTML carries the app's style and the history rule in its head (one per document).
    app = st.App(__file__, lifespan=tcp_nodelay.lifespan, middleware=[
        Middleware(index_page.IndexPageMiddleware, page_slugs=["home", *(p.slug for p in PAGES)],
                   head=APP_STYLE + history.SCRIPT),
        Middleware(compressed_assets.CompressedAssetsMiddleware),
    ])
