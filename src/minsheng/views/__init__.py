"""What each command shows, as neutral tables and JSON: `list` and `show` (browse), `progress
list` (progress_list), the entries a monthly return is about to add (returns), and `report`:
the bulletin's sentences and tables (bulletin, with the monthly cycle's in bulletin_cycle and
the money's in bulletin_funds), one tidy CSV table (tidy), and report_formats, the one place a
report format meets its renderer. Stands on minsheng.report and minsheng.render; only the
command line imports it."""
