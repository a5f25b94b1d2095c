"""Runs inside one network namespace of the test bed: listens, then sends, then reports.

Standard input, one JSON line at a time:
1. `{"tcp": [ports], "udp": [ports]}`: listen on these ports on every address (TCP accepts and
   closes; UDP echoes each datagram back), then print `ready`;
2. `[{"id": ..., "src": ..., "dst": ..., "proto": "tcp"|"udp", "port": N}, ...]`: open each
   connection from `src` (bound) to `dst`, all at once, and print one JSON line
   `{id: "arrived" | "dropped" | "refused"}`;
then it serves until standard input closes. Only the standard library: it runs under
`ip netns exec` with the test's own interpreter.
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 1.0
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux; Python 3.11 does not name it


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(tcp: list[int], udp: list[int]) -> None:
    selector = selectors.DefaultSelector()
    for family, any_address in ((socket.AF_INET, "0.0.0.0"),):
        for port in tcp:
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((any_address, port))
            s.listen(64)
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ, "tcp")
        for port in udp:
            s = socket.socket(family, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)  # to answer from the address that was asked
            s.bind((any_address, port))
            s.setblocking(False)
            selector.register(s, selectors.EVENT_READ, "udp")

    def loop() -> None:
        while True:
            for key, _ in selector.select():
                sock = key.fileobj
                try:
                    if key.data == "tcp":
                        conn, _ = sock.accept()  # type: ignore[union-attr]
                        conn.close()
                    else:
                        data, ancillary, _, peer = sock.recvmsg(2048, socket.CMSG_SPACE(12))  # type: ignore[union-attr]
                        # in_pktinfo: ifindex, local address, destination address; reply from the destination
                        info = next((d for level, kind, d in ancillary if level == socket.IPPROTO_IP and kind == IP_PKTINFO), None)
                        reply = [(socket.IPPROTO_IP, IP_PKTINFO, bytes(4) + info[8:12] + bytes(4))] if info else []
                        sock.sendmsg([data], reply, 0, peer)  # type: ignore[union-attr]
                except OSError:
                    pass

    threading.Thread(target=loop, daemon=True).start()


def probe(item: dict[str, object]) -> str:
    src, dst, port = str(item["src"]), str(item["dst"]), int(item["port"])  # type: ignore[call-overload]
    kind = socket.SOCK_STREAM if item["proto"] == "tcp" else socket.SOCK_DGRAM
    with socket.socket(_family(dst), kind) as s:
        s.settimeout(TIMEOUT)
        s.bind((src, 0))
        try:
            s.connect((dst, port))
            if kind == socket.SOCK_DGRAM:
                s.send(b"lyncposter")
                s.recv(2048)
            return "arrived"
        except ConnectionRefusedError:
            return "refused"
        except (socket.timeout, TimeoutError):
            return "dropped"
        except OSError as exc:
            return f"error: {exc}"


def main() -> None:
    listen = json.loads(sys.stdin.readline())
    serve(listen.get("tcp", []), listen.get("udp", []))
    print("ready", flush=True)
    line = sys.stdin.readline()
    if line:
        probes = json.loads(line)
        with ThreadPoolExecutor(max_workers=128) as pool:
            results = dict(zip((p["id"] for p in probes), pool.map(probe, probes)))
        print(json.dumps(results), flush=True)
    sys.stdin.read()  # serve until the test closes our input


if __name__ == "__main__":
    main()
