# bench/lib/postfix-env.sh — sourced by bench/smtp-ingest and bench/smtp-relay (not run on its own).
# Finds smtp-source, smtp-sink and Postfix, or unpacks them from the Debian package into $CACHE/postfix-root
# (see "How smtp-source and Postfix are obtained" in bench/smtp-ingest), and prepares the user and groups of the
# private Postfix peer. Needs from the caller: log(), CACHE, and the command line in "$@".
# Sets and exports SMTP_SOURCE, SMTP_SINK, PF_ROOT, PF_LD, PF_ERROR.
# ---------------------------------------------------------------- smtp-source and Postfix
PF_ROOT=""          # prefix under which usr/sbin and usr/lib/postfix/sbin live ("" = installed system-wide)
PF_LD=""            # LD_LIBRARY_PATH for the extracted binaries
PF_ERROR=""

extract_postfix() {
  local debs="$CACHE/debs" root="$CACHE/postfix-root"
  mkdir -p "$debs"
  if [[ ! -x "$root/usr/sbin/smtp-source" ]]; then
    if ! ls "$debs"/postfix_*.deb >/dev/null 2>&1; then
      log "downloading the postfix package (apt-get download postfix)"
      # _apt cannot write into root-owned dirs: download as root is fine ("unsandboxed" warning)
      (cd "$debs" && apt-get download postfix >&2) || {
        log "apt-get download failed; trying apt-get update first"
        apt-get update -qq >&2 || true
        (cd "$debs" && apt-get download postfix >&2)
      }
    fi
    rm -rf "$root"; mkdir -p "$root"
    dpkg-deb -x "$(ls "$debs"/postfix_*.deb | tail -1)" "$root"
  fi
  PF_ROOT="$root"
  PF_LD="$root/usr/lib/postfix"
  # libraries the binaries need that this machine lacks
  local missing
  missing="$(LD_LIBRARY_PATH="$PF_LD" ldd "$root/usr/sbin/smtp-source" "$root"/usr/lib/postfix/sbin/* 2>/dev/null \
             | awk '/not found/ {print $1}' | sort -u || true)"
  if [[ -n "$missing" ]]; then
    log "missing libraries: $(echo $missing)"
    local deps
    deps="$(dpkg-deb -f "$(ls "$debs"/postfix_*.deb | tail -1)" Depends | tr ',' '\n' \
            | sed -E 's/\(.*\)//; s/\|.*//; s/ //g' | grep -E '^lib' | grep -v '^libc6$' || true)"
    log "downloading library packages: $(echo $deps)"
    local p
    for p in $deps; do
      ls "$debs/${p}"_*.deb >/dev/null 2>&1 || (cd "$debs" && apt-get download "$p" >&2) || log "could not download $p"
      ls "$debs/${p}"_*.deb >/dev/null 2>&1 && dpkg-deb -x "$(ls "$debs/${p}"_*.deb | tail -1)" "$root"
    done
    local d
    for d in "$root/usr/lib/x86_64-linux-gnu" "$root/lib/x86_64-linux-gnu" "$root/usr/lib/$(uname -m)-linux-gnu"; do
      [[ -d "$d" ]] && PF_LD="$PF_LD:$d"
    done
    missing="$(LD_LIBRARY_PATH="$PF_LD" ldd "$root/usr/sbin/smtp-source" "$root"/usr/lib/postfix/sbin/* 2>/dev/null \
               | awk '/not found/ {print $1}' | sort -u || true)"
    [[ -n "$missing" ]] && log "still missing libraries: $(echo $missing)"
  fi
}

if command -v smtp-source >/dev/null 2>&1 && [[ -x /usr/lib/postfix/sbin/master ]]; then
  SMTP_SOURCE="$(command -v smtp-source)"
  SMTP_SINK="$(command -v smtp-sink || true)"
  log "using the installed Postfix and $SMTP_SOURCE"
else
  extract_postfix
  SMTP_SOURCE="$PF_ROOT/usr/sbin/smtp-source"
  SMTP_SINK="$PF_ROOT/usr/sbin/smtp-sink"
  log "using smtp-source and Postfix extracted in $PF_ROOT (not installed)"
fi
export SMTP_SOURCE SMTP_SINK PF_ROOT PF_LD

if [[ "${NO_POSTFIX:-0}" == 1 ]] || printf '%s\n' "$@" | grep -qx -- '--no-postfix'; then
  PF_ERROR="peer disabled (--no-postfix)"
elif [[ "$(id -u)" != 0 ]]; then
  PF_ERROR="the Postfix peer needs root (master(8) runs as root and switches to the user postfix)"
else
  getent group postfix  >/dev/null || { log "creating group postfix";  groupadd --system postfix; }
  getent passwd postfix >/dev/null || { log "creating user postfix";
    useradd --system --gid postfix --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postfix; }
  getent group postdrop >/dev/null || { log "creating group postdrop"; groupadd --system postdrop; }
fi
export PF_ERROR
