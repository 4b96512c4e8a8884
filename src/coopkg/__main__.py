"""``python -m coopkg`` runs the CLI."""

from .cli import main

main()
