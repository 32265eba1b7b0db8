"""Progress entries (进度记录), from files to checked entries: the entry model (entry), the
rules of one field and typed values (rules), what a source names (sources), finding and
parsing the files (files, and the fast parse path in fastparse), the checks across entries
(checks), the append-only store (store), the checked ledger kept in the cache (ledger),
and `validate` over it all. Imports minsheng.core and minsheng.plan; the monthly return,
which makes entries from a unit's spreadsheet, is minsheng.returns."""
