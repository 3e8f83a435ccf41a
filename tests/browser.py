"""Pages in a real browser: Debian's headless Chromium lays a page out at a given width and a small script lists
what sticks out of the viewport without a scrollable box to reach it (nothing fetched: the script is put into a
copy of the page)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

PROBE = """<script>window.addEventListener('load', () => {
  const width = document.documentElement.clientWidth, clipped = [];
  const scrolls = el => { for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
    const o = getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 1 || r.left < -1) && !scrolls(el))
      clipped.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').trim().slice(0, 40));
  }
  if (document.documentElement.scrollWidth > width + 1) clipped.push('page: ' + document.documentElement.scrollWidth + ' px wide');
  const pre = document.createElement('pre'); pre.id = 'dlkg-probe'; pre.textContent = JSON.stringify(clipped.slice(0, 20));
  document.body.appendChild(pre);
});</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def clipped_at(page: Path, width: int, scratch: Path) -> list[str]:
    """What of `page` a window `width` px wide cuts off (elements past its edges, or a page wider than it)."""
    probed = scratch / f"probe-{width}-{page.name}"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run([chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={scratch / 'chromium-profile'}", f"--window-size={width},2000",
                           "--virtual-time-budget=10000", "--dump-dom", probed.as_uri()],
                          capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="dlkg-probe">(.*?)</pre>', done.stdout, re.S)
    if found is None:
        raise RuntimeError(f"chromium gave no layout for {page}: {done.stderr[-500:]}")
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
