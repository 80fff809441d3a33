# bench/lib/relay-bench.sh — sourced by bench/smtp-relay and bench/list-fanout (not run on its own): the temp dir,
# the clean-up of what the python driver started (Switchboard, the Postfix peer, the smtp-sinks) when it was killed
# hard, smtp-sink and Postfix from bench/lib/postfix-env.sh; then runs the driver.
# Needs from the caller: HERE (bench/), BENCH_NAME, BENCH_DRIVER (a file of bench/lib), the command line in "$@".
REPO="$(cd "$HERE/.." && pwd)"
export BENCH_REPO="$REPO"
CACHE="${BENCH_CACHE:-$HERE/.cache}"
export BENCH_CACHE="$CACHE"

export BENCH_NAME
log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*" >&2; }

WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")"
chmod 755 "$WORKDIR"            # the Postfix daemons (user postfix) and smtp-sink (nobody) must traverse it
export BENCH_WORKDIR="$WORKDIR"

cleanup() {
  local rc=$?
  # The python driver stops what it started; this is the backstop when it was killed hard.
  if [[ -f "$WORKDIR/started.switchboard" ]]; then
    local home pid
    home="$(cat "$WORKDIR/started.switchboard")"
    pid="$(cat "$home/var/switchboard.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      log "cleanup: stopping switchboard (pid $pid)"
      (cd "$home" && timeout 60 bin/switchboard stop >/dev/null 2>&1) || true
      sleep 1
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  if [[ -f "$WORKDIR/started.postfix" ]]; then
    local mpid
    mpid="$(cat "$WORKDIR/started.postfix")"
    if [[ -n "$mpid" ]] && kill -0 "$mpid" 2>/dev/null; then
      log "cleanup: stopping postfix master (pid $mpid)"
      kill -TERM "$mpid" 2>/dev/null || true
      sleep 2
      kill -0 "$mpid" 2>/dev/null && kill -9 "$mpid" 2>/dev/null || true
    fi
  fi
  if [[ -f "$WORKDIR/started.sinks" ]]; then
    local spid
    while read -r spid; do
      if [[ -n "$spid" ]] && kill -0 "$spid" 2>/dev/null; then
        log "cleanup: stopping smtp-sink (pid $spid)"
        kill -TERM "$spid" 2>/dev/null || true
      fi
    done < "$WORKDIR/started.sinks"
  fi
  if [[ "$rc" -eq 0 && "${KEEP:-0}" != 1 && ! -f "$WORKDIR/keep" ]]; then
    rm -rf "$WORKDIR"
  else
    log "temp dir kept: $WORKDIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

for a in "$@"; do [[ "$a" == --keep ]] && KEEP=1; done

# smtp-source, smtp-sink and Postfix (shared with bench/smtp-ingest)
# shellcheck source=lib/postfix-env.sh
source "$HERE/lib/postfix-env.sh"
[[ -x "$SMTP_SINK" ]] || { log "smtp-sink not found ($SMTP_SINK)"; exit 1; }

python3 "$HERE/lib/$BENCH_DRIVER" "$@"
