"""Reports: a review (its review.v1 JSON) rendered as text, Markdown, SARIF, HTML, or a model card."""
