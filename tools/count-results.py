#!/usr/bin/env python3
"""Prints "N passed, N failed, N skipped" from meson's testlog.json.

Each TAP test counts its subtests ("ok" / "not ok" lines, "# SKIP" ones apart);
a test that died before finishing its plan counts one more failure. Other tests
count as one. Exits 1 if anything failed or if no test passed at all.
"""
import json
import re
import sys

passed = failed = skipped_total = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        result = test.get("result")
        if result == "SKIP":
            skipped_total += 1
            continue
        ok = result in ("OK", "EXPECTEDFAIL")
        out = test.get("stdout") or test.get("stdo") or ""
        oks = len(re.findall(r"^ok \d+", out, re.M))
        bad = len(re.findall(r"^not ok \d+", out, re.M))
        skipped = len(re.findall(r"^ok \d+ .*# SKIP", out, re.M))
        if oks + bad == 0:
            passed += ok
            failed += not ok
            continue
        passed += oks - skipped
        failed += bad
        skipped_total += skipped
        if not ok and bad == 0:
            failed += 1  # crashed, timed out or bailed out mid-plan
print(f"{passed} passed, {failed} failed, {skipped_total} skipped")
sys.exit(1 if failed or passed == 0 else 0)
