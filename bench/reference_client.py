"""The reference for ``bench/run.py`` figure 6: stock httpx2 and asyncio, nothing else.

Reads a JSON list of requests (method, url, headers, body) that checker would send,
sends them all through one ``httpx2.AsyncClient`` with ``--concurrency`` in flight, reads
each answer whole, and prints one JSON line: the seconds from the first request to the
last answer, and how many answers were 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import httpx2


async def send_all(requests: list[dict[str, Any]], concurrency: int) -> tuple[float, int]:
    limit = asyncio.Semaphore(concurrency)
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:

        async def one(request: dict[str, Any]) -> int:
            async with limit:
                response = await client.request(request["method"], request["url"],
                                                headers=request["headers"],
                                                json=request["body"])
                return response.status_code

        began = time.perf_counter()
        statuses = await asyncio.gather(*(one(r) for r in requests))
        return time.perf_counter() - began, sum(status == 200 for status in statuses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("requests", help="JSON file: a list of request objects")
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    with open(args.requests, encoding="utf-8") as handle:
        requests = json.load(handle)
    seconds, ok = asyncio.run(send_all(requests, args.concurrency))
    print(json.dumps({"seconds": seconds, "ok": ok, "total": len(requests)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
