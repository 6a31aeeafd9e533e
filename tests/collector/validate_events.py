#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# validate_events.py [--types alert,flow,stats] SCHEMA FILE...: every line of
# every FILE must be a JSON object valid against SCHEMA
# (docs/schema/vigil-event.schema.json); each listed type must occur at least
# once; and broken copies of the first valid events must be rejected, so the
# schema is known to bite.
import copy
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is missing (scripts/setup.sh installs it)")
    sys.exit(1)

args = sys.argv[1:]
types = ("alert", "flow", "stats")
if args[0] == "--types":
    types = tuple(args[1].split(","))
    args = args[2:]
schema = json.load(open(args[0]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
seen = {}
first = {}
bad = 0
for path in args[1:]:
    for n, line in enumerate(open(path), 1):
        ev = json.loads(line)
        errors = sorted(validator.iter_errors(ev), key=lambda e: list(e.path))
        if errors:
            bad += 1
            if bad <= 5:
                print("FAIL %s:%d (%s): %s at %s" % (path, n, ev.get("event_type"), errors[0].message,
                                                    "/".join(map(str, errors[0].path))))
            continue
        t = ev["event_type"]
        seen[t] = seen.get(t, 0) + 1
        first.setdefault(t, ev)

passed = failed = 0


def check(name, ok):
    global passed, failed
    print("  %-60s %s" % (name, "ok" if ok else "FAIL"))
    if ok:
        passed += 1
    else:
        failed += 1


check("every event valid (%s)" % ", ".join("%s=%d" % kv for kv in sorted(seen.items())), bad == 0)
for t in types:
    check("at least one %s event" % t, seen.get(t, 0) > 0)


def broken(t, what, mutate):
    if t not in types:
        return
    if t not in first:
        check("%s: %s rejected (no %s event to break)" % (t, what, t), False)
        return
    ev = copy.deepcopy(first[t])
    mutate(ev)
    check("%s: %s rejected" % (t, what), not validator.is_valid(ev))


broken("alert", "missing community_id", lambda e: e.pop("community_id"))
broken("alert", "community_id not v1", lambda e: e.update(community_id="2:abc"))
broken("alert", "timestamp without microseconds", lambda e: e.update(timestamp="2021-06-14T19:45:02+0000"))
broken("alert", "alert.action other than allowed/blocked", lambda e: e["alert"].update(action="dropped"))
broken("alert", "vigil.state unknown", lambda e: e["vigil"].update(state="ongoing"))
broken("alert", "no vigil block", lambda e: e.pop("vigil"))
broken("flow", "flow.pkts_toserver negative", lambda e: e["flow"].update(pkts_toserver=-1))
broken("flow", "port above 65535", lambda e: e.update(src_port=70000))
broken("stats", "stats with an address", lambda e: e.update(src_ip="10.0.0.1"))
broken("stats", "stats without decoder", lambda e: e["stats"].pop("decoder"))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
