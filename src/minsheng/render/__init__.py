"""Output formats, one module each: neutral tables and their terminal, Markdown and CSV text
(tables), the public page (html, with its templates), the office workbook (xlsx). A renderer
knows the format, never how a figure was computed."""
