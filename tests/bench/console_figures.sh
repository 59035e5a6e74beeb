#!/usr/bin/env bash
# Console figures against the sandbox, measured from outside as a user sees them:
#  - start to every panel populated (screen polled every 20 ms in tmux until no panel says
#    "loading" and every panel title says "updated"),
#  - idle CPU over 60 s with the default poll intervals (utime+stime from /proc),
#  - resident memory (VmRSS, and VmHWM the peak).
# Usage: tests/bench/console_figures.sh [path/to/opsdeck]   (build with --release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
opsdeck=$(realpath "${1:-target/release/opsdeck}")
export XDG_STATE_HOME; XDG_STATE_HOME=$(mktemp -d)
sock="opsdeck-figures-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; "$opsdeck" sandbox down >/dev/null || true; rm -rf "$XDG_STATE_HOME"; }
trap cleanup EXIT
"$opsdeck" sandbox up >/dev/null
"$opsdeck" --sandbox deploy --preset sandbox --yes >/dev/null
"$opsdeck" --sandbox status >/dev/null   # warm the emulator's first-call paths, as a running sandbox is

# Start the console in tmux and print the ms until every panel shows data.
time_to_populated() {
  tmux -L "$sock" new-session -d -s figs -x 160 -y 48 -e "XDG_STATE_HOME=$XDG_STATE_HOME" "sleep 0.2; exec $opsdeck --sandbox"
  local start; start=$(date +%s%N)
  while :; do
    screen=$(tmux -L "$sock" capture-pane -p -t figs)
    updated=$( (grep -o "updated" <<<"$screen" || true) | wc -l)
    if [ "$updated" -ge 6 ] && ! grep -q "loading" <<<"$screen"; then break; fi
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 30000 ]; then echo "not populated in 30 s" >&2; echo "$screen" >&2; exit 1; fi
    sleep 0.02
  done
  # The session's command sleeps 0.2 s before exec: subtract it.
  echo $(( ($(date +%s%N) - start) / 1000000 - 200 ))
}
echo "start to every panel populated, first console after the deploy: $(time_to_populated) ms"
tmux -L "$sock" send-keys -t figs q; sleep 1
echo "start to every panel populated, sandbox running and used before: $(time_to_populated) ms"

pid=$(pgrep -f "^$opsdeck --sandbox$" | head -1)
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sleep 5
c0=$(cpu); t0=$(date +%s%N)
sleep 60
c1=$(cpu); t1=$(date +%s%N)
awk -v c="$((c1 - c0))" -v hz="$ticks" -v ns="$((t1 - t0))" \
  'BEGIN { printf "idle CPU over 60 s: %.2f %% of one core (%d ticks)\n", 100 * (c / hz) / (ns / 1e9), c }'
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
tmux -L "$sock" send-keys -t figs q
