"""tput.py recv HOST PORT | send HOST PORT SECONDS: bulk TCP throughput.
recv accepts one connection, reads to EOF and prints the payload rate in
bits per second from its first byte to its last; send writes as fast as it
can for SECONDS, then closes. Bounded: recv gives up after 30 s."""
import socket, sys, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "recv":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port)); s.listen(1); s.settimeout(30)
    c, _ = s.accept(); c.settimeout(30)
    n = 0; first = last = None
    while True:
        b = c.recv(65536)
        if not b:
            break
        last = time.monotonic(); first = first or last; n += len(b)
    print(int(n * 8 / (last - first)) if first and last > first else 0)
else:
    s = socket.create_connection((host, port), timeout=10)
    buf = b"x" * 65536; end = time.monotonic() + float(sys.argv[4])
    while time.monotonic() < end:
        s.sendall(buf)
    s.close()
