"""Attestations and sign-offs: which practices a person has answered as met, and which sign-offs ran out.

A sign-off (``%wellml signoff PRACTICE --approver "name, role" --expires DATE``) is an
attestation with an approver and, optionally, the last day it holds. After that day it no longer
answers the practice: the review shows the practice as to answer again, with a message.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from .store import FoundRecord


def approvals(
    records: Iterable[FoundRecord], today: _dt.date | None = None
) -> tuple[dict[str, FoundRecord], dict[str, FoundRecord]]:
    """``(answered, expired)``: practice id → the attestation or valid sign-off answering it,
    and practice id → the sign-off that ran out (only where nothing else answers it)."""
    day = (today or _dt.date.today()).isoformat()
    answered: dict[str, FoundRecord] = {}
    expired: dict[str, FoundRecord] = {}
    for r in records:
        kind, practice = r.record.get("kind"), r.record.get("practice")
        if kind == "attest":
            answered.setdefault(practice, r)
        elif kind == "signoff":
            expires = r.record.get("expires")
            if isinstance(expires, str) and expires < day:
                expired[practice] = r
            else:
                answered[practice] = r  # a valid sign-off says more than an attestation
    return answered, {p: r for p, r in expired.items() if p not in answered}


def approval_message(r: FoundRecord) -> str:
    """How the review words an answering attestation or sign-off."""
    rec = r.record
    if rec.get("kind") == "signoff":
        until = f" until {rec['expires']}" if rec.get("expires") else ""
        note = f": {rec['note']}" if rec.get("note") else ""
        return f"signed off by {rec.get('approver', '?')}{until}{note}"
    return f"attested: {rec.get('note', '')}"


def expired_message(r: FoundRecord) -> str:
    rec = r.record
    return (
        f"the sign-off by {rec.get('approver', '?')} expired on {rec.get('expires')}; the practice "
        f'is to answer again (%wellml signoff {rec.get("practice")} --approver "name, role" '
        "--expires YYYY-MM-DD)"
    )
