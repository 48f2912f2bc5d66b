"""The userland port proxy: one process that serves every published port of the host.

It listens on `host_ip:host_port` (tcp and udp) and forwards to `container_ip:container_port`,
for clients the firewall's DNAT does not serve: the host's own loopback, which the DNAT leaves
to the proxy when it is on (Docker's default), and ::1, which no DNAT can serve. Unlike
docker-proxy, one process serves many ports, and it is reconfigured over a control socket
without a restart.

    on_demand.OnDemandProxy(dir)              what a NetworkService publishes through: the proxy
                                              started by the first port, stopped with the last
    client.start(run_root) -> ProxyClient     spawn the proxy, return a handle
    ProxyClient(run_root)                     attach to a running proxy
      .add(ports) / .remove(ports) / .list() / .stats() / .stop()
    bind.check_available(ports)               PortInUse before anything is created

Modules: `on_demand` (its lifecycle for the service), `server` (the process: table, control
ops, lifetime), `control` (JSON lines), `tcp` and `pump` (connections; splice(2) or buffered
copy), `udp` (flows), `bind` (host sockets, all or nothing), `holder` (who holds a port),
`loop` (epoll), `wire` (JSON form).
"""
