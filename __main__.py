"""`python -m filmc`: the same as the `filmc` command."""

from filmc.compiler.cli import main

main()
