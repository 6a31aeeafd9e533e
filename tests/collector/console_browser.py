#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""console_browser.py: the console in a real browser (Debian's chromium,
headless), driven over the Chrome DevTools protocol on --remote-debugging-pipe
(fd 3 and 4, NUL-terminated JSON; the standard library only). Loads each page
from a running collector, checks the DOM, downloads the evidence through its
link, and writes a PNG of every page.

usage: console_browser.py BASE_URL SHOTS_DIR EXPECT.json

EXPECT.json (written by tests/collector/console.sh):
  {"incident": "edge-1:N", "signature": "...", "events": 3, "sha256": "hex",
   "host": "192.168.56.1", "sensor": "edge-1", "version": "0.1.0",
   "hostile": "SENSOR:N" (an incident whose fields hold HTML), "hostile_text": "<script>..."}
Prints one line per check ("  name: ok" / "  name: FAIL (why)") and
"N passed, N failed"; exit 1 on any failure.
"""
import base64
import fcntl
import hashlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT = 15.0


class Cdp:
    """One headless chromium and its DevTools pipe."""

    def __init__(self, profile, log):
        to_child_r, self.w = os.pipe()
        self.r, from_child_w = os.pipe()
        # far from 3 and 4, so the dup2 below cannot clobber one with the other
        hi_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 20)
        hi_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 20)
        os.close(to_child_r)
        os.close(from_child_w)

        def child():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--remote-debugging-pipe", "--window-size=1400,900", "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=False,
                                     preexec_fn=child)
        os.close(hi_r)
        os.close(hi_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _recv(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise EOFError("chromium closed its DevTools pipe (exit %s)" % self.proc.poll())
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=TIMEOUT):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._recv(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, pred, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and pred(m.get("params", {})):
                    return self.events.pop(i)["params"]
            self.events.append(self._recv(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.r)
        os.close(self.w)


class Page:
    def __init__(self, cdp, downloads):
        self.cdp = cdp
        target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            cdp.call(domain + ".enable", session=self.s)
        cdp.call("Emulation.setDeviceMetricsOverride",
                 {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=self.s)
        cdp.call("Browser.setDownloadBehavior",
                 {"behavior": "allow", "downloadPath": downloads, "eventsEnabled": True})

    def eval(self, expr):
        r = self.cdp.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True},
                          session=self.s)
        if "exceptionDetails" in r:
            raise RuntimeError("page script: %s" % r["exceptionDetails"].get("text"))
        return r["result"].get("value")

    def goto(self, url, ready, timeout=TIMEOUT):
        """Navigate and wait until the expression ready is true (the page's data rendered)."""
        self.cdp.call("Page.navigate", {"url": url}, session=self.s)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.eval(ready):
                    return True
            except RuntimeError:
                pass  # the document is being replaced
            time.sleep(0.1)
        return False

    def shot(self, path):
        m = self.cdp.call("Page.getLayoutMetrics", session=self.s)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": max(1400, m["width"]), "height": min(max(900, m["height"]), 6000),
                "scale": 1}
        png = self.cdp.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                       "clip": clip}, session=self.s)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("  %s: ok" % name)
        else:
            self.failed += 1
            print("  %s: FAIL%s" % (name, " (%s)" % detail if detail else ""))
        sys.stdout.flush()


def q(s):
    return urllib.parse.quote(s, safe="")


def main():
    base, shots, expect_path = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(expect_path) as f:
        ex = json.load(f)
    os.makedirs(shots, exist_ok=True)
    if not os.access(CHROMIUM, os.X_OK):
        print("  chromium: FAIL (%s missing: scripts/setup.sh installs Debian's chromium)" % CHROMIUM)
        return 1
    check = Checks()
    work = tempfile.mkdtemp(prefix="vigil-chromium.")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    t0 = time.monotonic()
    with open(os.path.join(shots, "chromium.log"), "w") as log:
        cdp = Cdp(os.path.join(work, "profile"), log)
        try:
            p = Page(cdp, downloads)
            inc_sel = "document.querySelector(%s)" % json.dumps('tr[data-id=' + json.dumps(ex["incident"]) + ']')

            # incidents: the live list
            ok = p.goto(base + "/", inc_sel + " !== null")
            check("incidents: the replayed incident %s is listed" % ex["incident"], ok)
            if ok:
                sig = p.eval(inc_sel + ".querySelector('a.sig').textContent")
                check("incidents: its row shows the signature", sig == ex["signature"], repr(sig))
                cells = p.eval("Array.from(%s.cells).map(c => c.textContent)" % inc_sel)
                check("incidents: severity, detector, hosts, first/last seen, observed vs expected",
                      cells[0].startswith(str(ex["severity"])) and cells[1] == ex["detector"] and
                      ex["host"] in cells[3] and cells[4].startswith(ex["first_seen"]) and " vs " in cells[6],
                      repr(cells))
                order = p.eval("Array.from(document.querySelectorAll('#incidents tbody tr')).map(r => r.dataset.id)")
                check("incidents: newest first", order == ex["order"], "%r != %r" % (order, ex["order"]))
                hostile_sel = "document.querySelector(%s)" % json.dumps('tr[data-id=' + json.dumps(ex["hostile"]) + ']')
                txt = p.eval("(%s || {}).textContent || ''" % hostile_sel)
                check("escaping: the signature holding <script> is shown as text", ex["hostile_text"] in txt,
                      repr(txt[:200]))
                check("escaping: no element came from the hostile fields",
                      p.eval("document.querySelectorAll('main script, main img, main iframe, [onerror]').length") == 0)
                check("escaping: nothing in them ran", p.eval("typeof window.__pwned") == "undefined")
                p.shot(os.path.join(shots, "incidents.png"))
            ok = p.goto(base + "/?host=" + q(ex["host_cidr"]), "document.querySelectorAll('#incidents tbody tr').length > 0")
            ids = p.eval("Array.from(document.querySelectorAll('#incidents tbody tr')).map(r => r.dataset.id)") if ok else []
            check("incidents: filter host=%s keeps only its incidents" % ex["host_cidr"], ids == [ex["incident"]], repr(ids))
            ok = p.goto(base + "/?detector=" + q(ex["other_detector"]) + "&sensor=" + q(ex["other_sensor"]),
                        "document.querySelectorAll('#incidents tbody tr').length > 0")
            ids = p.eval("Array.from(document.querySelectorAll('#incidents tbody tr')).map(r => r.dataset.id)") if ok else []
            check("incidents: filter detector and sensor", ids == [ex["other"]], repr(ids))

            # the incident page
            ok = p.goto(base + "/incident?id=" + q(ex["incident"]),
                        "document.querySelectorAll('#chart svg circle.pt').length > 0 && "
                        "document.querySelector('#evidence .sha256') !== null")
            check("incident: page rendered", ok)
            if ok:
                npts = p.eval("document.querySelectorAll('#chart svg circle.pt').length")
                check("incident: the chart has a point per event (%d)" % ex["events"], npts == ex["events"], str(npts))
                check("incident: the chart has the learned band and the trigger",
                      p.eval("document.querySelectorAll('#chart svg polygon.band').length === 1 && "
                             "document.querySelectorAll('#chart svg circle.pt.trigger').length === 1"))
                story = p.eval("document.getElementById('story').textContent")
                check("incident: says what was seen against what was expected",
                      "reached" in story and "expected" in story, story)
                check("incident: flows pivot by community_id",
                      p.eval("Array.from(document.querySelectorAll('#flows a.pivot-link')).some(a => "
                             "a.textContent === %s && a.getAttribute('href') === '/?community_id=' + "
                             "encodeURIComponent(%s))" % (json.dumps(ex["community_id"]), json.dumps(ex["community_id"]))))
                shown = p.eval("document.querySelector('#evidence .sha256').textContent")
                check("incident: evidence SHA-256 shown is the sensor's file's", shown == ex["sha256"], shown)
                p.shot(os.path.join(shots, "incident.png"))
                p.eval("document.getElementById('download').click()")
                try:
                    prog = cdp.wait_event("Browser.downloadProgress", lambda e: e.get("state") in ("completed", "canceled"),
                                          timeout=30)
                    files = [f for f in os.listdir(downloads) if not f.endswith(".crdownload")]
                    got = ""
                    if prog.get("state") == "completed" and files:
                        with open(os.path.join(downloads, files[0]), "rb") as f:
                            got = hashlib.sha256(f.read()).hexdigest()
                    check("incident: the evidence link downloads a file whose SHA-256 matches (%s)" %
                          (files[0] if files else "nothing"), got == shown and got == ex["sha256"],
                          "%s: %s" % (prog.get("state"), got))
                except (TimeoutError, EOFError) as e:
                    check("incident: the evidence link downloads a file whose SHA-256 matches", False, str(e))

            # the hostile incident's own page: every field is text there too
            ok = p.goto(base + "/incident?id=" + q(ex["hostile"]), "document.getElementById('incident').hidden === false")
            check("escaping: the hostile incident's page shows its fields as text",
                  ok and ex["hostile_text"] in p.eval("document.getElementById('title').textContent") and
                  p.eval("document.querySelectorAll('main script, main img, [onerror]').length") == 0 and
                  p.eval("typeof window.__pwned") == "undefined")

            # host
            ok = p.goto(base + "/host?addr=" + q(ex["host"]), "document.querySelectorAll('#baselines tbody tr').length > 0")
            check("host: %s lists its incident and its learned baselines" % ex["host"],
                  ok and p.eval(inc_sel + " !== null"))
            if ok:
                p.shot(os.path.join(shots, "host.png"))

            # sensors
            ok = p.goto(base + "/sensors", "document.querySelectorAll('#sensors tbody tr').length >= 2")
            rows = p.eval("Array.from(document.querySelectorAll('#sensors tbody tr')).map(r => "
                          "Array.from(r.cells).map(c => c.textContent))") if ok else []
            row = next((r for r in rows if r[0] == ex["sensor"]), None)
            check("sensors: %s with its version, last event, capture loss and spool" % ex["sensor"],
                  row is not None and row[1] == ex["version"] and row[2] and row[6] == ex["capture_loss"] and
                  "queued" in row[7], repr(row))
            row = next((r for r in rows if r[0] == ex["other_sensor"]), None)
            check("sensors: %s, a replay, reports no capture loss" % ex["other_sensor"],
                  row is not None and row[6] == "not reported", repr(row))
            if ok:
                p.shot(os.path.join(shots, "sensors.png"))

            # no page broke its own policy (an inline script or style would be a CSP violation here)
            bad = [e for e in cdp.events if e.get("method") in ("Runtime.exceptionThrown",) or
                   (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error") or
                   (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")]
            msgs = [json.dumps(e["params"])[:300] for e in bad]
            check("no script error and no Content-Security-Policy violation", not bad, "; ".join(msgs))
        finally:
            cdp.close()
            shutil.rmtree(work, ignore_errors=True)
    print("browser: %.1f s; screenshots in %s" % (time.monotonic() - t0, shots))
    print("%d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
