#!/usr/bin/env python3
"""httpvariants.py PORT REQLOG: an HTTP/1.1 server on 127.0.0.1:PORT whose
answers take every shape the load engine must read, chosen by path:

  /cl         200, Content-Length, keep-alive
  /chunked    200, Transfer-Encoding: chunked (three chunks), keep-alive
  /eof        200, no length: the body ends when the connection closes
  /close      200, Content-Length, Connection: close
  /r429       429 with Retry-After: 1
  /r429n      429 without Retry-After
  /r503       503
  /head       200 with a Content-Length but, to HEAD, no body
  /hang       reads the request, never answers
  /cut        reads the request, closes without a byte
  /idleclose  200 keep-alive, then closes the idle connection soon after
  /big        200, a 300 KiB body in pieces
  /echo       200, the request's bytes as the body

Every request's head and body go, once per connection's first request, to
REQLOG (one JSON line). Threads, not speed: bounded loads only."""
import json, socket, sys, threading, time

port, reqlog = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()


def read_request(f):
    line = f.readline()
    if not line:
        return None
    head = [line]
    length = 0
    while True:
        h = f.readline()
        if not h:
            return None
        head.append(h)
        if h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("latin-1").partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    body = f.read(length) if length else b""
    return b"".join(head), body


def serve(conn):
    f = conn.makefile("rb")
    first = True
    try:
        while True:
            r = read_request(f)
            if r is None:
                return
            head, body = r
            method, path = head.split(b" ")[0:2]
            path = path.decode().split("?")[0]
            if first:
                with lock, open(reqlog, "a") as o:
                    o.write(json.dumps({"head": head.decode("latin-1"), "body": body.decode("latin-1")}) + "\n")
                first = False
            ok = b"HTTP/1.1 200 OK\r\n"
            if path == "/cl":
                conn.sendall(ok + b"Content-Length: 15\r\n\r\n" + b'{"status":"ok"}')
            elif path == "/chunked":
                conn.sendall(ok + b"Transfer-Encoding: chunked\r\n\r\n")
                conn.sendall(b"5\r\nhello\r\n")
                conn.sendall(b"1\r\n,\r\n6\r\n world\r\n0\r\n\r\n")
            elif path == "/eof":
                conn.sendall(ok + b"\r\nthe body ends with the connection")
                return
            elif path == "/close":
                conn.sendall(ok + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
                return
            elif path == "/r429":
                conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n")
            elif path == "/r429n":
                conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n")
            elif path == "/r503":
                conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown")
            elif path == "/head":
                conn.sendall(ok + b"Content-Length: 1000\r\n\r\n" + (b"" if method == b"HEAD" else b"x" * 1000))
            elif path == "/hang":
                time.sleep(30)
                return
            elif path == "/cut":
                return
            elif path == "/idleclose":
                conn.sendall(ok + b"Content-Length: 2\r\n\r\nok")
                time.sleep(0.02)
                return
            elif path == "/big":
                conn.sendall(ok + b"Content-Length: %d\r\n\r\n" % (300 * 1024))
                for _ in range(300):
                    conn.sendall(b"y" * 1024)
            elif path == "/echo":
                data = head + body
                conn.sendall(ok + b"Content-Length: %d\r\n\r\n" % len(data) + data)
            else:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(512)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
