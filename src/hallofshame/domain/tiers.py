"""Ride tiers: the tier → weight table, the keyword classifier, and the overrides file.

Tiers come, in priority order, from the hand-made overrides file (REPLAY.md "Tier
overrides"), then from the rules below, else the ride is unclassified (weight 2).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from hallofshame.domain.statuses import Source

# --- weights (METRICS.md §1) ----------------------------------------------------------

#: The single tier → weight table; an unclassified ride weighs as a middle-tier one so
#: that a missing classification neither inflates nor hides a breakdown.
TIER_WEIGHTS: dict[int | None, int] = {1: 3, 2: 2, 3: 1, None: 2}

TIERS: tuple[int, ...] = (1, 2, 3)


def weight(tier: int | None) -> int:
    try:
        return TIER_WEIGHTS[tier]
    except KeyError:
        raise ValueError(f"unknown tier {tier!r}; tiers are 1, 2, 3 or None") from None


# --- keyword rules --------------------------------------------------------------------


@dataclass(frozen=True)
class TierRule:
    pattern: re.Pattern[str]
    tier: int
    reason: str


def _rule(pattern: str, tier: int, reason: str) -> TierRule:
    return TierRule(re.compile(pattern, re.IGNORECASE), tier, reason)


#: Ordered: the first matching rule wins, so specific names come before the generic
#: words they contain ("Big Thunder Mountain Railroad" is a coaster, not a train; "Buzz
#: Lightyear's Space Ranger Spin" is a shooter dark ride, not a spinner). Patterns match
#: the ride's name, normalised to lower case with straight apostrophes.
RULES: tuple[TierRule, ...] = (
    # Tier 1: headliners that draw the crowds.
    _rule(
        r"\bcoaster\b|\bmountain\b|\bmine train\b|lightcycle|rock ?'?n'? ?roller"
        r"|\bhagrid|velocicoaster|incredicoaster|expedition everest|\bhulk\b",
        1,
        "roller coaster",
    ),
    _rule(r"tower of terror|drop tower|free ?fall|\bdrop zone\b", 1, "drop tower"),
    _rule(r"\bflume\b|\blog ride\b|\blog jammer\b|jurassic park river adventure", 1, "water flume"),
    _rule(
        r"pirates of the caribbean|haunted mansion|phantom manor|indiana jones"
        r"|rise of the resistance|radiator springs racers|flight of passage"
        r"|spider-?man|harry potter|forbidden journey|escape from gringotts"
        r"|guardians of the galaxy|transformers|revenge of the mummy",
        1,
        "flagship dark ride",
    ),
    # Tier 3 before tier 2: kiddie and play areas often borrow ride words ("splash").
    _rule(
        r"playground|play ?area|play ?zone|splash ?'?n'? ?soak|splash pad|soak station"
        r"|treehouse|tree house|walk-?through|tom sawyer island|\bpirate's lair\b",
        3,
        "play area / walk-through",
    ),
    _rule(r"\bkiddie\b|\bkid'?s\b|\bjunior\b|\bjr\.?(?=\s|$)|\bchildren'?s\b", 3, "kiddie ride"),
    # Tier 2: standard rides.
    _rule(r"space ranger|toy story mania|\bblasters?\b|\bshoot", 2, "interactive dark ride"),
    _rule(
        r"simulator|star tours|soarin|mission: ?space|smugglers run|\bflight simulator\b",
        2,
        "simulator",
    ),
    _rule(
        r"dark ride|little mermaid|winnie the pooh|snow white|pinocchio|alice in wonderland"
        r"|mr\.? toad|roger rabbit|spaceship earth|frozen ever after|ratatouille"
        r"|men in black|\be\.?t\.? adventure|\bsimpsons\b",
        2,
        "dark ride",
    ),
    _rule(r"speedway|autopia|grand prix|raceway", 2, "car track ride"),
    _rule(
        r"\briver\b|riverboat|\bboats?\b|\bcruise\b|\brapids\b|\brafts?\b|\bcanoes?\b"
        r"|small world",
        2,
        "river / boat ride",
    ),
    _rule(r"people ?mover", 2, "continuous ride-through"),
    # Tier 3: flat rides, transport and shows.
    _rule(r"carr?ou?sel|merry-go-round", 3, "carousel"),
    _rule(r"tea ?cups?|tea party", 3, "teacups"),
    _rule(
        r"\bspinn?(?:er|ing)?\b|orbiter|dumbo|flying elephant|magic carpets|\bswings?\b"
        r"|wave swinger|jellyfish|triceratops|zephyr|whirl",
        3,
        "spinner",
    ),
    _rule(
        r"railroad|railway|\btrain\b|\btram\b|monorail|\bferry\b|omnibus|trolley"
        r"|\bvehicles\b|horse-?drawn|\bwater taxi\b",
        3,
        "transport",
    ),
    _rule(
        r"theat(?:er|re)|\bshow\b|tiki room|jamboree|revue|playhouse|\bstage\b", 3, "theater / show"
    ),
)

#: Categories that are shows whatever their name (the feeds' category, upper case).
_SHOW_CATEGORIES = frozenset({"SHOW"})


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").lower().split())


def classify_by_rules(
    name: str, category: str | None = None, land: str | None = None
) -> tuple[int | None, str]:
    """``(tier, reason)`` from the first matching rule, or ``(None, reason)``.

    ``land`` is accepted so the rules can grow to use it; none do yet, because a land
    says little about a ride (Fantasyland holds both a headline coaster and teacups).
    """
    del land  # see docstring
    text = _normalise(name)
    for rule in RULES:
        match = rule.pattern.search(text)
        if match:
            return rule.tier, f"{rule.reason} (name matches {match.group(0)!r})"
    if category is not None and category.strip().upper() in _SHOW_CATEGORIES:
        return 3, "theater / show (category SHOW)"
    return None, "no rule matched"


# --- overrides file (REPLAY.md "Tier overrides") -------------------------------------

_REQUIRED_COLUMNS = ("source", "upstream_ride_id", "tier")
#: What the database keeps of an override (``tier_overrides``, ``rides.tier_reason``).
MAX_ID_LENGTH = 64
MAX_REASON_LENGTH = 200
_SOURCES = {s.value: s for s in Source}


class TierFileError(ValueError):
    """The overrides file is refused as a whole; ``errors`` lists every bad line.

    ``file`` names the file when the rows were read from one, so the message says
    which file to fix as well as which lines.
    """

    def __init__(self, errors: list[tuple[int, str]], file: str | None = None) -> None:
        self.errors = errors
        self.file = file
        lines = "; ".join(f"line {n}: {msg}" for n, msg in errors)
        where = f" {file}" if file else ""
        super().__init__(f"tier overrides{where} refused ({len(errors)} bad line(s)): {lines}")

    @property
    def line_numbers(self) -> list[int]:
        return [n for n, _ in self.errors]


@dataclass(frozen=True)
class TierOverrideRow:
    source: Source
    upstream_ride_id: str
    tier: int
    reason: str | None
    line_no: int


def _file_of(text_or_path: str | Path) -> Path | None:
    # A Path is a file; a string is the CSV itself unless it is a single line naming an
    # existing file (a CSV always has a header line and so never looks like that).
    if isinstance(text_or_path, Path):
        return text_or_path
    if "\n" not in text_or_path and text_or_path.strip() and Path(text_or_path).is_file():
        return Path(text_or_path)
    return None


def _check_row(fields: dict[str, str], line: int) -> tuple[TierOverrideRow | None, list[str]]:
    problems = []
    source_text = fields.get("source", "").strip()
    source = _SOURCES.get(source_text.lower())
    if source is None:
        problems.append(f"unknown source {source_text!r} (expected {', '.join(_SOURCES)})")
    ride_id = fields.get("upstream_ride_id", "").strip()
    if not ride_id:
        problems.append("missing upstream_ride_id")
    elif len(ride_id) > MAX_ID_LENGTH:
        problems.append(f"upstream_ride_id longer than {MAX_ID_LENGTH} characters")
    elif source is Source.QUEUE_TIMES and not ride_id.isdigit():
        problems.append(f"a queue-times ride id is a number, got {ride_id!r}")
    tier_text = fields.get("tier", "").strip()
    tier = int(tier_text) if tier_text in ("1", "2", "3") else None
    if tier is None:
        problems.append(f"tier must be 1, 2 or 3, got {tier_text!r}")
    if problems or source is None or tier is None:
        return None, problems
    reason = (fields.get("reason") or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        return None, [f"reason longer than {MAX_REASON_LENGTH} characters"]
    return TierOverrideRow(source, ride_id, tier, reason, line), []


def parse_overrides(text_or_path: str | Path) -> list[TierOverrideRow]:
    """Every row of an overrides CSV, or :class:`TierFileError` naming all bad lines.

    Line numbers are those of the file (the header is line 1); blank lines are skipped.
    A reason containing a comma must be quoted: an extra field is an error, since the
    row's meaning would otherwise be a guess. So is a second row for the same ride.
    """
    file = _file_of(text_or_path)
    name = str(file) if file is not None else None
    text = file.read_text(encoding="utf-8-sig") if file is not None else str(text_or_path)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header: list[str] | None = None
    rows: list[TierOverrideRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[Source, str], int] = {}
    line = 1
    for record in reader:
        first_line, line = line, reader.line_num + 1  # a quoted field may span lines
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            missing = [c for c in _REQUIRED_COLUMNS if c not in header]
            if missing:
                raise TierFileError(
                    [(first_line, f"header lacks column(s) {', '.join(missing)}")], name
                )
            continue
        if len(record) > len(header):
            errors.append(
                (
                    first_line,
                    f"{len(record)} fields, header has {len(header)}"
                    " (quote a reason that contains a comma)",
                )
            )
            continue
        row, problems = _check_row(dict(zip(header, record, strict=False)), first_line)
        if row is None:
            errors.append((first_line, "; ".join(problems)))
        elif (row.source, row.upstream_ride_id) in seen:
            first = seen[(row.source, row.upstream_ride_id)]
            errors.append((first_line, f"{row.upstream_ride_id!r} already given on line {first}"))
        else:
            seen[(row.source, row.upstream_ride_id)] = first_line
            rows.append(row)
    if errors:
        raise TierFileError(errors, name)
    return rows
