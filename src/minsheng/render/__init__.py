"""Output formats, one module each: neutral tables and their terminal, Markdown and CSV text
(tables), the public page (html, with its templates), the office workbook (xlsx), the bulletin
as a Word document in 公文 layout (docx). A renderer
knows the format, never how a figure was computed."""
