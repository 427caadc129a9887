"""Which addresses a crawl of public sites may connect to: pure rules, no network.

An IPv6 address can carry an IPv4 one: IPv4-mapped and IPv4-compatible forms, the NAT64
prefixes, 6to4, Teredo and ISATAP. A NAT64 gateway or a tunnel delivers ``64:ff9b::7f00:1``
to 127.0.0.1, so every embedded IPv4 address is decoded and must be public as well. Host
names that spell an IPv4 address the old way (``2130706433``, ``0x7f.1``, ``127.1``) are
read as the address the system would connect to.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
"""RFC 6052: the IPv4 address is the last 32 bits."""
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
"""RFC 8215: a network's own translators; never a public destination."""
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
"""RFC 2765 (SIIT): ``::ffff:0:a.b.c.d``."""
_ISATAP_IDS = (0x0000_5EFE, 0x0200_5EFE)
"""ISATAP interface identifiers (RFC 5214): the last 32 bits are the IPv4 tunnel end."""
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan")
_OLD_STYLE_IPV4 = re.compile(r"^(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}$", re.IGNORECASE)


def embedded_ipv4(ip: IPv6Address) -> list[IPv4Address]:
    """Every IPv4 address ``ip`` carries, in whichever of the standard forms."""
    found: list[IPv4Address] = []
    value = int(ip)
    low = IPv4Address(value & 0xFFFF_FFFF)
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if (ip in _IPV4_COMPATIBLE and value > 1) or ip in _IPV4_TRANSLATED or ip in _NAT64_WELL_KNOWN:
        found.append(low)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # the server, and the client behind its NAT
    if (value >> 32) & 0xFFFF_FFFF in _ISATAP_IDS:
        found.append(low)
    return found


def parse_address(address: str) -> IPAddress | None:
    """An IP address from its text (an IPv6 zone ``%eth0`` dropped), or None."""
    try:
        return ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_public_ip(ip: IPAddress) -> bool:
    """True for a globally routable unicast address, including every IPv4 address inside it."""
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, IPv6Address):
        if ip in _NAT64_LOCAL_USE:
            return False
        return all(v4.is_global and not v4.is_multicast for v4 in embedded_ipv4(ip))
    return True


def is_public_address(address: str) -> bool:
    """True for the text of a public address (see :func:`is_public_ip`); False for anything else."""
    ip = parse_address(address)
    return ip is not None and is_public_ip(ip)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host names by itself (no lookup), or None for a host name."""
    ip = parse_address(host)
    if ip is not None:
        return ip
    if _OLD_STYLE_IPV4.match(host):
        try:
            return IPv4Address(socket.inet_aton(host))  # what the C library would connect to
        except OSError:
            return None
    return None


def is_local_name(host: str) -> bool:
    """Names that mean this machine or the local network, whatever DNS says."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(_LOCAL_SUFFIXES)
