"""What `list`, `show` and `progress list` show: the items chosen and their tables and JSON
(browse), and progress entries as tables and JSON (progress_list)."""
