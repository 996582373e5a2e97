"""More outputs from the same model: feeds, sitemap, head metadata, citations, the search index."""
