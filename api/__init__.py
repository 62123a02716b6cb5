"""Client, typed models and a sandbox for the SMM panel "API v2" protocol.

This package knows nothing of Telegram or of the shop's database.
"""

from api.client import MAX_IDS_PER_CALL, PanelClient
from api.errors import (
    BatchInterrupted,
    InvalidRequest,
    PanelBadResponse,
    PanelConnectionError,
    PanelError,
    PanelRefusal,
    PanelServerError,
    PanelTimeout,
    PanelUnavailable,
    PanelUnreachable,
)
from api.models import (
    Balance,
    ItemError,
    OrderStatus,
    OrderType,
    RefillStatus,
    RefillStatusInfo,
    Service,
    StatusInfo,
)
from api.order_requests import (
    REQUEST_TYPES,
    SUBSCRIPTION_DELAYS,
    CustomCommentsOrder,
    CustomCommentsPackageOrder,
    DefaultOrder,
    MentionsCustomListOrder,
    MentionsHashtagOrder,
    MentionsUserFollowersOrder,
    MentionsWithHashtagsOrder,
    OrderRequest,
    PackageOrder,
    PollOrder,
    SubscriptionOrder,
)

__all__ = [
    "MAX_IDS_PER_CALL",
    "REQUEST_TYPES",
    "SUBSCRIPTION_DELAYS",
    "Balance",
    "BatchInterrupted",
    "CustomCommentsOrder",
    "CustomCommentsPackageOrder",
    "DefaultOrder",
    "InvalidRequest",
    "ItemError",
    "MentionsCustomListOrder",
    "MentionsHashtagOrder",
    "MentionsUserFollowersOrder",
    "MentionsWithHashtagsOrder",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "PackageOrder",
    "PanelBadResponse",
    "PanelClient",
    "PanelConnectionError",
    "PanelError",
    "PanelRefusal",
    "PanelServerError",
    "PanelTimeout",
    "PanelUnavailable",
    "PanelUnreachable",
    "PollOrder",
    "RefillStatus",
    "RefillStatusInfo",
    "Service",
    "StatusInfo",
    "SubscriptionOrder",
]
