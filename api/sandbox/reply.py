"""What the sandbox sends back for one request, before any HTTP is involved.

A :class:`Reply` carries the answer and how to deliver it (late, or never), so the panel's
behaviour, faults included, can be exercised without a server; :mod:`api.sandbox.app`
only puts replies on the wire.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from api.sandbox.encoding import to_json
from api.sandbox.faults import Fault, FaultKind

JSON: Final = "application/json"
HTML: Final = "text/html"
TEXT: Final = "text/plain"


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, body and content type, ``delay`` seconds late.

    With ``hang`` there is no answer at all: the connection is held until shutdown.
    """

    status: int
    body: str
    content_type: str = JSON
    delay: float = 0.0
    hang: bool = False


# The shape of the page a CDN serves when the panel behind it is down; clients must treat
# it as "no answer", not as a refusal.
_BAD_GATEWAY_PAGE: Final = """<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>sandbox.panel | 502: Bad gateway</title>
<meta charset="UTF-8" />
<meta name="robots" content="noindex, nofollow" />
</head>
<body>
<div id="cf-wrapper">
<div id="cf-error-details" class="p-0">
<header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
<h1 class="inline-block sm:block sm:mb-2 font-light text-60 text-black-dark mr-2">
Bad gateway</h1>
<span class="inline-block sm:block font-mono text-15 lg:text-15">Error code 502</span>
</header>
<p>The web server reported a bad gateway error.</p>
<p>Cloudflare Ray ID: <strong class="font-semibold">{ray_id}</strong></p>
</div>
</div>
</body>
</html>
"""

# PHP panels running with display_errors on print warnings ahead of their JSON.
_PHP_WARNING: Final = (
    '<br />\n<b>Warning</b>:  Undefined array key "quantity" in '
    "<b>/var/www/html/app/Api/V2Controller.php</b> on line <b>214</b><br />\n"
)


def failure_reply(
    fault: Fault, applied_body: str | None, rng: random.Random, delay: float = 0.0
) -> Reply:
    """The answer of a failure ``fault`` (any kind but latency).

    ``applied_body`` is the real answer when the request was applied first (it is lost,
    except that a noisy PHP panel prints it after its warning).
    """
    match fault.kind:
        case FaultKind.HTML_502:
            ray_id = f"{rng.getrandbits(64):016x}"
            page = _BAD_GATEWAY_PAGE.replace("{ray_id}", ray_id)
            return Reply(502, page, HTML, delay)
        case FaultKind.TIMEOUT:
            return Reply(504, "", TEXT, delay, hang=True)
        case FaultKind.GARBAGE:
            body = fault.body if fault.body is not None else _PHP_WARNING + (applied_body or "")
            # Sent as JSON on purpose: a client must not trust the content type.
            return Reply(200, body, JSON, delay)
        case FaultKind.ERROR:
            return Reply(200, to_json({"error": fault.message}), JSON, delay)
        case FaultKind.LATENCY:
            raise ValueError("a latency fault delays an answer, it does not replace it")
        case FaultKind.HTTP_STATUS:
            body = fault.body or ""
            return Reply(fault.status, body, _guess_content_type(body), delay)


def _guess_content_type(body: str) -> str:
    start = body.lstrip()[:1]
    if start in ("{", "["):
        return JSON
    if start == "<":
        return HTML
    return TEXT
