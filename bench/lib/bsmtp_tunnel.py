"""bench/bsmtp-tunnel: see the header of bench/bsmtp-tunnel."""
import argparse
import json
import os
import poplib
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtp_ingest as si  # noqa: E402  (shared helpers: Switchboard, ImapCounter, free_ports, fsync_rate)

PASSWORD = "Bench-tunnel-2468"
log = si.log


def message(size, seq):
    head = ("From: alice@example.com\r\nTo: bob@smallcorp.test\r\nSubject: tunnel %d\r\n"
            "Message-ID: <tunnel-%d@example.com>\r\n\r\n" % (seq, seq))
    line = ".a line that needs a stuffed dot, then text to fill the message up to its size\r\n"
    body = (line * (size // len(line) + 1))[:max(0, size - len(head) - 2)]
    return (head + body + "\r\n").encode("ascii")


def send_all(port, n, size, sessions):
    """N messages to bob@smallcorp.test over SESSIONS parallel SMTP sessions."""
    errors = []

    def worker(first):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
                smtp.ehlo("bench.example.com")
                for seq in range(first, n, sessions):
                    smtp.sendmail("alice@example.com", ["bob@smallcorp.test"], message(size, seq))
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise si.BenchError("SMTP errors: %s" % errors[:3])


def pop3_count(port, user):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    pop = poplib.POP3("127.0.0.1", port, timeout=60)
    try:
        pop.stls(context=ctx)
        pop.user(user)
        pop.pass_(PASSWORD)
        return pop.stat()[0]
    finally:
        pop.quit()


def wait_until(what, fn, target, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = fn()
        except Exception as e:
            log("%s: %s" % (what, e))
            value = None
        if value is not None and value >= target:
            return time.monotonic()
        time.sleep(0.2)
    raise si.BenchError("%s: not %d after %d s" % (what, target, timeout))


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def switchboard_run(args, workdir):
    a = si.Switchboard(args.dist, os.path.join(workdir, "a"), "-Xms256m -Xmx1g")
    b = si.Switchboard(args.dist, os.path.join(workdir, "b"), "-Xms256m -Xmx1g")
    for site in (a, b):
        os.makedirs(site.workdir)
        site.unpack()
        site.configure()
    tls = os.path.join(a.home, "conf", "tls")
    os.makedirs(tls, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", os.path.join(tls, "private.key"),
                    "-out", os.path.join(tls, "certificate.pem")], check=True, capture_output=True)
    append(os.path.join(a.home, "conf", "domain-forwarding.properties"),
           "\nsmallcorp.test = BSMTPOUT$tunnel@example.com\n")
    b._sub("directory.xml", r"<domain>example\.com</domain>", "<domain>smallcorp.test</domain>", "domain")
    # one poll at start, then only when asked (BsmtpPollNow): the decode phase is timed from the request
    b._sub("bsmtp.xml", r"<bsmtp>\s*</bsmtp>", (
        "<bsmtp><account name=\"site-a\"><host>127.0.0.1</host><port>%d</port><security>starttls</security>"
        "<trustedCertificate>%s</trustedCertificate><user>tunnel@example.com</user><password>%s</password>"
        "<interval>24h</interval><encoders>postmaster@example.com</encoders>"
        "<allowedDomains>smallcorp.test</allowedDomains></account></bsmtp>")
        % (a.ports["pop3"], os.path.join(tls, "certificate.pem"), PASSWORD), "account")
    try:
        a.start()
        a.cli("AddDomain", "example.com")
        a.cli("AddUser", "tunnel@example.com", PASSWORD)
        b.start()
        b.cli("AddDomain", "smallcorp.test")
        b.cli("AddUser", "bob@smallcorp.test", PASSWORD)

        t0 = time.monotonic()
        send_all(a.ports["smtp"], args.n, args.size, args.sessions)
        sent = time.monotonic()
        encoded = wait_until("tunnel mailbox at A", lambda: pop3_count(a.ports["pop3"], "tunnel@example.com"),
                             args.n, 1800)
        inbox = si.ImapCounter(b.ports["imap"], "bob@smallcorp.test", PASSWORD)
        t1 = time.monotonic()
        b.cli("BsmtpPollNow")
        polled = time.monotonic()
        decoded = wait_until("bob's INBOX at B", inbox.count, args.n, 1800)
        inbox.close()
        status = b.cli("BsmtpStatus").strip()
        return {
            "smtp_accept_seconds": round(sent - t0, 2),
            "encode_seconds": round(encoded - t0, 2),
            "pop3_download_and_spool_seconds": round(polled - t1, 2),
            "decode_seconds": round(decoded - t1, 2),
            "encode_msgs_per_s": round(args.n / (encoded - t0), 1),
            "decode_msgs_per_s": round(args.n / (decoded - t1), 1),
            "end_to_end_msgs_per_s": round(args.n / ((encoded - t0) + (decoded - t1)), 1),
            "decoder_status": status,
        }
    finally:
        for site in (b, a):
            try:
                site.stop()
            except Exception as e:
                log("stop: %s" % e)


EXIM_CONFIG = """
exim_user = Debian-exim
exim_group = Debian-exim
never_users =
trusted_users = root
spool_directory = {root}/spool
log_file_path = {root}/log/%slog
primary_hostname = exim.test
qualify_domain = exim.test
keep_environment =
daemon_smtp_ports = {port}
local_interfaces = 127.0.0.1
host_lookup =
rfc1413_hosts =
smtp_accept_max = 50
smtp_accept_queue_per_connection = 0
acl_smtp_rcpt = accept
domainlist local_domains = {local}
begin routers
{tunnel_router}local:
  driver = accept
  domains = +local_domains
  transport = maildir
begin transports
bsmtp_out:
  driver = appendfile
  file = {root}/bsmtp/$message_exim_id
  use_bsmtp
  message_prefix =
  message_suffix =
  user = Debian-exim
maildir:
  driver = appendfile
  directory = {root}/Maildir
  maildir_format
  user = Debian-exim
"""


def exim_run(args, workdir):
    exim = shutil.which("exim") or "/usr/sbin/exim"
    root = os.path.join(workdir, "exim")
    for d in ("spool", "log", "bsmtp", "Maildir"):
        os.makedirs(os.path.join(root, d))
        os.chmod(os.path.join(root, d), 0o777)
    os.chmod(workdir, 0o755)
    os.chmod(root, 0o755)
    port = si.free_ports(1)[0]

    def config(local, tunnel):
        # site A tunnels every domain it does not serve; site B delivers its own and nothing else
        tunnel_router = ("tunnel:\n  driver = accept\n  domains = ! +local_domains\n  transport = bsmtp_out\n"
                         if tunnel else "")
        path = os.path.join(root, "exim-%s.conf" % local.replace(".", "-"))
        with open(path, "w") as f:
            f.write(EXIM_CONFIG.format(root=root, port=port, local=local, tunnel_router=tunnel_router))
        return path

    # site A: nothing is local, smallcorp.test goes to the BSMTP file
    daemon = subprocess.Popen([exim, "-C", config("exim.test", True), "-bdf", "-oX", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        si.wait_banner(port, 30)
        batches = os.path.join(root, "bsmtp")

        def written():
            # one BSMTP batch file per message (one file for all would serialise Exim's deliveries on its lock)
            return len([name for name in os.listdir(batches) if not name.startswith(".")])

        t0 = time.monotonic()
        send_all(port, args.n, args.size, args.sessions)
        encoded = wait_until("Exim's BSMTP file", written, args.n, 1800)
    finally:
        daemon.terminate()
        daemon.wait(30)
    # site B: smallcorp.test is local; the batches (MAIL/RCPT/DATA, no QUIT) read back by one exim -bS
    t1 = time.monotonic()
    reader = subprocess.Popen([exim, "-C", config("smallcorp.test", False), "-bS", "-odi"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for name in sorted(os.listdir(batches)):
        with open(os.path.join(batches, name), "rb") as f:
            shutil.copyfileobj(f, reader.stdin)
    reader.stdin.close()
    if reader.wait(1800) != 0:
        raise si.BenchError("exim -bS exited %d: %s" % (reader.returncode, reader.stderr.read()[-500:]))
    new = os.path.join(root, "Maildir", "new")
    decoded = wait_until("Exim's Maildir", lambda: len(os.listdir(new)) if os.path.isdir(new) else 0, args.n, 600)
    return {
        "encode_seconds": round(encoded - t0, 2),
        "decode_seconds": round(decoded - t1, 2),
        "encode_msgs_per_s": round(args.n / (encoded - t0), 1),
        "decode_msgs_per_s": round(args.n / (decoded - t1), 1),
        "end_to_end_msgs_per_s": round(args.n / ((encoded - t0) + (decoded - t1)), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", required=True)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bsmtp-tunnel.")
    os.environ["BENCH_WORKDIR"] = workdir
    ok = False
    try:
        fsync = si.fsync_rate(workdir)
        switchboard = switchboard_run(args, workdir)
        exim = exim_run(args, workdir)
        result = {
            "benchmark": "bsmtp-tunnel",
            "messages": args.n, "size": args.size, "smtp_sessions": args.sessions,
            "switchboard": switchboard,
            "exim": exim,
            "ratio_switchboard_over_exim": round(switchboard["end_to_end_msgs_per_s"] / exim["end_to_end_msgs_per_s"], 3),
            "ratio_encode": round(switchboard["encode_msgs_per_s"] / exim["encode_msgs_per_s"], 3),
            "ratio_decode": round(switchboard["decode_msgs_per_s"] / exim["decode_msgs_per_s"], 3),
            "disk_fsync_per_s": fsync,
            "notes": "Switchboard: encode = SMTP in at A until A's tunnel mailbox (POP3) holds every tunnel message "
                     "(spool, encoder, spool, message store); decode = BsmtpPollNow at B until bob's INBOX at B holds "
                     "every message (POP3 download, spool, pipeline, store). Exim: encode = SMTP in until its "
                     "use_bsmtp files (one batch per message) hold every message; decode = one exim -bS -odi of those batches into a Maildir "
                     "(no POP3 hop: Exim has no POP3 client).",
        }
        print(json.dumps(result, indent=2))
        ok = True
    finally:
        if args.keep or not ok:
            log("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
