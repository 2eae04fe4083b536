"""`python -m moviembed` runs the CLI."""

from moviembed.cli import main

main()
