#!/usr/bin/env bash
# Opens the given candor binary's window on a shop file under a private Xvfb display and checks
# what a desktop reads from it: the window class the menu entry names (StartupWMClass=candor)
# and a 256×256 window icon. Usage: check-window-icon.sh CANDOR SHOP.candor
set -euo pipefail
candor=$1
shop=$2
# Xvfb picks a free display itself and writes its number once it accepts connections (a
# busy machine can take many seconds to get there).
displayfile=$(mktemp)
Xvfb -displayfd 3 -screen 0 1440x900x24 3>"$displayfile" >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
display=""
for _ in $(seq 1 600); do
  if [ -s "$displayfile" ]; then
    display=":$(head -1 "$displayfile" | tr -d '[:space:]')"
    break
  fi
  if ! kill -0 "$xvfb" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$display" ] || ! DISPLAY=$display xprop -root >/dev/null 2>&1; then
  echo "Xvfb did not start within a minute, so the window could not be checked." >&2
  exit 1
fi
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
