#!/usr/bin/env python3
"""What the page's main-thread long tasks spent their time on, from a Chromium trace.

Usage: scripts/trace-long-tasks.py TRACE [--min-ms 50] [--top 25] [--tasks 8]

Record TRACE with CONVSCOPE_E2E_TRACE=FILE (tests/e2e/browser.rs), for example
  CONVSCOPE_E2E_TRACE=/tmp/trace.pb CONVSCOPE_METRICS_WINDOW=page \\
    ./scripts/measure-page.sh interaction
Chromium writes Perfetto's protobuf format there; this script decodes the parts it needs by
itself (standard library only), and reads Trace Event JSON too.

It takes the renderer main thread (the thread with the most style and layout events), finds
its top-level tasks longer than --min-ms and splits each one's time by the trace events
inside it, by self time (an event's time minus that of the events nested in it), so the
figures add up to the tasks' length. Prints the totals over all long tasks, the same over all
tasks, and the --tasks longest tasks one by one.
"""

import argparse
import collections
import json
import sys

# Top-level events that are "a task" on a Blink thread (what the Long Tasks API sees).
TASK_NAMES = {"ThreadControllerImpl::RunTask", "RunTask", "ThreadPool_RunTask"}
MAIN_THREAD_HINTS = {"UpdateLayoutTree", "Layout", "Paint", "PrePaint", "Document::UpdateStyleAndLayout"}


# --------------------------------------------------------------------------------------------
# protobuf wire format

def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        if c < 0x80:
            return r, i
        s += 7


def fields(b, start=0, end=None):
    """(field number, wire type, value) of one message; value is int or a (start, end) span."""
    i, end = start, len(b) if end is None else end
    while i < end:
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v = (i, i + n)
            i += n
        elif wt == 1:
            v = int.from_bytes(b[i:i + 8], "little")
            i += 8
        elif wt == 5:
            v = int.from_bytes(b[i:i + 4], "little")
            i += 4
        else:
            raise ValueError(f"wire type {wt} at {i}")
        yield f, wt, v


def text(b, span):
    return b[span[0]:span[1]].decode("utf-8", "replace")


def load_proto(path):
    """Per track: list of (ts_us, type, name, dur_us or None); track uuid -> (pid, tid, name)."""
    b = open(path, "rb").read()
    names = collections.defaultdict(dict)       # seq -> iid -> event name
    defaults = {}                                # seq -> (clock id, track uuid)
    last_ts = collections.defaultdict(int)       # seq -> last incremental timestamp
    unit = collections.defaultdict(lambda: 1)    # seq -> ns per unit of its incremental clock
    tracks = {}                                  # uuid -> (pid, tid, thread name)
    events = collections.defaultdict(list)       # uuid -> [(ts_ns, type, name, dur_ns)]
    for f, wt, span in fields(b):
        if f != 1 or wt != 2:
            continue
        p = {}
        for pf, pwt, v in fields(b, *span):
            p.setdefault(pf, []).append(v)
        seq = p.get(10, [0])[0]
        flags = p.get(13, [0])[0]
        if flags & 1:  # incremental state cleared
            names[seq] = {}
            last_ts[seq] = 0
        if 59 in p:  # trace_packet_defaults
            clock, uuid = None, None
            for df, _, dv in fields(b, *p[59][0]):
                if df == 58:
                    clock = dv
                elif df == 11:
                    for tf, _, tv in fields(b, *dv):
                        if tf == 11:
                            uuid = tv
            defaults[seq] = (clock, uuid)
        if 6 in p:  # clock snapshot: the incremental clock's reference value
            for cf, _, cv in fields(b, *p[6][0]):
                if cf == 1:
                    c = {k: v for k, _, v in fields(b, *cv)}
                    if c.get(1, 0) >= 64:
                        last_ts[seq] = c.get(2, 0)
                        unit[seq] = c.get(4, 1)
        if 12 in p:  # interned data
            for inf, _, iv in fields(b, *p[12][0]):
                if inf == 2:  # event_names
                    e = {k: v for k, _, v in fields(b, *iv)}
                    if 1 in e and 2 in e:
                        names[seq][e[1]] = text(b, e[2])
        if 60 in p:  # track descriptor
            d = {}
            for tf, _, tv in fields(b, *p[60][0]):
                d[tf] = tv
            if 4 in d:
                t = {k: v for k, _, v in fields(b, *d[4])}
                tname = text(b, t[5]) if 5 in t else ""
                tracks[d.get(1)] = (t.get(1), t.get(2), tname)
        if 11 in p:  # track event
            clock, uuid = defaults.get(seq, (None, None))
            clock = p.get(58, [clock])[0]
            ts = p.get(8, [0])[0]
            if clock is not None and clock >= 64:
                last_ts[seq] += ts
                ts = last_ts[seq] * unit[seq]
            te = {}
            for ef, ewt, ev in fields(b, *p[11][0]):
                te.setdefault(ef, []).append(ev)
            uuid = te.get(11, [uuid])[0]
            typ = te.get(9, [0])[0]
            name = None
            if 10 in te:
                name = names[seq].get(te[10][0])
            elif 23 in te:
                name = text(b, te[23][0])
            dur = None
            if 6 in te:  # legacy event
                le = {k: v for k, _, v in fields(b, *te[6][0])}
                if name is None and 1 in le:
                    name = names[seq].get(le[1])
                if le.get(2) == ord("X") and 3 in le:
                    typ, dur = 5, le[3] * 1000  # duration_us
                elif le.get(2) == ord("B"):
                    typ = 1
                elif le.get(2) == ord("E"):
                    typ = 2
            events[uuid].append((ts, typ, name, dur))
    return events, tracks


def proto_intervals(evs):
    """(start_us, end_us, name) from begin/end and complete events, sorted."""
    out, stack = [], []
    for ts, typ, name, dur in sorted(evs, key=lambda e: e[0]):
        if typ == 1:
            stack.append((ts, name))
        elif typ == 2 and stack:
            start, n = stack.pop()
            out.append((start / 1000, ts / 1000, n or "?"))
        elif typ == 5:
            out.append((ts / 1000, (ts + dur) / 1000, name or "?"))
    out.sort(key=lambda i: (i[0], -i[1]))
    return out


# --------------------------------------------------------------------------------------------
# JSON

def load_json(path):
    with open(path, "rb") as f:
        data = json.load(f)
    evs = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = collections.defaultdict(list)
    tnames = {}
    for e in evs:
        key = (e.get("pid"), e.get("tid"))
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            tnames[key] = e["args"]["name"]
        else:
            by_thread[key].append(e)
    out = {}
    for key, es in by_thread.items():
        ivs, open_ = [], []
        for e in sorted(es, key=lambda e: e.get("ts", 0)):
            ph = e.get("ph")
            if ph == "X":
                ivs.append((e["ts"], e["ts"] + e.get("dur", 0), e["name"]))
            elif ph == "B":
                open_.append(e)
            elif ph == "E" and open_:
                b = open_.pop()
                ivs.append((b["ts"], e["ts"], b["name"]))
        ivs.sort(key=lambda i: (i[0], -i[1]))
        out[key + (tnames.get(key, ""),)] = ivs
    return out


# --------------------------------------------------------------------------------------------

def tree(ivs):
    """Top-level intervals, each with the self time of every event nested in it, by name."""
    tops, stack = [], []  # stack items: [start, end, name, children_time, top_index]

    def close(item):
        start, end, name, child, top = item
        tops[top]["self"][name] += max(0.0, (end - start) - child)
        if stack:
            stack[-1][3] += end - start

    for start, end, name in ivs:
        while stack and stack[-1][1] <= start:
            close(stack.pop())
        if not stack:
            tops.append({"start": start, "end": end, "name": name, "self": collections.Counter()})
            top = len(tops) - 1
        else:
            top = stack[-1][4]
            end = min(end, stack[-1][1])
        stack.append([start, end, name, 0.0, top])
    while stack:
        close(stack.pop())
    return tops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("--min-ms", type=float, default=50.0)
    ap.add_argument("--top", type=int, default=25, help="event names to list in the totals")
    ap.add_argument("--tasks", type=int, default=8, help="longest tasks to list one by one")
    a = ap.parse_args()

    with open(a.trace, "rb") as f:
        first = f.read(1)
    if first in (b"{", b"["):
        threads = load_json(a.trace)
    else:
        events, tracks = load_proto(a.trace)
        threads = {}
        for uuid, evs in events.items():
            pid, tid, name = tracks.get(uuid, (None, None, ""))
            threads[(pid, tid, name or f"track {uuid}")] = proto_intervals(evs)

    def hints(ivs):
        return sum(1 for i in ivs if i[2] in MAIN_THREAD_HINTS)

    ranked = sorted(threads.items(), key=lambda kv: hints(kv[1]), reverse=True)
    print("threads with the most events:")
    for key, ivs in sorted(threads.items(), key=lambda kv: len(kv[1]), reverse=True)[:8]:
        busy = sum(e - s for s, e, _ in tree_tops(ivs))
        print(f"  {key[2] or '?':28} pid {key[0]} tid {key[1]}: {len(ivs)} events, "
              f"top-level busy {busy / 1e6:.1f} s")
    key, ivs = ranked[0]
    tops = tree(ivs)
    tasks = [t for t in tops if t["name"] in TASK_NAMES] or tops
    dur = lambda t: (t["end"] - t["start"]) / 1000.0
    long = [t for t in tasks if dur(t) > a.min_ms]
    span = (tops[-1]["end"] - tops[0]["start"]) / 1e6 if tops else 0
    print(f"\nmain thread ({key[2]}, pid {key[0]} tid {key[1]}): {len(tasks)} tasks over "
          f"{span:.1f} s, busy {sum(map(dur, tasks)) / 1000:.1f} s; {len(long)} longer than "
          f"{a.min_ms:.0f} ms (total {sum(map(dur, long)):.0f} ms, "
          f"max {max(map(dur, long), default=0):.0f} ms)")
    for label, group in (("the long tasks", long), ("all tasks", tasks)):
        total = collections.Counter()
        for t in group:
            total.update(t["self"])
        whole = sum(total.values())
        if not whole:
            continue
        print(f"\n  self time in {label}, by event ({whole / 1000:.0f} ms):")
        for name, us in total.most_common(a.top):
            print(f"    {us / 1000:9.1f} ms  {100 * us / whole:5.1f}%  {name}")
    print(f"\n  the {a.tasks} longest tasks:")
    for t in sorted(long, key=dur, reverse=True)[: a.tasks]:
        parts = ", ".join(f"{n} {us / 1000:.0f}" for n, us in t["self"].most_common(6))
        print(f"    at {(t['start'] - tops[0]['start']) / 1e6:7.2f} s  {dur(t):6.0f} ms: {parts}")


def tree_tops(ivs):
    end = None
    for s, e, _ in ivs:
        if end is None or s >= end:
            end = e
            yield s, e, None


if __name__ == "__main__":
    main()
