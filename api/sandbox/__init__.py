"""A fake SMM panel speaking API v2 over HTTP.

It keeps real accounts (charges and refunds in :class:`~decimal.Decimal`), moves orders
and refills through their lifecycles on a clock, refuses bad requests with the wording of
real panels, and can be told to fail the ways real panels and their proxies fail. Tests,
benchmarks and a shop owner trying the bot all use it instead of a paid panel::

    panel = SandboxPanel(clock=ManualClock())
    panel.add_account("demo-key", Decimal("50"))
    app = create_app(panel)  # serves /api/v2

From a shell: ``python -m api.sandbox --key demo-key`` (or ``smm-sandbox``).
"""

from api.sandbox.app import create_app
from api.sandbox.catalogue import ServiceRow, builtin_catalogue, generated_catalogue
from api.sandbox.clock import Clock, ManualClock, RealClock
from api.sandbox.corpus import real_world_catalogue
from api.sandbox.faults import Fault, FaultKind, FaultPlan
from api.sandbox.panel import (
    CANCEL_MARKER,
    FIRST_ORDER_ID,
    PARTIAL_MARKER,
    REFILL_REJECT_MARKER,
    SandboxPanel,
)
from api.sandbox.records import Account, Outcome, RecordedRequest, SandboxOrder, SandboxRefill
from api.sandbox.reply import Reply

__all__ = [
    "CANCEL_MARKER",
    "FIRST_ORDER_ID",
    "PARTIAL_MARKER",
    "REFILL_REJECT_MARKER",
    "Account",
    "Clock",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "ManualClock",
    "Outcome",
    "RealClock",
    "RecordedRequest",
    "Reply",
    "SandboxOrder",
    "SandboxPanel",
    "SandboxRefill",
    "ServiceRow",
    "builtin_catalogue",
    "create_app",
    "generated_catalogue",
    "real_world_catalogue",
]
