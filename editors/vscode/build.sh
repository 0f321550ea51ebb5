#!/usr/bin/env bash
# Builds the VS Code extension into editors/vscode/mmname-lsp-<version>.vsix:
# installs the locked npm dependencies, type-checks, bundles and minifies the
# extension with esbuild (dist/extension.js), puts the server and its
# pure-Python dependencies into bundled/libs (scripts/bundle_server.py), and
# packages with vsce. One .vsix for every platform. Needs Node >= 20, npm and
# Python >= 3.9 with pip ($PYTHON, default python3). Progress goes to stderr;
# the .vsix path is printed last on stdout.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
step() { echo "[build.sh] $*" >&2; }
t0=$SECONDS
step "npm ci"
npm ci --no-audit --no-fund --loglevel=error >&2
step "type check"
npm run --silent typecheck >&2
step "esbuild (minified): dist/extension.js"
npm run --silent bundle >&2
step "bundle the server: bundled/libs"
"$PYTHON" scripts/bundle_server.py
version="$(node -p "require('./package.json').version")"
vsix="mmname-lsp-${version}.vsix"
rm -f "$vsix"
step "vsce package: $vsix"
# --no-dependencies: dist/extension.js already bundles vscode-languageclient.
# --no-rewrite-relative-links: the README's image is shipped inside the .vsix.
npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --out "$vsix" >&2
step "done in $((SECONDS - t0)) s"
echo "$PWD/$vsix"
