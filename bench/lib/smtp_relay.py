#!/usr/bin/env python3
"""Driver of bench/smtp-relay (read the header of that script first). Standard library only.

Reuses bench/lib/smtp_ingest.py (the Switchboard and Postfix classes, smtp-source, fsync_rate): only what relaying
adds is here: the smtp-sink remote servers, the 20-domain load, the relay configuration of both servers, the
priority probe. Environment set by the wrapper: BENCH_REPO, BENCH_WORKDIR, SMTP_SOURCE, SMTP_SINK, PF_ROOT, PF_LD,
PF_ERROR. Prints one JSON document on stdout; logs go to stderr.
"""
import argparse
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_ingest import (BenchError, Postfix, RssSampler, SmtpSource, Switchboard, children_of,  # noqa: E402
                         free_ports, fsync_rate, jit_cpu_seconds, pid_alive, proc_cpu_seconds, read_proc_status, kb,
                         save_logs,
                         shipped_java_opts, touch_keep, run_bench, wait_for_count, CLK_TCK, SENDER, HELO)

DOMAINS = ["d%02d.test" % i for i in range(1, 21)]
# the priority probe's domain, outside the load, served by a slow sink (3 s before each DATA reply): its mail waits
# in the relay's queue, where the weight can order it
PROBE_DOMAIN = "p01.test"
PROBE_SINK_DELAY = "3"
PROBE_SUBJECT = "relay-probe"
# what smtp-sink writes before the message: its X-* lines, one per RCPT (a few KB for a hundred recipients)
ENVELOPE_BYTES = 256 * 1024


def log(*args):
    print("[smtp-relay %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ remote servers

class Sink:
    """Postfix's smtp-sink on 127.0.0.1:port, every domain's remote server: each mail it takes is a file of its own
    (-d), whose size tells it is complete and whose mtime gives the delivery order."""

    def __init__(self, path, ld, workdir, port, options=()):
        self.path, self.ld, self.port, self.options = path, ld, port, list(options)
        self.dir = os.path.join(workdir, "sink-%d" % port)
        self.proc = None
        self.envelopes = {}      # path -> (MAIL FROM address, number of RCPTs); each run sends from its own address

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o777)             # smtp-sink drops to -u nobody when started as root
        cmd = [self.path]
        if os.getuid() == 0:
            cmd += ["-u", "nobody"]
        cmd += self.options + ["-d", os.path.join(self.dir, "m."), "127.0.0.1:%d" % self.port, "256"]
        env = dict(os.environ)
        if self.ld:
            env["LD_LIBRARY_PATH"] = self.ld
        out = open(os.path.join(os.path.dirname(self.dir), "smtp-sink-%d.out" % self.port), "w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        with open(os.path.join(os.environ["BENCH_WORKDIR"], "started.sinks"), "a") as f:
            f.write("%d\n" % self.proc.pid)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                log("smtp-sink up on 127.0.0.1:%d (pid %d)" % (self.port, self.proc.pid))
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        raise BenchError("smtp-sink did not start on port %d (exit %s)" % (self.port, self.proc.poll()))

    def entries(self, min_size, sender):
        """The mails from `sender` taken completely: (mtime_ns, path), a file at least min_size bytes long."""
        return [(mtime, path) for mtime, path, _ in self.taken(min_size, sender)]

    def recipients(self, min_size, sender):
        """How many recipients the mails from `sender` taken completely had (a mail to several counts each)."""
        return sum(rcpts for _, _, rcpts in self.taken(min_size, sender))

    def taken(self, min_size, sender):
        """(mtime_ns, path, number of RCPTs) of the mails from `sender` taken completely (at least min_size bytes)."""
        out = []
        for e in os.scandir(self.dir):
            if not e.name.startswith("m."):
                continue
            try:
                st = e.stat()
            except FileNotFoundError:
                continue
            if st.st_size < min_size:
                continue
            if e.path not in self.envelopes:
                # smtp-sink writes the envelope first: X-Mail-Args, then one X-Rcpt-Args line per RCPT
                with open(e.path, "rb") as f:
                    head = f.read(ENVELOPE_BYTES)
                m = re.search(rb"^X-Mail-Args: <([^>]*)>", head, re.M)
                self.envelopes[e.path] = (m.group(1).decode("latin-1") if m else None,
                                          len(re.findall(rb"^X-Rcpt-Args: ", head, re.M)))
            mail_from, rcpts = self.envelopes[e.path]
            if mail_from == sender:
                out.append((st.st_mtime_ns, e.path, rcpts))
        return out

    def clear(self):
        for e in os.scandir(self.dir):
            os.unlink(e.path)
        self.envelopes.clear()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class Sinks:
    """The load's sinks (the 20 domains spread over them) and the probe's slow one (last)."""

    def __init__(self, load, probe):
        self.load, self.probe = load, probe
        self.sinks = load + [probe]

    def route(self, domain):
        if domain == PROBE_DOMAIN:
            return self.probe.port
        return self.load[DOMAINS.index(domain) % len(self.load)].port

    def entries(self, min_size, sender):
        """The load's mails from sender (the probe's are not counted: they go to the slow sink)."""
        return [x for s in self.load for x in s.entries(min_size, sender)]

    def clear(self):
        for s in self.sinks:
            s.clear()


# ------------------------------------------------------------------------------------------------ the load

def split(n, parts):
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def probe_message(sender, domain, kind, seq, size):
    head = ("From: <%s>\r\nTo: <probe@%s>\r\nSubject: %s %s %d\r\nMessage-Id: <probe-%s-%d@source.test>\r\n"
            % (sender, domain, PROBE_SUBJECT, kind, seq, kind, seq))
    if kind == "bulk":
        head += "Precedence: bulk\r\n"
    line = "x" * 76 + "\r\n"
    return head + "\r\n" + line * max(1, size // len(line))


class Probe(threading.Thread):
    """When the sinks have taken `trigger` mails (the relay is busy), sends `count` bulk mails then `count` normal ones
    to probe@PROBE_DOMAIN in one SMTP session: FIFO would deliver the bulk ones first, the weight the normal ones."""

    def __init__(self, port, sender, count, size, trigger, progress):
        super().__init__(daemon=True)
        self.sender = sender
        self.port, self.count, self.size, self.trigger, self.progress = port, count, size, trigger, progress
        self.error = None
        self.sent_at_delivered = None
        self.done = threading.Event()
        self.halt = threading.Event()

    def run(self):
        try:
            while not self.halt.is_set() and self.progress() < self.trigger:
                time.sleep(0.1)
            if self.halt.is_set():
                return
            self.sent_at_delivered = self.progress()
            with smtplib.SMTP("127.0.0.1", self.port, local_hostname=HELO, timeout=60) as s:
                for kind in ("bulk", "normal"):
                    for i in range(self.count):
                        s.sendmail(self.sender, ["probe@%s" % PROBE_DOMAIN],
                                   probe_message(self.sender, PROBE_DOMAIN, kind, i, self.size))
        except (OSError, smtplib.SMTPException) as e:
            self.error = "%s: %s" % (type(e).__name__, e)
        finally:
            self.done.set()


def probe_positions(entries):
    """Mean delivery position (1 = first) of the bulk and normal probes among the PROBE_DOMAIN mails."""
    ordered = sorted(entries)
    domain_pos = {"bulk": [], "normal": []}
    in_domain = 0
    for _, path in ordered:
        with open(path, "rb") as f:
            head = f.read(2048).decode("latin-1")
        rcpt = re.search(r"^X-Rcpt-Args: <[^@>]*@([^>]*)>", head, re.M)
        if not rcpt or rcpt.group(1).lower() != PROBE_DOMAIN:
            continue
        in_domain += 1
        m = re.search(r"^Subject: %s (bulk|normal) \d+" % PROBE_SUBJECT, head, re.M)
        if m:
            domain_pos[m.group(1)].append(in_domain)

    def mean(xs):
        return round(sum(xs) / len(xs), 1) if xs else None
    return {
        "delivered": {k: len(v) for k, v in domain_pos.items()},
        "mean_position_among_%s" % PROBE_DOMAIN: {k: mean(v) for k, v in domain_pos.items()},
        "%s_mails" % PROBE_DOMAIN: in_domain,
        "normal_before_bulk": (mean(domain_pos["normal"]) < mean(domain_pos["bulk"]))
        if domain_pos["normal"] and domain_pos["bulk"] else None,
    }


def tree_cpu_seconds(root):
    """utime+stime of root and its live descendants, plus what root has reaped (cutime+cstime): Postfix's daemons
    come and go under master(8)."""
    total, todo = 0.0, [root]
    first = True
    while todo:
        p = todo.pop()
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        if first:
            total += (int(fields[13]) + int(fields[14])) / CLK_TCK
            first = False
        todo += children_of(p)
    return total


def run_load(label, smtp, port, n, sessions, size, sinks, probe_count=0, pids_fn=None, cpu_fn=None,
             jit_fn=None, stall_timeout=30):
    """n mails split over the 20 domains, one smtp-source per domain in parallel; waits until the sinks hold all of
    them (and the probes). jit_fn: CPU seconds of the JIT compiler threads (of cpu_fn's process). Returns a dict of
    results."""
    sinks.clear()
    per_domain = split(n, len(DOMAINS))
    per_sessions = split(max(sessions, len(DOMAINS)), len(DOMAINS))
    expected = n
    # each run sends from its own address: a mail of an earlier run delivered late is not counted
    sender = "%s-%s@%s" % (SENDER.split("@")[0], re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"),
                           SENDER.split("@")[1])
    # complete = the file holds at least 95% of SIZE: smtp-sink stores LF line ends where smtp-source counted CRLF
    min_size = size * 95 // 100
    progress = lambda: len(sinks.entries(min_size, sender))   # noqa: E731
    sampler = RssSampler(pids_fn) if pids_fn else None
    cpu0 = cpu_fn() if cpu_fn else None
    jit0 = jit_fn() if jit_fn else None
    load0 = round(os.getloadavg()[0], 2)
    probe = Probe(port, sender, probe_count, size, max(1, n // 5), progress) if probe_count else None
    if sampler:
        sampler.start()
    procs = []
    t0, wall0 = time.monotonic(), time.time()
    try:
        for domain, count, s in zip(DOMAINS, per_domain, per_sessions):
            if count:
                cmd = smtp.command(port, count, s, size, "rcpt@%s" % domain)
                cmd[cmd.index("-f") + 1] = sender
                procs.append((domain, subprocess.Popen(cmd, env=smtp.env, stdout=subprocess.PIPE,
                                                       stderr=subprocess.PIPE, text=True)))
        log("%s: %d smtp-source processes (%d mails, %d sessions, %d bytes)" % (label, len(procs), n,
                                                                                 sum(per_sessions), size))
        if probe:
            probe.start()
        for domain, p in procs:
            try:
                _, err = p.communicate(timeout=max(600, n // 2))
            except subprocess.TimeoutExpired:
                p.kill()
                raise BenchError("smtp-source to %s did not finish" % domain)
            if p.returncode != 0:
                raise BenchError("smtp-source to %s exited %d: %s" % (domain, p.returncode, err.strip()[-500:]))
        accept_s = time.monotonic() - t0
        if probe:
            probe.done.wait(120)
            if probe.error:
                raise BenchError("priority probe: " + probe.error)
        last = wait_for_count(progress, expected, stall_timeout, 0.25)
        delivered_s = time.monotonic() - t0
        if probe:
            deadline = time.monotonic() + stall_timeout + 4 * probe_count
            while len(sinks.probe.entries(min_size, sender)) < 2 * probe_count and time.monotonic() < deadline:
                time.sleep(0.25)
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.kill()
        if probe:
            probe.halt.set()
        if sampler:
            sampler.stop()
    res = {
        "loadavg_1m_at_start": load0,
        "accept_seconds": round(accept_s, 2),
        "accept_msgs_per_s": round(n / accept_s, 1),
        "seconds_to_sink": round(delivered_s, 2),
        "delivered_msgs_per_s": round(expected / delivered_s, 1),
        "delivered": last,
        "complete": last >= expected,
    }
    entries = sinks.entries(min_size, sender)
    if entries:
        # the last delivery, from the sink's file times: what a run with stranded mail still shows
        res["seconds_to_last_delivery"] = round(max(entries)[0] / 1e9 - wall0, 2)
        res["delivered_msgs_per_s_until_last_delivery"] = round(len(entries) / res["seconds_to_last_delivery"], 1)
    if sampler:
        res["peak_rss_mb"] = round(sampler.max_kb / 1024, 1)
    if cpu_fn:
        cpu1 = cpu_fn()
        res["cpu_seconds"] = round(cpu1 - cpu0, 2)
        res["cpu_ms_per_msg"] = round((cpu1 - cpu0) * 1000 / expected, 3)
        jit1 = jit_fn() if jit_fn else None
        # as in smtp-ingest: the JIT compiler threads' share, which a server that ran longer has already spent
        # (compiler threads that ended during the run are not counted: a lower bound)
        if jit0 is not None and jit1 is not None and jit1 >= jit0:
            res["jit_cpu_seconds"] = round(jit1 - jit0, 2)
            res["cpu_ms_per_msg_without_jit"] = round((cpu1 - cpu0 - (jit1 - jit0)) * 1000 / expected, 3)
    if probe:
        res["priority_probe"] = dict(sent_when_sink_held=probe.sent_at_delivered, bulk_sent_first=probe_count,
                                     **probe_positions(sinks.probe.entries(min_size, sender)))
    if not res["complete"]:
        res["error"] = "only %d of %d mails reached the sinks (no progress for %d s)" % (last, expected, stall_timeout)
        res["stranded"] = expected - last
        res["delivered_msgs_per_s"] = None
    log("%s: accepted %d in %.1f s (%.0f msgs/s); at the sinks after %.1f s (%s msgs/s)%s" % (
        label, n, accept_s, n / accept_s, delivered_s, res["delivered_msgs_per_s"],
        "" if res["complete"] else "; INCOMPLETE: %d delivered" % last))
    return res


# ------------------------------------------------------------------------------------------------ the two relays

class RelayPostfix(Postfix):
    """smtp_ingest's private Postfix instance, relaying DOMAINS to the sinks instead of delivering locally."""

    def __init__(self, root, ld, workdir, port, sinks):
        super().__init__(root, ld, workdir, port)
        self.sinks = sinks

    def setup(self):
        super().setup()
        path = os.path.join(self.base, "etc", "main.cf")
        with open(path) as f:
            text = f.read()
        domains = DOMAINS + [PROBE_DOMAIN]
        routes = ", ".join("%s=smtp:[127.0.0.1]:%d" % (d, self.sinks.route(d)) for d in domains)
        text += ("# bench/smtp-relay: the remote domains, each to its smtp-sink\n"
                 "relay_domains = %s\ntransport_maps = inline:{ %s }\n" % (", ".join(domains), routes))
        with open(path, "w") as f:
            f.write(text)


def configure_smtpc(sb, domains, route):
    """conf/smtpc.xml: the host table only; conf/smtpc-hosts.properties: every domain to its sink (route(domain) is
    the sink's port). Returns SMTPC's shipped session settings."""
    sb._sub("smtpc.xml", r"<routing>[^<]*</routing>", "<routing>hosts</routing>", "SMTPC routing")
    with open(os.path.join(sb.home, "conf", "smtpc-hosts.properties"), "w") as f:
        f.write("# %s: every remote domain to its smtp-sink\n" % os.environ.get("BENCH_NAME", "bench"))
        for d in domains:
            f.write("%s = 127.0.0.1:%d\n" % (d, route(d)))
    with open(os.path.join(sb.home, "conf", "smtpc.xml")) as f:
        text = f.read()
    return {k: (re.search(r"<%s>([^<]*)</%s>" % (k, k), text) or [None, None])[1]
            for k in ("maxSessions", "maxMessagesPerSession", "sessionIdleTime", "precedenceMultiplier",
                      "sizeMultiplier")}


def peer_runs(pf, out, delivery, runs):
    """Sets the Postfix peer up, starts it, returns what runs() returns, stops it; a failure is noted in out (and
    None returned)."""
    try:
        pf.setup()
        pf.start()
        out["postfix_version"] = pf.version()
        out["postfix_delivery"] = delivery
        result = runs()
        problems = pf.log_problems()
        if problems:
            out["postfix_log_problems"] = problems[:5]
        return result
    except BenchError as e:
        log("postfix peer failed: %s" % e)
        out["postfix_error"] = str(e)
        touch_keep()
        return None
    finally:
        pf.stop()
        save_logs([os.path.join(pf.base, "postfix.log")])


def with_switchboard(args, workdir, out, domains, route, runs):
    """Unpacks and starts Switchboard on free ports with SMTPC routing every domain to its sink (route(domain) is its
    port), returns what runs(sb) returns (whether every run was complete), stops it; a failure is noted in out."""
    if not os.path.exists(args.dist):
        raise BenchError("distribution not found: %s" % args.dist)
    sb = Switchboard(args.dist, workdir, args.java_opts)
    try:
        sb.unpack()
        sb.configure()
        out["smtpc"] = dict(routing="hosts", **configure_smtpc(sb, domains, route))
        sb.start()
        out["switchboard_startup_seconds"] = sb.startup_seconds
        return runs(sb)
    except (BenchError, subprocess.SubprocessError, OSError) as e:
        log("FAILED: %s" % e)
        out["switchboard_error"] = str(e)
        touch_keep()
        return False
    finally:
        out["server_log"] = sb.log_problems() if sb.home else None
        sb.stop()
        if sb.home:
            save_logs([p for p in sb.logs() if p.endswith(".log")])


def rss_of_all(res):
    """Postfix's peak RSS is the sum over master(8) and its daemons (shared pages counted in each)."""
    res["peak_rss_mb_all_processes"] = res.pop("peak_rss_mb", None)
    return res


def channels_with_mail(sb):
    """SmtpcChannels lines of the channels that still hold mail (pending, deferred or held)."""
    try:
        lines = sb.cli("SmtpcChannels").strip().splitlines()
    except BenchError as e:
        return [str(e)]
    return [l for l in lines if re.search(r"\b(pending|deferred|held)[ =:]+[1-9]", l)] or lines[:3]


def add_server_args(ap):
    """The options of the servers compared: --dist, --java-opts, --no-postfix, --keep."""
    env = os.environ
    repo = env.get("BENCH_REPO", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--dist", default=env.get("DIST", os.path.join(
        repo, "assembly/target/switchboard-0.1.0-SNAPSHOT.tar.gz")))
    ap.add_argument("--java-opts", default=env.get("JAVA_OPTS"), help="default: bin/switchboard's own")
    ap.add_argument("--no-postfix", action="store_true", default=env.get("NO_POSTFIX") == "1")
    ap.add_argument("--keep", action="store_true", default=env.get("KEEP") == "1")


def parse_args():
    env = os.environ
    ap = argparse.ArgumentParser(prog="bench/smtp-relay", description="SMTP relay benchmark")
    ap.add_argument("-n", "--n", type=int, default=int(env.get("N", 2000)))
    ap.add_argument("--sizes", default=env.get("SIZES", "4096 102400"))
    ap.add_argument("--runs", type=int, default=int(env.get("RUNS", 2)))
    ap.add_argument("--sessions", type=int, default=int(env.get("SESSIONS", 20)))
    ap.add_argument("--sinks", type=int, default=int(env.get("SINKS", 1)))
    ap.add_argument("--probes", type=int, default=int(env.get("PROBES", 5)))
    ap.add_argument("--stall", type=int, default=int(env.get("STALL", 30)),
                    help="seconds without a new mail at the sinks after which a run counts as incomplete")
    ap.add_argument("--warmup", type=int, default=int(env.get("WARMUP", 200)))
    add_server_args(ap)
    a = ap.parse_args()
    a.java_opts = a.java_opts or shipped_java_opts(a.dist)
    a.size_list = [int(x) for x in a.sizes.replace(",", " ").split()]
    if not 1 <= a.sinks <= len(DOMAINS):
        ap.error("--sinks must be 1..%d" % len(DOMAINS))
    return a


def best(runs, rate="delivered_msgs_per_s"):
    """The run of highest rate among the complete ones."""
    ok = [r for r in runs if r.get(rate)]
    return max(ok, key=lambda r: r[rate]) if ok else None


def begin_driver():
    """A driver's start: the last run's kept results removed, SIGTERM/SIGHUP stop it like Ctrl-C (so that what it
    started is stopped). Returns the temp dir and the cache dir (or None)."""
    cache = os.environ.get("BENCH_CACHE")
    if cache:
        shutil.rmtree(os.path.join(cache, "last-run"), ignore_errors=True)

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    return os.environ["BENCH_WORKDIR"], cache


def print_result(out, cache):
    """The JSON document on stdout, and kept in <cache>/last-run/result.json."""
    text = json.dumps(out, indent=2)
    if cache:
        os.makedirs(os.path.join(cache, "last-run"), exist_ok=True)
        with open(os.path.join(cache, "last-run", "result.json"), "w") as f:
            f.write(text + "\n")
    print(text)


def main():
    args = parse_args()
    workdir, cache = begin_driver()

    out = {
        "bench": "smtp-relay", "n": args.n, "sizes": args.size_list, "runs_per_size": args.runs,
        "domains": "%s .. %s" % (DOMAINS[0], DOMAINS[-1]), "sessions_into_the_relay": max(args.sessions, 20),
        "smtp_sinks": args.sinks, "java_opts": args.java_opts, "dist": args.dist,
        "machine": {"cpus": os.cpu_count(), "disk_fsync_per_s": fsync_rate(workdir),
                    "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]},
        "delivered_means": "time from the first mail sent until the smtp-sinks have taken all of them",
    }
    ok = True
    smtp = SmtpSource(os.environ.get("SMTP_SOURCE") or "smtp-source", os.environ.get("PF_LD"), reuse=True)
    smtp.check()
    sink_path = os.environ.get("SMTP_SINK") or "smtp-sink"
    ports = free_ports(args.sinks + 1)
    sinks = Sinks([Sink(sink_path, os.environ.get("PF_LD"), workdir, p) for p in ports[:-1]],
                  Sink(sink_path, os.environ.get("PF_LD"), workdir, ports[-1], ["-w", PROBE_SINK_DELAY]))
    sb = None
    try:
        for s in sinks.sinks:
            s.start()

        # ---- peer first
        pf_runs = {}
        if args.no_postfix or os.environ.get("PF_ERROR"):
            out["postfix_error"] = "peer disabled (--no-postfix)" if args.no_postfix else os.environ["PF_ERROR"]
        else:
            pf = RelayPostfix(os.environ.get("PF_ROOT"), os.environ.get("PF_LD"), workdir, free_ports(1)[0], sinks)
            pf_runs = peer_runs(pf, out, "own instance, relay_domains + transport_maps to smtp:[127.0.0.1]:<sink>, "
                                "default concurrency (default_destination_concurrency_limit=20 per sink)",
                                lambda: {size: [rss_of_all(run_load("postfix %d B run %d" % (size, i + 1), smtp, pf.port,
                                                                    args.n, args.sessions, size, sinks,
                                                                    probe_count=args.probes, pids_fn=pf.tree,
                                                                    cpu_fn=lambda: tree_cpu_seconds(pf.master_pid)))
                                                for i in range(args.runs)]
                                         for size in args.size_list}) or {}

        # ---- switchboard
        sb_runs = {}

        def switchboard_runs(sb):
            good = True
            java = lambda: [sb.java] if sb.java and pid_alive(sb.java) else []   # noqa: E731
            if args.warmup:
                w = run_load("switchboard warm-up", smtp, sb.ports["smtp"], args.warmup, args.sessions,
                             args.size_list[0], sinks, stall_timeout=args.stall)
                out["warmup"] = {k: w.get(k) for k in ("n", "delivered", "complete", "stranded")}
                out["warmup"]["n"] = args.warmup
                if not w["complete"]:
                    out["warmup"]["smtpc_channels"] = channels_with_mail(sb)
                    good = False
            for size in args.size_list:
                sb_runs[size] = []
                for i in range(args.runs):
                    r = run_load("switchboard %d B run %d" % (size, i + 1), smtp, sb.ports["smtp"], args.n,
                                 args.sessions, size, sinks, probe_count=args.probes, pids_fn=java,
                                 cpu_fn=lambda: proc_cpu_seconds(sb.java), jit_fn=lambda: jit_cpu_seconds(sb.java),
                                 stall_timeout=args.stall)
                    if not r["complete"]:
                        # mail SMTPC accepted but has not delivered: its channels say where it waits
                        r["smtpc_channels"] = channels_with_mail(sb)
                        good = False
                    sb_runs[size].append(r)
            out["switchboard_vm_hwm_mb"] = round((kb(read_proc_status(sb.java).get("VmHWM")) or 0) / 1024, 1)
            return good
        ok = with_switchboard(args, workdir, out, DOMAINS + [PROBE_DOMAIN], sinks.route, switchboard_runs) and ok
    finally:
        for s in sinks.sinks:
            s.stop()

    # ---- per size: every run, the best of each, the ratio
    by_size = []
    for size in args.size_list:
        sbr, pfr = sb_runs.get(size) or [], pf_runs.get(size) or []
        b_sb, b_pf = best(sbr), best(pfr)
        entry = {"size": size, "switchboard_runs": sbr, "postfix_runs": pfr}
        if b_sb:
            entry["switchboard"] = {k: b_sb.get(k) for k in ("delivered_msgs_per_s", "accept_msgs_per_s",
                                                             "cpu_ms_per_msg", "jit_cpu_seconds",
                                                             "cpu_ms_per_msg_without_jit", "peak_rss_mb")}
        if b_pf:
            entry["postfix"] = {k: b_pf.get(k) for k in ("delivered_msgs_per_s", "accept_msgs_per_s",
                                                         "cpu_ms_per_msg", "peak_rss_mb_all_processes")}
        last_sb = [r["delivered_msgs_per_s_until_last_delivery"] for r in sbr
                   if r.get("delivered_msgs_per_s_until_last_delivery")]
        last_pf = [r["delivered_msgs_per_s_until_last_delivery"] for r in pfr
                   if r.get("delivered_msgs_per_s_until_last_delivery")]
        if last_sb and last_pf and not (b_sb and b_pf):
            # a run with stranded mail: the rate of what was delivered, until its last delivery (not the bar)
            entry["ratio_until_last_delivery_ignoring_stranded"] = round(max(last_sb) / max(last_pf), 3)
        if b_sb and b_pf:
            entry["ratio_switchboard_over_postfix"] = round(b_sb["delivered_msgs_per_s"]
                                                            / b_pf["delivered_msgs_per_s"], 3)
            entry["ratio_accept_switchboard_over_postfix"] = round(b_sb["accept_msgs_per_s"]
                                                                   / b_pf["accept_msgs_per_s"], 3)
        else:
            entry["ratio_switchboard_over_postfix"] = None
            if not args.no_postfix:
                ok = False
        by_size.append(entry)
    out["by_size"] = by_size
    out["ratio_is_of"] = "best run of each server per size (delivered msgs/s)"
    if args.probes:
        out["priority_probe_reads"] = (
            "during each run (when the sinks hold N/5), PROBES mails with Precedence: bulk then PROBES normal ones go in "
            "one session to %s, whose sink waits %s s before each DATA reply, so they queue in the relay: "
            "normal_before_bulk=true (lower mean delivery position) means the relay reordered them by weight; FIFO "
            "delivers the bulk ones first. Not counted in the load's msgs/s" % (PROBE_DOMAIN, PROBE_SINK_DELAY))
    else:
        out["priority_probe_reads"] = "not measured (--probes 0)"
    print_result(out, cache)
    return 0 if ok else 1


if __name__ == "__main__":
    run_bench(main, "smtp-relay")
