"""The plan (计划): the models of the plan file (no I/O), loading it with the checks across its
records (load), how a target is said in words and JSON (describe), and drafting a plan file
from a notice's text (draft/). Imports only minsheng.core."""
