"""The agencies a MARAC works with, as SafeLives counts referral sources."""

# The 14 referral-source categories of the SafeLives quarterly return, in its order and spelling.
# A new store starts with one agency per category so referrals can be counted from day one.
REFERRAL_SOURCE_CATEGORIES: tuple[str, ...] = (
    "Police",
    "IDVA",
    "Children's Social Care",
    "Adult Social Care",
    "Primary Care",
    "Acute Trust",
    "Mental Health",
    "Substance Misuse",
    "Probation",
    "Voluntary Sector",
    "MASH",
    "Education",
    "Housing",
    "Other",
)
