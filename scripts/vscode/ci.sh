#!/usr/bin/env bash
# CI entry for the real-VS-Code tests: Debian packages, the cached code-server, then the suite.
# Needs root (apt-get) and `npm ci` done (playwright-core, tsx, esbuild from devDependencies).
set -euo pipefail
cd "$(dirname "$0")/../.."

pkgs=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep build-essential python3)
missing=()
for p in "${pkgs[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/vscode/install-code-server.sh >/dev/null
node --import tsx test/vscode/run.ts
