#!/usr/bin/env python3
# soak-client.py — the soak's load: N concurrent clients and an admin task
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: soak-client.py URL KEY ADMIN_KEY ORG_ID SECONDS CONCURRENCY
#
# KEY (a chat key) sends the load; ADMIN_KEY makes the admin changes.
#
# N clients loop for SECONDS, each on its own keep-alive connection,
# mixing streamed and whole answers; about 10 % of the requests ask the
# mock upstream for a fault (5xx, 429, overload, garbage, a broken or
# erroring stream, no answer).  Meanwhile one admin task creates, uses,
# rotates, disables and deletes keys and changes a provider.  When the
# time is up no new request starts; the ones in flight finish, so every
# request sent has its answer.  Prints one JSON report on stdout.
#
# Only loopback: URL must be http://127.0.0.1:PORT.

import asyncio
import collections
import json
import random
import sys
import time

URL, KEY, ADMIN_KEY, ORG_ID = sys.argv[1:5]
SECONDS, CONCURRENCY = float(sys.argv[5]), int(sys.argv[6])
HOST, PORT = URL.removeprefix("http://").split(":")
PORT = int(PORT)
assert HOST in ("127.0.0.1", "localhost"), "the soak only talks to loopback"

# (weight, model, stream): about 10 % faults.
MIX = [
    (42, "mock/ok", False),
    (38, "mock/ok", True),
    (5, "soakp/ok", True),
    (5, "soakp/ok", False),
    (2, "mock/error500", False),
    (1, "mock/error429", False),
    (1, "mock/overloaded", False),
    (1, "mock/garbage", False),
    (2, "mock/truncated", True),
    (2, "mock/stream-error", True),
    (1, "mock/slow", False),   # connect 1 s + first byte 2 s: a 504 after 3 s
]
WEIGHTS = [m[0] for m in MIX]

stats = {
    "chat_requests_sent": 0,
    "chat_answers": 0,
    "outcomes": collections.Counter(),
    "admin": collections.Counter(),
    "latency_ms": [],
}


class Conn:
    """One keep-alive HTTP/1.1 connection to the gateway."""

    def __init__(self):
        self.reader = self.writer = None

    async def ensure(self):
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(HOST, PORT)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, key, body=None):
        await self.ensure()
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
                f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        self.writer.write(head + data)
        await self.writer.drain()
        return await self.read_answer()

    async def read_answer(self):
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            body = b"".join(parts)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


def classify(status, body, stream):
    if status == 200 and stream:
        text = body.decode("utf-8", "replace")
        if '"error"' in text:
            try:
                line = next(l for l in text.split("\n") if l.startswith("data: {") and '"error"' in l)
                code = json.loads(line[6:])["error"].get("code")
            except (StopIteration, ValueError, KeyError):
                code = "?"
            return f"200 stream, error event {code}"
        return "200 stream" if text.rstrip().endswith("data: [DONE]") else "200 stream, no [DONE]"
    if status == 200:
        return "200"
    try:
        code = json.loads(body)["error"].get("code")
    except (ValueError, KeyError, TypeError):
        code = "?"
    return f"{status} {code}"


async def chat(conn, key, model, stream):
    body = {"model": model, "stream": stream,
            "messages": [{"role": "user", "content": "soak"}]}
    if stream:
        body["stream_options"] = {"include_usage": True}
    stats["chat_requests_sent"] += 1
    started = time.monotonic()
    status, _, answer = await conn.request("POST", "/v1/chat/completions", key, body)
    stats["chat_answers"] += 1
    stats["latency_ms"].append((time.monotonic() - started) * 1000)
    return status, answer


async def client(deadline):
    conn = Conn()
    while time.monotonic() < deadline:
        _, model, stream = random.choices(MIX, WEIGHTS)[0]
        try:
            status, answer = await chat(conn, KEY, model, stream)
            stats["outcomes"][classify(status, answer, stream)] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            stats["outcomes"][f"client error {type(e).__name__}"] += 1
            conn.close()
    conn.close()


async def admin(deadline):
    """Key and provider changes while the load runs."""
    conn = Conn()
    step = 0
    while time.monotonic() < deadline:
        step += 1
        try:
            s, _, b = await conn.request("POST", "/v1/api-keys", ADMIN_KEY,
                                         {"name": f"soak-{step}", "org_id": ORG_ID,
                                          "permissions": ["chat"]})
            stats["admin"][f"create key {s}"] += 1
            created = json.loads(b)
            kid, secret = created["id"], created["key"]

            s, _ = await chat(conn, secret, "mock/ok", False)
            stats["admin"][f"chat with new key {s}"] += 1
            s, _, b = await conn.request("POST", f"/v1/api-keys/{kid}/rotate", ADMIN_KEY)
            stats["admin"][f"rotate key {s}"] += 1
            new_secret = json.loads(b)["key"]
            s, _ = await chat(conn, secret, "mock/ok", False)
            stats["admin"][f"chat with rotated-away secret {s}"] += 1
            s, _ = await chat(conn, new_secret, "mock/ok", True)
            stats["admin"][f"chat with new secret {s}"] += 1
            s, _, _ = await conn.request("PATCH", f"/v1/api-keys/{kid}", ADMIN_KEY, {"status": "disabled"})
            stats["admin"][f"disable key {s}"] += 1
            s, _ = await chat(conn, new_secret, "mock/ok", False)
            stats["admin"][f"chat with disabled key {s}"] += 1
            s, _, _ = await conn.request("DELETE", f"/v1/api-keys/{kid}", ADMIN_KEY)
            stats["admin"][f"delete key {s}"] += 1
            s, _, _ = await conn.request("PATCH", "/v1/providers/soakp", ADMIN_KEY,
                                         {"first_byte_timeout_seconds": 20 + step % 2,
                                          "x_title": f"soak {step}"})
            stats["admin"][f"change provider {s}"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError, KeyError) as e:
            stats["admin"][f"admin error {type(e).__name__}"] += 1
            conn.close()
        await asyncio.sleep(0.5)
    conn.close()


async def main():
    deadline = time.monotonic() + SECONDS
    started = time.monotonic()
    await asyncio.gather(admin(deadline), *(client(deadline) for _ in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    lat = sorted(stats["latency_ms"])

    def pct(p):
        return round(lat[min(len(lat) - 1, int(len(lat) * p / 100))], 1) if lat else None

    report = {
        "seconds": round(elapsed, 1),
        "concurrency": CONCURRENCY,
        "chat_requests_sent": stats["chat_requests_sent"],
        "chat_answers": stats["chat_answers"],
        "requests_per_second": round(stats["chat_answers"] / elapsed, 1),
        "latency_ms": {"p50": pct(50), "p90": pct(90), "p99": pct(99), "max": pct(100)},
        "outcomes": dict(stats["outcomes"].most_common()),
        "admin": dict(sorted(stats["admin"].items())),
    }
    print(json.dumps(report, indent=2))


asyncio.run(main())
