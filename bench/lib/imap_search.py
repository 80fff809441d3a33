#!/usr/bin/env python3
"""Driver of bench/imap-search: SEARCH FROM / SUBJECT / TEXT latency on one big mailbox, Switchboard against Dovecot.

See the header of bench/imap-search. Standard library only; shares bench/lib/smtp_ingest.py's server handling.
"""
import argparse
import email.utils
import grp
import imaplib
import json
import os
import pwd
import random
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtp_ingest as si  # noqa: E402

USER = "searchbench@" + si.DOMAIN
PASSWORD = "Search-bench-1357"
MAIL_OWNER = "benchmail"

MARK_FROM = "m.oyelaran@northwind.example"
MARK_SUBJECT = "reconciliation"
MARK_TEXT = "xylophone"
QUERIES = {"FROM": ("FROM", '"%s"' % MARK_FROM), "SUBJECT": ("SUBJECT", MARK_SUBJECT), "TEXT": ("TEXT", MARK_TEXT)}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ messages

SYLLABLES = ["ka", "lo", "mi", "ten", "ra", "vo", "shi", "en", "dor", "pa", "lu", "ne", "ta", "gri", "so", "bel",
             "mar", "qu", "in", "ost", "fe", "ran", "ti", "co", "ul", "be", "da", "wen", "ir", "hal"]
FIRST = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam", "Maya",
         "Nils", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Xenia", "Yusuf", "Zoe"]
LAST = ["Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen", "Kowalski",
        "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Urban", "Varga", "Weber"]
DOMAINS = ["example.org", "mail.example.net", "corp.example", "lists.example.com", "university.example.edu",
           "shop.example", "partner.example.co.uk", "news.example.info"]


class Corpus:
    """Deterministic varied messages; message i is the same bytes on both servers."""

    def __init__(self, seed):
        rnd = random.Random(seed)
        words = set()
        while len(words) < 4000:
            words.add("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(1, 4))))
        self.words = sorted(words)
        rnd.shuffle(self.words)
        # Zipf-like: weight 1/rank
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.senders = []
        for _ in range(2000):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            self.senders.append(("%s %s" % (first, last),
                                 "%s.%s%d@%s" % (first.lower(), last.lower(), rnd.randint(1, 99), rnd.choice(DOMAINS))))
        self.seed = seed

    def message(self, i):
        rnd = random.Random(self.seed * 1_000_003 + i)
        marked = rnd.random() < 0.03
        mark_from = marked and i % 3 == 0
        mark_subject = marked and i % 3 == 1
        mark_text = marked and i % 3 == 2
        name, address = ("Margaret Oyelaran", MARK_FROM) if mark_from else rnd.choice(self.senders)
        subject_words = rnd.choices(self.words, self.weights, k=rnd.randint(3, 8))
        if mark_subject:
            subject_words.insert(rnd.randint(0, len(subject_words)), MARK_SUBJECT)
        if rnd.random() < 0.25:
            subject_words.insert(0, "Re:")
        subject = " ".join(subject_words).capitalize()
        body_words = rnd.choices(self.words, self.weights, k=rnd.randint(120, 600))
        if mark_text:
            body_words.insert(rnd.randint(0, len(body_words)), MARK_TEXT)
        lines, line = [], []
        for w in body_words:
            line.append(w)
            if sum(len(x) + 1 for x in line) > 66:
                lines.append(" ".join(line))
                line = []
                if rnd.random() < 0.12:
                    lines.append("")
        lines.append(" ".join(line))
        text = "\r\n".join(lines) + "\r\n"
        date = email.utils.formatdate(1_700_000_000 + i * 37, usegmt=True)
        headers = ("From: %s <%s>\r\nTo: Search Bench <%s>\r\nSubject: %s\r\nDate: %s\r\n"
                   "Message-ID: <bench-%d-%d@%s>\r\nMIME-Version: 1.0\r\n") % (
            name, address, USER, subject, date, self.seed, i, address.split("@")[1])
        if rnd.random() < 0.1:
            boundary = "=_bench_%d" % i
            html = "<html><body><p>" + text.replace("\r\n\r\n", "</p><p>") + "</p></body></html>\r\n"
            body = ("Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n"
                    "Content-Type: text/plain; charset=us-ascii\r\n\r\n%s--%s\r\n"
                    "Content-Type: text/html; charset=us-ascii\r\n\r\n%s--%s--\r\n") % (
                boundary, boundary, text, boundary, html, boundary)
        else:
            body = "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + text
        return (headers + body).encode("ascii"), (mark_from, mark_subject, mark_text)


# ------------------------------------------------------------------------------------------------ IMAP

def connect_switchboard(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = imaplib.IMAP4("127.0.0.1", port, timeout=600)
    c.starttls(ssl_context=ctx)
    c.login(USER, PASSWORD)
    return c


def connect_dovecot(port):
    c = imaplib.IMAP4("127.0.0.1", port, timeout=600)
    c.login(USER, PASSWORD)
    return c


def append_all(port, corpus, n, threads=8, first=0):
    errors, done = [], [0] * threads

    def worker(idx):
        try:
            c = connect_switchboard(port)
            for i in range(first + idx, first + n, threads):
                typ, data = c.append("INBOX", None, None, corpus.message(i)[0])
                if typ != "OK":
                    raise si.BenchError("APPEND: %s %s" % (typ, data))
                done[idx] += 1
            logout(c)
        except Exception as e:  # reported below
            errors.append("%s: %s" % (type(e).__name__, e))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    while True:
        alive = [t for t in ts if t.is_alive()]
        if not alive:
            break
        alive[0].join(30)
        log("switchboard fill: %d of %d appended (%.0f msgs/s)" % (sum(done), n, sum(done) / (time.monotonic() - t0)))
    if errors:
        raise si.BenchError("IMAP APPEND failed: %s" % errors[0])
    return time.monotonic() - t0


def logout(conn):
    """LOGOUT; a connection the server drops instead of answering BYE (seen, issue 9) is not the search's business."""
    try:
        conn.logout()
    except (imaplib.IMAP4.abort, OSError, EOFError) as e:
        log("note: LOGOUT not answered (%s)" % e)


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t0) * 1000.0, result


def hits(data):
    return len(data[0].split()) if data and data[0] else 0


def measure(conn, reps, label):
    out = {"loadavg_1m": round(os.getloadavg()[0], 1)}
    ms, (typ, data) = timed(lambda: conn.select("INBOX", readonly=True))
    if typ != "OK":
        raise si.BenchError("%s: SELECT INBOX: %s" % (label, data))
    out["select_ms"] = round(ms, 1)
    out["messages"] = int(data[0])
    for name, (key, value) in QUERIES.items():
        first_ms, (typ, data) = timed(lambda: conn.search(None, key, value))
        if typ != "OK":
            raise si.BenchError("%s: SEARCH %s: %s" % (label, name, data))
        samples = []
        for _ in range(reps):
            ms, (typ, data2) = timed(lambda: conn.search(None, key, value))
            samples.append(ms)
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
        out[name] = {"hits": hits(data2), "first_ms": round(first_ms, 1), "median_ms": round(statistics.median(samples), 1),
                     "p95_ms": round(p95, 1), "samples_ms": [round(s, 1) for s in samples]}
        log("%s SEARCH %s: %d hits, median %.1f ms, p95 %.1f ms (first %.1f ms)"
            % (label, name, out[name]["hits"], out[name]["median_ms"], p95, first_ms))
    return out


# ------------------------------------------------------------------------------------------------ Dovecot

DOVECOT_CONF = """\
# private benchmark instance (bench/imap-search); Debian's dovecot defaults otherwise (no full-text plugin)
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{base}/home/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


class Dovecot:
    def __init__(self, workdir):
        self.base = os.path.join(workdir, "dovecot")
        self.proc = None
        self.port = None

    def prepare(self, corpus, n):
        if os.geteuid() != 0:
            raise si.BenchError("the Dovecot peer needs root (its master process switches users)")
        if not os.path.exists("/usr/sbin/dovecot"):
            raise si.BenchError("dovecot is not installed: apt-get install dovecot-imapd")
        try:
            pwd.getpwnam(MAIL_OWNER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", MAIL_OWNER],
                           check=True)
        owner = pwd.getpwnam(MAIL_OWNER)
        self.uid, self.gid = owner.pw_uid, owner.pw_gid
        maildir = os.path.join(self.base, "home", "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        t0 = time.monotonic()
        now = int(time.time())
        for i in range(n):
            data = corpus.message(i)[0]
            name = "%d.M%dP%d.bench,S=%d:2," % (now, i, os.getpid(), len(data))
            with open(os.path.join(maildir, "cur", name), "wb") as f:
                f.write(data)
        for root, dirs, files in os.walk(os.path.join(self.base, "home")):
            os.chown(root, self.uid, self.gid)
            for f in files:
                os.chown(os.path.join(root, f), self.uid, self.gid)
        log("dovecot: %d messages written to the Maildir in %.1f s" % (n, time.monotonic() - t0))
        with open(os.path.join(self.base, "passwd"), "w") as f:
            f.write("%s:%s\n" % (USER, PASSWORD))
        os.chmod(os.path.join(self.base, "passwd"), 0o640)
        os.chown(os.path.join(self.base, "passwd"), 0, grp.getgrnam("dovecot").gr_gid)

    def start(self):
        self.port = si.free_ports(1)[0]
        conf = os.path.join(self.base, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(DOVECOT_CONF.format(base=self.base, uid=self.uid, gid=self.gid, port=self.port))
        for d in ("run", "state"):
            os.makedirs(os.path.join(self.base, d), exist_ok=True)
        self.proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", conf], stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.base, "stdout"), "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise si.BenchError("dovecot exited %s: %s" % (self.proc.returncode, self.tail()))
            try:
                c = connect_dovecot(self.port)
                logout(c)
                version = subprocess.run(["/usr/sbin/dovecot", "--version"], capture_output=True, text=True).stdout
                log("dovecot %s up on port %d" % (version.strip(), self.port))
                return version.strip()
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.3)
        raise si.BenchError("dovecot did not answer on port %d: %s" % (self.port, self.tail()))

    def tail(self):
        path = os.path.join(self.base, "dovecot.log")
        return si.tail_file(path, 20) if os.path.exists(path) else "(no log)"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# ------------------------------------------------------------------------------------------------ main

def indexing_cpu(sb):
    """The indexing thread's figures, from the line the server logs when its search index stops."""
    pattern = re.compile(r"Search index stopped: (\d+) messages indexed, (\d+) commits, (\d+) mailboxes compared "
                         r"with the store, (\d+) ms CPU on the indexing thread(?:, (\d+) ms merging segments)?")
    found = None
    for path in sb.logs():
        if os.path.isfile(path):
            with open(path, errors="replace") as f:
                for line in f:
                    m = pattern.search(line)
                    if m:
                        found = m
    if not found:
        return None
    indexed, commits, compared, cpu_ms = (int(x) for x in found.groups()[:4])
    merge_ms = int(found.group(5)) if found.group(5) else 0
    return {"messages_indexed": indexed, "commits": commits, "cpu_ms": cpu_ms, "merge_cpu_ms": merge_ms,
            "cpu_ms_per_message": round((cpu_ms + merge_ms) / indexed, 3) if indexed else None}


def comparison_lines(sb):
    """What the comparisons with the store after the crash found, from the server's log."""
    lines = []
    for path in sb.logs():
        if os.path.isfile(path) and path.endswith("switchboard.log"):
            with open(path, errors="replace") as f:
                lines += [line.strip()[24:] for line in f if "compared with the store in" in line]
    return lines[-5:]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-n", "--n", type=int, default=int(os.environ.get("N", 100_000)))
    p.add_argument("--reps", type=int, default=int(os.environ.get("REPS", 9)))
    p.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 7)))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--dist", default=os.environ.get("DIST"))
    p.add_argument("--java-opts", default=os.environ.get("JAVA_OPTS"), help="default: bin/switchboard's own")
    p.add_argument("--no-crash", action="store_true")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--search-index", choices=["first-search", "delivery"], default="delivery",
                   help="search.index of the server: delivery (default here: the fill is indexed as it arrives) or "
                        "first-search (as shipped: the first SEARCH indexes the mailbox)")
    args = p.parse_args()
    args.java_opts = args.java_opts or si.shipped_java_opts(args.dist)
    if args.quick:
        args.n, args.reps = 10_000, 5
    workdir = tempfile.mkdtemp(prefix="imap-search.")
    os.chmod(workdir, 0o711)  # dovecot's auth and mail processes (other users) go through it
    os.environ["BENCH_WORKDIR"] = workdir
    corpus = Corpus(args.seed)
    expected = [0, 0, 0]
    for i in range(args.n):
        marks = corpus.message(i)[1]
        for k in range(3):
            expected[k] += marks[k]
    out = {"bench": "imap-search", "messages": args.n, "reps": args.reps, "seed": args.seed, "dist": args.dist,
           "cores": os.cpu_count(), "loadavg_1m_at_start": os.getloadavg()[0],
           "queries": {name: " ".join(q) for name, q in QUERIES.items()},
           "expected_hits": dict(zip(QUERIES, expected))}
    sb = si.Switchboard(args.dist, workdir, args.java_opts)
    dc = Dovecot(workdir)
    ok = False
    try:
        sb.unpack()
        sb.configure()
        sb.set_search_index(args.search_index)
        out["search_index"] = args.search_index
        sb.start()
        sb.cli("AddDomain", si.DOMAIN)
        sb.cli("AddUser", USER, PASSWORD)
        c = connect_switchboard(sb.ports["imap"])
        c.create("INBOX")
        logout(c)
        cpu0 = si.proc_cpu_seconds(sb.java)
        fill_s = append_all(sb.ports["imap"], corpus, args.n)
        cpu1 = si.proc_cpu_seconds(sb.java)
        out["switchboard_fill"] = {"seconds": round(fill_s, 1), "msgs_per_s": round(args.n / fill_s),
                                   "server_cpu_ms_per_message": round((cpu1 - cpu0) * 1000 / args.n, 2)}
        conn = connect_switchboard(sb.ports["imap"])
        # the first search waits until the index has caught up with the fill: how long the index lags
        lag_ms, _ = timed(lambda: (conn.select("INBOX", readonly=True), conn.search(None, "SUBJECT", "nothing-like-this")))
        out["switchboard_fill"]["index_caught_up_after_fill_ms"] = round(lag_ms)
        out["switchboard"] = measure(conn, args.reps, "switchboard")
        logout(conn)

        dc.prepare(corpus, args.n)
        out["dovecot_version"] = dc.start()
        conn = connect_dovecot(dc.port)
        out["dovecot"] = measure(conn, args.reps, "dovecot")
        logout(conn)
        dc.stop()

        out["ratio_switchboard_over_dovecot"] = {
            name: round(out["switchboard"][name]["median_ms"] / max(out["dovecot"][name]["median_ms"], 0.01), 3)
            for name in QUERIES}
        out["same_hits"] = all(out["switchboard"][q]["hits"] == out["dovecot"][q]["hits"] == out["expected_hits"][q]
                               for q in QUERIES)

        # a clean stop: the indexing thread's CPU for the fill is in the log line of the index's stop
        sb.stop()
        out["switchboard_indexing_thread"] = indexing_cpu(sb)
        if not args.no_crash:
            sb.start()
            out["after_clean_restart"] = {"restart_to_banner_s": sb.startup_seconds}
            extra = 500
            expected_text = out["expected_hits"]["TEXT"] + sum(corpus.message(i)[1][2] for i in range(args.n, args.n + extra))
            append_all(sb.ports["imap"], corpus, extra, first=args.n)
            # kill -9 right after the last APPEND: the index has not committed them
            os.kill(sb.java, signal.SIGKILL)
            if sb.pid and sb.pid != sb.java and si.pid_alive(sb.pid):
                os.kill(sb.pid, signal.SIGKILL)
            while si.pid_alive(sb.java):
                time.sleep(0.1)
            pidfile = os.path.join(sb.home, "var", "switchboard.pid")
            if os.path.exists(pidfile):
                os.remove(pidfile)
            sb.pid = None
            sb.start()
            conn = connect_switchboard(sb.ports["imap"])
            conn.select("INBOX", readonly=True)
            first_ms, (typ, data) = timed(lambda: conn.search(None, "TEXT", MARK_TEXT))
            next_ms, (typ, data2) = timed(lambda: conn.search(None, "TEXT", MARK_TEXT))
            logout(conn)
            out["after_kill9"] = {"appended_just_before_kill": extra, "restart_to_banner_s": sb.startup_seconds,
                                  "first_search_ms_compares_with_store": round(first_ms), "next_search_ms": round(next_ms, 1),
                                  "hits": hits(data2), "expected_hits": expected_text,
                                  "same_hits": hits(data) == hits(data2) == expected_text}
            log("after kill -9: restart %.1f s, first SEARCH %d ms, next %.1f ms" % (sb.startup_seconds, first_ms, next_ms))
            sb.stop()
            out["after_kill9"]["index_log"] = indexing_cpu(sb)
            out["after_kill9"]["comparison_log"] = comparison_lines(sb)
        out["server_log_problems"] = sb.log_problems()
        ok = out["same_hits"] and (args.no_crash or out["after_kill9"]["same_hits"])
        out["pass"] = ok
    except Exception as e:  # report what happened, keep the temp dir
        out["error"] = "%s: %s" % (type(e).__name__, e)
        sb.dump_logs()
    finally:
        try:
            dc.stop()
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
