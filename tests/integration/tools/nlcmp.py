"""nlcmp.py TC_STRACE OURS [N]: compare the netlink request tc sent (strace
-e write=all -xx of its sendmsg) with the N-th (default 1st) request
`shakedown plan --raw` prints, byte for byte but for the sequence number and
port (bytes 8-15, set when a request is sent)."""
import sys, re
def strace_msgs(path):
    msgs=[];cur=None
    for line in open(path):
        if re.match(r'\s*\* \d+ bytes in buffer',line):
            cur=[];msgs.append(cur);continue
        m=re.match(r'\s*\| [0-9a-f]{5}  ((?:[0-9a-f]{2}\s{1,2})+)',line)
        if m and cur is not None:
            cur.extend(m.group(1).split())
    return msgs
def our_msgs(path):
    return [l.split()[1:] for l in open(path) if l.strip().startswith('netlink ')]
a=strace_msgs(sys.argv[1]); b=our_msgs(sys.argv[2])
if len(sys.argv) > 3:
    b=b[int(sys.argv[3])-1:int(sys.argv[3])]
a=a[:1] if len(sys.argv) > 3 else a
def mask(m): return m[:8]+['..']*8+m[16:]
if len(a)!=len(b): print("count differs: tc %d, shakedown %d"%(len(a),len(b))); sys.exit(1)
for i,(x,y) in enumerate(zip(a,b)):
    if mask(x)!=mask(y):
        d=[j for j in range(max(len(x),len(y))) if j>=len(x) or j>=len(y) or (mask(x)[j]!=mask(y)[j])]
        print("message %d differs at byte %d: tc %s / shakedown %s"%(i+1,d[0],' '.join(x[d[0]:d[0]+8]),' '.join(y[d[0]:d[0]+8]))); sys.exit(1)
print("identical: %d message(s), %d bytes"%(len(a),sum(len(x) for x in a)))
