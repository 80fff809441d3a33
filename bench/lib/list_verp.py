#!/usr/bin/env python3
"""Driver of bench/list-verp (read the header of that script first). Standard library only.

Reuses bench/lib/smtp_ingest.py (Switchboard, run_bench, fsync_rate, CPU of a process) and bench/lib/smtp_relay.py
(the smtp-sink, the 20 domains, SMTPC's host table, the relaying Postfix): what is new is the list, the one post and
the count of recipients at the sink. Environment set by the wrapper: BENCH_REPO, BENCH_WORKDIR, SMTP_SINK, PF_ROOT,
PF_LD, PF_ERROR.
"""
import argparse
import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_ingest import (BenchError, Switchboard, free_ports, fsync_rate, pid_alive, proc_cpu_seconds,  # noqa: E402
                         run_bench, shipped_java_opts, save_logs, touch_keep, wait_for_count, SENDER, HELO, DOMAIN)
from smtp_relay import DOMAINS, RelayPostfix, Sink, Sinks, configure_smtpc, tree_cpu_seconds  # noqa: E402

LIST = "fan@" + DOMAIN
END = "END-OF-POST"


def log(*args):
    print("[list-verp %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def members(count):
    return ["m%05d@%s" % (i, DOMAINS[i % len(DOMAINS)]) for i in range(count)]


def post_message(label):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: list-verp %s\r\nMessage-Id: <%s-%d@source.test>\r\n\r\n%s\r\n%s\r\n"
            % (SENDER, LIST, label, re.sub(r"\W+", "-", label), time.time_ns(), ("x" * 76 + "\r\n") * 50, END))


def at_sink(sink):
    """(recipients, transactions) of the complete mails at the sink (each file one transaction)."""
    recipients = transactions = 0
    for e in os.scandir(sink.dir):
        if not e.name.startswith("m."):
            continue
        try:
            with open(e.path, "rb") as f:
                text = f.read()
        except FileNotFoundError:
            continue
        if END.encode() not in text:
            continue
        transactions += 1
        recipients += len(re.findall(rb"^X-Rcpt-Args: ", text, re.M))
    return recipients, transactions


def measure(label, port, expected, sink, cpu_fn, xverp=False, stall=60):
    """One post to LIST; waits until the sink holds `expected` recipients (or nothing new came for `stall` s)."""
    sink.clear()
    cpu0 = cpu_fn()
    t0 = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, local_hostname=HELO, timeout=120) as s:
        s.sendmail(SENDER, [LIST], post_message(label), mail_options=["XVERP"] if xverp else [])
    counts = {}

    def recipients():
        counts["recipients"], counts["transactions"] = at_sink(sink)
        return counts["recipients"]
    got = wait_for_count(recipients, expected, stall, 0.2)
    transactions = counts["transactions"]
    seconds = time.monotonic() - t0
    res = {"seconds": round(seconds, 2), "recipients_at_sink": got, "smtp_transactions_at_sink": transactions,
           "recipients_per_s": round(got / seconds, 1), "cpu_seconds": round(cpu_fn() - cpu0, 2),
           "complete": got >= expected}
    log("%s: %d of %d recipients in %.1f s (%d transactions)" % (label, got, expected, seconds, transactions))
    return res


def best(runs):
    done = [r for r in runs if r["complete"]]
    return min(done, key=lambda r: r["seconds"]) if done else None


class AliasPostfix(RelayPostfix):
    """The relaying Postfix with LIST a virtual alias of the members, and XVERP allowed from loopback."""

    def __init__(self, root, ld, workdir, port, sinks, member_list):
        super().__init__(root, ld, workdir, port, sinks)
        self.member_list = member_list

    def setup(self):
        super().setup()
        table = os.path.join(self.base, "etc", "list-alias")
        with open(table, "w") as f:
            f.write(LIST + " " + ",\n ".join(self.member_list) + "\n")
        with open(os.path.join(self.base, "etc", "main.cf"), "a") as f:
            f.write("# bench/list-verp: the list as a virtual alias, VERP on request\n"
                    "virtual_alias_maps = texthash:%s\nsmtpd_authorized_verp_clients = 127.0.0.0/8\n"
                    "virtual_alias_expansion_limit = %d\n" % (table, len(self.member_list) + 10))


def ldap(sb, tool, ldif):
    """ldapadd/ldapmodify as the directory's administrator, the LDIF on stdin."""
    p = subprocess.run([tool, "-x", "-H", "ldap://127.0.0.1:%d" % sb.ports["ldap"], "-D", "uid=admin,ou=system",
                        "-y", os.path.join(sb.home, "var", "directory-admin.password")],
                       input=ldif, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise BenchError("%s exited %d: %s" % (tool, p.returncode, (p.stderr + p.stdout).strip()[-500:]))


def set_verp(sb, mode):
    ldap(sb, "ldapmodify", "dn: mail=%s,dc=example,dc=com\nchangetype: modify\nreplace: ieListVerp\nieListVerp: %s\n"
         % (LIST, mode))


def parse_args():
    env = os.environ
    repo = env.get("BENCH_REPO", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap = argparse.ArgumentParser(prog="bench/list-verp", description="cost of VERP on a list post")
    ap.add_argument("--members", type=int, default=int(env.get("MEMBERS", 1000)))
    ap.add_argument("--runs", type=int, default=int(env.get("RUNS", 2)))
    ap.add_argument("--dist", default=env.get("DIST", os.path.join(
        repo, "assembly/target/switchboard-0.1.0-SNAPSHOT.tar.gz")))
    ap.add_argument("--java-opts", default=env.get("JAVA_OPTS"), help="default: bin/switchboard's own")
    ap.add_argument("--no-postfix", action="store_true", default=env.get("NO_POSTFIX") == "1")
    ap.add_argument("--keep", action="store_true", default=env.get("KEEP") == "1")
    a = ap.parse_args()
    a.java_opts = a.java_opts or shipped_java_opts(a.dist)
    return a


def main():
    args = parse_args()
    workdir = os.environ["BENCH_WORKDIR"]
    member_list = members(args.members)
    out = {"bench": "list-verp", "members": args.members, "domains": len(DOMAINS), "runs": args.runs,
           "java_opts": args.java_opts, "dist": args.dist,
           "machine": {"cpus": os.cpu_count(), "disk_fsync_per_s": fsync_rate(workdir),
                       "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]},
           "seconds_means": "from the post's SMTP session start until the sink holds every recipient"}
    sink = Sink(os.environ.get("SMTP_SINK") or "smtp-sink", os.environ.get("PF_LD"), workdir, free_ports(1)[0])
    sinks = Sinks([sink], sink)
    ok = True
    runs = {}
    try:
        sink.start()
        if args.no_postfix or os.environ.get("PF_ERROR"):
            out["postfix_error"] = "peer disabled (--no-postfix)" if args.no_postfix else os.environ["PF_ERROR"]
        else:
            pf = AliasPostfix(os.environ.get("PF_ROOT"), os.environ.get("PF_LD"), workdir, free_ports(1)[0], sinks,
                              member_list)
            try:
                pf.setup()
                pf.start()
                out["postfix_version"] = pf.version()
                cpu = lambda: tree_cpu_seconds(pf.master_pid)   # noqa: E731
                for i in range(args.runs):
                    for xverp in (False, True):
                        key = "postfix_" + ("xverp" if xverp else "plain")
                        runs.setdefault(key, []).append(measure("%s run %d" % (key, i + 1), pf.port, args.members,
                                                                sink, cpu, xverp=xverp))
            except BenchError as e:
                log("postfix peer failed: %s" % e)
                out["postfix_error"] = str(e)
                touch_keep()
            finally:
                pf.stop()
                save_logs([os.path.join(pf.base, "postfix.log")])

        if not os.path.exists(args.dist):
            raise BenchError("distribution not found: %s" % args.dist)
        sb = Switchboard(args.dist, workdir, args.java_opts)
        try:
            sb.unpack()
            sb.configure()
            configure_smtpc(sb, sinks)
            sb.start()
            sb.cli("AddDomain", DOMAIN)
            ldap(sb, "ldapadd", "dn: mail=%s,dc=example,dc=com\nobjectClass: top\nobjectClass: ielist\nmail: %s\n"
                 "ieListPosting: OPEN\nieListVerp: OFF\n%s\n" % (LIST, LIST, "".join(
                     "ieListMember: %s\n" % m for m in member_list)))
            cpu = lambda: proc_cpu_seconds(sb.java) if sb.java and pid_alive(sb.java) else 0.0   # noqa: E731
            measure("switchboard warm-up", sb.ports["smtp"], args.members, sink, cpu)
            for i in range(args.runs):
                for mode in ("OFF", "ON"):
                    set_verp(sb, mode)
                    key = "switchboard_verp_" + mode.lower()
                    runs.setdefault(key, []).append(measure("%s run %d" % (key, i + 1), sb.ports["smtp"],
                                                            args.members, sink, cpu))
        except (BenchError, subprocess.SubprocessError, OSError) as e:
            ok = False
            log("FAILED: %s" % e)
            out["switchboard_error"] = str(e)
            touch_keep()
        finally:
            out["server_log"] = sb.log_problems() if sb.home else None
            sb.stop()
            if sb.home:
                save_logs([p for p in sb.logs() if p.endswith(".log")])
    finally:
        sink.stop()

    out["runs_by_mode"] = runs
    bests = {k: best(v) for k, v in runs.items()}
    out["best"] = {k: (v and {x: v[x] for x in ("seconds", "recipients_per_s", "smtp_transactions_at_sink",
                                                 "cpu_seconds")}) for k, v in bests.items()}

    def ratio(a, b):
        return round(bests[b]["seconds"] / bests[a]["seconds"], 3) if bests.get(a) and bests.get(b) else None
    out["ratio_switchboard_over_postfix_plain"] = ratio("switchboard_verp_off", "postfix_plain")
    out["ratio_switchboard_over_postfix_verp"] = ratio("switchboard_verp_on", "postfix_xverp")
    out["verp_cost_switchboard_on_over_off_seconds"] = (round(bests["switchboard_verp_on"]["seconds"]
                                                              / bests["switchboard_verp_off"]["seconds"], 2)
                                                        if bests.get("switchboard_verp_on")
                                                        and bests.get("switchboard_verp_off") else None)
    out["ratio_is_of"] = "recipients/s of the best run, Switchboard over Postfix in the same VERP mode"
    if any(b is None for b in bests.values()) or not bests:
        ok = False
    print(json.dumps(out, indent=2))
    if ok and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log("temp dir kept: %s" % workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    run_bench(main, "list-verp")
