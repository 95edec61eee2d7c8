#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed for the browser tests (quietly).
# Exit status 1 when it is missing and cannot be installed (CI treats that as a failure; locally
# the browser tests then skip and say why).
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium for the browser tests..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    >/dev/null 2>&1
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is not installed and could not be installed; browser tests will skip" >&2
  exit 1
fi
