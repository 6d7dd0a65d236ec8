"""Who the client is and whether it came over HTTPS, believing forwarding headers only from a
trusted proxy.

Behind nginx (deploy/nginx.conf) every request comes from nginx's address, and nginx says who
the visitor is in X-Real-IP and that it was HTTPS in X-Forwarded-Proto. Anybody can send those
headers, though: were they believed from any peer, a client could give itself a new address for
every request and so escape the login throttle and the chat rate limit. So they count only when
the direct peer is in TRUSTED_PROXIES (web/settings.py), which names no proxy unless configured.

Sanic's own REAL_IP_HEADER / PROXIES_COUNT handling is left off (web/app.py): it cannot check
the peer.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from sanic.request import Request
from sanic.response import HTTPResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
HSTS = "max-age=31536000"


@cache
def trusted_networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks: single addresses ("127.0.0.1") or ranges ("10.0.0.0/8")."""
    networks = []
    for entry in spec:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from error
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443", as some proxies write IPv6
        text = text[1 : text.index("]")]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # "::ffff:127.0.0.1" on a dual-stack socket
    return address


def _trusted(text: str, networks: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


def _networks(request: Request) -> tuple[Network, ...]:
    return trusted_networks(request.app.ctx.settings.trusted_proxies)


def from_trusted_proxy(request: Request) -> bool:
    return _trusted(request.ip or "", _networks(request))


def client_address(request: Request) -> str:
    """The visitor's address: the one a trusted proxy reports, else the socket's peer.

    X-Real-IP is what our nginx sets. Failing that, X-Forwarded-For is read from the right
    (each proxy appends the address it saw), skipping trusted proxies: the first other
    address is the last one a trusted proxy vouched for; what lies left of it is the
    client's own claim."""
    peer = request.ip or ""
    networks = _networks(request)
    if not _trusted(peer, networks):
        return peer
    real_ip = _address(request.headers.get("x-real-ip", ""))
    if real_ip is not None:
        return str(real_ip)
    hops = [
        hop for value in request.headers.getall("x-forwarded-for", []) for hop in value.split(",")
    ]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbled: believe nothing further left
        client = str(address)
        if not any(address in network for network in networks):
            break
    return client


def is_https(request: Request) -> bool:
    """Served over HTTPS: by this process itself, or by a trusted proxy that says so."""
    if request.conn_info is not None and request.conn_info.ssl:
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https" and from_trusted_proxy(request)


async def add_hsts(request: Request, resp: HTTPResponse) -> None:
    """Browsers that saw the site over HTTPS keep to HTTPS for a year (no downgrade by a
    network that strips TLS). Only on HTTPS responses: browsers ignore it over HTTP anyway,
    and on a plain-HTTP install it would say something untrue."""
    if is_https(request):
        resp.headers["Strict-Transport-Security"] = HSTS
