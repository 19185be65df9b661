"""Where `make run` listens (``PORTAL_BIND``), and what follows from it: the host names the
portal answers to, the origins trusted for CSRF, and the portal's own address put in the
links of messages (``SITE_URL``).

A camp laptop serves the phones on its own Wi-Fi or hotspot: bound to ``0.0.0.0:8000`` it
must answer to ``http://192.168.43.10:8000/`` (its address on that network), and an SMS
sent from it must link there, not to ``127.0.0.1``. Everything here is a pure function of
the bind address and the machine's addresses, so the rules are tested without a network;
``machine_addresses`` is the one function that asks the operating system.
"""

import ipaddress
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = {"0.0.0.0", "::", "0"}  # noqa: S104 (compared, not bound); "0" is 0.0.0.0
# Interfaces that are not the camp's network: containers, VMs and VPN tunnels. Their
# addresses are still answered to, but never chosen as the address printed and linked.
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg")

_BIND = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:.]+\]|[^:\[\]]+):)?(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class Bind:
    """A ``host:port`` the development server listens on (host without brackets)."""

    host: str
    port: int

    @property
    def is_wildcard(self) -> bool:
        return self.host in WILDCARDS

    @property
    def is_local(self) -> bool:
        """Reachable from this machine only."""
        return self.host == "localhost" or _is_loopback(self.host)


def parse_bind(value: str) -> Bind:
    """``8000``, ``0.0.0.0:8000``, ``[::]:8000``, ``192.168.1.5:8000``, ``localhost:8000``
    (runserver's ``addrport``); anything else stops the start."""
    match = _BIND.match((value or "").strip())
    port = int(match["port"]) if match else 0
    if not match or not 0 < port < 65536:
        raise ImproperlyConfigured(f"PORTAL_BIND={value!r}: write it like 0.0.0.0:8000.")
    host = (match["host"] or "127.0.0.1").strip("[]")
    return Bind(host=host, port=port)


def _ip(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _ip(host)
    return bool(address and address.is_loopback)


def as_host(address: str) -> str:
    """An address as it is written in a URL or a Host header (IPv6 in brackets)."""
    ip = _ip(address)
    return f"[{address}]" if ip and ip.version == 6 else address


def private_addresses(addresses) -> list[str]:
    """The addresses a phone on the same Wi-Fi can reach, IPv4 first: private (RFC 1918,
    IPv6 unique-local), not loopback, not link-local (a link-local IPv6 address needs a
    zone id no browser puts in a Host header)."""
    found = []
    for address in addresses:
        ip = _ip(address)
        if ip and ip.is_private and not ip.is_loopback and not ip.is_link_local:
            found.append(ip)
    found.sort(key=lambda ip: ip.version)
    return list(dict.fromkeys(str(ip) for ip in found))


def allowed_hosts(bind: Bind, *, addresses=(), extra=()) -> list[str]:
    """The host names the portal answers to when it listens on ``bind``: the local names
    always; bound to every interface, the machine's private addresses; bound to one
    address, that one; plus ``extra`` (``PORTAL_HOSTS``: a name the camp's router gives)."""
    hosts = list(LOCAL_NAMES)
    if bind.is_wildcard:
        hosts += [as_host(address) for address in private_addresses(addresses)]
    elif not bind.is_local:
        hosts.append(as_host(bind.host))
    hosts += [host.strip() for host in extra if host.strip()]
    return list(dict.fromkeys(hosts))


def csrf_trusted_origins(bind: Bind, hosts) -> list[str]:
    """``http://host:port`` for each host served over the development server's plain HTTP
    (patterns such as ``.example.org`` or ``*`` are not origins and are left out)."""
    return [
        f"http://{host}:{bind.port}"
        for host in hosts
        if host and not host.startswith(".") and "*" not in host
    ]


def site_url(bind: Bind, *, addresses=()) -> str:
    """The portal's address as a phone on the same network opens it: bound to every
    interface, the machine's first private address (else 127.0.0.1)."""
    host = bind.host
    if bind.is_wildcard:
        reachable = private_addresses(addresses)
        host = reachable[0] if reachable else "127.0.0.1"
    return f"http://{as_host(host)}:{bind.port}"


def machine_addresses() -> list[str]:
    """This machine's IP addresses, the camp network's interfaces before virtual ones
    (containers, VPNs), in the operating system's order otherwise."""
    import socket

    import psutil

    real, virtual = [], []
    for name, entries in psutil.net_if_addrs().items():
        bucket = virtual if name.startswith(VIRTUAL_PREFIXES) else real
        bucket += [
            entry.address.split("%")[0]
            for entry in entries
            if entry.family in (socket.AF_INET, socket.AF_INET6)
        ]
    return real + virtual
