"""Turn the site model into pages: Markdown, templates, pictures, the theme's words."""
