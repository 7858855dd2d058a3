"""The WSGI entry point for production servers: ``gunicorn -c gunicorn.conf.py dialogue.wsgi:app``.

Configuration comes from the environment (see ``dialogue.core.config``). Behind a reverse proxy, set
``TRUSTED_PROXY_HOPS`` to the number of proxies in front of the app (usually 1): the client's
address is then taken from ``X-Forwarded-For`` as that many proxies saw it. Without it every
request would seem to come from the proxy, and the per-address rate limits on logging in would
be shared by everybody at once.
"""

from __future__ import annotations

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from dialogue import create_app
from dialogue.core.config import ConfigError


def proxy_hops() -> int:
    """How many proxies to trust for X-Forwarded-For and -Proto; 0 trusts none."""
    raw = os.environ.get("TRUSTED_PROXY_HOPS", "0")
    try:
        hops = int(raw)
    except ValueError:
        raise ConfigError(f"TRUSTED_PROXY_HOPS must be a whole number, not {raw!r}") from None
    if not 0 <= hops <= 5:
        raise ConfigError("TRUSTED_PROXY_HOPS must lie between 0 and 5")
    return hops


app = create_app()
if hops := proxy_hops():
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
