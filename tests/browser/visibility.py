"""Make a page report itself hidden (a background tab, a minimised window) and visible again.

Headless Chromium keeps every tab visible, so ``hide`` overrides ``document.visibilityState`` and
``document.hidden`` and dispatches ``visibilitychange``, as the browser does; ``show`` undoes it.
The page keeps drawing meanwhile, so a test still sees whether the server trained on.
"""

from __future__ import annotations

HIDE = """() => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  delete document.visibilityState; delete document.hidden;
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def hide(page) -> None:
    page.evaluate(HIDE)


def show(page) -> None:
    page.evaluate(SHOW)
