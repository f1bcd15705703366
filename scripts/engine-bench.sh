#!/usr/bin/env bash
# Engine benchmarks with the medians docs/performance.md reports.
#
#   scripts/engine-bench.sh [count]        (default count 5)
#
# Waits (up to MAXWAIT seconds, default 600) for the 1-minute load average
# to fall below LOAD (default 0.5), since the development VMs share their
# two vCPUs; prints the load before and after each command, then the median
# of each benchmark's GFLOP/s or tokens/s over the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
load=${LOAD:-0.5}
maxwait=${MAXWAIT:-600}

loadavg() { cut -d' ' -f1 /proc/loadavg; }
waitquiet() {
	local waited=0
	while awk -v l="$(loadavg)" -v t="$load" 'BEGIN{exit !(l >= t)}'; do
		if [ "$waited" -ge "$maxwait" ]; then
			echo "# load still $(loadavg) after ${maxwait}s; measuring anyway" >&2
			return
		fi
		sleep 10
		waited=$((waited + 10))
	done
}

# median prints "name median unit (n runs)" for every benchmark line.
median() {
	awk '/^Benchmark/ {
		for (i = 3; i < NF; i++) if ($(i+1) == "GFLOP/s" || $(i+1) == "tokens/s") { v[$1] = v[$1] " " $i; u[$1] = $(i+1) }
	}
	END {
		for (k in v) {
			n = split(substr(v[k], 2), a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			printf "%-48s %10.1f %s (%d runs, %s .. %s)\n", k, m, u[k], n, a[1], a[n]
		}
	}' | sort
}

run() {
	waitquiet
	echo "# $(date -u +%FT%TZ) load before: $(cat /proc/loadavg)"
	echo "# $*"
	out=$("$@" 2>&1) || { echo "$out"; exit 1; }
	echo "# load after: $(cat /proc/loadavg)"
	echo "$out" | grep -E '^(cpu|goos|goarch):' || true
	echo "$out" | median
	echo
}

run go test -run '^$' -bench 'FMAPeak|MatMulGPT2|MatVec' -benchtime 20x -cpu 1,2 -count "$count" ./sidecar/engine/internal/kernels
run go test -run '^$' -bench 'Tiny|GPT2Small' -benchtime 3x -cpu 1,2 -count "$count" ./sidecar/engine/native
