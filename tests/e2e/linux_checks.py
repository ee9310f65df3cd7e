#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a run of tests/e2e/linux-inner.sh (Linux guests under QEMU, KVM-HV).

  linux_checks.py --plan power8|power9|before-fix --source patched|stock FILE

FILE is the inner script's output (run-host.sh --quiet). Prints one TAP line
per check and exits 1 if any failed. What is checked, per guest (a QEMU
process: name, pid, phase):

  * its console: the workload's checksum equals the one recomputed here from
    the workload's formula, and no oops, BUG, WARN splat, panic or segfault
    (before-fix: the opposite, the guest must fail);
  * the KVM stats of its VM (debugfs, read after its shutdown): every
    injected miss became a DSegI/ISegI synthesized, none left pending, no
    record dropped;
  * kvmslb stat -j --per-vcpu (total): the guest's entry, found by pid and
    -name guest= name, holds exactly the DSegI/ISegI of the KVM stats and
    ftrace, the injected count, and the HDSI/HISI fault paths ftrace saw;
    the vcpu rows are the guest's vcpus (by vcpu id: "vcpu_id" in series v2
    output, or the thread named "CPU n/KVM" when the source gives thread
    ids) with exactly their share;
  * kvmslb top -b -j: a row for the guest reaches exactly those counts and
    no row of the guest's pid and name ever shows more (nothing inherited
    from an earlier process under the same pid or name).
"""
import argparse
import json
import re
import sys

failed = 0
SEG = 256 << 20
WORDS = 16
M64 = (1 << 64) - 1


def tap(cond, desc):
    global failed
    print(("ok - " if cond else "not ok - ") + desc)
    if not cond:
        failed += 1
    return cond


def diag(text):
    print(f"# {text}")


# ---- the workload's formula (tools/guest/workload.c) -------------------------
def mix64(x):
    x = (x + 0x9e3779b97f4a7c15) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def workload_expect(segments, pages, code, seed, rounds):
    s_ = 0
    for r in range(rounds):
        for s in range(segments):
            for i in range(code):
                v = mix64(seed ^ 0xc0de000000000000 ^ i) & 0xffffffff
                s_ += mix64((v << 16) ^ (r << 8) ^ s)
            for p in range(pages):
                for k in range(WORDS):
                    w = mix64(seed ^ (r << 48) ^ (s << 32) ^ (p << 16) ^ k)
                    s_ += mix64(w ^ 0x5555555555555555)
    return s_ & M64


# ---- parsing -------------------------------------------------------------------
def kv(text):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S*)", text))


def num(v, default=None):
    try:
        return int(str(v), 0)
    except (TypeError, ValueError):
        return default


def parse(path):
    g = {"guests": {}, "threads": {}, "kstat": {}, "cmd": {}, "con": {}, "gt": [], "hung": set(),
         "written": {}, "notrace": False,
         "stat": None, "top": [], "host": {}}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("#@ "):
                continue
            body = line[3:]
            kind, _, rest = body.partition(" ")
            if kind == "con":
                gid, _, text = rest.partition(" ")
                g["con"].setdefault(gid, []).append(text)
            elif kind == "json":
                what, _, text = rest.partition(" ")
                try:
                    doc = json.loads(text) if text.strip() else None
                except ValueError as e:
                    diag(f"unparsable kvmslb {what} JSON: {e}")
                    doc = None
                if what == "stat":
                    g["stat"] = doc
                elif what == "top" and doc is not None and doc.get("kind") != "attached":
                    g["top"].append(doc)
            elif kind == "lguest":
                d = kv(rest)
                g["guests"][d["id"]] = d
            elif kind == "lthreads":
                gid, _, text = rest.partition(" ")
                gid = gid.split("=", 1)[1]
                m = {}
                for w in text.split():
                    tid, _, comm = w.partition("=")
                    mm = re.match(r"CPU_(\d+)_KVM$", comm)
                    if mm:
                        m[int(tid)] = int(mm.group(1))
                g["threads"][gid] = m
            elif kind == "linject":
                d = kv(rest)
                g["written"][d["id"]] = num(d["written"], 0)
            elif kind == "notrace":
                g["notrace"] = True
            elif kind == "lhung":
                g["hung"].add(kv(rest)["id"])
            elif kind == "lkstat":
                d = kv(rest)
                g["kstat"][d["id"]] = d
            elif kind == "lcmd":
                gid, _, text = rest.partition(" ")
                g["cmd"][gid.split("=", 1)[1]] = text
            elif kind == "lgt":
                g["gt"].append({k: (v if k in ("tid", "vcpu") else num(v, v))
                                for k, v in kv(rest).items()})
            elif kind == "host":
                g["host"] = kv(rest)
    return g


BAD_CONSOLE = re.compile(r"Oops|BUG:|kernel BUG|Unable to handle kernel|Kernel panic|"
                         r"WARNING: CPU:|Call Trace:|segfault|unhandled signal|"
                         r"Bad kernel stack|Unrecoverable")


def gt_sum(gt, phase, tgid, vcpu=None):
    """ftrace's counts for a process (and vcpu) in a phase. DSegI/ISegI: from
    series v2's cumulative per-vcpu counts when the events carry them (exact
    through dropped records), else the events counted."""
    tot = {k: 0 for k in ("dsegi", "isegi", "injected", "hdsi", "hisi", "lat", "dropped",
                          "seg_dropped")}
    cum = {}
    for r in gt:
        if str(r["phase"]) != str(phase) or str(r["tgid"]) != str(tgid):
            continue
        if vcpu is not None and str(r["vcpu"]) != str(vcpu):
            continue
        for k in tot:
            tot[k] += r.get(k, 0) or 0
        if "cum_dsegi" in r:
            c = cum.setdefault(r["vcpu"], [0, 0])
            c[0] = max(c[0], r["cum_dsegi"])
            c[1] = max(c[1], r["cum_isegi"])
    tot["cumulative"] = bool(cum)
    if cum:
        tot["dsegi"] = sum(c[0] for c in cum.values())
        tot["isegi"] = sum(c[1] for c in cum.values())
    return tot


def stat_entry(stat, g, all_guests):
    """kvmslb stat's entry for guest g: same pid and name; when the pid was
    reused, the earlier process is the retired one (pid_reused)."""
    pid = num(g["pid"])
    same_pid = [x for x in all_guests.values() if num(x["pid"]) == pid]
    later = any(num(x["phase"]) > num(g["phase"]) for x in same_pid)
    cands = [e for e in stat.get("guests", []) if e.get("pid") == pid and e.get("name") == g["name"]]
    if len(same_pid) > 1:
        cands = [e for e in cands if bool(e.get("pid_reused")) == later]
    return cands


def check_console(gid, g, lines, expect_fail, hung=False):
    n = g["name"]
    res = [l for l in lines if l.startswith("KVMSLB-WORKLOAD result=")]
    badl = [l for l in lines if BAD_CONSOLE.search(l)]
    r = kv(res[-1]) if res else {}
    want = workload_expect(num(g["segments"]), num(g["pages"]), num(g["code"]),
                           num(g["seed"]), num(r.get("rounds"), 1))
    good = (r.get("result") == "ok" and num(r.get("checksum")) == want and
            num(r.get("expect")) == want)
    done = any(l.startswith("KVMSLB-GUEST done rc=0") for l in lines)
    if not expect_fail:
        tap(good, f"{n} (pid {g['pid']}): workload checksum {r.get('checksum', 'none')} == "
            f"0x{want:016x} recomputed from the formula ({r.get('rounds', '?')} rounds, "
            f"{r.get('words', '?')} words, {r.get('calls', '?')} calls)")
        tap(done, f"{n}: the workload exited 0 and the guest powered off")
        tap(not badl, f"{n}: no oops, BUG, WARN, panic or segfault on its console"
            + (f" (first: {badl[0].strip()[:120]})" if badl else ""))
        return
    shown = []
    if hung:
        shown.append("hung: no shutdown, QEMU stopped it")
    if badl:
        shown.append(f"console: {badl[0].strip()[:160]}")
    if res and not good:
        shown.append(f"wrong result: {res[-1][:120]}")
    if not res:
        shown.append("no result line")
    tap(bool(badl) or not good or hung, f"{n}: the guest fails without the fix (" +
        "; ".join(shown) + ")")
    # The console from the first sign of trouble: what the guest kernel showed.
    first = next((i for i, l in enumerate(lines) if BAD_CONSOLE.search(l)), None)
    for l in (lines[first:first + 40] if first is not None else lines[-15:]):
        diag(f"  {n} console: {l.rstrip()[:200]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", required=True)
    ap.add_argument("--source", default="patched")
    ap.add_argument("file")
    a = ap.parse_args()
    g = parse(a.file)
    guests = g["guests"]
    want = {"power8": ["g1", "g2", "g3"], "power9": ["g1", "g2"], "before-fix": ["g1"]}[a.plan]
    tap(sorted(guests) == want, f"every guest ran and reported ({sorted(guests)})")
    for gid in sorted(g["cmd"]):
        diag(f"QEMU {gid}: {g['cmd'][gid]}")
    stat = g["stat"]
    notrace = g["notrace"]
    if notrace:
        diag("LINUX_NOTRACE: no tracepoint was enabled; the guests and the KVM stats only")
    else:
        tap(stat is not None and stat.get("source") == a.source,
            f"kvmslb stat -j printed its total from the {a.source} source")
    stat = stat or {}
    injecting = a.source == "patched" and a.plan != "power9"
    for gid in want:
        if gid not in guests:
            continue
        x = guests[gid]
        n, pid, phase = x["name"], num(x["pid"]), x["phase"]
        inject = num(x["inject"], 0)
        diag(f"{gid}: {n} pid {pid} vcpus {x['vcpus']} mmu {x['mmu']} phase {phase} "
             f"injected {inject}")
        tap(num(x["qemu_rc"]) == 0, f"{n}: QEMU exited 0 ({x['qemu_rc']})")
        check_console(gid, x, g["con"].get(gid, []), a.plan == "before-fix",
                      gid in g["hung"])
        mmu = "Hash" if x["mmu"] == "hpt" else "Radix"
        up = [l for l in g["con"].get(gid, []) if l.startswith("KVMSLB-GUEST up")]
        if up:
            tap(kv(up[0]).get("mmu") == mmu and num(kv(up[0]).get("cpus")) == num(x["vcpus"]),
                f"{n}: the guest runs the {mmu} MMU on {x['vcpus']} vcpu(s) ({up[0][15:80]})")
        ks = g["kstat"].get(gid)
        gt = gt_sum(g["gt"], phase, pid)
        if gt["dropped"] or gt["seg_dropped"]:
            diag(f"{n}: the kernel's real-mode log dropped {gt['dropped']} fault-path and "
                 f"{gt['seg_dropped']} segment records (counted: kvm_hfault 'dropped')")
        if a.plan == "before-fix":
            # The injected misses were reflected as DSI/ISI: none synthesized.
            if ks:
                tap(num(ks.get("dsegi_synth")) == 0 and num(ks.get("isegi_synth")) == 0,
                    f"{n}: KVM stats: no DSegI/ISegI synthesized ({ks.get('dsegi_synth')}/"
                    f"{ks.get('isegi_synth')})")
            if not notrace:
                tap(gt["dsegi"] + gt["isegi"] == 0,
                    f"{n}: no DSegI/ISegI synthesized ({gt['dsegi']}/{gt['isegi']}): the misses "
                    "were reflected as DSI/ISI as before the 2015 fix")
            if ks:
                # seg_synth_injected counts the injected misses taken (and
                # here reflected): what was written less what is pending.
                written = g["written"].get(gid, 0)
                used = written - num(ks.get("slb_miss_inject"), 0)
                tap(used > 0 and num(ks.get("seg_synth_injected")) == used,
                    f"{n}: {used} injected misses taken before the guest failed ({written} "
                    f"written, {ks.get('slb_miss_inject')} pending) == KVM stats "
                    f"seg_synth_injected {ks.get('seg_synth_injected')}")
            continue
        if injecting:
            tap(g["written"].get(gid, 0) == inject,
                f"{n}: {g['written'].get(gid, 0)} misses written to slb_miss_inject == {inject}")
            if tap(ks is not None, f"{n}: KVM stats read from debugfs after its shutdown"):
                kd, ki = num(ks["dsegi_synth"]), num(ks["isegi_synth"])
                tap(num(ks["slb_miss_inject"]) == 0 and num(ks["seg_synth_injected"]) == inject,
                    f"{n}: KVM stats: seg_synth_injected {ks['seg_synth_injected']} == "
                    f"{inject} injected, none pending ({ks['slb_miss_inject']})")
                tap(kd + ki == inject, f"{n}: KVM stats: DSegI {kd} + ISegI {ki} == {inject}")
                ksd = num(ks.get("segment_log_drops"))
                if ksd is not None and not notrace:
                    tap(ksd == gt["seg_dropped"], f"{n}: KVM stats segment_log_drops {ksd} == "
                        f"dropped on kvm_segment_synth {gt['seg_dropped']}")
                tap(notrace or (gt["dsegi"], gt["isegi"]) == (kd, ki),
                    f"{n}: ftrace kvm_segment_synth DSegI/ISegI {gt['dsegi']}/{gt['isegi']} "
                    f"({'cumulative counts' if gt['cumulative'] else 'events'}) == KVM stats")
        if notrace:
            if a.source == "patched" and ks:
                kh = num(ks.get("hfault_hdsi"), 0) + num(ks.get("hfault_hisi"), 0)
                tap(kh == 0, f"{n}: KVM stats: no fault path timed while the key is off ({kh})")
            continue
        if a.source == "patched" and ks:
            if not injecting:
                tap(num(ks.get("dsegi_synth"), 0) + num(ks.get("isegi_synth"), 0) == 0,
                    f"{n}: KVM stats: no segment interrupt synthesized on this path")
            kh = num(ks.get("hfault_hdsi"), 0) + num(ks.get("hfault_hisi"), 0)
            kd = num(ks.get("hfault_log_drops"), 0)
            seen = gt["hdsi"] + gt["hisi"]
            # A drop is reported on the vcpu's next emitted record; drops after
            # its last one reach the KVM stats only.
            tail = kd - gt["dropped"]
            tap(kh > 0 and seen + kd == kh and 0 <= tail,
                f"{n}: every fault path traced or dropped: ftrace kvm_hfault {seen} + KVM stats "
                f"hfault_log_drops {kd} == hfault_hdsi+hisi {kh}; {gt['dropped']} of the drops "
                f"reported on events")
            if tail:
                diag(f"{n}: {tail} records dropped after the vcpu's last emitted kvm_hfault: "
                     "no event reports them, only the KVM stats")
        # ---- kvmslb stat ----
        ents = stat_entry(stat, x, guests)
        if not tap(len(ents) == 1, f"{n}: one kvmslb stat entry for pid {pid} named {n} "
                   f"({len(ents)})"):
            continue
        e = ents[0]
        c = e["counters"]
        tap(e.get("name_from") == "qemu -name guest=",
            f"{n}: named from QEMU's -name guest= ({e.get('name_from')})")
        tap(not e.get("alive"), f"{n}: shown as exited")
        tap(c["hdsi"] > 0 and (c["hdsi"], c["hisi"]) == (gt["hdsi"], gt["hisi"]),
            f"{n}: kvmslb HDSI/HISI {c['hdsi']}/{c['hisi']} == ftrace {gt['hdsi']}/{gt['hisi']}")
        # Series v2: kvmslb's "dropped" is the fault-path records; dropped
        # segment records are recovered from the cumulative counts.
        v2 = gt["cumulative"]
        want_drop = gt["dropped"] + (0 if v2 else gt["seg_dropped"])
        tap(c["dropped"] == want_drop,
            f"{n}: kvmslb shows the {c['dropped']} fault-path records the kernel dropped "
            f"(ftrace kvm_hfault {gt['dropped']}"
            + (f"; {gt['seg_dropped']} segment records recovered by the cumulative counts)"
               if v2 else f" + kvm_segment_synth {gt['seg_dropped']})"))
        if a.source == "patched":
            tap((c["dsegi"], c["isegi"]) == (gt["dsegi"], gt["isegi"]),
                f"{n}: kvmslb DSegI/ISegI {c['dsegi']}/{c['isegi']} == ftrace and KVM stats")
            # The injected mark is on each event: a dropped segment record
            # takes its mark along (the totals above stay exact).
            sd = gt["seg_dropped"]
            tap(inject - sd <= c["seg_injected"] <= inject,
                f"{n}: kvmslb injected {c['seg_injected']} == {inject} less at most the "
                f"{sd} segment records dropped")
            tap(e["latency_hist"]["samples"] == c["hdsi"] + c["hisi"],
                f"{n}: {e['latency_hist']['samples']} latency samples == HDSI + HISI")
        else:
            tap(e["latency_hist"]["samples"] == gt["lat"],
                f"{n}: {e['latency_hist']['samples']} latency samples == ftrace "
                f"kvm_page_fault_exit {gt['lat']}")
        # ---- per vcpu ----
        rows = e.get("vcpus", [])
        tmap = g["threads"].get(gid, {})
        ids, how = {}, set()
        for r in rows:
            if "vcpu_id" in r:
                ids.setdefault(r["vcpu_id"], []).append(r)
                how.add("vcpu_id")
            else:
                ids.setdefault(tmap.get(r.get("tid"), f"tid {r.get('tid')}"), []).append(r)
                how.add("thread")
        nv = num(x["vcpus"])
        tap(sorted(ids, key=str) == list(range(nv)) and all(len(v) == 1 for v in ids.values()),
            f"{n}: one kvmslb row per vcpu, vcpus {sorted(ids, key=str)} by "
            f"{'/'.join(sorted(how)) or 'nothing'} (threads {tmap})")
        for vid in range(nv):
            if vid not in ids:
                continue
            rc = ids[vid][0]["counters"]
            gv = gt_sum(g["gt"], phase, pid, vid)
            tap((rc["dsegi"], rc["isegi"], rc["hdsi"], rc["hisi"]) ==
                (gv["dsegi"], gv["isegi"], gv["hdsi"], gv["hisi"]),
                f"{n}: vcpu {vid}: kvmslb DSegI/ISegI/HDSI/HISI {rc['dsegi']}/{rc['isegi']}/"
                f"{rc['hdsi']}/{rc['hisi']} == ftrace vcpu_id {vid}")
        if "thread" in how:
            # v1 rows are threads: each vcpu thread must have carried one vcpu id.
            mism = [r for r in g["gt"] if str(r["phase"]) == str(phase) and
                    str(r["tgid"]) == str(pid) and num(r["tid"]) in tmap and
                    str(tmap[num(r["tid"])]) != str(r["vcpu"])]
            tap(not mism, f"{n}: thread 'CPU n/KVM' emitted the events of vcpu n only "
                f"({len(mism)} exceptions)")
        if sum(rc_["counters"]["hdsi"] for v in ids.values() for rc_ in v) != c["hdsi"]:
            tap(False, f"{n}: the vcpu rows add up to the guest's HDSI {c['hdsi']}")
        # ---- kvmslb top ----
        seen = [r for fr in g["top"] for r in fr.get("guests", [])
                if r.get("pid") == pid and r.get("name") == n]
        fin = (c["dsegi"], c["isegi"], c["hdsi"], c["hisi"])
        tap(any((r["dsegi"], r["isegi"], r["hdsi"], r["hisi"]) == fin for r in seen),
            f"{n}: kvmslb top showed {n} (pid {pid}) with DSegI/ISegI/HDSI/HISI {fin}")
        over = [r for r in seen if r["dsegi"] + r["isegi"] > c["dsegi"] + c["isegi"]
                or r["hdsi"] > c["hdsi"]]
        tap(not over, f"{n}: no top row for pid {pid} named {n} ever exceeded the guest's own "
            f"counts ({len(over)} did)")
    # ---- nothing inherited ------------------------------------------------------
    if notrace:
        return 1 if failed else 0
    if a.plan == "power8" and {"g1", "g2", "g3"} <= set(guests):
        g1, g2, g3 = guests["g1"], guests["g2"], guests["g3"]
        tap(g3["name"] == g1["name"] and g3["pid"] == g2["pid"] and g1["pid"] != g2["pid"],
            f"the phase-2 guest reuses {g1['name']}'s name and {g2['name']}'s pid {g2['pid']}")
        ents = [e for e in stat.get("guests", []) if e.get("pid") in (num(g1["pid"]), num(g2["pid"]))]
        tap(len(ents) == 3, f"kvmslb stat keeps the three processes apart ({len(ents)} entries "
            f"for pids {g1['pid']} and {g2['pid']})")
    if a.source == "stock":
        un = {u["metric"]: u for u in stat.get("unavailable", [])}
        tap("segment_synthesis" in un and un["segment_synthesis"].get("reason"),
            "stock source: segment synthesis shown unavailable, with the reason")
    frames = g["top"]
    tap(len(frames) >= 2, f"kvmslb top printed {len(frames)} refreshes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
