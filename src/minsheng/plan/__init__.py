"""The plan (计划): the models of the plan file (no I/O), loading it (load) with the checks
across its records (checks), the funds file (funds), how a target is said in words and JSON
(describe), the format's versions (upgrade), and drafting a plan file from a notice's text
(draft/). Imports only minsheng.core."""
