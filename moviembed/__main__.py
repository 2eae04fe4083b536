"""`python -m moviembed` runs the CLI."""

from .cli import main

main()
