"""The command line: typer only, thin over the library, one module per command group: app
(the root; maps errors to exit codes), browse (list, show), progress (progress add, list),
asking (the terminal's questions), walk (a unit's targets in turn), returns (progress
template, import), report, validate, plan (plan draft), common (shared options and output).
`answers` keeps outputs made from the plan alone and is read before typer loads, so this
file imports nothing."""
