#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check what an emulated host reported (tests/e2e/*-inner.sh output).

  compare.py --machine powernv8|powernv9 --host-rc N FILE

FILE holds the inner script's output (run-host.sh --quiet). The inner lines
"ok"/"not ok" were already relayed by the suite; this prints one TAP line per
cross-check between observer, ground truth (ftrace, KVM stats, the guests'
own counts) and kvmslb doctor, and exits 1 if any failed.
"""
import argparse
import json
import re
import sys

failed = 0


def ok(desc):
    print(f"ok - {desc}")


def bad(desc):
    global failed
    failed += 1
    print(f"not ok - {desc}")


def check(cond, desc):
    (ok if cond else bad)(desc)
    return cond


def diag(text):
    print(f"# {text}")


def num(v):
    try:
        return int(str(v), 0)
    except (TypeError, ValueError):
        return None


def parse(path):
    facts, docs, inner = [], {}, []
    end = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if re.match(r"^(not )?ok( |$)", line):
                inner.append(line)
            if not line.startswith("#@ "):
                continue
            body = line[3:]
            if body.startswith("json "):
                _, kind, text = (body.split(" ", 2) + [""])[:3]
                try:
                    docs[kind] = json.loads(text) if text.strip() else None
                except json.JSONDecodeError as e:
                    docs[kind] = e
                continue
            kind, _, rest = body.partition(" ")
            d = dict(w.split("=", 1) for w in rest.split() if "=" in w)
            if kind == "end":
                end = d
            else:
                facts.append((kind, d))
    return facts, docs, inner, end


# ---- kvmslb stat -j: schema-tolerant reading (the engine is being written) --
def walk(o):
    yield o
    if isinstance(o, dict):
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)


def hist_samples(g):
    for k, v in g.items():
        if "hist" not in k.lower():
            continue
        if isinstance(v, dict):
            for c in ("samples", "count", "total"):
                if isinstance(v.get(c), int):
                    return v[c]
            for b in ("buckets", "counts"):
                if isinstance(v.get(b), list):
                    return sum(x.get("count", 0) if isinstance(x, dict) else x for x in v[b])
        if isinstance(v, list):
            return sum(x.get("count", 0) if isinstance(x, dict) else x for x in v)
    return None


def kvmslb_guests(doc):
    """Per-guest counters from kvmslb -j stat output, keyed by pid."""
    out = {}
    for o in walk(doc):
        if not isinstance(o, dict):
            continue
        pid = o.get("pid", o.get("tgid"))
        if not isinstance(pid, int):
            continue
        flat = {}
        for k, v in o.items():
            if isinstance(v, dict):
                for k2, v2 in v.items():
                    flat[f"{k}.{k2}".lower()] = v2
            flat[k.lower()] = v

        def pick(*names):
            for n in names:
                for k, v in flat.items():
                    if (k == n or k.endswith("." + n)) and isinstance(v, int):
                        return v
            return None
        out[str(pid)] = {
            "name": o.get("name", o.get("guest")),
            "hdsi": pick("hdsi"), "hisi": pick("hisi"),
            "dsegi": pick("dsegi", "dsegi_synth"), "isegi": pick("isegi", "isegi_synth"),
            "dropped": pick("dropped", "drops", "lost"),
            "seg_injected": pick("seg_injected"),
            "hist_samples": hist_samples(o),
            # --per-vcpu with events that name their vcpu: the vcpu ids
            "vcpu_ids": sorted(v["vcpu_id"] for v in o.get("vcpus") or []
                               if isinstance(v, dict) and isinstance(v.get("vcpu_id"), int)),
            "vcpu_exits": sum((v.get("counters") or {}).get("hdsi", 0) +
                              (v.get("counters") or {}).get("hisi", 0)
                              for v in o.get("vcpus") or [] if isinstance(v, dict)),
        }
    return out


def synth_unavailable(doc):
    """kvmslb says SLB synthesis is unavailable, with a reason."""
    for o in walk(doc):
        if isinstance(o, dict):
            keys = " ".join(o.keys()).lower()
            if ("avail" in keys or "usable" in keys) and o.get("available", o.get("usable")) is False \
                    and isinstance(o.get("reason"), str) and o["reason"]:
                if re.search(r"segment|slb|synth", json.dumps(o), re.I):
                    return o["reason"]
        if isinstance(o, str) and re.search(r"(segment|slb|synth).*unavailable|unavailable.*(segment|slb|synth)", o, re.I):
            return o
    return None


# ---- checks ------------------------------------------------------------------
def check_doctor(doc, host, machine):
    if doc is None:
        return
    if isinstance(doc, Exception) or not isinstance(doc, dict):
        bad(f"kvmslb -j doctor prints valid JSON ({doc})")
        return
    h, t = doc.get("host", {}), doc.get("tracing", {})
    tbool = lambda k: host.get(k) == "true"
    check(h.get("cpu_generation") == host.get("gen"),
          f"doctor: cpu generation {h.get('cpu_generation')} (host: {host.get('gen')})")
    check(h.get("kvm_hv_loaded") == tbool("kvm_hv"),
          f"doctor: kvm_hv loaded={h.get('kvm_hv_loaded')} (host: {host.get('kvm_hv')})")
    check(h.get("dev_kvm") == tbool("dev_kvm"),
          f"doctor: /dev/kvm={h.get('dev_kvm')} (host: {host.get('dev_kvm')})")
    check(t.get("btf") == tbool("btf"), f"doctor: BTF={t.get('btf')} (host: {host.get('btf')})")
    tps = t.get("tracepoints", {})
    for tp in ("kvm_segment_synth", "kvm_hfault", "kvm_guest_exit",
               "kvm_page_fault_enter", "kvm_page_fault_exit"):
        got = tps.get(f"kvm_hv:{tp}")
        check(got == tbool(tp), f"doctor: tracepoint kvm_hv:{tp}={got} (host: {host.get(tp)})")
    srcs = {s.get("name"): s for s in doc.get("sources", []) if isinstance(s, dict)}
    patched = srcs.get("patched", {})
    if tbool("kvm_segment_synth"):
        check(patched.get("usable") is True and doc.get("selected") == "patched",
              f"doctor: selects the patched source (selected={doc.get('selected')})")
    else:
        check(patched.get("usable") is False and bool(patched.get("reason")),
              f"doctor: SLB synthesis unavailable, with its reason ({patched.get('reason')!r})")
        check(doc.get("selected") == "stock",
              f"doctor: selects the stock source (selected={doc.get('selected')})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True)
    ap.add_argument("--host-rc", type=int, required=True)
    ap.add_argument("file")
    a = ap.parse_args()
    m = a.machine
    facts, docs, inner, end = parse(a.file)

    if a.host_rc == 124:
        bad(f"{m}: the host finished within its timeout")
    if end is None:
        bad(f"{m}: the host booted and the inner script ran to completion "
            f"(no end line; run-host exit {a.host_rc})")
        return 1
    n_inner = num(end.get("tests"))
    check(n_inner == len(inner) and n_inner > 0,
          f"{m}: host booted, inner script completed {n_inner} checks (relayed {len(inner)})")
    inner_failed = num(end.get("failed")) or 0
    check((a.host_rc == 0) == (inner_failed == 0),
          f"{m}: host exit status {a.host_rc} matches {inner_failed} inner failures")

    host = next((d for k, d in facts if k == "host"), {})
    check_doctor(docs.get("doctor"), host, m)

    guests = [d for k, d in facts if k == "guest"]
    gt = {d["pid"]: d for k, d in facts if k == "gt"}
    kst = {d["pid"]: d for k, d in facts if k == "kstat"}
    src = next((d.get("source") for k, d in facts if k == "observer"), None)
    doctor = docs.get("doctor") if isinstance(docs.get("doctor"), dict) else {}
    series = (doctor.get("tracing") or {}).get("patch_series")
    # observers: kvmslb stat (and, on POWER9 with BTF, a CO-RE one), or ftrace
    observers = []
    if src == "kvmslb":
        for label, mode in (("stat", None), ("stat_btf", "btf")):
            if label == "stat_btf" and label not in docs and "attached_" + label not in docs:
                continue
            doc = docs.get(label)
            if not isinstance(doc, (dict, list)):
                bad(f"kvmslb -j {label} printed valid JSON ({doc!r:.80})")
                observers.append((label, {}))
                continue
            observers.append((label, kvmslb_guests(doc)))
            if m == "powernv9":
                r = synth_unavailable(doc)
                check(r is not None, f"kvmslb {label}: SLB synthesis reported unavailable ({r!r})")
            want = mode or ("event" if series == "v2" else "task")
            att = docs.get("attached_" + label)
            got = att.get("attribution") if isinstance(att, dict) else None
            check(got == want, f"kvmslb {label}: readiness line says attribution {got!r} "
                  f"(want {want!r}; {att.get('how') if isinstance(att, dict) else att!r})")
    else:
        observers.append(("ftrace", {d["pid"]: d for k, d in facts if k == "obs"}))
    diag(f"observers: {[o for o, _ in observers]}; patch series {series}; {len(guests)} "
         f"guests; ground truth for pids {sorted(gt)}")
    if not guests:
        diag("no guest ran: nothing to compare")
        return 1 if failed else 0

    check_intervals(docs, guests, gt, series)
    pids = {g["pid"] for g in guests}
    extra = sorted(set(gt) - pids)
    check(not extra, f"ftrace attributes every event to a guest process (others: {extra})")
    for g in guests:
        n, p = g["name"], g["pid"]
        check(g.get("reported_pid") == p, f"{n}: slbguest reports its own pid {g.get('reported_pid')} (shell: {p})")
        t = gt.get(p, {})
        if m == "powernv9":
            check_p9_guest(n, p, t, observers, num(g.get("vcpus")))
        else:
            check_p8_guest(n, p, g, t, kst.get(p, {}), observers, series)
    return 1 if failed else 0


def check_intervals(docs, guests, gt, series):
    """kvmslb stat 1 N: its intervals add up to its total, which is the guest's own count."""
    if "ival_total" not in docs:
        return
    total = kvmslb_guests(docs["ival_total"]) if isinstance(docs["ival_total"], dict) else {}
    ivals = [kvmslb_guests(d) for k, d in docs.items() if k.startswith("ival_")
             and k != "ival_total" and isinstance(d, dict)]
    check(len(ivals) >= 3, f"kvmslb stat 1 1000: {len(ivals)} interval reports (at least 3)")
    # the guests ran across intervals: each interval is a difference, not a total
    busy = max((sum(1 for iv in ivals if (num(iv.get(g["pid"], {}).get("hdsi")) or 0) > 0)
                for g in guests), default=0)
    check(busy >= 2, f"kvmslb stat 1 1000: a guest's fault paths fall in {busy} intervals (>= 2)")
    for g in guests:
        n, p = g["name"], g["pid"]
        t = gt.get(p, {})
        exact = "-flood" not in n or series == "v2"
        for f, want in (("dsegi", num(g.get("dsegi"))), ("isegi", num(g.get("isegi"))),
                        ("hdsi+hisi", num(t.get("hfault")) or 0)):
            got = [iv.get(p, {}) for iv in ivals] + [total.get(p, {})]
            val = [sum(num(o.get(k)) or 0 for k in f.split("+")) for o in got]
            s, tot = sum(val[:-1]), val[-1]
            if exact:
                check(s == tot == want, f"{n}: stat's {len(ivals)} intervals add up to its "
                      f"total, the guest's own: {f} {s} == {tot} == {want}")
            else:
                check(s == tot, f"{n}: stat's intervals add up to its total: {f} {s} == {tot}")


def observed(label, obs, n, p):
    o = obs.get(p)
    if o is None:
        bad(f"{n}: the {label} observer saw guest pid {p}")
        return {}
    check(o.get("name") == n, f"{n}: {label} names pid {p} {o.get('name')!r}")
    return o


def check_p9_guest(n, p, t, observers, vcpus):
    hd, hi = num(t.get("hdsi")) or 0, num(t.get("hisi")) or 0
    check(hd + hi > 0, f"{n}: took HDSI/HISI exits (ftrace 0xe00={hd} 0xe20={hi})")
    pe, px = num(t.get("pf_enter")), num(t.get("pf_exit"))
    check((px or 0) > 0, f"{n}: took in-kernel page faults (kvm_page_fault_exit {px})")
    if pe != px:
        diag(f"{n}: kvm_page_fault_enter {pe} != exit {px}: some faults left "
             "between the two tracepoints (MMIO emulation returns early)")
    for label, obs in observers:
        o = observed(label, obs, n, p)
        check(num(o.get("hdsi")) == hd and num(o.get("hisi")) == hi,
              f"{n}: {label} HDSI={o.get('hdsi')} HISI={o.get('hisi')} == ftrace kvm_guest_exit {hd}/{hi}")
        if label == "stat_btf":
            # run with --per-vcpu: CO-RE read each exit's vcpu id
            check(o.get("vcpu_ids") == list(range(vcpus or 0)) and o.get("vcpu_exits") == hd + hi,
                  f"{n}: {label} per vcpu: ids {o.get('vcpu_ids')} (guest has {vcpus}), "
                  f"their HDSI+HISI {o.get('vcpu_exits')} == {hd + hi}")
        key = "pf_samples" if label == "ftrace" else "hist_samples"
        check(num(o.get(key)) == px,
              f"{n}: {label} fault-latency histogram holds {o.get(key)} samples == kvm_page_fault_exit {px}")
        if o.get("hist"):
            diag(f"{n}: log2(ns) histogram {o['hist']}")


def check_p8_guest(n, p, g, t, k, observers, series):
    inj = num(g.get("inject"))
    flood = "-flood" in n
    gd, gi = num(g.get("dsegi")), num(g.get("isegi"))
    td, ti = num(t.get("dsegi")) or 0, num(t.get("isegi")) or 0
    kd, ki = num(k.get("dsegi_synth")), num(k.get("isegi_synth"))
    check(gd is not None and gi is not None and gd + gi == inj,
          f"{n}: guest counted DSegI {gd} + ISegI {gi} == injected {inj}")
    check(kd == gd and ki == gi, f"{n}: KVM stats dsegi_synth {kd} / isegi_synth {ki} == guest's {gd}/{gi}")
    check(num(k.get("seg_synth_injected")) == inj,
          f"{n}: KVM stats seg_synth_injected {k.get('seg_synth_injected')} == {inj}")
    check(num(k.get("slb_miss_inject")) == 0,
          f"{n}: injection knob drained (slb_miss_inject={k.get('slb_miss_inject')})")
    khf = (num(k.get("hfault_hdsi")) or 0) + (num(k.get("hfault_hisi")) or 0)
    kdrop = num(k.get("hfault_log_drops"))
    thf, tdrop = num(t.get("hfault")) or 0, num(t.get("dropped")) or 0
    check(thf + tdrop == khf and khf > 0,
          f"{n}: kvm_hfault events {thf} + dropped {tdrop} == KVM stats hfault_hdsi+hisi {khf} > 0")
    check(tdrop == kdrop, f"{n}: tracepoint drops {tdrop} == KVM stats hfault_log_drops {kdrop}")
    if series == "v2":
        # the cumulative counts on the events, whatever was dropped
        cd, ci = num(t.get("cum_dsegi")), num(t.get("cum_isegi"))
        if td + ti == 0 and cd is None and ci is None:
            cd = ci = 0     # no segment event at all: nothing synthesized
        check(cd == gd and ci == gi,
              f"{n}: ftrace kvm_segment_synth cumulative DSegI {cd} ISegI {ci} == guest's {gd}/{gi}")
        # segment records dropped: counted per kind, in the stats and on the events
        ksd, tsd = num(k.get("segment_log_drops")), num(t.get("seg_dropped"))
        if td + ti == 0 and tsd is None:
            tsd = 0
        check(ksd is not None and ksd == tsd,
              f"{n}: KVM stats segment_log_drops {ksd} == dropped on kvm_segment_synth {tsd}")
        check(td + ti + (tsd or 0) == gd + gi,
              f"{n}: kvm_segment_synth events {td + ti} + their drops {tsd} == the guest's {gd + gi}")
        if flood:
            check((ksd or 0) > 0, f"{n}: the flood drops segment records too ({ksd}), all counted")
    if flood:
        check((kdrop or 0) > 0, f"{n}: forced flood of {inj} injections drops records ({kdrop}) and counts them")
    else:
        check(tdrop == 0 and kdrop == 0, f"{n}: no drops at a normal rate (events {tdrop}, stats {kdrop})")
        check(td == gd and ti == gi and num(t.get("seg_injected")) == inj,
              f"{n}: ftrace kvm_segment_synth DSegI {td} ISegI {ti} (injected {t.get('seg_injected')}) == guest's")
    for label, obs in observers:
        o = observed(label, obs, n, p)
        check(num(o.get("dropped")) == tdrop, f"{n}: {label} fault-record drops {o.get('dropped')} == {tdrop}")
        check(num(o.get("hist_samples")) == thf,
              f"{n}: {label} fault-latency histogram holds {o.get('hist_samples')} samples == kvm_hfault events {thf}")
        # exact through dropped records: series v2's cumulative counts (kvmslb only)
        if not flood or (series == "v2" and label != "ftrace"):
            check(num(o.get("dsegi")) == gd and num(o.get("isegi")) == gi,
                  f"{n}: {label} DSegI {o.get('dsegi')} ISegI {o.get('isegi')} == guest's {gd}/{gi}"
                  f"{' (flood: records dropped)' if flood else ''}")
        if not flood and "seg_injected" in o:
            check(num(o.get("seg_injected")) == inj,
                  f"{n}: {label} counts {o.get('seg_injected')} of them as injected == {inj}")
        if o.get("hist"):
            diag(f"{n}: log2(ns) histogram {o['hist']}")


if __name__ == "__main__":
    sys.exit(main())
