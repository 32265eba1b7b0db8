"""The completion report (完成情况通报): completion, 序时进度 and status as pure functions
(compute), the monthly cycle's on-time returns, history and escalations (cycle, and their
tables in monthly), and the report in each shape: the bulletin's tables for people
(bulletin), one tidy CSV table (tidy), the JSON document (document); `formats` is the one
place a format meets its renderer."""
