#!/usr/bin/env python3
"""IMAP view and output order under delivery: SESSIONS IMAP sessions SELECT (or NOOP) and fetch the last announced
message at once while SENDERS SMTP sessions deliver to the same four mailboxes. A fetch is wrong when its tagged reply
is not OK (e.g. BAD Invalid messageset: the view and the store disagree) or comes before the message's FETCH response
(the output left out of order). Prints JSON; exit 0 only when no fetch was wrong."""
import argparse, json, os, re, smtplib, socket, ssl, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtp_ingest as si

PASSWORD = "order-bench-2468"
USERS = ["order%d@example.com" % i for i in range(4)]


class Imap:
    def __init__(self, port, user):
        raw = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock, self.file, self.tag = raw, raw.makefile("rb"), 0
        self.file.readline()
        self.command("STARTTLS")
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE   # the server's self-signed certificate
        self.sock = ctx.wrap_socket(raw)
        self.file = self.sock.makefile("rb")
        self.command('LOGIN "%s" "%s"' % (user, PASSWORD))

    def command(self, text):
        self.tag += 1
        tag = b"a%d" % self.tag
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise IOError("connection closed after %s" % text)
            literal = re.search(rb"\{(\d+)\}\r\n$", line)
            if literal:
                line += self.file.read(int(literal.group(1)))
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dist", required=True)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--sessions", type=int, default=12)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--java-opts", default=None, help="default: bin/switchboard's own")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.java_opts = args.java_opts or si.shipped_java_opts(args.dist)
    workdir = tempfile.mkdtemp(prefix="imap-order-")
    os.environ["BENCH_WORKDIR"] = workdir
    sb = si.Switchboard(args.dist, workdir, args.java_opts)
    out = {"bench": "imap-order", "seconds": args.seconds, "imap_sessions": args.sessions, "smtp_senders": args.senders,
           "load_avg_1m_at_start": os.getloadavg()[0]}
    stats = {"fetches": 0, "delivered": 0}
    wrong, lock = [], threading.Lock()
    try:
        sb.unpack()
        sb.configure()
        sb.start()
        sb.cli("AddDomain", "example.com")
        for user in USERS:
            sb.cli("AddUser", user, PASSWORD)
        stop = time.monotonic() + args.seconds

        def send(index):
            smtp = smtplib.SMTP("127.0.0.1", sb.ports["smtp"])
            sent = 0
            while time.monotonic() < stop:
                user = USERS[sent % len(USERS)]
                smtp.sendmail("s@sender.test", [user], "From: s@sender.test\r\nTo: %s\r\nSubject: order %d %d\r\n\r\n"
                              "body\r\n" % (user, index, sent))
                sent += 1
            smtp.quit()
            with lock:
                stats["delivered"] += sent

        def read(user):
            imap = Imap(sb.ports["imap"], user)
            while time.monotonic() < stop:
                for command in ("SELECT INBOX", "NOOP"):
                    exists = [int(m.group(1)) for line in imap.command(command)
                              for m in [re.match(rb"\* (\d+) EXISTS", line)] if m]
                    if not exists or exists[-1] == 0:
                        continue
                    msn = exists[-1]
                    lines = imap.command("FETCH %d (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])" % msn)
                    with lock:
                        stats["fetches"] += 1
                    if lines[-1].split(b" ")[1] != b"OK" or not any(l.startswith(b"* %d FETCH" % msn) for l in lines):
                        with lock:
                            wrong.append({"user": user, "msn": msn,
                                          "last_lines": [l.decode("latin-1").rstrip() for l in lines[-6:]]})
                        return

        threads = [threading.Thread(target=send, args=(i,)) for i in range(args.senders)]
        threads += [threading.Thread(target=read, args=(USERS[i % len(USERS)],)) for i in range(args.sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        out.update(stats)
        out["wrong_fetches"] = len(wrong)
        out["wrong_samples"] = wrong[:5]
        out.update(sb.log_problems())
    finally:
        sb.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out, indent=2))
    return 0 if not wrong else 1


if __name__ == "__main__":
    si.run_bench(main, "imap-order")
