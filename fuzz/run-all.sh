#!/usr/bin/env bash
# The long fuzzing runs, one target at a time (two shared cores): each up to
# 10^7 executions or its time cap, whichever comes first; after a crash the
# target is restarted (at most 3 crashes each) for the rest of its time.
# Logs and figures in fuzz/logs/. Build first: cargo +nightly fuzz build -O -a -s none
# Usage: fuzz/run-all.sh [TARGET:SECONDS ...]
set -u
cd "$(dirname "$0")"
bin=target/x86_64-unknown-linux-gnu/release
plan=("$@")
[ ${#plan[@]} -gt 0 ] || plan=(outcome:180 setting:300 targets:300 shard:300 scenario:600 workshop:180)
mkdir -p logs
for item in "${plan[@]}"; do
  t=${item%%:*}; cap=${item##*:}
  mkdir -p corpus-full/$t artifacts/$t
  cp -n corpus/$t/* corpus-full/$t/ 2>/dev/null
  start=$(date +%s); total=0; crashes=0; part=0
  while :; do
    left=$(( cap - ($(date +%s) - start) ))
    [ $left -gt 5 ] && [ $total -lt 10000000 ] && [ $crashes -lt 3 ] || break
    part=$((part + 1))
    nice -n 10 $bin/$t -runs=$((10000000 - total)) -max_total_time=$left -max_len=8192 \
      -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix=artifacts/$t/ corpus-full/$t > logs/$t.$part.log 2>&1
    rc=$?
    n=$(grep -a '^stat::number_of_executed_units' logs/$t.$part.log | awk '{print $2}')
    total=$((total + ${n:-0}))
    [ $rc = 0 ] || crashes=$((crashes + 1))
  done
  secs=$(( $(date +%s) - start ))
  echo "$t: $total executions in ${secs}s ($((total / (secs > 0 ? secs : 1)))/s), $crashes stops; artifacts: $(ls artifacts/$t | tr '\n' ' ')" >> logs/summary.txt
done
echo "done $(date -u +%H:%M:%S)" >> logs/summary.txt
