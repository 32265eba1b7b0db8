"""What `list`, `show`, `progress list` and `progress import` show: the items chosen and their
tables and JSON (browse), progress entries as tables and JSON (progress_list), the entries a
monthly return is about to add (returns)."""
