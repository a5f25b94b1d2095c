"""Stand-in servers for `lyncposter probe`, run inside a test's network namespace.

Standard input: one JSON line, a list of services `{"kind", "address", "port"}` (TLS kinds add
`cert` and `key` files, `dns` adds `records`: {name: address}). Kinds:

- `http`, `https`: Python's http.server (over ssl for https), answering every GET;
- `sip-tls`, `sip`: a SIP responder: each request gets `SIP/2.0 200 OK` with its Via, From,
  To, Call-ID and CSeq (RFC 3261 8.2.6);
- `tls`: a TLS server that completes the handshake and closes;
- `stun-udp`, `stun-tcp`: a STUN server written from RFC 5389: a Binding request gets a
  Binding success response with XOR-MAPPED-ADDRESS;
- `silent-udp`: a bound UDP port that never answers;
- `dns`: a DNS server (dnspython) answering A queries from `records`, NXDOMAIN otherwise.

It prints `ready` once every port is bound and serves until standard input closes.
"""

from __future__ import annotations

import http.server
import json
import socket
import socketserver
import ssl
import struct
import sys
import threading

COOKIE = 0x2112A442


def stun_reply(data: bytes, peer: tuple[str, int]) -> bytes | None:
    """A Binding success response for a Binding request (RFC 5389 sections 6, 7.3.1, 15.2)."""
    if len(data) < 20 or data[0] & 0xC0 or struct.unpack("!I", data[4:8])[0] != COOKIE:
        return None
    kind, length = struct.unpack("!HH", data[:4])
    if kind != 0x0001 or len(data) < 20 + length:
        return None
    transaction = data[8:20]
    address, port = peer[0], peer[1]
    xport = port ^ (COOKIE >> 16)
    xaddress = struct.unpack("!I", socket.inet_aton(address))[0] ^ COOKIE
    attribute = struct.pack("!HHBBHI", 0x0020, 8, 0, 0x01, xport, xaddress)  # XOR-MAPPED-ADDRESS, IPv4
    return struct.pack("!HHI", 0x0101, len(attribute), COOKIE) + transaction + attribute


def sip_reply(request: bytes) -> bytes:
    lines = request.decode("latin-1").split("\r\n")
    keep = [line for line in lines[1:] if line.split(":")[0].strip().lower() in ("via", "from", "to", "call-id", "cseq")]
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nServer: lyncposter stand-in\r\nContent-Length: 0\r\n\r\n").encode()


class Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"stand-in web services\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def tls_context(service: dict[str, object]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(service["cert"]), str(service["key"]))
    return context


def tcp_server(service: dict[str, object], handle) -> None:  # type: ignore[no-untyped-def]
    listener = socket.create_server((str(service["address"]), int(service["port"])))  # type: ignore[call-overload]
    context = tls_context(service) if service["kind"] in ("https", "sip-tls", "tls") else None

    def one(conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            if context is not None:
                conn = context.wrap_socket(conn, server_side=True)
            handle(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def loop() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def sip(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    conn.sendall(sip_reply(data))


def stun_tcp(conn: socket.socket) -> None:
    data = conn.recv(2048)
    reply = stun_reply(data, conn.getpeername())
    if reply:
        conn.sendall(reply)


def start(service: dict[str, object]) -> None:
    kind, address, port = service["kind"], str(service["address"]), int(service["port"])  # type: ignore[call-overload]
    if kind in ("http", "https"):
        server = socketserver.ThreadingTCPServer((address, port), Quiet)
        server.daemon_threads = True
        if kind == "https":
            server.socket = tls_context(service).wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    elif kind in ("sip", "sip-tls"):
        tcp_server(service, sip)
    elif kind == "tls":
        tcp_server(service, lambda conn: None)
    elif kind == "stun-tcp":
        tcp_server(service, stun_tcp)
    elif kind in ("stun-udp", "silent-udp", "dns"):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((address, port))

        def udp() -> None:
            while True:
                data, peer = sock.recvfrom(4096)
                if kind == "stun-udp":
                    reply = stun_reply(data, peer)
                elif kind == "dns":
                    reply = dns_reply(data, service.get("records", {}))  # type: ignore[arg-type]
                else:
                    reply = None
                if reply:
                    sock.sendto(reply, peer)

        threading.Thread(target=udp, daemon=True).start()
    else:
        raise SystemExit(f"unknown stand-in kind {kind}")


def dns_reply(data: bytes, records: dict[str, str]) -> bytes:
    import dns.message
    import dns.rcode
    import dns.rrset

    query = dns.message.from_wire(data)
    response = dns.message.make_response(query)
    question = query.question[0]
    name = question.name.to_text().rstrip(".").lower()
    if name in records and question.rdtype == 1:  # A
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", records[name]))
    elif name not in records:
        response.set_rcode(dns.rcode.NXDOMAIN)
    return response.to_wire()  # type: ignore[no-any-return]


def main() -> None:
    for service in json.loads(sys.stdin.readline()):
        start(service)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
