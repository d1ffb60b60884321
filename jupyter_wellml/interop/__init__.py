"""The interop wing: formats of other tools, read and written from our catalog and reviews.

Today one tool, the AWS Well-Architected Tool, and its custom-lens JSON:

- :mod:`.wa_format`: the format (a JSON Schema with the API's limits, the risk-rule
  conditions) and :func:`~.wa_format.validate_wa_lens`;
- :mod:`.wa_export`: a catalog → a custom lens (``jupyter wellml lens export``);
- :mod:`.wa_import`: a custom lens → a lens folder (``jupyter wellml lens import``).

The wing sits above the engine (catalog, records, inspection) and below the surfaces; the
catalog knows nothing of it. Nothing here reaches the network: files in, files out.
"""
