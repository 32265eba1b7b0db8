"""The ground every other package stands on: problems and errors with stable codes (issues),
units of measure, status words, reading a file safely, safe YAML with line marks, the schema's
messages, where the data folder is, and the content-addressed cache. Nothing here imports from
another package."""
