"""Risk forms and risk assessments: which forms are installed, loading a partnership's own form,
recording an assessment on a referral, its history with the score trend, and reviews due.

Forms come from two places: the ones MARAC Desk ships (`resources/forms`) and the ones kept in
the store (`risk_forms`): a partnership's loaded forms, and a snapshot of each shipped form taken
the first time an assessment uses it, so an assessment reads exactly as it was answered even after
an upgrade ships a newer version. A (form id, version) pair never changes once installed; a new
wording is a new version, and an assessment always displays on the version it was answered on.

The referral's own risk fields (tool, score, grade) show its newest assessment on a checklist-score
form (the level raised by any professional judgement); a matrix's points never become them.

Thresholds: an assessment's visible-high-risk warning uses the form's own threshold, unless the
partnership changed the "visible high risk" setting from its default (store-wide, or per panel
through the panel option `visible_high_risk_score`), in which case the setting wins for every
form that has a score threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from marac_desk.core import risk_forms as core
from marac_desk.core.referral_rules import Thresholds
from marac_desk.core.risk_forms import Answer, AnswerRow, FormDefinition, ReviewState
from marac_desk.db.models import Panel, Referral, RiskAssessment, RiskForm, UserProfile
from marac_desk.db.store import Store
from marac_desk.services import audit, settings
from marac_desk.services.context import Actor, utcnow

SHIPPED, LOADED = "shipped", "loaded"
# Referrals still being worked: a review on a closed, diverted or withdrawn case is not due
# (the dashboard counts the same way).
LIVE_REFERRAL_STATUSES: tuple[str, ...] = ("received", "listed", "heard")
EARLIEST_ASSESSMENT = date(2000, 1, 1)
MAX_ASSESSOR = 120


class FormRejected(ValueError):
    """A definition that cannot be installed; `problems` names the file and question each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems[0] if len(self.problems) == 1 else "; ".join(problems))


class FormNotFound(ValueError):
    pass


class AssessmentRejected(ValueError):
    """The assessment cannot be recorded; `problems` says why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


# ----- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalledForm:
    form_id: str
    version: str
    title: str
    panel_types: tuple[str, ...]
    questions: int  # every question, optional sections included
    scored_questions: int
    source: str  # shipped | loaded
    loaded_at: datetime | None = None
    loaded_by: str = ""
    newest: bool = True  # the newest version of this form id (new assessments use it)


def _describe(form: FormDefinition, source: str, row: RiskForm | None, by: str) -> InstalledForm:
    return InstalledForm(
        form_id=form.form_id,
        version=form.version,
        title=form.title,
        panel_types=form.panel_types,
        questions=len(form.questions),
        scored_questions=len(form.scored_questions),
        source=source,
        loaded_at=row.loaded_at if row is not None and source == LOADED else None,
        loaded_by=by,
    )


def _stored_definition(row: RiskForm) -> FormDefinition | None:
    try:
        return core.parse_definition(row.definition, f"stored form {row.form_id} {row.version}")
    except core.FormDefinitionError:
        return None  # kept by an older version under other rules: its answers still display


def _stored_rows(session: Session) -> list[RiskForm]:
    return list(session.scalars(select(RiskForm).order_by(RiskForm.form_id, RiskForm.id)))


def _installed(session: Session) -> dict[tuple[str, str], tuple[FormDefinition, InstalledForm]]:
    names: dict[int, str] = {
        int(uid): str(name)
        for uid, name in session.execute(select(UserProfile.id, UserProfile.name))
    }
    out: dict[tuple[str, str], tuple[FormDefinition, InstalledForm]] = {}
    for form in core.shipped_forms():
        out[form.key] = (form, _describe(form, SHIPPED, None, ""))
    for row in _stored_rows(session):
        stored = _stored_definition(row)
        if stored is None:
            continue
        by = names.get(row.loaded_by_user_id, "") if row.loaded_by_user_id else ""
        # A kept snapshot of a shipped form stays "shipped"; the store's copy is what displays.
        out[stored.key] = (stored, _describe(stored, row.source, row, by))
    newest = core.newest(form for form, _ in out.values())
    return {
        key: (form, _with_newest(info, newest[form.form_id].version == form.version))
        for key, (form, info) in out.items()
    }


def _with_newest(info: InstalledForm, is_newest: bool) -> InstalledForm:
    return replace(info, newest=is_newest)


def list_forms(store: Store) -> tuple[InstalledForm, ...]:
    """Every installed form, by id then version (oldest first)."""
    with store.read() as session:
        installed = _installed(session)
    return tuple(
        info
        for _, info in sorted(
            installed.values(),
            key=lambda pair: (pair[0].form_id, core.version_key(pair[0].version)),
        )
    )


def _definition(session: Session, form_id: str, version: str) -> FormDefinition | None:
    row = session.scalar(
        select(RiskForm).where(RiskForm.form_id == form_id, RiskForm.version == version)
    )
    if row is not None:
        stored = _stored_definition(row)
        if stored is not None:
            return stored
    return core.shipped_form(form_id, version)


def get_form(store: Store, form_id: str, version: str) -> FormDefinition:
    """A form by id and version: the one an assessment was answered on, however old."""
    with store.read() as session:
        form = _definition(session, form_id, version)
    if form is None:
        raise FormNotFound(f"Risk form {form_id} version {version} is not installed.")
    return form


def current_form(store: Store, form_id: str) -> FormDefinition:
    """The newest installed version of a form (what a new assessment uses)."""
    with store.read() as session:
        installed = _installed(session)
    newest = core.newest(form for form, _ in installed.values())
    if form_id not in newest:
        raise FormNotFound(f"No risk form {form_id} is installed.")
    return newest[form_id]


def forms_for_panel_type(store: Store, panel_type: str) -> tuple[FormDefinition, ...]:
    """The newest version of each form that applies to this kind of panel, by title."""
    with store.read() as session:
        installed = _installed(session)
    return _forms_for(installed, panel_type)


def _forms_for(
    installed: Mapping[tuple[str, str], tuple[FormDefinition, InstalledForm]], panel_type: str
) -> tuple[FormDefinition, ...]:
    newest = core.newest(form for form, _ in installed.values())
    return tuple(
        sorted(
            (f for f in newest.values() if panel_type in f.panel_types),
            key=lambda f: (f.form_id != core.DA_CHECKLIST_ID, f.title.lower()),
        )
    )


def check_form_file(path: Path) -> FormDefinition:
    """Read and validate a definition file (no store needed); FormRejected lists the problems."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormRejected([f"{path.name}: cannot be read ({exc.strerror or exc})"]) from None
    return check_form_data(data, path.name)


def check_form_data(data: bytes | str, name: str) -> FormDefinition:
    try:
        return core.load_definition(data, name)
    except core.FormDefinitionError as exc:
        raise FormRejected(exc.problems) from None


def add_form(
    store: Store,
    actor: Actor,
    path: Path | None = None,
    *,
    data: bytes | str | None = None,
    name: str = "",
) -> InstalledForm:
    """Install a partnership's form definition (a file, or its bytes with a name to report).

    All or nothing: a file with any problem, or a form id and version already installed, changes
    nothing. One audit event names the form id and version.
    """
    if path is not None:
        form = check_form_file(path)
        name = path.name
    elif data is not None:
        name = name or "definition"
        form = check_form_data(data, name)
    else:
        raise ValueError("add_form needs a path or data")
    with store.write() as session:
        installed = _installed(session)
        clash = next(
            (
                other
                for other, _ in installed.values()
                if other.form_id == form.form_id
                and core.version_key(other.version) == core.version_key(form.version)
            ),
            None,
        )
        if clash is not None:
            raise FormRejected(
                [
                    f"{name}: risk form {form.form_id} version {clash.version} is already "
                    "installed; a changed form needs a new version number"
                ]
            )
        row = RiskForm(
            form_id=form.form_id,
            version=form.version,
            title=form.title[:200],
            definition=dict(form.document),
            source=LOADED,
            loaded_at=utcnow(),
            loaded_by_user_id=actor.user_id,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "import",
            "risk_form",
            f"{form.form_id} {form.version}",
            f"risk form {form.form_id} version {form.version} installed "
            f"({len(form.questions)} questions)",
        )
        info = _describe(form, LOADED, row, actor.name)
    return info


def _keep_snapshot(session: Session, actor: Actor, form: FormDefinition) -> None:
    """Keep a shipped form in the store the first time an assessment uses it."""
    exists = session.scalar(
        select(RiskForm.id).where(
            RiskForm.form_id == form.form_id, RiskForm.version == form.version
        )
    )
    if exists is None:
        session.add(
            RiskForm(
                form_id=form.form_id,
                version=form.version,
                title=form.title[:200],
                definition=dict(form.document),
                source=SHIPPED,
                loaded_at=utcnow(),
                loaded_by_user_id=actor.user_id,
            )
        )
        session.flush()


# ----- thresholds and review period --------------------------------------------------------------


def _panel_setting(panel: Panel | None, key: str) -> int | None:
    """A threshold set on the panel itself (panel option of the same name), if valid."""
    options: dict[str, Any] = (panel.options or {}) if panel is not None else {}
    if key not in options:
        return None
    try:
        return int(settings.validate(key, options[key]))
    except (ValueError, KeyError):
        return None


def _visible_threshold(session: Session, panel: Panel | None) -> int | None:
    """The setting's value when the partnership changed it (per panel first), else None (the
    form's own threshold applies)."""
    on_panel = _panel_setting(panel, "visible_high_risk_score")
    if on_panel is not None:
        return on_panel
    value = settings.get_all_in_session(session)["visible_high_risk_score"]
    default = settings.SPECS["visible_high_risk_score"].default
    return int(value) if value != default else None


def _review_weeks(session: Session) -> int:
    value = settings.get_all_in_session(session)["risk_review_weeks"]
    return int(value) if isinstance(value, int) and value >= 1 else core.DEFAULT_REVIEW_WEEKS


# ----- assessments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInput:
    form_id: str
    form_version: str
    assessed_on: date
    answers: Mapping[str, Answer] = field(default_factory=dict)
    kind: str = "initial"  # initial | review
    assessor: str = ""
    judgement_band: str = ""  # a higher level chosen by professional judgement, or ""
    judgement_reason: str = ""


@dataclass(frozen=True)
class AssessmentSummary:
    """One assessment in a referral's history."""

    id: int
    referral_id: int
    form_id: str
    form_version: str
    form_title: str  # the title of the version it was answered on ("" if not installed)
    kind: str
    assessed_on: date
    assessor: str
    score: int | None
    max_score: int | None
    band: str  # from the answers (score and band floors)
    band_label: str
    judgement_band: str
    judgement_reason: str
    effective_band: str  # what stands: the band, raised by judgement
    effective_band_label: str
    threshold_met: bool | None  # the form's threshold (visible high risk, or its refer band)
    answered: int
    unanswered: int  # scored questions left unanswered
    dont_know: int
    review_due: date | None
    review_state: ReviewState
    trend: str  # up | down | same against the previous assessment on the same form; ""
    previous_score: int | None = None  # the score the trend is measured from


@dataclass(frozen=True)
class AssessmentDetail:
    summary: AssessmentSummary
    form: FormDefinition | None  # None: the form is no longer installed (answers still shown)
    rows: tuple[AnswerRow, ...]


def _summary(
    row: RiskAssessment,
    form: FormDefinition | None,
    today: date,
    previous: int | None,
    visible: int | None,
) -> AssessmentSummary:
    answers = core.answers_from_json(row.answers)
    ev = core.evaluate(form, answers, visible_high_risk=visible) if form is not None else None
    band = row.band or (ev.band.id if ev else "")
    effective = core.effective_band(form, band, row.judgement_band)
    label = form.band_label if form is not None else (lambda b: b)
    return AssessmentSummary(
        id=row.id,
        referral_id=row.referral_id,
        form_id=row.form_id,
        form_version=row.form_version,
        form_title=form.title if form else "",
        kind=row.kind,
        assessed_on=row.assessed_on,
        assessor=row.assessor,
        # The score recorded at the time is the record; a form read back agrees with it.
        score=row.score if row.score is not None else (ev.score if ev else None),
        max_score=form.max_score if form else None,
        band=band,
        band_label=label(band) if band else "",
        judgement_band=row.judgement_band,
        judgement_reason=row.judgement_reason,
        effective_band=effective,
        effective_band_label=label(effective) if effective else "",
        threshold_met=ev.threshold_met if ev else None,
        answered=ev.answered if ev else len(answers),
        unanswered=len(ev.unanswered) if ev else 0,
        dont_know=ev.dont_know if ev else 0,
        review_due=row.review_due,
        review_state=core.review_state(row.review_due, today),
        trend=core.score_trend(previous, row.score),
        previous_score=previous if previous is not None and row.score is not None else None,
    )


def _check_input(
    inp: AssessmentInput, form: FormDefinition, referral: Referral, panel: Panel | None, today: date
) -> list[str]:
    problems: list[str] = []
    if inp.kind not in core.ASSESSMENT_KINDS:
        problems.append("An assessment is an initial assessment or a review.")
    if inp.assessed_on > today:
        problems.append("The assessment date is in the future.")
    elif inp.assessed_on < EARLIEST_ASSESSMENT:
        problems.append("The assessment date is before 2000.")
    if len(inp.assessor) > MAX_ASSESSOR:
        problems.append(f"The assessor's name is longer than {MAX_ASSESSOR} characters.")
    if panel is not None and panel.panel_type not in form.panel_types:
        problems.append(
            f"{form.title} is not used by a {panel.panel_type.replace('_', ' ')} panel "
            f"({referral.case_ref} is heard by {panel.name})."
        )
    problems += core.check_answers(form, inp.answers)
    return problems


def record_assessment(
    store: Store, actor: Actor, referral_id: int, inp: AssessmentInput, *, today: date
) -> AssessmentSummary:
    """Score, band and keep one assessment, with its review date; one unit of work, audited."""
    with store.write() as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise AssessmentRejected(["That referral does not exist."])
        form = _definition(session, inp.form_id, inp.form_version)
        if form is None:
            raise AssessmentRejected(
                [f"Risk form {inp.form_id} version {inp.form_version} is not installed."]
            )
        panel = session.get(Panel, referral.panel_id)
        problems = _check_input(inp, form, referral, panel, today)
        visible = _visible_threshold(session, panel)
        ev = core.evaluate(form, inp.answers, visible_high_risk=visible)
        problems += core.check_judgement(form, ev.band.id, inp.judgement_band, inp.judgement_reason)
        if problems:
            raise AssessmentRejected(problems)
        if core.shipped_form(form.form_id, form.version) is not None:
            _keep_snapshot(session, actor, form)
        row = RiskAssessment(
            referral_id=referral.id,
            form_id=form.form_id,
            form_version=form.version,
            kind=inp.kind,
            assessed_on=inp.assessed_on,
            assessor=inp.assessor.strip(),
            answers=core.answers_to_json(inp.answers),
            score=ev.score,
            band=ev.band.id,
            judgement_band=inp.judgement_band,
            judgement_reason=inp.judgement_reason.strip() if inp.judgement_band else "",
            review_due=core.review_due_date(inp.assessed_on, _review_weeks(session)),
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        raised = (
            f", raised to {inp.judgement_band} by professional judgement"
            if inp.judgement_band
            else ""
        )
        copied = _show_on_referral(session, referral, row, form)
        audit.record(
            session,
            actor,
            "create",
            "risk_assessment",
            row.id,
            f"{inp.kind} risk assessment on {referral.case_ref}: {form.form_id} "
            f"version {form.version}, score {ev.score}, {ev.band.id}{raised}{copied}",
        )
        previous = _previous_score(session, row)
        return _summary(row, form, today, previous, visible)


def gives_checklist_score(form: FormDefinition) -> bool:
    """A form whose score is a checklist score: the number of answers of a kind, with a
    visible-high-risk threshold on it (the shipped checklist, a partnership's licensed one)."""
    return form.method is core.ScoringMethod.COUNT and form.visible_high_risk is not None


def _show_on_referral(
    session: Session, referral: Referral, row: RiskAssessment, form: FormDefinition
) -> str:
    """The referral's risk fields (tool, score, grade) show its newest checklist assessment.

    Only a checklist-score form is copied: the referral's score is a checklist score everywhere
    else (the list's risk bands, the visible-high-risk criterion), so points from a matrix or a
    band of another scale never land in it. An assessment entered with an earlier date than one
    already recorded is history and changes nothing. Returns the words for the audit event.
    """
    if not gives_checklist_score(form):
        return ""
    newer = session.scalar(
        select(RiskAssessment.id)
        .where(
            RiskAssessment.referral_id == referral.id,
            RiskAssessment.id != row.id,
            or_(
                RiskAssessment.assessed_on > row.assessed_on,
                and_(RiskAssessment.assessed_on == row.assessed_on, RiskAssessment.id > row.id),
            ),
        )
        .limit(1)
    )
    if newer is not None:
        return ""
    grade = core.effective_band(form, row.band, row.judgement_band)[:20]
    was = f"{referral.risk_score if referral.risk_score is not None else 'none'}"
    if referral.risk_grade:
        was += f" {referral.risk_grade}"
    referral.risk_tool = "checklist"
    referral.risk_score = row.score
    referral.risk_grade = grade
    referral.updated_at = utcnow()
    return f"; referral risk now {row.score} {grade} (was {was})"


def _previous_score(session: Session, row: RiskAssessment) -> int | None:
    earlier = session.scalar(
        select(RiskAssessment.score)
        .where(
            RiskAssessment.referral_id == row.referral_id,
            RiskAssessment.form_id == row.form_id,
            RiskAssessment.id != row.id,
            or_(
                RiskAssessment.assessed_on < row.assessed_on,
                and_(RiskAssessment.assessed_on == row.assessed_on, RiskAssessment.id < row.id),
            ),
        )
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        .limit(1)
    )
    return int(earlier) if earlier is not None else None


class _Forms:
    """Form lookups for one unit of work (an old version is read once however many use it)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[str, str], FormDefinition | None] = {}

    def get(self, form_id: str, version: str) -> FormDefinition | None:
        key = (form_id, version)
        if key not in self.cache:
            self.cache[key] = _definition(self.session, form_id, version)
        return self.cache[key]


def list_assessments(
    store: Store, referral_id: int, *, today: date | None = None
) -> tuple[AssessmentSummary, ...]:
    """A referral's assessments, oldest first, each read on its own form version, with the
    score trend against the previous assessment on the same form."""
    today = today or date.today()
    with store.read() as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise ValueError("That referral does not exist.")
        panel = session.get(Panel, referral.panel_id)
        visible = _visible_threshold(session, panel)
        forms = _Forms(session)
        rows = session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.referral_id == referral_id)
            .order_by(RiskAssessment.assessed_on, RiskAssessment.id)
        )
        last_score: dict[str, int | None] = {}
        out: list[AssessmentSummary] = []
        for row in rows:
            previous = last_score.get(row.form_id)
            last_score[row.form_id] = row.score
            out.append(
                _summary(row, forms.get(row.form_id, row.form_version), today, previous, visible)
            )
    return tuple(out)


def get_assessment(
    store: Store, assessment_id: int, *, today: date | None = None
) -> AssessmentDetail:
    """One assessment with every question of its own form version and the answers given."""
    today = today or date.today()
    with store.read() as session:
        row = session.get(RiskAssessment, assessment_id)
        if row is None:
            raise ValueError("That risk assessment does not exist.")
        referral = session.get(Referral, row.referral_id)
        panel = session.get(Panel, referral.panel_id) if referral else None
        form = _definition(session, row.form_id, row.form_version)
        previous = _previous_score(session, row)
        summary = _summary(row, form, today, previous, _visible_threshold(session, panel))
        rows = core.answer_rows(form, core.answers_from_json(row.answers))
    return AssessmentDetail(summary=summary, form=form, rows=rows)


@dataclass(frozen=True)
class AssessmentSetup:
    """What a new assessment of one referral starts from."""

    referral_id: int
    case_ref: str
    panel: str
    panel_type: str
    forms: tuple[FormDefinition, ...]  # newest version of each form for the panel, checklist 1st
    visible_high_risk: int | None  # replaces the forms' own score threshold (a changed setting)
    review_weeks: int
    assessments: int  # already recorded for this referral (a new one is usually a review)


def assessment_setup(store: Store, referral_id: int) -> AssessmentSetup:
    """The forms, threshold and review period a new assessment of this referral uses."""
    with store.read() as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise ValueError("That referral does not exist.")
        panel = session.get(Panel, referral.panel_id)
        panel_type = panel.panel_type if panel is not None else "marac"
        forms = _forms_for(_installed(session), panel_type)
        done = session.scalar(
            select(func.count())
            .select_from(RiskAssessment)
            .where(RiskAssessment.referral_id == referral_id)
        )
        return AssessmentSetup(
            referral_id=referral.id,
            case_ref=referral.case_ref,
            panel=panel.name if panel is not None else "",
            panel_type=panel_type,
            forms=forms,
            visible_high_risk=_visible_threshold(session, panel),
            review_weeks=_review_weeks(session),
            assessments=int(done or 0),
        )


# ----- reviews ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDue:
    """The newest assessment of a live referral whose review is overdue or due soon."""

    referral_id: int
    case_ref: str
    panel: str
    assessment_id: int
    assessed_on: date
    review_due: date
    state: ReviewState
    days_overdue: int  # 0 when not yet due


def _newest_assessment_of_each_referral() -> Any:
    newer = aliased(RiskAssessment)
    return (
        select(literal(1))
        .where(
            newer.referral_id == RiskAssessment.referral_id,
            or_(
                newer.assessed_on > RiskAssessment.assessed_on,
                and_(
                    newer.assessed_on == RiskAssessment.assessed_on,
                    newer.id > RiskAssessment.id,
                ),
            ),
        )
        .exists()
    )


def reviews_due(
    store: Store,
    today: date,
    *,
    within_days: int = core.REVIEW_SOON_DAYS,
    panel_id: int | None = None,
    limit: int | None = None,
) -> tuple[ReviewDue, ...]:
    """Reviews overdue or due within `within_days`, most overdue first. Only the newest
    assessment of each live referral counts (a review done supersedes the one before)."""
    horizon = today + timedelta(days=max(within_days, 0))
    query = (
        select(
            Referral.id,
            Referral.case_ref,
            Panel.name,
            RiskAssessment.id,
            RiskAssessment.assessed_on,
            RiskAssessment.review_due,
        )
        .select_from(RiskAssessment)
        .join(Referral, Referral.id == RiskAssessment.referral_id)
        .join(Panel, Panel.id == Referral.panel_id)
        .where(
            Referral.status.in_(LIVE_REFERRAL_STATUSES),
            RiskAssessment.review_due.is_not(None),
            RiskAssessment.review_due <= horizon,
            ~_newest_assessment_of_each_referral(),
        )
        .order_by(RiskAssessment.review_due, Referral.case_ref)
    )
    if panel_id is not None:
        query = query.where(Referral.panel_id == panel_id)
    if limit is not None:
        query = query.limit(limit)
    with store.read() as session:
        found = session.execute(query).all()
    out: list[ReviewDue] = []
    for referral_id, case_ref, panel, assessment_id, assessed_on, due in found:
        assert due is not None  # filtered above
        out.append(
            ReviewDue(
                referral_id=referral_id,
                case_ref=case_ref,
                panel=panel,
                assessment_id=assessment_id,
                assessed_on=assessed_on,
                review_due=due,
                state=core.review_state(due, today, within_days),
                days_overdue=max((today - due).days, 0),
            )
        )
    return tuple(out)


def next_review(store: Store, referral_id: int, today: date) -> tuple[date | None, ReviewState]:
    """The referral's review date (from its newest assessment) and whether it is due."""
    with store.read() as session:
        due = session.scalar(
            select(RiskAssessment.review_due)
            .where(RiskAssessment.referral_id == referral_id)
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            .limit(1)
        )
    return due, core.review_state(due, today)


# ----- referral criteria ------------------------------------------------------------------------


def eligibility(store: Store, referral_id: int) -> tuple[core.CriterionResult, ...]:
    """Which referral criteria the referral meets and why, at its panel's thresholds."""
    with store.read() as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise ValueError("That referral does not exist.")
        panel = session.get(Panel, referral.panel_id)
        values = settings.get_all_in_session(session)
        visible = _visible_threshold(session, panel) or int(values["visible_high_risk_score"])
        escalation = _panel_setting(panel, "escalation_incidents") or int(
            values["escalation_incidents"]
        )
        repeat = (
            referral.is_repeat if referral.repeat_override is None else referral.repeat_override
        )
        return core.eligibility(
            risk_score=referral.risk_score,
            risk_tool=referral.risk_tool,
            risk_grade=referral.risk_grade,
            professional_judgement=referral.crit_professional_judgement,
            judgement_reason=referral.professional_judgement_reason,
            police_incidents_12m=referral.police_incidents_12m,
            is_repeat=bool(repeat or referral.crit_repeat),
            thresholds=Thresholds(visible, escalation),
        )
