"""Tier weights, the keyword classifier and the overrides file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hallofshame.domain.statuses import Source
from hallofshame.domain.tiers import (
    RULES,
    TierFileError,
    classify_by_rules,
    parse_overrides,
    weight,
)

CATALOG = Path(__file__).resolve().parents[3] / "shared" / "data" / "catalog"
MK_TIERS = CATALOG / "magic_kingdom_tiers.csv"
MK_QUEUE_TIMES_ID = "6"

#: How many hand-made Magic Kingdom tiers the rules reproduce (of 28). The rules need
#: not agree with all; this pins the number so a rule change that loses ground shows.
EXPECTED_AGREEMENT = 21


def test_weights() -> None:
    assert [weight(1), weight(2), weight(3), weight(None)] == [3, 2, 1, 2]
    with pytest.raises(ValueError):
        weight(4)


@pytest.mark.parametrize(
    ("name", "category", "tier"),
    [
        ("Space Mountain", "ATTRACTION", 1),
        ("Big Thunder Mountain Railroad", "ATTRACTION", 1),
        ("Seven Dwarfs Mine Train", "ATTRACTION", 1),
        ("The Twilight Zone Tower of Terror™", "ATTRACTION", 1),
        ("Prince Charming Regal Carrousel", "ATTRACTION", 3),
        ("Mad Tea Party", "ATTRACTION", 3),
        ("Dumbo the Flying Elephant", "ATTRACTION", 3),
        ("Walt Disney World Railroad - Fantasyland", "ATTRACTION", 3),
        ("Casey Jr. Splash 'N' Soak Station", "EXPERIENCE", 3),
        ("Star Tours – The Adventures Continue", "ATTRACTION", 2),
        ("Buzz Lightyear\u2019s Space Ranger Spin", "ATTRACTION", 2),
        ("Liberty Square Riverboat", "ATTRACTION", 2),
        ("Mickey's PhilharMagic", "SHOW", 3),
        ("Cinderella Castle", "EXPERIENCE", None),
    ],
)
def test_rule_examples(name: str, category: str, tier: int | None) -> None:
    got, reason = classify_by_rules(name, category, "Somewhere")
    assert got == tier
    assert reason


def test_rules_are_a_readable_table() -> None:
    assert all(r.tier in (1, 2, 3) and r.reason for r in RULES)


def _catalog_categories() -> dict[str, tuple[str, str]]:
    rides = CATALOG / "rides.csv"
    with rides.open(encoding="utf-8") as f:
        return {
            r["name"].strip('"').lower(): (r["category"], r["land"])
            for r in csv.DictReader(f)
            if r["park_queue_times_id"] == MK_QUEUE_TIMES_ID
        }


@pytest.mark.skipif(not MK_TIERS.exists(), reason="shared catalog not present")
def test_agreement_with_hand_made_magic_kingdom_tiers() -> None:
    known = _catalog_categories()
    agree, total, misses = 0, 0, []
    with MK_TIERS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["Ride Name"]
            expected = int(row["Tier"].removeprefix("Tier ").strip())
            category, land = known.get(name.lower(), (None, None))
            tier, reason = classify_by_rules(name, category, land)
            total += 1
            if tier == expected:
                agree += 1
            else:
                misses.append(f"{name}: hand {expected}, rules {tier} ({reason})")
    assert total == 28
    assert agree >= EXPECTED_AGREEMENT, "\n".join(misses)


def test_parse_overrides_text() -> None:
    text = (
        "source,upstream_ride_id,tier,reason\n"
        "themeparks.wiki,7e2d4b3a-0c1f-4f0e-9a57-2b1f0f3c9d11,1,flagship coaster\n"
        "\n"
        'queue-times,6374,3,"carousel, classic"\n'
        "queue-times,6375,2,\n"
    )
    rows = parse_overrides(text)
    assert [(r.source, r.upstream_ride_id, r.tier, r.reason, r.line_no) for r in rows] == [
        (Source.THEMEPARKS_WIKI, "7e2d4b3a-0c1f-4f0e-9a57-2b1f0f3c9d11", 1, "flagship coaster", 2),
        (Source.QUEUE_TIMES, "6374", 3, "carousel, classic", 4),
        (Source.QUEUE_TIMES, "6375", 2, None, 5),
    ]


def test_parse_overrides_path(tmp_path: Path) -> None:
    path = tmp_path / "tiers.csv"
    path.write_text("\ufeffsource,upstream_ride_id,tier\nqueue-times,1,2\n", encoding="utf-8")
    assert parse_overrides(path)[0].tier == 2
    assert parse_overrides(str(path))[0].upstream_ride_id == "1"


def test_shipped_overrides_file_parses() -> None:
    shipped = Path(__file__).resolve().parents[2] / "src" / "hallofshame" / "data"
    if not (shipped / "tier_overrides.csv").exists():
        pytest.skip("no shipped overrides file")
    assert parse_overrides(shipped / "tier_overrides.csv")


def test_malformed_rows_refuse_the_file_and_name_every_line() -> None:
    text = (
        "source,upstream_ride_id,tier,reason\n"
        "queue-times,1,1,ok\n"
        "disneyland-api,2,1,unknown source\n"
        "queue-times,3,4,tier too high\n"
        'queue-times,4,2,"a reason\nacross lines"\n'
        "queue-times,,2,missing id\n"
        "queue-times,6,two,not a number\n"
        "queue-times,7,1,unquoted, comma\n"
    )
    with pytest.raises(TierFileError) as info:
        parse_overrides(text)
    assert info.value.line_numbers == [3, 4, 7, 8, 9]
    assert "line 3" in str(info.value) and "line 9" in str(info.value)


def test_missing_header_column() -> None:
    with pytest.raises(TierFileError) as info:
        parse_overrides("source,id,tier\nqueue-times,1,1\n")
    assert info.value.line_numbers == [1]


def test_a_refused_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tiers.csv"
    path.write_text("source,upstream_ride_id,tier\nqueue-times,1,2\nqueue-times,2,4\n")
    with pytest.raises(TierFileError) as info:
        parse_overrides(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value) and "line 3" in str(info.value)


def test_a_ride_given_twice_refuses_the_file() -> None:
    text = (
        "source,upstream_ride_id,tier\n"
        "queue-times,1,1\n"
        "themeparks.wiki,1,3\n"  # another source: another ride
        "queue-times,1,3\n"
    )
    with pytest.raises(TierFileError) as info:
        parse_overrides(text)
    assert info.value.errors == [(4, "'1' already given on line 2")]


def test_rows_the_database_could_not_keep_are_refused() -> None:
    text = (
        "source,upstream_ride_id,tier,reason\n"
        f"themeparks.wiki,{'x' * 65},1,\n"
        "queue-times,abc,1,\n"
        f"queue-times,3,1,{'r' * 201}\n"
        f"queue-times,4,1,{'r' * 200}\n"
    )
    with pytest.raises(TierFileError) as info:
        parse_overrides(text)
    assert info.value.line_numbers == [2, 3, 4]
