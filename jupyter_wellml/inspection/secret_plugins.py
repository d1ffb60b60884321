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


class HuggingFaceTokenDetector(RegexBasedDetector):
    """Hugging Face user access tokens (``hf_`` and the older ``api_`` form)."""

    secret_type = "Hugging Face Token"
    denylist = [
        re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9])"),
        re.compile(r"(?<![A-Za-z0-9_])api_[A-Za-z]{34}(?![A-Za-z0-9])"),
    ]


class GoogleApiKeyDetector(RegexBasedDetector):
    """Google Cloud API keys."""

    secret_type = "Google API Key"
    denylist = [re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])")]


class GoogleOAuthClientSecretDetector(RegexBasedDetector):
    """Google OAuth client secrets."""

    secret_type = "Google OAuth Client Secret"
    denylist = [re.compile(r"(?<![A-Za-z0-9_-])GOCSPX-[0-9A-Za-z_-]{28}(?![A-Za-z0-9_-])")]


class DatabricksTokenDetector(RegexBasedDetector):
    """Databricks personal access tokens."""

    secret_type = "Databricks Token"
    denylist = [re.compile(r"(?<![A-Za-z0-9])dapi[0-9a-f]{32}(?:-\d)?(?![A-Za-z0-9])")]


class AnthropicKeyDetector(RegexBasedDetector):
    """Anthropic API keys."""

    secret_type = "Anthropic API Key"
    denylist = [re.compile(r"(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{80,}")]
