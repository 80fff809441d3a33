#!/usr/bin/env python3
"""Driver of bench/list-fanout (read the header of that script first). Standard library only.

Reuses bench/lib/smtp_relay.py (smtp-sink remote servers, CPU of Postfix's process tree) and bench/lib/smtp_ingest.py
(the Switchboard and Postfix classes, fsync_rate): only what a list post adds is here: the members at 100 domains,
the list on Switchboard (james-cli and LDAP), the 10,000-address alias on Postfix, the post and its wait.
Environment set by the wrapper: BENCH_REPO, BENCH_WORKDIR, SMTP_SINK, PF_ROOT, PF_LD, PF_ERROR, BENCH_CACHE.
Prints one JSON document on stdout; logs go to stderr.
"""
import argparse
import os
import re
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_ingest import (DOMAIN, HELO, BenchError, Postfix, free_ports, fsync_rate, proc_cpu_seconds,  # noqa: E402
                         run_bench, shipped_java_opts, wait_for_count)
from smtp_relay import (Sink, add_server_args, begin_driver, best, channels_with_mail, peer_runs,  # noqa: E402
                        print_result, tree_cpu_seconds, with_switchboard)

LIST = "fanout@" + DOMAIN               # Switchboard's list (DOMAIN is the one smtp_ingest's servers serve)
WARMUP_LIST = "warmup@" + DOMAIN
ALIAS_DOMAIN = "lists.test"             # Postfix's alias lives in a virtual alias domain
ALIAS = "fanout@" + ALIAS_DOMAIN
WARMUP_ALIAS = "warmup@" + ALIAS_DOMAIN
POSTER = "poster@source.test"


def log(*args):
    print("[list-fanout %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def remote_domains(count):
    return ["r%03d.test" % i for i in range(1, count + 1)]


def members(count, domains, prefix="m"):
    """count addresses spread evenly over the domains: m00001@r001.test, m00002@r002.test, ..."""
    return ["%s%05d@%s" % (prefix, i + 1, domains[i % len(domains)]) for i in range(count)]


def bounce_address(list_address):
    """The envelope sender of the list's mail to its members."""
    return list_address.replace("@", "-bounces@")


def post_message(sender, to, subject, size):
    line = "x" * 76 + "\r\n"
    head = ("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-Id: <%s.%d@source.test>\r\n"
            % (sender, to, subject, re.sub(r"\W+", "-", subject), int(time.time() * 1000)))
    return head + "\r\n" + line * max(1, size // len(line))


class Sinks:
    """The remote domains spread over the smtp-sink processes (domain i to sink i mod K)."""

    def __init__(self, sinks, domains):
        self.sinks, self.domains = sinks, domains

    def route(self, domain):
        return self.sinks[self.domains.index(domain) % len(self.sinks)].port

    def recipients(self, min_size, sender):
        return sum(s.recipients(min_size, sender) for s in self.sinks)

    def mails(self, min_size, sender):
        return sum(len(s.entries(min_size, sender)) for s in self.sinks)

    def clear(self):
        for s in self.sinks:
            s.clear()


def post_and_wait(label, port, rcpt, envelope_sender, expected, size, sinks, stall, cpu_fn):
    """Posts one message to rcpt; waits until the sinks hold `expected` recipients of mail from envelope_sender (the
    list's bounce address on Switchboard, the poster on Postfix). Times from the post's 250."""
    sinks.clear()
    min_size = size * 95 // 100        # smtp-sink stores LF line ends
    cpu0 = cpu_fn()
    load0 = round(os.getloadavg()[0], 2)
    with smtplib.SMTP("127.0.0.1", port, local_hostname=HELO, timeout=120) as s:
        s.sendmail(POSTER, [rcpt], post_message(POSTER, rcpt, label, size))
    t0 = time.monotonic()
    last = wait_for_count(lambda: sinks.recipients(min_size, envelope_sender), expected, stall, 0.2) or 0
    seconds = time.monotonic() - t0
    cpu = cpu_fn() - cpu0
    res = {
        "loadavg_1m_at_start": load0,
        "seconds_from_250_to_all_at_sinks": round(seconds, 2),
        "recipients_per_s": round(expected / seconds, 1),
        "recipients_delivered": last,
        "smtp_transactions_at_sinks": sinks.mails(min_size, envelope_sender),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_recipient": round(cpu * 1000 / expected, 3),
        "complete": last >= expected,
    }
    if not res["complete"]:
        res["error"] = "only %d of %d recipients reached the sinks (no progress for %d s)" % (last, expected, stall)
        res["recipients_per_s"] = None
    log("%s: %d of %d recipients at the sinks %.1f s after the 250 (%s recipients/s, %d transactions)" % (
        label, last, expected, seconds, res["recipients_per_s"], res["smtp_transactions_at_sinks"]))
    return res


# ------------------------------------------------------------------------------------------------ Postfix

class AliasPostfix(Postfix):
    """smtp_ingest's private Postfix instance with a virtual alias expanding to the members (cleanup(8) writes one
    queue file with every recipient) and the remote domains relayed to their sinks."""

    def __init__(self, root, ld, workdir, port, sinks, aliases):
        super().__init__(root, ld, workdir, port)
        self.sinks, self.aliases = sinks, aliases

    def setup(self):
        super().setup()
        etc = os.path.join(self.base, "etc")
        with open(os.path.join(etc, "fanout-aliases"), "w") as f:
            for alias, addresses in self.aliases.items():
                # texthash: a line starting with white space continues the entry above
                f.write(alias + " " + ",\n ".join(addresses) + "\n")
        with open(os.path.join(etc, "fanout-transport"), "w") as f:
            for domain in self.sinks.domains:
                f.write("%s smtp:[127.0.0.1]:%d\n" % (domain, self.sinks.route(domain)))
        biggest = max(len(a) for a in self.aliases.values())
        with open(os.path.join(etc, "main.cf"), "a") as f:
            f.write("# bench/list-fanout: the alias (the default expansion limit, 1000, would refuse it) and the remote"
                    " domains, each to its smtp-sink\n"
                    "virtual_alias_domains = %s\nvirtual_alias_maps = texthash:%s\nvirtual_alias_expansion_limit = %d\n"
                    "relay_domains = %s\ntransport_maps = texthash:%s\n" % (
                        ALIAS_DOMAIN, os.path.join(etc, "fanout-aliases"), biggest + 1000,
                        ", ".join(self.sinks.domains), os.path.join(etc, "fanout-transport")))


# ------------------------------------------------------------------------------------------------ Switchboard

def create_list(sb, address, addresses, workdir):
    """The list made with james-cli (CreateList), its members added over LDAP in one modification (a james-cli call
    per member would start a JVM each)."""
    sb.cli("CreateList", address, "OPEN", "bench/list-fanout")
    with open(os.path.join(sb.home, "var", "directory-admin.password")) as f:
        password = f.read().strip()
    ldap = ["-x", "-H", "ldap://127.0.0.1:%d" % sb.ports["ldap"], "-D", "uid=admin,ou=system", "-w", password]
    found = subprocess.run(["ldapsearch"] + ldap + ["-LLL", "-b", "", "-s", "sub", "(mail=%s)" % address, "dn"],
                           capture_output=True, text=True, timeout=120)
    dn = re.search(r"^dn: (.*)$", found.stdout, re.M)
    if found.returncode != 0 or not dn:
        raise BenchError("ldapsearch for the list %s: exit %d %s" % (address, found.returncode,
                                                                    (found.stderr + found.stdout)[-300:]))
    ldif = os.path.join(workdir, "members-%s.ldif" % address.split("@")[0])
    with open(ldif, "w") as f:
        f.write("dn: %s\nchangetype: modify\nadd: ieListMember\n" % dn.group(1))
        f.writelines("ieListMember: %s\n" % a for a in addresses)
        f.write("-\n")
    t0 = time.monotonic()
    added = subprocess.run(["ldapmodify"] + ldap + ["-f", ldif], capture_output=True, text=True, timeout=600)
    if added.returncode != 0:
        raise BenchError("ldapmodify (members of %s) exited %d: %s" % (address, added.returncode,
                                                                       (added.stderr + added.stdout)[-500:]))
    log("list %s: %d members added over LDAP in %.1f s" % (address, len(addresses), time.monotonic() - t0))


# ------------------------------------------------------------------------------------------------ main

def parse_args():
    env = os.environ
    ap = argparse.ArgumentParser(prog="bench/list-fanout", description="list fan-out benchmark")
    ap.add_argument("--members", type=int, default=int(env.get("MEMBERS", 10000)))
    ap.add_argument("--domains", type=int, default=int(env.get("DOMAINS", 100)))
    ap.add_argument("--size", type=int, default=int(env.get("SIZE", 4096)))
    ap.add_argument("--runs", type=int, default=int(env.get("RUNS", 2)))
    ap.add_argument("--sinks", type=int, default=int(env.get("SINKS", 4)))
    ap.add_argument("--warmup", type=int, default=int(env.get("WARMUP", 1000)),
                    help="members of the warm-up list posted to once before the runs")
    ap.add_argument("--stall", type=int, default=int(env.get("STALL", 60)))
    add_server_args(ap)
    a = ap.parse_args()
    a.java_opts = a.java_opts or shipped_java_opts(a.dist)
    if not 1 <= a.sinks <= a.domains:
        ap.error("--sinks must be 1..DOMAINS")
    return a


def main():
    args = parse_args()
    workdir, cache = begin_driver()

    domains = remote_domains(args.domains)
    the_members = members(args.members, domains)
    warm_members = members(args.warmup, domains, prefix="w")
    out = {
        "bench": "list-fanout", "members": args.members, "remote_domains": "%s .. %s" % (domains[0], domains[-1]),
        "size": args.size, "runs": args.runs, "smtp_sinks": args.sinks, "warmup_members": args.warmup,
        "java_opts": args.java_opts, "dist": args.dist,
        "machine": {"cpus": os.cpu_count(), "disk_fsync_per_s": fsync_rate(workdir),
                    "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]},
        "time_means": "from the post's 250 reply until the smtp-sinks have taken the mail for every member",
    }
    ok = True
    sink_path = os.environ.get("SMTP_SINK") or "smtp-sink"
    sinks = Sinks([Sink(sink_path, os.environ.get("PF_LD"), workdir, p) for p in free_ports(args.sinks)], domains)
    pf_runs, sb_runs = [], []
    try:
        for s in sinks.sinks:
            s.start()

        # ---- peer first
        if args.no_postfix or os.environ.get("PF_ERROR"):
            out["postfix_error"] = "peer disabled (--no-postfix)" if args.no_postfix else os.environ["PF_ERROR"]
        else:
            pf = AliasPostfix(os.environ.get("PF_ROOT"), os.environ.get("PF_LD"), workdir, free_ports(1)[0], sinks,
                              {ALIAS: the_members, WARMUP_ALIAS: warm_members})

            def postfix_runs():
                cpu = lambda: tree_cpu_seconds(pf.master_pid)   # noqa: E731
                if args.warmup:
                    post_and_wait("postfix warm-up", pf.port, WARMUP_ALIAS, POSTER, args.warmup, args.size, sinks,
                                  args.stall, cpu)
                return [post_and_wait("postfix run %d" % (i + 1), pf.port, ALIAS, POSTER, args.members, args.size,
                                      sinks, args.stall, cpu) for i in range(args.runs)]
            pf_runs = peer_runs(pf, out, "own instance, virtual alias of %d addresses (cleanup(8) expands it), "
                                "transport_maps to smtp:[127.0.0.1]:<sink>, default concurrency and recipient limits"
                                % args.members, postfix_runs) or []

        # ---- switchboard
        def switchboard_runs(sb):
            good = True
            sb.cli("AddDomain", DOMAIN)
            create_list(sb, LIST, the_members, workdir)
            cpu = lambda: proc_cpu_seconds(sb.java)   # noqa: E731
            if args.warmup:
                create_list(sb, WARMUP_LIST, warm_members, workdir)
                post_and_wait("switchboard warm-up", sb.ports["smtp"], WARMUP_LIST, bounce_address(WARMUP_LIST),
                              args.warmup, args.size, sinks, args.stall, cpu)
            for i in range(args.runs):
                r = post_and_wait("switchboard run %d" % (i + 1), sb.ports["smtp"], LIST, bounce_address(LIST),
                                  args.members, args.size, sinks, args.stall, cpu)
                sb_runs.append(r)
                if not r["complete"]:
                    r["smtpc_channels"] = channels_with_mail(sb)
                    good = False
            return good
        ok = with_switchboard(args, workdir, out, sinks.domains, sinks.route, switchboard_runs) and ok
    finally:
        for s in sinks.sinks:
            s.stop()

    out["switchboard_runs"], out["postfix_runs"] = sb_runs, pf_runs
    b_sb, b_pf = best(sb_runs, "recipients_per_s"), best(pf_runs, "recipients_per_s")
    fields = ("recipients_per_s", "seconds_from_250_to_all_at_sinks", "cpu_ms_per_recipient",
              "smtp_transactions_at_sinks")
    if b_sb:
        out["switchboard"] = {k: b_sb[k] for k in fields}
    if b_pf:
        out["postfix"] = {k: b_pf[k] for k in fields}
    out["ratio_switchboard_over_postfix"] = (round(b_sb["recipients_per_s"] / b_pf["recipients_per_s"], 3)
                                             if b_sb and b_pf else None)
    out["ratio_is_of"] = "best run of each server (recipients/s)"
    if out["ratio_switchboard_over_postfix"] is None and not args.no_postfix:
        ok = False
    print_result(out, cache)
    return 0 if ok else 1


if __name__ == "__main__":
    run_bench(main, "list-fanout")
