#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Drive a live migration between two QEMUs over QMP (tests/e2e).

    qmp.py SRC.qmp DST.qmp URI TIMEOUT
    qmp.py --hmp SOCK.qmp COMMAND

The destination was started with -incoming defer. Starts the incoming side
on URI, migrates the source to it, polls query-migrate until the migration
ends or TIMEOUT seconds pass, then prints one JSON object on stdout: the
source's last query-migrate and the destination's query-status. Exits 0
if the migration completed and the destination runs, 1 otherwise.
With --hmp, runs one human monitor COMMAND ("info registers") and prints
its output.
"""
import json
import socket
import sys
import time


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.f = self.sock.makefile("rw")
        json.loads(self.f.readline())  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError(f"QMP connection closed during {name}")
            r = json.loads(line)
            if "error" in r:
                raise RuntimeError(f"{name}: {r['error'].get('desc')}")
            if "return" in r:
                return r["return"]
            # an asynchronous event: ignored, query-migrate is polled


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--hmp":
        out = Qmp(sys.argv[2]).cmd("human-monitor-command",
                                   **{"command-line": sys.argv[3]})
        print(out, end="")
        return 0
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = Qmp(sys.argv[1]), Qmp(sys.argv[2])
    uri, limit = sys.argv[3], float(sys.argv[4])
    dst.cmd("migrate-incoming", uri=uri)
    src.cmd("migrate", uri=uri)
    end = time.monotonic() + limit
    while True:
        info = src.cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        if time.monotonic() > end:
            src.cmd("migrate_cancel")
            info["status"] = "timed out"
            break
        time.sleep(0.2)
    # The destination starts its vCPU once it has loaded everything.
    for _ in range(50):
        status = dst.cmd("query-status")
        if status.get("status") != "inmigrate":
            break
        time.sleep(0.2)
    print(json.dumps({"source": info, "destination": status}))
    ok = info.get("status") == "completed" and status.get("running")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
