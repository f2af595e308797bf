"""Controlled vocabularies shared by the store, the forms and the national returns."""

# National returns need "not known" (nobody asked) kept apart from "not stated" (asked, declined).
YES, NO, NOT_KNOWN, NOT_STATED = "yes", "no", "not_known", "not_stated"
TRI_STATE: tuple[str, ...] = (YES, NO, NOT_KNOWN, NOT_STATED)

GENDERS: tuple[str, ...] = ("female", "male", "non_binary", NOT_KNOWN, NOT_STATED)

RELATIONSHIPS_TO_VICTIM: tuple[str, ...] = (
    "current_partner",
    "ex_partner",
    "family_member",
    "other",
    NOT_KNOWN,
)

REFERRAL_STATUSES: tuple[str, ...] = (
    "received",
    "listed",
    "heard",
    "closed",
    "diverted",
    "withdrawn",
)

PANEL_TYPES: tuple[str, ...] = ("marac", "community_marac", "daily_triage")

ACTION_CATEGORIES: tuple[str, ...] = (
    "victim_safety",
    "children",
    "perpetrator_disruption",
    "housing",
    "health",
    "criminal_justice",
    "other",
)

ACTION_STATUSES: tuple[str, ...] = (
    "open",
    "completed",
    "not_possible",
    "not_undertaken",
    "carried_forward",
)
OPEN_ACTION_STATUSES: tuple[str, ...] = ("open", "carried_forward")

ATTENDANCE_STATUSES: tuple[str, ...] = ("present", "apologies", "observer")

CASE_OUTCOMES: tuple[str, ...] = ("pending", "heard_closed", "heard_open", "deferred")

RISK_ANSWERS: tuple[str, ...] = ("yes", "no", "dont_know")
