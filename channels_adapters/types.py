"""Typed values exchanged between adapters and the domain. Adapters produce and consume only these."""
from dataclasses import dataclass, field
from datetime import datetime

from conversations.failure_reasons import FailureReason


@dataclass(frozen=True)
class RawRequest:
    """A webhook request as it was received (and stored in RawInboundEvent)."""

    body: bytes
    headers: dict
    content_type: str = ""
    query_string: str = ""
    method: str = "POST"
    path: str = ""

    def header(self, name, default=""):
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default


@dataclass(frozen=True)
class Sender:
    kind: str  # an identity kind: phone, email, messenger, ...
    address: str
    name: str = ""
    verified: bool = True  # proven by the provider (a phone number that wrote to us)


@dataclass(frozen=True)
class Attachment:
    filename: str = ""
    content_type: str = ""
    content: bytes | None = None  # inline bytes (email), or
    url: str = ""  # media the provider lets us fetch later
    content_id: str = ""
    size: int = 0
    media_id: str = ""  # a provider media id the adapter resolves when fetching (WhatsApp Cloud, Telegram)


@dataclass(frozen=True)
class InboundMessage:
    external_id: str
    sender: Sender
    text: str = ""
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    sent_at: datetime | None = None
    reply_to: tuple[str, ...] = ()  # provider ids of messages this one answers
    metadata: dict = field(default_factory=dict)
    # False for auto-replies and the like: stored and shown, but they must not reopen or trigger answers.
    reopens: bool = True


@dataclass(frozen=True)
class InboundCall:
    """A phone call the telephony system (CTI) reports: started, then ended; one record per `call_id`."""

    call_id: str
    event: str  # "call.started" / "call.ended"
    direction: str  # "inbound" (the customer called) / "outbound" (an agent called them)
    customer: Sender  # the customer's side of the call: the caller of an inbound call
    at: datetime
    duration_seconds: int | None = None
    outcome: str = ""  # answered / missed / voicemail / busy / failed, when it ended
    recording: Attachment | None = None

    def facts(self):
        """What the conversation keeps of this event (metadata["call"])."""
        facts = {"direction": self.direction, "state": "ended" if self.event == "call.ended" else "started"}
        if self.event == "call.ended":
            facts.update(duration_seconds=self.duration_seconds, outcome=self.outcome, ended_at=self.at.isoformat())
        else:
            facts["started_at"] = self.at.isoformat()
        return facts

    def as_message(self):
        """The call as the one ingest path takes it: from the customer's number, in their conversation."""
        return InboundMessage(
            external_id=f"call:{self.call_id}", sender=self.customer, text="", sent_at=self.at,
            attachments=(self.recording,) if self.recording else (), metadata={"call": self.facts()},
            # The customer calling reopens the conversation like any message; our own call to them does not.
            reopens=self.direction == "inbound",
        )


@dataclass(frozen=True)
class InboundStatus:
    external_id: str  # the provider id of OUR outbound message
    status: str  # sent / delivered / read / failed
    reason: FailureReason | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class InboundReceipt:
    """Everything we sent to `recipient` on this channel up to `up_to` reached `status` (Messenger watermarks)."""

    recipient_kind: str
    recipient_address: str
    status: str  # delivered / read
    up_to: datetime


@dataclass(frozen=True)
class OutboundTemplate:
    """An approved template chosen by the agent; the adapter finds its provider reference in its config."""

    name: str
    language: str
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    to: str  # normalised identity address
    to_kind: str
    text: str
    cc: tuple[str, ...] = ()  # participants of the conversation copied on the reply (carbon_copies channels)
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    author_name: str = ""
    # The customer's message this one answers, when it came on the same channel
    # (empty otherwise): its provider id and stored facts (e.g. email subject, references).
    reply_to_external_id: str = ""
    reply_to_metadata: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    template: OutboundTemplate | None = None
    # Sent after the standard reply window, inside the longer one allowed to human agents (Messenger tag).
    human_agent: bool = False


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str = ""
    reason: FailureReason | None = None
    retryable: bool = False  # a temporary failure (timeout, 429, 5xx): try again later
    retry_after: float | None = None  # seconds, when the provider says


@dataclass(frozen=True)
class Capabilities:
    html: bool = False
    attachments: bool = False
    max_attachments: int = 0  # per reply, when attachments is True
    max_length: int | None = None  # characters of one reply: longer ones are refused before they are queued
    max_caption_length: int | None = None  # characters of text that may go with an attachment
    # Free-form replies only within this many hours of the customer's last message on the channel.
    reply_window_hours: int | None = None
    # Past the reply window, a human agent may still answer (tagged) for this many hours (Messenger: 7 days).
    human_agent_window_hours: int | None = None
    # Past the reply window, an approved template (from the channel's config) may still be sent.
    templates_outside_window: bool = False
    # One message reaches several people (email Cc): replies from others join the thread they answer.
    carbon_copies: bool = False


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    content_type: str
    filename: str = ""
