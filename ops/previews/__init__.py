"""A stage per branch (docs/previews.md): its name, its deploy and its removal."""
