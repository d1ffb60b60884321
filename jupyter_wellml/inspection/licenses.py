"""License policy: which licenses of installed packages need a person's review.

Licenses are read from a package's ``License-Expression`` (SPDX), its license classifiers, or the
first line of its ``License`` field, normalised to SPDX-like ids. By default permissive licenses
are allowed, AGPL, GPL (not LGPL), SSPL and unknown licenses are flagged for review; teams add
``allow`` and ``deny`` globs (deny wins). An ``OR`` expression is allowed when one alternative is;
``AND``/``WITH`` need every part allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from ..values import Frozen

DEFAULT_ALLOW = (
    "MIT",
    "MIT-*",
    "BSD",
    "BSD-*",
    "0BSD",
    "Apache",
    "Apache-*",
    "ISC",
    "PSF",
    "PSF-*",
    "Python-*",
    "MPL-*",
    "LGPL-*",
    "LGPL",
    "Unlicense",
    "CC0-*",
    "Zlib",
    "EPL-*",
    "HPND",
    "BSL-1.0",
    "CC-BY-4.0",
    "CC-BY-3.0",
    "Artistic-*",
    "NCSA",
    "UPL-1.0",
    "W3C",
    "Public-Domain",
    "OFL-*",
    "CNRI-Python",
    "X11",
    "BlueOak-*",
    "Boost",
    "MIT-CMU",
)
DEFAULT_REVIEW = (
    "AGPL*",
    "GPL*",
    "SSPL*",
    "UNKNOWN",
    "Proprietary",
    "Commercial",
    "CC-BY-NC*",
    "CC-BY-ND*",
    "BUSL-*",
    "Elastic-*",
)

_CLASSIFIERS = {
    "mit license": "MIT",
    "apache software license": "Apache-2.0",
    "bsd license": "BSD",
    "isc license (iscl)": "ISC",
    "python software foundation license": "PSF-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "mozilla public license 1.1 (mpl 1.1)": "MPL-1.1",
    "the unlicense (unlicense)": "Unlicense",
    "public domain": "Public-Domain",
    "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
    "gnu general public license v3 (gplv3)": "GPL-3.0",
    "gnu general public license v2 (gplv2)": "GPL-2.0",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu general public license (gpl)": "GPL",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0",
    "gnu lesser general public license v2 (lgplv2)": "LGPL-2.0",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu library or lesser general public license (lgpl)": "LGPL",
    "gnu affero general public license v3": "AGPL-3.0",
    "gnu affero general public license v3 or later (agplv3+)": "AGPL-3.0-or-later",
    "eclipse public license 2.0 (epl-2.0)": "EPL-2.0",
    "eclipse public license 1.0 (epl-1.0)": "EPL-1.0",
    "zope public license": "ZPL",
    "historical permission notice and disclaimer (hpnd)": "HPND",
    "academic free license (afl)": "AFL",
    "artistic license": "Artistic-2.0",
    "boost software license 1.0 (bsl-1.0)": "BSL-1.0",
    "university of illinois/ncsa open source license": "NCSA",
    "other/proprietary license": "Proprietary",
    "zlib/libpng license": "Zlib",
    "european union public licence 1.2 (eupl 1.2)": "EUPL-1.2",
    "sil open font license 1.1 (ofl-1.1)": "OFL-1.1",
    "apple public source license": "APSL",
}
_TEXT_RULES = [
    (r"\bagpl|affero", "AGPL-3.0"),
    (r"\blgpl|lesser general public", "LGPL"),
    (r"\bgpl|general public license", "GPL"),
    (r"apache", "Apache-2.0"),
    (r"\bmit\b", "MIT"),
    (r"bsd[- ]?3|new bsd|modified bsd|3-clause", "BSD-3-Clause"),
    (r"bsd[- ]?2|simplified bsd|2-clause", "BSD-2-Clause"),
    (r"\bbsd\b", "BSD"),
    (r"\bisc\b", "ISC"),
    (r"mozilla|\bmpl", "MPL-2.0"),
    (r"\bpsf\b|python software foundation", "PSF-2.0"),
    (r"unlicense", "Unlicense"),
    (r"public domain|cc0", "Public-Domain"),
    (r"eclipse", "EPL-2.0"),
    (r"proprietary|commercial|all rights reserved", "Proprietary"),
    (r"zlib", "Zlib"),
    (r"\bhpnd\b", "HPND"),
    (r"boost", "BSL-1.0"),
    (r"sspl|server side public", "SSPL-1.0"),
]


def normalise(package: Mapping[str, Any]) -> tuple[str, str]:
    """``(license, source)``: an SPDX-like expression and where it came from."""
    expr = package.get("license_expression")
    if expr:
        return str(expr).strip(), "License-Expression"
    classifiers = [
        c for c in package.get("license_classifiers") or [] if c.lower() not in ("osi approved",)
    ]
    ids = [_CLASSIFIERS.get(c.strip().lower()) for c in classifiers]
    ids = [i for i in ids if i]
    if ids:
        return " OR ".join(dict.fromkeys(ids)), "classifier"
    text = (package.get("license_text") or "").strip()
    if text and text.upper() not in ("UNKNOWN", "NONE", ""):
        if (
            re.fullmatch(r"[A-Za-z0-9.+-]+(\s+(OR|AND|WITH)\s+[A-Za-z0-9.+-]+)*", text)
            and len(text) < 60
        ):
            return text, "License"
        low = text.lower()
        for pattern, spdx in _TEXT_RULES:
            if re.search(pattern, low):
                return spdx, "License"
    return "UNKNOWN", "none"


class LicensePolicy(Frozen):
    __slots__ = ("allow", "deny", "review")

    def __init__(
        self,
        allow: tuple[str, ...] = DEFAULT_ALLOW,
        deny: tuple[str, ...] = (),
        review: tuple[str, ...] = DEFAULT_REVIEW,
    ) -> None:
        self._set(
            allow=allow,
            deny=deny,
            review=review,
        )

    @classmethod
    def from_config(cls, allow: Iterable[str] = (), deny: Iterable[str] = ()) -> LicensePolicy:
        allow, deny = tuple(allow), tuple(deny)
        return cls(allow=allow or DEFAULT_ALLOW, deny=deny)

    def verdict(self, license_expr: str) -> tuple[str, str]:
        """``(allow|review|deny, reason)`` for a license expression."""
        expr = license_expr.strip().strip("()")
        alternatives = [
            a.strip(" ()") for a in re.split(r"\s+OR\s+|\s*/\s*|\s+or\s+", expr) if a.strip(" ()")
        ]
        results = [self._all_of(a) for a in alternatives] or [("review", "no license")]
        order = {"allow": 0, "review": 1, "deny": 2}
        return min(results, key=lambda r: order[r[0]])

    def _all_of(self, expr: str) -> tuple[str, str]:
        parts = [
            p.strip(" ()") for p in re.split(r"\s+(?:AND|WITH|and)\s+", expr) if p.strip(" ()")
        ]
        results = [self._one(p) for p in parts]
        order = {"allow": 0, "review": 1, "deny": 2}
        return max(results, key=lambda r: order[r[0]])

    def _one(self, lic: str) -> tuple[str, str]:
        if any(fnmatchcase(lic.lower(), g.lower()) for g in self.deny):
            return "deny", f"{lic} is on the deny list"
        if any(
            fnmatchcase(lic.lower(), g.lower()) for g in self.allow
        ) and not lic.upper().startswith(("AGPL", "GPL", "SSPL")):
            return "allow", f"{lic} is allowed"
        if any(fnmatchcase(lic.lower(), g.lower()) for g in self.allow):
            return "allow", f"{lic} is allowed by the policy"
        if lic.upper() == "UNKNOWN":
            return "review", "the package declares no license we can read"
        if any(fnmatchcase(lic.lower(), g.lower()) for g in self.review):
            return "review", f"{lic} is a license to review (copyleft or restricted terms)"
        return "review", f"{lic} is not on the allow list"


def license_flags(
    packages: Iterable[Mapping[str, Any]], policy: LicensePolicy
) -> list[dict[str, Any]]:
    """``license_flag`` facts: the packages whose license the policy does not simply allow."""
    flags = []
    for p in packages:
        lic, source = normalise(p)
        verdict, reason = policy.verdict(lic)
        if verdict != "allow":
            flags.append(
                {
                    "cell": None,
                    "line": None,
                    "package": p.get("name"),
                    "version": p.get("version"),
                    "license": lic,
                    "source": source,
                    "verdict": verdict,
                    "reason": reason,
                }
            )
    return flags
