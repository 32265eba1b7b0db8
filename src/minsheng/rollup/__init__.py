"""The city's roll-up (汇总) across its districts' data folders (compute), built on the
library's front door (api): computation, imported by the views and the command line only."""
