#!/usr/bin/python3
"""pagecheck.py - load one HTML page in headless Chromium and check it.

Talks to Debian's chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, replies on fd 4, each a JSON
text ended by a NUL byte), with nothing but the Python standard library:

  pagecheck.py PAGE.html [--width 1280] [--height 1600]
               [--screenshot FILE.png] [--phone-screenshot FILE.png]
               [--ax-dump FILE] [--expect FILE] [--browser PATH]

It prints one line per problem and exits 1 when there is any (2 when the
browser cannot be driven). The checks, for WCAG 2.2 AA as far as a
program can tell:
  - the page has a lang and a title, one h1, and no heading level skipped;
  - every table has a non-empty caption and every th a scope;
  - every svg is aria-hidden or role="img" with an accessible name, and
    every image in the accessibility tree has a name;
  - accessible names of images, figures, tables, regions, navigation and
    disclosure summaries are unique, and links of one name go to one place;
  - text contrast is at least 4.5:1 (3:1 for large text), chart lines and
    marks at least 3:1 against their background;
  - at 375 px (--phone-screenshot) nothing scrolls sideways;
  - printed, every table is on the paper (folded ones too) and the
    contents list is not.
--ax-dump writes the accessibility tree (role "name" per line, indented);
--expect FILE lists extended regular expressions, one a line, that must
match lines of that dump in order (lines starting with # are comments).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe."""

    def __init__(self, path):
        self.profile = tempfile.mkdtemp(prefix="pagecheck-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # the child's fd 3 reads our commands, fd 4 writes replies
            hi_r = os.dup(to_child_r) if to_child_r < 5 else to_child_r
            hi_w = os.dup(from_child_w) if from_child_w < 5 else from_child_w
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [path, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
             "--force-color-profile=srgb", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("PAGECHECK_DEBUG") else subprocess.DEVNULL, preexec_fn=fds, close_fds=False,
            env=dict(os.environ, HOME=self.profile))
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        text, self.buf = self.buf.split(b"\0", 1)
        return json.loads(text)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, session):
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method and ev.get("sessionId") == session:
                    del self.events[i]
                    return ev
            self.events.append(self._read_message())

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, url, width, height):
        self.b = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})
        self.s = browser.call("Target.attachToTarget",
                              {"targetId": target["targetId"],
                               "flatten": True})["sessionId"]
        self.resize(width, height)
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})
        browser.wait_event("Page.loadEventFired", self.s)

    def call(self, method, params=None):
        return self.b.call(method, params, self.s)

    def resize(self, width, height):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": width < 600})

    def evaluate(self, js):
        r = self.call("Runtime.evaluate", {"expression": js,
                                           "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("script failed: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def screenshot(self, path, top=0):
        import base64
        self.evaluate("window.scrollTo(0, %d)" % top)
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


# Checks run inside the page; each problem is one string.
DOM_CHECKS = r"""
(() => {
  const bad = [];
  const text = e => (e ? e.textContent.replace(/\s+/g, ' ').trim() : '');
  if (!document.documentElement.lang) bad.push('html has no lang');
  if (!document.title.trim()) bad.push('the page has no title');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) bad.push('the page has ' + h1 + ' h1 elements, not 1');
  let level = 0;
  for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
    const l = +h.tagName[1];
    if (l > level + 1) bad.push('heading "' + text(h) + '" skips from h' + level + ' to h' + l);
    level = l;
  }
  document.querySelectorAll('table').forEach((t, i) => {
    if (!text(t.querySelector(':scope > caption')))
      bad.push('table ' + (i + 1) + ' has no caption');
  });
  document.querySelectorAll('th').forEach(th => {
    if (!/^(col|row|colgroup|rowgroup)$/.test(th.getAttribute('scope') || ''))
      bad.push('th "' + text(th) + '" has no scope');
  });
  const named = e => {
    if ((e.getAttribute('aria-label') || '').trim()) return true;
    const ids = (e.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    if (ids.some(id => text(document.getElementById(id)))) return true;
    return !!text(e.querySelector(':scope > title'));
  };
  document.querySelectorAll('svg').forEach((s, i) => {
    if (s.closest('[aria-hidden="true"]')) return;
    if (s.getAttribute('role') !== 'img')
      bad.push('svg ' + (i + 1) + ' is neither aria-hidden nor role="img"');
    else if (!named(s))
      bad.push('chart ' + (i + 1) + ' (svg role="img") has no accessible name');
  });
  // contrast
  const rgb = c => { const m = c.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                     return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = e => {
    for (; e && e.nodeType === 1; e = e.parentElement) {
      if (e instanceof SVGElement && e.tagName !== 'svg') {
        if (e.tagName === 'rect') { const f = rgb(getComputedStyle(e).fill); if (f.length < 4 || f[3] > 0) return f; }
        continue;
      }
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const e = n.parentElement;
    if (!n.textContent.trim() || seen.has(e)) continue;
    seen.add(e);
    if (e.closest('title,desc,style,[hidden]')) continue;
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const fg = rgb(e instanceof SVGElement ? cs.fill : cs.color);
    const size = parseFloat(cs.fontSize), bold = +cs.fontWeight >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const r = ratio(fg, background(e));
    if (r < need)
      bad.push('text "' + text(e).slice(0, 40) + '" has contrast ' + r.toFixed(2) + ', needs ' + need);
  }
  document.querySelectorAll('svg [class~="line"], svg [class~="x"], svg [class~="pt"]').forEach(g => {
    const cs = getComputedStyle(g);
    const c = rgb(cs.stroke !== 'none' ? cs.stroke : cs.fill);
    const r = ratio(c, [255, 255, 255]);
    if (r < 3) bad.push('a chart mark has contrast ' + r.toFixed(2) + ', needs 3');
  });
  return bad;
})()
"""


def ax_dump(page):
    """The accessibility tree, one node a line: role "name" [level]."""
    nodes = page.call("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}
    skip = {"generic", "none", "StaticText", "InlineTextBox", "LineBreak",
            "ListMarker", "RootWebArea"}
    lines = []

    def visit(node, depth):
        role = node.get("role", {}).get("value", "")
        shown = not node.get("ignored") and role not in skip
        if shown:
            name = node.get("name", {}).get("value", "")
            extra = ""
            for p in node.get("properties", []):
                if p["name"] == "level":
                    extra = " level=%s" % p["value"]["value"]
            lines.append("%s%s \"%s\"%s" % ("  " * depth, role,
                                            " ".join(str(name).split()), extra))
        for cid in node.get("childIds", []):
            if cid in by_id:
                visit(by_id[cid], depth + (1 if shown else 0))

    roots = [n for n in nodes if not n.get("parentId")]
    for r in roots:
        visit(r, 0)
    return lines


def ax_checks(lines):
    bad = []
    names = {}
    for line in lines:
        m = re.match(r'\s*(\S+) "(.*)"', line)
        if not m:
            continue
        role, name = m.groups()
        if role in ("image", "img") and not name:
            bad.append("an image has no accessible name")
        if role in ("image", "img", "figure", "table", "region", "navigation",
                    "DisclosureTriangle"):
            if name and name in names.get(role, set()):
                bad.append('two %s elements are both named "%s"' % (role, name))
            names.setdefault(role, set()).add(name)
    return bad


LINK_CHECK = r"""
(() => {
  const bad = [], to = new Map();
  document.querySelectorAll('a[href]').forEach(a => {
    const n = a.textContent.replace(/\s+/g, ' ').trim();
    if (!n) bad.push('a link has no text');
    if (to.has(n) && to.get(n) !== a.getAttribute('href'))
      bad.push('links named "' + n + '" go to different places');
    to.set(n, a.getAttribute('href'));
  });
  return bad;
})()
"""


PRINT_CHECK = r"""
(() => {
  const bad = [];
  document.querySelectorAll('table').forEach((t, i) => {
    if (!t.getClientRects().length) bad.push('printed, table ' + (i + 1) + ' is not shown');
  });
  document.querySelectorAll('nav').forEach(n => {
    if (n.getClientRects().length) bad.push('printed, the contents list is shown');
  });
  return bad;
})()
"""


def print_checks(page):
    page.call("Emulation.setEmulatedMedia", {"media": "print"})
    bad = page.evaluate(PRINT_CHECK)
    page.call("Emulation.setEmulatedMedia", {"media": ""})
    return bad


def expect(lines, path):
    """Each pattern of path must match a line of lines, in order."""
    i = 0
    with open(path, encoding="utf-8") as f:
        for pat in f:
            pat = pat.rstrip("\n")
            if not pat or pat.startswith("#"):
                continue
            rx = re.compile(pat)
            while i < len(lines) and not rx.search(lines[i]):
                i += 1
            if i == len(lines):
                return ["the accessibility tree lacks /%s/ (in order)" % pat]
            i += 1
    return []


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1600)
    ap.add_argument("--screenshot")
    ap.add_argument("--phone-screenshot")
    ap.add_argument("--phone-height", type=int, default=1600)
    ap.add_argument("--top", type=int, default=0,
                    help="scroll this far down before the screenshots")
    ap.add_argument("--ax-dump")
    ap.add_argument("--expect")
    ap.add_argument("--browser", default=shutil.which("chromium") or
                    shutil.which("chromium-browser") or "chromium")
    a = ap.parse_args(argv)
    url = "file://" + os.path.abspath(a.page)
    bad = []
    try:
        b = Browser(a.browser)
    except OSError as e:
        print("pagecheck: cannot start %s: %s" % (a.browser, e))
        return 2
    try:
        page = Page(b, url, a.width, a.height)
        bad += page.evaluate(DOM_CHECKS)
        bad += page.evaluate(LINK_CHECK)
        lines = ax_dump(page)
        bad += ax_checks(lines)
        if a.ax_dump:
            with open(a.ax_dump, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        if a.expect:
            bad += expect(lines, a.expect)
        bad += print_checks(page)
        if a.screenshot:
            page.screenshot(a.screenshot, a.top)
        if a.phone_screenshot:
            page.resize(375, a.phone_height)
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > 375:
                bad.append("at 375 px the page is %d px wide: it scrolls "
                           "sideways" % wide)
            bad += ["at 375 px: " + p for p in page.evaluate(DOM_CHECKS)]
            page.screenshot(a.phone_screenshot, a.top)
    except (RuntimeError, OSError, KeyError, ValueError) as e:
        print("pagecheck: %s" % e)
        return 2
    finally:
        b.close()
    for p in bad:
        print(p)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
