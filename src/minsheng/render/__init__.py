"""Output formats, one module each: neutral tables and their terminal, Markdown and CSV text
(tables), the public page (html, with its templates, and html_cycle for the monthly cycle's
parts), the office workbook (xlsx, built from the sheet blocks in sheets, with the cycle's
sheets in xlsx_cycle), the bulletin as a Word document (docx, on the 公文 page of gongwen).
A renderer knows the format, never how a figure was computed."""
