"""Find, read, check and assemble the content into the site model."""
