"""netplan: networks (IPAM, bridges, namespaces, firewall, DNS). It imports neither `compose` nor `engine`."""
