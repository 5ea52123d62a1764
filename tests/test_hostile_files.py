"""Hostile programme files: alias bombs, deep nesting, huge documents and values.

Each file is run through ``spinekit schedule`` in a child process with a time limit and an
address-space limit, as a user's shell would run it: it must end at once with exit code 2 and
one short line on stderr, however the file was built to exhaust the machine.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest
from _helpers import HEAD, write_file

from spinekit.model.errors import short_repr
from spinekit.model.files import MAX_DOCUMENT_CHARS, MAX_NESTING, load_yaml

#: The child's address space: ample for spinekit (about 0.3 GB), far too little for a bomb.
MEMORY_LIMIT = 1_500_000_000
#: Seconds a hostile file may take, start-up included (a bomb ran past 60 s before the bounds).
TIME_LIMIT = 15


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _spinekit(*argv) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spinekit", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
    )


def _laughs(levels: int = 9, indent: str = "  ") -> str:
    """A "billion laughs" sequence: each level is nine aliases of the level before (9**levels)."""
    lines = [f"{indent}- &l0 [{', '.join(['lol'] * 9)}]"]
    lines += [f"{indent}- &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


TAIL = "tasks:\n  - {id: a, duration: 1}\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("name:\n" + _laughs() + "start: 2027-01-04\n" + TAIL, id="bomb-in-name"),
        pytest.param("name: t\nstart: 2027-01-04\nnotes:\n" + _laughs() + TAIL, id="bomb-under-unknown-key"),
        pytest.param(HEAD + "tasks:\n  - {id: a, duration: 1, depends_on: &d [*d]}\n", id="recursive-alias"),
    ],
)
def test_alias_bombs_are_refused_at_once_with_bounded_memory(tmp_path, text):
    r = _spinekit("schedule", write_file(tmp_path, text))
    assert r.returncode == 2, r.stderr[-500:]
    assert r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line and len(line) < 300
    assert line.startswith(f"spinekit: error: {tmp_path / 'plan.yaml'}: ")
    assert "alias" in line


def test_the_alias_bomb_error_counts_the_expanded_values(tmp_path):
    # Three levels of nine: 9 + 81 + 729 scalars, plus the three sequences and the list holding
    # them, plus the mapping, its keys and values: the count shown is the expanded size.
    text = "name: t\nstart: 2027-01-04\nnotes:\n" + _laughs(3) + TAIL
    assert load_yaml(text)["notes"][2][8][8] == ["lol"] * 9  # three levels are harmless data
    bomb = "name: t\nstart: 2027-01-04\nnotes:\n" + _laughs(6) + TAIL
    # Level 0 is a sequence of nine scalars (10 values); level k is a sequence of nine level k-1.
    levels = [10]
    for _ in range(5):
        levels.append(1 + 9 * levels[-1])
    # The root mapping, its four keys, the 'name' and 'start' values, the notes list and its
    # levels, and the tasks list (list, one task mapping, two keys, two values).
    values = 1 + 4 + 2 + (1 + sum(levels)) + 6
    with pytest.raises(ValueError, match=f"expand the file to {values:,} values"):
        load_yaml(bomb)


def test_aliases_that_repeat_a_small_value_still_load(tmp_path):
    text = HEAD + (
        "tasks:\n"
        "  - {id: a, duration: 1}\n"
        "  - {id: b, duration: 2, depends_on: &after-a [a]}\n"
        "  - {id: c, duration: 3, depends_on: *after-a}\n"
    )
    r = _spinekit("schedule", "--format", "csv", write_file(tmp_path, text))
    assert r.returncode == 0, r.stderr
    rows = {line.split(",")[0]: line for line in r.stdout.splitlines()[1:]}
    # b and c both follow a (one day, Monday 4 January 2027): both start Tuesday the 5th.
    assert ",2027-01-05," in rows["b"] and ",2027-01-05," in rows["c"]


def test_nesting_deeper_than_the_bound_is_refused(tmp_path):
    deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    r = _spinekit("schedule", write_file(tmp_path, f"name: {deep}\nstart: 2027-01-04\n" + TAIL))
    assert r.returncode == 2
    assert f"nested more than {MAX_NESTING} levels deep at line 1" in r.stderr
    shallow = "[" * (MAX_NESTING - 2) + "1" + "]" * (MAX_NESTING - 2)
    assert load_yaml(f"a: {shallow}")["a"] is not None


def test_an_oversized_document_is_refused_before_it_is_parsed(tmp_path):
    text = HEAD + TAIL + "#" * MAX_DOCUMENT_CHARS
    r = _spinekit("schedule", write_file(tmp_path, text))
    assert r.returncode == 2
    assert f"is {len(text):,} characters long" in r.stderr


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("name: [" + ", ".join(["x" * 50] * 20_000) + "]\nstart: 2027-01-04\n" + TAIL, "name"),
        (HEAD + "tasks:\n  - {id: a, duration: [" + ", ".join(["7"] * 50_000) + "]}\n", "duration"),
        (HEAD + "tasks:\n  - {id: a, duration: 1, " + "k" * 200_000 + ": 1}\n", None),
        (HEAD + "tasks:\n  - {id: a, duration: 1, depends_on: [" + "q" * 200_000 + "]}\n", None),
    ],
    ids=["list-as-name", "list-as-duration", "long-unknown-key", "long-unknown-task"],
)
def test_an_error_quotes_only_a_short_part_of_a_bad_value(tmp_path, body, field):
    r = _spinekit("schedule", write_file(tmp_path, body))
    assert r.returncode == 2
    line = r.stderr.strip()
    assert "\n" not in line
    assert len(line) < 400, line[:400]
    if field:
        assert f"field {field!r}" in line


def test_short_repr_cuts_strings_and_containers():
    assert short_repr("abc") == "'abc'"
    assert short_repr([1, 2, 3, 4, 5, 6]) == "[1, 2, 3, 4, ...]"
    assert short_repr([[[[1]]]]) == "[[[...]]]"
    cut = short_repr("y" * 1000)
    assert len(cut) <= 60 and cut.startswith("'yyy") and "..." in cut
