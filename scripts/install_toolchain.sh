#!/usr/bin/env bash
# Machine-wide toolchain for stepgate: OpenTofu, the hashicorp/aws provider (both built from their Go
# modules, because no binary registry is reachable here) and LocalStack in its own virtualenv.
# Everything lands outside the repository so that a fresh clone on the same machine finds it.
# Idempotent: each step is skipped when its result is already in place.
#
# Usage: scripts/install_toolchain.sh [tofu] [provider] [localstack]   (default: all three)
set -euo pipefail

TOFU_VERSION="${STEPGATE_TOFU_VERSION:-1.12.6}"
# The provider's go.mod has no /v6 suffix, so the Go proxy only serves its v6 line as pseudo-versions.
# This commit's version/VERSION file reads 6.47.1; the binary is installed under that version.
AWS_PROVIDER_VERSION="${STEPGATE_AWS_PROVIDER_VERSION:-6.47.1}"
AWS_PROVIDER_MODULE_VERSION="${STEPGATE_AWS_PROVIDER_MODULE_VERSION:-v1.60.1-0.20260602190131-5f2286d6d836}"
LOCALSTACK_VERSION="${STEPGATE_LOCALSTACK_VERSION:-2026.3.0}"

BIN_DIR="${STEPGATE_BIN_DIR:-$HOME/.local/bin}"
PLUGIN_ROOT="${STEPGATE_PLUGIN_DIR:-$HOME/.terraform.d/plugins}"
CACHE_DIR="${STEPGATE_CACHE_DIR:-$HOME/.cache/stepgate}"
LOG_DIR="$CACHE_DIR/build-logs"
LOCALSTACK_VENV="$CACHE_DIR/localstack-$LOCALSTACK_VERSION"

mkdir -p "$BIN_DIR" "$LOG_DIR"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a long command with its output in a log file and a heartbeat line every 30 s, so a CI log shows
# progress without thousands of "go: downloading" lines.
run_logged() {
  local name="$1"; shift
  local log="$LOG_DIR/$name.log" start=$SECONDS
  say "$name: started (log: $log)"
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && say "$name: still running ($((SECONDS - start)) s)"
  done
  if ! wait "$pid"; then
    tail -n 30 "$log" >&2
    die "$name failed after $((SECONDS - start)) s; full log: $log"
  fi
  say "$name: done in $((SECONDS - start)) s"
}

go_module_dir() {
  command -v go >/dev/null || die "go is required to build $1 (no binary registry is reachable)"
  local json dir
  json=$(cd /tmp && go mod download -json "$1@$2") || die "go mod download $1@$2 failed: $json"
  dir=$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || die "go mod download $1@$2 gave no module directory: $json"
  printf '%s' "$dir"
}

# The ambient TF_CLI_CONFIG_FILE may name a missing file, which makes `tofu version` print a warning first.
tofu_version_line() { TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null | grep -m1 '^OpenTofu v'; }

install_tofu() {
  local target="$BIN_DIR/tofu"
  if [ -x "$target" ] && [ "$(tofu_version_line "$target")" = "OpenTofu v$TOFU_VERSION" ]; then
    say "tofu $TOFU_VERSION: already installed at $target"
    return
  fi
  local dir; dir=$(go_module_dir github.com/opentofu/opentofu "v$TOFU_VERSION")
  # The module cache is read-only; build from it into a temp file and move it into place atomically.
  run_logged "build-tofu-$TOFU_VERSION" bash -c "cd '$dir' && go build -trimpath \
    -ldflags '-s -w -X github.com/opentofu/opentofu/version.dev=no' -o '$target.tmp' ./cmd/tofu"
  mv "$target.tmp" "$target"
  say "tofu: $(tofu_version_line "$target"), $(du -h "$target" | cut -f1) at $target"
}

install_provider() {
  local name="terraform-provider-aws_v$AWS_PROVIDER_VERSION"
  local primary="$PLUGIN_ROOT/registry.opentofu.org/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64"
  local alias="$PLUGIN_ROOT/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64"
  if [ -x "$primary/$name" ]; then
    say "hashicorp/aws $AWS_PROVIDER_VERSION: already installed at $primary"
  else
    local dir; dir=$(go_module_dir github.com/hashicorp/terraform-provider-aws "$AWS_PROVIDER_MODULE_VERSION")
    mkdir -p "$primary"
    run_logged "build-provider-aws-$AWS_PROVIDER_VERSION" bash -c "cd '$dir' && go build -trimpath \
      -ldflags '-s -w -X github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=$AWS_PROVIDER_VERSION' \
      -o '$primary/.$name.tmp' ."
    mv "$primary/.$name.tmp" "$primary/$name"
    say "hashicorp/aws: $(du -h "$primary/$name" | cut -f1) at $primary/$name"
  fi
  # A terraform binary looks the provider up under its own registry host; share the one build.
  mkdir -p "$alias"
  ln -sfn "$primary/$name" "$alias/$name"
}

find_python_312() {
  local candidate
  for candidate in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  die "LocalStack needs Python >= 3.12; none found on PATH or under /root/.pyenv/versions"
}

install_localstack() {
  if [ -f "$LOCALSTACK_VENV/.stepgate-complete" ] && "$LOCALSTACK_VENV/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('localstack-core') != '$LOCALSTACK_VERSION')" 2>/dev/null; then
    say "localstack $LOCALSTACK_VERSION: already installed in $LOCALSTACK_VENV"
    return
  fi
  local python; python=$(find_python_312)
  say "localstack: creating virtualenv with $python"
  rm -rf "$LOCALSTACK_VENV"
  "$python" -m venv "$LOCALSTACK_VENV"
  run_logged "install-localstack-$LOCALSTACK_VERSION" "$LOCALSTACK_VENV/bin/pip" install --disable-pip-version-check \
    "localstack-core[runtime]==$LOCALSTACK_VERSION" 'cbor2<6' 'pyopenssl<26' 'cryptography<47' service-identity
  touch "$LOCALSTACK_VENV/.stepgate-complete"
  say "localstack: $("$LOCALSTACK_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("localstack-core"))') in $LOCALSTACK_VENV"
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(tofu provider localstack)
for component in "${components[@]}"; do
  case "$component" in
    tofu) install_tofu ;;
    provider) install_provider ;;
    localstack) install_localstack ;;
    *) die "unknown component '$component' (expected tofu, provider or localstack)" ;;
  esac
done
