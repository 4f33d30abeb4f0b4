"""A site's FAQ entries and policies, and their full-text search."""
