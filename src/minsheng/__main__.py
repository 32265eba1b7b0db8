"""`python -m minsheng`."""

from minsheng.cli import main

main()
