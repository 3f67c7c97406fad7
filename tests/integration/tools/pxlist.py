#!/usr/bin/env python3
"""pxlist.py SOCKET ROUTE: how many toxics a running `shakedown proxy` has
on ROUTE, asked on its control socket (one JSON line each way)."""
import json
import socket
import sys

s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b'{"op":"list"}\n')
answer = json.loads(s.makefile().readline())
for route in answer["routes"]:
    if route["name"] == sys.argv[2]:
        print(len(route["toxics"]))
        sys.exit(0)
sys.exit("no route " + sys.argv[2])
