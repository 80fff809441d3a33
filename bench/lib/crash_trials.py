#!/usr/bin/env python3
"""Driver of bench/crash: kill -9 trials under SMTP load, then counts acknowledged mail lost and delivered twice.

Each trial: SESSIONS SMTP sessions send uniquely numbered messages to one user; every message whose DATA got a 250
is recorded as acknowledged; after a random 2-6 s the server JVM gets SIGKILL in the middle of that load; the
server is restarted (restart time = until the SMTP banner). After the last trial the script waits until the INBOX
stops growing, reads every message's Subject over IMAP and reports, per trial and in total, the acknowledged
messages missing from the mailbox (lost) and those stored more than once (duplicated).
JSON on stdout, progress on stderr. Standard library only; shares bench/lib/smtp_ingest.py's server handling.
"""
import argparse
import collections
import imaplib
import json
import os
import random
import re
import shutil
import signal
import smtplib
import ssl
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtp_ingest as si  # noqa: E402

USER = "crash@" + si.DOMAIN
PASSWORD = "Crash-bench-2468"
SUBJECT = re.compile(rb"crash-trial (\d+) msg (\d+)-(\d+)")


def log(*args):
    print("[crash %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


class Load:
    """SESSIONS threads sending until stopped; remembers which messages were acknowledged (250 after DATA)."""

    def __init__(self, port, trial, sessions, size):
        self.port, self.trial, self.sessions, self.size = port, trial, sessions, size
        self.acked = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(s,), daemon=True) for s in range(sessions)]

    def start(self):
        for t in self.threads:
            t.start()

    def run(self, session):
        body = ("crash bench line of text, crash bench line of text, crash bench line.\r\n"
                * (self.size // 72 + 1))[:self.size]
        seq = 0
        while not self.stop.is_set():
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as smtp:
                    smtp.ehlo("crash.localdomain")
                    while not self.stop.is_set():
                        seq += 1
                        subject = "crash-trial %d msg %d-%d" % (self.trial, session, seq)
                        message = ("From: load@source.test\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d.%d.%d@crash>"
                                   "\r\n\r\n%s" % (USER, subject, self.trial, session, seq, body))
                        smtp.sendmail("load@source.test", [USER], message.encode("ascii"))
                        with self.lock:
                            self.acked.append((session, seq))
            except (OSError, smtplib.SMTPException):
                # the server died under us: what was not acknowledged may be lost, that is allowed
                if not self.stop.is_set():
                    time.sleep(0.2)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=40)


def imap_subjects(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = imaplib.IMAP4("127.0.0.1", port, timeout=120)
    c.starttls(ssl_context=ctx)
    c.login(USER, PASSWORD)
    typ, data = c.select("INBOX", readonly=True)
    count = int(data[0])
    found = collections.Counter()
    if count:
        typ, data = c.fetch("1:%d" % count, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        for item in data:
            if isinstance(item, tuple):
                m = SUBJECT.search(item[1])
                if m:
                    found[(int(m.group(1)), int(m.group(2)), int(m.group(3)))] += 1
    c.logout()
    return count, found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--trials", type=int, default=int(os.environ.get("TRIALS", 50)))
    p.add_argument("--sessions", type=int, default=int(os.environ.get("SESSIONS", 6)))
    p.add_argument("--size", type=int, default=int(os.environ.get("SIZE", 4096)))
    p.add_argument("--dist", default=os.environ.get("DIST"))
    p.add_argument("--java-opts", default=os.environ.get("JAVA_OPTS"), help="default: bin/switchboard's own")
    p.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 1)))
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    args.java_opts = args.java_opts or si.shipped_java_opts(args.dist)
    rnd = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="crash.")
    os.environ["BENCH_WORKDIR"] = workdir
    sb = si.Switchboard(args.dist, workdir, args.java_opts)
    out = {"bench": "crash", "trials": args.trials, "sessions": args.sessions, "size": args.size,
           "seed": args.seed, "dist": args.dist, "loadavg_1m_at_start": os.getloadavg()[0]}
    acked = {}
    per_trial = []
    ok = False
    try:
        sb.unpack()
        sb.configure()
        sb.start()
        out["first_start_seconds"] = sb.startup_seconds
        sb.cli("AddDomain", si.DOMAIN)
        sb.cli("AddUser", USER, PASSWORD)
        for trial in range(1, args.trials + 1):
            load = Load(sb.ports["smtp"], trial, args.sessions, args.size)
            load.start()
            time.sleep(rnd.uniform(2.0, 6.0))
            os.kill(sb.java, signal.SIGKILL)
            if sb.pid and sb.pid != sb.java and si.pid_alive(sb.pid):
                os.kill(sb.pid, signal.SIGKILL)
            load.finish()
            while si.pid_alive(sb.java):
                time.sleep(0.1)
            acked[trial] = list(load.acked)
            # the killed JVM may linger as a zombie here (no init reaps it in this sandbox), which bin/switchboard
            # would take for a running server: drop its pid file, as a reboot would
            pidfile = os.path.join(sb.home, "var", "switchboard.pid")
            if os.path.exists(pidfile):
                os.remove(pidfile)
            sb.pid = None
            sb.start()
            per_trial.append({"trial": trial, "acknowledged": len(load.acked), "restart_seconds": sb.startup_seconds})
            log("trial %d: %d acknowledged, restart %.1f s" % (trial, len(load.acked), sb.startup_seconds))
        # let the restarted server finish its spool, then count
        last, stable_since = -1, time.monotonic()
        while time.monotonic() - stable_since < 30:
            count, _ = imap_subjects(sb.ports["imap"])
            if count != last:
                last, stable_since = count, time.monotonic()
            time.sleep(3)
        count, found = imap_subjects(sb.ports["imap"])
        total = {"acknowledged": 0, "lost": 0, "duplicated": 0}
        for row in per_trial:
            keys = [(row["trial"], s, q) for s, q in acked[row["trial"]]]
            row["lost"] = sum(1 for k in keys if found[k] == 0)
            row["duplicated"] = sum(1 for k in keys if found[k] > 1)
            # unacknowledged messages may or may not arrive (in flight at the kill), but never twice
            row["unacknowledged_duplicated"] = sum(1 for k, n in found.items()
                                                   if k[0] == row["trial"] and n > 1 and k not in set(keys))
            for key in total:
                total[key] += row[key]
        out["mailbox_messages"] = count
        out["total"] = total
        out["restart_seconds"] = {"max": max(r["restart_seconds"] for r in per_trial),
                                  "mean": round(sum(r["restart_seconds"] for r in per_trial) / len(per_trial), 1)}
        out["per_trial"] = per_trial
        out["server_log_problems"] = sb.log_problems()
        ok = total["lost"] == 0 and total["duplicated"] == 0
        out["pass"] = ok
    except Exception as e:  # report what happened, keep the temp dir
        out["error"] = "%s: %s" % (type(e).__name__, e)
        sb.dump_logs()
    finally:
        try:
            sb.stop()
        finally:
            print(json.dumps(out, indent=2))
            if ok and not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                log("temp dir kept: %s" % workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
