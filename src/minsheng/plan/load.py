"""The plan file: loading it (its checks across records in plan.checks), keeping a valid
plan's parse, attaching its funds file, and looking things up in it."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import marshal
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minsheng.core.cache import Cache, digest, fingerprint
from minsheng.core.issues import Code, Issue, UsageError
from minsheng.core.schema import in_file_order, read_model, validate
from minsheng.core.yamlio import Document, read_file
from minsheng.plan.checks import CHECKS, check_file_year
from minsheng.plan.funds import funds_path, load_funds
from minsheng.plan.models import (
    Category,
    Item,
    Plan,
    Target,
    Unit,
    reporter_of,
)
from minsheng.plan.upgrade import old_format

if TYPE_CHECKING:
    from minsheng.core.datadir import DataDir
    from minsheng.plan.funds import LoadedFunds


@dataclass
class LoadedPlan:
    """A valid plan with the marks of its file, and indexes for the lookups commands need."""

    plan: Plan
    doc: Document
    path: Path
    digest: bytes = field(repr=False)  # of the text read: the plan's part of a ledger's key
    _unit_names: dict[str, Unit] = field(default_factory=dict, repr=False)
    funds: LoadedFunds | None = None  # the year's funds file (plan.funds), where there is one

    def __post_init__(self) -> None:
        for unit in self.plan.units:
            for name in (unit.name, *unit.aliases):
                self._unit_names[name] = unit

    @property
    def file(self) -> str:
        return self.doc.file

    def with_funds(self, funds: LoadedFunds) -> LoadedPlan:
        """This plan with its funds file: the funded items gain their reserved targets, and the
        digest (a ledger's key, a return's stamp) covers both files."""
        both = digest(self.digest + funds.digest)
        return dataclasses.replace(self, funds=funds, digest=both, _unit_names={})

    def targets_of(self, item: Item) -> list[Target]:
        """Every target progress is recorded against: the item's own, its measures', then
        资金到位, 资金拨付 and 完成投资 where the funds file names the item."""
        if self.funds is None:
            return item.all_targets()
        return [*item.all_targets(), *self.funds.targets(item.id)]

    def item(self, number: int) -> Item:
        for item in self.plan.items:
            if item.id == number:
                return item
        raise UsageError(Code.UNKNOWN_ITEM, f"没有第 {number} 项(共 {len(self.plan.items)} 项)")

    def category(self, number: int) -> Category:
        return next(c for c in self.plan.categories if c.id == number)

    def unit_named(self, name: str) -> Unit | None:
        """The unit with this canonical name or alias, if any."""
        return self._unit_names.get(name)

    def canonical_units(self, item: Item) -> list[str]:
        return [self._unit_names[name].name for name in item.units if name in self._unit_names]

    def find_unit(self, query: str) -> Unit:
        """A unit by name, alias or an unambiguous part of a name (`民政`)."""
        query = query.strip()
        exact = self._unit_names.get(query)
        if exact is not None:
            return exact
        partial = {unit.id: unit for name, unit in self._unit_names.items() if query in name}
        if len(partial) == 1:
            return next(iter(partial.values()))
        names = sorted(self._unit_names)
        if partial:
            shown = "、".join(unit.name for unit in partial.values())
            raise UsageError(Code.AMBIGUOUS_UNIT, f"单位 {query!r} 不明确,可能是:{shown}")
        close = difflib.get_close_matches(query, names, n=3, cutoff=0.3)
        hint = f",最接近的是:{'、'.join(close)}" if close else ""
        raise UsageError(Code.UNKNOWN_UNIT, f"没有名为 {query!r} 的牵头单位{hint}")

    def find_category(self, query: str) -> Category:
        """A category by number (3) or name (困难群体救助) or alias (文体服务)."""
        query = query.strip()
        for category in self.plan.categories:
            if query in {str(category.id), category.name, *category.aliases}:
                return category
        names = [c.name for c in self.plan.categories]
        close = difflib.get_close_matches(query, names, n=3, cutoff=0.3)
        hint = f",最接近的是:{'、'.join(close)}" if close else ""
        raise UsageError(Code.UNKNOWN_CATEGORY, f"没有类别 {query!r}(可用 1–10 或类别名){hint}")

    def items_of(self, unit: Unit) -> list[Item]:
        names = {unit.name, *unit.aliases}
        return [item for item in self.plan.items if names.intersection(item.units)]

    def reporter(self, item: Item, target: Target) -> str:
        """The canonical name of the unit that reports `target` (Item.reporter_index)."""
        return reporter_of(item, target, self.canonical_units(item))

    def reports(self, unit: Unit, item: Item, target: Target) -> bool:
        """Whether `unit` reports `target` of `item`."""
        return bool(item.units) and self.reporter(item, target) == unit.name


def load_plan(
    path: Path, file: str | None = None, cache: Cache | None = None
) -> tuple[LoadedPlan | None, list[Issue]]:
    """Read, parse, validate and check a plan file; all problems at once.

    With `cache`, a valid plan's parse (its data and line marks, not its model) is kept by
    its text's digest and minsheng's code (cache.fingerprint); a plan whose text was kept is
    validated and checked from that plain data, without parsing its YAML again. A plan with
    any problem is never kept, and is always parsed afresh: its messages and line numbers are
    those of its own text."""
    name = file or str(path)
    if cache is not None:
        text, problems = read_file(path, name)
        if text is None:
            return None, problems
        kept = _kept(cache, text, name, path)
        if kept is not None:
            return kept, []
    read, issues = read_model(path, Plan, file, first=old_format)
    if read is None:
        return None, issues
    loaded, issues = _checked(read.model, read.doc, path, read.digest, issues)
    if loaded is not None and cache is not None:
        cache.plans.put(_plan_key(read.digest), _encode_doc(read.doc))
        cache.plans.keep_newest(KEEP_PLANS, KEEP_PLANS_BYTES)
    return loaded, issues


def _checked(
    plan: Plan, doc: Document, path: Path, text_digest: bytes, issues: list[Issue]
) -> tuple[LoadedPlan | None, list[Issue]]:
    """The checks across records, after those of the schema (`issues`)."""
    for check in CHECKS:
        issues.extend(check(plan, doc))
    issues.extend(check_file_year(plan, doc, path))
    loaded = LoadedPlan(plan, doc, path, text_digest)
    return (loaded if not issues else None), in_file_order(issues)


# --- a valid plan's parse, kept (load_plan with a cache) ----------------------------------

# Parses kept: the newest KEEP_PLANS, and more while they fit in KEEP_PLANS_BYTES (a city's
# hundred districts' plans, about 250 KB each).
KEEP_PLANS = 8
KEEP_PLANS_BYTES = 64 * 2**20


def _plan_key(text_digest: bytes) -> str:
    return hashlib.sha256(b"plan\0" + fingerprint() + text_digest).hexdigest()


def _kept(cache: Cache, text: str, name: str, path: Path) -> LoadedPlan | None:
    """The plan from its kept parse, validated and checked as a fresh one is; None when none
    is kept, or it is not whole, or it has any problem (then it is parsed afresh)."""
    text_digest = digest(text.encode("utf-8", "surrogatepass"))
    payload = cache.plans.get(_plan_key(text_digest))
    doc = None if payload is None else _decode_doc(payload, name)
    if doc is None or old_format(doc):
        return None
    plan, issues = validate(Plan, doc)
    if plan is None or issues:
        return None
    loaded, issues = _checked(plan, doc, path, text_digest, issues)
    return loaded if not issues else None


def _encode_doc(doc: Document) -> bytes:
    """A valid plan's document in plain values marshal writes: a Decimal as a 1-tuple of its
    text (the data holds no tuple of its own: YAML's sequences are lists)."""
    return marshal.dumps(
        (_plain(doc.data), doc.marks, doc.start_line, doc.end_line, doc.explicit_end)
    )


def _decode_doc(payload: bytes, name: str) -> Document | None:
    try:
        data, marks, start, end, explicit = marshal.loads(payload)
        shaped = (
            type(marks) is dict
            and type(start) is int
            and type(end) is int
            and type(explicit) is bool
        )
        return Document(name, _unplain(data), marks, [], start, end, explicit) if shaped else None
    except (EOFError, ValueError, TypeError, ArithmeticError):
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return (str(value),)
    return value


def _unplain(value: Any) -> Any:
    """_plain undone; anything it does not write raises TypeError (a kept parse not whole)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {
            key if type(key) in _SCALARS else _unplain(key): (
                item if type(item) in _SCALARS else _unplain(item)
            )
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _SCALARS else _unplain(item) for item in value]
    if kind is tuple and len(value) == 1 and type(value[0]) is str:
        return Decimal(value[0])
    raise TypeError(kind.__name__)


_SCALARS = frozenset({str, int, bool, type(None)})


def open_funds(folder: DataDir, loaded: LoadedPlan) -> tuple[LoadedPlan | None, list[Issue]]:
    """The plan with its year's funds file attached, where there is one; the plan as it is
    where there is none; None and the file's problems where it is invalid."""
    path = funds_path(folder, loaded.plan.document.year)
    if path is None:
        return loaded, []
    funds, issues = load_funds(path, loaded.plan, folder.display(path))
    if funds is None:
        return None, issues
    return loaded.with_funds(funds), []
