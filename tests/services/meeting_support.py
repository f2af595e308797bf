"""Builders for meeting tests: a panel and referrals for it, through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from marac_desk.services import panels, referrals
from marac_desk.services.referrals import (
    PerpetratorInput,
    PersonInput,
    ReferralInput,
    SavedReferral,
)
from marac_desk.services.session import OpenStore

TODAY = date(2027, 3, 1)  # referral dates in these tests are in the past


def make_panel(opened: OpenStore, **kw: object) -> int:
    config = replace(panels.PanelConfig(id=None, name="Northtown MARAC"), **kw)  # type: ignore[arg-type]
    return panels.save_panel(opened.store, opened.actor, config)


def refer(
    opened: OpenStore, on: date, first: str, last: str, panel: str = "Northtown MARAC"
) -> SavedReferral:
    inp = ReferralInput(
        referral_date=on,
        referring_agency="Police",
        panel=panel,
        victim=PersonInput(first, last, date(1990, 4, 12)),
        perpetrators=(PerpetratorInput("Karl", last, date(1988, 1, 1)),),
        crit_visible_high_risk=True,
        risk_score=15,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY)
