#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile HTTP clients against an exporter on loopback, then fresh scrapes.

    abuse.py HOST:PORT [--idle N] [--slowloris N] [--garbage N]
             [--scrapes N] [--hold SECONDS] [--accept OPENMETRICS]

Opens N idle TCP connections (connect, send nothing), N slowloris clients
(a request line, then one header line every 4 s, never the blank line), N
garbage clients (one line that is not HTTP); while they are all connected,
makes fresh scrapes of /metrics, each on a new connection, and prints one
key=value line per fact:

    connected_idle=500 connected_slowloris=20 connected_garbage=5
    scrape=1 status=200 bytes=... seconds=0.0012 complete=1
    scrape_max_seconds=... scrape_median_seconds=...
    idle_closed_by_server=0   (of the idle ones, after the scrapes)
    garbage_answer=HTTP/1.1 400 ...

Loopback only: the address must be 127.0.0.0/8 or ::1.
"""
import argparse
import ipaddress
import socket
import statistics
import sys
import threading
import time


def connect(host, port, timeout=5):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def scrape(host, port, accept, timeout):
    """One GET /metrics on a new connection: (status, body bytes, seconds, complete)."""
    t0 = time.monotonic()
    s = connect(host, port, timeout)
    req = f"GET /metrics HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
    if accept:
        req += f"Accept: {accept}\r\n"
    s.sendall((req + "\r\n").encode())
    data = b""
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    s.close()
    secs = time.monotonic() - t0
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    length = None
    for h in lines[1:]:
        k, _, v = h.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    complete = length is not None and len(body) == length
    if accept and b"openmetrics" in accept.encode():
        complete = complete and body.endswith(b"# EOF\n")
    return status, len(body), secs, complete


def slowloris(sock, stop, host):
    try:
        sock.sendall(f"GET /metrics HTTP/1.1\r\nHost: {host}\r\n".encode())
        i = 0
        while not stop.wait(4):
            sock.sendall(f"X-Slow-{i}: {'a' * 8}\r\n".encode())
            i += 1
    except OSError:
        pass


def closed_by_peer(sock):
    """True if the server closed this connection (EOF or reset), without blocking."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--slowloris", type=int, default=0)
    ap.add_argument("--garbage", type=int, default=0)
    ap.add_argument("--scrapes", type=int, default=5)
    ap.add_argument("--hold", type=float, default=0, help="keep the abusers this long after the scrapes")
    ap.add_argument("--accept", default="")
    ap.add_argument("--timeout", type=float, default=10)
    a = ap.parse_args()
    host, _, port = a.addr.rpartition(":")
    host = host.strip("[]")
    port = int(port)
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("abuse.py: loopback addresses only")

    idle, slow, garbage, threads = [], [], [], []
    stop = threading.Event()
    for _ in range(a.idle):
        idle.append(connect(host, port))
    for _ in range(a.slowloris):
        s = connect(host, port)
        slow.append(s)
        t = threading.Thread(target=slowloris, args=(s, stop, host), daemon=True)
        t.start()
        threads.append(t)
    for _ in range(a.garbage):
        s = connect(host, port)
        s.sendall(b"\x16\x03\x01 this is not HTTP \xff\xfe\r\n")
        garbage.append(s)
    time.sleep(0.3)
    print(f"connected_idle={len(idle)} connected_slowloris={len(slow)} connected_garbage={len(garbage)}")

    times = []
    for i in range(a.scrapes):
        try:
            status, n, secs, complete = scrape(host, port, a.accept, a.timeout)
        except OSError as e:
            print(f"scrape={i + 1} error={e}")
            continue
        times.append(secs)
        print(f"scrape={i + 1} status={status} bytes={n} seconds={secs:.4f} complete={int(complete)}")
    if times:
        print(f"scrape_max_seconds={max(times):.4f} scrape_median_seconds={statistics.median(times):.4f}")
    print(f"scrapes_ok={len(times)}")
    if a.hold:
        time.sleep(a.hold)
    print(f"idle_closed_by_server={sum(closed_by_peer(s) for s in idle)}")
    print(f"slowloris_closed_by_server={sum(closed_by_peer(s) for s in slow)}")
    for s in garbage[:1]:
        s.setblocking(True)
        s.settimeout(2)
        try:
            first = s.recv(200).split(b"\r\n")[0].decode(errors="replace")
        except OSError as e:
            first = f"error {e}"
        print(f"garbage_answer={first or 'closed'}")
    stop.set()
    for s in idle + slow + garbage:
        s.close()


if __name__ == "__main__":
    main()
