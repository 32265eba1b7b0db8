"""A unit's monthly return (进度报送表), end to end: what it asks and the stamp of what it was made
for (form), its files written and read back safely (files, the xlsx parsed as untrusted input in
workbook), and a filled one checked into the entries to add (importing). Imports
minsheng.core, minsheng.plan and minsheng.progress; what `progress import` shows is in
minsheng.views.returns, the commands in minsheng.cli.returns."""
