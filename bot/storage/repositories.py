"""Kept for compatibility: the old home of every query, now split by what it stores.

New code imports from the modules themselves: users, subscriptions (with set_zone and snooze),
deliveries, completions, open_triage, stats, privacy (forget_chat), pending; shared conversions
are in convert. The bot, its tests and the benches import those modules; this one only
re-exports their names under the old module for code not yet moved to them.
"""

from bot.storage.completions import record_completion, streak
from bot.storage.convert import KINDS
from bot.storage.deliveries import (
    LEASE,
    MAX_LOST,
    Claim,
    Delivery,
    DeliveryKey,
    claim_deliveries,
    claim_delivery,
    claim_owners,
    delivery_statuses,
    get_delivery,
    mark_failed,
    mark_lost,
    mark_sent,
    mark_sent_many,
    prune_deliveries,
    prune_stuck_claims,
    recover_claims,
    release_claim,
    unclaim,
)
from bot.storage.open_triage import OpenTriage, close_open_triage, get_open_triage, purge_open_triages, save_open_triage
from bot.storage.privacy import forget_chat
from bot.storage.stats import Stats, count_triage_outcome, stats, triage_counts
from bot.storage.subscriptions import (
    DUE_QUERY,
    SNOOZE_QUERY,
    Subscription,
    ZoneRequired,
    activate,
    active_subscriptions,
    advance,
    advance_many,
    clear_snooze,
    clear_snooze_many,
    deactivate,
    deactivate_chat,
    due_subscriptions,
    get_subscription,
    get_subscription_by_id,
    list_subscriptions,
    schedule_all,
    set_zone,
    snooze,
    update_settings,
)
from bot.storage.users import User, get_user, upsert_user

__all__ = [
    "DUE_QUERY", "KINDS", "LEASE", "MAX_LOST", "SNOOZE_QUERY",
    "Claim", "Delivery", "DeliveryKey", "OpenTriage", "Stats", "Subscription", "User", "ZoneRequired",
    "activate", "active_subscriptions", "advance", "advance_many", "claim_deliveries", "claim_delivery",
    "claim_owners", "clear_snooze", "clear_snooze_many", "close_open_triage", "count_triage_outcome",
    "deactivate", "deactivate_chat", "delivery_statuses", "due_subscriptions", "forget_chat", "get_delivery",
    "get_open_triage", "get_subscription", "get_subscription_by_id", "get_user", "list_subscriptions",
    "mark_failed", "mark_lost", "mark_sent", "mark_sent_many", "prune_deliveries", "prune_stuck_claims",
    "purge_open_triages", "record_completion", "recover_claims", "release_claim", "save_open_triage",
    "schedule_all", "set_zone", "snooze", "stats", "streak", "triage_counts", "unclaim", "update_settings",
    "upsert_user",
]
