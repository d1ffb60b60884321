"""The jupyter-server surface: an ExtensionApp serving the review engine over an authenticated REST API."""
