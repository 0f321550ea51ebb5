#!/usr/bin/env bash
# Builds the VS Code extension into editors/vscode/mmname-lsp-<version>.vsix:
# installs the locked dependencies, type-checks, bundles with esbuild and
# packages with vsce. Needs Node >= 20 and npm. Prints the .vsix path last.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent typecheck
npm run --silent bundle
version="$(node -p "require('./package.json').version")"
vsix="mmname-lsp-${version}.vsix"
rm -f "$vsix"
# --no-dependencies: out/extension.js already bundles vscode-languageclient.
# --no-rewrite-relative-links: the README's image is shipped inside the .vsix.
npx --no-install vsce package --no-dependencies --no-rewrite-relative-links --allow-missing-repository --out "$vsix" >&2
echo "$PWD/$vsix"
