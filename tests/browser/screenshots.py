"""Screenshots of a scorecard at 1,400 and 420 px, for a person to look at.

    python tests/browser/screenshots.py [out/scorecard.html] [--out out/screenshots]

Writes ``wide.png``, ``narrow.png`` (the page as it opens) and
``wide-details.png``, ``narrow-details.png`` (first paper expanded), full page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from browser.chromium import browser_context, unavailable_reason  # noqa: E402

WIDTHS = {"wide": 1400, "narrow": 420}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", nargs="?", default="out/scorecard.html")
    parser.add_argument("--out", default="out/screenshots")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    page_path = Path(args.page).resolve()
    if not page_path.is_file():
        print(f"screenshots: {args.page} not found: run `audit run` first", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, width in WIDTHS.items():
        with browser_context(width, 900) as context:
            page = context.new_page()  # type: ignore[attr-defined]
            page.goto(page_path.as_uri())
            page.wait_for_selector("#paper-rows tr")
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            toggle = page.locator("#paper-rows button.toggle").first
            if toggle.count():
                toggle.click()
                page.locator("tr.detail").first.scroll_into_view_if_needed()
                page.screenshot(path=str(out / f"{name}-details.png"), full_page=False)
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
