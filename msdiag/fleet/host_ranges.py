"""Ansible host ranges (``pc[01:40]``, ``kiosk[a:c]``, ``pc[0:100:10]``): counted before expanded.

``pc[00000000:99999999]`` is 100 million names: :func:`count_host_pattern` says so in constant
time, so a range over the cap is refused before a single name is made (it took 69 s and 7.1 GB).
"""

from __future__ import annotations

import re
import string

#: hosts in one inventory (ranges are counted before they are expanded)
MAX_EXPANDED_HOSTS = 100_000
_RANGE = re.compile(r"\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\]")


def count_host_pattern(pattern: str) -> int:
    """How many names ``pattern`` expands to, without making them (ValueError for a bad range)."""
    count = 1
    for match in _RANGE.finditer(pattern):
        count *= len(_range_values(match, pattern))
    return count


def _range_values(match: re.Match[str], pattern: str) -> range | str:
    start, end, stride_text = match.groups()
    stride = int(stride_text) if stride_text else 1
    if stride < 1:
        raise ValueError(f"bad range stride in {pattern[:80]!r}")
    if start.isdigit() and end.isdigit():
        values: range | str = range(int(start), int(end) + 1, stride)
    elif start.isalpha() and end.isalpha():
        letters = string.ascii_lowercase
        values = letters[letters.index(start) : letters.index(end) + 1 : stride]
    else:
        raise ValueError(f"range mixes digits and letters in {pattern[:80]!r}")
    if not values:
        raise ValueError(f"empty range in {pattern[:80]!r}")
    return values


def expand_host_pattern(pattern: str) -> list[str]:
    """``pc[01:03].corp`` -> pc01.corp, pc02.corp, pc03.corp (Ansible's host ranges).

    Counted first (count_host_pattern): more than MAX_EXPANDED_HOSTS is a ValueError before any
    name is made."""
    count = count_host_pattern(pattern)
    if count > MAX_EXPANDED_HOSTS:
        raise ValueError(f"{pattern[:80]!r} expands to {count:,} hosts (at most {MAX_EXPANDED_HOSTS:,})")
    match = _RANGE.search(pattern)
    if not match:
        return [pattern]
    start = match.group(1)
    width = len(start) if start.isdigit() and start.startswith("0") else 0
    head, tail = pattern[: match.start()], pattern[match.end() :]
    result: list[str] = []
    for value in _range_values(match, pattern):
        text = str(value).zfill(width) if isinstance(value, int) else value
        result.extend(expand_host_pattern(head + text + tail))
    return result
