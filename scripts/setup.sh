#!/usr/bin/env bash
# Installs what Hookline needs on this machine (ffmpeg, and sox, lame and espeak-ng for the tests, from the OS
# packages when missing), then installs and builds the project. Safe to run again. Used by the README's first command.
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

# ffmpeg (with ffprobe) is what the server decodes audio with; sox, lame and espeak-ng make the tests' audio.
missing=()
for tool in ffmpeg ffprobe sox lame espeak-ng; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "Not found: ${missing[*]}. Installing them from the OS packages."
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq ffmpeg sox libsox-fmt-all lame espeak-ng
  elif command -v dnf >/dev/null 2>&1; then
    $sudo_cmd dnf install -y ffmpeg-free sox lame espeak-ng || $sudo_cmd dnf install -y ffmpeg sox lame espeak-ng
  elif command -v apk >/dev/null 2>&1; then
    $sudo_cmd apk add --no-cache ffmpeg sox lame espeak-ng
  elif command -v brew >/dev/null 2>&1; then
    brew install ffmpeg sox lame espeak-ng
  else
    say "Please install ffmpeg (with ffprobe), and for the tests sox, lame and espeak-ng, with your system's"
    say "package manager, then run this again."
    exit 1
  fi
fi
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  say "ffmpeg (with ffprobe) is still missing: Hookline decodes audio with it. Install it, then run this again."
  exit 1
fi

say "Installing and building (the SQLite driver may compile from source: about 90 s the first time)."
npm install --no-audit --no-fund
say "Ready. Start with: npx hookline serve --dev   (--dev: callbacks may reach a receiver on this machine)"
