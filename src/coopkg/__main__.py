"""``python -m coopkg`` runs the CLI."""

from coopkg.cli.main import main

main()
