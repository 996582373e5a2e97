"""Test helpers: HTML validation (vnu), accessibility (axe, Lighthouse) and a headless browser."""
