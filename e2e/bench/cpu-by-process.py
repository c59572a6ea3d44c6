#!/usr/bin/env python3
# CPU seconds per process (java by main class or jar, rclone, S3Proxy) of everything that ran while this
# sampled /proc every 0.5 s; stop it with SIGTERM/SIGINT to print the totals. Used to split a benchmark
# run's client CPU between the ferry CLI (local API + operator) and its worker processes:
#   python3 e2e/bench/cpu-by-process.py > cpu.txt & S=$!; e2e/bench/run.sh small; kill $S; cat cpu.txt
import os, time, sys, signal
tck = os.sysconf('SC_CLK_TCK')
seen = {}
stop = False
def h(*a):
    global stop; stop = True
signal.signal(signal.SIGTERM, h); signal.signal(signal.SIGINT, h)
while not stop:
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            cmd = open(f'/proc/{p}/cmdline','rb').read().split(b'\0')
            if not cmd or (b'java' not in cmd[0] and b'rclone' not in cmd[0]): continue
            st = open(f'/proc/{p}/stat').read().rsplit(')',1)[1].split()
            cpu = (int(st[11]) + int(st[12])) / tck
            name = cmd[0].decode().split('/')[-1]
            for a in cmd:
                a = a.decode()
                if a.startswith('dev.ferry') or a.endswith('.jar') or 'S3Proxy' in a or 's3proxy' in a:
                    name = a.split('/')[-1]
            seen[p] = (name, cpu)
        except Exception:
            pass
    time.sleep(0.5)
tot = {}
for p,(n,c) in seen.items():
    tot.setdefault(n, [0,0]); tot[n][0]+=c; tot[n][1]+=1
for n,(c,k) in sorted(tot.items(), key=lambda x:-x[1][0]):
    print(f"{c:8.1f} s  x{k}  {n}")
