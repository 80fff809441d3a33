#!/usr/bin/env python3
"""Driver of bench/smtp-ingest (read the header of that script first). Standard library only.

Environment set by the wrapper: BENCH_REPO, BENCH_WORKDIR, SMTP_SOURCE, PF_ROOT, PF_LD, PF_ERROR.
Prints one JSON document on stdout; logs go to stderr.
"""
import argparse
import glob
import http.client
import imaplib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import threading
import time

DOMAIN = "example.com"
USER = "bench@" + DOMAIN
WARMUP_USER = "warmup@" + DOMAIN
CEILING_USER = "ceiling@" + DOMAIN
# the server's own stores (mailbox, spool) and Derby without fsync: for the prefill and the ceiling run only
UNSYNCED_OPTS = "-Dswitchboard.benchmark.unsynced=true -Dderby.system.durability=test"
PASSWORD = "secret"
SENDER = "loadgen@source.test"
HELO = "loadgen.localdomain"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def log(*args):
    print("[smtp-ingest %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def run_bench(main, name):
    """Runs a bench's main() and exits with its status; a BenchError prints a JSON document saying what failed."""
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        log("interrupted (%s)" % e)
        sys.exit(130)
    except BenchError as e:
        log("FAILED: %s" % e)
        print(json.dumps({"bench": name, "error": str(e)}))
        sys.exit(1)


# ------------------------------------------------------------------------------------------------ helpers

_HANDED_OUT = set()


def free_ports(count):
    socks, ports = [], []
    try:
        while len(ports) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            socks.append(s)
            if port not in ports and port not in _HANDED_OUT:   # never the same port twice in a run
                ports.append(port)
                _HANDED_OUT.add(port)
    finally:
        for s in socks:
            s.close()
    return ports


def smtp_banner(port, timeout=5.0):
    """Returns the first line the server sends on port, or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            data = b""
            while b"\n" not in data:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
            try:
                s.sendall(b"QUIT\r\n")
            except OSError:
                pass
            return data.decode("latin-1").strip()
    except OSError:
        return None


def wait_banner(port, timeout, alive=lambda: True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = smtp_banner(port)
        if line and line.startswith("220"):
            return line
        if not alive():
            return None
        time.sleep(1)
    return None


def read_proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except OSError:
        pass
    return out


def kb(field):
    if not field:
        return None
    return int(field.split()[0])


def stat_cpu_seconds(raw):
    """utime + stime of a /proc/.../stat line."""
    fields = raw.rsplit(")", 1)[1].split()
    # after the comm field: state is fields[0]; utime = field 14 -> index 11, stime -> 12
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return stat_cpu_seconds(f.read())
    except (OSError, IndexError, ValueError):
        return None


def jit_cpu_seconds(pid):
    """CPU of the JVM's JIT compiler threads (C1/C2 CompilerThread*): compilation, not mail work."""
    total = 0.0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tasks:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        if comm.startswith(("C1 CompilerThre", "C2 CompilerThre")):
            total += stat_cpu_seconds(raw)
    return total


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie counts as dead
    st = read_proc_status(pid).get("State", "")
    return not st.startswith("Z")


def children_of(pid):
    kids = []
    for task in glob.glob("/proc/%d/task/*/children" % pid):
        try:
            with open(task) as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def find_java(pid):
    """The JVM: pid itself when it is java, else the first java process below it."""
    todo = [pid]
    while todo:
        p = todo.pop(0)
        comm = read_proc_status(p).get("Name", "")
        if comm == "java" or cmdline(p).split(" ")[0].endswith("/java"):
            return p
        todo += children_of(p)
    return pid


class RssSampler(threading.Thread):
    """VmRSS of a process every `interval` seconds; max_kb is the peak seen."""

    def __init__(self, pids_fn, interval=0.5):
        super().__init__(daemon=True)
        self.pids_fn = pids_fn
        self.interval = interval
        self.max_kb = 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            total = 0
            for pid in self.pids_fn():
                total += kb(read_proc_status(pid).get("VmRSS")) or 0
            self.max_kb = max(self.max_kb, total)
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(5)


def tail_file(path, lines=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(data[-lines:])
    except OSError as e:
        return "(%s)" % e


def save_logs(paths):
    """Copies logs to $BENCH_CACHE/last-run/ (the temp dir is removed after a successful run)."""
    cache = os.environ.get("BENCH_CACHE")
    if not cache:
        return
    dest = os.path.join(cache, "last-run")
    os.makedirs(dest, exist_ok=True)
    for p in paths:
        if os.path.isfile(p):
            shutil.copy(p, os.path.join(dest, os.path.basename(p)))


def touch_keep():
    try:
        open(os.path.join(os.environ["BENCH_WORKDIR"], "keep"), "w").close()
    except (OSError, KeyError):
        pass


# ------------------------------------------------------------------------------------------------ load generator

class SmtpSource:
    def __init__(self, path, ld_path, reuse):
        self.path = path
        self.env = dict(os.environ)
        if ld_path:
            self.env["LD_LIBRARY_PATH"] = ld_path + (":" + self.env["LD_LIBRARY_PATH"]
                                                     if self.env.get("LD_LIBRARY_PATH") else "")
        self.reuse = reuse

    def command(self, port, n, sessions, size, rcpt, numbered=False):
        cmd = [self.path, "-s", str(sessions), "-m", str(n), "-l", str(size),
               "-f", SENDER, "-t", rcpt, "-M", HELO]
        if self.reuse:
            cmd.append("-d")
        if numbered:
            cmd.append("-N")  # the i-th message of the run goes to <i><rcpt>: 1bench@, 2bench@, ...
        cmd.append("127.0.0.1:%d" % port)
        return cmd

    def check(self):
        """Runs the binary once to prove it loads (usage error is the expected answer)."""
        p = subprocess.run([self.path, "-h"], env=self.env, capture_output=True, text=True, timeout=30)
        if "usage" not in (p.stderr + p.stdout):
            raise BenchError("smtp-source does not run: %s" % (p.stderr or p.stdout).strip()[-500:])

    def run(self, port, n, sessions, size, rcpt, timeout, mailboxes=1):
        """n messages to rcpt; with mailboxes > 1, n/mailboxes rounds of one message to each of 1<rcpt> ..
        <mailboxes><rcpt> (smtp-source numbers the recipients of a run from 1)."""
        rounds = [n] if mailboxes <= 1 else [mailboxes] * (n // mailboxes)
        t0 = time.monotonic()
        for i, count in enumerate(rounds):
            cmd = self.command(port, count, sessions, size, rcpt, numbered=mailboxes > 1)
            if i == 0:
                log("run%s:" % ("" if len(rounds) == 1 else " (x%d)" % len(rounds)),
                    " ".join(shlex.quote(c) for c in cmd))
            try:
                p = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                                   timeout=max(1, timeout - (time.monotonic() - t0)))
            except subprocess.TimeoutExpired:
                raise BenchError("smtp-source did not finish in %d s" % timeout)
            if p.returncode != 0:
                raise BenchError("smtp-source exited %d after %.1f s: %s"
                                 % (p.returncode, time.monotonic() - t0, (p.stderr or p.stdout).strip()[-800:]))
            if p.stderr.strip():
                log("smtp-source stderr:", p.stderr.strip()[-500:])
        return t0, time.monotonic() - t0


# ------------------------------------------------------------------------------------------------ one measured run

def wait_for_count(count_fn, expected, stall, interval):
    """Polls count_fn every `interval` s until it returns `expected` or more, or has not changed for `stall` s;
    returns its last answer (None when it had none)."""
    last, last_change = None, time.monotonic()
    while True:
        count = count_fn()
        now = time.monotonic()
        if count != last:
            last, last_change = count, now
        if (count is not None and count >= expected) or now - last_change > stall:
            return count
        time.sleep(interval)


def measure(label, smtp, port, n, sessions, size, rcpt, count_fn, base, pids_fn=None, cpu_pid=None,
            stall_timeout=120, smtp_timeout=None, mailboxes=1):
    """Sends n messages (to `mailboxes` numbered recipients when > 1: SmtpSource.run) and waits until
    count_fn() >= base + n. Returns a dict of results."""
    sampler = RssSampler(pids_fn) if pids_fn else None
    cpu0 = proc_cpu_seconds(cpu_pid) if cpu_pid else None
    jit0 = jit_cpu_seconds(cpu_pid) if cpu_pid else None
    load0 = round(os.getloadavg()[0], 2)
    if sampler:
        sampler.start()
    if smtp_timeout is None:
        smtp_timeout = max(600, n // 2)
    try:
        t0, accept_s = smtp.run(port, n, sessions, size, rcpt, smtp_timeout, mailboxes)
        last = wait_for_count(count_fn, base + n, stall_timeout, 0.5)
        mailbox_s = time.monotonic() - t0
    finally:
        if sampler:
            sampler.stop()
    cpu1 = proc_cpu_seconds(cpu_pid) if cpu_pid else None
    jit1 = jit_cpu_seconds(cpu_pid) if cpu_pid else None
    delivered = (last or 0) - base
    res = {
        "loadavg_1m_at_start": load0,
        "accept_seconds": round(accept_s, 2),
        "accept_msgs_per_s": round(n / accept_s, 1),
        "seconds_to_mailbox": round(mailbox_s, 2),
        "end_to_end_msgs_per_s": round(n / mailbox_s, 1),
        "delivered": delivered,
        "complete": delivered >= n,
    }
    if sampler:
        res["peak_rss_mb"] = round(sampler.max_kb / 1024, 1)
    if cpu0 is not None and cpu1 is not None:
        res["cpu_seconds"] = round(cpu1 - cpu0, 2)
        res["cpu_ms_per_msg"] = round((cpu1 - cpu0) * 1000 / n, 3)
        # the JIT compiler threads' share (a server that ran longer has compiled its code: that part then vanishes);
        # compiler threads that ended during the run are not counted, so this is a lower bound
        if jit0 is not None and jit1 is not None and jit1 >= jit0:
            res["jit_cpu_seconds"] = round(jit1 - jit0, 2)
            res["cpu_ms_per_msg_without_jit"] = round((cpu1 - cpu0 - (jit1 - jit0)) * 1000 / n, 3)
    if not res["complete"]:
        res["error"] = "only %d of %d messages reached the mailbox (no progress for %d s)" % (
            delivered, n, stall_timeout)
        res["end_to_end_msgs_per_s"] = None
    log("%s: accepted %d in %.1f s (%.0f msgs/s); in mailbox after %.1f s (%s msgs/s)%s" % (
        label, n, accept_s, n / accept_s, mailbox_s, res["end_to_end_msgs_per_s"],
        "" if res["complete"] else "; INCOMPLETE: %d delivered" % delivered))
    return res


# ------------------------------------------------------------------------------------------------ IMAP

class ImapCounter:
    """STATUS INBOX (MESSAGES) over IMAP STARTTLS (plain LOGIN is refused before TLS)."""

    def __init__(self, port, user, password):
        self.port, self.user, self.password = port, user, password
        self.conn = None
        self.mode = None

    def _connect(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c = imaplib.IMAP4("127.0.0.1", self.port, timeout=60)
        try:
            c.starttls(ssl_context=ctx)
            self.mode = "starttls"
        except (imaplib.IMAP4.error, ssl.SSLError, OSError) as e:
            log("IMAP STARTTLS failed (%s); trying LOGIN without TLS" % e)
            c = imaplib.IMAP4("127.0.0.1", self.port, timeout=60)
            self.mode = "plain"
        c.login(self.user, self.password)
        self.conn = c

    def count(self):
        for attempt in range(3):
            try:
                if self.conn is None:
                    self._connect()
                typ, data = self.conn.status("INBOX", "(MESSAGES)")
                if typ != "OK":
                    return 0          # no INBOX yet
                m = re.search(rb"MESSAGES (\d+)", data[0])
                return int(m.group(1)) if m else 0
            except (imaplib.IMAP4.error, OSError, EOFError) as e:
                log("IMAP error (%s); reconnecting" % e)
                self.close()
                time.sleep(1)
        return None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.logout()
            except Exception:
                pass
        self.conn = None


def numbered_users(mailboxes):
    """The recipients smtp-source -N makes of USER: 1bench@example.com .. <mailboxes>bench@example.com."""
    return ["%d%s" % (i, USER) for i in range(1, mailboxes + 1)]


class WebAdmin:
    """Switchboard's WebAdmin on loopback: users and INBOX message counts (one keep-alive connection)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None):
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=body,
                                  headers={"Content-Type": "application/json"} if body else {})
                r = self.conn.getresponse()
                return r.status, r.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:
                log("WebAdmin %s %s: %s; reconnecting" % (method, path, e))
                self.close()
                time.sleep(1)
        raise BenchError("WebAdmin %s %s failed 3 times" % (method, path))

    def add_user(self, user, password):
        status, text = self.request("PUT", "/users/" + user, json.dumps({"password": password}))
        if status not in (200, 204):
            raise BenchError("WebAdmin PUT /users/%s: %d %s" % (user, status, text[:300]))

    def inbox_count(self, user):
        status, text = self.request("GET", "/users/%s/mailboxes/INBOX/messageCount" % user)
        if status == 404:
            return 0       # no INBOX yet
        if status != 200:
            raise BenchError("WebAdmin message count of %s: %d %s" % (user, status, text[:300]))
        return int(text.strip())

    def spool_size(self):
        """Mails in the spool, those being processed included (RocksDbMailQueue.getSize)."""
        status, text = self.request("GET", "/mailQueues/spool")
        if status != 200:
            raise BenchError("WebAdmin GET /mailQueues/spool: %d %s" % (status, text[:300]))
        return int(json.loads(text)["size"])

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


class MailboxesCounter:
    """Messages in the INBOXes of many users, each expected to reach `each`: a mailbox once seen complete is not
    asked again, so the polls after the SMTP run (measure) only ask the ones still filling."""

    def __init__(self, users, count_one, each):
        self.count_one, self.each = count_one, each
        self.counts = {u: 0 for u in users}

    def count(self):
        for user, have in self.counts.items():
            if have < self.each:
                self.counts[user] = self.count_one(user)
        return sum(self.counts.values())

    def check_each(self):
        """Every mailbox holds exactly `each` (asked again: a duplicate shows as one more)."""
        wrong = {u: c for u, c in ((u, self.count_one(u)) for u in self.counts) if c != self.each}
        if wrong:
            raise BenchError("%d mailboxes do not hold %d messages each, e.g. %s"
                             % (len(wrong), self.each, sorted(wrong.items())[:5]))


def sample_message(size, seq):
    body_line = "La la la la la la la la la la la la la la la la la la la la la la la la la la la la la.\r\n"
    body = (body_line * (size // len(body_line) + 1))[:size]
    hdr = ("From: <%s>\r\nTo: <%s>\r\nSubject: prefill %d\r\nMessage-ID: <prefill-%d-%d@%s>\r\n"
           "Date: %s\r\n\r\n") % (SENDER, USER, seq, seq, os.getpid(), HELO,
                                  time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()))
    return (hdr + body).encode()


def imap_append(port, count, size, threads=8):
    """APPENDs count messages to bench's INBOX over `threads` IMAP connections."""
    errors = []
    done = [0] * threads
    per = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

    def worker(idx, k):
        try:
            ic = ImapCounter(port, USER, PASSWORD)
            ic._connect()
            for j in range(k):
                msg = sample_message(size, idx * 10_000_000 + j)
                typ, data = ic.conn.append("INBOX", None, None, msg)
                if typ != "OK":
                    raise BenchError("APPEND: %s %s" % (typ, data))
                done[idx] += 1
            ic.close()
        except Exception as e:            # reported below
            errors.append(str(e))

    ts = [threading.Thread(target=worker, args=(i, k)) for i, k in enumerate(per) if k]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    while any(t.is_alive() for t in ts):
        deadline = time.monotonic() + 30
        for t in ts:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in ts):
            log("prefill: %d of %d appended (%.1f msgs/s)" % (sum(done), count,
                                                              sum(done) / (time.monotonic() - t0)))
    if errors:
        raise BenchError("IMAP APPEND failed: %s" % errors[0])


# ------------------------------------------------------------------------------------------------ Switchboard

def shipped_java_opts(dist):
    """The JVM options bin/switchboard of the distribution uses when JAVA_OPTS is unset: unless --java-opts is
    given, the benches measure the server as shipped (heap size included, which decides the peak RSS)."""
    if not os.path.exists(dist):
        raise BenchError("distribution not found: %s" % dist)
    with tarfile.open(dist) as tf:
        for m in tf.getmembers():
            if m.name.endswith("/bin/switchboard"):
                found = re.search(r"^JAVA_OPTS=\$\{JAVA_OPTS:-([^}]*)\}", tf.extractfile(m).read().decode(), re.M)
                if found:
                    return found.group(1)
    raise BenchError("no default JAVA_OPTS in bin/switchboard of %s" % dist)


class Switchboard:
    def __init__(self, dist, workdir, java_opts):
        self.dist, self.workdir, self.java_opts = dist, workdir, java_opts
        self.home = None
        self.pid = None          # pid from var/switchboard.pid
        self.java = None         # the JVM
        self.ports = {}

    def unpack(self):
        log("unpacking", self.dist)
        with tarfile.open(self.dist) as tf:
            top = {m.name.split("/")[0] for m in tf.getmembers()}
            kwargs = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
            tf.extractall(self.workdir, **kwargs)
        for t in sorted(top):
            if os.path.exists(os.path.join(self.workdir, t, "bin", "switchboard")):
                self.home = os.path.join(self.workdir, t)
        if not self.home:
            raise BenchError("no */bin/switchboard in %s" % self.dist)

    def _sub(self, rel, pattern, repl, what):
        path = os.path.join(self.home, "conf", rel)
        with open(path) as f:
            text = f.read()
        new, k = re.subn(pattern, repl, text, flags=re.M)
        if k == 0:
            raise BenchError("could not set %s in conf/%s (pattern %r not found)" % (what, rel, pattern))
        with open(path, "w") as f:
            f.write(new)

    def _rebind(self, rel, names, required):
        """Gives every <bind>host:port</bind> of conf/rel a free loopback port, in order of appearance."""
        path = os.path.join(self.home, "conf", rel)
        if not os.path.exists(path):
            if required:
                raise BenchError("conf/%s is missing" % rel)
            log("note: conf/%s is missing" % rel)
            return
        with open(path) as f:
            text = f.read()
        binds = list(re.finditer(r"<bind>\s*([^<]*?)\s*</bind>", text))
        if required and len(binds) < len(names):
            raise BenchError("conf/%s has %d <bind> elements, expected %d" % (rel, len(binds), len(names)))
        ports = free_ports(len(binds)) if binds else []
        out, last = [], 0
        for i, m in enumerate(binds):
            out.append(text[last:m.start(1)])
            out.append("127.0.0.1:%d" % ports[i])   # one address per listener, loopback only
            last = m.end(1)
            key = names[i] if i < len(names) else "%s-%d" % (rel.split(".")[0], i)
            self.ports[key] = ports[i]
        out.append(text[last:])
        with open(path, "w") as f:
            f.write("".join(out))

    def set_search_index(self, mode):
        """search.index in conf/mailbox.properties: first-search (shipped) or delivery."""
        self._sub("mailbox.properties", r"^search\.index=.*$", "search.index=%s" % mode, "search.index")

    def configure(self):
        self.ports = {}
        self._rebind("smtpserver.xml", ["smtp", "submission"], True)
        self._rebind("imapserver.xml", ["imap"], True)
        self._rebind("pop3server.xml", ["pop3"], False)
        self._rebind("lmtpserver.xml", ["lmtp"], False)
        self._rebind("managesieveserver.xml", ["managesieve"], False)
        web, jmx, ldap, ldaps = free_ports(4)
        self._sub("webadmin.properties", r"^port=\d+", "port=%d" % web, "WebAdmin port")
        self._sub("jmx.properties", r"^jmx\.port=\d+", "jmx.port=%d" % jmx, "JMX port")
        # the embedded directory too: another server (or a second bench) may hold the shipped LDAP ports
        self._sub("directory.xml", r"<ldapPort>\d+</ldapPort>", "<ldapPort>%d</ldapPort>" % ldap, "LDAP port")
        self._sub("directory.xml", r"<ldapsPort>\d+</ldapsPort>", "<ldapsPort>%d</ldapsPort>" % ldaps, "LDAPS port")
        self.ports.update(webadmin=web, jmx=jmx, ldap=ldap, ldaps=ldaps)
        log("ports:", json.dumps(self.ports))

    def enable_antivirus(self, address):
        """Turns the shipped (commented-out) AntiVirus mailet on, scanning with the clamd at host:port."""
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise BenchError("--antivirus wants HOST:PORT, got %r" % address)
        rel = "mailetcontainer.xml"
        self._sub(rel, r"^.*<!-- ANTIVIRUS-OFF .*\n", "", "the anti-virus (line 'ANTIVIRUS-OFF' opening)")
        self._sub(rel, r"^.*ANTIVIRUS-OFF .*-->.*\n", "", "the anti-virus (line 'ANTIVIRUS-OFF' closing)")
        self._sub(rel, r"<host>127\.0\.0\.1</host>", "<host>%s</host>" % host, "the clamd host")
        self._sub(rel, r"<port>3310</port>", "<port>%s</port>" % port, "the clamd port")
        log("anti-virus on: clamd at %s:%s" % (host, port))

    def logs(self):
        return sorted(glob.glob(os.path.join(self.home, "var", "log", "*")))

    def dump_logs(self, lines=60):
        for path in self.logs():
            if os.path.isfile(path):
                log("---- tail of %s ----\n%s" % (path, tail_file(path, lines)))

    def start(self, extra_opts=""):
        opts = (self.java_opts + " " + extra_opts).strip()
        env = dict(os.environ, JAVA_OPTS=opts)
        log("starting switchboard (JAVA_OPTS=%s)" % opts)
        with open(os.path.join(os.environ["BENCH_WORKDIR"], "started.switchboard"), "w") as f:
            f.write(self.home)
        out = os.path.join(self.workdir, "switchboard-start.out")
        t0 = time.monotonic()
        with open(out, "w") as fo:
            p = subprocess.run([os.path.join(self.home, "bin", "switchboard"), "start"], cwd=self.home, env=env,
                               stdout=fo, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300)
        if p.returncode != 0:
            log("bin/switchboard start exited %d:\n%s" % (p.returncode, tail_file(out)))
        pidfile = os.path.join(self.home, "var", "switchboard.pid")
        deadline = time.monotonic() + 30
        while not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.5)
        if not os.path.exists(pidfile):
            self.dump_logs()
            raise BenchError("no var/switchboard.pid after bin/switchboard start (exit %d): %s"
                             % (p.returncode, tail_file(out, 10)))
        with open(pidfile) as f:
            self.pid = int(f.read().strip())
        banner = wait_banner(self.ports["smtp"], 300, alive=lambda: pid_alive(self.pid))
        if not banner:
            self.dump_logs()
            raise BenchError("switchboard did not answer a 220 banner on port %d (pid %d %s)"
                             % (self.ports["smtp"], self.pid, "alive" if pid_alive(self.pid) else "dead"))
        self.java = find_java(self.pid)
        self.startup_seconds = round(time.monotonic() - t0, 1)
        log("switchboard up in %.1f s: pid %d, jvm %d, banner %r" % (self.startup_seconds, self.pid, self.java,
                                                                     banner))

    def cli(self, *args):
        p = subprocess.run([os.path.join(self.home, "bin", "james-cli")] + list(args), cwd=self.home,
                           capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise BenchError("james-cli %s exited %d: %s" % (" ".join(args), p.returncode,
                                                            (p.stderr + p.stdout).strip()[-800:]))
        return p.stdout

    def stop(self):
        if not self.pid:
            return
        log("stopping switchboard")
        try:
            subprocess.run([os.path.join(self.home, "bin", "switchboard"), "stop"], cwd=self.home,
                           capture_output=True, timeout=240, stdin=subprocess.DEVNULL)  # a first stop writes the class data archive
        except subprocess.TimeoutExpired:
            log("bin/switchboard stop timed out")
        for pid in {self.pid, self.java}:
            deadline = time.monotonic() + 30
            while pid and pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.5)
            if pid and pid_alive(pid):
                log("pid %d still alive: kill -9" % pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        self.pid = None

    def log_problems(self):
        """ERROR lines and exceptions in var/log/*."""
        errors, warns, samples = 0, 0, []
        for path in self.logs():
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                for raw in f:
                    line = raw.decode("utf-8", "replace").rstrip()
                    if re.search(r"\bERROR\b|\bFATAL\b|OutOfMemory", line):
                        errors += 1
                        if len(samples) < 15:
                            samples.append("%s: %s" % (os.path.basename(path), line[:300]))
                    elif re.search(r"\bWARN\b", line):
                        warns += 1
        return {"error_lines": errors, "warn_lines": warns, "error_samples": samples}


# ------------------------------------------------------------------------------------------------ Postfix peer

MASTER_CF = """\
# private benchmark instance: no chroot, everything on loopback
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

MAIN_CF = """\
# private benchmark instance (bench/smtp-ingest); Postfix defaults otherwise
compatibility_level = 3.6
queue_directory = {base}/spool
data_directory = {base}/data
meta_directory = {base}/etc
daemon_directory = {daemon_dir}
command_directory = {command_dir}
shlib_directory = {shlib_dir}
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME{ld}
maillog_file = {base}/postfix.log
maillog_file_prefixes = {base}
mail_owner = postfix
setgid_group = postdrop
myhostname = bench-postfix.localdomain
mydomain = localdomain
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
alias_maps =
alias_database =
relayhost =
default_transport = error:this benchmark instance delivers locally only
biff = no
# final delivery: virtual(8) into a Maildir (trailing slash) under virtual_mailbox_base
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {base}/mail
# bench@ and the numbered recipients of the --mailboxes run (1bench@, 2bench@, ...): one Maildir each (texthash:
# a text file read at start, no postmap; virtual(8) refuses regexp substitutions)
virtual_mailbox_maps = texthash:{base}/etc/vmailbox
virtual_minimum_uid = 1
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
"""


class Postfix:
    def __init__(self, root, ld, workdir, port, mailboxes=0):
        self.root = root or ""
        self.mailboxes = mailboxes
        self.ld = ld
        self.base = os.path.join(workdir, "postfix")
        self.port = port
        self.master_pid = None
        self.daemon_dir = os.path.join(self.root or "/", "usr/lib/postfix/sbin")

    def env(self):
        e = dict(os.environ)
        if self.ld:
            e["LD_LIBRARY_PATH"] = self.ld
        return e

    def version(self):
        try:
            p = subprocess.run([os.path.join(self.root or "/", "usr/sbin/postconf"), "-c",
                                os.path.join(self.base, "etc"), "-h", "mail_version"],
                               env=self.env(), capture_output=True, text=True, timeout=30)
            return p.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            return None

    def setup(self):
        import grp
        import pwd
        pw = pwd.getpwnam("postfix")
        postdrop = grp.getgrnam("postdrop").gr_gid
        uid, gid = pw.pw_uid, pw.pw_gid
        etc, spool, data, mail = (os.path.join(self.base, d) for d in ("etc", "spool", "data", "mail"))
        for d in (etc, spool, data, mail):
            os.makedirs(d, exist_ok=True)
        os.chmod(self.base, 0o755)
        os.chmod(spool, 0o755)
        for q in ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private",
                  "saved", "trace"):
            d = os.path.join(spool, q)
            os.makedirs(d, exist_ok=True)
            os.chown(d, uid, 0)
            os.chmod(d, 0o700)
        for q, mode in (("maildrop", 0o730), ("public", 0o710)):
            d = os.path.join(spool, q)
            os.makedirs(d, exist_ok=True)
            os.chown(d, uid, postdrop)
            os.chmod(d, mode)
        os.makedirs(os.path.join(spool, "pid"), exist_ok=True)
        for d in (data, mail):
            os.chown(d, uid, gid)
            os.chmod(d, 0o700)
        with open(os.path.join(etc, "dynamicmaps.cf"), "w") as f:
            f.write("# no dynamically loaded map types in this instance\n")
        with open(os.path.join(etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.port))
        with open(os.path.join(etc, "vmailbox"), "w") as f:
            for user in [USER] + numbered_users(self.mailboxes):
                f.write("%s %s/\n" % (user, user.split("@")[0]))
        with open(os.path.join(etc, "main.cf"), "w") as f:
            f.write(MAIN_CF.format(
                base=self.base, daemon_dir=self.daemon_dir,
                command_dir=os.path.join(self.root or "/", "usr/sbin"),
                shlib_dir=os.path.join(self.root or "/", "usr/lib/postfix"),
                ld=(" LD_LIBRARY_PATH=" + self.ld) if self.ld else "",
                domain=DOMAIN, user=USER, uid=uid, gid=gid))

    def start(self):
        etc = os.path.join(self.base, "etc")
        log("starting postfix master (config %s, port %d)" % (etc, self.port))
        p = subprocess.run([os.path.join(self.daemon_dir, "master"), "-c", etc, "-w"], env=self.env(),
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        pidfile = os.path.join(self.base, "spool", "pid", "master.pid")
        if os.path.exists(pidfile):
            with open(pidfile) as f:
                self.master_pid = int(f.read().strip())
            with open(os.path.join(os.environ["BENCH_WORKDIR"], "started.postfix"), "w") as f:
                f.write(str(self.master_pid))
        if p.returncode != 0 or not self.master_pid:
            raise BenchError("postfix master -w exited %d: %s %s" % (
                p.returncode, (p.stderr + p.stdout).strip()[-500:], tail_file(os.path.join(self.base,
                                                                                           "postfix.log"), 10)))
        banner = wait_banner(self.port, 60, alive=lambda: pid_alive(self.master_pid))
        if not banner:
            raise BenchError("postfix smtpd did not answer a 220 banner: %s"
                             % tail_file(os.path.join(self.base, "postfix.log"), 15))
        log("postfix up: master pid %d, banner %r" % (self.master_pid, banner))

    def count(self):
        return self.count_user(USER)

    def count_user(self, user):
        try:
            return len(os.listdir(os.path.join(self.base, "mail", user.split("@")[0], "new")))
        except FileNotFoundError:
            return 0

    def tree(self):
        if not self.master_pid:
            return []
        out, todo = [], [self.master_pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += children_of(p)
        return out

    def stop(self):
        if not self.master_pid:
            return
        log("stopping postfix")
        pids = self.tree()
        try:
            os.kill(self.master_pid, signal.SIGTERM)
        except OSError:
            pass
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
            time.sleep(0.5)
        for p in pids:
            if pid_alive(p):
                log("postfix pid %d still alive: kill -9" % p)
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        self.master_pid = None

    def log_problems(self):
        path = os.path.join(self.base, "postfix.log")
        bad = []
        try:
            with open(path, errors="replace") as f:
                for line in f:
                    if re.search(r"\b(fatal|panic|error|warning):", line):
                        bad.append(line.strip()[:300])
        except OSError:
            pass
        return bad


# ------------------------------------------------------------------------------------------------ main

def parse_args():
    env = os.environ
    repo = env.get("BENCH_REPO", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap = argparse.ArgumentParser(prog="bench/smtp-ingest", description="SMTP ingestion benchmark")
    ap.add_argument("--quick", action="store_true", default=env.get("QUICK") == "1")
    ap.add_argument("-n", "--n", type=int, default=None)
    ap.add_argument("--sessions", type=int, default=int(env.get("SESSIONS", 10)))
    ap.add_argument("--size", type=int, default=int(env.get("SIZE", 4096)))
    ap.add_argument("--dist", default=env.get("DIST", os.path.join(
        repo, "assembly/target/switchboard-0.1.0-SNAPSHOT.tar.gz")))
    ap.add_argument("--prefill", default=None)
    ap.add_argument("--prefill-method", choices=["imap-nosync", "imap", "smtp"],
                    default=env.get("PREFILL_METHOD", "imap-nosync"))
    ap.add_argument("--prefill-sessions", type=int, default=int(env.get("PREFILL_SESSIONS", 20)))
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--java-opts", default=env.get("JAVA_OPTS"), help="default: bin/switchboard's own")
    ap.add_argument("--no-postfix", action="store_true", default=env.get("NO_POSTFIX") == "1")
    ap.add_argument("--keep", action="store_true", default=env.get("KEEP") == "1")
    ap.add_argument("--reconnect", action="store_true", default=env.get("RECONNECT") == "1")
    ap.add_argument("--mailboxes", type=int, default=int(env.get("MAILBOXES", 0)),
                    help="also measure N messages spread over this many mailboxes (1bench@ .. <M>bench@, one message "
                         "each per round), both peers; N is rounded up to a multiple")
    ap.add_argument("--ceiling", action="store_true", default=env.get("CEILING") == "1",
                    help="also measure the same run with every store unsynced (the protocol stack's ceiling)")
    ap.add_argument("--antivirus", metavar="HOST:PORT", default=env.get("ANTIVIRUS") or None,
                    help="turn the shipped AntiVirus mailet on, scanning with the clamd at HOST:PORT")
    ap.add_argument("--search-index", choices=["first-search", "delivery"], default=env.get("SEARCH_INDEX"),
                    help="conf/mailbox.properties search.index (default: as shipped, first-search); with delivery the "
                         "measured mailbox is indexed as mail arrives, as a mailbox searched before")
    a = ap.parse_args()
    if a.n is None:
        a.n = int(env["N"]) if env.get("N") else (1000 if a.quick else 5000)
    if a.prefill is None:
        a.prefill = env["PREFILL"] if "PREFILL" in env else ("2000" if a.quick else "10000 50000")
    if a.warmup is None:
        a.warmup = int(env["WARMUP"]) if env.get("WARMUP") else (200 if a.quick else 500)
    a.levels = sorted(int(x) for x in a.prefill.replace(",", " ").split())
    a.java_opts = a.java_opts or shipped_java_opts(a.dist)
    if a.mailboxes > 1 and a.n % a.mailboxes:
        a.n += a.mailboxes - a.n % a.mailboxes
    return a


def run_postfix(args, smtp, workdir):
    if os.environ.get("PF_ERROR"):
        return None, os.environ["PF_ERROR"]
    port = free_ports(1)[0]
    pf = Postfix(os.environ.get("PF_ROOT"), os.environ.get("PF_LD"), workdir, port, args.mailboxes)
    try:
        pf.setup()
        pf.start()
        res = measure("postfix", smtp, port, args.n, args.sessions, args.size, USER, pf.count, 0,
                      pids_fn=pf.tree)
        res["peak_rss_mb_all_processes"] = res.pop("peak_rss_mb", None)
        if args.mailboxes > 1:
            spread = MailboxesCounter(numbered_users(args.mailboxes), pf.count_user, args.n // args.mailboxes)
            res["mailboxes"] = measure("postfix, %d mailboxes" % args.mailboxes, smtp, port, args.n, args.sessions,
                                       args.size, USER, spread.count, 0, pids_fn=pf.tree, mailboxes=args.mailboxes)
            spread.check_each()
        res["version"] = pf.version()
        res["delivery"] = "virtual(8) to Maildir, default queue settings, own instance on 127.0.0.1:%d" % port
        problems = pf.log_problems()
        if problems:
            log("postfix log problems (%d), first: %s" % (len(problems), problems[:5]))
            res["log_problems"] = problems[:5]
        if not res["complete"]:
            return res, res["error"]
        return res, None
    except Exception as e:
        log("postfix peer failed: %s" % e)
        touch_keep()
        return None, str(e)
    finally:
        pf.stop()
        save_logs([os.path.join(pf.base, "postfix.log")])


def measure_mailboxes(args, sb, smtp, java_pids):
    """The same N messages spread over MAILBOXES users (created through WebAdmin), counted through WebAdmin."""
    web = WebAdmin(sb.ports["webadmin"])
    users = numbered_users(args.mailboxes)
    t0 = time.monotonic()
    for user in users:
        web.add_user(user, PASSWORD)
    log("%d users added through WebAdmin in %.1f s" % (len(users), time.monotonic() - t0))
    spread = MailboxesCounter(users, web.inbox_count, args.n // args.mailboxes)
    try:
        # asking 1,000 mailboxes takes seconds: the run ends when the spool is empty (every accepted mail has left
        # the pipeline; it counts the mails being processed), then every mailbox is checked for its exact count
        r = measure("switchboard, %d mailboxes" % args.mailboxes, smtp, sb.ports["smtp"], args.n, args.sessions,
                    args.size, USER, lambda: args.n - web.spool_size(), 0, pids_fn=java_pids, cpu_pid=sb.java,
                    mailboxes=args.mailboxes)
        if not r["complete"]:
            raise BenchError("switchboard lost or stalled mail over %d mailboxes: %s" % (args.mailboxes, r["error"]))
        spread.check_each()
        return r
    finally:
        web.close()


def fsync_rate(directory, seconds=2.0, size=4096):
    """Create+write+fsync of SIZE-byte files per second, single-threaded: the disk figure both peers depend on
    (Postfix is fsync-bound; ratios move with it)."""
    probe = os.path.join(directory, "fsync-probe")
    os.makedirs(probe, exist_ok=True)
    payload = b"x" * size
    count, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < seconds:
        path = os.path.join(probe, "f%d" % count)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        count += 1
    rate = round(count / (time.monotonic() - t0))
    shutil.rmtree(probe, ignore_errors=True)
    return rate


def main():
    args = parse_args()
    workdir = os.environ.get("BENCH_WORKDIR") or __import__("tempfile").mkdtemp(prefix="smtp-ingest.")
    if os.environ.get("BENCH_CACHE"):
        shutil.rmtree(os.path.join(os.environ["BENCH_CACHE"], "last-run"), ignore_errors=True)
    os.environ["BENCH_WORKDIR"] = workdir
    out = {
        "bench": "smtp-ingest", "n": args.n, "size": args.size, "sessions": args.sessions,
        "smtp_connection": "new connection per message" if args.reconnect else "persistent (smtp-source -d)",
        "java_opts": args.java_opts, "dist": args.dist, "quick": args.quick,
        "antivirus": ("clamd at " + args.antivirus) if args.antivirus else "off",
        "search_index": args.search_index or "as shipped (first-search: the measured mailbox is never searched, so not indexed)",
        "machine": {"cpus": os.cpu_count(), "disk_fsync_per_s": fsync_rate(workdir),
                    "mem_gb": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2 ** 30, 1)},
    }
    ok = True

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    smtp = SmtpSource(os.environ.get("SMTP_SOURCE") or "smtp-source", os.environ.get("PF_LD"),
                      reuse=not args.reconnect)
    smtp.check()
    out["smtp_source"] = smtp.path

    # ---- peer first: a short run on an idle machine
    if args.no_postfix:
        pf_res, pf_err = None, "peer disabled (--no-postfix)"
    else:
        pf_res, pf_err = run_postfix(args, smtp, workdir)
    out["postfix"] = pf_res
    if pf_err:
        out["postfix_error"] = pf_err

    # ---- switchboard
    if not os.path.exists(args.dist):
        raise BenchError("distribution not found: %s" % args.dist)
    sb = Switchboard(args.dist, workdir, args.java_opts)
    counter = None
    fields = ("accept_msgs_per_s", "end_to_end_msgs_per_s", "seconds_to_mailbox", "cpu_ms_per_msg", "peak_rss_mb",
              "loadavg_1m_at_start", "complete")
    hwm = []

    def note_hwm():
        if sb.java and pid_alive(sb.java):
            hwm.append(round((kb(read_proc_status(sb.java).get("VmHWM")) or 0) / 1024, 1))

    def warm_up():
        """WARMUP messages to another user: JIT and pools warm, bench's INBOX untouched."""
        if not args.warmup:
            return None
        wc = ImapCounter(sb.ports["imap"], WARMUP_USER, PASSWORD)
        w = measure("warm-up", smtp, sb.ports["smtp"], args.warmup, args.sessions, args.size, WARMUP_USER,
                    wc.count, wc.count() or 0)
        wc.close()
        if not w["complete"]:
            raise BenchError("warm-up: " + w["error"])
        return w["end_to_end_msgs_per_s"]

    def restart(extra_opts=""):
        note_hwm()
        counter.close()
        sb.stop()
        sb.start(extra_opts)

    def java_pids():
        return [sb.java] if sb.java and pid_alive(sb.java) else []

    try:
        sb.unpack()
        sb.configure()
        if args.search_index:
            sb.set_search_index(args.search_index)
        if args.antivirus:
            sb.enable_antivirus(args.antivirus)
        sb.start()
        out["switchboard_startup_seconds"] = sb.startup_seconds
        sb.cli("AddDomain", DOMAIN)
        sb.cli("AddUser", USER, PASSWORD)
        sb.cli("AddUser", WARMUP_USER, PASSWORD)
        counter = ImapCounter(sb.ports["imap"], USER, PASSWORD)
        c0 = counter.count()
        if c0 is None:
            raise BenchError("cannot read the INBOX of %s over IMAP" % USER)
        out["imap_login"] = counter.mode
        log("IMAP works (%s), INBOX holds %d" % (counter.mode, c0))

        w = warm_up()
        out["warmup"] = {"msgs": args.warmup, "user": WARMUP_USER, "before_each_measured_run_after_a_restart": True,
                         "first_end_to_end_msgs_per_s": w}

        base = counter.count()
        first = measure("switchboard, empty mailbox", smtp, sb.ports["smtp"], args.n, args.sessions, args.size,
                        USER, counter.count, base, pids_fn=java_pids, cpu_pid=sb.java)
        first["vm_hwm_mb"] = round((kb(read_proc_status(sb.java).get("VmHWM")) or 0) / 1024, 1)
        out["switchboard"] = first
        by_size = [dict(mailbox_before=base, **{k: first.get(k) for k in fields})]
        out["by_mailbox_size"] = by_size
        if not first["complete"]:
            raise BenchError("switchboard lost or stalled mail: " + first["error"])
        if args.mailboxes > 1:
            out["mailboxes"] = measure_mailboxes(args, sb, smtp, java_pids)

        out["prefill_method"] = {
            "smtp": "smtp-source to the same user, %d sessions, same message size, shipped settings"
                    % args.prefill_sessions,
            "imap": "IMAP APPEND of %d-byte messages over 8 connections, shipped settings" % args.size,
            "imap-nosync": ("IMAP APPEND of %d-byte messages over 8 connections with the server restarted with "
                            "%s (no fsync) for the prefill only; then restarted with the shipped settings and warmed "
                            "up (%d msgs to %s) before the measured run"
                            % (args.size, UNSYNCED_OPTS, args.warmup, WARMUP_USER)),
        }[args.prefill_method]
        prefill_stats = []
        for level in args.levels:
            have = counter.count()
            need = level - have
            if need > 0:
                log("prefill: INBOX %d -> %d (%d messages, %s)" % (have, level, need, args.prefill_method))
                if args.prefill_method == "imap-nosync":
                    restart(UNSYNCED_OPTS)
                t0 = time.monotonic()
                if args.prefill_method == "smtp":
                    r = measure("prefill to %d" % level, smtp, sb.ports["smtp"], need, args.prefill_sessions,
                                args.size, USER, counter.count, have)
                    if not r["complete"]:
                        raise BenchError("prefill: " + r["error"])
                else:
                    imap_append(sb.ports["imap"], need, args.size)
                rate = round(need / (time.monotonic() - t0), 1)
                log("prefill: %d messages at %.1f msgs/s" % (need, rate))
                prefill_stats.append({"to": level, "msgs": need, "msgs_per_s": rate})
                if args.prefill_method == "imap-nosync":
                    restart()
                    warm_up()
            base = counter.count()
            if base < level:
                raise BenchError("prefill: INBOX holds %d, wanted %d" % (base, level))
            r = measure("switchboard, mailbox %d" % base, smtp, sb.ports["smtp"], args.n, args.sessions, args.size,
                        USER, counter.count, base, pids_fn=java_pids, cpu_pid=sb.java)
            by_size.append(dict(mailbox_before=base, **{k: r.get(k) for k in fields}))
            if not r["complete"]:
                by_size[-1]["error"] = r["error"]
                raise BenchError("switchboard lost or stalled mail at mailbox size %d: %s" % (base, r["error"]))
        if prefill_stats:
            out["prefill"] = prefill_stats
        out["final_mailbox_messages"] = counter.count()
        if args.ceiling:
            # the same server and pipeline with no fsync anywhere: what the protocol stack alone can do
            restart(UNSYNCED_OPTS)
            sb.cli("AddUser", CEILING_USER, PASSWORD)
            warm_up()
            cc = ImapCounter(sb.ports["imap"], CEILING_USER, PASSWORD)
            r = measure("switchboard unsynced (ceiling), empty mailbox", smtp, sb.ports["smtp"], args.n,
                        args.sessions, args.size, CEILING_USER, cc.count, cc.count() or 0, pids_fn=java_pids,
                        cpu_pid=sb.java)
            cc.close()
            out["ceiling"] = dict(java_opts_added=UNSYNCED_OPTS, **{k: r.get(k) for k in fields})
            if not r["complete"]:
                raise BenchError("ceiling run lost or stalled mail: " + r["error"])
        note_hwm()
        out["switchboard_max_vm_hwm_mb"] = max(hwm) if hwm else None
    except (BenchError, subprocess.SubprocessError, OSError, imaplib.IMAP4.error) as e:
        ok = False
        log("FAILED: %s" % e)
        out["switchboard_error"] = str(e)
        touch_keep()
    finally:
        if counter:
            counter.close()
        if sb.home:
            out["server_log"] = sb.log_problems()
            if out["server_log"]["error_lines"]:
                log("server log has %d ERROR lines; first: \n  %s" % (
                    out["server_log"]["error_lines"], "\n  ".join(out["server_log"]["error_samples"][:5])))
        sb.stop()
        if sb.home:
            save_logs([p for p in sb.logs() if p.endswith(".log")])

    # ---- summary numbers
    sbr, pfr = out.get("switchboard"), out.get("postfix")
    if sbr and pfr and sbr.get("end_to_end_msgs_per_s") and pfr.get("end_to_end_msgs_per_s"):
        out["ratio_switchboard_over_postfix"] = round(sbr["end_to_end_msgs_per_s"] / pfr["end_to_end_msgs_per_s"], 3)
        out["ratio_accept_switchboard_over_postfix"] = round(sbr["accept_msgs_per_s"] / pfr["accept_msgs_per_s"], 3)
    else:
        out["ratio_switchboard_over_postfix"] = None
        if not args.no_postfix:
            ok = False
    spread_sb, spread_pf = out.get("mailboxes"), (pfr or {}).get("mailboxes")
    if spread_sb and spread_pf and spread_sb.get("end_to_end_msgs_per_s") and spread_pf.get("end_to_end_msgs_per_s"):
        out["ratio_mailboxes_switchboard_over_postfix"] = round(
            spread_sb["end_to_end_msgs_per_s"] / spread_pf["end_to_end_msgs_per_s"], 3)
    ceil = out.get("ceiling")
    if ceil and ceil.get("end_to_end_msgs_per_s") and sbr and sbr.get("end_to_end_msgs_per_s"):
        # how much of the gap to the peer is the disk (durable / ceiling) and how much the stack (ceiling / peer)
        out["ratio_durable_over_ceiling"] = round(sbr["end_to_end_msgs_per_s"] / ceil["end_to_end_msgs_per_s"], 3)
        if pfr and pfr.get("end_to_end_msgs_per_s"):
            out["ratio_ceiling_over_postfix"] = round(ceil["end_to_end_msgs_per_s"] / pfr["end_to_end_msgs_per_s"], 3)
    bys = out.get("by_mailbox_size") or []
    if len(bys) > 1 and bys[0].get("end_to_end_msgs_per_s") and bys[-1].get("end_to_end_msgs_per_s"):
        out["degradation"] = round(bys[-1]["end_to_end_msgs_per_s"] / bys[0]["end_to_end_msgs_per_s"], 3)
        out["degradation_accept"] = round(bys[-1]["accept_msgs_per_s"] / bys[0]["accept_msgs_per_s"], 3)
        out["degradation_measured_at"] = bys[-1]["mailbox_before"]
    text = json.dumps(out, indent=2)
    if os.environ.get("BENCH_CACHE"):
        save_logs([])
        with open(os.path.join(os.environ["BENCH_CACHE"], "last-run", "result.json"), "w") as f:
            f.write(text + "\n")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    run_bench(main, "smtp-ingest")
