"""The store connector contract: the same shape as a channel adapter (verify, identify, parse, fetch)."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from channels_adapters.base import ChannelAdapter, PayloadError, SignatureError  # noqa: F401 (re-exported)


class FetchError(Exception):
    """The store's API did not give the order; `retryable` when trying later may work."""

    def __init__(self, message, retryable=True):
        self.retryable = retryable
        super().__init__(message)


@dataclass(frozen=True)
class Delivery:
    """What a verified webhook tells: its dedupe key and topic; `ignored` for pings and topics we skip."""

    delivery_id: str
    topic: str = ""
    ignored: bool = False


@dataclass(frozen=True)
class StoreOrderLine:
    sku: str
    name: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class StoreOrder:
    """An order as a store describes it, in our words."""

    external_id: str
    number: str
    status: str  # placed | paid | cancelled | refunded
    total: Decimal
    currency: str
    placed_at: datetime
    changed_at: datetime
    buyer_email: str = ""
    buyer_phone: str = ""
    buyer_name: str = ""
    lines: tuple = field(default_factory=tuple)


class StoreConnector:
    kind = ""
    label = ""
    required_config: tuple = ()
    optional_config: tuple = ()
    secret_config: frozenset = frozenset()

    def __init__(self, store):
        self.store = store
        self.config = store.config

    # A store's configuration is checked and shown exactly as a channel's (channels_adapters/base.py).
    clean_config = vars(ChannelAdapter)["clean_config"]
    public_config = vars(ChannelAdapter)["public_config"]

    @classmethod
    def check_config(cls, config, errors):
        """Every value is text; then the connector's own checks (`check_store_config`), adding to `errors`."""
        errors.update({key: "must be text" for key, value in config.items() if not isinstance(value, str)})
        if not errors:
            cls.check_store_config(config, errors)

    @classmethod
    def check_store_config(cls, config, errors):
        """Connector-specific checks of a complete, all-text configuration."""

    def verify(self, request):
        """Raise SignatureError unless the request provably comes from this store."""
        raise NotImplementedError

    def identify(self, request) -> Delivery:
        """The delivery's dedupe key and topic; PayloadError when the body is not what the store sends."""
        raise NotImplementedError

    def orders(self, delivery) -> list:
        """The StoreOrders a stored delivery is about (fetching them when the webhook is thin)."""
        raise NotImplementedError
