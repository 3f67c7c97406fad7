/*
 * sockown.h — which process on this machine holds a TCP connection, found
 * the way ss(8) does without netlink: the connection's inode in
 * /proc/net/tcp and tcp6 by its ports, then the process with a descriptor
 * "socket:[INODE]". Used to find what runs a PostgreSQL node (Patroni's
 * own connection to it) and which processes connect through a route.
 */
#ifndef SD_SOCKOWN_H
#define SD_SOCKOWN_H

#include <sys/types.h>

/* The process holding the connection from local port lport to remote
 * port rport (either address, v4 or v6); 0 when none is found. */
pid_t sock_owner_tcp(int lport, int rport);
/* Every process holding a TCP socket listening on port lport (v4 or v6),
 * up to max of them in out; how many were found. */
size_t sock_listeners_tcp(int lport, pid_t *out, size_t max);
/* The TCP ports process pid listens on (v4 or v6), up to max in out; how
 * many. */
size_t sock_listen_ports(pid_t pid, int *out, size_t max);

#endif
