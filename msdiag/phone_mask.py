"""One phone-number masker for everything msdiag prints: `msdiag phone` and every report.

What stays visible, and why (the least that still lets a helpdesk work with the number):

- the country code (``+81``): whether the number was entered for the right country is the most
  common question, and a country code identifies no one;
- a trunk ``0`` typed right after the country code or at the start of a national number
  (``+81 090...``): the same digit for every number of that country, and the mistake the phone
  analysis reports (Microsoft's form does not always forgive it), so the user can see it;
- the last four digits (two for short numbers, none for very short ones): what a person reads
  back to confirm "is this your number?" without reading out the number.

Everything else, the area or mobile prefix included, is masked in place: separators and the shape
the number was written in stay (``+81 90-1234-5678`` -> ``+81 **-****-5678``), so a masked number
is still recognisable as the one the user typed. Full-width digits (a Japanese IME) are digits too.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers

# Fallbacks for numbers phonenumbers does not accept as valid: "+81 090-1234-5678" (trunk 0 kept after
# the country code), other +-numbers, and Japanese-style national numbers "090-1234-5678".
_PLUS_NUMBER = re.compile(r"(?<![\w+])\+\d[\d \-().]{6,22}\d(?![\w])")
_NATIONAL_NUMBER = re.compile(r"(?<![\w.+-])0\d{1,4}-\d{1,4}-\d{3,4}(?![\w.-])")
_DIGIT_RUN = re.compile(r"\d{7,}")
_INTERNATIONAL_PREFIX = re.compile(r"^\s*(?:\+|\uff0b|00(?!0))")


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch, 0)) if ch.isdigit() else ch for ch in text)


def _country_code_of(digits: str) -> int | None:
    for length in (1, 2, 3):
        code = int(digits[:length]) if len(digits) >= length else 0
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code
    return None


def _tail_length(national_digits: int) -> int:
    # at least four digits always stay hidden
    if national_digits >= 8:
        return 4
    return 2 if national_digits >= 6 else 0


def mask_number(raw: str, country_code: int | None = None) -> str:
    """Mask one phone number written as ``raw`` (see the module docstring for what stays).

    ``country_code``: when the caller knows it (phonenumbers' match); else it is read from an
    international ``raw`` (``+81``, ``0081``)."""
    positions = [i for i, ch in enumerate(raw) if ch.isdigit()]
    digits = _ascii_digits("".join(raw[i] for i in positions))
    keep: set[int] = set()
    national = positions
    international = _INTERNATIONAL_PREFIX.match(raw)
    if international:
        start = 2 if international.group().strip().startswith("00") else 0  # the 00 prefix itself
        code = country_code if country_code is not None else _country_code_of(digits[start:])
        cc_len = start + (len(str(code)) if code else min(2, len(positions) - start))
        keep.update(positions[:cc_len])
        national = positions[cc_len:]
    if national and digits[len(positions) - len(national)] == "0":  # the trunk prefix
        keep.add(national[0])
        national = national[1:]
    tail = _tail_length(len(national))
    if tail:
        keep.update(national[-tail:])
    return "".join("*" if (i in positions and i not in keep) else ch for i, ch in enumerate(raw))


@functools.lru_cache(maxsize=4096)
def _masked(regions: tuple[str, ...], known: tuple[str, ...], text: str) -> str:
    return PhoneMasker(list(regions), list(known))._mask(text)


class PhoneMasker:
    """Find phone numbers in free text (phonenumbers' matcher plus fallbacks) and mask each one.

    ``regions``: how national numbers are written (the phone's and the machine's countries; US
    when none is known). ``known_national_numbers``: digits of numbers known to be in the text
    (the one the user is adding), masked even when typed without separators."""

    def __init__(self, regions: list[str], known_national_numbers: list[str]) -> None:
        self.regions = regions or ["US"]
        self.known = sorted({n for n in known_national_numbers if len(n) >= 7}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if not any(map(str.isdigit, text)):
            return text
        # The same finding texts recur across the hosts of a fleet report: mask each once.
        return _masked(tuple(self.regions), tuple(self.known), text)

    def _mask(self, text: str) -> str:
        spans: list[tuple[int, int, int | None]] = []
        for region in self.regions:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                if _negative_integer(text, match.start, match.raw_string):
                    continue
                spans.append((match.start, match.end, match.number.country_code))
        for pattern in (_PLUS_NUMBER, _NATIONAL_NUMBER):
            for m in pattern.finditer(text):
                cc = _country_code_of(re.sub(r"\D", "", m.group())) if m.group().startswith("+") else None
                spans.append((m.start(), m.end(), cc))
        text = self._apply(text, spans)
        # Digits typed without separators ("09012345678", "819012345678") of a number we know.
        return _DIGIT_RUN.sub(self._mask_known_run, text)

    @staticmethod
    def _apply(text: str, spans: list[tuple[int, int, int | None]]) -> str:
        out, pos = [], 0
        for start, end, cc in sorted(spans, key=lambda s: (s[0], -s[1])):
            if start < pos:  # overlaps a span already masked
                continue
            out.append(text[pos:start])
            out.append(mask_number(text[start:end], cc))
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _mask_known_run(self, match: re.Match[str]) -> str:
        run = match.group()
        for number in self.known:
            index = run.find(number)
            if index >= 0:
                tail = _tail_length(len(number))
                masked = "*" * (len(number) - tail) + number[len(number) - tail :]
                return run[:index] + masked + run[index + len(number) :]
        return run


def _negative_integer(text: str, start: int, raw: str) -> bool:
    """A signed decimal such as an HRESULT (``-2147023665``, ``(-2147023665)``): a minus sign right
    before an unbroken run of digits. No one writes a phone number so."""
    first = next((i for i, ch in enumerate(raw) if ch.isdigit()), len(raw))
    before = (text[:start] + raw[:first]).rstrip()
    return before.endswith("-") and raw[first:].rstrip(") ").isdigit()


def mask_phones_in_text(text: str, region: str | None = None) -> str:
    """Mask every phone number in free text (national numbers as written in ``region``, else US)."""
    return PhoneMasker([region] if region else [], [])(text)
