"""The three built-in workflows: their keys, defaults, states and exit reasons. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field

ABANDONED_CART = "abandoned-cart"
WELCOME = "welcome"
RE_ENGAGEMENT = "re-engagement"
KEYS = (ABANDONED_CART, WELCOME, RE_ENGAGEMENT)

TITLES = {
    ABANDONED_CART: "Abandoned cart",
    WELCOME: "Welcome",
    RE_ENGAGEMENT: "Re-engagement",
}
DESCRIPTIONS = {
    ABANDONED_CART: "Reminds a customer of the cart they left at checkout, with its items and a "
    "link back to it; ends the moment they order.",
    WELCOME: "Greets a customer after their first completed order.",
    RE_ENGAGEMENT: "Wins back customers whose last order is older than the inactivity period; "
    "ends when they order again.",
}

# The ecommerce pipeline's fixed stage ids.
ABANDONED_STAGE = "checkout_abandoned"
ORDER_STAGES = frozenset({"checkout_completed", "processed", "shipped"})

MAX_EMAILS = 10
MAX_DELAY_MINUTES = 365 * 24 * 60
DEFAULT_INACTIVITY_DAYS = 90
MAX_INACTIVITY_DAYS = 3650
# Orders this long after an abandoned-cart email count as recovered by it.
ATTRIBUTION_WINDOW_MS = 7 * 24 * 3_600_000

# Enrolment states.
ACTIVE, COMPLETED, EXITED, FAILED = "ACTIVE", "COMPLETED", "EXITED", "FAILED"

# Exit reasons (EXITED), and failure reasons (FAILED).
CONVERTED = "converted"  # the cart's deal or a newer order completed (re-engagement: new order)
UNSUBSCRIBED = "unsubscribed"  # the contact opted out (hs_email_optout)
INVALID_EMAIL = "invalid_email"  # the contact has no valid email address any more
CART_CLOSED = "cart_closed"  # the cart's deal left checkout_abandoned without an order
WORKFLOW_DISABLED = "workflow_disabled"
SMTP_NOT_CONFIGURED = "smtp_not_configured"  # FAILED: ECOMBRIDGE_SMTP_URL is not set
SMTP_REJECTED = "smtp_rejected"  # FAILED: the server refused the message for good (5xx)
SMTP_UNAVAILABLE = "smtp_unavailable"  # FAILED: temporary failures until attempts ran out
TEMPLATE_ERROR = "template_error"  # FAILED: the template failed on this contact's data


@dataclass(frozen=True)
class EmailStep:
    delay_minutes: float
    subject: str
    body_template: str | None = None  # None: the built-in template of the workflow

    @property
    def delay_ms(self) -> int:
        return round(self.delay_minutes * 60_000)


@dataclass(frozen=True)
class Workflow:
    key: str
    enabled: bool
    emails: tuple[EmailStep, ...]
    store_ids: tuple[str, ...] | None = None
    inactivity_days: int | None = None
    enabled_at: int | None = field(default=None, compare=False)

    def covers_store(self, store_id: str | None) -> bool:
        return self.store_ids is None or (store_id is not None and store_id in self.store_ids)

    @property
    def inactivity_ms(self) -> int:
        return (self.inactivity_days or DEFAULT_INACTIVITY_DAYS) * 86_400_000


DEFAULTS = {
    ABANDONED_CART: Workflow(
        ABANDONED_CART,
        False,
        (
            EmailStep(60, "You left something in your cart"),
            EmailStep(24 * 60, "Your cart is still waiting for you"),
            EmailStep(3 * 24 * 60, "Last reminder: your cart"),
        ),
    ),
    WELCOME: Workflow(WELCOME, False, (EmailStep(0, "Welcome, and thank you for your order"),)),
    RE_ENGAGEMENT: Workflow(
        RE_ENGAGEMENT,
        False,
        (EmailStep(0, "We miss you"),),
        inactivity_days=DEFAULT_INACTIVITY_DAYS,
    ),
}
