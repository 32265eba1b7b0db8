"""The completion report (完成情况通报): completion, 序时进度 and status as pure functions
(compute), and the report's tables and JSON document (bulletin), which picks a renderer."""
