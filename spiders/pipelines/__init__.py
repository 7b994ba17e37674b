"""Item pipelines: extract the article from the page, then store it."""
