"""The plan (计划): the models of the plan file (no I/O) and loading it with the checks across
its records. Imports only minsheng.core."""
