#!/usr/bin/env python3
"""Driver of bench/startup: time from launching the server to its SMTP banner (read the header of bench/startup).

Runs bin/switchboard start on an unpacked distribution and polls the SMTP port every 20 ms from the moment the
command is launched until it answers a 220 banner; also notes when bin/switchboard start returned (the server logged
"Switchboard started"), the JVM's CPU time at the banner, and the start-up figures the server logs. Measured on an
empty installation, then with MESSAGES messages in one INBOX (filled by IMAP APPEND), each RUNS times.
JSON on stdout, progress on stderr. Standard library only; shares bench/lib/smtp_ingest.py's server handling.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtp_ingest as si  # noqa: E402

LOG_FIGURES = {
    "directory_ms": re.compile(r"Directory: ApacheDS started in (\d+) ms"),
    "switchboard_started_ms": re.compile(r"Switchboard started in (\d+) ms"),
}


def log(*args):
    print("[startup %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def banner_now(port):
    """The first line the server sends on port, if it answers at once; None otherwise."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.settimeout(10)
            data = b""
            while b"\n" not in data:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
            return data.decode("latin-1").strip()
    except OSError:
        return None


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def log_size(sb):
    path = os.path.join(sb.home, "var", "log", "switchboard.log")
    return os.path.getsize(path) if os.path.exists(path) else 0


def log_since(sb, offset):
    path = os.path.join(sb.home, "var", "log", "switchboard.log")
    if not os.path.exists(path):
        return ""
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def timed_start(sb, java_opts, env_extra, timeout=300):
    """Launches bin/switchboard start; returns the timings of this start."""
    env = dict(os.environ, JAVA_OPTS=java_opts, **env_extra)
    offset = log_size(sb)
    load = loadavg()
    with open(os.path.join(os.environ["BENCH_WORKDIR"], "started.switchboard"), "w") as f:
        f.write(sb.home)
    out = open(os.path.join(sb.workdir, "switchboard-start.out"), "w")
    t0 = time.monotonic()
    starter = subprocess.Popen([os.path.join(sb.home, "bin", "switchboard"), "start"], cwd=sb.home, env=env,
                               stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    pidfile = os.path.join(sb.home, "var", "switchboard.pid")
    banner, banner_s, cpu_s = None, None, None
    while time.monotonic() - t0 < timeout:
        if sb.pid is None and os.path.exists(pidfile):
            try:
                with open(pidfile) as f:
                    sb.pid = int(f.read().strip())
            except ValueError:
                pass                      # being written
        line = banner_now(sb.ports["smtp"])
        if line and line.startswith("220"):
            banner_s = time.monotonic() - t0
            banner = line
            if sb.pid:
                cpu_s = si.proc_cpu_seconds(sb.pid)
            break
        if starter.poll() not in (None, 0):
            break
        time.sleep(0.02)
    rc = starter.wait(timeout=max(1, timeout - (time.monotonic() - t0)))
    ready_s = time.monotonic() - t0
    out.close()
    if banner is None or rc != 0:
        sb.dump_logs()
        raise si.BenchError("the server did not start (bin/switchboard start exited %s, banner %r): %s"
                            % (rc, banner, si.tail_file(os.path.join(sb.workdir, "switchboard-start.out"), 10)))
    if sb.pid is None:
        with open(pidfile) as f:
            sb.pid = int(f.read().strip())
    sb.java = sb.pid
    text = log_since(sb, offset)
    with open(os.path.join(sb.workdir, "switchboard-start.out")) as f:
        said = [line.strip() for line in f if "class data archive" in line]
    result = {"banner_s": round(banner_s, 2), "ready_s": round(ready_s, 2),
              "jvm_cpu_s_at_banner": round(cpu_s, 2) if cpu_s is not None else None,
              "loadavg_1m_at_start": load,
              "class_data_archive": "used" if "-XX:SharedArchiveFile" in si.cmdline(sb.pid) else
              ("recording" if "-XX:ArchiveClassesAtExit" in si.cmdline(sb.pid) else "off")}
    if said:
        result["start_script_said"] = said
    for name, pattern in LOG_FIGURES.items():
        m = pattern.search(text)
        result[name] = int(m.group(1)) if m else None
    log("banner after %.2f s, ready after %.2f s (%s)" % (banner_s, ready_s, json.dumps(result)))
    return result


def timed_stop(sb, timeout=600):
    """bin/switchboard stop, waiting as long as it takes: the first stop also writes the class data archive, which
    takes minutes on a busy machine (smtp_ingest's stop would kill the JVM after 90 s, and the archive with it)."""
    if not sb.pid:
        return None
    t0 = time.monotonic()
    subprocess.run([os.path.join(sb.home, "bin", "switchboard"), "stop"], cwd=sb.home, capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=timeout,
                   env=dict(os.environ, SWITCHBOARD_STOP_TIMEOUT=str(timeout // 2)))
    while si.pid_alive(sb.pid) and time.monotonic() - t0 < timeout:
        time.sleep(0.1)
    if si.pid_alive(sb.pid):
        raise si.BenchError("the server (pid %d) did not stop within %d s" % (sb.pid, timeout))
    sb.pid = None
    return round(time.monotonic() - t0, 2)


def summary(runs):
    out = {}
    for key in ("banner_s", "ready_s", "jvm_cpu_s_at_banner", "directory_ms", "switchboard_started_ms"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key + "_median"] = round(statistics.median(values), 2)
            out[key + "_max"] = max(values)
    return out


def imap_count(sb):
    counter = si.ImapCounter(sb.ports["imap"], si.USER, si.PASSWORD)
    try:
        return counter.count()
    finally:
        counter.close()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", required=True)
    p.add_argument("--messages", type=int, default=int(os.environ.get("MESSAGES", 100_000)))
    p.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", 3)))
    p.add_argument("--size", type=int, default=int(os.environ.get("SIZE", 4096)))
    p.add_argument("--java-opts", default=os.environ.get("JAVA_OPTS"), help="default: bin/switchboard's own")
    p.add_argument("--no-cds", action="store_true", default=os.environ.get("NO_CDS") == "1",
                   help="SWITCHBOARD_CDS=off: no class data sharing archive")
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    a.java_opts = a.java_opts or si.shipped_java_opts(a.dist)
    return a


def main():
    args = parse_args()
    workdir = os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="startup.")
    os.environ["BENCH_WORKDIR"] = workdir
    env_extra = {"SWITCHBOARD_CDS": "off"} if args.no_cds else {}

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    out = {"bench": "startup", "dist": args.dist, "java_opts": args.java_opts, "runs": args.runs,
           "messages": args.messages, "message_size": args.size,
           "class_data_sharing": "off (SWITCHBOARD_CDS=off)" if args.no_cds else "on (bin/switchboard default)",
           "machine": {"cpus": os.cpu_count(),
                       "mem_gb": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2 ** 30, 1)}}
    ok = True
    sb = si.Switchboard(args.dist, workdir, args.java_opts)
    try:
        sb.unpack()
        sb.configure()
        log("first start of a fresh installation")
        first = timed_start(sb, args.java_opts, env_extra)
        sb.cli("AddDomain", si.DOMAIN)
        sb.cli("AddUser", si.USER, si.PASSWORD)
        first["stop_s"] = timed_stop(sb)   # the first stop also writes the class data archive
        out["first_start"] = first

        empty = []
        for i in range(args.runs):
            r = timed_start(sb, args.java_opts, env_extra)
            r["stop_s"] = timed_stop(sb)
            empty.append(r)
        out["empty"] = {"runs": empty, **summary(empty)}

        if args.messages > 0:
            timed_start(sb, args.java_opts, env_extra)
            have = imap_count(sb) or 0
            log("filling the INBOX of %s: %d -> %d messages (IMAP APPEND, 8 connections)"
                % (si.USER, have, args.messages))
            t0 = time.monotonic()
            si.imap_append(sb.ports["imap"], args.messages - have, args.size)
            fill_s = time.monotonic() - t0
            count = imap_count(sb)
            if count != args.messages:
                raise si.BenchError("the INBOX holds %s messages after the fill, not %d" % (count, args.messages))
            out["fill"] = {"messages": args.messages - have, "seconds": round(fill_s, 1),
                           "msgs_per_s": round((args.messages - have) / fill_s, 1)}
            timed_stop(sb)
            full = []
            for i in range(args.runs):
                r = timed_start(sb, args.java_opts, env_extra)
                t0 = time.monotonic()
                count = imap_count(sb)
                r["imap_status_s"] = round(time.monotonic() - t0, 2)
                if count != args.messages:
                    raise si.BenchError("after a restart the INBOX holds %s messages, not %d" % (count, args.messages))
                r["stop_s"] = timed_stop(sb)
                full.append(r)
            out["with_messages"] = {"messages_in_inbox": args.messages, "runs": full, **summary(full)}
    except (si.BenchError, subprocess.SubprocessError, OSError) as e:
        ok = False
        log("FAILED: %s" % e)
        out["error"] = str(e)
        si.touch_keep()
    finally:
        if sb.home:
            out["server_log"] = sb.log_problems()
        try:
            timed_stop(sb)
        except (si.BenchError, subprocess.SubprocessError, OSError) as e:
            log("stop failed (%s): kill -9" % e)
            sb.stop()
    print(json.dumps(out, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        log("interrupted (%s)" % e)
        sys.exit(130)
