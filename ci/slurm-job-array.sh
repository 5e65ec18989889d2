#!/usr/bin/env bash
# The job array of docs/SCALING.md on a real, throwaway, single-node Slurm:
# start munged, slurmctld and slurmd as root (each on its own socket, ports
# and state folder under one temporary folder, so nothing of the machine's
# own Slurm or munge is used or touched), submit the documented array script
# and its dependent merge job as the doc writes them, wait, and compare the
# merged files byte for byte with one machine's `simulate run`. Every daemon
# started here is stopped by its pid on the way out, whatever happened.
#
# Usage: SIMULATE=/path/to/simulate ci/slurm-job-array.sh
# Environment: RUNS (default 20000), RECIPE (another recipe's script, run
# on the cluster instead of the run array), KEEP_TMP=1 to keep
# the temporary folder, SLURM_TEST_TIMEOUT seconds for the jobs (default 150).
# Called by tests/slurm.rs; needs root and Debian's slurm-wlm and munge.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
simulate=${SIMULATE:?set SIMULATE to the simulate binary}
runs=${RUNS:-20000}
timeout=${SLURM_TEST_TIMEOUT:-150}
started=$SECONDS
# The daemons live in sbin, which a non-login root shell may not have.
export PATH=$PATH:/usr/sbin:/sbin

say() { echo "slurm-test: $*"; }
fail() {
  say "FAILED: $*"
  exit 1
}

[ "$(id -u)" = 0 ] || fail "needs root (slurmd runs jobs as their user and munged needs its own key)"
for tool in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (apt-get install slurm-wlm munge)"
done

tmp=$(mktemp -d /tmp/dsrsim-slurm.XXXXXX)
chmod 700 "$tmp"
pids=()
names=()

# Logs of every daemon, printed when something went wrong: a daemon that
# fails to start says why only there.
dump_logs() {
  for log in "$tmp"/log/*.log "$tmp"/work/logs/*.out "$tmp"/work/slurm-*.out; do
    [ -s "$log" ] || continue
    echo "----- ${log#"$tmp"/} (last 40 lines)"
    tail -n 40 "$log"
  done
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ "$status" = 0 ] || dump_logs
  # Jobs still queued or running (a timeout) are cancelled first, so that
  # their step daemons, which outlive slurmd by design, end them and exit.
  if [ -n "${SLURM_CONF:-}" ] && [ "${#pids[@]}" -ge 3 ]; then
    scancel --quiet --full $(squeue -h -o %i 2>/dev/null) 2>/dev/null || true
    for _ in $(seq 50); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  # Newest first: slurmd, then slurmctld, then munged, each by its own pid.
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do
    if kill -0 "${pids[k]}" 2>/dev/null; then
      kill -TERM "${pids[k]}" 2>/dev/null || true
      for _ in $(seq 50); do
        kill -0 "${pids[k]}" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "${pids[k]}" 2>/dev/null; then
        say "${names[k]} (pid ${pids[k]}) ignored SIGTERM; killing it"
        kill -KILL "${pids[k]}" 2>/dev/null || true
      fi
    fi
    wait "${pids[k]}" 2>/dev/null || true
  done
  # Whatever still runs from this cluster (a step daemon or job that outlived
  # it) inherited our SLURM_CONF, which names our own temporary folder.
  if [ -n "${SLURM_CONF:-}" ]; then
    for dir in /proc/[0-9]*; do
      pid=${dir#/proc/}
      [ "$pid" != $$ ] || continue
      environ=$(tr '\0' '\n' 2>/dev/null <"$dir/environ") || continue
      if grep -qxF "SLURM_CONF=$SLURM_CONF" <<<"$environ"; then
        say "stopping leftover pid $pid: $(tr '\0' ' ' 2>/dev/null <"$dir/cmdline")"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# Start a daemon in the foreground of a background job, so that $! is the
# daemon itself (and its log, which a foreground daemon writes to stderr,
# is ours to print), and it can be stopped by that pid.
start() {
  local name=$1
  shift
  "$@" >>"$tmp/log/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  say "started $name (pid $!)"
}

# Wait until `$2...` succeeds; fail with the daemon's log if `$1` died first.
wait_for() {
  local what=$1 limit=$2
  shift 2
  for _ in $(seq $((limit * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    for k in "${!pids[@]}"; do
      kill -0 "${pids[k]}" 2>/dev/null || fail "${names[k]} exited while waiting for $what"
    done
    sleep 0.2
  done
  fail "no $what after ${limit} s"
}

# A free TCP port on the loopback (nothing answers a connection to it).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free port"
}

mkdir -p "$tmp"/{munge,log,ctld,spool,work}
chmod 700 "$tmp/munge"

# munge: a fresh key, and a socket of our own that slurm.conf points at.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
start munged munged --foreground --force --socket="$socket" \
  --key-file="$tmp/munge/munge.key" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" --log-file="$tmp/log/munged.log"
wait_for "munge socket" 10 test -S "$socket"

# slurm.conf for this host: its real CPUs and memory as slurmd detects them.
host=$(hostname -s)
node_line=$(slurmd -C | head -n 1)
case "$node_line" in
  NodeName=*) ;;
  *) fail "slurmd -C printed no node line: $node_line" ;;
esac
cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=dsrsim-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/ctld
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/ctld/slurmctld.pid
SlurmdPidFile=$tmp/spool/slurmd.pid
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# A merge whose shards failed is cancelled rather than left pending.
DependencyParameters=kill_invalid_depend
ReturnToService=2
${node_line/NodeName=* CPUs=/NodeName=$host NodeAddr=127.0.0.1 CPUs=} State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

start slurmctld slurmctld -D -i -f "$SLURM_CONF"
wait_for "answer from slurmctld" 20 scontrol ping
start slurmd slurmd -D -f "$SLURM_CONF" -N "$host"
wait_for "idle node" 30 bash -c "sinfo -h -n '$host' -o %T | grep -qx idle"
say "cluster up: node $host, $cpus CPUs, after $((SECONDS - started)) s"

# Another recipe of docs/SCALING.md runs on the same throwaway cluster from
# a script of its own (RECIPE=ci/slurm-calibrate.sh), which has say, fail
# and the cleanup above; it ends with its own "slurm-test: ok:" line.
if [ -n "${RECIPE:-}" ]; then
  # shellcheck source=/dev/null
  source "$repo/$RECIPE"
  exit 0
fi

# The scripts as docs/SCALING.md writes them: the first fenced bash block
# under "## Slurm job array" is the array script, the second the commands
# that submit it and the merge after it.
doc_block() {
  awk -v want="$1" '
    /^## / { in_section = ($0 == "## Slurm job array") }
    in_section && /^```bash$/ { n++; if (n == want) { on = 1; next } }
    on && /^```$/ { exit }
    on { print }
  ' "$repo/docs/SCALING.md"
}
cd "$tmp/work"
doc_block 1 >dsrsim-serbia.sbatch
doc_block 2 >submit.sh
grep -q '^#SBATCH --array' dsrsim-serbia.sbatch || fail "no array script in docs/SCALING.md"
grep -q 'dsrsim-serbia.sbatch' submit.sh || fail "no sbatch of dsrsim-serbia.sbatch in docs/SCALING.md"
grep -q 'simulate merge' submit.sh || fail "no merge job in docs/SCALING.md"

# The jobs run where they were submitted, with the submitter's environment:
# `simulate` on the PATH and the shipped scenarios beside it, as a user has.
cp -r "$repo/scenarios" .
mkdir -p bin
ln -s "$simulate" bin/simulate
export PATH=$PWD/bin:$PATH RUNS=$runs
# The documented script runs unchanged; only RUNS, which it reads, is made
# small. On a node with fewer than 2 CPUs the documented --cpus-per-task=2
# could never run, so there sbatch's own variable lowers it.
[ "$cpus" -ge 2 ] || export SBATCH_CPUS_PER_TASK=$cpus
bash -euo pipefail submit.sh >submit.out 2>&1 || fail "the doc's submit commands failed: $(cat submit.out)"
shards=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\).*/\1/p' dsrsim-serbia.sbatch)
shards=$((shards + 1))
say "submitted $shards shards of $runs runs and the merge: $(tr '\n' ' ' <submit.out)"

# Every job on this cluster is the test's. Wait until the queue is empty;
# Slurm keeps a finished job's record (MinJobAge, 300 s), so the final
# state of each can be read after it leaves the queue.
deadline=$((SECONDS + timeout))
while [ -n "$(squeue -h -o %i)" ]; do
  [ "$SECONDS" -lt "$deadline" ] || {
    squeue || true
    fail "jobs not done after ${timeout} s"
  }
  sleep 0.5
done
states=$(scontrol -o show job | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' \n' ' ')
jobs=$(scontrol -o show job | grep -c 'JobState=COMPLETED' || true)
[ "$jobs" = $((shards + 1)) ] && [ "$states" = " $jobs JobState=COMPLETED " ] ||
  fail "expected $shards array tasks and a merge job, all COMPLETED; got:$states"
say "$jobs jobs completed after $((SECONDS - started)) s"

# One machine's run of the same scenario, runs and seed.
seed=$(grep -o -- '--seed [0-9]*' dsrsim-serbia.sbatch | awk '{print $2}')
scenario=$(grep -o 'scenarios/[a-z0-9-]*\.toml' dsrsim-serbia.sbatch | head -n 1)
merged=$(grep -o -- "--out [^ ']*" submit.sh | awk '{print $2}')
"$simulate" run "$scenario" --runs "$runs" --seed "$seed" --quiet --out one-machine
for f in summary.csv summary.json scenario.resolved.toml; do
  cmp "one-machine/$f" "$merged/$f" || fail "$merged/$f differs from one machine's"
done
diff -r one-machine "$merged" >/dev/null || fail "the merged folder differs from one machine's: $(diff -rq one-machine "$merged")"
say "ok: $shards shards of $scenario ($runs runs, seed $seed) merged to one machine's bytes in $((SECONDS - started)) s"
