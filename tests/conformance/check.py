#!/usr/bin/env python3
"""Starts build/lode on a free port with a fresh data directory, runs Loki's
recorded conformance cases (../shared/conformance/run.py --proto) against it,
and compares the failures with tests/conformance/known-failures.txt.

Exit status 1 when a case fails that is not listed, or when a listed case now
passes (remove it from the list: the list only shrinks). Exit status 77
(CTest: skipped) when run.py is missing, i.e. without ../shared.
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lode", required=True)
    ap.add_argument("--run-py", required=True)
    ap.add_argument("--known-failures", required=True)
    ap.add_argument("--config", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "lode-conformance.yaml"))
    a = ap.parse_args()
    if not os.path.exists(a.run_py):
        print("SKIPPED: %s not found (it comes with ../shared beside the repository)" % a.run_py)
        return 77
    known = set()
    with open(a.known_failures) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                known.add(line)
    data = tempfile.mkdtemp(prefix="lode-conformance-")
    port = free_port()
    log = open(os.path.join(data, "lode.log"), "w")
    proc = subprocess.Popen([a.lode, "--config", a.config, "--listen", "127.0.0.1:%d" % port, "--data-dir", os.path.join(data, "db")],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        url = "http://127.0.0.1:%d" % port
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "/ready", timeout=1) as r:
                    if r.status == 200:
                        break
            except Exception:
                time.sleep(0.05)
        else:
            print("conformance: lode did not become ready")
            return 1
        out = subprocess.run([sys.executable, a.run_py, "--url", url, "--proto", "--show", "100000"],
                             capture_output=True, text=True, timeout=1200)
        text = out.stdout
        failed = set(re.findall(r"^FAIL (\S+)", text, re.M))
        m = re.search(r"^(\d+) passed, (\d+) failed", text, re.M)
        if not m:
            print(text)
            print(out.stderr)
            print("conformance: run.py did not finish")
            return 1
        new = sorted(failed - known)
        fixed = sorted(known - failed)
        blocks = text.split("\nFAIL ")
        for b in blocks:
            cid = b.split()[0] if b.split() else ""
            if cid.startswith("FAIL"):
                cid = b.split()[1]
            if cid in new:
                print("NEW FAILURE " + b.strip()[:1500])
        for c in fixed:
            print("FIXED %s: passes now, remove it from %s" % (c, a.known_failures))
        print("conformance: %s passed, %s failed (%d known failures, %d new, %d fixed)"
              % (m.group(1), m.group(2), len(failed & known), len(new), len(fixed)))
        return 1 if new or fixed else 0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(data, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
