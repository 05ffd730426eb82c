#!/usr/bin/env python3
# streams-1000.py — hold many streaming chat requests open at once
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: streams-1000.py URL KEY BODYFILE N
#
# Opens N keep-open streaming requests (plain asyncio sockets, HTTP/1.1,
# no third-party packages), in batches so the listen backlog never
# overflows.  Prints "READY ok=… failed=…" once every stream has answered
# 200 and delivered its first event, then "STATUS open=… events=…
# failed=…" every second until SIGTERM.

import asyncio
import signal
import sys
from urllib.parse import urlsplit

BATCH = 100


class Stats:
    def __init__(self):
        self.started = 0
        self.open = 0
        self.events = 0
        self.failed = 0
        self.reasons = {}

    def fail(self, reason):
        self.failed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


async def one_stream(host, port, request, stats, first_event):
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as e:
        stats.fail(f"connect: {e.strerror}")
        first_event.set_result(False)
        return
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        if status != b"200":
            stats.fail(f"status {status.decode()}")
            first_event.set_result(False)
            return
        stats.open += 1
        buffered = b""
        while True:
            data = await reader.read(65536)
            if not data:
                break
            buffered += data
            n = buffered.count(b"\n\n")
            if n:
                stats.events += n
                buffered = buffered[buffered.rfind(b"\n\n") + 2:]
                if not first_event.done():
                    first_event.set_result(True)
        stats.open -= 1
        if not first_event.done():
            stats.fail("closed before the first event")
            first_event.set_result(False)
    except (OSError, asyncio.IncompleteReadError) as e:
        stats.fail(type(e).__name__)
        if not first_event.done():
            first_event.set_result(False)
    finally:
        writer.close()


async def main():
    url, key, body_file, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    parts = urlsplit(url)
    with open(body_file, "rb") as f:
        body = f.read()
    request = (f"POST {parts.path} HTTP/1.1\r\n"
               f"Host: {parts.netloc}\r\n"
               f"Authorization: Bearer {key}\r\n"
               "Content-Type: application/json\r\n"
               "Accept: text/event-stream\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    stats = Stats()
    tasks = []
    firsts = []
    for start in range(0, n, BATCH):
        batch = []
        for _ in range(min(BATCH, n - start)):
            fut = loop.create_future()
            tasks.append(asyncio.create_task(one_stream(parts.hostname, parts.port, request, stats, fut)))
            batch.append(fut)
        await asyncio.gather(*batch)
        firsts += batch
    ok = sum(1 for f in firsts if f.result())
    print(f"READY ok={ok} failed={n - ok} reasons={stats.reasons}", flush=True)

    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            pass
        print(f"STATUS open={stats.open} events={stats.events} failed={stats.failed} "
              f"reasons={stats.reasons}", flush=True)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
