#!/usr/bin/env bash
# Opens the given candor binary's window on a shop file under a private Xvfb display and checks
# what a desktop reads from it: the window class the menu entry names (StartupWMClass=candor)
# and a 256×256 window icon. Usage: check-window-icon.sh CANDOR SHOP.candor
set -euo pipefail
candor=$1
shop=$2
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1440x900x24 >/dev/null 2>&1 &
xvfb=$!
# The display must be up before the program connects to it (a busy machine starts it slowly).
for _ in $(seq 1 100); do
  if DISPLAY=$display xprop -root >/dev/null 2>&1; then break; fi
  sleep 0.1
done
runtime=$(mktemp -d)
chmod 700 "$runtime"
home=$(mktemp -d)
output=$(mktemp)
DISPLAY=$display XDG_RUNTIME_DIR=$runtime HOME=$home "$candor" open "$shop" >"$output" 2>&1 &
app=$!
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
window=""
for _ in $(seq 1 120); do
  window=$(DISPLAY=$display xdotool search --class '^candor$' 2>/dev/null | head -1 || true)
  if [ -n "$window" ]; then break; fi
  if ! kill -0 "$app" 2>/dev/null; then break; fi
  sleep 0.5
done
if [ -z "$window" ]; then
  echo "The window of $candor did not open within a minute. What it printed:" >&2
  cat "$output" >&2
  exit 1
fi
DISPLAY=$display xprop -id "$window" WM_CLASS | grep -q '"candor"'
icon=$(DISPLAY=$display xprop -id "$window" 32c _NET_WM_ICON | cut -d= -f2 | cut -d, -f1-2)
if [ "$(echo "$icon" | tr -d ' ')" != "256,256" ]; then
  echo "The window has no 256×256 icon (_NET_WM_ICON starts with '$icon')." >&2
  exit 1
fi
echo "The window opens with class candor and its 256×256 icon."
