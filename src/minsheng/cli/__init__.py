"""The command line: typer only, thin over the library, one module per command group (app
holds the root and maps errors to exit codes). `answers` keeps outputs made from the plan
alone and is read before typer loads, so this file imports nothing."""
