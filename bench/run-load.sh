#!/usr/bin/env bash
# make bench-load: SIP and RTP load on a release `voicegate serve` over loopback (BENCHMARKS.md).
#   (a) sipp: RATE new calls/s for SIPP_SECONDS s, each 5 s long then BYE, at most 1,000 at once
#   (b) voicegate bench rtp-load: RTP_CALLS concurrent G.711 calls, RTP both ways, RTP_SECONDS s
#   (c) response latency over LATENCY_CALLS calls: RFC 4733 key, then speech, after the greeting
# Usage: bench/run-load.sh VOICEGATE_BINARY   (env: SIPP_RATE SIPP_SECONDS RTP_CALLS RTP_SECONDS
#        LATENCY_CALLS SKIP_SIPP=1 SKIP_RTP=1 SKIP_LATENCY=1)
set -euo pipefail
bin=$(realpath "$1")
rate=${SIPP_RATE:-100}
sipp_seconds=${SIPP_SECONDS:-60}
rtp_calls=${RTP_CALLS:-1000}
rtp_seconds=${RTP_SECONDS:-20}
latency_calls=${LATENCY_CALLS:-20}
out=bench/out/load
mkdir -p "$out"
work=$(mktemp -d /tmp/voicegate-load.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; sleep 2; kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free UDP port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

start_server() {  # $1: label; starts voicegate serve with room for 1,000+ calls
  sip_port=$(free_port)
  log="$out/server-$1.log"
  "$bin" serve --sip-port "$sip_port" --rtp-ports 20000-23999 --max-calls 1100 --max-calls-per-second 0 \
    --bank "$work/bank.sqlite" --cache "$work/cache" --db "$work/db.sqlite" --trace-dir "$work/traces-$1" \
    2>"$log" &
  server_pid=$!
  for _ in $(seq 1 200); do grep -q "listening on udp" "$log" && return 0; sleep 0.1; done
  echo "server did not start:"; cat "$log"; exit 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg) =="

if [ "${SKIP_SIPP:-0}" != 1 ]; then
  echo "== (a) sipp: $rate calls/s for $sipp_seconds s, 5 s calls, at most 1000 at once =="
  start_server sipp
  calls=$((rate * sipp_seconds))
  ticks0=$(cpu_ticks "$server_pid"); t0=$(date +%s.%N)
  cp bench/sipp-load-uac.xml "$work/load.xml"
  (cd "$work" && sipp -sf load.xml -r "$rate" -l 1000 -m "$calls" \
     -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -nostdin -timeout $((sipp_seconds + 60))s \
     -trace_rtt -rtt_freq 1 -trace_stat -fd 5 -trace_err "127.0.0.1:$sip_port" >"$work/sipp.out" 2>&1) \
     && sipp_status=0 || sipp_status=$?
  t1=$(date +%s.%N); ticks1=$(cpu_ticks "$server_pid")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  stop_server
  cp "$work"/load_*_rtt.csv "$out/sipp-rtt.csv" 2>/dev/null || true
  cp "$work"/load_*_.csv "$out/sipp-stat.csv" 2>/dev/null || true
  cp "$work/sipp.out" "$out/sipp.out"
  python3 - "$out/sipp-rtt.csv" "$out/sipp-stat.csv" "$sipp_status" "$ticks0" "$ticks1" "$t0" "$t1" "$(getconf CLK_TCK)" "$rss" "$calls" <<'PY' | tee "$out/sipp.json"
import csv, json, sys
rtt_file, stat_file, status, k0, k1, t0, t1, hz, rss, calls = sys.argv[1:]
rtd = {}
try:
    for row in csv.reader(open(rtt_file), delimiter=';'):
        if len(row) >= 3 and row[0][:1].isdigit():
            rtd.setdefault(row[2].strip(), []).append(float(row[1]))
except FileNotFoundError:
    pass
def q(v, p):
    v = sorted(v)
    return round(v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))], 2) if v else None
stat = {}
try:
    rows = list(csv.reader(open(stat_file), delimiter=';'))
    stat = dict(zip(rows[0], rows[-1]))
except (FileNotFoundError, IndexError):
    pass
elapsed = float(t1) - float(t0)
print(json.dumps({
    "sipp_exit_status": int(status),
    "calls_attempted": int(calls),
    "successful_calls": int(stat.get("SuccessfulCall(C)", -1)),
    "failed_calls": int(stat.get("FailedCall(C)", -1)),
    "invite_to_200_ms": {"p50": q(rtd.get("1", []), 0.5), "p99": q(rtd.get("1", []), 0.99), "n": len(rtd.get("1", []))},
    "bye_to_200_ms": {"p50": q(rtd.get("2", []), 0.5), "p99": q(rtd.get("2", []), 0.99), "n": len(rtd.get("2", []))},
    "server_cpu_percent_of_one_core": round((int(k1) - int(k0)) / int(hz) / elapsed * 100, 1),
    "server_peak_rss_mib": round(int(rss) / 1024, 1),
    "elapsed_s": round(elapsed, 1),
}, indent=1))
PY
fi

if [ "${SKIP_RTP:-0}" != 1 ]; then
  echo "== (b) rtp-load: $rtp_calls concurrent PCMU calls, RTP both ways, $rtp_seconds s measured =="
  start_server rtp
  "$bin" bench rtp-load --server "127.0.0.1:$sip_port" --calls "$rtp_calls" --rate 200 --seconds "$rtp_seconds" \
    --server-pid "$server_pid" | tee "$out/rtp-load.json"
  stop_server
fi

if [ "${SKIP_LATENCY:-0}" != 1 ]; then
  echo "== (c) response latency: $latency_calls calls each, key and speech after the greeting =="
  espeak-ng -v en-us -s 150 -w "$work/speech-22k.wav" "I would like to check my account balance please"
  sox "$work/speech-22k.wav" -r 8000 -c 1 -b 16 "$work/speech.wav"
  start_server latency
  "$bin" bench rtp-load --server "127.0.0.1:$sip_port" --calls "$latency_calls" --rate 10 --seconds 1 \
    --server-pid "$server_pid" --probe key | tee "$out/latency-key-cold.json"
  # The same again: the answer prompts are now in the render cache (the usual case in service).
  "$bin" bench rtp-load --server "127.0.0.1:$sip_port" --calls "$latency_calls" --rate 10 --seconds 1 \
    --server-pid "$server_pid" --probe key | tee "$out/latency-key.json"
  "$bin" bench rtp-load --server "127.0.0.1:$sip_port" --calls "$latency_calls" --rate 10 --seconds 1 \
    --server-pid "$server_pid" --probe speech --speech-wav "$work/speech.wav" | tee "$out/latency-speech.json"
  stop_server
fi
