#!/usr/bin/env bash
# Installs code-server (the last release that runs on Node 20) into a cache folder, idempotently,
# for the tests that run the extension in a real VS Code (test/vscode/run.ts).
#
#   bash scripts/vscode/install-code-server.sh        # prints the install folder on its last line
#
# Env:
#   CODE_SERVER_VERSION  default 4.100.3
#   CODE_SERVER_DIR      default ${XDG_CACHE_HOME:-~/.cache}/flux-helmrelease/code-server-$CODE_SERVER_VERSION
#
# Debian packages are installed by the caller (CI): chromium libkrb5-dev libx11-dev libxkbfile-dev
# libsecret-1-dev pkg-config ripgrep, plus a C++ toolchain (g++, make, python3) for `npm rebuild`.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
DIR="${CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-helmrelease/code-server-$VERSION}"
STAMP="$DIR/.flux-helmrelease-installed"

log() { echo "[install-code-server] $*" >&2; }

if [[ -f "$STAMP" && -f "$DIR/node_modules/code-server/out/node/entry.js" ]]; then
  log "already installed in $DIR"
  echo "$DIR"
  exit 0
fi

# --- prerequisites -------------------------------------------------------------------------------
missing=()
for pkg in chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
for tool in g++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool (command)")
done
if ((${#missing[@]})); then
  log "missing Debian packages: ${missing[*]}"
  log "install them with: apt-get update && apt-get install -y chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep build-essential python3"
  exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" != "20" ]]; then
  log "warning: code-server $VERSION is built for Node 20, this is Node $(node --version)"
fi

# --- install -------------------------------------------------------------------------------------
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false
start=$SECONDS
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{"name":"code-server-cache","private":true}' > package.json

log "npm install code-server@$VERSION (no scripts)"
npm install --omit=dev --ignore-scripts --no-package-lock "code-server@$VERSION" >&2
CS="$DIR/node_modules/code-server"
VS="$CS/lib/vscode"

log "npm install in code-server and lib/vscode (no scripts)"
(cd "$CS" && npm install --omit=dev --ignore-scripts >&2)
(cd "$VS" && npm install --omit=dev --ignore-scripts >&2)

log "ripgrep from Debian"
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp /usr/bin/rg "$VS/node_modules/@vscode/ripgrep/bin/rg"

log "npm rebuild (native modules)"
(cd "$CS" && npm rebuild >&2)
(cd "$VS" && npm rebuild >&2)

ln -sfn node_modules "$VS/node_modules.asar"

# smoke check: the server prints its version
"$(command -v node)" "$CS/out/node/entry.js" --version >&2

touch "$STAMP"
log "installed in $DIR in $((SECONDS - start)) s"
echo "$DIR"
