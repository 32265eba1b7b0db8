"""Drafting a plan file from a notice's text (起草计划): pure functions from text to a draft
(clean → structure → targets → assemble), and the writer of the draft as YAML or JSON.
Imports only minsheng.core and minsheng.plan.models."""
