"""Panels: the MARACs, Community MARACs and daily triage meetings a store runs, their cadence,
bank-holiday region, deadlines, case cap and quorum.

A panel's scheduling and meeting rules live in its `options` (JSON), read and written through
`PanelConfig` with the defaults of DOMAIN.md §5, so adding a rule needs no schema change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marac_desk.core import meeting_rules as rules
from marac_desk.core.cadence import Cadence, CadenceError, OnHoliday, meeting_dates, parse_cadence
from marac_desk.core.vocab import PANEL_TYPES
from marac_desk.core.working_days import DEFAULT_REGION, Region
from marac_desk.db.models import Agency, Panel
from marac_desk.db.store import Store
from marac_desk.services import audit
from marac_desk.services.context import Actor, utcnow

PANEL_TYPE_LABELS = {
    "marac": "Domestic abuse MARAC",
    "community_marac": "Community (ASB) MARAC",
    "daily_triage": "Daily triage",
}
DEFAULT_MINUTES_PER_CASE = 15


class PanelNotFound(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no panel called {name!r}.")


class PanelRejected(ValueError):
    """The panel's settings are not valid; the message names the setting."""


@dataclass(frozen=True)
class PanelConfig:
    id: int | None
    name: str
    panel_type: str = "marac"
    cadence: str = "weekly:wed"
    default_time: time | None = time(10, 0)
    venue: str = ""
    chair_agency: str = ""
    region: Region = DEFAULT_REGION
    on_holiday: OnHoliday = OnHoliday.NEXT_WORKING_DAY
    # Fortnightly and every-N-weeks series count from here (the panel's first meeting).
    anchor: date | None = None
    case_cap_warn: int = rules.CASES_WARN_AT
    case_cap_strong: int = rules.CASES_STRONG_ABOVE
    quorum: rules.QuorumRule = field(default_factory=rules.QuorumRule)
    agenda_days_before: int = rules.AGENDA_DAYS_BEFORE
    referral_cutoff_days: int = rules.REFERRAL_CUTOFF_DAYS_BEFORE
    minutes_due_working_days: int = rules.MINUTES_DUE_WORKING_DAYS
    minutes_per_case: int = DEFAULT_MINUTES_PER_CASE
    active: bool = True

    @property
    def parsed_cadence(self) -> Cadence:
        return parse_cadence(self.cadence)

    @property
    def type_label(self) -> str:
        return PANEL_TYPE_LABELS.get(self.panel_type, self.panel_type)


_OPTION_KEYS = (
    "region",
    "on_holiday",
    "anchor",
    "case_cap_warn",
    "case_cap_strong",
    "quorum_required",
    "quorum_minimum",
    "agenda_days_before",
    "referral_cutoff_days",
    "minutes_due_working_days",
    "minutes_per_case",
)


def _from_row(panel: Panel, chair: str) -> PanelConfig:
    o = panel.options or {}
    base = PanelConfig(id=panel.id, name=panel.name)
    anchor = o.get("anchor")
    return replace(
        base,
        panel_type=panel.panel_type,
        cadence=panel.cadence,
        default_time=panel.default_time,
        venue=panel.venue,
        chair_agency=chair,
        region=Region(o.get("region", base.region.value)),
        on_holiday=OnHoliday(o.get("on_holiday", base.on_holiday.value)),
        anchor=date.fromisoformat(anchor) if anchor else None,
        case_cap_warn=int(o.get("case_cap_warn", base.case_cap_warn)),
        case_cap_strong=int(o.get("case_cap_strong", base.case_cap_strong)),
        quorum=rules.QuorumRule(
            tuple(o.get("quorum_required", base.quorum.required_agencies)),
            int(o.get("quorum_minimum", base.quorum.minimum_agencies)),
        ),
        agenda_days_before=int(o.get("agenda_days_before", base.agenda_days_before)),
        referral_cutoff_days=int(o.get("referral_cutoff_days", base.referral_cutoff_days)),
        minutes_due_working_days=int(
            o.get("minutes_due_working_days", base.minutes_due_working_days)
        ),
        minutes_per_case=int(o.get("minutes_per_case", base.minutes_per_case)),
        active=panel.active,
    )


def _options(config: PanelConfig, keep: dict[str, Any]) -> dict[str, Any]:
    # Options this version does not know (a newer version's) are kept as they were.
    options = {k: v for k, v in keep.items() if k not in _OPTION_KEYS}
    options.update(
        region=config.region.value,
        on_holiday=config.on_holiday.value,
        anchor=config.anchor.isoformat() if config.anchor else None,
        case_cap_warn=config.case_cap_warn,
        case_cap_strong=config.case_cap_strong,
        quorum_required=list(config.quorum.required_agencies),
        quorum_minimum=config.quorum.minimum_agencies,
        agenda_days_before=config.agenda_days_before,
        referral_cutoff_days=config.referral_cutoff_days,
        minutes_due_working_days=config.minutes_due_working_days,
        minutes_per_case=config.minutes_per_case,
    )
    return options


def _chair_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.execute(select(Agency.id, Agency.name))}


def config_in_session(session: Session, panel_id: int) -> PanelConfig:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise PanelNotFound(str(panel_id))
    chair = ""
    if panel.chair_agency_id is not None:
        chair = str(session.scalar(select(Agency.name).where(Agency.id == panel.chair_agency_id)))
    return _from_row(panel, chair)


def list_panels(store: Store, *, active_only: bool = False) -> list[PanelConfig]:
    with store.read() as session:
        chairs = _chair_names(session)
        query = select(Panel).order_by(Panel.name)
        if active_only:
            query = query.where(Panel.active.is_(True))
        return [
            _from_row(p, chairs.get(p.chair_agency_id or -1, "")) for p in session.scalars(query)
        ]


def get_panel(store: Store, panel_id: int) -> PanelConfig:
    with store.read() as session:
        return config_in_session(session, panel_id)


def find_panel(store: Store, name: str) -> PanelConfig:
    """The panel with this name (case and spacing ignored)."""
    wanted = " ".join(name.split()).casefold()
    for panel in list_panels(store):
        if panel.name.casefold() == wanted:
            return panel
    raise PanelNotFound(name)


def check_config(config: PanelConfig) -> None:
    """Raise PanelRejected naming the first setting that is wrong."""
    if not config.name.strip():
        raise PanelRejected("Give the panel a name.")
    if config.panel_type not in PANEL_TYPES:
        raise PanelRejected(f"Unknown panel type: {config.panel_type}.")
    try:
        parse_cadence(config.cadence)
    except CadenceError as exc:
        raise PanelRejected(str(exc)) from None
    if not 1 <= config.case_cap_warn <= config.case_cap_strong:
        raise PanelRejected("The case warning must be at least 1 and no more than the limit.")
    for label, value, top in (
        ("Agenda days before the meeting", config.agenda_days_before, 60),
        ("Referral cut-off days before the meeting", config.referral_cutoff_days, 60),
        ("Working days to circulate the minutes", config.minutes_due_working_days, 30),
        ("Minutes per case", config.minutes_per_case, 120),
    ):
        if not 0 <= value <= top:
            raise PanelRejected(f"{label} must be between 0 and {top}.")
    if config.quorum.minimum_agencies < 0:
        raise PanelRejected("The quorum cannot need fewer than no agencies.")


def save_panel(store: Store, actor: Actor, config: PanelConfig) -> int:
    """Create the panel (config.id None) or update it; returns its id."""
    check_config(config)
    canonical = str(config.parsed_cadence)
    with store.write() as session:
        chair_id = None
        if config.chair_agency:
            chair_id = session.scalar(select(Agency.id).where(Agency.name == config.chair_agency))
            if chair_id is None:
                raise PanelRejected(f"Unknown chair agency: {config.chair_agency}.")
        clash = session.scalar(
            select(Panel.id).where(Panel.name == config.name.strip(), Panel.id != (config.id or -1))
        )
        if clash is not None:
            raise PanelRejected(f"There is already a panel called {config.name.strip()}.")
        if config.id is None:
            panel = Panel(created_at=utcnow(), options={})
            session.add(panel)
        else:
            found = session.get(Panel, config.id)
            if found is None:
                raise PanelNotFound(str(config.id))
            panel = found
        panel.name = config.name.strip()
        panel.panel_type = config.panel_type
        panel.cadence = canonical
        panel.default_time = config.default_time
        panel.venue = config.venue.strip()
        panel.chair_agency_id = chair_id
        panel.options = _options(config, dict(panel.options or {}))
        panel.active = config.active
        session.flush()
        verb = "create" if config.id is None else "update"
        audit.record(session, actor, verb, "panel", panel.id, f"panel {verb}d ({canonical})")
        return panel.id


def plan_dates(config: PanelConfig, start: date, end: date) -> list[date]:
    """The days the panel meets from start to end by its cadence, bank holidays applied."""
    return meeting_dates(
        config.parsed_cadence,
        start,
        end,
        region=config.region,
        on_holiday=config.on_holiday,
        anchor=config.anchor,
    )


def panel_plan(store: Store, panel_name: str, start: date, end: date) -> list[date]:
    """`meetings plan --panel NAME`: the panel's planned dates (PanelNotFound if none)."""
    return plan_dates(find_panel(store, panel_name), start, end)
