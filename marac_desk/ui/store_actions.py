"""Store-wide actions started from the menu or the settings area: back up, check, rekey.

Each runs in the task runner; the outcome is announced through `AppEvents.notice` and returned
to the caller's callback on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from marac_desk.services import audit
from marac_desk.ui.area import AreaContext
from marac_desk.ui.tasks import Task, TaskContext
from marac_desk.ui.widgets import STORE_FILE_FILTER, pick_save_file, safe_error, tr

if TYPE_CHECKING:
    from marac_desk.core.audit_chain import ChainVerdict
    from marac_desk.services.session import IntegrityReport

_CTX = "StoreActions"


def default_backup_path(store_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return store_path.with_name(f"{store_path.stem}-backup-{stamp}.store")


def start_backup(
    parent: QWidget,
    ctx: AreaContext,
    done: Callable[[bool, str], object] | None = None,
) -> Task | None:
    """Ask where to write the backup, then write and verify it in the background."""
    opened = ctx.opened
    dest = pick_save_file(
        parent,
        tr("Back up the store to", _CTX),
        default_backup_path(opened.store.path),
        STORE_FILE_FILTER,
    )
    if dest is None or opened.store.closed:
        return None
    if not dest.suffix:
        dest = dest.with_suffix(".store")

    def work(_task: TaskContext) -> Path:
        written = opened.store.backup_to(dest)
        with opened.store.write() as session:
            audit.record(session, opened.actor, "backup", "store", "", "encrypted backup written")
        return written

    def ok(written: Path) -> None:
        text = tr(
            "Backup written and verified: {path}. It is encrypted with the store's passphrase.",
            _CTX,
        ).format(path=written)
        ctx.events.notice.emit(
            tr("Backup written and verified: {name}", _CTX).format(name=written.name), False
        )
        ctx.events.data_changed.emit()
        if done:
            done(True, text)

    def failed(exc: BaseException) -> None:
        text = tr("The backup failed: {error}", _CTX).format(error=safe_error(exc))
        ctx.events.notice.emit(text, True)
        if done:
            done(False, text)

    return ctx.runner.run(
        tr("Writing an encrypted backup", _CTX),
        work,
        on_success=ok,
        on_error=failed,
        context=ctx.events,
    )


@dataclass(frozen=True)
class CheckResult:
    integrity: IntegrityReport
    chain: ChainVerdict

    @property
    def ok(self) -> bool:
        return self.integrity.ok and self.chain.ok


def describe_check(result: CheckResult) -> str:
    lines: list[str] = []
    if result.integrity.ok:
        lines.append(tr("Store file: intact (structure, page authentication, references).", _CTX))
    else:
        lines.append(tr("Store file: PROBLEMS FOUND", _CTX))
        lines += [f"  • {p}" for p in result.integrity.problems]
    if result.chain.ok:
        lines.append(
            tr("Audit trail: intact ({n} events checked).", _CTX).format(
                n=result.chain.events_checked
            )
        )
    else:
        lines.append(
            tr("Audit trail: BROKEN — {problem}.", _CTX).format(problem=result.chain.problem)
        )
    if not result.ok:
        lines.append(tr("Restore the store from a backup, or ask for support.", _CTX))
    return "\n".join(lines)


def start_integrity_check(
    ctx: AreaContext, done: Callable[[CheckResult | None, str], object] | None = None
) -> Task:
    store = ctx.opened.store

    def work(_task: TaskContext) -> CheckResult:
        return CheckResult(store.integrity_check(), audit.verify(store))

    def ok(result: CheckResult) -> None:
        text = describe_check(result)
        ctx.events.notice.emit(
            tr("Store check: all intact.", _CTX)
            if result.ok
            else tr("Store check found problems.", _CTX),
            not result.ok,
        )
        if done:
            done(result, text)

    def failed(exc: BaseException) -> None:
        text = tr("The check could not run: {error}", _CTX).format(error=safe_error(exc))
        ctx.events.notice.emit(text, True)
        if done:
            done(None, text)

    return ctx.runner.run(
        tr("Checking the store's integrity", _CTX),
        work,
        on_success=ok,
        on_error=failed,
        context=ctx.events,
    )


def start_change_passphrase(
    ctx: AreaContext, new_passphrase: str, done: Callable[[bool, str], object] | None = None
) -> Task:
    opened = ctx.opened
    holder = [new_passphrase]

    def work(_task: TaskContext) -> Path:
        passphrase = holder.pop()
        safety = opened.store.change_passphrase(passphrase)
        del passphrase
        with opened.store.write() as session:
            audit.record(session, opened.actor, "rekey", "store", "", "passphrase changed")
        return safety

    def ok(safety: Path) -> None:
        text = tr(
            "Passphrase changed. A safety copy under the OLD passphrase was kept at {path}: "
            "delete it once you have unlocked with the new passphrase.",
            _CTX,
        ).format(path=safety)
        ctx.events.notice.emit(tr("Passphrase changed.", _CTX), False)
        ctx.events.data_changed.emit()
        if done:
            done(True, text)

    def failed(exc: BaseException) -> None:
        text = tr("The passphrase was not changed: {error}", _CTX).format(error=safe_error(exc))
        ctx.events.notice.emit(text, True)
        if done:
            done(False, text)

    return ctx.runner.run(
        tr("Changing the passphrase", _CTX),
        work,
        on_success=ok,
        on_error=failed,
        context=ctx.events,
    )
