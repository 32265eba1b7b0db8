"""`python -m minsheng`."""

from minsheng.launch import main

main()
