"""detect-secrets plugins for credentials that ML notebooks hold and detect-secrets has no
detector for: Hugging Face tokens, Google API keys and OAuth client secrets, Databricks and
Anthropic tokens. Each matches the credential's documented format (its fixed prefix and
length), so it finds keys whatever the variable is called, and only keys.

They are loaded by detect-secrets itself (a ``path`` plugin), so the prefilter, the placeholder
filter and the pipeline treat them like the library's own detectors.
"""

from __future__ import annotations

import re

from detect_secrets.plugins.base import RegexBasedDetector

#: the credentials, by the name of their plugin (detect-secrets' settings name it): the secret
#: type reported, and the credential's formats, each bounded by what cannot stand next to a key
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "HuggingFaceTokenDetector": ("Hugging Face Token", (r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9])", r"(?<![A-Za-z0-9_])api_[A-Za-z]{34}(?![A-Za-z0-9])")),  # user access tokens; api_ is the older form
    "GoogleApiKeyDetector": ("Google API Key", (r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])",)),  # Google Cloud API keys
    "GoogleOAuthClientSecretDetector": ("Google OAuth Client Secret", (r"(?<![A-Za-z0-9_-])GOCSPX-[0-9A-Za-z_-]{28}(?![A-Za-z0-9_-])",)),
    "DatabricksTokenDetector": ("Databricks Token", (r"(?<![A-Za-z0-9])dapi[0-9a-f]{32}(?:-\d)?(?![A-Za-z0-9])",)),  # personal access tokens
    "AnthropicKeyDetector": ("Anthropic API Key", (r"(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{80,}",)),
}  # fmt: skip


def _detector(name: str, secret_type: str, formats: tuple[str, ...]) -> type[RegexBasedDetector]:
    """The plugin class ``name``: detect-secrets reports ``secret_type`` where one of ``formats``
    matches."""
    body = {"__module__": __name__, "__doc__": f"{secret_type}s, by their format."}
    body |= {"secret_type": secret_type, "denylist": [re.compile(f) for f in formats]}
    return type(name, (RegexBasedDetector,), body)


# module attributes, where detect-secrets looks for the plugins its settings name
globals().update({name: _detector(name, *spec) for name, spec in FORMATS.items()})
