"""Secrets out of text that goes into a capture: exception messages and what the host sent.

(Named scrubbing, not secrets, so that no module shadows the standard library's ``secrets``.)
"""

from __future__ import annotations

import base64
import re

from msdiag.collectors.credentials import Credentials
from msdiag.sanitize import one_line

MAX_DETAIL_CHARS = 600

_AUTH_HEADER = re.compile(r"(?i)\b(authorization|proxy-authorization|www-authenticate)\b\s*[:=]\s*[^,;\r\n]*")
_URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@")
# The control-character part is a sanitiser's job; msdiag/sanitize.py (issue 10) is to take it over.


def secrets_of(credentials: Credentials) -> list[str]:
    """The password and the Basic-auth forms of user:password that could appear in text."""
    secrets = [credentials.password]
    for encoding in ("utf-8", "latin-1"):
        try:
            pair = f"{credentials.username}:{credentials.password}".encode(encoding)
        except UnicodeEncodeError:
            continue
        secrets.append(base64.b64encode(pair).decode("ascii"))
    return [s for s in secrets if s]


def scrub(text: str, credentials: Credentials | None, limit: int = MAX_DETAIL_CHARS) -> str:
    """Text from exceptions or the host, made safe for a capture: no secrets, one line, bounded."""
    if credentials is not None:
        for secret in secrets_of(credentials):
            text = text.replace(secret, "[redacted]")
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}: [redacted]", text)
    text = _URL_USERINFO.sub(r"\1[redacted]@", text)
    return one_line(text, limit)
