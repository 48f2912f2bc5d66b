"""The userland port proxy: one process that serves every published port of the host.

It listens on `host_ip:host_port` (tcp and udp) and forwards to `container_ip:container_port`,
for clients the firewall's DNAT cannot serve (the host's own loopback when `route_localnet`
is off, or a host with no firewall). Unlike docker-proxy, one process serves many ports,
and it is reconfigured over a control socket without a restart.

    client.start(run_root) -> ProxyClient     spawn the proxy, return a handle
    ProxyClient(run_root)                     attach to a running proxy
      .add(ports) / .remove(ports) / .list() / .stats() / .stop()
    bind.check_available(ports)               PortInUse before anything is created

Modules: `server` (the process: table, control ops, lifetime), `control` (JSON lines),
`tcp` and `pump` (connections; splice(2) or buffered copy), `udp` (flows), `bind` (host
sockets, all or nothing), `holder` (who holds a port), `loop` (epoll), `wire` (JSON form).
"""
