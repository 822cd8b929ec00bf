#!/usr/bin/env bash
# Installs what Hookline needs on this machine (ffmpeg from the OS packages when missing), then installs and
# builds the project. Safe to run again. Used by the README's first command.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[hookline setup]\033[0m %s\n' "$*" >&2; }

if ! command -v node >/dev/null 2>&1; then
  say "Node.js 20 or newer is required: https://nodejs.org/ (or your OS packages)."
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js $node_major found; Hookline needs 20 or newer."
  exit 1
fi

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  say "ffmpeg not found: installing it from the OS packages."
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq ffmpeg
  elif command -v dnf >/dev/null 2>&1; then
    $sudo_cmd dnf install -y ffmpeg-free || $sudo_cmd dnf install -y ffmpeg
  elif command -v apk >/dev/null 2>&1; then
    $sudo_cmd apk add --no-cache ffmpeg
  elif command -v brew >/dev/null 2>&1; then
    brew install ffmpeg
  else
    say "Please install ffmpeg (with ffprobe) with your system's package manager, then run this again."
    exit 1
  fi
fi

say "Installing and building (the SQLite driver may compile from source: about 90 s the first time)."
npm install --no-audit --no-fund
say "Ready. Start with: npx hookline serve   (or: npx hookline serve --dev for a callback receiver on localhost)"
