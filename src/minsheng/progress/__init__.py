"""Progress entries (进度记录), from files to checked entries: the entry model (entry), the
rules of one field and typed values (rules), what a source names (sources), finding and
parsing the files (files, and the fast parse path in fastparse), the checks across entries
(checks), the append-only store (store), the checked ledger kept in the cache (ledger),
`validate` over it all, and a unit's monthly return (returns: its rows; return_files: xlsx
and CSV; return_import: read back). Imports minsheng.core and minsheng.plan."""
